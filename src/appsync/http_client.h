// An asynchronous HTTP/1.1 client (plain http://, no TLS) for AppSync's HTTP data sources: one
// request per connection ("Connection: close"), run on the client's own io thread with Boost.Beast,
// so no caller's thread waits and no thread is made per request. Each request has a connect
// timeout and a total timeout; when either passes, or the connection fails, the completion gets
// an Error instead of a response (error code "HttpRequestException").
//
// Ownership: the client owns its io_context and its one thread. Stop (or the destructor) fails
// every request still under way and runs their completions (on the io thread) before it returns;
// a Send after Stop completes at once, on the caller's thread, with an Error.
// Thread-safety: Send and Stop may be called from any thread, concurrently; Stop is idempotent.
// Completions run on the io thread (or the caller's, after Stop) and may call Send again.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace stator::appsync {

class HttpClient {
 public:
  struct Options {
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds total_timeout{30'000};  // from Send to the last byte of the answer
    size_t body_limit = 10 * 1024 * 1024;             // a longer answer is an error
  };
  struct Request {
    std::string method;  // "GET", "POST", ...
    std::string host;    // a name or an address; connected to as given, nothing else
    uint16_t port = 80;
    std::string target;  // path and query, e.g. "/things?id=1"
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
  };
  struct Response {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;  // in the order received
    std::string body;
  };
  using Done = std::function<void(Result<Response>)>;

  HttpClient() : HttpClient(Options()) {}
  explicit HttpClient(Options options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request`; `done` is called exactly once.
  void Send(Request request, Done done);

  // Fails the requests under way (their completions run before this returns) and ends the
  // io thread. Must not be called from a completion.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace stator::appsync
