#pragma once
// The human summary printed by `fwcert scan`.

#include <string>

#include "fwcert/report.hpp"

namespace fwcert::report {

struct TextOptions {
  bool color = false;             ///< ANSI colours (a TTY without NO_COLOR)
  bool show_passing = false;      ///< list passing findings too
  std::size_t max_findings = 50;  ///< failing/warning findings listed before "... and N more"
};

/// The summary: target, inventory, findings (failing first), requirement verdicts, waivers, and
/// the gate count the exit code is decided on (Report::summary).
std::string to_text(const Report& report, const TextOptions& options);

}  // namespace fwcert::report
