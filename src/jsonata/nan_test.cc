// NaN and Infinity as the reference (jsonata-js 2.0.6) treats them: its isNumeric says NaN is not
// a number and throws D1001 for Infinity; NaN flows on through the built-ins and is D1001 only
// when it reaches a result (JSON cannot hold it).
#include <gtest/gtest.h>

#include "jsonata/jsonata.h"

namespace stator::jsonata {
namespace {

// "CODE: message" for an error, compact JSON for a result, "undefined" for none.
std::string Eval(std::string_view expr) {
  auto compiled = Expression::Compile(expr);
  if (!compiled.ok()) return compiled.error().code + ": " + compiled.error().message;
  auto r = compiled->Evaluate(std::nullopt);
  if (!r.ok()) return r.error().code + ": " + r.error().message;
  if (!r->has_value()) return "undefined";
  return (*r)->Dump();
}

std::string Code(std::string_view expr) {
  std::string r = Eval(expr);
  return r.substr(0, r.find(':'));
}

constexpr std::string_view kNaN = R"($parseInteger("x", "0"))";

std::string WithNaN(std::string_view pattern) {
  std::string out(pattern);
  size_t at = out.find("NAN");
  while (at != std::string::npos) {
    out.replace(at, 3, kNaN);
    at = out.find("NAN");
  }
  return out;
}

TEST(JsonataNaN, ArithmeticOnNaNIsNotANumberOnInfinityOutOfRange) {
  EXPECT_EQ(Code(WithNaN("1 + NAN")), "T2002");
  EXPECT_EQ(Code(WithNaN("NAN * 2")), "T2001");
  EXPECT_EQ(Code(R"(1 + $toMillis("2024-13-01"))"), "T2002");
  EXPECT_EQ(Code("(1/0) + 1"), "D1001");
  EXPECT_EQ(Code("1 - (1/0)"), "D1001");
  EXPECT_EQ(Eval(WithNaN("-NAN")), "D1002: Cannot negate a non-numeric value: null");
  EXPECT_EQ(Eval("-(1/0)"), "D1001: Number out of range: null");
}

TEST(JsonataNaN, BuiltinsReturnAndPassOnNaN) {
  EXPECT_EQ(Code(kNaN), "D1001");  // a result cannot hold NaN
  EXPECT_EQ(Code(R"($round($toMillis("2024-13-01")))"), "D1001");
  EXPECT_EQ(Eval(R"($toMillis("2024-13-01") < 1)"), "false");
  EXPECT_EQ(Eval(R"($round($toMillis("2024-13-01")) >= 0)"), "false");
  EXPECT_EQ(Eval(WithNaN("$formatBase(NAN, 36)")), R"("NaN")");
  EXPECT_EQ(Eval("$formatBase(1/0, 2)"), R"("Infinity")");
  EXPECT_EQ(Eval(WithNaN("$formatInteger(NAN, '1')")), R"("NaN")");
  EXPECT_EQ(Eval(WithNaN("$sum([1, NAN]) = $sum([1, NAN])")), "false");
  EXPECT_EQ(Eval(WithNaN("$max([1, NAN]) < 2 or $max([1, NAN]) >= 2")), "false");
  EXPECT_EQ(Eval(WithNaN("$min([NAN, 1]) < 2 or $min([NAN, 1]) >= 2")), "false");
  EXPECT_EQ(Eval("$sum([1e308, 1e308]) > 1"), "true");  // Infinity flows on too
  EXPECT_EQ(Eval(WithNaN("$string([NAN])")), R"("[null]")");
  EXPECT_EQ(Eval(WithNaN(R"($string({"a": NAN}))")), R"("{\"a\":null}")");
  EXPECT_EQ(Code("$string([1/0])"), "D1001");
  EXPECT_EQ(Code(WithNaN("$string(NAN)")), "D3001");
  EXPECT_EQ(Code(WithNaN("'a' & NAN")), "D3001");
  EXPECT_EQ(Code(WithNaN("$sort([3, NAN, 1])")), "D3070");
  EXPECT_EQ(Code("$sort([3, 1/0, 1])"), "D1001");
  EXPECT_EQ(Eval(WithNaN("$power(NAN, 2)")),
            "D3061: The power function has resulted in a value that cannot be represented as a "
            "JSON number: base=null, exponent=2");
  EXPECT_EQ(Eval("$power(2, 1/0)"),
            "D3061: The power function has resulted in a value that cannot be represented as a "
            "JSON number: base=2, exponent=null");
}

TEST(JsonataNaN, ConditionsCastNaNToFalseAndFailOnInfinity) {
  EXPECT_EQ(Eval(WithNaN("NAN ? 1 : 2")), "2");
  EXPECT_EQ(Eval(WithNaN("NAN or false")), "false");
  EXPECT_EQ(Eval(WithNaN("$boolean(NAN)")), "false");
  EXPECT_EQ(Eval(WithNaN("[1, 2][NAN]")), "undefined");
  EXPECT_EQ(Eval(WithNaN("[1, 2][[0, NAN]]")), "undefined");  // not all numbers: cast, false
  EXPECT_EQ(Eval(WithNaN("[1, 2][[1, NAN]]")), "[1,2]");      // cast of [1, NaN] is true
  EXPECT_EQ(Code("(1/0) ? 1 : 2"), "D1001");
  EXPECT_EQ(Eval("[1, 2][[0, 1/0]]"), "D1001: Number out of range: null");
}

}  // namespace
}  // namespace stator::jsonata
