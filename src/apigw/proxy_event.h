// The events of Lambda proxy integrations, as API Gateway sends them to a function: payload
// format 1.0 (REST APIs, SAM's `Api` events) and 2.0 (HTTP APIs, SAM's `HttpApi` events).
//
// 1.0: resource, path, httpMethod, headers (the last value of each name), multiValueHeaders,
//   queryStringParameters / multiValueQueryStringParameters, pathParameters, stageVariables
//   (null when empty), requestContext {accountId, apiId, domainName, domainPrefix,
//   extendedRequestId, httpMethod, identity {sourceIp, userAgent, the rest null}, path (with the
//   stage), protocol, requestId, requestTime, requestTimeEpoch, resourceId, resourcePath, stage},
//   body (null when empty), isBase64Encoded.
// 2.0: version, routeKey, rawPath, rawQueryString, cookies, headers (names in lower case,
//   repeated headers joined with ','; the cookie header goes to cookies), queryStringParameters
//   (repeated parameters joined with ','), pathParameters, stageVariables (each left out when
//   empty), requestContext {accountId, apiId, domainName, domainPrefix, http {method, path,
//   protocol, sourceIp, userAgent}, requestId, routeKey, stage, time, timeEpoch}, body (left out
//   when empty), isBase64Encoded.
// A body is base64-encoded (isBase64Encoded true) unless its Content-Type is textual (text/*,
// JSON, XML, JavaScript, form data; no Content-Type counts as text) and it is valid UTF-8.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/json.h"

namespace stator::apigw {

struct ProxyRequest {
  std::string method;
  std::string path;       // after the stage, as sent (not decoded), starting with '/'
  std::string raw_query;  // after '?', as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string stage;  // "$default", "Prod"
  std::string api_id;
  std::string account;
  std::string route_key;  // "POST /bookings/{id}", "$default"
  std::string route_id;
  std::string resource_path;  // "/bookings/{id}" ("$default" for the default route)
  std::vector<std::pair<std::string, std::string>> path_parameters;
  json::Value stage_variables = json::Value::EmptyObject();
  std::string request_id;
  int64_t time_ms = 0;
  std::string source_ip;
};

json::Value EventV1(const ProxyRequest& r);
json::Value EventV2(const ProxyRequest& r);

// Whether a body of this Content-Type is passed as text (see above).
bool IsTextBody(std::string_view content_type, std::string_view body);

// "07/Dec/2026:07:05:26 +0000", API Gateway's requestTime.
std::string RequestTime(int64_t epoch_ms);

}  // namespace stator::apigw
