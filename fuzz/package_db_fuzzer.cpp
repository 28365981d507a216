// Fuzz target for the SBOM's package-database parsers: dpkg/opkg status stanzas, apk installed,
// dpkg file lists, and the rpm header blob (the same bytes read as text and as a header). Every
// line number must be one of the input's lines, every kept field within its limit.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#include "sbom/package_db.hpp"
#include "sbom/sbom_limits.hpp"

namespace {

void check(const fwcert::sbom::ParsedDb& db, std::size_t lines) {
  using namespace fwcert;
  if (db.packages.size() > limits::kMaxPackagesPerDb) std::abort();
  if (db.diagnostics.size() > limits::kMaxDamageDiagnostics + 1) std::abort();
  for (const auto& p : db.packages) {
    if (p.name.empty() || p.line == 0 || p.line > lines) std::abort();
    for (const auto* f : {&p.name, &p.version, &p.arch, &p.source_name, &p.source_version, &p.license, &p.supplier}) {
      if (f->size() > limits::kMaxPackageFieldBytes) std::abort();
    }
    if (p.files.size() > limits::kMaxFilesPerPackage) std::abort();
    for (const auto& f : p.files) {
      if (f.empty() || f.front() != '/') std::abort();
    }
  }
  for (const auto& d : db.diagnostics) {
    if (d.line > lines) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fwcert;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::size_t lines = 1;
  for (char c : in) lines += c == '\n';
  check(sbom::parse_dpkg_status(in), lines);
  check(sbom::parse_apk_installed(in), lines);
  std::size_t dropped = 0;
  for (const auto& f : sbom::parse_file_list(in, dropped)) {
    if (f.empty() || f.front() != '/' || f.size() > size) std::abort();
  }
  std::string why;
  auto h = sbom::parse_rpm_header(std::as_bytes(std::span(data, size)), why);
  if (h) {
    if (h->record.name.empty() || h->record.files.size() > limits::kMaxFilesPerPackage) std::abort();
  } else if (why.empty()) {
    std::abort();  // a refused header always says why
  }
  return 0;
}
