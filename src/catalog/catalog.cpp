#include "catalog/catalog.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/limits.hpp"
#include "data/resources.hpp"

namespace fwcert::catalog {

const CheckDef* Catalog::find_check(std::string_view id) const {
  for (const auto& c : checks) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

const RequirementSet* Catalog::find_set(std::string_view id) const {
  for (const auto& s : sets) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

namespace {

std::string at(const std::string& file, const YAML::Node& n) {
  const auto m = n.Mark();
  if (m.line < 0) return file;
  return fmt::format("{}:{}:{}", file, m.line + 1, m.column + 1);
}

Error parse_error(const std::string& file, const YAML::Node& n, std::string message) {
  return make_error(ErrorCode::kParse, std::move(message), at(file, n));
}

// Small typed readers; each returns an Error with file:line when the type is wrong.
struct Reader {
  const std::string& file;

  Result<std::string> str(const YAML::Node& map, const char* key, bool required) const {
    YAML::Node n = map[key];
    if (!n) {
      if (required) return parse_error(file, map, fmt::format("missing required field '{}'", key));
      return std::string();
    }
    if (!n.IsScalar()) return parse_error(file, n, fmt::format("field '{}' must be a string", key));
    // Folded and literal block scalars (`>`, `|`) end in a newline; texts are printed inline.
    auto v = n.as<std::string>();
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) v.pop_back();
    return v;
  }

  Result<std::vector<std::string>> list(const YAML::Node& map, const char* key) const {
    YAML::Node n = map[key];
    std::vector<std::string> out;
    if (!n) return out;
    if (!n.IsSequence()) return parse_error(file, n, fmt::format("field '{}' must be a list", key));
    for (const auto& item : n) {
      if (!item.IsScalar()) return parse_error(file, item, fmt::format("items of '{}' must be strings", key));
      out.push_back(item.as<std::string>());
    }
    return out;
  }

  /// Rejects keys outside `allowed` and keys given twice (yaml-cpp keeps both silently).
  OkResult only_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed) const {
    std::set<std::string> seen;
    for (const auto& kv : map) {
      if (!kv.first.IsScalar()) return parse_error(file, kv.first, "field names must be strings");
      auto key = kv.first.as<std::string>();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string names;
        for (auto a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
        return parse_error(file, kv.first, fmt::format("unknown field '{}' (expected one of: {})", key, names));
      }
      if (!seen.insert(key).second) return parse_error(file, kv.first, fmt::format("field '{}' given twice", key));
    }
    return Ok{};
  }

  /// A list of assessment modes; each must be one of IMG, LIVE, NET, DOC.
  Result<std::vector<std::string>> modes(const YAML::Node& map) const {
    static constexpr std::array<std::string_view, 4> kModes = {"IMG", "LIVE", "NET", "DOC"};
    auto list_or = list(map, "modes");
    if (!list_or) return list_or.error();
    std::size_t i = 0;
    for (const auto& m : *list_or) {
      if (std::find(kModes.begin(), kModes.end(), m) == kModes.end()) {
        return parse_error(file, map["modes"][i], fmt::format("unknown mode '{}' (expected IMG, LIVE, NET or DOC)", m));
      }
      ++i;
    }
    return list_or;
  }
};

/// Ids are stable names used on command lines and in reports: letters, digits, '-', '.', '_'.
bool is_valid_id(std::string_view id) {
  if (id.empty()) return false;
  return std::all_of(id.begin(), id.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
           ch == '_';
  });
}

/// Thrown from the nesting guard while yaml-cpp is still descending, so its recursion stops
/// at our limit instead of near the end of the stack.
struct TooDeep {
  YAML::Mark mark;
};

/// Counts open collections while yaml-cpp streams events. It sees a collection's start before
/// the parser recurses into its children, so throwing here bounds the recursion.
class NestingGuard : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    open(mark);
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    open(mark);
  }
  void OnMapEnd() override { --depth_; }

 private:
  void open(const YAML::Mark& mark) {
    if (++depth_ > limits::kMaxCatalogNesting) throw TooDeep{mark};
  }
  int depth_ = 0;
};

std::string mark_where(const std::string& file, const YAML::Mark& mark) {
  return mark.line >= 0 ? fmt::format("{}:{}:{}", file, mark.line + 1, mark.column + 1) : file;
}

/// Parses `f` into a node tree after a streaming pass has shown it nests no deeper than
/// limits::kMaxCatalogNesting. Only the first document is read, as YAML::Load does.
Result<YAML::Node> parse_yaml(const SourceFile& f) {
  try {
    std::istringstream in(f.text);
    YAML::Parser parser(in);
    NestingGuard guard;
    parser.HandleNextDocument(guard);
  } catch (const TooDeep& e) {
    return make_error(ErrorCode::kLimitExceeded,
                      fmt::format("YAML nested deeper than {} levels", limits::kMaxCatalogNesting),
                      mark_where(f.name, e.mark));
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::kParse, e.msg, mark_where(f.name, e.mark));
  }
  try {
    return YAML::Load(f.text);
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::kParse, e.msg, mark_where(f.name, e.mark));
  }
}

OkResult parse_checks(const std::string& file, const YAML::Node& list, Catalog& out) {
  Reader r{file};
  if (!list.IsSequence()) return parse_error(file, list, "'checks' must be a list");
  for (const auto& n : list) {
    if (!n.IsMap()) return parse_error(file, n, "each check must be a mapping");
    if (auto s = r.only_keys(n, {"id", "title", "area", "severity", "modes", "analyzer", "rationale", "logic",
                                 "remediation", "references"});
        !s) {
      return s.error();
    }
    CheckDef c;
    c.where = at(file, n);
    auto id = r.str(n, "id", true);
    if (!id) return id.error();
    if (!is_valid_id(*id))
      return parse_error(file, n["id"], fmt::format("check id '{}' must be letters, digits, '-', '.' or '_'", *id));
    c.id = *id;
    auto title = r.str(n, "title", true);
    if (!title) return title.error();
    c.title = *title;
    auto sev = r.str(n, "severity", true);
    if (!sev) return sev.error();
    auto parsed = parse_severity(*sev);
    if (!parsed) return parse_error(file, n["severity"], fmt::format("unknown severity '{}'", *sev));
    c.severity = *parsed;
    for (auto [field, dest] : {std::pair{"area", &c.area},
                               {"analyzer", &c.analyzer},
                               {"rationale", &c.rationale},
                               {"logic", &c.logic},
                               {"remediation", &c.remediation}}) {
      auto v = r.str(n, field, false);
      if (!v) return v.error();
      *dest = *v;
    }
    auto modes = r.modes(n);
    if (!modes) return modes.error();
    c.modes = *modes;
    auto refs = r.list(n, "references");
    if (!refs) return refs.error();
    c.references = *refs;
    if (out.find_check(c.id)) return parse_error(file, n, fmt::format("duplicate check id '{}'", c.id));
    out.checks.push_back(std::move(c));
  }
  return Ok{};
}

OkResult parse_set(const std::string& file, const YAML::Node& root, Catalog& out) {
  Reader r{file};
  if (auto s = r.only_keys(root, {"set", "requirements"}); !s) return s.error();
  const YAML::Node set = root["set"];
  if (!set.IsMap()) return parse_error(file, set, "'set' must be a mapping");
  if (auto s = r.only_keys(set, {"id", "title", "source", "gate"}); !s) return s.error();
  RequirementSet rs;
  auto id = r.str(set, "id", true);
  if (!id) return id.error();
  rs.id = *id;
  auto title = r.str(set, "title", true);
  if (!title) return title.error();
  rs.title = *title;
  auto source = r.str(set, "source", false);
  if (!source) return source.error();
  rs.source = *source;
  auto gate = r.str(set, "gate", false);
  if (!gate) return gate.error();
  if (!gate->empty()) {
    auto g = parse_severity(*gate);
    if (!g) return parse_error(file, set["gate"], fmt::format("unknown severity '{}'", *gate));
    rs.gate = *g;
  }
  const YAML::Node reqs = root["requirements"];
  if (!reqs || !reqs.IsSequence()) return parse_error(file, root, "'requirements' must be a list");
  std::set<std::string> ids;
  for (const auto& n : reqs) {
    if (!n.IsMap()) return parse_error(file, n, "each requirement must be a mapping");
    if (auto s =
            r.only_keys(n, {"id", "title", "level", "subject", "text", "modes", "checks", "attestation", "unverified"});
        !s) {
      return s.error();
    }
    RequirementDef d;
    d.where = at(file, n);
    auto rid = r.str(n, "id", true);
    if (!rid) return rid.error();
    if (!is_valid_id(*rid)) {
      return parse_error(file, n["id"],
                         fmt::format("requirement id '{}' must be letters, digits, '-', '.' or '_'", *rid));
    }
    d.id = *rid;
    auto rtitle = r.str(n, "title", true);
    if (!rtitle) return rtitle.error();
    d.title = *rtitle;
    for (auto [field, dest] :
         {std::pair{"level", &d.level}, {"subject", &d.subject}, {"text", &d.text}, {"attestation", &d.attestation}}) {
      auto v = r.str(n, field, false);
      if (!v) return v.error();
      *dest = *v;
    }
    auto modes = r.modes(n);
    if (!modes) return modes.error();
    d.modes = *modes;
    auto checks = r.list(n, "checks");
    if (!checks) return checks.error();
    d.checks = *checks;
    if (n["unverified"]) {
      if (!n["unverified"].IsScalar()) return parse_error(file, n["unverified"], "'unverified' must be true or false");
      auto v = n["unverified"].as<std::string>();
      if (v != "true" && v != "false") return parse_error(file, n["unverified"], "'unverified' must be true or false");
      d.unverified = v == "true";
    }
    if (d.checks.empty() && d.attestation.empty()) {
      return parse_error(file, n, fmt::format("requirement '{}' names no checks and no attestation", d.id));
    }
    if (!ids.insert(d.id).second) return parse_error(file, n, fmt::format("duplicate requirement id '{}'", d.id));
    rs.requirements.push_back(std::move(d));
  }
  if (out.find_set(rs.id)) return parse_error(file, set, fmt::format("duplicate requirement set '{}'", rs.id));
  out.sets.push_back(std::move(rs));
  return Ok{};
}

}  // namespace

Result<Catalog> load(const std::vector<SourceFile>& files) {
  Catalog cat;
  for (const auto& f : files) {
    if (f.text.size() > limits::kMaxCatalogFileBytes) {
      return make_error(ErrorCode::kLimitExceeded, "catalog file too large", f.name);
    }
    auto parsed = parse_yaml(f);
    if (!parsed) return parsed.error();
    const YAML::Node& root = *parsed;
    try {
      if (!root.IsMap()) return make_error(ErrorCode::kParse, "a catalog file must be a mapping", f.name);
      if (root["checks"]) {
        Reader r{f.name};
        if (auto s = r.only_keys(root, {"checks"}); !s) return s.error();
        if (auto s = parse_checks(f.name, root["checks"], cat); !s) return s.error();
      } else if (root["set"]) {
        if (auto s = parse_set(f.name, root, cat); !s) return s.error();
      } else {
        return make_error(ErrorCode::kParse, "expected a 'checks' list or a 'set' with 'requirements'", f.name);
      }
    } catch (const YAML::Exception& e) {
      return make_error(ErrorCode::kParse, e.msg, mark_where(f.name, e.mark));
    }
  }
  for (const auto& s : cat.sets) {
    for (const auto& r : s.requirements) {
      for (const auto& c : r.checks) {
        if (!cat.find_check(c)) {
          return make_error(ErrorCode::kParse, fmt::format("requirement '{}' names unknown check '{}'", r.id, c),
                            r.where);
        }
      }
    }
  }
  return cat;
}

Result<Catalog> load_builtin() {
  std::vector<SourceFile> files;
  for (const auto& r : data::resources()) {
    if (r.name.starts_with("catalog/") && r.name.ends_with(".yaml")) {
      files.push_back({std::string(r.name), std::string(r.content)});
    }
  }
  // checks first, so requirement sets can be validated against them in any file order
  std::stable_partition(files.begin(), files.end(),
                        [](const SourceFile& f) { return f.name.ends_with("/checks.yaml"); });
  return load(files);
}

Result<Catalog> load_directory(const std::string& dir) {
  std::vector<SourceFile> files;
  std::error_code ec;
  std::vector<std::filesystem::path> paths;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".yaml") paths.push_back(e.path());
  }
  if (ec) return make_error(ErrorCode::kIo, ec.message(), dir);
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    files.push_back({p.string(), ss.str()});
  }
  std::stable_partition(files.begin(), files.end(),
                        [](const SourceFile& f) { return f.name.ends_with("/checks.yaml"); });
  if (files.empty()) return make_error(ErrorCode::kNotFound, "no *.yaml catalog files", dir);
  return load(files);
}

void complete_findings(const Catalog& catalog, const std::vector<std::string>& analyzers_run,
                       std::vector<Finding>& findings) {
  std::set<std::string> seen;
  for (auto& f : findings) {
    seen.insert(f.check);
    if (const CheckDef* c = catalog.find_check(f.check); c && !f.severity_override) f.severity = c->severity;
  }
  for (const auto& c : catalog.checks) {
    if (c.analyzer.empty() || seen.count(c.id)) continue;
    if (std::find(analyzers_run.begin(), analyzers_run.end(), c.analyzer) == analyzers_run.end()) continue;
    Finding f;
    f.check = c.id;
    f.status = Status::kInconclusive;
    f.severity = c.severity;
    f.message = "the analyzer ran but recorded no evidence for this check";
    findings.push_back(std::move(f));
  }
}

std::vector<RequirementResult> evaluate(const RequirementSet& set, const Catalog& catalog,
                                        const std::vector<Finding>& findings) {
  std::map<std::string, std::vector<const Finding*>> by_check;
  for (const auto& f : findings) by_check[f.check].push_back(&f);

  std::vector<RequirementResult> out;
  for (const auto& req : set.requirements) {
    RequirementResult r;
    r.id = req.id;
    r.title = req.title;
    r.level = req.level;
    r.checks = req.checks;
    r.unverified = req.unverified;
    if (req.checks.empty()) {
      r.verdict = Verdict::kNeedsAttestation;
      r.reason = "process requirement; evidence: " + req.attestation;
      out.push_back(std::move(r));
      continue;
    }
    std::vector<std::string> failed, warned, missing, inconclusive;
    std::size_t passed = 0, not_applicable = 0;
    for (const auto& id : req.checks) {
      auto it = by_check.find(id);
      if (it == by_check.end()) {
        missing.push_back(id);
        continue;
      }
      bool any_fail = false, any_warn = false, any_inconclusive = false, all_na = true;
      for (const Finding* f : it->second) {
        any_fail |= f->status == Status::kFail;
        any_warn |= f->status == Status::kWarn;
        any_inconclusive |= f->status == Status::kInconclusive;
        all_na &= f->status == Status::kNotApplicable;
      }
      if (any_fail) {
        failed.push_back(id);
      } else if (any_warn) {
        warned.push_back(id);
      } else if (any_inconclusive) {
        inconclusive.push_back(id);
      } else if (all_na) {
        ++not_applicable;
      } else {
        ++passed;
      }
    }
    auto joined = [](const std::vector<std::string>& v) {
      std::string s;
      for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
      return s;
    };
    const std::size_t total = req.checks.size();
    if (!failed.empty()) {
      r.verdict = Verdict::kNotMet;
      r.reason = "failed: " + joined(failed);
    } else if (!warned.empty()) {
      r.verdict = Verdict::kPartial;
      r.reason = "warnings: " + joined(warned);
    } else if (!missing.empty() || !inconclusive.empty()) {
      r.verdict = Verdict::kInconclusive;
      std::vector<std::string> no_evidence = missing;
      no_evidence.insert(no_evidence.end(), inconclusive.begin(), inconclusive.end());
      std::sort(no_evidence.begin(), no_evidence.end());
      r.reason = fmt::format("{} of {} checks gave no evidence: {}", no_evidence.size(), total, joined(no_evidence));
    } else if (not_applicable == total) {
      r.verdict = Verdict::kNotApplicable;
      r.reason = "no check applies to this target";
    } else {
      r.verdict = Verdict::kMet;
      r.reason = fmt::format("{} of {} checks passed", passed, total);
    }
    if (!req.attestation.empty() && r.verdict != Verdict::kNotMet) {
      r.reason += "; also needs attestation: " + req.attestation;
    }
    (void)catalog;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace fwcert::catalog
