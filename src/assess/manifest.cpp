#include "assess/manifest.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <initializer_list>
#include <set>
#include <string_view>

#include "assess/yaml.hpp"
#include "catalog/catalog.hpp"
#include "core/sha256.hpp"

namespace fwcert::assess {

namespace {

struct Parser {
  const std::string& file;

  Error bad(const YAML::Node& n, std::string message) const { return yaml_error(file, n, std::move(message)); }

  OkResult keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed) const {
    if (!map.IsMap()) return bad(map, "expected a mapping");
    std::set<std::string> seen;
    for (const auto& kv : map) {
      if (!kv.first.IsScalar()) return bad(kv.first, "keys must be strings");
      const std::string key = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string names;
        for (auto a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
        return bad(kv.first, fmt::format("unknown key '{}' (expected one of: {})", key, names));
      }
      if (!seen.insert(key).second) return bad(kv.first, fmt::format("key '{}' given twice", key));
    }
    return Ok{};
  }

  /// A non-empty scalar, or "" when absent; an error when present but not a non-empty string.
  Result<std::string> text(const YAML::Node& map, const char* key, bool required = false) const {
    const YAML::Node n = map[key];
    if (!n.IsDefined() || n.IsNull()) {
      if (required) return bad(map, fmt::format("missing required key '{}'", key));
      return std::string();
    }
    if (!n.IsScalar()) return bad(n, fmt::format("'{}' must be a single value", key));
    std::string v = n.Scalar();
    if (v.find_first_not_of(" \t\r\n") == std::string::npos) return bad(n, fmt::format("'{}' must not be empty", key));
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
    return v;
  }

  Result<std::optional<CivilDate>> date(const YAML::Node& map, const char* key, bool required = false) const {
    auto t = text(map, key, required);
    if (!t) return t.error();
    if (t->empty()) return std::optional<CivilDate>();
    auto d = parse_date(*t);
    if (!d) return bad(map[key], fmt::format("'{}' must be a date YYYY-MM-DD, got '{}'", key, *t));
    return std::optional<CivilDate>(*d);
  }

  static std::size_t line(const YAML::Node& n) { return static_cast<std::size_t>(n.Mark().line + 1); }

  /// {document, url, summary[, contact]}: at least one of document and url.
  Result<DocumentRef> document(const YAML::Node& n, const char* what, bool with_contact) const {
    if (with_contact) {
      if (auto s = keys(n, {"document", "url", "summary", "contact"}); !s) return s.error();
    } else if (auto s = keys(n, {"document", "url", "summary"}); !s) {
      return s.error();
    }
    DocumentRef d;
    d.line = line(n);
    for (auto [key, dest] : {std::pair{"document", &d.document}, {"url", &d.url}, {"summary", &d.summary}}) {
      auto v = text(n, key);
      if (!v) return v.error();
      *dest = *v;
    }
    if (with_contact) {
      auto c = text(n, "contact");
      if (!c) return c.error();
      d.contact = *c;
    }
    if (d.document.empty() && d.url.empty()) {
      return bad(n, fmt::format("'{}' needs a 'document' (file) or a 'url'", what));
    }
    return d;
  }
};

}  // namespace

Result<Manifest> parse_manifest(const std::string& text, const std::string& name) {
  auto doc = catalog::parse_yaml_document({name, text});
  if (!doc) return doc.error();
  Parser p{name};
  Manifest m;
  m.path = name;
  try {
    const YAML::Node root = *doc;
    if (!root.IsMap()) return make_error(ErrorCode::kParse, "a manifest must be a mapping", name);
    if (auto s = p.keys(root, {"product", "model", "firmware", "sdks", "support_period_end", "vulnerability_reporting",
                               "maintenance_policy", "incident_response", "threat_model", "lab_assessment",
                               "network_services", "attestations", "not_applicable"});
        !s) {
      return s.error();
    }
    for (auto [key, dest] : {std::pair{"product", &m.product}, {"model", &m.model}}) {
      auto v = p.text(root, key, true);
      if (!v) return v.error();
      *dest = *v;
    }
    const YAML::Node fw = root["firmware"];
    if (!fw.IsDefined()) return p.bad(root, "missing required key 'firmware'");
    if (auto s = p.keys(fw, {"version", "release_date"}); !s) return s.error();
    auto version = p.text(fw, "version", true);
    if (!version) return version.error();
    m.firmware_version = *version;
    auto released = p.date(fw, "release_date");
    if (!released) return released.error();
    m.firmware_date = *released;
    if (const YAML::Node sdks = root["sdks"]; sdks.IsDefined()) {
      if (!sdks.IsSequence()) return p.bad(sdks, "'sdks' must be a list of names");
      for (const auto& s : sdks) {
        if (!s.IsScalar() || s.Scalar().empty()) return p.bad(s, "each SDK must be a non-empty name");
        m.sdks.push_back(s.Scalar());
      }
    }
    auto support = p.date(root, "support_period_end");
    if (!support) return support.error();
    m.support_end = *support;
    if (m.support_end) m.support_end_line = Parser::line(root["support_period_end"]);
    struct DocField {
      const char* key;
      std::optional<DocumentRef>* dest;
      bool contact;
    };
    for (const DocField& f : {DocField{"vulnerability_reporting", &m.vulnerability_reporting, true},
                              DocField{"maintenance_policy", &m.maintenance_policy, false},
                              DocField{"incident_response", &m.incident_response, false},
                              DocField{"threat_model", &m.threat_model, false}}) {
      const YAML::Node n = root[f.key];
      if (!n.IsDefined() || n.IsNull()) continue;
      auto d = p.document(n, f.key, f.contact);
      if (!d) return d.error();
      *f.dest = *d;
    }
    if (m.vulnerability_reporting && m.vulnerability_reporting->url.empty()) {
      return p.bad(root["vulnerability_reporting"], "'vulnerability_reporting' needs the public 'url' of the policy");
    }
    if (const YAML::Node lab = root["lab_assessment"]; lab.IsDefined() && !lab.IsNull()) {
      if (auto s = p.keys(lab, {"lab", "date", "report", "sha256"}); !s) return s.error();
      LabAssessment a;
      a.line = Parser::line(lab);
      auto who = p.text(lab, "lab", true);
      if (!who) return who.error();
      a.lab = *who;
      auto when = p.date(lab, "date", true);
      if (!when) return when.error();
      a.date = *when;
      auto report = p.text(lab, "report", true);
      if (!report) return report.error();
      a.report.document = *report;
      a.report.line = Parser::line(lab["report"]);
      auto hash = p.text(lab, "sha256");
      if (!hash) return hash.error();
      if (!hash->empty()) {
        std::string h = *hash;
        std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return std::tolower(c); });
        if (h.size() != 64 || h.find_first_not_of("0123456789abcdef") != std::string::npos) {
          return p.bad(lab["sha256"], "'sha256' must be 64 hex digits");
        }
        a.declared_sha256 = h;
      }
      m.lab_assessment = a;
    }
    if (const YAML::Node svc = root["network_services"]; svc.IsDefined()) {
      auto list = parse_declared_services(svc, name);
      if (!list) return list.error();
      m.network_services = *list;
    }
    if (const YAML::Node list = root["attestations"]; list.IsDefined()) {
      if (!list.IsSequence()) return p.bad(list, "'attestations' must be a list");
      for (const auto& n : list) {
        if (auto s = p.keys(n, {"requirement", "statement", "document", "url"}); !s) return s.error();
        RequirementAttestation a;
        auto req = p.text(n, "requirement", true);
        if (!req) return req.error();
        a.requirement = *req;
        auto statement = p.text(n, "statement", true);
        if (!statement) return statement.error();
        a.evidence.summary = *statement;
        auto doc_path = p.text(n, "document");
        if (!doc_path) return doc_path.error();
        a.evidence.document = *doc_path;
        auto url = p.text(n, "url");
        if (!url) return url.error();
        a.evidence.url = *url;
        a.evidence.line = Parser::line(n);
        m.attestations.push_back(std::move(a));
      }
    }
    if (const YAML::Node list = root["not_applicable"]; list.IsDefined()) {
      if (!list.IsSequence()) return p.bad(list, "'not_applicable' must be a list");
      for (const auto& n : list) {
        if (auto s = p.keys(n, {"requirement", "reason"}); !s) return s.error();
        NotApplicable na;
        auto req = p.text(n, "requirement", true);
        if (!req) return req.error();
        auto reason = p.text(n, "reason", true);
        if (!reason) return reason.error();
        na.requirement = *req;
        na.reason = *reason;
        na.line = Parser::line(n);
        m.not_applicable.push_back(std::move(na));
      }
    }
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::kParse, e.msg,
                      e.mark.line >= 0 ? fmt::format("{}:{}:{}", name, e.mark.line + 1, e.mark.column + 1) : name);
  }
  return m;
}

namespace {

void resolve(DocumentRef& d, const std::filesystem::path& base) {
  if (d.document.empty()) return;
  std::filesystem::path p(d.document);
  if (p.is_relative()) p = base / p;
  d.resolved = p.lexically_normal().string();
  auto hash = sha256_file(d.resolved);
  if (hash) {
    d.sha256 = *hash;
  } else {
    d.problem = fmt::format("document '{}' cannot be read: {}", d.document, hash.error().message);
  }
}

}  // namespace

Result<Manifest> load_manifest(const std::string& path) {
  auto file = catalog::read_user_file(path);
  if (!file) return file.error();
  auto m = parse_manifest(file->text, path);
  if (!m) return m.error();
  m->sha256 = sha256_hex(file->text);
  const std::filesystem::path base = std::filesystem::path(path).parent_path();
  for (auto* d : {&m->vulnerability_reporting, &m->maintenance_policy, &m->incident_response, &m->threat_model}) {
    if (*d) resolve(**d, base);
  }
  if (m->lab_assessment) resolve(m->lab_assessment->report, base);
  for (auto& a : m->attestations) resolve(a.evidence, base);
  return m;
}

}  // namespace fwcert::assess
