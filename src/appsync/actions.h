// The control plane's operations, one family per file (service.h lists the routes). Each takes
// the service and the parsed request and answers, or fails with AppSync's exception.
//
// Thread-safety: pure functions over the service (its Catalog is thread-safe).
#pragma once

#include <memory>
#include <string>

#include "appsync/request.h"
#include "appsync/service.h"
#include "graphql/schema.h"

namespace stator::appsync {

// api_actions.cc (segments: {"apis"} or {"apis", ID})
Answer CreateGraphqlApi(AppSyncService* s, const Request& r);
Answer ListGraphqlApis(AppSyncService* s, const Request& r);
Answer GetGraphqlApi(AppSyncService* s, const Request& r);
Answer UpdateGraphqlApi(AppSyncService* s, const Request& r);
Answer DeleteGraphqlApi(AppSyncService* s, const Request& r);

// schema_actions.cc
Answer StartSchemaCreation(AppSyncService* s, const Request& r);
Answer GetSchemaCreationStatus(AppSyncService* s, const Request& r);
Answer GetIntrospectionSchema(AppSyncService* s, const Request& r);
Answer ListTypes(AppSyncService* s, const Request& r);
Answer GetType(AppSyncService* s, const Request& r);
// The schema in force of an API that exists (NotFoundException when the API does not), or null
// when it has none.
Result<std::shared_ptr<const graphql::Schema>> SchemaInForce(AppSyncService* s,
                                                             const std::string& api_id);

// key_actions.cc
Answer CreateApiKey(AppSyncService* s, const Request& r);
Answer ListApiKeys(AppSyncService* s, const Request& r);
Answer UpdateApiKey(AppSyncService* s, const Request& r);
Answer DeleteApiKey(AppSyncService* s, const Request& r);

// data_source_actions.cc
Answer CreateDataSource(AppSyncService* s, const Request& r);
Answer GetDataSource(AppSyncService* s, const Request& r);
Answer ListDataSources(AppSyncService* s, const Request& r);
Answer UpdateDataSource(AppSyncService* s, const Request& r);
Answer DeleteDataSource(AppSyncService* s, const Request& r);

// resolver_actions.cc
Answer CreateResolver(AppSyncService* s, const Request& r);
Answer GetResolver(AppSyncService* s, const Request& r);
Answer ListResolvers(AppSyncService* s, const Request& r);
Answer UpdateResolver(AppSyncService* s, const Request& r);
Answer DeleteResolver(AppSyncService* s, const Request& r);

// tag_actions.cc (segments: {"tags", ARN})
Answer TagResource(AppSyncService* s, const Request& r);
Answer UntagResource(AppSyncService* s, const Request& r);
Answer ListTagsForResource(AppSyncService* s, const Request& r);

// The API record of r.segments[1] (NotFoundException when it does not exist).
Result<json::Value> RequireApi(AppSyncService* s, const Request& r);

}  // namespace stator::appsync
