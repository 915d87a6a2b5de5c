// The planner of AWS::Serverless::SimpleTable and AWS::DynamoDB::Table: a DynamoDB CreateTable
// request named TableName or STACK-LogicalId.
#include "deploy/intrinsics.h"
#include "deploy/planners/planner.h"
#include "deploy/planners/properties.h"

namespace stator::deploy {
namespace {

using json::Value;

Value Str(std::string s) { return Value::String(std::move(s)); }

Result<Value> Throughput(const Value& v, const std::string& what) {
  if (!v.is_object()) return Error{"Template", what + " must be a mapping"};
  json::Object out;
  for (const char* k : {"ReadCapacityUnits", "WriteCapacityUnits"}) {
    const Value* n = v.Find(k);
    if (!n) return Error{"Template", what + " needs " + k};
    STATOR_TRY(int64_t i, IntProperty(*n, what + "." + k));
    out.emplace_back(k, Value::Int(i));
  }
  return Value::MakeObject(std::move(out));
}

// AWS::Serverless::SimpleTable: a hash key from PrimaryKey (default id, String, as SAM),
// PAY_PER_REQUEST unless ProvisionedThroughput.
Status SimpleTableRequest(const Value& props, std::set<std::string>* used, json::Object* req) {
  used->insert("PrimaryKey");
  std::string key = "id", key_type = "String";
  if (const Value* pk = props.Find("PrimaryKey")) {
    if (!pk->is_object()) return Error{"Template", "PrimaryKey must be {Name, Type}"};
    STATOR_TRY(key, StringProperty(*pk, "Name"));
    STATOR_TRY(key_type, StringProperty(*pk, "Type"));
    if (key.empty() || key_type.empty()) {
      return Error{"Template", "PrimaryKey needs Name and Type"};
    }
  }
  std::string attr_type = key_type == "String"   ? "S"
                          : key_type == "Number" ? "N"
                          : key_type == "Binary" ? "B"
                                                 : "";
  if (attr_type.empty()) {
    return Error{"Template", "PrimaryKey Type must be String, Number or Binary, got " + key_type};
  }
  req->emplace_back("KeySchema", Value::MakeArray({Value::MakeObject(
                                     {{"AttributeName", Str(key)}, {"KeyType", Str("HASH")}})}));
  req->emplace_back("AttributeDefinitions",
                    Value::MakeArray({Value::MakeObject(
                        {{"AttributeName", Str(key)}, {"AttributeType", Str(attr_type)}})}));
  if (const Value* throughput = props.Find("ProvisionedThroughput")) {
    STATOR_TRY(Value t, Throughput(*throughput, "ProvisionedThroughput"));
    req->emplace_back("BillingMode", Str("PROVISIONED"));
    req->emplace_back("ProvisionedThroughput", t);
  } else {
    req->emplace_back("BillingMode", Str("PAY_PER_REQUEST"));
  }
  return Status::Ok();
}

// AWS::DynamoDB::Table: the key schema, billing mode (CloudFormation's default PROVISIONED),
// indexes, stream and deletion protection as given.
Status TableRequest(const Value& props, std::set<std::string>* used, json::Object* req) {
  for (const char* k :
       {"KeySchema", "AttributeDefinitions", "BillingMode", "GlobalSecondaryIndexes",
        "LocalSecondaryIndexes", "StreamSpecification", "DeletionProtectionEnabled"}) {
    used->insert(k);
  }
  const Value* ks = props.Find("KeySchema");
  const Value* ad = props.Find("AttributeDefinitions");
  if (!ks || !ks->is_array() || !ad || !ad->is_array()) {
    return Error{"Template", "needs KeySchema and AttributeDefinitions (lists)"};
  }
  req->emplace_back("KeySchema", *ks);
  req->emplace_back("AttributeDefinitions", *ad);
  STATOR_TRY(std::string billing, StringProperty(props, "BillingMode"));
  if (billing.empty()) billing = "PROVISIONED";  // CloudFormation's default
  req->emplace_back("BillingMode", Str(billing));
  if (const Value* throughput = props.Find("ProvisionedThroughput")) {
    STATOR_TRY(Value t, Throughput(*throughput, "ProvisionedThroughput"));
    req->emplace_back("ProvisionedThroughput", t);
  } else if (billing == "PROVISIONED") {
    return Error{"Template",
                 "ProvisionedThroughput is required unless BillingMode is PAY_PER_REQUEST"};
  }
  for (const char* k : {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"}) {
    const Value* list = props.Find(k);
    if (!list) continue;
    if (!list->is_array()) return Error{"Template", std::string(k) + " must be a list"};
    json::Array indexes;
    for (const Value& i : list->as_array()) {
      Value index = i;
      if (const Value* t = i.Find("ProvisionedThroughput")) {
        STATOR_TRY(Value tp, Throughput(*t, std::string(k) + " ProvisionedThroughput"));
        index = index.With("ProvisionedThroughput", tp);
      }
      indexes.push_back(index);
    }
    req->emplace_back(k, Value::MakeArray(std::move(indexes)));
  }
  if (const Value* s = props.Find("StreamSpecification")) {
    Value spec = *s;
    if (!spec.Find("StreamEnabled")) spec = spec.With("StreamEnabled", Value::Bool(true));
    req->emplace_back("StreamSpecification", spec);
  }
  if (const Value* d = props.Find("DeletionProtectionEnabled"); d && d->is_bool()) {
    req->emplace_back("DeletionProtectionEnabled", *d);
  }
  return Status::Ok();
}

}  // namespace

Status PlanTable(const StackScope& scope, const ResourceInput& in, PlannedResource* p,
                 ResourceAttributes* attributes) {
  const Value& props = in.properties;
  p->kind = Kind::kTable;
  std::set<std::string> used = {"TableName", "Tags", "ProvisionedThroughput"};
  STATOR_TRY(std::string name, StringProperty(props, "TableName"));
  if (name.empty()) name = GeneratedName(scope.stack_name, in.logical_id, 255);
  p->name = name;
  p->arn = scope.Arn("dynamodb", "table/" + name);
  json::Object req = {{"TableName", Str(name)}};
  if (in.type == "AWS::Serverless::SimpleTable") {
    STATOR_RETURN_IF_ERROR(SimpleTableRequest(props, &used, &req));
  } else {
    STATOR_RETURN_IF_ERROR(TableRequest(props, &used, &req));
  }
  STATOR_TRY(TagList tags, Tags(scope, props, in.logical_id));
  json::Array tag_list;
  for (auto& [k, v] : tags) {
    tag_list.push_back(Value::MakeObject({{"Key", Str(k)}, {"Value", Str(v)}}));
  }
  req.emplace_back("Tags", Value::MakeArray(std::move(tag_list)));
  p->request = Value::MakeObject(std::move(req));
  NoteIgnored(props, used, p);
  *attributes = RefAndArn(Str(name), p->arn);
  if (props.Find("StreamSpecification")) {
    attributes->atts["StreamArn"] = Str(p->arn + "/stream/1970-01-01T00:00:00.000");
  }
  return Status::Ok();
}

}  // namespace stator::deploy
