// IamService: the minimal IAM and STS that `stator serve` answers on its one port, so that
// scripts which create and read IAM roles and ask who they are run unmodified against it
// (boto3's "iam" and "sts" clients, `aws iam ...`, `aws sts ...`, with only the endpoint URL
// changed).
//
//   IAM (2010-05-08): CreateRole, GetRole, ListRoles, DeleteRole, AttachRolePolicy,
//                     DetachRolePolicy, ListAttachedRolePolicies, GetUser
//   STS (2011-06-15): GetCallerIdentity
//
// Roles are stored (RoleCatalog) and answered in AWS's shapes and wording, never enforced: no
// request is authorised against them, and no credential is checked (every caller is the
// default user, identity.h). Requests are validated as AWS validates them (ValidationError,
// MalformedPolicyDocument, InvalidInput); a malformed body, a missing or unknown Action, any bad
// input is answered with a Query-protocol XML error, never a crash.
//
// Which service a request is for: the service of its SigV4 credential scope when it names iam
// or sts (an action of the other one is then InvalidAction), else the action's name (the two
// sets are disjoint).
//
// Ownership: borrows the store and the clock, which must outlive it.
// Thread-safety: Handle may be called from any number of threads at once.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "api/http_server.h"
#include "common/arn.h"
#include "common/clock.h"
#include "iam/query_protocol.h"
#include "iam/roles.h"
#include "store/store.h"

namespace stator::iam {

class IamService {
 public:
  IamService(store::Store* store, const Clock* clock, ArnScope scope);

  api::HttpResponse Handle(const api::HttpRequest& request) const;

  // What an action answers: the writer of its <ActionResult> members (null: no result element).
  using ResultWriter = std::function<void(XmlWriter*)>;

 private:
  ApiResult<ResultWriter> CreateRole(const QueryParams& p) const;
  ApiResult<ResultWriter> GetRole(const QueryParams& p) const;
  ApiResult<ResultWriter> ListRoles(const QueryParams& p) const;
  ApiResult<ResultWriter> DeleteRole(const QueryParams& p) const;
  ApiResult<ResultWriter> AttachRolePolicy(const QueryParams& p) const;
  ApiResult<ResultWriter> DetachRolePolicy(const QueryParams& p) const;
  ApiResult<ResultWriter> ListAttachedRolePolicies(const QueryParams& p) const;
  ApiResult<ResultWriter> GetUser(const QueryParams& p) const;
  ApiResult<ResultWriter> GetCallerIdentity(const QueryParams& p) const;

  struct ActionEntry {
    std::string_view name;
    QueryService service;
    ApiResult<ResultWriter> (IamService::*run)(const QueryParams&) const;
  };
  static const ActionEntry kActions[];

  store::Store* const store_;
  const Clock* const clock_;
  const ArnScope scope_;
  const RoleCatalog roles_;
};

// A Dispatch handler that answers with an IamService of its own (api::Dispatch::AddMatcher
// with IsIamOrStsRequest routes IAM and STS requests to it).
api::Handler MakeIamHandler(store::Store* store, const Clock* clock, ArnScope scope);

}  // namespace stator::iam
