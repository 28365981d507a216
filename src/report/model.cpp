#include <algorithm>

#include "fwcert/report.hpp"

namespace fwcert {

const char* to_string(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "info";
}

std::optional<Severity> parse_severity(std::string_view s) {
  if (s == "info") return Severity::kInfo;
  if (s == "low") return Severity::kLow;
  if (s == "medium") return Severity::kMedium;
  if (s == "high") return Severity::kHigh;
  if (s == "critical") return Severity::kCritical;
  return std::nullopt;
}

const char* to_string(Status s) {
  switch (s) {
    case Status::kPass:
      return "pass";
    case Status::kFail:
      return "fail";
    case Status::kWarn:
      return "warn";
    case Status::kInfo:
      return "info";
    case Status::kInconclusive:
      return "inconclusive";
    case Status::kNotApplicable:
      return "not-applicable";
  }
  return "inconclusive";
}

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::kMet:
      return "met";
    case Verdict::kNotMet:
      return "not-met";
    case Verdict::kPartial:
      return "partial";
    case Verdict::kInconclusive:
      return "inconclusive";
    case Verdict::kNeedsAttestation:
      return "needs-attestation";
    case Verdict::kNotApplicable:
      return "not-applicable";
    case Verdict::kAttested:
      return "attested";
    case Verdict::kMissingEvidence:
      return "missing-evidence";
  }
  return "inconclusive";
}

const char* to_string(WaiverResult::State s) {
  switch (s) {
    case WaiverResult::State::kApplied:
      return "applied";
    case WaiverResult::State::kUnused:
      return "unused";
    case WaiverResult::State::kExpired:
      return "expired";
  }
  return "unused";
}

const char* to_string(Attestation::State s) {
  switch (s) {
    case Attestation::State::kAttested:
      return "attested";
    case Attestation::State::kMissingEvidence:
      return "missing-evidence";
  }
  return "missing-evidence";
}

const char* to_string(Diagnostic::Level l) {
  switch (l) {
    case Diagnostic::Level::kNote:
      return "note";
    case Diagnostic::Level::kWarning:
      return "warning";
    case Diagnostic::Level::kError:
      return "error";
  }
  return "warning";
}

std::size_t Summary::count(Status s) const {
  auto it = statuses.find(s);
  return it == statuses.end() ? 0 : it->second;
}

std::size_t Summary::count(Verdict v) const {
  auto it = verdicts.find(v);
  return it == verdicts.end() ? 0 : it->second;
}

const CitedCheck* Report::find_check(std::string_view id) const {
  auto it = std::find_if(checks.begin(), checks.end(), [&](const CitedCheck& c) { return c.id == id; });
  return it == checks.end() ? nullptr : &*it;
}

Summary summarize(const Report& report, Severity gate) {
  Summary s;
  s.gate = gate;
  for (const auto& f : report.findings) {
    // A waiver accepts only failing or warning findings: those count as waived, not as what they were.
    if (f.waiver && (f.status == Status::kFail || f.status == Status::kWarn)) {
      ++s.waived;
      continue;
    }
    s.statuses[f.status]++;
    if (f.status == Status::kFail && !f.waiver && f.severity >= gate) ++s.gated;
  }
  for (const auto& q : report.requirements) s.verdicts[q.verdict]++;
  return s;
}

}  // namespace fwcert
