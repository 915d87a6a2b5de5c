// What the Lambda operations share: the parsed request, error answers in Lambda's shape,
// function references, and FunctionConfiguration as JSON.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http_server.h"
#include "api/lambda_service.h"
#include "common/json.h"
#include "common/result.h"
#include "functions/registry.h"

namespace stator::api::lambda {

// A Lambda request: method, decoded path segments after the API version, query parameters.
struct LambdaRequest {
  std::string method;
  std::vector<std::string> segments;  // "/2015-03-31/functions/f/code" -> {"functions","f","code"}
  std::vector<std::pair<std::string, std::string>> query;
  const HttpRequest* http = nullptr;

  std::optional<std::string> Query(std::string_view name) const;
  std::vector<std::string> QueryAll(std::string_view name) const;
};

// Splits target ("/2015-03-31/functions/a%3Ab?x=1") into a LambdaRequest (percent-decoded).
LambdaRequest ParseTarget(const HttpRequest& http, std::string_view version_prefix);

// An error answer: Lambda's status for the name, x-amzn-ErrorType, {"Type", "message"}.
HttpResponse ErrorResponse(const std::string& name, const std::string& message,
                           const std::vector<std::pair<std::string, std::string>>& extra = {});
HttpResponse ErrorResponse(const Error& e);
HttpResponse JsonResponse(int status, const json::Value& body);

// The body limit of CreateFunction (POST /2015-03-31/functions) and UpdateFunctionCode
// (PUT /2015-03-31/functions/NAME/code): a zip of up to 50 MB travels base64 in JSON, so AWS
// takes requests of up to 69,905,067 bytes and answers a larger one with
// RequestEntityTooLargeException (413). nullopt for every other request.
std::optional<HttpServer::BodyLimit> UploadBodyLimit(std::string_view method,
                                                     std::string_view target);
inline constexpr size_t kUploadRequestLimit = 69905067;

// The function a name, partial ARN or ARN refers to (qualifier: "", "$LATEST" only). Errors
// carry Lambda's names (ValidationException, ResourceNotFoundException).
Result<functions::FunctionPtr> Resolve(LambdaService* service, const std::string& ref,
                                       const std::optional<std::string>& qualifier);

json::Value ConfigurationJson(const LambdaService& service, const functions::FunctionConfig& c);

// "Function not found: <arn>"
Error NotFound(const LambdaService& service, const std::string& name,
               const std::string& qualifier = "");

// The error answer to a failed change to function `name` in the registry: its
// ResourceNotFoundException in Lambda's words, any other error as it is.
HttpResponse RegistryErrorResponse(const LambdaService& service, Error e, const std::string& name);

// Operations (one group per file).
HttpResponse CreateFunction(LambdaService* s, const LambdaRequest& r);
HttpResponse ListFunctions(LambdaService* s, const LambdaRequest& r);
HttpResponse GetFunction(LambdaService* s, const LambdaRequest& r, bool configuration_only);
HttpResponse GetPackage(LambdaService* s, const LambdaRequest& r);
HttpResponse GetLogs(LambdaService* s, const LambdaRequest& r);
HttpResponse UpdateFunctionCode(LambdaService* s, const LambdaRequest& r);
HttpResponse UpdateFunctionConfiguration(LambdaService* s, const LambdaRequest& r);
HttpResponse DeleteFunction(LambdaService* s, const LambdaRequest& r);
void Invoke(LambdaService* s, const LambdaRequest& r, Responder respond);
HttpResponse TagResource(LambdaService* s, const LambdaRequest& r);
HttpResponse UntagResource(LambdaService* s, const LambdaRequest& r);
HttpResponse ListTags(LambdaService* s, const LambdaRequest& r);

}  // namespace stator::api::lambda
