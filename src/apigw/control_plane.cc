#include "apigw/control_plane.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>

#include "apigw/integration_uri.h"
#include "apigw/route_match.h"
#include "common/percent_encoding.h"
#include "common/time_format.h"

namespace stator::apigw {
namespace {

using api::HttpRequest;
using api::HttpResponse;
using json::Value;

Value Str(std::string s) { return Value::String(std::move(s)); }

Error BadRequest(std::string message) { return Error{"BadRequestException", std::move(message)}; }
Error NotFound(std::string message) { return Error{"NotFoundException", std::move(message)}; }
Error Conflict(std::string message) { return Error{"ConflictException", std::move(message)}; }

HttpResponse ErrorAnswer(const Error& e) {
  int status = e.error == "BadRequestException" ? 400
               : e.error == "NotFoundException" ? 404
               : e.error == "ConflictException" ? 409
                                                : 500;
  std::string type = status == 500 ? "InternalServerErrorException" : e.error;
  HttpResponse out;
  out.status = status;
  out.content_type = "application/json";
  out.headers.emplace_back("x-amzn-ErrorType", type);
  out.body = Value::MakeObject({{"message", Str(e.cause)}}).Dump();
  return out;
}

HttpResponse JsonAnswer(int status, const Value& body) {
  HttpResponse out;
  out.status = status;
  out.content_type = "application/json";
  out.body = body.Dump();
  return out;
}

HttpResponse NoContent() {
  HttpResponse out;
  out.status = 204;
  out.content_type = "application/json";
  return out;
}

// An optional string member; an error when present and not a string.
Result<std::string> OptString(const Value& body, const char* key) {
  const Value* v = body.Find(key);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string())
    return BadRequest(std::string("Invalid input: ") + key + " must be a string");
  return v->as_string();
}

bool ValidApiId(const std::string& id) {
  return id.size() == 10 && std::all_of(id.begin(), id.end(), [](char c) {
           return std::islower(static_cast<unsigned char>(c)) ||
                  std::isdigit(static_cast<unsigned char>(c));
         });
}

bool ValidStageName(const std::string& name) {
  if (name == "$default") return true;
  return !name.empty() && name.size() <= 128 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

Error NoApi(const std::string& id) { return NotFound("Invalid API identifier specified " + id); }

}  // namespace

class ControlPlane::Call {
 public:
  Call(ControlPlane* cp, const HttpRequest& r) : cp_(cp), r_(r) {}

  Result<HttpResponse> Run() {
    std::string path = r_.target.substr(0, r_.target.find('?'));
    std::vector<std::string> seg;
    size_t start = 1;
    while (start <= path.size()) {
      size_t slash = path.find('/', start);
      std::string s =
          path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      seg.push_back(PercentDecode(s, false));
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    while (!seg.empty() && seg.back().empty()) seg.pop_back();
    if (seg.size() < 2 || seg[0] != "v2" || seg[1] != "apis") return Unknown();
    const std::string& m = r_.method;
    if (m == "POST" || m == "PUT" || m == "PATCH") STATOR_RETURN_IF_ERROR(ParseBody());
    if (seg.size() == 2) {
      if (m == "POST") return CreateApi();
      if (m == "GET") return GetApis();
      return Unknown();
    }
    const std::string& id = seg[2];
    if (seg.size() == 3) {
      if (m == "GET") return GetApi(id);
      if (m == "DELETE") return DeleteApi(id);
      return Unknown();
    }
    const std::string& collection = seg[3];
    static const std::map<std::string, std::pair<const char*, const char*>> kCollections = {
        {"integrations", {"integrations", "integrationId"}},
        {"routes", {"routes", "routeId"}},
        {"stages", {"stages", "stageName"}}};
    auto c = kCollections.find(collection);
    if (c == kCollections.end()) return Unknown();
    if (seg.size() == 4) {
      if (m == "POST") {
        if (collection == "integrations") return CreateIntegration(id);
        if (collection == "routes") return CreateRoute(id);
        return CreateStage(id);
      }
      if (m == "GET") return List(id, collection);
      return Unknown();
    }
    if (seg.size() == 5) {
      if (m == "GET") return GetOne(id, collection, seg[4]);
      if (m == "DELETE") return DeleteOne(id, collection, seg[4]);
    }
    return Unknown();
  }

 private:
  Error Unknown() const {
    return NotFound("Unknown operation " + r_.method + " " +
                    r_.target.substr(0, r_.target.find('?')));
  }

  Status ParseBody() {
    if (r_.body.empty()) return Status::Ok();
    auto v = json::Parse(r_.body);
    if (!v.ok() || !v->is_object()) return BadRequest("Invalid request body: not a JSON object");
    body_ = *v;
    return Status::Ok();
  }

  std::string Now() const { return FormatTimestamp(cp_->clock_->NowMillis()); }

  Value PublicApi(const ApiDocument& doc) const {
    return doc.api.With("apiEndpoint", Str(cp_->endpoint_ + "/apigw/" + doc.id()));
  }

  Result<ApiDocument> Load(const std::string& id) {
    STATOR_TRY(std::optional<ApiDocument> doc, cp_->records_->Get(id));
    if (!doc) return NoApi(id);
    return std::move(*doc);
  }

  // Applies f to the API's record (ApiRecords::Update); NotFound when there is no such API.
  Status Update(const std::string& id, const std::function<Status(ApiDocument*)>& f) {
    STATOR_TRY(std::optional<ApiDocument> doc, cp_->records_->Update(id, f));
    if (!doc) return NoApi(id);
    return Status::Ok();
  }

  // --- APIs -------------------------------------------------------------------------------

  Result<HttpResponse> CreateApi() {
    STATOR_TRY(std::string name, OptString(body_, "name"));
    if (name.empty()) return BadRequest("Invalid input: name is required");
    if (name.size() > 128) return BadRequest("Invalid input: name is longer than 128 characters");
    STATOR_TRY(std::string protocol, OptString(body_, "protocolType"));
    if (protocol.empty()) return BadRequest("Invalid input: protocolType is required");
    if (protocol != "HTTP") {
      return BadRequest("Unsupported protocolType " + protocol + ": stator runs HTTP APIs");
    }
    STATOR_TRY(std::string target, OptString(body_, "target"));
    STATOR_TRY(std::string route_key, OptString(body_, "routeKey"));
    if (!route_key.empty() && target.empty()) {
      return BadRequest("RouteKey can only be specified with Target (quick create)");
    }
    if (!target.empty() && !FunctionArnOfUri(target)) {
      return BadRequest("Invalid Target " + target + ": stator's quick create takes a Lambda ARN");
    }
    if (route_key.empty()) route_key = "$default";
    if (!target.empty()) {
      auto key = ParseRouteKey(route_key);
      if (!key.ok()) return BadRequest(key.error().cause);
    }
    Value tags = Value::EmptyObject();
    if (const Value* t = body_.Find("tags"); t && !t->is_null()) {
      if (!t->is_object()) return BadRequest("Invalid input: tags must be a map");
      tags = *t;
    }
    std::string id = NewId(10);
    if (const Value* wanted = tags.Find(kApiIdTag)) {
      if (!wanted->is_string() || !ValidApiId(wanted->as_string())) {
        return BadRequest(std::string("Invalid tag ") + kApiIdTag +
                          ": an API id is 10 characters of [a-z0-9]");
      }
      id = wanted->as_string();
    }
    ApiDocument doc;
    json::Object api = {{"apiId", Str(id)},
                        {"apiKeySelectionExpression", Str("$request.header.x-api-key")},
                        {"createdDate", Str(Now())},
                        {"disableExecuteApiEndpoint", Value::Bool(false)},
                        {"name", Str(name)},
                        {"protocolType", Str(protocol)},
                        {"routeSelectionExpression", Str("${request.method} ${request.path}")},
                        {"tags", tags}};
    STATOR_TRY(std::string description, OptString(body_, "description"));
    if (!description.empty()) api.emplace_back("description", Str(description));
    STATOR_TRY(std::string version, OptString(body_, "version"));
    if (!version.empty()) api.emplace_back("version", Str(version));
    doc.api = Value::MakeObject(std::move(api));
    if (!target.empty()) {
      std::string integration_id = NewId(7);
      doc.integrations.push_back(Value::MakeObject({{"apiGatewayManaged", Value::Bool(true)},
                                                    {"connectionType", Str("INTERNET")},
                                                    {"integrationId", Str(integration_id)},
                                                    {"integrationMethod", Str("POST")},
                                                    {"integrationType", Str("AWS_PROXY")},
                                                    {"integrationUri", Str(target)},
                                                    {"payloadFormatVersion", Str("2.0")},
                                                    {"timeoutInMillis", Value::Int(30000)}}));
      doc.routes.push_back(NewRoute(route_key, "integrations/" + integration_id, true));
      doc.stages.push_back(NewStage("$default", true, Value::EmptyObject(), "", true));
    }
    Status created = cp_->records_->Create(doc);
    if (!created.ok()) {
      if (created.error().error == store::kConditionFailed) {
        return Conflict("An API with id " + id + " already exists");
      }
      return created.error();
    }
    return JsonAnswer(201, PublicApi(doc));
  }

  Result<HttpResponse> GetApis() {
    STATOR_TRY(std::vector<ApiDocument> docs, cp_->records_->List());
    json::Array items;
    for (const ApiDocument& d : docs) items.push_back(PublicApi(d));
    return JsonAnswer(200, Value::MakeObject({{"items", Value::MakeArray(std::move(items))}}));
  }

  Result<HttpResponse> GetApi(const std::string& id) {
    STATOR_TRY(ApiDocument doc, Load(id));
    return JsonAnswer(200, PublicApi(doc));
  }

  Result<HttpResponse> DeleteApi(const std::string& id) {
    STATOR_TRY(bool deleted, cp_->records_->Delete(id));
    if (!deleted) return NoApi(id);
    return NoContent();
  }

  // --- integrations, routes, stages -----------------------------------------------------

  Result<HttpResponse> CreateIntegration(const std::string& api_id) {
    STATOR_TRY(std::string type, OptString(body_, "integrationType"));
    if (type.empty()) return BadRequest("Invalid input: integrationType is required");
    if (type != "AWS_PROXY") {
      return BadRequest("Unsupported integrationType " + type +
                        ": stator runs AWS_PROXY integrations (Lambda, Step Functions)");
    }
    STATOR_TRY(std::string subtype, OptString(body_, "integrationSubtype"));
    STATOR_TRY(std::string uri, OptString(body_, "integrationUri"));
    STATOR_TRY(std::string version, OptString(body_, "payloadFormatVersion"));
    STATOR_TRY(std::string method, OptString(body_, "integrationMethod"));
    STATOR_TRY(std::string description, OptString(body_, "description"));
    const Value* params = body_.Find("requestParameters");
    if (params && !params->is_null() && !params->is_object()) {
      return BadRequest("Invalid input: requestParameters must be a map");
    }
    int64_t timeout = 30000;
    if (const Value* t = body_.Find("timeoutInMillis"); t && !t->is_null()) {
      if (!t->is_int() || t->as_int() < 50 || t->as_int() > 30000) {
        return BadRequest("Invalid input: timeoutInMillis must be between 50 and 30000");
      }
      timeout = t->as_int();
    }
    json::Object out = {{"apiGatewayManaged", Value::Bool(false)},
                        {"connectionType", Str("INTERNET")},
                        {"integrationType", Str(type)}};
    if (subtype.empty()) {
      if (uri.empty()) {
        return BadRequest("IntegrationUri is required for an AWS_PROXY integration");
      }
      if (!FunctionArnOfUri(uri)) {
        return BadRequest("Invalid integration URI " + uri +
                          ": give a Lambda function ARN (or its API Gateway invocation ARN)");
      }
      if (version.empty()) {
        return BadRequest("PayloadFormatVersion is required for a Lambda proxy integration");
      }
      if (version != "1.0" && version != "2.0") {
        return BadRequest("Invalid payloadFormatVersion " + version + ": 1.0 or 2.0");
      }
      out.emplace_back("integrationMethod", Str(method.empty() ? "POST" : method));
      out.emplace_back("integrationUri", Str(uri));
      out.emplace_back("payloadFormatVersion", Str(version));
    } else {
      if (subtype != kStartExecutionSubtype) {
        return BadRequest("Unsupported integrationSubtype " + subtype + ": stator runs " +
                          kStartExecutionSubtype);
      }
      if (!version.empty() && version != "1.0") {
        return BadRequest("An AWS service integration takes payloadFormatVersion 1.0");
      }
      const Value* arn = params && params->is_object() ? params->Find("StateMachineArn") : nullptr;
      if (arn == nullptr || !arn->is_string()) {
        return BadRequest("StateMachineArn is required in requestParameters for " +
                          std::string(kStartExecutionSubtype));
      }
      if (!IsStateMachineArn(arn->as_string())) {
        return BadRequest("Invalid StateMachineArn " + arn->as_string());
      }
      for (const auto& [k, v] : params->as_object()) {
        if (k != "StateMachineArn" && k != "Input" && k != "Name" && k != "Region" &&
            k != "TraceHeader") {
          return BadRequest("Unsupported request parameter " + k + " for " +
                            std::string(kStartExecutionSubtype));
        }
        if (!v.is_string()) return BadRequest("Request parameter " + k + " must be a string");
      }
      out.emplace_back("integrationSubtype", Str(subtype));
      out.emplace_back("payloadFormatVersion", Str("1.0"));
    }
    if (params && params->is_object()) out.emplace_back("requestParameters", *params);
    if (!description.empty()) out.emplace_back("description", Str(description));
    out.emplace_back("timeoutInMillis", Value::Int(timeout));
    std::string id = NewId(7);
    out.emplace_back("integrationId", Str(id));
    Value integration = Value::MakeObject(std::move(out));
    STATOR_RETURN_IF_ERROR(Update(api_id, [&](ApiDocument* d) {
      d->integrations.push_back(integration);
      return Status::Ok();
    }));
    return JsonAnswer(201, integration);
  }

  static Value NewRoute(const std::string& key, const std::string& target, bool managed) {
    json::Object r = {{"apiGatewayManaged", Value::Bool(managed)},
                      {"apiKeyRequired", Value::Bool(false)},
                      {"authorizationType", Str("NONE")},
                      {"routeId", Str(NewId(7))},
                      {"routeKey", Str(key)}};
    if (!target.empty()) r.emplace_back("target", Str(target));
    return Value::MakeObject(std::move(r));
  }

  Value NewStage(const std::string& name, bool auto_deploy, const Value& variables,
                 const std::string& description, bool managed) const {
    std::string now = Now();
    json::Object s = {{"apiGatewayManaged", Value::Bool(managed)},
                      {"autoDeploy", Value::Bool(auto_deploy)},
                      {"createdDate", Str(now)},
                      {"defaultRouteSettings", Value::EmptyObject()},
                      {"lastUpdatedDate", Str(now)},
                      {"routeSettings", Value::EmptyObject()},
                      {"stageName", Str(name)},
                      {"stageVariables", variables},
                      {"tags", Value::EmptyObject()}};
    if (!description.empty()) s.emplace_back("description", Str(description));
    return Value::MakeObject(std::move(s));
  }

  Result<HttpResponse> CreateRoute(const std::string& api_id) {
    STATOR_TRY(std::string key, OptString(body_, "routeKey"));
    if (key.empty()) return BadRequest("Invalid input: routeKey is required");
    auto parsed = ParseRouteKey(key);
    if (!parsed.ok()) return BadRequest(parsed.error().cause);
    STATOR_TRY(std::string target, OptString(body_, "target"));
    std::string integration_id;
    if (!target.empty()) {
      if (!target.starts_with("integrations/") || target.size() == 13) {
        return BadRequest("Invalid target " + target + ": integrations/INTEGRATION_ID");
      }
      integration_id = target.substr(13);
    }
    Value route = NewRoute(key, target, false);
    STATOR_RETURN_IF_ERROR(Update(api_id, [&](ApiDocument* d) -> Status {
      if (!integration_id.empty() &&
          !ApiDocument::FindBy(d->integrations, "integrationId", integration_id)) {
        return NotFound("Invalid Integration identifier specified " + integration_id);
      }
      if (ApiDocument::FindBy(d->routes, "routeKey", key)) {
        return Conflict("Route with key " + key + " already exists for this API");
      }
      d->routes.push_back(route);
      return Status::Ok();
    }));
    return JsonAnswer(201, route);
  }

  Result<HttpResponse> CreateStage(const std::string& api_id) {
    STATOR_TRY(std::string name, OptString(body_, "stageName"));
    if (name.empty()) return BadRequest("Invalid input: stageName is required");
    if (!ValidStageName(name)) {
      return BadRequest("Invalid stage name " + name +
                        ": letters, digits, '-' and '_' (or $default)");
    }
    bool auto_deploy = false;
    if (const Value* a = body_.Find("autoDeploy"); a && a->is_bool()) auto_deploy = a->as_bool();
    Value variables = Value::EmptyObject();
    if (const Value* v = body_.Find("stageVariables"); v && !v->is_null()) {
      if (!v->is_object()) return BadRequest("Invalid input: stageVariables must be a map");
      for (const auto& [k, s] : v->as_object()) {
        if (!s.is_string()) return BadRequest("Stage variable " + k + " must be a string");
      }
      variables = *v;
    }
    STATOR_TRY(std::string description, OptString(body_, "description"));
    Value stage = NewStage(name, auto_deploy, variables, description, false);
    STATOR_RETURN_IF_ERROR(Update(api_id, [&](ApiDocument* d) -> Status {
      if (ApiDocument::FindBy(d->stages, "stageName", name)) {
        return Conflict("Stage " + name + " already exists");
      }
      d->stages.push_back(stage);
      return Status::Ok();
    }));
    return JsonAnswer(201, stage);
  }

  static std::vector<Value>* Items(ApiDocument* d, const std::string& collection) {
    if (collection == "integrations") return &d->integrations;
    if (collection == "routes") return &d->routes;
    return &d->stages;
  }
  static const char* IdKey(const std::string& collection) {
    if (collection == "integrations") return "integrationId";
    if (collection == "routes") return "routeId";
    return "stageName";
  }
  static Error NoItem(const std::string& collection, const std::string& id) {
    if (collection == "stages") return NotFound("Invalid stage identifier specified " + id);
    if (collection == "routes") return NotFound("Invalid Route identifier specified " + id);
    return NotFound("Invalid Integration identifier specified " + id);
  }

  Result<HttpResponse> List(const std::string& api_id, const std::string& collection) {
    STATOR_TRY(ApiDocument doc, Load(api_id));
    return JsonAnswer(200,
                      Value::MakeObject({{"items", Value::MakeArray(*Items(&doc, collection))}}));
  }

  Result<HttpResponse> GetOne(const std::string& api_id, const std::string& collection,
                              const std::string& id) {
    STATOR_TRY(ApiDocument doc, Load(api_id));
    const Value* item = ApiDocument::FindBy(*Items(&doc, collection), IdKey(collection), id);
    if (item == nullptr) return NoItem(collection, id);
    return JsonAnswer(200, *item);
  }

  Result<HttpResponse> DeleteOne(const std::string& api_id, const std::string& collection,
                                 const std::string& id) {
    STATOR_RETURN_IF_ERROR(Update(api_id, [&](ApiDocument* d) -> Status {
      std::vector<Value>* items = Items(d, collection);
      const char* key = IdKey(collection);
      auto it = std::find_if(items->begin(), items->end(), [&](const Value& v) {
        const Value* k = v.Find(key);
        return k && k->is_string() && k->as_string() == id;
      });
      if (it == items->end()) return NoItem(collection, id);
      if (collection == "integrations") {
        for (const Value& r : d->routes) {
          const Value* t = r.Find("target");
          if (t && t->is_string() && t->as_string() == "integrations/" + id) {
            return Conflict("Integration " + id + " is the target of a route");
          }
        }
      }
      items->erase(it);
      return Status::Ok();
    }));
    return NoContent();
  }

  ControlPlane* const cp_;
  const HttpRequest& r_;
  Value body_ = Value::EmptyObject();
};

void ControlPlane::Handle(HttpRequest&& request, api::Responder respond) {
  Call call(this, request);
  Result<HttpResponse> out = call.Run();
  if (!out.ok()) return respond(ErrorAnswer(out.error()));
  respond(std::move(*out));
}

}  // namespace stator::apigw
