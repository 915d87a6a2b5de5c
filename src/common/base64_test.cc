#include "common/base64.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace stator {
namespace {

TEST(Base64, RoundTrip) {
  const std::vector<std::string> samples = {"",     "f",     "fo",     "foo",
                                            "foob", "fooba", "foobar", std::string("\0\xff", 2)};
  for (const std::string& s : samples) {
    for (Base64Padding p : {Base64Padding::kRequired, Base64Padding::kOptional}) {
      auto d = Base64Decode(Base64Encode(s), p);
      ASSERT_TRUE(d.ok()) << s;
      EXPECT_EQ(*d, s);
    }
  }
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
}

TEST(Base64, RequiredPadding) {
  EXPECT_FALSE(Base64Decode("Zm9").ok());       // unpadded
  EXPECT_FALSE(Base64Decode("Zm9*").ok());      // not a letter
  EXPECT_FALSE(Base64Decode("Zg==Zg==").ok());  // padding in the middle
  EXPECT_FALSE(Base64Decode("Zm 9v").ok());     // whitespace
  EXPECT_FALSE(Base64Decode("Z===").ok());      // three '='
  EXPECT_EQ(Base64Decode("Zm9vYg==").value(), "foob");
}

TEST(Base64, OptionalPaddingAsJavasBasicDecoder) {
  const auto kOpt = Base64Padding::kOptional;
  EXPECT_EQ(Base64Decode("YWI", kOpt).value(), "ab");
  EXPECT_EQ(Base64Decode("YWI=", kOpt).value(), "ab");
  EXPECT_EQ(Base64Decode("Zg", kOpt).value(), "f");
  EXPECT_FALSE(Base64Decode("Zg=", kOpt).ok());  // padding present but incomplete
  EXPECT_FALSE(Base64Decode("Z", kOpt).ok());    // a lone letter is not a byte
  EXPECT_FALSE(Base64Decode("ZmZmZ", kOpt).ok());
  EXPECT_FALSE(Base64Decode("a*b=", kOpt).ok());
  EXPECT_FALSE(Base64Decode("Zg==Zg", kOpt).ok());
}

TEST(Base64, UrlSafeLettersOnlyWhenAsked) {
  EXPECT_FALSE(Base64Decode("-_8=").ok());
  auto d = Base64Decode("-_8=", Base64Padding::kRequired, Base64Letters::kStandardOrUrlSafe);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, Base64Decode("+/8=").value());
  EXPECT_FALSE(Base64Decode("-_8", Base64Padding::kRequired, Base64Letters::kStandardOrUrlSafe)
                   .ok());  // still padded
}

}  // namespace
}  // namespace stator
