// Interim string built-ins ($string, $length, $substring, $substringBefore, $substringAfter,
// $uppercase, $lowercase, $trim, $join, $contains, $split) so that expressions using them run
// before the layer's full string family (functions_string.cc, branch jn-text) is merged; that
// family replaces every one of these by name. Lengths and offsets count UTF-16 code units.
#include <algorithm>
#include <cctype>
#include <cmath>

#include "jsonata/builtins.h"
#include "jsonata/evaluator.h"

namespace stator::jsonata::internal {
namespace {

const Value& A(std::span<const Value> args, size_t i) {
  static const Value kUndefined;
  return i < args.size() ? args[i] : kUndefined;
}

// UTF-8 text as code points.
std::u32string Decode(const std::string& s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    char32_t cp;
    int len;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c >> 5) == 6) {
      cp = c & 0x1F;
      len = 2;
    } else if ((c >> 4) == 14) {
      cp = c & 0x0F;
      len = 3;
    } else {
      cp = c & 0x07;
      len = 4;
    }
    for (int k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    out.push_back(cp);
    i += len;
  }
  return out;
}

std::string Encode(const std::u32string& s) {
  std::string out;
  for (char32_t cp : s) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

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
  if (!s.ok()) return s.error();
  return StringValue(std::move(*s));
}

Result<Value, Error> Length(Call&, std::span<const Value> args) {
  const Value& v = A(args, 0);
  if (v.undefined()) return Value();
  return NumberValue(static_cast<double>(Decode(v.str()).size()));
}

Result<Value, Error> Substring(Call&, std::span<const Value> args) {
  const Value& v = A(args, 0);
  if (v.undefined()) return Value();
  std::u32string s = Decode(v.str());
  double len = static_cast<double>(s.size());
  double start = A(args, 1).number();
  if (start < 0) start = std::max(0.0, len + start);
  double count = A(args, 2).undefined() ? len : A(args, 2).number();
  if (count <= 0 || start >= len) return StringValue("");
  double end = std::min(len, start + count);
  return StringValue(
      Encode(s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start))));
}

Result<Value, Error> SubstringBefore(Call&, std::span<const Value> args) {
  const Value& v = A(args, 0);
  if (v.undefined()) return Value();
  size_t p = v.str().find(A(args, 1).str());
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

Result<Value, Error> Case(std::span<const Value> args, bool upper) {
  const Value& v = A(args, 0);
  if (v.undefined()) return Value();
  std::string s = v.str();
  for (char& c : s) {
    c = static_cast<char>(upper ? std::toupper(static_cast<unsigned char>(c))
                                : std::tolower(static_cast<unsigned char>(c)));
  }
  return StringValue(std::move(s));
}
Result<Value, Error> Upper(Call&, std::span<const Value> args) { return Case(args, true); }
Result<Value, Error> Lower(Call&, std::span<const Value> args) { return Case(args, false); }

Result<Value, Error> Trim(Call&, std::span<const Value> args) {
  const Value& v = A(args, 0);
  if (v.undefined()) return Value();
  std::string out;
  bool space = false;
  for (char c : v.str()) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = true;
    } else {
      if (space && !out.empty()) out += ' ';
      space = false;
      out += c;
    }
  }
  return StringValue(std::move(out));
}

Result<Value, Error> Join(Call&, std::span<const Value> args) {
  const Value& v = A(args, 0);
  if (v.undefined()) return Value();
  std::string sep = A(args, 1).is_string() ? A(args, 1).str() : "";
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v.at(i).str();
  }
  return StringValue(std::move(out));
}

Result<Value, Error> Contains(Call& call, std::span<const Value> args) {
  const Value& v = A(args, 0);
  if (v.undefined()) return Value();
  const Value& t = A(args, 1);
  if (t.is_string()) return BoolValue(v.str().find(t.str()) != std::string::npos);
  auto m = call.Match(t, v.str(), 0);
  if (!m.ok()) return m.error();
  return BoolValue(m->has_value());
}

Result<Value, Error> Split(Call& call, std::span<const Value> args) {
  const Value& v = A(args, 0);
  if (v.undefined()) return Value();
  const Value& sep = A(args, 1);
  const Value& limit = A(args, 2);
  if (!limit.undefined() && limit.number() < 0)
    return call.Fail("D3020", {{"value", JsNumberString(limit.number())}});
  std::vector<Value> out;
  const std::string& s = v.str();
  if (sep.is_string()) {
    const std::string& d = sep.str();
    if (d.empty()) {
      for (char32_t c : Decode(s)) out.push_back(StringValue(Encode(std::u32string(1, c))));
    } else {
      size_t start = 0;
      for (size_t p; (p = s.find(d, start)) != std::string::npos; start = p + d.size()) {
        out.push_back(StringValue(s.substr(start, p - start)));
      }
      out.push_back(StringValue(s.substr(start)));
    }
  } else {
    int start = 0, from = 0;
    for (;;) {
      auto m = call.Match(sep, s, from);
      if (!m.ok()) return m.error();
      if (!m->has_value()) break;
      const RegexMatch& r = **m;
      out.push_back(StringValue(s.substr(start, r.start - start)));
      start = r.end;
      from = r.end > r.start ? r.end : r.end + 1;
      if (from > static_cast<int>(s.size())) break;
    }
    out.push_back(StringValue(s.substr(start)));
  }
  if (!limit.undefined() && out.size() > limit.number())
    out.resize(static_cast<size_t>(limit.number()));
  return ArrayOf(std::move(out));
}

const Builtin kBuiltins[] = {
    {"string", "<x-b?:s>", String, nullptr, 1},
    {"length", "<s-:n>", Length, nullptr},
    {"substring", "<s-nn?:s>", Substring, nullptr},
    {"substringBefore", "<s-s:s>", SubstringBefore, nullptr},
    {"substringAfter", "<s-s:s>", SubstringAfter, nullptr},
    {"uppercase", "<s-:s>", Upper, nullptr},
    {"lowercase", "<s-:s>", Lower, nullptr},
    {"trim", "<s-:s>", Trim, nullptr},
    {"join", "<a<s>s?:s>", Join, nullptr},
    {"contains", "<s-(sf):b>", Contains, nullptr},
    {"split", "<s-(sf)n?:a<s>>", Split, nullptr},
};

}  // namespace

std::span<const Builtin> InterimStringBuiltins() { return kBuiltins; }

}  // namespace stator::jsonata::internal
