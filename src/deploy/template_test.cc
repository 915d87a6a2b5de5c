#include "deploy/template.h"

#include <gtest/gtest.h>

#include "deploy/intrinsics.h"

namespace stator::deploy {
namespace {

json::Value J(const char* text) {
  auto v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << text;
  return *v;
}

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

// --- intrinsics -------------------------------------------------------------------------------

Context TestContext() {
  Context c;
  c.region = "eu-west-1";
  c.ref = [](const std::string& n) -> Result<json::Value> {
    if (n == "AWS::Region") return json::Value::String("eu-west-1");
    if (n == "AWS::Partition") return json::Value::String("aws");
    if (n == "P") return json::Value::String("pv");
    if (n == "L") return J(R"(["x","y","z"])");
    if (n == "Num") return json::Value::Int(7);
    return Error{"Template", "Ref to unknown name '" + n + "'"};
  };
  c.get_att = [](const std::string& r, const std::string& a) -> Result<json::Value> {
    return json::Value::String(r + "/" + a);
  };
  c.condition = [](const std::string& n) -> Result<bool> {
    if (n == "Yes") return true;
    if (n == "No") return false;
    return Error{"Template", "unknown condition '" + n + "'"};
  };
  return c;
}

json::Value Eval(const char* text) {
  auto r = Resolve(J(text), TestContext());
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().cause);
  return r.ok() ? *r : json::Value();
}

std::string EvalError(const char* text) {
  auto r = Resolve(J(text), TestContext());
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? "" : r.error().cause;
}

TEST(IntrinsicsTest, Sub) {
  EXPECT_EQ(Eval(R"({"Fn::Sub":"arn:${AWS::Partition}:states:::dynamodb:updateItem"})"),
            J(R"("arn:aws:states:::dynamodb:updateItem")"));
  EXPECT_EQ(Eval(R"({"Fn::Sub":"${P}-${Fn.Arn}-${!Literal}-${ P }"})"),
            J(R"("pv-Fn/Arn-${Literal}-pv")"));
  EXPECT_EQ(Eval(R"({"Fn::Sub":["${A}:${P}:${Num}",{"A":{"Ref":"P"}}]})"), J(R"("pv:pv:7")"));
  EXPECT_EQ(EvalError(R"({"Fn::Sub":"${Nope}"})"), "Ref to unknown name 'Nope'");
  EXPECT_NE(EvalError(R"({"Fn::Sub":"${L}"})").find("expected a string"), std::string::npos);
  EXPECT_NE(EvalError(R"({"Fn::Sub":"${unclosed"})").find("unclosed"), std::string::npos);
}

TEST(IntrinsicsTest, OtherFunctions) {
  EXPECT_EQ(Eval(R"({"Fn::GetAtt":["Res","Arn"]})"), J(R"("Res/Arn")"));
  EXPECT_EQ(Eval(R"({"Fn::GetAtt":"Res.Name"})"), J(R"("Res/Name")"));
  EXPECT_EQ(Eval(R"({"Fn::Join":["-",["a",{"Ref":"P"},1]]})"), J(R"("a-pv-1")"));
  EXPECT_EQ(Eval(R"({"Fn::Join":[",",{"Ref":"L"}]})"), J(R"("x,y,z")"));
  EXPECT_EQ(Eval(R"({"Fn::Select":["2",{"Ref":"L"}]})"), J(R"("z")"));
  EXPECT_EQ(Eval(R"({"Fn::Split":[",","a,b,,c"]})"), J(R"(["a","b","","c"])"));
  EXPECT_EQ(Eval(R"({"Fn::If":["Yes","y","n"]})"), J(R"("y")"));
  EXPECT_EQ(Eval(R"({"Fn::If":["No","y","n"]})"), J(R"("n")"));
  EXPECT_EQ(Eval(R"({"a":{"Fn::If":["No","y",{"Ref":"AWS::NoValue"}]},"b":1})"), J(R"({"b":1})"));
  EXPECT_EQ(Eval(R"([1,{"Ref":"AWS::NoValue"},2])"), J(R"([1,2])"));
  EXPECT_EQ(Eval(R"({"Fn::Base64":"hi!"})"), J(R"("aGkh")"));
  EXPECT_EQ(Eval(R"({"Fn::GetAZs":""})"), J(R"(["eu-west-1a","eu-west-1b","eu-west-1c"])"));
  EXPECT_EQ(Eval(R"({"Fn::ToJsonString":{"a":[1,{"Ref":"P"}]}})"), J(R"("{\"a\":[1,\"pv\"]}")"));
  EXPECT_EQ(Eval(R"({"Fn::Equals":[{"Ref":"Num"},"7"]})"), J("true"));
  EXPECT_EQ(Eval(R"({"Fn::And":[{"Condition":"Yes"},{"Fn::Not":[{"Condition":"No"}]}]})"),
            J("true"));
  EXPECT_EQ(Eval(R"({"Fn::Or":[{"Condition":"No"},{"Fn::Equals":["a","b"]}]})"), J("false"));
  // Not intrinsics: a Condition key with an object (IAM policies), a two-key object.
  EXPECT_EQ(Eval(R"({"Condition":{"StringEquals":{"a":"b"}}})"),
            J(R"({"Condition":{"StringEquals":{"a":"b"}}})"));
  EXPECT_EQ(Eval(R"({"Ref":"P","Other":1})"), J(R"({"Ref":"P","Other":1})"));
  EXPECT_NE(EvalError(R"({"Fn::Select":[5,["a"]]})").find("out of range"), std::string::npos);
  EXPECT_NE(EvalError(R"({"Fn::ImportValue":"x"})").find("not supported"), std::string::npos);
  EXPECT_NE(EvalError(R"({"Fn::Nope":"x"})").find("Fn::Nope"), std::string::npos);
  EXPECT_NE(EvalError(R"({"Fn::If":["Maybe",1,2]})").find("unknown condition"), std::string::npos);
}

TEST(IntrinsicsTest, CollectReferences) {
  std::set<std::string> names;
  CollectReferences(J(R"({"a":{"Ref":"A"},"b":[{"Fn::GetAtt":["B","Arn"]}],
                          "c":{"Fn::Sub":"${C}/${D.Name}/${AWS::Region}/${!E}"},
                          "d":{"Fn::Sub":["${V}/${F}",{"V":{"Ref":"G"}}]}})"),
                    &names);
  EXPECT_EQ(names, (std::set<std::string>{"A", "B", "C", "D", "AWS::Region", "F", "G"}));
}

}  // namespace
}  // namespace stator::deploy
