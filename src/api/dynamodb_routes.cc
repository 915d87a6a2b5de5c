#include "api/dynamodb_routes.h"

#include <atomic>
#include <string>

namespace stator::api {

Handler DynamoDbHandler(dynamodb::Service* service) {
  return [service](HttpRequest&& request, Responder respond) {
    static std::atomic<uint64_t> counter{0};
    dynamodb::Service::HttpReply reply =
        service->HandleHttp(request.Header("X-Amz-Target"), request.body);
    HttpResponse response;
    response.status = reply.status;
    response.content_type = "application/x-amz-json-1.0";
    response.headers.emplace_back("x-amz-crc32", std::to_string(reply.crc32));
    response.headers.emplace_back("x-amzn-RequestId",
                                  "STATORDDB" + std::to_string(counter.fetch_add(1) + 1));
    response.body = std::move(reply.body);
    respond(std::move(response));
  };
}

}  // namespace stator::api
