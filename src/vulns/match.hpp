#pragma once
// Matching components against the vulnerability database (docs/sbom.md, "Matching").

#include <string>
#include <string_view>
#include <vector>

#include "fwcert/report.hpp"
#include "vulns/database.hpp"
#include "vulns/version.hpp"

namespace fwcert::vulns {

struct MatchOptions {
  /// Most vulnerabilities kept per component (a bound, not a filter: the database decides).
  std::size_t max_per_component = 5000;
};

/// The OSV ecosystems of a component's distribution ("debian-12" -> Debian:12,
/// "ubuntu-22.04" -> Ubuntu:22.04:LTS and Ubuntu:22.04, "alpine-3.19.1" -> Alpine:v3.19);
/// empty when fwcert knows none (OpenWrt, Yocto, Buildroot have no OSV ecosystem).
std::vector<std::string> distro_ecosystems(std::string_view distro);

/// Whether `version` is affected by `entry`, and the first version that is not.
struct Verdict {
  bool affected = false;
  std::string fixed_version;
};
Verdict evaluate(const AffectedEntry& entry, Scheme scheme, std::string_view version);

/// Every known vulnerability of every component. A deb/opkg/apk/rpm component whose
/// distribution's ecosystem is in the database is judged by that data alone (by source package
/// name): a distribution's advisory takes precedence over upstream ranges, so a package patched
/// by a revision is not reported. Other components are matched on upstream ranges by name
/// (confidence "ecosystem" for fingerprinted components, "cpe" for distribution packages whose
/// backports are unknown), then by CPE (confidence "cpe"). CVSS, EPSS and KEV are filled by CVE.
/// Sorted KEV first, then CVSS descending, then id and component.
std::vector<Vulnerability> match(const std::vector<Component>& components, const Database& db,
                                 const MatchOptions& options = {});

/// Sorts vulnerabilities the way the report lists them: KEV first, CVSS descending, id, component.
void sort_vulnerabilities(std::vector<Vulnerability>& v);

}  // namespace fwcert::vulns
