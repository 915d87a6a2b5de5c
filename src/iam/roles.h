// RoleCatalog: IAM roles kept as store records, and the managed policies attached to them.
//
// A role is one record of kind kRoleKind under the lower-cased role name (IAM names are unique
// without regard to case), holding a JSON object (docs/iam.md):
//   {"RoleName": "r", "Path": "/", "RoleId": "AROA...", "CreateDate": <epoch ms>,
//    "AssumeRolePolicyDocument": "<the document as given>", "Description": "...",
//    "MaxSessionDuration": 3600, "PermissionsBoundary": "<policy ARN>",
//    "Tags": [{"Key": "k", "Value": "v"}], "AttachedPolicies": ["<policy ARN>", ...]}
// (Description and PermissionsBoundary only when set). Attaching, detaching and deleting are
// compare-and-set writes on that one record, so DeleteRole cannot miss a policy attached at the
// same moment. The role's ARN is not stored: it is made from the server's ArnScope.
//
// The catalogue checks what concerns existing state (EntityAlreadyExists, NoSuchEntity,
// DeleteConflict, LimitExceeded) with AWS's wording; request validation is the caller's.
// Nothing here is enforced: roles and policies are stored and answered, never evaluated.
//
// Thread-safety: thread-safe (all state is in the store).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/api_error.h"
#include "common/arn.h"
#include "common/clock.h"
#include "common/result.h"
#include "store/store.h"

namespace stator::iam {

inline constexpr std::string_view kRoleKind = "iam.role";
// AWS's default quota of managed policies attached to one role.
inline constexpr size_t kPoliciesPerRole = 10;

struct Tag {
  std::string key;
  std::string value;
  bool operator==(const Tag&) const = default;
};

struct Role {
  std::string name;
  std::string path = "/";
  std::string id;
  int64_t create_millis = 0;
  std::string assume_role_policy;  // the document as the client sent it
  std::optional<std::string> description;
  int64_t max_session_duration = 3600;
  std::optional<std::string> permissions_boundary;
  std::vector<Tag> tags;
  std::vector<std::string> attached_policies;  // ARNs, in the order they were attached

  bool operator==(const Role&) const = default;

  // The record's value, and back (an Error when the text is no role record).
  std::string ToJson() const;
  static Result<Role> FromJson(std::string_view text);
};

// "arn:aws:iam::123456789012:role/PATH/NAME" (the path without its leading '/').
std::string RoleArn(const ArnScope& scope, const Role& role);

// What CreateRole is given (validated by the caller).
struct NewRole {
  std::string name;
  std::string path = "/";
  std::string assume_role_policy;
  std::optional<std::string> description;
  int64_t max_session_duration = 3600;
  std::optional<std::string> permissions_boundary;
  std::vector<Tag> tags;
};

struct RolePage {
  std::vector<Role> roles;
  std::string marker;  // where the next page starts; empty when this is the last page
};

class RoleCatalog {
 public:
  RoleCatalog(store::Store* store, const Clock* clock) : store_(store), clock_(clock) {}

  // EntityAlreadyExists "Role with name NAME already exists." when a role of that name (in any
  // case) exists.
  ApiResult<Role> Create(NewRole role) const;
  // NoSuchEntity "The role with name NAME cannot be found."
  ApiResult<Role> Get(std::string_view name) const;
  // Roles whose path starts with path_prefix, in name order (case-insensitive), starting after
  // `marker` (a RolePage::marker; "" from the first), at most max_items (>= 1).
  ApiResult<RolePage> List(std::string_view path_prefix, std::string_view marker,
                           int max_items) const;
  // NoSuchEntity; DeleteConflict "Cannot delete entity, must detach all policies first." while
  // managed policies are attached.
  ApiResult<Role> Delete(std::string_view name) const;
  // Attaching an attached policy again changes nothing. NoSuchEntity; LimitExceeded "Cannot
  // exceed quota for PoliciesPerRole: 10".
  ApiResult<Role> AttachPolicy(std::string_view name, std::string_view policy_arn) const;
  // NoSuchEntity for the role, or "Policy ARN was not found." when it is not attached.
  ApiResult<Role> DetachPolicy(std::string_view name, std::string_view policy_arn) const;

 private:
  // The role's record value and role, or NoSuchEntity.
  struct Current {
    std::string raw;
    Role role;
  };
  ApiResult<Current> Read(std::string_view name) const;
  // Applies `change` to the role (which may refuse with an ApiError) and writes the result (or
  // deletes the record when `remove`) if the record has not changed meanwhile; re-reads and
  // retries when it has.
  template <class Change>
  ApiResult<Role> Modify(std::string_view name, bool remove, Change change) const;

  store::Store* const store_;
  const Clock* const clock_;
};

}  // namespace stator::iam
