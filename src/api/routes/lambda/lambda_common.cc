#include "api/routes/lambda/lambda_common.h"

#include "common/percent_encoding.h"
#include "common/uuid.h"
#include "functions/function_config.h"

namespace stator::api::lambda {
namespace {

struct ErrorKind {
  const char* name;
  int status;
  const char* type;
};

constexpr ErrorKind kErrors[] = {
    {"ResourceNotFoundException", 404, "User"},     {"InvalidParameterValueException", 400, "User"},
    {"ValidationException", 400, "User"},           {"InvalidRequestContentException", 400, "User"},
    {"ResourceConflictException", 409, "User"},     {"PreconditionFailedException", 412, "User"},
    {"RequestTooLargeException", 413, "User"},      {"RequestEntityTooLargeException", 413, "User"},
    {"UnsupportedMediaTypeException", 415, "User"}, {"TooManyRequestsException", 429, "User"},
    {"UnknownOperationException", 404, "User"},     {"ServiceException", 500, "Service"},
};

}  // namespace

std::optional<std::string> LambdaRequest::Query(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::vector<std::string> LambdaRequest::QueryAll(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : query) {
    if (k == name) out.push_back(v);
  }
  return out;
}

LambdaRequest ParseTarget(const HttpRequest& http, std::string_view version_prefix) {
  LambdaRequest r;
  r.http = &http;
  r.method = http.method;
  std::string_view t = http.target;
  size_t q = t.find('?');
  std::string_view path = t.substr(0, q);
  std::string_view query = q == std::string_view::npos ? "" : t.substr(q + 1);
  if (path.starts_with(version_prefix)) path.remove_prefix(version_prefix.size());
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view seg =
        path.substr(start, slash == std::string_view::npos ? path.npos : slash - start);
    if (!seg.empty()) r.segments.push_back(PercentDecode(seg, false));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  start = 0;
  while (start < query.size()) {
    size_t amp = query.find('&', start);
    std::string_view kv =
        query.substr(start, amp == std::string_view::npos ? query.npos : amp - start);
    size_t eq = kv.find('=');
    if (!kv.empty()) {
      r.query.emplace_back(
          PercentDecode(kv.substr(0, eq), true),
          eq == std::string_view::npos ? "" : PercentDecode(kv.substr(eq + 1), true));
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return r;
}

HttpResponse ErrorResponse(const std::string& name, const std::string& message,
                           const std::vector<std::pair<std::string, std::string>>& extra) {
  int status = 400;
  const char* type = "User";
  for (const ErrorKind& k : kErrors) {
    if (name == k.name) {
      status = k.status;
      type = k.type;
    }
  }
  json::Object body = {{"Type", json::Value::String(type)},
                       {"message", json::Value::String(message)}};
  for (const auto& [k, v] : extra) body.emplace_back(k, json::Value::String(v));
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.headers.emplace_back("x-amzn-ErrorType", name);
  r.headers.emplace_back("x-amzn-RequestId", NewUuid());
  r.body = json::Value::MakeObject(std::move(body)).Dump();
  return r;
}

HttpResponse ErrorResponse(const Error& e) {
  if (e.error == "TooManyRequestsException") {
    return ErrorResponse(e.error, e.cause,
                         {{"Reason", "ReservedFunctionConcurrentInvocationLimitExceeded"}});
  }
  return ErrorResponse(e.error, e.cause);
}

HttpResponse JsonResponse(int status, const json::Value& body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.headers.emplace_back("x-amzn-RequestId", NewUuid());
  r.body = body.Dump();
  return r;
}

Error NotFound(const LambdaService& s, const std::string& name, const std::string& qualifier) {
  std::string arn = functions::FunctionArn(s.region(), s.account(), name);
  if (!qualifier.empty()) arn += ":" + qualifier;
  return Error{"ResourceNotFoundException", "Function not found: " + arn};
}

HttpResponse RegistryErrorResponse(const LambdaService& s, Error e, const std::string& name) {
  if (e.error == "ResourceNotFoundException") e = NotFound(s, name);
  return ErrorResponse(e);
}

Result<functions::FunctionPtr> Resolve(LambdaService* s, const std::string& ref,
                                       const std::optional<std::string>& qualifier) {
  STATOR_TRY(functions::FunctionRef r, functions::ParseFunctionRef(ref));
  std::string q = r.qualifier;
  if (qualifier && !qualifier->empty()) {
    if (!q.empty() && q != *qualifier) {
      return Error{"InvalidParameterValueException",
                   "The derived qualifier from the function name does not match the specified "
                   "qualifier."};
    }
    q = *qualifier;
  }
  if ((!r.region.empty() && r.region != s->region()) ||
      (!r.account.empty() && r.account != s->account())) {
    return NotFound(*s, r.name, q);
  }
  STATOR_TRY(functions::FunctionPtr f, s->registry().Find(r.name));
  if (!f) return NotFound(*s, r.name, q);
  if (!q.empty() && q != "$LATEST") return NotFound(*s, r.name, q);  // no published versions
  return f;
}

json::Value ConfigurationJson(const LambdaService& s, const functions::FunctionConfig& c) {
  auto S = [](const std::string& v) { return json::Value::String(v); };
  json::Object vars;
  for (const auto& [k, v] : c.environment) vars.emplace_back(k, S(v));
  json::Object o = {
      {"FunctionName", S(c.name)},
      {"FunctionArn", S(functions::FunctionArn(s.region(), s.account(), c.name))},
      {"Runtime", S(c.runtime)},
      {"Role", S(c.role)},
  };
  if (!c.handler.empty()) o.emplace_back("Handler", S(c.handler));
  o.emplace_back("CodeSize", json::Value::Int(c.code_size));
  o.emplace_back("Description", S(c.description));
  o.emplace_back("Timeout", json::Value::Int(c.timeout_seconds));
  o.emplace_back("MemorySize", json::Value::Int(c.memory_mb));
  o.emplace_back("LastModified", S(c.last_modified));
  o.emplace_back("CodeSha256", S(c.code_sha256));
  o.emplace_back("Version", S("$LATEST"));
  if (!c.environment.empty()) {
    o.emplace_back("Environment", json::Value::MakeObject(
                                      {{"Variables", json::Value::MakeObject(std::move(vars))}}));
  }
  o.emplace_back("TracingConfig", json::Value::MakeObject({{"Mode", S("PassThrough")}}));
  o.emplace_back("RevisionId", S(c.revision_id));
  o.emplace_back("State", S("Active"));
  o.emplace_back("LastUpdateStatus", S("Successful"));
  o.emplace_back("PackageType", S("Zip"));
  o.emplace_back("Architectures", json::Value::MakeArray({S("x86_64")}));
  o.emplace_back("EphemeralStorage", json::Value::MakeObject({{"Size", json::Value::Int(512)}}));
  o.emplace_back("LoggingConfig",
                 json::Value::MakeObject(
                     {{"LogFormat", S("Text")}, {"LogGroup", S("/aws/lambda/" + c.name)}}));
  return json::Value::MakeObject(std::move(o));
}

std::optional<HttpServer::BodyLimit> UploadBodyLimit(std::string_view method,
                                                     std::string_view target) {
  target = target.substr(0, target.find('?'));
  std::string operation;
  if (method == "POST" &&
      (target == "/2015-03-31/functions" || target == "/2015-03-31/functions/")) {
    operation = "CreateFunction";
  } else if (method == "PUT" && target.starts_with("/2015-03-31/functions/") &&
             target.ends_with("/code")) {
    operation = "UpdateFunctionCode";
  } else {
    return std::nullopt;
  }
  return HttpServer::BodyLimit{
      kUploadRequestLimit, [operation] {
        return ErrorResponse("RequestEntityTooLargeException",
                             "Request must be smaller than " + std::to_string(kUploadRequestLimit) +
                                 " bytes for the " + operation + " operation");
      }};
}

}  // namespace stator::api::lambda
