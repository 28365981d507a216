#include "vulns/checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "vulns/vex.hpp"

namespace fwcert::vulns {

namespace {

constexpr const char* kKev = "vuln-known-exploited";
constexpr const char* kHigh = "vuln-critical-high";
constexpr const char* kFresh = "vuln-db-fresh";
constexpr const char* kNoDb = "no vulnerability database: run fwcert db import";

Finding make(const char* check, Status status, std::string subject, std::string message) {
  Finding f;
  f.check = check;
  f.status = status;
  f.subject = std::move(subject);
  f.message = std::move(message);
  return f;
}

Evidence evidence_of(const Vulnerability& v, const Component* c) {
  Evidence e = v.evidence;
  if (e.path.empty() && c && !c->files.empty()) e.path = c->files.front();
  e.observed = fmt::format("{} in {}", v.id, c ? c->name + " " + c->version : v.component);
  e.expected = v.fixed_version.empty() ? "no fixed version known" : "fixed in " + v.fixed_version;
  return e;
}

std::string describe(const Vulnerability& v) {
  std::string s = v.id;
  std::vector<std::string> parts;
  if (v.known_exploited) parts.push_back("KEV" + (v.kev_date_added.empty() ? "" : " since " + v.kev_date_added));
  if (v.cvss) parts.push_back(fmt::format("CVSS {:.1f}", *v.cvss));
  if (v.epss) parts.push_back(fmt::format("EPSS {:.3f}", *v.epss));
  parts.push_back(v.fixed_version.empty() ? "no fix known" : "fixed in " + v.fixed_version);
  if (v.confidence == "cpe") parts.push_back("matched by CPE");
  std::string joined;
  for (const auto& p : parts) joined += (joined.empty() ? "" : ", ") + p;
  return s + " (" + joined + ")";
}

/// Per component, the vulnerabilities `wanted` selects, split into counted and VEX-suppressed.
template <typename Pred>
void per_component(const Report& r, const char* check, Pred wanted, const CheckOptions& o, const char* what,
                   std::vector<Finding>& out) {
  std::map<std::string, const Component*> components;
  for (const auto& c : r.components) components[c.ref] = &c;
  std::map<std::string, std::vector<const Vulnerability*>> counted, suppressed;
  for (const auto& v : r.vulnerabilities) {
    if (!wanted(v)) continue;
    (is_suppressed(v) ? suppressed : counted)[v.component].push_back(&v);
  }
  for (const auto& [ref, list] : counted) {
    auto it = components.find(ref);
    const Component* c = it == components.end() ? nullptr : it->second;
    std::string names;
    for (std::size_t i = 0; i < list.size() && i < o.max_listed; ++i) names += (i ? "; " : "") + describe(*list[i]);
    if (list.size() > o.max_listed) names += fmt::format("; and {} more", list.size() - o.max_listed);
    Finding f = make(
        check, Status::kFail, ref,
        fmt::format("{} {}{}: {} {}: {}", c ? c->name : ref, c ? c->version : "",
                    c && !c->evidence.path.empty() ? " (" + c->evidence.path + ")" : "", list.size(), what, names));
    for (std::size_t i = 0; i < list.size() && i < o.max_listed; ++i) f.evidence.push_back(evidence_of(*list[i], c));
    out.push_back(std::move(f));
  }
  for (const auto& [ref, list] : suppressed) {
    if (counted.count(ref)) continue;
    std::string names;
    for (std::size_t i = 0; i < list.size() && i < o.max_listed; ++i) {
      names += fmt::format("{}{} {}{}", i ? "; " : "", list[i]->id, list[i]->vex_state,
                           list[i]->vex_justification.empty() ? "" : " (" + list[i]->vex_justification + ")");
    }
    if (list.size() > o.max_listed) names += fmt::format("; and {} more", list.size() - o.max_listed);
    auto it = components.find(ref);
    const Component* c = it == components.end() ? nullptr : it->second;
    Finding f = make(check, Status::kInfo, ref, fmt::format("suppressed by VEX: {}", names));
    for (std::size_t i = 0; i < list.size() && i < o.max_listed; ++i) f.evidence.push_back(evidence_of(*list[i], c));
    out.push_back(std::move(f));
  }
}

}  // namespace

const std::vector<std::string>& checks() {
  static const std::vector<std::string> kChecks = {kFresh, kHigh, kKev};
  return kChecks;
}

std::vector<Finding> findings(const Report& r, const CheckOptions& o) {
  std::vector<Finding> out;
  if (!o.have_db) {
    for (const auto& id : checks()) out.push_back(make(id.c_str(), Status::kInconclusive, "", kNoDb));
    return out;
  }
  // vuln-db-fresh
  const auto built = parse_date(std::string_view(r.vuln_db.built).substr(0, 10));
  if (!built) {
    out.push_back(make(kFresh, Status::kInconclusive, r.vuln_db.path, "the database records no build date"));
  } else {
    const auto age = days_since_epoch(o.day) - days_since_epoch(*built);
    Finding f = make(kFresh, age <= static_cast<std::int64_t>(o.max_db_age_days) ? Status::kPass : Status::kWarn,
                     r.vuln_db.path,
                     fmt::format("vulnerability database built {}, {} days before the assessment day (at most {})",
                                 format_date(*built), age, o.max_db_age_days));
    Evidence e;
    e.path = r.vuln_db.path;
    e.observed = format_date(*built);
    e.expected = fmt::format("at most {} days old", o.max_db_age_days);
    f.evidence.push_back(std::move(e));
    out.push_back(std::move(f));
  }
  if (r.components.empty()) {
    for (const char* id : {kHigh, kKev}) {
      out.push_back(make(id, Status::kInconclusive, "", "no components were identified: nothing to match"));
    }
    return out;
  }
  const std::size_t before_kev = out.size();
  per_component(
      r, kKev, [](const Vulnerability& v) { return v.known_exploited; }, o, "known exploited (CISA KEV)", out);
  if (out.size() == before_kev || std::none_of(out.begin() + static_cast<std::ptrdiff_t>(before_kev), out.end(),
                                               [](const Finding& f) { return f.status == Status::kFail; })) {
    out.push_back(make(kKev, Status::kPass, "",
                       fmt::format("no known exploited vulnerability in {} components", r.components.size())));
  }
  const std::size_t before_high = out.size();
  const double threshold = o.epss_threshold;
  per_component(
      r, kHigh,
      [threshold](const Vulnerability& v) { return v.cvss.value_or(0) >= 7.0 || v.epss.value_or(0) >= threshold; }, o,
      fmt::format("with CVSS >= 7.0 or EPSS >= {}", threshold).c_str(), out);
  if (std::none_of(out.begin() + static_cast<std::ptrdiff_t>(before_high), out.end(),
                   [](const Finding& f) { return f.status == Status::kFail; })) {
    out.push_back(make(kHigh, Status::kPass, "",
                       fmt::format("no vulnerability with CVSS >= 7.0 or EPSS >= {} in {} components", threshold,
                                   r.components.size())));
  }
  return out;
}

}  // namespace fwcert::vulns
