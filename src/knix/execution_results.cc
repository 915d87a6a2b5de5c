#include "knix/execution_results.h"

#include <utility>

namespace stator::knix {

bool ExecutionResults::Deliver(const std::string& arn, const json::Value& result) {
  std::vector<Waiter> waiters;
  bool first;
  {
    MutexLock lock(&mu_);
    Entry& e = entries_[arn];
    e.latest = result;
    first = e.delivered++ == 0;
    if (!e.waiters.empty()) {
      waiters.swap(e.waiters);
      e.answered = e.delivered;
    }
  }
  for (Waiter& w : waiters) w(result);
  return first;
}

void ExecutionResults::Ended(const std::string& arn) {
  std::vector<Waiter> waiters;
  {
    MutexLock lock(&mu_);
    auto it = entries_.find(arn);
    if (it == entries_.end()) return;
    waiters.swap(it->second.waiters);
    entries_.erase(it);
  }
  for (Waiter& w : waiters) w(std::nullopt);
}

std::optional<json::Value> ExecutionResults::Latest(const std::string& arn) {
  MutexLock lock(&mu_);
  auto it = entries_.find(arn);
  if (it == entries_.end() || it->second.delivered == 0) return std::nullopt;
  return it->second.latest;
}

std::optional<json::Value> ExecutionResults::TakeOrWait(const std::string& arn, Waiter waiter) {
  MutexLock lock(&mu_);
  Entry& e = entries_[arn];
  if (e.answered < e.delivered) {
    e.answered = e.delivered;
    return e.latest;
  }
  e.waiters.push_back(std::move(waiter));
  return std::nullopt;
}

}  // namespace stator::knix
