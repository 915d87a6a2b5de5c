#include "cli/deploy_appsync.h"

#include <chrono>
#include <thread>

#include "common/base64.h"
#include "common/percent_encoding.h"

namespace stator::cli {
namespace {

using json::Value;

constexpr const char* kPartTag = "stator:part:";
constexpr const char* kDefaultKeyTag = "stator:default-key";

std::string Member(const Value& v, const char* key) {
  const Value* m = v.Find(key);
  return m && m->is_string() ? m->as_string() : "";
}

std::string ApiPath(const std::string& api_id) { return "/v1/apis/" + PercentEncode(api_id); }

// The request without `apiId` (the path carries it) and other members the operation takes
// elsewhere.
Value Without(const Value& request, std::initializer_list<const char*> keys) {
  json::Object out;
  for (const auto& [k, v] : request.as_object()) {
    bool drop = false;
    for (const char* key : keys) drop = drop || k == key;
    if (!drop) out.emplace_back(k, v);
  }
  return Value::MakeObject(std::move(out));
}

}  // namespace

deploy::PlannedResource AppSyncDeploy::Bind(const deploy::PlannedResource& r) const {
  deploy::PlannedResource out = r;
  if (bound_.empty()) return out;
  out.request = deploy::BindLate(r.request, bound_);
  out.name = deploy::BindLate(r.name, bound_);
  out.arn = deploy::BindLate(r.arn, bound_);
  return out;
}

void AppSyncDeploy::BindAs(const std::string& logical_id, const char* attribute,
                           const std::string& value) {
  bound_[deploy::LateBound(logical_id, attribute)] = value;
}

Result<std::map<std::string, std::string>> AppSyncDeploy::TagsOf(const std::string& arn) {
  STATOR_TRY(Value answer, s_.Rest("GET", "/v1/tags/" + PercentEncode(arn), nullptr));
  std::map<std::string, std::string> out;
  if (const Value* tags = answer.Find("tags"); tags && tags->is_object()) {
    for (const auto& [k, v] : tags->as_object()) {
      if (v.is_string()) out[k] = v.as_string();
    }
  }
  return out;
}

Status AppSyncDeploy::Tag(const std::string& arn, const std::string& key,
                          const std::string& value) {
  Value body = Value::MakeObject({{"tags", Value::MakeObject({{key, Value::String(value)}})}});
  auto r = s_.Rest("POST", "/v1/tags/" + PercentEncode(arn), &body);
  if (!r.ok()) return r.error();
  return Status::Ok();
}

Status AppSyncDeploy::Untag(const std::string& arn, const std::string& key) {
  auto r = s_.Rest("DELETE", "/v1/tags/" + PercentEncode(arn) + "?tagKeys=" + PercentEncode(key),
                   nullptr);
  if (!r.ok()) return r.error();
  return Status::Ok();
}

Result<AppSyncDeploy::DeployedApi*> AppSyncDeploy::ApiOf(const std::string& api_id) {
  if (deploy::HasLateBound(api_id)) {
    return Error{"Template", "ApiId " + api_id + " is not known yet (the API is created later)"};
  }
  if (auto it = apis_.find(api_id); it != apis_.end()) return &it->second;
  // An API of another stack (ApiId given as a parameter): its parts are recorded there too.
  STATOR_TRY(Value answer, s_.Rest("GET", ApiPath(api_id), nullptr));
  const Value* api = answer.Find("graphqlApi");
  DeployedApi& d = apis_[api_id];
  d.arn = api ? Member(*api, "arn") : "";
  return &d;
}

Status AppSyncDeploy::RecordPart(const std::string& api_id, const deploy::PlannedResource& r,
                                 const std::string& value) {
  STATOR_TRY(DeployedApi * api, ApiOf(api_id));
  api->parts[r.logical_id] = value;
  return Tag(api->arn, kPartTag + r.logical_id, value);
}

Status AppSyncDeploy::Apply(const deploy::PlannedResource& r, Row* row) {
  if (r.type == "AWS::AppSync::GraphQLApi") return Api(r, row);
  std::string api_id = Member(r.request, "apiId");
  STATOR_TRY(DeployedApi * api, ApiOf(api_id));
  (void)api;
  if (r.type == "AWS::AppSync::GraphQLSchema") return Schema(r, api_id, row);
  if (r.type == "AWS::AppSync::ApiKey") return ApiKey(r, api_id, row);
  if (r.type == "AWS::AppSync::DataSource") return DataSource(r, api_id, row);
  if (r.type == "AWS::AppSync::Resolver") return Resolver(r, api_id, row);
  return Error{"Internal", "no AppSync deploy for " + r.type};
}

Status AppSyncDeploy::Api(const deploy::PlannedResource& r, Row* row) {
  const Deployed* before = nullptr;
  for (const Deployed& d : existing_) {
    if (d.kind == deploy::Kind::kAppSync && d.logical_id == r.logical_id) before = &d;
  }
  Value api;
  row->status = "CREATED";
  if (before != nullptr) {
    std::string id = before->arn.substr(before->arn.rfind('/') + 1);
    Value body = Without(r.request, {"tags"});
    auto updated = s_.Rest("POST", ApiPath(id), &body);
    if (!updated.ok() && updated.error().error != "NotFoundException") return updated.error();
    if (updated.ok()) {
      api = *updated->Find("graphqlApi");
      Value tags = Value::MakeObject({{"tags", *r.request.Find("tags")}});
      auto t = s_.Rest("POST", "/v1/tags/" + PercentEncode(before->arn), &tags);
      if (!t.ok()) return t.error();
      row->status = "UPDATED";
    }
  }
  if (api.is_null()) {
    STATOR_TRY(Value created, s_.Rest("POST", "/v1/apis", &r.request));
    const Value* a = created.Find("graphqlApi");
    if (a == nullptr) return Error{"BadAnswer", "CreateGraphqlApi answered without graphqlApi"};
    api = *a;
    if (before != nullptr) row->status = "REPLACED";
  }
  const std::string id = Member(api, "apiId");
  const std::string arn = Member(api, "arn");
  const Value* uris = api.Find("uris");
  const Value* dns = api.Find("dns");
  auto in = [](const Value* m, const char* key) { return m ? Member(*m, key) : std::string(); };
  BindAs(r.logical_id, "ApiId", id);
  BindAs(r.logical_id, "Arn", arn);
  BindAs(r.logical_id, "GraphQLEndpointArn", arn);
  BindAs(r.logical_id, "GraphQLUrl", in(uris, "GRAPHQL"));
  BindAs(r.logical_id, "RealtimeUrl", in(uris, "REALTIME"));
  BindAs(r.logical_id, "GraphQLDns", in(dns, "GRAPHQL"));
  BindAs(r.logical_id, "RealtimeDns", in(dns, "REALTIME"));
  apis_[id].arn = arn;
  kept_.insert(arn);
  row->physical = r.name + " (" + id + ")";
  return DefaultKey(r, id, arn, row);
}

Status AppSyncDeploy::DefaultKey(const deploy::PlannedResource& r, const std::string& api_id,
                                 const std::string& arn, Row* row) {
  const std::string token = deploy::LateBound(r.logical_id, "ApiId");
  bool has_key_resource = false;
  for (const deploy::PlannedResource& p : plan_.resources) {
    if (p.type == "AWS::AppSync::ApiKey") {
      std::string target = Member(p.request, "apiId");
      has_key_resource = has_key_resource || target == token || target == api_id;
    }
  }
  bool wants = Member(r.request, "authenticationType") == "API_KEY" && !has_key_resource;
  STATOR_TRY(auto tags, TagsOf(arn));
  auto tagged = tags.find(kDefaultKeyTag);
  std::string key = tagged != tags.end() ? tagged->second : "";
  if (!wants) {
    if (key.empty()) return Status::Ok();
    auto d = s_.Rest("DELETE", ApiPath(api_id) + "/apikeys/" + PercentEncode(key), nullptr);
    if (!d.ok() && d.error().error != "NotFoundException") return d.error();
    return Untag(arn, kDefaultKeyTag);
  }
  if (!key.empty()) {
    STATOR_TRY(Value keys, s_.Rest("GET", ApiPath(api_id) + "/apikeys", nullptr));
    bool found = false;
    if (const Value* list = keys.Find("apiKeys"); list && list->is_array()) {
      for (const Value& k : list->as_array()) found = found || Member(k, "id") == key;
    }
    if (!found) key.clear();
  }
  if (key.empty()) {
    Value body = Value::MakeObject(
        {{"description", Value::String("stator deploy: the API's key (no AWS::AppSync::ApiKey "
                                       "in the template)")}});
    STATOR_TRY(Value created, s_.Rest("POST", ApiPath(api_id) + "/apikeys", &body));
    const Value* k = created.Find("apiKey");
    key = k ? Member(*k, "id") : "";
    STATOR_RETURN_IF_ERROR(Tag(arn, kDefaultKeyTag, key));
  }
  row->note = "API key " + key;
  return Status::Ok();
}

Status AppSyncDeploy::Schema(const deploy::PlannedResource& r, const std::string& api_id,
                             Row* row) {
  Value body = Value::MakeObject(
      {{"definition", Value::String(Base64Encode(Member(r.request, "definition")))}});
  STATOR_TRY(Value started, s_.Rest("POST", ApiPath(api_id) + "/schemacreation", &body));
  std::string status = Member(started, "status");
  std::string details;
  for (int i = 0; i < 3000 && (status.empty() || status == "PROCESSING"); ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    STATOR_TRY(Value polled, s_.Rest("GET", ApiPath(api_id) + "/schemacreation", nullptr));
    status = Member(polled, "status");
    details = Member(polled, "details");
  }
  if (status != "SUCCESS" && status != "ACTIVE") {
    return Error{"SchemaCreationFailed", status + ": " + details};
  }
  STATOR_TRY(DeployedApi * api, ApiOf(api_id));
  BindAs(r.logical_id, "Ref", api->arn + "/schema");
  STATOR_TRY(auto tags, TagsOf(api->arn));
  row->status = tags.count(kPartTag + r.logical_id) ? "UPDATED" : "CREATED";
  row->physical = api_id + " schema";
  row->note = details;
  return RecordPart(api_id, r, "schema");
}

Status AppSyncDeploy::ApiKey(const deploy::PlannedResource& r, const std::string& api_id,
                             Row* row) {
  STATOR_TRY(DeployedApi * api, ApiOf(api_id));
  STATOR_TRY(auto tags, TagsOf(api->arn));
  std::string key;
  if (auto it = tags.find(kPartTag + r.logical_id);
      it != tags.end() && it->second.starts_with("apikey:")) {
    key = it->second.substr(7);
  }
  Value body = Without(r.request, {"apiId"});
  Value answer;
  row->status = "CREATED";
  if (!key.empty()) {
    auto updated = s_.Rest("POST", ApiPath(api_id) + "/apikeys/" + PercentEncode(key), &body);
    if (!updated.ok() && updated.error().error != "NotFoundException") return updated.error();
    if (updated.ok()) {
      answer = *updated;
      row->status = "UPDATED";
    }
  }
  if (answer.is_null()) {
    STATOR_TRY(answer, s_.Rest("POST", ApiPath(api_id) + "/apikeys", &body));
  }
  const Value* k = answer.Find("apiKey");
  key = k ? Member(*k, "id") : "";
  BindAs(r.logical_id, "ApiKey", key);
  BindAs(r.logical_id, "ApiKeyId", key);
  BindAs(r.logical_id, "Arn", api->arn + "/apikey/" + key);
  row->physical = key;
  return RecordPart(api_id, r, "apikey:" + key);
}

Status AppSyncDeploy::DataSource(const deploy::PlannedResource& r, const std::string& api_id,
                                 Row* row) {
  const std::string name = Member(r.request, "name");
  const std::string path = ApiPath(api_id) + "/datasources";
  auto existing = s_.Rest("GET", path + "/" + PercentEncode(name), nullptr);
  if (!existing.ok() && existing.error().error != "NotFoundException") return existing.error();
  Value answer;
  if (existing.ok()) {
    Value body = Without(r.request, {"apiId", "name"});
    STATOR_TRY(answer, s_.Rest("POST", path + "/" + PercentEncode(name), &body));
    row->status = "UPDATED";
  } else {
    Value body = Without(r.request, {"apiId"});
    STATOR_TRY(answer, s_.Rest("POST", path, &body));
    row->status = "CREATED";
  }
  const Value* ds = answer.Find("dataSource");
  BindAs(r.logical_id, "DataSourceArn", ds ? Member(*ds, "dataSourceArn") : "");
  row->physical = name;
  return RecordPart(api_id, r, "datasource:" + name);
}

Status AppSyncDeploy::Resolver(const deploy::PlannedResource& r, const std::string& api_id,
                               Row* row) {
  const std::string type = Member(r.request, "typeName");
  const std::string field = Member(r.request, "fieldName");
  const std::string path = ApiPath(api_id) + "/types/" + PercentEncode(type) + "/resolvers";
  auto existing = s_.Rest("GET", path + "/" + PercentEncode(field), nullptr);
  if (!existing.ok() && existing.error().error != "NotFoundException") return existing.error();
  Value body = Without(r.request, {"apiId", "typeName"});
  Value answer;
  if (existing.ok()) {
    STATOR_TRY(answer, s_.Rest("POST", path + "/" + PercentEncode(field), &body));
    row->status = "UPDATED";
  } else {
    STATOR_TRY(answer, s_.Rest("POST", path, &body));
    row->status = "CREATED";
  }
  const Value* resolver = answer.Find("resolver");
  BindAs(r.logical_id, "ResolverArn", resolver ? Member(*resolver, "resolverArn") : "");
  row->physical = type + "." + field;
  return RecordPart(api_id, r, "resolver:" + type + "." + field);
}

Status AppSyncDeploy::DeleteStaleParts(std::vector<Row>* rows) {
  for (auto& [api_id, api] : apis_) {
    STATOR_TRY(auto tags, TagsOf(api.arn));
    // Resolvers before the data sources they name, then keys.
    for (const char* kind : {"resolver:", "datasource:", "apikey:", "schema"}) {
      for (const auto& [key, value] : tags) {
        if (!key.starts_with(kPartTag) || !value.starts_with(kind)) continue;
        std::string logical = key.substr(std::string_view(kPartTag).size());
        auto now = api.parts.find(logical);
        if (now != api.parts.end() && now->second == value) continue;
        // A part of this API that the template no longer has (or has under another name).
        std::string what = value.substr(value.find(':') + 1);
        std::string type, path;
        if (value.starts_with("resolver:")) {
          size_t dot = what.find('.');
          type = "AWS::AppSync::Resolver";
          path = ApiPath(api_id) + "/types/" + PercentEncode(what.substr(0, dot)) + "/resolvers/" +
                 PercentEncode(what.substr(dot + 1));
        } else if (value.starts_with("datasource:")) {
          type = "AWS::AppSync::DataSource";
          path = ApiPath(api_id) + "/datasources/" + PercentEncode(what);
        } else if (value.starts_with("apikey:")) {
          type = "AWS::AppSync::ApiKey";
          path = ApiPath(api_id) + "/apikeys/" + PercentEncode(what);
        }
        bool replaced = now != api.parts.end();
        // Another logical id may hold the same part now (a rename in the template).
        bool taken = false;
        for (const auto& [l, v] : api.parts) taken = taken || v == value;
        if (!path.empty() && !taken) {
          auto d = s_.Rest("DELETE", path, nullptr);
          if (!d.ok() && d.error().error != "NotFoundException") {
            return Error{d.error().error, "deleting " + what + ": " + ErrorText(d.error())};
          }
        }
        if (!replaced) STATOR_RETURN_IF_ERROR(Untag(api.arn, key));
        if (!path.empty() && !taken) {
          rows->push_back({"DELETED", type, logical, what,
                           replaced ? "replaced under another name" : "no longer in the template"});
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace stator::cli
