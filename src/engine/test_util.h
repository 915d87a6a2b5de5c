// Helpers shared by the engine's tests: compile a definition, a scriptable fake TaskRunner,
// compact views of a history, and a bounded RunUntil.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "asl/compiler.h"
#include "asl/test_util.h"
#include "common/clock.h"
#include "common/json.h"
#include "common/mutex.h"
#include "engine/execution.h"
#include "engine/scheduler.h"

namespace stator::engine::testing {

using asl::testing::J;  // text parsed as JSON

inline std::shared_ptr<const asl::StateMachine> MustCompile(const std::string& definition) {
  asl::CompileResult r = asl::Compile(definition);
  EXPECT_TRUE(r.ok()) << asl::InvalidDefinitionMessage(r.diagnostics);
  return r.machine;
}

// A TaskRunner whose behaviour per resource is a function of the request. Calls are recorded.
// A handler returning std::nullopt leaves the task running forever (timeouts).
class FakeTasks : public TaskRunner {
 public:
  using Handler = std::function<std::optional<TaskOutcome>(const TaskRequest&)>;
  void On(const std::string& resource, Handler h) { handlers_[resource] = std::move(h); }
  void Start(const TaskRequest& request, TaskCompletion done) override {
    calls.push_back(request.parameters);
    heartbeats.push_back(request.heartbeat);
    contexts.push_back(request.context ? *request.context : json::Value());
    auto it = handlers_.find(request.resource);
    if (it == handlers_.end()) {
      done(Error{"Fake.NoHandler", request.resource});
      return;
    }
    std::optional<TaskOutcome> o = it->second(request);
    if (o) {
      done(std::move(*o));
    } else {
      pending.push_back(std::move(done));
    }
  }
  std::vector<json::Value> calls;
  std::vector<json::Value> contexts;
  std::vector<TaskCompletion> pending;
  std::vector<std::function<void()>> heartbeats;

 private:
  std::map<std::string, Handler> handlers_;
};

inline constexpr int64_t kT0 = 1700000000000;  // 2023-11-14T22:13:20Z

// How long RunUntilOrFail waits. Passing runs take milliseconds; only a scheduler or engine that
// never gets there (a hang) takes this long, so the bound decides nothing about timing.
inline constexpr std::chrono::seconds kHangLimit{60};

// scheduler.RunUntil(pred), except that a wait that never ends fails the test instead of hanging
// it: after kHangLimit a watchdog wakes the scheduler, RunUntil returns, the test gets a failure
// naming `what`, and the result is false (callers ASSERT it). Should RunUntil not return even
// when woken (stuck inside a Runnable), the watchdog aborts the process with the same message
// 10 s later.
[[nodiscard]] inline bool RunUntilOrFail(Scheduler& scheduler, const std::function<bool()>& pred,
                                         const std::string& what) {
  // Set once RunUntil has returned; the watchdog waits for it.
  class Returned {
   public:
    void Set() EXCLUDES(mu_) {
      MutexLock lock(&mu_);
      set_ = true;
      cv_.SignalAll();
    }
    // True once Set was called, false when `timeout` passed first.
    bool WaitFor(std::chrono::milliseconds timeout) EXCLUDES(mu_) {
      MutexLock lock(&mu_);
      const auto deadline = std::chrono::steady_clock::now() + timeout;
      while (!set_) {
        if (!cv_.WaitUntil(&mu_, deadline)) return set_;
      }
      return true;
    }

   private:
    Mutex mu_;
    CondVar cv_;
    bool set_ GUARDED_BY(mu_) = false;
  } returned;
  std::atomic<bool> expired{false};
  std::thread watchdog([&] {
    if (returned.WaitFor(kHangLimit)) return;
    expired.store(true);
    for (int i = 0; i < 100; ++i) {
      scheduler.Wake();
      if (returned.WaitFor(std::chrono::milliseconds(100))) return;
    }
    std::fprintf(stderr,
                 "FATAL: the scheduler did not reach \"%s\" within %lld s, and did not "
                 "return when woken\n",
                 what.c_str(), static_cast<long long>(kHangLimit.count()));
    std::abort();
  });
  bool reached = false;
  scheduler.RunUntil([&] {
    reached = pred();
    return reached || expired.load();
  });
  returned.Set();
  watchdog.join();
  if (!reached) {
    ADD_FAILURE() << "the scheduler did not reach \"" << what << "\" within " << kHangLimit.count()
                  << " s";
  }
  return reached;
}

inline ExecutionResult RunDef(const std::string& definition, const std::string& input,
                              TaskRunner* tasks = nullptr, ExecutionOptions options = {}) {
  static FakeTasks none;
  VirtualClock clock(kT0);
  options.input = J(input);
  if (options.execution_name.empty()) options.execution_name = "exec";
  return RunToCompletion(MustCompile(definition), options, tasks ? tasks : &none, &clock);
}

// "id prev Type" per event, one string per event.
inline std::vector<std::string> Shape(const ExecutionResult& r) {
  std::vector<std::string> out;
  for (const HistoryEvent& e : r.events) {
    out.push_back(std::to_string(e.id) + " " + std::to_string(e.previous_event_id) + " " +
                  std::string(e.type));
  }
  return out;
}

inline std::vector<std::string> Types(const ExecutionResult& r) {
  std::vector<std::string> out;
  for (const HistoryEvent& e : r.events) out.emplace_back(e.type);
  return out;
}

// The rendered details object (AWS form) of event i.
inline json::Value Details(const ExecutionResult& r, size_t i) {
  return r.events.at(i).RenderedDetails();
}

}  // namespace stator::engine::testing
