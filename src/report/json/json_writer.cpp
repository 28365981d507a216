#include "report/json/json_writer.hpp"

#include <nlohmann/json.hpp>

#include "report/common/json.hpp"

namespace fwcert::report {

namespace {

using Json = nlohmann::ordered_json;

Json value_json(const FactValue& v) {
  return std::visit([](const auto& x) { return Json(x); }, v);
}

Json facts_array(const Report& r) {
  Json facts = Json::array();
  for (const auto& f : r.facts) {
    Json j;
    j["analyzer"] = f.analyzer;
    j["subject"] = f.subject;
    j["name"] = f.name;
    j["value"] = value_json(f.value);
    j["source"] = evidence_json(f.source);
    facts.push_back(std::move(j));
  }
  return facts;
}

Json layout_json(const std::vector<LayoutRegion>& layout) {
  Json regions = Json::array();
  for (const auto& r : layout) {
    regions.push_back(
        Json{{"offset", r.offset}, {"length", r.length}, {"format", r.format}, {"read", r.read}, {"note", r.note}});
  }
  return regions;
}

Json target_json(const TargetInfo& t) {
  Json j;
  j["path"] = t.path;
  j["format"] = t.format;
  Json fss = Json::array();
  for (const auto& fs : t.filesystems) {
    fss.push_back(Json{{"prefix", fs.prefix}, {"type", fs.type}, {"offset", fs.offset}, {"container", fs.container}});
  }
  j["filesystems"] = std::move(fss);
  j["layout"] = layout_json(t.layout);
  j["partial"] = t.partial;
  Json diags = Json::array();
  for (const auto& d : t.diagnostics) {
    diags.push_back(Json{{"level", to_string(d.level)}, {"path", d.path}, {"message", d.message}});
  }
  j["diagnostics"] = std::move(diags);
  return j;
}

Json metadata_json(const ReportMetadata& m) {
  Json j;
  j["assessment_date"] = m.assessment_date;
  j["assessment_date_given"] = m.assessment_date_given;
  j["profile"] = m.profile;
  j["profile_title"] = m.profile_title;
  j["requirement_set"] = m.requirement_set;
  j["gate"] = m.gate;
  j["tool_version"] = m.tool_version;
  Json data = Json::array();
  for (const auto& d : m.data) data.push_back(Json{{"name", d.name}, {"retrieved", d.retrieved}});
  j["data"] = std::move(data);
  if (!m.target_sha256.empty()) j["target_sha256"] = m.target_sha256;
  if (!m.manifest.empty()) {
    j["manifest"] = Json{{"path", m.manifest}, {"sha256", m.manifest_sha256}};
    const auto& p = m.product;
    j["product"] = Json{{"product", p.product},
                        {"model", p.model},
                        {"firmware_version", p.firmware_version},
                        {"firmware_date", p.firmware_date},
                        {"support_end", p.support_end},
                        {"sdks", p.sdks}};
  }
  if (!m.waivers.empty()) j["waivers"] = Json{{"path", m.waivers}, {"sha256", m.waivers_sha256}};
  return j;
}

Json components_json(const std::vector<Component>& components) {
  Json out = Json::array();
  for (const auto& c : components) {
    Json j;
    j["ref"] = c.ref;
    j["name"] = c.name;
    j["version"] = c.version;
    j["ecosystem"] = c.ecosystem;
    j["distro"] = c.distro;
    j["arch"] = c.arch;
    j["source_name"] = c.source_name;
    j["source_version"] = c.source_version;
    j["license"] = c.license;
    j["supplier"] = c.supplier;
    j["purl"] = c.purl;
    j["cpe"] = c.cpe;
    j["found_by"] = c.found_by;
    j["evidence"] = evidence_json(c.evidence);
    j["filesystem"] = c.filesystem;
    // The owned files are in the SBOM (fwcert sbom); the report keeps only their number, so
    // that a Debian rootfs's report does not carry its every path twice.
    j["files"] = c.files.size();
    out.push_back(std::move(j));
  }
  return out;
}

Json vulnerabilities_json(const std::vector<Vulnerability>& vulns) {
  Json out = Json::array();
  for (const auto& v : vulns) {
    Json j;
    j["id"] = v.id;
    j["aliases"] = v.aliases;
    j["component"] = v.component;
    j["summary"] = v.summary;
    j["cvss"] = v.cvss ? Json(*v.cvss) : Json(nullptr);
    j["cvss_vector"] = v.cvss_vector;
    j["epss"] = v.epss ? Json(*v.epss) : Json(nullptr);
    j["known_exploited"] = v.known_exploited;
    j["kev_date_added"] = v.kev_date_added;
    j["fixed_version"] = v.fixed_version;
    j["source"] = v.source;
    j["confidence"] = v.confidence;
    j["vex_state"] = v.vex_state;
    j["vex_justification"] = v.vex_justification;
    j["evidence"] = evidence_json(v.evidence);
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

std::string to_json(const Report& r) {
  Json j;
  j["tool"] = Json{{"name", r.tool.name}, {"version", r.tool.version}};
  j["target"] = target_json(r.target);
  j["profile"] = r.profile;
  const auto& s = r.inventory;
  Json inv;
  inv["files"] = s.files;
  inv["directories"] = s.directories;
  inv["symlinks"] = s.symlinks;
  inv["devices"] = s.devices;
  inv["other"] = s.other;
  inv["hardlinks"] = s.hardlinks;
  inv["bytes"] = s.bytes;
  inv["elf"] = s.elf;
  inv["setuid"] = s.setuid;
  inv["setgid"] = s.setgid;
  inv["world_writable"] = s.world_writable;
  inv["capabilities"] = s.capabilities;
  inv["selinux_labels"] = s.selinux_labels;
  Json kinds = Json::object();
  for (const auto& [k, n] : s.kinds) kinds[k] = n;
  inv["kinds"] = std::move(kinds);
  j["inventory"] = std::move(inv);

  Json findings = Json::array();
  for (const auto& f : r.findings) {
    Json fj;
    fj["check"] = f.check;
    fj["status"] = to_string(f.status);
    fj["severity"] = to_string(f.severity);
    fj["subject"] = f.subject;
    fj["message"] = f.message;
    Json ev = Json::array();
    for (const auto& e : f.evidence) ev.push_back(evidence_json(e));
    fj["evidence"] = std::move(ev);
    if (f.waiver) {
      fj["waiver"] = Json{{"id", f.waiver->id},
                          {"justification", f.waiver->justification},
                          {"owner", f.waiver->owner},
                          {"expires", f.waiver->expires}};
    }
    findings.push_back(std::move(fj));
  }
  j["findings"] = std::move(findings);

  Json reqs = Json::array();
  for (const auto& q : r.requirements) {
    Json qj;
    qj["id"] = q.id;
    qj["title"] = q.title;
    qj["level"] = q.level;
    qj["verdict"] = to_string(q.verdict);
    qj["reason"] = q.reason;
    qj["checks"] = q.checks;
    qj["unverified"] = q.unverified;
    qj["modes"] = q.modes;
    if (!q.attestation.empty()) qj["attestation"] = q.attestation;
    if (q.verification_level) qj["verification_level"] = q.verification_level;
    if (!q.waived.empty()) qj["waived"] = q.waived;
    reqs.push_back(std::move(qj));
  }
  j["requirements"] = std::move(reqs);
  // Only what the findings alone do not say: the gate the exit code was decided with.
  j["summary"] = Json{{"gate", to_string(r.summary.gate)}, {"gated", r.summary.gated}};
  if (!r.facts.empty()) j["facts"] = facts_array(r);
  j["components"] = components_json(r.components);
  j["vulnerabilities"] = vulnerabilities_json(r.vulnerabilities);
  if (!r.vuln_db.path.empty()) {
    Json sources = Json::array();
    for (const auto& d : r.vuln_db.sources) sources.push_back(Json{{"name", d.name}, {"retrieved", d.retrieved}});
    j["vuln_db"] = Json{{"path", r.vuln_db.path}, {"built", r.vuln_db.built}, {"sources", std::move(sources)}};
  }
  j["metadata"] = metadata_json(r.metadata);
  Json waivers = Json::array();
  for (const auto& w : r.waivers) waivers.push_back(waiver_json(w));
  j["waivers"] = std::move(waivers);
  Json attestations = Json::array();
  for (const auto& a : r.attestations) {
    Json aj;
    aj["requirement"] = a.requirement;
    aj["title"] = a.title;
    aj["state"] = to_string(a.state);
    aj["evidence"] = a.evidence;
    if (!a.file.empty()) aj["file"] = a.file;
    if (!a.sha256.empty()) aj["sha256"] = a.sha256;
    if (!a.source.empty()) aj["source"] = a.source;
    aj["problems"] = a.problems;
    attestations.push_back(std::move(aj));
  }
  j["attestations"] = std::move(attestations);
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string layout_to_json(const TargetInfo& target) {
  Json j;
  j["path"] = target.path;
  j["format"] = target.format;
  j["layout"] = layout_json(target.layout);
  j["partial"] = target.partial;
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string facts_to_json(const Report& r) {
  Json j;
  j["tool"] = Json{{"name", r.tool.name}, {"version", r.tool.version}};
  j["target"] = target_json(r.target);
  j["facts"] = facts_array(r);
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace fwcert::report
