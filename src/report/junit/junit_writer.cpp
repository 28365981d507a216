#include "report/junit/junit_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "report/common/text.hpp"

namespace fwcert::report {

namespace {

std::string evidence_text(const Evidence& e) {
  std::string s = e.path;
  if (e.line) s += fmt::format(":{}", *e.line);
  if (e.offset) s += fmt::format(" @{:#x}", *e.offset);
  if (!e.observed.empty()) s += "\n    seen: " + e.observed;
  if (!e.expected.empty()) s += "\n    expected: " + e.expected;
  return s;
}

std::string waiver_text(const AppliedWaiver& w) {
  return fmt::format("waived by {} (owner {}, until {}): {}", w.id, w.owner, w.expires, w.justification);
}

std::string finding_text(const Finding& f) {
  std::string s = fmt::format("{} ({}, {})\n", f.message, to_string(f.status), to_string(f.severity));
  for (const auto& e : f.evidence) s += "  " + evidence_text(e) + "\n";
  if (f.waiver) s += waiver_text(*f.waiver) + "\n";
  return s;
}

/// A waived failure is accepted on purpose: CI shows it skipped, with the waiver as reason.
bool is_failure(const Finding& f) { return f.status == Status::kFail && !f.waiver; }

struct Case {
  const Finding* finding;
  std::string name;
};

struct Suite {
  std::string area;
  std::vector<Case> cases;
  std::size_t failures = 0;
  std::size_t skipped = 0;
};

bool is_skipped(const Finding& f) {
  return f.status == Status::kInconclusive || f.status == Status::kNotApplicable ||
         (f.status == Status::kFail && f.waiver);
}

std::string attr(std::string_view name, std::string_view value) {
  return fmt::format(" {}=\"{}\"", name, xml_escape(value, true));
}

}  // namespace

std::string to_junit(const Report& r) {
  // Suites in catalog order of their area; checks the catalog lacks go to "other", last.
  std::map<std::string, std::size_t> area_rank;
  for (const auto& a : r.areas) area_rank.try_emplace(a.empty() ? "other" : a, area_rank.size());
  std::map<std::string, std::size_t> suite_of;
  std::vector<Suite> suites;
  std::set<std::pair<std::string, std::string>> names;
  for (const auto& f : r.findings) {
    const auto* def = r.find_check(f.check);
    std::string area = def && !def->area.empty() ? def->area : "other";
    auto [it, added] = suite_of.try_emplace(area, suites.size());
    if (added) suites.push_back(Suite{area, {}, 0, 0});
    Suite& s = suites[it->second];
    // GitLab collapses testcases with the same classname and name: keep each one distinct.
    std::string name = f.subject.empty() ? (def ? def->title : f.check) : f.subject;
    std::string unique = name;
    for (int n = 2; !names.insert({f.check, unique}).second; ++n) unique = fmt::format("{} ({})", name, n);
    s.cases.push_back(Case{&f, unique});
    s.failures += is_failure(f);
    s.skipped += is_skipped(f);
  }
  std::stable_sort(suites.begin(), suites.end(), [&](const Suite& a, const Suite& b) {
    auto ra = area_rank.count(a.area) ? area_rank[a.area] : area_rank.size();
    auto rb = area_rank.count(b.area) ? area_rank[b.area] : area_rank.size();
    return ra < rb;
  });

  std::size_t tests = 0, failures = 0, skipped = 0;
  for (const auto& s : suites) {
    tests += s.cases.size();
    failures += s.failures;
    skipped += s.skipped;
  }

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites{}{}{}{}{}{}>\n", attr("name", r.tool.name + " " + base_name(r.target.path)),
                     attr("tests", std::to_string(tests)), attr("failures", std::to_string(failures)),
                     attr("errors", "0"), attr("skipped", std::to_string(skipped)), attr("time", "0.000"));
  for (const auto& s : suites) {
    out += fmt::format("  <testsuite{}{}{}{}{}{}>\n", attr("name", s.area),
                       attr("tests", std::to_string(s.cases.size())), attr("failures", std::to_string(s.failures)),
                       attr("errors", "0"), attr("skipped", std::to_string(s.skipped)), attr("time", "0.000"));
    out += "    <properties>\n";
    out += fmt::format("      <property{}{}/>\n", attr("name", "target"), attr("value", r.target.path));
    out += fmt::format("      <property{}{}/>\n", attr("name", "profile"), attr("value", r.profile));
    out += fmt::format("      <property{}{}/>\n", attr("name", "tool-version"), attr("value", r.tool.version));
    out += "    </properties>\n";
    for (const auto& c : s.cases) {
      const Finding& f = *c.finding;
      std::string file;
      for (const auto& e : f.evidence) {
        if (!e.path.empty()) {
          file = attr("file", e.path);
          break;
        }
      }
      out += fmt::format("    <testcase{}{}{}{}>\n", attr("classname", f.check), attr("name", c.name), file,
                         attr("time", "0.000"));
      if (is_failure(f)) {
        out += fmt::format("      <failure{}{}>{}</failure>\n", attr("message", f.message),
                           attr("type", to_string(f.severity)), xml_escape(finding_text(f)));
      } else if (f.status == Status::kFail) {
        out += fmt::format("      <skipped{}/>\n", attr("message", waiver_text(*f.waiver)));
      } else if (is_skipped(f)) {
        out +=
            fmt::format("      <skipped{}/>\n", attr("message", fmt::format("{}: {}", to_string(f.status), f.message)));
      }
      out += fmt::format("      <system-out>{}</system-out>\n", xml_escape(finding_text(f)));
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace fwcert::report
