#include "knix/catalog.h"

#include <cstdio>

#include "knix/json_fields.h"

namespace stator::knix {
namespace {

using store::RecordWrite;

constexpr const char* kFunctions = "knix.functions";
constexpr const char* kFunctionNames = "knix.function_names";
constexpr const char* kFunctionCode = "knix.function_code";
constexpr const char* kFunctionZip = "knix.function_zip";
constexpr const char* kWorkflows = "knix.workflows";
constexpr const char* kWorkflowOwner = "knix.workflow_owner";
constexpr const char* kWorkflowJson = "knix.workflow_json";

std::string Key(const std::string& user, const std::string& id) { return user + "/" + id; }

std::string ChunkKey(const std::string& user, const std::string& id, int64_t chunk) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%06lld", static_cast<long long>(chunk));
  return Key(user, id) + "/" + digits;
}

int64_t Int(const json::Value& v, std::string_view key, int64_t otherwise) {
  const json::Value* m = v.Find(key);
  return m && m->is_int() ? m->as_int() : otherwise;
}
double Num(const json::Value& v, std::string_view key) {
  const json::Value* m = v.Find(key);
  if (m == nullptr || !m->is_number()) return 0;
  return m->is_int() ? static_cast<double>(m->as_int()) : m->as_double();
}

// Every record of `kind` under `prefix`, all pages.
Result<std::vector<store::Record>> All(store::Store* store, const char* kind,
                                       const std::string& prefix) {
  std::vector<store::Record> out;
  std::string after;
  while (true) {
    STATOR_TRY(store::Page<store::Record> page, store->ListRecords(kind, prefix, after, 500));
    for (auto& r : page.items) out.push_back(std::move(r));
    if (page.next.empty()) return out;
    after = page.next;
  }
}

// Every record of `kind` under `prefix`, parsed as T.
template <class T>
Result<std::vector<T>> LoadAll(store::Store* store, const char* kind, const std::string& prefix) {
  STATOR_TRY(std::vector<store::Record> records, All(store, kind, prefix));
  std::vector<T> out;
  for (const store::Record& r : records) {
    STATOR_TRY(json::Value v, json::Parse(r.value));
    out.push_back(T::FromJson(v));
  }
  return out;
}

template <class T>
Result<std::optional<T>> Load(store::Store* store, const char* kind, const std::string& key) {
  STATOR_TRY(std::optional<std::string> text, store->GetRecord(kind, key));
  if (!text) return std::optional<T>();
  STATOR_TRY(json::Value v, json::Parse(*text));
  return std::optional<T>(T::FromJson(v));
}

}  // namespace

double EpochSeconds(int64_t epoch_ms) { return static_cast<double>(epoch_ms) / 1000.0; }

json::Value FunctionRecord::ToJson() const {
  return json::Value::MakeObject({{"id", S(id)},
                                  {"name", S(name)},
                                  {"runtime", S(runtime)},
                                  {"modified", json::Value::Double(modified)},
                                  {"requirements", S(requirements)},
                                  {"zip_metadata", S(zip_metadata)},
                                  {"zip_chunks", json::Value::Int(zip_chunks)}});
}

FunctionRecord FunctionRecord::FromJson(const json::Value& v) {
  FunctionRecord f;
  f.id = Str(v, "id");
  f.name = Str(v, "name");
  f.runtime = Str(v, "runtime");
  f.modified = Num(v, "modified");
  f.requirements = Str(v, "requirements");
  f.zip_metadata = Str(v, "zip_metadata");
  f.zip_chunks = Int(v, "zip_chunks", -1);
  return f;
}

json::Value FunctionRecord::Public() const {
  return json::Value::MakeObject({{"id", S(id)},
                                  {"name", S(name)},
                                  {"runtime", S(runtime)},
                                  {"modified", json::Value::Double(modified)}});
}

json::Value WorkflowRecord::ToJson() const {
  return json::Value::MakeObject({{"id", S(id)},
                                  {"user", S(user)},
                                  {"name", S(name)},
                                  {"modified", json::Value::Double(modified)},
                                  {"status", S(status)},
                                  {"deployment_error", S(deployment_error)},
                                  {"ASL_type", S(asl_type)},
                                  {"definition", S(definition)},
                                  {"revision", S(revision)},
                                  {"deployed_ms", json::Value::Int(deployed_ms)},
                                  {"knative", knative}});
}

WorkflowRecord WorkflowRecord::FromJson(const json::Value& v) {
  WorkflowRecord w;
  w.id = Str(v, "id");
  w.user = Str(v, "user");
  w.name = Str(v, "name");
  w.modified = Num(v, "modified");
  w.status = Str(v, "status");
  w.deployment_error = Str(v, "deployment_error");
  w.asl_type = Str(v, "ASL_type");
  w.definition = Str(v, "definition");
  w.revision = Str(v, "revision");
  w.deployed_ms = Int(v, "deployed_ms", 0);
  if (const json::Value* k = v.Find("knative")) w.knative = *k;
  return w;
}

Result<std::vector<FunctionRecord>> Catalog::Functions(const std::string& user) {
  return LoadAll<FunctionRecord>(store_, kFunctions, user + "/");
}

Result<std::optional<FunctionRecord>> Catalog::Function(const std::string& user,
                                                        const std::string& id) {
  return Load<FunctionRecord>(store_, kFunctions, Key(user, id));
}

Result<std::optional<std::pair<std::string, std::string>>> Catalog::FunctionByName(
    const std::string& name) {
  using Owner = std::optional<std::pair<std::string, std::string>>;
  STATOR_TRY(std::optional<std::string> text, store_->GetRecord(kFunctionNames, name));
  if (!text) return Owner();
  STATOR_TRY(json::Value v, json::Parse(*text));
  return Owner(std::make_pair(Str(v, "user"), Str(v, "id")));
}

Status Catalog::CreateFunction(const std::string& user, const FunctionRecord& f) {
  std::string owner = json::Value::MakeObject({{"user", S(user)}, {"id", S(f.id)}}).Dump();
  return store_->WriteRecords(
      {RecordWrite::Put(kFunctionNames, f.name, owner, RecordWrite::Condition::kAbsent),
       RecordWrite::Put(kFunctions, Key(user, f.id), f.ToJson().Dump(),
                        RecordWrite::Condition::kAbsent)});
}

Status Catalog::PutFunction(const std::string& user, const FunctionRecord& f) {
  return store_->WriteRecords({RecordWrite::Put(kFunctions, Key(user, f.id), f.ToJson().Dump(),
                                                RecordWrite::Condition::kPresent)});
}

Status Catalog::RenameFunction(const std::string& user, const FunctionRecord& before,
                               const FunctionRecord& after) {
  std::vector<RecordWrite> writes;
  if (before.name != after.name) {
    std::string owner = json::Value::MakeObject({{"user", S(user)}, {"id", S(after.id)}}).Dump();
    writes.push_back(
        RecordWrite::Put(kFunctionNames, after.name, owner, RecordWrite::Condition::kAbsent));
    writes.push_back(RecordWrite::Delete(kFunctionNames, before.name));
  }
  writes.push_back(RecordWrite::Put(kFunctions, Key(user, after.id), after.ToJson().Dump(),
                                    RecordWrite::Condition::kPresent));
  return store_->WriteRecords(writes);
}

Status Catalog::DeleteFunction(const std::string& user, const FunctionRecord& f) {
  std::vector<RecordWrite> writes = {RecordWrite::Delete(kFunctionNames, f.name),
                                     RecordWrite::Delete(kFunctions, Key(user, f.id)),
                                     RecordWrite::Delete(kFunctionCode, Key(user, f.id))};
  STATOR_TRY(std::vector<store::Record> chunks, All(store_, kFunctionZip, Key(user, f.id) + "/"));
  for (const store::Record& r : chunks) writes.push_back(RecordWrite::Delete(kFunctionZip, r.key));
  return store_->WriteRecords(writes);
}

Result<std::string> Catalog::Code(const std::string& user, const std::string& id) {
  STATOR_TRY(std::optional<std::string> code, store_->GetRecord(kFunctionCode, Key(user, id)));
  return code ? std::move(*code) : std::string();
}

Status Catalog::PutCode(const std::string& user, const std::string& id, const std::string& code) {
  return store_->WriteRecords({RecordWrite::Put(kFunctionCode, Key(user, id), code)});
}

Result<std::optional<std::string>> Catalog::ZipChunk(const std::string& user, const std::string& id,
                                                     int64_t chunk) {
  return store_->GetRecord(kFunctionZip, ChunkKey(user, id, chunk));
}

Status Catalog::PutZipChunk(const std::string& user, const std::string& id, int64_t chunk,
                            const std::string& text) {
  return store_->WriteRecords({RecordWrite::Put(kFunctionZip, ChunkKey(user, id, chunk), text)});
}

Result<std::vector<WorkflowRecord>> Catalog::Workflows(const std::string& user) {
  return LoadAll<WorkflowRecord>(store_, kWorkflows, user + "/");
}

Result<std::optional<WorkflowRecord>> Catalog::Workflow(const std::string& user,
                                                        const std::string& id) {
  return Load<WorkflowRecord>(store_, kWorkflows, Key(user, id));
}

Result<std::optional<WorkflowRecord>> Catalog::WorkflowById(const std::string& id) {
  STATOR_TRY(std::optional<std::string> user, store_->GetRecord(kWorkflowOwner, id));
  if (!user) return std::optional<WorkflowRecord>();
  return Workflow(*user, id);
}

Status Catalog::PutWorkflow(const WorkflowRecord& w, bool create) {
  if (!create) {
    return store_->WriteRecords({RecordWrite::Put(kWorkflows, Key(w.user, w.id), w.ToJson().Dump(),
                                                  RecordWrite::Condition::kPresent)});
  }
  return store_->WriteRecords(
      {RecordWrite::Put(kWorkflowOwner, w.id, w.user, RecordWrite::Condition::kAbsent),
       RecordWrite::Put(kWorkflows, Key(w.user, w.id), w.ToJson().Dump(),
                        RecordWrite::Condition::kAbsent)});
}

Status Catalog::DeleteWorkflow(const WorkflowRecord& w) {
  return store_->WriteRecords({RecordWrite::Delete(kWorkflowOwner, w.id),
                               RecordWrite::Delete(kWorkflows, Key(w.user, w.id)),
                               RecordWrite::Delete(kWorkflowJson, Key(w.user, w.id))});
}

Result<std::string> Catalog::WorkflowJson(const std::string& user, const std::string& id) {
  STATOR_TRY(std::optional<std::string> text, store_->GetRecord(kWorkflowJson, Key(user, id)));
  return text ? std::move(*text) : std::string();
}

Status Catalog::PutWorkflowJson(const std::string& user, const std::string& id,
                                const std::string& b64) {
  return store_->WriteRecords({RecordWrite::Put(kWorkflowJson, Key(user, id), b64)});
}

}  // namespace stator::knix
