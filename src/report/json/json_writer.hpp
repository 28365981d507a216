#pragma once
// The machine-readable report (documented in docs/report-format.md). Deterministic: keys in
// a fixed order, lists in the report model's order.

#include <string>

#include "fwcert/report.hpp"

namespace fwcert::report {

/// The full scan report as JSON text.
std::string to_json(const Report& report);

/// Only the target's layout: what was found at which offset (fwcert facts --layout --format json).
std::string layout_to_json(const TargetInfo& target);

/// Only the facts (fwcert facts --format json).
std::string facts_to_json(const Report& report);

}  // namespace fwcert::report
