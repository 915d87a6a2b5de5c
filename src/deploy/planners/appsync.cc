// The planners of AWS::AppSync::GraphQLApi, GraphQLSchema, ApiKey, DataSource and Resolver:
// requests of the appsync REST API (src/appsync/service.h) with the template's PascalCase
// properties in the API's camelCase. What only the server knows (the API's id and URLs, an API
// key, the ARNs under the API) Ref and Fn::GetAtt give as late-bound tokens (late_bound.h).
//
// Requests (PlannedResource::request):
//   GraphQLApi     CreateGraphqlApi's body (tags include the stack's)
//   GraphQLSchema  {"apiId", "definition": SDL text}
//   ApiKey         {"apiId", "description"?, "expires"?}
//   DataSource     {"apiId", "name", "type", ...: CreateDataSource's body}
//   Resolver       {"apiId", "typeName", "fieldName", ...: CreateResolver's body}
#include <cctype>

#include "deploy/late_bound.h"
#include "deploy/planners/planner.h"
#include "deploy/planners/properties.h"
#include "deploy/template.h"

namespace stator::deploy {
namespace {

using json::Value;

std::string LowerFirst(const std::string& k) {
  std::string out = k;
  if (!out.empty()) out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  return out;
}

// v with every member name in camelCase ("LambdaFunctionArn" -> "lambdaFunctionArn").
Value Camel(const Value& v) {
  if (v.is_array()) {
    json::Array items;
    for (const Value& e : v.as_array()) items.push_back(Camel(e));
    return Value::MakeArray(std::move(items));
  }
  if (!v.is_object()) return v;
  json::Object members;
  for (const auto& [k, e] : v.as_object()) members.emplace_back(LowerFirst(k), Camel(e));
  return Value::MakeObject(std::move(members));
}

// Copies property `from` (camelCased inside) to request member `to` when present.
void CopyCamel(const Value& props, const char* from, const char* to, std::set<std::string>* used,
               json::Object* req) {
  used->insert(from);
  if (const Value* v = props.Find(from); v && !v->is_null()) req->emplace_back(to, Camel(*v));
}

Result<std::string> Required(const Value& props, const char* key, std::set<std::string>* used) {
  used->insert(key);
  STATOR_TRY(std::string s, StringProperty(props, key));
  if (s.empty()) return Error{"Template", std::string("needs ") + key};
  return s;
}

Result<bool> BoolProperty(const Value& props, const char* key) {
  const Value* v = props.Find(key);
  if (v == nullptr || v->is_null()) return false;
  if (v->is_bool()) return v->as_bool();
  if (v->is_string() && (v->as_string() == "true" || v->as_string() == "false")) {
    return v->as_string() == "true";
  }
  return Error{"Template", std::string(key) + " must be true or false"};
}

// The text of a property given inline (`inline_key`) or as a local file (`location_key`, relative
// to the template); s3:// locations are not supported. nullopt when neither is given.
Result<std::optional<std::string>> TextOrFile(const StackScope& scope, const Value& props,
                                              const char* inline_key, const char* location_key,
                                              std::set<std::string>* used) {
  used->insert(inline_key);
  used->insert(location_key);
  const Value* text = props.Find(inline_key);
  const Value* location = props.Find(location_key);
  if (text && location) {
    return Error{"Template",
                 std::string("give ") + inline_key + " or " + location_key + ", not both"};
  }
  if (text) {
    if (!text->is_string()) return Error{"Template", std::string(inline_key) + " must be text"};
    return std::optional<std::string>(text->as_string());
  }
  if (!location) return std::optional<std::string>();
  if (!location->is_string() || location->as_string().empty()) {
    return Error{"Template", std::string(location_key) + " must be a path"};
  }
  const std::string& where = location->as_string();
  if (where.starts_with("s3://") || where.starts_with("https://")) {
    return Error{"Template", std::string(location_key) + " " + where +
                                 ": S3 locations are not supported by stator deploy; give a path "
                                 "relative to the template"};
  }
  std::string path = JoinPath(scope.template_dir, where);
  auto read = ReadFile(path);
  if (!read.ok()) return Error{"Template", std::string(location_key) + ": " + read.error().cause};
  return std::optional<std::string>(std::move(read).value());
}

void Late(const std::string& id, std::initializer_list<const char*> attributes,
          ResourceAttributes* a) {
  for (const char* att : attributes) a->atts[att] = Value::String(LateBound(id, att));
}

}  // namespace

Status PlanAppSyncApi(const StackScope& scope, const ResourceInput& in, PlannedResource* p,
                      ResourceAttributes* attributes) {
  const Value& props = in.properties;
  std::set<std::string> used;
  json::Object req;
  STATOR_TRY(std::string name, Required(props, "Name", &used));
  STATOR_TRY(std::string auth, Required(props, "AuthenticationType", &used));
  req.emplace_back("name", Value::String(name));
  req.emplace_back("authenticationType", Value::String(auth));
  used.insert("XrayEnabled");
  STATOR_TRY(bool xray, BoolProperty(props, "XrayEnabled"));
  req.emplace_back("xrayEnabled", Value::Bool(xray));
  CopyCamel(props, "LogConfig", "logConfig", &used, &req);
  CopyCamel(props, "UserPoolConfig", "userPoolConfig", &used, &req);
  CopyCamel(props, "OpenIDConnectConfig", "openIDConnectConfig", &used, &req);
  CopyCamel(props, "LambdaAuthorizerConfig", "lambdaAuthorizerConfig", &used, &req);
  CopyCamel(props, "AdditionalAuthenticationProviders", "additionalAuthenticationProviders", &used,
            &req);
  CopyCamel(props, "Visibility", "visibility", &used, &req);
  CopyCamel(props, "IntrospectionConfig", "introspectionConfig", &used, &req);
  CopyCamel(props, "QueryDepthLimit", "queryDepthLimit", &used, &req);
  CopyCamel(props, "ResolverCountLimit", "resolverCountLimit", &used, &req);
  CopyCamel(props, "OwnerContact", "ownerContact", &used, &req);
  CopyCamel(props, "EnhancedMetricsConfig", "enhancedMetricsConfig", &used, &req);
  used.insert("Tags");
  STATOR_TRY(TagList tags, Tags(scope, props, in.logical_id));
  json::Object tag_map;
  for (const auto& [k, v] : tags) tag_map.emplace_back(k, Value::String(v));
  req.emplace_back("tags", Value::MakeObject(std::move(tag_map)));
  p->kind = Kind::kAppSync;
  p->name = name;
  p->arn = LateBound(in.logical_id, "Arn");
  p->request = Value::MakeObject(std::move(req));
  NoteIgnored(props, used, p);
  attributes->ref = Value::String(p->arn);
  Late(in.logical_id,
       {"ApiId", "Arn", "GraphQLUrl", "GraphQLDns", "RealtimeUrl", "RealtimeDns",
        "GraphQLEndpointArn"},
       attributes);
  return Status::Ok();
}

Status PlanAppSyncSchema(const StackScope& scope, const ResourceInput& in, PlannedResource* p,
                         ResourceAttributes* attributes) {
  const Value& props = in.properties;
  std::set<std::string> used;
  STATOR_TRY(std::string api, Required(props, "ApiId", &used));
  STATOR_TRY(std::optional<std::string> sdl,
             TextOrFile(scope, props, "Definition", "DefinitionS3Location", &used));
  if (!sdl) return Error{"Template", "needs Definition or DefinitionS3Location"};
  p->kind = Kind::kAppSync;
  p->arn = LateBound(in.logical_id, "Ref");
  p->request =
      Value::MakeObject({{"apiId", Value::String(api)}, {"definition", Value::String(*sdl)}});
  NoteIgnored(props, used, p);
  attributes->ref = Value::String(p->arn);
  return Status::Ok();
}

Status PlanAppSyncApiKey(const StackScope& scope, const ResourceInput& in, PlannedResource* p,
                         ResourceAttributes* attributes) {
  const Value& props = in.properties;
  std::set<std::string> used;
  json::Object req;
  STATOR_TRY(std::string api, Required(props, "ApiId", &used));
  req.emplace_back("apiId", Value::String(api));
  used.insert("Description");
  STATOR_TRY(std::string description, StringProperty(props, "Description"));
  if (!description.empty()) req.emplace_back("description", Value::String(description));
  used.insert("Expires");
  if (const Value* e = props.Find("Expires"); e && !e->is_null()) {
    STATOR_TRY(int64_t expires, IntProperty(*e, "Expires"));
    req.emplace_back("expires", Value::Int(expires));
  }
  p->kind = Kind::kAppSync;
  p->arn = LateBound(in.logical_id, "Arn");
  p->request = Value::MakeObject(std::move(req));
  NoteIgnored(props, used, p);
  attributes->ref = Value::String(p->arn);
  Late(in.logical_id, {"ApiKey", "Arn", "ApiKeyId"}, attributes);
  return Status::Ok();
}

Status PlanAppSyncDataSource(const StackScope& scope, const ResourceInput& in, PlannedResource* p,
                             ResourceAttributes* attributes) {
  const Value& props = in.properties;
  std::set<std::string> used;
  json::Object req;
  STATOR_TRY(std::string api, Required(props, "ApiId", &used));
  STATOR_TRY(std::string name, Required(props, "Name", &used));
  STATOR_TRY(std::string type, Required(props, "Type", &used));
  req.emplace_back("apiId", Value::String(api));
  req.emplace_back("name", Value::String(name));
  req.emplace_back("type", Value::String(type));
  CopyCamel(props, "Description", "description", &used, &req);
  CopyCamel(props, "ServiceRoleArn", "serviceRoleArn", &used, &req);
  CopyCamel(props, "LambdaConfig", "lambdaConfig", &used, &req);
  CopyCamel(props, "DynamoDBConfig", "dynamodbConfig", &used, &req);
  CopyCamel(props, "HttpConfig", "httpConfig", &used, &req);
  CopyCamel(props, "RelationalDatabaseConfig", "relationalDatabaseConfig", &used, &req);
  CopyCamel(props, "EventBridgeConfig", "eventBridgeConfig", &used, &req);
  CopyCamel(props, "OpenSearchServiceConfig", "openSearchServiceConfig", &used, &req);
  CopyCamel(props, "ElasticsearchConfig", "elasticsearchConfig", &used, &req);
  CopyCamel(props, "MetricsConfig", "metricsConfig", &used, &req);
  p->kind = Kind::kAppSync;
  p->name = name;
  p->arn = LateBound(in.logical_id, "DataSourceArn");
  p->request = Value::MakeObject(std::move(req));
  NoteIgnored(props, used, p);
  attributes->ref = Value::String(p->arn);
  Late(in.logical_id, {"DataSourceArn"}, attributes);
  attributes->atts["Name"] = Value::String(name);
  return Status::Ok();
}

Status PlanAppSyncResolver(const StackScope& scope, const ResourceInput& in, PlannedResource* p,
                           ResourceAttributes* attributes) {
  const Value& props = in.properties;
  std::set<std::string> used;
  json::Object req;
  STATOR_TRY(std::string api, Required(props, "ApiId", &used));
  STATOR_TRY(std::string type, Required(props, "TypeName", &used));
  STATOR_TRY(std::string field, Required(props, "FieldName", &used));
  req.emplace_back("apiId", Value::String(api));
  req.emplace_back("typeName", Value::String(type));
  req.emplace_back("fieldName", Value::String(field));
  CopyCamel(props, "DataSourceName", "dataSourceName", &used, &req);
  used.insert("Kind");
  STATOR_TRY(std::string kind, StringProperty(props, "Kind"));
  req.emplace_back("kind", Value::String(kind.empty() ? "UNIT" : kind));
  STATOR_TRY(std::optional<std::string> request_template,
             TextOrFile(scope, props, "RequestMappingTemplate", "RequestMappingTemplateS3Location",
                        &used));
  if (request_template) {
    req.emplace_back("requestMappingTemplate", Value::String(*request_template));
  }
  STATOR_TRY(std::optional<std::string> response_template,
             TextOrFile(scope, props, "ResponseMappingTemplate",
                        "ResponseMappingTemplateS3Location", &used));
  if (response_template) {
    req.emplace_back("responseMappingTemplate", Value::String(*response_template));
  }
  STATOR_TRY(std::optional<std::string> code,
             TextOrFile(scope, props, "Code", "CodeS3Location", &used));
  if (code) req.emplace_back("code", Value::String(*code));
  CopyCamel(props, "Runtime", "runtime", &used, &req);
  CopyCamel(props, "PipelineConfig", "pipelineConfig", &used, &req);
  CopyCamel(props, "CachingConfig", "cachingConfig", &used, &req);
  CopyCamel(props, "SyncConfig", "syncConfig", &used, &req);
  CopyCamel(props, "MaxBatchSize", "maxBatchSize", &used, &req);
  CopyCamel(props, "MetricsConfig", "metricsConfig", &used, &req);
  p->kind = Kind::kAppSync;
  p->name = type + "." + field;
  p->arn = LateBound(in.logical_id, "ResolverArn");
  p->request = Value::MakeObject(std::move(req));
  NoteIgnored(props, used, p);
  attributes->ref = Value::String(p->arn);
  Late(in.logical_id, {"ResolverArn"}, attributes);
  attributes->atts["TypeName"] = Value::String(type);
  attributes->atts["FieldName"] = Value::String(field);
  return Status::Ok();
}

}  // namespace stator::deploy
