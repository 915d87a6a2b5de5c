// What the AppSync control plane's operations share: the parsed REST request, answers and errors
// in AppSync's shape (status, header x-amzn-ErrorType: <Name>, body {"message": "..."}), ids and
// ARNs as AppSync makes them, and pagination.
//
// Thread-safety: plain values and pure functions (ids come from the kernel's random source).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http_server.h"
#include "common/json.h"
#include "common/result.h"

namespace stator::appsync {

// A control-plane request: method, decoded path segments after "/v1/", query parameters and the
// JSON body ({} when empty).
struct Request {
  std::string method;
  std::vector<std::string> segments;  // "/v1/apis/x/types/T" -> {"apis", "x", "types", "T"}
  std::vector<std::pair<std::string, std::string>> query;
  json::Value body;

  std::optional<std::string> Query(std::string_view name) const;
  std::vector<std::string> QueryAll(std::string_view name) const;
};

// Parses target and body; a body that is not a JSON object is a BadRequestException.
Result<Request> ParseRequest(const api::HttpRequest& http);

// What an operation answers: a response, or an Error whose `error` is AppSync's exception name
// (NotFoundException, BadRequestException, ...) and whose cause is the message.
using Answer = Result<api::HttpResponse>;

api::HttpResponse JsonResponse(const json::Value& body, int status = 200);
// AppSync's status for the exception name (404 NotFoundException, 400 BadRequestException, 409
// ConcurrentModificationException, ...); an error of another name (a store failure) is a 500
// InternalFailureException.
api::HttpResponse ErrorResponse(const Error& e);

Error BadRequest(std::string message);
Error NotFound(std::string message);

// A string member of the body ("" when absent); a member of another type is a BadRequest.
Result<std::string> StringMember(const json::Value& body, std::string_view key, bool required);
// Copies `keys` that the body has into out (as given).
void CopyMembers(const json::Value& body, const std::vector<std::string_view>& keys,
                 json::Object* out);

// AppSync's resource names (data sources, types, fields): [_A-Za-z][_0-9A-Za-z]*.
bool IsResourceName(std::string_view name);

// An API id: 26 random characters of [a-z0-9], as AppSync's.
std::string NewApiId();
// An API key: "da2-" and 26 random characters of [a-z0-9].
std::string NewApiKey();

// Paginates items (already in order): at most maxResults (1..25, default 25) after nextToken.
// Answers {list_name: [...], "nextToken"?}.
Result<json::Value> Paginate(const Request& r, std::string_view operation,
                             std::string_view list_name,
                             const std::vector<std::pair<std::string, json::Value>>& items);

}  // namespace stator::appsync
