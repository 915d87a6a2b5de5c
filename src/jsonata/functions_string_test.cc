// The string, number-format, encoding and date/time built-ins through the whole engine, with
// expectations taken from the reference (jsonata 2.0.6 on Node) for the same expressions.
#include <gtest/gtest.h>

#include <cmath>

#include "jsonata/datetime.h"
#include "jsonata/jsonata.h"
#include "jsonata/number_format.h"

namespace stator::jsonata {
namespace {

constexpr std::string_view kInput =
    R"({"s": "Hello, World! héllo 😀", "n": 1234.5678, "a": ["x","y","z"]})";

// The result as the reference's JSON.stringify would write it (strings and integers agree with
// json::Value::Dump), "undefined", or the error code.
std::string Eval(std::string_view expr, std::string_view input = "") {
  auto compiled = Expression::Compile(expr);
  if (!compiled.ok()) return compiled.error().code;
  Arg in;
  if (!input.empty()) in = *json::Parse(input);
  auto r = compiled->Evaluate(in);
  if (!r.ok()) return r.error().code;
  if (!r->has_value()) return "undefined";
  return (*r)->Dump();
}

TEST(JsonataStrings, MatchTheReference) {
  EXPECT_EQ(Eval(R"x($string(s))x", kInput), R"x("Hello, World! héllo 😀")x");
  EXPECT_EQ(Eval(R"x($string(n))x", kInput), R"x("1234.5678")x");
  EXPECT_EQ(Eval(R"x($string(a))x", kInput), R"x("[\"x\",\"y\",\"z\"]")x");
  EXPECT_EQ(Eval(R"x($string({"a":1,"b":[1,2]}, true))x", kInput),
            R"x("{\n  \"a\": 1,\n  \"b\": [\n    1,\n    2\n  ]\n}")x");
  EXPECT_EQ(Eval(R"x($string(1/3))x", kInput), R"x("0.333333333333333")x");
  EXPECT_EQ(Eval(R"x($string(1e21))x", kInput), R"x("1e+21")x");
  EXPECT_EQ(Eval(R"x($string(0.1+0.2))x", kInput), R"x("0.3")x");
  EXPECT_EQ(Eval(R"x($string(-0))x", kInput), R"x("0")x");
  EXPECT_EQ(Eval(R"x($string(1e-7))x", kInput), R"x("1e-7")x");
  EXPECT_EQ(Eval(R"x($string(123456789012345678))x", kInput), R"x("123456789012346000")x");
  EXPECT_EQ(Eval(R"x($length(s))x", kInput), R"x(21)x");
  EXPECT_EQ(Eval(R"x($length("😀"))x", kInput), R"x(1)x");
  EXPECT_EQ(Eval(R"x($substring(s, 3))x", kInput), R"x("lo, World! héllo 😀")x");
  EXPECT_EQ(Eval(R"x($substring(s, -3))x", kInput), R"x("o 😀")x");
  EXPECT_EQ(Eval(R"x($substring(s, 2, 4))x", kInput), R"x("llo,")x");
  EXPECT_EQ(Eval(R"x($substring(s, -5, 2))x", kInput), R"x("ll")x");
  EXPECT_EQ(Eval(R"x($substring(s, 1.5, 2.7))x", kInput), R"x("ell")x");
  EXPECT_EQ(Eval(R"x($substring(s, 100))x", kInput), R"x("")x");
  EXPECT_EQ(Eval(R"x($substring(s, -100, 3))x", kInput), R"x("Hel")x");
  EXPECT_EQ(Eval(R"x($substring("😀abc", 1, 2))x", kInput), R"x("ab")x");
  EXPECT_EQ(Eval(R"x($substringBefore(s, "o"))x", kInput), R"x("Hell")x");
  EXPECT_EQ(Eval(R"x($substringAfter(s, "o"))x", kInput), R"x(", World! héllo 😀")x");
  EXPECT_EQ(Eval(R"x($substringBefore(s, ""))x", kInput), R"x("")x");
  EXPECT_EQ(Eval(R"x($substringAfter(s, "zz"))x", kInput), R"x("Hello, World! héllo 😀")x");
  // An absent search string is searched as JavaScript's String(undefined), as the reference.
  EXPECT_EQ(Eval(R"x($substringBefore("abc", nothing))x"), R"x("abc")x");
  EXPECT_EQ(Eval(R"x($substringBefore("xundefinedy", nothing))x"), R"x("x")x");
  EXPECT_EQ(Eval(R"x($uppercase(s))x", kInput), R"x("HELLO, WORLD! HÉLLO 😀")x");
  EXPECT_EQ(Eval(R"x($lowercase(s))x", kInput), R"x("hello, world! héllo 😀")x");
  EXPECT_EQ(Eval(R"x($uppercase("straße ǆ ﬁ"))x", kInput), R"x("STRASSE Ǆ FI")x");
  EXPECT_EQ(Eval(R"x($lowercase("İSTANBUL ΣΑΣ"))x", kInput), R"x("i̇stanbul σας")x");
  EXPECT_EQ(Eval(R"x($trim("  a \n\t b  "))x", kInput), R"x("a b")x");
  EXPECT_EQ(Eval(R"x($trim(""))x", kInput), R"x("")x");
  EXPECT_EQ(Eval(R"x($pad("abc", 6))x", kInput), R"x("abc   ")x");
  EXPECT_EQ(Eval(R"x($pad("abc", -6, "#"))x", kInput), R"x("###abc")x");
  EXPECT_EQ(Eval(R"x($pad("abc", 7, "xy"))x", kInput), R"x("abcxyxy")x");
  EXPECT_EQ(Eval(R"x($pad("😀", 3, "é"))x", kInput), R"x("😀éé")x");
  EXPECT_EQ(Eval(R"x($pad("abc", 2))x", kInput), R"x("abc")x");
  EXPECT_EQ(Eval(R"x($contains(s, "World"))x", kInput), R"x(true)x");
  EXPECT_EQ(Eval(R"x($contains(s, /w.rld/i))x", kInput), R"x(true)x");
  EXPECT_EQ(Eval(R"x($contains(s, /xyz/))x", kInput), R"x(false)x");
  EXPECT_EQ(Eval(R"x($split(s, " "))x", kInput), R"x(["Hello,","World!","héllo","😀"])x");
  EXPECT_EQ(Eval(R"x($split(s, " ", 2))x", kInput), R"x(["Hello,","World!"])x");
  EXPECT_EQ(Eval(R"x($split(s, /[, ]+/))x", kInput), R"x(["Hello","World!","héllo","😀"])x");
  EXPECT_EQ(Eval(R"x($split(s, /[, ]+/, 2))x", kInput), R"x(["Hello","World!"])x");
  EXPECT_EQ(Eval(R"x($split(s, /(o)/))x", kInput), R"x(["Hell",", W","rld! héll"," 😀"])x");
  EXPECT_EQ(Eval(R"x($split("a1b2c3", /\d/))x", kInput), R"x(["a","b","c",""])x");
  EXPECT_EQ(Eval(R"x($split("abc", "", 0))x", kInput), R"x([])x");
  EXPECT_EQ(Eval(R"x($split(s, " ", -1))x", kInput), R"x(D3020)x");
  EXPECT_EQ(Eval(R"x($join(a))x", kInput), R"x("xyz")x");
  EXPECT_EQ(Eval(R"x($join(a, ", "))x", kInput), R"x("x, y, z")x");
  EXPECT_EQ(Eval(R"x($join([], "-"))x", kInput), R"x("")x");
  EXPECT_EQ(
      Eval(R"x($match(s, /l+/))x", kInput),
      R"x([{"match":"ll","index":2,"groups":[]},{"match":"l","index":10,"groups":[]},{"match":"ll","index":16,"groups":[]}])x");
  EXPECT_EQ(
      Eval(R"x($match(s, /(l)(l)?/))x", kInput),
      R"x([{"match":"ll","index":2,"groups":["l","l"]},{"match":"l","index":10,"groups":["l",null]},{"match":"ll","index":16,"groups":["l","l"]}])x");
  EXPECT_EQ(Eval(R"x($match(s, /l/, 2))x", kInput),
            R"x([{"match":"l","index":2,"groups":[]},{"match":"l","index":3,"groups":[]}])x");
  EXPECT_EQ(Eval(R"x($match(s, /l/, 0))x", kInput), R"x(undefined)x");
  EXPECT_EQ(Eval(R"x($match(s, /l/, -1))x", kInput), R"x(D3040)x");
  EXPECT_EQ(Eval(R"x($match(s, /x/))x", kInput), R"x(undefined)x");
  EXPECT_EQ(Eval(R"x($match("😀a😀a", /a/))x", kInput),
            R"x([{"match":"a","index":2,"groups":[]},{"match":"a","index":5,"groups":[]}])x");
  EXPECT_EQ(
      Eval(R"x($match(s, /(?<w>\w+)/))x", kInput),
      R"x([{"match":"Hello","index":0,"groups":["Hello"]},{"match":"World","index":7,"groups":["World"]},{"match":"h","index":14,"groups":["h"]},{"match":"llo","index":16,"groups":["llo"]}])x");
  EXPECT_EQ(Eval(R"x($match("abc", /x*/))x", kInput), R"x(D1004)x");
  EXPECT_EQ(Eval(R"x($replace(s, "l", "L"))x", kInput), R"x("HeLLo, WorLd! héLLo 😀")x");
  EXPECT_EQ(Eval(R"x($replace(s, "l", "L", 2))x", kInput), R"x("HeLLo, World! héllo 😀")x");
  EXPECT_EQ(Eval(R"x($replace(s, /l+/, "[$0]"))x", kInput), R"x("He[ll]o, Wor[l]d! hé[ll]o 😀")x");
  EXPECT_EQ(Eval(R"x($replace(s, /(l)(o)/, "$2$1"))x", kInput), R"x("Helol, World! hélol 😀")x");
  EXPECT_EQ(Eval(R"x($replace(s, /(o)/, "$$1 $1 $12 $ $a"))x", kInput),
            R"x("Hell$1 o o2 $ $a, W$1 o o2 $ $arld! héll$1 o o2 $ $a 😀")x");
  EXPECT_EQ(
      Eval(R"x($replace("abcdefghijkl", /(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)/, "$11|$10|$1|$111"))x",
           kInput),
      R"x("k|j|a|k1l")x");
  EXPECT_EQ(Eval(R"x($replace(s, /o/, function($m){$uppercase($m.match)}))x", kInput),
            R"x("HellO, WOrld! héllO 😀")x");
  EXPECT_EQ(Eval(R"x($replace(s, /o/, function($m){42}))x", kInput), R"x(D3012)x");
  EXPECT_EQ(Eval(R"x($replace(s, "", "x"))x", kInput), R"x(D3010)x");
  EXPECT_EQ(Eval(R"x($replace(s, "o", "0", -1))x", kInput), R"x(D3011)x");
  EXPECT_EQ(Eval(R"x($replace(s, /o/, "0", 0))x", kInput), R"x("Hello, World! héllo 😀")x");
  EXPECT_EQ(Eval(R"x($replace("aaa", /a/, "b", 2))x", kInput), R"x("bba")x");
  EXPECT_EQ(Eval(R"x($replace("abc", /x*/, "-"))x", kInput), R"x(D1004)x");
  EXPECT_EQ(Eval(R"x($replace("😀a😀a", /a/, "b"))x", kInput), R"x("😀b😀b")x");
  EXPECT_EQ(Eval(R"x($base64encode("hello world"))x", kInput), R"x("aGVsbG8gd29ybGQ=")x");
  EXPECT_EQ(Eval(R"x($base64decode("aGVsbG8gd29ybGQ="))x", kInput), R"x("hello world")x");
  EXPECT_EQ(Eval(R"x($base64encode("é"))x", kInput), R"x("6Q==")x");
  EXPECT_EQ(Eval(R"x($encodeUrl("https://x.org/a b?q=ü&r=[1]"))x", kInput),
            R"x("https://x.org/a%20b?q=%C3%BC&r=%5B1%5D")x");
  EXPECT_EQ(Eval(R"x($encodeUrlComponent("a b&c=d/é"))x", kInput), R"x("a%20b%26c%3Dd%2F%C3%A9")x");
  EXPECT_EQ(Eval(R"x($decodeUrl("https://x.org/a%20b?q=%C3%BC%26"))x", kInput),
            R"x("https://x.org/a b?q=ü%26")x");
  EXPECT_EQ(Eval(R"x($decodeUrlComponent("a%20b%26c%3Dd%2F%C3%A9"))x", kInput), R"x("a b&c=d/é")x");
  EXPECT_EQ(Eval(R"x($decodeUrlComponent("%"))x", kInput), R"x(D3140)x");
  EXPECT_EQ(Eval(R"x($decodeUrl("%E0%A4%A"))x", kInput), R"x(D3140)x");
  EXPECT_EQ(Eval(R"x(s ~> $substringAfter(",") ~> $trim())x", kInput), R"x("World! héllo 😀")x");
  EXPECT_EQ(Eval(R"x($map(a, $uppercase))x", kInput), R"x(["X","Y","Z"])x");
  EXPECT_EQ(Eval(R"x($map(a, $pad(?, 3, "-")))x", kInput), R"x(["x--","y--","z--"])x");
  EXPECT_EQ(Eval(R"x($filter(a, function($v){$contains($v, /[xz]/)}))x", kInput), R"x(["x","z"])x");
  EXPECT_EQ(Eval(R"x(a.$uppercase())x", kInput), R"x(["X","Y","Z"])x");
  EXPECT_EQ(Eval(R"x($string(a.$length($)))x", kInput), R"x("[1,1,1]")x");
  EXPECT_EQ(Eval(R"x($split(s, $uppercase))x", kInput), R"x(T1010)x");
  EXPECT_EQ(Eval(R"x($contains(s, function($s){"x"}))x", kInput), R"x(T1010)x");
  EXPECT_EQ(Eval(R"x($replace(s, /l/, $uppercase))x", kInput), R"x(T0410)x");
  EXPECT_EQ(Eval(R"x($split("a,b,,c", ","))x", kInput), R"x(["a","b","","c"])x");
}

TEST(JsonataNumberFormat, MatchesTheReference) {
  EXPECT_EQ(Eval(R"x($formatNumber(12345.6789, "#,##0.00"))x"), R"x("12,345.68")x");
  EXPECT_EQ(Eval(R"x($formatNumber(0.0001234, "0.00e0"))x"), R"x("1.23e-4")x");
  EXPECT_EQ(Eval(R"x($formatNumber(-1234.5, "#,##0.0;(#,##0.0)"))x"), R"x("(1,234.5)")x");
  EXPECT_EQ(Eval(R"x($formatNumber(0.256, "#0.0%"))x"), R"x("25.6%")x");
  EXPECT_EQ(Eval(R"x($formatNumber(0.0256, "#0.0‰"))x"), R"x("25.6‰")x");
  EXPECT_EQ(Eval(R"x($formatNumber(2.5, "0"))x"), R"x("2")x");
  EXPECT_EQ(Eval(R"x($formatNumber(3.5, "0"))x"), R"x("4")x");
  EXPECT_EQ(Eval(R"x($formatNumber(1234567.891, "#,##,###.##"))x"), R"x("12,34,567.89")x");
  EXPECT_EQ(
      Eval(
          R"x($formatNumber(1234.5678, "#.##0,00", {"decimal-separator": ",", "grouping-separator": "."}))x"),
      R"x("1.234,57")x");
  EXPECT_EQ(Eval(R"x($formatNumber(42, "٠٠٠", {"zero-digit": "٠"}))x"), R"x("٠٤٢")x");
  EXPECT_EQ(Eval(R"x($formatNumber(1e21, "#,##0"))x"), R"x("1e,+21")x");
  EXPECT_EQ(Eval(R"x($formatNumber(5, "#.#.#"))x"), R"x(D3081)x");
  EXPECT_EQ(Eval(R"x($formatNumber(5, "#;#;#"))x"), R"x(D3080)x");
  EXPECT_EQ(Eval(R"x($formatNumber(5, "#,.0"))x"), R"x(D3087)x");
  EXPECT_EQ(Eval(R"x($formatNumber(5, "0#"))x"), R"x(D3090)x");
  EXPECT_EQ(Eval(R"x($formatNumber(5, "#e"))x"), R"x(D3093)x");
  EXPECT_EQ(Eval(R"x($formatInteger(0, "w"))x"), R"x("zero")x");
  EXPECT_EQ(
      Eval(R"x($formatInteger(1234567, "W"))x"),
      R"x("ONE MILLION, TWO HUNDRED AND THIRTY-FOUR THOUSAND, FIVE HUNDRED AND SIXTY-SEVEN")x");
  EXPECT_EQ(Eval(R"x($formatInteger(101, "Ww;o"))x"), R"x("One Hundred and First")x");
  EXPECT_EQ(Eval(R"x($formatInteger(3999, "I"))x"), R"x("MMMCMXCIX")x");
  EXPECT_EQ(Eval(R"x($formatInteger(704, "A"))x"), R"x("AAB")x");
  EXPECT_EQ(Eval(R"x($formatInteger(12, "0;o"))x"), R"x("12th")x");
  EXPECT_EQ(Eval(R"x($formatInteger(1234567, "#,##0"))x"), R"x("1,234,567")x");
  EXPECT_EQ(Eval(R"x($formatInteger(123, "00-00"))x"), R"x("01-23")x");
  EXPECT_EQ(Eval(R"x($formatInteger(-7, "000"))x"), R"x("-007")x");
  EXPECT_EQ(Eval(R"x($formatInteger(5, "#"))x"), R"x(D3130)x");
  EXPECT_EQ(Eval(R"x($formatInteger(5, "0٠"))x"), R"x(D3131)x");
  EXPECT_EQ(Eval(R"x($parseInteger("twelve thousand, three hundred and forty-five", "w"))x"),
            R"x(12345)x");
  EXPECT_EQ(Eval(R"x($parseInteger("mmxxiv", "i"))x"), R"x(2024)x");
  EXPECT_EQ(Eval(R"x($parseInteger("AB", "A"))x"), R"x(28)x");
  EXPECT_EQ(Eval(R"x($parseInteger("1,234,567", "#,##0"))x"), R"x(1234567)x");
  EXPECT_EQ(Eval(R"x($parseInteger("23rd", "0;o"))x"), R"x(23)x");
  EXPECT_EQ(Eval(R"x($formatBase(255, 16))x"), R"x("ff")x");
  EXPECT_EQ(Eval(R"x($formatBase(-10, 2))x"), R"x("-1010")x");
  EXPECT_EQ(Eval(R"x($formatBase(3.5))x"), R"x("4")x");
  EXPECT_EQ(Eval(R"x($formatBase(100, 36))x"), R"x("2s")x");
  EXPECT_EQ(Eval(R"x($formatBase(1, 1))x"), R"x(D3100)x");
  EXPECT_EQ(Eval(R"x($string(1e21))x"), R"x("1e+21")x");
  EXPECT_EQ(Eval(R"x($string(1.5e-7))x"), R"x("1.5e-7")x");
  EXPECT_EQ(Eval(R"x($string(0.1 + 0.2))x"), R"x("0.3")x");
  EXPECT_EQ(Eval(R"x($string(123456789.123456789))x"), R"x("123456789.123457")x");
  EXPECT_EQ(Eval(R"x($string(100))x"), R"x("100")x");
  EXPECT_EQ(Eval(R"x($string(-0.000001))x"), R"x("-0.000001")x");
}

TEST(JsonataDateTime, MatchesTheReference) {
  EXPECT_EQ(Eval(R"x($fromMillis(1521801216617))x"), R"x("2018-03-23T10:33:36.617Z")x");
  EXPECT_EQ(Eval(R"x($fromMillis(1521801216617, "[Y0001]-[M01]-[D01]"))x"), R"x("2018-03-23")x");
  EXPECT_EQ(Eval(R"x($fromMillis(1521801216617, "[FNn], [D1o] [MNn] [Y]"))x"),
            R"x("Friday, 23rd March 2018")x");
  EXPECT_EQ(Eval(R"x($fromMillis(1521801216617, "[h#1]:[m01][P]", "-0500"))x"), R"x("5:33am")x");
  EXPECT_EQ(Eval(R"x($fromMillis(1521801216617, "[H01]:[m01] [z]", "+0530"))x"),
            R"x("16:03 GMT+05:30")x");
  EXPECT_EQ(Eval(R"x($fromMillis(1521801216617, "[Z0]", "+0100"))x"), R"x("+1")x");
  EXPECT_EQ(Eval(R"x($fromMillis(1521801216617, "[Z01:01t]"))x"), R"x("Z")x");
  EXPECT_EQ(Eval(R"x($fromMillis(1521801216617, "[Dwo] [MNn,3-3] [Y,2]"))x"),
            R"x("twenty-third Mar 18")x");
  EXPECT_EQ(Eval(R"x($fromMillis(1521801216617, "[YI] [Mi] [Da]"))x"), R"x("MMXVIII iii w")x");
  EXPECT_EQ(Eval(R"x($fromMillis(1521801216617, "[W01] [w] [X] [x] [d001] [F1]"))x"),
            R"x("12 4 2018 3 082 5")x");
  EXPECT_EQ(Eval(R"x($fromMillis(1230768000000, "[X]-W[W01]-[F1]"))x"), R"x("2009-W01-4")x");
  EXPECT_EQ(Eval(R"x($fromMillis(1521801216617, "[[[Y]]] [D]]]"))x"), R"x("[2018] 23]")x");
  EXPECT_EQ(Eval(R"x($fromMillis(1521801216617, "[YN]"))x"), R"x(D3133)x");
  EXPECT_EQ(Eval(R"x($fromMillis(1521801216617, "[Q]"))x"), R"x(D3132)x");
  EXPECT_EQ(Eval(R"x($fromMillis(1521801216617, "[Y"))x"), R"x(D3135)x");
  EXPECT_EQ(Eval(R"x($fromMillis(1521801216617, "[Z00000]"))x"), R"x(D3134)x");
  EXPECT_EQ(Eval(R"x($fromMillis(-62135596800000))x"), R"x("0001-01-01T00:00:00.000Z")x");
  EXPECT_EQ(Eval(R"x($toMillis("2018-03-23T10:33:36.617Z"))x"), R"x(1521801216617)x");
  EXPECT_EQ(Eval(R"x($toMillis("2018-03-23T10:33:36+0100"))x"), R"x(1521797616000)x");
  EXPECT_EQ(Eval(R"x($toMillis("2018"))x"), R"x(1514764800000)x");
  EXPECT_EQ(Eval(R"x($toMillis("2018-02-30"))x"), R"x(1519948800000)x");
  EXPECT_EQ(Eval(R"x($toMillis("23 March 2018"))x"), R"x(D3110)x");
  EXPECT_EQ(Eval(R"x($toMillis("23 March 2018", "[D] [MNn] [Y]"))x"), R"x(1521763200000)x");
  EXPECT_EQ(Eval(R"x($toMillis("Friday, 23rd March 2018", "[FNn], [D1o] [MNn] [Y]"))x"),
            R"x(1521763200000)x");
  EXPECT_EQ(Eval(R"x($toMillis("2018-082", "[Y]-[d]"))x"), R"x(1521763200000)x");
  EXPECT_EQ(Eval(R"x($toMillis("2018-03-23 10:33 +01:00", "[Y]-[M]-[D] [H]:[m] [Z01:01]"))x"),
            R"x(1521797580000)x");
  EXPECT_EQ(Eval(R"x($toMillis("twenty-third of March, 2018", "[Dw] of [MNn], [Y]"))x"),
            R"x(1521763200000)x");
  EXPECT_EQ(Eval(R"x($toMillis("MMXVIII", "[YI]"))x"), R"x(1514764800000)x");
  EXPECT_EQ(Eval(R"x($toMillis("2018--23", "[Y]--[D]"))x"), R"x(D3136)x");
  EXPECT_EQ(Eval(R"x($toMillis("2018-W05-3", "[X]-W[W]-[F1]"))x"), R"x(D3136)x");
  EXPECT_EQ(Eval(R"x($toMillis("xyz", "[Y]"))x"), R"x(undefined)x");
}

TEST(JsonataStrings, ErrorMessagesAreTheReferences) {
  auto e = Expression::Compile(R"($decodeUrlComponent("%E2%82"))");
  ASSERT_TRUE(e.ok());
  auto r = e->Evaluate(std::nullopt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, R"(Malformed URL passed to $decodeUrlComponent(): "%E2%82")");
  e = Expression::Compile(R"($formatBase(10, 40))");
  r = e->Evaluate(std::nullopt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "The radix of the formatBase function must be between 2 and 36.  It was given 40");
}

// The reference's NaN flows on; a result cannot hold it (JSON has no NaN): D1001 there.
TEST(JsonataDateTime, NaNResultsAreOutOfRange) {
  EXPECT_EQ(Eval(R"($toMillis("2018-13-01"))"), "D1001");
  EXPECT_EQ(Eval(R"([$parseInteger("abc", "0"), 1])"), "D1001");
  EXPECT_EQ(Eval(R"($toMillis("2018-13-01") + 1)"), "T2001");
}

TEST(JsonataDateTime, PictureParsingFillsLeadingComponentsFromNow) {
  const double now = 1700000000000;  // 2023-11-14T22:13:20Z
  auto r = ToMillis("1:05 PM", "[h]:[m01] [P]", now);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(**r, 1699967100000);  // the day of `now`, 13:05
  r = ToMillis("12:00 am", "[h]:[m01] [P]", now);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(**r, 1699920000000);
  r = ToMillis("15", "[D]", now);  // year and month from now, time zeroed
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(**r, 1700006400000);
  r = ToMillis("2018-02-31", std::nullopt, now);  // V8 rolls an impossible day over
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(**r, 1520035200000);
  r = ToMillis("2018-13-01", std::nullopt, now);  // passes the ISO check, an invalid date
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(std::isnan(**r));
}

TEST(JsonataNumberFormat, JsNumberPrimitives) {
  EXPECT_EQ(JsNumberToString(1e21), "1e+21");
  EXPECT_EQ(JsNumberToString(123456789012345680000.0), "123456789012345680000");
  EXPECT_EQ(JsNumberToString(1e-7), "1e-7");
  EXPECT_EQ(JsNumberToString(0.000001), "0.000001");
  EXPECT_EQ(JsNumberToString(-0.0), "0");
  EXPECT_EQ(JsNumberToString(5e-324), "5e-324");
  EXPECT_EQ(JsToFixed(2.5, 0), "3");       // JS rounds an exact half up, unlike printf
  EXPECT_EQ(JsToFixed(1.005, 2), "1.00");  // 1.005 is 1.00499999... as a double
  EXPECT_EQ(JsToFixed(-0.0001, 2), "-0.00");
  EXPECT_EQ(JsonataRound(2.5, 0), 2);  // $round: halves to even
  EXPECT_EQ(JsonataRound(1.005, 2), 1);
  EXPECT_EQ(JsonataRound(-2.675, 2), -2.68);
  EXPECT_EQ(ToPrecision15(0.1 + 0.2), 0.3);
}

}  // namespace
}  // namespace stator::jsonata
