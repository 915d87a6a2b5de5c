#include "api/dynamodb_routes.h"

#include <atomic>
#include <string>

namespace stator::api {

Handler DynamoDbHandler(dynamodb::Service* service) {
  return [service](HttpRequest&& request, Responder respond) {
    static std::atomic<uint64_t> counter{0};
    // Answered from the completion: at once, or on the DynamoDB writer thread once the writes
    // this request made or could have seen are durable; the io thread does not wait for it.
    service->HandleHttpAsync(
        request.Header("X-Amz-Target"), request.body,
        [respond = std::move(respond)](dynamodb::Service::HttpReply reply) {
          HttpResponse response;
          response.status = reply.status;
          response.content_type = "application/x-amz-json-1.0";
          response.headers.emplace_back("x-amz-crc32", std::to_string(reply.crc32));
          response.headers.emplace_back("x-amzn-RequestId",
                                        "STATORDDB" + std::to_string(counter.fetch_add(1) + 1));
          response.body = std::move(reply.body);
          respond(std::move(response));
        });
  };
}

}  // namespace stator::api
