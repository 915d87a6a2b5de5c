// HttpServer: the HTTP/1.1 front door of `stator serve` (Boost.Beast over Asio).
//
// One listening socket; every connection is served with keep-alive and pipelining-safe
// sequential request handling on a small pool of io threads (no thread per connection or per
// request). Each request is handed to the Handler with a Responder; the handler answers by
// calling the Responder exactly once, from any thread, now or later (so a request may wait for
// an execution without holding a thread). Bodies larger than body_limit get 413; malformed
// requests get 400; idle connections are closed after idle_timeout.
//
// Stop() is graceful: it stops accepting, closes idle connections, lets requests in flight be
// answered (and then closes their connections), and returns when all io threads have ended
// or `grace` has passed (remaining connections are then cut).
//
// Ownership: the server owns its io_context, threads and connections.
// Thread-safety: Start/Stop/port may be called from any thread; Stop is idempotent.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace stator::api {

struct HttpRequest {
  std::string method;  // "POST"
  std::string target;  // "/"
  std::string host;    // Host header ("sync-127.0.0.1:8080" for StartSyncExecution clients)
  std::vector<std::pair<std::string, std::string>> headers;  // all headers, names as sent
  std::string body;

  // The first header named `name` (case-insensitive), or "" when absent.
  std::string_view Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/x-amz-json-1.0";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

using Responder = std::function<void(HttpResponse)>;
using Handler = std::function<void(HttpRequest&&, Responder)>;

class HttpServer {
 public:
  // A request's body limit and the answer to a body over it.
  struct BodyLimit {
    size_t limit = 0;
    std::function<HttpResponse()> too_large;
  };

  struct Options {
    std::string host = "127.0.0.1";
    uint16_t port = 0;  // 0: an ephemeral port (see port())
    int threads = 2;
    size_t body_limit = 8 * 1024 * 1024;
    // Requests that may be larger (Lambda's code uploads): their limit and 413 answer, from the
    // request line; nullopt: body_limit and a generic 413. largest_body: the largest limit it
    // gives. Called on a connection's strand once a header is read, only for a body that is not
    // complete yet or over body_limit; must not block.
    std::function<std::optional<BodyLimit>(std::string_view method, std::string_view target)>
        body_limit_for;
    size_t largest_body = 0;
    std::chrono::seconds idle_timeout{120};
  };

  // Binds and starts serving. Errors: the address cannot be resolved or bound.
  static Result<std::unique_ptr<HttpServer>> Start(const Options& options, Handler handler);
  ~HttpServer();  // Stop()s

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;
  const std::string& host() const;

  void Stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace stator::api
