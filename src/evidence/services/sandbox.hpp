#pragma once
// An exposure score for a systemd service's sandboxing, on the 0-10 scale of
// `systemd-analyze security` (0 = fully sandboxed, 10 = nothing restricted).
//
// Decided from the unit alone: each of the 80 or so tests systemd-analyze lists (User=,
// NoNewPrivileges=, ProtectSystem=, each group of CapabilityBoundingSet=, RestrictNamespaces=,
// RestrictAddressFamilies= and SystemCallFilter=, ...) has a weight, and the score is the
// weighted share of tests the unit does not meet. The weights are the per-test exposures
// systemd-analyze 252 prints for a unit with no sandboxing (measured with
// `systemd-analyze security --offline=true`, not taken from its source), plus the share of
// the tests an unsandboxed unit already passes, calibrated so that such a unit scores 9.6 as
// it does there. Partial settings (ProtectSystem=full, ProtectHome=read-only) count half.
// Because the printed weights are rounded to 0.1, scores of other units can differ from
// systemd-analyze's; tests/unit/services_sandbox_test.cpp measures by how much.

#include <string>
#include <vector>

#include "evidence/services/parse.hpp"

namespace fwcert::evidence::services {

struct SandboxAssessment {
  double exposure = 10.0;          ///< 0.0-10.0, one decimal
  std::vector<std::string> unmet;  ///< names of the tests not met, heaviest first
};

/// Assesses the [Service] section of a merged unit.
SandboxAssessment assess_sandbox(const MergedUnit& unit);

/// systemd-analyze's word for a score: SAFE, OK, MEDIUM, EXPOSED or UNSAFE.
const char* exposure_level(double exposure);

}  // namespace fwcert::evidence::services
