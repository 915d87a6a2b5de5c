// Catalog: AppSync's GraphQL APIs and everything under them (schema, API keys, data sources,
// resolvers), kept as store records so that they survive restarts and every node of a cluster
// sees the same. The control plane (service.h) writes them; the data plane reads them through
// the read API below.
//
// Records (store.h, Record; ID is the API id, docs/appsync.md "Records"):
//   appsync.apis         ID              the GraphqlApi object as stored (no uris/dns: those
//                                        follow the server's endpoint when read)
//   appsync.revisions    ID              decimal: bumped by every change under the API
//   appsync.schemas      ID              {"definition", "status", "details"}
//   appsync.keys         ID/KEYID        the ApiKey object {id, description, expires, deletes}
//   appsync.datasources  ID/NAME         the DataSource object
//   appsync.resolvers    ID/TYPE/FIELD   the Resolver object
//
// Every change under an API is one WriteRecords that also moves the API's revision from the value
// read before the change to the next (a compare-and-set): two changes racing, on one node or on
// two, cannot both apply on the same state; the loser is computed again (Change).
//
// Thread-safety: every method may be called from any thread (the store is thread-safe; the
// endpoint is guarded by a mutex).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/mutex.h"
#include "common/result.h"
#include "store/store.h"

namespace stator::appsync {

inline constexpr const char* kApisKind = "appsync.apis";
inline constexpr const char* kRevisionsKind = "appsync.revisions";
inline constexpr const char* kSchemasKind = "appsync.schemas";
inline constexpr const char* kKeysKind = "appsync.keys";
inline constexpr const char* kDataSourcesKind = "appsync.datasources";
inline constexpr const char* kResolversKind = "appsync.resolvers";

struct Api {
  std::string id, name, arn, authentication_type;
  json::Value raw;  // the GraphqlApi object as GetGraphqlApi returns it (uris, dns included)
};

struct ApiKey {
  std::string id;
  int64_t expires = 0;  // epoch seconds
};

// The API's schema: `definition` is the schema in force (the last one whose creation succeeded;
// "" when none has); status and details are those of the last StartSchemaCreation (a failed
// attempt leaves the schema before it in force, as AppSync does).
struct SchemaRecord {
  std::string definition;
  std::string status;  // PROCESSING|ACTIVE|SUCCESS|FAILED|NOT_APPLICABLE
  std::string details;
};

struct DataSource {
  std::string name, type;
  json::Value raw;  // the DataSource object (lambdaConfig, dynamodbConfig, httpConfig, ...)
};

struct Resolver {
  std::string type_name, field_name, data_source_name, kind;
  std::string request_template, response_template;
  bool has_request_template = false, has_response_template = false;
  json::Value raw;  // the Resolver object
};

class Catalog {
 public:
  explicit Catalog(store::Store* store) : store_(store) {}

  // The server's endpoint ("http://HOST:PORT"), for uris.GRAPHQL and uris.REALTIME.
  void SetEndpoint(std::string endpoint) EXCLUDES(mu_);
  std::string endpoint() const EXCLUDES(mu_);

  // --- The read API (the data plane's) -------------------------------------------------------
  Result<std::optional<Api>> GetApi(std::string_view api_id);
  Result<std::vector<ApiKey>> ListApiKeys(std::string_view api_id);
  Result<std::optional<SchemaRecord>> GetSchema(std::string_view api_id);
  Result<std::vector<DataSource>> ListDataSources(std::string_view api_id);
  Result<std::vector<Resolver>> ListResolvers(std::string_view api_id);  // every type's
  // One record read; 0 when the API does not exist. Bumped by every change under the API.
  Result<int64_t> Revision(std::string_view api_id);
  // How many changes this Catalog has written (any API), read without the store: while it stays
  // the same, nothing changed — unless other servers write the same store (a cluster).
  uint64_t local_changes() const { return local_changes_.load(std::memory_order_acquire); }

  // --- For the control plane ------------------------------------------------------------------
  // The stored GraphqlApi object, or nullopt.
  Result<std::optional<json::Value>> ApiRecord(std::string_view api_id);
  // The stored object with uris and dns added, as GetGraphqlApi answers.
  json::Value Present(const json::Value& api_record) const;
  // One record parsed as JSON, or nullopt.
  Result<std::optional<json::Value>> GetJson(const char* kind, std::string_view key);
  // Every record of kind under prefix, in key order, parsed as JSON (with its key).
  Result<std::vector<std::pair<std::string, json::Value>>> ListJson(const char* kind,
                                                                    std::string_view prefix);
  // Every page of a listing.
  Result<std::vector<store::Record>> ListAll(const char* kind, std::string_view prefix);

  // Creates an API: its record and its revision 1 (the id must be new).
  Status CreateApi(const std::string& api_id, const json::Value& record);

  // A change under an existing API: `compute` reads what it needs and returns the writes; they
  // are applied with the revision's compare-and-set, and `compute` runs again when another change
  // came first (up to a few times, then ConcurrentModificationException). An API that does not
  // exist: NotFoundException. compute's own errors are returned as they are.
  Status Change(std::string_view api_id,
                const std::function<Result<std::vector<store::RecordWrite>>()>& compute);

  store::Store* store() { return store_; }

 private:
  store::Store* const store_;
  std::atomic<uint64_t> local_changes_{0};
  mutable Mutex mu_;
  std::string endpoint_ GUARDED_BY(mu_);
};

// "GraphQL API ID not found." (NotFoundException).
Error ApiNotFound(std::string_view api_id);

}  // namespace stator::appsync
