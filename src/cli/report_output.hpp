#pragma once
// The machine-readable report formats of `fwcert scan --format`: one writer each, chosen here
// so that do_scan stays one call.

#include <string>
#include <vector>

#include "fwcert/report.hpp"
#include "fwcert/result.hpp"

namespace fwcert::cli {

/// Every --format value of `fwcert scan` other than text, in --help order.
const std::vector<std::string>& machine_formats();

/// Renders `report` as `format` (one of machine_formats()). SARIF, JUnit and HTML take rule
/// titles, remediation and capability areas from the catalog the scan used (`catalog_dir`, or the
/// built-in one).
Result<std::string> render_report(const Report& report, const std::string& format, const std::string& catalog_dir);

}  // namespace fwcert::cli
