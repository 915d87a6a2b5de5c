#include "jsonata/datetime.h"

#include <cmath>
#include <cstdlib>
#include <map>
#include <vector>

#include "jsonata/js_string.h"
#include "jsonata/number_format.h"
#include "jsonata/regex.h"

namespace stator::jsonata {
namespace {

constexpr double kMsPerDay = 86400000;

const char* const kDays[] = {"",         "Monday", "Tuesday",  "Wednesday",
                             "Thursday", "Friday", "Saturday", "Sunday"};
const char* const kMonths[] = {"January",   "February", "March",    "April",
                               "May",       "June",     "July",     "August",
                               "September", "October",  "November", "December"};

Error MakeError(std::string code, std::string message) {
  return Error{std::move(code), std::move(message), -1, std::nullopt};
}

std::string Quote(std::string_view s) { return MessageInsert(json::Value::String(std::string(s))); }

// ---------------------------------------------------------------------------------------------
// JS Date arithmetic (proleptic Gregorian, UTC).

double DaysFromCivil(double y, double m, double d) {  // m: 1-12
  y -= m <= 2 ? 1 : 0;
  double era = std::floor(y / 400);
  double yoe = y - era * 400;
  double doy = std::floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  double doe = yoe * 365 + std::floor(yoe / 4) - std::floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  double year, month0, day, weekday, hours, minutes, seconds, ms;
  bool valid;
};

Civil ToCivil(double t) {
  Civil c{};
  if (!std::isfinite(t) || std::fabs(t) > 8.64e15) {
    c.valid = false;
    return c;
  }
  c.valid = true;
  t = std::trunc(t);
  double days = std::floor(t / kMsPerDay);
  double in_day = t - days * kMsPerDay;
  c.weekday = std::fmod(std::fmod(days + 4, 7) + 7, 7);
  double z = days + 719468;
  double era = std::floor(z / 146097);
  double doe = z - era * 146097;
  double yoe = std::floor(
      (doe - std::floor(doe / 1460) + std::floor(doe / 36524) - std::floor(doe / 146096)) / 365);
  double y = yoe + era * 400;
  double doy = doe - (365 * yoe + std::floor(yoe / 4) - std::floor(yoe / 100));
  double mp = std::floor((5 * doy + 2) / 153);
  c.day = doy - std::floor((153 * mp + 2) / 5) + 1;
  double m = mp < 10 ? mp + 3 : mp - 9;
  c.year = m <= 2 ? y + 1 : y;
  c.month0 = m - 1;
  c.hours = std::floor(in_day / 3600000);
  c.minutes = std::floor(std::fmod(in_day, 3600000) / 60000);
  c.seconds = std::floor(std::fmod(in_day, 60000) / 1000);
  c.ms = std::fmod(in_day, 1000);
  return c;
}

}  // namespace

double JsDateUtc(double year, double month0, double day, double hours, double minutes,
                 double seconds, double ms) {
  for (double v : {year, month0, day, hours, minutes, seconds, ms}) {
    if (!std::isfinite(v)) return NAN;
  }
  year = std::trunc(year);
  if (year >= 0 && year <= 99) year += 1900;
  month0 = std::trunc(month0);
  double ym = year + std::floor(month0 / 12);
  double mn = std::fmod(std::fmod(month0, 12) + 12, 12);
  double days = DaysFromCivil(ym, mn + 1, 1) + std::trunc(day) - 1;
  double time = std::trunc(hours) * 3600000 + std::trunc(minutes) * 60000 +
                std::trunc(seconds) * 1000 + std::trunc(ms);
  double t = days * kMsPerDay + time;
  if (std::fabs(t) > 8.64e15) return NAN;
  return t + 0.0;
}

namespace {

double StartOfFirstWeek(double year, double month0) {
  double first = JsDateUtc(year, month0, 1, 0, 0, 0, 0);
  double dow = ToCivil(first).weekday;
  if (dow == 0) dow = 7;
  return dow > 4 ? first + (8 - dow) * kMsPerDay : first - (dow - 1) * kMsPerDay;
}

// A date's component as the reference's getDateTimeFragment computes it; strings for P, C, E.
struct Fragment {
  double number = NAN;
  std::string text;
  bool is_text = false;
  bool undefined = false;
};

Fragment GetFragment(double t, char16_t component) {
  Civil c = ToCivil(t);
  Fragment f;
  auto num = [&](double v) {
    f.number = v;
    return f;
  };
  auto next_month = [](double y, double m) {
    return m == 11 ? std::pair(y + 1, 0.0) : std::pair(y, m + 1);
  };
  auto prev_month = [](double y, double m) {
    return m == 0 ? std::pair(y - 1, 11.0) : std::pair(y, m - 1);
  };
  auto delta_weeks = [](double a, double b) { return (b - a) / (kMsPerDay * 7) + 1; };
  switch (component) {
    case 'Y':
      return num(c.year);
    case 'M':
      return num(c.month0 + 1);
    case 'D':
      return num(c.day);
    case 'd': {
      double today = JsDateUtc(c.year, c.month0, c.day, 0, 0, 0, 0);
      double jan1 = JsDateUtc(c.year, 0, 1, 0, 0, 0, 0);
      return num((today - jan1) / kMsPerDay + 1);
    }
    case 'F':
      return num(c.weekday == 0 ? 7 : c.weekday);
    case 'W': {
      double start = StartOfFirstWeek(c.year, 0);
      double today = JsDateUtc(c.year, c.month0, c.day, 0, 0, 0, 0);
      double week = delta_weeks(start, today);
      if (week > 52) {
        if (today >= StartOfFirstWeek(c.year + 1, 0)) week = 1;
      } else if (week < 1) {
        week = delta_weeks(StartOfFirstWeek(c.year - 1, 0), today);
      }
      return num(std::floor(week));
    }
    case 'w': {
      double start = StartOfFirstWeek(c.year, c.month0);
      double today = JsDateUtc(c.year, c.month0, c.day, 0, 0, 0, 0);
      double week = delta_weeks(start, today);
      if (week > 4) {
        auto [ny, nm] = next_month(c.year, c.month0);
        if (today >= StartOfFirstWeek(ny, nm)) week = 1;
      } else if (week < 1) {
        auto [py, pm] = prev_month(c.year, c.month0);
        week = delta_weeks(StartOfFirstWeek(py, pm), today);
      }
      return num(std::floor(week));
    }
    case 'X': {
      double start = StartOfFirstWeek(c.year, 0);
      double end = StartOfFirstWeek(c.year + 1, 0);
      if (t < start) return num(c.year - 1);
      if (t >= end) return num(c.year + 1);
      return num(c.year);
    }
    case 'x': {
      double start = StartOfFirstWeek(c.year, c.month0);
      auto [ny, nm] = next_month(c.year, c.month0);
      double end = StartOfFirstWeek(ny, nm);
      if (t < start) return num(prev_month(c.year, c.month0).second + 1);
      if (t >= end) return num(nm + 1);
      return num(c.month0 + 1);
    }
    case 'H':
      return num(c.hours);
    case 'h': {
      double h = std::fmod(c.hours, 12);
      return num(h == 0 ? 12 : h);
    }
    case 'P':
      f.is_text = true;
      f.text = c.hours >= 12 ? "pm" : "am";
      return f;
    case 'm':
      return num(c.minutes);
    case 's':
      return num(c.seconds);
    case 'f':
      return num(c.ms);
    case 'C':
    case 'E':
      f.is_text = true;
      f.text = "ISO";
      return f;
    default:
      f.undefined = true;
      return f;
  }
}

// ---------------------------------------------------------------------------------------------
// Picture analysis.

enum class Names { kNone, kLower, kUpper, kTitle };

struct Part {
  bool literal = false;
  std::string value;       // literal text
  char16_t component = 0;  // marker
  std::string component_text;
  std::string presentation1;
  char presentation2 = 0;
  Names names = Names::kNone;
  bool has_width = false;
  std::optional<double> width_min, width_max;  // NaN: parseInt gave NaN
  bool has_format = false;
  IntegerFormat format;
  std::optional<double> n;  // Y M D only; -1: no truncation
};

std::optional<double> ParseWidth(std::string_view w) {
  if (w == "*") return std::nullopt;
  size_t i = 0;
  bool neg = false;
  if (i < w.size() && (w[i] == '-' || w[i] == '+')) neg = w[i++] == '-';
  size_t s = i;
  while (i < w.size() && w[i] >= '0' && w[i] <= '9') ++i;
  if (i == s) return NAN;
  double v = std::strtod(std::string(w.substr(s, i - s)).c_str(), nullptr);
  return neg ? -v : v;
}

const char* DefaultPresentation(char16_t c) {
  switch (c) {
    case 'Y':
    case 'M':
    case 'D':
    case 'd':
    case 'W':
    case 'w':
    case 'X':
    case 'x':
    case 'H':
    case 'h':
    case 'f':
      return "1";
    case 'F':
    case 'P':
    case 'C':
    case 'E':
      return "n";
    case 'm':
    case 's':
      return "01";
    case 'Z':
    case 'z':
      return "01:01";
    default:
      return nullptr;
  }
}

bool In(const char* set, char16_t c) {
  for (const char* p = set; *p; ++p) {
    if (*p == c) return true;
  }
  return false;
}

Result<std::vector<Part>, Error> AnalysePicture(std::string_view picture) {
  std::vector<Part> spec;
  auto add_literal = [&](size_t start, size_t end) {
    if (end <= start) return;
    std::string lit(picture.substr(start, end - start));
    std::string out;
    for (size_t i = 0; i < lit.size(); ++i) {
      out.push_back(lit[i]);
      if (lit[i] == ']' && i + 1 < lit.size() && lit[i + 1] == ']') ++i;
    }
    Part p;
    p.literal = true;
    p.value = out;
    spec.push_back(std::move(p));
  };
  size_t start = 0, pos = 0;
  while (pos < picture.size()) {
    if (picture[pos] == '[') {
      if (pos + 1 < picture.size() && picture[pos + 1] == '[') {
        add_literal(start, pos);
        Part p;
        p.literal = true;
        p.value = "[";
        spec.push_back(std::move(p));
        pos += 2;
        start = pos;
        continue;
      }
      add_literal(start, pos);
      start = pos;
      pos = picture.find(']', start);
      if (pos == std::string_view::npos) {
        return MakeError("D3135", "No matching closing bracket ']' in date/time picture string");
      }
      std::string marker;
      for (char ch : picture.substr(start + 1, pos - start - 1)) {
        if (!std::isspace(static_cast<unsigned char>(ch))) marker.push_back(ch);
      }
      std::u16string m16 = ToUtf16(marker);
      Part def;
      def.component = m16.empty() ? 0 : m16[0];
      def.component_text = m16.empty() ? "" : ToUtf8(m16.substr(0, 1));
      size_t comma = marker.rfind(',');
      std::string pres;
      if (comma != std::string::npos) {
        std::string width = marker.substr(comma + 1);
        size_t dash = width.find('-');
        def.has_width = true;
        if (dash == std::string::npos) {
          def.width_min = ParseWidth(width);
        } else {
          def.width_min = ParseWidth(width.substr(0, dash));
          def.width_max = ParseWidth(width.substr(dash + 1));
        }
        pres = ToUtf8(ToUtf16(marker.substr(0, comma)).substr(m16.empty() ? 0 : 1));
      } else {
        pres = m16.size() > 1 ? ToUtf8(m16.substr(1)) : "";
      }
      std::u16string p16 = ToUtf16(pres);
      bool have_p1 = true;
      if (p16.size() == 1) {
        def.presentation1 = pres;
      } else if (p16.size() > 1) {
        char16_t last = p16.back();
        if (In("atco", last)) {
          def.presentation2 = static_cast<char>(last);
          def.presentation1 = ToUtf8(p16.substr(0, p16.size() - 1));
        } else {
          def.presentation1 = pres;
        }
      } else {
        const char* d = DefaultPresentation(def.component);
        if (d) {
          def.presentation1 = d;
        } else {
          have_p1 = false;
        }
      }
      if (!have_p1) {
        return MakeError("D3132", "Unknown component specifier " + Quote(def.component_text) +
                                      " in date/time picture string");
      }
      const std::string& p1 = def.presentation1;
      if (!p1.empty() && p1[0] == 'n') {
        def.names = Names::kLower;
      } else if (!p1.empty() && p1[0] == 'N') {
        def.names = p1.size() > 1 && p1[1] == 'n' ? Names::kTitle : Names::kUpper;
      } else if (In("YMDdFWwXxHhmsf", def.component)) {
        std::string pattern = p1;
        if (def.presentation2) pattern += std::string(";") + def.presentation2;
        auto f = AnalyseIntegerPicture(pattern);
        if (!f.ok()) return f.error();
        def.format = std::move(*f);
        def.has_format = true;
        if (def.width_min && !std::isnan(*def.width_min) &&
            def.format.mandatory_digits < *def.width_min) {
          def.format.mandatory_digits = static_cast<int>(*def.width_min);
        }
        if (In("YMD", def.component)) {
          def.n = -1;
          if (def.width_max) {
            def.n = *def.width_max;
            def.format.mandatory_digits =
                std::isnan(*def.width_max) ? 0 : static_cast<int>(*def.width_max);
          } else {
            int w = def.format.mandatory_digits + def.format.optional_digits;
            if (w >= 2) def.n = w;
          }
        }
      }
      if (def.component == 'Z' || def.component == 'z') {
        auto f = AnalyseIntegerPicture(def.presentation1);
        if (!f.ok()) return f.error();
        def.format = std::move(*f);
        def.has_format = true;
      }
      spec.push_back(std::move(def));
      start = pos + 1;
    }
    ++pos;
  }
  add_literal(start, pos);
  return spec;
}

std::string Case(std::string s, Names names) {
  if (names == Names::kUpper) return JsToUpper(s);
  if (names == Names::kLower) return JsToLower(s);
  return s;
}

double JsParseIntText(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  size_t st = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == st) return NAN;
  double v = std::strtod(std::string(s.substr(st, i - st)).c_str(), nullptr);
  return neg ? -v : v;
}

Result<std::string, Error> FormatComponent(double t, const Part& m, double offset_hours,
                                           double offset_minutes) {
  Fragment frag = GetFragment(t, m.component);
  char16_t c = m.component;
  if (In("YMDdFWwXxHhms", c)) {
    double v = frag.number;
    if (c == 'Y' && m.n && *m.n != -1) v = std::fmod(v, std::pow(10, *m.n));
    if (m.names != Names::kNone) {
      std::string name;
      if (c == 'M' || c == 'x') {
        name = (v >= 1 && v <= 12) ? kMonths[static_cast<int>(v) - 1] : "undefined";
      } else if (c == 'F') {
        name = kDays[static_cast<int>(v)];
      } else {
        return MakeError("D3133",
                         "The 'name' modifier can only be applied to months and days in the "
                         "date/time picture string, not " +
                             Quote(m.component_text));
      }
      name = Case(name, m.names);
      if (m.has_width && m.width_max && !std::isnan(*m.width_max) &&
          static_cast<double>(name.size()) > *m.width_max) {
        name = name.substr(0, static_cast<size_t>(std::max(0.0, *m.width_max)));
      }
      return name;
    }
    return FormatIntegerWith(v, m.format);
  }
  if (c == 'f') return FormatIntegerWith(frag.number, m.format);
  if (c == 'Z' || c == 'z') {
    double offset = offset_hours * 100 + offset_minutes;
    std::string out;
    if (m.format.regular) {
      auto r = FormatIntegerWith(offset, m.format);
      if (!r.ok()) return r.error();
      out = *r;
    } else {
      int digits = m.format.mandatory_digits;
      if (digits == 1 || digits == 2) {
        auto r = FormatIntegerWith(offset_hours, m.format);
        if (!r.ok()) return r.error();
        out = *r;
        if (offset_minutes != 0) {
          auto mm = FormatInteger(offset_minutes, "00");
          if (!mm.ok()) return mm.error();
          out += ":" + *mm;
        }
      } else if (digits == 3 || digits == 4) {
        auto r = FormatIntegerWith(offset, m.format);
        if (!r.ok()) return r.error();
        out = *r;
      } else {
        return MakeError("D3134",
                         "The timezone integer format specifier cannot have more than four "
                         "digits");
      }
    }
    if (offset >= 0) out = "+" + out;
    if (c == 'z') out = "GMT" + out;
    if (offset == 0 && m.presentation2 == 't') out = "Z";
    return out;
  }
  if (c == 'P') return m.names == Names::kUpper ? JsToUpper(frag.text) : frag.text;
  if (frag.undefined) return std::string("undefined");
  return frag.text;
}

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

Result<std::string, Error> FromMillis(double millis, std::optional<std::string_view> picture,
                                      std::optional<std::string_view> timezone) {
  double offset_hours = 0, offset_minutes = 0;
  if (timezone) {
    double offset = JsParseIntText(*timezone);
    if (std::isnan(offset)) offset = 0;
    offset_hours = std::floor(offset / 100);
    offset_minutes = std::fmod(offset, 100);
  }
  static const auto* iso = [] {
    auto r = AnalysePicture("[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]");
    return new std::vector<Part>(std::move(*r));
  }();
  std::vector<Part> parsed;
  const std::vector<Part>* spec = iso;
  if (picture) {
    auto r = AnalysePicture(*picture);
    if (!r.ok()) return r.error();
    parsed = std::move(*r);
    spec = &parsed;
  }
  double t = millis + (60 * offset_hours + offset_minutes) * 60 * 1000;
  std::string out;
  for (const auto& part : *spec) {
    if (part.literal) {
      out += part.value;
      continue;
    }
    auto r = FormatComponent(t, part, offset_hours, offset_minutes);
    if (!r.ok()) return r.error();
    out += *r;
  }
  return out;
}

Result<std::optional<double>, Error> ToMillis(std::string_view timestamp,
                                              std::optional<std::string_view> picture,
                                              double now_millis) {
  if (picture) return ParseDateTime(timestamp, *picture, now_millis);
  static const auto* iso = new Regex(*Regex::Compile(
      "^\\d{4}(-[01]\\d)*(-[0-3]\\d)*(T[0-2]\\d:[0-5]\\d:[0-5]\\d)*(\\.\\d+)?([+-][0-2]\\d:?[0-5]"
      "\\d|Z)?$",
      ""));
  auto m = iso->Exec(ToUtf16(timestamp), 0);
  if (!m.ok()) return m.error();
  if (!*m) {
    return MakeError("D3110",
                     "The argument of the toMillis function must be an ISO 8601 formatted "
                     "timestamp. Given " +
                         Quote(timestamp));
  }
  return std::optional<double>(ParseIso(timestamp));
}

}  // namespace stator::jsonata
