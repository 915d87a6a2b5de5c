// Catalog: schedules and their firing states as store records (docs/store.md, "Records"):
//
//   schedules.schedule  GROUP/NAME  Schedule::ToJson (schedule.h)
//   schedules.fire      GROUP/NAME  FireState: {"next_ms": N|null, "count": C}
//
// A schedule and its firing state are written together (one WriteRecords batch), so a
// schedule never exists without one. Creating is create-only on the schedule record (a second
// CreateSchedule of a name is a ConflictException even across nodes); updating and deleting
// require it to exist; a firing is claimed by compare-and-set of the fire record alone.
//
// Thread-safety: every method may be called from any thread (each is one store call).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "schedules/schedule.h"
#include "store/store.h"

namespace stator::schedules {

inline constexpr const char* kSchedulesKind = "schedules.schedule";
inline constexpr const char* kFireKind = "schedules.fire";

class Catalog {
 public:
  explicit Catalog(store::Store* store) : store_(store) {}

  // Errors: store::kConditionFailed when the schedule exists (Create) or does not (Update).
  Status Create(const Schedule& s, const FireState& fire);
  Status Update(const Schedule& s, const FireState& fire);
  // Rewrites the schedule record alone (its tags), firing state untouched; kConditionFailed
  // when it does not exist.
  Status Rewrite(const Schedule& s);
  // Deletes both records; kConditionFailed when the schedule does not exist.
  Status Delete(const std::string& key);
  Result<std::optional<Schedule>> Get(const std::string& key);
  // Schedules whose keys start with prefix, after `after`, at most limit; next: the last key of
  // a full page.
  Result<store::Page<Schedule>> List(const std::string& prefix, const std::string& after,
                                     int limit);

  // The fire record's text ("" when it does not exist).
  Result<std::string> FireText(const std::string& key);
  // Replaces the fire record if it still reads `expected`: kConditionFailed otherwise.
  Status Claim(const std::string& key, const std::string& expected, const FireState& next);

 private:
  store::Store* const store_;
};

}  // namespace stator::schedules
