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

}  // namespace fwcert
