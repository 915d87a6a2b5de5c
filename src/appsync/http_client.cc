// The asynchronous HTTP/1.1 client of AppSync's HTTP data sources (http_client.h): one Op per
// request, alive while one of its handlers is pending, all of them on the client's io thread.
#include "appsync/http_client.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <thread>
#include <unordered_map>

#include "common/mutex.h"

namespace stator::appsync {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr char kErrorType[] = "HttpRequestException";

std::string Duration(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

}  // namespace

class HttpClient::Impl {
 public:
  explicit Impl(Options options)
      : options_(options), work_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}

  ~Impl() { Stop(); }

  void Send(Request request, Done done) EXCLUDES(mu_) {
    {
      MutexLock lock(&mu_);
      if (!stopped_) {
        auto op = std::make_shared<Op>(this, std::move(request), std::move(done));
        asio::post(io_, [op] { op->Start(); });
        return;
      }
    }
    done(Error{kErrorType, "stator is stopping: the request to " + request.host + ":" +
                               std::to_string(request.port) + " was not sent"});
  }

  void Stop() EXCLUDES(mu_) {
    {
      MutexLock lock(&mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    // Every Send that saw !stopped_ has posted its start already, before this.
    asio::post(io_, [this] {
      auto live = live_;  // Abort's handlers erase from live_ later, not now
      for (auto& [op, keep] : live) op->Abort("stator is stopping");
    });
    work_.reset();
    if (thread_.joinable()) thread_.join();
  }

 private:
  // One request, from resolving the host to the last byte of the answer. Touched only on the io
  // thread.
  class Op : public std::enable_shared_from_this<Op> {
   public:
    Op(Impl* impl, Request request, Done done)
        : impl_(impl),
          request_(std::move(request)),
          done_(std::move(done)),
          resolver_(impl->io_),
          stream_(impl->io_),
          deadline_(impl->io_) {}

    void Start() {
      impl_->live_.emplace(this, shared_from_this());
      bool v6 = request_.host.find(':') != std::string::npos;
      std::string host = v6 ? "[" + request_.host + "]" : request_.host;
      where_ = host + ":" + std::to_string(request_.port);
      http::verb verb = http::string_to_verb(request_.method);
      if (verb == http::verb::unknown) {
        return Finish(Error{kErrorType, "Unknown HTTP method " + request_.method});
      }
      message_ = http::request<http::string_body>(verb, request_.target, 11);
      for (const auto& [name, value] : request_.headers) message_.insert(name, value);
      message_.set(http::field::host, request_.port == 80 ? host : where_);
      message_.set(http::field::connection, "close");
      if (!request_.body.empty() || verb == http::verb::post || verb == http::verb::put ||
          verb == http::verb::patch) {
        message_.body() = std::move(request_.body);
        message_.prepare_payload();
      }
      deadline_.expires_after(impl_->options_.total_timeout);
      deadline_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (ec) return;  // cancelled: the request finished
        self->Abort("Request timed out after " + Duration(self->impl_->options_.total_timeout));
      });
      resolver_.async_resolve(
          request_.host, std::to_string(request_.port),
          [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
            self->OnResolve(ec, std::move(results));
          });
    }

    // Cancels what is pending; its handler then fails the request with `why`.
    void Abort(std::string why) {
      if (finished_) return;
      abort_reason_ = std::move(why);
      resolver_.cancel();
      stream_.cancel();
      beast::error_code ignored;
      stream_.socket().close(ignored);
    }

   private:
    void OnResolve(beast::error_code ec, tcp::resolver::results_type results) {
      if (ec) return Fail(ec, "Cannot resolve the host of " + where_);
      stream_.expires_after(impl_->options_.connect_timeout);
      stream_.async_connect(
          results, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
            self->OnConnect(ec);
          });
    }

    void OnConnect(beast::error_code ec) {
      if (ec == beast::error::timeout) {
        return Finish(Error{kErrorType, "Connection timed out after " +
                                            Duration(impl_->options_.connect_timeout) + ": " +
                                            where_});
      }
      if (ec) return Fail(ec, "Cannot connect to " + where_);
      stream_.expires_never();  // the deadline timer bounds the rest
      http::async_write(
          stream_, message_,
          [self = shared_from_this()](beast::error_code ec, size_t) { self->OnWrite(ec); });
    }

    void OnWrite(beast::error_code ec) {
      if (ec) return Fail(ec, "Cannot send the request to " + where_);
      parser_.emplace();
      parser_->body_limit(impl_->options_.body_limit);
      http::async_read(
          stream_, buffer_, *parser_,
          [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
    }

    void OnRead(beast::error_code ec) {
      if (ec) return Fail(ec, "Cannot read the response of " + where_);
      http::response<http::string_body> answer = parser_->release();
      Response r;
      r.status = static_cast<int>(answer.result_int());
      for (const auto& field : answer) {
        r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      r.body = std::move(answer.body());
      Finish(std::move(r));
    }

    void Fail(beast::error_code ec, const std::string& what) {
      if (!abort_reason_.empty()) return Finish(Error{kErrorType, abort_reason_ + ": " + where_});
      Finish(Error{kErrorType, what + ": " + ec.message()});
    }

    void Finish(Result<Response> result) {
      if (finished_) return;
      finished_ = true;
      deadline_.cancel();
      resolver_.cancel();
      beast::error_code ignored;
      stream_.socket().close(ignored);
      std::shared_ptr<Op> self = shared_from_this();
      impl_->live_.erase(this);
      Done done = std::move(done_);
      done(std::move(result));
    }

    Impl* const impl_;
    Request request_;
    Done done_;
    std::string where_;  // host:port, for messages
    tcp::resolver resolver_;
    beast::tcp_stream stream_;
    asio::steady_timer deadline_;
    http::request<http::string_body> message_;
    beast::flat_buffer buffer_;
    std::optional<http::response_parser<http::string_body>> parser_;
    std::string abort_reason_;  // set by Abort
    bool finished_ = false;
  };

  const Options options_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  // The requests under way, kept alive until they finish; touched only on the io thread.
  std::unordered_map<Op*, std::shared_ptr<Op>> live_;
  Mutex mu_;
  bool stopped_ GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: started once everything above exists
};

HttpClient::HttpClient(Options options) : impl_(std::make_unique<Impl>(options)) {}

HttpClient::~HttpClient() = default;

void HttpClient::Send(Request request, Done done) {
  impl_->Send(std::move(request), std::move(done));
}

void HttpClient::Stop() { impl_->Stop(); }

}  // namespace stator::appsync
