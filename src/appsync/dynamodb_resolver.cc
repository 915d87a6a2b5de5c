// AMAZON_DYNAMODB resolvers (resolvers.h): the request mapping template's document (AppSync's
// DynamoDB resolver format: {"operation": "GetItem", "key": {...}, ...}) becomes a call of
// stator's DynamoDB, and its answer becomes $ctx.result as AppSync shapes it — items as plain
// JSON (attribute values unwrapped), a Query or Scan as {items, nextToken, scannedCount}.
// docs/appsync.md, "DynamoDB resolvers".
#include <cstdlib>
#include <string>
#include <utility>

#include "appsync/resolvers.h"
#include "common/base64.h"

namespace stator::appsync {

namespace {

json::Value S(std::string s) { return json::Value::String(std::move(s)); }

// A DynamoDB attribute value ({"S": "x"}, {"N": "1"}, ...) as plain JSON, as AppSync hands items
// to response templates.
json::Value Unwrap(const json::Value& av) {
  if (!av.is_object() || av.as_object().size() != 1) return av;
  const auto& [type, v] = av.as_object().front();
  if (type == "S" || type == "B") return v;
  if (type == "BOOL") return v;
  if (type == "NULL") return json::Value();
  if (type == "N" && v.is_string()) {
    const std::string& n = v.as_string();
    if (n.find_first_of(".eE") == std::string::npos) {
      char* end = nullptr;
      errno = 0;
      long long i = std::strtoll(n.c_str(), &end, 10);
      if (errno == 0 && end && *end == '\0') return json::Value::Int(i);
    }
    return json::Value::Double(std::strtod(n.c_str(), nullptr));
  }
  if (type == "M" && v.is_object()) {
    json::Object out;
    out.reserve(v.as_object().size());
    for (const auto& [k, member] : v.as_object()) out.emplace_back(k, Unwrap(member));
    return json::Value::MakeObject(std::move(out));
  }
  if ((type == "L" || type == "SS" || type == "NS" || type == "BS") && v.is_array()) {
    json::Array out;
    out.reserve(v.as_array().size());
    for (const json::Value& item : v.as_array()) {
      out.push_back(type == "L"    ? Unwrap(item)
                    : type == "NS" ? Unwrap(json::Value::MakeObject({{"N", item}}))
                                   : item);
    }
    return json::Value::MakeArray(std::move(out));
  }
  return av;
}

// An attribute value as DynamoDB takes it: AppSync's $util.dynamodb helpers write numbers as JSON
// numbers ({"N": 12}, {"NS": [1, 2]}) and null as {"NULL": null}, which AppSync's resolvers
// accept; DynamoDB's wire format has numbers as strings and {"NULL": true}. Applied to every
// member of a map of attribute values.
json::Value WireValue(const json::Value& av);

json::Value WireMap(const json::Value& map) {
  if (!map.is_object()) return map;
  json::Object out;
  out.reserve(map.as_object().size());
  for (const auto& [k, v] : map.as_object()) out.emplace_back(k, WireValue(v));
  return json::Value::MakeObject(std::move(out));
}

json::Value WireValue(const json::Value& av) {
  if (!av.is_object() || av.as_object().size() != 1) return av;
  const auto& [type, v] = av.as_object().front();
  if (type == "N" && v.is_number()) return json::Value::MakeObject({{"N", S(v.Dump())}});
  if (type == "NULL" && v.is_null())
    return json::Value::MakeObject({{"NULL", json::Value::Bool(true)}});
  if ((type == "NS" || type == "L") && v.is_array()) {
    json::Array out;
    out.reserve(v.as_array().size());
    for (const json::Value& item : v.as_array()) {
      out.push_back(type == "L" ? WireValue(item) : item.is_number() ? S(item.Dump()) : item);
    }
    return json::Value::MakeObject({{type, json::Value::MakeArray(std::move(out))}});
  }
  if (type == "M") return json::Value::MakeObject({{"M", WireMap(v)}});
  return av;
}

json::Value UnwrapItem(const json::Value* item) {
  if (item == nullptr || !item->is_object()) return json::Value();
  json::Object out;
  out.reserve(item->as_object().size());
  for (const auto& [k, v] : item->as_object()) out.emplace_back(k, Unwrap(v));
  return json::Value::MakeObject(std::move(out));
}

// Copies an AppSync expression object ({expression, expressionNames, expressionValues}) into a
// DynamoDB request under `expression_key`, merging names and values with what is there.
void AddExpression(const json::Value* e, const char* expression_key, json::Object* request) {
  if (e == nullptr || !e->is_object()) return;
  auto merge = [request](const char* key, const json::Value* more) {
    if (more == nullptr || !more->is_object()) return;
    for (auto& [k, v] : *request) {
      if (k == key) {
        for (const auto& [name, value] : more->as_object()) v = v.With(name, value);
        return;
      }
    }
    request->emplace_back(key, *more);
  };
  if (const json::Value* text = e->Find("expression"); text && text->is_string()) {
    request->emplace_back(expression_key, *text);
  }
  merge("ExpressionAttributeNames", e->Find("expressionNames"));
  merge("ExpressionAttributeValues", e->Find("expressionValues"));
}

// The DynamoDB call of an AppSync DynamoDB request document: {operation, request}, or an error
// message.
Result<std::pair<std::string, json::Value>> DynamoDbCall(const json::Value& doc,
                                                         const std::string& table) {
  const json::Value* op = doc.Find("operation");
  if (op == nullptr || !op->is_string()) {
    return Error{"MappingTemplate", "The request mapping template has no \"operation\""};
  }
  const std::string& operation = op->as_string();
  json::Object r;
  r.emplace_back("TableName", S(table));
  auto copy = [&doc, &r](const char* from, const char* to) {
    if (const json::Value* v = doc.Find(from); v && !v->is_null()) r.emplace_back(to, *v);
  };
  if (operation == "GetItem") {
    copy("key", "Key");
    copy("consistentRead", "ConsistentRead");
  } else if (operation == "PutItem") {
    json::Value item = json::Value::EmptyObject();
    for (const char* part : {"key", "attributeValues"}) {
      if (const json::Value* v = doc.Find(part); v && v->is_object()) {
        for (const auto& [k, value] : v->as_object()) item = item.With(k, value);
      }
    }
    r.emplace_back("Item", item);
    AddExpression(doc.Find("condition"), "ConditionExpression", &r);
    r.emplace_back("ReturnValues", S("NONE"));
  } else if (operation == "UpdateItem") {
    copy("key", "Key");
    AddExpression(doc.Find("update"), "UpdateExpression", &r);
    AddExpression(doc.Find("condition"), "ConditionExpression", &r);
    r.emplace_back("ReturnValues", S("ALL_NEW"));
  } else if (operation == "DeleteItem") {
    copy("key", "Key");
    AddExpression(doc.Find("condition"), "ConditionExpression", &r);
    r.emplace_back("ReturnValues", S("ALL_OLD"));
  } else if (operation == "Query" || operation == "Scan") {
    if (operation == "Query") AddExpression(doc.Find("query"), "KeyConditionExpression", &r);
    AddExpression(doc.Find("filter"), "FilterExpression", &r);
    copy("index", "IndexName");
    copy("limit", "Limit");
    copy("consistentRead", "ConsistentRead");
    copy("scanIndexForward", "ScanIndexForward");
    copy("select", "Select");
    copy("segment", "Segment");
    copy("totalSegments", "TotalSegments");
    if (const json::Value* token = doc.Find("nextToken"); token && token->is_string()) {
      auto text = Base64Decode(token->as_string());
      auto key = text.ok() ? json::Parse(*text) : Result<json::Value>(Error{"", ""});
      if (!key.ok() || !key->is_object()) {
        return Error{"DynamoDB:InvalidNextToken", "The nextToken is not one this API gave"};
      }
      r.emplace_back("ExclusiveStartKey", std::move(key).value());
    }
  } else {
    return Error{"MappingTemplate",
                 "stator does not run the DynamoDB resolver operation '" + operation +
                     "' (docs/appsync.md: GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan)"};
  }
  for (auto& [k, v] : r) {
    if (k == "Key" || k == "Item" || k == "ExpressionAttributeValues" || k == "ExclusiveStartKey") {
      v = WireMap(v);
    }
  }
  return std::make_pair(operation, json::Value::MakeObject(std::move(r)));
}

// $ctx.result of a DynamoDB answer to `operation`; for PutItem, the item written.
json::Value ResultOf(const std::string& operation, const json::Value& request,
                     const json::Value& body) {
  if (operation == "GetItem") return UnwrapItem(body.Find("Item"));
  if (operation == "PutItem") return UnwrapItem(request.Find("Item"));
  if (operation == "UpdateItem" || operation == "DeleteItem") {
    return UnwrapItem(body.Find("Attributes"));
  }
  json::Array items;
  if (const json::Value* list = body.Find("Items"); list && list->is_array()) {
    for (const json::Value& item : list->as_array()) items.push_back(UnwrapItem(&item));
  }
  json::Value next;
  if (const json::Value* last = body.Find("LastEvaluatedKey"); last && last->is_object()) {
    next = S(Base64Encode(last->Dump()));
  }
  const json::Value* scanned = body.Find("ScannedCount");
  return json::Value::MakeObject({{"items", json::Value::MakeArray(std::move(items))},
                                  {"nextToken", std::move(next)},
                                  {"scannedCount", scanned ? *scanned : json::Value::Int(0)}});
}

}  // namespace

void RequestResolver::ResolveDynamoDb(const CompiledApi::Field& f, graphql::FieldCall call,
                                      std::function<void(graphql::FieldOutcome)> done) {
  if (deps_->dynamodb == nullptr) {
    return done(FieldError("DynamoDB is not enabled on this server", "DynamoDB:Unavailable"));
  }
  if (!f.request) {
    return done(
        FieldError("A DynamoDB resolver needs a request mapping template", "MappingTemplate"));
  }
  const json::Value* config = f.data_source->raw.Find("dynamodbConfig");
  const json::Value* table = config ? config->Find("tableName") : nullptr;
  if (table == nullptr || !table->is_string()) {
    return done(
        FieldError("The data source '" + f.data_source->name + "' has no dynamodbConfig.tableName",
                   "MappingTemplate"));
  }
  vtl::Context ctx = TemplateContext(call);
  vtl::RenderResult rendered = vtl::Render(*f.request, ctx);
  if (rendered.error_message) {
    return done(FieldError(*rendered.error_message, rendered.error_type.value_or(""),
                           rendered.error_data, rendered.error_info));
  }
  if (rendered.returned) return done(graphql::FieldOutcome::Value(rendered.return_value));
  auto doc = vtl::ParseOutput(rendered.output);
  if (!doc.ok() || !doc->is_object()) {
    return done(FieldError("Unable to parse the JSON document of the request mapping template: " +
                               (doc.ok() ? std::string("not an object") : doc.error().cause),
                           "MappingTemplate"));
  }
  auto dynamo = DynamoDbCall(*doc, table->as_string());
  if (!dynamo.ok()) return done(FieldError(dynamo.error().cause, dynamo.error().error));
  // (Not a structured binding: clang before 16 cannot capture one in the lambda below.)
  std::string operation = std::move(dynamo->first);
  json::Value request = std::move(dynamo->second);
  const CompiledApi::Field* field = &f;  // owned by api_, which this resolver keeps alive
  deps_->dynamodb->CallAsync(
      operation, request,
      [this, field, operation, request, call = std::move(call),
       done = std::move(done)](dynamodb::Service::Response response) {
        if (response.status != 200) {
          json::Value error =
              json::Value::MakeObject({{"message", S(response.error_message)},
                                       {"type", S("DynamoDB:" + response.error_code)}});
          return done(Respond(*field, call, json::Value(), std::move(error)));
        }
        done(Respond(*field, call, ResultOf(operation, request, response.body), json::Value()));
      });
}

}  // namespace stator::appsync
