// The HTTP client of AppSync's HTTP data sources against raw local sockets: the request it
// writes, the answer it reads, refused connections, the total timeout, the body limit, and Stop
// failing what is under way.
#include "appsync/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>

namespace stator::appsync {
namespace {

// A listening socket on 127.0.0.1 and one thread that serves one connection with `serve`.
class Listener {
 public:
  explicit Listener(std::function<void(int fd)> serve) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 4), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, serve = std::move(serve)] {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      accepted_ = true;
      serve(c);
      ::close(c);
    });
  }
  ~Listener() {
    ::shutdown(fd_, SHUT_RDWR);  // ends an accept still waiting
    thread_.join();
    ::close(fd_);
  }
  uint16_t port() const { return port_; }
  bool accepted() const { return accepted_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> accepted_{false};
  std::thread thread_;
};

// Reads a request (head and a Content-Length body) from `fd`.
std::string ReadRequest(int fd) {
  std::string in;
  char buf[4096];
  while (true) {
    size_t head = in.find("\r\n\r\n");
    if (head != std::string::npos) {
      size_t length = 0;
      if (size_t cl = in.find("Content-Length: "); cl != std::string::npos && cl < head) {
        length = std::stoul(in.substr(cl + 16));
      }
      if (in.size() >= head + 4 + length) return in;
    }
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return in;
    in.append(buf, static_cast<size_t>(n));
  }
}

void WriteAll(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

// Waits until the peer closes (or 10 s pass).
void WaitForClose(int fd) {
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[256];
  while (::read(fd, buf, sizeof buf) > 0) {
  }
}

Result<HttpClient::Response> SendAndWait(HttpClient& client, HttpClient::Request request) {
  std::promise<Result<HttpClient::Response>> p;
  auto f = p.get_future();
  client.Send(std::move(request),
              [&p](Result<HttpClient::Response> r) { p.set_value(std::move(r)); });
  EXPECT_EQ(f.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  return f.get();
}

HttpClient::Request Get(uint16_t port, std::string target = "/") {
  HttpClient::Request r;
  r.method = "GET";
  r.host = "127.0.0.1";
  r.port = port;
  r.target = std::move(target);
  return r;
}

TEST(HttpClient, SendsTheRequestAndReadsTheAnswer) {
  std::promise<std::string> seen;
  Listener server([&seen](int fd) {
    seen.set_value(ReadRequest(fd));
    WriteAll(fd, "HTTP/1.1 418 I'm a teapot\r\nX-A: 1\r\nX-A: 2\r\nContent-Length: 5\r\n\r\nhello");
  });
  HttpClient client;
  HttpClient::Request request = Get(server.port(), "/p/q?x=1");
  request.method = "POST";
  request.headers = {{"X-Trace", "t1"}, {"Content-Type", "text/plain"}};
  request.body = "abc";
  auto r = SendAndWait(client, std::move(request));
  ASSERT_TRUE(r.ok()) << r.error().cause;
  EXPECT_EQ(r->status, 418);
  EXPECT_EQ(r->body, "hello");
  std::vector<std::pair<std::string, std::string>> want = {
      {"X-A", "1"}, {"X-A", "2"}, {"Content-Length", "5"}};
  EXPECT_EQ(r->headers, want);
  std::string text = seen.get_future().get();
  EXPECT_EQ(text.rfind("POST /p/q?x=1 HTTP/1.1\r\n", 0), 0u) << text;
  EXPECT_NE(text.find("\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\r\nX-Trace: t1\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\r\nContent-Length: 3\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\r\nConnection: close\r\n"), std::string::npos) << text;
  EXPECT_EQ(text.substr(text.size() - 7), "\r\n\r\nabc") << text;
}

TEST(HttpClient, ARefusedConnectionIsAnError) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);  // bound, never listened on: nothing answers there
  HttpClient client;
  auto r = SendAndWait(client, Get(ntohs(addr.sin_port)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().error, "HttpRequestException");
  EXPECT_EQ(r.error().cause, "Cannot connect to 127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) +
                                 ": Connection refused");
}

TEST(HttpClient, AnAnswerThatDoesNotComeTimesOut) {
  Listener server([](int fd) { WaitForClose(fd); });
  HttpClient::Options options;
  options.total_timeout = std::chrono::milliseconds(300);
  HttpClient client(options);
  auto r = SendAndWait(client, Get(server.port()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().error, "HttpRequestException");
  EXPECT_EQ(r.error().cause,
            "Request timed out after 300 ms: 127.0.0.1:" + std::to_string(server.port()));
}

TEST(HttpClient, AConnectionThatDoesNotOpenTimesOut) {
  // A listener whose accept queue is full: Linux drops further SYNs, so a connect waits.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 0), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    fillers.push_back(c);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  HttpClient::Options options;
  options.connect_timeout = std::chrono::milliseconds(300);
  HttpClient client(options);
  uint16_t port = ntohs(addr.sin_port);
  auto r = SendAndWait(client, Get(port));
  for (int c : fillers) ::close(c);
  ::close(fd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().cause,
            "Connection timed out after 300 ms: 127.0.0.1:" + std::to_string(port));
}

TEST(HttpClient, AnAnswerOverTheBodyLimitIsAnError) {
  Listener server([](int fd) {
    ReadRequest(fd);
    WriteAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x'));
  });
  HttpClient::Options options;
  options.body_limit = 10;
  HttpClient client(options);
  auto r = SendAndWait(client, Get(server.port()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().error, "HttpRequestException");
  EXPECT_NE(r.error().cause.find("Cannot read the response of 127.0.0.1:"), std::string::npos)
      << r.error().cause;
}

TEST(HttpClient, StopFailsWhatIsUnderWayAndWhatComesAfter) {
  Listener server([](int fd) { WaitForClose(fd); });
  HttpClient client;  // 30 s: only Stop ends the request
  std::atomic<bool> called{false};
  Result<HttpClient::Response> first = Error{"", ""};
  client.Send(Get(server.port()), [&](Result<HttpClient::Response> r) {
    first = std::move(r);
    called = true;
  });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server.accepted() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(server.accepted());
  client.Stop();
  ASSERT_TRUE(called);  // before Stop returned
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().cause, "stator is stopping: 127.0.0.1:" + std::to_string(server.port()));
  // After Stop: at once, on the caller's thread.
  std::thread::id on;
  Result<HttpClient::Response> later = Error{"", ""};
  client.Send(Get(server.port()), [&](Result<HttpClient::Response> r) {
    on = std::this_thread::get_id();
    later = std::move(r);
  });
  EXPECT_EQ(on, std::this_thread::get_id());
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error().error, "HttpRequestException");
  client.Stop();  // idempotent
}

}  // namespace
}  // namespace stator::appsync
