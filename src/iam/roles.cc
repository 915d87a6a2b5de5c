#include "iam/roles.h"

#include <algorithm>

#include "common/json.h"
#include "iam/identity.h"

namespace stator::iam {
namespace {

using store::RecordWrite;

ApiError NoSuchRole(std::string_view name) {
  return ApiError{
      "NoSuchEntity", "The role with name " + std::string(name) + " cannot be found.", {}};
}

const std::string* StringMember(const json::Value& v, std::string_view key) {
  const json::Value* m = v.Find(key);
  return m && m->is_string() ? &m->as_string() : nullptr;
}

// How many times a compare-and-set write is retried when the record changed under it.
constexpr int kAttempts = 16;

}  // namespace

std::string Role::ToJson() const {
  json::Object o;
  o.emplace_back("RoleName", json::Value::String(name));
  o.emplace_back("Path", json::Value::String(path));
  o.emplace_back("RoleId", json::Value::String(id));
  o.emplace_back("CreateDate", json::Value::Int(create_millis));
  o.emplace_back("AssumeRolePolicyDocument", json::Value::String(assume_role_policy));
  if (description) o.emplace_back("Description", json::Value::String(*description));
  o.emplace_back("MaxSessionDuration", json::Value::Int(max_session_duration));
  if (permissions_boundary) {
    o.emplace_back("PermissionsBoundary", json::Value::String(*permissions_boundary));
  }
  json::Array t;
  for (const Tag& tag : tags) {
    t.push_back(json::Value::MakeObject(
        {{"Key", json::Value::String(tag.key)}, {"Value", json::Value::String(tag.value)}}));
  }
  o.emplace_back("Tags", json::Value::MakeArray(std::move(t)));
  json::Array p;
  for (const std::string& arn : attached_policies) p.push_back(json::Value::String(arn));
  o.emplace_back("AttachedPolicies", json::Value::MakeArray(std::move(p)));
  return json::Value::MakeObject(std::move(o)).Dump();
}

Result<Role> Role::FromJson(std::string_view text) {
  STATOR_TRY(json::Value v, json::Parse(text));
  const Error corrupt{"iam.CorruptRecord", "not a role record: " + std::string(text)};
  Role r;
  const std::string* name = StringMember(v, "RoleName");
  const std::string* path = StringMember(v, "Path");
  const std::string* id = StringMember(v, "RoleId");
  const std::string* document = StringMember(v, "AssumeRolePolicyDocument");
  const json::Value* created = v.Find("CreateDate");
  const json::Value* duration = v.Find("MaxSessionDuration");
  const json::Value* tags = v.Find("Tags");
  const json::Value* policies = v.Find("AttachedPolicies");
  if (!name || !path || !id || !document || !created || !created->is_int() || !duration ||
      !duration->is_int() || !tags || !tags->is_array() || !policies || !policies->is_array()) {
    return corrupt;
  }
  r.name = *name;
  r.path = *path;
  r.id = *id;
  r.assume_role_policy = *document;
  r.create_millis = created->as_int();
  r.max_session_duration = duration->as_int();
  if (const std::string* d = StringMember(v, "Description")) r.description = *d;
  if (const std::string* b = StringMember(v, "PermissionsBoundary")) r.permissions_boundary = *b;
  for (const json::Value& t : tags->as_array()) {
    const std::string* key = StringMember(t, "Key");
    const std::string* value = StringMember(t, "Value");
    if (!key || !value) return corrupt;
    r.tags.push_back({*key, *value});
  }
  for (const json::Value& p : policies->as_array()) {
    if (!p.is_string()) return corrupt;
    r.attached_policies.push_back(p.as_string());
  }
  return r;
}

std::string RoleArn(const ArnScope& scope, const Role& role) {
  return "arn:" + scope.partition + ":iam::" + scope.account + ":role" + role.path + role.name;
}

ApiResult<Role> RoleCatalog::Create(NewRole n) const {
  Role r;
  r.name = std::move(n.name);
  r.path = std::move(n.path);
  r.id = NewUniqueId("AROA");
  r.create_millis = clock_->NowMillis();
  r.assume_role_policy = std::move(n.assume_role_policy);
  r.description = std::move(n.description);
  r.max_session_duration = n.max_session_duration;
  r.permissions_boundary = std::move(n.permissions_boundary);
  r.tags = std::move(n.tags);
  Status s = store_->WriteRecords({RecordWrite::Put(std::string(kRoleKind), NameKey(r.name),
                                                    r.ToJson(), RecordWrite::Condition::kAbsent)});
  if (!s.ok()) {
    if (s.error().error == store::kConditionFailed) {
      return ApiError{"EntityAlreadyExists", "Role with name " + r.name + " already exists.", {}};
    }
    return ServiceFailure(s.error());
  }
  return r;
}

ApiResult<RoleCatalog::Current> RoleCatalog::Read(std::string_view name) const {
  auto raw = store_->GetRecord(kRoleKind, NameKey(name));
  if (!raw.ok()) return ServiceFailure(raw.error());
  if (!*raw) return NoSuchRole(name);
  auto role = Role::FromJson(**raw);
  if (!role.ok()) return ServiceFailure(role.error());
  return Current{std::move(**raw), *std::move(role)};
}

ApiResult<Role> RoleCatalog::Get(std::string_view name) const {
  STATOR_TRY(Current current, Read(name));
  return std::move(current.role);
}

ApiResult<RolePage> RoleCatalog::List(std::string_view path_prefix, std::string_view marker,
                                      int max_items) const {
  RolePage page;
  std::string after(marker);
  while (true) {
    auto records = store_->ListRecords(kRoleKind, "", after, std::max(max_items + 1, 100));
    if (!records.ok()) return ServiceFailure(records.error());
    for (const store::Record& rec : records->items) {
      auto role = Role::FromJson(rec.value);
      if (!role.ok()) return ServiceFailure(role.error());
      if (!std::string_view(role->path).starts_with(path_prefix)) continue;
      if (static_cast<int>(page.roles.size()) == max_items) {
        page.marker = NameKey(page.roles.back().name);
        return page;
      }
      page.roles.push_back(*std::move(role));
    }
    if (records->next.empty()) return page;
    after = records->next;
  }
}

template <class Change>
ApiResult<Role> RoleCatalog::Modify(std::string_view name, bool remove, Change change) const {
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    STATOR_TRY(Current current, Read(name));
    Role role = current.role;
    API_RETURN_IF_ERROR(change(&role));
    std::optional<std::string> value;
    if (!remove) {
      if (role == current.role) return role;  // nothing to write
      value = role.ToJson();
    }
    Status s = store_->WriteRecords({RecordWrite::IfEquals(
        std::string(kRoleKind), NameKey(name), std::move(value), std::move(current.raw))});
    if (s.ok()) return role;
    if (s.error().error != store::kConditionFailed) return ServiceFailure(s.error());
  }
  return ApiError{
      "ConcurrentModification", "The role " + std::string(name) + " kept changing; try again.", {}};
}

ApiResult<Role> RoleCatalog::Delete(std::string_view name) const {
  return Modify(name, /*remove=*/true, [](Role* role) -> std::optional<ApiError> {
    if (!role->attached_policies.empty()) {
      return ApiError{
          "DeleteConflict", "Cannot delete entity, must detach all policies first.", {}};
    }
    return std::nullopt;
  });
}

ApiResult<Role> RoleCatalog::AttachPolicy(std::string_view name,
                                          std::string_view policy_arn) const {
  return Modify(name, /*remove=*/false, [&](Role* role) -> std::optional<ApiError> {
    auto& attached = role->attached_policies;
    if (std::find(attached.begin(), attached.end(), policy_arn) != attached.end()) {
      return std::nullopt;
    }
    if (attached.size() >= kPoliciesPerRole) {
      return ApiError{
          "LimitExceeded",
          "Cannot exceed quota for PoliciesPerRole: " + std::to_string(kPoliciesPerRole),
          {}};
    }
    attached.emplace_back(policy_arn);
    return std::nullopt;
  });
}

ApiResult<Role> RoleCatalog::DetachPolicy(std::string_view name,
                                          std::string_view policy_arn) const {
  return Modify(name, /*remove=*/false, [&](Role* role) -> std::optional<ApiError> {
    auto& attached = role->attached_policies;
    auto it = std::find(attached.begin(), attached.end(), policy_arn);
    if (it == attached.end()) {
      return ApiError{"NoSuchEntity", "Policy " + std::string(policy_arn) + " was not found.", {}};
    }
    attached.erase(it);
    return std::nullopt;
  });
}

}  // namespace stator::iam
