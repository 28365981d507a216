#pragma once
// The vulnerability checks (vuln-known-exploited, vuln-critical-high, vuln-db-fresh): not an
// analyzer's but the matching stage's, which runs after the analyzers over the report's
// components and the database the user gave (analyzers never read host files).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.hpp"
#include "fwcert/report.hpp"

namespace fwcert::vulns {

/// What produces the vulnerability checks (vuln-*): not an analyzer but the matching stage after
/// the analyzers, from the report's components and the vulnerability database (see
/// analyzers::kManifestProducer for the process checks).
inline constexpr std::string_view kVulnsProducer = "vulns";

/// The check ids the matching stage emits, in catalog order.
const std::vector<std::string>& checks();

struct CheckOptions {
  bool have_db = false;
  CivilDate day;                 ///< the assessment day
  unsigned max_db_age_days = 7;  ///< vuln-db-fresh warns beyond this age
  double epss_threshold = 0.1;   ///< vuln-critical-high: EPSS at or above this fails
  std::size_t max_listed = 10;   ///< CVEs named per finding before "and N more"
};

/// The findings of the three checks over report.components, report.vulnerabilities and
/// report.vuln_db. Without a database every check is inconclusive; VEX-suppressed
/// vulnerabilities (not_affected, fixed) never fail a check but stay visible as info findings.
std::vector<Finding> findings(const Report& report, const CheckOptions& options);

}  // namespace fwcert::vulns
