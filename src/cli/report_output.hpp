#pragma once
// The report formats of `fwcert scan --format`: one table of {name, writer}, read for dispatch,
// for the --format choices and for their --help text, so that do_scan stays one call.

#include <string>
#include <string_view>
#include <vector>

#include "fwcert/report.hpp"
#include "report/text/text_writer.hpp"

namespace fwcert::cli {

/// What a writer may be given besides the report: the text summary's terminal options.
struct WriterOptions {
  report::TextOptions text;
};

/// One --format value and its writer, a pure function of the report.
struct ReportFormat {
  std::string_view name;
  std::string_view description;  ///< shown in --help after the name
  std::string (*write)(const Report&, const WriterOptions&);
};

/// Every --format value of `fwcert scan`, text first, in --help order.
const std::vector<ReportFormat>& report_formats();

/// The format named `name`, or nullptr.
const ReportFormat* find_report_format(std::string_view name);

/// "text (summary), json (the full report), ...": the formats as --help lists them.
std::string report_formats_help();

}  // namespace fwcert::cli
