#include "cli/report_output.hpp"

#include <algorithm>

#include "report/cyclonedx/cyclonedx_writer.hpp"
#include "report/html/html_writer.hpp"
#include "report/json/json_writer.hpp"
#include "report/junit/junit_writer.hpp"
#include "report/markdown/markdown_writer.hpp"
#include "report/sarif/sarif_writer.hpp"
#include "report/spdx/spdx_writer.hpp"

namespace fwcert::cli {

const std::vector<ReportFormat>& report_formats() {
  static const std::vector<ReportFormat> kFormats = {
      {"text", "summary", [](const Report& r, const WriterOptions& o) { return report::to_text(r, o.text); }},
      {"json", "the full report", [](const Report& r, const WriterOptions&) { return report::to_json(r); }},
      {"sarif", "SARIF 2.1.0 for GitHub code scanning",
       [](const Report& r, const WriterOptions&) { return report::to_sarif(r); }},
      {"junit", "JUnit XML for GitLab/Jenkins",
       [](const Report& r, const WriterOptions&) { return report::to_junit(r); }},
      {"markdown", "a pull-request comment",
       [](const Report& r, const WriterOptions&) { return report::to_markdown(r); }},
      {"html", "one self-contained page for a lab, printable",
       [](const Report& r, const WriterOptions&) { return report::to_html(r); }},
      {"cyclonedx", "the components as a CycloneDX 1.6 JSON SBOM",
       [](const Report& r, const WriterOptions&) { return report::to_cyclonedx(r); }},
      {"spdx", "the components as an SPDX 2.3 JSON SBOM",
       [](const Report& r, const WriterOptions&) { return report::to_spdx(r); }},
  };
  return kFormats;
}

const ReportFormat* find_report_format(std::string_view name) {
  const auto& formats = report_formats();
  auto it = std::find_if(formats.begin(), formats.end(), [&](const ReportFormat& f) { return f.name == name; });
  return it == formats.end() ? nullptr : &*it;
}

std::string report_formats_help() {
  std::string out;
  for (const auto& f : report_formats()) {
    if (!out.empty()) out += ", ";
    out += std::string(f.name) + " (" + std::string(f.description) + ")";
  }
  return out;
}

}  // namespace fwcert::cli
