// The string built-ins of JSONata 2.0.6: $string, $length, $substring, $substringBefore,
// $substringAfter, $uppercase, $lowercase, $trim, $pad, $contains, $split, $join, $match,
// $replace, the number formats ($formatNumber, $formatBase, $formatInteger, $parseInteger) and
// the encodings ($base64encode/decode, $encodeUrl(Component), $decodeUrl(Component)), with the
// reference's semantics: lengths and substrings in code points, regex offsets in UTF-16 code
// units, matchers that are regexes or any function returning the reference's match object.
#include <cmath>
#include <string>
#include <vector>

#include "common/utf8.h"
#include "jsonata/builtins.h"
#include "jsonata/evaluator.h"
#include "jsonata/function.h"
#include "jsonata/js_string.h"
#include "jsonata/number_format.h"

namespace stator::jsonata::internal {
namespace {

const Value& A(std::span<const Value> args, size_t i) {
  static const Value kUndefined;
  return i < args.size() ? args[i] : kUndefined;
}

// A library error as the reference reports an error thrown inside a function: the call's
// position and the function's name as its token.
Error AtCall(const Call& call, Error e) {
  if (e.position < 0) e.position = call.position();
  if (!e.token) e.token = std::string(call.name());
  return e;
}

std::u32string Slice(const std::u32string& s, double from, double to) {
  double n = static_cast<double>(s.size());
  auto rel = [&](double x) {
    if (std::isnan(x)) return 0.0;
    x = std::trunc(x);
    return x < 0 ? std::max(n + x, 0.0) : std::min(x, n);
  };
  double a = rel(from), b = rel(to);
  if (a >= b) return U"";
  return s.substr(static_cast<size_t>(a), static_cast<size_t>(b - a));
}

// JS truthiness (not JSONata's $boolean): what the reference tests a matcher's result with.
bool JsTruthy(const Value& v) {
  if (v.undefined()) return false;
  if (!v.is_json()) return true;
  const json::Value& j = v.json();
  switch (j.kind()) {
    case json::Kind::kNull:
      return false;
    case json::Kind::kBool:
      return j.as_bool();
    case json::Kind::kInt:
      return j.as_int() != 0;
    case json::Kind::kDouble:
      return j.as_double() != 0 && !std::isnan(j.as_double());
    case json::Kind::kString:
      return !j.as_string().empty();
    default:
      return true;
  }
}

// Calls a matcher (a regex or a function) as the reference's evaluateMatcher does: undefined
// for no match, T1010 when a result is not a match object.
Result<Value, Error> RunMatcher(Call& call, const Value& matcher, std::vector<Value> args) {
  auto r = call.Apply(matcher, std::move(args));
  if (!r.ok()) return r.error();
  const Value& m = *r;
  if (JsTruthy(m)) {
    bool shaped = m.is_object() && (m.field("start").is_number() || m.field("groups").is_array() ||
                                    m.field("next").is_function());
    if (!shaped) return call.Fail("T1010");
  }
  return m;
}

// The UTF-16 code units of a match object's "match" string.
size_t MatchLength(const Value& m) {
  Value s = m.field("match");
  return s.is_string() ? ToUtf16(s.str()).size() : 0;
}

int MatchInt(const Value& m, const char* key) {
  Value v = m.field(key);
  return v.is_number() ? static_cast<int>(v.number()) : 0;
}

std::string Utf16Sub(const std::u16string& s, long from, long to) {  // JS substring
  long n = static_cast<long>(s.size());
  from = std::clamp(from, 0L, n);
  to = std::clamp(to, 0L, n);
  if (from > to) std::swap(from, to);
  return ToUtf8(std::u16string_view(s).substr(from, to - from));
}

// JS parseInt(s, 10) (leading whitespace and a sign allowed); NaN when no digit follows.
double JsParseInt(const std::u16string& s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ||
                          s[i] == '\v' || s[i] == '\f')) {
    ++i;
  }
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  double v = 0;
  size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') v = v * 10 + (s[i++] - '0');
  if (i == start) return NAN;
  return neg ? -v : v;
}

// ---------------------------------------------------------------------------------------------

Result<Value, Error> String(Call& call, std::span<const Value> args) {
  const Value& v = A(args, 0);
  if (v.undefined()) return Value();
  bool pretty = A(args, 1).is_bool() && A(args, 1).json().as_bool();
  if (pretty && !v.is_string() && !v.is_function()) {
    if (v.is_number() && !std::isfinite(v.number())) return call.Fail("D3001");
    Value x = v;
    if (x.tag() == Value::Tag::kArray && x.seq()->outer_wrapper && x.size() > 0) x = x.at(0);
    return StringValue(JsonStringify(x, true));
  }
  auto s = StringOf(v, call.position());
  if (!s.ok()) return AtCall(call, s.error());
  return StringValue(std::move(*s));
}

Result<Value, Error> Length(Call&, std::span<const Value> args) {
  const Value& v = A(args, 0);
  if (v.undefined()) return Value();
  return NumberValue(static_cast<double>(ToCodePoints(v.str()).size()));
}

Result<Value, Error> Substring(Call&, std::span<const Value> args) {
  const Value& v = A(args, 0);
  if (v.undefined()) return Value();
  std::u32string s = ToCodePoints(v.str());
  double len = static_cast<double>(s.size());
  double start = A(args, 1).number();
  if (len + start < 0) start = 0;
  if (!A(args, 2).undefined()) {
    double length = A(args, 2).number();
    if (length <= 0) return StringValue("");
    double end = start >= 0 ? start + length : len + start + length;
    return StringValue(FromCodePoints(Slice(s, start, end)));
  }
  return StringValue(FromCodePoints(Slice(s, start, len)));
}

constexpr std::string_view kUndefinedText = "undefined";

Result<Value, Error> SubstringBefore(Call&, std::span<const Value> args) {
  const Value& v = A(args, 0);
  if (v.undefined()) return Value();
  // The reference's str.indexOf(chars): an undefined `chars` is searched as the text "undefined".
  std::string_view c = A(args, 1).undefined() ? kUndefinedText : std::string_view(A(args, 1).str());
  size_t p = v.str().find(c);
  if (p == std::string::npos) return v;
  return StringValue(v.str().substr(0, p));
}

Result<Value, Error> SubstringAfter(Call&, std::span<const Value> args) {
  const Value& v = A(args, 0);
  if (v.undefined()) return Value();
  const std::string& c = A(args, 1).str();
  size_t p = v.str().find(c);
  if (p == std::string::npos) return v;
  return StringValue(v.str().substr(p + c.size()));
}

Result<Value, Error> Upper(Call&, std::span<const Value> args) {
  if (A(args, 0).undefined()) return Value();
  return StringValue(JsToUpper(A(args, 0).str()));
}

Result<Value, Error> Lower(Call&, std::span<const Value> args) {
  if (A(args, 0).undefined()) return Value();
  return StringValue(JsToLower(A(args, 0).str()));
}

Result<Value, Error> Trim(Call&, std::span<const Value> args) {
  const Value& v = A(args, 0);
  if (v.undefined()) return Value();
  std::string out;
  bool in_space = false;
  for (char c : v.str()) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!in_space) out.push_back(' ');
      in_space = true;
    } else {
      out.push_back(c);
      in_space = false;
    }
  }
  if (!out.empty() && out.front() == ' ') out.erase(0, 1);
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return StringValue(std::move(out));
}

Result<Value, Error> Pad(Call& call, std::span<const Value> args) {
  const Value& v = A(args, 0);
  if (v.undefined()) return Value();
  double width = A(args, 1).number();
  bool has_char = A(args, 2).is_string() && !A(args, 2).str().empty();
  std::u32string unit = has_char ? ToCodePoints(A(args, 2).str()) : std::u32string(1, U' ');
  std::u32string s = ToCodePoints(v.str());
  double pad_length = std::fabs(width) - static_cast<double>(s.size());
  if (!(pad_length > 0)) return v;
  if (pad_length != std::floor(pad_length) || pad_length > 1e8) {
    // new Array(n) in the reference: a RangeError for a length that is not a valid index.
    return AtCall(call, Error{"RangeError", "Invalid array length", -1, std::nullopt});
  }
  size_t n = static_cast<size_t>(pad_length);
  std::u32string padding;
  for (size_t k = 0; k < n && padding.size() < n; ++k) padding += unit;
  if (padding.size() > n) padding.resize(n);
  std::string out;
  if (width > 0) {
    out.append(v.str());
    out.append(FromCodePoints(padding));
  } else {
    out.append(FromCodePoints(padding));
    out.append(v.str());
  }
  return StringValue(std::move(out));
}

Result<Value, Error> Contains(Call& call, std::span<const Value> args) {
  const Value& v = A(args, 0);
  if (v.undefined()) return Value();
  const Value& token = A(args, 1);
  if (token.is_string()) return BoolValue(v.str().find(token.str()) != std::string::npos);
  auto m = RunMatcher(call, token, {v});
  if (!m.ok()) return m.error();
  return BoolValue(!m->undefined());
}

Result<Value, Error> Match(Call& call, std::span<const Value> args) {
  const Value& v = A(args, 0);
  if (v.undefined()) return Value();
  const Value& limit = A(args, 2);
  if (!limit.undefined() && limit.number() < 0) {
    return call.Fail("D3040", {{"value", ErrorInsert(limit)}, {"index", "3"}});
  }
  auto result = NewSequence(true);
  if (limit.undefined() || limit.number() > 0) {
    auto m = RunMatcher(call, A(args, 1), {v});
    if (!m.ok()) return m.error();
    Value matches = *m;
    double count = 0;
    while (!matches.undefined() && (limit.undefined() || count < limit.number())) {
      auto obj = std::make_shared<ObjectValue>();
      obj->Set("match", matches.field("match"));
      obj->Set("index", matches.field("start"));
      obj->Set("groups", matches.field("groups"));
      result->items.push_back(Value(std::move(obj)));
      Value next = matches.field("next");
      if (!next.is_function()) return call.Fail("T1010");
      auto n = RunMatcher(call, next, {});
      if (!n.ok()) return n.error();
      matches = *n;
      ++count;
    }
  }
  return Value(std::move(result));
}

// The replacement text for one match: $$, $0, $1..$N as the reference reads them.
std::string Substitute(const std::u16string& replacement, const Value& m) {
  Value groups = m.field("groups");
  size_t ngroups = groups.is_array() ? groups.size() : 0;
  std::u16string out;
  size_t position = 0;
  size_t index = replacement.find(u'$', position);
  while (index != std::u16string::npos && position < replacement.size()) {
    out += replacement.substr(position, index - position);
    position = index + 1;
    char16_t next = position < replacement.size() ? replacement[position] : 0;
    if (next == '$') {
      out += u'$';
      ++position;
    } else if (next == '0') {
      Value whole = m.field("match");
      if (whole.is_string()) out += ToUtf16(whole.str());
      ++position;
    } else {
      size_t max_digits =
          ngroups == 0 ? 1 : static_cast<size_t>(std::floor(std::log10(ngroups))) + 1;
      double g = JsParseInt(replacement.substr(std::min(position, replacement.size()), max_digits));
      if (max_digits > 1 && g > static_cast<double>(ngroups)) {
        g = JsParseInt(replacement.substr(std::min(position, replacement.size()), max_digits - 1));
      }
      if (!std::isnan(g)) {
        if (ngroups > 0 && g >= 1 && g <= static_cast<double>(ngroups)) {
          Value sub = groups.at(static_cast<size_t>(g) - 1);
          if (sub.is_string()) out += ToUtf16(sub.str());
        }
        position += JsNumberToString(g).size();
      } else {
        out += u'$';
      }
    }
    index = replacement.find(u'$', position);
  }
  if (position < replacement.size()) out += replacement.substr(position);
  return ToUtf8(out);
}

Result<Value, Error> Replace(Call& call, std::span<const Value> args) {
  const Value& v = A(args, 0);
  if (v.undefined()) return Value();
  const Value& pattern = A(args, 1);
  const Value& replacement = A(args, 2);
  const Value& limit = A(args, 3);
  if (pattern.is_string() && pattern.str().empty()) {
    return call.Fail("D3010", {{"value", ErrorInsert(pattern)}, {"index", "2"}});
  }
  if (!limit.undefined() && limit.number() < 0) {
    return call.Fail("D3011", {{"value", ErrorInsert(limit)}, {"index", "4"}});
  }
  if (!limit.undefined() && !(limit.number() > 0)) return v;
  const std::string& str = v.str();
  double count = 0;
  auto more = [&] { return limit.undefined() || count < limit.number(); };
  if (pattern.is_string()) {
    const std::string& p = pattern.str();
    std::string with = replacement.is_string() ? replacement.str() : "";
    std::string out;
    size_t position = 0;
    size_t index = str.find(p, position);
    while (index != std::string::npos && more()) {
      out += str.substr(position, index - position);
      out += with;
      position = index + p.size();
      ++count;
      index = str.find(p, position);
    }
    out += str.substr(position);
    return StringValue(std::move(out));
  }
  std::u16string s = ToUtf16(str);
  std::u16string with16 = replacement.is_string() ? ToUtf16(replacement.str()) : u"";
  auto m = RunMatcher(call, pattern, {v});
  if (!m.ok()) return m.error();
  Value matches = *m;
  if (matches.undefined()) return v;
  std::string out;
  long position = 0;
  while (!matches.undefined() && more()) {
    long start = MatchInt(matches, "start");
    out += Utf16Sub(s, position, start);
    if (replacement.is_string()) {
      out += Substitute(with16, matches);
    } else {
      auto r = call.Apply(replacement, {matches});
      if (!r.ok()) return r.error();
      if (!r->is_string()) return call.Fail("D3012", {{"value", ErrorInsert(*r)}});
      out += r->str();
    }
    position = start + static_cast<long>(MatchLength(matches));
    ++count;
    Value next = matches.field("next");
    if (!next.is_function()) return call.Fail("T1010");
    auto n = RunMatcher(call, next, {});
    if (!n.ok()) return n.error();
    matches = *n;
  }
  out += Utf16Sub(s, position, static_cast<long>(s.size()));
  return StringValue(JoinSurrogates(std::move(out)));
}

Result<Value, Error> Split(Call& call, std::span<const Value> args) {
  const Value& v = A(args, 0);
  if (v.undefined()) return Value();
  const Value& sep = A(args, 1);
  const Value& limit = A(args, 2);
  if (!limit.undefined() && limit.number() < 0) {
    return call.Fail("D3020", {{"value", ErrorInsert(limit)}, {"index", "3"}});
  }
  std::vector<Value> out;
  if (!limit.undefined() && !(limit.number() > 0)) return ArrayOf(std::move(out));
  const std::string& str = v.str();
  if (sep.is_string()) {
    // String.prototype.split(separator, limit): an empty separator splits UTF-16 code units.
    double max = limit.undefined() ? 4294967295.0 : std::trunc(limit.number());
    const std::string& d = sep.str();
    if (d.empty()) {
      std::u16string s = ToUtf16(str);
      for (size_t i = 0; i < s.size() && out.size() < max; ++i) {
        out.push_back(StringValue(ToUtf8(s.substr(i, 1))));
      }
    } else {
      size_t start = 0;
      for (size_t p; out.size() < max && (p = str.find(d, start)) != std::string::npos;
           start = p + d.size()) {
        out.push_back(StringValue(str.substr(start, p - start)));
      }
      if (out.size() < max) out.push_back(StringValue(str.substr(start)));
    }
    return ArrayOf(std::move(out));
  }
  std::u16string s = ToUtf16(str);
  auto m = RunMatcher(call, sep, {v});
  if (!m.ok()) return m.error();
  Value matches = *m;
  if (matches.undefined()) {
    out.push_back(v);
    return ArrayOf(std::move(out));
  }
  double count = 0;
  long start = 0;
  while (!matches.undefined() && (limit.undefined() || count < limit.number())) {
    out.push_back(StringValue(Utf16Sub(s, start, MatchInt(matches, "start"))));
    start = MatchInt(matches, "end");
    Value next = matches.field("next");
    if (!next.is_function()) return call.Fail("T1010");
    auto n = RunMatcher(call, next, {});
    if (!n.ok()) return n.error();
    matches = *n;
    ++count;
  }
  if (limit.undefined() || count < limit.number()) {
    out.push_back(StringValue(Utf16Sub(s, start, static_cast<long>(s.size()))));
  }
  return ArrayOf(std::move(out));
}

Result<Value, Error> Join(Call&, std::span<const Value> args) {
  const Value& v = A(args, 0);
  if (v.undefined()) return Value();
  std::string sep = A(args, 1).is_string() ? A(args, 1).str() : "";
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    Value item = v.at(i);
    if (item.is_string()) out += item.str();
  }
  return StringValue(JoinSurrogates(std::move(out)));
}

// ---------------------------------------------------------------------------------------------
// Number formats.

Result<Value, Error> FormatNumberFn(Call& call, std::span<const Value> args) {
  if (A(args, 0).undefined()) return Value();
  json::Value options;
  const json::Value* opts = nullptr;
  if (A(args, 2).is_object()) {
    options = A(args, 2).ToJson();
    opts = &options;
  }
  auto r = FormatNumber(A(args, 0).number(), A(args, 1).str(), opts);
  if (!r.ok()) return AtCall(call, r.error());
  return StringValue(std::move(*r));
}

Result<Value, Error> FormatBaseFn(Call& call, std::span<const Value> args) {
  if (A(args, 0).undefined()) return Value();
  std::optional<double> radix;
  if (!A(args, 1).undefined()) radix = A(args, 1).number();
  auto r = FormatBase(A(args, 0).number(), radix);
  if (!r.ok()) return AtCall(call, r.error());
  return StringValue(std::move(*r));
}

Result<Value, Error> FormatIntegerFn(Call& call, std::span<const Value> args) {
  if (A(args, 0).undefined()) return Value();
  auto r = FormatInteger(A(args, 0).number(), A(args, 1).str());
  if (!r.ok()) return AtCall(call, r.error());
  return StringValue(std::move(*r));
}

Result<Value, Error> ParseIntegerFn(Call& call, std::span<const Value> args) {
  if (A(args, 0).undefined()) return Value();
  auto r = ParseInteger(A(args, 0).str(), A(args, 1).str());
  if (!r.ok()) return AtCall(call, r.error());
  // Text with no digits is NaN, as in the reference: it flows on (D1001 if it reaches the result).
  if (!r->has_value()) return NumberValue(std::nan(""));
  return NumberValue(**r);
}

}  // namespace

namespace {
const Builtin kBuiltins[] = {
    {"string", "<x-b?:s>", String, nullptr, 1},
    {"length", "<s-:n>", Length, nullptr},
    {"substring", "<s-nn?:s>", Substring, nullptr},
    {"substringBefore", "<s-s:s>", SubstringBefore, nullptr},
    {"substringAfter", "<s-s:s>", SubstringAfter, nullptr},
    {"uppercase", "<s-:s>", Upper, nullptr},
    {"lowercase", "<s-:s>", Lower, nullptr},
    {"trim", "<s-:s>", Trim, nullptr},
    {"pad", "<s-ns?:s>", Pad, nullptr},
    {"match", "<s-f<s:o>n?:a<o>>", Match, nullptr},
    {"contains", "<s-(sf):b>", Contains, nullptr},
    {"replace", "<s-(sf)(sf)n?:s>", Replace, nullptr},
    {"split", "<s-(sf)n?:a<s>>", Split, nullptr},
    {"join", "<a<s>s?:s>", Join, nullptr},
    {"formatNumber", "<n-so?:s>", FormatNumberFn, nullptr},
    {"formatBase", "<n-n?:s>", FormatBaseFn, nullptr},
    {"formatInteger", "<n-s:s>", FormatIntegerFn, nullptr},
    {"parseInteger", "<s-s:n>", ParseIntegerFn, nullptr},
};
}  // namespace

std::span<const Builtin> StringBuiltins() { return kBuiltins; }

}  // namespace stator::jsonata::internal
