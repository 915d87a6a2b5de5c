#include "jsonata/jsonata.h"

#include <gtest/gtest.h>

#include "jsonata/number_format.h"
#include "jsonata/value.h"

namespace stator::jsonata {
namespace {

json::Value J(std::string_view text) { return *json::Parse(text); }

// Evaluates `expr` over `input` and returns the result as compact JSON, "undefined", or
// "CODE" for an error.
std::string Eval(std::string_view expr, std::string_view input = "", Limits limits = {},
                 const Bindings* bindings = nullptr) {
  auto compiled = Expression::Compile(expr);
  if (!compiled.ok()) return compiled.error().code;
  Arg in;
  if (!input.empty()) in = J(input);
  auto r = compiled->Evaluate(in, bindings, limits);
  if (!r.ok()) return r.error().code;
  if (!r->has_value()) return "undefined";
  return (*r)->Dump();
}

TEST(JsonataParser, SyntaxErrorsAreTheReferences) {
  EXPECT_EQ(Eval("\"abc"), "S0101");
  EXPECT_EQ(Eval("1e999"), "S0102");
  EXPECT_EQ(Eval("\"\\q\""), "S0103");
  EXPECT_EQ(Eval("/* open"), "S0106");
  EXPECT_EQ(Eval("1 2"), "S0201");
  EXPECT_EQ(Eval("(1"), "S0203");
  EXPECT_EQ(Eval("[1; 2]"), "S0202");
  EXPECT_EQ(Eval("1 +"), "S0207");
  EXPECT_EQ(Eval("function(a){1}"), "S0208");
  EXPECT_EQ(Eval("1 := 2"), "S0212");
  EXPECT_EQ(Eval("a.1"), "S0213");
  EXPECT_EQ(Eval("a@b"), "S0214");
  EXPECT_EQ(Eval("%"), "S0217");
  EXPECT_EQ(Eval("a ~ b"), "S0204");
}

TEST(JsonataParser, ErrorCarriesTokenAndMessage) {
  auto r = Expression::Compile("1 2");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().token, "2");
  EXPECT_EQ(r.error().message, "Syntax error: \"2\"");
}

TEST(JsonataEval, PathsPredicatesAndSequences) {
  std::string in = R"({"a":[{"b":1},{"b":2},{"b":3}],"c":{"d":[1,[2,3]]}})";
  EXPECT_EQ(Eval("a.b", in), "[1,2,3]");
  EXPECT_EQ(Eval("a[0].b", in), "1");
  EXPECT_EQ(Eval("a[-1].b", in), "3");
  EXPECT_EQ(Eval("a[b>1].b", in), "[2,3]");
  EXPECT_EQ(Eval("a.b[]", "{\"a\":{\"b\":1}}"), "[1]");
  EXPECT_EQ(Eval("c.d", in), "[1,[2,3]]");
  EXPECT_EQ(Eval("missing", in), "undefined");
  EXPECT_EQ(Eval("$count(a)", in), "3");
  EXPECT_EQ(Eval("a#$i[$i>0].b", in), "[2,3]");
  EXPECT_EQ(Eval("a@$x.$x.b", in), "[1,2,3]");
}

// A name step over an input array reads the items in place (evaluator_path.cc's fast path):
// the same results as the general machinery, flattening and limits included.
TEST(JsonataEval, NameStepsOverInputArrays) {
  std::string in =
      R"({"o":{"items":[{"p":1,"t":["x","y"]},{"q":2},{"p":3,"t":"z"},5,[{"p":4}]]},"e":[]})";
  EXPECT_EQ(Eval("o.items.p", in), "[1,3,4]");
  EXPECT_EQ(Eval("o.items.t", in), R"(["x","y","z"])");
  EXPECT_EQ(Eval("$sum(o.items.p)", in), "8");
  EXPECT_EQ(Eval("o.items.q", in), "2");
  EXPECT_EQ(Eval("o.items.p[0]", in), "[1,3,4]");
  EXPECT_EQ(Eval("o.items^(>p).p", in), "[4,3,1]");
  EXPECT_EQ(Eval("o.items#$i.p", in), "[1,3,4]");
  EXPECT_EQ(Eval("e.p", in), "undefined");
  EXPECT_EQ(Eval("o.items.r", in), "undefined");
  Limits shallow;  // the depths at which the general machinery stops (before the fast path)
  shallow.max_depth = 1;
  EXPECT_EQ(Eval("o.items.p", in, shallow), "U1001");
  shallow.max_depth = 2;
  EXPECT_EQ(Eval("$sum(o.items.p)", in, shallow), "U1001");
  shallow.max_depth = 3;
  EXPECT_EQ(Eval("$sum(o.items.p)", in, shallow), "8");
}

// `$$` is the input wherever it is read (the root frame keeps it outside its variables).
TEST(JsonataEval, RootIsTheInputEverywhere) {
  std::string in = R"({"a":7,"x":{"y":1}})";
  EXPECT_EQ(Eval("$$.a", in), "7");
  EXPECT_EQ(Eval("x.($$.a)", in), "7");
  EXPECT_EQ(Eval("[1,2].$$.a", in), "[7,7]");
  EXPECT_EQ(Eval("($f := function(){$$.a}; $f())", in), "7");
  EXPECT_EQ(Eval("$map([1], function($v){$$.a})", in), "7");
  EXPECT_EQ(Eval("($$ := 5; $$)", in), "5");
  EXPECT_EQ(Eval("$$"), "undefined");
}

// $now and $millis report one timestamp per evaluation (read when first asked for).
TEST(JsonataEval, ClockIsFixedWithinAnEvaluation) {
  EXPECT_EQ(Eval("$millis() = $millis()"), "true");
  EXPECT_EQ(Eval("($a := $now(); $b := [1..20000] ~> $count(); $a = $now())"), "true");
  EXPECT_EQ(Eval("$toMillis($now()) = $millis()"), "true");
}

TEST(JsonataEval, NumbersAreJavascriptDoubles) {
  EXPECT_EQ(Eval("1 + 2"), "3");
  EXPECT_EQ(Eval("7 / 2"), "3.5");
  EXPECT_EQ(Eval("2.5 * 2"), "5");  // integral results become Int
  EXPECT_EQ(Eval("1/0"), "D1001");
  EXPECT_EQ(Eval("\"s\" - 1"), "T2001");
  EXPECT_EQ(Eval("1 - \"s\""), "T2002");
  EXPECT_EQ(Eval("$string(0.1 + 0.2)"), "\"0.3\"");
  EXPECT_EQ(Eval("1e21 & ''"), "\"1e+21\"");
  EXPECT_EQ(Eval("$round(2.5)"), "2");
  EXPECT_EQ(Eval("$round(3.5)"), "4");
  EXPECT_EQ(Eval("$round(2.675, 2)"), "2.68");
  // $string and & write every number to 15 significant digits, integers included.
  EXPECT_EQ(Eval("$string(1234567890123456)"), "\"1234567890123460\"");
  EXPECT_EQ(Eval("'' & 1234567890123456"), "\"1234567890123460\"");
  EXPECT_EQ(Eval("$string([-9007199254740993])"), "\"[-9007199254740990]\"");
  EXPECT_EQ(Eval("$string(123456789012345)"), "\"123456789012345\"");
}

// `in` is the reference's ===: objects, arrays and functions are found by identity only.
TEST(JsonataEval, InComparesObjectsByIdentity) {
  std::string in = R"({"m":{"a":1},"arr":[1,2]})";
  EXPECT_EQ(Eval("m in m", in), "true");
  EXPECT_EQ(Eval("m in [m]", in), "true");
  EXPECT_EQ(Eval("($x := m; $x in [1, $x])", in), "true");
  EXPECT_EQ(Eval("m in {\"a\": 1}", in), "false");
  EXPECT_EQ(Eval("{} in [{}]", in), "false");
  EXPECT_EQ(Eval("$merge([m]) in m", in), "false");
  EXPECT_EQ(Eval("m in [[m]]", in), "false");
  EXPECT_EQ(Eval("arr in arr", in), "false");
  EXPECT_EQ(Eval("arr[0] in arr", in), "true");
  EXPECT_EQ(Eval("($f := function(){{\"a\": 1}}; $f() in $f())", in), "false");
  EXPECT_EQ(Eval("($f := function(){1}; $f in [$f])", in), "true");
  EXPECT_EQ(Eval("$not in [$not]", in), "true");
  EXPECT_EQ(Eval("($o := {\"f\": $not}; $o in [$o])", in), "true");
}

// A partially applied built-in checks its arguments when called and names itself in T0410.
TEST(JsonataEval, PartiallyAppliedBuiltinNamesItselfInT0410) {
  auto error = [](std::string_view expr) {
    return Expression::Compile(expr)->Evaluate(std::nullopt).error();
  };
  jsonata::Error e = error("$substring(?, 1)([{}])");
  EXPECT_EQ(e.code, "T0410");
  EXPECT_EQ(e.message, "Argument 1 of function \"substring\" does not match function signature");
  EXPECT_EQ(e.token, "substring");
  e = error("($p := $power(?, 2); $p(\"a\"))");
  EXPECT_EQ(e.message, "Argument 1 of function \"power\" does not match function signature");
  EXPECT_EQ(Eval("$substring(?, 1)(\"abc\")"), "\"bc\"");
}

TEST(JsonataEval, ErrorInsertsAreJsonStringifyWithEveryDigit) {
  auto message = [](std::string_view expr) {
    return Expression::Compile(expr)->Evaluate(std::nullopt).error().message;
  };
  EXPECT_EQ(message("1.2345678901234567 > 'a'"),
            "The values 1.2345678901234567 and \"a\" either side of operator \">\" must be of "
            "the same data type");
  EXPECT_EQ(message("'a' <= 1234567890123456"),
            "The values \"a\" and 1234567890123456 either side of operator \"<=\" must be of "
            "the same data type");
  EXPECT_EQ(message("(1/0) < 'a'"),
            "The values null and \"a\" either side of operator \"<\" must be of the same data "
            "type");
}

TEST(JsonataEval, FunctionsClosuresAndTailCalls) {
  EXPECT_EQ(Eval("($f := function($x){$x * 2}; $f(4))"), "8");
  EXPECT_EQ(Eval("($add := function($x, $y){$x + $y}; $inc := $add(1, ?); $inc(5))"), "6");
  EXPECT_EQ(Eval("$map([1,2,3], function($v, $i){$v * $i})"), "[0,2,6]");
  EXPECT_EQ(Eval("$reduce([1,2,3,4], function($a, $b){$a + $b})"), "10");
  // 20,000 deep tail recursion runs in constant stack.
  EXPECT_EQ(Eval("($loop := function($n, $acc){$n = 0 ? $acc : $loop($n - 1, $acc + 1)};"
                 " $loop(20000, 0))"),
            "20000");
  EXPECT_EQ(Eval("$eval('1')"), "T1006");
  EXPECT_EQ(Eval("function($x)<n:n>{$x}(\"a\")"), "T0410");
}

TEST(JsonataEval, DeepNonTailRecursionIsStoppedNotCrashed) {
  EXPECT_EQ(Eval("($f := function($n){$n = 0 ? 0 : 1 + $f($n - 1)}; $f(1000000))"), "U1001");
  Limits limits;
  limits.max_depth = 100;
  EXPECT_EQ(Eval("($f := function($n){$n = 0 ? 0 : 1 + $f($n - 1)}; $f(1000))", "", limits),
            "U1001");
  limits = {};
  limits.time_limit_ms = 50;
  EXPECT_EQ(Eval("($f := function(){$f()}; $f())", "", limits), "U1001");
}

TEST(JsonataEval, ObjectsGroupingSortingTransforms) {
  std::string in = R"({"p":[{"k":"a","v":1},{"k":"b","v":2},{"k":"a","v":3}]})";
  EXPECT_EQ(Eval("p{k: $sum(v)}", in), R"({"a":4,"b":2})");
  EXPECT_EQ(Eval("p^(>v).v", in), "[3,2,1]");
  EXPECT_EQ(Eval("$ ~> |p|{\"w\": v * 10}, [\"k\"]|", in),
            R"({"p":[{"v":1,"w":10},{"v":2,"w":20},{"v":3,"w":30}]})");
  EXPECT_EQ(Eval("p.{k: %.p[0].k}", in), R"([{"a":"a"},{"b":"a"},{"a":"a"}])");
  EXPECT_EQ(Eval("{\"f\": function(){1}}"), R"({"f":""})");
}

TEST(JsonataEval, BindingsExtensionsAndFreeVariables) {
  BindingList b;
  b.Add("x", J("5"));
  EXPECT_EQ(Eval("$x + 1", "", {}, &b), "6");
  auto c = Expression::Compile("$states.input.a + $y + ($z := 1; $z)");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->free_variables(), (std::vector<std::string>{"states", "y"}));
  EXPECT_EQ(c->states_fields(), (std::vector<std::string>{"input"}));
  Extension twice{"twice", "<n:n>", [](std::span<const Arg> args) -> Result<Arg, Error> {
                    return Arg(json::Value::Int(args[0]->as_int() * 2));
                  }};
  auto e = Expression::Compile("$twice(21)", std::span<const Extension>(&twice, 1));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e->Evaluate(std::nullopt))->Dump(), "42");
  std::string_view removed[] = {"sum"};
  auto r = Expression::Compile("$sum([1])", {}, removed);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Evaluate(std::nullopt).error().code, "T1006");
}

TEST(JsonataValue, JsNumberString) {
  EXPECT_EQ(JsNumberToString(0.1), "0.1");
  EXPECT_EQ(JsNumberToString(1e21), "1e+21");
  EXPECT_EQ(JsNumberToString(1e-7), "1e-7");
  EXPECT_EQ(JsNumberToString(123456789012), "123456789012");
  EXPECT_EQ(JsNumberToString(-1.5e-6), "-0.0000015");
}

}  // namespace
}  // namespace stator::jsonata
