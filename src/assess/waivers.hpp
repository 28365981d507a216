#pragma once
// Waivers (--waivers FILE, docs/waivers.md): findings accepted on purpose, each with a
// justification, an owner and an expiry day. A waived finding stays in every report.

#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "core/date.hpp"
#include "fwcert/report.hpp"
#include "fwcert/result.hpp"

namespace fwcert::assess {

struct Waiver {
  std::string id;       ///< "FILE:LINE"
  std::string check;    ///< an existing check id
  std::string subject;  ///< fnmatch(3) pattern on the finding's subject ("*" for all)
  std::string justification;
  std::string owner;
  CivilDate expires;  ///< the last day the waiver applies
};

/// Parses a waivers file strictly: a mapping with a `waivers` list; every field required and
/// non-empty, no unknown field, `expires` a real YYYY-MM-DD day, `check` a known check id (a
/// close match is suggested). Errors carry name:line:column.
Result<std::vector<Waiver>> parse_waivers(const std::string& text, const std::string& name,
                                          const catalog::Catalog& catalog);

/// Marks every failing or warning finding a live waiver matches (first waiver in file order
/// wins) and returns every waiver's state: applied, unused, or expired (the assessment day is
/// after `expires`; it then accepts nothing and `matched` counts what it would have covered).
std::vector<WaiverResult> apply_waivers(const std::vector<Waiver>& waivers, const CivilDate& day,
                                        std::vector<Finding>& findings);

}  // namespace fwcert::assess
