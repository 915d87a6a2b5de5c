// TaskRouter: the TaskRunner `stator run` hands to the engine. It picks the runner for each Task
// state by its name, in this order:
//   1. a per-state runner (a --task-command),
//   2. the mock test case, if it mocks the state (--mock-config/--test-case),
//   3. the first resource route whose predicate accepts the state's Resource (a service stator
//      runs itself: functions, DynamoDB),
//   4. the fallback runner (UnavailableResourceRunner unless replaced).
// A `.waitForTaskToken` resource served by 3 or 4 first goes through the callback wrapper when
// one is set (SetCallbackWrapper): the task then waits for its token to come back.
//
// Configure it before the execution starts; after that it is only read.
//
// Thread-safety: Start may be called from several threads at once once configuration is done
// (the runners it routes to must allow that too).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/execution.h"
#include "integrations/mock_config.h"

namespace stator::integrations {

class TaskRouter : public engine::TaskRunner {
 public:
  explicit TaskRouter(std::unique_ptr<engine::TaskRunner> fallback);

  // Routes the Task state named state_name to runner (replacing an earlier route).
  void RouteState(const std::string& state_name, std::shared_ptr<engine::TaskRunner> runner);
  // Routes every Task whose Resource (as written in the definition) satisfies `accepts` to
  // runner; routes are tried in the order they were added.
  using ResourcePredicate = std::function<bool(const std::string& resource)>;
  void RouteResource(ResourcePredicate accepts, std::shared_ptr<engine::TaskRunner> runner);
  // Serves the states that test_case mocks from it.
  void SetMock(std::unique_ptr<MockTaskRunner> mock);
  // Wraps the completion of every `.waitForTaskToken` task routed by resource (3, 4 above):
  // `wrap(request, done)` returns the completion the runner gets (the server's callback
  // registry: the task's own success is not its result; SendTaskSuccess/Failure is).
  using CallbackWrapper = std::function<engine::TaskCompletion(const engine::TaskRequest& request,
                                                               engine::TaskCompletion done)>;
  void SetCallbackWrapper(CallbackWrapper wrap);

  void Start(const engine::TaskRequest& request, engine::TaskCompletion done) override;

 private:
  std::unordered_map<std::string, std::shared_ptr<engine::TaskRunner>> routes_;
  std::vector<std::pair<ResourcePredicate, std::shared_ptr<engine::TaskRunner>>> resources_;
  std::unique_ptr<MockTaskRunner> mock_;
  std::unique_ptr<engine::TaskRunner> fallback_;
  CallbackWrapper callback_wrapper_;
};

}  // namespace stator::integrations
