// Sessions: KNIX's session functions (shared/design/knix-protocol.md §3.2, docs/knix.md
// "Session functions"): the registry of the session function instances that run now, per
// session, and what their platform calls ("session.*") do.
//
// A KNIX workflow with a SessionFunction state is a session workflow. Each Task invocation of
// such a workflow belongs to a session: the one its input names (a non-empty string
// `sessionId`, else `session_id`), else sha256("<owner>_<workflow>_<workflow>_<key>") with key
// the execution's id (KNIX's uid_sandbox_workflow_key: every invocation of one execution
// derives the same session). An invocation of a SessionFunction state is a session function
// instance: Begin registers it under a new id (sha256 of state, key and a random number) before
// it runs, End removes it once its invocation is over. While registered it can be sent messages
// (by id, by state name, by alias, to the whole session), by its own session, other functions
// of its execution and other executions of the workflow that join the session; it reads them
// with "session.get" (blocking or not: a blocking get is answered later, when the messages
// have arrived, never by holding a thread). The platform handles two messages itself:
// {"action": "--stop"} (is_still_running turns false, heartbeats stop, a blocked get is
// answered with what it has and a null) and {"action": "--update-heartbeat",
// "heartbeat_parameters": {...}}. Heartbeats ({session_id, session_function_id, timestamp,
// action: "--heartbeat"}) are sent every heartbeat_interval_ms from the instance's start,
// on a thread of this registry: to the heartbeat_function state through the instance's route
// (engine::KnixRoute::kPlatform), or (heartbeat_method "data_layer") written to the key
// heartbeat_<session>_<instance> of the workflow's private data (deleted when the instance
// ends).
//
// Bounds: at most Options::max_instances instances at once (Begin refuses more), at most
// Options::max_mailbox undelivered messages per instance (more are not delivered), session
// aliases only for sessions with running instances (dropped with the last one).
//
// Nothing here is durable: a server that stops takes its instances with it (their sandboxes
// die with the server) and every session with them.
//
// Ownership: owns its registry and its heartbeat thread (joined in the destructor); borrows the
// routes it is given (each valid until its instance's End) and the heartbeat writer.
// Thread-safety: every method may be called from any thread. Platform replies and routes are
// called with no lock of this class held.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/json.h"
#include "common/mutex.h"
#include "common/result.h"
#include "engine/execution.h"
#include "functions/runtime.h"

namespace stator::knix {

class Sessions {
 public:
  struct Options {
    size_t max_instances = 1000;  // running session function instances, server-wide
    size_t max_mailbox = 10000;   // undelivered messages per instance
    // A session function invocation's time limit when its workflow declares no TimeoutSeconds
    // (instead of its function's Lambda timeout).
    int64_t default_timeout_ms = 24LL * 3600 * 1000;
  };
  using Route = decltype(engine::TaskRequest::route);
  // Writes (a value) or deletes (nullopt) a key of a workflow's private data: data_layer
  // heartbeats. Called on the registry's thread; may block.
  using DataWriter = std::function<void(const std::string& workflow_id, const std::string& key,
                                        const std::optional<std::string>& value)>;

  Sessions(Options options, DataWriter writer);
  ~Sessions();
  Sessions(const Sessions&) = delete;
  Sessions& operator=(const Sessions&) = delete;

  // What an invocation of a session workflow's function is, for its platform calls.
  struct Caller {
    std::string workflow_id;
    std::string session_id;
    std::string instance_id;  // a session function instance's id; "" for other functions
  };

  struct BeginRequest {
    std::string workflow_id;
    std::string owner;          // the workflow's user id
    std::string execution_key;  // the execution's id (32 hex digits)
    std::string state_name;
    const json::Value* input = nullptr;  // the function's input (sessionId, session_id)
    bool session_function = false;
    json::Value parameters;  // SessionFunctionParameters (null: none)
    Route route;             // the Task's route (heartbeats to the heartbeat function)
  };
  // Registers a session function instance (session_function), or only works out the session
  // of another function. Errors: "KnixSessionLimitExceeded" (max_instances instances run).
  Result<Caller> Begin(BeginRequest request) EXCLUDES(mu_);
  // The instance's invocation is over: it leaves the registry (its function alias too); a
  // heartbeat in flight through its route is waited for. No effect for other callers.
  void End(const Caller& caller) EXCLUDES(mu_);
  // The execution (its id, BeginRequest::execution_key) has ended: every instance it still runs
  // is stopped as by a `--stop` message (is_still_running() turns false, its message stream
  // ends), so that its handler returns.
  void EndExecution(const std::string& execution_key) EXCLUDES(mu_);

  static bool IsSessionCall(std::string_view call) { return call.starts_with("session."); }
  // Serves one "session.*" platform call of caller (see sessions.cc for the calls); replies
  // once, now or later (a blocking get).
  void Serve(const Caller& caller, const std::string& call, const json::Value& args,
             functions::PlatformReply reply) EXCLUDES(mu_);

  // The session id KNIX derives for an execution of a workflow (no sessionId in the input).
  static std::string DeriveSessionId(const std::string& owner, const std::string& workflow_id,
                                     const std::string& execution_key);

  size_t running() const EXCLUDES(mu_);  // registered instances

  // What sessions need to know of a deployed workflow (its engine definition, parsed once per
  // revision): whether it has a session function, and the time limit of its session function
  // invocations (its TimeoutSeconds, else Options::default_timeout_ms).
  struct Workflow {
    bool session_workflow = false;
    int64_t timeout_ms = 0;
  };
  Workflow WorkflowOf(const std::string& id, const std::string& revision,
                      const std::string& definition) EXCLUDES(workflows_mu_);

 private:
  struct Instance;
  struct Session {
    std::string workflow_id;
    std::vector<std::string> instances;          // ids, in the order they began
    std::map<std::string, std::string> aliases;  // function alias -> instance id
    std::string alias;                           // the session's alias, "" when none
  };
  // A reply to make once mu_ is released.
  using Pending = std::vector<std::pair<functions::PlatformReply, Result<json::Value>>>;

  Result<json::Value> ServeLocked(const Caller& caller, const std::string& call,
                                  const json::Value& args, functions::PlatformReply* reply,
                                  Pending* pending) REQUIRES(mu_);
  // Delivers msg to instance id (special messages are handled); false when it does not run or
  // its mailbox is full.
  bool DeliverLocked(const std::string& id, const json::Value& msg, Pending* pending) REQUIRES(mu_);
  void StopLocked(Instance* inst, Pending* pending) REQUIRES(mu_);
  void SetHeartbeatLocked(Instance* inst, const json::Value& params, int64_t now_ms) REQUIRES(mu_);
  std::vector<std::string> TargetsLocked(const Caller& caller, const std::string& to,
                                         const std::string& target) REQUIRES(mu_);
  json::Value AliasSummaryLocked(const Caller& caller) REQUIRES(mu_);
  void HeartbeatLoop() EXCLUDES(mu_);

  const Options options_;
  const DataWriter writer_;
  mutable Mutex mu_;
  CondVar changed_;  // a heartbeat became due earlier, a route call ended, or stopping_
  bool stopping_ GUARDED_BY(mu_) = false;
  std::unordered_map<std::string, std::shared_ptr<Instance>> instances_ GUARDED_BY(mu_);
  std::unordered_map<std::string, Session> sessions_ GUARDED_BY(mu_);
  // Session aliases, per workflow: (workflow, alias) -> session id.
  std::map<std::pair<std::string, std::string>, std::string> session_aliases_ GUARDED_BY(mu_);
  // data_layer heartbeat keys to delete (workflow, key): their instances ended.
  std::vector<std::pair<std::string, std::string>> deletes_ GUARDED_BY(mu_);
  std::thread heartbeat_thread_;
  Mutex workflows_mu_;
  // Per workflow id: the revision read and what it says.
  std::unordered_map<std::string, std::pair<std::string, Workflow>> workflows_
      GUARDED_BY(workflows_mu_);
};

}  // namespace stator::knix
