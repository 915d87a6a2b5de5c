// Numeric and aggregation built-ins ($sum, $max, $min, $average, $count, $abs, $floor, $ceil,
// $round, $power, $sqrt, $random, $number) and the boolean ones ($boolean, $not, $exists).
#include <cmath>
#include <cstdlib>
#include <random>
#include <regex>

#include "jsonata/builtins.h"
#include "jsonata/evaluator.h"
#include "jsonata/number_format.h"

namespace stator::jsonata::internal {
namespace {

const Value& A(std::span<const Value> args, size_t i) {
  static const Value kUndefined;
  return i < args.size() ? args[i] : kUndefined;
}

Result<Value, Error> Sum(Call& call, std::span<const Value> args) {
  const Value& a = A(args, 0);
  if (a.undefined()) return Value();
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a.number_at(i);
  // An Infinity or NaN sum flows on as the reference's does (D1001 if it reaches the result).
  return NumberValue(s);
}

Result<Value, Error> Count(Call& call, std::span<const Value> args) {
  const Value& a = A(args, 0);
  if (a.undefined()) return NumberValue(0);
  return NumberValue(static_cast<double>(a.size()));
}

Result<Value, Error> MaxMin(std::span<const Value> args, bool max) {
  const Value& a = A(args, 0);
  if (a.undefined() || a.size() == 0) return Value();
  double r = a.number_at(0);
  for (size_t i = 1; i < a.size(); ++i) {
    double x = a.number_at(i);
    if (std::isnan(x) || std::isnan(r)) return NumberValue(std::nan(""));  // Math.max: NaN wins
    r = max ? std::max(r, x) : std::min(r, x);
  }
  return NumberValue(r);
}
Result<Value, Error> Max(Call&, std::span<const Value> args) { return MaxMin(args, true); }
Result<Value, Error> Min(Call&, std::span<const Value> args) { return MaxMin(args, false); }

Result<Value, Error> Average(Call& call, std::span<const Value> args) {
  const Value& a = A(args, 0);
  if (a.undefined() || a.size() == 0) return Value();
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a.number_at(i);
  return NumberValue(s / static_cast<double>(a.size()));
}

Result<Value, Error> Abs(Call&, std::span<const Value> args) {
  const Value& a = A(args, 0);
  if (a.undefined()) return Value();
  return NumberValue(std::fabs(a.number()));
}
Result<Value, Error> Floor(Call&, std::span<const Value> args) {
  const Value& a = A(args, 0);
  if (a.undefined()) return Value();
  return NumberValue(std::floor(a.number()));
}
Result<Value, Error> Ceil(Call&, std::span<const Value> args) {
  const Value& a = A(args, 0);
  if (a.undefined()) return Value();
  return NumberValue(std::ceil(a.number()));
}

// Shifts the decimal point of x by `places` through its decimal text, as the reference does
// (so that 2.675 with precision 2 rounds from 267.5, not from 267.49999...).
double ShiftDecimal(double x, int places) {
  std::string s = JsNumberToString(x);
  size_t e = s.find('e');
  int exp = places;
  std::string mant = s;
  if (e != std::string::npos) {
    mant = s.substr(0, e);
    exp += std::atoi(s.c_str() + e + 1);
  }
  return std::strtod((mant + "e" + std::to_string(exp)).c_str(), nullptr);
}

Result<Value, Error> Round(Call&, std::span<const Value> args) {
  const Value& a = A(args, 0);
  if (a.undefined()) return Value();
  double x = a.number();
  int precision = A(args, 1).is_number() ? static_cast<int>(A(args, 1).number()) : 0;
  if (precision) x = ShiftDecimal(x, precision);
  double r = std::floor(x + 0.5);  // Math.round
  double diff = r - x;
  if (std::fabs(diff) == 0.5 && std::fabs(std::fmod(r, 2)) == 1) r -= 1;
  if (precision) r = ShiftDecimal(r, -precision);
  if (r == 0) r = 0;
  return NumberValue(r);
}

Result<Value, Error> Power(Call& call, std::span<const Value> args) {
  const Value& b = A(args, 0);
  const Value& e = A(args, 1);
  if (b.undefined()) return Value();
  double x = b.number(), y = e.number();
  // JavaScript's Math.pow: NaN whenever the exponent is NaN (C's pow(1, NaN) is 1).
  double r = std::isnan(y) ? y : std::pow(x, y);
  if (!std::isfinite(r)) {
    // The reference's inserts are JSON.stringify'd: a non-finite base or exponent reads null.
    return call.Fail("D3061", {{"value", ErrorInsert(b)}, {"exp", ErrorInsert(e)}});
  }
  return NumberValue(r);
}

Result<Value, Error> Sqrt(Call& call, std::span<const Value> args) {
  const Value& a = A(args, 0);
  if (a.undefined()) return Value();
  if (a.number() < 0) return call.Fail("D3060", {{"value", JsNumberToString(a.number())}});
  return NumberValue(std::sqrt(a.number()));
}

Result<Value, Error> Random(Call&, std::span<const Value>) {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  std::uniform_real_distribution<double> dist(0.0, 1.0);
  return NumberValue(dist(gen));
}

Result<Value, Error> Number(Call& call, std::span<const Value> args) {
  const Value& a = A(args, 0);
  if (a.undefined()) return Value();
  if (a.is_number()) return a;
  if (a.is_bool()) return NumberValue(a.json().as_bool() ? 1 : 0);
  if (a.is_string()) {
    const std::string& s = a.str();
    static const std::regex kDecimal("^-?[0-9]+(\\.[0-9]+)?([Ee][-+]?[0-9]+)?$");
    if (std::regex_match(s, kDecimal)) {
      double d = std::strtod(s.c_str(), nullptr);
      if (std::isfinite(d)) return NumberValue(d);
    }
    if (s.size() > 2 && s[0] == '0') {
      int base = 0;
      char p = static_cast<char>(std::tolower(static_cast<unsigned char>(s[1])));
      if (p == 'x') base = 16;
      if (p == 'o') base = 8;
      if (p == 'b') base = 2;
      if (base) {
        char* end = nullptr;
        unsigned long long v = std::strtoull(s.c_str() + 2, &end, base);
        if (end && *end == '\0') return NumberValue(static_cast<double>(v));
      }
    }
  }
  return call.Fail("D3030", {{"value", ErrorInsert(a)}, {"index", "1"}});
}

// A function argument reaches a built-in as a JS closure in the reference: its cast is false.
Result<Value, Error> Boolean(Call&, std::span<const Value> args) {
  const Value& a = A(args, 0);
  if (a.undefined()) return Value();
  return BoolValue(!a.is_function() && IsTruthy(a));
}
Result<Value, Error> Not(Call&, std::span<const Value> args) {
  const Value& a = A(args, 0);
  if (a.undefined()) return Value();
  return BoolValue(a.is_function() || !IsTruthy(a));
}
Result<Value, Error> Exists(Call&, std::span<const Value> args) {
  return BoolValue(!A(args, 0).undefined());
}

const Builtin kBuiltins[] = {
    {"sum", "<a<n>:n>", Sum, nullptr},         {"count", "<a:n>", Count, nullptr},
    {"max", "<a<n>:n>", Max, nullptr},         {"min", "<a<n>:n>", Min, nullptr},
    {"average", "<a<n>:n>", Average, nullptr}, {"abs", "<n-:n>", Abs, nullptr},
    {"floor", "<n-:n>", Floor, nullptr},       {"ceil", "<n-:n>", Ceil, nullptr},
    {"round", "<n-n?:n>", Round, nullptr},     {"power", "<n-n:n>", Power, nullptr},
    {"sqrt", "<n-:n>", Sqrt, nullptr},         {"random", "<:n>", Random, nullptr},
    {"number", "<(nsb)-:n>", Number, nullptr}, {"boolean", "<x-:b>", Boolean, nullptr},
    {"not", "<x-:b>", Not, nullptr},           {"exists", "<x:b>", Exists, nullptr},
};

}  // namespace

std::span<const Builtin> NumericBuiltins() { return kBuiltins; }

}  // namespace stator::jsonata::internal
