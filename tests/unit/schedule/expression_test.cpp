// Parsing of rate(), cron() and at(): every example of AWS's docs, the special characters, and
// what AWS rejects.
#include "lambdad/schedule/expression.hpp"

#include <gtest/gtest.h>

namespace lambdad::schedule {
namespace {

std::string error_of(const std::string& text, bool allow_at = true) {
  try {
    Expression::parse(text, allow_at);
    return "";
  } catch (const ScheduleError& error) {
    return error.what();
  }
}

TEST(ScheduleExpressionTest, AcceptsAwsDocumentationExamples) {
  for (const char* text : {"cron(0 10 * * ? *)",
                           "cron(15 12 * * ? *)",
                           "cron(0 18 ? * MON-FRI *)",
                           "cron(0 8 1 * ? *)",
                           "cron(0/15 * * * ? *)",
                           "cron(0/10 * ? * MON-FRI *)",
                           "cron(0/5 8-17 ? * MON-FRI *)",
                           "cron(0 9 ? * 2#1 *)",
                           "cron(0 12 * * ? *)",
                           "cron(15 10 ? * 6L 2022-2023)",
                           "cron(0 8 1W * ? *)",
                           "cron(0 0 L * ? *)",
                           "cron(0 0 LW * ? *)",
                           "cron(0 0 L-3 * ? *)",
                           "cron(0,30 * ? JAN-MAR,DEC SUN *)",
                           "cron(*/5 * * * ? *)",
                           "cron(0 0 ? * L *)",
                           "cron(1/10 * * * ? 1970-2199)",
                           "cron(0 0 ? * mon-fri *)",
                           "cron(0 0 1 jan ? *)",
                           "cron(0 0 ? * FRI-MON *)",
                           "cron(0 0 ? * FRIL *)",
                           "cron(0 0 ? * SUN#5 *)",
                           "cron( 0  10 * * ? * )",
                           "rate(1 minute)",
                           "rate(5 minutes)",
                           "rate(1 hour)",
                           "rate(12 hours)",
                           "rate(1 day)",
                           "rate(7 days)",
                           "at(2030-01-01T00:00:00)",
                           "at(2028-02-29T23:59:59)"}) {
    EXPECT_EQ(error_of(text), "") << text;
  }
}

TEST(ScheduleExpressionTest, RejectsWhatAwsRejects) {
  for (const char* text : {"cron(0 12 * * *)",
                           "cron(0 0 * * * *)",
                           "cron(0 0 ? * ? *)",
                           "cron(0 0 * * ? * *)",
                           "cron(60 * * * ? *)",
                           "cron(0 24 * * ? *)",
                           "cron(0 0 0 * ? *)",
                           "cron(0 0 32 * ? *)",
                           "cron(0 0 ? 13 * *)",
                           "cron(0 0 ? 0 * *)",
                           "cron(0 0 ? * 0 *)",
                           "cron(0 0 ? * 8 *)",
                           "cron(0 0 * * ? 1969)",
                           "cron(0 0 * * ? 2200)",
                           "cron(0 0 * * ? 2030-2025)",
                           "cron(0/0 * * * ? *)",
                           "cron(0 0 ? * 3#1,6#3 *)",
                           "cron(0 0 ? * 2#6 *)",
                           "cron(0 0 ? * 2#0 *)",
                           "cron(0 0 32W * ? *)",
                           "cron(0 0 0W * ? *)",
                           "cron(0 0 L-31 * ? *)",
                           "cron(0 0 ?,1 * ? *)",
                           "cron(0 0 1, * ? *)",
                           "cron(0 0 JAN * ? *)",
                           "cron(0 0 ? * MONDAY *)",
                           "cron(0 0 ? * 8L *)",
                           "cron()",
                           "cron 0 0 * * ? *",
                           "rate(1 minutes)",
                           "rate(0 minutes)",
                           "rate(2 minute)",
                           "rate(5 seconds)",
                           "rate(five minutes)",
                           "rate(-1 minutes)",
                           "rate(5  minutes)",
                           "rate(99999999999 days)",
                           "at(2030-02-30T00:00:00)",
                           "at(2030-01-01T24:00:00)",
                           "at(2030-01-01 00:00:00)",
                           "at(2030-01-01)",
                           "every day",
                           ""}) {
    EXPECT_NE(error_of(text), "") << text;
  }
}

TEST(ScheduleExpressionTest, AtIsForTheSchedulerOnly) {
  EXPECT_EQ(error_of("at(2030-01-01T00:00:00)", false), "must be rate(...) or cron(...)");
  EXPECT_EQ(error_of("every day", true), "must be rate(...), cron(...) or at(...)");
}

TEST(ScheduleExpressionTest, MessagesSayWhatIsWrong) {
  EXPECT_EQ(error_of("cron(0 25 * * ? *)"), "cron(): bad hours field '25'");
  EXPECT_EQ(error_of("rate(1 minutes)"), "rate(1 ...) takes a singular unit (minute, hour, day)");
  EXPECT_EQ(error_of("rate(2 hour)"),
            "rate() with a value above 1 takes a plural unit (minutes, hours, days)");
  EXPECT_EQ(error_of("rate(0 minutes)"), "rate() needs a value of 1 or more");
  EXPECT_EQ(error_of("cron(0 12 * * *)"),
            "cron() needs 6 fields (minutes hours day-of-month month day-of-week year), got 5");
  EXPECT_EQ(error_of("cron(0 0 * * * *)"),
            "cron(): exactly one of day-of-month and day-of-week must be '?'");
  EXPECT_EQ(kInvalidExpression, "Parameter ScheduleExpression is not valid.");
}

TEST(ScheduleExpressionTest, RatesAreDurations) {
  EXPECT_EQ(Expression::parse("rate(1 minute)", false).rate(), std::chrono::minutes(1));
  EXPECT_EQ(Expression::parse("rate(3 hours)", false).rate(), std::chrono::minutes(180));
  EXPECT_EQ(Expression::parse("rate(2 days)", false).rate(), std::chrono::minutes(2880));
  EXPECT_EQ(Expression::parse("rate(2 days)", false).kind(), Expression::Kind::rate);
}

TEST(ScheduleExpressionTest, CronFieldsExpandToSets) {
  const CronFields every15 = Expression::parse("cron(0/15 * * * ? *)", false).cron();
  EXPECT_EQ(every15.minutes,
            std::bitset<60>((1ULL << 0) | (1ULL << 15) | (1ULL << 30) | (1ULL << 45)));
  EXPECT_TRUE(every15.hours.all());
  EXPECT_TRUE(every15.day_of_week_any);
  EXPECT_EQ(every15.days.count(), 31u);
  EXPECT_EQ(every15.years.count(), 230u);

  const CronFields weekdays = Expression::parse("cron(0 18 ? * MON-FRI *)", false).cron();
  EXPECT_EQ(weekdays.weekdays, std::bitset<7>(0b0111110));  // bit 0 = Sunday
  EXPECT_TRUE(weekdays.day_of_month_any);

  const CronFields wrapping = Expression::parse("cron(0 22-2 ? NOV-FEB FRI-MON *)", false).cron();
  EXPECT_EQ(wrapping.hours, std::bitset<24>((1 << 22) | (1 << 23) | 0b111));
  EXPECT_EQ(wrapping.months, std::bitset<13>((1 << 11) | (1 << 12) | (1 << 1) | (1 << 2)));
  EXPECT_EQ(wrapping.weekdays, std::bitset<7>(0b1100011));

  const CronFields specials = Expression::parse("cron(0 0 L,L-2,LW,15W,1 * ? *)", false).cron();
  EXPECT_EQ(specials.last_day_offsets, (std::vector<int>{0, 2}));
  EXPECT_TRUE(specials.last_weekday);
  EXPECT_EQ(specials.nearest_weekdays, std::vector<int>{15});
  EXPECT_EQ(specials.days, std::bitset<32>(1 << 1));

  const CronFields nth = Expression::parse("cron(0 9 ? * 2#1 *)", false).cron();
  EXPECT_EQ(nth.nth_weekdays, (std::vector<std::pair<int, int>>{{1, 1}}));
  EXPECT_EQ(Expression::parse("cron(0 9 ? * 6L *)", false).cron().last_weekdays,
            std::vector<int>{5});
  EXPECT_EQ(Expression::parse("cron(0 9 ? * L *)", false).cron().weekdays, std::bitset<7>(1 << 6));
  const CronFields years = Expression::parse("cron(0 0 1 1 ? 2020/10)", false).cron();
  EXPECT_EQ(years.years.count(), 18u);  // 2020, 2030, ..., 2190
  EXPECT_TRUE(years.years.test(2020 - 1970));
  EXPECT_TRUE(years.years.test(2190 - 1970));
}

TEST(ScheduleExpressionTest, AtIsAWallClockTime) {
  using namespace std::chrono;
  const Expression at = Expression::parse("at(2028-02-29T23:59:59)", true);
  EXPECT_EQ(at.kind(), Expression::Kind::at);
  EXPECT_EQ(at.at(), local_days(2028y / February / 29) + 23h + 59min + 59s);
}

TEST(ScheduleExpressionTest, TimeZonesAndTimestamps) {
  EXPECT_EQ(TimeZone::locate("Europe/Paris").name(), "Europe/Paris");
  EXPECT_EQ(TimeZone::locate("UTC").name(), "UTC");
  EXPECT_THROW(TimeZone::locate("Mars/Olympus"), ScheduleError);
  EXPECT_THROW(TimeZone::locate(""), ScheduleError);
  EXPECT_EQ(format_utc(parse_timestamp("2025-01-01T01:00:00+01:00")), "2025-01-01T00:00:00Z");
  EXPECT_EQ(format_utc(parse_timestamp("2025-01-01T00:00:00.000Z")), "2025-01-01T00:00:00Z");
  EXPECT_EQ(format_utc(parse_timestamp("2025-06-30T12:30:00")), "2025-06-30T12:30:00Z");
  EXPECT_EQ(format_utc(parse_timestamp("2025-06-30T12:30-0230")), "2025-06-30T15:00:00Z");
  EXPECT_THROW(parse_timestamp("2025-02-29T00:00:00Z"), ScheduleError);
  EXPECT_THROW(parse_timestamp("tomorrow"), ScheduleError);
}

}  // namespace
}  // namespace lambdad::schedule
