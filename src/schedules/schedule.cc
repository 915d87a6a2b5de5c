// Schedule: the record's JSON, the API's shapes, the next firing.
#include "schedules/schedule.h"

#include "schedules/expression.h"
#include "schedules/time_zone.h"

namespace stator::schedules {
namespace {

using json::Value;

std::string Str(const Value& v, const char* key) {
  const Value* m = v.Find(key);
  return m && m->is_string() ? m->as_string() : "";
}
std::optional<int64_t> Int(const Value& v, const char* key) {
  const Value* m = v.Find(key);
  if (m && m->is_int()) return m->as_int();
  return std::nullopt;
}
// AWS's timestamps in rest-json bodies: epoch seconds.
Value Seconds(int64_t ms) { return Value::Double(static_cast<double>(ms) / 1000.0); }

}  // namespace

std::string Schedule::target_arn() const { return Str(target, "Arn"); }

Value Schedule::ToJson() const {
  json::Object o = {{"group", Value::String(group)},
                    {"name", Value::String(name)},
                    {"arn", Value::String(arn)},
                    {"expression", Value::String(expression)},
                    {"timezone", Value::String(timezone)},
                    {"state", Value::String(state)},
                    {"description", Value::String(description)},
                    {"flexible_time_window", flexible_time_window},
                    {"target", target},
                    {"action_after_completion", Value::String(action_after_completion)},
                    {"rule_arn", Value::String(rule_arn)},
                    {"creation_ms", Value::Int(creation_ms)},
                    {"modified_ms", Value::Int(modified_ms)},
                    {"anchor_ms", Value::Int(anchor_ms)}};
  if (start_ms) o.emplace_back("start_ms", Value::Int(*start_ms));
  if (end_ms) o.emplace_back("end_ms", Value::Int(*end_ms));
  json::Object t;
  for (const auto& [k, v] : tags) t.emplace_back(k, Value::String(v));
  o.emplace_back("tags", Value::MakeObject(std::move(t)));
  return Value::MakeObject(std::move(o));
}

Result<Schedule> Schedule::FromJson(const Value& v) {
  if (!v.is_object()) return Error{"Schedules", "a schedule record is not a JSON object"};
  Schedule s;
  s.group = Str(v, "group");
  s.name = Str(v, "name");
  s.arn = Str(v, "arn");
  s.expression = Str(v, "expression");
  s.timezone = Str(v, "timezone");
  s.state = Str(v, "state");
  s.description = Str(v, "description");
  if (const Value* f = v.Find("flexible_time_window")) s.flexible_time_window = *f;
  if (const Value* t = v.Find("target")) s.target = *t;
  s.action_after_completion = Str(v, "action_after_completion");
  s.rule_arn = Str(v, "rule_arn");
  s.creation_ms = Int(v, "creation_ms").value_or(0);
  s.modified_ms = Int(v, "modified_ms").value_or(0);
  s.anchor_ms = Int(v, "anchor_ms").value_or(0);
  s.start_ms = Int(v, "start_ms");
  s.end_ms = Int(v, "end_ms");
  if (const Value* t = v.Find("tags"); t && t->is_object()) {
    for (const auto& [k, val] : t->as_object()) {
      if (val.is_string()) s.tags.emplace_back(k, val.as_string());
    }
  }
  return s;
}

Value Schedule::Describe() const {
  json::Object o = {{"ActionAfterCompletion", Value::String(action_after_completion)},
                    {"Arn", Value::String(arn)},
                    {"CreationDate", Seconds(creation_ms)}};
  if (!description.empty()) o.emplace_back("Description", Value::String(description));
  if (end_ms) o.emplace_back("EndDate", Seconds(*end_ms));
  o.emplace_back("FlexibleTimeWindow", flexible_time_window);
  o.emplace_back("GroupName", Value::String(group));
  o.emplace_back("LastModificationDate", Seconds(modified_ms));
  o.emplace_back("Name", Value::String(name));
  o.emplace_back("ScheduleExpression", Value::String(expression));
  o.emplace_back("ScheduleExpressionTimezone", Value::String(timezone.empty() ? "UTC" : timezone));
  if (start_ms) o.emplace_back("StartDate", Seconds(*start_ms));
  o.emplace_back("State", Value::String(state));
  o.emplace_back("Target", target);
  return Value::MakeObject(std::move(o));
}

Value Schedule::Summary() const {
  return Value::MakeObject({{"Arn", Value::String(arn)},
                            {"CreationDate", Seconds(creation_ms)},
                            {"GroupName", Value::String(group)},
                            {"LastModificationDate", Seconds(modified_ms)},
                            {"Name", Value::String(name)},
                            {"State", Value::String(state)},
                            {"Target", Value::MakeObject({{"Arn", Value::String(target_arn())}})}});
}

std::string FireState::Text() const {
  return Value::MakeObject({{"next_ms", next_ms ? Value::Int(*next_ms) : Value::Null()},
                            {"count", Value::Int(count)}})
      .Dump();
}

FireState FireState::Parse(const std::string& text) {
  FireState f;
  auto v = json::Parse(text);
  if (!v.ok()) return f;
  f.next_ms = Int(*v, "next_ms");
  f.count = Int(*v, "count").value_or(0);
  return f;
}

Result<std::optional<int64_t>> NextFiring(const Schedule& s, int64_t after_ms) {
  STATOR_TRY(Expression e, Expression::Parse(s.expression));
  STATOR_TRY(TimeZone tz, TimeZone::Load(s.timezone));
  int64_t after = after_ms;
  // Nothing before StartDate: the first firing is at or after it (rates count from it).
  if (s.start_ms && after < *s.start_ms - 1) after = *s.start_ms - 1;
  std::optional<int64_t> next = e.NextAfter(after, s.anchor_ms, tz);
  if (next && s.end_ms && *next > *s.end_ms) return std::optional<int64_t>();
  return next;
}

}  // namespace stator::schedules
