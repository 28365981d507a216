#pragma once
// Calendar days (proleptic Gregorian, UTC) for the dates verdicts are judged at: the
// assessment day, end-of-life and support-period ends, waiver expiry, lab assessment dates.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fwcert/result.hpp"

namespace fwcert {

struct ScanOptions;

/// One calendar day. Ordered, so `a < b` means a is earlier.
struct CivilDate {
  int year = 1970;
  unsigned month = 1;  ///< 1-12
  unsigned day = 1;    ///< 1-31, valid for the month
  auto operator<=>(const CivilDate&) const = default;
};

/// Parses exactly "YYYY-MM-DD" (four-digit year, two-digit month and day) naming a real day;
/// anything else (other lengths, 2023-02-29, spaces) is nullopt.
std::optional<CivilDate> parse_date(std::string_view text);

/// "YYYY-MM-DD".
std::string format_date(const CivilDate& d);

/// Days since 1970-01-01 (negative before); differences of two dates are day counts.
std::int64_t days_since_epoch(const CivilDate& d);

/// The current day in UTC.
CivilDate today_utc();

/// The day verdicts are judged at: `options.assessment_date` when set, today (UTC) otherwise.
/// A set but malformed date is an kInvalidArgument error naming the text.
Result<CivilDate> assessment_day(const ScanOptions& options);

}  // namespace fwcert
