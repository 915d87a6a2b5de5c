#include "schedules/expression.h"

#include <gtest/gtest.h>

#include "common/time_format.h"

namespace stator::schedules {
namespace {

int64_t T(const char* iso) { return *ParseTimestamp(iso); }
std::string Iso(std::optional<int64_t> ms) { return ms ? FormatTimestamp(*ms) : "none"; }

std::string Next(const std::string& expr, const char* after, const std::string& zone = "") {
  auto e = Expression::Parse(expr);
  EXPECT_TRUE(e.ok()) << expr;
  if (!e.ok()) return "invalid";
  auto tz = TimeZone::Load(zone);
  EXPECT_TRUE(tz.ok()) << zone;
  return Iso(e->NextAfter(T(after), 0, *tz));
}

TEST(ExpressionTest, RefusesWithAwsMessage) {
  for (const char* bad : {"rate(1 minutes)",
                          "rate(2 minute)",
                          "rate(0 minutes)",
                          "rate(5 seconds)",
                          "rate(5)",
                          "rate(-1 minutes)",
                          "rate( 5 minutes)",
                          "cron(0 12 * * ? )",
                          "cron(0 12 * * * *)",
                          "cron(0 12 ? * ? *)",
                          "cron(60 12 * * ? *)",
                          "cron(0 24 * * ? *)",
                          "cron(0 0 32 * ? *)",
                          "cron(0 0 ? 13 * *)",
                          "cron(0 0 ? * 8 *)",
                          "cron(0 0 ? * MON#6 *)",
                          "cron(0 0 ? * XYZ *)",
                          "cron(0/0 * * * ? *)",
                          "at(2030-02-30T00:00:00)",
                          "at(2030-01-01 00:00:00)",
                          "at(2030-01-01T24:00:00)",
                          "every 5 minutes",
                          "",
                          "RATE(5 minutes)"}) {
    auto e = Expression::Parse(bad);
    ASSERT_FALSE(e.ok()) << bad;
    EXPECT_EQ(e.error().error, "ValidationException");
    EXPECT_EQ(e.error().cause, "Invalid Schedule Expression " + std::string(bad) + ".");
  }
  EXPECT_FALSE(Expression::Parse("at(2030-01-01T00:00:00)", /*allow_at=*/false).ok());
}

TEST(ExpressionTest, Rates) {
  auto e = Expression::Parse("rate(5 minutes)");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->rate_ms(), 300'000);
  EXPECT_EQ(Expression::Parse("rate(1 hour)")->rate_ms(), 3'600'000);
  EXPECT_EQ(Expression::Parse("rate(2 days)")->rate_ms(), 2 * 86'400'000);
  TimeZone utc;
  const int64_t anchor = T("2024-01-01T00:00:00Z");
  // anchor + k x rate, k >= 1, strictly after `after`.
  EXPECT_EQ(Iso(e->NextAfter(anchor, anchor, utc)), "2024-01-01T00:05:00.000Z");
  EXPECT_EQ(Iso(e->NextAfter(anchor + 300'000, anchor, utc)), "2024-01-01T00:10:00.000Z");
  EXPECT_EQ(Iso(e->NextAfter(anchor + 299'999, anchor, utc)), "2024-01-01T00:05:00.000Z");
  EXPECT_EQ(Iso(e->NextAfter(anchor - 10'000'000, anchor, utc)), "2024-01-01T00:05:00.000Z");
}

TEST(ExpressionTest, CronFields) {
  EXPECT_EQ(Next("cron(0 12 * * ? *)", "2024-03-10T11:00:00Z"), "2024-03-10T12:00:00.000Z");
  EXPECT_EQ(Next("cron(0 12 * * ? *)", "2024-03-10T12:00:00Z"), "2024-03-11T12:00:00.000Z");
  EXPECT_EQ(Next("cron(0/15 * * * ? *)", "2024-03-10T11:50:30Z"), "2024-03-10T12:00:00.000Z");
  EXPECT_EQ(Next("cron(5-10/2 * * * ? *)", "2024-03-10T11:06:00Z"), "2024-03-10T11:07:00.000Z");
  // 2024-03-10 is a Sunday: MON-FRI moves to Monday.
  EXPECT_EQ(Next("cron(0 9 ? * MON-FRI *)", "2024-03-10T00:00:00Z"), "2024-03-11T09:00:00.000Z");
  EXPECT_EQ(Next("cron(0 9 ? * 2-6 *)", "2024-03-10T00:00:00Z"), "2024-03-11T09:00:00.000Z");
  EXPECT_EQ(Next("cron(0 9 ? * FRI-MON *)", "2024-03-12T00:00:00Z"), "2024-03-15T09:00:00.000Z");
  EXPECT_EQ(Next("cron(0 0 1 JAN,JUL ? *)", "2024-03-10T00:00:00Z"), "2024-07-01T00:00:00.000Z");
  EXPECT_EQ(Next("cron(0 0 1 1 ? 2026)", "2024-03-10T00:00:00Z"), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(Next("cron(0 0 1 1 ? 2020-2023)", "2024-03-10T00:00:00Z"), "none");
  EXPECT_EQ(Next("cron(30 8,20 ? * * *)", "2024-03-10T08:30:00Z"), "2024-03-10T20:30:00.000Z");
}

TEST(ExpressionTest, CronSpecialDays) {
  // L: the last day of the month (2024 is a leap year).
  EXPECT_EQ(Next("cron(0 0 L * ? *)", "2024-02-02T00:00:00Z"), "2024-02-29T00:00:00.000Z");
  EXPECT_EQ(Next("cron(0 0 L-2 * ? *)", "2024-02-02T00:00:00Z"), "2024-02-27T00:00:00.000Z");
  // LW: the last weekday; 2024-03-31 is a Sunday, so Friday the 29th.
  EXPECT_EQ(Next("cron(0 0 LW * ? *)", "2024-03-02T00:00:00Z"), "2024-03-29T00:00:00.000Z");
  // 16W: 2024-03-16 is a Saturday, so Friday the 15th; 1W on Saturday 2024-06-01 is Monday 3rd.
  EXPECT_EQ(Next("cron(0 0 16W * ? *)", "2024-03-02T00:00:00Z"), "2024-03-15T00:00:00.000Z");
  EXPECT_EQ(Next("cron(0 0 1W * ? *)", "2024-05-15T00:00:00Z"), "2024-06-03T00:00:00.000Z");
  // 6L: the last Friday; MON#2: the second Monday; L in day-of-week: Saturday.
  EXPECT_EQ(Next("cron(0 0 ? * 6L *)", "2024-03-02T00:00:00Z"), "2024-03-29T00:00:00.000Z");
  EXPECT_EQ(Next("cron(0 0 ? * MON#2 *)", "2024-03-02T00:00:00Z"), "2024-03-11T00:00:00.000Z");
  EXPECT_EQ(Next("cron(0 0 ? * 2#5 *)", "2024-03-02T00:00:00Z"), "2024-04-29T00:00:00.000Z");
  EXPECT_EQ(Next("cron(0 0 ? * L *)", "2024-03-10T00:00:00Z"), "2024-03-16T00:00:00.000Z");
}

TEST(ExpressionTest, TimeZones) {
  if (!TimeZone::Load("America/New_York").ok()) GTEST_SKIP() << "no zoneinfo on this system";
  // 09:00 in New York: 14:00 UTC in winter, 13:00 UTC in summer.
  EXPECT_EQ(Next("cron(0 9 * * ? *)", "2024-01-10T00:00:00Z", "America/New_York"),
            "2024-01-10T14:00:00.000Z");
  EXPECT_EQ(Next("cron(0 9 * * ? *)", "2024-07-10T00:00:00Z", "America/New_York"),
            "2024-07-10T13:00:00.000Z");
  // 02:30 does not exist on 2024-03-10 in New York: it moves on to 03:30 EDT (07:30 UTC).
  EXPECT_EQ(Next("cron(30 2 * * ? *)", "2024-03-10T05:00:00Z", "America/New_York"),
            "2024-03-10T07:30:00.000Z");
  // 01:30 happens twice on 2024-11-03: the first (EDT, 05:30 UTC) once, then the next day.
  EXPECT_EQ(Next("cron(30 1 * * ? *)", "2024-11-03T00:00:00Z", "America/New_York"),
            "2024-11-03T05:30:00.000Z");
  EXPECT_EQ(Next("cron(30 1 * * ? *)", "2024-11-03T05:30:00Z", "America/New_York"),
            "2024-11-04T06:30:00.000Z");
  EXPECT_EQ(Next("at(2030-06-01T12:00:00)", "2024-01-01T00:00:00Z", "Europe/Paris"),
            "2030-06-01T10:00:00.000Z");
  EXPECT_FALSE(TimeZone::Load("Mars/Olympus").ok());
  EXPECT_FALSE(TimeZone::Load("../etc/passwd").ok());
}

TEST(ExpressionTest, AtFiresOnce) {
  EXPECT_EQ(Next("at(2030-01-31T23:00:00)", "2024-01-01T00:00:00Z"), "2030-01-31T23:00:00.000Z");
  EXPECT_EQ(Next("at(2020-01-31T23:00:00)", "2024-01-01T00:00:00Z"), "none");
}

}  // namespace
}  // namespace stator::schedules
