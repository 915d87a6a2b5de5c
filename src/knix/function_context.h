// FunctionContext: the server's side of a KNIX function's context (MicroFunctionsAPI): it
// serves the platform calls (functions/runtime.h, 'P' frames) that the KNIX context of the
// Python runtime makes, here the data layer's (context.put, context.getMapEntry, ...).
//
// A Task invocation of a KNIX workflow's function (its execution runs under the state machine
// knix-<workflow id>) gets a handler (HandlerFor); every call is then served with the
// DataLayer on the scopes of that workflow's owner (shared) or of the workflow itself
// (is_private): the data performStorageAction reads and writes. The owner is looked up in the
// catalogue on the first call of a workflow and remembered (a workflow's owner never changes).
//
// Calls name the operation ("dl.put", "dl.getMapEntry", ... see Serve in function_context.cc)
// and carry a JSON object of arguments ({"private", "key", "value", ...}); "dl.commit"
// {"ops": [{"call", "args"}, ...]} applies the writes an invocation queued (is_queued), sent
// by the runtime once its handler succeeded. "dl.put", "dl.get" and "dl.delete" take an
// optional "bucket": the user's triggerable bucket of that name (KNIX's bucketName; ignored
// with "private", as KNIX documents); a put to a bucket that exists is reported to
// Hooks::bucket_written (storage triggers), one to a bucket that does not is not stored (get
// answers null), as KNIX's data layer does for a table it does not have.
// "knix.management" {"request": {"action", "data"}} is a management request made as the
// workflow's owner (Hooks::management; context.addTrigger, _invoke_management_api, ...).
// Store operations may block: the handler, called on the function runtime's reactor thread,
// queues each write (and every call but the reads) for a small pool of threads of its own,
// which reply. Reads are served right on the caller's thread when the store is local
// (inline_reads: SQLite or memory, where a read takes microseconds and the hand-off to the
// pool costs more than the read); on a shared store (PostgreSQL) they go to the pool too.
//
// Ownership: borrows the data layer and the catalogue (both must outlive it); owns its threads
// (joined in the destructor; calls still queued then are answered with an error).
// Thread-safety: every method may be called from any thread; handlers may outlive it (their
// calls are then answered with an error).
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/json.h"
#include "common/mutex.h"
#include "common/result.h"
#include "functions/runtime.h"
#include "knix/catalog.h"
#include "knix/data_layer.h"

namespace stator::knix {

class FunctionContext {
 public:
  FunctionContext(DataLayer* data_layer, Catalog* catalog, bool inline_reads, int threads = 4);
  ~FunctionContext();
  FunctionContext(const FunctionContext&) = delete;
  FunctionContext& operator=(const FunctionContext&) = delete;

  // What the calls need of the KNIX front door; set once, before any call is served.
  struct Hooks {
    std::function<Result<bool>(const std::string& user, const std::string& bucket)> bucket_exists;
    std::function<void(const std::string& user, const std::string& bucket, const std::string& key,
                       const std::string& value)>
        bucket_written;
    // The management answer's envelope ({"status", "data"}).
    std::function<Result<json::Value>(const std::string& workflow_id, const json::Value& request)>
        management;
  };
  void SetHooks(Hooks hooks) { hooks_ = std::move(hooks); }

  // The handler for the invocations of workflow_id's functions.
  functions::PlatformHandler HandlerFor(const std::string& workflow_id);

  // One call, served on the caller's thread (the pool's threads run this). Errors:
  // "InvalidParameterValueException" (unknown call, bad arguments), "ResourceNotFoundException"
  // (the workflow is gone), store failures.
  Result<json::Value> Serve(const std::string& workflow_id, const std::string& call,
                            const json::Value& args);

 private:
  struct Shared;  // the queue and the threads' state, shared with the handlers
  Result<std::string> OwnerOf(const std::string& workflow_id) EXCLUDES(owners_mu_);

  DataLayer* const data_layer_;
  Catalog* const catalog_;
  const bool inline_reads_;
  std::shared_ptr<Shared> shared_;
  std::vector<std::thread> threads_;
  Hooks hooks_;
  Mutex owners_mu_;
  std::unordered_map<std::string, std::string> owners_ GUARDED_BY(owners_mu_);
};

}  // namespace stator::knix
