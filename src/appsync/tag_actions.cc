// TagResource, UntagResource, ListTagsForResource: tags of a GraphQL API (the only AppSync
// resource that carries tags), kept in the API's record. AppSync's limit of 50 tags is not
// enforced: stator deploy records an API's parts in its tags (docs/appsync.md, "Deploy").
#include <algorithm>

#include "appsync/actions.h"

namespace stator::appsync {
namespace {

using json::Value;
using store::RecordWrite;

// The API id of an API ARN (the path's segments after "tags", joined again when the client did
// not encode the ARN's slash).
Result<std::string> ApiIdOf(AppSyncService* s, const Request& r) {
  std::string arn;
  for (size_t i = 1; i < r.segments.size(); ++i) arn += (i > 1 ? "/" : "") + r.segments[i];
  const std::string prefix = s->ApiArn("");
  if (!arn.starts_with(prefix) || arn.size() == prefix.size() ||
      arn.find('/', prefix.size()) != std::string::npos) {
    return BadRequest("Invalid resourceArn: " + arn + " (tags are supported on GraphQL APIs).");
  }
  return arn.substr(prefix.size());
}

// Changes the API's tags with fn.
Status ChangeTags(AppSyncService* s, const std::string& id,
                  const std::function<Result<json::Object>(json::Object)>& fn) {
  return s->catalog().Change(id, [&]() -> Result<std::vector<RecordWrite>> {
    STATOR_TRY(std::optional<Value> record, s->catalog().ApiRecord(id));
    if (!record) return ApiNotFound(id);
    const Value* tags = record->Find("tags");
    STATOR_TRY(json::Object updated,
               fn(tags && tags->is_object() ? tags->as_object() : json::Object()));
    json::Object o;
    bool placed = false;
    for (const auto& [k, v] : record->as_object()) {
      if (k == "tags") continue;
      if (k == "xrayEnabled" && !updated.empty()) {
        o.emplace_back("tags", Value::MakeObject(updated));
        placed = true;
      }
      o.emplace_back(k, v);
    }
    if (!placed && !updated.empty()) o.emplace_back("tags", Value::MakeObject(updated));
    return std::vector<RecordWrite>{
        RecordWrite::Put(kApisKind, id, Value::MakeObject(std::move(o)).Dump())};
  });
}

}  // namespace

Answer TagResource(AppSyncService* s, const Request& r) {
  STATOR_TRY(std::string id, ApiIdOf(s, r));
  const Value* tags = r.body.Find("tags");
  if (tags == nullptr || !tags->is_object()) return BadRequest("tags must be specified.");
  for (const auto& [k, v] : tags->as_object()) {
    if (!v.is_string()) return BadRequest("The value of tag " + k + " must be a string.");
  }
  STATOR_RETURN_IF_ERROR(ChangeTags(s, id, [&](json::Object current) -> Result<json::Object> {
    for (const auto& [k, v] : tags->as_object()) {
      bool replaced = false;
      for (auto& [ck, cv] : current) {
        if (ck == k) cv = v, replaced = true;
      }
      if (!replaced) current.emplace_back(k, v);
    }
    return current;
  }));
  return JsonResponse(Value::EmptyObject());
}

Answer UntagResource(AppSyncService* s, const Request& r) {
  STATOR_TRY(std::string id, ApiIdOf(s, r));
  std::vector<std::string> keys = r.QueryAll("tagKeys");
  if (keys.empty()) return BadRequest("tagKeys must be specified.");
  STATOR_RETURN_IF_ERROR(ChangeTags(s, id, [&](json::Object current) -> Result<json::Object> {
    json::Object kept;
    for (auto& [k, v] : current) {
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) kept.emplace_back(k, v);
    }
    return kept;
  }));
  return JsonResponse(Value::EmptyObject());
}

Answer ListTagsForResource(AppSyncService* s, const Request& r) {
  STATOR_TRY(std::string id, ApiIdOf(s, r));
  STATOR_TRY(std::optional<Value> record, s->catalog().ApiRecord(id));
  if (!record) return ApiNotFound(id);
  const Value* tags = record->Find("tags");
  return JsonResponse(
      Value::MakeObject({{"tags", tags && tags->is_object() ? *tags : Value::EmptyObject()}}));
}

}  // namespace stator::appsync
