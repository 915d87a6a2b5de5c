// Catalog: the KNIX functions and workflows of each user, as store records.
//
// Records (store.h, Record; USER is User::id, FN and WF are 32-hex ids):
//   knix.functions       USER/FN         FunctionRecord as JSON
//   knix.function_names  NAME            {"user": USER, "id": FN}: a function name is a Lambda
//                                        function name, unique on the server
//   knix.function_code   USER/FN         the text code, base64 as uploaded
//   knix.function_zip    USER/FN/NNNNNN  zip chunk NNNNNN (decimal, zero-padded): a slice of
//                                        the base64 text of the zip, as uploaded
//   knix.workflows       USER/WF         WorkflowRecord as JSON
//   knix.workflow_owner  WF              USER (the endpoint finds a workflow by its id alone)
//   knix.workflow_json   USER/WF         the workflow JSON, base64 as uploaded
//
// Thread-safety: every method may be called from any thread; each is one store call or a
// sequence the caller serialises (KnixService::catalog_mu_).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/result.h"
#include "store/store.h"

namespace stator::knix {

struct FunctionRecord {
  std::string id;
  std::string name;
  std::string runtime;
  double modified = 0;       // epoch seconds, as KNIX reports it
  std::string requirements;  // base64, "" when none
  std::string zip_metadata;  // base64 HTML, as uploaded
  int64_t zip_chunks = -1;   // -1: no zip

  json::Value ToJson() const;
  static FunctionRecord FromJson(const json::Value& v);
  // The protocol's function object {id, name, runtime, modified}.
  json::Value Public() const;
};

struct WorkflowRecord {
  std::string id;
  std::string user;  // the owner's User::id
  std::string name;
  double modified = 0;
  std::string status = "undeployed";  // undeployed | deploying | deployed | failed
  std::string deployment_error;
  std::string asl_type;    // as uploaded ("" when none)
  std::string definition;  // the engine's definition of the deployed workflow ("" undeployed)
  std::string revision;    // a digest of `definition`
  int64_t deployed_ms = 0;
  json::Value knative = json::Value::Null();  // modifyWorkflow's knative settings, kept

  json::Value ToJson() const;
  static WorkflowRecord FromJson(const json::Value& v);
};

class Catalog {
 public:
  explicit Catalog(store::Store* store) : store_(store) {}

  // Functions.
  Result<std::vector<FunctionRecord>> Functions(const std::string& user);
  Result<std::optional<FunctionRecord>> Function(const std::string& user, const std::string& id);
  // The owner and id of the function with this name, if any user has one.
  Result<std::optional<std::pair<std::string, std::string>>> FunctionByName(
      const std::string& name);
  // Creates f and claims its name (store::kConditionFailed when the name is taken).
  Status CreateFunction(const std::string& user, const FunctionRecord& f);
  Status PutFunction(const std::string& user, const FunctionRecord& f);
  // Renames: the new name is claimed and the old released in one write.
  Status RenameFunction(const std::string& user, const FunctionRecord& before,
                        const FunctionRecord& after);
  Status DeleteFunction(const std::string& user, const FunctionRecord& f);
  Result<std::string> Code(const std::string& user, const std::string& id);
  Status PutCode(const std::string& user, const std::string& id, const std::string& code);
  Result<std::optional<std::string>> ZipChunk(const std::string& user, const std::string& id,
                                              int64_t chunk);
  Status PutZipChunk(const std::string& user, const std::string& id, int64_t chunk,
                     const std::string& text);

  // Workflows.
  Result<std::vector<WorkflowRecord>> Workflows(const std::string& user);
  Result<std::optional<WorkflowRecord>> Workflow(const std::string& user, const std::string& id);
  // A workflow by id alone (the endpoint's lookup).
  Result<std::optional<WorkflowRecord>> WorkflowById(const std::string& id);
  Status PutWorkflow(const WorkflowRecord& w, bool create = false);
  Status DeleteWorkflow(const WorkflowRecord& w);
  Result<std::string> WorkflowJson(const std::string& user, const std::string& id);
  Status PutWorkflowJson(const std::string& user, const std::string& id, const std::string& b64);

 private:
  store::Store* const store_;
};

// KNIX's time stamps: epoch seconds with a fraction.
double EpochSeconds(int64_t epoch_ms);

}  // namespace stator::knix
