// The AppSync data plane: one GraphQL endpoint per API, POST (or GET)
// <endpoint>/appsync/<id>/graphql with AppSync's transport (API key or IAM authorization, AppSync's
// error bodies), the GraphQL engine (src/graphql/) executing each request against the API's schema,
// and field resolvers backed by the API's data sources (resolvers.h). docs/appsync.md, "Data
// plane".
//
// An API's schema, resolvers, data sources and keys are compiled once (CompiledApi) and kept
// until the catalog's revision of that API changes, with the request documents already parsed
// and validated against it (DocumentCache). On a server of its own (no other server writes its
// store) nothing is read while the catalog reports no change of its own; in a cluster a request
// reads the API's revision (one record) first.
//
// Ownership: borrows the catalog, the function registry and runtime, DynamoDB and the HTTP
// client (all must outlive it). Thread-safety: Handle may be called from any thread; a request
// waiting for a resolver (a Lambda invocation, a DynamoDB call, an HTTP request) holds no thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/http_server.h"
#include "appsync/catalog.h"
#include "appsync/resolvers.h"
#include "common/clock.h"
#include "common/mutex.h"
#include "graphql/ast.h"
#include "graphql/error.h"
#include "graphql/schema.h"

namespace stator::appsync {

// Parsed and validated request documents of one compiled API, by query text: clients send the
// same few documents over and over (with different variables), so each is parsed and validated
// once per schema. Bounded: past kMaxEntries it starts again empty. Thread-safe.
class DocumentCache {
 public:
  struct Entry {
    std::shared_ptr<const graphql::Document> document;  // null when errors is not empty
    std::vector<graphql::Error> errors;                 // syntax or validation errors
  };
  static constexpr size_t kMaxEntries = 512;

  // The entry of `query` against `schema`, parsing and validating it the first time.
  std::shared_ptr<const Entry> Get(const graphql::Schema& schema, const std::string& query)
      EXCLUDES(mu_);

 private:
  Mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Entry>> entries_ GUARDED_BY(mu_);
};

class DataPlane {
 public:
  explicit DataPlane(ResolverDeps deps) : deps_(std::move(deps)) {}

  // A request under kGraphqlPathPrefix.
  void Handle(api::HttpRequest&& request, api::Responder respond);

 private:
  // The API as of `revision`, compiled; an Error only when the store fails.
  struct Loaded {
    std::shared_ptr<const CompiledApi> api;
    std::shared_ptr<DocumentCache> documents;
    uint64_t local_changes = 0;  // the catalog's local_changes() before it was read
  };
  // The API as of its current revision, compiled; api is null when it does not exist; an Error
  // only when the store fails.
  Result<Loaded> Load(const std::string& api_id) EXCLUDES(mu_);

  ResolverDeps deps_;
  Mutex mu_;
  std::unordered_map<std::string, Loaded> cache_ GUARDED_BY(mu_);
};

}  // namespace stator::appsync
