// AmqpTriggers: a supervisor that keeps one AmqpConsumer per active AMQP trigger.
#include "knix/amqp_triggers.h"

#include <utility>
#include <vector>

#include "knix/triggers.h"

namespace stator::knix {

AmqpTriggers::AmqpTriggers(store::Store* store, Callbacks callbacks, Options options)
    : store_(store), callbacks_(std::move(callbacks)), options_(options) {}

AmqpTriggers::~AmqpTriggers() { Stop(); }

void AmqpTriggers::Start() {
  MutexLock lock(&mu_);
  if (started_ || stopping_) return;
  started_ = true;
  thread_ = std::thread([this] { Run(); });
}

void AmqpTriggers::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  wake_.SignalAll();
  if (thread_.joinable()) thread_.join();
  // Every consumer asked first, then joined: they wind down together.
  std::map<std::string, std::unique_ptr<AmqpConsumer>> running;
  {
    MutexLock lock(&mu_);
    running.swap(consumers_);
    for (auto& [key, consumer] : running) consumer->RequestStop();
  }
  running.clear();  // joins
  Reap(/*all=*/true);
}

void AmqpTriggers::Changed(const std::string& key) {
  (void)key;  // the whole set is re-read: AMQP triggers are few
  Wake();
}

void AmqpTriggers::Wake() {
  {
    MutexLock lock(&mu_);
    dirty_ = true;
  }
  wake_.SignalAll();
}

AmqpTriggers::Status AmqpTriggers::StatusOf(const std::string& key,
                                            const json::Value& trigger_info) {
  Status out;
  {
    MutexLock lock(&mu_);
    if (auto c = counts_.find(key); c != counts_.end()) out.count = c->second->load();
    if (auto it = consumers_.find(key); it != consumers_.end()) {
      AmqpConsumer::State state = it->second->state();
      out.status = state.status;
      out.message = state.message;
      return out;
    }
    for (const auto& [stopping, consumer] : stopping_consumers_) {
      if (stopping != key) continue;
      // Until its thread returns it may still take a message (KNIX's frontend drops those, as
      // it drops every message that comes while no workflow is associated).
      out.status = "ready";
      out.message = "disconnecting: no deployed workflow is associated";
      return out;
    }
    if (over_limit_.count(key)) {
      out.status = "error";
      out.message = "not connected: this node already runs its " +
                    std::to_string(options_.max_consumers) + " AMQP consumers";
      return out;
    }
  }
  const json::Value* addr = trigger_info.is_object() ? trigger_info.Find("amqp_addr") : nullptr;
  std::string bad = CheckAmqpAddress(addr != nullptr && addr->is_string() ? addr->as_string() : "");
  if (!bad.empty()) {
    out.status = "error";
    out.message = bad;
    return out;
  }
  out.status = "ready";
  out.message =
      "not connected: no deployed workflow is associated (stator connects to the broker "
      "while one is)";
  return out;
}

std::optional<AmqpTriggers::Scanned> AmqpTriggers::Scan() {
  Scanned out;
  std::string after;
  while (true) {
    auto page = store_->ListRecords(kTriggersKind, "", after, 500);
    if (!page.ok()) return std::nullopt;
    for (const store::Record& r : page->items) {
      auto v = json::Parse(r.value);
      if (!v.ok() || !v->is_object()) continue;
      const json::Value* type = v->Find("trigger_type");
      if (type == nullptr || !type->is_string() || type->as_string() != "amqp") continue;
      out.exist.insert(r.key);
      if (!callbacks_.active(r.key, *v)) continue;
      const json::Value* info = v->Find("trigger_info");
      const json::Value* id = v->Find("trigger_id");
      out.want[r.key] =
          AmqpConfig::FromTriggerInfo(info != nullptr ? *info : json::Value::EmptyObject(),
                                      id != nullptr && id->is_string() ? id->as_string() : r.key);
    }
    if (page->next.empty()) break;
    after = page->next;
  }
  return out;
}

void AmqpTriggers::Reconcile(const Scanned& scanned) {
  const std::map<std::string, AmqpConfig>& wanted = scanned.want;
  MutexLock lock(&mu_);
  if (stopping_) return;
  for (auto it = consumers_.begin(); it != consumers_.end();) {
    auto want = wanted.find(it->first);
    if (want != wanted.end() && want->second == it->second->config()) {
      ++it;
      continue;
    }
    it->second->RequestStop();
    stopping_consumers_.emplace_back(it->first, std::move(it->second));
    it = consumers_.erase(it);
  }
  over_limit_.clear();
  for (const auto& [key, config] : wanted) {
    if (consumers_.count(key)) continue;
    if (consumers_.size() >= options_.max_consumers) {
      over_limit_.insert(key);
      continue;
    }
    auto& count = counts_[key];
    if (count == nullptr) count = std::make_shared<std::atomic<int64_t>>(0);
    const std::string k = key;
    AmqpConsumer::Callbacks cb;
    cb.message = [this, k](const std::string& routing_key, const std::string& body) {
      callbacks_.message(k, routing_key, body);
    };
    cb.lost = [this, k](const std::string& why) { callbacks_.lost(k, why); };
    auto consumer = std::make_unique<AmqpConsumer>(config, std::move(cb), count, options_.consumer);
    consumer->Start();
    consumers_.emplace(key, std::move(consumer));
  }
  // A count outlives a pause of its trigger, not the trigger (a new one of the name starts at 0).
  for (auto it = counts_.begin(); it != counts_.end();) {
    it = scanned.exist.count(it->first) ? std::next(it) : counts_.erase(it);
  }
}

void AmqpTriggers::Reap(bool all) {
  std::vector<std::unique_ptr<AmqpConsumer>> done;
  {
    MutexLock lock(&mu_);
    for (auto it = stopping_consumers_.begin(); it != stopping_consumers_.end();) {
      if (all || it->second->Done()) {
        done.push_back(std::move(it->second));
        it = stopping_consumers_.erase(it);
      } else {
        ++it;
      }
    }
  }
  done.clear();  // joins, without the lock
}

void AmqpTriggers::Run() {
  auto next_scan = std::chrono::steady_clock::now();
  while (true) {
    bool scan = false;
    {
      MutexLock lock(&mu_);
      if (stopping_) return;
      scan = dirty_ || std::chrono::steady_clock::now() >= next_scan;
      if (scan) dirty_ = false;
    }
    if (scan) {
      if (std::optional<Scanned> scanned = Scan()) Reconcile(*scanned);
      next_scan = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.rescan_ms);
    }
    Reap(/*all=*/false);
    MutexLock lock(&mu_);
    if (stopping_ || dirty_) continue;
    auto until = next_scan;
    if (!stopping_consumers_.empty()) {  // look again soon: their threads are to be joined
      until = std::min(until, std::chrono::steady_clock::now() + std::chrono::milliseconds(100));
    }
    wake_.WaitUntil(&mu_, until);
  }
}

}  // namespace stator::knix
