#include "common/json.h"

#include <gtest/gtest.h>

namespace stator::json {
namespace {

Value P(std::string_view s) {
  auto r = Parse(s);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().cause);
  return r.ok() ? *r : Value();
}

TEST(JsonTest, RoundTripsCompactly) {
  EXPECT_EQ(P(R"( {"b": [1, 2.5, true, null], "a": {"x": "y"}} )").Dump(),
            R"({"b":[1,2.5,true,null],"a":{"x":"y"}})");
}

TEST(JsonTest, KeepsIntegersAndDoublesApart) {
  EXPECT_TRUE(P("1").is_int());
  EXPECT_TRUE(P("1.0").is_double());
  EXPECT_EQ(P("1.0").Dump(), "1.0");
  EXPECT_EQ(P("1e2").Dump(), "100.0");
  EXPECT_EQ(P("-0.5").Dump(), "-0.5");
  EXPECT_EQ(P("12345678.9").Dump(), "1.23456789E7");
  EXPECT_EQ(P("0.0001").Dump(), "1.0E-4");
  EXPECT_EQ(P("0.001").Dump(), "0.001");
  EXPECT_EQ(P("9223372036854775807").as_int(), INT64_MAX);
  EXPECT_TRUE(P("9223372036854775808").is_double());
  EXPECT_NE(P("1"), P("1.0"));
}

TEST(JsonTest, Strings) {
  EXPECT_EQ(P(R"("a\"b\\c\n\u0001/é")").Dump(), R"("a\"b\\c\n\u0001/é")");
  EXPECT_EQ(P(R"("\u00e9\ud83d\ude00")").as_string(), "é😀");
}

TEST(JsonTest, RejectsMalformed) {
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "tru", "01", "1.", "\"abc", "{} x", "-"}) {
    EXPECT_FALSE(Parse(bad).ok()) << bad;
  }
  auto r = Parse("[1, }");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().cause.find("offset 4"), std::string::npos) << r.error().cause;
}

TEST(JsonTest, DuplicateKeysLastWins) {
  EXPECT_EQ(P(R"({"a":1,"b":2,"a":3})").Dump(), R"({"a":3,"b":2})");
}

TEST(JsonTest, WithSharesAndKeepsOrder) {
  Value o = P(R"({"a":1,"b":{"c":2}})");
  Value o2 = o.With("a", Value::Int(5)).With("z", Value::Bool(false));
  EXPECT_EQ(o2.Dump(), R"({"a":5,"b":{"c":2},"z":false})");
  EXPECT_EQ(o.Dump(), R"({"a":1,"b":{"c":2}})");
  EXPECT_EQ(&o.Find("b")->as_object(), &o2.Find("b")->as_object());  // shared, not copied
}

TEST(JsonTest, EqualityIgnoresKeyOrder) {
  EXPECT_EQ(P(R"({"a":1,"b":2})"), P(R"({"b":2,"a":1})"));
  EXPECT_NE(P(R"([1,2])"), P(R"([2,1])"));
}

TEST(JsonTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep(100000, '[');
  EXPECT_FALSE(Parse(deep).ok());
}

}  // namespace
}  // namespace stator::json

namespace stator::json {
namespace {

TEST(JsonTest, OutOfRangeNumbers) {
  EXPECT_FALSE(Parse("[3.5,1e400]").ok());
  EXPECT_FALSE(Parse("-1e400").ok());
  auto tiny = Parse("[3.5,1e-400]");
  ASSERT_TRUE(tiny.ok());
  EXPECT_EQ(tiny->as_array()[1].as_double(), 0.0);
  auto big = Parse("123456789012345678901234567890");
  ASSERT_TRUE(big.ok());
  EXPECT_TRUE(big->is_double());
  EXPECT_EQ(big->Dump(), "1.2345678901234568E29");
}

TEST(JsonTest, LargeObjectsKeepOrderAndLastDuplicate) {
  std::string text = "{";
  for (int i = 0; i < 100; ++i) text += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  text += "\"k5\":\"five\",\"k50\":\"fifty\"}";
  auto r = Parse(text);
  ASSERT_TRUE(r.ok());
  const Object& o = r->as_object();
  ASSERT_EQ(o.size(), 100u);
  EXPECT_EQ(o[5].second.as_string(), "five");
  EXPECT_EQ(o[50].second.as_string(), "fifty");
  EXPECT_EQ(o[99].first, "k99");
}

// Containers nested in containers (the parser collects members on one shared scratch stack), a
// duplicate past the large-object threshold whose value is itself nested.
TEST(JsonTest, NestedContainersInALargeObject) {
  std::string text = "{";
  for (int i = 0; i < 40; ++i) {
    text +=
        "\"s" + std::to_string(i) + "\":{\"a\":[" + std::to_string(i) + ",{\"b\":[]}],\"c\":{}},";
  }
  text += "\"s3\":{\"x\":[1,[2,[3]]],\"x\":[4]},\"t\":[{},[],{\"u\":1}]}";
  auto r = Parse(text);
  ASSERT_TRUE(r.ok()) << r.error().cause;
  const Object& o = r->as_object();
  ASSERT_EQ(o.size(), 41u);
  EXPECT_EQ(o[3].second.Dump(), R"({"x":[4]})");
  EXPECT_EQ(o[39].second.Dump(), R"({"a":[39,{"b":[]}],"c":{}})");
  EXPECT_EQ(o[40].second.Dump(), R"([{},[],{"u":1}])");
  EXPECT_FALSE(Parse(text.substr(0, text.size() - 5)).ok());
}

}  // namespace
}  // namespace stator::json
