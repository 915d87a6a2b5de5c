// Dispatch: picks the service that answers an HTTP request on the one port `stator serve`
// listens on. Every AWS protocol stator speaks shares that port, as the AWS SDKs expect when
// they are given one endpoint URL for all services:
//   - AWS JSON services by their X-Amz-Target prefix ("AWSStepFunctions", "DynamoDB_20120810"),
//   - REST services by a path prefix ("/2015-03-31/functions" for Lambda),
//   - other requests by a predicate of the whole request (IAM and STS: the AWS Query protocol,
//     a form-urlencoded POST to "/"), tried after the path prefixes,
//   - anything else goes to the fallback handler.
//
// Thread-safety: add routes before serving; Handle may then be called from any thread.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "api/http_server.h"

namespace stator::api {

class Dispatch {
 public:
  // Requests whose X-Amz-Target is "<prefix>.<Operation>".
  void AddTargetPrefix(std::string prefix, Handler handler);
  // Requests (without an X-Amz-Target) whose path starts with `prefix`.
  void AddPathPrefix(std::string prefix, Handler handler);
  // Requests (without an X-Amz-Target, matching no path prefix) for which `matches` is true.
  void AddMatcher(std::function<bool(const HttpRequest&)> matches, Handler handler);
  void SetFallback(Handler handler);

  void Handle(HttpRequest&& request, Responder respond) const;

 private:
  std::vector<std::pair<std::string, Handler>> targets_;
  std::vector<std::pair<std::string, Handler>> paths_;
  std::vector<std::pair<std::function<bool(const HttpRequest&)>, Handler>> matchers_;
  Handler fallback_;
};

}  // namespace stator::api
