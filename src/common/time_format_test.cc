#include "common/time_format.h"

#include <gtest/gtest.h>

namespace stator {
namespace {

TEST(TimeFormatTest, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(1709720653123), "2024-03-06T10:24:13.123Z");
  EXPECT_EQ(FormatTimestamp(951782400000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31T23:59:59.999Z");
}

TEST(TimeFormatTest, ParsesRfc3339) {
  EXPECT_EQ(ParseTimestamp("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseTimestamp("2024-03-06T10:24:13.123Z"), 1709720653123);
  EXPECT_EQ(ParseTimestamp("2024-03-06T10:24:13.1Z"), 1709720653100);
  EXPECT_EQ(ParseTimestamp("2024-03-06T10:24:13.123456789Z"), 1709720653123);
  EXPECT_EQ(ParseTimestamp("2016-03-14T01:59:00Z"), 1457920740000);
  EXPECT_EQ(ParseTimestamp("2012-10-09T19:00:55+01:00"), ParseTimestamp("2012-10-09T18:00:55Z"));
  EXPECT_EQ(ParseTimestamp("2012-10-09T19:00:55-02:30"), ParseTimestamp("2012-10-09T21:30:55Z"));
  EXPECT_EQ(ParseTimestamp("2000-02-29T00:00:00Z"), 951782400000);
}

TEST(TimeFormatTest, RoundTrips) {
  for (int64_t t : {0LL, 1LL, 999LL, 1709720653123LL, 253402300799999LL, -86400000LL}) {
    EXPECT_EQ(ParseTimestamp(FormatTimestamp(t)), t) << t;
  }
}

TEST(TimeFormatTest, RejectsWhatAwsRejects) {
  // The recorded invalid Wait timestamps (scenarios/test_wait_timestamp_invalid).
  for (const char* bad :
       {"2016-12-05 21:29:29Z", "2016-12-05T21:29:29", "2016-13-05T21:29:29Z",
        "2016-12-05T25:29:29Z", "05-12-2016T21:29:29Z", "{% '2016-03-14T01:59:00Z' %}"}) {
    EXPECT_FALSE(ParseTimestamp(bad).has_value()) << bad;
  }
  for (const char* bad :
       {"", "2023-02-24", "2012-10-09t19:00:55Z", "2012-10-09T19:00:55z", "2023-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z", "2012-10-09T19:00:55.Z", "2012-10-09T19:00:55+0100",
        "2012-10-09T19:00:55+01:00 ", "2012-10-09T19:60:00Z", "2023-02-24 12:15:56.832957",
        "2012-10-09T19:00:55+24:00", "HelloWorld", "2012-10-09T19:00:55ZZ"}) {
    EXPECT_FALSE(ParseTimestamp(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace stator
