// The `Events` of type Schedule and ScheduleV2 of AWS::Serverless::Function and
// AWS::Serverless::StateMachine: each becomes an EventBridge Scheduler schedule on the server
// (docs/schedules.md). On AWS, SAM makes an AWS::Events::Rule of a `Schedule` event and an
// AWS::Scheduler::Schedule of a `ScheduleV2`; stator runs both on its scheduler, the first
// marked with the rule's ARN (StatorRuleArn) so that its target gets EventBridge's scheduled
// event when the event has no Input.
#include "common/time_format.h"
#include "deploy/planners/planner.h"
#include "deploy/planners/properties.h"

namespace stator::deploy {
namespace {

using json::Value;

Value Str(std::string s) { return Value::String(std::move(s)); }

// Enabled: a boolean, or "true"/"false".
Result<bool> BoolProperty(const Value& v, const std::string& what) {
  if (v.is_bool()) return v.as_bool();
  if (v.is_string() && (v.as_string() == "true" || v.as_string() == "false")) {
    return v.as_string() == "true";
  }
  return Error{"Template", what + " must be true or false"};
}

// StartDate / EndDate: an ISO 8601 timestamp, as epoch seconds for the API.
Result<Value> DateProperty(const Value& props, const std::string& key, const std::string& what) {
  STATOR_TRY(std::string text, StringProperty(props, key));
  if (text.empty()) return Value::Null();
  std::optional<int64_t> ms = ParseTimestamp(text);
  if (!ms) {
    return Error{"Template", what + "." + key + " '" + text +
                                 "' is not an ISO 8601 timestamp (2030-01-01T00:00:00Z)"};
  }
  return Value::Double(static_cast<double>(*ms) / 1000.0);
}

void Ignore(const Value& props, const std::set<std::string>& used, const std::string& what,
            PlannedResource* p) {
  for (const auto& [k, v] : props.as_object()) {
    if (!used.count(k)) p->ignored.push_back(what + "." + k);
  }
}

}  // namespace

Status PlanScheduleEvents(const StackScope& scope, const ResourceInput& in,
                          const std::string& target_arn, const std::string& role_arn,
                          PlannedResource* p) {
  const Value* events = in.properties.Find("Events");
  if (events == nullptr) return Status::Ok();
  if (!events->is_object()) return Error{"Template", "Events must be a mapping"};
  for (const auto& [id, event] : events->as_object()) {
    const std::string what = "Events." + id;
    const Value* type = event.Find("Type");
    if (!event.is_object() || type == nullptr || !type->is_string()) {
      return Error{"Template", what + " needs a Type"};
    }
    const bool v2 = type->as_string() == "ScheduleV2";
    if (type->as_string() != "Schedule" && !v2) continue;
    static const Value kEmpty = Value::EmptyObject();
    const Value* props = event.Find("Properties");
    if (props == nullptr) props = &kEmpty;
    if (!props->is_object()) return Error{"Template", what + ".Properties must be a mapping"};
    PlannedSchedule s;
    s.logical_id = in.logical_id + id;
    s.event_type = type->as_string();
    std::set<std::string> seen = {"Name", "Input", "Description", "State"};
    STATOR_TRY(std::string name, StringProperty(*props, "Name"));
    STATOR_TRY(std::string expression,
               StringProperty(*props, v2 ? "ScheduleExpression" : "Schedule"));
    if (expression.empty()) {
      return Error{"Template", what + " needs " + (v2 ? "ScheduleExpression" : "Schedule")};
    }
    STATOR_TRY(std::string state, StringProperty(*props, "State"));
    if (!state.empty() && state != "ENABLED" && state != "DISABLED") {
      return Error{"Template", what + ".State must be ENABLED or DISABLED, got " + state};
    }
    json::Object req = {{"ScheduleExpression", Str(expression)}};
    Value target = Value::MakeObject({{"Arn", Str(target_arn)}});
    if (v2) {
      seen.insert({"ScheduleExpression", "ScheduleExpressionTimezone", "StartDate", "EndDate",
                   "FlexibleTimeWindow", "GroupName", "RoleArn", "OmitName"});
      // SAM names a ScheduleV2 after its logical id, or lets CloudFormation make a name.
      bool omit = false;
      if (const Value* o = props->Find("OmitName")) {
        STATOR_TRY(omit, BoolProperty(*o, what + ".OmitName"));
      }
      if (name.empty()) {
        name = omit ? GeneratedName(scope.stack_name, s.logical_id, 64) : s.logical_id;
      }
      STATOR_TRY(std::string group, StringProperty(*props, "GroupName"));
      if (!group.empty() && group != "default") {
        return Error{"Template",
                     what + ".GroupName " + group + ": stator has only the default schedule group"};
      }
      STATOR_TRY(std::string zone, StringProperty(*props, "ScheduleExpressionTimezone"));
      if (!zone.empty()) req.emplace_back("ScheduleExpressionTimezone", Str(zone));
      for (const char* k : {"StartDate", "EndDate"}) {
        STATOR_TRY(Value date, DateProperty(*props, k, what));
        if (!date.is_null()) req.emplace_back(k, date);
      }
      const Value* window = props->Find("FlexibleTimeWindow");
      req.emplace_back("FlexibleTimeWindow",
                       window ? *window : Value::MakeObject({{"Mode", Str("OFF")}}));
      STATOR_TRY(std::string role, StringProperty(*props, "RoleArn"));
      target =
          target.With("RoleArn", Str(role.empty() ? scope.ImplicitRoleArn(s.logical_id) : role));
    } else {
      seen.insert({"Schedule", "Enabled"});
      if (name.empty()) name = GeneratedName(scope.stack_name, s.logical_id, 64);
      if (const Value* e = props->Find("Enabled")) {
        STATOR_TRY(bool enabled, BoolProperty(*e, what + ".Enabled"));
        if (state.empty()) state = enabled ? "ENABLED" : "DISABLED";
      }
      req.emplace_back("FlexibleTimeWindow", Value::MakeObject({{"Mode", Str("OFF")}}));
      target = target.With("RoleArn", Str(role_arn));
      req.emplace_back("StatorRuleArn", Str(scope.Arn("events", "rule/" + name)));
    }
    STATOR_TRY(std::string input, StringProperty(*props, "Input"));
    if (!input.empty()) target = target.With("Input", Str(input));
    req.emplace_back("Target", target);
    req.emplace_back("State", Str(state.empty() ? "ENABLED" : state));
    STATOR_TRY(std::string description, StringProperty(*props, "Description"));
    if (!description.empty()) req.emplace_back("Description", Str(description));
    s.name = name;
    s.arn = scope.Arn("scheduler", "schedule/default/" + name);
    s.request = Value::MakeObject(std::move(req));
    Ignore(*props, seen, what, p);
    p->schedules.push_back(std::move(s));
  }
  return Status::Ok();
}

}  // namespace stator::deploy
