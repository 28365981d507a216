#include "core/date.hpp"

#include <fmt/format.h>

#include <ctime>

#include "fwcert/scan.hpp"

namespace fwcert {

namespace {

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(int y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

bool digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

unsigned number(std::string_view s) {
  unsigned v = 0;
  for (char c : s) v = v * 10 + static_cast<unsigned>(c - '0');
  return v;
}

}  // namespace

std::optional<CivilDate> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto y = text.substr(0, 4), m = text.substr(5, 2), d = text.substr(8, 2);
  if (!digits(y) || !digits(m) || !digits(d)) return std::nullopt;
  CivilDate out{static_cast<int>(number(y)), number(m), number(d)};
  if (out.month < 1 || out.month > 12) return std::nullopt;
  if (out.day < 1 || out.day > days_in_month(out.year, out.month)) return std::nullopt;
  return out;
}

std::string format_date(const CivilDate& d) { return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day); }

// Howard Hinnant's days_from_civil algorithm (public-domain description of the arithmetic).
std::int64_t days_since_epoch(const CivilDate& d) {
  const std::int64_t y = static_cast<std::int64_t>(d.year) - (d.month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (static_cast<std::int64_t>(d.month) + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + static_cast<std::int64_t>(d.day) - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate today_utc() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  return CivilDate{tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1), static_cast<unsigned>(tm.tm_mday)};
}

Result<CivilDate> assessment_day(const ScanOptions& options) {
  if (options.assessment_date.empty()) return today_utc();
  auto d = parse_date(options.assessment_date);
  if (!d) {
    return make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("assessment date '{}' is not a real day in the form YYYY-MM-DD", options.assessment_date));
  }
  return *d;
}

}  // namespace fwcert
