#include "jsonata/datetime.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <vector>

#include "jsonata/datetime_internal.h"
#include "jsonata/js_string.h"
#include "jsonata/number_format.h"

namespace stator::jsonata {
namespace datetime_internal {

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

Civil ToCivil(double t) {
  Civil c{};
  if (!std::isfinite(t) || std::fabs(t) > 8.64e15) {  // an Invalid Date: every getter is NaN
    c.valid = false;
    c.year = c.month0 = c.day = c.weekday = c.hours = c.minutes = c.seconds = c.ms = NAN;
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

}  // namespace datetime_internal

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
  double days = datetime_internal::DaysFromCivil(ym, mn + 1, 1) + std::trunc(day) - 1;
  double time = std::trunc(hours) * 3600000 + std::trunc(minutes) * 60000 +
                std::trunc(seconds) * 1000 + std::trunc(ms);
  double t = days * datetime_internal::kMsPerDay + time;
  if (std::fabs(t) > 8.64e15) return NAN;
  return t + 0.0;
}

namespace datetime_internal {

double StartOfFirstWeek(double year, double month0) {
  double first = JsDateUtc(year, month0, 1, 0, 0, 0, 0);
  double dow = ToCivil(first).weekday;
  if (dow == 0) dow = 7;
  return dow > 4 ? first + (8 - dow) * kMsPerDay : first - (dow - 1) * kMsPerDay;
}

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
          def.format.mandatory_digits = static_cast<int>(std::min(*def.width_min, 100000.0));
        }
        if (In("YMD", def.component)) {
          def.n = -1;
          if (def.width_max) {
            def.n = *def.width_max;
            def.format.mandatory_digits =
                std::isnan(*def.width_max)
                    ? 0
                    : static_cast<int>(std::clamp(*def.width_max, -1.0, 100000.0));
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
        name = (v >= 0 && v <= 7) ? kDays[static_cast<int>(v)] : "undefined";
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

}  // namespace datetime_internal

Result<std::string, Error> FromMillis(double millis, std::optional<std::string_view> picture,
                                      std::optional<std::string_view> timezone) {
  double offset_hours = 0, offset_minutes = 0;
  if (timezone) {
    double offset = datetime_internal::JsParseIntText(*timezone);
    offset_hours = std::floor(offset / 100);
    offset_minutes = std::fmod(offset, 100);
  }
  static const auto* iso = [] {
    auto r =
        datetime_internal::AnalysePicture("[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]");
    return new std::vector<datetime_internal::Part>(std::move(*r));
  }();
  std::vector<datetime_internal::Part> parsed;
  const std::vector<datetime_internal::Part>* spec = iso;
  if (picture) {
    auto r = datetime_internal::AnalysePicture(*picture);
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
    auto r = datetime_internal::FormatComponent(t, part, offset_hours, offset_minutes);
    if (!r.ok()) return r.error();
    out += *r;
  }
  return out;
}

}  // namespace stator::jsonata
