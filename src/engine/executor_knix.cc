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
#include "engine/payload_io.h"

namespace stator::engine {

namespace {

constexpr std::string_view kKnixExit = "end";

Error NotInWorkflow(const std::string& next) {
  return Error{"MicroFunctionsWorkflowException",
               "\nDestination is not in workflow: " + next +
                   "\nCan only send an immediate trigger message to an existing function or the "
                   "workflow end."};
}

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
  // Without AllowImmediateMessages KNIX's list of destinations is empty.
  if (how == KnixRoute::kNow && !machine_->allow_immediate_messages) return NotInWorkflow(next);
  if (next == kKnixExit) return asl::kEnd;
  int index = machine_->IndexOf(next);
  if (index < 0) return NotInWorkflow(next);
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
    if (machine_->knix_routes && options_.on_walkers_stopped) {
      std::vector<std::string> stopped;
      auto running_task = [&](const Frame& g) {
        if (&g != &f && live_.count(g.id) && g.phase == Phase::kBlocked &&
            g.current_state().type == asl::StateType::kTask) {
          stopped.push_back(g.current_state().name);
        }
      };
      if (top_) running_task(*top_);
      for (const auto& fork : forks_) running_task(*fork);
      if (!stopped.empty()) options_.on_walkers_stopped(stopped);
    }
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

namespace {

// What KNIX calls an error's message, str(exception): a Lambda error's errorMessage (the cause
// holds Lambda's error object), else the cause, else the error's name.
std::string KnixErrorMessage(const Error& e) {
  if (Result<json::Value> body = json::Parse(e.cause); body.ok() && body->is_object()) {
    if (const json::Value* message = body->Find("errorMessage"); message && message->is_string()) {
      return message->as_string();
    }
  }
  return e.cause.empty() ? e.error : e.cause;
}

// KNIX matches ErrorEquals against the exception's message or its class name; "States.ALL" is
// not special.
bool KnixErrorMatches(const std::vector<std::string>& error_equals, const std::string& message,
                      const std::string& name) {
  return std::find(error_equals.begin(), error_equals.end(), message) != error_equals.end() ||
         std::find(error_equals.begin(), error_equals.end(), name) != error_equals.end();
}

json::Value KnixErrorObject(const std::string& message, const char* cause) {
  return json::Value::MakeObject(
      {{"Error", json::Value::String(message)}, {"Cause", json::Value::String(cause)}});
}

}  // namespace

// KNIX (FunctionWorker StateUtils.exec_function_catch_retry):
// - Retry: whatever the error, the task runs again at once, as many more times as the
//   MaxAttempts of the last retrier whose ErrorEquals names the first error (1 when none
//   does or it has no MaxAttempts), with no delay; if every attempt fails, the task's result is
//   {"Error": <the first error's message>, "Cause": "Error not caught by MFn ASL Workflow retryer"}
//   and the state goes on. Catch is then never used.
// - Catch (without Retry): the last catcher naming the error decides; the state goes on down
//   its own Next/End with {"Error": <message>, "Cause": "this error caught by MFn ASL Workflow
//   catcher!"} at the catcher's ResultPath, and the catcher's Next runs too, with the message
//   as its input. No catcher names it: the state fails.
void Execution::KnixTaskFailed(Frame& f, Error e) {
  const asl::State& state = f.current_state();
  if (!state.retry.empty()) {
    if (f.retry_count == 0) f.knix_first_error = e;
    const std::string first = KnixErrorMessage(f.knix_first_error);
    int64_t attempts = 1;
    for (const asl::Retrier& r : state.retry) {
      if (KnixErrorMatches(r.error_equals, first, f.knix_first_error.error)) {
        attempts = r.max_attempts_given ? r.max_attempts : 1;
      }
    }
    if (f.retry_count < attempts) {
      ++f.retry_count;
      f.phase = Phase::kAttempt;
      return;
    }
    return FinishWithResult(f,
                            KnixErrorObject(first, "Error not caught by MFn ASL Workflow retryer"));
  }
  const std::string message = KnixErrorMessage(e);
  const asl::Catcher* chosen = nullptr;
  for (const asl::Catcher& c : state.catchers) {
    if (KnixErrorMatches(c.error_equals, message, e.error)) chosen = &c;
  }
  if (chosen == nullptr) return FailFrame(f, std::move(e));
  Result<json::Value> out = ApplyResultPathField(
      chosen->result_path, f.raw_input,
      KnixErrorObject(message, "this error caught by MFn ASL Workflow catcher!"));
  if (!out.ok()) return FailFrame(f, std::move(out).error());
  f.knix_routes.emplace_back(chosen->next, json::Value::String(message));
  ExitState(f, std::move(out).value());
}

bool Execution::JoinsNoMore(const Frame& parallel) const {
  const asl::KnixState* knix = parallel.current_state().knix.get();
  return parallel.parent == nullptr && knix != nullptr && !knix->wait_for_num_branches.empty() &&
         static_cast<size_t>(knix->wait_for_num_branches.back()) <
             parallel.current_state().branches.size();
}

}  // namespace stator::engine
