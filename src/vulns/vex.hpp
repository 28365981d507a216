#pragma once
// VEX: statements that a vulnerability does not affect (or is fixed in, or is being
// investigated for) a product, from CycloneDX VEX or OpenVEX files given with --vex.

#include <string>
#include <string_view>
#include <vector>

#include "fwcert/report.hpp"
#include "fwcert/result.hpp"

namespace fwcert::vulns {

struct VexStatement {
  std::string vulnerability;          ///< "CVE-2024-6387" (or any id or alias of it)
  std::vector<std::string> products;  ///< component refs or purls; empty = every component
  std::string state;                  ///< "not_affected", "fixed", "under_investigation", "affected"
  std::string justification;
  std::string source;  ///< "FILE" the statement is in
};

/// The statements of a CycloneDX VEX (`vulnerabilities[].analysis`, `affects[].ref`) or OpenVEX
/// (`statements[]`) document; `name` is named by every error.
Result<std::vector<VexStatement>> parse_vex(std::string_view json_text, const std::string& name);

/// Reads and parses a VEX file from the host (bounded by the record limit).
Result<std::vector<VexStatement>> load_vex(const std::string& path);

/// Sets vex_state and vex_justification of every vulnerability a statement names for its
/// component (by ref, by purl, or by a purl without version or qualifiers); a later statement
/// overrides an earlier one.
void apply_vex(const std::vector<VexStatement>& statements, const std::vector<Component>& components,
               std::vector<Vulnerability>& vulnerabilities);

/// True when VEX says the vulnerability does not count: not_affected or fixed.
bool is_suppressed(const Vulnerability& v);

}  // namespace fwcert::vulns
