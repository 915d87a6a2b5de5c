#include "iam/service.h"

#include <charconv>
#include <memory>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "common/json.h"
#include "common/percent_encoding.h"
#include "common/uuid.h"
#include "iam/form.h"
#include "iam/identity.h"
#include "iam/validation.h"

namespace stator::iam {
namespace {

using ResultWriter = IamService::ResultWriter;

// The member name AWS's validation messages use for a parameter: "RoleName" -> "roleName".
std::string MemberName(std::string_view param) {
  std::string m(param);
  if (!m.empty() && m[0] >= 'A' && m[0] <= 'Z') m[0] = static_cast<char>(m[0] - 'A' + 'a');
  return m;
}

// A string parameter, checked against `type` (violations go to *v). Required and absent: a
// "must not be null" violation. Returns the value, or nullptr when it is absent.
const std::string* StringParam(const QueryParams& p, std::string_view name, const StringType& type,
                               bool required, Validation* v) {
  const std::string* value = p.Find(name);
  if (!value) {
    if (required) v->Missing(MemberName(name));
    return nullptr;
  }
  v->String(MemberName(name), *value, type);
  return value;
}

std::optional<int64_t> IntParam(const QueryParams& p, std::string_view name, int64_t min,
                                int64_t max, Validation* v) {
  const std::string* value = p.Find(name);
  if (!value) return std::nullopt;
  return v->Integer(MemberName(name), *value, min, max);
}

// A policy ARN taken apart: arn:PARTITION:iam::ACCOUNT:policy/PATH/NAME, ACCOUNT being "aws"
// (AWS managed policies) or twelve digits.
struct PolicyArn {
  std::string path;  // "/" or "/service-role/"
  std::string name;
};

// The six fields of anything shaped like an ARN (the last one may hold ':'), or nullopt.
std::optional<std::vector<std::string_view>> SplitArn(std::string_view text) {
  std::vector<std::string_view> parts;
  for (int i = 0; i < 5; ++i) {
    size_t colon = text.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    parts.push_back(text.substr(0, colon));
    text.remove_prefix(colon + 1);
  }
  parts.push_back(text);
  if (parts[0] != "arn" || parts[1].empty() || parts[2].empty() || parts[5].empty()) {
    return std::nullopt;
  }
  return parts;
}

// ValidationError "ARN X is not valid." for what is no ARN at all, InvalidInput with the same
// message for an ARN that names no IAM policy (AWS's two answers, docs/iam.md).
ApiResult<PolicyArn> ParsePolicyArn(const std::string& text) {
  auto parts = SplitArn(text);
  if (!parts) return ApiError{"ValidationError", "ARN " + text + " is not valid.", {}};
  ApiError not_policy{"InvalidInput", "ARN " + text + " is not valid.", {}};
  std::string_view account = (*parts)[4], resource = (*parts)[5];
  bool account_ok =
      account == "aws" ||
      (account.size() == 12 && account.find_first_not_of("0123456789") == std::string_view::npos);
  if ((*parts)[2] != "iam" || !(*parts)[3].empty() || !account_ok ||
      !resource.starts_with("policy/")) {
    return not_policy;
  }
  std::string_view rest = resource.substr(6);  // "/PATH/NAME"
  size_t last = rest.rfind('/');
  PolicyArn arn{std::string(rest.substr(0, last + 1)), std::string(rest.substr(last + 1))};
  if (arn.name.empty() || !MatchesCharset(arn.name, Charset::kName) ||
      !MatchesCharset(arn.path, Charset::kPolicyPath)) {
    return not_policy;
  }
  return arn;
}

// The Tags.member.N.Key / .Value parameters (1-based, consecutive).
std::vector<Tag> TagParams(const QueryParams& p, Validation* v) {
  std::vector<Tag> tags;
  for (int n = 1;; ++n) {
    std::string prefix = "Tags.member." + std::to_string(n) + ".";
    if (!p.HasPrefix(prefix)) break;
    std::string member = "tags." + std::to_string(n) + ".member.";
    Tag tag;
    for (auto [field, out, type] : {std::tuple("Key", &tag.key, kTagKeyType),
                                    std::tuple("Value", &tag.value, kTagValueType)}) {
      const std::string* value = p.Find(prefix + field);
      if (!value) {
        v->Missing(member + MemberName(field));
      } else {
        v->String(member + MemberName(field), *value, type, /*show_value=*/false);
        *out = *value;
      }
    }
    tags.push_back(std::move(tag));
  }
  if (tags.size() > 50) {
    v->Fail("tags", nullptr, "Member must have length less than or equal to 50");
  }
  return tags;
}

std::optional<ApiError> DuplicateTagKeys(const std::vector<Tag>& tags) {
  for (size_t i = 0; i < tags.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (NameKey(tags[i].key) == NameKey(tags[j].key)) {
        return ApiError{"InvalidInput",
                        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
                        {}};
      }
    }
  }
  return std::nullopt;
}

// Which members of a role an action returns (as AWS does: CreateRole leaves out Description and
// MaxSessionDuration, ListRoles the boundary, tags and RoleLastUsed).
enum class RoleView { kCreate, kGet, kList };

void WriteRole(const Role& r, RoleView view, const ArnScope& scope, XmlWriter* w) {
  w->Element("Path", r.path);
  w->Element("RoleName", r.name);
  w->Element("RoleId", r.id);
  w->Element("Arn", RoleArn(scope, r));
  w->Element("CreateDate", IamTimestamp(r.create_millis));
  w->Element("AssumeRolePolicyDocument", PercentEncode(r.assume_role_policy));
  if (view != RoleView::kCreate) {
    if (r.description) w->Element("Description", *r.description);
    w->Element("MaxSessionDuration", std::to_string(r.max_session_duration));
  }
  if (view == RoleView::kList) return;
  if (r.permissions_boundary) {
    w->Open("PermissionsBoundary");
    w->Element("PermissionsBoundaryType", "Policy");
    w->Element("PermissionsBoundaryArn", *r.permissions_boundary);
    w->Close();
  }
  if (!r.tags.empty()) {
    w->Open("Tags");
    for (const Tag& t : r.tags) {
      w->Open("member");
      w->Element("Key", t.key);
      w->Element("Value", t.value);
      w->Close();
    }
    w->Close();
  }
  if (view == RoleView::kGet) w->Element("RoleLastUsed", "");
}

ResultWriter RoleResult(Role role, RoleView view, ArnScope scope) {
  return ResultWriter([role = std::move(role), view, scope = std::move(scope)](XmlWriter* w) {
    w->Open("Role");
    WriteRole(role, view, scope, w);
    w->Close();
  });
}

// The ListRoles / ListAttachedRolePolicies paging parameters.
struct Paging {
  std::string marker;
  int max_items = 100;
};

Paging PagingParams(const QueryParams& p, Validation* v) {
  Paging paging;
  if (const std::string* m = StringParam(p, "Marker", kMarkerType, false, v)) paging.marker = *m;
  if (auto n = IntParam(p, "MaxItems", 1, 1000, v)) paging.max_items = static_cast<int>(*n);
  return paging;
}

void WriteTruncation(const std::string& marker, XmlWriter* w) {
  w->Element("IsTruncated", marker.empty() ? "false" : "true");
  if (!marker.empty()) w->Element("Marker", marker);
}

}  // namespace

const IamService::ActionEntry IamService::kActions[] = {
    {"CreateRole", QueryService::kIam, &IamService::CreateRole},
    {"GetRole", QueryService::kIam, &IamService::GetRole},
    {"ListRoles", QueryService::kIam, &IamService::ListRoles},
    {"DeleteRole", QueryService::kIam, &IamService::DeleteRole},
    {"AttachRolePolicy", QueryService::kIam, &IamService::AttachRolePolicy},
    {"DetachRolePolicy", QueryService::kIam, &IamService::DetachRolePolicy},
    {"ListAttachedRolePolicies", QueryService::kIam, &IamService::ListAttachedRolePolicies},
    {"GetUser", QueryService::kIam, &IamService::GetUser},
    {"GetCallerIdentity", QueryService::kSts, &IamService::GetCallerIdentity},
};

IamService::IamService(store::Store* store, const Clock* clock, ArnScope scope)
    : store_(store), clock_(clock), scope_(std::move(scope)), roles_(store, clock) {}

api::HttpResponse IamService::Handle(const api::HttpRequest& request) const {
  const std::string request_id = NewUuid();
  std::string_view scope = CredentialScopeService(request);
  QueryService service = scope == "sts" ? QueryService::kSts : QueryService::kIam;
  auto params = QueryParams::Parse(request.body);
  if (!params.ok()) {
    return QueryErrorResponse(service,
                              {"MalformedQueryString",
                               "The request body is not form-urlencoded: " + params.error().cause,
                               {}},
                              request_id);
  }
  const std::string* action = params->Find("Action");
  if (!action || action->empty()) {
    return QueryErrorResponse(service, {"MissingAction", "Missing Action", {}}, request_id);
  }
  const ActionEntry* entry = nullptr;
  for (const ActionEntry& e : kActions) {
    if (e.name == *action) entry = &e;
  }
  if (entry && scope != "iam" && scope != "sts") service = entry->service;
  const std::string* version = params->Find("Version");
  if (!entry || entry->service != service || (version && *version != ApiVersion(service))) {
    std::string v = version ? *version : std::string(ApiVersion(service));
    return QueryErrorResponse(
        service, {"InvalidAction", "Could not find operation " + *action + " for version " + v, {}},
        request_id);
  }
  ApiResult<ResultWriter> result = (this->*entry->run)(*params);
  if (!result.ok()) return QueryErrorResponse(service, result.error(), request_id);
  return QueryResponse(service, *action, request_id, *result);
}

ApiResult<ResultWriter> IamService::CreateRole(const QueryParams& p) const {
  Validation v;
  const std::string* name = StringParam(p, "RoleName", kRoleNameType, true, &v);
  const std::string* document =
      StringParam(p, "AssumeRolePolicyDocument", kPolicyDocumentType, true, &v);
  const std::string* path = StringParam(p, "Path", kPathType, false, &v);
  const std::string* description = StringParam(p, "Description", kRoleDescriptionType, false, &v);
  std::optional<int64_t> duration = IntParam(p, "MaxSessionDuration", 3600, 43200, &v);
  const std::string* boundary = StringParam(p, "PermissionsBoundary", kArnType, false, &v);
  std::vector<Tag> tags = TagParams(p, &v);
  API_RETURN_IF_ERROR(v.Error());
  auto parsed = json::Parse(*document);
  if (!parsed.ok() || !parsed->is_object()) {
    return ApiError{"MalformedPolicyDocument", "This policy contains invalid Json", {}};
  }
  if (boundary) {
    auto arn = ParsePolicyArn(*boundary);
    if (!arn.ok()) return ApiError{"InvalidInput", arn.error().message, {}};
  }
  API_RETURN_IF_ERROR(DuplicateTagKeys(tags));
  NewRole n;
  n.name = *name;
  if (path) n.path = *path;
  n.assume_role_policy = *document;
  if (description) n.description = *description;
  if (duration) n.max_session_duration = *duration;
  if (boundary) n.permissions_boundary = *boundary;
  n.tags = std::move(tags);
  STATOR_TRY(Role role, roles_.Create(std::move(n)));
  return RoleResult(std::move(role), RoleView::kCreate, scope_);
}

ApiResult<ResultWriter> IamService::GetRole(const QueryParams& p) const {
  Validation v;
  const std::string* name = StringParam(p, "RoleName", kRoleNameType, true, &v);
  API_RETURN_IF_ERROR(v.Error());
  STATOR_TRY(Role role, roles_.Get(*name));
  return RoleResult(std::move(role), RoleView::kGet, scope_);
}

ApiResult<ResultWriter> IamService::ListRoles(const QueryParams& p) const {
  Validation v;
  const std::string* prefix = StringParam(p, "PathPrefix", kPathPrefixType, false, &v);
  Paging paging = PagingParams(p, &v);
  API_RETURN_IF_ERROR(v.Error());
  STATOR_TRY(RolePage page, roles_.List(prefix ? *prefix : "/", paging.marker, paging.max_items));
  return ResultWriter([page = std::move(page), scope = scope_](XmlWriter* w) {
    w->Open("Roles");
    for (const Role& role : page.roles) {
      w->Open("member");
      WriteRole(role, RoleView::kList, scope, w);
      w->Close();
    }
    w->Close();
    WriteTruncation(page.marker, w);
  });
}

ApiResult<ResultWriter> IamService::DeleteRole(const QueryParams& p) const {
  Validation v;
  const std::string* name = StringParam(p, "RoleName", kRoleNameType, true, &v);
  API_RETURN_IF_ERROR(v.Error());
  if (auto deleted = roles_.Delete(*name); !deleted.ok()) return deleted.error();
  return ResultWriter();
}

ApiResult<ResultWriter> IamService::AttachRolePolicy(const QueryParams& p) const {
  Validation v;
  const std::string* name = StringParam(p, "RoleName", kRoleNameType, true, &v);
  const std::string* arn = StringParam(p, "PolicyArn", kArnType, true, &v);
  API_RETURN_IF_ERROR(v.Error());
  if (auto policy = ParsePolicyArn(*arn); !policy.ok()) return policy.error();
  if (auto role = roles_.AttachPolicy(*name, *arn); !role.ok()) return role.error();
  return ResultWriter();
}

ApiResult<ResultWriter> IamService::DetachRolePolicy(const QueryParams& p) const {
  Validation v;
  const std::string* name = StringParam(p, "RoleName", kRoleNameType, true, &v);
  const std::string* arn = StringParam(p, "PolicyArn", kArnType, true, &v);
  API_RETURN_IF_ERROR(v.Error());
  if (auto policy = ParsePolicyArn(*arn); !policy.ok()) return policy.error();
  if (auto role = roles_.DetachPolicy(*name, *arn); !role.ok()) return role.error();
  return ResultWriter();
}

ApiResult<ResultWriter> IamService::ListAttachedRolePolicies(const QueryParams& p) const {
  Validation v;
  const std::string* name = StringParam(p, "RoleName", kRoleNameType, true, &v);
  const std::string* prefix = StringParam(p, "PathPrefix", kPolicyPathType, false, &v);
  Paging paging = PagingParams(p, &v);
  API_RETURN_IF_ERROR(v.Error());
  STATOR_TRY(Role role, roles_.Get(*name));
  // The marker is the position to resume from, as a decimal number.
  size_t start = 0;
  if (!paging.marker.empty()) {
    const std::string& m = paging.marker;
    auto [end, ec] = std::from_chars(m.data(), m.data() + m.size(), start);
    if (ec != std::errc() || end != m.data() + m.size()) {
      return ApiError{"ValidationError", "Invalid Marker: " + m, {}};
    }
  }
  std::vector<std::pair<std::string, std::string>> listed;  // name, ARN
  std::string marker;
  for (size_t i = start; i < role.attached_policies.size(); ++i) {
    const std::string& arn = role.attached_policies[i];
    auto parsed = ParsePolicyArn(arn);
    if (!parsed.ok()) continue;  // (only valid ARNs are attached)
    if (prefix && !parsed->path.starts_with(*prefix)) continue;
    if (static_cast<int>(listed.size()) == paging.max_items) {
      marker = std::to_string(i);
      break;
    }
    listed.emplace_back(parsed->name, arn);
  }
  return ResultWriter([listed = std::move(listed), marker = std::move(marker)](XmlWriter* w) {
    w->Open("AttachedPolicies");
    for (const auto& [policy_name, arn] : listed) {
      w->Open("member");
      w->Element("PolicyName", policy_name);
      w->Element("PolicyArn", arn);
      w->Close();
    }
    w->Close();
    WriteTruncation(marker, w);
  });
}

ApiResult<ResultWriter> IamService::GetUser(const QueryParams& p) const {
  Validation v;
  const std::string* name = StringParam(p, "UserName", kExistingUserNameType, false, &v);
  API_RETURN_IF_ERROR(v.Error());
  if (name && NameKey(*name) != NameKey(kDefaultUserName)) {
    return ApiError{"NoSuchEntity", "The user with name " + *name + " cannot be found.", {}};
  }
  STATOR_TRY(User user, DefaultUser(store_, clock_));
  return ResultWriter([user = std::move(user), scope = scope_](XmlWriter* w) {
    w->Open("User");
    w->Element("Path", user.path);
    w->Element("UserName", user.name);
    w->Element("UserId", user.id);
    w->Element("Arn", UserArn(scope, user));
    w->Element("CreateDate", IamTimestamp(user.create_millis));
    w->Close();
  });
}

ApiResult<ResultWriter> IamService::GetCallerIdentity(const QueryParams& p) const {
  auto user = DefaultUser(store_, clock_);
  if (!user.ok()) return ApiError{"InternalFailure", user.error().message, {}};
  return ResultWriter([user = *std::move(user), scope = scope_](XmlWriter* w) {
    w->Element("Arn", UserArn(scope, user));
    w->Element("UserId", user.id);
    w->Element("Account", scope.account);
  });
}

api::Handler MakeIamHandler(store::Store* store, const Clock* clock, ArnScope scope) {
  auto service = std::make_shared<const IamService>(store, clock, std::move(scope));
  return [service](api::HttpRequest&& request, api::Responder respond) {
    respond(service->Handle(request));
  };
}

}  // namespace stator::iam
