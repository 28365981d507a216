#pragma once

namespace fwcert::cli {

/// Exit codes, as documented in --help and docs/usage.md.
enum ExitCode : int {
  kExitOk = 0,        ///< nothing at or above --fail-on failed
  kExitFindings = 1,  ///< a failing finding at or above --fail-on
  kExitUsage = 2,     ///< usage error or unreadable target
  kExitPartial = 3,   ///< --strict and the target was only partly readable
};

int run(int argc, char** argv);

}  // namespace fwcert::cli
