// ControlPlane: the apigatewayv2 API (REST-JSON, as boto3's `apigatewayv2` client and
// `aws apigatewayv2` speak it) over ApiRecords, for HTTP APIs with Lambda proxy and Step
// Functions StartExecution integrations:
//
//   POST   /v2/apis                          CreateApi (201; quick create with Target/RouteKey)
//   GET    /v2/apis                          GetApis
//   GET    /v2/apis/ID                       GetApi
//   DELETE /v2/apis/ID                       DeleteApi (204)
//   POST   /v2/apis/ID/integrations          CreateIntegration (201)
//   GET    /v2/apis/ID/integrations[/IID]    GetIntegrations, GetIntegration
//   DELETE /v2/apis/ID/integrations/IID      DeleteIntegration (204)
//   POST   /v2/apis/ID/routes                CreateRoute (201)
//   GET    /v2/apis/ID/routes[/RID]          GetRoutes, GetRoute
//   DELETE /v2/apis/ID/routes/RID            DeleteRoute (204)
//   POST   /v2/apis/ID/stages                CreateStage (201)
//   GET    /v2/apis/ID/stages[/NAME]         GetStages, GetStage
//   DELETE /v2/apis/ID/stages/NAME           DeleteStage (204)
//
// Errors are the service's: status 400/404/409, header x-amzn-ErrorType: BadRequestException,
// NotFoundException or ConflictException, body {"message": "..."}.
// A stator extension: CreateApi takes the API's id from a tag "stator:api-id" (10 characters of
// [a-z0-9]) so that `stator deploy` knows an API's id when it plans a template (docs/apigw.md).
//
// Ownership: borrows the records and the clock.
// Thread-safety: Handle may be called from any thread; it answers before returning.
#pragma once

#include <string>

#include "api/http_server.h"
#include "apigw/api_records.h"
#include "common/clock.h"

namespace stator::apigw {

inline constexpr const char* kControlPlanePrefix = "/v2/";
inline constexpr const char* kApiIdTag = "stator:api-id";

class ControlPlane {
 public:
  ControlPlane(ApiRecords* records, const Clock* clock) : records_(records), clock_(clock) {}

  // The server's endpoint ("http://HOST:PORT"): an API's apiEndpoint is ENDPOINT/apigw/ID.
  void SetEndpoint(std::string endpoint) { endpoint_ = std::move(endpoint); }

  void Handle(api::HttpRequest&& request, api::Responder respond);

 private:
  class Call;

  ApiRecords* const records_;
  const Clock* const clock_;
  std::string endpoint_;
};

}  // namespace stator::apigw
