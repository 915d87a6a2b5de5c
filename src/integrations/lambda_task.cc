#include "integrations/lambda_task.h"

#include "common/time_format.h"
#include "common/uuid.h"
#include "functions/function_config.h"

namespace stator::integrations {
namespace {

bool IsInvokeIntegration(std::string_view r) {
  // arn:<partition>:states:::lambda:invoke[.waitForTaskToken]
  if (!r.starts_with("arn:")) return false;
  size_t p = r.find(':', 4);
  return p != std::string_view::npos && (r.substr(p) == ":states:::lambda:invoke" ||
                                         r.substr(p) == ":states:::lambda:invoke.waitForTaskToken");
}

json::Value S(std::string s) { return json::Value::String(std::move(s)); }

Error TaskError(const std::string& name, const std::string& cause) { return Error{name, cause}; }

// Step Functions' cause for a Lambda service error.
std::string ServiceCause(const std::string& message, int status, const std::string& code) {
  return message + " (Service: AWSLambda; Status Code: " + std::to_string(status) +
         "; Error Code: " + code + "; Request ID: " + NewUuid() + "; Proxy: null)";
}

json::Value InvokeResult(const functions::InvocationResult& r, json::Value payload,
                         int64_t now_ms) {
  std::string date = FormatTimestamp(now_ms);
  json::Object headers = {
      {"Connection", S("keep-alive")},
      {"Content-Type", S("application/json")},
      {"Date", S(date)},
      {"X-Amz-Executed-Version", S("$LATEST")},
      {"x-amzn-Remapped-Content-Length", S("0")},
      {"x-amzn-RequestId", S(r.request_id)},
  };
  json::Object all;
  for (const auto& [k, v] : headers) all.emplace_back(k, json::Value::MakeArray({v}));
  return json::Value::MakeObject({
      {"ExecutedVersion", S("$LATEST")},
      {"Payload", std::move(payload)},
      {"SdkHttpMetadata",
       json::Value::MakeObject({{"AllHttpHeaders", json::Value::MakeObject(std::move(all))},
                                {"HttpHeaders", json::Value::MakeObject(std::move(headers))},
                                {"HttpStatusCode", json::Value::Int(200)}})},
      {"SdkResponseMetadata", json::Value::MakeObject({{"RequestId", S(r.request_id)}})},
      {"StatusCode", json::Value::Int(200)},
  });
}

}  // namespace

bool LambdaTaskRunner::Accepts(const std::string& resource) {
  if (resource.starts_with("arn:")) {
    if (IsInvokeIntegration(resource)) return true;
    auto ref = functions::ParseFunctionRef(resource);
    return ref.ok() && !ref->region.empty();
  }
  return functions::IsValidFunctionName(resource);
}

void LambdaTaskRunner::Start(const engine::TaskRequest& request, engine::TaskCompletion done) {
  const bool integration = IsInvokeIntegration(request.resource);
  std::string target;  // what names the function
  json::Value payload = request.parameters;
  std::string qualifier;
  std::string invocation_type = "RequestResponse";
  if (integration) {
    const json::Value& p = request.parameters;
    const json::Value* name = p.is_object() ? p.Find("FunctionName") : nullptr;
    if (name == nullptr || !name->is_string()) {
      return done(TaskError("States.Runtime",
                            "The Parameters of a lambda:invoke Task need a FunctionName string"));
    }
    target = name->as_string();
    const json::Value* pl = p.Find("Payload");
    payload = pl ? *pl : json::Value::EmptyObject();
    if (const json::Value* q = p.Find("Qualifier"); q && q->is_string()) qualifier = q->as_string();
    if (const json::Value* t = p.Find("InvocationType"); t && t->is_string()) {
      invocation_type = t->as_string();
    }
  } else {
    target = request.resource;
  }
  auto ref = functions::ParseFunctionRef(target);
  if (!ref.ok()) {
    return done(TaskError("Lambda.AWSLambdaException",
                          ServiceCause(ref.error().cause, 400, "ValidationException")));
  }
  if (!qualifier.empty() && !ref->qualifier.empty() && qualifier != ref->qualifier) {
    return done(TaskError(
        "Lambda.InvalidParameterValueException",
        ServiceCause("The derived qualifier from the function name does not match the specified "
                     "qualifier.",
                     400, "InvalidParameterValueException")));
  }
  if (qualifier.empty()) qualifier = ref->qualifier;
  std::string arn = functions::FunctionArn(region_, account_, ref->name);
  functions::FunctionPtr fn;
  bool elsewhere = (!ref->region.empty() && ref->region != region_) ||
                   (!ref->account.empty() && ref->account != account_);
  if (!elsewhere) {
    auto found = registry_->Find(ref->name);
    if (!found.ok()) {
      // The store (or unpacking the code) failed: the service's fault, not a missing function.
      return done(TaskError("Lambda.ServiceException",
                            ServiceCause(found.error().cause, 500, "ServiceException")));
    }
    fn = std::move(found).value();
  }
  if (!fn || (!qualifier.empty() && qualifier != "$LATEST")) {
    std::string shown =
        functions::FunctionArn(ref->region.empty() ? region_ : ref->region,
                               ref->account.empty() ? account_ : ref->account, ref->name);
    if (!qualifier.empty()) shown += ":" + qualifier;
    return done(
        TaskError("Lambda.ResourceNotFoundException",
                  ServiceCause("Function not found: " + shown, 404, "ResourceNotFoundException")));
  }
  functions::Invocation inv;
  inv.payload = payload.Dump();
  inv.invoked_arn = qualifier.empty() ? arn : arn + ":" + qualifier;
  inv.queue_when_busy = true;
  if (integration && invocation_type == "DryRun") {
    return done(json::Value::MakeObject({{"StatusCode", json::Value::Int(204)}}));
  }
  Ended ended;
  if (platform_) {
    Result<Ended> prepared = platform_(request, &inv);
    if (!prepared.ok()) return done(TaskError(prepared.error().error, prepared.error().cause));
    ended = std::move(prepared).value();
  }
  const bool event = integration && invocation_type == "Event";
  if (output_observer_ && !event) {
    inv.request_id = NewUuid();
    inv.output = output_observer_(request, inv.request_id);
  }
  if (event) {
    runtime_->Invoke(fn, std::move(inv), [ended](Result<functions::InvocationResult>) {
      if (ended) ended();
    });
    return done(
        json::Value::MakeObject({{"Payload", S("")}, {"StatusCode", json::Value::Int(202)}}));
  }
  runtime_->Invoke(
      fn, std::move(inv),
      [done = std::move(done), ended = std::move(ended),
       integration](Result<functions::InvocationResult> r) {
        // This runs on the runtime's reactor thread (or, for an early error, in Invoke on the
        // execution's own thread, where the scope changes nothing): the execution's next steps run
        // here too, and its next function call is written from here, with no hand-off.
        engine::RunCompletionsHere here;
        if (ended) ended();
        if (!r.ok()) {
          const Error& e = r.error();
          int status = e.error == "TooManyRequestsException" ? 429 : 500;
          return done(TaskError("Lambda." + e.error, ServiceCause(e.cause, status, e.error)));
        }
        if (r->function_error) {
          if (r->timed_out || r->error_type.empty()) {
            return done(TaskError("Lambda.Unknown",
                                  "The cause could not be determined because Lambda did not return "
                                  "an error type. Returned payload: " +
                                      r->payload));
          }
          return done(TaskError(r->error_type, r->payload));
        }
        auto value = json::Parse(r->payload);
        if (!value.ok()) {
          return done(TaskError("Lambda.Unknown",
                                "The function returned a payload that is not "
                                "JSON: " +
                                    value.error().cause));
        }
        if (!integration) return done(std::move(value).value());
        int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
        done(InvokeResult(*r, std::move(value).value(), now));
      });
}

}  // namespace stator::integrations
