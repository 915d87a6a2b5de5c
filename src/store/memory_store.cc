#include "store/memory_store.h"

#include <algorithm>

namespace stator::store {

Result<Store::CreateResult> MemoryStore::CreateStateMachine(const StateMachine& machine,
                                                            const std::vector<Tag>& tags) {
  std::lock_guard lock(mu_);
  auto it = machines_.find(machine.arn);
  if (it != machines_.end()) return CreateResult{it->second.machine, false};
  machines_.emplace(machine.arn, Machine{machine, 0, {}});
  std::vector<Tag>& stored = tags_[machine.arn];
  stored.clear();
  for (const Tag& t : tags) {
    auto same =
        std::find_if(stored.begin(), stored.end(), [&](const Tag& s) { return s.key == t.key; });
    if (same != stored.end()) {
      same->value = t.value;
    } else {
      stored.push_back(t);
    }
  }
  return CreateResult{machine, true};
}

Result<std::optional<StateMachine>> MemoryStore::GetStateMachine(std::string_view arn) {
  std::lock_guard lock(mu_);
  auto it = machines_.find(arn);
  if (it == machines_.end()) return std::optional<StateMachine>();
  return std::optional<StateMachine>(it->second.machine);
}

Status MemoryStore::UpdateStateMachine(const StateMachine& machine) {
  std::lock_guard lock(mu_);
  auto it = machines_.find(machine.arn);
  if (it == machines_.end()) return Error{kNotFound, machine.arn};
  it->second.machine = machine;
  return Status::Ok();
}

Status MemoryStore::DeleteStateMachine(std::string_view arn) {
  std::lock_guard lock(mu_);
  auto it = machines_.find(arn);
  if (it == machines_.end()) return Status::Ok();
  for (const auto& [n, v] : it->second.versions) {
    auto t = tags_.find(v.arn());
    if (t != tags_.end()) tags_.erase(t);
  }
  machines_.erase(it);
  auto t = tags_.find(arn);
  if (t != tags_.end()) tags_.erase(t);
  return Status::Ok();
}

Result<Page<StateMachine>> MemoryStore::ListStateMachines(std::string_view after, int limit) {
  std::lock_guard lock(mu_);
  Page<StateMachine> page;
  auto it = after.empty() ? machines_.begin() : machines_.upper_bound(after);
  for (; it != machines_.end() && static_cast<int>(page.items.size()) < limit; ++it) {
    page.items.push_back(it->second.machine);
  }
  if (it != machines_.end() && !page.items.empty()) page.next = page.items.back().arn;
  return page;
}

Result<StateMachineVersion> MemoryStore::PublishVersion(const StateMachineVersion& version) {
  std::lock_guard lock(mu_);
  auto it = machines_.find(version.state_machine_arn);
  if (it == machines_.end()) return Error{kNotFound, version.state_machine_arn};
  Machine& m = it->second;
  if (!m.versions.empty() && m.versions.rbegin()->second.revision_id == version.revision_id) {
    return m.versions.rbegin()->second;
  }
  StateMachineVersion v = version;
  v.version = ++m.last_version;
  m.versions.emplace(v.version, v);
  return v;
}

Result<std::optional<StateMachineVersion>> MemoryStore::GetVersion(std::string_view machine_arn,
                                                                   int64_t version) {
  std::lock_guard lock(mu_);
  auto it = machines_.find(machine_arn);
  if (it == machines_.end()) return std::optional<StateMachineVersion>();
  auto v = it->second.versions.find(version);
  if (v == it->second.versions.end()) return std::optional<StateMachineVersion>();
  return std::optional<StateMachineVersion>(v->second);
}

Result<std::vector<StateMachineVersion>> MemoryStore::ListVersions(std::string_view machine_arn) {
  std::lock_guard lock(mu_);
  std::vector<StateMachineVersion> out;
  auto it = machines_.find(machine_arn);
  if (it == machines_.end()) return out;
  for (auto v = it->second.versions.rbegin(); v != it->second.versions.rend(); ++v) {
    out.push_back(v->second);
  }
  return out;
}

Status MemoryStore::DeleteVersion(std::string_view machine_arn, int64_t version) {
  std::lock_guard lock(mu_);
  auto it = machines_.find(machine_arn);
  if (it == machines_.end()) return Status::Ok();
  auto v = it->second.versions.find(version);
  if (v == it->second.versions.end()) return Status::Ok();
  auto t = tags_.find(v->second.arn());
  if (t != tags_.end()) tags_.erase(t);
  it->second.versions.erase(v);
  return Status::Ok();
}

bool MemoryStore::ResourceExistsLocked(std::string_view arn) const {
  // Only state machines (not their versions or aliases) carry tags so far.
  return machines_.find(arn) != machines_.end();
}

Result<std::vector<Tag>> MemoryStore::ListTags(std::string_view resource_arn) {
  std::lock_guard lock(mu_);
  if (!ResourceExistsLocked(resource_arn)) return Error{kNotFound, std::string(resource_arn)};
  auto t = tags_.find(resource_arn);
  if (t == tags_.end()) return std::vector<Tag>();
  return t->second;
}

Status MemoryStore::TagResource(std::string_view resource_arn, const std::vector<Tag>& tags) {
  std::lock_guard lock(mu_);
  if (!ResourceExistsLocked(resource_arn)) return Error{kNotFound, std::string(resource_arn)};
  auto t = tags_.find(resource_arn);
  if (t == tags_.end()) t = tags_.emplace(std::string(resource_arn), std::vector<Tag>()).first;
  std::vector<Tag>& stored = t->second;
  for (const Tag& tag : tags) {
    auto same =
        std::find_if(stored.begin(), stored.end(), [&](const Tag& s) { return s.key == tag.key; });
    if (same != stored.end()) {
      same->value = tag.value;
    } else {
      stored.push_back(tag);
    }
  }
  return Status::Ok();
}

Status MemoryStore::UntagResource(std::string_view resource_arn,
                                  const std::vector<std::string>& keys) {
  std::lock_guard lock(mu_);
  if (!ResourceExistsLocked(resource_arn)) return Error{kNotFound, std::string(resource_arn)};
  auto t = tags_.find(resource_arn);
  if (t == tags_.end()) return Status::Ok();
  std::erase_if(t->second, [&](const Tag& tag) {
    return std::find(keys.begin(), keys.end(), tag.key) != keys.end();
  });
  return Status::Ok();
}

}  // namespace stator::store
