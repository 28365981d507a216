#pragma once
// The report's components as a CycloneDX 1.6 JSON SBOM (docs/sbom.md). Reproducible: the
// serial number is derived from the document's own content and the timestamp is the
// assessment day, so the same scan gives the same bytes. Vulnerabilities are written only when
// the report has some.

#include <string>

#include "fwcert/report.hpp"

namespace fwcert::report {

/// The report's components (and vulnerabilities, when any) as CycloneDX 1.6 JSON.
std::string to_cyclonedx(const Report& report);

/// "urn:uuid:..." from the SHA-256 of `content`: the first 16 bytes with the version nibble set
/// to 5 and the RFC 4122 variant bits, so it passes the schema's UUID pattern.
std::string content_uuid(std::string_view content);

}  // namespace fwcert::report
