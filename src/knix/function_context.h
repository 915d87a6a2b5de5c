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
// Every call of one invocation (one handler) is served in the order it came, one at a time:
// the handler keeps a strand (a queue of that invocation's calls) that a small pool of threads
// of its own works off, one thread per strand at a time; no two calls of one invocation run at
// once. A read is served right on the caller's thread (the runtime's reactor) instead when the
// store is local (inline_reads: SQLite or memory, where a read takes microseconds and the
// hand-off costs more than the read) and nothing of its invocation is waiting or running; else
// it waits its turn on the strand, after the writes sent before it (read-your-writes).
//
// Pipelined writes: a data-layer write (one a "dl.commit" may hold: KNIX answers
// each with None) whose arguments hold
// "pipelined": true is not answered at all: the instance sent it without waiting and goes on
// (docs/functions.md, platform calls). It is applied in its turn on the strand. Its failure
// is kept and is the answer of the invocation's next answered call instead of that call's own
// (which is then not served); the pipelined writes after a failure are dropped (not applied)
// until that answer, as if the failing write had raised. "dl.sync" {} is answered (null, or
// such a failure) once every call sent before it has been applied: the runtime sends one
// before it ends an invocation that pipelined writes, and one every so many writes to bound
// what it has in flight (backpressure). At most max_pipelined pipelined calls wait per
// strand: one beyond is dropped and fails the strand ("TooManyRequestsException"), so a
// runaway sender cannot grow the server's memory.
//
// Ownership: borrows the data layer and the catalogue (both must outlive it); owns its threads
// (joined in the destructor, after they have served every strand already scheduled; a call
// that comes later is answered with an error).
// Thread-safety: every method may be called from any thread; handlers may outlive it (their
// calls are then answered with an error). A handler's calls must come one at a time, in
// their order (the runtime's reactor thread makes them so).
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
  static constexpr size_t kMaxPipelined = 4096;  // per strand; the runtime keeps <= 1024
  FunctionContext(DataLayer* data_layer, Catalog* catalog, bool inline_reads, int threads = 4,
                  size_t max_pipelined = kMaxPipelined);
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

  // The handler for one invocation of a function of workflow_id (its strand: a new handler
  // for each invocation).
  functions::PlatformHandler HandlerFor(const std::string& workflow_id);

  // One call, served on the caller's thread (the pool's threads run this). Errors:
  // "InvalidParameterValueException" (unknown call, bad arguments), "ResourceNotFoundException"
  // (the workflow is gone), store failures.
  Result<json::Value> Serve(const std::string& workflow_id, const std::string& call,
                            const json::Value& args);

 private:
  struct Shared;  // the queue and the threads' state, shared with the handlers
  struct Strand;  // one handler's calls
  struct Pending;
  // Serves s's calls (on a pool thread) until it has none or has served a batch (then it is
  // queued again, behind the other strands).
  void RunStrand(const std::shared_ptr<Strand>& s);
  // One call of s, answered (or, pipelined, its failure kept); on s's turn.
  void Execute(Strand& s, Pending& p);
  // Queues s for the pool; false when stopping (then s's calls are answered with an error).
  bool Schedule(const std::shared_ptr<Strand>& s);
  Result<std::string> OwnerOf(const std::string& workflow_id) EXCLUDES(owners_mu_);

  DataLayer* const data_layer_;
  Catalog* const catalog_;
  const bool inline_reads_;
  const size_t max_pipelined_;
  std::shared_ptr<Shared> shared_;
  std::vector<std::thread> threads_;
  Hooks hooks_;
  Mutex owners_mu_;
  std::unordered_map<std::string, std::string> owners_ GUARDED_BY(owners_mu_);
};

}  // namespace stator::knix
