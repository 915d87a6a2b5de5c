// ScheduleExpression: `rate(N unit)`, `cron(six fields)` (cron.h) and `at(yyyy-mm-ddThh:mm:ss)`,
// as EventBridge Scheduler accepts them, and when each fires.
//
//   rate(1 minute), rate(5 minutes), rate(1 hour), rate(2 hours), rate(1 day), rate(3 days):
//       N a positive whole number, the unit singular when N is 1 and plural otherwise;
//   cron(0 12 ? * MON-FRI *): evaluated in the schedule's time zone;
//   at(2030-01-31T23:00:00): once, at that wall time in the schedule's time zone.
//
// A rate schedule fires at anchor + k x rate (k = 1, 2, ...), the anchor being its StartDate,
// else the time it was created or its expression last changed.
//
// Thread-safety: immutable values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"
#include "schedules/cron.h"
#include "schedules/time_zone.h"

namespace stator::schedules {

class Expression {
 public:
  enum class Type { kRate, kCron, kAt };

  // Errors: ValidationException with AWS's message "Invalid Schedule Expression TEXT.";
  // `at` refused unless allow_at (EventBridge rules, SAM's `Schedule`, have no at()).
  static Result<Expression> Parse(const std::string& text, bool allow_at = true);

  Type type() const { return type_; }
  const std::string& text() const { return text_; }
  int64_t rate_ms() const { return rate_ms_; }

  // The first firing strictly after after_ms (UTC), or nullopt when there is none left (an at()
  // in the past, a cron whose years ended). anchor_ms is the rate's anchor (ignored otherwise).
  std::optional<int64_t> NextAfter(int64_t after_ms, int64_t anchor_ms, const TimeZone& tz) const;

 private:
  Type type_ = Type::kRate;
  std::string text_;
  int64_t rate_ms_ = 0;
  std::optional<Cron> cron_;
  int64_t at_local_ms_ = 0;
};

}  // namespace stator::schedules
