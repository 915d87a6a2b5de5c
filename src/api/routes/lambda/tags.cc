// TagResource, UntagResource, ListTags (/2017-03-31/tags/ARN).
#include "api/routes/lambda/lambda_common.h"
#include "functions/function_config.h"

namespace stator::api::lambda {
namespace {

using functions::FunctionPtr;

// The function a tag request's ARN names (a full, unqualified function ARN).
Result<FunctionPtr> Tagged(LambdaService* s, const LambdaRequest& r) {
  const std::string& arn = r.segments[1];
  auto ref = functions::ParseFunctionRef(arn);
  if (!ref.ok() || ref->region.empty()) {
    return Error{"ValidationException",
                 "1 validation error detected: Value '" + arn +
                     "' at 'resource' failed to satisfy constraint: Member must satisfy regular "
                     "expression pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]"
                     "?)))?-[a-z]+-\\d{1}:\\d{12}:function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]"
                     "+))?"};
  }
  if (!ref->qualifier.empty()) {
    return Error{"InvalidParameterValueException",
                 "Tags are not supported on function versions or aliases: " + arn};
  }
  return Resolve(s, arn, std::nullopt);
}

HttpResponse NoContent() {
  HttpResponse out;
  out.status = 204;
  out.content_type = "application/json";
  return out;
}

}  // namespace

HttpResponse ListTags(LambdaService* s, const LambdaRequest& r) {
  auto f = Tagged(s, r);
  if (!f.ok()) return ErrorResponse(f.error());
  json::Object tags;
  for (const auto& [k, v] : (*f)->config.tags) tags.emplace_back(k, json::Value::String(v));
  return JsonResponse(200, json::Value::MakeObject({{"Tags", json::Value::MakeObject(tags)}}));
}

HttpResponse TagResource(LambdaService* s, const LambdaRequest& r) {
  auto f = Tagged(s, r);
  if (!f.ok()) return ErrorResponse(f.error());
  auto body = json::Parse(r.http->body.empty() ? "{}" : r.http->body);
  const json::Value* tags = body.ok() ? body->Find("Tags") : nullptr;
  if (tags == nullptr || !tags->is_object()) {
    return ErrorResponse("InvalidParameterValueException", "Tags must be a map of strings");
  }
  for (const auto& [k, v] : tags->as_object()) {
    if (!v.is_string() || k.empty() || k.size() > 128 || v.as_string().size() > 256 ||
        k.starts_with("aws:")) {
      return ErrorResponse("InvalidParameterValueException", "Invalid tag: " + k);
    }
  }
  const std::string name = (*f)->config.name;
  auto updated = s->registry().Update(
      name,
      [tags](functions::FunctionConfig* c) -> Status {
        for (const auto& [k, v] : tags->as_object()) functions::SetKey(&c->tags, k, v.as_string());
        if (c->tags.size() > 50) {
          return Error{"InvalidParameterValueException",
                       "Number of tags exceeds resource tag limit."};
        }
        return Status::Ok();
      },
      s->NowMillis(), false);
  if (!updated.ok()) return RegistryErrorResponse(*s, std::move(updated).error(), name);
  return NoContent();
}

HttpResponse UntagResource(LambdaService* s, const LambdaRequest& r) {
  auto f = Tagged(s, r);
  if (!f.ok()) return ErrorResponse(f.error());
  std::vector<std::string> keys = r.QueryAll("tagKeys");
  const std::string name = (*f)->config.name;
  auto updated = s->registry().Update(
      name,
      [&keys](functions::FunctionConfig* c) -> Status {
        std::erase_if(c->tags, [&keys](const auto& kv) {
          return std::find(keys.begin(), keys.end(), kv.first) != keys.end();
        });
        return Status::Ok();
      },
      s->NowMillis(), false);
  if (!updated.ok()) return RegistryErrorResponse(*s, std::move(updated).error(), name);
  return NoContent();
}

}  // namespace stator::api::lambda
