// FunctionContext: the data layer's platform calls, served in order per invocation (a strand)
// on a small pool of threads.
#include "knix/function_context.h"

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace stator::knix {
namespace {

using json::Value;

Error Invalid(const std::string& message) {
  return Error{"InvalidParameterValueException", message};
}

Value Strings(const std::vector<std::string>& v) {
  json::Array a;
  a.reserve(v.size());
  for (const std::string& s : v) a.push_back(Value::String(s));
  return Value::MakeArray(std::move(a));
}

Value OptionalString(const std::optional<std::string>& s) {
  return s ? Value::String(*s) : Value::Null();
}

// The call's arguments, checked as they are read.
class Args {
 public:
  explicit Args(const Value& v) : v_(v) {}
  Result<std::string> Str(const char* name) const {
    const Value* f = v_.is_object() ? v_.Find(name) : nullptr;
    if (f == nullptr || !f->is_string()) {
      return Invalid(std::string("'") + name + "' must be a string");
    }
    return f->as_string();
  }
  Result<int64_t> Int(const char* name, int64_t fallback) const {
    const Value* f = v_.is_object() ? v_.Find(name) : nullptr;
    if (f == nullptr || f->is_null()) return fallback;
    if (!f->is_int()) return Invalid(std::string("'") + name + "' must be an integer");
    return f->as_int();
  }
  bool Private() const {
    const Value* f = v_.is_object() ? v_.Find("private") : nullptr;
    return f != nullptr && f->is_bool() && f->as_bool();
  }

 private:
  const Value& v_;
};

Result<Value> Done(const Status& s) {
  if (!s.ok()) return s.error();
  return Value::Null();
}

}  // namespace

struct FunctionContext::Shared {
  Mutex mu;
  CondVar ready;
  CondVar idle;  // callers fell to 0
  std::deque<std::function<void()>> queue GUARDED_BY(mu);
  bool stopping GUARDED_BY(mu) = false;
  int callers GUARDED_BY(mu) = 0;  // handler calls running on their caller's thread
};

struct FunctionContext::Pending {
  std::string call;
  json::Value args;
  functions::PlatformReply reply;  // empty when pipelined
  bool pipelined = false;
  bool overflow = false;  // not a call: the strand had too many pipelined calls waiting
};

struct FunctionContext::Strand {
  explicit Strand(std::string w) : workflow_id(std::move(w)) {}
  const std::string workflow_id;
  Mutex mu;
  std::deque<Pending> calls GUARDED_BY(mu);    // waiting their turn
  bool busy GUARDED_BY(mu) = false;            // scheduled, or one of its calls is being served
  size_t pipelined GUARDED_BY(mu) = 0;         // pipelined calls in `calls`
  bool overflowed GUARDED_BY(mu) = false;      // an overflow is queued; no answered call since
  std::optional<Error> failed GUARDED_BY(mu);  // a pipelined write's failure, not yet answered
};

namespace {

constexpr int kStrandBatch = 64;  // calls a pool thread serves of one strand before the next

// The calls that only read: served on the caller's thread when reads are cheap.
bool IsRead(const std::string& call) {
  static const char* const kReads[] = {
      "dl.get",         "dl.getKeys",     "dl.getMapEntry",     "dl.containsMapKey",
      "dl.getMapKeys",  "dl.retrieveMap", "dl.getMapNames",     "dl.containsSetItem",
      "dl.retrieveSet", "dl.getSetNames", "dl.getCounterValue", "dl.getCounterNames"};
  for (const char* r : kReads) {
    if (call == r) return true;
  }
  return false;
}

// KNIX's writes: the calls a "dl.commit" may hold (is_queued applies to them) and the ones that
// may be pipelined (KNIX answers each with None).
bool IsWrite(const std::string& call) {
  static const char* const kWrites[] = {"dl.put",
                                        "dl.delete",
                                        "dl.putMapEntry",
                                        "dl.deleteMapEntry",
                                        "dl.clearMap",
                                        "dl.deleteMap",
                                        "dl.addSetEntry",
                                        "dl.removeSetEntry",
                                        "dl.clearSet",
                                        "dl.deleteSet",
                                        "dl.createCounter",
                                        "dl.incrementCounter",
                                        "dl.decrementCounter",
                                        "dl.deleteCounter"};
  for (const char* w : kWrites) {
    if (call == w) return true;
  }
  return false;
}

bool Pipelined(const std::string& call, const Value& args) {
  const Value* f = args.is_object() ? args.Find("pipelined") : nullptr;
  return f != nullptr && f->is_bool() && f->as_bool() && IsWrite(call);
}

Error ShuttingDown() { return Error{"ServiceException", "the server is shutting down"}; }

}  // namespace

FunctionContext::FunctionContext(DataLayer* data_layer, Catalog* catalog, bool inline_reads,
                                 int threads, size_t max_pipelined)
    : data_layer_(data_layer),
      catalog_(catalog),
      inline_reads_(inline_reads),
      max_pipelined_(max_pipelined),
      shared_(std::make_shared<Shared>()) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([shared = shared_] {
      for (;;) {
        std::function<void()> work;
        {
          MutexLock lock(&shared->mu);
          while (shared->queue.empty() && !shared->stopping) shared->ready.Wait(&shared->mu);
          if (shared->queue.empty()) return;
          work = std::move(shared->queue.front());
          shared->queue.pop_front();
        }
        work();
      }
    });
  }
}

FunctionContext::~FunctionContext() {
  {
    MutexLock lock(&shared_->mu);
    shared_->stopping = true;
    while (shared_->callers > 0) shared_->idle.Wait(&shared_->mu);
  }
  shared_->ready.SignalAll();
  for (std::thread& t : threads_) t.join();
}

bool FunctionContext::Schedule(const std::shared_ptr<Strand>& s) {
  {
    MutexLock lock(&shared_->mu);
    if (!shared_->stopping) {
      shared_->queue.push_back([this, s] { RunStrand(s); });
      shared_->ready.Signal();
      return true;
    }
  }
  std::deque<Pending> abandoned;
  {
    MutexLock lock(&s->mu);
    abandoned.swap(s->calls);
    s->pipelined = 0;
    s->busy = false;
  }
  for (Pending& p : abandoned) {
    if (p.reply) p.reply(ShuttingDown());
  }
  return false;
}

void FunctionContext::RunStrand(const std::shared_ptr<Strand>& s) {
  for (int served = 0;; ++served) {
    Pending p;
    {
      MutexLock lock(&s->mu);
      if (s->calls.empty()) {
        s->busy = false;
        return;
      }
      if (served == kStrandBatch) break;  // the other strands' turn; still busy
      p = std::move(s->calls.front());
      s->calls.pop_front();
      if (p.pipelined) --s->pipelined;
    }
    Execute(*s, p);
  }
  Schedule(s);
}

void FunctionContext::Execute(Strand& s, Pending& p) {
  {
    MutexLock lock(&s.mu);
    if (p.overflow) {
      if (!s.failed) {
        s.failed = Error{"TooManyRequestsException",
                         "more than " + std::to_string(max_pipelined_) +
                             " data-layer writes were sent without waiting; the writes sent "
                             "after that, until now, were not applied"};
      }
      return;
    }
    if (s.failed) {
      if (p.pipelined) return;  // after a failure nobody heard of yet: as if it had raised
      Error failure = std::move(*s.failed);
      s.failed.reset();
      lock.Unlock();
      p.reply(std::move(failure));  // this call's answer instead of its own; not served
      return;
    }
  }
  Result<Value> r = Serve(s.workflow_id, p.call, p.args);
  if (!p.pipelined) return p.reply(std::move(r));
  if (r.ok()) return;
  MutexLock lock(&s.mu);
  s.failed = Error{r.error().error, p.call.substr(3) + " failed: " + r.error().cause +
                                        " (it was not awaited; the data-layer writes sent after "
                                        "it, until now, were not applied)"};
}

functions::PlatformHandler FunctionContext::HandlerFor(const std::string& workflow_id) {
  return [this, shared = shared_, strand = std::make_shared<Strand>(workflow_id),
          inline_reads = inline_reads_, max_pipelined = max_pipelined_](
             std::string call, json::Value args, functions::PlatformReply reply) {
    const bool pipelined = Pipelined(call, args);
    if (pipelined) reply = nullptr;  // the instance waits for no answer: it gets none
    {
      MutexLock lock(&shared->mu);
      if (shared->stopping) {
        lock.Unlock();
        if (reply) reply(ShuttingDown());
        return;
      }
      ++shared->callers;  // `this` stays alive until this call is done with it
    }
    const bool may_inline = call == "dl.sync" || (inline_reads && IsRead(call));
    bool serve_here = false, schedule = false;
    Pending p{std::move(call), std::move(args), std::move(reply), pipelined, false};
    {
      MutexLock lock(&strand->mu);
      if (!pipelined) strand->overflowed = false;  // it answers the overflow (after the rest)
      if (may_inline && !strand->busy) {
        // Nothing of this invocation waits or runs: a read of a local store takes
        // microseconds, cheaper here than a hand-off to the pool.
        strand->busy = serve_here = true;
      } else if (pipelined && (strand->overflowed || strand->pipelined >= max_pipelined)) {
        if (!strand->overflowed) {  // the first one beyond: the strand fails there
          strand->overflowed = true;
          strand->calls.push_back(Pending{"", json::Value::Null(), nullptr, false, true});
        }  // else dropped, as every pipelined write after a failure
      } else {
        if (pipelined) ++strand->pipelined;
        strand->calls.push_back(std::move(p));
      }
      if (!serve_here && !strand->busy && !strand->calls.empty()) strand->busy = schedule = true;
    }
    if (serve_here) {
      Execute(*strand, p);
      MutexLock lock(&strand->mu);
      if (strand->calls.empty()) {
        strand->busy = false;
      } else {
        schedule = true;  // (only if another thread called meanwhile)
      }
    }
    if (schedule) Schedule(strand);
    MutexLock lock(&shared->mu);
    if (--shared->callers == 0) shared->idle.SignalAll();
  };
}

Result<std::string> FunctionContext::OwnerOf(const std::string& workflow_id) {
  {
    MutexLock lock(&owners_mu_);
    if (auto it = owners_.find(workflow_id); it != owners_.end()) return it->second;
  }
  STATOR_TRY(std::optional<WorkflowRecord> w, catalog_->WorkflowById(workflow_id));
  if (!w) return Error{"ResourceNotFoundException", "no such workflow: " + workflow_id};
  MutexLock lock(&owners_mu_);
  owners_[workflow_id] = w->user;
  return w->user;
}

Result<Value> FunctionContext::Serve(const std::string& workflow_id, const std::string& call,
                                     const Value& args_json) {
  if (call == "dl.sync") return Value::Null();  // its turn has come: all before it is applied
  if (call == "dl.commit") {
    // The queued writes of an invocation that succeeded, applied in order (each atomic on its
    // own, not as a whole); the first failure ends it.
    const Value* ops = args_json.is_object() ? args_json.Find("ops") : nullptr;
    if (ops == nullptr || !ops->is_array()) return Invalid("'ops' must be an array");
    for (const Value& op : ops->as_array()) {
      const Value* c = op.is_object() ? op.Find("call") : nullptr;
      const Value* args = op.is_object() ? op.Find("args") : nullptr;
      if (c == nullptr || !c->is_string() || args == nullptr || !IsWrite(c->as_string())) {
        return Invalid("a queued operation must be a data-layer write");
      }
      STATOR_TRY(Value ignored, Serve(workflow_id, c->as_string(), *args));
      (void)ignored;
    }
    return Value::Null();
  }
  if (call == "knix.management") {
    const Value* request = args_json.is_object() ? args_json.Find("request") : nullptr;
    if (request == nullptr || !request->is_object() || !hooks_.management) {
      return Invalid("'request' must be an object");
    }
    return hooks_.management(workflow_id, *request);
  }
  Args a(args_json);
  std::string scope;
  // A key/value call on a triggerable bucket (KNIX's bucketName, ignored with is_private).
  const Value* bucket_arg = args_json.is_object() ? args_json.Find("bucket") : nullptr;
  std::string bucket, owner;
  if (bucket_arg != nullptr && !bucket_arg->is_null() && !a.Private() &&
      (call == "dl.put" || call == "dl.get" || call == "dl.delete")) {
    if (!bucket_arg->is_string()) return Invalid("'bucket' must be a string");
    bucket = bucket_arg->as_string();
  }
  if (a.Private()) {
    scope = "workflow/" + workflow_id;  // KnixService::WorkflowScope
  } else {
    STATOR_TRY(owner, OwnerOf(workflow_id));
    scope = "user/" + owner;  // KnixService::UserScope
  }
  if (!bucket.empty()) {
    scope = "bucket/" + owner + "/" + bucket;  // KnixService::BucketScope
    bool exists = false;
    if (hooks_.bucket_exists) {
      STATOR_TRY(exists, hooks_.bucket_exists(owner, bucket));
    }
    if (!exists) {
      if (Result<std::string> key = a.Str("key"); !key.ok()) return key.error();
      return Value::Null();  // not stored, as KNIX's data layer answers for a missing table
    }
    if (call == "dl.put") {
      STATOR_TRY(std::string key, a.Str("key"));
      STATOR_TRY(std::string value, a.Str("value"));
      STATOR_RETURN_IF_ERROR(data_layer_->Put(scope, key, value));
      if (hooks_.bucket_written) hooks_.bucket_written(owner, bucket, key, value);
      return Value::Null();
    }
  }
  DataLayer& dl = *data_layer_;
  // Key/value
  if (call == "dl.put") {
    STATOR_TRY(std::string key, a.Str("key"));
    STATOR_TRY(std::string value, a.Str("value"));
    return Done(dl.Put(scope, key, value));
  }
  if (call == "dl.get") {
    STATOR_TRY(std::string key, a.Str("key"));
    STATOR_TRY(auto v, dl.Get(scope, key));
    return OptionalString(v);
  }
  if (call == "dl.delete") {
    STATOR_TRY(std::string key, a.Str("key"));
    return Done(dl.Delete(scope, key));
  }
  // Listings: [start, start + count).
  if (call == "dl.getKeys" || call == "dl.getMapNames" || call == "dl.getSetNames" ||
      call == "dl.getCounterNames") {
    STATOR_TRY(int64_t start, a.Int("start", 0));
    STATOR_TRY(int64_t count, a.Int("count", 2147483647));
    Result<std::vector<std::string>> names =
        call == "dl.getKeys"       ? dl.ListKeys(scope, start, count)
        : call == "dl.getMapNames" ? dl.ListMaps(scope, start, count)
        : call == "dl.getSetNames" ? dl.ListSets(scope, start, count)
                                   : dl.ListCounters(scope, start, count);
    if (!names.ok()) return names.error();
    return Strings(*names);
  }
  // Maps
  if (call.starts_with("dl.") && call.find("Map") != std::string::npos) {
    STATOR_TRY(std::string map, a.Str("map"));
    if (call == "dl.putMapEntry") {
      STATOR_TRY(std::string key, a.Str("key"));
      STATOR_TRY(std::string value, a.Str("value"));
      return Done(dl.PutMapEntry(scope, map, key, value));
    }
    if (call == "dl.getMapEntry") {
      STATOR_TRY(std::string key, a.Str("key"));
      STATOR_TRY(auto v, dl.GetMapEntry(scope, map, key));
      return OptionalString(v);
    }
    if (call == "dl.deleteMapEntry" || call == "dl.containsMapKey") {
      STATOR_TRY(std::string key, a.Str("key"));
      STATOR_TRY(bool b, call == "dl.deleteMapEntry" ? dl.DeleteMapEntry(scope, map, key)
                                                     : dl.ContainsMapKey(scope, map, key));
      return Value::Bool(b);
    }
    if (call == "dl.getMapKeys") {
      STATOR_TRY(auto keys, dl.GetMapKeys(scope, map));
      return Strings(keys);
    }
    if (call == "dl.retrieveMap") {
      STATOR_TRY(auto entries, dl.RetrieveMap(scope, map));
      json::Object o;
      for (auto& [k, v] : entries) o.emplace_back(k, Value::String(v));
      return Value::MakeObject(std::move(o));
    }
    if (call == "dl.clearMap") return Done(dl.ClearMap(scope, map));
    if (call == "dl.deleteMap") return Done(dl.DeleteMap(scope, map));
  }
  // Sets
  if (call.starts_with("dl.") && call.find("Set") != std::string::npos) {
    STATOR_TRY(std::string set, a.Str("set"));
    if (call == "dl.addSetEntry") {
      STATOR_TRY(std::string item, a.Str("item"));
      return Done(dl.AddSetEntry(scope, set, item));
    }
    if (call == "dl.removeSetEntry" || call == "dl.containsSetItem") {
      STATOR_TRY(std::string item, a.Str("item"));
      STATOR_TRY(bool b, call == "dl.removeSetEntry" ? dl.RemoveSetEntry(scope, set, item)
                                                     : dl.ContainsSetItem(scope, set, item));
      return Value::Bool(b);
    }
    if (call == "dl.retrieveSet") {
      STATOR_TRY(auto items, dl.RetrieveSet(scope, set));
      return Strings(items);
    }
    if (call == "dl.clearSet") return Done(dl.ClearSet(scope, set));
    if (call == "dl.deleteSet") return Done(dl.DeleteSet(scope, set));
  }
  // Counters
  if (call.starts_with("dl.") && call.find("Counter") != std::string::npos) {
    STATOR_TRY(std::string counter, a.Str("counter"));
    if (call == "dl.createCounter") {
      STATOR_TRY(int64_t n, a.Int("n", 0));
      STATOR_TRY(bool b, dl.CreateCounter(scope, counter, n));
      return Value::Bool(b);
    }
    if (call == "dl.getCounterValue") {
      STATOR_TRY(int64_t v, dl.GetCounter(scope, counter));
      return Value::Int(v);
    }
    if (call == "dl.incrementCounter" || call == "dl.decrementCounter") {
      STATOR_TRY(int64_t n, a.Int("n", 1));
      STATOR_TRY(int64_t v, call == "dl.incrementCounter" ? dl.IncrementCounter(scope, counter, n)
                                                          : dl.DecrementCounter(scope, counter, n));
      return Value::Int(v);
    }
    if (call == "dl.deleteCounter") return Done(dl.DeleteCounter(scope, counter));
  }
  return Invalid("unknown platform call: " + call);
}

}  // namespace stator::knix
