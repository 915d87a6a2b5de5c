// The AWS Query protocol as IAM and STS speak it on the server's one port.
//
// A request is `POST /` with a form-urlencoded body: Action=CreateRole&Version=2010-05-08&
// RoleName=r&Tags.member.1.Key=k... (lists are NAME.member.N.FIELD, 1-based). botocore and the
// AWS CLI send IAM and STS requests to the endpoint URL they are given, without X-Amz-Target;
// the SigV4 credential scope of the Authorization header names the service
// (".../us-east-1/iam/aws4_request").
//
// An answer is XML in the service's namespace:
//   200  <CreateRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
//          <CreateRoleResult>...</CreateRoleResult>       (absent for actions with no output)
//          <ResponseMetadata><RequestId>ID</RequestId></ResponseMetadata>
//        </CreateRoleResponse>
//   4xx  <ErrorResponse xmlns="..."><Error><Type>Sender</Type><Code>NoSuchEntity</Code>
//          <Message>...</Message></Error><RequestId>ID</RequestId></ErrorResponse>
// The HTTP status and Type of each error code come from one table (QueryErrorStatus).
//
// Thread-safety: pure functions and plain values.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "api/http_server.h"
#include "common/api_error.h"
#include "common/result.h"
#include "iam/xml_writer.h"

namespace stator::iam {

enum class QueryService { kIam, kSts };

// "https://iam.amazonaws.com/doc/2010-05-08/" / "https://sts.amazonaws.com/doc/2011-06-15/"
std::string_view XmlNamespace(QueryService service);
// "2010-05-08" / "2011-06-15"
std::string_view ApiVersion(QueryService service);

// The service named by the SigV4 credential scope of the Authorization header ("iam", "sts",
// ...), or "" when the request is not signed that way.
std::string_view CredentialScopeService(const api::HttpRequest& request);

// Whether `request` is an IAM or STS request: POST to the path "/", no X-Amz-Target, a
// form-urlencoded body, and a credential scope that names iam or sts (or none at all). Other
// Query-protocol services (a scope naming sqs, sns, ...) do not match.
bool IsIamOrStsRequest(const api::HttpRequest& request);

// A request's parameters by name; of a name given twice, the first value counts.
class QueryParams {
 public:
  // Errors: the body is not form-urlencoded (Error.cause says where).
  static Result<QueryParams> Parse(std::string_view body);

  const std::string* Find(std::string_view name) const;
  // Whether any parameter name starts with `prefix`.
  bool HasPrefix(std::string_view prefix) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// The HTTP status and the Error's Type ("Sender" / "Receiver") of an error code: the modelled
// IAM errors (NoSuchEntity 404, EntityAlreadyExists 409, DeleteConflict 409, LimitExceeded 409,
// ConcurrentModification 409, ServiceFailure 500, ...) and the protocol's own (InvalidAction,
// MissingAction, ValidationError: 400). Unknown codes: 400 Sender.
struct QueryErrorStatus {
  int http_status;
  std::string_view type;
};
QueryErrorStatus ErrorStatusOf(std::string_view code);

// The successful answer of `action`; `result` writes the members of <ActionResult>, and a null
// `result` leaves <ActionResult> out.
api::HttpResponse QueryResponse(QueryService service, std::string_view action,
                                const std::string& request_id,
                                const std::function<void(XmlWriter*)>& result);
// The error answer (error.name is the Code).
api::HttpResponse QueryErrorResponse(QueryService service, const ApiError& error,
                                     const std::string& request_id);

}  // namespace stator::iam
