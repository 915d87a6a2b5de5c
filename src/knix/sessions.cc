// Sessions: the registry of running session function instances and their platform calls.
//
// The calls (arguments and answers are JSON; every answer is {"v": the value} plus "w": a
// warning KNIX would log, which the runtime prints as "[WARNING] ..."):
//   session.send {"messages": [{"to": "id"|"name"|"alias"|"all", "target", "message"}]}
//       v: [instances reached, per message]
//   session.get {"count", "block"}           v: [messages]; with block, answered once count
//                                            messages (or the instance's end) arrived
//   session.running                          v: is_still_running()
//   session.set_alias {"alias"} / session.unset_alias / session.get_alias
//   session.set_function_alias {"alias", "id"?} / session.unset_function_alias {"id"?}
//   session.get_function_alias {"id"?} / session.function_aliases / session.alias_summary
//   session.function_id_with_alias {"alias"} / session.function_ids / session.metadata
#include "knix/sessions.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <utility>

#include "common/hash.h"
#include "common/random.h"

namespace stator::knix {
namespace {

using json::Value;

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double EpochMsFraction() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
             .count() /
         1000.0;
}

Error Invalid(const std::string& message) {
  return Error{"InvalidParameterValueException", message};
}

std::string StringArg(const Value& args, const char* name) {
  const Value* v = args.is_object() ? args.Find(name) : nullptr;
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}

Value Answer(Value v, const std::string& warning = "") {
  json::Object o;
  o.emplace_back("v", std::move(v));
  if (!warning.empty()) o.emplace_back("w", Value::String(warning));
  return Value::MakeObject(std::move(o));
}

Value StringOrNull(const std::string& s) { return s.empty() ? Value::Null() : Value::String(s); }

}  // namespace

struct Sessions::Instance {
  std::string id;
  std::string workflow_id;
  std::string session_id;
  std::string state_name;
  std::string execution_key;
  std::string alias;    // "" when none
  bool running = true;  // until --stop
  std::deque<Value> mailbox;
  // A blocked get: how many messages it waits for, what it has, its reply.
  size_t want = 0;
  Value got = Value::EmptyArray();
  functions::PlatformReply waiting;
  // Heartbeats: "" (none), "function" or "data_layer".
  std::string hb_method;
  std::string hb_function;
  int64_t hb_interval_ms = 10000;
  int64_t hb_last_ms = 0;  // steady clock
  int64_t hb_next_ms = 0;
  int route_calls = 0;  // heartbeats being routed now (End waits for them)
  Route route;
};

Sessions::Sessions(Options options, DataWriter writer)
    : options_(options), writer_(std::move(writer)) {
  heartbeat_thread_ = std::thread([this] { HeartbeatLoop(); });
}

Sessions::~Sessions() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    changed_.SignalAll();
  }
  heartbeat_thread_.join();
}

std::string Sessions::DeriveSessionId(const std::string& owner, const std::string& workflow_id,
                                      const std::string& execution_key) {
  return hash::HexDigest(hash::Algorithm::kSha256,
                         owner + "_" + workflow_id + "_" + workflow_id + "_" + execution_key);
}

size_t Sessions::running() const {
  MutexLock lock(&mu_);
  return instances_.size();
}

Result<Sessions::Caller> Sessions::Begin(BeginRequest r) {
  Caller caller;
  caller.workflow_id = r.workflow_id;
  if (r.input != nullptr && r.input->is_object()) {
    for (const char* name : {"sessionId", "session_id"}) {
      const Value* v = r.input->Find(name);
      if (v != nullptr && v->is_string() && !v->as_string().empty()) {
        caller.session_id = v->as_string();
        break;
      }
    }
  }
  if (caller.session_id.empty()) {
    caller.session_id = DeriveSessionId(r.owner, r.workflow_id, r.execution_key);
  }
  if (!r.session_function) return caller;
  auto inst = std::make_shared<Instance>();
  inst->id = hash::HexDigest(hash::Algorithm::kSha256,
                             r.state_name + "_" + r.execution_key + "_" + RandomHex(8));
  inst->workflow_id = r.workflow_id;
  inst->session_id = caller.session_id;
  inst->state_name = r.state_name;
  inst->execution_key = r.execution_key;
  inst->route = std::move(r.route);
  const Value* method = r.parameters.is_object() ? r.parameters.Find("heartbeat_method") : nullptr;
  if (method != nullptr && !(method->is_string() && (method->as_string() == "function" ||
                                                     method->as_string() == "data_layer"))) {
    return Error{"KnixSessionFunctionError", "Unsupported heartbeat method for session function."};
  }
  MutexLock lock(&mu_);
  if (instances_.size() >= options_.max_instances) {
    return Error{"KnixSessionLimitExceeded",
                 "too many session function instances run on this server (at most " +
                     std::to_string(options_.max_instances) + ")"};
  }
  SetHeartbeatLocked(inst.get(), r.parameters, SteadyMs());
  inst->hb_next_ms = inst->hb_last_ms;  // the first heartbeat as the instance starts
  Session& s = sessions_[inst->session_id];
  s.workflow_id = r.workflow_id;
  s.instances.push_back(inst->id);
  caller.instance_id = inst->id;
  instances_.emplace(inst->id, std::move(inst));
  changed_.SignalAll();
  return caller;
}

void Sessions::End(const Caller& caller) {
  if (caller.instance_id.empty()) return;
  functions::PlatformReply waiting;
  {
    MutexLock lock(&mu_);
    auto it = instances_.find(caller.instance_id);
    if (it == instances_.end()) return;
    std::shared_ptr<Instance> inst = it->second;
    instances_.erase(it);
    inst->running = false;
    waiting = std::move(inst->waiting);
    if (inst->hb_method == "data_layer") {
      deletes_.emplace_back(inst->workflow_id, "heartbeat_" + inst->session_id + "_" + inst->id);
    }
    auto s = sessions_.find(inst->session_id);
    if (s != sessions_.end()) {
      auto& ids = s->second.instances;
      ids.erase(std::remove(ids.begin(), ids.end(), inst->id), ids.end());
      if (!inst->alias.empty()) s->second.aliases.erase(inst->alias);
      if (ids.empty()) {
        if (!s->second.alias.empty()) {
          session_aliases_.erase({s->second.workflow_id, s->second.alias});
        }
        sessions_.erase(s);
      }
    }
    changed_.SignalAll();
    // The route must not be used once the Task is done: wait for a heartbeat routed now.
    while (inst->route_calls > 0) changed_.Wait(&mu_);
  }
  if (waiting) waiting(Value::Null());  // (the invocation is over: the runtime drops it)
}

void Sessions::Serve(const Caller& caller, const std::string& call, const json::Value& args,
                     functions::PlatformReply reply) {
  Pending pending;
  Result<Value> r = Value::Null();
  {
    MutexLock lock(&mu_);
    r = ServeLocked(caller, call, args, &reply, &pending);
  }
  for (auto& [to, result] : pending) to(std::move(result));
  if (reply) reply(std::move(r));  // else a blocked get keeps it
}

bool Sessions::DeliverLocked(const std::string& id, const Value& msg, Pending* pending) {
  auto it = instances_.find(id);
  if (it == instances_.end()) return false;
  Instance* inst = it->second.get();
  if (!inst->running) return false;
  const Value* action = msg.is_object() ? msg.Find("action") : nullptr;
  if (action != nullptr && action->is_string()) {
    if (action->as_string() == "--stop") {
      StopLocked(inst, pending);
      return true;
    }
    if (action->as_string() == "--update-heartbeat") {
      const Value* p = msg.Find("heartbeat_parameters");
      SetHeartbeatLocked(inst, p != nullptr ? *p : Value::Null(), SteadyMs());
      changed_.SignalAll();
      return true;
    }
  }
  if (inst->waiting) {
    inst->got = inst->got.Append(msg);
    if (inst->got.as_array().size() >= inst->want) {
      pending->emplace_back(std::move(inst->waiting), Answer(std::move(inst->got)));
      inst->waiting = nullptr;
      inst->got = Value::EmptyArray();
    }
    return true;
  }
  if (inst->mailbox.size() >= options_.max_mailbox) return false;
  inst->mailbox.push_back(msg);
  return true;
}

void Sessions::EndExecution(const std::string& execution_key) {
  Pending pending;
  {
    MutexLock lock(&mu_);
    for (auto& [id, inst] : instances_) {
      if (inst->execution_key == execution_key && inst->running) StopLocked(inst.get(), &pending);
    }
  }
  for (auto& [reply, result] : pending) reply(std::move(result));
}

void Sessions::StopLocked(Instance* inst, Pending* pending) {
  inst->running = false;
  // As KNIX: the end of the instance's message stream is a null message.
  if (inst->waiting) {
    pending->emplace_back(std::move(inst->waiting), Answer(inst->got.Append(Value::Null())));
    inst->waiting = nullptr;
    inst->got = Value::EmptyArray();
  } else {
    inst->mailbox.push_back(Value::Null());
  }
  changed_.SignalAll();
}

void Sessions::SetHeartbeatLocked(Instance* inst, const Value& params, int64_t now_ms) {
  const Value* method = params.is_object() ? params.Find("heartbeat_method") : nullptr;
  if (method == nullptr || !method->is_string()) {
    if (inst->hb_last_ms == 0) inst->hb_last_ms = now_ms;
    return;  // as KNIX: parameters without a method change nothing
  }
  const std::string& m = method->as_string();
  if (m != "function" && m != "data_layer") return;
  if (inst->hb_method == "data_layer" && m != "data_layer") {
    deletes_.emplace_back(inst->workflow_id, "heartbeat_" + inst->session_id + "_" + inst->id);
  }
  if (m == "function") {
    const Value* fn = params.Find("heartbeat_function");
    if (fn != nullptr && fn->is_string()) inst->hb_function = fn->as_string();
  }
  inst->hb_method = m;
  const Value* interval = params.Find("heartbeat_interval_ms");
  if (interval != nullptr && interval->is_number() && interval->as_double() >= 1) {
    inst->hb_interval_ms = static_cast<int64_t>(interval->as_double());
  }
  if (inst->hb_last_ms == 0) inst->hb_last_ms = now_ms;
  inst->hb_next_ms = std::max(now_ms, inst->hb_last_ms + inst->hb_interval_ms);
}

std::vector<std::string> Sessions::TargetsLocked(const Caller& caller, const std::string& to,
                                                 const std::string& target) {
  std::vector<std::string> ids;
  auto s = sessions_.find(caller.session_id);
  if (s == sessions_.end()) return ids;
  if (to == "id") {
    for (const std::string& id : s->second.instances) {
      if (id == target) ids.push_back(id);
    }
  } else if (to == "alias") {
    auto a = s->second.aliases.find(target);
    if (a != s->second.aliases.end()) ids.push_back(a->second);
  } else {
    for (const std::string& id : s->second.instances) {
      if (to == "all" || instances_.at(id)->state_name == target) ids.push_back(id);
    }
  }
  return ids;
}

Value Sessions::AliasSummaryLocked(const Caller& caller) {
  json::Object functions;
  std::string session_alias;
  if (auto s = sessions_.find(caller.session_id); s != sessions_.end()) {
    session_alias = s->second.alias;
    for (const std::string& id : s->second.instances) {
      functions.emplace_back(id, Value::String(instances_.at(id)->alias));
    }
  }
  json::Object session;
  session.emplace_back(caller.session_id, Value::String(session_alias));
  return Value::MakeObject({{"session", Value::MakeObject(std::move(session))},
                            {"session_functions", Value::MakeObject(std::move(functions))}});
}

Result<Value> Sessions::ServeLocked(const Caller& caller, const std::string& call,
                                    const Value& args, functions::PlatformReply* reply,
                                    Pending* pending) {
  auto self = instances_.find(caller.instance_id);
  Instance* me = self == instances_.end() ? nullptr : self->second.get();
  auto session = sessions_.find(caller.session_id);
  Session* s = session == sessions_.end() ? nullptr : &session->second;
  // The instance an {"id"?} argument names (the caller's own without one), in this session.
  auto named = [&](const char* what) REQUIRES(mu_) -> std::pair<Instance*, std::string> {
    const Value* id = args.is_object() ? args.Find("id") : nullptr;
    if (id == nullptr || id->is_null()) return {me, ""};
    std::string want = id->is_string() ? id->as_string() : id->Dump();
    auto it = instances_.find(want);
    if (it == instances_.end() || it->second->session_id != caller.session_id) {
      return {nullptr,
              "Cannot find session function with id: " + want + " for " + what + " its alias."};
    }
    return {it->second.get(), ""};
  };

  if (call == "session.send") {
    const Value* messages = args.is_object() ? args.Find("messages") : nullptr;
    if (messages == nullptr || !messages->is_array()) {
      return Invalid("session.send takes {messages: [{to, target, message}]}");
    }
    json::Array reached;
    for (const Value& m : messages->as_array()) {
      const Value* msg = m.is_object() ? m.Find("message") : nullptr;
      int64_t n = 0;
      if (msg != nullptr) {
        for (const std::string& id :
             TargetsLocked(caller, StringArg(m, "to"), StringArg(m, "target"))) {
          n += DeliverLocked(id, *msg, pending) ? 1 : 0;
        }
      }
      reached.push_back(Value::Int(n));
    }
    return Answer(Value::MakeArray(std::move(reached)));
  }
  if (call == "session.get") {
    if (me == nullptr) return Answer(Value::EmptyArray());
    const Value* c = args.is_object() ? args.Find("count") : nullptr;
    const Value* b = args.is_object() ? args.Find("block") : nullptr;
    int64_t count = c != nullptr && c->is_int() ? c->as_int() : 1;
    bool block = b != nullptr && b->is_bool() && b->as_bool();
    json::Array got;
    while (count > 0 && static_cast<int64_t>(got.size()) < count && !me->mailbox.empty()) {
      got.push_back(std::move(me->mailbox.front()));
      me->mailbox.pop_front();
    }
    if (!block || static_cast<int64_t>(got.size()) >= count || !me->running) {
      return Answer(Value::MakeArray(std::move(got)));
    }
    if (me->waiting) return Invalid("a blocking get is already waiting");
    me->want = static_cast<size_t>(count);
    me->got = Value::MakeArray(std::move(got));
    me->waiting = std::move(*reply);
    *reply = nullptr;
    return Value::Null();
  }
  if (call == "session.running") return Answer(Value::Bool(me != nullptr && me->running));
  if (call == "session.set_alias") {
    std::string alias = StringArg(args, "alias");
    if (alias.empty()) return Invalid("Session alias cannot be empty.");
    if (s == nullptr) {
      return Answer(Value::Null(),
                    "Cannot set an alias for a session with no running session function "
                    "instances.");
    }
    auto key = std::make_pair(caller.workflow_id, alias);
    auto owner = session_aliases_.find(key);
    if (owner != session_aliases_.end() && owner->second != caller.session_id) {
      return Answer(Value::Null(), "Cannot overwrite alias (" + alias +
                                       ") that is in use by another session (existing session "
                                       "id: " +
                                       owner->second + ").");
    }
    if (!s->alias.empty()) session_aliases_.erase({caller.workflow_id, s->alias});
    s->alias = alias;
    session_aliases_[key] = caller.session_id;
    return Answer(Value::Null());
  }
  if (call == "session.unset_alias") {
    if (s != nullptr && !s->alias.empty()) {
      session_aliases_.erase({caller.workflow_id, s->alias});
      s->alias.clear();
    }
    return Answer(Value::Null());
  }
  if (call == "session.get_alias") return Answer(StringOrNull(s != nullptr ? s->alias : ""));
  if (call == "session.set_function_alias") {
    std::string alias = StringArg(args, "alias");
    if (alias.empty()) return Invalid("Session function alias cannot be empty.");
    auto [inst, warning] = named("setting");
    if (inst == nullptr || s == nullptr) {
      return Answer(Value::Null(), warning.empty() ? "Cannot set a session function alias in "
                                                     "a non-session function."
                                                   : warning);
    }
    auto owner = s->aliases.find(alias);
    if (owner != s->aliases.end() && owner->second != inst->id) {
      return Answer(Value::Null(), "Cannot use alias (" + alias +
                                       ") that is in use by another session function (existing "
                                       "session function id: " +
                                       owner->second + ").");
    }
    if (!inst->alias.empty()) s->aliases.erase(inst->alias);
    inst->alias = alias;
    s->aliases[alias] = inst->id;
    return Answer(Value::Null());
  }
  if (call == "session.unset_function_alias") {
    auto [inst, warning] = named("unsetting");
    if (inst == nullptr || s == nullptr) return Answer(Value::Null(), warning);
    if (!inst->alias.empty()) s->aliases.erase(inst->alias);
    inst->alias.clear();
    return Answer(Value::Null());
  }
  if (call == "session.get_function_alias") {
    auto [inst, warning] = named("getting");
    if (inst == nullptr) return Answer(Value::Null(), warning);
    return Answer(StringOrNull(inst->alias));
  }
  if (call == "session.function_aliases") {
    json::Object aliases;
    if (s != nullptr) {
      for (const auto& [alias, id] : s->aliases) aliases.emplace_back(alias, Value::String(id));
    }
    return Answer(Value::MakeObject(std::move(aliases)));
  }
  if (call == "session.alias_summary") return Answer(AliasSummaryLocked(caller));
  if (call == "session.function_id_with_alias") {
    const Value* alias = args.is_object() ? args.Find("alias") : nullptr;
    if (alias == nullptr || alias->is_null()) return Answer(StringOrNull(caller.instance_id));
    if (s == nullptr || !alias->is_string()) return Answer(Value::Null());
    auto it = s->aliases.find(alias->as_string());
    return Answer(it == s->aliases.end() ? Value::Null() : Value::String(it->second));
  }
  if (call == "session.function_ids") {
    json::Array ids;
    if (s != nullptr) {
      for (const std::string& id : s->instances) ids.push_back(Value::String(id));
    }
    return Answer(Value::MakeArray(std::move(ids)));
  }
  if (call == "session.metadata") {
    json::Object all;
    if (s != nullptr) {
      for (const std::string& id : s->instances) {
        const Instance& i = *instances_.at(id);
        Value m = Value::MakeObject(
            {{"hostname", Value::String("stator")},
             {"sandboxId", Value::String(i.workflow_id)},
             {"workflowId", Value::String(i.workflow_id)},
             {"sessionId", Value::String(i.session_id)},
             {"functionName", Value::String(i.state_name)},
             {"communicationTopic", Value::String("SessionFunctionUpdateTopic_" + i.id)},
             {"remote_address", Value::String("")}});
        all.emplace_back(id, Value::String(m.Dump()));
      }
    }
    return Answer(Value::MakeObject(std::move(all)));
  }
  return Invalid("unknown platform call " + call);
}

Sessions::Workflow Sessions::WorkflowOf(const std::string& id, const std::string& revision,
                                        const std::string& definition) {
  {
    MutexLock lock(&workflows_mu_);
    auto it = workflows_.find(id);
    if (it != workflows_.end() && it->second.first == revision) return it->second.second;
  }
  Workflow w;
  w.timeout_ms = options_.default_timeout_ms;
  if (auto parsed = json::Parse(definition); parsed.ok() && parsed->is_object()) {
    const Value* timeout = parsed->Find("TimeoutSeconds");
    if (timeout != nullptr && timeout->is_int() && timeout->as_int() > 0) {
      w.timeout_ms = timeout->as_int() * 1000;
    }
    const Value* states = parsed->Find("States");
    if (states != nullptr && states->is_object()) {
      for (const auto& [name, state] : states->as_object()) {
        const Value* f = state.is_object() ? state.Find("SessionFunction") : nullptr;
        if (f != nullptr && f->is_bool() && f->as_bool()) w.session_workflow = true;
      }
    }
  }
  MutexLock lock(&workflows_mu_);
  workflows_[id] = {revision, w};
  return w;
}

void Sessions::HeartbeatLoop() {
  struct Due {
    std::shared_ptr<Instance> inst;
    bool function;
    std::string target;  // the heartbeat function, or the data-layer key
    Value message;
  };
  MutexLock lock(&mu_);
  while (!stopping_) {
    int64_t now = SteadyMs();
    int64_t next = INT64_MAX;
    std::vector<Due> due;
    for (auto& [id, inst] : instances_) {
      if (inst->hb_method.empty() || !inst->running) continue;
      if (inst->hb_next_ms <= now) {
        inst->hb_last_ms = now;
        inst->hb_next_ms = now + inst->hb_interval_ms;
        Value message = Value::MakeObject({{"session_id", Value::String(inst->session_id)},
                                           {"session_function_id", Value::String(inst->id)},
                                           {"timestamp", Value::Double(EpochMsFraction())},
                                           {"action", Value::String("--heartbeat")}});
        bool function = inst->hb_method == "function";
        if (function && !inst->hb_function.empty() && inst->route) {
          ++inst->route_calls;
          due.push_back({inst, true, inst->hb_function, std::move(message)});
        } else if (!function) {
          due.push_back(
              {inst, false, "heartbeat_" + inst->session_id + "_" + inst->id, std::move(message)});
        }
      }
      next = std::min(next, inst->hb_next_ms);
    }
    std::vector<std::pair<std::string, std::string>> deletes;
    deletes.swap(deletes_);
    if (due.empty() && deletes.empty()) {
      if (next == INT64_MAX) {
        changed_.Wait(&mu_);
      } else {
        changed_.WaitUntil(&mu_,
                           std::chrono::steady_clock::time_point(std::chrono::milliseconds(next)));
      }
      continue;
    }
    lock.Unlock();
    for (Due& d : due) {
      if (d.function) {
        (void)d.inst->route(d.target, std::move(d.message), engine::KnixRoute::kPlatform);
      } else if (writer_) {
        writer_(d.inst->workflow_id, d.target, d.message.Dump());
      }
    }
    for (auto& [workflow, key] : deletes) {
      if (writer_) writer_(workflow, key, std::nullopt);
    }
    lock.Lock();
    for (Due& d : due) {
      if (d.function) --d.inst->route_calls;
    }
    changed_.SignalAll();
  }
}

}  // namespace stator::knix
