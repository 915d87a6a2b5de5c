// graphql::Error: one entry of a GraphQL response's "errors" list, and Location, a 1-based
// line/column in the request document.
//
// Plain values; copy freely. Thread-safety: like any value type (const access from many threads).
#pragma once

#include <string>
#include <vector>

#include "common/json.h"

namespace stator::graphql {

struct Location {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in code points (graphql-core; graphql-js counts UTF-16 units)
  bool operator==(const Location& o) const { return line == o.line && column == o.column; }
};

struct Error {
  std::string message;
  std::vector<Location> locations;
  json::Value path;        // array of field names (strings) and list indices (ints), or null
  json::Value extensions;  // object, or null (absent)
  // Extra top-level members (an object, or null) appended after the standard ones; AppSync's
  // errors carry errorType, data and errorInfo at the top level.
  json::Value extra;

  // {"message", "locations"?, "path"?, "extensions"?, ...extra} in graphql-js's order.
  json::Value ToJson() const;
};

// Convenience: an Error with one location.
Error MakeError(std::string message, Location location);

// The errors as a JSON array of ToJson() objects.
json::Value ErrorsToJson(const std::vector<Error>& errors);

}  // namespace stator::graphql
