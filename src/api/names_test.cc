#include "api/names.h"

#include <gtest/gtest.h>

namespace stator::api {
namespace {

TEST(NamesTest, AcceptsOrdinaryAndUnicodeNames) {
  for (const char* n : {"a", "My-Machine_1.v2",
                        "\xC3\x9C"
                        "ber",
                        "\xE6\x97\xA5\xE6\x9C\xAC"}) {
    EXPECT_TRUE(IsValidResourceName(n)) << n;
  }
}

TEST(NamesTest, RejectsWhatAwsRejects) {
  for (char c : std::string(" <>{}[]?*\"#%\\^|~`$&,;:/\t\n\x1f\x7f")) {
    EXPECT_FALSE(IsValidResourceName(std::string("a") + c + "b")) << int(c);
  }
  EXPECT_FALSE(IsValidResourceName(std::string("\0a", 2)));
  EXPECT_FALSE(IsValidResourceName("a\xC2\x85"));      // U+0085
  EXPECT_FALSE(IsValidResourceName("a\xC2\xA0"));      // no-break space
  EXPECT_FALSE(IsValidResourceName("a\xE3\x80\x80"));  // ideographic space
  EXPECT_FALSE(IsValidResourceName("a\xFF"));          // not UTF-8
  EXPECT_FALSE(IsValidResourceName("a\xED\xA0\x80"));  // a surrogate
  EXPECT_FALSE(IsValidResourceName(""));
}

}  // namespace
}  // namespace stator::api
