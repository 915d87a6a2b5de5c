#include "server/health.h"

#include <memory>

#include "common/json.h"

namespace stator::server {

api::Handler HealthHandler(std::vector<HealthCheck> checks, api::Handler other) {
  auto shared = std::make_shared<const std::vector<HealthCheck>>(std::move(checks));
  return [shared, other = std::move(other)](api::HttpRequest&& request, api::Responder respond) {
    if (request.target != "/health" || request.method != "GET") {
      return other(std::move(request), std::move(respond));
    }
    json::Object errors;
    for (const auto& [component, check] : *shared) {
      Status s = check();
      if (!s.ok()) errors.emplace_back(component, json::Value::String(s.error().cause));
    }
    api::HttpResponse response;
    response.content_type = "application/json";
    if (errors.empty()) {
      response.body = R"({"status":"ok"})";
    } else {
      response.status = 503;
      response.body =
          json::Value::MakeObject({{"status", json::Value::String("unhealthy")},
                                   {"errors", json::Value::MakeObject(std::move(errors))}})
              .Dump();
    }
    respond(std::move(response));
  };
}

}  // namespace stator::server
