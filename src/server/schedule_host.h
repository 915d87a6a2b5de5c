// What `stator serve` gives the schedule runner (schedules/runner.h): EngineTimers, its timers
// on the execution service's engine::Scheduler (so schedules wait on the server's clock exactly
// as Wait states do, virtual time included), and ServerTargets, which runs a firing's target in
// process: a Lambda function as an Event invocation on the FunctionRuntime (done once it has
// returned), a state machine through the Step Functions router's StartExecution (done once the
// execution has started or was refused).
//
// Ownership: borrows the scheduler, registry, runtime and router (they must outlive the runner).
// Thread-safety: every method may be called from any thread.
#pragma once

#include <string>

#include "api/aws_json/router.h"
#include "engine/scheduler.h"
#include "functions/registry.h"
#include "functions/runtime.h"
#include "schedules/targets.h"
#include "schedules/timers.h"

namespace stator::server {

class EngineTimers : public schedules::Timers {
 public:
  explicit EngineTimers(engine::Scheduler* scheduler) : scheduler_(scheduler) {}
  int64_t NowMillis() const override { return scheduler_->clock()->NowMillis(); }
  bool is_virtual() const override { return scheduler_->clock()->is_virtual(); }
  Id AddTimer(int64_t due_ms, std::function<void()> fn) override {
    return scheduler_->AddTimer(due_ms, std::move(fn));
  }
  void CancelTimer(Id id) override { scheduler_->CancelTimer(id); }
  void Hold() override { scheduler_->ExternalStarted(); }
  void Release() override { scheduler_->ExternalFinished(); }

 private:
  engine::Scheduler* const scheduler_;
};

class ServerTargets : public schedules::Targets {
 public:
  ServerTargets(functions::FunctionRegistry* registry, functions::FunctionRuntime* runtime,
                const api::AwsJsonRouter* router)
      : registry_(registry), runtime_(runtime), router_(router) {}

  void Run(const std::string& target_arn, const std::string& payload,
           std::function<void(const std::string& error)> done) override;

 private:
  functions::FunctionRegistry* const registry_;
  functions::FunctionRuntime* const runtime_;
  const api::AwsJsonRouter* const router_;
};

}  // namespace stator::server
