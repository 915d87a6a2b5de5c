#include "common/percent_encoding.h"

#include <gtest/gtest.h>

namespace stator {
namespace {

TEST(PercentEncodingTest, EncodesAllButUnreserved) {
  EXPECT_EQ(PercentEncode("aZ09-_.~"), "aZ09-_.~");
  EXPECT_EQ(PercentEncode("a b/c:d+é"), "a%20b%2Fc%3Ad%2B%C3%A9");
  EXPECT_EQ(PercentEncode(std::string("\0\xff", 2)), "%00%FF");
}

TEST(PercentEncodingTest, DecodesEitherCaseAndPlusOnlyWhenAsked) {
  EXPECT_EQ(PercentDecode("a%2fb%2Fc+d", false), "a/b/c+d");
  EXPECT_EQ(PercentDecode("a%2fb%2Fc+d", true), "a/b/c d");
  EXPECT_EQ(PercentDecode(PercentEncode("x y/é"), false), "x y/é");
}

TEST(PercentEncodingTest, BadEscapesAreKeptAndFound) {
  EXPECT_EQ(PercentDecode("50%", false), "50%");
  EXPECT_EQ(PercentDecode("%zz%4", false), "%zz%4");
  EXPECT_EQ(PercentDecode("%41%", false), "A%");
  EXPECT_EQ(FirstBadPercentEscape("ok%41"), std::string_view::npos);
  EXPECT_EQ(FirstBadPercentEscape("%41%4"), 3u);
  EXPECT_EQ(FirstBadPercentEscape("a%g1"), 1u);
  EXPECT_EQ(FirstBadPercentEscape("%"), 0u);
}

}  // namespace
}  // namespace stator
