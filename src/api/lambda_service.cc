#include "api/lambda_service.h"

#include "api/routes/lambda/lambda_common.h"

namespace stator::api {

void LambdaService::Handle(HttpRequest&& request, Responder respond) {
  using namespace lambda;  // NOLINT
  // The request must outlive Invoke's asynchronous answer only as far as Invoke copies it.
  bool tags = std::string_view(request.target).starts_with(kLambdaTagsPrefix);
  LambdaRequest r = ParseTarget(request, tags ? "/2017-03-31/" : kLambdaFunctionsPrefix);
  const std::vector<std::string>& s = r.segments;
  const std::string& m = r.method;
  if (tags) {
    if (s.size() < 2) return respond(ErrorResponse("ValidationException", "Missing resource ARN"));
    if (m == "GET") return respond(ListTags(this, r));
    if (m == "POST") return respond(TagResource(this, r));
    if (m == "DELETE") return respond(UntagResource(this, r));
  } else if (!s.empty() && s[0] == "functions") {
    if (s.size() == 1) {
      if (m == "POST") return respond(CreateFunction(this, r));
      if (m == "GET") return respond(ListFunctions(this, r));
    } else if (s.size() == 2) {
      if (m == "GET") return respond(GetFunction(this, r, false));
      if (m == "DELETE") return respond(DeleteFunction(this, r));
    } else if (s.size() == 3) {
      if (s[2] == "invocations" && m == "POST") return Invoke(this, r, std::move(respond));
      if (s[2] == "configuration" && m == "GET") return respond(GetFunction(this, r, true));
      if (s[2] == "configuration" && m == "PUT") {
        return respond(UpdateFunctionConfiguration(this, r));
      }
      if (s[2] == "code" && m == "PUT") return respond(UpdateFunctionCode(this, r));
      if (s[2] == "package.zip" && m == "GET") return respond(GetPackage(this, r));
      if (s[2] == "logs" && m == "GET") return respond(GetLogs(this, r));
    }
  }
  respond(ErrorResponse("UnknownOperationException",
                        "stator does not implement " + m + " " + request.target));
}

}  // namespace stator::api
