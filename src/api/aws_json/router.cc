#include "api/aws_json/router.h"

#include <exception>
#include <memory>

#include "common/uuid.h"

namespace stator::api {
namespace {

HttpResponse Render(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("x-amzn-RequestId", NewUuid());
  return r;
}

HttpResponse RenderError(const ApiError& e) {
  return Render(WireFormOf(e.name).http_status, ErrorBody(e));
}

}  // namespace

void AwsJsonRouter::AddOperation(std::string_view target_prefix, std::string_view name,
                                 JsonOperation op) {
  operations_.insert_or_assign(std::string(target_prefix) + "." + std::string(name), std::move(op));
}

void AwsJsonRouter::Handle(HttpRequest&& request, Responder respond) const {
  std::string_view target = request.Header("X-Amz-Target");
  if (target.empty() || operations_.find(target) == operations_.end()) {
    return respond(RenderError(ApiError::UnknownOperation()));
  }
  json::Value input = json::Value::EmptyObject();
  size_t first = request.body.find_first_not_of(" \t\r\n");
  if (first != std::string::npos) {
    Result<json::Value> parsed = json::Parse(request.body);
    if (!parsed.ok()) return respond(RenderError(ApiError::Serialization("")));
    input = std::move(parsed).value();
    if (input.is_null()) input = json::Value::EmptyObject();
  }
  auto responder = std::make_shared<Responder>(std::move(respond));
  Call(target, input, [responder](ApiResult<json::Value> result) {
    if (!result.ok()) return (*responder)(RenderError(result.error()));
    (*responder)(Render(200, result.value().Dump()));
  });
}

void AwsJsonRouter::Call(std::string_view target, const json::Value& input, JsonDone done) const {
  auto it = operations_.find(target);
  if (it == operations_.end()) return done(ApiError::UnknownOperation());
  if (auto e = Validate(*it->second.input, input)) return done(std::move(*e));
  // The operation reports errors as values; an exception escaping it is a bug, answered
  // as InternalFailure instead of taking the server down.
  auto once = std::make_shared<JsonDone>(std::move(done));
  try {
    it->second.run(input, [once](ApiResult<json::Value> result) { (*once)(std::move(result)); });
  } catch (const std::exception& e) {
    (*once)(ApiError::Internal(e.what()));
  }
}

}  // namespace stator::api
