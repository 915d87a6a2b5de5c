#include "cli/deploy_stack.h"

#include <optional>
#include <utility>

#include "cli/http_client.h"
#include "common/json.h"
#include "common/percent_encoding.h"

namespace stator::cli {
namespace {

using json::Value;

std::optional<std::string> TagValue(const std::vector<std::pair<std::string, std::string>>& tags,
                                    const std::string& key) {
  for (const auto& [k, v] : tags) {
    if (k == key) return v;
  }
  return std::nullopt;
}

// Members of a server answer, tolerant of a malformed one (empty instead of a crash).
const json::Array& Items(const Value& v, const char* key) {
  static const json::Array kEmpty;
  const Value* m = v.Find(key);
  return m && m->is_array() ? m->as_array() : kEmpty;
}
std::string Member(const Value& v, const char* key) {
  const Value* m = v.Find(key);
  return m && m->is_string() ? m->as_string() : "";
}
// The "tags" object of a listed resource ({"key": "value"}, as AppSync and apigatewayv2 list
// them) as pairs.
std::vector<std::pair<std::string, std::string>> TagsMember(const Value& v) {
  std::vector<std::pair<std::string, std::string>> out;
  if (const Value* t = v.Find("tags"); t && t->is_object()) {
    for (const auto& [k, tag] : t->as_object()) {
      if (tag.is_string()) out.emplace_back(k, tag.as_string());
    }
  }
  return out;
}

}  // namespace

Result<std::vector<Deployed>> FindStack(DeployServer& s, const std::string& stack,
                                        const ArnScope& scope) {
  std::vector<Deployed> out;
  auto keep = [&](deploy::Kind kind, const std::string& name, const std::string& arn,
                  const std::vector<std::pair<std::string, std::string>>& tags) {
    if (TagValue(tags, deploy::kStackTag) != stack) return;
    out.push_back({kind, TagValue(tags, deploy::kLogicalIdTag).value_or(""), name, arn});
  };
  // State machines.
  std::string token;
  do {
    Value req = Value::MakeObject({{"maxResults", Value::Int(1000)}});
    if (!token.empty()) req = req.With("nextToken", Value::String(token));
    STATOR_TRY(Value page, s.Json("AWSStepFunctions.ListStateMachines", req));
    for (const Value& m : Items(page, "stateMachines")) {
      std::string arn = Member(m, "stateMachineArn");
      auto tags = s.Json("AWSStepFunctions.ListTagsForResource",
                         Value::MakeObject({{"resourceArn", Value::String(arn)}}));
      if (!tags.ok()) continue;  // deleted meanwhile
      std::vector<std::pair<std::string, std::string>> list;
      for (const Value& t : Items(*tags, "tags")) {
        list.emplace_back(Member(t, "key"), Member(t, "value"));
      }
      keep(deploy::Kind::kStateMachine, Member(m, "name"), arn, list);
    }
    const Value* next = page.Find("nextToken");
    token = next && next->is_string() ? next->as_string() : "";
  } while (!token.empty());
  // Functions.
  std::string marker;
  for (;;) {
    std::string path = "/2015-03-31/functions/?MaxItems=50";
    if (!marker.empty()) path += "&Marker=" + PercentEncode(marker);
    STATOR_TRY(Value page, s.Rest("GET", path, nullptr));
    for (const Value& f : Items(page, "Functions")) {
      std::string arn = Member(f, "FunctionArn");
      auto tags = s.Rest("GET", "/2017-03-31/tags/" + PercentEncode(arn), nullptr);
      if (!tags.ok()) continue;
      std::vector<std::pair<std::string, std::string>> list;
      if (const Value* t = tags->Find("Tags"); t && t->is_object()) {
        for (const auto& [k, v] : t->as_object()) {
          if (v.is_string()) list.emplace_back(k, v.as_string());
        }
      }
      keep(deploy::Kind::kFunction, Member(f, "FunctionName"), arn, list);
    }
    const Value* next = page.Find("NextMarker");
    if (!next || !next->is_string() || next->as_string().empty()) break;
    marker = next->as_string();
  }
  // Tables.
  std::string start;
  for (;;) {
    Value req = Value::EmptyObject();
    if (!start.empty()) req = req.With("ExclusiveStartTableName", Value::String(start));
    STATOR_TRY(Value page, s.Json("DynamoDB_20120810.ListTables", req));
    for (const Value& n : Items(page, "TableNames")) {
      if (!n.is_string()) continue;
      std::string arn = scope.Of("dynamodb", "table/" + n.as_string());
      auto tags = s.Json("DynamoDB_20120810.ListTagsOfResource",
                         Value::MakeObject({{"ResourceArn", Value::String(arn)}}));
      if (!tags.ok()) {
        if (tags.error().error == "ResourceNotFoundException") continue;
        return Error{tags.error().error,
                     "listing the tags of table " + n.as_string() + ": " + tags.error().cause};
      }
      std::vector<std::pair<std::string, std::string>> list;
      for (const Value& e : Items(*tags, "Tags")) {
        list.emplace_back(Member(e, "Key"), Member(e, "Value"));
      }
      keep(deploy::Kind::kTable, n.as_string(), arn, list);
    }
    const Value* next = page.Find("LastEvaluatedTableName");
    if (!next || !next->is_string()) break;
    start = next->as_string();
  }
  // AppSync GraphQL APIs (their tags come with them).
  std::string next_token;
  do {
    std::string path = "/v1/apis?maxResults=25";
    if (!next_token.empty()) path += "&nextToken=" + PercentEncode(next_token);
    STATOR_TRY(Value page, s.Rest("GET", path, nullptr));
    for (const Value& a : Items(page, "graphqlApis")) {
      keep(deploy::Kind::kAppSync, Member(a, "name"), Member(a, "arn"), TagsMember(a));
    }
    next_token = Member(page, "nextToken");
  } while (!next_token.empty());
  // HTTP APIs of the API Gateway (their tags come with the listing).
  {
    STATOR_TRY(Value page, s.Rest("GET", "/v2/apis", nullptr));
    for (const Value& a : Items(page, "items")) {
      std::string arn = "arn:" + scope.partition + ":apigateway:" + scope.region + "::/apis/" +
                        Member(a, "apiId");
      keep(deploy::Kind::kApi, Member(a, "name"), arn, TagsMember(a));
    }
  }
  // Schedules (a function's or state machine's Schedule / ScheduleV2 events), in the default
  // group; their tags are stator's (docs/schedules.md).
  next_token.clear();
  for (;;) {
    std::string path = "/schedules?MaxResults=100";
    if (!next_token.empty()) path += "&NextToken=" + PercentEncode(next_token);
    STATOR_TRY(Value page, s.Rest("GET", path, nullptr));
    for (const Value& sc : Items(page, "Schedules")) {
      std::string arn = Member(sc, "Arn");
      auto tags = s.Rest("GET", "/tags/" + PercentEncode(arn), nullptr);
      if (!tags.ok()) continue;  // deleted meanwhile
      std::vector<std::pair<std::string, std::string>> list;
      for (const Value& t : Items(*tags, "Tags")) {
        list.emplace_back(Member(t, "Key"), Member(t, "Value"));
      }
      keep(deploy::Kind::kSchedule, Member(sc, "Name"), arn, list);
    }
    next_token = Member(page, "NextToken");
    if (next_token.empty()) break;
  }
  return out;
}

Status DeleteResource(DeployServer& s, const Deployed& d) {
  switch (d.kind) {
    case deploy::Kind::kStateMachine: {
      auto r = s.Json("AWSStepFunctions.DeleteStateMachine",
                      Value::MakeObject({{"stateMachineArn", Value::String(d.arn)}}));
      if (!r.ok()) return r.error();
      return Status::Ok();
    }
    case deploy::Kind::kFunction: {
      auto r = s.Rest("DELETE", "/2015-03-31/functions/" + PercentEncode(d.name), nullptr);
      if (!r.ok() && r.error().error != "ResourceNotFoundException") return r.error();
      return Status::Ok();
    }
    case deploy::Kind::kTable: {
      auto r = s.Json("DynamoDB_20120810.DeleteTable",
                      Value::MakeObject({{"TableName", Value::String(d.name)}}));
      if (!r.ok() && r.error().error != "ResourceNotFoundException") return r.error();
      return Status::Ok();
    }
    case deploy::Kind::kAppSync: {  // the API, with everything under it
      std::string id = d.arn.substr(d.arn.rfind('/') + 1);
      auto r = s.Rest("DELETE", "/v1/apis/" + PercentEncode(id), nullptr);
      if (!r.ok() && r.error().error != "NotFoundException") return r.error();
      return Status::Ok();
    }
    case deploy::Kind::kApi: {
      std::string id = d.arn.substr(d.arn.rfind('/') + 1);
      auto r = s.Rest("DELETE", "/v2/apis/" + PercentEncode(id), nullptr);
      if (!r.ok() && r.error().error != "NotFoundException") return r.error();
      return Status::Ok();
    }
    case deploy::Kind::kSchedule: {
      auto r = s.Rest("DELETE", "/schedules/" + PercentEncode(d.name), nullptr);
      if (!r.ok() && r.error().error != "ResourceNotFoundException") return r.error();
      return Status::Ok();
    }
    case deploy::Kind::kSkipped:
      break;
  }
  return Status::Ok();
}

const char* KindType(deploy::Kind k) {
  switch (k) {
    case deploy::Kind::kFunction:
      return "function";
    case deploy::Kind::kStateMachine:
      return "state machine";
    case deploy::Kind::kTable:
      return "table";
    case deploy::Kind::kAppSync:
      return "graphql api";
    case deploy::Kind::kApi:
      return "api";
    case deploy::Kind::kSchedule:
      return "schedule";
    case deploy::Kind::kSkipped:
      break;
  }
  return "resource";
}

int DeleteRank(deploy::Kind k) {
  // What calls the rest goes first: schedules, HTTP API routes and GraphQL resolvers call the
  // functions, state machines and tables.
  switch (k) {
    case deploy::Kind::kSchedule:
    case deploy::Kind::kApi:
    case deploy::Kind::kAppSync:
      return 0;
    case deploy::Kind::kStateMachine:
      return 1;
    case deploy::Kind::kFunction:
      return 2;
    default:
      return 3;
  }
}

}  // namespace stator::cli
