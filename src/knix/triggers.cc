// TimerTriggers: armed timer triggers, their ticks claimed by compare-and-set in the store.
#include "knix/triggers.h"

#include <algorithm>
#include <chrono>
#include <utility>
#include <vector>

#include "common/json.h"

namespace stator::knix {
namespace {

struct Ticks {
  int64_t next_ms = 0;
  int64_t count = 0;
};

std::optional<Ticks> ParseTicks(const std::string& text) {
  auto v = json::Parse(text);
  if (!v.ok() || !v->is_object()) return std::nullopt;
  const json::Value* next = v->Find("next_ms");
  const json::Value* count = v->Find("count");
  if (next == nullptr || !next->is_int() || count == nullptr || !count->is_int()) {
    return std::nullopt;
  }
  return Ticks{next->as_int(), count->as_int()};
}

std::string TicksText(const Ticks& t) {
  return json::Value::MakeObject(
             {{"next_ms", json::Value::Int(t.next_ms)}, {"count", json::Value::Int(t.count)}})
      .Dump();
}

// The interval of an armed timer trigger's record (a timer with associated workflows), or 0.
int64_t ArmedInterval(const std::string& record) {
  auto v = json::Parse(record);
  if (!v.ok() || !v->is_object()) return 0;
  const json::Value* type = v->Find("trigger_type");
  if (type == nullptr || !type->is_string() || type->as_string() != "timer") return 0;
  const json::Value* workflows = v->Find("associated_workflows");
  if (workflows == nullptr || !workflows->is_array() || workflows->as_array().empty()) return 0;
  const json::Value* info = v->Find("trigger_info");
  const json::Value* interval =
      info && info->is_object() ? info->Find("timer_interval_ms") : nullptr;
  if (interval == nullptr || !interval->is_int()) return 0;
  return std::max(interval->as_int(), kMinTimerIntervalMs);
}

}  // namespace

int64_t TimerTriggers::WallMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TimerTriggers::TimerTriggers(store::Store* store, Fire fire, Options options)
    : store_(store), fire_(std::move(fire)), options_(options) {}

TimerTriggers::~TimerTriggers() { Stop(); }

void TimerTriggers::Start() {
  MutexLock lock(&mu_);
  if (started_ || stopping_) return;
  started_ = true;
  thread_ = std::thread([this] { Run(); });
}

void TimerTriggers::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  wake_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void TimerTriggers::Changed(const std::string& key) {
  {
    MutexLock lock(&mu_);
    changed_.insert(key);
  }
  wake_.SignalAll();
}

Result<int64_t> TimerTriggers::Count(const std::string& key) {
  STATOR_TRY(std::optional<std::string> text, store_->GetRecord(kTriggerTicksKind, key));
  if (!text) return int64_t{0};
  std::optional<Ticks> t = ParseTicks(*text);
  return t ? t->count : 0;
}

std::optional<TimerTriggers::Armed> TimerTriggers::Load(const std::string& key) {
  auto record = store_->GetRecord(kTriggersKind, key);
  if (!record.ok() || !*record) return std::nullopt;
  int64_t interval = ArmedInterval(**record);
  if (interval == 0) return std::nullopt;
  // Arming: a tick record one interval ahead, or moved there when its time has passed.
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto text = store_->GetRecord(kTriggerTicksKind, key);
    if (!text.ok()) return Armed{interval, WallMillis() + interval};
    int64_t now = WallMillis();
    std::optional<Ticks> ticks = *text ? ParseTicks(**text) : std::nullopt;
    if (ticks && ticks->next_ms >= now) return Armed{interval, ticks->next_ms};
    Ticks next{now + interval, ticks ? ticks->count : 0};
    store::RecordWrite write =
        *text ? store::RecordWrite::IfEquals(kTriggerTicksKind, key, TicksText(next), **text)
              : store::RecordWrite::Put(kTriggerTicksKind, key, TicksText(next),
                                        store::RecordWrite::Condition::kAbsent);
    Status s = store_->WriteRecords({write});
    if (s.ok()) return Armed{interval, next.next_ms};
    if (s.error().error != store::kConditionFailed) return Armed{interval, now + interval};
    // Another node armed it or claimed a tick meanwhile: read again.
  }
  return Armed{interval, WallMillis() + interval};
}

std::optional<int64_t> TimerTriggers::Tick(const std::string& key, int64_t interval_ms) {
  // Still armed? Another node may have changed the trigger since this one last read it.
  auto record = store_->GetRecord(kTriggersKind, key);
  if (!record.ok()) return WallMillis() + interval_ms;
  if (!*record || ArmedInterval(**record) == 0) return std::nullopt;
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto text = store_->GetRecord(kTriggerTicksKind, key);
    int64_t now = WallMillis();
    if (!text.ok()) return now + interval_ms;  // the store failed: try at the next interval
    if (!*text) return now + interval_ms;      // deleted meanwhile (the rescan disarms it)
    std::optional<Ticks> ticks = ParseTicks(**text);
    if (!ticks) ticks = Ticks{};
    if (ticks->next_ms > now) return ticks->next_ms;  // another node claimed it
    Ticks next{now + interval_ms, ticks->count + 1};
    Status s = store_->WriteRecords(
        {store::RecordWrite::IfEquals(kTriggerTicksKind, key, TicksText(next), **text)});
    if (s.ok()) {
      fire_(key);
      return next.next_ms;
    }
    if (s.error().error != store::kConditionFailed) return now + interval_ms;
  }
  return WallMillis() + interval_ms;
}

void TimerTriggers::Reload(const std::string& key) {
  std::optional<Armed> armed = Load(key);
  if (!armed) {
    armed_.erase(key);
    return;
  }
  auto it = armed_.find(key);
  if (it != armed_.end() && it->second.interval_ms == armed->interval_ms) {
    // Still armed: keep the timer running as it was (a change of workflows does not move it).
    it->second.due_ms = std::min(it->second.due_ms, armed->due_ms);
    return;
  }
  armed_[key] = *armed;
}

void TimerTriggers::Rescan() {
  std::set<std::string> seen;
  std::string after;
  while (true) {
    auto page = store_->ListRecords(kTriggersKind, "", after, 500);
    if (!page.ok()) return;  // keep what is armed; the next rescan tries again
    for (const store::Record& r : page->items) {
      if (ArmedInterval(r.value) == 0) continue;
      seen.insert(r.key);
      if (armed_.count(r.key) == 0) Reload(r.key);
    }
    if (page->next.empty()) break;
    after = page->next;
  }
  for (auto it = armed_.begin(); it != armed_.end();) {
    it = seen.count(it->first) ? std::next(it) : armed_.erase(it);
  }
}

void TimerTriggers::Run() {
  Rescan();
  int64_t next_rescan = WallMillis() + options_.rescan_ms;
  while (true) {
    std::set<std::string> changed;
    {
      MutexLock lock(&mu_);
      if (stopping_) return;
      changed.swap(changed_);
    }
    for (const std::string& key : changed) Reload(key);
    if (options_.shared_store && WallMillis() >= next_rescan) {
      Rescan();
      next_rescan = WallMillis() + options_.rescan_ms;
    }
    for (auto it = armed_.begin(); it != armed_.end();) {
      {
        MutexLock lock(&mu_);
        if (stopping_) return;
      }
      Armed& armed = it->second;
      if (armed.due_ms > WallMillis()) {
        ++it;
        continue;
      }
      std::optional<int64_t> due = Tick(it->first, armed.interval_ms);
      if (!due) {
        it = armed_.erase(it);  // disarmed meanwhile
        continue;
      }
      armed.due_ms = *due;
      ++it;
    }
    int64_t wake_at = options_.shared_store ? next_rescan : WallMillis() + 60'000;
    for (const auto& [key, armed] : armed_) wake_at = std::min(wake_at, armed.due_ms);
    MutexLock lock(&mu_);
    if (stopping_) return;
    if (!changed_.empty()) continue;
    int64_t wait_ms = wake_at - WallMillis();
    if (wait_ms > 0) wake_.WaitFor(&mu_, std::chrono::milliseconds(wait_ms));
  }
}

}  // namespace stator::knix
