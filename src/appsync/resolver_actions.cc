// CreateResolver, GetResolver, ListResolvers, UpdateResolver, DeleteResolver.
//
// A resolver attaches to a field of a type of the schema in force (NotFoundException otherwise);
// one per field ("Only one resolver is allowed per field."). A UNIT resolver names a data source
// of the API. The object kept is the Resolver AppSync answers with.
#include "appsync/actions.h"

namespace stator::appsync {
namespace {

using json::Value;
using store::RecordWrite;

const std::vector<std::string_view> kSettings = {"requestMappingTemplate",
                                                 "responseMappingTemplate",
                                                 "kind",
                                                 "pipelineConfig",
                                                 "syncConfig",
                                                 "cachingConfig",
                                                 "maxBatchSize",
                                                 "runtime",
                                                 "code",
                                                 "metricsConfig"};

std::string Key(const std::string& api, const std::string& type, const std::string& field) {
  return api + "/" + type + "/" + field;
}

Error NoResolver() { return NotFound("No resolver found."); }

// The Resolver object for type.field from the request, checked against the schema in force and
// the API's data sources.
Result<Value> ResolverObject(AppSyncService* s, const std::string& api, const std::string& type,
                             const std::string& field, const Value& body) {
  STATOR_TRY(std::shared_ptr<const graphql::Schema> schema, SchemaInForce(s, api));
  const graphql::NamedType* t = schema ? schema->FindType(type) : nullptr;
  if (t == nullptr || t->builtin) return NotFound("Type " + type + " not found");
  if (t->FindField(field) == nullptr) {
    return NotFound("No field named " + field + " found on type " + type);
  }
  STATOR_TRY(std::string kind, StringMember(body, "kind", false));
  if (kind.empty()) kind = "UNIT";
  if (kind != "UNIT" && kind != "PIPELINE")
    return BadRequest("Invalid resolver kind: " + kind + ".");
  STATOR_TRY(std::string data_source, StringMember(body, "dataSourceName", false));
  if (kind == "UNIT") {
    if (data_source.empty()) return BadRequest("DataSourceName is required for UNIT resolver.");
    STATOR_TRY(std::optional<std::string> ds,
               s->catalog().store()->GetRecord(kDataSourcesKind, api + "/" + data_source));
    if (!ds) return NotFound("No data source found named " + data_source + ".");
  }
  for (const char* t : {"requestMappingTemplate", "responseMappingTemplate"}) {
    STATOR_TRY(std::string text, StringMember(body, t, false));
  }
  json::Object o;
  o.emplace_back("typeName", Value::String(type));
  o.emplace_back("fieldName", Value::String(field));
  if (!data_source.empty()) o.emplace_back("dataSourceName", Value::String(data_source));
  o.emplace_back("resolverArn",
                 Value::String(s->ApiArn(api) + "/types/" + type + "/resolvers/" + field));
  Value settings = body.With("kind", Value::String(kind));
  CopyMembers(settings, kSettings, &o);
  return Value::MakeObject(std::move(o));
}

}  // namespace

Answer CreateResolver(AppSyncService* s, const Request& r) {
  const std::string& api = r.segments[1];
  const std::string& type = r.segments[3];
  STATOR_TRY(std::string field, StringMember(r.body, "fieldName", true));
  Value resolver;
  Status st = s->catalog().Change(api, [&]() -> Result<std::vector<RecordWrite>> {
    STATOR_TRY(resolver, ResolverObject(s, api, type, field, r.body));
    STATOR_TRY(std::optional<std::string> old,
               s->catalog().store()->GetRecord(kResolversKind, Key(api, type, field)));
    if (old) return BadRequest("Only one resolver is allowed per field.");
    return std::vector<RecordWrite>{
        RecordWrite::Put(kResolversKind, Key(api, type, field), resolver.Dump())};
  });
  STATOR_RETURN_IF_ERROR(st);
  return JsonResponse(Value::MakeObject({{"resolver", resolver}}));
}

Answer GetResolver(AppSyncService* s, const Request& r) {
  STATOR_TRY(Value api, RequireApi(s, r));
  STATOR_TRY(
      std::optional<Value> resolver,
      s->catalog().GetJson(kResolversKind, Key(r.segments[1], r.segments[3], r.segments[5])));
  if (!resolver) return NoResolver();
  return JsonResponse(Value::MakeObject({{"resolver", *resolver}}));
}

Answer ListResolvers(AppSyncService* s, const Request& r) {
  STATOR_TRY(Value api, RequireApi(s, r));
  STATOR_TRY(auto items,
             s->catalog().ListJson(kResolversKind, r.segments[1] + "/" + r.segments[3] + "/"));
  STATOR_TRY(Value page, Paginate(r, "ListResolvers", "resolvers", items));
  return JsonResponse(page);
}

Answer UpdateResolver(AppSyncService* s, const Request& r) {
  const std::string& api = r.segments[1];
  const std::string& type = r.segments[3];
  const std::string& field = r.segments[5];
  Value resolver;
  Status st = s->catalog().Change(api, [&]() -> Result<std::vector<RecordWrite>> {
    STATOR_TRY(std::optional<std::string> old,
               s->catalog().store()->GetRecord(kResolversKind, Key(api, type, field)));
    if (!old) return NoResolver();
    STATOR_TRY(resolver, ResolverObject(s, api, type, field, r.body));
    return std::vector<RecordWrite>{
        RecordWrite::Put(kResolversKind, Key(api, type, field), resolver.Dump())};
  });
  STATOR_RETURN_IF_ERROR(st);
  return JsonResponse(Value::MakeObject({{"resolver", resolver}}));
}

Answer DeleteResolver(AppSyncService* s, const Request& r) {
  const std::string& api = r.segments[1];
  const std::string key = Key(api, r.segments[3], r.segments[5]);
  Status st = s->catalog().Change(api, [&]() -> Result<std::vector<RecordWrite>> {
    STATOR_TRY(std::optional<std::string> old,
               s->catalog().store()->GetRecord(kResolversKind, key));
    if (!old) return NoResolver();
    return std::vector<RecordWrite>{RecordWrite::Delete(kResolversKind, key)};
  });
  STATOR_RETURN_IF_ERROR(st);
  return JsonResponse(Value::EmptyObject());
}

}  // namespace stator::appsync
