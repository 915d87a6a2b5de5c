#include "server/map_run_record.h"

#include <cstdio>
#include <utility>

#include "common/json.h"

namespace stator::server {

namespace {

json::Value CountsJson(const api::MapRunCounts& c) {
  return json::Value::MakeObject({{"pending", json::Value::Int(c.pending)},
                                  {"running", json::Value::Int(c.running)},
                                  {"succeeded", json::Value::Int(c.succeeded)},
                                  {"failed", json::Value::Int(c.failed)},
                                  {"timedOut", json::Value::Int(c.timed_out)},
                                  {"aborted", json::Value::Int(c.aborted)},
                                  {"total", json::Value::Int(c.total)},
                                  {"resultsWritten", json::Value::Int(c.results_written)}});
}

int64_t IntOf(const json::Value& o, const char* key) {
  const json::Value* v = o.is_object() ? o.Find(key) : nullptr;
  return v != nullptr && v->is_number() ? v->as_int() : 0;
}

std::string StringOf(const json::Value& o, const char* key) {
  const json::Value* v = o.is_object() ? o.Find(key) : nullptr;
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}

api::MapRunCounts CountsOf(const json::Value* o) {
  api::MapRunCounts c;
  if (o == nullptr) return c;
  c.pending = IntOf(*o, "pending");
  c.running = IntOf(*o, "running");
  c.succeeded = IntOf(*o, "succeeded");
  c.failed = IntOf(*o, "failed");
  c.timed_out = IntOf(*o, "timedOut");
  c.aborted = IntOf(*o, "aborted");
  c.total = IntOf(*o, "total");
  c.results_written = IntOf(*o, "resultsWritten");
  return c;
}

}  // namespace

std::string MapRunRecordJson(const MapRunRecord& r) {
  json::Object o;
  o.emplace_back("mapRunArn", json::Value::String(r.info.map_run_arn));
  o.emplace_back("executionArn", json::Value::String(r.info.execution_arn));
  o.emplace_back("stateMachineArn", json::Value::String(r.info.state_machine_arn));
  o.emplace_back("status", json::Value::String(r.info.status));
  o.emplace_back("startDate", json::Value::Int(r.info.start_date_ms));
  o.emplace_back("stopDate", json::Value::Int(r.info.stop_date_ms));
  o.emplace_back("maxConcurrency", json::Value::Int(r.info.max_concurrency));
  if (r.tolerated_count) {
    o.emplace_back("toleratedFailureCount", json::Value::Int(*r.tolerated_count));
  }
  if (r.tolerated_percent) {
    o.emplace_back("toleratedFailurePercentage", json::Value::Double(*r.tolerated_percent));
  }
  o.emplace_back("itemCounts", CountsJson(r.info.items));
  o.emplace_back("executionCounts", CountsJson(r.info.executions));
  if (!r.error.empty()) o.emplace_back("error", json::Value::String(r.error));
  if (!r.cause.empty()) o.emplace_back("cause", json::Value::String(r.cause));
  return json::Value::MakeObject(std::move(o)).Dump();
}

std::optional<MapRunRecord> ParseMapRunRecord(const std::string& text) {
  auto parsed = json::Parse(text);
  if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
  const json::Value& o = *parsed;
  MapRunRecord r;
  r.info.map_run_arn = StringOf(o, "mapRunArn");
  r.info.execution_arn = StringOf(o, "executionArn");
  r.info.state_machine_arn = StringOf(o, "stateMachineArn");
  r.info.status = StringOf(o, "status");
  r.info.start_date_ms = IntOf(o, "startDate");
  r.info.stop_date_ms = IntOf(o, "stopDate");
  r.info.max_concurrency = IntOf(o, "maxConcurrency");
  if (const json::Value* v = o.Find("toleratedFailureCount"); v && v->is_number()) {
    r.tolerated_count = v->as_int();
  }
  if (const json::Value* v = o.Find("toleratedFailurePercentage"); v && v->is_number()) {
    r.tolerated_percent = v->as_double();
  }
  r.info.items = CountsOf(o.Find("itemCounts"));
  r.info.executions = CountsOf(o.Find("executionCounts"));
  r.error = StringOf(o, "error");
  r.cause = StringOf(o, "cause");
  if (r.info.map_run_arn.empty() || r.info.status.empty()) return std::nullopt;
  return r;
}

std::string MapRunByExecutionKey(const std::string& execution_arn, int64_t start_ms,
                                 const std::string& map_run_arn) {
  char ms[32];
  std::snprintf(ms, sizeof ms, "%016lld", static_cast<long long>(start_ms));
  return execution_arn + "\n" + ms + "\n" + map_run_arn;
}

}  // namespace stator::server
