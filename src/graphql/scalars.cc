#include "graphql/scalars.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "graphql/builtins.h"
#include "graphql/suggestions.h"
#include "graphql/values.h"

namespace stator::graphql {
namespace {

bool IsIntegral(double d) { return std::isfinite(d) && std::floor(d) == d; }

// JavaScript's Number(string) for the strings GraphQL scalars see; nullopt for NaN.
std::optional<double> JsNumber(std::string_view s) {
  size_t b = 0, e = s.size();
  auto ws = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (b < e && ws(s[b])) ++b;
  while (e > b && ws(s[e - 1])) --e;
  std::string t(s.substr(b, e - b));
  if (t.empty()) return 0.0;
  if (t == "Infinity" || t == "+Infinity") return HUGE_VAL;
  if (t == "-Infinity") return -HUGE_VAL;
  if (t.size() > 2 && t[0] == '0' &&
      (t[1] == 'x' || t[1] == 'X' || t[1] == 'o' || t[1] == 'O' || t[1] == 'b' || t[1] == 'B')) {
    int base = (t[1] == 'x' || t[1] == 'X') ? 16 : (t[1] == 'o' || t[1] == 'O') ? 8 : 2;
    char* end;
    unsigned long long v = std::strtoull(t.c_str() + 2, &end, base);
    if (*end != '\0') return std::nullopt;
    return static_cast<double>(v);
  }
  for (char c : t) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
      return std::nullopt;
    }
  }
  char* end;
  double d = std::strtod(t.c_str(), &end);
  if (*end != '\0') return std::nullopt;
  return d;
}

bool Digits(std::string_view s, size_t at, size_t n) {
  if (at + n > s.size()) return false;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int Num(std::string_view s, size_t at, size_t n) {
  int v = 0;
  for (size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

// Z, ±hh:mm or ±hh:mm:ss (AppSync requires the colon and accepts seconds in offsets).
bool IsOffset(std::string_view s) {
  if (s == "Z") return true;
  if (s.empty() || (s[0] != '+' && s[0] != '-')) return false;
  std::string_view r = s.substr(1);
  if (r.size() == 5 || r.size() == 8) {
    if (!Digits(r, 0, 2) || r[2] != ':' || !Digits(r, 3, 2)) return false;
    if (Num(r, 0, 2) > 23 || Num(r, 3, 2) > 59) return false;
    if (r.size() == 8) return r[5] == ':' && Digits(r, 6, 2) && Num(r, 6, 2) <= 59;
    return true;
  }
  return false;
}

bool IsDatePart(std::string_view s) {
  if (s.size() != 10 || !Digits(s, 0, 4) || s[4] != '-' || !Digits(s, 5, 2) || s[7] != '-' ||
      !Digits(s, 8, 2)) {
    return false;
  }
  int y = Num(s, 0, 4), m = Num(s, 5, 2), d = Num(s, 8, 2);
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

// hh:mm[:ss[.fraction]]; returns the length consumed, 0 if none.
size_t TimePart(std::string_view s) {
  if (!Digits(s, 0, 2) || s.size() < 5 || s[2] != ':' || !Digits(s, 3, 2)) return 0;
  if (Num(s, 0, 2) > 23 || Num(s, 3, 2) > 59) return 0;
  size_t p = 5;
  if (p < s.size() && s[p] == ':') {
    if (!Digits(s, p + 1, 2) || Num(s, p + 1, 2) > 59) return 0;
    p += 3;
    if (p < s.size() && s[p] == '.') {
      size_t q = p + 1;
      while (q < s.size() && s[q] >= '0' && s[q] <= '9') ++q;
      if (q == p + 1) return 0;
      p = q;
    }
  }
  return p;
}

std::optional<json::Value> Fail(std::string* message, std::string text) {
  if (message) *message = std::move(text);
  return std::nullopt;
}

std::optional<json::Value> SerializeAws(const NamedType& type, const json::Value& v,
                                        std::string* message) {
  const std::string& n = type.name;
  auto invalid = [&] {
    return Fail(message, "Can't serialize value: " + Inspect(v) + " is not a valid " + n + ".");
  };
  if (n == "AWSTimestamp") {
    if (v.is_int()) return v;
    if (v.is_double() && IsIntegral(v.as_double()) && std::fabs(v.as_double()) < 9.2e18) {
      return json::Value::Int(static_cast<int64_t>(v.as_double()));
    }
    return invalid();
  }
  if (n == "AWSJSON") {
    if (v.is_string()) return v;
    return json::Value::String(v.Dump());
  }
  if (!v.is_string()) return invalid();
  const std::string& s = v.as_string();
  bool ok = n == "AWSDate"        ? IsAwsDate(s)
            : n == "AWSTime"      ? IsAwsTime(s)
            : n == "AWSDateTime"  ? IsAwsDateTime(s)
            : n == "AWSEmail"     ? IsAwsEmail(s)
            : n == "AWSURL"       ? IsAwsUrl(s)
            : n == "AWSPhone"     ? IsAwsPhone(s)
            : n == "AWSIPAddress" ? IsAwsIpAddress(s)
                                  : true;
  if (!ok) return invalid();
  return v;
}

std::optional<json::Value> ParseAws(const NamedType& type, const json::Value& v,
                                    std::string* message) {
  const std::string& n = type.name;
  auto invalid = [&] { return Fail(message, n + " cannot represent value: " + Inspect(v)); };
  if (n == "AWSTimestamp") {
    if (v.is_int()) return v;
    if (v.is_double() && IsIntegral(v.as_double()) && std::fabs(v.as_double()) < 9.2e18) {
      return json::Value::Int(static_cast<int64_t>(v.as_double()));
    }
    return invalid();
  }
  if (!v.is_string()) return invalid();
  if (n == "AWSJSON") {
    auto parsed = json::Parse(v.as_string());
    if (!parsed.ok()) return invalid();
    return *parsed;
  }
  std::string msg;
  if (!SerializeAws(type, v, &msg)) return invalid();
  return v;
}

}  // namespace

bool IsAwsDate(std::string_view s) {
  if (s.size() < 10 || !IsDatePart(s.substr(0, 10))) return false;
  return s.size() == 10 || IsOffset(s.substr(10));
}

bool IsAwsTime(std::string_view s) {
  size_t p = TimePart(s);
  if (p == 0) return false;
  return p == s.size() || IsOffset(s.substr(p));
}

bool IsAwsDateTime(std::string_view s) {
  if (s.size() < 16 || !IsDatePart(s.substr(0, 10)) || s[10] != 'T') return false;
  std::string_view t = s.substr(11);
  size_t p = TimePart(t);
  if (p == 0) return false;
  return p == t.size() || IsOffset(t.substr(p));  // the offset is optional, as AppSync documents
}

bool IsAwsEmail(std::string_view s) {
  size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= s.size()) return false;
  if (s.find('@', at + 1) != std::string_view::npos) return false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return false;
  }
  std::string_view domain = s.substr(at + 1);
  return domain.front() != '.' && domain.back() != '.';
}

bool IsAwsUrl(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return false;
  }
  if (colon + 1 >= s.size()) return false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '<' || c == '>') {
      return false;
    }
  }
  return true;
}

bool IsAwsPhone(std::string_view s) {
  int digits = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c == '+' && i == 0) {
    } else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') {
      return false;
    }
  }
  return digits >= 3 && digits <= 15;
}

bool IsAwsIpAddress(std::string_view s) {
  size_t slash = s.find('/');
  std::string_view addr = s.substr(0, slash);
  int max_prefix = 32;
  bool ok = false;
  if (addr.find(':') == std::string_view::npos) {
    int parts = 0;
    size_t p = 0;
    ok = true;
    while (ok) {
      size_t q = p;
      while (q < addr.size() && addr[q] >= '0' && addr[q] <= '9') ++q;
      if (q == p || q - p > 3 || Num(addr, p, q - p) > 255) ok = false;
      ++parts;
      if (q == addr.size()) break;
      if (addr[q] != '.') ok = false;
      p = q + 1;
    }
    ok = ok && parts == 4;
  } else {
    max_prefix = 128;
    int groups = 0;
    bool double_colon = false;
    size_t p = 0;
    ok = true;
    if (addr.substr(0, 2) == "::") {
      double_colon = true;
      p = 2;
    }
    while (ok && p < addr.size()) {
      size_t q = p;
      while (q < addr.size() && std::isxdigit(static_cast<unsigned char>(addr[q]))) ++q;
      if (q == p || q - p > 4) {
        ok = false;
        break;
      }
      ++groups;
      if (q == addr.size()) break;
      if (addr[q] != ':') {
        ok = false;
        break;
      }
      if (q + 1 < addr.size() && addr[q + 1] == ':') {
        if (double_colon) ok = false;
        double_colon = true;
        p = q + 2;
      } else {
        p = q + 1;
        if (p == addr.size()) ok = false;
      }
    }
    ok = ok && (double_colon ? groups < 8 : groups == 8);
  }
  if (!ok) return false;
  if (slash == std::string_view::npos) return true;
  std::string_view prefix = s.substr(slash + 1);
  if (prefix.empty() || prefix.size() > 3 || !Digits(prefix, 0, prefix.size())) return false;
  return Num(prefix, 0, prefix.size()) <= max_prefix;
}

std::optional<json::Value> SerializeLeaf(const NamedType& type, const json::Value& v,
                                         std::string* message) {
  const std::string& n = type.name;
  if (type.kind == TypeKind::kEnum) {
    if (v.is_string() && type.FindEnumValue(v.as_string())) return v;
    return Fail(message, "Enum \"" + n + "\" cannot represent value: " + Inspect(v));
  }
  if (n == "Int") {
    double d;
    json::Value shown = v;
    if (v.is_int()) {
      int64_t i = v.as_int();
      if (i < INT32_MIN || i > INT32_MAX) {
        return Fail(message, "Int cannot represent non 32-bit signed integer value: " + Inspect(v));
      }
      return v;
    }
    if (v.is_bool()) return json::Value::Int(v.as_bool() ? 1 : 0);
    if (v.is_double()) {
      d = v.as_double();
    } else if (v.is_string() && !v.as_string().empty()) {
      auto num = JsNumber(v.as_string());
      if (!num) return Fail(message, "Int cannot represent non-integer value: " + Inspect(v));
      d = *num;
    } else {
      return Fail(message, "Int cannot represent non-integer value: " + Inspect(v));
    }
    if (!IsIntegral(d))
      return Fail(message, "Int cannot represent non-integer value: " + Inspect(v));
    if (d < INT32_MIN || d > INT32_MAX) {
      return Fail(message, "Int cannot represent non 32-bit signed integer value: " + Inspect(v));
    }
    return json::Value::Int(static_cast<int64_t>(d));
  }
  if (n == "Float") {
    if (v.is_number()) {
      if (v.is_double() && !std::isfinite(v.as_double())) {
        return Fail(message, "Float cannot represent non numeric value: " + Inspect(v));
      }
      return v;
    }
    if (v.is_bool()) return json::Value::Int(v.as_bool() ? 1 : 0);
    if (v.is_string() && !v.as_string().empty()) {
      auto num = JsNumber(v.as_string());
      if (num && std::isfinite(*num)) {
        if (IsIntegral(*num) && std::fabs(*num) < 9e15) {
          return json::Value::Int(static_cast<int64_t>(*num));
        }
        return json::Value::Double(*num);
      }
    }
    return Fail(message, "Float cannot represent non numeric value: " + Inspect(v));
  }
  if (n == "String") {
    if (v.is_string()) return v;
    if (v.is_bool()) return json::Value::String(v.as_bool() ? "true" : "false");
    if (v.is_int()) return json::Value::String(std::to_string(v.as_int()));
    if (v.is_double() && std::isfinite(v.as_double())) {
      return json::Value::String(JsNumberToString(v.as_double()));
    }
    return Fail(message, "String cannot represent value: " + Inspect(v));
  }
  if (n == "Boolean") {
    if (v.is_bool()) return v;
    if (v.is_int()) return json::Value::Bool(v.as_int() != 0);
    if (v.is_double() && std::isfinite(v.as_double())) return json::Value::Bool(v.as_double() != 0);
    return Fail(message, "Boolean cannot represent a non boolean value: " + Inspect(v));
  }
  if (n == "ID") {
    if (v.is_string()) return v;
    if (v.is_int()) return json::Value::String(std::to_string(v.as_int()));
    if (v.is_double() && IsIntegral(v.as_double())) {
      return json::Value::String(JsNumberToString(v.as_double()));
    }
    return Fail(message, "ID cannot represent value: " + Inspect(v));
  }
  if (type.builtin && IsAppSyncScalar(n)) return SerializeAws(type, v, message);
  return v;  // a custom scalar passes its value through, as graphql-js's default serialize
}

std::optional<json::Value> ParseLeafValue(const NamedType& type, const json::Value& v,
                                          std::string* message) {
  const std::string& n = type.name;
  if (type.kind == TypeKind::kEnum) {
    if (!v.is_string()) {
      std::vector<std::string> names;
      for (const EnumValueDef& e : type.enum_values) names.push_back(e.name);
      return Fail(message, "Enum \"" + n + "\" cannot represent non-string value: " + Inspect(v) +
                               "." + DidYouMean(SuggestionList(Inspect(v), names)));
    }
    if (type.FindEnumValue(v.as_string())) return v;
    std::vector<std::string> names;
    for (const EnumValueDef& e : type.enum_values) names.push_back(e.name);
    return Fail(message, "Value \"" + v.as_string() + "\" does not exist in \"" + n + "\" enum." +
                             DidYouMean(SuggestionList(v.as_string(), names)));
  }
  if (n == "Int") {
    if (v.is_int()) {
      if (v.as_int() < INT32_MIN || v.as_int() > INT32_MAX) {
        return Fail(message, "Int cannot represent non 32-bit signed integer value: " + Inspect(v));
      }
      return v;
    }
    if (v.is_double() && IsIntegral(v.as_double())) {
      double d = v.as_double();
      if (d < INT32_MIN || d > INT32_MAX) {
        return Fail(message, "Int cannot represent non 32-bit signed integer value: " + Inspect(v));
      }
      return json::Value::Int(static_cast<int64_t>(d));
    }
    return Fail(message, "Int cannot represent non-integer value: " + Inspect(v));
  }
  if (n == "Float") {
    if (v.is_number()) return v;
    return Fail(message, "Float cannot represent non numeric value: " + Inspect(v));
  }
  if (n == "String") {
    if (v.is_string()) return v;
    return Fail(message, "String cannot represent a non string value: " + Inspect(v));
  }
  if (n == "Boolean") {
    if (v.is_bool()) return v;
    return Fail(message, "Boolean cannot represent a non boolean value: " + Inspect(v));
  }
  if (n == "ID") {
    if (v.is_string()) return v;
    if (v.is_int()) return json::Value::String(std::to_string(v.as_int()));
    if (v.is_double() && IsIntegral(v.as_double())) {
      return json::Value::String(JsNumberToString(v.as_double()));
    }
    return Fail(message, "ID cannot represent value: " + Inspect(v));
  }
  if (type.builtin && IsAppSyncScalar(n)) return ParseAws(type, v, message);
  return v;
}

std::optional<json::Value> ParseLeafLiteral(const NamedType& type, const ValueNode& node) {
  const std::string& n = type.name;
  if (type.kind == TypeKind::kEnum) {
    if (node.kind == ValueKind::kEnum && type.FindEnumValue(node.text)) {
      return json::Value::String(node.text);
    }
    return std::nullopt;
  }
  auto parse_int = [&]() -> std::optional<int64_t> {
    int64_t i;
    auto [p, ec] = std::from_chars(node.text.data(), node.text.data() + node.text.size(), i);
    if (ec != std::errc() || p != node.text.data() + node.text.size()) return std::nullopt;
    return i;
  };
  if (n == "Int") {
    if (node.kind != ValueKind::kInt) return std::nullopt;
    auto i = parse_int();
    if (!i || *i < INT32_MIN || *i > INT32_MAX) return std::nullopt;
    return json::Value::Int(*i);
  }
  if (n == "Float") {
    if (node.kind == ValueKind::kInt) {
      if (auto i = parse_int()) return json::Value::Int(*i);
    }
    if (node.kind != ValueKind::kInt && node.kind != ValueKind::kFloat) return std::nullopt;
    return json::Value::Double(std::strtod(node.text.c_str(), nullptr));
  }
  if (n == "String") {
    if (node.kind != ValueKind::kString) return std::nullopt;
    return json::Value::String(node.text);
  }
  if (n == "Boolean") {
    if (node.kind != ValueKind::kBoolean) return std::nullopt;
    return json::Value::Bool(node.boolean);
  }
  if (n == "ID") {
    if (node.kind != ValueKind::kString && node.kind != ValueKind::kInt) return std::nullopt;
    return json::Value::String(node.text);
  }
  if (type.builtin && IsAppSyncScalar(n)) {
    json::Value raw;
    if (node.kind == ValueKind::kString) {
      raw = json::Value::String(node.text);
    } else if (node.kind == ValueKind::kInt) {
      auto i = parse_int();
      if (!i) return std::nullopt;
      raw = json::Value::Int(*i);
    } else {
      return std::nullopt;
    }
    return ParseAws(type, raw, nullptr);
  }
  // Custom scalars: graphql-js's valueFromASTUntyped.
  switch (node.kind) {
    case ValueKind::kString:
    case ValueKind::kEnum:
      return json::Value::String(node.text);
    case ValueKind::kInt:
      if (auto i = parse_int()) return json::Value::Int(*i);
      return json::Value::Double(std::strtod(node.text.c_str(), nullptr));
    case ValueKind::kFloat:
      return json::Value::Double(std::strtod(node.text.c_str(), nullptr));
    case ValueKind::kBoolean:
      return json::Value::Bool(node.boolean);
    case ValueKind::kNull:
      return json::Value();
    default:
      return std::nullopt;  // lists/objects in custom scalars: not supported
  }
}

}  // namespace stator::graphql
