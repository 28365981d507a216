// Feeds arbitrary bytes to the vulnerability-data parsers. The first byte selects the parser:
// 0 parse_document (OSV, CVE 5, KEV JSON/CSV, EPSS detected by content), 1 parse_vex
// (CycloneDX VEX, OpenVEX), 2 parse_epss_csv, 3 parse_kev_csv, 4 parse_osv, 5 parse_cve5,
// anything else the CVSS 3 calculator and the CPE reader. Every input must become records or an
// Error naming the input; no crash, no exception.

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "vulns/records.hpp"
#include "vulns/version.hpp"
#include "vulns/vex.hpp"

namespace {

/// Every range an advisory holds is ordered in its scheme, as matching does.
void order_ranges(const fwcert::vulns::Advisory& a) {
  for (const auto& e : a.affected) {
    for (const auto& r : e.rows) {
      (void)fwcert::vulns::compare(e.scheme, r.introduced, r.fixed);
      (void)fwcert::vulns::compare(e.scheme, r.exact, r.last_affected);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string name = "input.json";
  using namespace fwcert::vulns;
  switch (selector % 7) {
    case 0: {
      auto d = parse_document(input, name);
      if (d.ok()) {
        if (const auto* list = std::get_if<std::vector<Advisory>>(&*d)) {
          for (const auto& a : *list) order_ranges(a);
        }
      } else {
        assert(!d.error().where.empty());
      }
      break;
    }
    case 1: {
      auto v = parse_vex(input, name);
      if (v.ok()) {
        std::vector<fwcert::Vulnerability> vulns(1);
        vulns[0].id = "CVE-2024-6387";
        vulns[0].component = "generic/openssh@9.6p1";
        std::vector<fwcert::Component> components(1);
        components[0].ref = "generic/openssh@9.6p1";
        components[0].purl = "pkg:generic/openssh@9.6p1";
        apply_vex(*v, components, vulns);
      }
      break;
    }
    case 2:
      (void)parse_epss_csv(input, name);
      break;
    case 3:
      (void)parse_kev_csv(input, name);
      break;
    case 4: {
      auto a = parse_osv(input, name);
      if (a.ok()) order_ranges(*a);
      break;
    }
    case 5: {
      auto a = parse_cve5(input, name);
      if (a.ok()) order_ranges(*a);
      break;
    }
    default: {
      if (auto s = cvss3_base_score(input)) assert(*s >= 0 && *s <= 10);
      (void)cpe_vendor_product(input);
      break;
    }
  }
  return 0;
}
