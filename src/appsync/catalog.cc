#include "appsync/catalog.h"

#include <charconv>
#include <utility>

#include "appsync/paths.h"

namespace stator::appsync {
namespace {

using json::Value;
using store::RecordWrite;

constexpr int kChangeAttempts = 8;

std::string Str(const Value& v, std::string_view key) {
  const Value* m = v.Find(key);
  return m && m->is_string() ? m->as_string() : std::string();
}

std::optional<int64_t> ParseRevision(const std::string& text) {
  int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return n;
}

}  // namespace

Error ApiNotFound(std::string_view api_id) {
  return Error{"NotFoundException", "GraphQL API " + std::string(api_id) + " not found."};
}

void Catalog::SetEndpoint(std::string endpoint) {
  MutexLock lock(&mu_);
  endpoint_ = std::move(endpoint);
}

std::string Catalog::endpoint() const {
  MutexLock lock(&mu_);
  return endpoint_;
}

json::Value Catalog::Present(const json::Value& record) const {
  std::string id = Str(record, "apiId");
  std::string base = endpoint();
  std::string host = base.substr(base.find("://") == std::string::npos ? 0 : base.find("://") + 3);
  std::string ws = base.starts_with("https://") ? "wss://" + host : "ws://" + host;
  std::string path = std::string(kGraphqlPathPrefix) + id;
  Value uris = Value::MakeObject({{"GRAPHQL", Value::String(base + path + kGraphqlPathSuffix)},
                                  {"REALTIME", Value::String(ws + path + kRealtimePathSuffix)}});
  Value dns =
      Value::MakeObject({{"GRAPHQL", Value::String(host)}, {"REALTIME", Value::String(host)}});
  return record.With("uris", uris).With("dns", dns);
}

Result<std::optional<json::Value>> Catalog::GetJson(const char* kind, std::string_view key) {
  STATOR_TRY(std::optional<std::string> text, store_->GetRecord(kind, key));
  if (!text) return std::optional<Value>();
  STATOR_TRY(Value v, json::Parse(*text));
  return std::optional<Value>(std::move(v));
}

Result<std::vector<store::Record>> Catalog::ListAll(const char* kind, std::string_view prefix) {
  std::vector<store::Record> out;
  std::string after;
  while (true) {
    STATOR_TRY(store::Page<store::Record> page, store_->ListRecords(kind, prefix, after, 500));
    for (store::Record& r : page.items) out.push_back(std::move(r));
    if (page.next.empty()) return out;
    after = page.next;
  }
}

Result<std::vector<std::pair<std::string, json::Value>>> Catalog::ListJson(
    const char* kind, std::string_view prefix) {
  STATOR_TRY(std::vector<store::Record> records, ListAll(kind, prefix));
  std::vector<std::pair<std::string, Value>> out;
  out.reserve(records.size());
  for (store::Record& r : records) {
    STATOR_TRY(Value v, json::Parse(r.value));
    out.emplace_back(std::move(r.key), std::move(v));
  }
  return out;
}

Result<std::optional<json::Value>> Catalog::ApiRecord(std::string_view api_id) {
  return GetJson(kApisKind, api_id);
}

Result<std::optional<Api>> Catalog::GetApi(std::string_view api_id) {
  STATOR_TRY(std::optional<Value> record, ApiRecord(api_id));
  if (!record) return std::optional<Api>();
  Api api;
  api.id = Str(*record, "apiId");
  api.name = Str(*record, "name");
  api.arn = Str(*record, "arn");
  api.authentication_type = Str(*record, "authenticationType");
  api.raw = Present(*record);
  return std::optional<Api>(std::move(api));
}

Result<std::vector<ApiKey>> Catalog::ListApiKeys(std::string_view api_id) {
  STATOR_TRY(auto records, ListJson(kKeysKind, std::string(api_id) + "/"));
  std::vector<ApiKey> out;
  for (const auto& [key, v] : records) {
    const Value* expires = v.Find("expires");
    out.push_back({Str(v, "id"), expires && expires->is_int() ? expires->as_int() : 0});
  }
  return out;
}

Result<std::optional<SchemaRecord>> Catalog::GetSchema(std::string_view api_id) {
  STATOR_TRY(std::optional<Value> v, GetJson(kSchemasKind, api_id));
  if (!v) return std::optional<SchemaRecord>();
  return std::optional<SchemaRecord>(
      SchemaRecord{Str(*v, "definition"), Str(*v, "status"), Str(*v, "details")});
}

Result<std::vector<DataSource>> Catalog::ListDataSources(std::string_view api_id) {
  STATOR_TRY(auto records, ListJson(kDataSourcesKind, std::string(api_id) + "/"));
  std::vector<DataSource> out;
  for (auto& [key, v] : records) out.push_back({Str(v, "name"), Str(v, "type"), std::move(v)});
  return out;
}

Result<std::vector<Resolver>> Catalog::ListResolvers(std::string_view api_id) {
  STATOR_TRY(auto records, ListJson(kResolversKind, std::string(api_id) + "/"));
  std::vector<Resolver> out;
  for (auto& [key, v] : records) {
    Resolver r;
    r.type_name = Str(v, "typeName");
    r.field_name = Str(v, "fieldName");
    r.data_source_name = Str(v, "dataSourceName");
    r.kind = Str(v, "kind");
    const Value* req = v.Find("requestMappingTemplate");
    const Value* res = v.Find("responseMappingTemplate");
    r.has_request_template = req && req->is_string();
    r.has_response_template = res && res->is_string();
    if (r.has_request_template) r.request_template = req->as_string();
    if (r.has_response_template) r.response_template = res->as_string();
    r.raw = std::move(v);
    out.push_back(std::move(r));
  }
  return out;
}

Result<int64_t> Catalog::Revision(std::string_view api_id) {
  STATOR_TRY(std::optional<std::string> text, store_->GetRecord(kRevisionsKind, api_id));
  if (!text) return int64_t{0};
  return ParseRevision(*text).value_or(0);
}

Status Catalog::CreateApi(const std::string& api_id, const json::Value& record) {
  Status st = store_->WriteRecords(
      {RecordWrite::Put(kRevisionsKind, api_id, "1", RecordWrite::Condition::kAbsent),
       RecordWrite::Put(kApisKind, api_id, record.Dump(), RecordWrite::Condition::kAbsent)});
  if (st.ok()) local_changes_.fetch_add(1, std::memory_order_acq_rel);
  return st;
}

Status Catalog::Change(std::string_view api_id,
                       const std::function<Result<std::vector<RecordWrite>>()>& compute) {
  const std::string id(api_id);
  for (int attempt = 0; attempt < kChangeAttempts; ++attempt) {
    STATOR_TRY(std::optional<std::string> revision, store_->GetRecord(kRevisionsKind, id));
    if (!revision) return ApiNotFound(id);
    std::optional<int64_t> n = ParseRevision(*revision);
    if (!n) return Error{"InternalFailureException", "the revision of API " + id + " is damaged"};
    STATOR_TRY(std::vector<RecordWrite> writes, compute());
    std::vector<RecordWrite> all;
    all.reserve(writes.size() + 1);
    // First, so that a change that deletes the revision (DeleteGraphqlApi) checks it before.
    all.push_back(RecordWrite::IfEquals(kRevisionsKind, id, std::to_string(*n + 1), *revision));
    for (RecordWrite& w : writes) all.push_back(std::move(w));
    Status st = store_->WriteRecords(all);
    if (st.ok()) {
      local_changes_.fetch_add(1, std::memory_order_acq_rel);
      return st;
    }
    if (st.error().error != store::kConditionFailed) return st;
    if (st.error().cause != std::string(kRevisionsKind) + "/" + id) {
      return Error{"ConcurrentModificationException",
                   "Another modification is in progress at this time and it must complete "
                   "before you can make your change."};
    }
  }
  return Error{"ConcurrentModificationException",
               "Another modification is in progress at this time and it must complete before "
               "you can make your change."};
}

}  // namespace stator::appsync
