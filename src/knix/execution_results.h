// ExecutionResults: the results that running async executions of KNIX workflows have delivered,
// for the endpoint's `?executionId=` retrievals (workflow_endpoint.cc).
//
// A KNIX workflow that forks (dynamic next, fan-out, k-of-n joins, session functions) may
// deliver several results while it runs, each one overwriting the last, as KNIX's stored result
// is; the execution's final output (in the store once it ends) is the last one. A blocking
// retrieval answers a result that no blocking retrieval has answered yet, else waits for the
// next one (or the execution's end): a client that polls gets each join's result in turn.
//
// In memory, on the node that runs the execution: another node of a cluster sees only the
// final output (docs/knix.md).
//
// Thread-safety: every method may be called from any thread; callbacks run outside the lock.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/json.h"
#include "common/mutex.h"

namespace stator::knix {

class ExecutionResults {
 public:
  using Waiter = std::function<void(std::optional<json::Value> result)>;

  // A result of the running execution `arn`: the latest from now on; its waiters get it. True
  // when it is the execution's first (the caller then arranges for Ended to be called).
  bool Deliver(const std::string& arn, const json::Value& result) EXCLUDES(mu_);
  // The execution ended (its final outcome is in the store): its waiters get nullopt.
  void Ended(const std::string& arn) EXCLUDES(mu_);
  // The latest result, if one was delivered.
  std::optional<json::Value> Latest(const std::string& arn) EXCLUDES(mu_);
  // A result no blocking retrieval answered yet (now marked answered); else nullopt, and
  // `waiter` gets the next result or nullopt at the end (see Ended; an execution that already
  // ended before this call is the caller's to detect, e.g. with Executions::WhenEnded).
  std::optional<json::Value> TakeOrWait(const std::string& arn, Waiter waiter) EXCLUDES(mu_);

 private:
  struct Entry {
    json::Value latest;
    uint64_t delivered = 0;
    uint64_t answered = 0;
    std::vector<Waiter> waiters;
  };
  Mutex mu_;
  std::unordered_map<std::string, Entry> entries_ GUARDED_BY(mu_);
};

}  // namespace stator::knix
