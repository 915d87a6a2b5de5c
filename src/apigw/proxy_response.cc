#include "apigw/proxy_response.h"

#include <algorithm>
#include <cctype>

#include "common/base64.h"
#include "common/json.h"

namespace stator::apigw {
namespace {

using json::Value;

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string Text(const Value& v) {
  if (v.is_string()) return v.as_string();
  if (v.is_null()) return "";
  return v.Dump();
}

api::HttpResponse Malformed(PayloadVersion version) {
  return GatewayAnswer(
      502, version == PayloadVersion::k1 ? "Internal server error" : "Internal Server Error");
}

void AddHeader(api::HttpResponse* out, const std::string& name, const std::string& value) {
  if (SameName(name, "content-type")) {
    out->content_type = value;
    return;
  }
  if (SameName(name, "content-length") || SameName(name, "connection") ||
      SameName(name, "transfer-encoding")) {
    return;  // the server's own framing
  }
  out->headers.emplace_back(name, value);
}

}  // namespace

api::HttpResponse GatewayAnswer(int status, const std::string& message) {
  api::HttpResponse out;
  out.status = status;
  out.content_type = "application/json";
  out.body = Value::MakeObject({{"message", Value::String(message)}}).Dump();
  return out;
}

api::HttpResponse MapLambdaResult(const api::HttpResponse& invoke, PayloadVersion version) {
  if (invoke.status != 200) return GatewayAnswer(500, "Internal Server Error");
  for (const auto& [k, v] : invoke.headers) {
    if (SameName(k, "X-Amz-Function-Error")) return Malformed(version);
  }
  auto parsed = json::Parse(invoke.body);
  bool structured = parsed.ok() && parsed->is_object() && parsed->Find("statusCode") != nullptr;
  if (!structured) {
    if (version == PayloadVersion::k1 || !parsed.ok()) return Malformed(version);
    api::HttpResponse out;
    out.status = 200;
    out.content_type = "application/json";
    out.body = invoke.body;
    return out;
  }
  const Value& result = *parsed;
  const Value& code = *result.Find("statusCode");
  int64_t status = 0;
  if (code.is_int()) {
    status = code.as_int();
  } else if (code.is_string() && !code.as_string().empty() &&
             std::all_of(code.as_string().begin(), code.as_string().end(),
                         [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) &&
             code.as_string().size() <= 3) {
    status = std::stoll(code.as_string());
  }
  if (status < 100 || status > 599) return Malformed(version);
  api::HttpResponse out;
  out.status = static_cast<int>(status);
  out.content_type = "application/json";
  if (const Value* h = result.Find("headers"); h && !h->is_null()) {
    if (!h->is_object()) return Malformed(version);
    for (const auto& [k, v] : h->as_object()) AddHeader(&out, k, Text(v));
  }
  if (const Value* h = result.Find("multiValueHeaders"); h && !h->is_null()) {
    if (!h->is_object()) return Malformed(version);
    for (const auto& [k, vs] : h->as_object()) {
      if (!vs.is_array()) return Malformed(version);
      for (const Value& v : vs.as_array()) AddHeader(&out, k, Text(v));
    }
  }
  if (const Value* c = result.Find("cookies");
      c && version == PayloadVersion::k2 && !c->is_null()) {
    if (!c->is_array()) return Malformed(version);
    for (const Value& v : c->as_array()) out.headers.emplace_back("Set-Cookie", Text(v));
  }
  std::string body;
  if (const Value* b = result.Find("body"); b && !b->is_null()) {
    if (!b->is_string() && version == PayloadVersion::k1) return Malformed(version);
    body = Text(*b);
  }
  const Value* b64 = result.Find("isBase64Encoded");
  if (b64 && b64->is_bool() && b64->as_bool()) {
    auto decoded = Base64Decode(body);
    if (!decoded.ok()) return Malformed(version);
    body = std::move(*decoded);
  }
  out.body = std::move(body);
  return out;
}

}  // namespace stator::apigw
