// TagResource, UntagResource, ListTagsOfResource: tags on tables, kept in the table's
// definition (TableMeta::tags, a list of {Key, Value}) and persisted with it.
#include <algorithm>

#include "dynamodb/service_impl.h"

namespace stator::dynamodb {
namespace {

json::Value Str(std::string s) { return json::Value::String(std::move(s)); }

constexpr size_t kMaxTags = 50;

}  // namespace

Result<Table*> Service::Impl::TableByArn(const json::Value& req) {
  STATOR_TRY(std::string arn, RequiredString(req, "ResourceArn", "resourceArn"));
  const std::string prefix =
      "arn:aws:dynamodb:" + options.region + ":" + options.account + ":table/";
  if (!arn.starts_with("arn:aws:dynamodb:") || arn.find(":table/") == std::string::npos) {
    return Validation("Invalid TableArn: Invalid ResourceArn provided as input " + arn);
  }
  auto it = arn.starts_with(prefix) ? tables.find(arn.substr(prefix.size())) : tables.end();
  if (it == tables.end()) {
    // DynamoDB's own wording, typo included.
    return NotFound("Requested resource not found: ResourcArn: " + arn + " not found");
  }
  return &it->second;
}

Status Service::Impl::SetTableTags(Table* t, json::Array tags) {
  Table updated;
  updated.meta = t->meta;
  updated.meta.tags = json::Value::MakeArray(std::move(tags));
  STATOR_RETURN_IF_ERROR(CommitTable(updated, false));
  t->meta.tags = updated.meta.tags;
  return Status::Ok();
}

Result<json::Value> Service::Impl::TagResource(const json::Value& req) {
  STATOR_TRY(Table * t, TableByArn(req));
  const json::Value* tags = Member(req, "Tags");
  if (!tags || !tags->is_array()) {
    return Validation(
        "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member "
        "must not be null");
  }
  json::Array list = t->meta.tags.is_array() ? t->meta.tags.as_array() : json::Array{};
  for (const json::Value& tag : tags->as_array()) {
    const json::Value* k = tag.Find("Key");
    const json::Value* v = tag.Find("Value");
    if (!k || !k->is_string() || !v || !v->is_string()) {
      return Validation("One or more parameter values were invalid: a tag needs a Key and a Value");
    }
    json::Value entry = json::Value::MakeObject({{"Key", *k}, {"Value", *v}});
    auto same = std::find_if(list.begin(), list.end(), [&](const json::Value& e) {
      const json::Value* ek = e.Find("Key");
      return ek && ek->is_string() && ek->as_string() == k->as_string();
    });
    if (same != list.end()) {
      *same = entry;  // a repeated key overwrites
    } else {
      list.push_back(entry);
    }
  }
  if (list.size() > kMaxTags) {
    return Validation(
        "One or more parameter values were invalid: The number of tags exceeds the "
        "limit of " +
        std::to_string(kMaxTags));
  }
  STATOR_RETURN_IF_ERROR(SetTableTags(t, std::move(list)));
  return json::Value::EmptyObject();
}

Result<json::Value> Service::Impl::UntagResource(const json::Value& req) {
  STATOR_TRY(Table * t, TableByArn(req));
  const json::Value* keys = Member(req, "TagKeys");
  if (!keys || !keys->is_array()) {
    return Validation(
        "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: "
        "Member must not be null");
  }
  json::Array list;
  if (t->meta.tags.is_array()) {
    for (const json::Value& e : t->meta.tags.as_array()) {
      const json::Value* ek = e.Find("Key");
      bool removed =
          ek && ek->is_string() &&
          std::any_of(keys->as_array().begin(), keys->as_array().end(), [&](const json::Value& k) {
            return k.is_string() && k.as_string() == ek->as_string();
          });
      if (!removed) list.push_back(e);
    }
  }
  STATOR_RETURN_IF_ERROR(SetTableTags(t, std::move(list)));
  return json::Value::EmptyObject();
}

Result<json::Value> Service::Impl::ListTagsOfResource(const json::Value& req) {
  STATOR_TRY(Table * t, TableByArn(req));
  json::Array list;
  if (t->meta.tags.is_array()) {
    for (const json::Value& e : t->meta.tags.as_array()) {
      const json::Value* k = e.Find("Key");
      const json::Value* v = e.Find("Value");
      if (k && v && k->is_string() && v->is_string()) {
        list.push_back(json::Value::MakeObject(
            {{"Key", Str(k->as_string())}, {"Value", Str(v->as_string())}}));
      }
    }
  }
  return json::Value::MakeObject({{"Tags", json::Value::MakeArray(std::move(list))}});
}

}  // namespace stator::dynamodb
