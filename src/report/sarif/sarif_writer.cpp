#include "report/sarif/sarif_writer.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "report/common/json.hpp"
#include "report/common/text.hpp"

namespace fwcert::report {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kSchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
// Where a SARIF viewer sends a reader for the tool; the check reference is docs/checks.md.
constexpr const char* kInformationUri = "https://github.com/fwcert/fwcert";
constexpr const char* kFingerprintKey = "fwcert/v1";

/// SARIF level of a severity: what GitHub shows for rules it does not treat as security rules.
const char* level_of(Severity s) {
  switch (s) {
    case Severity::kCritical:
    case Severity::kHigh:
      return "error";
    case Severity::kMedium:
      return "warning";
    case Severity::kLow:
    case Severity::kInfo:
      return "note";
  }
  return "note";
}

/// GitHub's security-severity score (0-10; > 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium,
/// <= 3.9 low). Empty for info: no security alert level.
const char* security_severity(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "9.5";
    case Severity::kHigh:
      return "8.0";
    case Severity::kMedium:
      return "5.5";
    case Severity::kLow:
      return "3.0";
    case Severity::kInfo:
      return "";
  }
  return "";
}

/// A result's level: the severity's, but a warning is at most `warning` and an inconclusive
/// check a `note`.
const char* result_level(const Finding& f) {
  if (f.status == Status::kInconclusive) return "note";
  if (f.status == Status::kWarn && f.severity >= Severity::kHigh) return "warning";
  return level_of(f.severity);
}

bool is_result(const Finding& f, const SarifOptions& o) {
  return f.status == Status::kFail || f.status == Status::kWarn ||
         (o.include_inconclusive && f.status == Status::kInconclusive);
}

/// "auth-default-password" -> "AuthDefaultPassword" (SARIF's rule `name` is an identifier).
std::string rule_name(std::string_view id) {
  std::string out;
  bool upper = true;
  for (char c : id) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum) {
      upper = true;
      continue;
    }
    out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return out;
}

/// Folded YAML text with its line breaks and trailing space collapsed.
std::string one_paragraph(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == '\n' || c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string percent_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                c == '_' || c == '~' || c == '/';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

/// Drops leading slashes, and "." / ".." segments, which a URI resolver would collapse.
std::string relative_segments(std::string_view path) {
  std::string out;
  std::size_t i = 0;
  while (i <= path.size()) {
    auto slash = path.find('/', i);
    if (slash == std::string_view::npos) slash = path.size();
    auto seg = path.substr(i, slash - i);
    if (!seg.empty() && seg != "." && seg != "..") {
      if (!out.empty()) out += '/';
      out += percent_encode(seg);
    }
    i = slash + 1;
  }
  return out;
}

/// The first evidence with a path: the finding's primary location.
const Evidence* primary_evidence(const Finding& f) {
  for (const auto& e : f.evidence) {
    if (!e.path.empty()) return &e;
  }
  return nullptr;
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string out;
  for (unsigned int i = 0; i < len; ++i) out += fmt::format("{:02x}", md[i]);
  return out;
}

Json physical_location(const Evidence& e, const std::string& uri) {
  Json loc;
  loc["physicalLocation"]["artifactLocation"]["uri"] = uri;
  // GitHub rejects startLine 0; without a known line the region is left out.
  if (e.line && *e.line >= 1) loc["physicalLocation"]["region"]["startLine"] = *e.line;
  return loc;
}

Json rule_json(const std::string& id, const CitedCheck* def) {
  Json r;
  r["id"] = id;
  r["name"] = rule_name(id);
  if (!def) {
    r["shortDescription"]["text"] = id;
    return r;
  }
  r["shortDescription"]["text"] = def->title;
  std::string rationale = one_paragraph(def->rationale);
  r["fullDescription"]["text"] = rationale.empty() ? def->title : rationale;
  std::string fix = one_paragraph(def->remediation);
  std::string logic = one_paragraph(def->logic);
  std::string help_text = fix.empty() ? def->title : fix;
  std::string help_md = fmt::format("**{}**\n\n", def->title);
  if (!rationale.empty()) help_md += fmt::format("**Why.** {}\n\n", rationale);
  if (!logic.empty()) help_md += fmt::format("**How it is checked.** {}\n\n", logic);
  if (!fix.empty()) help_md += fmt::format("**Fix.** {}\n\n", fix);
  if (!def->references.empty()) {
    std::string refs;
    for (const auto& ref : def->references) refs += (refs.empty() ? "" : ", ") + ref;
    help_md += fmt::format("Requirements: {}\n", refs);
  }
  r["help"]["text"] = help_text;
  r["help"]["markdown"] = help_md;
  // The check's section of the generated reference (docs/checks.md, one heading per check id).
  r["helpUri"] = fmt::format("{}/blob/main/docs/checks.md#{}", kInformationUri, id);
  r["defaultConfiguration"]["level"] = level_of(def->severity);
  Json props;
  Json tags = Json::array({"security"});
  if (!def->area.empty()) tags.push_back(def->area);
  props["tags"] = std::move(tags);
  if (*security_severity(def->severity)) props["security-severity"] = security_severity(def->severity);
  props["fwcert/severity"] = to_string(def->severity);
  r["properties"] = std::move(props);
  return r;
}

/// GitHub's level for a vulnerability: known exploited or CVSS 7 and above is an error.
std::string vulnerability_level(const Vulnerability& v) {
  if (v.known_exploited || (v.cvss && *v.cvss >= 7.0)) return "error";
  if (!v.cvss || *v.cvss >= 4.0) return "warning";
  return "note";
}

/// The score GitHub sorts alerts by: the CVSS base score, or critical for a KEV entry.
std::string vulnerability_security_severity(const Vulnerability& v) {
  if (v.known_exploited) return "9.5";
  return v.cvss ? fmt::format("{:.1f}", *v.cvss) : std::string();
}

Json vulnerability_rule(const Vulnerability& v) {
  Json r;
  r["id"] = v.id;
  r["name"] = rule_name(v.id);
  r["shortDescription"]["text"] = v.summary.empty() ? v.id : one_paragraph(v.summary);
  r["fullDescription"]["text"] = v.summary.empty() ? v.id : one_paragraph(v.summary);
  std::string help = fmt::format("Known vulnerability {}.", v.id);
  if (v.known_exploited) help += fmt::format(" In the CISA KEV catalogue since {}.", v.kev_date_added);
  r["help"]["text"] =
      help + " Upgrade the component to a fixed version, or record why it is not affected in a VEX file.";
  r["helpUri"] =
      v.id.starts_with("CVE-") ? "https://nvd.nist.gov/vuln/detail/" + v.id : "https://osv.dev/vulnerability/" + v.id;
  r["defaultConfiguration"]["level"] = vulnerability_level(v);
  Json props;
  props["tags"] = Json::array({"security", "vulnerability"});
  if (auto sev = vulnerability_security_severity(v); !sev.empty()) props["security-severity"] = sev;
  r["properties"] = std::move(props);
  return r;
}

}  // namespace

std::string artifact_uri(std::string_view display_path, const TargetInfo& target) {
  // The longest filesystem prefix the path starts with marks the one nesting `!`.
  std::string_view prefix;
  for (const auto& fs : target.filesystems) {
    if (fs.prefix.size() > prefix.size() && display_path.starts_with(fs.prefix) && fs.prefix.ends_with('!')) {
      prefix = fs.prefix;
    }
  }
  if (prefix.empty()) return relative_segments(display_path);
  std::string outer = relative_segments(prefix.substr(0, prefix.size() - 1));
  std::string inner = relative_segments(display_path.substr(prefix.size()));
  if (outer.empty()) return inner;
  // The root of a nested filesystem is, for a reader, the image file that holds it.
  if (inner.empty()) return outer;
  return outer + "!/" + inner;
}

std::string finding_fingerprint(const Finding& f, std::size_t ordinal) {
  const Evidence* e = primary_evidence(f);
  std::string key = f.check + '\n' + f.subject + '\n' + (e ? e->path : std::string());
  if (ordinal > 0) key += fmt::format("\n#{}", ordinal);
  return sha256_hex(key);
}

std::string to_sarif(const Report& r, const SarifOptions& o) {
  std::string image = base_name(r.target.path);
  // A finding with no evidence path is about the image as a whole.
  std::string image_uri = percent_encode(image.empty() ? std::string("target") : image);

  Json rules = Json::array();
  std::map<std::string, std::size_t> rule_index;
  Json results = Json::array();
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> seen;

  for (const auto& f : r.findings) {
    if (!is_result(f, o)) continue;
    auto [it, added] = rule_index.try_emplace(f.check, rules.size());
    if (added) rules.push_back(rule_json(f.check, r.find_check(f.check)));

    Json res;
    res["ruleId"] = f.check;
    res["ruleIndex"] = it->second;
    res["level"] = result_level(f);
    std::string text = f.message.empty() ? rules[it->second]["shortDescription"]["text"].get<std::string>() : f.message;
    if (!f.subject.empty()) text = f.subject + ": " + text;
    const Evidence* primary = primary_evidence(f);
    if (primary && (!primary->observed.empty() || !primary->expected.empty())) {
      std::string detail;
      if (!primary->observed.empty()) detail += "seen: " + primary->observed;
      if (!primary->expected.empty()) detail += (detail.empty() ? "" : "; ") + ("expected: " + primary->expected);
      text += " (" + detail + ")";
    }
    res["message"]["text"] = text;

    Json locations = Json::array();
    Json related = Json::array();
    for (const auto& e : f.evidence) {
      std::string uri = e.path.empty() ? std::string() : artifact_uri(e.path, r.target);
      if (uri.empty()) continue;
      if (locations.empty()) {
        locations.push_back(physical_location(e, uri));
      } else {
        Json rel = physical_location(e, uri);
        rel["id"] = related.size() + 1;
        related.push_back(std::move(rel));
      }
    }
    if (locations.empty()) {
      // GitHub rejects a result without a location: point at the image itself.
      Json loc;
      loc["physicalLocation"]["artifactLocation"]["uri"] = image_uri;
      locations.push_back(std::move(loc));
    }
    res["locations"] = std::move(locations);
    if (!related.empty()) res["relatedLocations"] = std::move(related);

    std::size_t ordinal = seen[{f.check, f.subject, primary ? primary->path : std::string()}]++;
    res["partialFingerprints"][kFingerprintKey] = finding_fingerprint(f, ordinal);
    if (f.waiver) {
      // Accepted on purpose: GitHub shows a suppressed result as dismissed, not as open.
      Json sup;
      sup["kind"] = "external";
      sup["status"] = "accepted";
      sup["justification"] = f.waiver->justification;
      sup["properties"]["fwcert/waiver"] = f.waiver->id;
      sup["properties"]["fwcert/owner"] = f.waiver->owner;
      sup["properties"]["fwcert/expires"] = f.waiver->expires;
      res["suppressions"] = Json::array({std::move(sup)});
    }

    Json props;
    props["fwcert/status"] = to_string(f.status);
    props["fwcert/severity"] = to_string(f.severity);
    if (*security_severity(f.severity)) props["security-severity"] = security_severity(f.severity);
    if (!f.subject.empty()) props["fwcert/subject"] = f.subject;
    Json ev = Json::array();
    for (const auto& e : f.evidence) ev.push_back(evidence_json(e));
    props["fwcert/evidence"] = std::move(ev);
    res["properties"] = std::move(props);
    results.push_back(std::move(res));
  }

  // Each known vulnerability is a result on the file that holds its component, so a code
  // scanning alert names the binary or package database to fix.
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> seen_vulns;
  for (const auto& v : r.vulnerabilities) {
    auto [it, added] = rule_index.try_emplace(v.id, rules.size());
    if (added) rules.push_back(vulnerability_rule(v));
    Json res;
    res["ruleId"] = v.id;
    res["ruleIndex"] = it->second;
    res["level"] = vulnerability_level(v);
    std::string text = fmt::format("{}: {}", v.component, v.id);
    if (!v.fixed_version.empty()) text += fmt::format(", fixed in {}", v.fixed_version);
    if (v.known_exploited) text += fmt::format(", known exploited (CISA KEV, {})", v.kev_date_added);
    if (v.cvss) text += fmt::format(", CVSS {:.1f}", *v.cvss);
    res["message"]["text"] = text;
    std::string uri = v.evidence.path.empty() ? image_uri : artifact_uri(v.evidence.path, r.target);
    if (uri.empty()) uri = image_uri;
    res["locations"] = Json::array({physical_location(v.evidence, uri)});
    std::size_t ordinal = seen_vulns[{v.id, v.component, v.evidence.path}]++;
    std::string key = v.id + '\n' + v.component + '\n' + v.evidence.path;
    if (ordinal > 0) key += fmt::format("\n#{}", ordinal);
    res["partialFingerprints"][kFingerprintKey] = sha256_hex(key);
    if (!v.vex_state.empty() && v.vex_state != "affected") {
      // A VEX statement says it does not apply (or is being looked at): shown as dismissed.
      Json sup;
      sup["kind"] = "external";
      sup["status"] = v.vex_state == "under_investigation" ? "underReview" : "accepted";
      sup["justification"] = v.vex_justification.empty() ? v.vex_state : v.vex_justification;
      sup["properties"]["fwcert/vex"] = v.vex_state;
      res["suppressions"] = Json::array({std::move(sup)});
    }
    Json props;
    props["fwcert/component"] = v.component;
    props["fwcert/knownExploited"] = v.known_exploited;
    if (!v.fixed_version.empty()) props["fwcert/fixedVersion"] = v.fixed_version;
    if (v.epss) props["fwcert/epss"] = *v.epss;
    props["fwcert/source"] = v.source;
    props["fwcert/confidence"] = v.confidence;
    if (auto sev = vulnerability_security_severity(v); !sev.empty()) props["security-severity"] = sev;
    props["fwcert/evidence"] = Json::array({evidence_json(v.evidence)});
    res["properties"] = std::move(props);
    results.push_back(std::move(res));
  }

  Json driver;
  driver["name"] = r.tool.name;
  driver["version"] = r.tool.version;
  if (!r.tool.version.empty()) driver["semanticVersion"] = r.tool.version;
  driver["informationUri"] = kInformationUri;
  driver["rules"] = std::move(rules);

  Json run;
  run["tool"]["driver"] = std::move(driver);
  // GitHub keeps one analysis per category: one per image, so two images do not supersede
  // each other's alerts.
  run["automationDetails"]["id"] = fmt::format("fwcert/{}/", image.empty() ? "target" : image);
  run["columnKind"] = "unicodeCodePoints";
  run["results"] = std::move(results);
  Json props;
  props["fwcert/target"] = r.target.path;
  props["fwcert/format"] = r.target.format;
  props["fwcert/profile"] = r.profile;
  props["fwcert/partial"] = r.target.partial;
  props["fwcert/diagnostics"] = r.target.diagnostics.size();
  if (!r.metadata.assessment_date.empty()) props["fwcert/assessmentDate"] = r.metadata.assessment_date;
  if (!r.waivers.empty()) {
    // Every waiver and its state, so an expired or unused one is visible here too.
    Json waivers = Json::array();
    for (const auto& w : r.waivers) {
      // The justification is left out here: a suppressed result carries its waiver's.
      Json j = waiver_json(w);
      j.erase("justification");
      waivers.push_back(std::move(j));
    }
    props["fwcert/waivers"] = std::move(waivers);
  }
  run["properties"] = std::move(props);

  Json log;
  log["$schema"] = kSchemaUri;
  log["version"] = "2.1.0";
  log["runs"] = Json::array({std::move(run)});
  return log.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace fwcert::report
