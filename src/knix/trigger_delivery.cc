// Delivering what triggers set up (trigger_actions.cc): a timer's ticks (claimed by
// TimerTriggers), an AMQP trigger's messages (AmqpTriggers) and a write to a triggerable bucket
// start asynchronous executions of the associated deployed workflows, the way KNIX's
// TriggersFrontend and its Riak commit hook POST to a workflow's endpoint; and the management calls
// a KNIX function makes as its workflow's owner (context.addTrigger,
// context._invoke_management_api, ...).
//
// The events, as KNIX sends them:
//   timer    {"trigger_status": "ready", "trigger_type": "timer", "trigger_name": NAME,
//             "workflow_name": WF, "source": "", "data": ""}, to the association's
//             workflow_state when it names one (KNIX: x-mfn-action: trigger-event), else to the
//             workflow's start state (TriggersFrontend/src/timer_trigger.rs, utils.rs)
//   storage  {"trigger_type": "storage", "key": KEY, "value": VALUE, "source": BUCKET}, for each
//             key/value put, not for deletes (riak/src/workflow_triggers.erl)
//   amqp     {"trigger_status": "ready", "trigger_type": "amqp", "trigger_name": NAME,
//             "workflow_name": WF, "source": ROUTING_KEY, "data": BODY} for each message
//             (AmqpTriggers' consumers), at the association's workflow_state as a timer's; and
//             once when a consumer that was consuming loses its broker, trigger_status "error",
//             source "" and data "Error: WHY" (KNIX's management sends that one when its
//             frontend reports the trigger stopped: triggersFrontendStatus.py)
#include <iostream>

#include "common/random.h"
#include "knix/json_fields.h"
#include "knix/service.h"
#include "knix/triggers.h"

namespace stator::knix {
namespace {

// The definition with StartAt moved to `state`, or nullopt when it has no such state. KNIX's
// function context names a state as its queue topic "<sandbox>-<workflow id>-<state>": that
// form is understood too.
std::optional<std::string> DefinitionStartingAt(const std::string& definition,
                                                const std::string& workflow_id, std::string state) {
  auto v = json::Parse(definition);
  if (!v.ok() || !v->is_object()) return std::nullopt;
  const json::Value* states = v->Find("States");
  if (states == nullptr || !states->is_object()) return std::nullopt;
  if (states->Find(state) == nullptr) {
    const std::string marker = "-" + workflow_id + "-";
    size_t at = state.find(marker);
    if (at == std::string::npos) return std::nullopt;
    state = state.substr(at + marker.size());
    if (states->Find(state) == nullptr) return std::nullopt;
  }
  // KNIX's dialect (asl::CompileOptions::knix) allows states the new start does not reach.
  return v->With("StartAt", S(state)).Dump();
}

}  // namespace

void KnixService::StartTriggers() {
  timers_.Start();
  amqp_.Start();
}

void KnixService::StopTriggers() {
  amqp_.Stop();
  timers_.Stop();
}

void KnixService::StartTriggered(const WorkflowRecord& w, const std::string& state,
                                 const json::Value& event) {
  api::Executions::StartRequest r = StartRequestFor(w, /*express=*/false);
  if (!state.empty()) {
    std::optional<std::string> definition = DefinitionStartingAt(w.definition, w.id, state);
    if (!definition) return;  // KNIX: a topic no state listens on; nothing runs
    r.machine.config.definition = std::move(*definition);
    r.machine.revision_id = w.revision + "@" + state;  // another machine than the workflow's
  }
  r.input_text = event.Dump();
  r.input = event;
  r.name = RandomHex(16);
  executions_->StartStandard(std::move(r),
                             [workflow = w.id](ApiResult<api::Executions::Started> started) {
                               if (!started.ok()) {
                                 std::cerr << "stator: knix: a trigger could not start workflow "
                                           << workflow << ": " << started.error().message << "\n";
                               }
                             });
}

std::shared_ptr<const WorkflowRecord> KnixService::DeployedOf(const std::string& user,
                                                              const Association& a) {
  std::shared_ptr<const WorkflowRecord> w = a.id.empty() ? nullptr : Deployed(a.id);
  return w != nullptr && w->user == user ? w : nullptr;
}

void KnixService::DeliverTimer(const std::string& key) {
  DeliverTriggerEvent(key, "timer", "ready", "", "");
}

bool KnixService::AmqpActive(const std::string& key, const json::Value& trigger) {
  const std::string user = key.substr(0, key.find('/'));
  for (const Association& a : TriggerAssociations(user, trigger)) {
    if (DeployedOf(user, a) != nullptr) return true;
  }
  return false;
}

void KnixService::DeliverAmqp(const std::string& key, const std::string& routing_key,
                              const std::string& body) {
  DeliverTriggerEvent(key, "amqp", "ready", routing_key, body);
}

void KnixService::DeliverAmqpError(const std::string& key, const std::string& why) {
  std::cerr << "stator: knix: AMQP trigger " << key << ": " << why << "\n";
  DeliverTriggerEvent(key, "amqp", "error", "", "Error: " + why);
}

void KnixService::DeliverTriggerEvent(const std::string& key, const char* type, const char* status,
                                      const std::string& source, const std::string& data) {
  size_t slash = key.find('/');
  if (slash == std::string::npos) return;
  const std::string user = key.substr(0, slash);
  const std::string name = key.substr(slash + 1);
  auto record = store_->GetRecord(kTriggersKind, key);
  if (!record.ok() || !*record) return;
  auto trigger = json::Parse(**record);
  if (!trigger.ok() || Str(*trigger, "trigger_type") != type) return;
  for (const Association& a : TriggerAssociations(user, *trigger)) {
    std::shared_ptr<const WorkflowRecord> w = DeployedOf(user, a);
    if (w == nullptr) continue;
    json::Value event = json::Value::MakeObject({{"trigger_status", S(status)},
                                                 {"trigger_type", S(type)},
                                                 {"trigger_name", S(name)},
                                                 {"workflow_name", S(w->name)},
                                                 {"source", S(source)},
                                                 {"data", S(data)}});
    StartTriggered(*w, a.state, event);
  }
}

void KnixService::OnBucketWrite(const std::string& user, const std::string& bucket,
                                const std::string& key, const std::string& value) {
  auto record = store_->GetRecord("knix.buckets", user + "/" + bucket);
  if (!record.ok() || !*record) return;
  auto parsed = json::Parse(**record);
  if (!parsed.ok()) return;
  json::Value event = json::Value::MakeObject({{"trigger_type", S("storage")},
                                               {"key", S(key)},
                                               {"value", S(value)},
                                               {"source", S(bucket)}});
  for (const Association& a : BucketAssociations(user, *parsed)) {
    if (std::shared_ptr<const WorkflowRecord> w = DeployedOf(user, a))
      StartTriggered(*w, "", event);
  }
}

Result<json::Value> KnixService::ManagementAs(const std::string& workflow_id,
                                              const json::Value& request) {
  STATOR_TRY(std::optional<WorkflowRecord> w, catalog_.WorkflowById(workflow_id));
  if (!w) return Error{"ResourceNotFoundException", "no such workflow: " + workflow_id};
  STATOR_TRY(std::optional<User> user, users_.ById(w->user));
  if (!user) return Error{"ResourceNotFoundException", "the workflow's owner no longer exists"};
  const json::Value* action = Member(request, "action");
  const json::Value* data = Member(request, "data");
  ActionResult result = Fail("Unsupported action.");
  if (!IsString(action) || data == nullptr || !data->is_object()) {
    result = Fail("Invalid input parameters: ");
  } else if (action->as_string() == "version") {
    result = Data(options_.version);
  } else if (Action handler = FindAction(action->as_string())) {
    Call call{*user, *data, endpoint_};
    result = (this->*handler)(call);
  }
  return json::Parse(Envelope(result));
}

}  // namespace stator::knix
