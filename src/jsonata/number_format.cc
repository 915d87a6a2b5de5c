#include "jsonata/number_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <numeric>

#include "jsonata/js_string.h"

namespace stator::jsonata {
namespace {

Error MakeError(std::string code, std::string message) {
  return Error{std::move(code), std::move(message), -1, std::nullopt};
}

const char* const kFew[] = {"Zero",    "One",     "Two",       "Three",    "Four",
                            "Five",    "Six",     "Seven",     "Eight",    "Nine",
                            "Ten",     "Eleven",  "Twelve",    "Thirteen", "Fourteen",
                            "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen"};
const char* const kOrdinals[] = {
    "Zeroth",     "First",     "Second",    "Third",       "Fourth",     "Fifth",     "Sixth",
    "Seventh",    "Eighth",    "Ninth",     "Tenth",       "Eleventh",   "Twelfth",   "Thirteenth",
    "Fourteenth", "Fifteenth", "Sixteenth", "Seventeenth", "Eighteenth", "Nineteenth"};
const char* const kDecades[] = {"Twenty",  "Thirty", "Forty",  "Fifty",  "Sixty",
                                "Seventy", "Eighty", "Ninety", "Hundred"};
const char* const kMagnitudes[] = {"Thousand", "Million", "Billion", "Trillion"};

// The zero of every Unicode decimal digit family (BMP) the reference recognises.
const char32_t kDecimalGroups[] = {0x30,   0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6,
                                   0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0,
                                   0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
                                   0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900,
                                   0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string WordsLookup(double num, bool prev, bool ord) {
  std::string words;
  if (num <= 19) {
    words = std::string(prev ? " and " : "") +
            (ord ? kOrdinals[static_cast<int>(num)] : kFew[static_cast<int>(num)]);
  } else if (num < 100) {
    int tens = static_cast<int>(std::floor(num / 10));
    double rem = std::fmod(num, 10);
    words = std::string(prev ? " and " : "") + kDecades[tens - 2];
    if (rem > 0) {
      words += "-" + WordsLookup(rem, false, ord);
    } else if (ord) {
      words = words.substr(0, words.size() - 1) + "ieth";
    }
  } else if (num < 1000) {
    int hundreds = static_cast<int>(std::floor(num / 100));
    double rem = std::fmod(num, 100);
    words = std::string(prev ? ", " : "") + kFew[hundreds] + " Hundred";
    if (rem > 0) {
      words += WordsLookup(rem, true, ord);
    } else if (ord) {
      words += "th";
    }
  } else {
    int mag = static_cast<int>(std::floor(std::log10(num) / 3));
    if (mag > 4) mag = 4;
    double factor = std::pow(10, mag * 3);
    double mant = std::floor(num / factor);
    double rem = num - mant * factor;
    words = std::string(prev ? ", " : "") + WordsLookup(mant, false, false) + " " +
            kMagnitudes[mag - 1];
    if (rem > 0) {
      words += WordsLookup(rem, true, ord);
    } else if (ord) {
      words += "th";
    }
  }
  return words;
}

const std::map<std::string, double>& WordValues() {
  static const auto* values = [] {
    auto* m = new std::map<std::string, double>();
    for (const auto& [w, v] : NumberWords()) (*m)[w] = v;
    return m;
  }();
  return *values;
}

std::string DecimalToRoman(double value) {
  static const std::pair<int, const char*> kNumerals[] = {
      {1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"},
      {40, "xl"},  {10, "x"},   {9, "ix"},  {5, "v"},    {4, "iv"},  {1, "i"}};
  std::string out;
  while (true) {
    bool found = false;
    for (const auto& [v, s] : kNumerals) {
      if (value >= v) {
        out += s;
        value -= v;
        found = true;
        break;
      }
    }
    if (!found) return out;
  }
}

std::string DecimalToLetters(double value, char a) {
  std::string letters;
  while (value > 0) {
    letters.insert(letters.begin(), static_cast<char>(std::fmod(value - 1, 26) + a));
    value = std::floor((value - 1) / 26);
  }
  return letters;
}

// JS's parseInt(s, 10): leading whitespace, a sign, then decimal digits; NaN if none.
double JsParseInt(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == start) return NAN;
  double v = std::strtod(std::string(s.substr(start, i - start)).c_str(), nullptr);
  return neg ? -v : v;
}

std::u16string U16(std::string_view s) { return ToUtf16(s); }

}  // namespace

const std::vector<std::pair<std::string, double>>& NumberWords() {
  static const auto* words = [] {
    auto* w = new std::vector<std::pair<std::string, double>>();
    for (int i = 0; i < 20; ++i) w->emplace_back(Lower(kFew[i]), i);
    for (int i = 0; i < 20; ++i) w->emplace_back(Lower(kOrdinals[i]), i);
    for (int i = 0; i < 9; ++i) {
      std::string lw = Lower(kDecades[i]);
      w->emplace_back(lw, (i + 2) * 10);
      w->emplace_back(lw.substr(0, lw.size() - 1) + "ieth", (i + 2) * 10);
    }
    w->emplace_back("hundredth", 100);
    for (int i = 0; i < 4; ++i) {
      std::string lw = Lower(kMagnitudes[i]);
      double v = std::pow(10, (i + 1) * 3);
      w->emplace_back(lw, v);
      w->emplace_back(lw + "th", v);
    }
    return w;
  }();
  return *words;
}

// ---------------------------------------------------------------------------------------------
// JS number primitives.

std::string JsNumberToString(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return "0";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, r.ptr - buf);
  std::string out;
  if (sci[0] == '-') {
    out = "-";
    sci.remove_prefix(1);
  }
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  int exp = std::atoi(std::string(sci.substr(e + 1)).c_str());
  int k = static_cast<int>(digits.size());
  int n = exp + 1;  // the decimal point is after n digits
  if (k <= n && n <= 21) {
    out += digits + std::string(n - k, '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, n) + "." + digits.substr(n);
  } else if (-6 < n && n <= 0) {
    out += "0." + std::string(-n, '0') + digits;
  } else {
    out += digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    out += (n - 1 >= 0 ? "e+" : "e-") + std::to_string(std::abs(n - 1));
  }
  return out;
}

double ToPrecision15(double d) {
  if (!std::isfinite(d)) return d;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.14e", d);
  return std::strtod(buf, nullptr);
}

double JsMathRound(double d) {
  if (!std::isfinite(d) || std::fabs(d) >= 4503599627370496.0) return d;
  double f = std::floor(d);
  double r = (d - f >= 0.5) ? f + 1 : f;
  if (r == 0 && std::signbit(d)) return -0.0;
  return r;
}

double JsonataRound(double arg, int precision) {
  auto shift = [](double v, int by) {
    std::string s = JsNumberToString(v);
    size_t e = s.find('e');
    int exp = by;
    if (e != std::string::npos) {
      exp += std::atoi(s.c_str() + e + 1);
      s.resize(e);
    }
    s += "e" + std::to_string(exp);
    return std::strtod(s.c_str(), nullptr);
  };
  if (precision != 0) arg = shift(arg, precision);
  double result = JsMathRound(arg);
  double diff = result - arg;
  if (std::fabs(diff) == 0.5 && std::fabs(std::fmod(result, 2)) == 1) result -= 1;
  if (precision != 0) result = shift(result, -precision);
  if (result == 0) result = 0;  // no -0
  return result;
}

std::string JsToFixed(double d, int digits) {
  if (std::isnan(d)) return "NaN";
  if (std::fabs(d) >= 1e21) return JsNumberToString(d);
  bool neg = d < 0;
  double x = std::fabs(d);
  char buf[400];
  auto fixed = [&](int precision) {
    auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed, precision);
    return std::string(buf, r.ptr);
  };
  // to_chars rounds correctly, an exact tie to even; JS takes the larger value on a tie. A tie
  // at `digits` places means x's decimal expansion ends at the next place with a 5, which needs
  // x * 2^(digits+1) to be an integer (then that expansion is exact).
  std::string out;
  double scaled = std::ldexp(x, digits + 1);
  if (scaled == std::floor(scaled)) {
    std::string longer = fixed(digits + 1);
    if (longer.back() == '5') {
      longer.pop_back();
      if (digits == 0) longer.pop_back();  // the '.'
      int i = static_cast<int>(longer.size()) - 1;
      for (; i >= 0; --i) {
        if (longer[i] == '.') continue;
        if (longer[i] != '9') break;
        longer[i] = '0';
      }
      if (i >= 0) {
        longer[i]++;
      } else {
        longer.insert(longer.begin(), '1');
      }
      out = longer;
    }
  }
  if (out.empty()) out = fixed(digits);
  if (neg) out = "-" + out;  // (-0.001).toFixed(2) is "-0.00"
  return out;
}

std::string MessageInsert(const json::Value& v) {
  if (v.is_number()) return JsNumberToString(v.as_double());
  std::string out;
  if (v.is_string()) {
    json::AppendQuoted(v.as_string(), &out);
    return out;
  }
  return v.Dump();
}

// ---------------------------------------------------------------------------------------------
// Integer pictures.

Result<IntegerFormat, Error> AnalyseIntegerPicture(std::string_view picture) {
  IntegerFormat f;
  std::string_view primary = picture;
  size_t semi = picture.rfind(';');
  if (semi != std::string_view::npos) {
    primary = picture.substr(0, semi);
    std::string_view modifier = picture.substr(semi + 1);
    if (!modifier.empty() && modifier[0] == 'o') f.ordinal = true;
  }
  using P = IntegerFormat::Primary;
  using C = IntegerFormat::Case;
  if (primary == "A" || primary == "a") {
    f.primary = P::kLetters;
    if (primary == "A") f.letter_case = C::kUpper;
  } else if (primary == "I" || primary == "i") {
    f.primary = P::kRoman;
    if (primary == "I") f.letter_case = C::kUpper;
  } else if (primary == "W") {
    f.primary = P::kWords;
    f.letter_case = C::kUpper;
  } else if (primary == "Ww") {
    f.primary = P::kWords;
    f.letter_case = C::kTitle;
  } else if (primary == "w") {
    f.primary = P::kWords;
  } else {
    std::u32string cps = ToCodePoints(primary);
    std::optional<char32_t> zero;
    int separator_position = 0;
    std::vector<IntegerFormat::Separator> seps;
    for (auto it = cps.rbegin(); it != cps.rend(); ++it) {
      char32_t c = *it;
      bool digit = false;
      for (char32_t g : kDecimalGroups) {
        if (c >= g && c <= g + 9) {
          digit = true;
          ++f.mandatory_digits;
          ++separator_position;
          if (!zero) {
            zero = g;
          } else if (*zero != g) {
            return MakeError("D3131",
                             "In a decimal digit pattern, all digits must be from the same "
                             "decimal group");
          }
          break;
        }
      }
      if (digit) continue;
      if (c == '#') {
        ++separator_position;
        ++f.optional_digits;
      } else {
        std::u16string ch = ToUtf16(FromCodePoints(std::u32string(1, c)));
        seps.push_back({separator_position, ch});
      }
    }
    if (f.mandatory_digits > 0) {
      f.primary = P::kDecimal;
      f.zero_code = *zero;
      // Regular grouping: one separator character at every multiple of one interval.
      int factor = 0;
      if (!seps.empty()) {
        bool same = true;
        for (const auto& s : seps) same = same && s.character == seps[0].character;
        if (same) {
          int g = seps[0].position;
          for (size_t k = 1; k < seps.size(); ++k) g = std::gcd(g, seps[k].position);
          factor = g;
          for (size_t k = 1; k <= seps.size() && factor > 0; ++k) {
            bool found = false;
            for (const auto& s : seps) found = found || s.position == static_cast<int>(k) * g;
            if (!found) factor = 0;
          }
        }
      }
      if (factor > 0) {
        f.regular = true;
        f.separators = {{factor, seps[0].character}};
      } else {
        f.separators = std::move(seps);
      }
    } else {
      f.primary = P::kSequence;
      f.token = std::string(primary);
    }
  }
  return f;
}

std::string NumberToWords(double value, bool ordinal) { return WordsLookup(value, false, ordinal); }

double WordsToNumber(std::string_view text) {
  // Split on ", ", " and ", whitespace, '\' and '-'.
  std::vector<std::string> parts;
  std::string cur;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == ',' && i + 1 < text.size() &&
        std::isspace(static_cast<unsigned char>(text[i + 1]))) {
      parts.push_back(cur), cur.clear(), i += 2;
    } else if (std::isspace(static_cast<unsigned char>(text[i])) &&
               text.substr(i + 1, 3) == "and" && i + 4 < text.size() &&
               std::isspace(static_cast<unsigned char>(text[i + 4]))) {
      parts.push_back(cur), cur.clear(), i += 5;
    } else if (std::isspace(static_cast<unsigned char>(text[i])) || text[i] == '\\' ||
               text[i] == '-') {
      parts.push_back(cur), cur.clear(), ++i;
    } else {
      cur.push_back(text[i++]);
    }
  }
  parts.push_back(cur);
  const auto& values = WordValues();
  std::vector<double> segs = {0};
  for (const auto& p : parts) {
    auto it = values.find(p);
    double value = it == values.end() ? NAN : it->second;
    if (value < 100) {
      double top = segs.back();
      segs.pop_back();
      if (top >= 1000) {
        segs.push_back(top);
        top = 0;
      }
      segs.push_back(top + value);
    } else if (std::isnan(value)) {  // undefined: neither branch's comparison holds in JS
      double top = segs.back();
      segs.pop_back();
      segs.push_back(top * value);
    } else {
      double top = segs.back();
      segs.pop_back();
      segs.push_back(top * value);
    }
  }
  double sum = 0;
  for (double s : segs) sum += s;
  return sum;
}

double RomanToDecimal(std::string_view roman) {
  double decimal = 0;
  double max = 1;
  for (size_t i = roman.size(); i-- > 0;) {
    double v;
    switch (roman[i]) {
      case 'M':
        v = 1000;
        break;
      case 'D':
        v = 500;
        break;
      case 'C':
        v = 100;
        break;
      case 'L':
        v = 50;
        break;
      case 'X':
        v = 10;
        break;
      case 'V':
        v = 5;
        break;
      case 'I':
        v = 1;
        break;
      default:
        v = NAN;
    }
    if (v < max) {
      decimal -= v;
    } else {
      max = v;
      decimal += v;
    }
  }
  return decimal;
}

double LettersToDecimal(std::string_view letters, char a) {
  std::u16string u = ToUtf16(letters);
  double decimal = 0;
  for (size_t i = 0; i < u.size(); ++i) {
    decimal += (static_cast<int>(u[u.size() - i - 1]) - a + 1) * std::pow(26, i);
  }
  return decimal;
}

Result<std::string, Error> FormatIntegerWith(double value, const IntegerFormat& format) {
  using P = IntegerFormat::Primary;
  using C = IntegerFormat::Case;
  bool negative = value < 0;
  value = std::fabs(value);
  std::string out;
  switch (format.primary) {
    case P::kLetters:
      out = DecimalToLetters(value, format.letter_case == C::kUpper ? 'A' : 'a');
      break;
    case P::kRoman:
      // The reference recurses once per numeral and overflows its stack on huge values.
      if (value >= 1e7) {
        return MakeError("U1001",
                         "Stack overflow error: Check for non-terminating recursive function.  "
                         "Consider rewriting as tail-recursive.");
      }
      out = DecimalToRoman(value);
      if (format.letter_case == C::kUpper) out = JsToUpper(out);
      break;
    case P::kWords:
      if (!std::isfinite(value)) {  // the reference recurses without end on NaN
        return MakeError("U1001",
                         "Stack overflow error: Check for non-terminating recursive function.  "
                         "Consider rewriting as tail-recursive.");
      }
      out = NumberToWords(value, format.ordinal);
      if (format.letter_case == C::kUpper) out = JsToUpper(out);
      if (format.letter_case == C::kLower) out = JsToLower(out);
      break;
    case P::kDecimal: {
      std::u16string s = U16(JsNumberToString(value));
      int pad = format.mandatory_digits - static_cast<int>(s.size());
      if (pad > 0) s = std::u16string(pad, u'0') + s;
      if (format.zero_code != U'0') {
        for (auto& c : s) c = static_cast<char16_t>(c + format.zero_code - U'0');
      }
      if (format.regular) {
        int group = format.separators[0].position;
        int n = (static_cast<int>(s.size()) - 1) / group;
        for (int k = n; k > 0; --k) {
          size_t pos = s.size() - k * group;
          s.insert(pos, format.separators[0].character);
        }
      } else {
        for (auto it = format.separators.rbegin(); it != format.separators.rend(); ++it) {
          long pos = static_cast<long>(s.size()) - it->position;
          if (pos < 0) pos = 0;  // substr(negative) counts from the end; clamp as slice does
          s.insert(static_cast<size_t>(pos), it->character);
        }
      }
      if (format.ordinal) {
        char16_t last = s.empty() ? 0 : s.back();
        const char* suffix = last == '1' ? "st" : last == '2' ? "nd" : last == '3' ? "rd" : "th";
        if (s.size() > 1 && s[s.size() - 2] == '1') suffix = "th";
        s += U16(suffix);
      }
      out = ToUtf8(s);
      break;
    }
    case P::kSequence:
      return MakeError("D3130", "Formatting or parsing an integer as a sequence starting with " +
                                    MessageInsert(json::Value::String(format.token)) +
                                    " is not supported by this implementation");
  }
  if (negative) out = "-" + out;
  return out;
}

Result<double, Error> ParseIntegerWith(std::string_view text, const IntegerFormat& format) {
  using P = IntegerFormat::Primary;
  bool upper = format.letter_case == IntegerFormat::Case::kUpper;
  switch (format.primary) {
    case P::kLetters:
      return LettersToDecimal(text, upper ? 'A' : 'a');
    case P::kRoman:
      return RomanToDecimal(upper ? std::string(text) : JsToUpper(text));
    case P::kWords:
      return WordsToNumber(JsToLower(text));
    case P::kDecimal: {
      std::u16string digits = U16(text);
      if (format.ordinal && digits.size() >= 2) digits.resize(digits.size() - 2);
      auto remove_all = [&](const std::u16string& sep) {
        if (sep.empty()) return;
        std::u16string out;
        for (size_t i = 0; i < digits.size();) {
          if (digits.compare(i, sep.size(), sep) == 0) {
            i += sep.size();
          } else {
            out.push_back(digits[i++]);
          }
        }
        digits = out;
      };
      if (format.regular) {
        remove_all(u",");
      } else {
        for (const auto& s : format.separators) remove_all(s.character);
      }
      if (format.zero_code != U'0') {
        for (auto& c : digits) c = static_cast<char16_t>(c - format.zero_code + U'0');
      }
      return JsParseInt(ToUtf8(digits));
    }
    case P::kSequence:
      return MakeError("D3130", "Formatting or parsing an integer as a sequence starting with " +
                                    MessageInsert(json::Value::String(format.token)) +
                                    " is not supported by this implementation");
  }
  return NAN;
}

Result<std::string, Error> FormatInteger(double value, std::string_view picture) {
  auto format = AnalyseIntegerPicture(picture);
  if (!format.ok()) return format.error();
  return FormatIntegerWith(std::floor(value), *format);
}

Result<std::optional<double>, Error> ParseInteger(std::string_view text, std::string_view picture) {
  auto format = AnalyseIntegerPicture(picture);
  if (!format.ok()) return format.error();
  auto v = ParseIntegerWith(text, *format);
  if (!v.ok()) return v.error();
  if (std::isnan(*v)) return std::optional<double>();
  return std::optional<double>(*v);
}

Result<std::string, Error> FormatBase(double value, std::optional<double> radix) {
  value = JsonataRound(value, 0);
  if (!std::isfinite(value)) return JsNumberToString(value);  // "NaN", "Infinity" in any radix
  double r = radix ? JsonataRound(*radix, 0) : 10;
  if (r < 2 || r > 36) {
    return MakeError("D3100",
                     "The radix of the formatBase function must be between 2 and 36.  It was "
                     "given " +
                         JsNumberToString(r));
  }
  int base = static_cast<int>(r);
  if (base == 10) return JsNumberToString(value);
  bool neg = value < 0;
  double v = std::fabs(value);
  static const char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  // As V8 writes an integer in a radix: digits below what a double can represent (while the
  // quotient is still >= 2^53) are written as zeros, then exact remainders.
  std::string zeros;
  while (v / base >= 9007199254740992.0) {
    v /= base;
    zeros.push_back('0');
  }
  std::string digits;
  do {
    double rem = std::fmod(v, base);
    digits.insert(digits.begin(), kDigits[static_cast<int>(rem)]);
    v = (v - rem) / base;
  } while (v > 0);
  digits += zeros;
  return (neg ? "-" : "") + digits;
}

}  // namespace stator::jsonata
