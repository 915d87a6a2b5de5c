// Targets: the payload of a firing.
#include "schedules/targets.h"

#include "common/time_format.h"
#include "common/uuid.h"

namespace stator::schedules {

std::string FiringPayload(const Schedule& s, int64_t scheduled_ms, const std::string& region,
                          const std::string& account) {
  if (const json::Value* input = s.target.Find("Input"); input && input->is_string()) {
    return input->as_string();
  }
  if (s.rule_arn.empty()) return "{}";
  // EventBridge's time has whole seconds: 2024-05-01T12:00:00Z.
  std::string time = FormatTimestamp(scheduled_ms / 1000 * 1000);
  if (size_t dot = time.find('.'); dot != std::string::npos) time = time.substr(0, dot) + "Z";
  using json::Value;
  return Value::MakeObject({{"version", Value::String("0")},
                            {"id", Value::String(NewUuid())},
                            {"detail-type", Value::String("Scheduled Event")},
                            {"source", Value::String("aws.events")},
                            {"account", Value::String(account)},
                            {"time", Value::String(time)},
                            {"region", Value::String(region)},
                            {"resources", Value::MakeArray({Value::String(s.rule_arn)})},
                            {"detail", Value::EmptyObject()}})
      .Dump();
}

bool RunnableTarget(const std::string& arn) {
  // arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE...
  size_t pos = 0;
  std::string parts[6];
  for (int i = 0; i < 6; ++i) {
    size_t colon = i < 5 ? arn.find(':', pos) : std::string::npos;
    if (i < 5 && colon == std::string::npos) return false;
    parts[i] = arn.substr(pos, i < 5 ? colon - pos : std::string::npos);
    pos = colon + 1;
  }
  if (parts[0] != "arn") return false;
  if (parts[2] == "lambda") return parts[5].starts_with("function:") && parts[5].size() > 9;
  if (parts[2] == "states") return parts[5].starts_with("stateMachine:") && parts[5].size() > 13;
  return false;
}

}  // namespace stator::schedules
