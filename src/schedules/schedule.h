// Schedule: one EventBridge Scheduler schedule as stator keeps it (a store record, catalog.h),
// and its firing state.
//
// A schedule runs Target (a Lambda function or a state machine of this server) at the times its
// ScheduleExpression gives (expression.h), between StartDate and EndDate, while its State is
// ENABLED. `rule` marks a schedule made for SAM's `Schedule` event, which is an EventBridge
// rule on AWS: without Target.Input its target gets EventBridge's "Scheduled Event" JSON.
// `tags` are stator's (deploy's stack records, docs/deploy.md); AWS tags schedule groups only.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/json.h"
#include "common/result.h"

namespace stator::schedules {

inline constexpr const char* kDefaultGroup = "default";

struct Schedule {
  std::string group = kDefaultGroup;
  std::string name;
  std::string arn;
  std::string expression;
  std::string timezone;  // "" = UTC
  std::string state = "ENABLED";
  std::string description;
  std::optional<int64_t> start_ms;
  std::optional<int64_t> end_ms;
  json::Value flexible_time_window = json::Value::EmptyObject();
  json::Value target = json::Value::EmptyObject();  // {Arn, RoleArn, Input?, ...} as given
  std::string action_after_completion = "NONE";     // NONE | DELETE (at() schedules)
  std::string rule_arn;  // SAM `Schedule`: the EventBridge rule's ARN (its event's resources)
  int64_t creation_ms = 0;
  int64_t modified_ms = 0;
  int64_t anchor_ms = 0;  // a rate's anchor: StartDate, else when the expression was set
  std::vector<std::pair<std::string, std::string>> tags;

  std::string key() const { return group + "/" + name; }
  bool enabled() const { return state == "ENABLED"; }
  std::string target_arn() const;

  json::Value ToJson() const;  // the record
  static Result<Schedule> FromJson(const json::Value& v);
  json::Value Describe() const;  // GetSchedule's answer
  json::Value Summary() const;   // an entry of ListSchedules
};

// The firing state of a schedule (record schedules.fire, GROUP/NAME): when it fires next
// (nullopt: never again) and how many firings were claimed. Every firing is claimed by a
// compare-and-set of this record (runner.h).
struct FireState {
  std::optional<int64_t> next_ms;
  int64_t count = 0;

  std::string Text() const;
  static FireState Parse(const std::string& text);
};

// The first firing of a schedule strictly after after_ms, within its StartDate/EndDate, or
// nullopt. Errors: its expression or time zone no longer parses.
Result<std::optional<int64_t>> NextFiring(const Schedule& s, int64_t after_ms);

}  // namespace stator::schedules
