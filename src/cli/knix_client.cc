#include "cli/knix_client.h"

#include <utility>

#include "cli/http_client.h"

namespace stator::cli {

using json::Value;

KnixClient::KnixClient(std::string endpoint) : endpoint_(std::move(endpoint)) {
  if (!endpoint_.empty() && endpoint_.back() == '/') endpoint_.pop_back();
}

Status KnixClient::LogIn(const std::string& email, const std::string& password) {
  Value body = Value::MakeObject(
      {{"action", Value::String("logIn")},
       {"data", Value::MakeObject(
                    {{"user", Value::MakeObject({{"email", Value::String(email)},
                                                 {"password", Value::String(password)}})}})}});
  STATOR_TRY(Value data, Post(body, "logIn"));
  const Value* token = data.Find("token");
  if (token == nullptr || !token->is_string() || token->as_string().empty()) {
    return Error{kKnixProtocol, "logIn answered without a token"};
  }
  token_ = token->as_string();
  return Status::Ok();
}

Result<Value> KnixClient::Call(const std::string& action, json::Object fields) {
  fields.emplace(fields.begin(), "user", Value::MakeObject({{"token", Value::String(token_)}}));
  Value body = Value::MakeObject(
      {{"action", Value::String(action)}, {"data", Value::MakeObject(std::move(fields))}});
  return Post(body, action);
}

Result<Value> KnixClient::Post(const Value& body, const std::string& action) {
  // HttpCall takes "http://HOST:PORT" and a path: a path in the endpoint goes before
  // /management.
  std::string base = endpoint_, prefix;
  if (base.starts_with("http://")) {
    if (size_t slash = base.find('/', 7); slash != std::string::npos) {
      prefix = base.substr(slash);
      base.resize(slash);
    }
  }
  STATOR_TRY(HttpReply reply, HttpCall(base, "POST", prefix + "/management", body.Dump()));
  auto answer = json::Parse(reply.body);
  const Value* status = answer.ok() && answer->is_object() ? answer->Find("status") : nullptr;
  const Value* data = answer.ok() && answer->is_object() ? answer->Find("data") : nullptr;
  if (reply.status != 200 || status == nullptr || !status->is_string()) {
    return Error{kKnixProtocol, endpoint_ + " does not serve the KNIX management API (POST " +
                                    prefix + "/management answered HTTP " +
                                    std::to_string(reply.status) + ")"};
  }
  if (status->as_string() != "success") {
    std::string message = "(no message)";
    if (data != nullptr && data->is_object()) {
      if (const Value* m = data->Find("message"); m && m->is_string()) message = m->as_string();
    }
    return Error{kKnixFailure, action + ": " + message};
  }
  if (data == nullptr || !data->is_object()) {
    return Error{kKnixProtocol, action + " answered success without a data object"};
  }
  return *data;
}

}  // namespace stator::cli
