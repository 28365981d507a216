#include "cli/report_output.hpp"

#include "catalog/catalog.hpp"
#include "report/html/html_writer.hpp"
#include "report/json/json_writer.hpp"
#include "report/junit/junit_writer.hpp"
#include "report/markdown/markdown_writer.hpp"
#include "report/sarif/sarif_writer.hpp"

namespace fwcert::cli {

const std::vector<std::string>& machine_formats() {
  static const std::vector<std::string> kFormats = {"json", "sarif", "junit", "markdown", "html"};
  return kFormats;
}

Result<std::string> render_report(const Report& report, const std::string& format, const std::string& catalog_dir) {
  if (format == "json") return report::to_json(report);
  if (format == "markdown") return report::to_markdown(report);
  if (format == "sarif" || format == "junit" || format == "html") {
    auto cat = catalog_dir.empty() ? catalog::load_builtin() : catalog::load_directory(catalog_dir);
    if (!cat) return cat.error();
    if (format == "html") return report::to_html(report, *cat);
    return format == "sarif" ? report::to_sarif(report, *cat) : report::to_junit(report, *cat);
  }
  return make_error(ErrorCode::kInvalidArgument, "unknown report format '" + format + "'");
}

}  // namespace fwcert::cli
