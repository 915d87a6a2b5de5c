// The workflow actions of the management API (knix-protocol.md §1.4), with KNIX's messages.
#include <iostream>

#include "common/base64.h"
#include "common/hash.h"
#include "common/random.h"
#include "knix/json_fields.h"
#include "knix/service.h"
#include "knix/workflow_definition.h"
#include "knix/workflow_translation.h"

namespace stator::knix {
namespace {

// The `workflow` object of a request with a string `id`, or nullptr.
const json::Value* WorkflowArg(const json::Value& data) {
  const json::Value* w = Member(data, "workflow");
  return w && w->is_object() && IsString(w->Find("id")) ? w : nullptr;
}

double NumberOr(const json::Value* v, double otherwise) {
  if (v == nullptr || !v->is_number()) return otherwise;
  return v->is_int() ? static_cast<double>(v->as_int()) : v->as_double();
}

}  // namespace

json::Value KnixService::WorkflowJson(const WorkflowRecord& w, const std::string& base_url) {
  json::Array endpoints;
  if (w.status == "deployed") endpoints.push_back(S(base_url + kWorkflowPathPrefix + w.id));
  json::Object o = {{"id", S(w.id)},
                    {"name", S(w.name)},
                    {"modified", json::Value::Double(w.modified)},
                    {"status", S(w.status)},
                    {"endpoints", json::Value::MakeArray(std::move(endpoints))},
                    {"ASL_type", S(w.asl_type.empty() ? "unknown" : w.asl_type)},
                    {"associatedTriggerableTables", json::Value::EmptyObject()},
                    {"associatedTriggers", json::Value::EmptyObject()}};
  if (w.status == "failed") o.emplace_back("deployment_error", S(w.deployment_error));
  return json::Value::MakeObject(std::move(o));
}

ActionResult KnixService::AddWorkflow(const Call& c) {
  const json::Value* w = Member(c.data, "workflow");
  if (w == nullptr || !IsString(Member(*w, "name"))) return Fail("Couldn't add workflow.");
  WorkflowRecord record;
  record.id = RandomHex(16);
  record.user = c.user.id;
  record.name = w->Find("name")->as_string();
  record.modified = EpochSeconds(NowMillis());
  if (Status s = catalog_.PutWorkflow(record, /*create=*/true); !s.ok()) {
    return Fail("Couldn't add workflow.");
  }
  return Data("Workflow added successfully.", {{"workflow", WorkflowJson(record, c.base_url)}});
}

ActionResult KnixService::GetWorkflows(const Call& c) {
  if (const json::Value* w = WorkflowArg(c.data)) {
    const std::string& id = w->Find("id")->as_string();
    auto found = catalog_.Workflow(c.user.id, id);
    if (!found.ok() || !*found) {
      return Fail(
          "Couldn't retrieve workflows and their status: Couldn't retrieve workflow "
          "status; no such workflow.");
    }
    return Data("Retrieved workflow status " + id + ".",
                {{"workflow", WorkflowJson(**found, c.base_url)}});
  }
  auto all = catalog_.Workflows(c.user.id);
  if (!all.ok()) return Fail("Couldn't retrieve workflows and their status: " + all.error().cause);
  json::Array list;
  for (const WorkflowRecord& w : *all) list.push_back(WorkflowJson(w, c.base_url));
  std::string message =
      list.empty() ? "No workflows yet." : "Found " + std::to_string(list.size()) + " workflows.";
  return Data(message, {{"workflows", json::Value::MakeArray(std::move(list))}});
}

ActionResult KnixService::UploadWorkflowJson(const Call& c) {
  const json::Value* w = WorkflowArg(c.data);
  if (w == nullptr || !IsString(w->Find("json"))) {
    return Fail("Couldn't upload workflow JSON; malformed input.");
  }
  std::string text = Base64Field(w->Find("json")->as_string());
  if (!Base64Decode(text).ok()) {
    return Fail("Couldn't upload workflow JSON; the JSON is not base64.");
  }
  MutexLock lock(&catalog_mu_);
  auto found = catalog_.Workflow(c.user.id, w->Find("id")->as_string());
  if (!found.ok() || !*found) return Fail("Couldn't upload workflow JSON; no such workflow.");
  WorkflowRecord record = **found;
  if (Status s = catalog_.PutWorkflowJson(c.user.id, record.id, text); !s.ok()) {
    return Fail("Couldn't upload workflow JSON; " + s.error().cause);
  }
  if (const json::Value* type = w->Find("ASL_type"); IsString(type)) {
    record.asl_type = type->as_string();
  }
  record.modified = EpochSeconds(NowMillis());
  Status put = catalog_.PutWorkflow(record);
  Forget(record.id);
  if (!put.ok()) {
    return Fail("Couldn't upload workflow JSON; " + put.error().cause);
  }
  return Data("Workflow JSON uploaded successfully.",
              {{"workflow", WorkflowJson(record, c.base_url)}});
}

ActionResult KnixService::GetWorkflowJson(const Call& c) {
  const json::Value* w = WorkflowArg(c.data);
  if (w == nullptr) return Fail("Couldn't retrieve workflow JSON; malformed input.");
  const std::string& id = w->Find("id")->as_string();
  auto found = catalog_.Workflow(c.user.id, id);
  if (!found.ok() || !*found) return Fail("Couldn't retrieve workflow JSON; no such workflow.");
  auto text = catalog_.WorkflowJson(c.user.id, id);
  if (!text.ok()) return Fail("Couldn't retrieve workflow JSON; " + text.error().cause);
  return Data("Retrieved JSON for workflow " + id + ".",
              {{"workflow", json::Value::MakeObject({{"json", S(*text)}})}});
}

ActionResult KnixService::ModifyWorkflow(const Call& c) {
  const json::Value* w = WorkflowArg(c.data);
  if (w == nullptr || !IsString(w->Find("name"))) {
    return Fail("Couldn't modify workflow; malformed input.");
  }
  MutexLock lock(&catalog_mu_);
  auto found = catalog_.Workflow(c.user.id, w->Find("id")->as_string());
  if (!found.ok() || !*found) {
    return Fail("Couldn't modify workflow resources; Unable to find workflow id.");
  }
  WorkflowRecord record = **found;
  record.name = w->Find("name")->as_string();
  if (const json::Value* knative = w->Find("knative")) record.knative = *knative;
  record.modified = EpochSeconds(NowMillis());
  Status put = catalog_.PutWorkflow(record);
  Forget(record.id);
  if (!put.ok()) {
    return Fail("Couldn't modify workflow; " + put.error().cause);
  }
  return Data("Successfully modified workflow " + record.id + ".",
              {{"workflow", WorkflowJson(record, c.base_url)}});
}

std::string KnixService::BuildForDeploy(const User& user,
                                        const std::vector<FunctionRecord>& functions) {
  std::string errors;
  for (const FunctionRecord& f : functions) {
    Status s = BuildLambda(user, f, /*install_requirements=*/!f.requirements.empty());
    if (!s.ok()) errors += "[" + f.name + "] " + s.error().cause + "\n";
  }
  return errors;
}

void KnixService::FinishDeploy(WorkflowRecord* record, const std::string& errors,
                               const std::string& definition) {
  record->modified = EpochSeconds(NowMillis());
  if (!errors.empty()) {
    record->status = "failed";
    record->deployment_error = errors;
    return;
  }
  record->status = "deployed";
  record->deployment_error.clear();
  record->definition = definition;
  record->revision = hash::HexDigest(hash::Algorithm::kSha256, definition);
  record->deployed_ms = NowMillis();
}

void KnixService::StartDeploy(const User& user, const std::string& id,
                              std::vector<FunctionRecord> functions, std::string definition) {
  MutexLock lock(&deploys_mu_);
  // Threads of deployments that are over are joined here (a finished thread keeps its stack
  // until it is).
  for (auto it = deploys_.begin(); it != deploys_.end();) {
    if (it->done) {
      it->thread.join();
      it = deploys_.erase(it);
    } else {
      ++it;
    }
  }
  auto entry = deploys_.emplace(deploys_.end());
  entry->thread = std::thread([this, entry, user, id, functions = std::move(functions),
                               definition = std::move(definition)] {
    // pip may take long: the catalogue is not held meanwhile.
    std::string errors = BuildForDeploy(user, functions);
    {
      MutexLock catalog_lock(&catalog_mu_);
      auto current = catalog_.Workflow(user.id, id);
      // Undeployed (or deleted) while it was built: nothing to finish.
      if (current.ok() && *current && (*current)->status == "deploying") {
        WorkflowRecord done = **current;
        FinishDeploy(&done, errors, definition);
        Status put = catalog_.PutWorkflow(done);
        Forget(done.id);
        if (!put.ok()) {
          std::cerr << "stator: knix: cannot record the deployment of workflow " << id << ": "
                    << put.error().cause << "\n";
        }
      }
    }
    MutexLock done_lock(&deploys_mu_);
    entry->done = true;
  });
}

ActionResult KnixService::DeployWorkflow(const Call& c) {
  const json::Value* w = WorkflowArg(c.data);
  if (w == nullptr) return Fail("Couldn't deploy workflow; malformed input");
  MutexLock lock(&catalog_mu_);
  auto found = catalog_.Workflow(c.user.id, w->Find("id")->as_string());
  if (!found.ok() || !*found) {
    return Fail("Couldn't deploy workflow; workflow metadata is not valid.");
  }
  WorkflowRecord record = **found;
  auto b64 = catalog_.WorkflowJson(c.user.id, record.id);
  if (!b64.ok() || b64->empty()) return Fail(kNoWorkflowJsonMessage);
  auto text = Base64Decode(*b64);
  if (!text.ok()) return Fail("Couldn't deploy workflow; workflow JSON is not valid.");
  auto parsed = ParseWorkflowDefinition(*text);
  if (!parsed.ok()) return Fail(DeployFailureMessage(parsed.error()));

  // Every function it uses must be one of the user's, or a Lambda function no other KNIX user
  // owns (created through the Lambda API, e.g. by `stator deploy`).
  auto mine = catalog_.Functions(c.user.id);
  if (!mine.ok()) return Fail("Couldn't deploy workflow; " + mine.error().cause);
  std::vector<std::string> missing;
  std::vector<const FunctionRecord*> used;
  for (const std::string& name : UsedFunctions(*parsed)) {
    const FunctionRecord* own = nullptr;
    for (const FunctionRecord& f : *mine) {
      if (f.name == name) own = &f;
    }
    if (own != nullptr) {
      used.push_back(own);
      continue;
    }
    auto owner = catalog_.FunctionByName(name);
    if (!owner.ok() || *owner) {
      missing.push_back(name);
      continue;
    }
    auto exists = registry_->Exists(name);  // a plain Lambda function (nothing unpacked)
    if (!exists.ok() || !*exists) missing.push_back(name);
  }
  if (!missing.empty()) return Fail(MissingResourcesMessage(missing));
  auto definition = ToEngineDefinition(*parsed, options_.scope);
  if (!definition.ok()) return Fail(DeployFailureMessage(definition.error()));

  // The packages, with their requirements installed (pip) as KNIX does at deploy: a failure
  // leaves the workflow `failed` with the installer's message as its deployment_error. With
  // requirements to install, the workflow is `deploying` meanwhile and the call answers at once
  // (the SDK polls getWorkflows); without, the packages are current and it is deployed now.
  std::vector<FunctionRecord> functions;
  bool install = false;
  for (const FunctionRecord* f : used) {
    functions.push_back(*f);
    install = install || !f->requirements.empty();
  }
  record.modified = EpochSeconds(NowMillis());
  if (!install) {
    FinishDeploy(&record, BuildForDeploy(c.user, functions), definition->Dump());
  } else {
    record.status = "deploying";
    record.deployment_error.clear();
  }
  Status put = catalog_.PutWorkflow(record);
  Forget(record.id);
  if (!put.ok()) {
    return Fail("Couldn't deploy workflow; " + put.error().cause);
  }
  if (install) StartDeploy(c.user, record.id, std::move(functions), definition->Dump());
  return Data("Successfully deployed workflow " + record.id + ".",
              {{"workflow", json::Value::MakeObject({{"id", S(record.id)}})}});
}

ActionResult KnixService::UndeployWorkflow(const Call& c) {
  const json::Value* w = WorkflowArg(c.data);
  if (w == nullptr) return Fail("Couldn't undeploy workflow; malformed input");
  MutexLock lock(&catalog_mu_);
  auto found = catalog_.Workflow(c.user.id, w->Find("id")->as_string());
  if (!found.ok() || !*found) return Fail("Couldn't undeploy workflow; no such workflow.");
  WorkflowRecord record = **found;
  record.status = "undeployed";
  record.deployment_error.clear();
  record.modified = EpochSeconds(NowMillis());
  Status put = catalog_.PutWorkflow(record);
  Forget(record.id);
  if (!put.ok()) {
    return Fail("Couldn't undeploy workflow; " + put.error().cause);
  }
  return Data("Successfully undeployed workflow " + record.id + ".");
}

ActionResult KnixService::DeleteWorkflow(const Call& c) {
  const json::Value* w = WorkflowArg(c.data);
  if (w == nullptr) return Fail("Couldn't delete workflow; malformed input.");
  MutexLock lock(&catalog_mu_);
  auto found = catalog_.Workflow(c.user.id, w->Find("id")->as_string());
  if (!found.ok() || !*found) return Fail("Couldn't delete workflow; no such workflow.");
  if ((*found)->status != "undeployed" && (*found)->status != "failed") {
    return Fail("Couldn't delete workflow; workflow is still deployed. Undeploy workflow first.");
  }
  if (Status s = catalog_.DeleteWorkflow(**found); !s.ok()) {
    return Fail("Couldn't delete workflow; " + s.error().cause);
  }
  (void)data_layer_.DeleteScope(WorkflowScope((*found)->id));  // its private storage
  logs_.Clear((*found)->id);
  return Data("Deleted workflow " + (*found)->id + ".");
}

Status KnixService::DeleteWorkflowsOf(const User& user) {
  STATOR_TRY(std::vector<WorkflowRecord> workflows, catalog_.Workflows(user.id));
  for (const WorkflowRecord& w : workflows) {
    Status deleted = catalog_.DeleteWorkflow(w);
    Forget(w.id);
    STATOR_RETURN_IF_ERROR(deleted);
    STATOR_RETURN_IF_ERROR(data_layer_.DeleteScope(WorkflowScope(w.id)));
    logs_.Clear(w.id);
  }
  return Status::Ok();
}

ActionResult KnixService::RetrieveAllWorkflowLogs(const Call& c) {
  const json::Value* w = WorkflowArg(c.data);
  if (w == nullptr) return Fail("Couldn't retrieve log; malformed input.");
  auto found = catalog_.Workflow(c.user.id, w->Find("id")->as_string());
  if (!found.ok() || !*found) return Fail("Couldn't retrieve log; no such workflow.");
  const json::Value* earliest = w->Find("ts_earliest");
  const json::Value* lines = w->Find("num_lines");
  WorkflowLogs::Retrieved got = logs_.Retrieve((*found)->id, NumberOr(earliest, 0),
                                               lines && lines->is_int() ? lines->as_int() : 500);
  json::Value timestamp = got.last_us >= 0 ? json::Value::Int(got.last_us)
                          : earliest       ? *earliest
                                           : json::Value::Null();
  return Data("Retrieved logs of workflow " + (*found)->id + ".",
              {{"workflow", json::Value::MakeObject({{"log", S(Base64Encode(got.log))},
                                                     {"progress", S(Base64Encode("\n"))},
                                                     {"exceptions", S(Base64Encode(""))},
                                                     {"timestamp", timestamp}})}});
}

ActionResult KnixService::ClearAllWorkflowLogs(const Call& c) {
  const json::Value* w = WorkflowArg(c.data);
  if (w == nullptr) return Fail("Couldn't clear logs; malformed input.");
  auto found = catalog_.Workflow(c.user.id, w->Find("id")->as_string());
  if (!found.ok() || !*found) return Fail("Couldn't clear logs; no such workflow.");
  logs_.Clear((*found)->id);
  return Data("Cleared logs of workflow " + (*found)->id + ".");
}

void KnixService::ExecuteWorkflow(const Call& c, api::Responder respond) {
  auto fail = [&respond](const std::string& why) {
    respond(ManagementResponse(Fail("Couldn't execute workflow: " + why)));
  };
  const json::Value* w = Member(c.data, "workflow");
  const json::Value* id = w && w->is_object() ? w->Find("id") : nullptr;
  const json::Value* input = w && w->is_object() ? w->Find("wfinput") : nullptr;
  if (!IsString(id)) return fail("Can't execute workflow; invalid parameters.");
  auto found = catalog_.Workflow(c.user.id, id->as_string());
  if (!found.ok()) return fail(found.error().cause);
  if (!*found) return fail("Can't execute workflow; no such workflow.");
  if ((*found)->status != "deployed") return fail("Can't execute workflow; it is not deployed.");
  std::string wfid = (*found)->id;
  Execute(
      **found, input ? input->Dump() : "{}", /*async=*/false,
      [respond = std::move(respond), wfid](api::HttpResponse r) {
        auto result = json::Parse(r.body);
        respond(ManagementResponse(
            result.ok()
                ? Data("Executed workflow " + wfid + ".", {{"result", std::move(result).value()}})
                : ActionResult(Fail("Couldn't execute workflow: " + result.error().cause))));
      });
}

}  // namespace stator::knix
