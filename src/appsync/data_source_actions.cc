// CreateDataSource, GetDataSource, ListDataSources, UpdateDataSource, DeleteDataSource.
//
// A data source is kept as the DataSource object AppSync answers with: the request's settings
// (type, description, serviceRoleArn and the config of its type) plus dataSourceArn. The config
// its type needs must be there (lambdaConfig.lambdaFunctionArn for AWS_LAMBDA,
// dynamodbConfig.tableName for AMAZON_DYNAMODB, httpConfig.endpoint for HTTP).
#include "appsync/actions.h"

namespace stator::appsync {
namespace {

using json::Value;
using store::RecordWrite;

const std::vector<std::string_view> kSettings = {"description",         "serviceRoleArn",
                                                 "dynamodbConfig",      "lambdaConfig",
                                                 "elasticsearchConfig", "openSearchServiceConfig",
                                                 "httpConfig",          "relationalDatabaseConfig",
                                                 "eventBridgeConfig",   "metricsConfig"};

constexpr std::string_view kTypes[] = {"AWS_LAMBDA",
                                       "AMAZON_DYNAMODB",
                                       "AMAZON_ELASTICSEARCH",
                                       "NONE",
                                       "HTTP",
                                       "RELATIONAL_DATABASE",
                                       "AMAZON_OPENSEARCH_SERVICE",
                                       "AMAZON_EVENTBRIDGE",
                                       "AMAZON_BEDROCK_RUNTIME"};

// config.key must be a non-empty string.
Status NeedsConfig(const Value& body, const std::string& type, const char* config,
                   const char* key) {
  const Value* c = body.Find(config);
  const Value* k = c && c->is_object() ? c->Find(key) : nullptr;
  if (k == nullptr || !k->is_string() || k->as_string().empty()) {
    return BadRequest("Data source of type " + type + " requires " + config + "." + key + ".");
  }
  return Status::Ok();
}

Result<Value> DataSourceObject(AppSyncService* s, const std::string& api, const std::string& name,
                               const Value& body) {
  STATOR_TRY(std::string type, StringMember(body, "type", true));
  bool known = false;
  for (std::string_view t : kTypes) known = known || t == type;
  if (!known) return BadRequest("Invalid data source type: " + type + ".");
  if (type == "AWS_LAMBDA") {
    STATOR_RETURN_IF_ERROR(NeedsConfig(body, type, "lambdaConfig", "lambdaFunctionArn"));
  } else if (type == "AMAZON_DYNAMODB") {
    STATOR_RETURN_IF_ERROR(NeedsConfig(body, type, "dynamodbConfig", "tableName"));
  } else if (type == "HTTP") {
    STATOR_RETURN_IF_ERROR(NeedsConfig(body, type, "httpConfig", "endpoint"));
  }
  json::Object o;
  o.emplace_back("dataSourceArn", Value::String(s->ApiArn(api) + "/datasources/" + name));
  o.emplace_back("name", Value::String(name));
  CopyMembers(body, {"description"}, &o);
  o.emplace_back("type", Value::String(type));
  std::vector<std::string_view> rest(kSettings.begin() + 1, kSettings.end());
  CopyMembers(body, rest, &o);
  return Value::MakeObject(std::move(o));
}

Error DataSourceNotFound(const std::string& name) {
  return NotFound("Data source " + name + " not found.");
}

}  // namespace

Answer CreateDataSource(AppSyncService* s, const Request& r) {
  const std::string& api = r.segments[1];
  STATOR_TRY(std::string name, StringMember(r.body, "name", true));
  if (!IsResourceName(name)) {
    return BadRequest("Invalid data source name: " + name +
                      " (it must match [_A-Za-z][_0-9A-Za-z]*).");
  }
  Value ds;
  Status st = s->catalog().Change(api, [&]() -> Result<std::vector<RecordWrite>> {
    STATOR_TRY(std::optional<std::string> old,
               s->catalog().store()->GetRecord(kDataSourcesKind, api + "/" + name));
    if (old) return BadRequest("Data source with name " + name + " already exists.");
    STATOR_TRY(ds, DataSourceObject(s, api, name, r.body));
    return std::vector<RecordWrite>{
        RecordWrite::Put(kDataSourcesKind, api + "/" + name, ds.Dump())};
  });
  STATOR_RETURN_IF_ERROR(st);
  return JsonResponse(Value::MakeObject({{"dataSource", ds}}));
}

Answer GetDataSource(AppSyncService* s, const Request& r) {
  STATOR_TRY(Value api, RequireApi(s, r));
  const std::string& name = r.segments[3];
  STATOR_TRY(std::optional<Value> ds,
             s->catalog().GetJson(kDataSourcesKind, r.segments[1] + "/" + name));
  if (!ds) return DataSourceNotFound(name);
  return JsonResponse(Value::MakeObject({{"dataSource", *ds}}));
}

Answer ListDataSources(AppSyncService* s, const Request& r) {
  STATOR_TRY(Value api, RequireApi(s, r));
  STATOR_TRY(auto items, s->catalog().ListJson(kDataSourcesKind, r.segments[1] + "/"));
  STATOR_TRY(Value page, Paginate(r, "ListDataSources", "dataSources", items));
  return JsonResponse(page);
}

Answer UpdateDataSource(AppSyncService* s, const Request& r) {
  const std::string& api = r.segments[1];
  const std::string& name = r.segments[3];
  Value ds;
  Status st = s->catalog().Change(api, [&]() -> Result<std::vector<RecordWrite>> {
    STATOR_TRY(std::optional<std::string> old,
               s->catalog().store()->GetRecord(kDataSourcesKind, api + "/" + name));
    if (!old) return DataSourceNotFound(name);
    STATOR_TRY(ds, DataSourceObject(s, api, name, r.body));
    return std::vector<RecordWrite>{
        RecordWrite::Put(kDataSourcesKind, api + "/" + name, ds.Dump())};
  });
  STATOR_RETURN_IF_ERROR(st);
  return JsonResponse(Value::MakeObject({{"dataSource", ds}}));
}

Answer DeleteDataSource(AppSyncService* s, const Request& r) {
  const std::string& api = r.segments[1];
  const std::string& name = r.segments[3];
  Status st = s->catalog().Change(api, [&]() -> Result<std::vector<RecordWrite>> {
    STATOR_TRY(std::optional<std::string> old,
               s->catalog().store()->GetRecord(kDataSourcesKind, api + "/" + name));
    if (!old) return DataSourceNotFound(name);
    return std::vector<RecordWrite>{RecordWrite::Delete(kDataSourcesKind, api + "/" + name)};
  });
  STATOR_RETURN_IF_ERROR(st);
  return JsonResponse(Value::EmptyObject());
}

}  // namespace stator::appsync
