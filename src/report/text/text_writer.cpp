#include "report/text/text_writer.hpp"

#include <fmt/format.h>

namespace fwcert::report {

namespace {

struct Palette {
  bool on;
  std::string red() const { return on ? "\x1b[31m" : ""; }
  std::string bold_red() const { return on ? "\x1b[1;31m" : ""; }
  std::string yellow() const { return on ? "\x1b[33m" : ""; }
  std::string green() const { return on ? "\x1b[32m" : ""; }
  std::string dim() const { return on ? "\x1b[2m" : ""; }
  std::string bold() const { return on ? "\x1b[1m" : ""; }
  std::string reset() const { return on ? "\x1b[0m" : ""; }
};

std::string status_label(Status s, const Palette& p) {
  switch (s) {
    case Status::kFail:
      return p.bold_red() + "FAIL" + p.reset();
    case Status::kWarn:
      return p.yellow() + "WARN" + p.reset();
    case Status::kPass:
      return p.green() + "PASS" + p.reset();
    case Status::kInconclusive:
      return p.dim() + "INCONCLUSIVE" + p.reset();
    case Status::kNotApplicable:
      return p.dim() + "N/A" + p.reset();
    case Status::kInfo:
      return "INFO";
  }
  return "";
}

std::string verdict_label(Verdict v, const Palette& p) {
  switch (v) {
    case Verdict::kMet:
      return p.green() + "met" + p.reset();
    case Verdict::kNotMet:
      return p.bold_red() + "not-met" + p.reset();
    case Verdict::kPartial:
      return p.yellow() + "partial" + p.reset();
    default:
      return p.dim() + to_string(v) + p.reset();
  }
}

std::string evidence_line(const Evidence& e) {
  std::string s = e.path;
  if (e.line) s += fmt::format(":{}", *e.line);
  if (e.offset) s += fmt::format(" @{:#x}", *e.offset);
  if (!e.observed.empty()) s += fmt::format("  seen: {}", e.observed);
  if (!e.expected.empty()) s += fmt::format("  expected: {}", e.expected);
  return s;
}

}  // namespace

std::string to_text(const Report& r, const TextOptions& o) {
  Palette p{o.color};
  std::string out;
  out += fmt::format("{}{} {}{} scan of {} ({})\n", p.bold(), r.tool.name, r.tool.version, p.reset(), r.target.path,
                     r.target.format);
  for (const auto& fs : r.target.filesystems) {
    out += fmt::format("  filesystem {} at offset {:#x}{}{}\n", fs.type, fs.offset,
                       fs.container.empty() ? "" : " in " + fs.container,
                       fs.prefix.empty() ? "" : " (paths shown as " + fs.prefix + "/...)");
  }
  if (r.target.layout.size() > 1) {
    out += "  layout:\n";
    for (const auto& region : r.target.layout) {
      out += fmt::format("    {:#010x} {:>12} {}{}\n", region.offset, region.length, region.format,
                         region.read ? "" : " (not read: " + region.note + ")");
    }
  }
  const auto& s = r.inventory;
  out += fmt::format(
      "  inventory: {} files, {} directories, {} symlinks, {} devices, {} ELF, {} setuid, {} setgid, "
      "{} with file capabilities\n",
      s.files, s.directories, s.symlinks, s.devices, s.elf, s.setuid, s.setgid, s.capabilities);
  if (r.target.partial) {
    out += fmt::format("  {}partially read{}: {} diagnostics (see the JSON report)\n", p.yellow(), p.reset(),
                       r.target.diagnostics.size());
  } else if (!r.target.diagnostics.empty()) {
    out += fmt::format("  {} diagnostics (see the JSON report)\n", r.target.diagnostics.size());
  }

  if (!r.metadata.assessment_date.empty()) {
    out += fmt::format("  assessed at {}{}\n", r.metadata.assessment_date,
                       r.metadata.assessment_date_given ? "" : " (today; --assessment-date fixes it)");
  }

  const Summary& sum = r.summary;
  out += fmt::format("\n{}Findings{}: {} fail, {} warn, {} pass, {} inconclusive{}\n", p.bold(), p.reset(),
                     sum.count(Status::kFail), sum.count(Status::kWarn), sum.count(Status::kPass),
                     sum.count(Status::kInconclusive), sum.waived ? fmt::format(", {} waived", sum.waived) : "");
  std::size_t listed = 0, hidden = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& f : r.findings) {
      bool want = pass == 0 ? f.status == Status::kFail
                            : (f.status == Status::kWarn || f.status == Status::kInconclusive ||
                               (o.show_passing && f.status == Status::kPass));
      if (!want) continue;
      if (listed >= o.max_findings) {
        ++hidden;
        continue;
      }
      ++listed;
      out += fmt::format("  {} {:<8} {:<26} {}{}{}\n", status_label(f.status, p), to_string(f.severity), f.check,
                         f.subject.empty() ? "" : f.subject + ": ", f.message,
                         f.waiver ? fmt::format("  [waived by {} until {}]", f.waiver->owner, f.waiver->expires) : "");
      for (const auto& e : f.evidence) out += fmt::format("      {}{}{}\n", p.dim(), evidence_line(e), p.reset());
    }
  }
  if (hidden) out += fmt::format("  ... and {} more (see the JSON report)\n", hidden);

  if (!r.requirements.empty()) {
    out += fmt::format(
        "\n{}Requirements ({}){}: {} met, {} not met, {} partial, {} inconclusive, {} need attestation, "
        "{} attested, {} missing evidence, {} not applicable\n",
        p.bold(), r.profile, p.reset(), sum.count(Verdict::kMet), sum.count(Verdict::kNotMet),
        sum.count(Verdict::kPartial), sum.count(Verdict::kInconclusive), sum.count(Verdict::kNeedsAttestation),
        sum.count(Verdict::kAttested), sum.count(Verdict::kMissingEvidence), sum.count(Verdict::kNotApplicable));
    for (const auto& q : r.requirements) {
      if (q.verdict != Verdict::kNotMet && q.verdict != Verdict::kPartial && q.verdict != Verdict::kMet &&
          q.verdict != Verdict::kAttested && q.verdict != Verdict::kMissingEvidence) {
        continue;
      }
      out += fmt::format("  {:<20} {:<10} {}  {}({}){}\n", q.id, verdict_label(q.verdict, p), q.title, p.dim(),
                         q.reason, p.reset());
    }
  }
  if (!r.waivers.empty()) {
    std::size_t applied = 0;
    for (const auto& w : r.waivers) applied += w.state == WaiverResult::State::kApplied;
    out += fmt::format("\n{}Waivers{}: {} of {} applied\n", p.bold(), p.reset(), applied, r.waivers.size());
    for (const auto& w : r.waivers) {
      if (w.state == WaiverResult::State::kApplied) continue;
      out += fmt::format("  {}{}{} {} {} ({}, expires {})\n", p.yellow(), to_string(w.state), p.reset(), w.check,
                         w.subject, w.id, w.expires);
    }
  }
  if (!r.vuln_db.path.empty()) {
    std::size_t kev = 0, vexed = 0;
    for (const auto& v : r.vulnerabilities) {
      kev += v.known_exploited;
      vexed += !v.vex_state.empty();
    }
    out += fmt::format(
        "\n{}Components{}: {}; known vulnerabilities: {} ({} known exploited, {} with VEX), database built {}\n",
        p.bold(), p.reset(), r.components.size(), r.vulnerabilities.size(), kev, vexed,
        r.vuln_db.built.empty() ? "on an unknown day" : r.vuln_db.built);
  } else if (!r.components.empty()) {
    out += fmt::format("\n{}Components{}: {} (not matched against known vulnerabilities: no --db)\n", p.bold(),
                       p.reset(), r.components.size());
  }
  out += fmt::format("\nResult: {} failing finding{} at or above {}{}\n", sum.gated, sum.gated == 1 ? "" : "s",
                     to_string(sum.gate), sum.gated ? " (exit 1)" : "");
  return out;
}

}  // namespace fwcert::report
