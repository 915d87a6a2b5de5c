// CreateGraphqlApi, ListGraphqlApis, GetGraphqlApi, UpdateGraphqlApi, DeleteGraphqlApi.
#include <string_view>

#include "appsync/actions.h"

namespace stator::appsync {
namespace {

using json::Value;
using store::RecordWrite;

constexpr std::string_view kAuthenticationTypes[] = {
    "API_KEY", "AWS_IAM", "AMAZON_COGNITO_USER_POOLS", "OPENID_CONNECT", "AWS_LAMBDA"};

// The settings CreateGraphqlApi and UpdateGraphqlApi take as given (an update replaces them:
// one the update leaves out is gone, as AppSync's).
const std::vector<std::string_view> kSettings = {"logConfig",
                                                 "userPoolConfig",
                                                 "openIDConnectConfig",
                                                 "additionalAuthenticationProviders",
                                                 "lambdaAuthorizerConfig",
                                                 "ownerContact",
                                                 "enhancedMetricsConfig"};

Status CheckSettings(const Value& body) {
  STATOR_TRY(std::string name, StringMember(body, "name", true));
  if (name.empty()) return BadRequest("name must not be empty.");
  STATOR_TRY(std::string auth, StringMember(body, "authenticationType", true));
  bool known = false;
  for (std::string_view a : kAuthenticationTypes) known = known || a == auth;
  if (!known) {
    return BadRequest("Invalid authenticationType: " + auth +
                      " (one of API_KEY, AWS_IAM, AMAZON_COGNITO_USER_POOLS, OPENID_CONNECT, "
                      "AWS_LAMBDA).");
  }
  if (const Value* log = body.Find("logConfig"); log && !log->is_null()) {
    if (!log->is_object()) return BadRequest("logConfig must be an object.");
    STATOR_TRY(std::string level, StringMember(*log, "fieldLogLevel", true));
    if (level != "NONE" && level != "ERROR" && level != "ALL" && level != "INFO" &&
        level != "DEBUG") {
      return BadRequest("Invalid fieldLogLevel: " + level + ".");
    }
  }
  if (const Value* x = body.Find("xrayEnabled"); x && !x->is_null() && !x->is_bool()) {
    return BadRequest("xrayEnabled must be a boolean.");
  }
  return Status::Ok();
}

// The stored GraphqlApi object: the settings of `body` over the identity of the API.
Value ApiObject(AppSyncService* s, const std::string& id, const Value& body, const Value& tags) {
  json::Object o;
  o.emplace_back("name", *body.Find("name"));
  o.emplace_back("apiId", Value::String(id));
  o.emplace_back("authenticationType", *body.Find("authenticationType"));
  CopyMembers(body, kSettings, &o);
  o.emplace_back("arn", Value::String(s->ApiArn(id)));
  if (tags.is_object() && !tags.as_object().empty()) o.emplace_back("tags", tags);
  const Value* xray = body.Find("xrayEnabled");
  o.emplace_back("xrayEnabled", Value::Bool(xray && xray->is_bool() && xray->as_bool()));
  const Value* visibility = body.Find("visibility");
  o.emplace_back("visibility",
                 visibility && visibility->is_string() ? *visibility : Value::String("GLOBAL"));
  o.emplace_back("apiType", Value::String("GRAPHQL"));
  o.emplace_back("owner", Value::String(s->account()));
  const Value* introspection = body.Find("introspectionConfig");
  o.emplace_back("introspectionConfig", introspection && introspection->is_string()
                                            ? *introspection
                                            : Value::String("ENABLED"));
  for (const char* limit : {"queryDepthLimit", "resolverCountLimit"}) {
    const Value* v = body.Find(limit);
    o.emplace_back(limit, v && v->is_int() ? *v : Value::Int(0));
  }
  return Value::MakeObject(std::move(o));
}

Status CheckTags(const Value& body) {
  const Value* tags = body.Find("tags");
  if (tags == nullptr || tags->is_null()) return Status::Ok();
  if (!tags->is_object()) return BadRequest("tags must be a map of strings.");
  for (const auto& [k, v] : tags->as_object()) {
    if (!v.is_string()) return BadRequest("The value of tag " + k + " must be a string.");
  }
  return Status::Ok();
}

}  // namespace

Result<json::Value> RequireApi(AppSyncService* s, const Request& r) {
  const std::string& id = r.segments.at(1);
  STATOR_TRY(std::optional<Value> record, s->catalog().ApiRecord(id));
  if (!record) return ApiNotFound(id);
  return *record;
}

Answer CreateGraphqlApi(AppSyncService* s, const Request& r) {
  STATOR_RETURN_IF_ERROR(CheckSettings(r.body));
  STATOR_RETURN_IF_ERROR(CheckTags(r.body));
  const Value* tags = r.body.Find("tags");
  std::string id = NewApiId();
  Value record = ApiObject(s, id, r.body, tags ? *tags : Value::Null());
  STATOR_RETURN_IF_ERROR(s->catalog().CreateApi(id, record));
  return JsonResponse(Value::MakeObject({{"graphqlApi", s->catalog().Present(record)}}));
}

Answer ListGraphqlApis(AppSyncService* s, const Request& r) {
  STATOR_TRY(auto records, s->catalog().ListJson(kApisKind, ""));
  for (auto& [key, v] : records) v = s->catalog().Present(v);
  STATOR_TRY(Value page, Paginate(r, "ListGraphqlApis", "graphqlApis", records));
  return JsonResponse(page);
}

Answer GetGraphqlApi(AppSyncService* s, const Request& r) {
  STATOR_TRY(Value record, RequireApi(s, r));
  return JsonResponse(Value::MakeObject({{"graphqlApi", s->catalog().Present(record)}}));
}

Answer UpdateGraphqlApi(AppSyncService* s, const Request& r) {
  const std::string& id = r.segments[1];
  // The model before 2023 did not require authenticationType on update: keep the API's.
  Value body = r.body;
  Value updated;
  Status st = s->catalog().Change(id, [&]() -> Result<std::vector<RecordWrite>> {
    STATOR_TRY(Value record, RequireApi(s, r));
    Value b = body;
    if (b.Find("authenticationType") == nullptr) {
      b = b.With("authenticationType", *record.Find("authenticationType"));
    }
    STATOR_RETURN_IF_ERROR(CheckSettings(b));
    const Value* tags = record.Find("tags");
    updated = ApiObject(s, id, b, tags ? *tags : Value::Null());
    return std::vector<RecordWrite>{RecordWrite::Put(kApisKind, id, updated.Dump())};
  });
  STATOR_RETURN_IF_ERROR(st);
  return JsonResponse(Value::MakeObject({{"graphqlApi", s->catalog().Present(updated)}}));
}

Answer DeleteGraphqlApi(AppSyncService* s, const Request& r) {
  const std::string& id = r.segments[1];
  Catalog& c = s->catalog();
  Status st = c.Change(id, [&]() -> Result<std::vector<RecordWrite>> {
    std::vector<RecordWrite> writes;
    for (const char* kind : {kKeysKind, kDataSourcesKind, kResolversKind}) {
      STATOR_TRY(std::vector<store::Record> records, c.ListAll(kind, id + "/"));
      for (const store::Record& rec : records) writes.push_back(RecordWrite::Delete(kind, rec.key));
    }
    writes.push_back(RecordWrite::Delete(kSchemasKind, id));
    writes.push_back(RecordWrite::Delete(kApisKind, id));
    writes.push_back(RecordWrite::Delete(kRevisionsKind, id));
    return writes;
  });
  STATOR_RETURN_IF_ERROR(st);
  return JsonResponse(Value::EmptyObject());
}

}  // namespace stator::appsync
