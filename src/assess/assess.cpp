#include "assess/assess.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "data/resources.hpp"

namespace fwcert::assess {

namespace {

constexpr const char* kVdp = "proc-vdp";
constexpr const char* kMaintenance = "proc-maintenance-strategy";
constexpr const char* kIncident = "proc-incident-response";
constexpr const char* kSupport = "proc-support-period";
constexpr const char* kThreatModel = "proc-threat-model-sdlc";
constexpr const char* kAssessment = "proc-assessment-and-recert";

Evidence manifest_line(const Manifest& m, std::size_t line, std::string observed, std::string expected) {
  Evidence e;
  e.path = m.path;
  if (line) e.line = line;
  e.observed = std::move(observed);
  e.expected = std::move(expected);
  return e;
}

std::string describe(const DocumentRef& d) {
  std::string s;
  if (!d.url.empty()) s = d.url;
  if (!d.document.empty()) {
    s += (s.empty() ? "" : ", ") + d.document;
    if (!d.sha256.empty()) s += " (sha256 " + d.sha256 + ")";
  }
  if (!d.contact.empty()) s += (s.empty() ? "" : ", ") + std::string("contact ") + d.contact;
  return s;
}

/// A finding of `check` about the manifest field `key`, failed already when the field is not
/// `present`: `expected` says what it should give.
Finding field_finding(const Manifest& m, const char* check, const char* key, bool present, const char* expected) {
  Finding f;
  f.check = check;
  f.subject = key;
  if (!present) {
    f.status = Status::kFail;
    f.message = fmt::format("the manifest has no '{}'", key);
    f.evidence.push_back(manifest_line(m, 0, "absent", expected));
  }
  return f;
}

/// A finding for a check backed by one optional document field.
Finding document_finding(const Manifest& m, const char* check, const char* key, const std::optional<DocumentRef>& d,
                         const char* expected) {
  Finding f = field_finding(m, check, key, d.has_value(), expected);
  if (!d) return f;
  if (!d->problem.empty()) {
    f.status = Status::kFail;
    f.message = d->problem;
    f.evidence.push_back(manifest_line(m, d->line, d->document, "a readable document"));
  } else {
    f.status = Status::kPass;
    f.message = fmt::format("evidence named: {}", describe(*d));
    f.evidence.push_back(manifest_line(m, d->line, describe(*d), expected));
  }
  return f;
}

}  // namespace

Result<catalog::Profile> resolve_profile(const catalog::Catalog& catalog, const std::string& name_or_path) {
  const bool is_path =
      name_or_path.find('/') != std::string::npos || name_or_path.ends_with(".yaml") || name_or_path.ends_with(".yml");
  if (is_path) {
    auto file = catalog::read_user_file(name_or_path);
    if (!file) return file.error();
    return catalog::load_profile_file(*file, catalog);
  }
  if (auto p = catalog.find_profile(name_or_path)) return *p;
  std::string known;
  for (const auto& id : catalog.profile_ids()) known += (known.empty() ? "" : ", ") + id;
  return make_error(ErrorCode::kInvalidArgument,
                    fmt::format("unknown profile '{}' (known: {}; or a profile file path)", name_or_path, known));
}

const std::vector<std::string>& attestation_checks() {
  static const std::vector<std::string> kChecks = {kVdp, kMaintenance, kIncident, kSupport, kThreatModel, kAssessment};
  return kChecks;
}

std::vector<Finding> manifest_findings(const Manifest& m, const CivilDate& day,
                                       const std::optional<CivilDate>& kernel_eol) {
  std::vector<Finding> out;
  out.push_back(document_finding(m, kVdp, "vulnerability_reporting", m.vulnerability_reporting,
                                 "public URL of the disclosure policy and a security contact"));
  if (m.vulnerability_reporting && m.vulnerability_reporting->problem.empty() &&
      m.vulnerability_reporting->contact.empty()) {
    out.back().status = Status::kFail;
    out.back().message = "the vulnerability reporting entry names no security 'contact'";
  }
  out.push_back(document_finding(m, kMaintenance, "maintenance_policy", m.maintenance_policy,
                                 "the written maintenance and update strategy"));
  out.push_back(document_finding(m, kIncident, "incident_response", m.incident_response, "the incident response plan"));
  out.push_back(document_finding(m, kThreatModel, "threat_model", m.threat_model, "the product threat model"));

  // Support period: named, not over, and not longer than the kernel branch is maintained.
  Finding support = field_finding(m, kSupport, "support_period_end", m.support_end.has_value(),
                                  "the published end of the support period");
  if (!m.support_end) {
    // Failed as absent.
  } else if (*m.support_end < day) {
    support.status = Status::kFail;
    support.message = fmt::format("the support period ended on {}, before the assessment day {}",
                                  format_date(*m.support_end), format_date(day));
    support.evidence.push_back(
        manifest_line(m, m.support_end_line, format_date(*m.support_end), "on or after " + format_date(day)));
  } else if (kernel_eol && *kernel_eol < *m.support_end) {
    support.status = Status::kWarn;
    support.message = fmt::format("the kernel branch reaches end of life on {}, before the support period ends on {}",
                                  format_date(*kernel_eol), format_date(*m.support_end));
    support.evidence.push_back(manifest_line(m, m.support_end_line, format_date(*m.support_end),
                                             "no later than the kernel's end of life " + format_date(*kernel_eol)));
  } else {
    support.status = Status::kPass;
    support.message =
        fmt::format("support period ends on {}{}", format_date(*m.support_end),
                    kernel_eol ? ", within the kernel branch's maintenance (until " + format_date(*kernel_eol) + ")"
                               : "; the kernel's end of life is unknown, so it was not compared");
    support.evidence.push_back(manifest_line(m, m.support_end_line, format_date(*m.support_end), ""));
  }
  out.push_back(std::move(support));

  // Lab assessment: named, report readable (and matching its stated hash), not older than the firmware.
  Finding lab = field_finding(m, kAssessment, "lab_assessment", m.lab_assessment.has_value(),
                              "lab, date and report of the independent assessment");
  if (m.lab_assessment) {
    const LabAssessment& a = *m.lab_assessment;
    if (!a.report.problem.empty()) {
      lab.status = Status::kFail;
      lab.message = a.report.problem;
      lab.evidence.push_back(manifest_line(m, a.report.line, a.report.document, "a readable report"));
    } else if (!a.declared_sha256.empty() && a.declared_sha256 != a.report.sha256) {
      lab.status = Status::kFail;
      lab.message = "the lab report's SHA-256 differs from the one the manifest states";
      lab.evidence.push_back(manifest_line(m, a.line, a.report.sha256, a.declared_sha256));
    } else if (m.firmware_date && a.date && *a.date < *m.firmware_date) {
      lab.status = Status::kFail;
      lab.message = fmt::format("the lab assessment ({}) is older than this firmware ({}): re-assessment needed",
                                format_date(*a.date), format_date(*m.firmware_date));
      lab.evidence.push_back(manifest_line(m, a.line, format_date(*a.date),
                                           "on or after the firmware release " + format_date(*m.firmware_date)));
    } else {
      lab.status = Status::kPass;
      lab.message =
          fmt::format("assessed by {} on {}: {}", a.lab, a.date ? format_date(*a.date) : "?", describe(a.report));
      lab.evidence.push_back(manifest_line(m, a.line, describe(a.report), ""));
    }
  }
  out.push_back(std::move(lab));
  return out;
}

catalog::RollupInputs rollup_inputs(const Manifest* m) {
  catalog::RollupInputs in;
  in.attestation_checks = attestation_checks();
  if (!m) return in;
  in.manifest_given = true;
  for (const auto& a : m->attestations) in.attested[a.requirement] = a.evidence.problem.empty();
  for (const auto& na : m->not_applicable) in.not_applicable[na.requirement] = na.reason;
  return in;
}

std::vector<Attestation> attestations(const catalog::RequirementSet& set, const Manifest* m,
                                      const std::vector<Finding>& findings) {
  std::map<std::string, const Finding*> by_check;
  for (const auto& f : findings) {
    const auto& ids = attestation_checks();
    if (std::find(ids.begin(), ids.end(), f.check) != ids.end()) by_check[f.check] = &f;
  }
  std::vector<Attestation> out;
  for (const auto& req : set.requirements) {
    std::vector<std::string> doc_checks;
    for (const auto& c : req.checks) {
      const auto& ids = attestation_checks();
      if (std::find(ids.begin(), ids.end(), c) != ids.end()) doc_checks.push_back(c);
    }
    if (doc_checks.empty() && req.attestation.empty()) continue;
    Attestation a;
    a.requirement = req.id;
    a.title = req.title;
    bool complete = m != nullptr;
    if (!m) a.problems.push_back("no product manifest given");
    const RequirementAttestation* explicit_entry = nullptr;
    if (m) {
      for (const auto& e : m->attestations) {
        if (e.requirement == req.id) explicit_entry = &e;
      }
    }
    if (explicit_entry) {
      const DocumentRef& d = explicit_entry->evidence;
      a.evidence = d.summary + (d.url.empty() ? "" : " (" + d.url + ")");
      a.file = d.document;
      a.sha256 = d.sha256;
      a.source = fmt::format("{}:{}", m->path, d.line);
      if (!d.problem.empty()) {
        a.problems.push_back(d.problem);
        complete = false;
      }
    } else {
      for (const auto& c : doc_checks) {
        auto it = by_check.find(c);
        if (it == by_check.end()) {
          complete = false;
          continue;
        }
        const Finding& f = *it->second;
        if (!f.evidence.empty()) {
          a.evidence += (a.evidence.empty() ? "" : "; ") + f.evidence.front().observed;
          if (a.source.empty() && f.evidence.front().line) {
            a.source = fmt::format("{}:{}", f.evidence.front().path, *f.evidence.front().line);
          }
        }
        if (f.status == Status::kFail || f.status == Status::kWarn) a.problems.push_back(f.message);
        if (f.status == Status::kFail) complete = false;
      }
      if (m && doc_checks.empty()) {
        complete = false;
        a.problems.push_back("the manifest has no attestation for this requirement");
      }
      // The single document of a check backed by one file (lab report, policy documents).
      if (m) {
        auto pick = [&](const std::optional<DocumentRef>& d) {
          if (d && a.file.empty() && !d->document.empty()) {
            a.file = d->document;
            a.sha256 = d->sha256;
          }
        };
        for (const auto& c : doc_checks) {
          if (c == kVdp) pick(m->vulnerability_reporting);
          if (c == kMaintenance) pick(m->maintenance_policy);
          if (c == kIncident) pick(m->incident_response);
          if (c == kThreatModel) pick(m->threat_model);
          if (c == kAssessment && m->lab_assessment) {
            pick(std::optional<DocumentRef>(m->lab_assessment->report));
          }
        }
      }
    }
    a.state = complete ? Attestation::State::kAttested : Attestation::State::kMissingEvidence;
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<DataSnapshot> data_snapshots() {
  std::vector<DataSnapshot> out;
  for (const auto& r : data::resources()) {
    if (!r.name.starts_with("data/")) continue;
    std::string_view text = r.content.substr(0, 4096);
    while (!text.empty()) {
      std::size_t eol = text.find('\n');
      std::string_view line = text.substr(0, eol);
      text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
      if (line.starts_with("# ")) line.remove_prefix(2);
      if (!line.starts_with("retrieved:")) continue;
      line.remove_prefix(10);
      while (!line.empty() && (line.front() == ' ' || line.front() == '"')) line.remove_prefix(1);
      if (line.size() >= 10 && parse_date(line.substr(0, 10))) {
        out.push_back({std::string(r.name), std::string(line.substr(0, 10))});
      }
      break;
    }
  }
  return out;
}

}  // namespace fwcert::assess
