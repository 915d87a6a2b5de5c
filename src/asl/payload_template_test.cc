#include "asl/payload_template.h"

#include <gtest/gtest.h>

#include "asl/test_util.h"

namespace stator::asl {
namespace {

using json::Value;
using testing::J;

PayloadTemplate T(std::string_view tmpl) {
  Diagnostics diags;
  auto t = PayloadTemplate::Compile(J(tmpl), "/States/S/Parameters", &diags);
  EXPECT_TRUE(t.has_value()) << tmpl;
  EXPECT_TRUE(diags.empty());
  return *t;
}

// A Context that counts how often the context object is built.
class CountingContext : public Context {
 public:
  explicit CountingContext(Value v) : v_(std::move(v)) {}
  const Value& Get() const override {
    ++calls;
    return v_;
  }
  mutable int calls = 0;

 private:
  Value v_;
};

std::string Eval(std::string_view tmpl, std::string_view input) {
  CountingContext ctx(J(R"({"Execution":{"Id":"arn:e"},"State":{"Name":"S"}})"));
  auto r = T(tmpl).Evaluate(J(input), ctx);
  if (!r.ok()) return r.error().error + ": " + r.error().cause;
  return r->Dump();
}

TEST(PayloadTemplateTest, SubstitutesPathsContextAndIntrinsics) {
  EXPECT_EQ(Eval(R"({"a.$":"$.x","b":1,"c":{"d.$":"$$.State.Name","e":[1,{"f.$":"$.y[0]"}]},)"
                 R"j("g.$":"States.Format('{}-{}', $.x, $$.Execution.Id)"})j",
                 R"({"x":"X","y":[true]})"),
            R"({"a":"X","b":1,"c":{"d":"S","e":[1,{"f":true}]},"g":"X-arn:e"})");
  EXPECT_EQ(Eval(R"({"all.$":"$","items.$":"$.l[*].n"})", R"({"l":[{"n":1},{"m":2}]})"),
            R"({"all":{"l":[{"n":1},{"m":2}]},"items":[1]})");
  EXPECT_EQ(Eval(R"("just a string")", "{}"), R"("just a string")");
  EXPECT_EQ(Eval(R"([{"a.$":"$.v"}])", R"({"v":2})"), R"([{"a":2}])");
  // A key without ".$" is copied even when its value looks like a path.
  EXPECT_EQ(Eval(R"({"p":"$.x"})", R"({"x":1})"), R"({"p":"$.x"})");
}

TEST(PayloadTemplateTest, StaticPartsAreShared) {
  Value tmpl = J(R"({"static":{"big":[1,2,3]},"d.$":"$.x"})");
  Diagnostics diags;
  auto t = PayloadTemplate::Compile(tmpl, "/P", &diags);
  ASSERT_TRUE(t.has_value());
  FixedContext ctx(Value::EmptyObject());
  auto out = t->Evaluate(J(R"({"x":1})"), ctx);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(&out->Find("static")->as_object(), &tmpl.Find("static")->as_object());
}

TEST(PayloadTemplateTest, UsesContextOnlyWhenNeeded) {
  EXPECT_FALSE(T(R"({"a.$":"$.x","b":"$$.y"})").uses_context());
  EXPECT_TRUE(T(R"({"a":{"b.$":"$$.Execution"}})").uses_context());
  EXPECT_TRUE(T(R"j({"a.$":"States.Array($$.Execution)"})j").uses_context());
  CountingContext ctx(Value::EmptyObject());
  auto r = T(R"({"a.$":"$.x"})").Evaluate(J(R"({"x":1})"), ctx);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ctx.calls, 0);
}

TEST(PayloadTemplateTest, MissingPathFailsAsAws) {
  EXPECT_EQ(Eval(R"({"address.$":"$.application.address"})", R"({"flagged":false})"),
            "States.Runtime: The JSONPath '$.application.address' specified for the field "
            "'address.$' could not be found in the input '{\"flagged\":false}'");
  EXPECT_EQ(Eval(R"j({"n":{"v.$":"States.Array($.nope)"}})j", R"({})"),
            "States.Runtime: The JSONPath '$.nope' specified for the field 'v.$' could not be "
            "found in the input '{}'");
  // An indefinite path that matches nothing is an empty array, not an error.
  EXPECT_EQ(Eval(R"({"types.$":"$[*].type"})", "{}"), R"({"types":[]})");
}

TEST(PayloadTemplateTest, IntrinsicFailuresPassThrough) {
  std::string r = Eval(R"j({"v.$":"States.ArrayGetItem($.a, 3)"})j", R"({"a":[1]})");
  EXPECT_EQ(r.substr(0, 24), "States.IntrinsicFailure:");
}

TEST(PayloadTemplateTest, InvalidFieldsAreDiagnosed) {
  Diagnostics diags;
  auto t = PayloadTemplate::Compile(
      J(R"({"ok.$":"$.a","bad.$":"$.a b","n":{"notpath.$":"hello","num.$":5},)"
        R"j("call.$":"States.Nope(1)","list":[{"x.$":"States.Format('{}')"}]})j"),
      "/States/S/Parameters", &diags);
  EXPECT_FALSE(t.has_value());
  ASSERT_EQ(diags.size(), 5u);
  EXPECT_EQ(diags[0],
            (Diagnostic{"ERROR", "SCHEMA_VALIDATION_FAILED",
                        "The value for the field 'bad.$' must be a valid JSONPath or a valid "
                        "intrinsic function call",
                        "/States/S/Parameters"}));
  EXPECT_EQ(diags[1].location, "/States/S/Parameters/n");
  EXPECT_EQ(diags[2].location, "/States/S/Parameters/n");
  EXPECT_EQ(diags[3].message,
            "The value for the field 'call.$' must be a valid JSONPath or a valid intrinsic "
            "function call");
  EXPECT_EQ(diags[4].location, "/States/S/Parameters/list/0");
}

class VarContext : public Context {
 public:
  const Value& Get() const override { return ctx_; }
  const Value* Variable(std::string_view name) const override { return vars_.Find(name); }
  Value ctx_ = Value::EmptyObject();
  // From the recorded assign case BASE_REFERENCE_IN_INTRINSIC_FUNCTION.
  Value vars_ = J(R"({"rawString":"Hello World","json1":{"a":1,"b":2},"json2":{"c":3,"d":4},)"
                  R"("name":"John","place":"LocalStack","inputString":"Hash this string"})");
};

TEST(PayloadTemplateTest, VariablesInPathsAndIntrinsics) {
  VarContext ctx;
  Diagnostics diags;
  auto t = PayloadTemplate::Compile(
      J(R"j({"enc.$":"States.Base64Encode($rawString)","merged.$":"States.JsonMerge($json1, $json2, false)",)j"
        R"j("f.$":"States.Format('Hello {}, welcome to {}!', $name, $place)","n.$":"$name",)j"
        R"j("h.$":"States.Hash($inputString, 'SHA-256')"})j"),
      "/P", &diags);
  ASSERT_TRUE(t.has_value());
  EXPECT_FALSE(t->uses_context());
  auto r = t->Evaluate(Value::EmptyObject(), ctx);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Dump(),
            R"({"enc":"SGVsbG8gV29ybGQ=","merged":{"a":1,"b":2,"c":3,"d":4},)"
            R"("f":"Hello John, welcome to LocalStack!","n":"John",)"
            R"("h":"1cac63f39fd68d8c531f27b807610fb3d50f0fc3f186995767fb6316e7200a3e"})");
}

TEST(PayloadTemplateTest, DuplicateOutputKeyLaterWins) {
  EXPECT_EQ(Eval(R"({"a":1,"b":2,"a.$":"$.x"})", R"({"x":9})"), R"({"a":9,"b":2})");
}

}  // namespace
}  // namespace stator::asl
