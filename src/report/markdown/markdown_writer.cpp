#include "report/markdown/markdown_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <vector>

#include "report/common/text.hpp"

namespace fwcert::report {

namespace {

constexpr std::string_view kTruncatedNote =
    "\n_The report was cut here to fit a comment; the JSON or SARIF report has everything._\n";

/// `s` cut to at most `n` bytes on a UTF-8 boundary, with an ellipsis when cut.
std::string shorten(std::string_view s, std::size_t n) {
  if (s.size() <= n) return std::string(s);
  std::size_t cut = n;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "\xe2\x80\xa6";
}

std::string evidence_md(const Evidence& e, std::size_t max) {
  std::string where = shorten(e.path, max);
  if (e.line) where += fmt::format(":{}", *e.line);
  if (e.offset) where += fmt::format(" @{:#x}", *e.offset);
  std::string s = md_code(where);
  if (!e.observed.empty()) s += " seen " + md_code(shorten(e.observed, max));
  if (!e.expected.empty()) s += " expected " + md_code(shorten(e.expected, max));
  return s;
}

std::string finding_line(const Finding& f, std::size_t max) {
  std::string subject = f.subject.empty() ? "" : " " + md_code(shorten(f.subject, max));
  return fmt::format("**{}** {}{} {}", to_string(f.severity), md_code(f.check), subject,
                     md_text(shorten(f.message, 4 * max)));
}

}  // namespace

std::string to_markdown(const Report& r, const MarkdownOptions& o) {
  const std::size_t max = o.max_value_chars;
  const Summary& sum = r.summary;
  std::map<WaiverResult::State, std::size_t> waiver_states;
  for (const auto& w : r.waivers) waiver_states[w.state]++;

  std::string image = base_name(r.target.path);
  std::string head = fmt::format("## fwcert: {} — {} failing, {} warning{}\n\n", md_code(image.empty() ? "/" : image),
                                 sum.count(Status::kFail), sum.count(Status::kWarn),
                                 sum.waived ? fmt::format(", {} waived", sum.waived) : "");
  head += fmt::format("Profile {} · target format {} · {} {}", md_code(r.profile), md_code(r.target.format),
                      md_text(r.tool.name), md_text(r.tool.version));
  if (!r.metadata.assessment_date.empty()) head += " · assessed " + md_text(r.metadata.assessment_date);
  if (r.target.partial) {
    head += fmt::format(" · **partially read** ({} diagnostics)", r.target.diagnostics.size());
  }
  head += "\n\n";
  if (!r.requirements.empty()) {
    static constexpr Verdict kVerdicts[] = {Verdict::kMet,
                                            Verdict::kNotMet,
                                            Verdict::kPartial,
                                            Verdict::kInconclusive,
                                            Verdict::kNeedsAttestation,
                                            Verdict::kAttested,
                                            Verdict::kMissingEvidence,
                                            Verdict::kNotApplicable};
    std::string names = "| requirements |", rule = "| --- |",
                counts = fmt::format("| {} ({}) |", md_text(r.profile), r.requirements.size());
    for (Verdict v : kVerdicts) {
      names += fmt::format(" {} |", to_string(v));
      rule += " ---: |";
      counts += fmt::format(" {} |", sum.count(v));
    }
    head += names + "\n" + rule + "\n" + counts + "\n\n";
  }
  head += "| findings | fail | warn | waived | pass | inconclusive | not-applicable | info |\n";
  head += "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  head += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n\n", r.findings.size(), sum.count(Status::kFail),
                      sum.count(Status::kWarn), sum.waived, sum.count(Status::kPass), sum.count(Status::kInconclusive),
                      sum.count(Status::kNotApplicable), sum.count(Status::kInfo));
  head += fmt::format("{} failing finding{} at or above the gate severity **{}**, not waived{}.\n\n", sum.gated,
                      sum.gated == 1 ? "" : "s", to_string(sum.gate), sum.gated ? " (exit 1)" : "");
  for (const auto& w : r.waivers) {
    if (w.state != WaiverResult::State::kExpired) continue;
    head += fmt::format("- **expired waiver** {} for {} {} (owner {}, expired {}): no longer applies\n", md_code(w.id),
                        md_code(w.check), md_code(w.subject), md_text(w.owner), md_text(w.expires));
  }
  if (waiver_states[WaiverResult::State::kExpired]) head += "\n";
  if (!r.vuln_db.path.empty()) {
    std::size_t kev = 0;
    for (const auto& v : r.vulnerabilities) kev += v.known_exploited && v.vex_state.empty();
    head += fmt::format(
        "{} components, {} known vulnerabilities ({} known exploited), vulnerability database built {}.\n\n",
        r.components.size(), r.vulnerabilities.size(), kev,
        md_text(r.vuln_db.built.empty() ? "on an unknown day" : r.vuln_db.built));
  } else if (!r.components.empty()) {
    head +=
        fmt::format("{} components; not matched against known vulnerabilities (no `--db`).\n\n", r.components.size());
  }

  // The worst failing findings first; ties keep the report's order (check id, subject).
  std::vector<const Finding*> failing;
  for (const auto& f : r.findings) {
    if (f.status == Status::kFail && !f.waiver) failing.push_back(&f);
  }
  std::stable_sort(failing.begin(), failing.end(),
                   [](const Finding* a, const Finding* b) { return a->severity > b->severity; });
  if (!failing.empty()) {
    std::size_t shown = std::min(failing.size(), o.top_findings);
    head += fmt::format("### Failing findings ({} of {}, worst first)\n\n", shown, failing.size());
    for (std::size_t i = 0; i < shown; ++i) {
      head += fmt::format("{}. {}\n", i + 1, finding_line(*failing[i], max));
      for (const auto& e : failing[i]->evidence) head += "   - " + evidence_md(e, max) + "\n";
    }
    head += "\n";
  }

  std::vector<std::string> details;
  if (!r.requirements.empty()) {
    details.push_back("#### Requirements\n\n| id | verdict | title | reason |\n| --- | --- | --- | --- |\n");
    for (const auto& q : r.requirements) {
      details.push_back(fmt::format("| {} | {} | {}{} | {} |\n", md_text(q.id), to_string(q.verdict), md_text(q.title),
                                    q.unverified ? " (unverified)" : "", md_text(shorten(q.reason, 4 * max))));
    }
    details.push_back("\n");
  }
  details.push_back("#### Failing, warning and inconclusive findings\n\n");
  details.push_back(
      "| status | severity | check | subject | message | evidence |\n| --- | --- | --- | --- | --- | --- |\n");
  for (const auto& f : r.findings) {
    if (f.status != Status::kFail && f.status != Status::kWarn && f.status != Status::kInconclusive) continue;
    std::string ev;
    for (const auto& e : f.evidence) ev += (ev.empty() ? "" : "<br>") + evidence_md(e, max);
    std::string st = to_string(f.status);
    if (f.waiver) st += " (waived by " + md_code(f.waiver->id) + ")";
    details.push_back(fmt::format("| {} | {} | {} | {} | {} | {} |\n", st, to_string(f.severity), md_code(f.check),
                                  f.subject.empty() ? "" : md_code(shorten(f.subject, max)),
                                  md_text(shorten(f.message, 4 * max)), ev));
  }
  if (!r.vulnerabilities.empty()) {
    details.push_back(
        "\n#### Vulnerabilities\n\n| id | component | KEV | CVSS | fixed in | VEX | file |\n"
        "| --- | --- | --- | ---: | --- | --- | --- |\n");
    for (const auto& v : r.vulnerabilities) {
      details.push_back(fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", md_code(v.id),
                                    md_code(shorten(v.component, max)), v.known_exploited ? "**KEV**" : "",
                                    v.cvss ? fmt::format("{:.1f}", *v.cvss) : "",
                                    v.fixed_version.empty() ? "" : md_code(shorten(v.fixed_version, max)),
                                    md_text(v.vex_state), md_code(shorten(v.evidence.path, max))));
    }
  }
  if (!r.waivers.empty()) {
    details.push_back(
        "\n#### Waivers\n\n| waiver | check | subject | owner | expires | state | findings |\n"
        "| --- | --- | --- | --- | --- | --- | ---: |\n");
    for (const auto& w : r.waivers) {
      details.push_back(fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", md_code(w.id), md_code(w.check),
                                    md_code(w.subject), md_text(w.owner), md_text(w.expires), to_string(w.state),
                                    w.matched));
    }
  }
  if (!r.attestations.empty()) {
    details.push_back(
        "\n#### Attestations\n\n| requirement | state | evidence | problems |\n| --- | --- | --- | --- |\n");
    for (const auto& a : r.attestations) {
      std::string problems;
      for (const auto& p : a.problems) problems += (problems.empty() ? "" : "; ") + p;
      std::string evidence = a.evidence.empty() ? "" : md_text(shorten(a.evidence, max));
      if (!a.file.empty()) evidence += (evidence.empty() ? "" : " ") + md_code(shorten(a.file, max));
      details.push_back(fmt::format("| {} | {} | {} | {} |\n", md_text(a.requirement), to_string(a.state), evidence,
                                    md_text(shorten(problems, 4 * max))));
    }
  }

  const std::string open = fmt::format("<details><summary>All {} requirements and {} findings</summary>\n\n",
                                       r.requirements.size(), r.findings.size());
  const std::string close = "\n</details>\n";
  std::string out = head;
  if (out.size() + open.size() + close.size() + kTruncatedNote.size() > o.max_bytes) {
    // Only a tiny limit gets here: cut the head on a line boundary.
    std::size_t budget = o.max_bytes > kTruncatedNote.size() ? o.max_bytes - kTruncatedNote.size() : 0;
    auto nl = out.rfind('\n', budget);
    out.resize(nl == std::string::npos ? 0 : nl + 1);
    return out + std::string(kTruncatedNote.substr(0, o.max_bytes - out.size()));
  }
  out += open;
  bool cut = false;
  for (const auto& line : details) {
    if (out.size() + line.size() + close.size() + kTruncatedNote.size() > o.max_bytes) {
      cut = true;
      break;
    }
    out += line;
  }
  out += close;
  if (cut) out += kTruncatedNote;
  return out;
}

}  // namespace fwcert::report
