// CreateFunction, ListFunctions, GetFunction(Configuration), UpdateFunctionCode,
// UpdateFunctionConfiguration, DeleteFunction, and the package and log downloads.
#include <algorithm>
#include <set>

#include "api/routes/lambda/lambda_common.h"
#include "common/base64.h"
#include "functions/function_config.h"

namespace stator::api::lambda {
namespace {

using functions::FunctionConfig;
using functions::FunctionPtr;

// Lambda's reserved environment variable names (set by the runtime, not by users).
const std::set<std::string>& ReservedKeys() {
  static const std::set<std::string> k = {"_HANDLER",
                                          "_X_AMZN_TRACE_ID",
                                          "AWS_DEFAULT_REGION",
                                          "AWS_REGION",
                                          "AWS_EXECUTION_ENV",
                                          "AWS_LAMBDA_FUNCTION_NAME",
                                          "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                                          "AWS_LAMBDA_FUNCTION_VERSION",
                                          "AWS_LAMBDA_INITIALIZATION_TYPE",
                                          "AWS_LAMBDA_LOG_GROUP_NAME",
                                          "AWS_LAMBDA_LOG_STREAM_NAME",
                                          "AWS_ACCESS_KEY",
                                          "AWS_ACCESS_KEY_ID",
                                          "AWS_SECRET_ACCESS_KEY",
                                          "AWS_SESSION_TOKEN",
                                          "AWS_LAMBDA_RUNTIME_API",
                                          "LAMBDA_TASK_ROOT",
                                          "LAMBDA_RUNTIME_DIR"};
  return k;
}

Error Validation(const std::string& value, const std::string& field, const std::string& what) {
  return Error{"ValidationException", "1 validation error detected: Value '" + value + "' at '" +
                                          field + "' failed to satisfy constraint: " + what};
}

Error InvalidParameter(std::string message) {
  return Error{"InvalidParameterValueException", std::move(message)};
}

Result<json::Value> ParseBody(const LambdaRequest& r) {
  if (r.http->body.empty()) return json::Value::EmptyObject();
  auto v = json::Parse(r.http->body);
  if (!v.ok() || !v->is_object()) {
    return Error{"InvalidRequestContentException",
                 "Could not parse request body into json: " +
                     (v.ok() ? std::string("the body is not an object") : v.error().cause)};
  }
  return std::move(v).value();
}

Result<std::optional<std::string>> OptString(const json::Value& body, const char* key) {
  const json::Value* v = body.Find(key);
  if (v == nullptr || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) {
    return Error{"InvalidRequestContentException", std::string("Could not parse request body "
                                                               "into json: ") +
                                                       key + " must be a string"};
  }
  return std::optional<std::string>(v->as_string());
}

Result<std::optional<int64_t>> OptInt(const json::Value& body, const char* key) {
  const json::Value* v = body.Find(key);
  if (v == nullptr || v->is_null()) return std::optional<int64_t>();
  if (!v->is_int()) {
    return Error{"InvalidRequestContentException", std::string("Could not parse request body "
                                                               "into json: ") +
                                                       key + " must be an integer"};
  }
  return std::optional<int64_t>(v->as_int());
}

Result<functions::KeyValues> StringMap(const json::Value* v, const char* what) {
  functions::KeyValues kv;
  if (v == nullptr || v->is_null()) return kv;
  if (!v->is_object()) {
    return Error{
        "InvalidRequestContentException",
        std::string("Could not parse request body into json: ") + what + " must be an object"};
  }
  for (const auto& [k, val] : v->as_object()) {
    if (!val.is_string()) {
      return Error{"InvalidRequestContentException",
                   std::string("Could not parse request body into json: ") + what +
                       " values must be strings"};
    }
    kv.emplace_back(k, val.as_string());
  }
  std::sort(kv.begin(), kv.end());
  return kv;
}

// Applies the configuration fields of a Create/UpdateFunctionConfiguration body to c.
Status ApplyConfig(const json::Value& body, FunctionConfig* c) {
  STATOR_TRY(auto runtime, OptString(body, "Runtime"));
  if (runtime) {
    if (!runtime->starts_with("python3")) {
      return InvalidParameter("The runtime parameter of " + *runtime +
                              " is not supported by stator: functions run on python3.x.");
    }
    c->runtime = *runtime;
  }
  STATOR_TRY(auto handler, OptString(body, "Handler"));
  if (handler) {
    if (handler->size() > 128 || handler->find_first_of(" \t\r\n") != std::string::npos) {
      return Validation(*handler, "handler",
                        "Member must satisfy regular expression pattern: [^\\s]+");
    }
    c->handler = *handler;
  }
  STATOR_TRY(auto role, OptString(body, "Role"));
  if (role) c->role = *role;
  STATOR_TRY(auto description, OptString(body, "Description"));
  if (description) {
    if (description->size() > 256) {
      return Validation(*description, "description",
                        "Member must have length less than or equal to 256");
    }
    c->description = *description;
  }
  STATOR_TRY(auto timeout, OptInt(body, "Timeout"));
  if (timeout) {
    if (*timeout < 1) {
      return Validation(std::to_string(*timeout), "timeout",
                        "Member must have value greater than or equal to 1");
    }
    if (*timeout > functions::kMaxTimeoutSeconds) {
      return Validation(std::to_string(*timeout), "timeout",
                        "Member must have value less than or equal to 900");
    }
    c->timeout_seconds = *timeout;
  }
  STATOR_TRY(auto memory, OptInt(body, "MemorySize"));
  if (memory) {
    if (*memory < functions::kMinMemoryMb) {
      return Validation(std::to_string(*memory), "memorySize",
                        "Member must have value greater than or equal to 128");
    }
    if (*memory > functions::kMaxMemoryMb) {
      return Validation(std::to_string(*memory), "memorySize",
                        "Member must have value less than or equal to 10240");
    }
    c->memory_mb = *memory;
  }
  if (const json::Value* env = body.Find("Environment"); env && !env->is_null()) {
    if (!env->is_object()) {
      return Error{"InvalidRequestContentException",
                   "Could not parse request body into json: Environment must be an object"};
    }
    STATOR_TRY(functions::KeyValues vars, StringMap(env->Find("Variables"), "Variables"));
    std::string reserved;
    for (const auto& [k, v] : vars) {
      if (ReservedKeys().count(k)) reserved += (reserved.empty() ? "" : ", ") + k;
    }
    if (!reserved.empty()) {
      return InvalidParameter(
          "Lambda was unable to configure your environment variables because the environment "
          "variables you have provided contains reserved keys that are currently not supported "
          "for modification. Reserved keys used in this request: " +
          reserved);
    }
    c->environment = std::move(vars);
  }
  return Status::Ok();
}

// The zip bytes of a Code object (CreateFunction) or an UpdateFunctionCode body.
Result<std::string> ZipOf(const json::Value& code) {
  const json::Value* zip = code.Find("ZipFile");
  if (code.Find("S3Bucket") || code.Find("S3Key") || code.Find("ImageUri")) {
    return InvalidParameter("stator takes function code as ZipFile bytes only (no S3 or images)");
  }
  if (zip == nullptr || !zip->is_string()) {
    return InvalidParameter("Please provide a source for function code.");
  }
  auto bytes = Base64Decode(zip->as_string());
  if (!bytes.ok()) {
    return Error{"InvalidRequestContentException",
                 "Could not parse request body into json: ZipFile is not valid base64"};
  }
  if (bytes->empty()) {
    return InvalidParameter(
        "Could not unzip uploaded file. Please check your file, then try to "
        "upload again.");
  }
  return std::move(bytes).value();
}

HttpResponse Configuration(LambdaService* s, const FunctionPtr& f, int status = 200) {
  return JsonResponse(status, ConfigurationJson(*s, f->config));
}

std::string NameOf(const LambdaRequest& r) { return r.segments.size() > 1 ? r.segments[1] : ""; }

}  // namespace

HttpResponse CreateFunction(LambdaService* s, const LambdaRequest& r) {
  auto body = ParseBody(r);
  if (!body.ok()) return ErrorResponse(body.error());
  auto name = OptString(*body, "FunctionName");
  if (!name.ok()) return ErrorResponse(name.error());
  if (!name->has_value()) {
    return ErrorResponse(Validation("null", "functionName", "Member must not be null"));
  }
  auto ref = functions::ParseFunctionRef(**name);
  if (!ref.ok()) return ErrorResponse(ref.error());
  if (!ref->qualifier.empty()) {
    return ErrorResponse(InvalidParameter("Function name cannot include a qualifier: " + **name));
  }
  FunctionConfig c;
  c.name = ref->name;
  Status applied = ApplyConfig(*body, &c);
  if (!applied.ok()) return ErrorResponse(applied.error());
  const json::Value* code = body->Find("Code");
  if (code == nullptr || !code->is_object()) {
    return ErrorResponse(Validation("null", "code", "Member must not be null"));
  }
  auto zip = ZipOf(*code);
  if (!zip.ok()) return ErrorResponse(zip.error());
  auto tags = StringMap(body->Find("Tags"), "Tags");
  if (!tags.ok()) return ErrorResponse(tags.error());
  c.tags = std::move(*tags);
  auto f = s->registry().Create(std::move(c), *zip, s->NowMillis());
  if (!f.ok()) {
    Error e = std::move(f).error();
    if (e.error == "ResourceConflictException") {
      e.cause = "Function already exist: " + ref->name;
    }
    return ErrorResponse(e);
  }
  return Configuration(s, *f, 201);
}

HttpResponse ListFunctions(LambdaService* s, const LambdaRequest& r) {
  int64_t max_items = 50;
  if (auto m = r.Query("MaxItems")) {
    char* end = nullptr;
    long long v = strtoll(m->c_str(), &end, 10);
    if (m->empty() || *end != '\0' || v < 1 || v > 10000) {
      return ErrorResponse(
          Validation(*m, "maxItems", "Member must have value between 1 and 10000"));
    }
    max_items = std::min<int64_t>(v, 50);
  }
  std::string marker = r.Query("Marker").value_or("");
  auto listed = s->registry().List();  // by name
  if (!listed.ok()) return ErrorResponse(listed.error());
  const std::vector<functions::FunctionConfig>& all = *listed;
  size_t start = 0;
  if (!marker.empty()) {
    auto decoded = Base64Decode(marker);
    if (!decoded.ok() || !functions::IsValidFunctionName(*decoded)) {
      return ErrorResponse(InvalidParameter("Invalid marker: " + marker));
    }
    while (start < all.size() && all[start].name <= *decoded) ++start;
  }
  json::Array items;
  size_t i = start;
  for (; i < all.size() && static_cast<int64_t>(items.size()) < max_items; ++i) {
    items.push_back(ConfigurationJson(*s, all[i]));
  }
  json::Object out = {{"Functions", json::Value::MakeArray(std::move(items))}};
  if (i < all.size()) {
    out.emplace_back("NextMarker", json::Value::String(Base64Encode(all[i - 1].name)));
  }
  return JsonResponse(200, json::Value::MakeObject(std::move(out)));
}

HttpResponse GetFunction(LambdaService* s, const LambdaRequest& r, bool configuration_only) {
  auto f = Resolve(s, NameOf(r), r.Query("Qualifier"));
  if (!f.ok()) return ErrorResponse(f.error());
  if (configuration_only) return Configuration(s, *f);
  const FunctionConfig& c = (*f)->config;
  json::Object out = {
      {"Configuration", ConfigurationJson(*s, c)},
      {"Code", json::Value::MakeObject(
                   {{"RepositoryType", json::Value::String("S3")},
                    {"Location", json::Value::String(s->endpoint() + kLambdaFunctionsPrefix +
                                                     "functions/" + c.name + "/package.zip")}})},
  };
  if (!c.tags.empty()) {
    json::Object tags;
    for (const auto& [k, v] : c.tags) tags.emplace_back(k, json::Value::String(v));
    out.emplace_back("Tags", json::Value::MakeObject(std::move(tags)));
  }
  return JsonResponse(200, json::Value::MakeObject(std::move(out)));
}

HttpResponse GetPackage(LambdaService* s, const LambdaRequest& r) {
  auto f = Resolve(s, NameOf(r), std::nullopt);
  if (!f.ok()) return ErrorResponse(f.error());
  auto zip = s->registry().Package((*f)->config.name);
  if (!zip.ok()) return RegistryErrorResponse(*s, std::move(zip).error(), (*f)->config.name);
  HttpResponse out;
  out.content_type = "application/zip";
  out.body = std::move(zip).value();
  return out;
}

HttpResponse GetLogs(LambdaService* s, const LambdaRequest& r) {
  auto ref = functions::ParseFunctionRef(NameOf(r));
  if (!ref.ok()) return ErrorResponse(ref.error());
  HttpResponse out;
  out.content_type = "text/plain; charset=utf-8";
  out.body = s->runtime().Logs(ref->name);
  if (out.body.empty()) {
    auto exists = s->registry().Exists(ref->name);
    if (!exists.ok()) return ErrorResponse(exists.error());
    if (!*exists) return ErrorResponse(NotFound(*s, ref->name));
  }
  return out;
}

HttpResponse UpdateFunctionCode(LambdaService* s, const LambdaRequest& r) {
  auto f = Resolve(s, NameOf(r), std::nullopt);
  if (!f.ok()) return ErrorResponse(f.error());
  auto body = ParseBody(r);
  if (!body.ok()) return ErrorResponse(body.error());
  auto zip = ZipOf(*body);
  if (!zip.ok()) return ErrorResponse(zip.error());
  const std::string name = (*f)->config.name;
  auto updated = s->registry().UpdateCode(name, *zip, s->NowMillis());
  if (!updated.ok()) return RegistryErrorResponse(*s, std::move(updated).error(), name);
  s->runtime().Retire(name);
  return Configuration(s, *updated);
}

HttpResponse UpdateFunctionConfiguration(LambdaService* s, const LambdaRequest& r) {
  auto f = Resolve(s, NameOf(r), std::nullopt);
  if (!f.ok()) return ErrorResponse(f.error());
  auto body = ParseBody(r);
  if (!body.ok()) return ErrorResponse(body.error());
  const std::string name = (*f)->config.name;
  auto revision = OptString(*body, "RevisionId");
  if (!revision.ok()) return ErrorResponse(revision.error());
  auto updated = s->registry().Update(
      name,
      [&](FunctionConfig* c) -> Status {
        if (revision->has_value() && **revision != c->revision_id) {
          return Error{"PreconditionFailedException",
                       "The Revision Id provided does not match the latest Revision Id. Call the "
                       "GetFunction/GetAlias API to retrieve the latest Revision Id"};
        }
        return ApplyConfig(*body, c);
      },
      s->NowMillis());
  if (!updated.ok()) return RegistryErrorResponse(*s, std::move(updated).error(), name);
  s->runtime().Retire(name);
  return Configuration(s, *updated);
}

HttpResponse DeleteFunction(LambdaService* s, const LambdaRequest& r) {
  auto f = Resolve(s, NameOf(r), r.Query("Qualifier"));
  if (!f.ok()) return ErrorResponse(f.error());
  const std::string name = (*f)->config.name;
  s->runtime().Retire(name);
  Status st = s->registry().Delete(name);
  if (!st.ok()) return RegistryErrorResponse(*s, st.error(), name);
  HttpResponse out;
  out.status = 204;
  out.content_type = "application/json";
  return out;
}

}  // namespace stator::api::lambda
