#pragma once
// One self-contained HTML file a security lab reads and prints (docs/report-format.md): the
// verdict of every requirement, inline SVG charts, each requirement expanding (<details>) to
// its checks' findings and evidence, attestations, waivers, scan metadata and diagnostics.
// Nothing is loaded from anywhere: CSS, SVG and the few lines of script are inline, and a
// Content-Security-Policy with their hashes forbids everything else, so a string from the
// image that escaped escaping still could not run or fetch.

#include <string>

#include "fwcert/report.hpp"

namespace fwcert::report {

/// The report as an HTML5 document. Check titles and capability areas come from the report's
/// cited checks; a check the catalog lacks is shown by its id in area "other". The same report
/// gives the same bytes: the only dates are the model's.
std::string to_html(const Report& report);

}  // namespace fwcert::report
