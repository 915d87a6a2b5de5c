#include "jsonata/js_string.h"

#include <gtest/gtest.h>

namespace stator::jsonata {
namespace {

TEST(JsString, Utf16RoundTrip) {
  EXPECT_EQ(ToUtf16("aé€😀"), std::u16string(u"a\u00e9\u20ac\U0001F600"));
  EXPECT_EQ(ToUtf16("😀").size(), 2u);
  EXPECT_EQ(ToUtf8(u"a\u00e9\u20ac\U0001F600"), "aé€😀");
  // A lone surrogate survives as its three-byte form, and back.
  std::string lone = ToUtf8(std::u16string(1, u'\xD83D'));
  EXPECT_EQ(lone, "\xED\xA0\xBD");
  EXPECT_EQ(ToUtf16(lone), std::u16string(1, u'\xD83D'));
  // Malformed UTF-8 reads as U+FFFD.
  EXPECT_EQ(ToUtf16("a\xFFz"), std::u16string(u"a\ufffdz"));
  EXPECT_EQ(ToCodePoints("a😀").size(), 2u);
  EXPECT_EQ(FromCodePoints(U"a\U0001F600"), "a😀");
}

TEST(JsString, JoinSurrogatesRejoinsHalvesThatMeet) {
  std::string high = ToUtf8(std::u16string(1, u'\xD83D'));
  std::string low = ToUtf8(std::u16string(1, u'\xDE00'));
  EXPECT_EQ(JoinSurrogates(high + low), "😀");
  EXPECT_EQ(JoinSurrogates("x" + high + "y" + low), "x" + high + "y" + low);
  EXPECT_EQ(JoinSurrogates("plain"), "plain");
}

TEST(JsString, CaseMappingAsV8) {
  EXPECT_EQ(JsToUpper("straße ǆ ﬁ ŉ éà ωσ ж"), "STRASSE Ǆ FI ʼN ÉÀ ΩΣ Ж");
  EXPECT_EQ(JsToLower("ÀÉ ΩΣ Ж Ǆ"), "àé ως ж ǆ");  // final sigma at the end of a word
  EXPECT_EQ(JsToLower("ΣΑΣ Σ"), "σας σ");          // a lone capital sigma is not final
  EXPECT_EQ(JsToLower("İ"), "i\xCC\x87");
  EXPECT_EQ(JsToUpper("ÿ"), "Ÿ");
  EXPECT_EQ(SimpleUpper(U'ǅ'), U'Ǆ');
  EXPECT_EQ(SimpleLower(U'ǅ'), U'ǆ');
}

}  // namespace
}  // namespace stator::jsonata
