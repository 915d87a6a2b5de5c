// The paths AppSync answers on the server's port: the control plane's REST routes (the `appsync`
// API of boto3 and the AWS CLI) and the prefix of each API's GraphQL endpoint (the data plane,
// served by its own handler: POST <kGraphqlPathPrefix><apiId>/graphql).
//
// Thread-safety: constants.
#pragma once

namespace stator::appsync {

// GraphqlApi.uris.GRAPHQL is <server endpoint>/appsync/<apiId>/graphql.
inline constexpr const char* kGraphqlPathPrefix = "/appsync/";
inline constexpr const char* kGraphqlPathSuffix = "/graphql";
// uris.REALTIME: where AppSync's WebSocket subscriptions would be (stator serves none).
inline constexpr const char* kRealtimePathSuffix = "/realtime";

// The control plane: /v1/apis[/...] and /v1/tags/<resourceArn>.
inline constexpr const char* kApisPath = "/v1/apis";
inline constexpr const char* kTagsPathPrefix = "/v1/tags/";

}  // namespace stator::appsync
