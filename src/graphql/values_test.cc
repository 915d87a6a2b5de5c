#include "graphql/values.h"

#include <gtest/gtest.h>

#include "graphql/lexer.h"
#include "graphql/parser.h"
#include "graphql/scalars.h"
#include "graphql/suggestions.h"

namespace stator::graphql {
namespace {

json::Value J(std::string_view text) { return json::Parse(text).value(); }

TEST(ValuesTest, JsNumberToStringMatchesJavaScript) {
  EXPECT_EQ(JsNumberToString(1.0), "1");
  EXPECT_EQ(JsNumberToString(1.5), "1.5");
  EXPECT_EQ(JsNumberToString(-0.001), "-0.001");
  EXPECT_EQ(JsNumberToString(1e21), "1e+21");
  EXPECT_EQ(JsNumberToString(1e-7), "1e-7");
  EXPECT_EQ(JsNumberToString(123456789012345680000.0), "123456789012345680000");
  EXPECT_EQ(JsNumberToString(0.1 + 0.2), "0.30000000000000004");
}

TEST(ValuesTest, InspectMatchesGraphqlJs) {
  EXPECT_EQ(Inspect(J(R"({"a": [1, "x", null], "b": {"c": {"d": 1}}, "e": {}})")),
            R"({ a: [1, "x", null], b: { c: [Object] }, e: {} })");
  EXPECT_EQ(Inspect(J("[1,2,3,4,5,6,7,8,9,10,11,12]")),
            "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 2 more items]");
  EXPECT_EQ(Inspect(J("2.5")), "2.5");
}

TEST(ValuesTest, SuggestionsMatchGraphqlJs) {
  EXPECT_EQ(DidYouMean(SuggestionList("w", {"e", "x", "y", "z"})),
            " Did you mean \"e\", \"x\", \"y\", or \"z\"?");
  EXPECT_EQ(DidYouMean(SuggestionList("nmae", {"name", "age", "id"})), " Did you mean \"name\"?");
  EXPECT_EQ(DidYouMean(SuggestionList("strin", {"String", "Int"})), " Did you mean \"String\"?");
  EXPECT_EQ(DidYouMean({}), "");
}

TEST(ValuesTest, BlockStringsPrintAndDedentAsGraphqlJs) {
  EXPECT_EQ(BlockStringValue("\n    hello\n      world\n  "), "hello\n  world");
  EXPECT_EQ(BlockStringValue("  \n  \n"), "");
  EXPECT_EQ(PrintBlockString("abc"), "\"\"\"abc\"\"\"");
  EXPECT_EQ(PrintBlockString("a\nb"), "\"\"\"\na\nb\n\"\"\"");
  EXPECT_EQ(PrintBlockString("ends with \""), "\"\"\"\nends with \"\n\"\"\"");
  EXPECT_EQ(PrintBlockString("has \"\"\" inside"), "\"\"\"has \\\"\"\" inside\"\"\"");
  EXPECT_EQ(PrintBlockString(" leading space"), "\"\"\" leading space\"\"\"");
}

TEST(ValuesTest, AppSyncScalarValidators) {
  EXPECT_TRUE(IsAwsDate("1970-01-01"));
  EXPECT_TRUE(IsAwsDate("1970-01-01Z"));
  EXPECT_TRUE(IsAwsDate("1970-01-01-07:00"));
  EXPECT_TRUE(IsAwsDate("1970-01-01+05:30:15"));
  EXPECT_FALSE(IsAwsDate("1970-13-01"));
  EXPECT_FALSE(IsAwsDate("1970-01-01+0530"));
  EXPECT_FALSE(IsAwsDate("2023-02-29"));
  EXPECT_TRUE(IsAwsTime("12:30"));
  EXPECT_TRUE(IsAwsTime("12:30:15.123456789-08:00"));
  EXPECT_FALSE(IsAwsTime("24:00:00"));
  EXPECT_TRUE(IsAwsDateTime("2024-01-01T00:00:00.000Z"));
  EXPECT_TRUE(IsAwsDateTime("2024-01-01T00:00"));
  EXPECT_FALSE(IsAwsDateTime("2024-01-01 00:00:00Z"));
  EXPECT_TRUE(IsAwsEmail("user@example.com"));
  EXPECT_FALSE(IsAwsEmail("user@"));
  EXPECT_FALSE(IsAwsEmail("a b@c.d"));
  EXPECT_TRUE(IsAwsUrl("https://www.amazon.com/dp/B000NZW3KC/"));
  EXPECT_TRUE(IsAwsUrl("mailto:example@example.com"));
  EXPECT_FALSE(IsAwsUrl("www.amazon.com"));
  EXPECT_TRUE(IsAwsPhone("+1 555-123-4567"));
  EXPECT_TRUE(IsAwsPhone("(555) 123 4567"));
  EXPECT_FALSE(IsAwsPhone("call me"));
  EXPECT_TRUE(IsAwsIpAddress("192.168.0.1"));
  EXPECT_TRUE(IsAwsIpAddress("10.0.0.0/8"));
  EXPECT_TRUE(IsAwsIpAddress("::1"));
  EXPECT_TRUE(IsAwsIpAddress("2001:db8::ff00:42:8329/64"));
  EXPECT_FALSE(IsAwsIpAddress("256.1.1.1"));
  EXPECT_FALSE(IsAwsIpAddress("1.2.3"));
  EXPECT_FALSE(IsAwsIpAddress("10.0.0.0/33"));
}

TEST(ValuesTest, DefaultValuesPrintAsAstFromValue) {
  SchemaResult r = BuildSchema(R"(
    type Query { f(a: [Int] = 1, b: In = {x: 1}, c: ID = "12", d: ID = "x1", e: Float = 2.0,
                   g: E = B, h: [String!]! = ["s"], i: String = null): Int }
    input In { x: Int y: [E] = [A] }
    enum E { A B }
  )");
  ASSERT_TRUE(r.ok()) << r.errors[0].message;
  const FieldDef* f = r.schema->query_type()->FindField("f");
  std::vector<std::string> printed;
  for (const InputValue& a : f->arguments) printed.push_back(PrintDefaultValue(*r.schema, a));
  EXPECT_EQ(printed, (std::vector<std::string>{"[1]", "{x: 1, y: [A]}", "12", "\"x1\"", "2", "B",
                                               "[\"s\"]", "null"}));
}

TEST(ValuesTest, VariablesCoerceWithDefaults) {
  SchemaResult r = BuildSchema("type Query { f: Int } input In { x: Int! y: Int = 3 }");
  ASSERT_TRUE(r.ok());
  ParseResult p = ParseDocument("query ($a: Int = 5, $b: In, $c: [In], $d: String) { f }");
  ASSERT_TRUE(p.ok());
  CoercedVariables v = CoerceVariableValues(*r.schema, p.document->operations[0],
                                            J(R"({"b": {"x": 1}, "c": {"x": 2}, "d": null})"));
  ASSERT_TRUE(v.errors.empty()) << v.errors[0].message;
  EXPECT_EQ(v.values.Dump(), R"({"a":5,"b":{"x":1,"y":3},"c":[{"x":2,"y":3}],"d":null})");
}

}  // namespace
}  // namespace stator::graphql
