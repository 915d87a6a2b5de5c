#include "engine/history.h"

#include <set>

#include "common/mutex.h"
#include "engine/execution.h"

namespace stator::engine::history {
namespace {

const json::Value& NotTruncated() {
  static const json::Value v = json::Value::MakeObject({{"truncated", json::Value::Bool(false)}});
  return v;
}

json::Value Str(const std::string& s) { return json::Value::String(s); }

}  // namespace

bool IsPayloadField(std::string_view key) {
  return key == "input" || key == "output" || key == "parameters";
}

bool IsVariablesField(std::string_view key) { return key == "assignedVariables"; }

json::Value ExecutionStarted(const json::Value& input, const std::string& role_arn) {
  return json::Value::MakeObject(
      {{"input", input}, {"inputDetails", NotTruncated()}, {"roleArn", Str(role_arn)}});
}

json::Value StateEntered(const json::Value& name, const json::Value& input) {
  return json::Value::MakeObject(
      {{"name", name}, {"input", input}, {"inputDetails", NotTruncated()}});
}

json::Value StateExited(const json::Value& name, const json::Value& output) {
  return json::Value::MakeObject(
      {{"name", name}, {"output", output}, {"outputDetails", NotTruncated()}});
}

json::Value StateExited(const json::Value& name, const json::Value& output,
                        const json::Value& assigned_variables) {
  return json::Value::MakeObject({{"name", name},
                                  {"output", output},
                                  {"outputDetails", NotTruncated()},
                                  {"assignedVariables", assigned_variables},
                                  {"assignedVariablesDetails", NotTruncated()}});
}

json::Value Output(const json::Value& output) {
  return json::Value::MakeObject({{"output", output}, {"outputDetails", NotTruncated()}});
}

json::Value ErrorCause(const std::string& error, const std::string& cause) {
  json::Object o;
  if (!error.empty()) o.emplace_back("error", Str(error));
  if (!cause.empty()) o.emplace_back("cause", Str(cause));
  return json::Value::MakeObject(std::move(o));
}

json::Value MapStateStarted(int64_t length) {
  return json::Value::MakeObject({{"length", json::Value::Int(length)}});
}

json::Value MapRunStarted(const std::string& map_run_arn) {
  return json::Value::MakeObject({{"mapRunArn", Str(map_run_arn)}});
}

json::Value TaskScheduled(const TaskResource& r, const std::string& region,
                          const json::Value& parameters, std::optional<int64_t> timeout_seconds,
                          std::optional<int64_t> heartbeat_seconds) {
  json::Object o;
  o.emplace_back("resourceType", Str(r.resource_type));
  o.emplace_back("resource", Str(r.resource));
  o.emplace_back("region", Str(region));
  o.emplace_back("parameters", parameters);
  if (timeout_seconds) o.emplace_back("timeoutInSeconds", json::Value::Int(*timeout_seconds));
  if (heartbeat_seconds) {
    o.emplace_back("heartbeatInSeconds", json::Value::Int(*heartbeat_seconds));
  }
  return json::Value::MakeObject(std::move(o));
}

json::Value TaskStarted(const TaskResource& r) {
  return json::Value::MakeObject(
      {{"resourceType", Str(r.resource_type)}, {"resource", Str(r.resource)}});
}

json::Value TaskSucceeded(const TaskResource& r, const json::Value& output) {
  return json::Value::MakeObject({{"resourceType", Str(r.resource_type)},
                                  {"resource", Str(r.resource)},
                                  {"output", output},
                                  {"outputDetails", NotTruncated()}});
}

json::Value TaskError(const TaskResource& r, const std::string& error, const std::string& cause) {
  json::Object o;
  o.emplace_back("resourceType", Str(r.resource_type));
  o.emplace_back("resource", Str(r.resource));
  if (!error.empty()) o.emplace_back("error", Str(error));
  if (!cause.empty()) o.emplace_back("cause", Str(cause));
  return json::Value::MakeObject(std::move(o));
}

json::Value LambdaScheduled(const std::string& arn, const json::Value& input,
                            std::optional<int64_t> timeout_seconds) {
  json::Object o;
  o.emplace_back("resource", Str(arn));
  o.emplace_back("input", input);
  o.emplace_back("inputDetails", NotTruncated());
  if (timeout_seconds) o.emplace_back("timeoutInSeconds", json::Value::Int(*timeout_seconds));
  return json::Value::MakeObject(std::move(o));
}

json::Value ActivityScheduled(const std::string& arn, const json::Value& input,
                              std::optional<int64_t> timeout_seconds,
                              std::optional<int64_t> heartbeat_seconds) {
  json::Object o;
  o.emplace_back("resource", Str(arn));
  o.emplace_back("input", input);
  o.emplace_back("inputDetails", NotTruncated());
  if (timeout_seconds) o.emplace_back("timeoutInSeconds", json::Value::Int(*timeout_seconds));
  if (heartbeat_seconds) {
    o.emplace_back("heartbeatInSeconds", json::Value::Int(*heartbeat_seconds));
  }
  return json::Value::MakeObject(std::move(o));
}

}  // namespace stator::engine::history

namespace stator::engine {

json::Value HistoryEvent::Details() const {
  switch (compact) {
    case Compact::kNone:
      return details;
    case Compact::kStateEntered:
      return history::StateEntered(state_name, payload);
    case Compact::kStateExited:
      return history::StateExited(state_name, payload);
    case Compact::kMapIteration:
      return json::Value::MakeObject({{"name", state_name}, {"index", payload}});
  }
  return details;
}

json::Value HistoryEvent::RenderedDetails() const {
  if (details_key.empty()) return json::Value();
  if (compact == Compact::kMapIteration) return Details();  // it has no payload field
  json::Object d;
  if (compact != Compact::kNone) {
    const bool entered = compact == Compact::kStateEntered;
    d.reserve(3);
    d.emplace_back("name", state_name);
    d.emplace_back(entered ? "input" : "output", json::Value::String(payload.Dump()));
    d.emplace_back(entered ? "inputDetails" : "outputDetails", history::NotTruncated());
  } else if (details.is_object()) {
    d.reserve(details.as_object().size());
    for (const auto& [k, v] : details.as_object()) {
      if (history::IsPayloadField(k) && !(payloads_are_text && v.is_string())) {
        d.emplace_back(k, json::Value::String(v.Dump()));
      } else if (history::IsVariablesField(k) && v.is_object()) {
        json::Object vars;
        vars.reserve(v.as_object().size());
        for (const auto& [name, value] : v.as_object()) {
          vars.emplace_back(name, json::Value::String(value.Dump()));
        }
        d.emplace_back(k, json::Value::MakeObject(std::move(vars)));
      } else {
        d.emplace_back(k, v);
      }
    }
  }
  return json::Value::MakeObject(std::move(d));
}

json::Value HistoryEvent::ToJson() const {
  json::Object o;
  o.reserve(5);
  o.emplace_back("timestamp", json::Value::Double(static_cast<double>(timestamp_millis) / 1000.0));
  o.emplace_back("type", json::Value::String(std::string(type)));
  o.emplace_back("id", json::Value::Int(id));
  o.emplace_back("previousEventId", json::Value::Int(previous_event_id));
  if (!details_key.empty()) o.emplace_back(std::string(details_key), RenderedDetails());
  return json::Value::MakeObject(std::move(o));
}

std::string_view InternEventName(std::string_view name) {
  static Mutex mu;
  static auto* names PT_GUARDED_BY(mu) =
      new std::set<std::string, std::less<>>();  // nodes never move
  MutexLock lock(&mu);
  auto it = names->find(name);
  if (it == names->end()) it = names->emplace(name).first;
  return *it;
}

}  // namespace stator::engine
