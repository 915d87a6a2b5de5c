// TimeZone: an IANA time zone (ScheduleExpressionTimezone), read from the system's compiled
// zoneinfo files (TZif, /usr/share/zoneinfo; $TZDIR overrides), for cron and at() expressions,
// which AWS evaluates in the schedule's zone. "UTC" (the default) needs no file.
//
// Offsets come from the file's transition table (its 64-bit part when there is one); after the
// last transition the last offset holds (Debian's "fat" files list transitions up to 2037).
// Local times that a clock change skips map forward (02:30 on a spring-forward day is 03:30);
// ambiguous ones (the repeated hour of a fall-back day) map to the first of the two.
//
// Thread-safety: immutable after Load; copies share their tables.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace stator::schedules {

class TimeZone {
 public:
  TimeZone() = default;  // UTC
  // Errors: the zone is not known (no such file, or not a TZif file).
  static Result<TimeZone> Load(const std::string& name);

  const std::string& name() const { return name_; }
  // Seconds east of UTC at the instant utc_ms.
  int64_t OffsetSeconds(int64_t utc_ms) const;
  // The local wall time at utc_ms, as milliseconds since 1970-01-01T00:00 local.
  int64_t ToLocal(int64_t utc_ms) const { return utc_ms + OffsetSeconds(utc_ms) * 1000; }
  // The instant of a local wall time (see the header comment for gaps and overlaps).
  int64_t ToUtc(int64_t local_ms) const;

 private:
  struct Table {
    std::vector<int64_t> transitions;  // UTC seconds, ascending
    std::vector<int32_t> offsets;      // offsets[i] holds from transitions[i]
    int32_t initial = 0;               // before the first transition
  };
  std::string name_ = "UTC";
  std::shared_ptr<const Table> table_;  // null: UTC
};

}  // namespace stator::schedules
