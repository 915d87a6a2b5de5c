// Triggers and triggerable buckets (knix-protocol.md §1.7): stored and answered in the
// protocol's shapes. Delivering their events (timers, AMQP, bucket writes) is not implemented:
// a trigger's status_msg says so.
//
// Records:
//   knix.triggers  USER/NAME    {"trigger_id", "trigger_type", "trigger_info",
//                                "associated_workflows": [{workflow_name, workflow_url,
//                                workflow_state}]}
//   knix.buckets   USER/NAME    {"workflows": [workflow name, ...]}
#include "common/random.h"
#include "knix/json_fields.h"
#include "knix/service.h"

namespace stator::knix {
namespace {

using store::RecordWrite;

constexpr const char* kTriggers = "knix.triggers";
constexpr const char* kBuckets = "knix.buckets";
constexpr const char* kNotDelivered =
    "stored; stator does not deliver timer, AMQP or storage trigger events yet";

Result<std::optional<json::Value>> LoadJson(store::Store* store, const char* kind,
                                            const std::string& key) {
  STATOR_TRY(std::optional<std::string> text, store->GetRecord(kind, key));
  if (!text) return std::optional<json::Value>();
  STATOR_TRY(json::Value v, json::Parse(*text));
  return std::optional<json::Value>(std::move(v));
}

// What is wrong with a trigger_info object, or "".
std::string CheckTriggerInfo(const json::Value& info) {
  if (!info.is_object()) return "trigger_info must be an object";
  std::string type = Str(info, "trigger_type");
  if (type == "timer") {
    const json::Value* interval = info.Find("timer_interval_ms");
    if (interval == nullptr || !interval->is_int() || interval->as_int() <= 0) {
      return "timer_interval_ms must be a positive integer";
    }
    return "";
  }
  if (type == "amqp") {
    for (const char* key : {"amqp_addr", "routing_key", "exchange"}) {
      if (Str(info, key).empty()) return std::string(key) + " is missing";
    }
    return "";
  }
  return "trigger_type must be 'timer' or 'amqp'";
}

// A workflow of the user by name.
std::optional<WorkflowRecord> WorkflowNamed(Catalog& catalog, const std::string& user,
                                            const std::string& name) {
  auto all = catalog.Workflows(user);
  if (!all.ok()) return std::nullopt;
  for (WorkflowRecord& w : *all) {
    if (w.name == name) return std::move(w);
  }
  return std::nullopt;
}

std::string Key(const std::string& user, const std::string& name) { return user + "/" + name; }

// A trigger's associated_workflows without the entry of `workflow`.
json::Array OtherWorkflows(const json::Value& trigger, const std::string& workflow) {
  json::Array out;
  if (const json::Value* a = Member(trigger, "associated_workflows"); a && a->is_array()) {
    for (const json::Value& entry : a->as_array()) {
      if (Str(entry, "workflow_name") != workflow) out.push_back(entry);
    }
  }
  return out;
}

}  // namespace

ActionResult KnixService::AddTrigger(const Call& c) {
  std::string name = Str(c.data, "trigger_name");
  const json::Value* info = c.data.Find("trigger_info");
  if (name.empty() || info == nullptr) {
    return Fail("Couldn't add the trigger; trigger_name and trigger_info are needed");
  }
  if (std::string bad = CheckTriggerInfo(*info); !bad.empty()) {
    return Fail("Couldn't add the trigger; Invalid trigger_info object: " + bad);
  }
  json::Value record =
      json::Value::MakeObject({{"trigger_id", S(RandomHex(16))},
                               {"trigger_type", S(Str(*info, "trigger_type"))},
                               {"trigger_info", *info},
                               {"associated_workflows", json::Value::EmptyArray()}});
  Status s = store_->WriteRecords({RecordWrite::Put(kTriggers, Key(c.user.id, name), record.Dump(),
                                                    RecordWrite::Condition::kAbsent)});
  if (!s.ok()) {
    if (s.error().error == store::kConditionFailed) {
      return Data("Not creating trigger again. Trigger " + name + " already exists.");
    }
    return Fail("Couldn't add the trigger; " + s.error().cause);
  }
  return Data("Trigger created successfully. Message: " + std::string(kNotDelivered));
}

ActionResult KnixService::DeleteTrigger(const Call& c) {
  std::string name = Str(c.data, "trigger_name");
  auto found = LoadJson(store_, kTriggers, Key(c.user.id, name));
  if (!found.ok()) return Fail("Couldn't delete the trigger; " + found.error().cause);
  if (!*found) return Fail("Couldn't delete the trigger; Could not find Trigger " + name);
  Status s = store_->WriteRecords({RecordWrite::Delete(kTriggers, Key(c.user.id, name))});
  if (!s.ok()) return Fail("Couldn't delete the trigger; " + s.error().cause);
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
    auto all = store_->ListRecords(kTriggers, c.user.id + "/", "", 1000);
    if (!all.ok()) return Fail("Couldn't get details for triggers; " + all.error().cause);
    for (const store::Record& r : all->items) wanted.push_back(r.key.substr(c.user.id.size() + 1));
  }
  json::Object details;
  for (const std::string& name : wanted) {
    auto found = LoadJson(store_, kTriggers, Key(c.user.id, name));
    if (!found.ok() || !*found) {
      details.emplace_back(
          name, json::Value::MakeObject({{"trigger_status", S("non_existent")},
                                         {"trigger_id", S("")},
                                         {"status_msg", S("Trigger " + name + " not found")}}));
      continue;
    }
    const json::Value& t = **found;
    const json::Value* workflows = t.Find("associated_workflows");
    int64_t count = workflows && workflows->is_array() ? workflows->as_array().size() : 0;
    details.emplace_back(
        name, json::Value::MakeObject(
                  {{"trigger_id", S(Str(t, "trigger_id"))},
                   {"trigger_status", S("ready")},
                   {"trigger_type", S(Str(t, "trigger_type"))},
                   {"trigger_count", json::Value::Int(count)},
                   {"associated_workflows", workflows ? *workflows : json::Value::EmptyArray()},
                   {"trigger_info", *t.Find("trigger_info")},
                   {"status_msg", S(kNotDelivered)}}));
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
  MutexLock lock(&catalog_mu_);
  auto found = LoadJson(store_, kTriggers, Key(c.user.id, trigger));
  if (!found.ok() || !*found) {
    return fail("[addTriggerForWorkflow] Trigger: " + trigger + " not found.");
  }
  std::optional<WorkflowRecord> w = WorkflowNamed(catalog_, c.user.id, workflow);
  if (!w) return fail("[addTriggerForWorkflow] Workflow: " + workflow + " not found.");
  json::Array associated = OtherWorkflows(**found, workflow);
  associated.push_back(
      json::Value::MakeObject({{"workflow_name", S(workflow)},
                               {"workflow_url", S(c.base_url + kWorkflowPathPrefix + w->id)},
                               {"workflow_state", S(state)}}));
  json::Value updated =
      (*found)->With("associated_workflows", json::Value::MakeArray(std::move(associated)));
  Status s =
      store_->WriteRecords({RecordWrite::Put(kTriggers, Key(c.user.id, trigger), updated.Dump())});
  if (!s.ok()) return fail(s.error().cause);
  return Data("Trigger " + trigger + " added for workflow " + workflow + " (" + kNotDelivered +
              ")");
}

ActionResult KnixService::DeleteTriggerForWorkflow(const Call& c) {
  std::string trigger = Str(c.data, "trigger_name");
  std::string workflow = Str(c.data, "workflow_name");
  auto fail = [&](const std::string& why) {
    return Fail("Couldn't delete the trigger: " + trigger + " for workflow: " + workflow +
                ", error: " + why);
  };
  MutexLock lock(&catalog_mu_);
  auto found = LoadJson(store_, kTriggers, Key(c.user.id, trigger));
  if (!found.ok() || !*found) return fail("Trigger: " + trigger + " not found.");
  json::Array associated = OtherWorkflows(**found, workflow);
  json::Value updated =
      (*found)->With("associated_workflows", json::Value::MakeArray(std::move(associated)));
  Status s =
      store_->WriteRecords({RecordWrite::Put(kTriggers, Key(c.user.id, trigger), updated.Dump())});
  if (!s.ok()) return fail(s.error().cause);
  return Data("Trigger " + trigger + " removed from workflow " + workflow + ".");
}

ActionResult KnixService::GetTriggerableBuckets(const Call& c) {
  auto all = store_->ListRecords(kBuckets, c.user.id + "/", "", 1000);
  if (!all.ok()) return Fail("Couldn't list triggerable buckets; " + all.error().cause);
  json::Object buckets;
  for (const store::Record& r : all->items) {
    auto v = json::Parse(r.value);
    const json::Value* w = v.ok() ? v->Find("workflows") : nullptr;
    buckets.emplace_back(r.key.substr(c.user.id.size() + 1), w ? *w : json::Value::EmptyArray());
  }
  json::Value list = json::Value::MakeObject(std::move(buckets));
  return Data("Found " + std::to_string(list.as_object().size()) + " buckets.",
              {{"buckets", list}, {"buckets_details", list}});
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
  if (!WorkflowNamed(catalog_, c.user.id, workflow)) {
    return Fail(prefix + "Workflow: " + workflow + " not found.");
  }
  json::Array workflows;
  if (const json::Value* w = (*found)->Find("workflows"); w && w->is_array()) {
    for (const json::Value& name : w->as_array()) {
      if (!name.is_string() || name.as_string() != workflow) workflows.push_back(name);
    }
  }
  if (add) workflows.push_back(S(workflow));
  json::Value updated = json::Value::MakeObject({{"workflows", json::Value::MakeArray(workflows)}});
  Status s =
      store_->WriteRecords({RecordWrite::Put(kBuckets, Key(c.user.id, bucket), updated.Dump())});
  if (!s.ok()) return Fail(prefix + s.error().cause);
  if (add) {
    return Data("Trigger added for workflow: " + workflow + ", bucket: " + bucket + " (" +
                kNotDelivered + ")");
  }
  return Data("Storage Trigger removed for workflow: " + workflow +
              ", which was associated with table: " + bucket);
}

Result<bool> KnixService::BucketExists(const User& user, const std::string& bucket) {
  STATOR_TRY(std::optional<std::string> found, store_->GetRecord(kBuckets, Key(user.id, bucket)));
  return found.has_value();
}

Status KnixService::DeleteTriggersOf(const User& user) {
  for (const char* kind : {kTriggers, kBuckets}) {
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
    }
  }
  return Status::Ok();
}

}  // namespace stator::knix
