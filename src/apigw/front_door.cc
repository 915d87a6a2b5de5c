#include "apigw/front_door.h"

#include <algorithm>
#include <cctype>

#include "apigw/integration_uri.h"
#include "apigw/proxy_event.h"
#include "apigw/proxy_response.h"
#include "apigw/route_match.h"
#include "common/percent_encoding.h"
#include "common/uuid.h"

namespace stator::apigw {
namespace {

using api::HttpRequest;
using api::HttpResponse;
using json::Value;

HttpResponse NotFoundAnswer() { return GatewayAnswer(404, "Not Found"); }

std::string StringParameter(const Value& integration, const char* name) {
  const Value* params = integration.Find("requestParameters");
  const Value* v = params ? params->Find(name) : nullptr;
  return v && v->is_string() ? v->as_string() : "";
}

std::string Member(const Value& v, const char* name) {
  const Value* m = v.Find(name);
  return m && m->is_string() ? m->as_string() : "";
}

}  // namespace

void FrontDoor::Handle(HttpRequest&& request, api::Responder respond) {
  std::string target = request.target;
  size_t q = target.find('?');
  std::string raw_query = q == std::string::npos ? "" : target.substr(q + 1);
  std::string path = target.substr(0, q);
  std::string rest = path.substr(std::string_view(kInvokePrefix).size());
  size_t slash = rest.find('/');
  std::string api_id = rest.substr(0, slash);
  rest = slash == std::string::npos ? "/" : rest.substr(slash);
  auto loaded = records_->Get(api_id);
  if (!loaded.ok()) return respond(GatewayAnswer(500, "Internal Server Error"));
  if (!*loaded) return respond(NotFoundAnswer());
  const ApiDocument& doc = **loaded;

  // The stage: a named one by the first segment, else $default.
  size_t first_end = rest.find('/', 1);
  std::string first =
      rest.substr(1, first_end == std::string::npos ? std::string::npos : first_end - 1);
  const Value* stage = nullptr;
  std::string stage_name;
  if (!first.empty() && first != "$default") {
    stage = ApiDocument::FindBy(doc.stages, "stageName", PercentDecode(first, false));
  }
  if (stage != nullptr) {
    stage_name = Member(*stage, "stageName");
    rest = first_end == std::string::npos ? "/" : rest.substr(first_end);
  } else {
    stage = ApiDocument::FindBy(doc.stages, "stageName", "$default");
    if (stage == nullptr) return respond(NotFoundAnswer());
    stage_name = "$default";
  }

  std::optional<RouteMatch> match = MatchRoute(doc.routes, request.method, rest);
  if (!match) return respond(NotFoundAnswer());
  const Value& route = doc.routes[match->index];
  std::string route_target = Member(route, "target");
  if (!route_target.starts_with("integrations/")) return respond(NotFoundAnswer());
  const Value* integration =
      ApiDocument::FindBy(doc.integrations, "integrationId", route_target.substr(13));
  if (integration == nullptr) return respond(GatewayAnswer(500, "Internal Server Error"));

  ProxyRequest r;
  r.method = request.method;
  r.path = rest;
  r.raw_query = raw_query;
  r.headers = std::move(request.headers);
  r.body = std::move(request.body);
  r.stage = stage_name;
  r.api_id = api_id;
  r.account = account_;
  r.route_key = Member(route, "routeKey");
  r.route_id = Member(route, "routeId");
  r.resource_path = match->key.is_default ? "$default" : match->key.path;
  r.path_parameters = std::move(match->path_parameters);
  if (const Value* vars = stage->Find("stageVariables"); vars && vars->is_object()) {
    r.stage_variables = *vars;
  }
  r.request_id = NewUuid();
  r.time_ms = clock_->NowMillis();
  r.source_ip = "127.0.0.1";
  for (const auto& [k, v] : r.headers) {
    if (k.size() == 15 && std::equal(k.begin(), k.end(), "x-forwarded-for", [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == b;
        })) {
      r.source_ip = v.substr(0, v.find(','));
    }
  }
  std::string request_id = r.request_id;
  auto answer = [respond = std::move(respond), request_id](HttpResponse out) {
    out.headers.emplace_back("apigw-requestid", request_id);
    respond(std::move(out));
  };

  HttpRequest call;
  call.method = "POST";
  call.host = request.host;
  if (Member(*integration, "integrationSubtype") == kStartExecutionSubtype) {
    std::string input = StringParameter(*integration, "Input");
    if (input.empty() || input == "$request.body") input = r.body.empty() ? "{}" : r.body;
    json::Object start = {
        {"stateMachineArn", Value::String(StringParameter(*integration, "StateMachineArn"))},
        {"input", Value::String(input)}};
    if (std::string name = StringParameter(*integration, "Name"); !name.empty()) {
      start.emplace_back("name", Value::String(name));
    }
    call.target = "/";
    call.headers = {{"X-Amz-Target", "AWSStepFunctions.StartExecution"},
                    {"Content-Type", "application/x-amz-json-1.0"}};
    call.body = Value::MakeObject(std::move(start)).Dump();
    return backend_(std::move(call), [answer = std::move(answer)](HttpResponse out) {
      out.content_type = "application/json";
      out.headers.clear();
      answer(std::move(out));
    });
  }
  std::optional<std::string> function = FunctionArnOfUri(Member(*integration, "integrationUri"));
  if (!function) return answer(GatewayAnswer(500, "Internal Server Error"));
  PayloadVersion version = Member(*integration, "payloadFormatVersion") == "1.0"
                               ? PayloadVersion::k1
                               : PayloadVersion::k2;
  Value event = version == PayloadVersion::k1 ? EventV1(r) : EventV2(r);
  call.target = "/2015-03-31/functions/" + PercentEncode(*function) + "/invocations";
  call.headers = {{"X-Amz-Invocation-Type", "RequestResponse"},
                  {"Content-Type", "application/json"}};
  call.body = event.Dump();
  backend_(std::move(call), [answer = std::move(answer), version](HttpResponse out) {
    answer(MapLambdaResult(out, version));
  });
}

}  // namespace stator::apigw
