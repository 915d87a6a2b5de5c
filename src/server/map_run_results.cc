// MapRunService: ResultWriter — a Map Run's child executions written out as AWS writes them to
// S3, here under a local directory (stator has no S3): <results_dir>/<Bucket>/<Prefix>/<map run
// id>/ holds manifest.json and one file per status (SUCCEEDED_0.json, FAILED_0.json,
// PENDING_0.json; a file only when it has entries), and the Map state's output names the manifest.

#include <filesystem>
#include <fstream>
#include <utility>

#include "common/time_format.h"
#include "server/map_run_service.h"

namespace stator::server {

namespace {

std::string StringParameter(const json::Value& writer, const char* key) {
  const json::Value* params = writer.Find("Parameters");
  if (params == nullptr || !params->is_object()) params = writer.Find("Arguments");
  const json::Value* v = params != nullptr && params->is_object() ? params->Find(key) : nullptr;
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}

Status WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (ec || !out) {
    return Error{"States.ResultWriterFailed", "Could not write " + path.string()};
  }
  return Status();
}

}  // namespace

Result<json::Value> MapRunService::WriteResults(const std::shared_ptr<Run>& run) {
  const engine::MapRunRequest& r = run->request;
  const std::string bucket = StringParameter(r.result_writer, "Bucket");
  std::string prefix = StringParameter(r.result_writer, "Prefix");
  if (bucket.empty() || bucket.find("..") != std::string::npos ||
      prefix.find("..") != std::string::npos) {
    return Error{"States.ResultWriterFailed",
                 "The ResultWriter's Parameters need a Bucket (and may have a Prefix) naming a "
                 "directory under the server's map results directory, without '..'."};
  }
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  const std::string id = r.map_run_arn.substr(r.map_run_arn.rfind(':') + 1);
  const std::string key_dir = (prefix.empty() ? "" : prefix + "/") + id + "/";
  const std::filesystem::path dir = std::filesystem::path(results_dir_) / bucket / key_dir;

  json::Array succeeded, failed, pending;
  {
    MutexLock lock(&mu_);
    for (size_t i = 0; i < run->children.size(); ++i) {
      const Child& c = run->children[i];
      if (!c.ended) {
        pending.push_back(
            json::Value::MakeObject({{"Input", json::Value::String(r.inputs[i].Dump())}}));
        continue;
      }
      const bool ok = c.status == store::ExecutionStatus::kSucceeded;
      const std::string status(store::ExecutionStatusName(c.status));
      json::Object o;
      o.emplace_back("ExecutionArn", json::Value::String(c.arn));
      o.emplace_back("Input", json::Value::String(r.inputs[i].Dump()));
      o.emplace_back("InputDetails",
                     json::Value::MakeObject({{"Included", json::Value::Bool(true)}}));
      o.emplace_back("Name", json::Value::String(c.name));
      if (ok) {
        o.emplace_back("Output", json::Value::String(c.output.value_or("null")));
        o.emplace_back("OutputDetails",
                       json::Value::MakeObject({{"Included", json::Value::Bool(true)}}));
      } else {
        if (!c.error.empty()) o.emplace_back("Error", json::Value::String(c.error));
        if (!c.cause.empty()) o.emplace_back("Cause", json::Value::String(c.cause));
      }
      o.emplace_back("RedriveCount", json::Value::Int(0));
      o.emplace_back("RedriveStatus", json::Value::String("NOT_REDRIVABLE"));
      o.emplace_back("RedriveStatusReason",
                     json::Value::String("Execution is " + status + " and cannot be redriven"));
      o.emplace_back("StartDate", json::Value::String(FormatTimestamp(c.start_ms)));
      o.emplace_back("StateMachineArn", json::Value::String(run->info.state_machine_arn));
      o.emplace_back("Status", json::Value::String(status));
      o.emplace_back("StopDate", json::Value::String(FormatTimestamp(c.stop_ms)));
      (ok ? succeeded : failed).push_back(json::Value::MakeObject(std::move(o)));
    }
  }
  json::Object files;
  int64_t written = 0;
  for (auto& [status, entries] : {std::pair<const char*, json::Array*>{"FAILED", &failed},
                                  {"PENDING", &pending},
                                  {"SUCCEEDED", &succeeded}}) {
    json::Array list;
    if (!entries->empty()) {
      const std::string name = std::string(status) + "_0.json";
      const size_t count = entries->size();
      const std::string text = json::Value::MakeArray(std::move(*entries)).Dump();
      if (Status s = WriteFile(dir / name, text); !s.ok()) return s.error();
      list.push_back(
          json::Value::MakeObject({{"Key", json::Value::String(key_dir + name)},
                                   {"Size", json::Value::Int(static_cast<int64_t>(text.size()))}}));
      if (std::string_view(status) != "PENDING") written += static_cast<int64_t>(count);
    }
    files.emplace_back(status, json::Value::MakeArray(std::move(list)));
  }
  json::Value manifest =
      json::Value::MakeObject({{"DestinationBucket", json::Value::String(bucket)},
                               {"MapRunArn", json::Value::String(r.map_run_arn)},
                               {"ResultFiles", json::Value::MakeObject(std::move(files))}});
  if (Status s = WriteFile(dir / "manifest.json", manifest.Dump()); !s.ok()) return s.error();
  {
    MutexLock lock(&mu_);
    run->info.executions.results_written = written;
    int64_t items = 0;
    for (size_t i = 0; i < run->children.size(); ++i) {
      if (run->children[i].ended) items += i < r.items_per_input.size() ? r.items_per_input[i] : 1;
    }
    run->info.items.results_written = items;
  }
  return json::Value::MakeObject(
      {{"MapRunArn", json::Value::String(r.map_run_arn)},
       {"ResultWriterDetails",
        json::Value::MakeObject({{"Bucket", json::Value::String(bucket)},
                                 {"Key", json::Value::String(key_dir + "manifest.json")}})}});
}

}  // namespace stator::server
