#include "dynamodb/number.h"

#include <algorithm>

namespace stator::dynamodb {
namespace {

Error Invalid(const char* message) { return Error{"ValidationException", message}; }

// Magnitude comparison of two non-negative integers given as digit strings without leading
// zeros (empty = 0).
int CompareMagnitude(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::string AddDigits(const std::string& a, const std::string& b) {
  std::string out;
  int carry = 0;
  for (size_t i = 0; i < std::max(a.size(), b.size()) || carry; ++i) {
    int d = carry;
    if (i < a.size()) d += a[a.size() - 1 - i] - '0';
    if (i < b.size()) d += b[b.size() - 1 - i] - '0';
    out.push_back(static_cast<char>('0' + d % 10));
    carry = d / 10;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// a - b for a >= b.
std::string SubtractDigits(const std::string& a, const std::string& b) {
  std::string out;
  int borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int d = (a[a.size() - 1 - i] - '0') - borrow;
    if (i < b.size()) d -= b[b.size() - 1 - i] - '0';
    borrow = d < 0 ? 1 : 0;
    if (d < 0) d += 10;
    out.push_back(static_cast<char>('0' + d));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

Result<Number> Number::Normalize(bool negative, std::string digits, int64_t exponent) {
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return Number();
  digits.erase(0, first);
  size_t last = digits.find_last_not_of('0');
  exponent += static_cast<int64_t>(digits.size() - 1 - last);
  digits.resize(last + 1);
  int64_t adjusted = exponent + static_cast<int64_t>(digits.size()) - 1;
  if (adjusted > 125) return Invalid(kNumberOverflow);
  if (adjusted < -130) return Invalid(kNumberUnderflow);
  if (digits.size() > 38) return Invalid(kNumberTooPrecise);
  Number n;
  n.negative_ = negative;
  n.digits_ = std::move(digits);
  n.exponent_ = exponent;
  return n;
}

Result<Number> Number::Parse(std::string_view text) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  std::string digits;
  int64_t exponent = 0;
  bool any_digit = false;
  bool seen_point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      if (!(digits.empty() && c == '0')) digits.push_back(c);
      if (seen_point) --exponent;
      if (digits.size() > 400) return Invalid(kNumberTooPrecise);
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!any_digit) return Invalid(kNumberNotANumber);
  if (i < text.size()) {
    if (text[i] != 'e' && text[i] != 'E') return Invalid(kNumberNotANumber);
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      exp_negative = text[i] == '-';
      ++i;
    }
    if (i == text.size()) return Invalid(kNumberNotANumber);
    int64_t e = 0;
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (c < '0' || c > '9') return Invalid(kNumberNotANumber);
      if (e < 100000000) e = e * 10 + (c - '0');
    }
    exponent += exp_negative ? -e : e;
  }
  if (digits.empty()) return Number();
  return Normalize(negative, std::move(digits), exponent);
}

Number Number::FromInt(int64_t v) {
  bool negative = v < 0;
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  return *Normalize(negative, std::to_string(magnitude), 0);
}

Result<Number> Number::Add(const Number& a, const Number& b) {
  if (a.is_zero()) return b;
  if (b.is_zero()) return a;
  // Align both on the smaller exponent (bounded: exponents lie within [-167, 125]).
  int64_t e = std::min(a.exponent_, b.exponent_);
  std::string da = a.digits_ + std::string(static_cast<size_t>(a.exponent_ - e), '0');
  std::string db = b.digits_ + std::string(static_cast<size_t>(b.exponent_ - e), '0');
  if (a.negative_ == b.negative_) return Normalize(a.negative_, AddDigits(da, db), e);
  int c = CompareMagnitude(da, db);
  if (c == 0) return Number();
  if (c > 0) return Normalize(a.negative_, SubtractDigits(da, db), e);
  return Normalize(b.negative_, SubtractDigits(db, da), e);
}

Result<Number> Number::Subtract(const Number& a, const Number& b) {
  Number negated = b;
  if (!negated.is_zero()) negated.negative_ = !negated.negative_;
  return Add(a, negated);
}

int Number::Compare(const Number& o) const {
  if (is_zero() || o.is_zero()) {
    if (is_zero() && o.is_zero()) return 0;
    if (is_zero()) return o.negative_ ? 1 : -1;
    return negative_ ? -1 : 1;
  }
  if (negative_ != o.negative_) return negative_ ? -1 : 1;
  int sign = negative_ ? -1 : 1;
  int64_t ea = exponent_ + static_cast<int64_t>(digits_.size());
  int64_t eb = o.exponent_ + static_cast<int64_t>(o.digits_.size());
  if (ea != eb) return ea < eb ? -sign : sign;
  // Same magnitude order: compare digit strings left-aligned.
  size_t n = std::max(digits_.size(), o.digits_.size());
  for (size_t i = 0; i < n; ++i) {
    char x = i < digits_.size() ? digits_[i] : '0';
    char y = i < o.digits_.size() ? o.digits_[i] : '0';
    if (x != y) return x < y ? -sign : sign;
  }
  return 0;
}

std::string Number::ToString() const {
  if (is_zero()) return "0";
  std::string out = negative_ ? "-" : "";
  if (exponent_ >= 0) {
    out += digits_;
    out.append(static_cast<size_t>(exponent_), '0');
    return out;
  }
  int64_t point = static_cast<int64_t>(digits_.size()) + exponent_;
  if (point > 0) {
    out += digits_.substr(0, static_cast<size_t>(point));
    out += '.';
    out += digits_.substr(static_cast<size_t>(point));
  } else {
    out += "0.";
    out.append(static_cast<size_t>(-point), '0');
    out += digits_;
  }
  return out;
}

}  // namespace stator::dynamodb
