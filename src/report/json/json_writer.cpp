#include "report/json/json_writer.hpp"

#include <nlohmann/json.hpp>

namespace fwcert::report {

namespace {

using Json = nlohmann::ordered_json;

Json evidence_json(const Evidence& e) {
  Json j;
  j["path"] = e.path;
  if (e.line) j["line"] = *e.line;
  if (e.offset) j["offset"] = *e.offset;
  if (!e.observed.empty()) j["observed"] = e.observed;
  if (!e.expected.empty()) j["expected"] = e.expected;
  return j;
}

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

Json target_json(const TargetInfo& t) {
  Json j;
  j["path"] = t.path;
  j["format"] = t.format;
  Json fss = Json::array();
  for (const auto& fs : t.filesystems) {
    fss.push_back(Json{{"prefix", fs.prefix}, {"type", fs.type}, {"offset", fs.offset}, {"container", fs.container}});
  }
  j["filesystems"] = std::move(fss);
  j["partial"] = t.partial;
  Json diags = Json::array();
  for (const auto& d : t.diagnostics) {
    diags.push_back(Json{{"level", to_string(d.level)}, {"path", d.path}, {"message", d.message}});
  }
  j["diagnostics"] = std::move(diags);
  return j;
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
    reqs.push_back(std::move(qj));
  }
  j["requirements"] = std::move(reqs);
  if (!r.facts.empty()) j["facts"] = facts_array(r);
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
