#include "apigw/api_records.h"

#include "common/random.h"

namespace stator::apigw {
namespace {

using json::Value;
using store::RecordWrite;

Value Items(const std::vector<Value>& items) { return Value::MakeArray(items); }

Result<std::vector<Value>> ReadItems(const Value& doc, const char* key) {
  const Value* items = doc.Find(key);
  if (items == nullptr) return std::vector<Value>{};
  if (!items->is_array()) return Error{"ApiGateway", std::string("record: ") + key + " not a list"};
  return items->as_array();
}

}  // namespace

const std::string& ApiDocument::id() const {
  static const std::string kNone;
  const Value* id = api.Find("apiId");
  return id && id->is_string() ? id->as_string() : kNone;
}

const Value* ApiDocument::FindBy(const std::vector<Value>& items, const char* key,
                                 const std::string& value) {
  for (const Value& item : items) {
    const Value* v = item.Find(key);
    if (v && v->is_string() && v->as_string() == value) return &item;
  }
  return nullptr;
}

Value ApiDocument::ToJson() const {
  return Value::MakeObject({{"api", api},
                            {"integrations", Items(integrations)},
                            {"routes", Items(routes)},
                            {"stages", Items(stages)}});
}

Result<ApiDocument> ApiDocument::FromJson(const Value& v) {
  ApiDocument doc;
  const Value* api = v.Find("api");
  if (api == nullptr || !api->is_object()) return Error{"ApiGateway", "record: no api"};
  doc.api = *api;
  STATOR_TRY(doc.integrations, ReadItems(v, "integrations"));
  STATOR_TRY(doc.routes, ReadItems(v, "routes"));
  STATOR_TRY(doc.stages, ReadItems(v, "stages"));
  return doc;
}

std::string NewId(size_t length) {
  static constexpr char kLetters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string bytes = RandomBytes(length);
  std::string out;
  for (unsigned char b : bytes) out += kLetters[b % 36];
  return out;
}

Result<std::optional<ApiDocument>> ApiRecords::Get(const std::string& api_id) {
  STATOR_TRY(std::optional<std::string> text, store_->GetRecord(kApiRecordKind, api_id));
  if (!text) return std::optional<ApiDocument>{};
  STATOR_TRY(Value v, json::Parse(*text));
  STATOR_TRY(ApiDocument doc, ApiDocument::FromJson(v));
  return std::optional<ApiDocument>(std::move(doc));
}

Result<std::vector<ApiDocument>> ApiRecords::List() {
  std::vector<ApiDocument> out;
  std::string after;
  while (true) {
    STATOR_TRY(store::Page<store::Record> page,
               store_->ListRecords(kApiRecordKind, "", after, 500));
    for (const store::Record& r : page.items) {
      STATOR_TRY(Value v, json::Parse(r.value));
      STATOR_TRY(ApiDocument doc, ApiDocument::FromJson(v));
      out.push_back(std::move(doc));
    }
    if (page.next.empty()) return out;
    after = page.next;
  }
}

Status ApiRecords::Create(const ApiDocument& doc) {
  return store_->WriteRecords({RecordWrite::Put(kApiRecordKind, doc.id(), doc.ToJson().Dump(),
                                                RecordWrite::Condition::kAbsent)});
}

Result<std::optional<ApiDocument>> ApiRecords::Update(
    const std::string& api_id, const std::function<Status(ApiDocument*)>& change) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    STATOR_TRY(std::optional<std::string> text, store_->GetRecord(kApiRecordKind, api_id));
    if (!text) return std::optional<ApiDocument>{};
    STATOR_TRY(Value v, json::Parse(*text));
    STATOR_TRY(ApiDocument doc, ApiDocument::FromJson(v));
    STATOR_RETURN_IF_ERROR(change(&doc));
    Status written = store_->WriteRecords(
        {RecordWrite::IfEquals(kApiRecordKind, api_id, doc.ToJson().Dump(), *text)});
    if (written.ok()) return std::optional<ApiDocument>(std::move(doc));
    if (written.error().error != store::kConditionFailed) return written.error();
  }
  return Error{"ApiGateway", "too many concurrent changes to API " + api_id};
}

Result<bool> ApiRecords::Delete(const std::string& api_id) {
  Status s = store_->WriteRecords(
      {RecordWrite::Delete(kApiRecordKind, api_id, RecordWrite::Condition::kPresent)});
  if (s.ok()) return true;
  if (s.error().error == store::kConditionFailed) return false;
  return s.error();
}

}  // namespace stator::apigw
