// Runner: timers, claims, targets.
#include "schedules/runner.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <iostream>
#include <set>

namespace stator::schedules {
namespace {

// Real (monotonic) time, for rescans, pacing and the failure log: never the schedules' clock.
int64_t RealMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

constexpr int64_t kRetryMs = 1000;  // after a store failure

}  // namespace

Runner::Runner(Catalog* catalog, Timers* timers, Targets* targets, Options options)
    : catalog_(catalog),
      timers_(timers),
      targets_(targets),
      options_(std::move(options)),
      inbox_(std::make_shared<Inbox>()) {}

Runner::~Runner() { Stop(); }

void Runner::Start() {
  if (started_) return;
  started_ = true;
  Post({"", false, true});
  thread_ = std::thread([this] { Loop(); });
}

void Runner::Stop() {
  {
    MutexLock lock(&inbox_->mu);
    if (inbox_->stopping) return;
    inbox_->stopping = true;
  }
  inbox_->wake.SignalAll();
  if (thread_.joinable()) thread_.join();
  for (const auto& [key, armed] : armed_) timers_->CancelTimer(armed.id);
  armed_.clear();
  // Let targets in flight answer before the host's services go (their completions touch only
  // the inbox once stopping; a StartExecution in flight reaches the execution service).
  MutexLock lock(&inbox_->mu);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (inbox_->in_flight > 0) {
    if (!inbox_->wake.WaitUntil(&inbox_->mu, deadline)) break;
  }
}

void Runner::Changed(const std::string& key) { Post({key, false, false}); }

void Runner::Post(Work w) {
  {
    MutexLock lock(&inbox_->mu);
    if (inbox_->stopping) {
      if (w.held) timers_->Release();
      return;
    }
    inbox_->queue.push_back(std::move(w));
  }
  inbox_->wake.SignalAll();
}

void Runner::Loop() {
  int64_t next_rescan = RealMillis() + options_.rescan_ms;
  while (true) {
    Work w;
    bool have = false;
    {
      MutexLock lock(&inbox_->mu);
      while (true) {
        if (inbox_->stopping) {
          // Timer firings queued but not handled still hold the clock.
          for (const Work& left : inbox_->queue) {
            if (left.held) timers_->Release();
          }
          inbox_->queue.clear();
          return;
        }
        if (!inbox_->queue.empty()) {
          w = std::move(inbox_->queue.front());
          inbox_->queue.pop_front();
          have = true;
          break;
        }
        int64_t wake_at = options_.shared_store ? next_rescan : INT64_MAX;
        for (const auto& [key, due] : deferred_) wake_at = std::min(wake_at, due);
        const int64_t now = RealMillis();
        if (wake_at <= now) break;
        if (wake_at == INT64_MAX) {
          inbox_->wake.Wait(&inbox_->mu);
        } else {
          inbox_->wake.WaitFor(&inbox_->mu, std::chrono::milliseconds(wake_at - now));
        }
      }
    }
    if (have) {
      Handle(w);
      continue;
    }
    const int64_t now = RealMillis();
    if (options_.shared_store && now >= next_rescan) {
      next_rescan = now + options_.rescan_ms;
      Handle({"", false, true});
    }
    for (auto it = deferred_.begin(); it != deferred_.end();) {
      if (it->second > now) {
        ++it;
        continue;
      }
      std::string key = it->first;
      it = deferred_.erase(it);
      timers_->Hold();  // as a timer's firing
      Handle({key, true});
    }
  }
}

void Runner::Handle(const Work& w) {
  if (w.rescan) {
    Rescan();
    return;
  }
  if (w.rearm || !w.held) {
    Arm(w.key);
    if (w.held) timers_->Release();
    return;
  }
  if (!Due(w.key)) timers_->Release();
}

void Runner::SetTimer(const std::string& key, int64_t due_ms) {
  auto it = armed_.find(key);
  if (it != armed_.end()) {
    if (it->second.due_ms == due_ms) return;
    timers_->CancelTimer(it->second.id);
  }
  // The callback may run after Stop: it reaches the inbox, never this object.
  std::shared_ptr<Inbox> inbox = inbox_;
  Timers* timers = timers_;
  Timers::Id id = timers_->AddTimer(due_ms, [inbox, timers, key] {
    timers->Hold();
    {
      MutexLock lock(&inbox->mu);
      if (!inbox->stopping) {
        inbox->queue.push_back({key, true, false});
        inbox->wake.SignalAll();
        return;
      }
    }
    timers->Release();
  });
  armed_[key] = Armed{id, due_ms};
}

void Runner::Disarm(const std::string& key) {
  auto it = armed_.find(key);
  if (it == armed_.end()) return;
  timers_->CancelTimer(it->second.id);
  armed_.erase(it);
}

void Runner::Arm(const std::string& key) {
  auto s = catalog_->Get(key);
  if (!s.ok()) {
    SetTimer(key, timers_->NowMillis() + kRetryMs);
    return;
  }
  if (!*s || !(*s)->enabled()) return Disarm(key);
  auto text = catalog_->FireText(key);
  if (!text.ok()) {
    SetTimer(key, timers_->NowMillis() + kRetryMs);
    return;
  }
  FireState fire = FireState::Parse(*text);
  if (!fire.next_ms) return Disarm(key);
  SetTimer(key, *fire.next_ms);
}

void Runner::Rescan() {
  std::set<std::string> seen;
  std::string after;
  while (true) {
    auto page = catalog_->List("", after, 500);
    if (!page.ok()) return;  // keep what is armed; the next rescan tries again
    for (const Schedule& s : page->items) {
      if (!s.enabled()) continue;
      seen.insert(s.key());
      if (armed_.count(s.key()) == 0) Arm(s.key());
    }
    if (page->next.empty()) break;
    after = page->next;
  }
  for (auto it = armed_.begin(); it != armed_.end();) {
    if (seen.count(it->first)) {
      ++it;
    } else {
      timers_->CancelTimer(it->second.id);
      it = armed_.erase(it);
    }
  }
}

void Runner::LogFailure(Inbox* inbox, const std::string& key, const std::string& target,
                        const std::string& error) {
  std::string line;
  {
    MutexLock lock(&inbox->mu);
    auto& [last_ms, suppressed] = inbox->failures[key];
    const int64_t now = RealMillis();
    if (last_ms != 0 && now - last_ms < 60'000) {
      ++suppressed;
      return;
    }
    line = "stator: schedule " + key + ": target " + target + " failed: " + error;
    if (suppressed > 0) {
      line += " (and " + std::to_string(suppressed) + " more failures in the last minute)";
    }
    last_ms = now;
    suppressed = 0;
  }
  std::cerr << line + "\n";
}

bool Runner::Due(const std::string& key) {
  armed_.erase(key);  // this timer has fired
  if (timers_->is_virtual() && options_.virtual_pacing_ms > 0) {
    // Pacing (see the header): one firing of a schedule per virtual_pacing_ms of real time.
    auto last = last_fired_.find(key);
    if (last != last_fired_.end() && RealMillis() < last->second + options_.virtual_pacing_ms) {
      deferred_[key] = last->second + options_.virtual_pacing_ms;
      return false;
    }
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto got = catalog_->Get(key);
    if (!got.ok()) {
      SetTimer(key, timers_->NowMillis() + kRetryMs);
      return false;
    }
    if (!*got || !(*got)->enabled()) return false;  // deleted or disabled meanwhile
    const Schedule& s = **got;
    auto text = catalog_->FireText(key);
    if (!text.ok()) {
      SetTimer(key, timers_->NowMillis() + kRetryMs);
      return false;
    }
    FireState fire = FireState::Parse(*text);
    if (!fire.next_ms) return false;
    const int64_t now = timers_->NowMillis();
    if (*fire.next_ms > now) {
      SetTimer(key, *fire.next_ms);  // moved on (claimed elsewhere, or updated)
      return false;
    }
    auto next = NextFiring(s, now);
    FireState claimed{next.ok() ? *next : std::nullopt, fire.count + 1};
    Status st = catalog_->Claim(key, *text, claimed);
    if (!st.ok()) {
      if (st.error().error == store::kConditionFailed) continue;  // changed meanwhile: re-read
      SetTimer(key, now + kRetryMs);
      return false;
    }
    const bool virtual_time = timers_->is_virtual();
    if (claimed.next_ms && !virtual_time) SetTimer(key, *claimed.next_ms);
    if (!claimed.next_ms && s.action_after_completion == "DELETE") {
      Status d = catalog_->Delete(key);
      if (!d.ok() && d.error().error != store::kConditionFailed) {
        std::cerr << "stator: schedule " << key
                  << ": deleting after completion: " << d.error().cause << "\n";
      }
    }
    if (virtual_time) last_fired_[key] = RealMillis();
    std::string payload = FiringPayload(s, *fire.next_ms, options_.region, options_.account);
    {
      MutexLock lock(&inbox_->mu);
      ++inbox_->in_flight;
    }
    std::shared_ptr<Inbox> inbox = inbox_;
    Timers* timers = timers_;
    std::string target = s.target_arn();
    targets_->Run(target, payload,
                  [inbox, timers, key, target, virtual_time](const std::string& error) {
                    if (!error.empty()) LogFailure(inbox.get(), key, target, error);
                    {
                      // After Stop the host's timers may be gone: only a running runner releases
                      // its hold. With virtual time the runner's thread sets the next timer, then
                      // releases.
                      MutexLock lock(&inbox->mu);
                      if (!inbox->stopping) {
                        if (virtual_time) {
                          inbox->queue.push_back({key, true, false, true});
                        } else {
                          timers->Release();
                        }
                      }
                      --inbox->in_flight;
                    }
                    inbox->wake.SignalAll();
                  });
    return true;
  }
  SetTimer(key, timers_->NowMillis() + kRetryMs);
  return false;
}

}  // namespace stator::schedules
