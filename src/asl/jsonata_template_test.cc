#include "asl/jsonata_template.h"

#include <gtest/gtest.h>

#include <tuple>

namespace stator::asl {
namespace {

json::Value J(std::string_view text) {
  Result<json::Value> r = json::Parse(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? std::move(r).value() : json::Value();
}

// A scope over fixed $states and variables (by id).
class FixedScope : public JsonataScope {
 public:
  explicit FixedScope(json::Value states) : states_(std::move(states)) {}
  const json::Value* States() const override { return &states_; }
  const json::Value* Variable(uint32_t id) const override {
    return id < vars_.size() && !vars_[id].is_null() ? &vars_[id] : nullptr;
  }
  void Set(uint32_t id, json::Value v) {
    if (vars_.size() <= id) vars_.resize(id + 1);
    vars_[id] = std::move(v);
  }
  std::mt19937_64* Random() const override { return &rng_; }

 private:
  json::Value states_;
  std::vector<json::Value> vars_;
  mutable std::mt19937_64 rng_{42};
};

JsonataTemplate MustCompile(const json::Value& v, VariableTable* vars,
                            StatesScope scope = StatesScope::kResult) {
  Diagnostics diags;
  std::optional<JsonataTemplate> t =
      JsonataTemplate::Compile(v, "Output", "/States/S/Output", scope, &diags, vars);
  EXPECT_TRUE(t.has_value());
  for (const Diagnostic& d : diags) ADD_FAILURE() << d.message << " at " << d.location;
  return *t;
}

json::Value Eval(std::string_view expr, const json::Value& input = J("{}")) {
  VariableTable vars;
  JsonataTemplate t = MustCompile(json::Value::String("{% " + std::string(expr) + " %}"), &vars);
  FixedScope scope(json::Value::MakeObject({{"input", input}}));
  Result<json::Value, QueryFailure> r = t.Evaluate(scope);
  EXPECT_TRUE(r.ok()) << expr << ": " << (r.ok() ? "" : r.error().cause);
  return r.ok() ? *r : json::Value();
}

TEST(JsonataTemplateTest, WhatIsAnExpression) {
  EXPECT_TRUE(JsonataTemplate::IsExpression(J(R"("{% $x %}")")));
  EXPECT_TRUE(JsonataTemplate::IsExpression(J(R"("{%1%}")")));
  EXPECT_FALSE(JsonataTemplate::IsExpression(J(R"(" {% $x %}")")));  // AWS: a literal
  EXPECT_FALSE(JsonataTemplate::IsExpression(J(R"("{% $x %} ")")));
  EXPECT_FALSE(JsonataTemplate::IsExpression(J(R"("{%}")")));
  EXPECT_FALSE(JsonataTemplate::IsExpression(J(R"("$states.input")")));
  EXPECT_FALSE(JsonataTemplate::IsExpression(J("1")));
}

TEST(JsonataTemplateTest, LiteralsStayAsWritten) {
  VariableTable vars;
  json::Value v = J(R"({"a": " {% $x %} ", "b.$": "$", "c": [null, 0.1, "$states.input"],
                        "d": {}})");
  JsonataTemplate t = MustCompile(v, &vars);
  FixedScope scope(J("{}"));
  Result<json::Value, QueryFailure> r = t.Evaluate(scope);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Dump(), v.Dump());
  EXPECT_EQ(vars.size(), 0u);
}

TEST(JsonataTemplateTest, ExpressionsAnywhereInTheTree) {
  VariableTable vars;
  JsonataTemplate t = MustCompile(
      J(R"({"a": "{% $states.input.x %}", "b": [1, "{% $v %}", {"c": "{% $states.result %}"}],
            "lit": "text"})"),
      &vars);
  ASSERT_EQ(vars.size(), 1u);  // v
  FixedScope scope(J(R"({"input": {"x": 5}, "result": [true]})"));
  scope.Set(0, J(R"("w")"));
  Result<json::Value, QueryFailure> r = t.Evaluate(scope);
  ASSERT_TRUE(r.ok()) << r.error().cause;
  EXPECT_EQ(r->Dump(), R"({"a":5,"b":[1,"w",{"c":[true]}],"lit":"text"})");
}

TEST(JsonataTemplateTest, UndefinedAndErrorsAreQueryFailures) {
  VariableTable vars;
  JsonataTemplate t =
      MustCompile(J(R"({"a": {"b": "{% $states.input.nope %}"}, "l": [1]})"), &vars);
  FixedScope scope(J(R"({"input": {}})"));
  Result<json::Value, QueryFailure> r = t.Evaluate(scope);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().cause,
            "The JSONata expression '$states.input.nope' specified for the field 'Output/a/b' "
            "returned nothing (undefined).");
  EXPECT_EQ(r.error().location, "Output/a/b");
  // Array elements are named by index, as AWS names them.
  JsonataTemplate arr = MustCompile(J(R"({"values": [1, "{% $states.input.nope %}"]})"), &vars);
  r = arr.Evaluate(scope);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().location, "Output/values[1]");

  JsonataTemplate u = MustCompile(J(R"({"F": "{%   $randomSeeded(1)   %}"})"), &vars);
  r = u.Evaluate(scope);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().cause,
            "The JSONata expression '$randomSeeded(1)' specified for the field 'Output/F' threw an "
            "error during evaluation. T1006: Attempted to invoke a non-function");
  EXPECT_EQ(r.error().location, "Output/F");
}

TEST(JsonataTemplateTest, UnexpectedResultTypeMessage) {
  VariableTable vars;
  Diagnostics diags;
  std::optional<JsonataTemplate> t = JsonataTemplate::Compile(
      J(R"("{% $ItemsVar %}")"), "Items", "/States/M/Items", StatesScope::kInput, &diags, &vars);
  ASSERT_TRUE(t);
  EXPECT_EQ(UnexpectedResultType(*t, "array", J(R"({"foo":"bar"})")).cause,
            "The JSONata expression '$ItemsVar' specified for the field 'Items' returned an "
            "unexpected result type. Expected 'array', but was 'object' for value: "
            "{\"foo\":\"bar\"}");
  EXPECT_TRUE(UnexpectedResultType(*t, "array", J("null"))
                  .cause.ends_with("Expected 'array', but was 'null' for value: null"));
}

TEST(JsonataTemplateTest, StatesScopeCheckedAtDefinitionTime) {
  for (auto [expr, scope, ok] :
       {std::tuple{"$states.result", StatesScope::kInput, false},
        {"$states.result.x", StatesScope::kResult, true},
        {"$states.result", StatesScope::kErrorOutput, false},
        {"$states.errorOutput", StatesScope::kResult, false},
        {"$states.errorOutput.Cause", StatesScope::kErrorOutput, true},
        {"$states.input.a & $states.context.State.Name", StatesScope::kInput, true}}) {
    VariableTable vars;
    Diagnostics diags;
    std::optional<JsonataTemplate> t =
        JsonataTemplate::Compile(json::Value::String(std::string("{% ") + expr + " %}"),
                                 "Arguments", "/States/S/Arguments", scope, &diags, &vars);
    EXPECT_EQ(t.has_value(), ok) << expr;
    if (!ok) {
      ASSERT_EQ(diags.size(), 1u) << expr;
      EXPECT_EQ(diags[0].location, "/States/S/Arguments");
      EXPECT_NE(diags[0].message.find("which is not available in this field"), std::string::npos);
    }
  }
}

TEST(JsonataTemplateTest, SyntaxErrorsAtDefinitionTime) {
  VariableTable vars;
  Diagnostics diags;
  std::optional<JsonataTemplate> t =
      JsonataTemplate::Compile(J(R"({"a": ["{% $states.input.( %}"]})"), "Output",
                               "/States/S/Output", StatesScope::kInput, &diags, &vars);
  EXPECT_FALSE(t);
  ASSERT_EQ(diags.size(), 1u);
  // AWS: code INVALID_JSONATA_EXPRESSION, the reference's message without its code.
  EXPECT_EQ(diags[0].code, "INVALID_JSONATA_EXPRESSION");
  EXPECT_EQ(diags[0].location, "/States/S/Output/a/0");
  EXPECT_EQ(diags[0].message, "Expected \")\" before end of expression");  // the reference's
}

TEST(JsonataTemplateTest, ContextUse) {
  VariableTable vars;
  EXPECT_FALSE(MustCompile(J(R"("{% $states.input %}")"), &vars).uses_context());
  EXPECT_TRUE(
      MustCompile(J(R"({"a": ["{% $states.context.Execution.Id %}"]})"), &vars).uses_context());
}

TEST(JsonataFunctionsTest, AwsFunctions) {
  EXPECT_EQ(Eval("$partition([1, 2, 3], 2)").Dump(), "[[1,2],[3]]");
  EXPECT_EQ(Eval("$partition($states.input, 5)", J("[0]")).Dump(), "[[0]]");
  EXPECT_EQ(Eval("$range(0, 10, 3)").Dump(), "[0,3,6,9]");
  EXPECT_EQ(Eval("$range(1, 9, 9)").Dump(), "1");  // AWS: a sequence of one is its value
  EXPECT_EQ(Eval("$range(5, 1, -2)").Dump(), "[5,3,1]");
  EXPECT_EQ(Eval("$hash('a', 'MD5')").Dump(), R"("0cc175b9c0f1b6a831c399e269772661")");
  EXPECT_EQ(Eval("$hash('abc', 'SHA-256')").Dump(),
            R"("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")");
  EXPECT_EQ(Eval(R"($parse('{"a": [1, 2.5]}'))").Dump(), R"({"a":[1,2.5]})");
  EXPECT_EQ(Eval("$parse('-0')").Dump(), "0");
  json::Value r1 = Eval("$random(7)");
  json::Value r2 = Eval("$random(7)");
  ASSERT_TRUE(r1.is_number());
  EXPECT_EQ(r1.as_double(), r2.as_double());  // seeded: always the same
  EXPECT_GE(r1.as_double(), 0.0);
  EXPECT_LT(r1.as_double(), 1.0);
  EXPECT_EQ(Eval("$uuid()").as_string().size(), 36u);
  EXPECT_EQ(Eval("$uuid()").as_string()[14], '4');
}

TEST(JsonataFunctionsTest, FailuresAndEvalRemoved) {
  VariableTable vars;
  FixedScope scope(J(R"({"input": {}})"));
  for (auto [expr, text] : {std::pair{"$eval('1')", "T1006: Attempted to invoke a non-function"},
                            {"$partition([1], 0)", "Invalid arguments in $partition: "},
                            {"$range(0, 1, 0)", "Invalid arguments in $range: step must not be 0"},
                            {"$hash('a', 'SHA-3')", "Invalid arguments in $hash: "},
                            {"$parse('{')", "Invalid arguments in $parse: "}}) {
    JsonataTemplate t = MustCompile(json::Value::String(std::string("{% ") + expr + " %}"), &vars);
    Result<json::Value, QueryFailure> r = t.Evaluate(scope);
    ASSERT_FALSE(r.ok()) << expr;
    EXPECT_NE(r.error().cause.find(std::string("threw an error during evaluation. ") + text),
              std::string::npos)
        << r.error().cause;
  }
}

}  // namespace
}  // namespace stator::asl

namespace stator::asl {
namespace {

// Plain variable paths are walked without the engine; they must give what the engine gives
// (the parenthesized form always goes through the engine).
TEST(JsonataTemplateTest, PlainPathsAsTheEngineHasThem) {
  const char* docs[] = {R"({"a":{"b":1}})",
                        R"({"a":{"b":[1]}})",
                        R"({"a":[{"b":1},{"b":2}]})",
                        R"({"a":[{"b":[3]}]})",
                        R"({"a":"text"})",
                        R"({"a":null})",
                        R"({"a":{"b":{"c":true}}})",
                        R"([1,2])",
                        R"({"a":{"b":[]}})",
                        R"({})"};
  const char* paths[] = {"$states.input",       "$states.input.a", "$states.input.a.b",
                         "$states.input.a.b.c", "$v.a.b",          "$nope.x"};
  for (const char* doc : docs) {
    for (const char* path : paths) {
      VariableTable vars;
      JsonataTemplate fast =
          MustCompile(json::Value::String(std::string("{% ") + path + " %}"), &vars);
      JsonataTemplate slow =
          MustCompile(json::Value::String(std::string("{% (") + path + ") %}"), &vars);
      FixedScope scope(json::Value::MakeObject({{"input", J(doc)}}));
      scope.Set(0, J(doc));  // $v (the first variable numbered)
      Result<json::Value, QueryFailure> a = fast.Evaluate(scope);
      Result<json::Value, QueryFailure> b = slow.Evaluate(scope);
      ASSERT_EQ(a.ok(), b.ok()) << doc << " " << path;
      if (a.ok()) {
        EXPECT_EQ(a->Dump(), b->Dump()) << doc << " " << path;
      } else {
        EXPECT_NE(a.error().cause.find("returned nothing (undefined)"), std::string::npos);
        EXPECT_NE(b.error().cause.find("returned nothing (undefined)"), std::string::npos);
      }
    }
  }
}

}  // namespace
}  // namespace stator::asl
