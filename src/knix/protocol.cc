#include "knix/protocol.h"

namespace stator::knix {

json::Value Data(std::string message, json::Object rest) {
  json::Object data;
  data.reserve(rest.size() + 1);
  data.emplace_back("message", json::Value::String(std::move(message)));
  for (auto& member : rest) {
    if (member.first != "message") data.push_back(std::move(member));
  }
  return json::Value::MakeObject(std::move(data));
}

std::string Envelope(const ActionResult& result) {
  json::Object body;
  if (result.ok()) {
    body.emplace_back("status", json::Value::String("success"));
    body.emplace_back("data", result.value());
  } else {
    body.emplace_back("status", json::Value::String("failure"));
    body.emplace_back("data", Data(result.error().message));
  }
  return json::Value::MakeObject(std::move(body)).Dump();
}

api::HttpResponse ManagementResponse(const ActionResult& result) {
  api::HttpResponse r;
  r.status = 200;
  r.content_type = "application/json";
  r.body = Envelope(result);
  return r;
}

}  // namespace stator::knix
