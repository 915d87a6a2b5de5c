#include "dynamodb/number.h"

#include <gtest/gtest.h>

namespace stator::dynamodb {
namespace {

std::string Canon(const char* text) {
  auto n = Number::Parse(text);
  return n.ok() ? n->ToString() : "error: " + n.error().cause;
}

std::string Sum(const char* a, const char* b) {
  auto r = Number::Add(*Number::Parse(a), *Number::Parse(b));
  return r.ok() ? r->ToString() : "error: " + r.error().cause;
}

TEST(NumberTest, CanonicalText) {
  EXPECT_EQ(Canon("1.50"), "1.5");
  EXPECT_EQ(Canon("1e3"), "1000");
  EXPECT_EQ(Canon("-0.0"), "0");
  EXPECT_EQ(Canon("+7"), "7");
  EXPECT_EQ(Canon("007.0100"), "7.01");
  EXPECT_EQ(Canon("1E-5"), "0.00001");
  EXPECT_EQ(Canon(".5"), "0.5");
  EXPECT_EQ(Canon("5."), "5");
  EXPECT_EQ(Canon("-12.345e2"), "-1234.5");
  EXPECT_EQ(Canon("1e125"), "1" + std::string(125, '0'));
}

TEST(NumberTest, Errors) {
  EXPECT_EQ(Canon("abc"), std::string("error: ") + kNumberNotANumber);
  EXPECT_EQ(Canon(""), std::string("error: ") + kNumberNotANumber);
  EXPECT_EQ(Canon("1e"), std::string("error: ") + kNumberNotANumber);
  EXPECT_EQ(Canon("1.2.3"), std::string("error: ") + kNumberNotANumber);
  EXPECT_EQ(Canon(" 1"), std::string("error: ") + kNumberNotANumber);
  EXPECT_EQ(Canon("NaN"), std::string("error: ") + kNumberNotANumber);
  EXPECT_EQ(Canon("1e126"), std::string("error: ") + kNumberOverflow);
  EXPECT_EQ(Canon("1e-131"), std::string("error: ") + kNumberUnderflow);
  EXPECT_EQ(Canon("1e-130"), "0." + std::string(129, '0') + "1");
  // 38 significant digits fit, 39 do not; zeros around them do not count.
  EXPECT_EQ(Canon("12345678901234567890123456789012345678"),
            "12345678901234567890123456789012345678");
  EXPECT_EQ(Canon("123456789012345678901234567890123456789"),
            std::string("error: ") + kNumberTooPrecise);
  EXPECT_EQ(Canon("0.000123456789012345678901234567890123456780000"),
            "0.00012345678901234567890123456789012345678");
}

TEST(NumberTest, ExactArithmetic) {
  EXPECT_EQ(Sum("0.1", "0.2"), "0.3");
  EXPECT_EQ(Sum("1", "-1"), "0");
  EXPECT_EQ(Sum("-5", "3"), "-2");
  EXPECT_EQ(Sum("99999999999999999999999999999999999999", "1"),
            "100000000000000000000000000000000000000");
  EXPECT_EQ(Sum("1e100", "1"), std::string("error: ") + kNumberTooPrecise);
  EXPECT_EQ(Sum("9.9999999999999999999999999999999999999e125", "1e125"),
            std::string("error: ") + kNumberOverflow);
  auto d = Number::Subtract(*Number::Parse("10.5"), *Number::Parse("0.25"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->ToString(), "10.25");
}

TEST(NumberTest, Compare) {
  auto n = [](const char* t) { return *Number::Parse(t); };
  EXPECT_LT(n("2").Compare(n("10")), 0);
  EXPECT_GT(n("-2").Compare(n("-10")), 0);
  EXPECT_EQ(n("1.0").Compare(n("1")), 0);
  EXPECT_LT(n("-1").Compare(n("0")), 0);
  EXPECT_LT(n("0.001").Compare(n("0.01")), 0);
  EXPECT_GT(n("100").Compare(n("99.999")), 0);
}

}  // namespace
}  // namespace stator::dynamodb
