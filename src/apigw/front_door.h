// FrontDoor: the invoke URLs of the HTTP APIs (ControlPlane), on the server's port:
//
//   ANY /apigw/API_ID/STAGE/PATH?QUERY     a route of a named stage ("Prod")
//   ANY /apigw/API_ID/PATH?QUERY           a route of the $default stage
//
// The first path segment after the id names a stage when the API has a stage of that name;
// otherwise the whole path belongs to the $default stage (an API without one answers 404). The
// route is matched as API Gateway does (route_match.h) and its integration called:
//   - a Lambda proxy integration: Invoke (RequestResponse) of the function with the proxy event
//     of the integration's payload format (proxy_event.h); the answer mapped from the result
//     (proxy_response.h);
//   - StepFunctions-StartExecution: StartExecution of requestParameters.StateMachineArn with the
//     request body as input (Input "$request.body", the default; another Input is taken as
//     literal text), answered with StartExecution's answer.
// Nothing matches: 404 {"message": "Not Found"}.
//
// Every request reads its API's record from the store (so a route created on any node of a
// cluster serves on all of them) and calls Lambda and Step Functions through the server's own
// dispatch, in process: the request's thread never waits for the function; the answer is sent
// from the function's completion.
//
// Ownership: borrows the records and the clock; keeps a copy of the backend handler.
// Thread-safety: Handle may be called from any thread.
#pragma once

#include <string>

#include "api/http_server.h"
#include "apigw/api_records.h"
#include "common/clock.h"

namespace stator::apigw {

inline constexpr const char* kInvokePrefix = "/apigw/";

class FrontDoor {
 public:
  // backend: the server's dispatch (the Lambda REST API and Step Functions' AWS JSON API).
  FrontDoor(ApiRecords* records, const Clock* clock, api::Handler backend, std::string account)
      : records_(records),
        clock_(clock),
        backend_(std::move(backend)),
        account_(std::move(account)) {}

  void Handle(api::HttpRequest&& request, api::Responder respond);

 private:
  ApiRecords* const records_;
  const Clock* const clock_;
  const api::Handler backend_;
  const std::string account_;
};

}  // namespace stator::apigw
