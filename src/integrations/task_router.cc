#include "integrations/task_router.h"

#include <utility>

namespace stator::integrations {

TaskRouter::TaskRouter(std::unique_ptr<engine::TaskRunner> fallback)
    : fallback_(std::move(fallback)) {}

void TaskRouter::RouteState(const std::string& state_name,
                            std::shared_ptr<engine::TaskRunner> runner) {
  routes_[state_name] = std::move(runner);
}

void TaskRouter::RouteResource(ResourcePredicate accepts,
                               std::shared_ptr<engine::TaskRunner> runner) {
  resources_.emplace_back(std::move(accepts), std::move(runner));
}

void TaskRouter::SetMock(std::unique_ptr<MockTaskRunner> mock) { mock_ = std::move(mock); }

void TaskRouter::SetCallbackWrapper(CallbackWrapper wrap) { callback_wrapper_ = std::move(wrap); }

void TaskRouter::Start(const engine::TaskRequest& request, engine::TaskCompletion done) {
  if (!routes_.empty()) {
    auto it = routes_.find(request.state_name);
    if (it != routes_.end()) {
      it->second->Start(request, std::move(done));
      return;
    }
  }
  if (mock_ != nullptr && mock_->Serves(request.state_name)) {
    mock_->Start(request, std::move(done));
    return;
  }
  if (callback_wrapper_ && !request.task_token.empty() &&
      request.resource.ends_with(".waitForTaskToken")) {
    done = callback_wrapper_(request, std::move(done));
  }
  for (auto& [accepts, runner] : resources_) {
    if (accepts(request.resource)) {
      runner->Start(request, std::move(done));
      return;
    }
  }
  fallback_->Start(request, std::move(done));
}

}  // namespace stator::integrations
