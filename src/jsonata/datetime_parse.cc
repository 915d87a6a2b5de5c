// $toMillis (declared in datetime.h): ISO 8601 as V8's Date.parse reads it, and timestamps
// described by an XPath picture, matched with the regex the reference builds from the picture
// (regex.h) and assembled from their components as the reference does.
#include <cmath>
#include <map>
#include <vector>

#include "jsonata/datetime.h"
#include "jsonata/datetime_internal.h"
#include "jsonata/js_string.h"
#include "jsonata/number_format.h"
#include "jsonata/regex.h"

namespace stator::jsonata {
namespace datetime_internal {
namespace {

// ---------------------------------------------------------------------------------------------
// Parsing with a picture.

std::string EscapeRegex(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::string_view(".*+?^${}()|[]\\").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

struct Matcher {
  std::string regex;
  char16_t component = 0;
  enum class Kind { kNone, kOffset, kInteger, kLookup } kind = Kind::kNone;
  const Part* part = nullptr;
  IntegerFormat format;
  std::optional<std::u16string> separator;  // kOffset
  bool gmt = false;
  std::map<std::string, double> lookup;
};

Result<Matcher, Error> IntegerMatcher(const IntegerFormat& f, std::optional<double> n) {
  Matcher m;
  m.kind = Matcher::Kind::kInteger;
  m.format = f;
  bool upper = f.letter_case == IntegerFormat::Case::kUpper;
  std::string occurrences = "+";
  if (n && !std::isnan(*n) && *n > 0) {
    long nn = static_cast<long>(*n);
    occurrences = f.optional_digits == 0 ? "{" + std::to_string(nn) + "}"
                                         : "{" + std::to_string(nn - f.optional_digits) + "," +
                                               std::to_string(nn) + "}";
  }
  switch (f.primary) {
    case IntegerFormat::Primary::kLetters:
      m.regex = upper ? "[A-Z]+" : "[a-z]+";
      break;
    case IntegerFormat::Primary::kRoman:
      m.regex = upper ? "[MDCLXVI]+" : "[mdclxvi]+";
      break;
    case IntegerFormat::Primary::kWords: {
      m.regex = "(?:";
      for (const auto& [w, v] : NumberWords()) m.regex += w + "|";
      m.regex += "and|[\\-, ])+";
      break;
    }
    case IntegerFormat::Primary::kDecimal:
      m.regex = "[0-9]" + occurrences;
      if (f.ordinal) m.regex += "(?:th|st|nd|rd)";
      break;
    case IntegerFormat::Primary::kSequence:
      return MakeError("D3130", "Formatting or parsing an integer as a sequence starting with " +
                                    Quote(f.token) + " is not supported by this implementation");
  }
  return m;
}

Result<Matcher, Error> PartMatcher(const Part& part) {
  Matcher m;
  if (part.literal) {
    m.regex = EscapeRegex(part.value);
    return m;
  }
  if (part.component == 'Z' || part.component == 'z') {
    m.kind = Matcher::Kind::kOffset;
    m.gmt = part.component == 'z';
    if (part.format.regular) m.separator = ToUtf16(ToUtf8(part.format.separators[0].character));
    m.regex = m.gmt ? "GMT" : "";
    m.regex += "[-+][0-9]+";
    if (m.separator) m.regex += ToUtf8(*m.separator) + "[0-9]+";
  } else if (part.has_format) {
    auto r = IntegerMatcher(part.format, part.n);
    if (!r.ok()) return r.error();
    m = std::move(*r);
  } else {
    m.kind = Matcher::Kind::kLookup;
    m.regex = "[a-zA-Z]+";
    auto key = [&](const std::string& name) {
      if (part.has_width && part.width_max && *part.width_max != 0) {
        double w = *part.width_max;
        return std::isnan(w) ? std::string()
                             : name.substr(0, static_cast<size_t>(std::max(0.0, w)));
      }
      return name;
    };
    if (part.component == 'M' || part.component == 'x') {
      for (int i = 0; i < 12; ++i) m.lookup.emplace(key(kMonths[i]), i + 1);
    } else if (part.component == 'F') {
      for (int i = 1; i < 8; ++i) m.lookup.emplace(key(kDays[i]), i);
    } else if (part.component == 'P') {
      m.lookup = {{"am", 0}, {"AM", 0}, {"pm", 1}, {"PM", 1}};
    } else {
      return MakeError("D3133",
                       "The 'name' modifier can only be applied to months and days in the "
                       "date/time picture string, not " +
                           Quote(part.component_text));
    }
  }
  m.component = part.component;
  m.part = &part;
  return m;
}

// The parsed value of one matched part (undefined: std::nullopt).
std::optional<double> ParsePart(const Matcher& m, std::string_view text) {
  switch (m.kind) {
    case Matcher::Kind::kNone:
      return std::nullopt;
    case Matcher::Kind::kOffset: {
      std::u16string v = ToUtf16(text);
      if (m.gmt) v = v.substr(std::min<size_t>(3, v.size()));
      double hours = 0, minutes = 0;
      if (m.separator) {
        size_t at = v.find(*m.separator);
        hours = JsParseIntText(ToUtf8(v.substr(0, at == std::u16string::npos ? v.size() : at)));
        minutes = JsParseIntText(ToUtf8(at == std::u16string::npos ? v : v.substr(at + 1)));
      } else if (v.size() - 1 <= 2) {
        hours = JsParseIntText(ToUtf8(v));
      } else {
        hours = JsParseIntText(ToUtf8(v.substr(0, 3)));
        minutes = JsParseIntText(ToUtf8(v.substr(3)));
      }
      return hours * 60 + minutes;
    }
    case Matcher::Kind::kInteger: {
      auto r = ParseIntegerWith(text, m.format);
      return r.ok() ? *r : NAN;
    }
    case Matcher::Kind::kLookup: {
      auto it = m.lookup.find(std::string(text));
      if (it == m.lookup.end()) return std::nullopt;
      return it->second;
    }
  }
  return std::nullopt;
}

bool Truthy(const std::optional<double>& v) { return v && *v != 0 && !std::isnan(*v); }

Result<std::optional<double>, Error> ParseDateTime(std::string_view timestamp,
                                                   std::string_view picture, double now) {
  auto spec = AnalysePicture(picture);
  if (!spec.ok()) return spec.error();
  std::vector<Matcher> matchers;
  std::string full = "^";
  for (const auto& part : *spec) {
    auto m = PartMatcher(part);
    if (!m.ok()) return m.error();
    full += "(" + m->regex + ")";
    matchers.push_back(std::move(*m));
  }
  full += "$";
  auto re = Regex::Compile(full, "i");
  if (!re.ok()) return re.error();
  std::u16string subject = ToUtf16(timestamp);
  auto found = re->Exec(subject, 0);
  if (!found.ok()) return found.error();
  if (!*found) return std::optional<double>();
  const RegexMatch& info = **found;

  std::map<char16_t, std::optional<double>> comps;
  bool any = false;
  for (size_t i = 0; i < matchers.size(); ++i) {
    if (matchers[i].kind == Matcher::Kind::kNone) continue;
    auto [a, b] = info.groups[i];
    std::string text = a == RegexMatch::npos ? "" : ToUtf8(subject.substr(a, b - a));
    comps[matchers[i].component] = ParsePart(matchers[i], text);
    any = true;
  }
  if (!any) return std::optional<double>();
  auto get = [&](char16_t c) -> std::optional<double> {
    auto it = comps.find(c);
    return it == comps.end() ? std::nullopt : it->second;
  };
  int mask = 0;
  auto shift = [&](bool bit) { mask = (mask << 1) + (bit ? 1 : 0); };
  auto is_type = [&](int type) { return !(~type & mask) && (type & mask); };
  for (char c : std::string_view("YXMxWwdD")) shift(Truthy(get(c)));
  bool date_a = is_type(161);
  bool date_b = !date_a && is_type(130);
  bool date_c = is_type(84);
  bool date_d = !date_c && is_type(72);
  mask = 0;
  for (char c : std::string_view("PHhmsf")) shift(Truthy(get(c)));
  bool time_a = is_type(23);
  bool time_b = !time_a && is_type(47);
  std::string order = std::string(date_b   ? "YD"
                                  : date_c ? "XxwF"
                                  : date_d ? "XWF"
                                           : "YMD") +
                      (time_b ? "Phmsf" : "Hmsf");
  bool start_specified = false, end_specified = false;
  for (char c : order) {
    if (!get(c)) {
      if (start_specified) {
        comps[c] = (c == 'M' || c == 'D' || c == 'd') ? 1 : 0;
        end_specified = true;
      } else {
        Fragment f = GetFragment(now, c);
        comps[c] = f.number;
      }
    } else {
      start_specified = true;
      if (end_specified) {
        return MakeError("D3136",
                         "The date/time picture string is missing specifiers required to parse "
                         "the timestamp");
      }
    }
  }
  auto val = [&](char16_t c) {
    auto v = get(c);
    return v ? *v : NAN;
  };
  double month0 = val('M') > 0 ? val('M') - 1 : 0;
  double day = val('D');
  if (date_b) {
    double jan1 = JsDateUtc(val('Y'), 0, 1, 0, 0, 0, 0);
    Civil derived = ToCivil(jan1 + (val('d') - 1) * kMsPerDay);
    month0 = derived.valid ? derived.month0 : NAN;
    day = derived.valid ? derived.day : NAN;
  }
  if (date_c || date_d) {
    return MakeError("D3136",
                     "The date/time picture string is missing specifiers required to parse the "
                     "timestamp");
  }
  double hours = val('H');
  if (time_b) {
    hours = val('h') == 12 ? 0 : val('h');
    if (get('P') && *get('P') == 1) hours += 12;
  }
  double millis = JsDateUtc(val('Y'), month0, day, hours, val('m'), val('s'), val('f'));
  std::optional<double> z = Truthy(get('Z')) ? get('Z') : get('z');
  if (Truthy(get('Z')) || Truthy(get('z'))) millis -= *z * 60 * 1000;
  return std::optional<double>(millis);
}

// Date.parse for the ISO 8601 forms toMillis lets through (NaN for what V8 rejects).
double ParseIso(std::string_view s) {
  size_t i = 0;
  auto digits = [&](int n, double* out) {
    if (i + n > s.size()) return false;
    double v = 0;
    for (int k = 0; k < n; ++k) {
      char c = s[i + k];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    *out = v;
    i += n;
    return true;
  };
  double year, month = 1, day = 1, h = 0, mi = 0, sec = 0, ms = 0, offset = 0;
  if (!digits(4, &year)) return NAN;
  if (i < s.size() && s[i] == '-') {
    ++i;
    if (!digits(2, &month)) return NAN;
    if (i < s.size() && s[i] == '-') {
      ++i;
      if (!digits(2, &day)) return NAN;
    }
  }
  if (i < s.size() && s[i] == 'T') {
    ++i;
    if (!digits(2, &h) || i >= s.size() || s[i++] != ':' || !digits(2, &mi)) return NAN;
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!digits(2, &sec)) return NAN;
      if (i < s.size() && s[i] == '.') {
        ++i;
        size_t st = i;
        double scale = 100;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
          if (scale >= 1) ms += (s[i] - '0') * scale;
          scale /= 10;
          ++i;
        }
        if (i == st) return NAN;
      }
    }
    if (i < s.size() && s[i] == 'Z') {
      ++i;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      double sign = s[i++] == '-' ? -1 : 1;
      double oh, om;
      if (!digits(2, &oh)) return NAN;
      if (i < s.size() && s[i] == ':') ++i;
      if (!digits(2, &om)) return NAN;
      offset = sign * (oh * 60 + om);
    }
  } else if (i < s.size()) {
    return NAN;
  }
  if (i != s.size()) return NAN;
  if (month < 1 || month > 12 || day < 1 || day > 31 || h > 24 || mi > 59 || sec > 59) return NAN;
  if (h == 24 && (mi != 0 || sec != 0 || ms != 0)) return NAN;
  // (Unlike Date.UTC, ISO years 0000-0099 are not moved to the 1900s.)
  double days = DaysFromCivil(year, month, 1) + day - 1;
  double t = days * kMsPerDay + h * 3600000 + mi * 60000 + sec * 1000 + ms;
  return t - offset * 60000;
}

}  // namespace
}  // namespace datetime_internal

Result<std::optional<double>, Error> ToMillis(std::string_view timestamp,
                                              std::optional<std::string_view> picture,
                                              double now_millis) {
  if (picture) return datetime_internal::ParseDateTime(timestamp, *picture, now_millis);
  static const auto* iso = new Regex(*Regex::Compile(
      "^\\d{4}(-[01]\\d)*(-[0-3]\\d)*(T[0-2]\\d:[0-5]\\d:[0-5]\\d)*(\\.\\d+)?([+-][0-2]\\d:?[0-5]"
      "\\d|Z)?$",
      ""));
  auto m = iso->Exec(ToUtf16(timestamp), 0);
  if (!m.ok()) return m.error();
  if (!*m) {
    return datetime_internal::MakeError(
        "D3110",
        "The argument of the toMillis function must be an ISO 8601 formatted "
        "timestamp. Given " +
            datetime_internal::Quote(timestamp));
  }
  return std::optional<double>(datetime_internal::ParseIso(timestamp));
}

}  // namespace stator::jsonata
