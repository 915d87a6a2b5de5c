// ApiRecords: the HTTP APIs of the API Gateway front door (apigatewayv2), kept as store records
// so that they survive a restart and every node of a cluster serves the same routes.
//
// Record (store.h, Record): kind "apigw.apis", key API_ID, value the JSON of an ApiDocument:
//   {"api": {<the Api shape as GetApi answers it>},
//    "integrations": [{<Integration shape>}...], "routes": [{<Route shape>}...],
//    "stages": [{<Stage shape>}...]}
// Member names are the wire names (camelCase) of apigatewayv2, so the control plane answers
// with the stored objects as they are. One document per API: a change is a read, a change in
// memory and a compare-and-set of the whole document (retried when another writer won), so two
// nodes creating routes on one API at once both land.
//
// Thread-safety: every method may be called from any thread (each is store calls only).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/result.h"
#include "store/store.h"

namespace stator::apigw {

inline constexpr const char* kApiRecordKind = "apigw.apis";

struct ApiDocument {
  json::Value api = json::Value::EmptyObject();
  std::vector<json::Value> integrations;
  std::vector<json::Value> routes;
  std::vector<json::Value> stages;

  const std::string& id() const;
  // The member of `items` whose `key` is `value`, or nullptr.
  static const json::Value* FindBy(const std::vector<json::Value>& items, const char* key,
                                   const std::string& value);

  json::Value ToJson() const;
  static Result<ApiDocument> FromJson(const json::Value& v);
};

// An id as API Gateway makes them: `length` characters of [a-z0-9].
std::string NewId(size_t length);

class ApiRecords {
 public:
  explicit ApiRecords(store::Store* store) : store_(store) {}

  Result<std::optional<ApiDocument>> Get(const std::string& api_id);
  Result<std::vector<ApiDocument>> List();
  // Creates doc; store::kConditionFailed when its id is taken.
  Status Create(const ApiDocument& doc);
  // Applies `change` to the current document and stores the result, retrying from a fresh read
  // when another writer changed it in between. nullopt: no such API. `change` may run more than
  // once; its error ends the update with nothing written.
  Result<std::optional<ApiDocument>> Update(const std::string& api_id,
                                            const std::function<Status(ApiDocument*)>& change);
  // Whether an API was deleted.
  Result<bool> Delete(const std::string& api_id);

 private:
  store::Store* const store_;
};

}  // namespace stator::apigw
