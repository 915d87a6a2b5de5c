// The AppSync data plane: one GraphQL endpoint per API, POST (or GET) <endpoint>/appsync/<id>/graphql
// with AppSync's transport (API key or IAM authorization, AppSync's error bodies), the
// GraphQL engine (src/graphql/) executing each request against the API's schema, and field
// resolvers backed by the API's data sources (resolvers.h). docs/appsync.md, "Data plane".
//
// An API's schema, resolvers, data sources and keys are compiled once (CompiledApi) and kept
// until the catalog's revision of that API changes, so a request costs one record read for the
// revision, then only parsing, validation and execution.
//
// Ownership: borrows the catalog, the function registry and runtime, and DynamoDB (all must
// outlive it). Thread-safety: Handle may be called from any thread; a request waiting for a
// resolver (a Lambda invocation, a DynamoDB call) holds no thread.
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

namespace stator::appsync {

class DataPlane {
 public:
  explicit DataPlane(ResolverDeps deps) : deps_(std::move(deps)) {}

  // A request under kGraphqlPathPrefix.
  void Handle(api::HttpRequest&& request, api::Responder respond);

 private:
  // The API as of `revision`, compiled; an Error only when the store fails.
  Result<std::shared_ptr<const CompiledApi>> Load(const std::string& api_id) EXCLUDES(mu_);

  ResolverDeps deps_;
  Mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const CompiledApi>> cache_ GUARDED_BY(mu_);
};

}  // namespace stator::appsync
