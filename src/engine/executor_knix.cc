// Execution: KNIX workflows (asl::StateMachine::knix_routes; shared/design/knix-protocol.md
// §2-3). KNIX runs a workflow as dataflow: when a state is done, its output goes to every state
// it routes to, and each of those runs on its own. Here that is a top-level frame per route
// (a fork): static routes (Next, KnixNext), the routes a Task's user code adds
// (add_workflow_next, taken when it succeeds; send_to_function_now, taken at once) and
// WaitForNumBranches' partial joins. Every frame that reaches the exit delivers a result
// (ExecutionOptions::on_result); the execution ends when no frame walks any more, or fails at the
// first error no state caught.
//
// Forks record their events in the one history like Parallel branches do (their first event
// follows the event of the state that forked them). The execution is not resumable from that
// history: what user code routed is not in it (docs/knix.md says so).

#include <algorithm>
#include <memory>
#include <utility>

#include "engine/executor_internal.h"
#include "engine/history.h"

namespace stator::engine {

namespace {

constexpr std::string_view kKnixExit = "end";

}  // namespace

Result<int> Execution::CheckKnixRoute(const asl::KnixState* from, const std::string& next,
                                      KnixRoute how) const {
  // KNIX's MicroFunctionsWorkflowException messages (FunctionWorker PublicationUtils).
  if (how == KnixRoute::kAtEnd) {
    if (next == kKnixExit) return asl::kEnd;
    if (from != nullptr) {
      const auto& names = from->potential_next_names;
      for (size_t i = 0; i < names.size(); ++i) {
        if (names[i] == next) return from->potential_next[i];
      }
    }
    return Error{"MicroFunctionsWorkflowException",
                 "\nWorkflow does not match generated 'next': " + next};
  }
  if (how == KnixRoute::kNow && !machine_->allow_immediate_messages) {
    return Error{"MicroFunctionsWorkflowException",
                 "\nDestination is not in workflow: " + next +
                     "\nCan only send an immediate trigger message to an existing function or "
                     "the workflow end."};
  }
  if (next == kKnixExit) return asl::kEnd;
  int index = machine_->IndexOf(next);
  if (index < 0) {
    return Error{"MicroFunctionsWorkflowException",
                 "\nDestination is not in workflow: " + next +
                     "\nCan only send an immediate trigger message to an existing function or "
                     "the workflow end."};
  }
  return index;
}

void Execution::SetKnixRoute(TaskRequest& request, uint64_t frame_id, uint64_t token) {
  std::weak_ptr<Execution> weak = weak_from_this();
  request.route = [weak, from = request.knix, frame_id, token](
                      const std::string& next, json::Value value, KnixRoute how) -> Status {
    auto execution = weak.lock();
    if (!execution) return Status::Ok();  // the execution is gone: nothing to route to
    STATOR_TRY(int target, execution->CheckKnixRoute(from, next, how));
    Message m;
    m.kind = Message::Kind::kRoute;
    m.frame_id = frame_id;
    m.token = token;
    m.payload = std::move(value);
    m.route_target = target;
    m.route_now = how != KnixRoute::kAtEnd;
    execution->Deliver(std::move(m));
    return Status::Ok();
  };
}

void Execution::OnKnixRoute(Message& m) {
  auto it = live_.find(m.frame_id);
  if (it == live_.end()) {
    if (m.route_now && top_) ForkAt(m.route_target, std::move(m.payload), *top_);
    return;
  }
  Frame& f = *it->second;
  if (m.route_now) return ForkAt(m.route_target, std::move(m.payload), f);
  // Taken when the task succeeds; a message of an earlier attempt is stale.
  if (f.token != m.token || f.phase != Phase::kBlocked) return;
  f.knix_routes.emplace_back(m.route_target, std::move(m.payload));
}

void Execution::ForkAt(int target, json::Value input, const Frame& from) {
  if (finished()) return;
  if (target == asl::kEnd) return DeliverResult(input);
  std::unique_ptr<Frame> fork = NewFrame(plan_.get(), nullptr, std::move(input), from.last_event,
                                         /*records_history=*/true);
  fork->state_index = target;
  fork->variables = from.variables;
  fork->variables_bytes = from.variables_bytes;
  ++live_top_frames_;
  MakeReady(*fork);
  forks_.push_back(std::move(fork));
}

void Execution::DeliverResult(const json::Value& result) {
  last_result_ = result;
  if (options_.on_result) options_.on_result(result);
}

void Execution::TakeKnixRoutes(Frame& f, const json::Value& output, int* next) {
  std::vector<std::pair<int, json::Value>> dynamic = std::move(f.knix_routes);
  f.knix_routes.clear();
  const asl::KnixState* knix = f.current_state().knix.get();
  if (knix != nullptr) {
    for (int target : knix->also_next) ForkAt(target, output, f);
    if (knix->stops) {
      *next = asl::kEnd;
      f.knix_stopped = true;
    }
  }
  for (auto& [target, value] : dynamic) ForkAt(target, std::move(value), f);
}

void Execution::TopFrameDone(Frame& f) {
  if (!f.succeeded) {
    FinishExecution(ExecutionStatus::kFailed, history::ErrorCause(f.error.error, f.error.cause),
                    f.last_event, std::nullopt, f.error.error, f.error.cause);
    return;
  }
  if (!machine_->knix_routes) {
    FinishExecution(ExecutionStatus::kSucceeded, history::Output(f.output), f.last_event, f.output,
                    std::nullopt, std::nullopt);
    return;
  }
  if (!f.knix_stopped) DeliverResult(f.output);
  const int64_t last_event = f.last_event;
  live_.erase(f.id);
  if (&f != top_.get()) {
    std::erase_if(forks_, [&f](const std::unique_ptr<Frame>& p) { return p.get() == &f; });
  }
  if (--live_top_frames_ > 0 || finished()) return;
  FinishExecution(ExecutionStatus::kSucceeded, history::Output(last_result_), last_event,
                  last_result_, std::nullopt, std::nullopt);
}

void Execution::JoinSome(Frame& parallel) {
  const ChildGroup& children = *parallel.children;
  json::Array partial;
  partial.reserve(children.total);
  for (size_t i = 0; i < children.total; ++i) {
    partial.push_back(children.frames[i] ? json::Value::Null() : children.results[i]);
  }
  std::unique_ptr<Frame> fork =
      NewFrame(plan_.get(), nullptr, parallel.raw_input, children.last_event, true);
  fork->state_index = parallel.state_index;
  fork->entered_event = parallel.entered_event;
  fork->entered_millis = parallel.entered_millis;
  fork->variables = parallel.variables;
  fork->variables_bytes = parallel.variables_bytes;
  Frame& g = *fork;
  forks_.push_back(std::move(fork));
  ++live_top_frames_;
  FinishWithResult(g, json::Value::MakeArray(std::move(partial)));
  if (!finished()) MakeReady(g);
}

bool Execution::JoinsNoMore(const Frame& parallel) const {
  const asl::KnixState* knix = parallel.current_state().knix.get();
  return parallel.parent == nullptr && knix != nullptr && !knix->wait_for_num_branches.empty() &&
         static_cast<size_t>(knix->wait_for_num_branches.back()) <
             parallel.current_state().branches.size();
}

}  // namespace stator::engine
