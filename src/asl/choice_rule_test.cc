#include "asl/choice_rule.h"

#include <gtest/gtest.h>

#include "asl/test_util.h"

namespace stator::asl {
namespace {

using testing::J;
using testing::LoadTestData;

// Compiles a nested (no Next) rule; fails the test on diagnostics.
ChoiceRule Rule(std::string_view text) {
  Diagnostics diags;
  auto r = ChoiceRule::Compile(J(text), /*top_level=*/false, "/States/C/Choices/0", &diags);
  for (const auto& d : diags) ADD_FAILURE() << text << ": " << d.message << " at " << d.location;
  EXPECT_TRUE(r.has_value());
  return r ? *r : ChoiceRule();
}

Result<bool> Eval(std::string_view rule, std::string_view input) {
  FixedContext ctx(J(R"({"Execution":{"Name":"e1"},"State":{"Name":"C"}})"));
  return Rule(rule).Evaluate(J(input), ctx);
}

bool Matches(std::string_view rule, std::string_view input) {
  Result<bool> r = Eval(rule, input);
  EXPECT_TRUE(r.ok()) << rule << " on " << input << ": " << (r.ok() ? "" : r.error().cause);
  return r.ok() && *r;
}

Diagnostics CompileErrors(std::string_view rule, bool top_level = true) {
  Diagnostics diags;
  auto r = ChoiceRule::Compile(J(rule), top_level, "/States/C/Choices/0", &diags);
  EXPECT_EQ(r.has_value(), diags.empty());
  return diags;
}

// Every Choice outcome recorded against AWS in the conformance suite.
TEST(ChoiceRuleTest, RecordedAwsOutcomes) {
  json::Value data = LoadTestData("choice_operators.json");
  ASSERT_TRUE(data.is_object()) << "missing testdata";
  const json::Array& cases = data.Find("cases")->as_array();
  ASSERT_GT(cases.size(), 250u);
  for (const json::Value& c : cases) {
    Diagnostics diags;
    auto rule = ChoiceRule::Compile(*c.Find("rule"), false, "/", &diags);
    ASSERT_TRUE(rule.has_value()) << c.Find("rule")->Dump();
    FixedContext ctx(json::Value::EmptyObject());
    Result<bool> r = rule->Evaluate(*c.Find("input"), ctx);
    ASSERT_TRUE(r.ok()) << c.Dump() << ": " << r.error().cause;
    EXPECT_EQ(*r, c.Find("match")->as_bool()) << c.Dump();
  }
}

TEST(ChoiceRuleTest, NumericComparesIntAndDoubleByValue) {
  EXPECT_TRUE(Matches(R"({"Variable":"$.x","NumericEquals":1})", R"({"x":1.0})"));
  EXPECT_TRUE(Matches(R"({"Variable":"$.x","NumericEquals":1.0})", R"({"x":1})"));
  EXPECT_TRUE(Matches(R"({"Variable":"$.x","NumericLessThan":1.5})", R"({"x":1})"));
  EXPECT_FALSE(Matches(R"({"Variable":"$.x","NumericLessThan":0.5})", R"({"x":1})"));
  EXPECT_TRUE(Matches(R"({"Variable":"$.x","NumericGreaterThan":-0.5})", R"({"x":0})"));
  EXPECT_TRUE(Matches(R"({"Variable":"$.x","NumericGreaterThanEquals":2})", R"({"x":2.0})"));
  EXPECT_TRUE(Matches(R"({"Variable":"$.x","NumericLessThanEquals":9007199254740993})",
                      R"({"x":9007199254740993})"));
  EXPECT_FALSE(Matches(R"({"Variable":"$.x","NumericEquals":9007199254740993})",
                       R"({"x":9007199254740992.0})"));
  EXPECT_FALSE(Matches(R"({"Variable":"$.x","NumericEquals":1})", R"({"x":"1"})"));
}

TEST(ChoiceRuleTest, Strings) {
  EXPECT_TRUE(Matches(R"({"Variable":"$.s","StringEquals":"abc"})", R"({"s":"abc"})"));
  EXPECT_FALSE(Matches(R"({"Variable":"$.s","StringEquals":"abc"})", R"({"s":"abd"})"));
  EXPECT_TRUE(Matches(R"({"Variable":"$.s","StringLessThan":"b"})", R"({"s":"a"})"));
  EXPECT_TRUE(Matches(R"({"Variable":"$.s","StringGreaterThanEquals":"a"})", R"({"s":"a"})"));
  EXPECT_TRUE(Matches(R"({"Variable":"$.s","StringLessThanEquals":"ab"})", R"({"s":"a"})"));
  EXPECT_TRUE(Matches(R"({"Variable":"$.s","StringEqualsPath":"$.t"})", R"({"s":"x","t":"x"})"));
  EXPECT_FALSE(Matches(R"({"Variable":"$.s","StringEqualsPath":"$.t"})", R"({"s":"x","t":1})"));
  // Java compares UTF-16 code units: U+1F600 (surrogates D83D..) sorts before U+FF01.
  EXPECT_TRUE(Matches(R"({"Variable":"$.s","StringLessThan":"\uff01"})", R"({"s":"😀"})"));
  EXPECT_TRUE(Matches(R"({"Variable":"$.s","StringGreaterThan":"\u00e9"})", R"({"s":"\u0101"})"));
}

TEST(ChoiceRuleTest, StringMatches) {
  auto m = [](const char* pattern, const char* text) {
    std::string rule = std::string(R"({"Variable":"$.s","StringMatches":)") +
                       json::Value::String(pattern).Dump() + "}";
    return Matches(rule, "{\"s\":" + json::Value::String(text).Dump() + "}");
  };
  EXPECT_TRUE(m("log-*.txt", "log-2024.txt"));
  EXPECT_TRUE(m("log-*.txt", "log-.txt"));
  EXPECT_FALSE(m("log-*.txt", "log-2024.txt.gz"));
  EXPECT_TRUE(m("*", ""));
  EXPECT_TRUE(m("*a*b*", "xxaxxbxx"));
  EXPECT_FALSE(m("*a*b", "xxaxxbxxc"));
  EXPECT_TRUE(m("a**b", "ab"));
  EXPECT_TRUE(m("", ""));
  EXPECT_FALSE(m("", "a"));
  EXPECT_TRUE(m("abc", "abc"));
  EXPECT_FALSE(m("abc", "abcd"));
  EXPECT_TRUE(m(R"(a\*b)", "a*b"));
  EXPECT_FALSE(m(R"(a\*b)", "axb"));
  EXPECT_TRUE(m(R"(a\\*)", R"(a\xyz)"));
  EXPECT_TRUE(m(R"(a\\)", R"(a\)"));
  EXPECT_FALSE(Matches(R"({"Variable":"$.s","StringMatches":"*"})", R"({"s":1})"));
}

TEST(ChoiceRuleTest, Timestamps) {
  EXPECT_TRUE(Matches(R"({"Variable":"$.t","TimestampEquals":"2012-10-09T18:00:55Z"})",
                      R"({"t":"2012-10-09T19:00:55+01:00"})"));
  EXPECT_TRUE(Matches(R"({"Variable":"$.t","TimestampLessThan":"2012-10-09T19:00:55.001Z"})",
                      R"({"t":"2012-10-09T19:00:55Z"})"));
  EXPECT_TRUE(Matches(R"({"Variable":"$.t","TimestampGreaterThanEquals":"2012-10-09T19:00:55Z"})",
                      R"({"t":"2012-10-09T19:00:55Z"})"));
  EXPECT_TRUE(Matches(R"({"Variable":"$.t","TimestampLessThanEqualsPath":"$.u"})",
                      R"({"t":"2012-10-09T19:00:55Z","u":"2012-10-09T19:00:56Z"})"));
  EXPECT_FALSE(Matches(R"({"Variable":"$.t","TimestampEqualsPath":"$.u"})",
                       R"({"t":"2012-10-09T19:00:55Z","u":"not a date"})"));
  EXPECT_FALSE(Matches(R"({"Variable":"$.t","TimestampEquals":"2012-10-09T19:00:55Z"})",
                       R"({"t":"2012-10-09t19:00:55Z"})"));
  EXPECT_TRUE(
      Matches(R"({"Variable":"$.t","IsTimestamp":true})", R"({"t":"2012-10-09T19:00:55Z"})"));
  EXPECT_FALSE(Matches(R"({"Variable":"$.t","IsTimestamp":true})", R"({"t":"2012-10-09"})"));
}

TEST(ChoiceRuleTest, BooleanAndNullAndPresence) {
  EXPECT_TRUE(Matches(R"({"Variable":"$.b","BooleanEquals":false})", R"({"b":false})"));
  EXPECT_FALSE(Matches(R"({"Variable":"$.b","BooleanEquals":false})", R"({"b":0})"));
  EXPECT_TRUE(Matches(R"({"Variable":"$.n","IsNull":true})", R"({"n":null})"));
  EXPECT_TRUE(Matches(R"({"Variable":"$.n","IsNull":false})", R"({"n":0})"));
  EXPECT_FALSE(Matches(R"({"Variable":"$.n","IsPresent":true})", R"({})"));
  EXPECT_TRUE(Matches(R"({"Variable":"$.n","IsPresent":false})", R"({})"));
  EXPECT_TRUE(Matches(R"({"Variable":"$.n.deep","IsPresent":false})", R"({"n":1})"));
}

TEST(ChoiceRuleTest, AndOrNotNest) {
  const char* rule = R"({"And":[
      {"Variable":"$.a","IsPresent":true},
      {"Or":[{"Variable":"$.a","NumericGreaterThan":10},
             {"Not":{"Variable":"$.a","NumericLessThan":0}}]}]})";
  EXPECT_TRUE(Matches(rule, R"({"a":11})"));
  EXPECT_TRUE(Matches(rule, R"({"a":5})"));
  EXPECT_FALSE(Matches(rule, R"({"a":-1})"));
  EXPECT_FALSE(Matches(rule, R"({})"));  // And short-circuits before the missing path errors
  EXPECT_TRUE(
      Matches(R"({"Or":[{"Variable":"$.x","IsPresent":true},{"Variable":"$.y","IsNull":true}]})",
              R"({"x":1})"));  // Or short-circuits too
}

TEST(ChoiceRuleTest, ContextPaths) {
  EXPECT_TRUE(Matches(R"({"Variable":"$$.Execution.Name","StringEquals":"e1"})", R"({})"));
  EXPECT_TRUE(Matches(R"({"Variable":"$.n","StringEqualsPath":"$$.State.Name"})", R"({"n":"C"})"));
}

TEST(ChoiceRuleTest, MissingPathIsStatesRuntime) {
  Result<bool> r = Eval(R"({"Variable":"$.missing","NumericEquals":1})", R"({"x":1})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().error, "States.Runtime");
  EXPECT_EQ(r.error().cause,
            "Invalid path '$.missing': The choice state's condition path references an invalid "
            "value.");
  r = Eval(R"({"Variable":"$.x","NumericEqualsPath":"$.right"})", R"({"x":1})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().cause,
            "Invalid path '$.right': The choice state's condition path references an invalid "
            "value.");
  r = Eval(R"({"Variable":"$.missing","IsNull":true})", R"({})");
  ASSERT_FALSE(r.ok());
  r = Eval(R"({"Not":{"Variable":"$.missing","StringEquals":"a"}})", R"({})");
  ASSERT_FALSE(r.ok());
}

TEST(ChoiceRuleTest, TopLevelNeedsNext) {
  Diagnostics diags;
  auto r =
      ChoiceRule::Compile(J(R"({"Variable":"$.a","IsNull":true,"Next":"X"})"), true, "/L", &diags);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->next_name(), "X");
  Diagnostics d = CompileErrors(R"({"Variable":"$.a","IsNull":true})");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].message, "These fields are required: [Next]");
  EXPECT_EQ(d[0].location, "/States/C/Choices/0");
}

TEST(ChoiceRuleTest, CompileErrors) {
  auto one = [](std::string_view rule, std::string_view message, std::string_view location) {
    Diagnostics d = CompileErrors(rule);
    ASSERT_EQ(d.size(), 1u) << rule;
    EXPECT_EQ(d[0].code, "SCHEMA_VALIDATION_FAILED");
    EXPECT_EQ(d[0].message, message) << rule;
    EXPECT_EQ(d[0].location, location) << rule;
  };
  one(R"({"Variable":"$.a","NumericEquals":"1","Next":"X"})",
      "The value for the field 'NumericEquals' must be a NUMBER",
      "/States/C/Choices/0/NumericEquals");
  one(R"({"Variable":"$.a","TimestampEquals":"2016-12-05 21:29:29Z","Next":"X"})",
      "String does not match RFC3339 timestamp", "/States/C/Choices/0/TimestampEquals");
  one(R"({"Variable":"a","IsNull":true,"Next":"X"})",
      "Value is not a Reference Path: Reference path didn't start with '$'",
      "/States/C/Choices/0/Variable");
  one(R"({"Variable":"$.a","IsNull":true,"Bogus":1,"Next":"X"})", "Field 'Bogus' is not supported",
      "/States/C/Choices/0/Bogus");
  one(R"({"And":[],"Next":"X"})", "Value cannot be empty", "/States/C/Choices/0/And");
  one(R"({"Next":"X"})",
      "This object should have only one of the following fields: [And, Or, Not, Variable]",
      "/States/C/Choices/0");
  one(R"({"And":[{"Variable":"$.a","IsNull":true,"Next":"Y"}],"Next":"X"})",
      "Field 'Next' is not supported", "/States/C/Choices/0/And/0/Next");
  one(R"({"Not":{"Variable":"$.a","IsNull":"yes"},"Next":"X"})",
      "The value for the field 'IsNull' must be a BOOLEAN", "/States/C/Choices/0/Not/IsNull");
  EXPECT_EQ(CompileErrors(R"({"Variable":"$.a","IsNull":true,"IsString":true,"Next":"X"})").size(),
            1u);
  EXPECT_EQ(CompileErrors(R"({"Variable":"$.a","Next":"X"})").size(), 1u);
  EXPECT_EQ(CompileErrors(R"([1,2])").size(), 1u);
  EXPECT_EQ(CompileErrors(R"({"Variable":"$.a","IsNullPath":"$.b","Next":"X"})").size(), 2u);
  // Several problems are all reported.
  EXPECT_EQ(CompileErrors(R"({"Or":[{"Variable":1,"IsNull":true},{"Variable":"$.a"}]})").size(),
            3u);
}

TEST(ChoiceRuleTest, NeverCrashesOnWrongTypes) {
  for (const char* bad :
       {"null", "1", "\"s\"", "[]", R"({"And":{}})", R"({"Or":[1,null]})", R"({"Not":[]})",
        R"({"Not":{"Not":{"Not":5}}})", R"({"Variable":"$.a","StringMatches":5})",
        R"({"Variable":"$[","IsNull":true})"}) {
    EXPECT_FALSE(CompileErrors(bad).empty()) << bad;
  }
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += R"({"Not":)";
  deep += R"({"Variable":"$.a","IsNull":true})";
  for (int i = 0; i < 5000; ++i) deep += "}";
  auto parsed = json::Parse(deep);
  if (parsed.ok()) {
    Diagnostics diags;
    EXPECT_FALSE(ChoiceRule::Compile(*parsed, false, "/", &diags).has_value());
  }
}

}  // namespace
}  // namespace stator::asl
