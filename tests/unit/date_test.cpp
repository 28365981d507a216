// Calendar days: strict YYYY-MM-DD parsing (real days only), formatting, ordering, day counts,
// and the assessment day taken from the options or from the clock.

#include "core/date.hpp"

#include <gtest/gtest.h>

#include "fwcert/scan.hpp"

namespace fwcert {
namespace {

TEST(DateTest, ParsesRealDays) {
  auto d = parse_date("2024-02-29");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->year, 2024);
  EXPECT_EQ(d->month, 2u);
  EXPECT_EQ(d->day, 29u);
  EXPECT_TRUE(parse_date("2000-02-29"));  // divisible by 400: leap
  EXPECT_TRUE(parse_date("1999-12-31"));
}

TEST(DateTest, RejectsEverythingElse) {
  for (const char* bad :
       {"", "2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-01-00", "2024-1-01", "24-01-01",
        "2024/01/01", "2024-01-01 ", " 2024-01-01", "2024-01-0a", "2024-01-01T00:00", "+024-01-01"}) {
    EXPECT_FALSE(parse_date(bad)) << bad;
  }
}

TEST(DateTest, FormatsRoundTrip) {
  EXPECT_EQ(format_date(CivilDate{2026, 3, 7}), "2026-03-07");
  EXPECT_EQ(format_date(*parse_date("0999-01-02")), "0999-01-02");
}

TEST(DateTest, OrdersByYearThenMonthThenDay) {
  EXPECT_LT(*parse_date("2025-12-31"), *parse_date("2026-01-01"));
  EXPECT_LT(*parse_date("2026-01-31"), *parse_date("2026-02-01"));
  EXPECT_LT(*parse_date("2026-02-01"), *parse_date("2026-02-02"));
  EXPECT_EQ(*parse_date("2026-02-02"), (CivilDate{2026, 2, 2}));
  EXPECT_FALSE(*parse_date("2026-02-02") < *parse_date("2026-02-02"));
}

TEST(DateTest, CountsDaysFromTheEpoch) {
  EXPECT_EQ(days_since_epoch(CivilDate{1970, 1, 1}), 0);
  EXPECT_EQ(days_since_epoch(CivilDate{1969, 12, 31}), -1);
  EXPECT_EQ(days_since_epoch(CivilDate{2000, 3, 1}), 11017);  // date -d 2000-03-01 +%s / 86400
  EXPECT_EQ(days_since_epoch(*parse_date("2025-01-01")) - days_since_epoch(*parse_date("2024-01-01")), 366);
  EXPECT_EQ(days_since_epoch(*parse_date("2026-01-01")) - days_since_epoch(*parse_date("2025-01-01")), 365);
}

TEST(DateTest, AssessmentDayComesFromTheOptionsOrTheClock) {
  ScanOptions o;
  o.assessment_date = "2026-05-01";
  auto fixed = assessment_day(o);
  ASSERT_TRUE(fixed);
  EXPECT_EQ(*fixed, (CivilDate{2026, 5, 1}));

  o.assessment_date = "2026-5-1";
  auto bad = assessment_day(o);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("2026-5-1"), std::string::npos);

  o.assessment_date.clear();
  auto today = assessment_day(o);
  ASSERT_TRUE(today);
  EXPECT_EQ(*today, today_utc());
  EXPECT_GE(today->year, 2025);
}

}  // namespace
}  // namespace fwcert
