// CreateApiKey, ListApiKeys, UpdateApiKey, DeleteApiKey.
//
// Expiry as AppSync keeps it: epoch seconds rounded down to the hour; 7 days from now when not
// given; between 1 and 365 days from now (from the creation or the update), else
// ApiKeyValidityOutOfBoundsException. `deletes` is 60 days after `expires` (when AppSync drops an
// expired key). At most 50 keys per API (ApiKeyLimitExceededException).
#include "appsync/actions.h"

namespace stator::appsync {
namespace {

using json::Value;
using store::RecordWrite;

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kDefaultValidity = 7 * kDay;
constexpr int64_t kDeleteAfter = 60 * kDay;
constexpr size_t kMaxKeys = 50;

// The key's expiry from the request: `expires` (validated) or the default.
Result<int64_t> Expiry(AppSyncService* s, const Value& body, std::optional<int64_t> current) {
  int64_t now = s->NowSeconds();
  const Value* e = body.Find("expires");
  int64_t expires;
  if (e == nullptr || e->is_null()) {
    if (current) return *current;
    expires = now + kDefaultValidity;
  } else {
    if (!e->is_number()) return BadRequest("expires must be a number of seconds since the epoch.");
    expires = e->is_int() ? e->as_int() : static_cast<int64_t>(e->as_double());
    if (expires < now + kDay) {
      return Error{"ApiKeyValidityOutOfBoundsException",
                   "API key must be valid for a minimum of 1 days."};
    }
    if (expires > now + 365 * kDay) {
      return Error{"ApiKeyValidityOutOfBoundsException",
                   "API key must be valid for a maximum of 365 days."};
    }
  }
  return expires - expires % kHour;
}

Value KeyObject(const std::string& id, const std::string& description, int64_t expires) {
  json::Object o;
  o.emplace_back("id", Value::String(id));
  if (!description.empty()) o.emplace_back("description", Value::String(description));
  o.emplace_back("expires", Value::Int(expires));
  o.emplace_back("deletes", Value::Int(expires + kDeleteAfter));
  return Value::MakeObject(std::move(o));
}

Error KeyNotFound(const std::string& id) { return NotFound("API key not found: " + id); }

}  // namespace

Answer CreateApiKey(AppSyncService* s, const Request& r) {
  const std::string& api = r.segments[1];
  STATOR_TRY(std::string description, StringMember(r.body, "description", false));
  Value key;
  Status st = s->catalog().Change(api, [&]() -> Result<std::vector<RecordWrite>> {
    STATOR_TRY(std::vector<store::Record> keys, s->catalog().ListAll(kKeysKind, api + "/"));
    if (keys.size() >= kMaxKeys) {
      return Error{"ApiKeyLimitExceededException",
                   "The API key exceeded a limit. Try your request again."};
    }
    STATOR_TRY(int64_t expires, Expiry(s, r.body, std::nullopt));
    std::string id = NewApiKey();
    key = KeyObject(id, description, expires);
    return std::vector<RecordWrite>{
        RecordWrite::Put(kKeysKind, api + "/" + id, key.Dump(), RecordWrite::Condition::kAbsent)};
  });
  STATOR_RETURN_IF_ERROR(st);
  return JsonResponse(Value::MakeObject({{"apiKey", key}}));
}

Answer ListApiKeys(AppSyncService* s, const Request& r) {
  STATOR_TRY(Value api, RequireApi(s, r));
  STATOR_TRY(auto keys, s->catalog().ListJson(kKeysKind, r.segments[1] + "/"));
  STATOR_TRY(Value page, Paginate(r, "ListApiKeys", "apiKeys", keys));
  return JsonResponse(page);
}

Answer UpdateApiKey(AppSyncService* s, const Request& r) {
  const std::string& api = r.segments[1];
  const std::string& id = r.segments[3];
  Value key;
  Status st = s->catalog().Change(api, [&]() -> Result<std::vector<RecordWrite>> {
    STATOR_TRY(std::optional<Value> old, s->catalog().GetJson(kKeysKind, api + "/" + id));
    if (!old) return KeyNotFound(id);
    const Value* d = r.body.Find("description");
    std::string description;
    if (d != nullptr && !d->is_null()) {
      STATOR_TRY(description, StringMember(r.body, "description", false));
    } else if (const Value* od = old->Find("description"); od && od->is_string()) {
      description = od->as_string();
    }
    const Value* oe = old->Find("expires");
    STATOR_TRY(int64_t expires,
               Expiry(s, r.body, oe && oe->is_int() ? std::optional(oe->as_int()) : std::nullopt));
    key = KeyObject(id, description, expires);
    return std::vector<RecordWrite>{RecordWrite::Put(kKeysKind, api + "/" + id, key.Dump())};
  });
  STATOR_RETURN_IF_ERROR(st);
  return JsonResponse(Value::MakeObject({{"apiKey", key}}));
}

Answer DeleteApiKey(AppSyncService* s, const Request& r) {
  const std::string& api = r.segments[1];
  const std::string& id = r.segments[3];
  Status st = s->catalog().Change(api, [&]() -> Result<std::vector<RecordWrite>> {
    STATOR_TRY(std::optional<std::string> old,
               s->catalog().store()->GetRecord(kKeysKind, api + "/" + id));
    if (!old) return KeyNotFound(id);
    return std::vector<RecordWrite>{RecordWrite::Delete(kKeysKind, api + "/" + id)};
  });
  STATOR_RETURN_IF_ERROR(st);
  return JsonResponse(Value::EmptyObject());
}

}  // namespace stator::appsync
