// SAM's HTTP front doors: AWS::Serverless::Api / AWS::Serverless::HttpApi resources (and the
// implicit ServerlessRestApi / ServerlessHttpApi), and the `Api` / `HttpApi` events of
// functions and state machines, planned as HTTP APIs of the server's API Gateway (apigatewayv2,
// docs/apigw.md) with one route per event.
#include <algorithm>
#include <cctype>

#include "common/hash.h"
#include "deploy/intrinsics.h"
#include "deploy/late_bound.h"
#include "deploy/planners/planner.h"
#include "deploy/planners/properties.h"

namespace stator::deploy {
namespace {

using json::Value;

Value Str(std::string s) { return Value::String(std::move(s)); }

constexpr const char* kImplicitRestApi = "ServerlessRestApi";
constexpr const char* kImplicitHttpApi = "ServerlessHttpApi";

// The tag that makes the server give an API the id the plan chose (apigw/control_plane.h).
constexpr const char* kApiIdTag = "stator:api-id";

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

std::string EventType(const Value& event) {
  const Value* t = event.Find("Type");
  return t && t->is_string() ? t->as_string() : "";
}

}  // namespace

std::string ApiIdFor(const StackScope& scope, const std::string& logical_id) {
  std::string h =
      hash::HexDigest(hash::Algorithm::kSha256, scope.account + "/" + scope.region + "/" +
                                                    scope.stack_name + "/" + logical_id);
  static constexpr char kLetters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string id;
  for (size_t i = 0; i < 10; ++i) {
    id += kLetters[std::stoi(h.substr(i * 2, 2), nullptr, 16) % 36];
  }
  return id;
}

std::vector<std::pair<std::string, std::string>> ImplicitApis(const std::string& type,
                                                              const Value& properties) {
  std::vector<std::pair<std::string, std::string>> out;
  if (type != "AWS::Serverless::Function" && type != "AWS::Serverless::StateMachine") return out;
  const Value* events = properties.Find("Events");
  if (events == nullptr || !events->is_object()) return out;
  auto add = [&out](const char* id, const char* api_type) {
    for (const auto& [i, t] : out) {
      if (i == id) return;
    }
    out.emplace_back(id, api_type);
  };
  for (const auto& [name, event] : events->as_object()) {
    const Value* props = event.Find("Properties");
    std::string t = EventType(event);
    if (t == "Api" && !(props && props->Find("RestApiId"))) {
      add(kImplicitRestApi, "AWS::Serverless::Api");
    }
    if (t == "HttpApi" && !(props && props->Find("ApiId"))) {
      add(kImplicitHttpApi, "AWS::Serverless::HttpApi");
    }
  }
  return out;
}

Status PlanApi(const StackScope& scope, const ResourceInput& in, PlannedResource* p,
               ResourceAttributes* attributes) {
  const Value& props = in.properties;
  bool http = in.type == "AWS::Serverless::HttpApi";
  p->kind = Kind::kApi;
  std::set<std::string> used = {"Name",      "StageName",      "Tags",
                                "Variables", "StageVariables", "Description"};
  STATOR_TRY(std::string name, StringProperty(props, "Name"));
  if (name.empty()) name = GeneratedName(scope.stack_name, in.logical_id, 128);
  STATOR_TRY(std::string stage, StringProperty(props, "StageName"));
  if (stage.empty()) {
    if (!http && in.logical_id != kImplicitRestApi) {
      return Error{"Template", "needs StageName (the stage of the API's URLs, e.g. Prod)"};
    }
    stage = http ? "$default" : "Prod";
  }
  std::string id = ApiIdFor(scope, in.logical_id);
  p->name = name;
  p->arn = "arn:" + scope.partition + ":apigateway:" + scope.region + "::/apis/" + id;
  p->api_stage = stage;
  STATOR_TRY(TagList tags, Tags(scope, props, in.logical_id));
  json::Object tag_map;
  for (auto& [k, v] : tags) tag_map.emplace_back(k, Str(v));
  tag_map.emplace_back(kApiIdTag, Str(id));
  json::Object api = {{"name", Str(name)},
                      {"protocolType", Str("HTTP")},
                      {"tags", Value::MakeObject(std::move(tag_map))}};
  STATOR_TRY(std::string description, StringProperty(props, "Description"));
  if (!description.empty()) api.emplace_back("description", Str(description));
  json::Object variables;
  const Value* vars = props.Find(http ? "StageVariables" : "Variables");
  if (vars && vars->is_object()) {
    for (const auto& [k, v] : vars->as_object()) {
      STATOR_TRY(std::string text, ScalarText(v, "Variables." + k));
      variables.emplace_back(k, Str(text));
    }
  }
  p->request = Value::MakeObject(
      {{"api", Value::MakeObject(std::move(api))},
       {"stage",
        Value::MakeObject({{"stageName", Str(stage)},
                           {"autoDeploy", Value::Bool(true)},
                           {"stageVariables", Value::MakeObject(std::move(variables))}})}});
  NoteIgnored(props, used, p);
  *attributes = RefAndArn(Str(id), p->arn);
  attributes->atts["RootResourceId"] = Str(id);
  // The API's local invoke URL with its stage (ENDPOINT/apigw/ID[/STAGE]), known once deploy
  // talks to the server (late_bound.h). AWS gives ApiEndpoint on HTTP APIs (without the stage);
  // stator gives it on REST APIs too, where AWS has no URL attribute.
  attributes->atts["ApiEndpoint"] = Str(LateBound(in.logical_id, "ApiEndpoint"));
  return Status::Ok();
}

Status PlanApiEvents(const StackScope& scope, const ResourceInput& in, PlannedResource* p) {
  if (!in.type.starts_with("AWS::Serverless::")) return Status::Ok();
  const Value* events = in.properties.Find("Events");
  if (events == nullptr || events->is_null()) return Status::Ok();
  if (!events->is_object()) return Error{"Template", "Events must be a mapping"};
  for (const auto& [name, event] : events->as_object()) {
    std::string type = EventType(event);
    if (type != "Api" && type != "HttpApi") continue;
    const Value* props = event.Find("Properties");
    if (props != nullptr && !props->is_null() && !props->is_object()) {
      return Error{"Template", "Events." + name + ".Properties must be a mapping"};
    }
    Value none = Value::EmptyObject();
    const Value& ep = props && props->is_object() ? *props : none;
    bool http = type == "HttpApi";
    STATOR_TRY(std::string path, StringProperty(ep, "Path"));
    STATOR_TRY(std::string method, StringProperty(ep, "Method"));
    ApiRoute route;
    route.event = name;
    route.payload_format_version = http ? "2.0" : "1.0";
    if (http) {
      STATOR_TRY(std::string version, StringProperty(ep, "PayloadFormatVersion"));
      if (!version.empty()) {
        if (version != "1.0" && version != "2.0") {
          return Error{"Template", "Events." + name + ": PayloadFormatVersion is 1.0 or 2.0"};
        }
        route.payload_format_version = version;
      }
    }
    if (path.empty() && method.empty() && http) {
      route.route_key = "$default";
    } else {
      if (path.empty() || method.empty()) {
        return Error{"Template", "Events." + name + " (" + type + ") needs Path and Method"};
      }
      if (!path.starts_with("/")) {
        return Error{"Template", "Events." + name + ": Path must start with '/'"};
      }
      method = Upper(method);
      if (method == "X-AMAZON-APIGATEWAY-ANY-METHOD") method = "ANY";
      route.route_key = method + " " + path;
    }
    STATOR_TRY(std::string api, StringProperty(ep, http ? "ApiId" : "RestApiId"));
    route.api_id = api.empty() ? ApiIdFor(scope, http ? kImplicitHttpApi : kImplicitRestApi) : api;
    p->api_routes.push_back(std::move(route));
  }
  return Status::Ok();
}

}  // namespace stator::deploy
