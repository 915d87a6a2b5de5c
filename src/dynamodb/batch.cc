// Multi-item operations: BatchGetItem, BatchWriteItem, TransactWriteItems, TransactGetItems.
#include <set>

#include "dynamodb/service_impl.h"

namespace stator::dynamodb {
namespace {

std::string ItemIdentity(const Table& t, const Item& key) {
  std::string id = t.meta.name + "\n" + EncodeKey(KeyValue(key, t.meta.hash.name));
  if (t.meta.has_range) id += "\n" + EncodeKey(KeyValue(key, t.meta.range.name));
  return id;
}

Write MakeWrite(Table* t, const Item& key, std::optional<Item> item) {
  Write w;
  w.table = t;
  w.hash = KeyValue(key, t->meta.hash.name);
  w.range = t->meta.has_range ? KeyValue(key, t->meta.range.name) : AttrValue::Null();
  w.item = std::move(item);
  return w;
}

// The RequestItems map of a batch request.
Result<const json::Value*> RequestItems(const json::Value& req) {
  const json::Value* request_items = Member(req, "RequestItems");
  if (!request_items || !request_items->is_object()) {
    return Validation(
        "1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: "
        "Member must not be null");
  }
  return request_items;
}

// The TransactItems list of a transaction request: present, and of 100 entries at most.
Result<const json::Value*> TransactItems(const json::Value& req) {
  const json::Value* items = Member(req, "TransactItems");
  if (!items || !items->is_array()) {
    return Validation(
        "1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: "
        "Member must not be null");
  }
  if (items->as_array().size() > 100) {
    return Validation(
        "1 validation error detected at 'transactItems' failed to satisfy constraint: Member must "
        "have length less than or equal to 100.");
  }
  return items;
}

}  // namespace

Result<json::Value> Service::Impl::BatchGetItem(const json::Value& req) {
  STATOR_TRY(const json::Value* request_items, RequestItems(req));
  size_t total = 0;
  for (const auto& [name, r] : request_items->as_object()) {
    const json::Value* keys = r.Find("Keys");
    if (keys && keys->is_array()) total += keys->as_array().size();
  }
  if (total > 100) return Validation("Too many items requested for the BatchGetItem call");
  json::Object responses;
  for (const auto& [name, r] : request_items->as_object()) {
    auto it = tables.find(name);
    if (it == tables.end()) return NotFound();
    Table& t = it->second;
    bool has_projection = Member(r, "ProjectionExpression") != nullptr;
    STATOR_TRY(ExpressionContext ctx, MakeContext(r, has_projection));
    STATOR_TRY(std::optional<std::vector<Path>> projection, OptionalProjection(r, &ctx));
    STATOR_RETURN_IF_ERROR(ctx.CheckAllUsed());
    const json::Value* keys = r.Find("Keys");
    if (!keys || !keys->is_array() || keys->as_array().empty()) {
      return Validation("1 validation error detected: Value null at 'requestItems." + name +
                        ".member.keys' failed to satisfy constraint: Member must not be null");
    }
    std::set<std::string> seen;
    json::Array found;
    for (const json::Value& k : keys->as_array()) {
      STATOR_TRY(Item key, ParseKey(t, &k));
      if (!seen.insert(ItemIdentity(t, key)).second) {
        return Validation("Provided list of item keys contains duplicates");
      }
      if (const Item* item = FindItem(t, key)) {
        found.push_back(MapToJson(projection ? Project(*item, *projection) : *item));
      }
    }
    responses.emplace_back(name, json::Value::MakeArray(std::move(found)));
  }
  return json::Value::MakeObject({{"Responses", json::Value::MakeObject(std::move(responses))},
                                  {"UnprocessedKeys", json::Value::EmptyObject()}});
}

Result<json::Value> Service::Impl::BatchWriteItem(const json::Value& req) {
  STATOR_TRY(const json::Value* request_items, RequestItems(req));
  size_t total = 0;
  for (const auto& [name, list] : request_items->as_object()) {
    if (list.is_array()) total += list.as_array().size();
  }
  if (total > 25) {
    return Validation(
        "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map "
        "value must satisfy constraint: [Member must have length less than or equal to 25, "
        "Member must have length greater than or equal to 1]");
  }
  std::vector<Write> writes;
  std::set<std::string> seen;
  for (const auto& [name, list] : request_items->as_object()) {
    auto it = tables.find(name);
    if (it == tables.end()) return NotFound();
    Table& t = it->second;
    if (!list.is_array())
      return Error{"SerializationException", "Unexpected value type in RequestItems"};
    for (const json::Value& r : list.as_array()) {
      const json::Value* put = Member(r, "PutRequest");
      const json::Value* del = Member(r, "DeleteRequest");
      if ((put != nullptr) == (del != nullptr)) {
        return Validation(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
            "the supported datatypes");
      }
      Item key;
      std::optional<Item> item;
      if (put) {
        const json::Value* item_json = Member(*put, "Item");
        if (!item_json)
          return Validation(
              "1 validation error detected: Value null at 'requestItems." + name +
              ".member.putRequest.item' failed to satisfy constraint: Member must not be null");
        STATOR_TRY(Item parsed, MapFromJson(*item_json));
        STATOR_RETURN_IF_ERROR(CheckItem(t, parsed));
        key = KeyOf(t.meta, parsed);
        item = std::move(parsed);
      } else {
        STATOR_TRY(key, ParseKey(t, Member(*del, "Key")));
      }
      if (!seen.insert(ItemIdentity(t, key)).second) {
        return Validation("Provided list of item keys contains duplicates");
      }
      writes.push_back(MakeWrite(&t, key, std::move(item)));
    }
  }
  STATOR_RETURN_IF_ERROR(Commit(std::move(writes)));
  return json::Value::MakeObject({{"UnprocessedItems", json::Value::EmptyObject()}});
}

Result<json::Value> Service::Impl::TransactWriteItems(const json::Value& req) {
  STATOR_TRY(const json::Value* items, TransactItems(req));
  if (items->as_array().empty()) {
    return Validation(
        "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1");
  }
  // First validate every action, as DynamoDB does before evaluating any condition.
  struct Action {
    std::string kind;  // ConditionCheck, Put, Update, Delete
    Table* table = nullptr;
    Item key;
    std::optional<Item> put_item;
    std::optional<UpdateExpression> update;
    std::optional<Condition> condition;
    bool return_old = false;
  };
  std::vector<Action> actions;
  std::set<std::string> seen;
  for (const json::Value& entry : items->as_array()) {
    Action a;
    const json::Value* body = nullptr;
    int kinds = 0;
    for (const char* k : {"ConditionCheck", "Put", "Update", "Delete"}) {
      if (const json::Value* b = Member(entry, k)) {
        ++kinds;
        a.kind = k;
        body = b;
      }
    }
    if (kinds != 1) {
      return Validation("TransactItems can only contain one of Check, Put, Update or Delete");
    }
    STATOR_TRY(a.table, GetTable(*body));
    const Table& t = *a.table;
    if (const json::Value* f = Member(*body, "ReturnValuesOnConditionCheckFailure");
        f && f->is_string()) {
      a.return_old = f->as_string() == "ALL_OLD";
    }
    const json::Value* update_text = Member(*body, "UpdateExpression");
    bool any = Member(*body, "ConditionExpression") || update_text;
    STATOR_TRY(ExpressionContext ctx, MakeContext(*body, any));
    if (a.kind == "Put") {
      const json::Value* item_json = Member(*body, "Item");
      if (!item_json)
        return Validation(
            "1 validation error detected: Value null at 'transactItems.1.member.put.item' failed "
            "to satisfy constraint: Member must not be null");
      STATOR_TRY(Item item, MapFromJson(*item_json));
      STATOR_RETURN_IF_ERROR(CheckItem(t, item));
      a.key = KeyOf(t.meta, item);
      a.put_item = std::move(item);
    } else {
      STATOR_TRY(a.key, ParseKey(t, Member(*body, "Key")));
    }
    if (a.kind == "Update") {
      if (!update_text || !update_text->is_string()) {
        return Validation(
            "1 validation error detected: Value null at "
            "'transactItems.1.member.update.updateExpression' failed to satisfy constraint: Member "
            "must not be null");
      }
      STATOR_TRY(a.update, ParseUpdate(update_text->as_string(), &ctx));
      for (const UpdateAction& u : a.update->actions) {
        const std::string& top = u.path[0].name;
        if (top == t.meta.hash.name || (t.meta.has_range && top == t.meta.range.name)) {
          return Validation("One or more parameter values were invalid: Cannot update attribute " +
                            top + ". This attribute is part of the key");
        }
      }
    }
    if (a.kind == "ConditionCheck" && !Member(*body, "ConditionExpression")) {
      return Validation(
          "1 validation error detected: Value null at "
          "'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy "
          "constraint: Member must not be null");
    }
    STATOR_TRY(a.condition,
               OptionalCondition(*body, "ConditionExpression", ExprKind::kCondition, &ctx));
    STATOR_RETURN_IF_ERROR(ctx.CheckAllUsed());
    if (!seen.insert(ItemIdentity(t, a.key)).second) {
      return Validation("Transaction request cannot include multiple operations on one item");
    }
    actions.push_back(std::move(a));
  }
  // Then evaluate: every condition against the current items; any failure cancels all.
  json::Array reasons;
  std::vector<std::string> codes;
  std::vector<Write> writes;
  bool cancelled = false;
  for (Action& a : actions) {
    const Item* old = FindItem(*a.table, a.key);
    json::Object reason;
    if (a.condition && !EvaluateCondition(*a.condition, old ? *old : Item())) {
      cancelled = true;
      codes.push_back("ConditionalCheckFailed");
      reason.emplace_back("Code", json::Value::String("ConditionalCheckFailed"));
      reason.emplace_back("Message", json::Value::String("The conditional request failed"));
      if (a.return_old && old) reason.emplace_back("Item", MapToJson(*old));
      reasons.push_back(json::Value::MakeObject(std::move(reason)));
      continue;
    }
    std::optional<Error> failure;
    if (a.kind == "Put") {
      writes.push_back(MakeWrite(a.table, a.key, std::move(a.put_item)));
    } else if (a.kind == "Delete") {
      if (old) writes.push_back(MakeWrite(a.table, a.key, std::nullopt));
    } else if (a.kind == "Update") {
      Item updated = old ? *old : a.key;
      Status s = ApplyUpdate(*a.update, &updated);
      if (s.ok() && ItemSize(updated) > kMaxItemSize) {
        s = Validation("Item size to update has exceeded the maximum allowed size");
      }
      if (!s.ok()) {
        failure = s.error();
      } else {
        writes.push_back(MakeWrite(a.table, a.key, std::move(updated)));
      }
    }
    if (failure) {
      cancelled = true;
      codes.push_back("ValidationError");
      reason.emplace_back("Code", json::Value::String("ValidationError"));
      reason.emplace_back("Message", json::Value::String(failure->cause));
    } else {
      codes.push_back("None");
      reason.emplace_back("Code", json::Value::String("None"));
    }
    reasons.push_back(json::Value::MakeObject(std::move(reason)));
  }
  if (cancelled) {
    std::string list;
    for (const std::string& c : codes) list += (list.empty() ? "" : ", ") + c;
    extras.emplace_back("CancellationReasons", json::Value::MakeArray(std::move(reasons)));
    return Error{"TransactionCanceledException",
                 "Transaction cancelled, please refer cancellation reasons for specific reasons [" +
                     list + "]"};
  }
  STATOR_RETURN_IF_ERROR(Commit(std::move(writes)));
  return json::Value::EmptyObject();
}

Result<json::Value> Service::Impl::TransactGetItems(const json::Value& req) {
  STATOR_TRY(const json::Value* items, TransactItems(req));
  json::Array responses;
  for (const json::Value& entry : items->as_array()) {
    const json::Value* get = Member(entry, "Get");
    if (!get)
      return Validation(
          "1 validation error detected: Value null at 'transactItems.1.member.get' failed to "
          "satisfy constraint: Member must not be null");
    STATOR_TRY(Table * t, GetTable(*get));
    STATOR_TRY(Item key, ParseKey(*t, Member(*get, "Key")));
    STATOR_TRY(ExpressionContext ctx,
               MakeContext(*get, Member(*get, "ProjectionExpression") != nullptr));
    STATOR_TRY(std::optional<std::vector<Path>> projection, OptionalProjection(*get, &ctx));
    STATOR_RETURN_IF_ERROR(ctx.CheckAllUsed());
    const Item* item = FindItem(*t, key);
    if (item) {
      responses.push_back(json::Value::MakeObject(
          {{"Item", MapToJson(projection ? Project(*item, *projection) : *item)}}));
    } else {
      responses.push_back(json::Value::EmptyObject());
    }
  }
  return json::Value::MakeObject({{"Responses", json::Value::MakeArray(std::move(responses))}});
}

}  // namespace stator::dynamodb
