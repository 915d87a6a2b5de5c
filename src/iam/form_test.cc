#include "iam/form.h"

#include <gtest/gtest.h>

#include "common/percent_encoding.h"

namespace stator::iam {
namespace {

FormPairs Parse(std::string_view body) {
  auto r = ParseForm(body);
  EXPECT_TRUE(r.ok()) << body << ": " << (r.ok() ? "" : r.error().cause);
  return r.ok() ? *r : FormPairs{};
}

TEST(FormTest, ParsesWhatBotocoreSends) {
  FormPairs want = {{"Action", "CreateRole"},
                    {"Version", "2010-05-08"},
                    {"RoleName", "my-role"},
                    {"AssumeRolePolicyDocument", "{\"Version\": \"2012-10-17\"}"}};
  EXPECT_EQ(Parse("Action=CreateRole&Version=2010-05-08&RoleName=my-role&"
                  "AssumeRolePolicyDocument=%7B%22Version%22%3A%20%222012-10-17%22%7D"),
            want);
}

TEST(FormTest, PlusIsASpaceAndEscapesAreBytes) {
  EXPECT_EQ(Parse("a=x+y%2By%20z"), (FormPairs{{"a", "x y+y z"}}));
  EXPECT_EQ(Parse("a=%c3%a9%C3%A9"), (FormPairs{{"a", "\xC3\xA9\xC3\xA9"}}));
  EXPECT_EQ(Parse("a=%00"), (FormPairs{{"a", std::string(1, '\0')}}));
  EXPECT_EQ(Parse("Tags.member.1.Key=k%3D"), (FormPairs{{"Tags.member.1.Key", "k="}}));
}

TEST(FormTest, EmptyPairsValuesAndNames) {
  EXPECT_EQ(Parse(""), FormPairs{});
  EXPECT_EQ(Parse("&&"), FormPairs{});
  EXPECT_EQ(Parse("a=1&&b=2&"), (FormPairs{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(Parse("a&b="), (FormPairs{{"a", ""}, {"b", ""}}));
  EXPECT_EQ(Parse("=v"), (FormPairs{{"", "v"}}));
  EXPECT_EQ(Parse("a=b=c"), (FormPairs{{"a", "b=c"}}));
  EXPECT_EQ(Parse("a=1&a=2"), (FormPairs{{"a", "1"}, {"a", "2"}}));
}

TEST(FormTest, RejectsBrokenEscapes) {
  for (const char* body : {"a=%", "a=%4", "a=%zz", "a=%4g&b=1", "%=1", "a=1&b%2"}) {
    auto r = ParseForm(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().error, "MalformedForm");
  }
  auto r = ParseForm("abc=%zz");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().cause, "'%' not followed by two hex digits at byte 4");
}

TEST(FormTest, PercentEncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(PercentEncode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(PercentEncode("{\"a\": 1}\n"), "%7B%22a%22%3A%201%7D%0A");
  EXPECT_EQ(PercentEncode("+/=&%"), "%2B%2F%3D%26%25");
  EXPECT_EQ(PercentEncode("\xC3\xA9"), "%C3%A9");
  EXPECT_EQ(PercentEncode(std::string(1, '\0')), "%00");
}

TEST(FormTest, RoundTrip) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  auto r = ParseForm("x=" + PercentEncode(all));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].second, all);
}

}  // namespace
}  // namespace stator::iam
