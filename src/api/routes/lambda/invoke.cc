// Invoke: RequestResponse (answered from the runtime's completion), Event (queued, 202) and
// DryRun (204); LogType Tail; Lambda's payload limits.
#include "api/routes/lambda/lambda_common.h"
#include "common/base64.h"
#include "common/uuid.h"
#include "functions/function_config.h"

namespace stator::api::lambda {
namespace {

constexpr size_t kTailBytes = 4096;

HttpResponse InvokeAnswer(const functions::InvocationResult& r, bool tail) {
  HttpResponse out;
  out.status = 200;
  out.content_type = "application/json";
  out.headers.emplace_back("X-Amz-Executed-Version", "$LATEST");
  out.headers.emplace_back("x-amzn-RequestId", r.request_id);
  bool error = r.function_error;
  if (r.payload.size() > functions::kMaxSyncPayloadBytes) {
    error = true;
    out.body =
        "{\"errorMessage\":\"Response payload size exceeded maximum allowed payload size "
        "(6291556 bytes).\",\"errorType\":\"Function.ResponseSizeTooLarge\"}";
  } else {
    out.body = r.payload;
  }
  if (error) out.headers.emplace_back("X-Amz-Function-Error", "Unhandled");
  if (tail) {
    std::string_view log = r.log;
    if (log.size() > kTailBytes) log = log.substr(log.size() - kTailBytes);
    out.headers.emplace_back("X-Amz-Log-Result", Base64Encode(log));
  }
  // stator's own, for benchmarks: time inside the handler; fork-to-ready of a new instance.
  out.headers.emplace_back("X-Stator-Handler-Us", std::to_string(r.handler_us));
  if (r.cold_start_us >= 0) {
    out.headers.emplace_back("X-Stator-Cold-Start-Us", std::to_string(r.cold_start_us));
  }
  return out;
}

}  // namespace

void Invoke(LambdaService* s, const LambdaRequest& r, Responder respond) {
  std::optional<std::string> qualifier = r.Query("Qualifier");
  auto f = Resolve(s, r.segments[1], qualifier);
  if (!f.ok()) return respond(ErrorResponse(f.error()));
  std::string type(r.http->Header("X-Amz-Invocation-Type"));
  if (type.empty()) type = "RequestResponse";
  if (type != "RequestResponse" && type != "Event" && type != "DryRun") {
    return respond(ErrorResponse(
        "ValidationException",
        "1 validation error detected: Value '" + type +
            "' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value "
            "set: [Event, RequestResponse, DryRun]"));
  }
  std::string log_type(r.http->Header("X-Amz-Log-Type"));
  if (!log_type.empty() && log_type != "None" && log_type != "Tail") {
    return respond(ErrorResponse(
        "ValidationException",
        "1 validation error detected: Value '" + log_type +
            "' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: "
            "[None, Tail]"));
  }
  const std::string& body = r.http->body;
  size_t limit =
      type == "Event" ? functions::kMaxAsyncPayloadBytes : functions::kMaxSyncPayloadBytes;
  if (body.size() > limit) {
    return respond(ErrorResponse("RequestTooLargeException",
                                 "Request must be smaller than " + std::to_string(limit) +
                                     " bytes for the InvokeFunction operation"));
  }
  if (!body.empty()) {
    auto parsed = json::Parse(body);
    if (!parsed.ok()) {
      return respond(ErrorResponse("InvalidRequestContentException",
                                   "Could not parse request body into json: Could not parse "
                                   "payload into json: " +
                                       parsed.error().cause));
    }
  }
  if (type == "DryRun") {
    HttpResponse out;
    out.status = 204;
    out.content_type = "application/json";
    return respond(std::move(out));
  }
  functions::Invocation inv;
  inv.request_id = NewUuid();
  inv.payload = body.empty() ? "{}" : body;
  inv.invoked_arn = functions::FunctionArn(s->region(), s->account(), (*f)->config.name);
  if (qualifier && !qualifier->empty()) inv.invoked_arn += ":" + *qualifier;
  if (type == "Event") {
    inv.queue_when_busy = true;
    std::string id = inv.request_id;
    s->runtime().Invoke(*f, std::move(inv), [](Result<functions::InvocationResult>) {});
    HttpResponse out;
    out.status = 202;
    out.content_type = "application/json";
    out.headers.emplace_back("x-amzn-RequestId", id);
    return respond(std::move(out));
  }
  bool tail = log_type == "Tail";
  s->runtime().Invoke(*f, std::move(inv),
                      [respond = std::move(respond), tail](Result<functions::InvocationResult> r) {
                        if (!r.ok()) return respond(ErrorResponse(r.error()));
                        respond(InvokeAnswer(*r, tail));
                      });
}

}  // namespace stator::api::lambda
