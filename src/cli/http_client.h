// A minimal HTTP/1.1 client for the CLI commands that talk to a running `stator serve`
// (`stator function ...`): one request per connection, Content-Length bodies, http:// only.
//
// Thread-safety: pure functions (each call opens its own connection).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace stator::cli {

struct HttpReply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string Header(const std::string& name) const;  // case-insensitive; "" when absent
};

// endpoint: "http://HOST:PORT"; path starts with '/'. Errors: bad endpoint, connection or
// protocol failures (error "Connection").
Result<HttpReply> HttpCall(const std::string& endpoint, const std::string& method,
                           const std::string& path, const std::string& body,
                           const std::vector<std::pair<std::string, std::string>>& headers = {});

}  // namespace stator::cli
