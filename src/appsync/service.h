// AppSyncService: AWS AppSync's control plane (the rest-json `appsync` API as boto3 and the AWS
// CLI speak it, with only --endpoint-url set) on the server's port, over a Catalog of store
// records.
//
//   POST   /v1/apis                                   CreateGraphqlApi
//   GET    /v1/apis                                   ListGraphqlApis
//   GET|POST|DELETE /v1/apis/ID                       GetGraphqlApi, UpdateGraphqlApi, Delete...
//   POST|GET /v1/apis/ID/schemacreation               StartSchemaCreation, GetSchemaCreationStatus
//   GET    /v1/apis/ID/schema?format=SDL|JSON          GetIntrospectionSchema
//   POST|GET /v1/apis/ID/apikeys                      CreateApiKey, ListApiKeys
//   POST|DELETE /v1/apis/ID/apikeys/KEY               UpdateApiKey, DeleteApiKey
//   POST|GET /v1/apis/ID/datasources                  CreateDataSource, ListDataSources
//   GET|POST|DELETE /v1/apis/ID/datasources/NAME      Get/Update/DeleteDataSource
//   GET    /v1/apis/ID/types?format=                  ListTypes
//   GET    /v1/apis/ID/types/TYPE?format=             GetType
//   POST|GET /v1/apis/ID/types/TYPE/resolvers         CreateResolver, ListResolvers
//   GET|POST|DELETE /v1/apis/ID/types/TYPE/resolvers/FIELD   Get/Update/DeleteResolver
//   POST|GET|DELETE /v1/tags/ARN                      TagResource, ListTagsForResource, Untag...
//
// Errors are AppSync's: the exception's status, header x-amzn-ErrorType, body {"message"}
// (request.h). Each family of operations is one file: api_actions.cc, schema_actions.cc (schema,
// introspection, types), key_actions.cc, data_source_actions.cc, resolver_actions.cc,
// tag_actions.cc. The GraphQL endpoints themselves (uris.GRAPHQL) are the data plane's.
//
// Ownership: owns its Catalog; borrows the store and the clock (they must outlive it).
// Thread-safety: Handle may be called from any thread at once; it answers before returning.
#pragma once

#include <string>

#include "api/http_server.h"
#include "appsync/catalog.h"
#include "common/clock.h"
#include "store/store.h"

namespace stator::appsync {

class AppSyncService {
 public:
  AppSyncService(store::Store* store, const Clock* clock, std::string region, std::string account)
      : catalog_(store), clock_(clock), region_(std::move(region)), account_(std::move(account)) {}

  // The server's endpoint ("http://HOST:PORT"), for uris.GRAPHQL.
  void SetEndpoint(std::string endpoint) { catalog_.SetEndpoint(std::move(endpoint)); }

  // Requests under /v1/apis and /v1/tags/.
  void Handle(api::HttpRequest&& request, api::Responder respond);

  Catalog& catalog() { return catalog_; }
  int64_t NowSeconds() const { return clock_->NowMillis() / 1000; }
  const std::string& region() const { return region_; }
  const std::string& account() const { return account_; }
  // arn:aws:appsync:REGION:ACCOUNT:apis/ID
  std::string ApiArn(const std::string& api_id) const;

 private:
  Catalog catalog_;
  const Clock* const clock_;
  const std::string region_;
  const std::string account_;
};

}  // namespace stator::appsync
