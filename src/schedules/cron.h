// Cron: AWS's six-field cron expressions (EventBridge rules and Scheduler), the part inside
// `cron(...)`:
//
//   minutes  hours  day-of-month  month       day-of-week   year
//   0-59     0-23   1-31          1-12|JAN-DEC 1-7|SUN-SAT   1970-2199
//
// Every field takes `*`, values, ranges `a-b`, steps `a/n`, `*/n`, `a-b/n` and lists `x,y`
// (names in month and day-of-week, ranges of names too: MON-FRI). Day-of-month and day-of-week
// are exclusive: exactly one of them is `?`. Day-of-month also takes `L` (the last day),
// `L-n` (n days before it), `nW` (the weekday nearest day n, within the month) and `LW` (the
// last weekday); day-of-week takes `L` (Saturday, the 7th day), `nL` (the last day n of the
// month) and `n#k` (the k-th day n of the month, k 1-5). Day 1 of the week is Sunday.
//
// Thread-safety: immutable values.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"

namespace stator::schedules {

class Cron {
 public:
  // The six fields, as between the parentheses. Errors name the field at fault (the caller
  // answers AWS's "Invalid Schedule Expression ...").
  static Result<Cron> Parse(const std::string& fields);

  // The first minute matching the expression strictly after local_ms (milliseconds of local
  // wall time since 1970-01-01T00:00), or nullopt when none is left (the year field ended).
  std::optional<int64_t> NextAfter(int64_t local_ms) const;

 private:
  bool DayMatches(int64_t year, int month, int day) const;

  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;       // 1-31
  std::bitset<13> months_;     // 1-12
  std::bitset<8> weekdays_;    // 1-7, Sunday = 1
  std::bitset<230> years_;     // year - 1970
  bool dom_any_ = false;       // day-of-month is '?': day-of-week decides
  int last_day_minus_ = -1;    // L (0) or L-n (n)
  int nearest_weekday_ = 0;    // nW
  bool last_weekday_ = false;  // LW
  int last_of_weekday_ = 0;    // nL
  int nth_weekday_ = 0;        // n#k: n
  int nth_ = 0;                // n#k: k
};

// Calendar helpers (proleptic Gregorian, UTC arithmetic on local wall times).
int64_t DaysFromCivil(int64_t y, int m, int d);
void CivilFromDays(int64_t days, int64_t* y, int* m, int* d);
int DaysInMonth(int64_t y, int m);
// 1 = Sunday ... 7 = Saturday.
int WeekdayOf(int64_t y, int m, int d);

}  // namespace stator::schedules
