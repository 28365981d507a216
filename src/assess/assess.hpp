#pragma once
// The assessment around the analyzers' findings: findings of the process checks from the
// product manifest, waivers, the roll-up inputs, the attestation list and the report metadata.

#include <optional>
#include <string>
#include <vector>

#include "assess/manifest.hpp"
#include "catalog/catalog.hpp"
#include "core/date.hpp"
#include "fwcert/report.hpp"

namespace fwcert::assess {

/// The profile `name_or_path` names: a built-in profile or set id, or a profile file (a path
/// ending in .yaml/.yml or containing '/'). Unknown ids list the known ones.
Result<catalog::Profile> resolve_profile(const catalog::Catalog& catalog, const std::string& name_or_path);

/// The process checks whose evidence is a document the manifest names (docs/manifest.md).
const std::vector<std::string>& attestation_checks();

/// One finding per process check, judged from the manifest on `day`: pass when the evidence is
/// named (and its document, if any, was read and hashed), fail when absent or unreadable; the
/// date rules (support period over, ending before the kernel's end of life, a lab assessment
/// older than the firmware or a report whose hash differs) fail or warn the check they concern.
std::vector<Finding> manifest_findings(const Manifest& m, const CivilDate& day,
                                       const std::optional<CivilDate>& kernel_eol);

/// What catalog::evaluate() needs to know about the manifest (none = no manifest given).
catalog::RollupInputs rollup_inputs(const Manifest* m);

/// One entry per requirement of `set` that accepts an attestation or depends on a process
/// check: attested when the manifest names readable evidence for all it needs.
std::vector<Attestation> attestations(const catalog::RequirementSet& set, const Manifest* m,
                                      const std::vector<Finding>& findings);

/// Built-in data tables that say when they were retrieved (a `retrieved: YYYY-MM-DD` line near
/// the top), by name.
std::vector<DataSnapshot> data_snapshots();

}  // namespace fwcert::assess
