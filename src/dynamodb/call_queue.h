// CallQueue: a thread that takes DynamoDB calls queued by other threads in groups. With
// `--store postgresql://...` the Service runs its reads on one CallQueue and its writes on
// another (cluster_batch.cc), so that the io threads that queue them never wait for PostgreSQL
// and a group of calls shares its round trips (one version query for a group of reads, one
// transaction for a group of writes).
//
// Push(call) appends a call; the thread takes everything queued so far as one group and hands
// it to `process` (in push order), which must answer every call of the group (call.done), now or
// later. While it processes, new calls accumulate for the next group, unless `process` takes
// them into the group it is processing (TakeMore: a batch of writes still being built).
//
// Ownership: owns the thread and the queued calls. The destructor processes what is queued, then
// joins the thread; `process` must stay callable until then.
// Thread-safety: Push may be called from any thread; `process` runs on the queue's thread only,
// and only it calls TakeMore.
#pragma once

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "common/json.h"
#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "dynamodb/service.h"

namespace stator::dynamodb {

struct QueuedCall {
  std::string op;
  json::Value req;
  std::function<void(Service::Response)> done;
};

class CallQueue {
 public:
  using Process = std::function<void(std::vector<QueuedCall>& calls)>;

  explicit CallQueue(Process process) : process_(std::move(process)) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~CallQueue() {
    {
      MutexLock lock(&mu_);
      stopping_ = true;
    }
    cv_.Signal();
    thread_.join();
  }
  CallQueue(const CallQueue&) = delete;
  CallQueue& operator=(const CallQueue&) = delete;

  // Appends the calls queued since the group was taken to it; false when there were none.
  bool TakeMore(std::vector<QueuedCall>* group) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    if (pending_.empty()) return false;
    for (QueuedCall& c : pending_) group->push_back(std::move(c));
    pending_.clear();
    return true;
  }

  void Push(QueuedCall call) EXCLUDES(mu_) {
    {
      MutexLock lock(&mu_);
      pending_.push_back(std::move(call));
    }
    cv_.Signal();
  }

 private:
  void Loop() EXCLUDES(mu_) {
    std::vector<QueuedCall> group;
    for (;;) {
      {
        MutexLock lock(&mu_);
        while (pending_.empty() && !stopping_) cv_.Wait(&mu_);
        if (pending_.empty()) return;  // stopping, and everything processed
        group.swap(pending_);
      }
      process_(group);
      group.clear();
    }
  }

  const Process process_;
  Mutex mu_;
  CondVar cv_;
  std::vector<QueuedCall> pending_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace stator::dynamodb
