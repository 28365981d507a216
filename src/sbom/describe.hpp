#pragma once
// How the SBOM writers name a component's licence and kind. A licence text a package database
// records is an SPDX identifier, an SPDX licence expression of identifiers, or neither (a
// free-form name such as "GPLv2+"), judged against the SPDX License List built in as
// data/spdx-license-ids.txt: CycloneDX gets `license.id`, `expression` or `license.name`, SPDX
// licenseDeclared or NOASSERTION. The kind is CycloneDX's component type.

#include <cstdint>
#include <string_view>

#include "fwcert/report.hpp"

namespace fwcert::sbom {

enum class LicenseForm : std::uint8_t { kNone, kSpdxId, kSpdxExpression, kName };

/// kNone for empty text; kSpdxId for one listed identifier (case as listed); kSpdxExpression
/// for listed identifiers joined by AND, OR, WITH and parentheses (an optional trailing "+"
/// allowed); kName otherwise.
LicenseForm license_form(std::string_view text);

/// "operating-system" for the component os-release names, "application" for a package that
/// owns a program (a file in /bin, /sbin, /usr/bin, /usr/sbin or /usr/libexec), else "library"
/// (data and documentation packages too: CycloneDX has no closer word).
std::string_view component_type(const Component& c);

}  // namespace fwcert::sbom
