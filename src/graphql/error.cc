#include "graphql/error.h"

namespace stator::graphql {

json::Value Error::ToJson() const {
  json::Object o;
  o.reserve(4);
  o.emplace_back("message", json::Value::String(message));
  if (!locations.empty()) {
    json::Array locs;
    locs.reserve(locations.size());
    for (const Location& l : locations) {
      locs.push_back(json::Value::MakeObject(
          {{"line", json::Value::Int(l.line)}, {"column", json::Value::Int(l.column)}}));
    }
    o.emplace_back("locations", json::Value::MakeArray(std::move(locs)));
  }
  if (!path.is_null()) o.emplace_back("path", path);
  if (!extensions.is_null()) o.emplace_back("extensions", extensions);
  if (extra.is_object()) {
    for (const auto& [k, v] : extra.as_object()) {
      bool dup = false;
      for (const auto& m : o) dup = dup || m.first == k;
      if (!dup) o.emplace_back(k, v);
    }
  }
  return json::Value::MakeObject(std::move(o));
}

Error MakeError(std::string message, Location location) {
  Error e;
  e.message = std::move(message);
  e.locations.push_back(location);
  return e;
}

json::Value ErrorsToJson(const std::vector<Error>& errors) {
  json::Array a;
  a.reserve(errors.size());
  for (const Error& e : errors) a.push_back(e.ToJson());
  return json::Value::MakeArray(std::move(a));
}

}  // namespace stator::graphql
