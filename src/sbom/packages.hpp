#pragma once
// Components from the package databases of one filesystem of the inventory, read through its
// Vfs only: dpkg (status, distroless status.d/, info/<pkg>[:arch].list), opkg (status and
// info/<pkg>.list under /usr/lib/opkg and /var/lib/opkg), apk (/lib/apk/db/installed) and rpm
// (rpmdb.sqlite). The distribution comes from os-release; a filesystem with an os-release but
// no package database (Buildroot) gets one operating-system component and nothing invented.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fwcert/report.hpp"
#include "inventory/inventory.hpp"

namespace fwcert::sbom {

/// The distribution of a filesystem as os-release names it.
struct Distro {
  std::string id;          ///< ID ("debian", "alpine", "openwrt", "buildroot"), "" when unknown
  std::string version_id;  ///< VERSION_ID
  std::string codename;    ///< VERSION_CODENAME
  std::string name;        ///< NAME
  std::string path;        ///< display path of the os-release read
  std::size_t line = 0;    ///< line of its ID (or first) field
  /// The purl `distro` qualifier: "debian-12", "alpine-3.19" (major.minor), "ubuntu-22.04";
  /// the codename or the bare id when there is no VERSION_ID; "" when unknown.
  std::string purl_distro() const;
};

/// /etc/os-release, else /usr/lib/os-release, of filesystem `fs`.
Distro read_distro(const inventory::Inventory& inv, std::uint32_t fs);

/// A package URL (purl-spec): `pkg:TYPE/NAMESPACE/NAME@VERSION?k=v&...`, each part
/// percent-encoded (every byte outside A-Z a-z 0-9 . - _ ~), qualifiers with empty values left
/// out and the rest sorted by key as the spec's canonical form requires.
std::string make_purl(std::string_view type, std::string_view ns, std::string_view name, std::string_view version,
                      std::vector<std::pair<std::string, std::string>> qualifiers = {});

/// Percent-encoding of one purl part.
std::string purl_encode(std::string_view s);

struct PackageScan {
  std::vector<Component> components;  ///< in database order; files sorted
  std::vector<Diagnostic> diagnostics;
};

/// Every component the package databases of filesystem `fs` record, or the operating-system
/// component when it has none.
PackageScan collect_packages(const inventory::Inventory& inv, std::uint32_t fs);

}  // namespace fwcert::sbom
