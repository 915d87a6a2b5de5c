#include "deploy/intrinsics.h"

#include <gtest/gtest.h>

#include "common/test_util.h"

namespace stator::deploy {
namespace {

using stator::testing::J;

// Mappings for Fn::FindInMap.
const json::Value& TestMappings() {
  static const json::Value m = J(R"({
    "RegionMap": {"eu-west-1": {"Ami": "ami-eu", "Zones": ["a", "b"], "Size": 3},
                  "us-east-1": {"Ami": "ami-us"}},
    "StageMap": {"pv": {"Region": "eu-west-1"}}})");
  return m;
}

// Names: P = "pv", L = ["x","y","z"], Empty = [], Num = 7, AWS::Region, AWS::Partition;
// conditions Yes and No; GetAtt R.A gives "R/A".
Context TestContext(bool language_extensions = true) {
  Context c;
  c.region = "eu-west-1";
  c.mappings = &TestMappings();
  c.language_extensions = language_extensions;
  c.ref = [](const std::string& n) -> Result<json::Value> {
    if (n == "AWS::Region") return json::Value::String("eu-west-1");
    if (n == "AWS::Partition") return json::Value::String("aws");
    if (n == "P") return json::Value::String("pv");
    if (n == "L") return J(R"(["x","y","z"])");
    if (n == "Num") return json::Value::Int(7);
    if (n == "Empty") return json::Value::EmptyArray();
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

std::string EvalError(const char* text, bool language_extensions = true) {
  auto r = Resolve(J(text), TestContext(language_extensions));
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? "" : r.error().cause;
}

// Without 'Transform: AWS::LanguageExtensions'.
json::Value EvalPlain(const char* text) {
  auto r = Resolve(J(text), TestContext(false));
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().cause);
  return r.ok() ? *r : json::Value();
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

// Fn::FindInMap: CloudFormation's two-level lookup, usable inside other functions and with Ref
// and Fn::FindInMap in its keys; AWS::LanguageExtensions adds DefaultValue and any function in
// the keys.
TEST(IntrinsicsTest, FindInMap) {
  EXPECT_EQ(EvalPlain(R"({"Fn::FindInMap":["RegionMap",{"Ref":"AWS::Region"},"Ami"]})"),
            J(R"("ami-eu")"));
  EXPECT_EQ(EvalPlain(R"({"Fn::FindInMap":["RegionMap",
                         {"Fn::FindInMap":["StageMap",{"Ref":"P"},"Region"]},"Ami"]})"),
            J(R"("ami-eu")"));
  // Values are returned as the map holds them: a list stays a list, a number a number.
  EXPECT_EQ(EvalPlain(R"({"Fn::FindInMap":["RegionMap","eu-west-1","Zones"]})"), J(R"(["a","b"])"));
  EXPECT_EQ(EvalPlain(R"({"Fn::FindInMap":["RegionMap","eu-west-1","Size"]})"), J("3"));
  // Nested in other functions.
  EXPECT_EQ(EvalPlain(R"({"Fn::Join":["-",[{"Fn::FindInMap":["RegionMap","us-east-1","Ami"]},
                                            {"Ref":"P"}]]})"),
            J(R"("ami-us-pv")"));
  EXPECT_EQ(EvalPlain(R"({"Fn::Select":[1,{"Fn::FindInMap":["RegionMap","eu-west-1","Zones"]}]})"),
            J(R"("b")"));
  EXPECT_EQ(EvalPlain(R"({"Fn::Sub":["${Ami}:${P}",
                         {"Ami":{"Fn::FindInMap":["RegionMap","eu-west-1","Ami"]}}]})"),
            J(R"("ami-eu:pv")"));
  EXPECT_EQ(
      EvalPlain(R"({"Fn::If":["Yes",{"Fn::FindInMap":["RegionMap","us-east-1","Ami"]},"n"]})"),
      J(R"("ami-us")"));
  EXPECT_EQ(EvalPlain(R"({"Fn::If":["No",{"Fn::FindInMap":["Nope","a","b"]},"n"]})"),
            J(R"("n")"));  // the branch not taken is not evaluated
  EXPECT_EQ(EvalPlain(R"({"Fn::Equals":[{"Fn::FindInMap":["RegionMap","eu-west-1","Size"]},"3"]})"),
            J("true"));

  // A key that is not there is an error, wherever the lookup sits.
  EXPECT_EQ(EvalError(R"({"Fn::FindInMap":["Nope","eu-west-1","Ami"]})"),
            "Fn::FindInMap: Mappings has no map 'Nope'");
  EXPECT_EQ(EvalError(R"({"Fn::FindInMap":["RegionMap","ap-south-1","Ami"]})"),
            "Fn::FindInMap: map RegionMap has no top-level key 'ap-south-1'");
  EXPECT_EQ(EvalError(R"({"Fn::FindInMap":["RegionMap","us-east-1","Zones"]})"),
            "Fn::FindInMap: map RegionMap has no key 'Zones' under 'us-east-1'");
  EXPECT_EQ(EvalError(R"({"Fn::Join":["",["x",{"Fn::FindInMap":["RegionMap","x","Ami"]}]]})"),
            "Fn::FindInMap: map RegionMap has no top-level key 'x'");
  EXPECT_EQ(EvalError(R"({"Fn::FindInMap":["RegionMap",{"Ref":"Nope"},"Ami"]})"),
            "Ref to unknown name 'Nope'");
  EXPECT_NE(EvalError(R"({"Fn::FindInMap":["RegionMap",{"Ref":"L"},"Ami"]})")
                .find("expected a string, got array"),
            std::string::npos);
  for (const char* bad : {R"({"Fn::FindInMap":["RegionMap","eu-west-1"]})",
                          R"({"Fn::FindInMap":["RegionMap","eu-west-1","Ami",{},{}]})",
                          R"({"Fn::FindInMap":"RegionMap"})"}) {
    EXPECT_TRUE(
        EvalError(bad).starts_with("Fn::FindInMap: takes [MapName, TopLevelKey, SecondLevelKey]"))
        << bad;
  }
  // With no Mappings section at all.
  Context none = TestContext();
  none.mappings = nullptr;
  auto r = Resolve(J(R"({"Fn::FindInMap":["RegionMap","eu-west-1","Ami"]})"), none);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().cause, "Fn::FindInMap: Mappings has no map 'RegionMap'");

  // Without AWS::LanguageExtensions: only Ref and Fn::FindInMap in the keys, no DefaultValue.
  EXPECT_EQ(
      EvalError(R"({"Fn::FindInMap":["RegionMap",{"Fn::Select":[0,["us-east-1"]]},"Ami"]})", false),
      "Fn::FindInMap: its keys may use only Ref and Fn::FindInMap, not Fn::Select (others need "
      "'Transform: AWS::LanguageExtensions')");
  EXPECT_EQ(EvalError(R"({"Fn::FindInMap":["RegionMap","x","Ami",{"DefaultValue":"d"}]})", false),
            "Fn::FindInMap: DefaultValue needs 'Transform: AWS::LanguageExtensions'");
}

TEST(IntrinsicsTest, FindInMapLanguageExtensions) {
  // DefaultValue stands in for a missing top-level or second-level key, not for a value there.
  EXPECT_EQ(Eval(R"({"Fn::FindInMap":["RegionMap","ap-south-1","Ami",{"DefaultValue":"d"}]})"),
            J(R"("d")"));
  EXPECT_EQ(Eval(R"({"Fn::FindInMap":["RegionMap","us-east-1","Zones",{"DefaultValue":["z"]}]})"),
            J(R"(["z"])"));
  EXPECT_EQ(Eval(R"({"Fn::FindInMap":["RegionMap","us-east-1","Ami",{"DefaultValue":"d"}]})"),
            J(R"("ami-us")"));
  EXPECT_EQ(Eval(R"({"Fn::FindInMap":["RegionMap","x","Ami",{"DefaultValue":{"Ref":"P"}}]})"),
            J(R"("pv")"));
  // The map itself must exist (the default covers the keys on MapName).
  EXPECT_EQ(EvalError(R"({"Fn::FindInMap":["Nope","x","Ami",{"DefaultValue":"d"}]})"),
            "Fn::FindInMap: Mappings has no map 'Nope'");
  for (const char* bad : {R"({"Fn::FindInMap":["RegionMap","x","Ami",{"Default":"d"}]})",
                          R"({"Fn::FindInMap":["RegionMap","x","Ami","d"]})",
                          R"({"Fn::FindInMap":["RegionMap","x","Ami",
                              {"DefaultValue":"d","Other":1}]})"}) {
    EXPECT_EQ(EvalError(bad), "Fn::FindInMap: the fourth argument must be {DefaultValue: value}")
        << bad;
  }
  // Any function in the keys.
  EXPECT_EQ(Eval(R"({"Fn::FindInMap":["RegionMap",
                    {"Fn::Select":[0,{"Fn::Split":["|","us-east-1|x"]}]},"Ami"]})"),
            J(R"("ami-us")"));
}

// Fn::Length (AWS::LanguageExtensions): the number of elements of a list, or of what a function
// gives when that is a list.
TEST(IntrinsicsTest, Length) {
  EXPECT_EQ(Eval(R"({"Fn::Length":[1,{"Ref":"P"},3]})"), J("3"));
  EXPECT_EQ(Eval(R"({"Fn::Length":[]})"), J("0"));
  EXPECT_EQ(Eval(R"({"Fn::Length":{"Fn::Split":["|","a|b|c"]}})"), J("3"));
  EXPECT_EQ(Eval(R"({"Fn::Length":{"Ref":"L"}})"), J("3"));
  EXPECT_EQ(Eval(R"({"Fn::Length":{"Ref":"Empty"}})"), J("0"));
  EXPECT_EQ(Eval(R"({"Fn::Length":{"Fn::FindInMap":["RegionMap","eu-west-1","Zones"]}})"), J("2"));
  EXPECT_EQ(Eval(R"({"Fn::Length":{"Fn::If":["Yes",["a","b"],[]]}})"), J("2"));
  // Elements that AWS::NoValue removes are not counted.
  EXPECT_EQ(Eval(R"({"Fn::Length":[1,{"Ref":"AWS::NoValue"},
                                   {"Fn::If":["No",2,{"Ref":"AWS::NoValue"}]}]})"),
            J("1"));
  // Its result inside other functions: a number (text where a string is needed).
  EXPECT_EQ(Eval(R"({"Fn::Join":["",["n=",{"Fn::Length":{"Ref":"L"}}]]})"), J(R"("n=3")"));
  EXPECT_EQ(Eval(R"({"Fn::Equals":[{"Fn::Length":{"Ref":"L"}},"3"]})"), J("true"));
  EXPECT_EQ(Eval(R"({"Fn::Select":[{"Fn::Length":[0]},["a","b"]]})"), J(R"("b")"));

  EXPECT_EQ(EvalError(R"({"Fn::Length":"abc"})"),
            "Fn::Length: takes a list, or a function that gives one; got string \"abc\"");
  EXPECT_EQ(EvalError(R"({"Fn::Length":{"Ref":"P"}})"),
            "Fn::Length: takes a list, or a function that gives one; got string \"pv\"");
  EXPECT_EQ(EvalError(R"({"Fn::Length":{"a":[1]}})"),
            "Fn::Length: takes a list, or a function that gives one; got object {\"a\":[1]}");
  EXPECT_EQ(EvalError(R"({"Fn::Length":{"Ref":"Num"}})"),
            "Fn::Length: takes a list, or a function that gives one; got number 7");
  EXPECT_EQ(EvalError(R"({"Fn::Length":{"Ref":"Nope"}})"), "Ref to unknown name 'Nope'");
  EXPECT_EQ(EvalError(R"({"Fn::Length":{"Ref":"AWS::NoValue"}})"),
            "Fn::Length: AWS::NoValue is not allowed here");
  // Without the transform, Fn::Length and Fn::ToJsonString are errors, as in CloudFormation.
  EXPECT_EQ(EvalError(R"({"Fn::Length":[1]})", false),
            "Fn::Length: needs 'Transform: AWS::LanguageExtensions'");
  EXPECT_EQ(EvalError(R"({"Fn::ToJsonString":{"a":1}})", false),
            "Fn::ToJsonString: needs 'Transform: AWS::LanguageExtensions'");
}

}  // namespace
}  // namespace stator::deploy
