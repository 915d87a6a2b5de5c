// Route keys and route matching as API Gateway's HTTP APIs do them.
//
// A route key is "$default" or "METHOD /path" with METHOD one of GET POST PUT DELETE PATCH HEAD
// OPTIONS ANY, and a path of '/'-separated segments, each literal text, a path variable
// "{name}", or (last only) a greedy variable "{name+}". A request picks the most specific
// route: segments compare from the first, a literal beating a variable beating a greedy
// variable; then a route for the request's own method beats ANY. "$default" catches what no
// route matches. Paths compare byte for byte (literal segments are case-sensitive); variables
// take the percent-decoded segment(s).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json.h"
#include "common/result.h"

namespace stator::apigw {

struct RouteKey {
  bool is_default = false;            // "$default"
  std::string method;                 // "GET", "ANY"
  std::string path;                   // "/bookings/{id}"
  std::vector<std::string> segments;  // "bookings", "{id}"
};

// Errors (name "BadRequestException") say what is wrong with the key.
Result<RouteKey> ParseRouteKey(std::string_view key);

struct RouteMatch {
  size_t index = 0;  // in the routes given to MatchRoute
  RouteKey key;
  std::vector<std::pair<std::string, std::string>> path_parameters;  // in path order
};

// The route (objects with "routeKey") that answers `method` on `path` (the path after the
// stage, starting with '/', not decoded), or nullopt.
std::optional<RouteMatch> MatchRoute(const std::vector<json::Value>& routes,
                                     std::string_view method, std::string_view path);

}  // namespace stator::apigw
