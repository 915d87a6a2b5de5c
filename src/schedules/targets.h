// Targets: what a firing runs, given by the host (server/serve.cc): a Lambda function invoked
// asynchronously (as an Event invocation) or a state machine's StartExecution, each with the
// payload FiringPayload makes. done() is called once the function has returned (or failed) or
// the execution has started (or been refused); it must be called exactly once, from any thread.
// Failures are reported through it as a message (the runner logs it); a firing is not retried.
//
// Thread-safety: Run may be called from any thread and must not block.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "schedules/schedule.h"

namespace stator::schedules {

class Targets {
 public:
  virtual ~Targets() = default;
  // target_arn: arn:...:lambda:...:function:NAME[:QUALIFIER] or arn:...:states:...:stateMachine:
  // NAME. done(error): "" on success.
  virtual void Run(const std::string& target_arn, const std::string& payload,
                   std::function<void(const std::string& error)> done) = 0;
};

// The payload of one firing due at scheduled_ms: Target.Input when the schedule has one; else,
// for a SAM `Schedule` (an EventBridge rule), EventBridge's scheduled event
//   {"version": "0", "id": UUID, "detail-type": "Scheduled Event", "source": "aws.events",
//    "account": ACCOUNT, "time": "2024-05-01T12:00:00Z", "region": REGION,
//    "resources": [RULE_ARN], "detail": {}}
// and otherwise "{}".
std::string FiringPayload(const Schedule& s, int64_t scheduled_ms, const std::string& region,
                          const std::string& account);

// Whether arn is a target stator can run (a Lambda function or a state machine).
bool RunnableTarget(const std::string& arn);

}  // namespace stator::schedules
