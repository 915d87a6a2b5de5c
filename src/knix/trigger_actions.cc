// Triggers and triggerable buckets (knix-protocol.md §1.7): the management actions. What they
// set up is delivered by trigger_delivery.cc (timer ticks through TimerTriggers, AMQP messages
// through AmqpTriggers, bucket writes through OnBucketWrite).
//
// Records:
//   knix.triggers  USER/NAME    {"trigger_id", "trigger_type", "trigger_info",
//                                "associated_workflows": [{workflow_name, workflow_id,
//                                workflow_state}]}
//   knix.buckets   USER/NAME    {"workflows": [{"name", "id"}]}
//   knix.trigger_ticks USER/NAME  TimerTriggers' tick state (triggers.h)
//
// An association names the workflow by id: it is *active* while that workflow is deployed (KNIX
// hands the deployed workflow's endpoint to its TriggersFrontend or bucket metadata, and takes
// it back at undeploy; a redeploy hands it again). A deleted workflow's associations stay
// inactive for good: a new workflow of the same name is another id. getTriggerDetails and
// getTriggerableBuckets list the active associations, as KNIX's do; getWorkflowDetails lists
// every association of the workflow (KNIX's associatedTriggers / associatedTriggerableTables).
#include "common/random.h"
#include "knix/json_fields.h"
#include "knix/service.h"
#include "knix/triggers.h"

namespace stator::knix {
namespace {

using store::RecordWrite;

constexpr const char* kBuckets = "knix.buckets";

Result<std::optional<json::Value>> LoadJson(store::Store* store, const char* kind,
                                            const std::string& key) {
  STATOR_TRY(std::optional<std::string> text, store->GetRecord(kind, key));
  if (!text) return std::optional<json::Value>();
  STATOR_TRY(json::Value v, json::Parse(*text));
  return std::optional<json::Value>(std::move(v));
}

bool IsInt(const json::Value* v) { return v != nullptr && v->is_int(); }

// KNIX's validate_and_get_trigger_info (ManagementService/python/addTrigger.py) and its
// TriggersFrontend's own check of the interval: what is wrong with a trigger_info, or "".
std::string CheckTriggerInfo(const json::Value& info) {
  const json::Value* type = Member(info, "trigger_type");
  if (!IsString(type)) return "trigger_type is missing or is not a string";
  if (type->as_string() == "timer") {
    const json::Value* interval = info.Find("timer_interval_ms");
    if (!IsInt(interval)) return "timer_interval_ms is missing or is not an integer";
    if (interval->as_int() < kMinTimerIntervalMs) return "Timer interval must be >= 20ms";
    return "";
  }
  if (type->as_string() == "amqp") {
    for (const char* key : {"amqp_addr", "routing_key"}) {
      if (!IsString(info.Find(key))) return std::string(key) + " is missing or is not a string";
    }
    if (const json::Value* e = info.Find("exchange"); e != nullptr && !e->is_string()) {
      return "exchange is not a string";
    }
    for (const char* key : {"auto_ack", "durable", "exclusive"}) {
      if (const json::Value* b = info.Find(key); b != nullptr && !b->is_bool()) {
        return std::string(key) + " is not a boolean";
      }
    }
    if (const json::Value* p = info.Find("ignore_message_probability"); p != nullptr) {
      double d = p->is_double() ? p->as_double() : -1;
      if (!p->is_double() || d < 0.0 || d >= 100.0) {
        return "ignore_message_probability is not a float in the range [0.0, 100.0)";
      }
    }
    return "";
  }
  return "unknown trigger type: " + type->as_string();
}

std::string Key(const std::string& user, const std::string& name) { return user + "/" + name; }

// The workflow id an association entry names: its workflow_id, or (records written before
// associations kept ids) the id of the user's workflow of that name.
std::string AssociatedId(Catalog& catalog, const std::string& user, const json::Value& entry,
                         const char* id_field, const char* name_field) {
  std::string id = Str(entry, id_field);
  if (!id.empty()) return id;
  std::string name = entry.is_string() ? entry.as_string() : Str(entry, name_field);
  auto all = catalog.Workflows(user);
  if (!all.ok()) return "";
  for (const WorkflowRecord& w : *all) {
    if (w.name == name) return w.id;
  }
  return "";
}

}  // namespace

std::optional<WorkflowRecord> KnixService::WorkflowNamed(const std::string& user,
                                                         const std::string& name) {
  auto all = catalog_.Workflows(user);
  if (!all.ok()) return std::nullopt;
  for (WorkflowRecord& w : *all) {
    if (w.name == name) return std::move(w);
  }
  return std::nullopt;
}

std::vector<KnixService::Association> KnixService::TriggerAssociations(const std::string& user,
                                                                       const json::Value& trigger) {
  std::vector<Association> out;
  if (const json::Value* a = Member(trigger, "associated_workflows"); a && a->is_array()) {
    for (const json::Value& entry : a->as_array()) {
      out.push_back({Str(entry, "workflow_name"),
                     AssociatedId(catalog_, user, entry, "workflow_id", "workflow_name"),
                     Str(entry, "workflow_state")});
    }
  }
  return out;
}

std::vector<KnixService::Association> KnixService::BucketAssociations(const std::string& user,
                                                                      const json::Value& bucket) {
  std::vector<Association> out;
  if (const json::Value* a = Member(bucket, "workflows"); a && a->is_array()) {
    for (const json::Value& entry : a->as_array()) {
      std::string name = entry.is_string() ? entry.as_string() : Str(entry, "name");
      out.push_back({name, AssociatedId(catalog_, user, entry, "id", "name"), ""});
    }
  }
  return out;
}

ActionResult KnixService::AddTrigger(const Call& c) {
  std::string name = Str(c.data, "trigger_name");
  const json::Value* info = c.data.Find("trigger_info");
  if (name.empty() || info == nullptr) {
    return Fail(
        "Couldn't create the trigger; Couldn't add trigger; either user email or trigger_name "
        "or trigger_info is missing");
  }
  if (!info->is_object()) {
    return Fail("Couldn't create the trigger; Invalid trigger_info object: not a dictionary");
  }
  if (std::string bad = CheckTriggerInfo(*info); !bad.empty()) {
    return Fail("Couldn't create the trigger; Invalid trigger_info object: " + bad);
  }
  const std::string trigger_id = c.user.id + "_" + name;
  json::Value record =
      json::Value::MakeObject({{"trigger_id", S(trigger_id)},
                               {"trigger_type", S(Str(*info, "trigger_type"))},
                               {"trigger_info", *info},
                               {"associated_workflows", json::Value::EmptyArray()}});
  Status s = store_->WriteRecords({RecordWrite::Put(
      kTriggersKind, Key(c.user.id, name), record.Dump(), RecordWrite::Condition::kAbsent)});
  if (!s.ok()) {
    if (s.error().error == store::kConditionFailed) {
      return Data("Not creating trigger again. Trigger " + name + " already exists.");
    }
    return Fail("Couldn't create the trigger; " + s.error().cause);
  }
  amqp_.Changed(Key(c.user.id, name));
  return Data("Trigger created successfully. Message: Trigger " + trigger_id +
              " created, details: " + record.Dump());
}

ActionResult KnixService::DeleteTrigger(const Call& c) {
  std::string name = Str(c.data, "trigger_name");
  const std::string key = Key(c.user.id, name);
  auto found = LoadJson(store_, kTriggersKind, key);
  if (!found.ok()) return Fail("Couldn't delete the trigger; " + found.error().cause);
  if (!*found) return Fail("Couldn't delete the trigger; Could not find Trigger " + name);
  Status s = store_->WriteRecords(
      {RecordWrite::Delete(kTriggersKind, key), RecordWrite::Delete(kTriggerTicksKind, key)});
  if (!s.ok()) return Fail("Couldn't delete the trigger; " + s.error().cause);
  timers_.Changed(key);
  amqp_.Changed(key);
  return Data("Trigger deleted successfully.");
}

ActionResult KnixService::GetTriggerDetails(const Call& c) {
  const json::Value* names = c.data.Find("trigger_names");
  std::vector<std::string> wanted;
  if (names != nullptr && names->is_array()) {
    for (const json::Value& n : names->as_array()) {
      if (n.is_string()) wanted.push_back(n.as_string());
    }
  }
  if (wanted.empty()) {
    auto all = store_->ListRecords(kTriggersKind, c.user.id + "/", "", 1000);
    if (!all.ok()) return Fail("Couldn't get details for triggers; " + all.error().cause);
    for (const store::Record& r : all->items) wanted.push_back(r.key.substr(c.user.id.size() + 1));
  }
  json::Object details;
  for (const std::string& name : wanted) {
    const std::string key = Key(c.user.id, name);
    auto found = LoadJson(store_, kTriggersKind, key);
    if (!found.ok() || !*found) {
      details.emplace_back(name, json::Value::MakeObject({{"trigger_status", S("non_existent")},
                                                          {"trigger_id", S(c.user.id + "_" + name)},
                                                          {"status_msg", S("Trigger not found")}}));
      continue;
    }
    const json::Value& t = **found;
    // The active associations: deployed workflows, with their endpoints.
    json::Array active;
    for (const Association& a : TriggerAssociations(c.user.id, t)) {
      std::shared_ptr<const WorkflowRecord> w = DeployedOf(c.user.id, a);
      if (w == nullptr) continue;
      active.push_back(
          json::Value::MakeObject({{"workflow_name", S(w->name)},
                                   {"workflow_url", S(c.base_url + kWorkflowPathPrefix + w->id)},
                                   {"workflow_state", S(a.state)}}));
    }
    const json::Value* info = t.Find("trigger_info");
    AmqpTriggers::Status status{"ready", "", 0};
    if (Str(t, "trigger_type") == "amqp") {
      status = amqp_.StatusOf(key, info ? *info : json::Value::EmptyObject());
    } else {
      auto count = timers_.Count(key);
      status.count = count.ok() ? *count : 0;
    }
    details.emplace_back(name,
                         json::Value::MakeObject(
                             {{"trigger_id", S(Str(t, "trigger_id"))},
                              {"trigger_status", S(status.status)},
                              {"trigger_type", S(Str(t, "trigger_type"))},
                              {"trigger_count", json::Value::Int(status.count)},
                              {"associated_workflows", json::Value::MakeArray(std::move(active))},
                              {"trigger_info", info ? *info : json::Value::EmptyObject()},
                              {"status_msg", S(status.message)}}));
  }
  size_t n = details.size();
  return Data("Number of details included: " + std::to_string(n),
              {{"trigger_details", json::Value::MakeObject(std::move(details))}});
}

ActionResult KnixService::AddTriggerForWorkflow(const Call& c) {
  std::string trigger = Str(c.data, "trigger_name");
  std::string workflow = Str(c.data, "workflow_name");
  std::string state = Str(c.data, "workflow_state");
  auto fail = [&](const std::string& why) {
    return Fail("Couldn't add the trigger: " + trigger + " for workflow: " + workflow +
                ", error: " + why);
  };
  const std::string key = Key(c.user.id, trigger);
  MutexLock lock(&catalog_mu_);
  auto found = LoadJson(store_, kTriggersKind, key);
  if (!found.ok() || !*found) {
    return fail("[addTriggerForWorkflow] Trigger: " + trigger + " not found.");
  }
  std::optional<WorkflowRecord> w = WorkflowNamed(c.user.id, workflow);
  if (!w) return fail("[addTriggerForWorkflow] Workflow: " + workflow + " not found.");
  // One entry per workflow name (KNIX keys them by name); entries of deleted workflows go.
  json::Array associated;
  for (const Association& a : TriggerAssociations(c.user.id, **found)) {
    if (a.name == workflow || a.id.empty()) continue;
    auto exists = catalog_.WorkflowById(a.id);
    if (exists.ok() && !*exists) continue;
    associated.push_back(json::Value::MakeObject(
        {{"workflow_name", S(a.name)}, {"workflow_id", S(a.id)}, {"workflow_state", S(a.state)}}));
  }
  associated.push_back(json::Value::MakeObject(
      {{"workflow_name", S(workflow)}, {"workflow_id", S(w->id)}, {"workflow_state", S(state)}}));
  json::Value updated =
      (*found)->With("associated_workflows", json::Value::MakeArray(std::move(associated)));
  Status s = store_->WriteRecords({RecordWrite::Put(kTriggersKind, key, updated.Dump())});
  if (!s.ok()) return fail(s.error().cause);
  timers_.Changed(key);
  amqp_.Changed(key);
  if (w->status != "deployed") {
    return Data("Trigger " + trigger + " queued up for workflow " + workflow +
                ": it is delivered once the workflow is deployed.");
  }
  return Data("[addTriggerForWorkflow] Trigger " + trigger +
              " added successfully to workflow:" + workflow + ".");
}

ActionResult KnixService::DeleteTriggerForWorkflow(const Call& c) {
  std::string trigger = Str(c.data, "trigger_name");
  std::string workflow = Str(c.data, "workflow_name");
  auto fail = [&](const std::string& why) {
    return Fail("Couldn't delete the trigger: " + trigger + " for workflow: " + workflow +
                ", error: " + why);
  };
  const std::string key = Key(c.user.id, trigger);
  MutexLock lock(&catalog_mu_);
  auto found = LoadJson(store_, kTriggersKind, key);
  if (!found.ok() || !*found) return fail("Trigger: " + trigger + " not found.");
  json::Array associated;
  for (const Association& a : TriggerAssociations(c.user.id, **found)) {
    if (a.name == workflow) continue;
    associated.push_back(json::Value::MakeObject(
        {{"workflow_name", S(a.name)}, {"workflow_id", S(a.id)}, {"workflow_state", S(a.state)}}));
  }
  json::Value updated =
      (*found)->With("associated_workflows", json::Value::MakeArray(std::move(associated)));
  Status s = store_->WriteRecords({RecordWrite::Put(kTriggersKind, key, updated.Dump())});
  if (!s.ok()) return fail(s.error().cause);
  timers_.Changed(key);
  amqp_.Changed(key);
  return Data("Trigger " + trigger + " removed from workflow " + workflow + ".");
}

ActionResult KnixService::GetTriggerableBuckets(const Call& c) {
  auto all = store_->ListRecords(kBuckets, c.user.id + "/", "", 1000);
  if (!all.ok()) return Fail("Couldn't list triggerable buckets; " + all.error().cause);
  json::Object buckets;
  json::Object details;
  for (const store::Record& r : all->items) {
    auto v = json::Parse(r.value);
    json::Array names;
    json::Array metadata;
    for (const Association& a :
         BucketAssociations(c.user.id, v.ok() ? *v : json::Value::EmptyObject())) {
      std::shared_ptr<const WorkflowRecord> w = DeployedOf(c.user.id, a);
      if (w == nullptr) continue;
      names.push_back(S(w->name));
      metadata.push_back(json::Value::MakeObject(
          {{"urltype", S("url")},
           {"urls", json::Value::MakeArray({S(c.base_url + kWorkflowPathPrefix + w->id)})},
           {"wfname", S(w->name)}}));
    }
    std::string name = r.key.substr(c.user.id.size() + 1);
    buckets.emplace_back(name, json::Value::MakeArray(std::move(names)));
    details.emplace_back(name, json::Value::MakeArray(std::move(metadata)));
  }
  size_t n = buckets.size();
  return Data("Found " + std::to_string(n) + " buckets.",
              {{"buckets", json::Value::MakeObject(std::move(buckets))},
               {"buckets_details", json::Value::MakeObject(std::move(details))}});
}

ActionResult KnixService::AddTriggerableBucket(const Call& c) {
  std::string name = Str(c.data, "bucketname");
  if (name.empty()) return Fail("Couldn't add a triggerable bucket; bucketname is missing");
  Status s = store_->WriteRecords({RecordWrite::Put(
      kBuckets, Key(c.user.id, name), R"({"workflows":[]})", RecordWrite::Condition::kAbsent)});
  if (!s.ok() && s.error().error != store::kConditionFailed) {
    return Fail("Couldn't add a triggerable bucket; " + s.error().cause);
  }
  return Data("Bucket created: " + name);
}

ActionResult KnixService::DeleteTriggerableBucket(const Call& c) {
  std::string name = Str(c.data, "bucketname");
  Status s = store_->WriteRecords(
      {RecordWrite::Delete(kBuckets, Key(c.user.id, name), RecordWrite::Condition::kPresent)});
  if (!s.ok()) {
    return Fail("Couldn't delete a triggerable bucket; " +
                (s.error().error == store::kConditionFailed ? "Bucket: " + name + " not found."
                                                            : s.error().cause));
  }
  if (Status d = data_layer_.DeleteScope(BucketScope(c.user, name)); !d.ok()) {
    return Fail("Couldn't delete a triggerable bucket; " + d.error().cause);
  }
  return Data("Bucket deleted: " + name);
}

ActionResult KnixService::AddStorageTriggerForWorkflow(const Call& c) {
  return SetStorageTrigger(c, Str(c.data, "bucketname"), /*add=*/true);
}

ActionResult KnixService::DeleteStorageTriggerForWorkflow(const Call& c) {
  return SetStorageTrigger(c, Str(c.data, "tablename"), /*add=*/false);
}

ActionResult KnixService::SetStorageTrigger(const Call& c, const std::string& bucket, bool add) {
  std::string workflow = Str(c.data, "workflowname");
  const std::string prefix =
      add ? "Couldn't add storage trigger; " : "Couldn't remove storage trigger; ";
  MutexLock lock(&catalog_mu_);
  auto found = LoadJson(store_, kBuckets, Key(c.user.id, bucket));
  if (!found.ok() || !*found) {
    return Fail(prefix + (add ? "Bucket: " : "Table: ") + bucket + " not found.");
  }
  std::optional<WorkflowRecord> w = WorkflowNamed(c.user.id, workflow);
  if (!w) return Fail(prefix + "Workflow: " + workflow + " not found.");
  json::Array workflows;
  for (const Association& a : BucketAssociations(c.user.id, **found)) {
    if (a.name == workflow || a.id.empty()) continue;
    auto exists = catalog_.WorkflowById(a.id);
    if (exists.ok() && !*exists) continue;  // a deleted workflow's
    workflows.push_back(json::Value::MakeObject({{"name", S(a.name)}, {"id", S(a.id)}}));
  }
  if (add) workflows.push_back(json::Value::MakeObject({{"name", S(workflow)}, {"id", S(w->id)}}));
  json::Value updated = json::Value::MakeObject({{"workflows", json::Value::MakeArray(workflows)}});
  Status s =
      store_->WriteRecords({RecordWrite::Put(kBuckets, Key(c.user.id, bucket), updated.Dump())});
  if (!s.ok()) return Fail(prefix + s.error().cause);
  if (!add) {
    return Data("Storage Trigger removed for workflow: " + workflow +
                ", which was associated with table: " + bucket);
  }
  if (w->status != "deployed") {
    return Data("Trigger queued up for workflow: " + workflow +
                ", to be associated in future with table: " + bucket);
  }
  return Data("Trigger added for workflow: " + workflow + ", urls: ['" + c.base_url +
              kWorkflowPathPrefix + w->id + "'], associated with table: " + bucket);
}

ActionResult KnixService::GetWorkflowDetails(const Call& c) {
  std::string name = Str(c.data, "workflowname");
  if (!IsString(c.data.Find("workflowname"))) {
    return Fail(
        "Couldn't retrieve workflow details; Couldn't retrieve workflow details; either user "
        "email or name of the workflow is missing");
  }
  std::optional<WorkflowRecord> w = WorkflowNamed(c.user.id, name);
  if (!w) {
    return Fail("Couldn't retrieve workflow details; Couldn't fetch details for workflow: " + name);
  }
  json::Object tables;
  json::Object triggers;
  for (const auto& [kind, out] :
       {std::pair{kBuckets, &tables}, std::pair{kTriggersKind, &triggers}}) {
    auto all = store_->ListRecords(kind, c.user.id + "/", "", 1000);
    if (!all.ok()) return Fail("Couldn't retrieve workflow details; " + all.error().cause);
    for (const store::Record& r : all->items) {
      auto v = json::Parse(r.value);
      if (!v.ok()) continue;
      bool bucket = kind == std::string_view(kBuckets);
      for (const Association& a :
           bucket ? BucketAssociations(c.user.id, *v) : TriggerAssociations(c.user.id, *v)) {
        if (a.id == w->id) out->emplace_back(r.key.substr(c.user.id.size() + 1), S(a.state));
      }
    }
  }
  json::Array endpoints;
  if (w->status == "deployed") endpoints.push_back(S(c.base_url + kWorkflowPathPrefix + w->id));
  // KNIX answers the details themselves as `data` (no message).
  return json::Value::MakeObject(
      {{"email", S(c.user.email)},
       {"name", S(w->name)},
       {"id", S(w->id)},
       {"status", S(w->status)},
       {"endpoints", json::Value::MakeArray(std::move(endpoints))},
       {"modified", json::Value::Double(w->modified)},
       {"associatedTriggerableTables", json::Value::MakeObject(std::move(tables))},
       {"associatedTriggers", json::Value::MakeObject(std::move(triggers))}});
}

Result<bool> KnixService::BucketExists(const User& user, const std::string& bucket) {
  STATOR_TRY(std::optional<std::string> found, store_->GetRecord(kBuckets, Key(user.id, bucket)));
  return found.has_value();
}

Status KnixService::DeleteTriggersOf(const User& user) {
  for (const char* kind : {kTriggersKind, kTriggerTicksKind, kBuckets}) {
    while (true) {
      STATOR_TRY(store::Page<store::Record> page,
                 store_->ListRecords(kind, user.id + "/", "", 500));
      if (page.items.empty()) break;
      std::vector<RecordWrite> writes;
      for (const store::Record& r : page.items) {
        if (kind == std::string_view(kBuckets)) {
          STATOR_RETURN_IF_ERROR(
              data_layer_.DeleteScope(BucketScope(user, r.key.substr(user.id.size() + 1))));
        }
        writes.push_back(RecordWrite::Delete(kind, r.key));
      }
      STATOR_RETURN_IF_ERROR(store_->WriteRecords(writes));
      if (kind == std::string_view(kTriggersKind)) {
        for (const store::Record& r : page.items) {
          timers_.Changed(r.key);
          amqp_.Changed(r.key);
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace stator::knix
