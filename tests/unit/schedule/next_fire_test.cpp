// next_fire: AWS's examples on a calendar, the special characters, Feb 29, the year bounds and
// DST changes (EventBridge Scheduler: a skipped time does not fire, a repeated hour fires once).
#include <gtest/gtest.h>

#include "lambdad/schedule/expression.hpp"

namespace lambdad::schedule {
namespace {

TimePoint at(const std::string& text) {
  return parse_timestamp(text);
}

/// The next fire of `expression` after `after` in `zone`, as text ("none" when there is none).
std::string next(const std::string& expression, const std::string& after,
                 const std::string& zone = "UTC") {
  auto time = next_fire(Expression::parse(expression, true), at(after), TimeZone::locate(zone));
  return time ? format_utc(*time) : "none";
}

struct Case {
  const char* expression;
  const char* after;
  const char* expected;
};

TEST(NextFireTest, AwsExamplesInUtc) {
  // 2026-12-07 is a Monday, 2026-12-11 a Friday.
  for (const Case& c : std::initializer_list<Case>{
           {"cron(0 10 * * ? *)", "2026-12-07T17:14:00Z", "2026-12-08T10:00:00Z"},
           {"cron(15 12 * * ? *)", "2026-12-07T12:15:00Z", "2026-12-08T12:15:00Z"},
           {"cron(15 12 * * ? *)", "2026-12-07T12:14:59Z", "2026-12-07T12:15:00Z"},
           {"cron(0 18 ? * MON-FRI *)", "2026-12-11T18:00:00Z", "2026-12-14T18:00:00Z"},
           {"cron(0 18 ? * MON-FRI *)", "2026-12-08T07:00:00Z", "2026-12-08T18:00:00Z"},
           {"cron(0 8 1 * ? *)", "2026-12-07T17:14:00Z", "2027-01-01T08:00:00Z"},
           {"cron(0/15 * * * ? *)", "2026-12-07T17:14:00Z", "2026-12-07T17:15:00Z"},
           {"cron(0/15 * * * ? *)", "2026-12-07T23:45:00Z", "2026-12-08T00:00:00Z"},
           {"cron(0/10 * ? * MON-FRI *)", "2026-12-11T23:55:00Z", "2026-12-14T00:00:00Z"},
           {"cron(0/5 8-17 ? * MON-FRI *)", "2026-12-11T17:54:00Z", "2026-12-11T17:55:00Z"},
           {"cron(0/5 8-17 ? * MON-FRI *)", "2026-12-11T17:56:00Z", "2026-12-14T08:00:00Z"},
           {"cron(0 9 ? * 2#1 *)", "2026-12-01T00:00:00Z", "2026-12-07T09:00:00Z"},
           {"cron(0 9 ? * 2#1 *)", "2026-12-07T09:00:00Z", "2027-01-04T09:00:00Z"},
           {"cron(1/10 * * * ? *)", "2026-12-07T17:14:00Z", "2026-12-07T17:21:00Z"},
       }) {
    EXPECT_EQ(next(c.expression, c.after), c.expected) << c.expression << " after " << c.after;
  }
}

TEST(NextFireTest, LastAndWeekdaySpecials) {
  for (const Case& c : std::initializer_list<Case>{
           // L: the last day; Feb 2027 has 28 days, Feb 2028 29.
           {"cron(0 0 L * ? *)", "2027-02-01T00:00:00Z", "2027-02-28T00:00:00Z"},
           {"cron(0 0 L * ? *)", "2028-02-01T00:00:00Z", "2028-02-29T00:00:00Z"},
           {"cron(0 0 L * ? *)", "2026-04-30T00:00:00Z", "2026-05-31T00:00:00Z"},
           {"cron(0 0 L-2 * ? *)", "2026-02-01T00:00:00Z", "2026-02-26T00:00:00Z"},
           // LW: May 2026 ends on a Sunday, so its last weekday is Friday the 29th.
           {"cron(0 0 LW * ? *)", "2026-05-01T00:00:00Z", "2026-05-29T00:00:00Z"},
           {"cron(0 0 LW * ? *)", "2026-11-01T00:00:00Z", "2026-11-30T00:00:00Z"},
           // nW: 1 Aug 2026 is a Saturday: Monday the 3rd (not July); 15 Aug too: Friday 14th.
           {"cron(0 0 1W * ? *)", "2026-07-15T00:00:00Z", "2026-08-03T00:00:00Z"},
           {"cron(0 0 15W * ? *)", "2026-08-01T00:00:00Z", "2026-08-14T00:00:00Z"},
           {"cron(0 0 15W * ? *)", "2026-12-01T00:00:00Z", "2026-12-15T00:00:00Z"},
           // 31W: September has no 31st; 31 Oct 2026 is a Saturday: Friday the 30th.
           {"cron(0 0 31W * ? *)", "2026-09-01T00:00:00Z", "2026-10-30T00:00:00Z"},
           // nL and L in day-of-week: the last Friday of Dec 2026 is the 25th; L is Saturday.
           {"cron(0 0 ? * 6L *)", "2026-12-07T00:00:00Z", "2026-12-25T00:00:00Z"},
           {"cron(0 0 ? * FRIL *)", "2026-12-07T00:00:00Z", "2026-12-25T00:00:00Z"},
           {"cron(0 0 ? * L *)", "2026-12-07T00:00:00Z", "2026-12-12T00:00:00Z"},
           // n#5: a fifth Tuesday; Dec 2026 has one (the 29th), Jan 2027 not, Mar 2027 does.
           {"cron(0 0 ? * 3#5 *)", "2026-12-01T00:00:00Z", "2026-12-29T00:00:00Z"},
           {"cron(0 0 ? * 3#5 *)", "2026-12-30T00:00:00Z", "2027-03-30T00:00:00Z"},
       }) {
    EXPECT_EQ(next(c.expression, c.after), c.expected) << c.expression << " after " << c.after;
  }
}

TEST(NextFireTest, LeapDaysAndYearBounds) {
  EXPECT_EQ(next("cron(0 0 29 2 ? *)", "2026-12-07T00:00:00Z"), "2028-02-29T00:00:00Z");
  EXPECT_EQ(next("cron(0 0 29 2 ? 2029-2031)", "2026-12-07T00:00:00Z"), "none");
  EXPECT_EQ(next("cron(0 0 30 2 ? *)", "2026-12-07T00:00:00Z"), "none");
  EXPECT_EQ(next("cron(0 0 1 1 ? 2199)", "2026-12-07T00:00:00Z"), "2199-01-01T00:00:00Z");
  EXPECT_EQ(next("cron(59 23 31 12 ? 2199)", "2199-12-31T23:58:00Z"), "2199-12-31T23:59:00Z");
  EXPECT_EQ(next("cron(0 0 1 1 ? 2199)", "2199-01-01T00:00:00Z"), "none");
  EXPECT_EQ(next("cron(0 0 1 1 ? 1970-1975)", "2026-12-07T00:00:00Z"), "none");
  EXPECT_EQ(next("cron(0 12 ? * MON 2027/2)", "2026-12-07T00:00:00Z"), "2027-01-04T12:00:00Z");
}

TEST(NextFireTest, RatesCountFromTheirAnchor) {
  const Expression rate = Expression::parse("rate(5 minutes)", false);
  const TimePoint anchor = at("2026-12-07T17:02:30Z");
  auto fire = [&](const char* after) {
    return format_utc(*next_fire(rate, at(after), TimeZone(), anchor));
  };
  EXPECT_EQ(fire("2026-12-07T17:00:00Z"), "2026-12-07T17:02:30Z");
  EXPECT_EQ(fire("2026-12-07T17:02:30Z"), "2026-12-07T17:07:30Z");
  EXPECT_EQ(fire("2026-12-07T17:07:29Z"), "2026-12-07T17:07:30Z");
  EXPECT_EQ(fire("2026-12-08T00:00:00Z"), "2026-12-08T00:02:30Z");
}

TEST(NextFireTest, RateInDaysIsTwentyFourHoursAcrossDst) {
  // AWS: "days" is a 24-hour duration; across New York's spring-forward the wall-clock time
  // moves from 09:00 to 10:00.
  const Expression daily = Expression::parse("rate(1 day)", true);
  const TimeZone york = TimeZone::locate("America/New_York");
  const TimePoint anchor = at("2026-03-07T14:00:00Z");  // 09:00 EST
  const TimePoint fire = *next_fire(daily, anchor, york, anchor);
  EXPECT_EQ(format_utc(fire), "2026-03-08T14:00:00Z");  // 10:00 EDT
}

TEST(NextFireTest, TimeZonesShiftCron) {
  EXPECT_EQ(next("cron(0 9 * * ? *)", "2026-12-07T00:00:00Z", "Europe/Paris"),
            "2026-12-07T08:00:00Z");
  EXPECT_EQ(next("cron(0 9 * * ? *)", "2026-07-07T00:00:00Z", "Europe/Paris"),
            "2026-07-07T07:00:00Z");
  EXPECT_EQ(next("cron(0 9 * * ? *)", "2026-07-07T08:00:00Z", "Asia/Kolkata"),
            "2026-07-08T03:30:00Z");
  // Local midnight on the first of the month, seen from UTC the day before.
  EXPECT_EQ(next("cron(0 0 1 * ? *)", "2026-12-31T12:00:00Z", "Asia/Tokyo"),
            "2026-12-31T15:00:00Z");
  EXPECT_EQ(next("cron(0 0 1 * ? *)", "2026-12-31T12:00:00Z", "Pacific/Honolulu"),
            "2027-01-01T10:00:00Z");
}

TEST(NextFireTest, NewYorkDstChanges) {
  // 2026-03-08 02:00 EST -> 03:00 EDT; 2026-11-01 02:00 EDT -> 01:00 EST.
  const char* york = "America/New_York";
  // 02:30 does not exist on 8 March: skipped, the next is 9 March 02:30 EDT.
  EXPECT_EQ(next("cron(30 2 * * ? *)", "2026-03-07T08:00:00Z", york), "2026-03-09T06:30:00Z");
  // Hourly: 01:00 EST then 03:00 EDT, one hour later in UTC.
  EXPECT_EQ(next("cron(0 * * * ? *)", "2026-03-08T06:00:00Z", york), "2026-03-08T07:00:00Z");
  EXPECT_EQ(next("cron(0 * * * ? *)", "2026-03-08T05:30:00Z", york), "2026-03-08T06:00:00Z");
  // 01:30 happens twice on 1 November: it fires at the first (EDT), not at the second (EST).
  EXPECT_EQ(next("cron(30 1 * * ? *)", "2026-11-01T00:00:00Z", york), "2026-11-01T05:30:00Z");
  EXPECT_EQ(next("cron(30 1 * * ? *)", "2026-11-01T05:30:00Z", york), "2026-11-02T06:30:00Z");
  // Hourly through the repeated hour: 01:00 EDT, then 02:00 EST (01:00 EST is not repeated).
  EXPECT_EQ(next("cron(0 * * * ? *)", "2026-11-01T05:00:00Z", york), "2026-11-01T07:00:00Z");
  // Every 15 minutes: 01:45 EDT is followed by 02:00 EST, an hour and a quarter later.
  EXPECT_EQ(next("cron(0/15 * * * ? *)", "2026-11-01T05:45:00Z", york), "2026-11-01T07:00:00Z");
}

TEST(NextFireTest, LondonDstChanges) {
  // 2026-03-29 01:00 GMT -> 02:00 BST; 2026-10-25 02:00 BST -> 01:00 GMT.
  const char* london = "Europe/London";
  EXPECT_EQ(next("cron(30 1 * * ? *)", "2026-03-28T12:00:00Z", london), "2026-03-30T00:30:00Z");
  EXPECT_EQ(next("cron(30 2 * * ? *)", "2026-03-28T12:00:00Z", london), "2026-03-29T01:30:00Z");
  EXPECT_EQ(next("cron(30 1 * * ? *)", "2026-10-24T12:00:00Z", london), "2026-10-25T00:30:00Z");
  EXPECT_EQ(next("cron(30 1 * * ? *)", "2026-10-25T00:30:00Z", london), "2026-10-26T01:30:00Z");
}

TEST(NextFireTest, AtFiresOnce) {
  EXPECT_EQ(next("at(2027-01-01T00:00:00)", "2026-12-07T00:00:00Z"), "2027-01-01T00:00:00Z");
  EXPECT_EQ(next("at(2027-01-01T00:00:00)", "2027-01-01T00:00:00Z"), "none");
  EXPECT_EQ(next("at(2027-01-01T09:00:00)", "2026-12-07T00:00:00Z", "Europe/Paris"),
            "2027-01-01T08:00:00Z");
  // Inside New York's spring-forward gap: when the gap ends (03:00 EDT).
  EXPECT_EQ(next("at(2026-03-08T02:30:00)", "2026-03-01T00:00:00Z", "America/New_York"),
            "2026-03-08T07:00:00Z");
  // In the repeated hour: the first 01:30 (EDT).
  EXPECT_EQ(next("at(2026-11-01T01:30:00)", "2026-10-01T00:00:00Z", "America/New_York"),
            "2026-11-01T05:30:00Z");
}

}  // namespace
}  // namespace lambdad::schedule
