#include "asl/intrinsics.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "asl/test_util.h"

namespace stator::asl {
namespace {

using json::Value;
using testing::J;

const FixedContext& Ctx() {
  static const FixedContext ctx(J(
      R"({"Execution":{"Id":"arn:x","Input":{"k":"v"}},"StateMachine":{"Name":"my-state-machine"}})"));
  return ctx;
}

// Evaluates text against input; returns the compact JSON result or "error name: cause".
std::string Call(std::string_view text, std::string_view input = "{}") {
  auto call = IntrinsicCall::Compile(text);
  if (!call.ok()) return "COMPILE: " + call.error().cause;
  auto r = call->Evaluate(J(input), Ctx());
  if (!r.ok()) return r.error().error + ": " + r.error().cause;
  return r->Dump();
}

bool Compiles(std::string_view text) { return IntrinsicCall::Compile(text).ok(); }

TEST(IntrinsicsTest, LooksLikeCall) {
  EXPECT_TRUE(IntrinsicCall::LooksLikeCall("States.Format('x')"));
  EXPECT_TRUE(IntrinsicCall::LooksLikeCall("States.UUID()"));
  EXPECT_FALSE(IntrinsicCall::LooksLikeCall("$.States"));
  EXPECT_FALSE(IntrinsicCall::LooksLikeCall("States.Format"));
}

TEST(IntrinsicsTest, CompileChecksSyntaxNamesAndArity) {
  EXPECT_TRUE(Compiles("States.Format('{} {}', $.a, $$.b)"));
  EXPECT_TRUE(Compiles("  States.Array( 1 , 'a' , true , null , -2.5 )  "));
  EXPECT_TRUE(Compiles("States.Array()"));
  EXPECT_TRUE(Compiles("States.MathRandom(1, 2)"));
  EXPECT_TRUE(Compiles("States.MathRandom(1, 2, 3)"));
  EXPECT_TRUE(Compiles("States.Array($.a['x,y)'], $.b[?(@.c == 1)])"));
  EXPECT_FALSE(Compiles("States.Nope(1)"));
  EXPECT_FALSE(Compiles("States.UUID(1)"));
  EXPECT_FALSE(Compiles("States.ArrayRange(1, 2)"));
  EXPECT_FALSE(Compiles("States.MathRandom(1)"));
  EXPECT_FALSE(Compiles("States.JsonMerge($.a, $.b)"));
  EXPECT_FALSE(Compiles("States.Format()"));
  EXPECT_FALSE(Compiles("States.Format('{}')"));
  EXPECT_FALSE(Compiles("States.Format('{} {}', 1)"));
  EXPECT_FALSE(Compiles("States.Format('x', 1)"));
  EXPECT_FALSE(Compiles("States.Array('unterminated)"));
  EXPECT_FALSE(Compiles("States.Array(1"));
  EXPECT_FALSE(Compiles("States.Array(1) x"));
  EXPECT_FALSE(Compiles("States.Array(foo)"));
  EXPECT_FALSE(Compiles("States.Array($.)"));
  EXPECT_FALSE(Compiles("States.Array(1,)"));
  // At most 10 nested calls.
  std::string deep = "States.Array(1)";
  for (int i = 0; i < 9; ++i) deep = "States.Array(" + deep + ")";
  EXPECT_TRUE(Compiles(deep));
  EXPECT_FALSE(Compiles("States.Array(" + deep + ")"));
}

TEST(IntrinsicsTest, UsesContext) {
  EXPECT_FALSE(IntrinsicCall::Compile("States.Array($.a)")->uses_context());
  EXPECT_TRUE(IntrinsicCall::Compile("States.Array(1, States.Array($$.a))")->uses_context());
}

TEST(IntrinsicsTest, FormatAsAws) {  // recorded: intrinsic_functions/test_format_2
  const char* call = "States.Format('Formatting arguments fst={} and snd={}.', $.f, $.s)";
  EXPECT_EQ(Call(call, R"({"f":"","s":""})"), R"("Formatting arguments fst= and snd=.")");
  EXPECT_EQ(Call(call, R"({"f":null,"s":null})"),
            R"("Formatting arguments fst=null and snd=null.")");
  EXPECT_EQ(Call(call, R"({"f":1,"s":1.1})"), R"("Formatting arguments fst=1 and snd=1.1.")");
  EXPECT_EQ(Call(call, R"({"f":{"Arg1":1,"Arg2":[]},"s":[1,"a",{"b":[true]}]})"),
            R"("Formatting arguments fst={Arg1=1, Arg2=[]} and snd=[1, a, {b=[true]}].")");
  EXPECT_EQ(Call(call, R"({"f":"{\"Arg1\": 1}","s":1.0E20})"),
            R"("Formatting arguments fst={\"Arg1\": 1} and snd=1.0E20.")");
}

TEST(IntrinsicsTest, FormatEscapes) {
  EXPECT_EQ(Call(R"(States.Format('\{\} {} it\'s \\ {}', 'a', $$.StateMachine.Name))"),
            R"("{} a it's \\ my-state-machine")");
  EXPECT_EQ(Call("States.Format($.t, 'x')", R"({"t":"<{}>"})"), R"("<x>")");
  EXPECT_EQ(Call("States.Format($.t, 'x')", R"({"t":"<>"})").substr(0, 23),
            "States.IntrinsicFailure");
  EXPECT_EQ(Call("States.Format($.t)", R"({"t":5})").substr(0, 23), "States.IntrinsicFailure");
}

TEST(IntrinsicsTest, JsonConversions) {  // recorded: test_json_to_string
  EXPECT_EQ(Call("States.JsonToString($.v)", R"({"v":null})"), R"("null")");
  EXPECT_EQ(Call("States.JsonToString($.v)", R"({"v":1.1})"), R"("1.1")");
  EXPECT_EQ(Call("States.JsonToString($.v)", R"({"v":"HelloWorld"})"), R"("\"HelloWorld\"")");
  EXPECT_EQ(Call("States.JsonToString($.v)", R"({"v":{"Arg1":1,"Arg2":[]}})"),
            R"("{\"Arg1\":1,\"Arg2\":[]}")");
  EXPECT_EQ(Call("States.StringToJson($.v)", R"({"v":"{\"a\": [1, 2.0]}"})"), R"({"a":[1,2.0]})");
  EXPECT_EQ(Call("States.StringToJson('')"), "null");
  EXPECT_EQ(Call("States.StringToJson('{bad')").substr(0, 23), "States.IntrinsicFailure");
  EXPECT_EQ(Call("States.StringToJson(1)").substr(0, 23), "States.IntrinsicFailure");
}

TEST(IntrinsicsTest, ArrayFunctions) {
  EXPECT_EQ(Call("States.Array($.a, 'b', 3, States.Array())", R"({"a":{"x":1}})"),
            R"([{"x":1},"b",3,[]])");
  // recorded: test_array_partition
  EXPECT_EQ(Call("States.ArrayPartition($.a, 3)", R"({"a":[0,1,2,3]})"), "[[0,1,2],[3]]");
  EXPECT_EQ(Call("States.ArrayPartition($.a, 1)", R"({"a":[]})"), "[]");
  EXPECT_EQ(Call("States.ArrayPartition($.a, 5)", R"({"a":[0,1]})"), "[[0,1]]");
  EXPECT_EQ(Call("States.ArrayPartition($.a, 0)", R"({"a":[0]})").substr(0, 23),
            "States.IntrinsicFailure");
  // recorded: test_array_contains
  EXPECT_EQ(Call("States.ArrayContains($.a, $.v)", R"({"a":[[1,2,3],2],"v":[1,2,3]})"), "true");
  EXPECT_EQ(Call("States.ArrayContains($.a, $.v)", R"({"a":[{"1":2,"2":[]}],"v":{"2":[],"1":2}})"),
            "true");
  EXPECT_EQ(Call("States.ArrayContains($.a, $.v)", R"({"a":[],"v":null})"), "false");
  EXPECT_EQ(Call("States.ArrayContains($.a, $.v)", R"({"a":[true,false],"v":false})"), "true");
  EXPECT_EQ(Call("States.ArrayRange(1, 9, 2)"), "[1,3,5,7,9]");
  EXPECT_EQ(Call("States.ArrayRange(0, 3, 1)"), "[0,1,2,3]");
  EXPECT_EQ(Call("States.ArrayRange(5, 1, -2)"), "[5,3,1]");
  EXPECT_EQ(Call("States.ArrayRange(5, 1, 1)"), "[]");
  EXPECT_EQ(Call("States.ArrayRange(1, 1000, 1)").size(), 3894u);
  EXPECT_EQ(Call("States.ArrayRange(1, 1001, 1)").substr(0, 23), "States.IntrinsicFailure");
  EXPECT_EQ(Call("States.ArrayRange(1, 5, 0)").substr(0, 23), "States.IntrinsicFailure");
  EXPECT_EQ(Call("States.ArrayRange(1, 'x', 1)").substr(0, 23), "States.IntrinsicFailure");
  EXPECT_EQ(Call("States.ArrayGetItem($.a, 1)", R"({"a":["x","y"]})"), R"("y")");
  EXPECT_EQ(Call("States.ArrayGetItem($.a, 2)", R"({"a":["x","y"]})").substr(0, 23),
            "States.IntrinsicFailure");
  EXPECT_EQ(Call("States.ArrayLength($.a)", R"({"a":[1,2,3,4,5,6,7,8,9]})"), "9");
  EXPECT_EQ(Call("States.ArrayLength($.a)", R"({"a":"x"})").substr(0, 23),
            "States.IntrinsicFailure");
  EXPECT_EQ(
      Call("States.ArrayUnique($.a)",
           R"({"a":[null,null,true,true,1,1,1.0,"s","s",[],[],{"a":1,"b":2},{"b":2,"a":1}]})"),
      R"([null,true,1,1.0,"s",[],{"a":1,"b":2}])");
}

TEST(IntrinsicsTest, Base64) {  // recorded: test_base_64_encode / decode
  EXPECT_EQ(Call("States.Base64Encode('Data to encode')"), R"("RGF0YSB0byBlbmNvZGU=")");
  EXPECT_EQ(Call("States.Base64Encode('')"), R"("")");
  EXPECT_EQ(Call("States.Base64Encode('ab')"), R"("YWI=")");
  EXPECT_EQ(Call("States.Base64Encode('é')"), R"("w6k=")");
  EXPECT_EQ(Call("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')"), R"("Data to encode")");
  EXPECT_EQ(Call("States.Base64Decode('YWI')"), R"("ab")");
  EXPECT_EQ(Call("States.Base64Decode('w6k=')"), R"("é")");
  EXPECT_EQ(Call("States.Base64Decode('/w==')"), "\"\xEF\xBF\xBD\"");
  EXPECT_EQ(Call("States.Base64Decode('a*b=')").substr(0, 23), "States.IntrinsicFailure");
  std::string big(10000, 'a');
  EXPECT_EQ(Call("States.Base64Encode($.s)", R"({"s":")" + big + "\"}").size(), 13338u);
  EXPECT_EQ(Call("States.Base64Encode($.s)", R"({"s":")" + big + "a\"}").substr(0, 23),
            "States.IntrinsicFailure");
}

TEST(IntrinsicsTest, Hash) {  // recorded: test_hash
  EXPECT_EQ(Call("States.Hash('input data', 'MD5')"), R"("812f45842bc6d66ee14572ce20db8e86")");
  EXPECT_EQ(Call("States.Hash($.d, $.a)", R"({"d":"input data","a":"SHA-256"})"),
            R"("b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3")");
  EXPECT_EQ(Call("States.Hash('x', 'SHA-3')").substr(0, 23), "States.IntrinsicFailure");
}

TEST(IntrinsicsTest, JsonMerge) {  // recorded: test_json_merge, test_json_merge_escaped_argument
  EXPECT_EQ(
      Call("States.JsonMerge($.f, $.s, false)",
           R"({"f":{"a":{"a1":1,"a2":2},"b":2,"d":3},"s":{"a":{"a3":1,"a4":2},"c":3,"d":4}})"),
      R"({"a":{"a3":1,"a4":2},"b":2,"c":3,"d":4})");
  EXPECT_EQ(Call(R"(States.JsonMerge(States.StringToJson('{"constant_in_literal": "false"}'), )"
                 R"($$.Execution.Input.input_field, false))",
                 "{}")
                .substr(0, 14),
            "States.Runtime");
  FixedContext ctx(J(R"({"Execution":{"Input":{"input_field":{"constant_input_field":"v"}}}})"));
  auto call = IntrinsicCall::Compile(
      R"(States.JsonMerge(States.StringToJson('{"constant_in_literal": "false"}'), )"
      R"($$.Execution.Input.input_field, false))");
  ASSERT_TRUE(call.ok());
  EXPECT_EQ(call->Evaluate(Value::EmptyObject(), ctx)->Dump(),
            R"({"constant_input_field":"v","constant_in_literal":"false"})")
      << "keys come out in Java HashMap order, as AWS returns them";
  EXPECT_EQ(Call("States.JsonMerge($.f, $.f, true)", R"({"f":{}})").substr(0, 23),
            "States.IntrinsicFailure");
  EXPECT_EQ(Call("States.JsonMerge($.f, 1, false)", R"({"f":{}})").substr(0, 23),
            "States.IntrinsicFailure");
}

TEST(IntrinsicsTest, Math) {
  EXPECT_EQ(Call("States.MathAdd(111, -1)"), "110");
  EXPECT_EQ(Call("States.MathAdd(1.5, 2.4)"), "4");
  EXPECT_EQ(Call("States.MathAdd(-2.5, 0)"), "-2");
  EXPECT_EQ(Call("States.MathAdd(2147483648, 0)").substr(0, 23), "States.IntrinsicFailure");
  EXPECT_EQ(Call("States.MathAdd('1', 0)").substr(0, 23), "States.IntrinsicFailure");
  for (int i = 0; i < 200; ++i) {
    int64_t v = J(Call("States.MathRandom(-3, 4)")).as_int();
    EXPECT_GE(v, -3);
    EXPECT_LT(v, 4);
  }
  // recorded: test_math_random accepts non-integer bounds
  Value r = J(Call("States.MathRandom($.a, $.b)", R"({"a":12.5,"b":44.51})"));
  ASSERT_TRUE(r.is_int());
  EXPECT_GE(r.as_int(), 13);
  EXPECT_LT(r.as_int(), 45);
  // A seed makes the result repeatable.
  std::string seeded = Call("States.MathRandom(1, 1000, 7)");
  EXPECT_EQ(Call("States.MathRandom(1, 1000, 7)"), seeded);
  EXPECT_EQ(Call("States.MathRandom(5, 5)").substr(0, 23), "States.IntrinsicFailure");
}

TEST(IntrinsicsTest, StringSplit) {  // recorded: test_string_split
  const char* call = "States.StringSplit($.s, $.d)";
  EXPECT_EQ(Call(call, R"({"s":" ","d":","})"), R"([" "])");
  EXPECT_EQ(Call(call, R"({"s":", , ,","d":","})"), R"([" "," "])");
  EXPECT_EQ(Call(call, R"({"s":",,,,","d":","})"), "[]");
  EXPECT_EQ(Call(call, R"({"s":"This.is+a,test=string","d":".+,="})"),
            R"(["This","is","a","test","string"])");
  EXPECT_EQ(Call(call, R"({"s":"split on T and \nnew line","d":"T\n"})"),
            R"(["split on "," and ","new line"])");
  EXPECT_EQ(Call("States.StringSplit('Hello\nWorld', '\n')"), R"(["Hello","World"])");
  EXPECT_EQ(Call(call, R"({"s":"aébéc","d":"é"})"), R"(["a","b","c"])");
  // recorded: test_nested_calls_2
  EXPECT_EQ(Call("States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), "
                 "States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, "
                 "'-')), -1))"),
            R"("machine")");
}

TEST(IntrinsicsTest, Uuid) {
  std::set<std::string> seen;
  std::regex v4("\"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\"");
  for (int i = 0; i < 50; ++i) {
    std::string u = Call("States.UUID()");
    EXPECT_TRUE(std::regex_match(u, v4)) << u;
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 50u);
}

TEST(IntrinsicsTest, MissingPathArgument) {
  auto call = IntrinsicCall::Compile("States.Format('{}', $.missing)");
  ASSERT_TRUE(call.ok());
  auto r = call->Evaluate(J(R"({"a":1})"), Ctx(), "x.$");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().error, "States.Runtime");
  EXPECT_EQ(r.error().cause,
            "The JSONPath '$.missing' specified for the field 'x.$' could not be found in the "
            "input '{\"a\":1}'");
}

}  // namespace
}  // namespace stator::asl
