// Cron: parsing the six fields and finding the next matching minute.
#include "schedules/cron.h"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <vector>

namespace stator::schedules {
namespace {

constexpr const char* kMonths[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                   "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kWeekdays[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

struct FieldSpec {
  const char* name;
  int min;
  int max;
  const char* const* names;  // value min + i is names[i]; nullptr: numbers only
  int name_count;
};

constexpr FieldSpec kMinute{"minutes", 0, 59, nullptr, 0};
constexpr FieldSpec kHour{"hours", 0, 23, nullptr, 0};
constexpr FieldSpec kDay{"day-of-month", 1, 31, nullptr, 0};
constexpr FieldSpec kMonth{"month", 1, 12, kMonths, 12};
constexpr FieldSpec kWeekday{"day-of-week", 1, 7, kWeekdays, 7};
constexpr FieldSpec kYear{"year", 1970, 2199, nullptr, 0};

Error Bad(const FieldSpec& f, const std::string& text) {
  return Error{"Cron", "invalid " + std::string(f.name) + " field '" + text + "'"};
}

std::optional<int> Number(const std::string& s) {
  if (s.empty() || s.size() > 4) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (!isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::optional<int> Value(const FieldSpec& f, std::string s) {
  for (char& c : s) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  std::optional<int> v = Number(s);
  if (!v) {
    for (int i = 0; i < f.name_count; ++i) {
      if (s == f.names[i]) v = f.min + i;
    }
  }
  if (!v || *v < f.min || *v > f.max) return std::nullopt;
  return v;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// `*`, values, ranges, steps and lists into a set of allowed values (bit v - offset).
template <size_t N>
Status ParseField(const FieldSpec& f, const std::string& text, int offset, std::bitset<N>* out) {
  for (const std::string& item : Split(text, ',')) {
    std::vector<std::string> step_parts = Split(item, '/');
    if (step_parts.size() > 2 || step_parts[0].empty()) return Bad(f, text);
    int step = 1;
    if (step_parts.size() == 2) {
      std::optional<int> s = Number(step_parts[1]);
      if (!s || *s < 1) return Bad(f, text);
      step = *s;
    }
    int lo, hi;
    bool wrap = false;
    if (step_parts[0] == "*") {
      lo = f.min;
      hi = f.max;
    } else {
      std::vector<std::string> range = Split(step_parts[0], '-');
      if (range.size() > 2) return Bad(f, text);
      std::optional<int> a = Value(f, range[0]);
      if (!a) return Bad(f, text);
      lo = *a;
      hi = step_parts.size() == 2 && range.size() == 1 ? f.max : lo;
      if (range.size() == 2) {
        std::optional<int> b = Value(f, range[1]);
        if (!b) return Bad(f, text);
        hi = *b;
        if (hi < lo) {
          if (f.names != kWeekdays) return Bad(f, text);
          wrap = true;  // FRI-MON
        }
      }
    }
    int span = wrap ? (f.max - lo + 1) + (hi - f.min + 1) : hi - lo + 1;
    for (int i = 0; i < span; i += step) {
      int v = lo + i;
      if (v > f.max) v -= f.max - f.min + 1;
      out->set(static_cast<size_t>(v - offset));
    }
  }
  return Status::Ok();
}

}  // namespace

int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

int WeekdayOf(int64_t y, int m, int d) {
  int64_t days = DaysFromCivil(y, m, d);  // 1970-01-01 was a Thursday (5)
  return static_cast<int>(((days % 7) + 7 + 4) % 7) + 1;
}

Result<Cron> Cron::Parse(const std::string& fields) {
  std::vector<std::string> f;
  std::istringstream in(fields);
  for (std::string w; in >> w;) f.push_back(w);
  if (f.size() != 6) {
    return Error{"Cron", "a cron expression has 6 fields, not " + std::to_string(f.size())};
  }
  Cron c;
  STATOR_RETURN_IF_ERROR(ParseField(kMinute, f[0], 0, &c.minutes_));
  STATOR_RETURN_IF_ERROR(ParseField(kHour, f[1], 0, &c.hours_));
  STATOR_RETURN_IF_ERROR(ParseField(kMonth, f[3], 0, &c.months_));
  STATOR_RETURN_IF_ERROR(ParseField(kYear, f[5], 1970, &c.years_));
  const std::string& dom = f[2];
  const std::string& dow = f[4];
  if ((dom == "?") == (dow == "?")) {
    return Error{"Cron", "exactly one of day-of-month and day-of-week must be '?'"};
  }
  if (dom == "?") {
    c.dom_any_ = true;
    std::string d = dow;
    for (char& ch : d) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
    if (d == "L") {
      c.weekdays_.set(7);
    } else if (size_t hash = d.find('#'); hash != std::string::npos) {
      std::optional<int> n = Value(kWeekday, d.substr(0, hash));
      std::optional<int> k = Number(d.substr(hash + 1));
      if (!n || !k || *k < 1 || *k > 5) return Bad(kWeekday, dow);
      c.nth_weekday_ = *n;
      c.nth_ = *k;
    } else if (d.size() >= 2 && d.back() == 'L') {
      std::optional<int> n = Value(kWeekday, d.substr(0, d.size() - 1));
      if (!n) return Bad(kWeekday, dow);
      c.last_of_weekday_ = *n;
    } else {
      STATOR_RETURN_IF_ERROR(ParseField(kWeekday, d, 0, &c.weekdays_));
    }
  } else {
    std::string d = dom;
    for (char& ch : d) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
    if (d == "L") {
      c.last_day_minus_ = 0;
    } else if (d == "LW") {
      c.last_weekday_ = true;
    } else if (d.starts_with("L-")) {
      std::optional<int> n = Number(d.substr(2));
      if (!n || *n > 30) return Bad(kDay, dom);
      c.last_day_minus_ = *n;
    } else if (d.size() >= 2 && d.back() == 'W') {
      std::optional<int> n = Value(kDay, d.substr(0, d.size() - 1));
      if (!n) return Bad(kDay, dom);
      c.nearest_weekday_ = *n;
    } else {
      STATOR_RETURN_IF_ERROR(ParseField(kDay, d, 0, &c.days_));
    }
  }
  return c;
}

bool Cron::DayMatches(int64_t year, int month, int day) const {
  const int last = DaysInMonth(year, month);
  if (dom_any_) {
    const int wd = WeekdayOf(year, month, day);
    if (nth_ > 0) return wd == nth_weekday_ && (day - 1) / 7 + 1 == nth_;
    if (last_of_weekday_ > 0) return wd == last_of_weekday_ && day + 7 > last;
    return weekdays_.test(static_cast<size_t>(wd));
  }
  if (last_day_minus_ >= 0) return day == last - last_day_minus_;
  if (last_weekday_) {
    int d = last;
    while (WeekdayOf(year, month, d) == 1 || WeekdayOf(year, month, d) == 7) --d;
    return day == d;
  }
  if (nearest_weekday_ > 0) {
    int target = std::min(nearest_weekday_, last);
    int wd = WeekdayOf(year, month, target);
    if (wd == 7)
      target = target == 1 ? target + 2 : target - 1;  // Saturday
    else if (wd == 1)
      target = target == last ? target - 2 : target + 1;  // Sunday
    return day == target;
  }
  return days_.test(static_cast<size_t>(day));
}

std::optional<int64_t> Cron::NextAfter(int64_t local_ms) const {
  constexpr int64_t kMinute = 60'000, kDayMs = 86'400'000;
  // The next whole minute after local_ms.
  int64_t start = local_ms >= 0 ? local_ms / kMinute + 1 : -((-local_ms) / kMinute);
  int64_t day =
      start * kMinute >= 0 ? start * kMinute / kDayMs : -((-start * kMinute + kDayMs - 1) / kDayMs);
  int first_minute_of_day = static_cast<int>(start - day * 1440);
  for (int64_t guard = 0; guard < 366 * 230; ++guard, ++day, first_minute_of_day = 0) {
    int64_t y;
    int m, d;
    CivilFromDays(day, &y, &m, &d);
    if (y > 2199) return std::nullopt;
    if (y < 1970 || !years_.test(static_cast<size_t>(y - 1970))) {
      if (y < 1970) continue;
      // Skip to the next year quickly.
      day = DaysFromCivil(y + 1, 1, 1) - 1;
      continue;
    }
    if (!months_.test(static_cast<size_t>(m))) {
      day = (m == 12 ? DaysFromCivil(y + 1, 1, 1) : DaysFromCivil(y, m + 1, 1)) - 1;
      continue;
    }
    if (!DayMatches(y, m, d)) continue;
    for (int minute_of_day = first_minute_of_day; minute_of_day < 1440; ++minute_of_day) {
      if (hours_.test(static_cast<size_t>(minute_of_day / 60)) &&
          minutes_.test(static_cast<size_t>(minute_of_day % 60))) {
        return (day * 1440 + minute_of_day) * kMinute;
      }
    }
  }
  return std::nullopt;
}

}  // namespace stator::schedules
