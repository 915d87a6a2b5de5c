#include "api/http_server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <thread>
#include <unordered_map>

#include "common/mutex.h"
#include "common/thread_annotations.h"

namespace stator::api {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string_view HttpRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (IEquals(k, name)) return v;
  }
  return {};
}

class Session;

class HttpServer::Impl {
 public:
  Impl(const Options& o, Handler h) : options_(o), handler_(std::move(h)), acceptor_(ioc_) {}

  Status Listen();
  void Run() EXCLUDES(mu_);
  void Stop(std::chrono::milliseconds grace) EXCLUDES(mu_);

  void Register(const std::shared_ptr<Session>& s) EXCLUDES(mu_);
  void Unregister(Session* s) EXCLUDES(mu_);

  Options options_;
  Handler handler_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};

 private:
  void Accept();

  std::vector<std::thread> threads_;
  Mutex mu_;
  CondVar cv_;  // running_ went down
  int running_ GUARDED_BY(mu_) = 0;
  bool stopped_ GUARDED_BY(mu_) = false;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_ GUARDED_BY(mu_);
};

// One connection. All of its members are used only on its strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl* server)
      : stream_(std::move(socket)), server_(server) {}
  ~Session() { server_->Unregister(this); }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

  // Called from any thread when the server stops: on the strand, an idle connection is
  // closed now; a busy one closes after its response.
  void PostStop() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->Close();
    });
  }

 private:
  void Read() {
    if (server_->stopping_) return Close();
    parser_.emplace();
    // The parser takes bodies up to the largest limit any request may have; once the header
    // is in, the request's own limit applies (ReadMore). With eager parsing a small request
    // is header and body in one step; a second asynchronous step per request cost ~9% of
    // requests/s under wrk.
    parser_->body_limit(std::max(server_->options_.body_limit, server_->options_.largest_body));
    parser_->header_limit(64 * 1024);
    parser_->eager(true);
    stream_.expires_after(server_->options_.idle_timeout);
    ReadMore();
  }

  void ReadMore() {
    http::async_read_some(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnSome(ec); });
  }

  void OnSome(beast::error_code ec) {
    if (ec) return OnRead(ec);
    if (!parser_->is_header_done()) return ReadMore();
    // A body over the request's limit is refused as soon as its length is known.
    const auto& req = parser_->get();
    size_t limit = server_->options_.body_limit;
    std::function<HttpResponse()> answer;
    const uint64_t length = parser_->content_length().value_or(0);
    if ((length > limit || !parser_->is_done()) && server_->options_.body_limit_for) {
      if (auto special = server_->options_.body_limit_for(req.method_string(), req.target())) {
        limit = special->limit;
        answer = std::move(special->too_large);
      }
    }
    if (length > limit) return TooLarge(std::move(answer));
    if (parser_->is_done()) return OnRead({});
    parser_->body_limit(limit);  // a chunked body is checked as it arrives
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  // The answer to a body over its limit: the route's own, or a generic 413.
  void TooLarge(std::function<HttpResponse()> answer) {
    keep_alive_ = false;
    if (answer) return Write(answer());
    Write(HttpResponse{413,
                       "application/x-amz-json-1.0",
                       {},
                       R"({"__type":"com.amazon.coral.service#RequestEntityTooLarge",)"
                       R"("message":"Request entity too large"})"});
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      // Over the largest limit: the request line says whose 413 it is.
      const auto& req = parser_->get();
      std::function<HttpResponse()> answer;
      if (server_->options_.body_limit_for) {
        if (auto special = server_->options_.body_limit_for(req.method_string(), req.target())) {
          answer = std::move(special->too_large);
        }
      }
      return TooLarge(std::move(answer));
    }
    if (ec) {
      if (&ec.category() == &http::make_error_code(http::error::bad_method).category() &&
          ec != http::error::end_of_stream && ec != http::error::partial_message) {
        keep_alive_ = false;
        return Write(HttpResponse{400, "text/plain", {}, "Bad Request"});
      }
      return Close();
    }
    auto& req = parser_->get();
    busy_ = true;
    stream_.expires_never();
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    HttpRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.host = std::string(req[http::field::host]);
    r.headers.reserve(16);
    for (const auto& f : req) r.headers.emplace_back(f.name_string(), f.value());
    r.body = std::move(req.body());
    // An answer given on the connection's strand (the handler answered at once) is written
    // right away; one from another thread is posted to the strand.
    server_->handler_(std::move(r), [self = shared_from_this()](HttpResponse resp) {
      net::dispatch(self->stream_.get_executor(),
                    [self, resp = std::move(resp)]() mutable { self->Write(std::move(resp)); });
    });
  }

  void Write(HttpResponse r) {
    res_ = {};
    res_.version(version_);
    res_.result(static_cast<http::status>(r.status));
    res_.set(http::field::server, "stator");
    res_.set(http::field::content_type, r.content_type);
    // insert, not set: a header may repeat (API Gateway's mapped Set-Cookie, multiValueHeaders).
    for (auto& [k, v] : r.headers) res_.insert(k, v);
    res_.body() = std::move(r.body);
    res_.keep_alive(keep_alive_ && !server_->stopping_);
    res_.prepare_payload();
    stream_.expires_after(std::chrono::seconds(60));
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->busy_ = false;
      if (ec || !self->res_.keep_alive()) return self->Close();
      self->Read();
    });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  HttpServer::Impl* server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool busy_ = false;
};

Status HttpServer::Impl::Listen() {
  beast::error_code ec;
  net::ip::address address = net::ip::make_address(options_.host, ec);
  if (ec) {
    tcp::resolver resolver(ioc_);
    auto results = resolver.resolve(options_.host, std::to_string(options_.port), ec);
    if (ec || results.empty()) {
      return Error{"ServeError", "cannot resolve host '" + options_.host + "': " + ec.message()};
    }
    address = results.begin()->endpoint().address();
  }
  tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error{"ServeError", "cannot listen on " + options_.host + ":" +
                                   std::to_string(options_.port) + ": " + ec.message()};
  }
  port_ = acceptor_.local_endpoint().port();
  return Status::Ok();
}

void HttpServer::Impl::Accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec && !stopping_) {
      s.set_option(tcp::no_delay(true), ec);
      auto session = std::make_shared<Session>(std::move(s), this);
      Register(session);
      session->Start();
    }
    Accept();
  });
}

void HttpServer::Impl::Run() {
  Accept();
  int n = std::max(1, options_.threads);
  {
    MutexLock lock(&mu_);
    running_ = n;
  }
  for (int i = 0; i < n; ++i) {
    threads_.emplace_back([this] {
      ioc_.run();
      MutexLock lock(&mu_);
      --running_;
      cv_.SignalAll();
    });
  }
}

void HttpServer::Impl::Register(const std::shared_ptr<Session>& s) {
  MutexLock lock(&mu_);
  sessions_.emplace(s.get(), s);
}

void HttpServer::Impl::Unregister(Session* s) {
  MutexLock lock(&mu_);
  sessions_.erase(s);
}

void HttpServer::Impl::Stop(std::chrono::milliseconds grace) {
  {
    MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  stopping_ = true;
  net::post(ioc_, [this] {
    beast::error_code ec;
    acceptor_.close(ec);
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    MutexLock lock(&mu_);
    for (auto& [p, w] : sessions_) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->PostStop();
  live.clear();
  {
    MutexLock lock(&mu_);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (running_ != 0) {
      if (!cv_.WaitUntil(&mu_, deadline)) break;
    }
    if (running_ != 0) {
      lock.Unlock();
      ioc_.stop();
    }
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { Stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const Options& options, Handler handler) {
  auto impl = std::make_unique<Impl>(options, std::move(handler));
  STATOR_RETURN_IF_ERROR(impl->Listen());
  impl->Run();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const { return impl_->port_; }
const std::string& HttpServer::host() const { return impl_->options_.host; }
void HttpServer::Stop(std::chrono::milliseconds grace) { impl_->Stop(grace); }

}  // namespace stator::api
