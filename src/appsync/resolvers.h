// Field resolvers of an AppSync API: what a GraphQL field attached to a data source does.
//
// CompiledApi is an API as the data plane serves it: its record, keys, schema (parsed once) and
// a resolver per "Type.field" with its data source and parsed mapping templates. A
// RequestResolver (one per GraphQL request) answers the GraphQL executor's FieldResolver calls:
//   - AWS_LAMBDA without a request template (a direct Lambda resolver): the function gets
//     AppSync's event (arguments, identity, source, request.headers, prev, info, stash); its
//     result is the field's value; a function error is the field's error (errorType and
//     message from the function's error object).
//   - AWS_LAMBDA with a request template: the template renders {"operation": "Invoke",
//     "payload": ...} and the payload is what the function gets.
//   - NONE: the request template's "payload" is the result (a local resolver).
//   - AMAZON_DYNAMODB: the request template names a DynamoDB operation (GetItem, PutItem,
//     UpdateItem, DeleteItem, Query, Scan) that runs on stator's DynamoDB (dynamodb_resolver.cc).
//   - HTTP: the request template renders AppSync's HTTP request ({"method", "resourcePath",
//     "params": {"query", "headers", "body"}}), sent to the data source's http:// endpoint by the
//     server's HttpClient; $ctx.result is {statusCode, headers, body} (http_resolver.cc).
// A response template, when there is one, turns $ctx.result into the field's value; without
// one the result is the value (and an error of the data source is the field's error).
//
// Ownership: a CompiledApi is immutable and shared; a RequestResolver is owned by the request
// that created it and must outlive the execution (the data plane keeps it in the execution's
// completion). Thread-safety: Resolve may be called from any thread, concurrently.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "appsync/catalog.h"
#include "common/clock.h"
#include "common/json.h"
#include "dynamodb/service.h"
#include "functions/registry.h"
#include "functions/runtime.h"
#include "graphql/execute.h"
#include "graphql/schema.h"
#include "vtl/vtl.h"

namespace stator::appsync {

class HttpClient;

// What resolvers reach: every pointer is borrowed and may be null when the server runs without
// that service (a field on it then fails with a clear error).
struct ResolverDeps {
  Catalog* catalog = nullptr;
  functions::FunctionRegistry* registry = nullptr;
  functions::FunctionRuntime* runtime = nullptr;
  dynamodb::Service* dynamodb = nullptr;
  HttpClient* http = nullptr;  // for HTTP data sources
  const Clock* clock = nullptr;
  std::string region;
  std::string account;
  // Other servers write the same store (a cluster on PostgreSQL): an API's revision is read for
  // every request. Otherwise only this server changes APIs, and the catalog's count of its own
  // changes tells when to read it again.
  bool shared_store = false;
};

struct CompiledApi {
  int64_t revision = 0;
  Api api;
  std::vector<ApiKey> keys;
  std::shared_ptr<const graphql::Schema> schema;  // null: no schema (yet), or it failed
  struct Field {
    Resolver resolver;
    std::shared_ptr<const DataSource> data_source;  // null: the resolver names none that exists
    std::shared_ptr<const vtl::Template> request;   // null: no request template
    std::shared_ptr<const vtl::Template> response;  // null: no response template
    std::string template_error;                     // a template that does not parse
  };
  std::unordered_map<std::string, Field> fields;  // by "Type.field"
};

// Reads and compiles the API `api_id` at `revision`; nullopt when the API does not exist.
Result<std::optional<CompiledApi>> CompileApi(Catalog& catalog, const std::string& api_id,
                                              int64_t revision);

// The resolvers of one GraphQL request.
class RequestResolver : public graphql::FieldResolver {
 public:
  // headers: the request's headers as AppSync hands them to resolvers (request.headers).
  RequestResolver(const ResolverDeps* deps, std::shared_ptr<const CompiledApi> api,
                  json::Value headers, json::Value identity)
      : deps_(deps),
        api_(std::move(api)),
        headers_(std::move(headers)),
        identity_(std::move(identity)) {}

  bool Resolves(std::string_view parent_type, std::string_view field) const override;
  void Resolve(graphql::FieldCall call, std::function<void(graphql::FieldOutcome)> done) override;

 private:
  const CompiledApi::Field* FieldOf(std::string_view parent_type, std::string_view field) const;
  // The $ctx of a template render for `call`.
  vtl::Context TemplateContext(const graphql::FieldCall& call) const;
  // Runs the response template (if any) over a data source's result or error.
  graphql::FieldOutcome Respond(const CompiledApi::Field& f, const graphql::FieldCall& call,
                                json::Value result, json::Value error) const;

  void ResolveLambda(const CompiledApi::Field& f, graphql::FieldCall call,
                     std::function<void(graphql::FieldOutcome)> done);
  void ResolveNone(const CompiledApi::Field& f, graphql::FieldCall call,
                   std::function<void(graphql::FieldOutcome)> done);
  void ResolveDynamoDb(const CompiledApi::Field& f, graphql::FieldCall call,
                       std::function<void(graphql::FieldOutcome)> done);
  void ResolveHttp(const CompiledApi::Field& f, graphql::FieldCall call,
                   std::function<void(graphql::FieldOutcome)> done);

  const ResolverDeps* deps_;
  std::shared_ptr<const CompiledApi> api_;
  json::Value headers_;
  json::Value identity_;
};

// The field error AppSync reports: message, errorType, and the error's data and errorInfo.
graphql::FieldOutcome FieldError(std::string message, std::string error_type,
                                 json::Value data = json::Value(),
                                 json::Value error_info = json::Value());

}  // namespace stator::appsync
