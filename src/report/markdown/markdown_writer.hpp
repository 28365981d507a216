#pragma once
// A short Markdown summary for a pull-request or merge-request comment
// (docs/report-format.md): requirement verdict counts, finding counts and the gate count the
// exit code is decided on, the worst failing findings with their evidence, and everything else
// in a collapsed <details> block.

#include <cstddef>
#include <string>

#include "fwcert/report.hpp"

namespace fwcert::report {

struct MarkdownOptions {
  /// GitHub refuses a comment body longer than 65 536 characters; the document is cut to
  /// this many bytes (never more characters than bytes), with a note saying so.
  std::size_t max_bytes = 65536;
  /// Failing findings shown with their evidence above the fold, worst severity first.
  std::size_t top_findings = 10;
  /// Longest value (path, observed, expected) shown before it is shortened with an ellipsis.
  std::size_t max_value_chars = 200;
};

std::string to_markdown(const Report& report, const MarkdownOptions& options = {});

}  // namespace fwcert::report
