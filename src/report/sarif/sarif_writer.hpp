#pragma once
// SARIF 2.1.0 for GitHub code scanning and other SARIF viewers (docs/report-format.md).
// One run per scan; one rule per check that has a result; one result per failing or warning
// finding. Paths inside the image become repository-relative URIs, and every result carries
// our own fingerprint, because GitHub can compute one only for files in the checkout.

#include <string>
#include <string_view>

#include "fwcert/report.hpp"

namespace fwcert::report {

struct SarifOptions {
  /// Also report inconclusive findings, as `note` results. Off by default: GitHub turns every
  /// result into an alert, and an inconclusive check is missing evidence, not a problem found.
  bool include_inconclusive = false;
};

/// The report as a SARIF 2.1.0 log. Rule metadata (title, rationale, remediation, area) comes
/// from the report's cited checks; a check the catalog lacks gets a rule with its id only.
std::string to_sarif(const Report& report, const SarifOptions& options = {});

/// A display path from the report ("/etc/shadow", "/boot/initrd.img!/etc/x") as a relative
/// URI: no leading slash, every byte outside RFC 3986's unreserved set and "/" percent-encoded,
/// and the `!` after a nested filesystem's prefix kept as the one literal `!`. Empty when the
/// path names no file (empty or the root).
std::string artifact_uri(std::string_view display_path, const TargetInfo& target);

/// The fingerprint GitHub de-duplicates alerts with: SHA-256 (hex) of check id, subject and
/// evidence path, so it survives line moves and rescans. `ordinal` > 0 separates findings
/// that share all three.
std::string finding_fingerprint(const Finding& finding, std::size_t ordinal = 0);

}  // namespace fwcert::report
