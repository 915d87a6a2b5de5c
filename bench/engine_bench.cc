// engine_bench: stator's side of the benchmarks. Compiles a definition once, then runs it N
// times one after another through engine::RunToCompletion on a virtual clock, history kept (as
// the CLI and the server keep it), and reports what it measured as one JSON object.
//
// usage: engine_bench CASE_DIR [--runs N] [--no-history] [--history-limit N]
//   CASE_DIR holds definition.json, input.json, expected.json and meta.json as written by
//   bench/gen_cases.py; --runs overrides meta.json's "runs". AWS fails a Standard execution
//   that reaches 25,000 history events, and so does the engine by default; the loop and Map
//   cases go far past that, so engine_bench raises the cap to 8 events per planned transition
//   (the cases need at most ~2.7) unless --history-limit sets it.
// Output: {"system":"stator","case":...,"runs":N,"compile_s":...,"wall_s":...,"run_s":...,
//          "free_s":...,"transitions":...,"events":...,"output_ok":...,"status":...,
//          "history":...,"max_rss_kb":...}
// wall_s = run_s + free_s: RunToCompletion's duration and freeing its result (history included:
// the peer pays that in garbage collection), summed over the runs; counting the history events
// of each finished execution in between is not timed. transitions
// counts *StateEntered events (with --no-history, meta.json's planned count).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include "asl/compiler.h"
#include "common/clock.h"
#include "common/json.h"
#include "engine/execution.h"

namespace stator::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point t0) {
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = std::move(ss).str();
  return true;
}

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "engine_bench: %s\n", msg.c_str());
  std::exit(2);
}

json::Value ReadJson(const std::string& path) {
  std::string text;
  if (!ReadFile(path, &text)) Die("cannot read " + path);
  Result<json::Value> v = json::Parse(text);
  if (!v.ok()) Die(path + ": " + v.error().cause);
  return std::move(v).value();
}

// The benchmark definitions have no Task states; any that runs fails loudly.
class NoTasks : public engine::TaskRunner {
 public:
  void Start(const engine::TaskRequest& request, engine::TaskCompletion done) override {
    done(Error{"bench.NoTaskRunner", "engine_bench runs no Task resources"});
  }
};

// This process's peak resident set (VmHWM). getrusage's ru_maxrss is not used: Linux carries it
// over from the parent across fork and exec, so it reports at least the launcher's peak.
long PeakRssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

constexpr const char* kUsage =
    "usage: engine_bench CASE_DIR [--runs N] [--no-history] [--history-limit N]";

int Main(int argc, char** argv) {
  std::string case_dir;
  int64_t runs = -1;
  bool keep_history = true;
  int64_t history_limit = -1;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--runs" && i + 1 < argc) {
      runs = std::strtoll(argv[++i], nullptr, 10);
    } else if (a == "--no-history") {
      keep_history = false;
    } else if (a == "--history-limit" && i + 1 < argc) {
      history_limit = std::strtoll(argv[++i], nullptr, 10);
    } else if (case_dir.empty() && !a.starts_with("-")) {
      case_dir = std::string(a);
    } else {
      Die(kUsage);
    }
  }
  if (case_dir.empty()) Die(kUsage);

  std::string definition;
  if (!ReadFile(case_dir + "/definition.json", &definition)) Die("cannot read definition.json");
  json::Value input = ReadJson(case_dir + "/input.json");
  json::Value expected = ReadJson(case_dir + "/expected.json");
  json::Value meta = ReadJson(case_dir + "/meta.json");
  if (runs < 0) runs = meta.Find("runs")->as_int();
  // Far above what the case needs (at most ~2.7 events per transition here), yet a machine that
  // loops forever through a bug fails instead of eating all memory.
  if (history_limit < 0) history_limit = 8 * meta.Find("transitions_per_run")->as_int() + 1000;

  auto t0 = SteadyClock::now();
  asl::CompileResult compiled = asl::Compile(definition);
  double compile_s = SecondsSince(t0);
  if (!compiled.ok()) Die(asl::InvalidDefinitionMessage(compiled.diagnostics));

  engine::ExecutionOptions options;
  options.state_machine_name = "Bench";
  options.input = input;
  options.keep_history = keep_history;
  options.max_history_events = history_limit;
  NoTasks tasks;
  VirtualClock clock(SystemClock().NowMillis());

  double wall_s = 0;  // RunToCompletion
  double free_s = 0;  // destroying the ExecutionResult (history included)
  int64_t transitions = 0;
  int64_t events = 0;
  bool output_ok = true;
  std::string status = "NONE";
  for (int64_t r = 0; r < runs; ++r) {
    options.execution_name = "bench-" + std::to_string(r);
    t0 = SteadyClock::now();
    auto result = std::make_unique<engine::ExecutionResult>(
        engine::RunToCompletion(compiled.machine, options, &tasks, &clock));
    wall_s += SecondsSince(t0);
    status = engine::ExecutionStatusName(result->status);
    if (result->status != engine::ExecutionStatus::kSucceeded) {
      std::fprintf(stderr, "engine_bench: run %lld ended %s: %s: %s\n", static_cast<long long>(r),
                   status.c_str(), result->error.value_or("").c_str(),
                   result->cause.value_or("").c_str());
      output_ok = false;
      break;
    }
    if (!keep_history) transitions += meta.Find("transitions_per_run")->as_int();  // as planned
    events += static_cast<int64_t>(result->events.size());
    for (const engine::HistoryEvent& e : result->events) {
      if (EndsWith(e.type, "StateEntered")) ++transitions;
    }
    if (r == 0 || r == runs - 1) {
      output_ok = output_ok && result->output && *result->output == expected;
    }
    // Freeing the execution and its history is part of its cost (the peer pays it in GC).
    t0 = SteadyClock::now();
    result.reset();
    free_s += SecondsSince(t0);
  }

  const long max_rss_kb = PeakRssKb();
  std::string out = "{\"system\":\"stator\",\"case\":";
  json::AppendQuoted(meta.Find("name")->as_string(), &out);
  char buf[512];
  std::snprintf(
      buf, sizeof buf,
      ",\"runs\":%lld,\"compile_s\":%.6f,\"wall_s\":%.6f,\"run_s\":%.6f,\"free_s\":%.6f,"
      "\"transitions\":%lld,\"events\":%lld,\"output_ok\":%s,\"status\":\"%s\",\"history\":%s,"
      "\"max_rss_kb\":%ld}\n",
      static_cast<long long>(runs), compile_s, wall_s + free_s, wall_s, free_s,
      static_cast<long long>(transitions), static_cast<long long>(events),
      output_ok ? "true" : "false", status.c_str(), keep_history ? "true" : "false", max_rss_kb);
  out += buf;
  std::fputs(out.c_str(), stdout);
  return output_ok ? 0 : 1;
}

}  // namespace
}  // namespace stator::bench

int main(int argc, char** argv) { return stator::bench::Main(argc, argv); }
