#include "deploy/parameters.h"

#include <gtest/gtest.h>

#include "common/test_util.h"

namespace stator::deploy {
namespace {

using stator::testing::J;

// The template "Parameters:\n" + declarations (one per line from line 2, indented two spaces).
Result<std::vector<std::pair<std::string, json::Value>>> Resolved(
    const std::string& declarations, ParameterOverrides overrides = {}) {
  auto t = ParseTemplate(
      "Parameters:\n" + declarations + "Resources:\n  Q: {Type: AWS::SQS::Queue}\n", "t.yaml", ".");
  if (!t.ok()) return t.error();
  return ResolveParameters(*t, overrides);
}

// The value of the first parameter.
json::Value ValueOf(const std::string& declarations, ParameterOverrides overrides = {}) {
  auto r = Resolved(declarations, std::move(overrides));
  EXPECT_TRUE(r.ok()) << declarations << (r.ok() ? "" : r.error().cause);
  return r.ok() && !r->empty() ? r->front().second : json::Value();
}

std::string ErrorOf(const std::string& declarations, ParameterOverrides overrides = {}) {
  auto r = Resolved(declarations, std::move(overrides));
  EXPECT_FALSE(r.ok()) << declarations;
  return r.ok() ? "" : r.error().cause;
}

TEST(ParametersTest, DefaultsOverridesAndOrder) {
  auto r =
      Resolved("  B: {Type: String, Default: b}\n  A: {Type: Number, Default: 2}\n", {{"A", "3"}});
  ASSERT_TRUE(r.ok()) << r.error().cause;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0], (std::pair<std::string, json::Value>("B", J(R"("b")"))));
  EXPECT_EQ((*r)[1], (std::pair<std::string, json::Value>("A", J(R"("3")"))));  // a string
  EXPECT_EQ(ErrorOf("  P: {Type: String}\n"),
            "t.yaml:2: parameter P has no Default; give it with --parameter-overrides P=VALUE");
  EXPECT_EQ(ErrorOf("  P: {Type: String, Default: x}\n", {{"Q", "1"}}),
            "t.yaml: --parameter-overrides names 'Q', which the template does not declare");
  EXPECT_EQ(ErrorOf("  P: {Type: Strin, Default: x}\n"),
            "t.yaml:2: parameter P has the unknown Type 'Strin' (String, Number, List<Number>, "
            "CommaDelimitedList, AWS-specific or SSM types)");
  // AWS-specific and SSM types are accepted; their values are taken as given.
  EXPECT_EQ(ValueOf("  P: {Type: 'AWS::EC2::VPC::Id', Default: vpc-1}\n"), J(R"("vpc-1")"));
  EXPECT_EQ(ValueOf("  P: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /a/b}\n"),
            J(R"("/a/b")"));
  EXPECT_EQ(ValueOf("  P: {Type: 'List<AWS::EC2::Subnet::Id>', Default: 's-1,s-2'}\n"),
            J(R"(["s-1","s-2"])"));
}

// AllowedPattern: the pattern must match the whole value (of a list type: each item), else the
// deploy stops with the parameter's line, the value and the pattern (and ConstraintDescription).
TEST(ParametersTest, AllowedPattern) {
  const std::string p = "  P: {Type: String, Default: abc, AllowedPattern: '[a-z]+'}\n";
  EXPECT_EQ(ValueOf(p), J(R"("abc")"));
  EXPECT_EQ(ValueOf(p, {{"P", "xyz"}}), J(R"("xyz")"));
  EXPECT_EQ(ErrorOf(p, {{"P", "abc1"}}),  // a match of a part is not enough
            "t.yaml:2: parameter P value 'abc1' does not match the AllowedPattern [a-z]+");
  EXPECT_EQ(ErrorOf(p, {{"P", ""}}),
            "t.yaml:2: parameter P value '' does not match the AllowedPattern [a-z]+");
  EXPECT_EQ(ValueOf("  P: {Type: String, Default: '', AllowedPattern: '[a-z]*'}\n"), J(R"("")"));
  // Alternatives are anchored as a whole.
  const std::string stage = "  P: {Type: String, Default: dev, AllowedPattern: 'dev|prod'}\n";
  EXPECT_EQ(ValueOf(stage, {{"P", "prod"}}), J(R"("prod")"));
  EXPECT_NE(ErrorOf(stage, {{"P", "devprod"}}).find("does not match"), std::string::npos);
  // The Default is checked like any value.
  EXPECT_EQ(ErrorOf("  P: {Type: String, Default: ABC, AllowedPattern: '[a-z]+'}\n"),
            "t.yaml:2: parameter P value 'ABC' does not match the AllowedPattern [a-z]+");
  EXPECT_EQ(ErrorOf("  P:\n    Type: String\n    Default: ABC\n    AllowedPattern: '[a-z]+'\n"
                    "    ConstraintDescription: lowercase letters only\n"),
            "t.yaml:2: parameter P value 'ABC' does not match the AllowedPattern [a-z]+: "
            "lowercase letters only");
  EXPECT_EQ(ErrorOf("  P: {Type: String, Default: a, AllowedPattern: '[a-'}\n"),
            "t.yaml:2: parameter P: AllowedPattern is not a valid pattern");
  // A CommaDelimitedList: each item (after trimming) must match.
  const std::string list =
      "  L: {Type: CommaDelimitedList, Default: 'a, b', AllowedPattern: '[a-z]'}\n";
  EXPECT_EQ(ValueOf(list), J(R"(["a","b"])"));
  EXPECT_EQ(ErrorOf(list, {{"L", "a,bc"}}),
            "t.yaml:2: parameter L item 'bc' of 'a,bc' does not match the AllowedPattern [a-z]");
}

TEST(ParametersTest, AllowedValues) {
  const std::string p = "  P: {Type: String, Default: dev, AllowedValues: [dev, prod]}\n";
  EXPECT_EQ(ValueOf(p, {{"P", "prod"}}), J(R"("prod")"));
  EXPECT_EQ(ErrorOf(p, {{"P", "qa"}}),
            "t.yaml:2: parameter P value 'qa' is not one of the AllowedValues [dev, prod]");
  // Numbers compare as text.
  EXPECT_EQ(ValueOf("  N: {Type: Number, Default: 2, AllowedValues: [1, 2]}\n"), J(R"("2")"));
  // A CommaDelimitedList: each item must be allowed.
  const std::string list =
      "  L: {Type: CommaDelimitedList, Default: 'dev,prod', AllowedValues: [dev, prod, qa]}\n";
  EXPECT_EQ(ValueOf(list), J(R"(["dev","prod"])"));
  EXPECT_EQ(ErrorOf(list, {{"L", "dev, x"}}),
            "t.yaml:2: parameter L item 'x' of 'dev, x' is not one of the AllowedValues "
            "[dev, prod, qa]");
}

// CommaDelimitedList: split at every comma, each item space-trimmed; a Ref gives the list.
TEST(ParametersTest, CommaDelimitedList) {
  const std::string p = "  L: {Type: CommaDelimitedList, Default: 'a,b,c'}\n";
  EXPECT_EQ(ValueOf(p), J(R"(["a","b","c"])"));
  EXPECT_EQ(ValueOf(p, {{"L", " a , b "}}), J(R"(["a","b"])"));
  EXPECT_EQ(ValueOf(p, {{"L", "a,,b"}}), J(R"(["a","","b"])"));
  EXPECT_EQ(ValueOf(p, {{"L", "a,"}}), J(R"(["a",""])"));
  EXPECT_EQ(ValueOf(p, {{"L", "single"}}), J(R"(["single"])"));
  EXPECT_EQ(ValueOf(p, {{"L", ""}}), J(R"([""])"));  // one more item than commas
  EXPECT_EQ(ErrorOf("  L: {Type: CommaDelimitedList, Default: [a, b]}\n"),
            "t.yaml:2: parameter L Default: expected a string, got array [\"a\",\"b\"]");
  // List<Number>: numbers, kept as strings.
  const std::string numbers = "  N: {Type: 'List<Number>', Default: '80, 20'}\n";
  EXPECT_EQ(ValueOf(numbers), J(R"(["80","20"])"));
  EXPECT_EQ(ErrorOf(numbers, {{"N", "80,x"}}), "t.yaml:2: parameter N must be numbers, got 'x'");
}

TEST(ParametersTest, LengthAndValueBounds) {
  const std::string s = "  S: {Type: String, Default: abc, MinLength: 2, MaxLength: 3}\n";
  EXPECT_EQ(ValueOf(s, {{"S", "ab"}}), J(R"("ab")"));
  EXPECT_EQ(ErrorOf(s, {{"S", "a"}}),
            "t.yaml:2: parameter S value 'a' is 1 characters long; MinLength is 2");
  EXPECT_EQ(ErrorOf(s, {{"S", "abcd"}}),
            "t.yaml:2: parameter S value 'abcd' is 4 characters long; MaxLength is 3");
  const std::string n = "  N: {Type: Number, Default: 5, MinValue: 1, MaxValue: 10}\n";
  EXPECT_EQ(ValueOf(n, {{"N", "1"}}), J(R"("1")"));
  EXPECT_EQ(ValueOf(n, {{"N", "10"}}), J(R"("10")"));
  EXPECT_EQ(ValueOf(n, {{"N", "2.5"}}), J(R"("2.5")"));
  EXPECT_EQ(ErrorOf(n, {{"N", "0"}}), "t.yaml:2: parameter N value '0' is below the MinValue 1");
  EXPECT_EQ(ErrorOf(n, {{"N", "11"}}), "t.yaml:2: parameter N value '11' is above the MaxValue 10");
  EXPECT_EQ(ErrorOf(n, {{"N", "ten"}}), "t.yaml:2: parameter N must be a number, got 'ten'");
  EXPECT_EQ(ErrorOf("  N: {Type: 'List<Number>', Default: '1,50', MaxValue: 10}\n"),
            "t.yaml:2: parameter N item '50' of '1,50' is above the MaxValue 10");
  EXPECT_EQ(ErrorOf("  S: {Type: String, Default: a, MinLength: two}\n"),
            "t.yaml:2: parameter S: MinLength must be a number");
}

}  // namespace
}  // namespace stator::deploy
