#pragma once
// JSON the JSON report and the SARIF log write alike, so the two say the same in the same
// order: one evidence item, one waiver with its state.

#include <nlohmann/json.hpp>

#include "fwcert/report.hpp"

namespace fwcert::report {

/// An evidence item: its path, and its line, offset, observed and expected text where known.
nlohmann::ordered_json evidence_json(const Evidence& e);

/// A waiver of the waivers file with its state and whether it matched a finding.
nlohmann::ordered_json waiver_json(const WaiverResult& w);

}  // namespace fwcert::report
