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

std::optional<Profile> Catalog::find_profile(std::string_view id) const {
  for (const auto& p : profiles) {
    if (p.id == id) return p;
  }
  if (const RequirementSet* s = find_set(id)) {
    Profile p;
    p.id = s->id;
    p.title = s->title;
    p.set = s->id;
    p.gate = s->gate;
    return p;
  }
  return std::nullopt;
}

std::vector<std::string> Catalog::profile_ids() const {
  std::set<std::string> ids;
  for (const auto& p : profiles) ids.insert(p.id);
  for (const auto& s : sets) ids.insert(s.id);
  return {ids.begin(), ids.end()};
}

RequirementSet select(const RequirementSet& set, const Profile& profile) {
  RequirementSet out = set;
  out.gate = profile.gate;
  out.requirements.clear();
  for (const auto& r : set.requirements) {
    if (profile.max_level > 0 && (r.verification_level < 1 || r.verification_level > profile.max_level)) continue;
    if (!profile.include.empty() &&
        std::find(profile.include.begin(), profile.include.end(), r.id) == profile.include.end()) {
      continue;
    }
    if (std::find(profile.exclude.begin(), profile.exclude.end(), r.id) != profile.exclude.end()) continue;
    out.requirements.push_back(r);
  }
  return out;
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
    if (auto s = r.only_keys(n, {"id", "title", "level", "subject", "text", "modes", "checks", "attestation",
                                 "unverified", "verification_level"});
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
    if (n["verification_level"]) {
      const YAML::Node v = n["verification_level"];
      const std::string text = v.IsScalar() ? v.as<std::string>() : std::string();
      if (text != "1" && text != "2" && text != "3") {
        return parse_error(file, v, "'verification_level' must be 1, 2 or 3");
      }
      d.verification_level = text[0] - '0';
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

Result<Profile> parse_profile(const std::string& file, const YAML::Node& n) {
  Reader r{file};
  if (!n.IsMap()) return parse_error(file, n, "a profile must be a mapping");
  if (auto s = r.only_keys(n, {"id", "title", "set", "max_level", "include", "exclude", "gate"}); !s) {
    return s.error();
  }
  Profile p;
  p.where = at(file, n);
  auto id = r.str(n, "id", true);
  if (!id) return id.error();
  if (!is_valid_id(*id))
    return parse_error(file, n["id"], fmt::format("profile id '{}' must be letters, digits, '-', '.' or '_'", *id));
  p.id = *id;
  auto title = r.str(n, "title", false);
  if (!title) return title.error();
  p.title = *title;
  auto set = r.str(n, "set", true);
  if (!set) return set.error();
  p.set = *set;
  auto level = r.str(n, "max_level", false);
  if (!level) return level.error();
  if (!level->empty()) {
    if (*level != "1" && *level != "2" && *level != "3") {
      return parse_error(file, n["max_level"], "'max_level' must be 1, 2 or 3");
    }
    p.max_level = (*level)[0] - '0';
  }
  auto include = r.list(n, "include");
  if (!include) return include.error();
  p.include = *include;
  auto exclude = r.list(n, "exclude");
  if (!exclude) return exclude.error();
  p.exclude = *exclude;
  auto gate = r.str(n, "gate", false);
  if (!gate) return gate.error();
  if (!gate->empty()) {
    auto g = parse_severity(*gate);
    if (!g || *g == Severity::kInfo) {
      return parse_error(file, n["gate"], fmt::format("gate '{}' must be critical, high, medium or low", *gate));
    }
    p.gate = *g;
  }
  return p;
}

/// A profile's set and requirement ids must exist.
OkResult check_profile(const Profile& p, const Catalog& cat, const std::string& where_set,
                       const std::string& where_lists) {
  const RequirementSet* set = cat.find_set(p.set);
  if (!set) {
    std::string known;
    for (const auto& s : cat.sets) known += (known.empty() ? "" : ", ") + s.id;
    return make_error(ErrorCode::kParse,
                      fmt::format("profile '{}' names unknown requirement set '{}' (known: {})", p.id, p.set, known),
                      where_set);
  }
  for (const auto* list : {&p.include, &p.exclude}) {
    for (const auto& id : *list) {
      bool found = std::any_of(set->requirements.begin(), set->requirements.end(),
                               [&](const RequirementDef& r) { return r.id == id; });
      if (!found) {
        return make_error(
            ErrorCode::kParse,
            fmt::format("profile '{}' names requirement '{}', which set '{}' does not have", p.id, id, p.set),
            where_lists);
      }
    }
  }
  return Ok{};
}

}  // namespace

Result<Profile> load_profile_file(const SourceFile& file, const Catalog& catalog) {
  if (file.text.size() > limits::kMaxCatalogFileBytes) {
    return make_error(ErrorCode::kLimitExceeded, "profile file too large", file.name);
  }
  auto parsed = parse_yaml(file);
  if (!parsed) return parsed.error();
  try {
    const YAML::Node& root = *parsed;
    if (!root.IsMap())
      return make_error(ErrorCode::kParse, "a profile file must be a mapping with a 'profile' key", file.name);
    Reader r{file.name};
    if (auto s = r.only_keys(root, {"profile"}); !s) return s.error();
    if (!root["profile"]) return make_error(ErrorCode::kParse, "missing 'profile'", file.name);
    auto p = parse_profile(file.name, root["profile"]);
    if (!p) return p.error();
    const YAML::Node n = root["profile"];
    if (auto s = check_profile(*p, catalog, at(file.name, n["set"]),
                               at(file.name, n["include"]   ? n["include"]
                                             : n["exclude"] ? n["exclude"]
                                                            : n));
        !s) {
      return s.error();
    }
    return p;
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::kParse, e.msg, mark_where(file.name, e.mark));
  }
}

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
      } else if (root["profiles"]) {
        Reader r{f.name};
        if (auto s = r.only_keys(root, {"profiles"}); !s) return s.error();
        const YAML::Node list = root["profiles"];
        if (!list.IsSequence()) return parse_error(f.name, list, "'profiles' must be a list");
        for (const auto& n : list) {
          auto p = parse_profile(f.name, n);
          if (!p) return p.error();
          for (const auto& q : cat.profiles) {
            if (q.id == p->id) return parse_error(f.name, n, fmt::format("duplicate profile id '{}'", p->id));
          }
          cat.profiles.push_back(std::move(*p));
        }
      } else {
        return make_error(ErrorCode::kParse,
                          "expected a 'checks' list or a 'set' with 'requirements' (or a 'profiles' list)", f.name);
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
  for (const auto& p : cat.profiles) {
    if (cat.find_set(p.id)) {
      return make_error(ErrorCode::kParse, fmt::format("profile '{}' has the id of a requirement set", p.id), p.where);
    }
    if (auto s = check_profile(p, cat, p.where, p.where); !s) return s.error();
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

OkResult assign_analyzers(Catalog& catalog, const Implementers& implementers) {
  for (auto& c : catalog.checks) {
    auto it = implementers.find(c.id);
    std::string by = it == implementers.end() ? std::string() : it->second;
    if (!c.analyzer.empty() && c.analyzer != by) {
      return make_error(ErrorCode::kParse,
                        by.empty() ? fmt::format("check '{}' says `analyzer: {}`, but no analyzer of this fwcert "
                                                 "implements it (drop the line)",
                                                 c.id, c.analyzer)
                                   : fmt::format("check '{}' says `analyzer: {}`, but it is implemented by the {} "
                                                 "analyzer (drop the line)",
                                                 c.id, c.analyzer, by),
                        c.where);
    }
    c.analyzer = std::move(by);
  }
  return Ok{};
}

void cite_checks(const Catalog& catalog, Report& report) {
  std::set<std::string_view> cited;
  for (const auto& f : report.findings) cited.insert(f.check);
  for (const auto& q : report.requirements) cited.insert(q.checks.begin(), q.checks.end());
  report.checks.clear();
  report.areas.clear();
  for (const auto& c : catalog.checks) {
    if (std::find(report.areas.begin(), report.areas.end(), c.area) == report.areas.end()) {
      report.areas.push_back(c.area);
    }
    if (!cited.contains(c.id)) continue;
    report.checks.push_back(
        {c.id, c.title, c.area, c.severity, c.rationale, c.logic, c.remediation, c.references, !c.analyzer.empty()});
  }
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

namespace {

/// What one check contributes to a requirement (docs/rollup.md, rule 2).
enum class CheckOutcome { kFailed, kWarned, kWaived, kInconclusive, kMissing, kPending, kNotApplicable, kPassed };

CheckOutcome outcome_of(const std::vector<const Finding*>& found, bool attestation_check, bool manifest_given) {
  if (found.empty()) return attestation_check && !manifest_given ? CheckOutcome::kPending : CheckOutcome::kMissing;
  bool any_fail = false, any_warn = false, any_inconclusive = false, any_waived = false, all_na = true;
  std::size_t counted = 0;
  for (const Finding* f : found) {
    if (f->waiver) {
      any_waived |= f->status == Status::kFail || f->status == Status::kWarn;
      continue;
    }
    ++counted;
    any_fail |= f->status == Status::kFail;
    any_warn |= f->status == Status::kWarn;
    any_inconclusive |= f->status == Status::kInconclusive;
    all_na &= f->status == Status::kNotApplicable;
  }
  if (any_fail) return CheckOutcome::kFailed;
  if (any_warn) return CheckOutcome::kWarned;
  if (any_waived) return CheckOutcome::kWaived;
  if (any_inconclusive) return CheckOutcome::kInconclusive;
  if (counted == 0) return CheckOutcome::kMissing;  // only waived non-problems: nothing to judge on
  if (all_na) return CheckOutcome::kNotApplicable;
  return CheckOutcome::kPassed;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

std::vector<RequirementResult> evaluate(const RequirementSet& set, const Catalog& catalog,
                                        const std::vector<Finding>& findings, const RollupInputs& inputs) {
  std::map<std::string, std::vector<const Finding*>> by_check;
  for (const auto& f : findings) by_check[f.check].push_back(&f);
  auto is_attestation_check = [&](const std::string& id) {
    return std::find(inputs.attestation_checks.begin(), inputs.attestation_checks.end(), id) !=
           inputs.attestation_checks.end();
  };

  std::vector<RequirementResult> out;
  for (const auto& req : set.requirements) {
    RequirementResult r;
    r.id = req.id;
    r.title = req.title;
    r.level = req.level;
    r.checks = req.checks;
    r.unverified = req.unverified;
    r.modes = req.modes;
    r.attestation = req.attestation;
    r.verification_level = req.verification_level;
    const bool attested = inputs.attested.count(req.id) && inputs.attested.at(req.id);

    // Rule 1: info checks are inventory records; they are listed but decide nothing.
    std::vector<std::string> deciding;
    for (const auto& id : req.checks) {
      const CheckDef* c = catalog.find_check(id);
      if (!c || c->severity != Severity::kInfo) deciding.push_back(id);
    }

    std::vector<std::string> failed, failed_documents, warned, no_evidence, pending;
    std::size_t passed = 0, not_applicable = 0, passed_documents = 0;
    for (const auto& id : deciding) {
      const bool doc = is_attestation_check(id);
      auto it = by_check.find(id);
      static const std::vector<const Finding*> kNone;
      switch (outcome_of(it == by_check.end() ? kNone : it->second, doc, inputs.manifest_given)) {
        case CheckOutcome::kFailed:
          (doc ? failed_documents : failed).push_back(id);
          break;
        case CheckOutcome::kWarned:
          warned.push_back(id);
          break;
        case CheckOutcome::kWaived:
          r.waived.push_back(id);
          break;
        case CheckOutcome::kInconclusive:
        case CheckOutcome::kMissing:
          no_evidence.push_back(id);
          break;
        case CheckOutcome::kPending:
          pending.push_back(id);
          break;
        case CheckOutcome::kNotApplicable:
          ++not_applicable;
          break;
        case CheckOutcome::kPassed:
          ++passed;
          passed_documents += doc;
          break;
      }
    }
    std::sort(no_evidence.begin(), no_evidence.end());
    const std::size_t total = deciding.size();
    auto declared_na = inputs.not_applicable.find(req.id);

    if (!failed.empty() || (!failed_documents.empty() && declared_na == inputs.not_applicable.end())) {
      // Rules 3 and 4: a failing image check is not-met; a failing document check alone is
      // missing evidence. A not-applicable declaration cannot hide a failing check.
      std::vector<std::string> all = failed;
      all.insert(all.end(), failed_documents.begin(), failed_documents.end());
      r.verdict = failed.empty() ? Verdict::kMissingEvidence : Verdict::kNotMet;
      r.reason = (failed.empty() ? "the manifest lacks the evidence for: " : "failed: ") + joined(all);
      if (declared_na != inputs.not_applicable.end()) {
        r.reason += "; declared not applicable in the manifest, but a check failed";
      }
    } else if (declared_na != inputs.not_applicable.end()) {
      r.verdict = Verdict::kNotApplicable;
      r.reason = "declared not applicable in the manifest: " + declared_na->second;
    } else if (!warned.empty() || !r.waived.empty()) {
      r.verdict = Verdict::kPartial;
      std::string parts;
      if (!warned.empty()) parts = "warnings: " + joined(warned);
      if (!r.waived.empty()) parts += (parts.empty() ? "" : "; ") + std::string("waived: ") + joined(r.waived);
      r.reason = parts;
    } else if (!no_evidence.empty()) {
      if (attested) {
        r.verdict = Verdict::kAttested;
        r.reason = fmt::format("attested in the manifest; {} of {} checks gave no evidence: {}", no_evidence.size(),
                               total, joined(no_evidence));
      } else {
        r.verdict = Verdict::kInconclusive;
        r.reason = fmt::format("{} of {} checks gave no evidence: {}", no_evidence.size(), total, joined(no_evidence));
      }
    } else if (!pending.empty()) {
      r.verdict = Verdict::kNeedsAttestation;
      r.reason =
          "no product manifest given; evidence: " + (req.attestation.empty() ? joined(pending) : req.attestation);
    } else if (total == 0) {
      if (attested) {
        r.verdict = Verdict::kAttested;
        r.reason = "attested in the manifest";
      } else if (req.attestation.empty()) {
        r.verdict = Verdict::kInconclusive;
        r.reason = "no check decides this requirement";
      } else if (inputs.manifest_given) {
        r.verdict = Verdict::kMissingEvidence;
        r.reason = "the manifest names no evidence; needed: " + req.attestation;
      } else {
        r.verdict = Verdict::kNeedsAttestation;
        r.reason = "process requirement; evidence: " + req.attestation;
      }
    } else if (not_applicable == total) {
      r.verdict = Verdict::kNotApplicable;
      r.reason = "no check applies to this target";
    } else if (passed_documents == passed) {
      r.verdict = Verdict::kAttested;
      r.reason = fmt::format("the manifest names the evidence for {} of {} checks", passed, total);
    } else {
      r.verdict = Verdict::kMet;
      r.reason = fmt::format("{} of {} checks passed", passed, total);
    }
    if (!req.attestation.empty() &&
        (r.verdict == Verdict::kMet || r.verdict == Verdict::kPartial || r.verdict == Verdict::kInconclusive)) {
      r.reason += "; also needs attestation: " + req.attestation;
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::string> suggest_checks(const Catalog& catalog, std::string_view id) {
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      cur[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      }
      std::swap(prev, cur);
    }
    return prev[b.size()];
  };
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& c : catalog.checks) {
    std::size_t d = distance(id, c.id);
    // a known id containing the text typed is a good suggestion too ("pie" -> bin-...)
    if (id.size() >= 3 && c.id.find(id) != std::string::npos) d = std::min<std::size_t>(d, 2);
    if (d <= std::max<std::size_t>(2, id.size() / 3)) scored.emplace_back(d, c.id);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (std::size_t i = 0; i < scored.size() && i < 3; ++i) out.push_back(scored[i].second);
  return out;
}

Result<YAML::Node> parse_yaml_document(const SourceFile& f) { return parse_yaml(f); }

Result<SourceFile> read_user_file(const std::string& path) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) return make_error(ErrorCode::kNotFound, "no such file", path);
  if (!std::filesystem::is_regular_file(status))
    return make_error(ErrorCode::kInvalidArgument, "not a regular file", path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIo, "cannot be opened", path);
  SourceFile f{path, {}};
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    f.text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (f.text.size() > limits::kMaxCatalogFileBytes) {
      return make_error(ErrorCode::kLimitExceeded, fmt::format("larger than {} bytes", limits::kMaxCatalogFileBytes),
                        path);
    }
  }
  return f;
}

}  // namespace fwcert::catalog
