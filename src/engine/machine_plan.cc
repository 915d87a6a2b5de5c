#include "engine/machine_plan.h"

#include <unordered_map>

#include "common/mutex.h"
#include "engine/execution.h"

namespace stator::engine {
namespace {

void Build(const asl::StateMachine& machine, MachinePlan* plan, MachinePlan* owner) {
  plan->machine = &machine;
  plan->states.resize(machine.states.size());
  for (size_t i = 0; i < machine.states.size(); ++i) {
    const asl::State& s = machine.states[i];
    StatePlan& p = plan->states[i];
    p.state = &s;
    p.name = json::Value::String(s.name);
    const std::string type = asl::StateTypeName(s.type);
    p.entered = {InternEventName(type + "StateEntered"), event_types::kStateEnteredDetails};
    p.exited = {InternEventName(type + "StateExited"), event_types::kStateExitedDetails};
    p.aborted = {InternEventName(type + "StateAborted"), ""};
    if (s.type == asl::StateType::kTask) p.resource = TaskResource::Parse(s.resource);
    for (const auto& branch : s.branches) {
      auto child = std::make_unique<MachinePlan>();
      Build(*branch, child.get(), owner);
      p.branches.push_back(child.get());
      owner->owned.push_back(std::move(child));
    }
    if (s.iterator) {
      auto child = std::make_unique<MachinePlan>();
      Build(*s.iterator, child.get(), owner);
      p.iterator = child.get();
      owner->owned.push_back(std::move(child));
    }
  }
}

struct CacheEntry {
  std::weak_ptr<const asl::StateMachine> machine;
  std::shared_ptr<const MachinePlan> plan;
};

}  // namespace

std::shared_ptr<const MachinePlan> GetPlan(
    const std::shared_ptr<const asl::StateMachine>& machine) {
  static Mutex mu;
  static std::unordered_map<const asl::StateMachine*, CacheEntry> cache GUARDED_BY(mu);
  static size_t prune_at GUARDED_BY(mu) = 64;
  MutexLock lock(&mu);
  auto it = cache.find(machine.get());
  if (it != cache.end() && it->second.machine.lock() == machine) return it->second.plan;
  auto plan = std::make_shared<MachinePlan>();
  Build(*machine, plan.get(), plan.get());
  cache[machine.get()] = CacheEntry{machine, plan};
  if (cache.size() >= prune_at) {
    for (auto e = cache.begin(); e != cache.end();) {
      e = e->second.machine.expired() ? cache.erase(e) : std::next(e);
    }
    prune_at = std::max<size_t>(64, cache.size() * 2);
  }
  return plan;
}

}  // namespace stator::engine
