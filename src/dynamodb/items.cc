// Single-item operations: PutItem, GetItem, UpdateItem, DeleteItem.
#include "dynamodb/service_impl.h"

namespace stator::dynamodb {
namespace {

Status RejectLegacy(const json::Value& req) {
  for (const char* legacy : {"Expected", "AttributeUpdates", "ConditionalOperator"}) {
    if (Member(req, legacy)) {
      return Validation(std::string("stator does not support the legacy parameter ") + legacy +
                        "; use the expression parameters instead");
    }
  }
  return Status::Ok();
}

Result<std::string> ReturnValues(const json::Value& req,
                                 std::initializer_list<const char*> allowed) {
  const json::Value* v = Member(req, "ReturnValues");
  if (!v) return std::string("NONE");
  std::string s = v->is_string() ? v->as_string() : "";
  static const char* const kAll[] = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"};
  bool known = false;
  for (const char* k : kAll) known = known || s == k;
  if (!known) {
    return Validation("1 validation error detected: Value '" + s +
                      "' at 'returnValues' failed to satisfy constraint: Member must satisfy enum "
                      "value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]");
  }
  for (const char* a : allowed) {
    if (s == a) return s;
  }
  return Validation("Return values set to invalid value");
}

Result<bool> ReturnOldOnFailure(const json::Value& req) {
  const json::Value* v = Member(req, "ReturnValuesOnConditionCheckFailure");
  if (!v) return false;
  std::string s = v->is_string() ? v->as_string() : "";
  if (s != "ALL_OLD" && s != "NONE") {
    return Validation("1 validation error detected: Value '" + s +
                      "' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: "
                      "Member must satisfy enum value set: [ALL_OLD, NONE]");
  }
  return s == "ALL_OLD";
}

}  // namespace

// A failed condition: ConditionalCheckFailedException, with the item when asked for.
static Error ConditionFailed(json::Object* extras, bool return_old, const Item* old) {
  if (return_old && old) extras->emplace_back("Item", MapToJson(*old));
  return Error{"ConditionalCheckFailedException", "The conditional request failed"};
}

Result<json::Value> Service::Impl::PutItem(const json::Value& req) {
  STATOR_TRY(Table * t, GetTable(req));
  STATOR_RETURN_IF_ERROR(RejectLegacy(req));
  const json::Value* item_json = Member(req, "Item");
  if (!item_json) {
    return Validation(
        "1 validation error detected: Value null at 'item' failed to satisfy constraint: Member "
        "must not be null");
  }
  STATOR_TRY(Item item, MapFromJson(*item_json));
  STATOR_TRY(std::string rv, ReturnValues(req, {"NONE", "ALL_OLD"}));
  STATOR_TRY(bool return_old, ReturnOldOnFailure(req));
  bool has_condition = Member(req, "ConditionExpression") != nullptr;
  STATOR_TRY(ExpressionContext ctx, MakeContext(req, has_condition));
  STATOR_TRY(std::optional<Condition> condition,
             OptionalCondition(req, "ConditionExpression", ExprKind::kCondition, &ctx));
  STATOR_RETURN_IF_ERROR(ctx.CheckAllUsed());
  STATOR_RETURN_IF_ERROR(CheckItem(*t, item));
  Item key = KeyOf(t->meta, item);
  const Item* old = FindItem(*t, key);
  if (condition && !EvaluateCondition(*condition, old ? *old : Item())) {
    return ConditionFailed(&extras, return_old, old);
  }
  json::Object out;
  if (rv == "ALL_OLD" && old) out.emplace_back("Attributes", MapToJson(*old));
  Write w;
  w.table = t;
  w.hash = KeyValue(item, t->meta.hash.name);
  w.range = t->meta.has_range ? KeyValue(item, t->meta.range.name) : AttrValue::Null();
  w.item = std::move(item);
  STATOR_RETURN_IF_ERROR(Commit({std::move(w)}));
  return json::Value::MakeObject(std::move(out));
}

Result<json::Value> Service::Impl::GetItem(const json::Value& req) {
  STATOR_TRY(Table * t, GetTable(req));
  STATOR_TRY(Item key, ParseKey(*t, Member(req, "Key")));
  if (Member(req, "ProjectionExpression") && Member(req, "AttributesToGet")) {
    return Validation(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributesToGet} Expression parameters: "
        "{ProjectionExpression}");
  }
  STATOR_TRY(ExpressionContext ctx,
             MakeContext(req, Member(req, "ProjectionExpression") != nullptr));
  STATOR_TRY(std::optional<std::vector<Path>> projection, OptionalProjection(req, &ctx));
  STATOR_RETURN_IF_ERROR(ctx.CheckAllUsed());
  const Item* item = FindItem(*t, key);
  json::Object out;
  if (item) {
    out.emplace_back("Item", MapToJson(projection ? Project(*item, *projection) : *item));
  }
  return json::Value::MakeObject(std::move(out));
}

Result<json::Value> Service::Impl::UpdateItem(const json::Value& req) {
  STATOR_TRY(Table * t, GetTable(req));
  STATOR_RETURN_IF_ERROR(RejectLegacy(req));
  STATOR_TRY(Item key, ParseKey(*t, Member(req, "Key")));
  STATOR_TRY(std::string rv,
             ReturnValues(req, {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"}));
  STATOR_TRY(bool return_old, ReturnOldOnFailure(req));
  const json::Value* update_text = Member(req, "UpdateExpression");
  bool any = update_text || Member(req, "ConditionExpression");
  STATOR_TRY(ExpressionContext ctx, MakeContext(req, any));
  std::optional<UpdateExpression> update;
  if (update_text) {
    if (!update_text->is_string())
      return Error{"SerializationException", "Unexpected value type for UpdateExpression"};
    STATOR_TRY(update, ParseUpdate(update_text->as_string(), &ctx));
  }
  STATOR_TRY(std::optional<Condition> condition,
             OptionalCondition(req, "ConditionExpression", ExprKind::kCondition, &ctx));
  STATOR_RETURN_IF_ERROR(ctx.CheckAllUsed());
  if (update) {
    for (const UpdateAction& a : update->actions) {
      const std::string& top = a.path[0].name;
      if (top == t->meta.hash.name || (t->meta.has_range && top == t->meta.range.name)) {
        return Validation("One or more parameter values were invalid: Cannot update attribute " +
                          top + ". This attribute is part of the key");
      }
    }
  }
  const Item* old = FindItem(*t, key);
  if (condition && !EvaluateCondition(*condition, old ? *old : Item())) {
    return ConditionFailed(&extras, return_old, old);
  }
  Item updated = old ? *old : key;
  if (update) STATOR_RETURN_IF_ERROR(ApplyUpdate(*update, &updated));
  if (ItemSize(updated) > kMaxItemSize) {
    return Validation("Item size to update has exceeded the maximum allowed size");
  }
  STATOR_RETURN_IF_ERROR(CheckItem(*t, updated));
  json::Object out;
  std::vector<Path> paths;
  if (update) {
    for (const UpdateAction& a : update->actions) paths.push_back(a.path);
  }
  if (rv == "ALL_OLD" && old) {
    out.emplace_back("Attributes", MapToJson(*old));
  } else if (rv == "ALL_NEW") {
    out.emplace_back("Attributes", MapToJson(updated));
  } else if (rv == "UPDATED_OLD" && old) {
    Item p = Project(*old, paths);
    if (!p.empty()) out.emplace_back("Attributes", MapToJson(p));
  } else if (rv == "UPDATED_NEW") {
    Item p = Project(updated, paths);
    if (!p.empty()) out.emplace_back("Attributes", MapToJson(p));
  }
  Write w;
  w.table = t;
  w.hash = KeyValue(key, t->meta.hash.name);
  w.range = t->meta.has_range ? KeyValue(key, t->meta.range.name) : AttrValue::Null();
  w.item = std::move(updated);
  STATOR_RETURN_IF_ERROR(Commit({std::move(w)}));
  return json::Value::MakeObject(std::move(out));
}

Result<json::Value> Service::Impl::DeleteItem(const json::Value& req) {
  STATOR_TRY(Table * t, GetTable(req));
  STATOR_RETURN_IF_ERROR(RejectLegacy(req));
  STATOR_TRY(Item key, ParseKey(*t, Member(req, "Key")));
  STATOR_TRY(std::string rv, ReturnValues(req, {"NONE", "ALL_OLD"}));
  STATOR_TRY(bool return_old, ReturnOldOnFailure(req));
  STATOR_TRY(ExpressionContext ctx,
             MakeContext(req, Member(req, "ConditionExpression") != nullptr));
  STATOR_TRY(std::optional<Condition> condition,
             OptionalCondition(req, "ConditionExpression", ExprKind::kCondition, &ctx));
  STATOR_RETURN_IF_ERROR(ctx.CheckAllUsed());
  const Item* old = FindItem(*t, key);
  if (condition && !EvaluateCondition(*condition, old ? *old : Item())) {
    return ConditionFailed(&extras, return_old, old);
  }
  json::Object out;
  if (!old) return json::Value::MakeObject(std::move(out));
  if (rv == "ALL_OLD") out.emplace_back("Attributes", MapToJson(*old));
  Write w;
  w.table = t;
  w.hash = KeyValue(key, t->meta.hash.name);
  w.range = t->meta.has_range ? KeyValue(key, t->meta.range.name) : AttrValue::Null();
  STATOR_RETURN_IF_ERROR(Commit({std::move(w)}));
  return json::Value::MakeObject(std::move(out));
}

}  // namespace stator::dynamodb
