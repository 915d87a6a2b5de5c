// The AppSync data plane (data_plane.h): transport, authorization and the GraphQL request cycle.
#include "appsync/data_plane.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "appsync/paths.h"
#include "common/percent_encoding.h"
#include "graphql/parser.h"
#include "graphql/validate.h"

namespace stator::appsync {

namespace {

json::Value S(std::string s) { return json::Value::String(std::move(s)); }

// AppSync's transport error: {"errors": [{"errorType", "message"}]} with the status and the
// x-amzn-ErrorType header.
api::HttpResponse TransportError(int status, const char* type, std::string message) {
  api::HttpResponse r;
  r.status = status;
  r.content_type = "application/json;charset=UTF-8";
  r.headers.emplace_back("x-amzn-ErrorType", type);
  json::Value body = json::Value::MakeObject(
      {{"errors", json::Value::MakeArray({json::Value::MakeObject(
                      {{"errorType", S(type)}, {"message", S(std::move(message))}})})}});
  r.body = body.Dump();
  return r;
}

api::HttpResponse Unauthorized() {
  return TransportError(401, "UnauthorizedException", "You are not authorized to make this call.");
}

// One error as AppSync lists it: path, data, errorType, errorInfo (resolver errors), locations
// (each with sourceName), message.
json::Value AppSyncError(const graphql::Error& e) {
  json::Object out;
  out.emplace_back("path", e.path);
  if (e.extra.is_object()) {
    for (const char* key : {"data", "errorType", "errorInfo"}) {
      const json::Value* v = e.extra.Find(key);
      out.emplace_back(key, v ? *v : json::Value());
    }
  }
  if (e.locations.empty()) {
    out.emplace_back("locations", json::Value());
  } else {
    json::Array locations;
    for (const graphql::Location& l : e.locations) {
      locations.push_back(json::Value::MakeObject({{"line", json::Value::Int(l.line)},
                                                   {"column", json::Value::Int(l.column)},
                                                   {"sourceName", json::Value()}}));
    }
    out.emplace_back("locations", json::Value::MakeArray(std::move(locations)));
  }
  out.emplace_back("message", S(e.message));
  return json::Value::MakeObject(std::move(out));
}

// A GraphQL answer (always 200): {"data": ..., "errors"?: [...]}.
api::HttpResponse GraphqlAnswer(json::Value data, const std::vector<graphql::Error>& errors) {
  json::Object body;
  body.emplace_back("data", std::move(data));
  if (!errors.empty()) {
    json::Array list;
    list.reserve(errors.size());
    for (const graphql::Error& e : errors) list.push_back(AppSyncError(e));
    body.emplace_back("errors", json::Value::MakeArray(std::move(list)));
  }
  api::HttpResponse r;
  r.content_type = "application/json;charset=UTF-8";
  r.body = json::Value::MakeObject(std::move(body)).Dump();
  return r;
}

struct GraphqlRequest {
  std::string query;
  json::Value variables;
  std::string operation_name;
};

// The request's query, variables and operation name: from the JSON body of a POST, from the
// query string of a GET. An error is AppSync's 400 answer.
Result<GraphqlRequest, api::HttpResponse> ReadRequest(const api::HttpRequest& request,
                                                      std::string_view query_string) {
  GraphqlRequest out;
  auto malformed = [] {
    return TransportError(400, "MalformedHttpRequestException", "Unable to parse GraphQL query.");
  };
  if (request.method == "GET") {
    std::string variables;
    for (std::string_view rest = query_string; !rest.empty();) {
      const size_t amp = rest.find('&');
      std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      const size_t eq = pair.find('=');
      std::string name = PercentDecode(pair.substr(0, eq), true);
      std::string value =
          eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true);
      if (name == "query") out.query = std::move(value);
      if (name == "variables") variables = std::move(value);
      if (name == "operationName") out.operation_name = std::move(value);
    }
    if (out.query.empty()) return malformed();
    if (!variables.empty()) {
      auto parsed = json::Parse(variables);
      if (!parsed.ok() || !(parsed->is_object() || parsed->is_null())) return malformed();
      out.variables = std::move(parsed).value();
    }
    return out;
  }
  if (request.method != "POST") return malformed();
  if (std::all_of(request.body.begin(), request.body.end(),
                  [](unsigned char c) { return std::isspace(c); })) {
    return TransportError(400, "MalformedHttpRequestException", "Request body is empty.");
  }
  auto body = json::Parse(request.body);
  if (!body.ok() || !body->is_object()) return malformed();
  const json::Value* query = body->Find("query");
  if (query == nullptr || !query->is_string()) return malformed();
  out.query = query->as_string();
  if (const json::Value* v = body->Find("variables"); v && !v->is_null()) {
    if (!v->is_object()) return malformed();
    out.variables = *v;
  }
  if (const json::Value* op = body->Find("operationName"); op && op->is_string()) {
    out.operation_name = op->as_string();
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Whether the request passes one of the API's authorization modes.
bool Authorized(const CompiledApi& api, const api::HttpRequest& request, int64_t now_ms) {
  std::vector<std::string> modes{api.api.authentication_type};
  if (const json::Value* more = api.api.raw.Find("additionalAuthenticationProviders");
      more && more->is_array()) {
    for (const json::Value& p : more->as_array()) {
      const json::Value* type = p.Find("authenticationType");
      if (type && type->is_string()) modes.push_back(type->as_string());
    }
  }
  for (const std::string& mode : modes) {
    if (mode == "API_KEY") {
      std::string_view key = request.Header("x-api-key");
      if (key.empty()) continue;
      for (const ApiKey& k : api.keys) {
        if (k.id == key && k.expires * 1000 > now_ms) return true;
      }
    } else if (mode == "AWS_IAM") {
      // Signed requests only (the signature itself is checked with --auth sigv4, issue 20).
      if (request.Header("authorization").starts_with("AWS4-HMAC-SHA256 ")) return true;
    }
  }
  return false;
}

json::Value HeadersOf(const api::HttpRequest& request) {
  json::Object out;
  for (const auto& [name, value] : request.headers) {
    std::string key = Lower(name);
    if (std::none_of(out.begin(), out.end(),
                     [&key](const json::Member& m) { return m.first == key; })) {
      out.emplace_back(std::move(key), S(value));
    }
  }
  return json::Value::MakeObject(std::move(out));
}

}  // namespace

std::shared_ptr<const DocumentCache::Entry> DocumentCache::Get(const graphql::Schema& schema,
                                                               const std::string& query) {
  {
    MutexLock lock(&mu_);
    auto it = entries_.find(query);
    if (it != entries_.end()) return it->second;
  }
  auto entry = std::make_shared<Entry>();
  graphql::ParseResult parsed = graphql::ParseDocument(query);
  if (!parsed.errors.empty()) {
    entry->errors = std::move(parsed.errors);
  } else {
    entry->errors = graphql::Validate(schema, *parsed.document);
    if (entry->errors.empty()) entry->document = std::move(parsed.document);
  }
  MutexLock lock(&mu_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_.emplace(query, entry);
  return entry;
}

Result<DataPlane::Loaded> DataPlane::Load(const std::string& api_id) {
  const uint64_t changes = deps_.catalog->local_changes();
  if (!deps_.shared_store) {
    MutexLock lock(&mu_);
    auto it = cache_.find(api_id);
    if (it != cache_.end() && it->second.local_changes == changes) return it->second;
  }
  STATOR_TRY(int64_t revision, deps_.catalog->Revision(api_id));
  {
    MutexLock lock(&mu_);
    auto it = cache_.find(api_id);
    if (it != cache_.end() && it->second.api->revision == revision) {
      it->second.local_changes = changes;
      return it->second;
    }
  }
  STATOR_TRY(std::optional<CompiledApi> compiled, CompileApi(*deps_.catalog, api_id, revision));
  if (!compiled) {
    MutexLock lock(&mu_);
    cache_.erase(api_id);
    return Loaded{};
  }
  Loaded loaded{std::make_shared<const CompiledApi>(std::move(*compiled)),
                std::make_shared<DocumentCache>(), changes};
  MutexLock lock(&mu_);
  cache_[api_id] = loaded;
  return loaded;
}

void DataPlane::Handle(api::HttpRequest&& request, api::Responder respond) {
  // /appsync/<id>/graphql[?query]
  std::string_view target = request.target;
  std::string_view query_string;
  if (const size_t q = target.find('?'); q != std::string_view::npos) {
    query_string = target.substr(q + 1);
    target = target.substr(0, q);
  }
  target.remove_prefix(std::string_view(kGraphqlPathPrefix).size());
  const size_t slash = target.find('/');
  if (slash == std::string_view::npos || target.substr(slash) != "/graphql") {
    return respond(TransportError(404, "NotFoundException", "No such GraphQL endpoint."));
  }
  const std::string api_id(target.substr(0, slash));
  auto loaded = Load(api_id);
  if (!loaded.ok()) {
    return respond(TransportError(500, "InternalFailure", loaded.error().cause));
  }
  std::shared_ptr<const CompiledApi> api = loaded->api;
  if (!api) {
    return respond(
        TransportError(404, "NotFoundException", "GraphQL API " + api_id + " does not exist."));
  }
  const int64_t now = deps_.clock ? deps_.clock->NowMillis() : 0;
  if (!Authorized(*api, request, now)) return respond(Unauthorized());
  auto read = ReadRequest(request, query_string);
  if (!read.ok()) return respond(std::move(read).error());
  if (!api->schema) {
    return respond(TransportError(400, "BadRequestException",
                                  "The GraphQL API " + api_id +
                                      " has no schema: create one with "
                                      "StartSchemaCreation."));
  }
  std::shared_ptr<const DocumentCache::Entry> document =
      loaded->documents->Get(*api->schema, read->query);
  if (!document->errors.empty()) return respond(GraphqlAnswer(json::Value(), document->errors));

  json::Value identity;
  if (api->api.authentication_type == "AWS_IAM" ||
      request.Header("authorization").starts_with("AWS4-HMAC-SHA256 ")) {
    identity = json::Value::MakeObject({{"accountId", S(deps_.account)},
                                        {"cognitoIdentityAuthProvider", {}},
                                        {"cognitoIdentityAuthType", {}},
                                        {"cognitoIdentityId", {}},
                                        {"cognitoIdentityPoolId", {}},
                                        {"sourceIp", json::Value::MakeArray({S("127.0.0.1")})},
                                        {"userArn", S("arn:aws:iam::" + deps_.account + ":root")},
                                        {"username", S(deps_.account)}});
  }
  auto resolver =
      std::make_shared<RequestResolver>(&deps_, api, HeadersOf(request), std::move(identity));
  graphql::ExecuteRequest execute;
  execute.schema = api->schema;
  execute.document = document->document;
  execute.operation_name = std::move(read->operation_name);
  execute.variables = std::move(read->variables);
  graphql::FieldResolver* raw = resolver.get();
  graphql::Execute(std::move(execute), raw,
                   [resolver = std::move(resolver),
                    respond = std::move(respond)](graphql::ExecutionResult result) {
                     respond(GraphqlAnswer(result.has_data ? std::move(result.data) : json::Value(),
                                           result.errors));
                   });
}

}  // namespace stator::appsync
