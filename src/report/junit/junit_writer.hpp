#pragma once
// JUnit XML for CI test-report views (GitLab `artifacts:reports:junit`, Jenkins `junit`):
// one testcase per check and subject, grouped into one testsuite per capability area
// (docs/report-format.md).

#include <string>

#include "fwcert/report.hpp"

namespace fwcert::report {

/// The report as a JUnit XML document: `fail` is a <failure>, `inconclusive` and
/// `not-applicable` are <skipped> with the reason, everything else passes; every testcase's
/// <system-out> holds its message and evidence. Areas come from the report's cited checks, in
/// catalog order (Report::areas).
std::string to_junit(const Report& report);

}  // namespace fwcert::report
