// Number: a DynamoDB number (the N type) as an exact decimal.
//
// DynamoDB numbers have up to 38 significant digits and a magnitude between 1E-130 and
// 9.9999999999999999999999999999999999999E+125 (or are zero). Arithmetic (UpdateExpression's
// SET a = b + c and ADD) is exact; a result that does not fit is an error, never rounded.
// Numbers are kept as sign, significant digits (no leading or trailing zeros) and a decimal
// exponent, and print in DynamoDB's canonical form: plain notation, no exponent, no trailing
// fractional zeros, no "+" and no "-0" ("1.50" -> "1.5", "1e3" -> "1000", "-0.0" -> "0").
//
// Errors are ValidationException messages as DynamoDB words them (see the constants below).
//
// Thread-safety: plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace stator::dynamodb {

inline constexpr char kNumberNotANumber[] = "A value provided cannot be converted into a number";
inline constexpr char kNumberTooPrecise[] =
    "Attempting to store more than 38 significant digits in a Number";
inline constexpr char kNumberOverflow[] =
    "Number overflow. Attempting to store a number with magnitude larger than supported range";
inline constexpr char kNumberUnderflow[] =
    "Number underflow. Attempting to store a number with magnitude smaller than supported range";

class Number {
 public:
  Number() = default;  // zero

  // Parses DynamoDB number text: [+-]digits[.digits][(e|E)[+-]digits] (a leading or trailing
  // '.' is allowed when there is a digit). Errors: Error{"ValidationException", message}.
  static Result<Number> Parse(std::string_view text);
  // An integer (always representable).
  static Number FromInt(int64_t v);

  static Result<Number> Add(const Number& a, const Number& b);
  static Result<Number> Subtract(const Number& a, const Number& b);

  // -1, 0 or 1 by numeric value.
  int Compare(const Number& o) const;
  bool operator==(const Number& o) const { return Compare(o) == 0; }

  bool is_zero() const { return digits_.empty(); }
  bool negative() const { return negative_; }
  // Number of significant digits (0 for zero).
  size_t precision() const { return digits_.size(); }

  // The canonical text, as DynamoDB returns it.
  std::string ToString() const;

 private:
  // Strips leading/trailing zeros and range-checks.
  static Result<Number> Normalize(bool negative, std::string digits, int64_t exponent);

  bool negative_ = false;
  std::string digits_;    // significant digits; empty for zero
  int64_t exponent_ = 0;  // value = digits_ (as an integer) * 10^exponent_
};

}  // namespace stator::dynamodb
