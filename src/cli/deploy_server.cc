#include "cli/deploy_server.h"

#include <vector>

#include "cli/http_client.h"

namespace stator::cli {

using json::Value;

Result<Value> DeployServer::Json(const std::string& target, const Value& body) {
  auto r = HttpCall(endpoint_, "POST", "/", body.Dump(),
                    {{"X-Amz-Target", target}, {"Content-Type", "application/x-amz-json-1.0"}});
  if (!r.ok()) return r.error();
  auto v = json::Parse(r->body.empty() ? "{}" : r->body);
  if (r->status != 200) {
    std::string code = "HTTP " + std::to_string(r->status), message = r->body;
    if (v.ok() && v->is_object()) {
      if (const Value* t = v->Find("__type"); t && t->is_string()) {
        code = t->as_string().substr(t->as_string().find('#') + 1);
      }
      for (const char* k : {"message", "Message"}) {
        if (const Value* m = v->Find(k); m && m->is_string()) message = m->as_string();
      }
    }
    return Error{code, message};
  }
  if (!v.ok()) return Error{"BadAnswer", target + ": the answer is not JSON"};
  return *v;
}

Result<Value> DeployServer::Rest(const std::string& method, const std::string& path,
                                 const Value* body) {
  auto r = HttpCall(endpoint_, method, path, body ? body->Dump() : "");
  if (!r.ok()) return r.error();
  auto v = json::Parse(r->body.empty() ? "{}" : r->body);
  if (r->status >= 300) {
    std::string code = r->Header("x-amzn-ErrorType");
    code = code.substr(0, code.find(':'));
    if (code.empty()) code = "HTTP " + std::to_string(r->status);
    std::string message = r->body;
    if (v.ok() && v->is_object()) {
      for (const char* k : {"message", "Message"}) {
        if (const Value* m = v->Find(k); m && m->is_string()) message = m->as_string();
      }
    }
    return Error{code, message};
  }
  if (!v.ok()) return Value::EmptyObject();
  return *v;
}

std::string ErrorText(const Error& e) { return e.error + ": " + e.cause; }

Result<ArnScope> AskArnScope(DeployServer& s) {
  auto r = s.Rest("GET", "/2015-03-31/functions/stator-deploy-probe/configuration", nullptr);
  std::string text;
  if (r.ok()) {
    if (const Value* a = r->Find("FunctionArn"); a && a->is_string()) text = a->as_string();
  } else if (r.error().error == "Connection") {
    return r.error();
  } else {
    text = r.error().cause;
  }
  size_t at = text.find("arn:");
  if (at != std::string::npos) {
    // The ARN runs to the end of the text or to the first character no ARN holds.
    size_t end = text.find_first_of(" '\"", at);
    auto arn =
        ParseArn(std::string_view(text).substr(at, end == std::string::npos ? end : end - at));
    if (arn.ok() && arn->service == "lambda" && !arn->region.empty() && !arn->account.empty()) {
      return ArnScope{arn->partition, arn->region, arn->account};
    }
  }
  return Error{"BadAnswer",
               "cannot learn the server's account and region (give --account and "
               "--region)"};
}

}  // namespace stator::cli
