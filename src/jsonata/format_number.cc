// $formatNumber (declared in number_format.h): XPath's fn:format-number as jsonata-js 2.0.6
// implements it, picture analysis and all. Strings are handled as UTF-16 code units, since the
// reference's positions and lengths are JS string indices.

#include <algorithm>
#include <cmath>
#include <numeric>

#include "jsonata/js_string.h"
#include "jsonata/number_format.h"

namespace stator::jsonata {
namespace {

using U16 = std::u16string;

Error PictureError(const char* code, const char* message) {
  return Error{code, message, -1, std::nullopt};
}

size_t Find(const U16& s, const U16& needle, size_t from = 0) {
  if (needle.empty()) return std::min(from, s.size());
  return s.find(needle, from);
}
size_t RFind(const U16& s, const U16& needle) { return s.rfind(needle); }
U16 Sub(const U16& s, long start, long end) {  // JS substring(start, end)
  long n = static_cast<long>(s.size());
  start = std::clamp(start, 0L, n);
  end = std::clamp(end, 0L, n);
  if (start > end) std::swap(start, end);
  return s.substr(start, end - start);
}
U16 Slice(const U16& s, long start, long end) {  // JS slice(start, end)
  long n = static_cast<long>(s.size());
  if (start < 0) start = std::max(0L, n + start);
  if (end < 0) end = std::max(0L, n + end);
  start = std::min(start, n);
  end = std::min(end, n);
  if (start >= end) return U16();
  return s.substr(start, end - start);
}
long Pos(size_t p) { return p == U16::npos ? -1 : static_cast<long>(p); }

struct Properties {
  U16 decimal = u".", grouping = u",", exponent = u"e", infinity = u"Infinity", minus = u"-",
      nan = u"NaN", percent = u"%", per_mille = u"\u2030", zero = u"0", digit = u"#",
      pattern = u";";
};

struct Parts {
  U16 prefix, suffix, active, mantissa, integer, fractional, subpicture;
  std::optional<U16> exponent;
};

struct Variables {
  std::vector<int> integer_grouping;
  int regular_grouping = 0;
  int min_integer = 0;
  int scaling_factor = 0;
  U16 prefix;
  std::vector<int> fractional_grouping;
  int min_fractional = 0;
  int max_fractional = 0;
  int min_exponent = 0;
  U16 suffix;
  U16 picture;
};

class Formatter {
 public:
  explicit Formatter(Properties p) : p_(std::move(p)) {
    char16_t z = p_.zero.empty() ? u'0' : p_.zero[0];
    for (int k = 0; k < 10; ++k) family_.push_back(static_cast<char16_t>(z + k));
  }

  bool IsDigit(char16_t c) const {
    return std::find(family_.begin(), family_.end(), c) != family_.end();
  }
  bool Is(char16_t c, const U16& prop) const { return prop.size() == 1 && prop[0] == c; }
  bool IsActive(char16_t c) const {
    return IsDigit(c) || Is(c, p_.decimal) || Is(c, p_.exponent) || Is(c, p_.grouping) ||
           Is(c, p_.digit) || Is(c, p_.pattern);
  }

  Result<Parts, Error> Split(const U16& sub) const {
    Parts parts;
    parts.subpicture = sub;
    std::optional<U16> prefix, suffix;
    for (size_t i = 0; i < sub.size(); ++i) {
      if (IsActive(sub[i]) && !Is(sub[i], p_.exponent)) {
        prefix = sub.substr(0, i);
        break;
      }
    }
    for (size_t i = sub.size(); i-- > 0;) {
      if (IsActive(sub[i]) && !Is(sub[i], p_.exponent)) {
        suffix = sub.substr(i + 1);
        break;
      }
    }
    if (!prefix || !suffix) {
      // The reference reads .length of undefined here.
      return Error{"D3085",
                   "The mantissa part of a sub-picture must contain at least one character "
                   "that is either an 'optional digit character' or a member of the 'decimal "
                   "digit family'",
                   -1, std::nullopt};
    }
    parts.prefix = *prefix;
    parts.suffix = *suffix;
    long n = static_cast<long>(sub.size());
    parts.active =
        Sub(sub, static_cast<long>(prefix->size()), n - static_cast<long>(suffix->size()));
    long exp_pos = Pos(Find(sub, p_.exponent, prefix->size()));
    if (exp_pos == -1 || exp_pos > n - static_cast<long>(suffix->size())) {
      parts.mantissa = parts.active;
    } else {
      // (The reference indexes the active part with a position in the whole sub-picture.)
      parts.mantissa = Sub(parts.active, 0, exp_pos);
      parts.exponent = Sub(parts.active, exp_pos + 1, static_cast<long>(parts.active.size()));
    }
    long dp = Pos(Find(parts.mantissa, p_.decimal));
    if (dp == -1) {
      parts.integer = parts.mantissa;
      parts.fractional = parts.suffix;
    } else {
      parts.integer = Sub(parts.mantissa, 0, dp);
      parts.fractional = Sub(parts.mantissa, dp + 1, static_cast<long>(parts.mantissa.size()));
    }
    return parts;
  }

  std::optional<Error> Validate(const Parts& parts) const {
    const char* code = nullptr;
    const char* msg = nullptr;
    auto set = [&](const char* c, const char* m) {
      code = c;
      msg = m;
    };
    const U16& sub = parts.subpicture;
    long dpos = Pos(Find(sub, p_.decimal));
    if (dpos != Pos(RFind(sub, p_.decimal))) {
      set("D3081",
          "The sub-picture must not contain more than one instance of the 'decimal-separator' "
          "character");
    }
    if (Find(sub, p_.percent) != RFind(sub, p_.percent)) {
      set("D3082",
          "The sub-picture must not contain more than one instance of the 'percent' character");
    }
    if (Find(sub, p_.per_mille) != RFind(sub, p_.per_mille)) {
      set("D3083",
          "The sub-picture must not contain more than one instance of the 'per-mille' "
          "character");
    }
    bool has_percent = Find(sub, p_.percent) != U16::npos;
    bool has_permille = Find(sub, p_.per_mille) != U16::npos;
    if (has_percent && has_permille) {
      set("D3084", "The sub-picture must not contain both a 'percent' and a 'per-mille' character");
    }
    bool valid = false;
    for (char16_t c : parts.mantissa) valid = valid || IsDigit(c) || Is(c, p_.digit);
    if (!valid) {
      set("D3085",
          "The mantissa part of a sub-picture must contain at least one character that is "
          "either an 'optional digit character' or a member of the 'decimal digit family'");
    }
    for (char16_t c : parts.active) {
      if (!IsActive(c)) {
        set("D3086",
            "The sub-picture must not contain a passive character that is preceded by an "
            "active character and that is followed by another active character");
      }
    }
    auto char_at = [&](long i) -> char16_t {
      return i >= 0 && i < static_cast<long>(sub.size()) ? sub[i] : 0;
    };
    if (dpos != -1) {
      if ((char_at(dpos - 1) && Is(char_at(dpos - 1), p_.grouping)) ||
          (char_at(dpos + 1) && Is(char_at(dpos + 1), p_.grouping))) {
        set("D3087",
            "The sub-picture must not contain a 'grouping-separator' character that appears "
            "adjacent to a 'decimal-separator' character");
      }
    } else if (!parts.integer.empty() && Is(parts.integer.back(), p_.grouping)) {
      set("D3088",
          "The sub-picture must not contain a 'grouping-separator' at the end of the integer "
          "part");
    }
    if (Find(sub, p_.grouping + p_.grouping) != U16::npos) {
      set("D3089",
          "The sub-picture must not contain two adjacent instances of the 'grouping-separator' "
          "character");
    }
    long opt = Pos(Find(parts.integer, p_.digit));
    if (opt != -1) {
      for (long i = 0; i < opt; ++i) {
        if (IsDigit(parts.integer[i])) {
          set("D3090",
              "The integer part of the sub-picture must not contain a member of the 'decimal "
              "digit family' that is followed by an instance of the 'optional digit "
              "character'");
        }
      }
    }
    opt = Pos(RFind(parts.fractional, p_.digit));
    if (opt != -1) {
      for (size_t i = opt; i < parts.fractional.size(); ++i) {
        if (IsDigit(parts.fractional[i])) {
          set("D3091",
              "The fractional part of the sub-picture must not contain an instance of the "
              "'optional digit character' that is followed by a member of the 'decimal digit "
              "family'");
        }
      }
    }
    if (parts.exponent && !parts.exponent->empty() && (has_percent || has_permille)) {
      set("D3092",
          "A sub-picture that contains a 'percent' or 'per-mille' character must not contain a "
          "character treated as an 'exponent-separator'");
    }
    if (parts.exponent) {
      bool bad = parts.exponent->empty();
      for (char16_t c : *parts.exponent) bad = bad || !IsDigit(c);
      if (bad) {
        set("D3093",
            "The exponent part of the sub-picture must comprise only of one or more characters "
            "that are members of the 'decimal digit family'");
      }
    }
    if (code) return PictureError(code, msg);
    return std::nullopt;
  }

  Variables Analyse(const Parts& parts) const {
    auto grouping_positions = [&](const U16& part, bool to_left) {
      std::vector<int> positions;
      long gp = Pos(Find(part, p_.grouping));
      while (gp != -1) {
        U16 side = to_left ? Sub(part, 0, gp) : Sub(part, gp, static_cast<long>(part.size()));
        int count = 0;
        for (char16_t c : side) count += (IsDigit(c) || Is(c, p_.digit)) ? 1 : 0;
        positions.push_back(count);
        // (The reference looks for the next separator in the integer part, whichever part
        // it is analysing.)
        gp = Pos(Find(parts.integer, p_.grouping, gp + 1));
        if (p_.grouping.empty()) break;
      }
      return positions;
    };
    Variables v;
    v.integer_grouping = grouping_positions(parts.integer, false);
    if (!v.integer_grouping.empty()) {
      int factor = v.integer_grouping[0];
      for (size_t k = 1; k < v.integer_grouping.size(); ++k) {
        factor = std::gcd(factor, v.integer_grouping[k]);
      }
      for (size_t k = 1; k <= v.integer_grouping.size(); ++k) {
        if (std::find(v.integer_grouping.begin(), v.integer_grouping.end(),
                      static_cast<int>(k) * factor) == v.integer_grouping.end()) {
          factor = 0;
          break;
        }
      }
      v.regular_grouping = factor;
    }
    v.fractional_grouping = grouping_positions(parts.fractional, true);
    for (char16_t c : parts.integer) v.min_integer += IsDigit(c) ? 1 : 0;
    v.scaling_factor = v.min_integer;
    for (char16_t c : parts.fractional) {
      v.min_fractional += IsDigit(c) ? 1 : 0;
      v.max_fractional += (IsDigit(c) || Is(c, p_.digit)) ? 1 : 0;
    }
    bool exponent_present = parts.exponent.has_value();
    if (v.min_integer == 0 && v.max_fractional == 0) {
      if (exponent_present) {
        v.min_fractional = 1;
        v.max_fractional = 1;
      } else {
        v.min_integer = 1;
      }
    }
    if (exponent_present && v.min_integer == 0 && Find(parts.integer, p_.digit) != U16::npos) {
      v.min_integer = 1;
    }
    if (v.min_integer == 0 && v.min_fractional == 0) v.min_fractional = 1;
    if (exponent_present) {
      for (char16_t c : *parts.exponent) v.min_exponent += IsDigit(c) ? 1 : 0;
    }
    v.prefix = parts.prefix;
    v.suffix = parts.suffix;
    v.picture = parts.subpicture;
    return v;
  }

  U16 MakeString(double value, int dp) const {
    U16 s = ToUtf16(JsToFixed(std::fabs(value), dp));
    if (!Is(u'0', p_.zero)) {
      for (auto& c : s) {
        if (c >= '0' && c <= '9') c = family_[c - '0'];
      }
    }
    return s;
  }

  Result<std::string, Error> Format(double value, const U16& picture) const {
    std::vector<U16> subs;
    if (p_.pattern.empty()) {
      subs.push_back(picture);
    } else {
      size_t start = 0;
      while (true) {
        size_t at = picture.find(p_.pattern, start);
        if (at == U16::npos) {
          subs.push_back(picture.substr(start));
          break;
        }
        subs.push_back(picture.substr(start, at - start));
        start = at + p_.pattern.size();
      }
    }
    if (subs.size() > 2) {
      return PictureError("D3080",
                          "The picture string must only contain a maximum of two sub-pictures");
    }
    std::vector<Parts> parts;
    for (const auto& s : subs) {
      auto p = Split(s);
      if (!p.ok()) return p.error();
      parts.push_back(std::move(*p));
    }
    for (const auto& p : parts) {
      if (auto e = Validate(p)) return *e;
    }
    std::vector<Variables> vars;
    for (const auto& p : parts) vars.push_back(Analyse(p));
    if (vars.size() == 1) {
      vars.push_back(vars[0]);
      vars[1].prefix = p_.minus + vars[1].prefix;
    }
    const Variables& pic = value >= 0 ? vars[0] : vars[1];
    double adjusted = value;
    if (Find(pic.picture, p_.percent) != U16::npos) {
      adjusted = value * 100;
    } else if (Find(pic.picture, p_.per_mille) != U16::npos) {
      adjusted = value * 1000;
    }
    double mantissa = adjusted;
    std::optional<int> exponent;
    if (pic.min_exponent != 0) {
      double max_m = std::pow(10, pic.scaling_factor);
      double min_m = std::pow(10, pic.scaling_factor - 1);
      int e = 0;
      int guard = 0;
      while (mantissa < min_m) {
        mantissa *= 10;
        --e;
        if (++guard > 2000) return Timeout();
      }
      while (mantissa > max_m) {
        mantissa /= 10;
        ++e;
        if (++guard > 2000) return Timeout();
      }
      exponent = e;
    }
    double rounded = JsonataRound(mantissa, pic.max_fractional);
    U16 s = MakeString(rounded, pic.max_fractional);
    const U16& zero = p_.zero;
    const U16& dsep = p_.decimal;
    size_t dot = s.find(u'.');
    if (dot == U16::npos) {
      s += dsep;
    } else {
      s.replace(dot, 1, dsep);
    }
    auto char_is = [](const U16& str, long i, const U16& what) {
      return what.size() == 1 && i >= 0 && i < static_cast<long>(str.size()) && str[i] == what[0];
    };
    while (char_is(s, 0, zero)) s.erase(0, 1);
    while (char_is(s, static_cast<long>(s.size()) - 1, zero)) s.pop_back();
    long dpos = Pos(Find(s, dsep));
    long pad_left = pic.min_integer - dpos;
    long pad_right = pic.min_fractional - (static_cast<long>(s.size()) - dpos - 1);
    if (pad_left > 0) {
      U16 pad;
      for (long k = 0; k < pad_left; ++k) pad += zero;
      s = pad + s;
    }
    if (pad_right > 0) {
      for (long k = 0; k < pad_right; ++k) s += zero;
    }
    dpos = Pos(Find(s, dsep));
    if (pic.regular_grouping > 0) {
      long groups = (dpos - 1) / pic.regular_grouping;
      if (dpos - 1 < 0) groups = 0;
      for (long g = 1; g <= groups; ++g) {
        long at = dpos - g * pic.regular_grouping;
        s = Slice(s, 0, at) + p_.grouping + Slice(s, at, static_cast<long>(s.size()));
      }
    } else {
      for (int pos : pic.integer_grouping) {
        long at = dpos - pos;
        s = Slice(s, 0, at) + p_.grouping + Slice(s, at, static_cast<long>(s.size()));
        ++dpos;
      }
    }
    dpos = Pos(Find(s, dsep));
    for (int pos : pic.fractional_grouping) {
      long at = pos + dpos + 1;
      s = Slice(s, 0, at) + p_.grouping + Slice(s, at, static_cast<long>(s.size()));
    }
    dpos = Pos(Find(s, dsep));
    if (Find(pic.picture, dsep) == U16::npos || dpos == static_cast<long>(s.size()) - 1) {
      if (!s.empty()) s.pop_back();
    }
    if (exponent) {
      U16 es = MakeString(*exponent, 0);
      long pad = pic.min_exponent - static_cast<long>(es.size());
      if (pad > 0) {
        U16 z;
        for (long k = 0; k < pad; ++k) z += zero;
        es = z + es;
      }
      s += p_.exponent + (*exponent < 0 ? p_.minus : U16()) + es;
    }
    s = pic.prefix + s + pic.suffix;
    return ToUtf8(s);
  }

 private:
  static Error Timeout() {
    return Error{"U1001", "Expression evaluation timeout: Check for infinite loop", -1,
                 std::nullopt};
  }

  Properties p_;
  std::vector<char16_t> family_;
};

}  // namespace

Result<std::string, Error> FormatNumber(double value, std::string_view picture,
                                        const json::Value* options) {
  Properties p;
  if (options && options->is_object()) {
    for (const auto& [key, v] : options->as_object()) {
      U16 s = v.is_string() ? ToUtf16(v.as_string()) : ToUtf16(MessageInsert(v));
      if (key == "decimal-separator") p.decimal = s;
      if (key == "grouping-separator") p.grouping = s;
      if (key == "exponent-separator") p.exponent = s;
      if (key == "infinity") p.infinity = s;
      if (key == "minus-sign") p.minus = s;
      if (key == "NaN") p.nan = s;
      if (key == "percent") p.percent = s;
      if (key == "per-mille") p.per_mille = s;
      if (key == "zero-digit") p.zero = s;
      if (key == "digit") p.digit = s;
      if (key == "pattern-separator") p.pattern = s;
    }
  }
  Formatter f(std::move(p));
  return f.Format(value, ToUtf16(picture));
}

}  // namespace stator::jsonata
