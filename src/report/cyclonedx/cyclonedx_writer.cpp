#include "report/cyclonedx/cyclonedx_writer.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/sha256.hpp"
#include "sbom/describe.hpp"

namespace fwcert::report {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kTargetRef = "fwcert:target";

std::string base_name(const std::string& path) {
  auto slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  return name.empty() ? path : name;
}

Json property(const std::string& name, const std::string& value) { return Json{{"name", name}, {"value", value}}; }

std::string evidence_text(const Evidence& e) {
  std::string s = e.path;
  if (e.line) s += fmt::format(":{}", *e.line);
  if (e.offset) s += fmt::format(" offset {:#x}", *e.offset);
  return s;
}

Json licenses_json(const std::string& license) {
  switch (sbom::license_form(license)) {
    case sbom::LicenseForm::kNone:
      return nullptr;
    case sbom::LicenseForm::kSpdxId:
      return Json::array({Json{{"license", Json{{"id", license}}}}});
    case sbom::LicenseForm::kSpdxExpression:
      return Json::array({Json{{"expression", license}}});
    case sbom::LicenseForm::kName:
      break;
  }
  return Json::array({Json{{"license", Json{{"name", license}}}}});
}

Json component_json(const Component& c) {
  Json j;
  j["type"] = std::string(sbom::component_type(c));
  j["bom-ref"] = c.ref;
  if (!c.supplier.empty()) j["supplier"] = Json{{"name", c.supplier}};
  j["name"] = c.name;
  if (!c.version.empty()) j["version"] = c.version;
  if (auto l = licenses_json(c.license); !l.is_null()) j["licenses"] = std::move(l);
  if (!c.cpe.empty()) j["cpe"] = c.cpe;
  if (!c.purl.empty()) j["purl"] = c.purl;
  Json props = Json::array();
  props.push_back(property("fwcert:found_by", c.found_by));
  props.push_back(property("fwcert:evidence", evidence_text(c.evidence)));
  if (!c.filesystem.empty()) props.push_back(property("fwcert:filesystem", c.filesystem));
  if (!c.ecosystem.empty()) props.push_back(property("fwcert:ecosystem", c.ecosystem));
  if (!c.arch.empty()) props.push_back(property("fwcert:arch", c.arch));
  if (!c.distro.empty()) props.push_back(property("fwcert:distro", c.distro));
  if (!c.source_name.empty()) {
    props.push_back(property("fwcert:source_package",
                             c.source_version.empty() ? c.source_name : c.source_name + " " + c.source_version));
  }
  for (const auto& [name, value] : c.properties) props.push_back(property(name, value));
  j["properties"] = std::move(props);
  // How it was identified, and where it is: the database stanza for a package, the binary and
  // offset for a fingerprint; the files a package owns are its occurrences.
  const bool fingerprint = c.found_by.starts_with("fingerprint");
  Json method{{"technique", fingerprint ? "binary-analysis" : "manifest-analysis"},
              {"confidence", fingerprint ? 0.8 : 1.0},
              {"value", evidence_text(c.evidence)}};
  Json identity{{"field", c.purl.empty() ? "name" : "purl"},
                {"confidence", fingerprint ? 0.8 : 1.0},
                {"methods", Json::array({std::move(method)})}};
  Json evidence{{"identity", Json::array({std::move(identity)})}};
  Json occurrences = Json::array();
  if (fingerprint) {
    Json o{{"location", c.evidence.path}};
    if (c.evidence.offset) o["offset"] = *c.evidence.offset;
    occurrences.push_back(std::move(o));
  }
  for (const auto& f : c.files) {
    if (fingerprint && f == c.evidence.path) continue;
    occurrences.push_back(Json{{"location", f}});
  }
  if (!occurrences.empty()) evidence["occurrences"] = std::move(occurrences);
  j["evidence"] = std::move(evidence);
  return j;
}

std::string cvss_method(const std::string& vector) {
  if (vector.starts_with("CVSS:4.0/")) return "CVSSv4";
  if (vector.starts_with("CVSS:3.1/")) return "CVSSv31";
  if (vector.starts_with("CVSS:3.0/")) return "CVSSv3";
  if (vector.starts_with("AV:") || vector.starts_with("(AV:")) return "CVSSv2";
  return "other";
}

std::string cvss_severity(double score) {
  if (score >= 9.0) return "critical";
  if (score >= 7.0) return "high";
  if (score >= 4.0) return "medium";
  if (score > 0.0) return "low";
  return "none";
}

/// CycloneDX's analysis state for a --vex state ("" when there is none to give).
std::string analysis_state(const std::string& vex) {
  if (vex == "not_affected") return "not_affected";
  if (vex == "fixed") return "resolved";
  if (vex == "under_investigation") return "in_triage";
  if (vex == "affected") return "exploitable";
  return {};
}

/// CycloneDX's justification for a VEX justification: its own words pass through, OpenVEX's
/// are mapped to the nearest; "" when none fits (the text then goes to `detail`).
std::string analysis_justification(const std::string& j) {
  static const char* const kCycloneDx[] = {
      "code_not_present",     "code_not_reachable",     "requires_configuration",
      "requires_dependency",  "requires_environment",   "protected_by_compiler",
      "protected_at_runtime", "protected_at_perimeter", "protected_by_mitigating_control"};
  for (const char* k : kCycloneDx) {
    if (j == k) return j;
  }
  if (j == "component_not_present" || j == "vulnerable_code_not_present") return "code_not_present";
  if (j == "vulnerable_code_not_in_execute_path") return "code_not_reachable";
  if (j == "vulnerable_code_cannot_be_controlled_by_adversary") return "requires_environment";
  if (j == "inline_mitigations_already_exist") return "protected_by_mitigating_control";
  return {};
}

Json vulnerability_json(const Vulnerability& v) {
  Json j;
  j["id"] = v.id;
  std::string source = v.source.substr(0, v.source.find(':'));
  j["source"] = Json{{"name", source.empty() ? "fwcert" : source}};
  if (v.cvss) {
    Json r{{"score", *v.cvss}, {"severity", cvss_severity(*v.cvss)}, {"method", cvss_method(v.cvss_vector)}};
    if (!v.cvss_vector.empty()) r["vector"] = v.cvss_vector;
    j["ratings"] = Json::array({std::move(r)});
  }
  if (!v.summary.empty()) j["description"] = v.summary;
  if (!v.aliases.empty()) {
    Json refs = Json::array();
    for (const auto& a : v.aliases) refs.push_back(Json{{"id", a}, {"source", Json{{"name", "alias"}}}});
    j["references"] = std::move(refs);
  }
  Json affect{{"ref", v.component}};
  if (!v.fixed_version.empty()) {
    affect["versions"] = Json::array({Json{{"version", v.fixed_version}, {"status", "unaffected"}}});
  }
  j["affects"] = Json::array({std::move(affect)});
  if (auto state = analysis_state(v.vex_state); !state.empty()) {
    Json a{{"state", state}};
    if (auto just = analysis_justification(v.vex_justification); !just.empty()) {
      a["justification"] = just;
    } else if (!v.vex_justification.empty()) {
      a["detail"] = v.vex_justification;
    }
    j["analysis"] = std::move(a);
  }
  Json props = Json::array();
  props.push_back(property("fwcert:known_exploited", v.known_exploited ? "true" : "false"));
  if (!v.kev_date_added.empty()) props.push_back(property("fwcert:kev_date_added", v.kev_date_added));
  if (v.epss) props.push_back(property("fwcert:epss", fmt::format("{}", *v.epss)));
  if (!v.fixed_version.empty()) props.push_back(property("fwcert:fixed_version", v.fixed_version));
  if (!v.confidence.empty()) props.push_back(property("fwcert:confidence", v.confidence));
  if (!v.source.empty()) props.push_back(property("fwcert:record", v.source));
  if (!v.evidence.path.empty()) props.push_back(property("fwcert:evidence", evidence_text(v.evidence)));
  j["properties"] = std::move(props);
  return j;
}

Json target_json(const Report& r) {
  const auto& p = r.metadata.product;
  Json t;
  t["type"] = "firmware";
  t["bom-ref"] = kTargetRef;
  t["name"] = !p.product.empty() ? p.product : base_name(r.target.path);
  if (!p.firmware_version.empty()) t["version"] = p.firmware_version;
  if (!r.metadata.target_sha256.empty()) {
    t["hashes"] = Json::array({Json{{"alg", "SHA-256"}, {"content", r.metadata.target_sha256}}});
  }
  Json props = Json::array();
  props.push_back(property("fwcert:target", r.target.path));
  if (!r.target.format.empty()) props.push_back(property("fwcert:format", r.target.format));
  if (!p.model.empty()) props.push_back(property("fwcert:model", p.model));
  t["properties"] = std::move(props);
  return t;
}

}  // namespace

std::string content_uuid(std::string_view content) {
  std::string h = sha256_hex(content).substr(0, 32);
  h[12] = '5';
  static const char kVariant[] = "89ab";
  h[16] = kVariant[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
  return fmt::format("urn:uuid:{}-{}-{}-{}-{}", h.substr(0, 8), h.substr(8, 4), h.substr(12, 4), h.substr(16, 4),
                     h.substr(20, 12));
}

std::string to_cyclonedx(const Report& r) {
  Json meta;
  meta["timestamp"] =
      r.metadata.assessment_date.empty() ? "1970-01-01T00:00:00Z" : r.metadata.assessment_date + "T00:00:00Z";
  meta["lifecycles"] = Json::array({Json{{"phase", "post-build"}}});
  meta["tools"] = Json{{"components", Json::array({Json{{"type", "application"},
                                                        {"name", r.tool.name},
                                                        {"version", r.tool.version.empty() ? "0" : r.tool.version}}})}};
  meta["component"] = target_json(r);

  Json components = Json::array();
  Json refs = Json::array();
  for (const auto& c : r.components) {
    components.push_back(component_json(c));
    refs.push_back(c.ref);
  }
  Json body;
  body["metadata"] = std::move(meta);
  body["components"] = std::move(components);
  // The firmware holds every component; CycloneDX says it with the target's dependencies.
  body["dependencies"] = Json::array({Json{{"ref", kTargetRef}, {"dependsOn", std::move(refs)}}});
  if (!r.vulnerabilities.empty()) {
    Json vulns = Json::array();
    for (const auto& v : r.vulnerabilities) vulns.push_back(vulnerability_json(v));
    body["vulnerabilities"] = std::move(vulns);
  }

  Json doc;
  doc["bomFormat"] = "CycloneDX";
  doc["specVersion"] = "1.6";
  doc["serialNumber"] = content_uuid(body.dump());
  doc["version"] = 1;
  for (auto& [k, v] : body.items()) doc[k] = std::move(v);
  return doc.dump(2) + "\n";
}

}  // namespace fwcert::report
