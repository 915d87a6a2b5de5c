#include "deploy/template.h"

#include <gtest/gtest.h>

#include "common/test_util.h"

namespace stator::deploy {
namespace {

using stator::testing::J;

Template Parse(const std::string& text) {
  auto t = ParseTemplate(text, "t.yaml", ".");
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().cause);
  return t.ok() ? *t : Template{};
}

TEST(TemplateTest, ShortFormTagsBecomeLongForm) {
  Template t = Parse(R"(
Resources:
  A:
    Type: AWS::X::Y
    Properties:
      R: !Ref Thing
      S: !Sub "arn:${AWS::Partition}:states:::dynamodb:getItem"
      S2: !Sub
        - "${A}-${B}"
        - A: !Ref P
          B: x
      G: !GetAtt Fn.Arn
      G2: !GetAtt Res.Attr.With.Dots
      J: !Join [",", [a, !Ref P]]
      Sel: !Select [1, [a, b]]
      I: !If [Cond, 1, 2]
      E: !Equals [a, b]
      N: !Not [!Condition Cond]
)");
  const json::Value& p = *t.root.Find("Resources")->Find("A")->Find("Properties");
  EXPECT_EQ(*p.Find("R"), J(R"({"Ref":"Thing"})"));
  EXPECT_EQ(*p.Find("S"), J(R"({"Fn::Sub":"arn:${AWS::Partition}:states:::dynamodb:getItem"})"));
  EXPECT_EQ(*p.Find("S2"), J(R"({"Fn::Sub":["${A}-${B}",{"A":{"Ref":"P"},"B":"x"}]})"));
  EXPECT_EQ(*p.Find("G"), J(R"({"Fn::GetAtt":["Fn","Arn"]})"));
  EXPECT_EQ(*p.Find("G2"), J(R"({"Fn::GetAtt":["Res","Attr.With.Dots"]})"));
  EXPECT_EQ(*p.Find("J"), J(R"({"Fn::Join":[",",["a",{"Ref":"P"}]]})"));
  EXPECT_EQ(*p.Find("Sel"), J(R"({"Fn::Select":[1,["a","b"]]})"));
  EXPECT_EQ(*p.Find("I"), J(R"({"Fn::If":["Cond",1,2]})"));
  EXPECT_EQ(*p.Find("E"), J(R"({"Fn::Equals":["a","b"]})"));
  EXPECT_EQ(*p.Find("N"), J(R"({"Fn::Not":[{"Condition":"Cond"}]})"));
}

TEST(TemplateTest, ScalarTypes) {
  Template t = Parse(R"(
Resources:
  A:
    Type: AWS::X::Y
    Properties: {i: 60, neg: -3, f: 1.5, b: true, B: False, n: null, e: ~, s: "60", q: 'true',
                 date: 2010-09-09, word: yes, lead: 007}
)");
  EXPECT_EQ(*t.root.Find("Resources")->Find("A")->Find("Properties"),
            J(R"({"i":60,"neg":-3,"f":1.5,"b":true,"B":false,"n":null,"e":null,"s":"60",
                  "q":"true","date":"2010-09-09","word":"yes","lead":"007"})"));
}

TEST(TemplateTest, LinesOfResourcesAreKept) {
  Template t = Parse(
      "Parameters:\n  P:\n    Type: String\nResources:\n  First:\n    Type: A::B::C\n"
      "  Second:\n    Type: A::B::C\n");
  EXPECT_EQ(t.lines["Resources.First"], 5);
  EXPECT_EQ(t.lines["Resources.Second"], 7);
  EXPECT_EQ(t.lines["Parameters.P"], 2);
  EXPECT_EQ(t.Where("Resources.Second"), "t.yaml:7: ");
}

TEST(TemplateTest, ErrorsNameFileAndLine) {
  auto bad = ParseTemplate("Resources:\n  A:\n    Type: [unclosed\n", "x.yaml", ".");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().error, "Template");
  EXPECT_TRUE(bad.error().cause.starts_with("x.yaml:")) << bad.error().cause;

  auto tag = ParseTemplate("Resources:\n  A:\n    Type: !Bogus x\n", "x.yaml", ".");
  ASSERT_FALSE(tag.ok());
  EXPECT_EQ(tag.error().cause, "x.yaml:3:11: unknown tag '!Bogus'");

  auto dup = ParseTemplate("Resources:\n  A:\n    Type: X::Y::Z\n  A:\n    Type: X::Y::Z\n",
                           "x.yaml", ".");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().cause, "x.yaml:4:3: duplicate key 'A'");

  auto getatt =
      ParseTemplate("Resources:\n  A:\n    Type: X::Y::Z\n    P: !GetAtt NoDot\n", "x.yaml", ".");
  ASSERT_FALSE(getatt.ok());
  EXPECT_NE(getatt.error().cause.find("x.yaml:4:8: !GetAtt needs RESOURCE.ATTRIBUTE"),
            std::string::npos)
      << getatt.error().cause;

  auto empty = ParseTemplate("Description: nothing\n", "x.yaml", ".");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().cause, "x.yaml: the template has no Resources");

  auto list = ParseTemplate("- a\n- b\n", "x.yaml", ".");
  ASSERT_FALSE(list.ok());

  auto missing = LoadTemplate("/nonexistent/template.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().cause.find("/nonexistent/template.yaml"), std::string::npos);
}

TEST(TemplateTest, JsonTemplatesParse) {
  Template t = Parse(R"({"Resources": {"A": {"Type": "X::Y::Z", "Properties": {"R": {"Ref": "B"},
                        "N": 1}}}})");
  EXPECT_EQ(*t.root.Find("Resources")->Find("A")->Find("Properties"),
            J(R"({"R":{"Ref":"B"},"N":1})"));
}

}  // namespace
}  // namespace stator::deploy
