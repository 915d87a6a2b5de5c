// $util.time: the render's clock (Context::now_ms) and conversions between epoch milliseconds,
// ISO 8601 text and java.time.format.DateTimeFormatter patterns. Time zones are UTC ("UTC",
// "GMT", "Z") or fixed offsets ("+05:30", "-0800"); named regions (tz database) are refused.
#include <cstdio>

#include "common/time_format.h"
#include "vtl/runtime.h"

namespace stator::vtl {

namespace {

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Fields {
  int64_t year = 1970;
  int month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0;
  int weekday = 4;  // 0 = Sunday; 1970-01-01 was a Thursday
  int offset_minutes = 0;
};

Fields Split(int64_t epoch_ms, int offset_minutes) {
  int64_t local = epoch_ms + static_cast<int64_t>(offset_minutes) * 60000;
  int64_t days = local / 86400000, rem = local % 86400000;
  if (rem < 0) {
    rem += 86400000;
    --days;
  }
  Fields f;
  f.offset_minutes = offset_minutes;
  f.weekday = static_cast<int>(((days % 7) + 11) % 7);
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  f.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  f.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  f.year = static_cast<int64_t>(yoe) + era * 400 + (f.month <= 2);
  f.hour = static_cast<int>(rem / 3600000);
  f.minute = static_cast<int>(rem / 60000 % 60);
  f.second = static_cast<int>(rem / 1000 % 60);
  f.millis = static_cast<int>(rem % 1000);
  return f;
}

// "UTC", "GMT", "Z", "+05:30", "-0800", "+05", "UTC+01:00" to minutes east of UTC.
std::optional<int> ParseZone(std::string_view z) {
  if (z == "UTC" || z == "GMT" || z == "Z" || z == "Etc/UTC" || z == "UT") return 0;
  if (z.starts_with("UTC") || z.starts_with("GMT")) z.remove_prefix(3);
  if (z.size() < 3 || (z[0] != '+' && z[0] != '-')) return std::nullopt;
  int sign = z[0] == '-' ? -1 : 1;
  std::string digits;
  for (char c : z.substr(1)) {
    if (c == ':') continue;
    if (c < '0' || c > '9') return std::nullopt;
    digits.push_back(c);
  }
  if (digits.size() != 2 && digits.size() != 4) return std::nullopt;
  int h = std::stoi(digits.substr(0, 2));
  int m = digits.size() == 4 ? std::stoi(digits.substr(2, 2)) : 0;
  if (h > 18 || m > 59) return std::nullopt;
  return sign * (h * 60 + m);
}

std::string Pad(int64_t v, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(v));
  return buf;
}

std::string Offset(int minutes, bool colon, bool z_for_zero) {
  if (minutes == 0 && z_for_zero) return "Z";
  std::string out(1, minutes < 0 ? '-' : '+');
  int a = minutes < 0 ? -minutes : minutes;
  out += Pad(a / 60, 2);
  if (colon) out.push_back(':');
  out += Pad(a % 60, 2);
  return out;
}

const char* const kMonths[] = {"January",   "February", "March",    "April",
                               "May",       "June",     "July",     "August",
                               "September", "October",  "November", "December"};
const char* const kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                             "Thursday", "Friday", "Saturday"};

// DateTimeFormatter.ofPattern(pattern).format(time); nullopt for a letter not supported.
std::optional<std::string> Format(const Fields& f, std::string_view pattern) {
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    char c = pattern[i];
    if (c == '\'') {
      size_t end = pattern.find('\'', i + 1);
      if (end == i + 1) {
        out.push_back('\'');
        i += 2;
        continue;
      }
      if (end == std::string_view::npos) return std::nullopt;
      out.append(pattern.substr(i + 1, end - i - 1));
      i = end + 1;
      continue;
    }
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
      out.push_back(c);
      ++i;
      continue;
    }
    size_t n = 1;
    while (i + n < pattern.size() && pattern[i + n] == c) ++n;
    int w = static_cast<int>(n);
    switch (c) {
      case 'y':
      case 'u':
        out += n == 2 ? Pad(f.year % 100, 2) : Pad(f.year, w);
        break;
      case 'M':
      case 'L':
        if (n >= 4) {
          out += kMonths[f.month - 1];
        } else if (n == 3) {
          out += std::string(kMonths[f.month - 1]).substr(0, 3);
        } else {
          out += Pad(f.month, w);
        }
        break;
      case 'd':
        out += Pad(f.day, w);
        break;
      case 'H':
        out += Pad(f.hour, w);
        break;
      case 'h':
        out += Pad(f.hour % 12 == 0 ? 12 : f.hour % 12, w);
        break;
      case 'm':
        out += Pad(f.minute, w);
        break;
      case 's':
        out += Pad(f.second, w);
        break;
      case 'S': {
        std::string frac = Pad(f.millis, 3) + std::string(n > 3 ? n - 3 : 0, '0');
        out += frac.substr(0, n);
        break;
      }
      case 'a':
        out += f.hour < 12 ? "AM" : "PM";
        break;
      case 'E':
        out += n >= 4 ? std::string(kDays[f.weekday]) : std::string(kDays[f.weekday]).substr(0, 3);
        break;
      case 'Z':
        out +=
            n == 5 ? Offset(f.offset_minutes, true, true) : Offset(f.offset_minutes, false, false);
        break;
      case 'X': {
        std::string off = Offset(f.offset_minutes, n >= 3, true);
        if (n == 1 && f.offset_minutes % 60 == 0 && off != "Z") off.resize(3);  // "+05"
        out += off;
        break;
      }
      case 'x':
        out += Offset(f.offset_minutes, n >= 3, false);
        break;
      case 'z':
      case 'V':
        out += f.offset_minutes == 0 ? "UTC" : Offset(f.offset_minutes, true, false);
        break;
      default:
        return std::nullopt;
    }
    i += n;
  }
  return out;
}

// Reads text by a numeric pattern (y M d H m s S, an offset Z/X/x, literals); epoch millis.
std::optional<int64_t> ParseFormatted(std::string_view text, std::string_view pattern,
                                      std::optional<int> zone) {
  Fields f;
  bool have_offset = false;
  size_t t = 0;
  auto number = [&](size_t width, bool exact, int64_t* out) {
    size_t start = t;
    if (t < text.size() && (text[t] == '-' || text[t] == '+') && !exact) ++t;
    while (t < text.size() && text[t] >= '0' && text[t] <= '9' && (!exact || t - start < width)) {
      ++t;
    }
    if (t == start || (exact && t - start != width)) return false;
    *out = std::stoll(std::string(text.substr(start, t - start)));
    return true;
  };
  for (size_t i = 0; i < pattern.size();) {
    char c = pattern[i];
    if (c == '\'') {
      size_t end = pattern.find('\'', i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      std::string_view lit = end == i + 1 ? "'" : pattern.substr(i + 1, end - i - 1);
      if (text.substr(t, lit.size()) != lit) return std::nullopt;
      t += lit.size();
      i = end + 1;
      continue;
    }
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
      if (t >= text.size() || text[t] != c) return std::nullopt;
      ++t;
      ++i;
      continue;
    }
    size_t n = 1;
    while (i + n < pattern.size() && pattern[i + n] == c) ++n;
    int64_t v = 0;
    switch (c) {
      case 'y':
      case 'u':
        if (!number(n, n == 2, &v)) return std::nullopt;
        f.year = n == 2 ? 2000 + v : v;
        break;
      case 'M':
      case 'd':
      case 'H':
      case 'm':
      case 's':
        if (!number(n, n >= 2, &v)) return std::nullopt;
        (c == 'M'   ? f.month
         : c == 'd' ? f.day
         : c == 'H' ? f.hour
         : c == 'm' ? f.minute
                    : f.second) = static_cast<int>(v);
        break;
      case 'S': {
        if (!number(n, true, &v)) return std::nullopt;
        while (n > 3) {
          v /= 10;
          --n;
        }
        while (n < 3) {
          v *= 10;
          ++n;
        }
        f.millis = static_cast<int>(v);
        break;
      }
      case 'Z':
      case 'X':
      case 'x': {
        size_t end = t;
        while (end < text.size() &&
               std::string_view("+-:0123456789Z").find(text[end]) != std::string_view::npos) {
          ++end;
        }
        std::optional<int> off = ParseZone(text.substr(t, end - t));
        if (!off) return std::nullopt;
        f.offset_minutes = *off;
        have_offset = true;
        t = end;
        break;
      }
      default:
        return std::nullopt;
    }
    i += n;
  }
  if (t != text.size()) return std::nullopt;
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > 31 || f.hour > 23 || f.minute > 59 ||
      f.second > 59) {
    return std::nullopt;
  }
  if (!have_offset) {
    if (!zone) return std::nullopt;  // a format without an offset needs the zone argument
    f.offset_minutes = *zone;
  }
  int64_t days =
      DaysFromCivil(f.year, static_cast<unsigned>(f.month), static_cast<unsigned>(f.day));
  return days * 86400000 + f.hour * 3600000LL + f.minute * 60000LL + f.second * 1000LL + f.millis -
         f.offset_minutes * 60000LL;
}

}  // namespace

bool CallTimeUtil(RenderState& st, std::string_view name, std::vector<Value>& args, Value* out) {
  size_t n = args.size();
  int64_t now = st.ctx->now_ms;
  auto str = [&](size_t i) { return i < n && args[i].is_string(); };
  // The zone argument at i (UTC when absent); false after raising for an unknown zone.
  auto zone_at = [&](size_t i, int* minutes) {
    if (i >= n) {
      *minutes = 0;
      return true;
    }
    std::optional<int> z = args[i].is_string() ? ParseZone(args[i].as_string()) : std::nullopt;
    if (!z) {
      st.Raise("Unsupported time zone: " + args[i].ToJavaString() +
                   " (only UTC and fixed offsets such as +05:30)",
               "MappingTemplate");
      *out = Value();
      return false;
    }
    *minutes = *z;
    return true;
  };
  auto format = [&](int64_t ms, size_t fmt, size_t zone) {
    int minutes = 0;
    if (!zone_at(zone, &minutes)) return;
    std::optional<std::string> s = Format(Split(ms, minutes), args[fmt].as_string());
    if (!s) {
      st.Raise("Unsupported date format: " + args[fmt].as_string(), "MappingTemplate");
      *out = Value();
      return;
    }
    *out = Value::String(std::move(*s));
  };
  if (name == "nowISO8601" && n == 0) {
    *out = Value::String(FormatTimestamp(now));
  } else if (name == "nowEpochSeconds" && n == 0) {
    *out = Value::Int(now / 1000);
  } else if (name == "nowEpochMilliSeconds" && n == 0) {
    *out = Value::Int(now);
  } else if (name == "nowFormatted" && str(0) && (n == 1 || (n == 2 && str(1)))) {
    format(now, 0, 1);
  } else if (name == "epochMilliSecondsToSeconds" && n == 1 && args[0].is_int()) {
    *out = Value::Int(args[0].as_int() / 1000);
  } else if (name == "epochMilliSecondsToISO8601" && n == 1 && args[0].is_int()) {
    *out = Value::String(FormatTimestamp(args[0].as_int()));
  } else if (name == "epochMilliSecondsToFormatted" && args.size() >= 2 && args[0].is_int() &&
             str(1) && (n == 2 || (n == 3 && str(2)))) {
    format(args[0].as_int(), 1, 2);
  } else if (name == "parseISO8601ToEpochMilliSeconds" && n == 1 && str(0)) {
    std::optional<int64_t> ms = ParseTimestamp(args[0].as_string());
    if (!ms) {
      st.Raise("Unable to parse the ISO 8601 timestamp: " + args[0].as_string(), "MappingTemplate");
      *out = Value();
      return true;
    }
    *out = Value::Int(*ms);
  } else if (name == "parseFormattedToEpochMilliSeconds" && str(0) && str(1) &&
             (n == 2 || (n == 3 && str(2)))) {
    std::optional<int> zone;
    if (n == 3) {
      int minutes = 0;
      if (!zone_at(2, &minutes)) return true;
      zone = minutes;
    }
    std::optional<int64_t> ms = ParseFormatted(args[0].as_string(), args[1].as_string(), zone);
    if (!ms) {
      st.Raise(
          "Unable to parse '" + args[0].as_string() + "' with the format " + args[1].as_string(),
          "MappingTemplate");
      *out = Value();
      return true;
    }
    *out = Value::Int(*ms);
  } else {
    return false;
  }
  return true;
}

}  // namespace stator::vtl
