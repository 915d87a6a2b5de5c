#include "appsync/service.h"

#include "appsync/actions.h"

namespace stator::appsync {
namespace {

Answer Route(AppSyncService* s, const Request& r) {
  const std::vector<std::string>& seg = r.segments;
  const std::string& m = r.method;
  const size_t n = seg.size();
  if (n >= 1 && seg[0] == "tags") {
    if (n < 2) return BadRequest("resourceArn must be specified.");
    if (m == "POST") return TagResource(s, r);
    if (m == "DELETE") return UntagResource(s, r);
    if (m == "GET") return ListTagsForResource(s, r);
  } else if (n >= 1 && seg[0] == "apis") {
    if (n == 1) {
      if (m == "POST") return CreateGraphqlApi(s, r);
      if (m == "GET") return ListGraphqlApis(s, r);
    } else if (n == 2) {
      if (m == "GET") return GetGraphqlApi(s, r);
      if (m == "POST") return UpdateGraphqlApi(s, r);
      if (m == "DELETE") return DeleteGraphqlApi(s, r);
    } else {
      const std::string& what = seg[2];
      if (what == "schemacreation" && n == 3) {
        if (m == "POST") return StartSchemaCreation(s, r);
        if (m == "GET") return GetSchemaCreationStatus(s, r);
      } else if (what == "schema" && n == 3 && m == "GET") {
        return GetIntrospectionSchema(s, r);
      } else if (what == "apikeys") {
        if (n == 3 && m == "POST") return CreateApiKey(s, r);
        if (n == 3 && m == "GET") return ListApiKeys(s, r);
        if (n == 4 && m == "POST") return UpdateApiKey(s, r);
        if (n == 4 && m == "DELETE") return DeleteApiKey(s, r);
      } else if (what == "datasources") {
        if (n == 3 && m == "POST") return CreateDataSource(s, r);
        if (n == 3 && m == "GET") return ListDataSources(s, r);
        if (n == 4 && m == "GET") return GetDataSource(s, r);
        if (n == 4 && m == "POST") return UpdateDataSource(s, r);
        if (n == 4 && m == "DELETE") return DeleteDataSource(s, r);
      } else if (what == "types") {
        if (n == 3 && m == "GET") return ListTypes(s, r);
        if (n == 4 && m == "GET") return GetType(s, r);
        if (n >= 5 && seg[4] == "resolvers") {
          if (n == 5 && m == "POST") return CreateResolver(s, r);
          if (n == 5 && m == "GET") return ListResolvers(s, r);
          if (n == 6 && m == "GET") return GetResolver(s, r);
          if (n == 6 && m == "POST") return UpdateResolver(s, r);
          if (n == 6 && m == "DELETE") return DeleteResolver(s, r);
        }
      }
    }
  }
  return Error{"UnknownOperationException", ""};
}

}  // namespace

std::string AppSyncService::ApiArn(const std::string& api_id) const {
  return "arn:aws:appsync:" + region_ + ":" + account_ + ":apis/" + api_id;
}

void AppSyncService::Handle(api::HttpRequest&& request, api::Responder respond) {
  auto parsed = ParseRequest(request);
  if (!parsed.ok()) return respond(ErrorResponse(parsed.error()));
  Answer answer = Route(this, *parsed);
  if (answer.ok()) return respond(std::move(answer).value());
  if (answer.error().error == "UnknownOperationException") {
    api::HttpResponse out =
        JsonResponse(json::Value::MakeObject(
                         {{"message", json::Value::String("stator does not implement " +
                                                          request.method + " " + request.target)}}),
                     404);
    out.headers.emplace_back("x-amzn-ErrorType", "UnknownOperationException");
    return respond(std::move(out));
  }
  respond(ErrorResponse(answer.error()));
}

}  // namespace stator::appsync
