#include "cli/http_client.h"

#include <netdb.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace stator::cli {
namespace {

Error Conn(std::string why) { return Error{"Connection", std::move(why)}; }

}  // namespace

std::string HttpReply::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  }
  return "";
}

Result<HttpReply> HttpCall(const std::string& endpoint, const std::string& method,
                           const std::string& path, const std::string& body,
                           const std::vector<std::pair<std::string, std::string>>& headers) {
  if (!endpoint.starts_with("http://")) {
    return Conn("endpoint '" + endpoint + "' must start with http://");
  }
  std::string hostport = endpoint.substr(7);
  while (!hostport.empty() && hostport.back() == '/') hostport.pop_back();
  std::string host = hostport, port = "80";
  if (size_t colon = hostport.rfind(':');
      colon != std::string::npos && hostport.find(']', colon) == std::string::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
  }
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || res == nullptr) {
    return Conn("cannot resolve " + hostport);
  }
  int fd = -1;
  for (addrinfo* a = res; a; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) return Conn("cannot connect to " + endpoint + ": " + strerror(errno));
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: " + hostport +
                    "\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\n";
  bool has_type = false;
  for (const auto& [k, v] : headers) {
    req += k + ": " + v + "\r\n";
    if (strcasecmp(k.c_str(), "Content-Type") == 0) has_type = true;
  }
  if (!has_type) req += "Content-Type: application/json\r\n";
  req += "\r\n";
  req += body;
  size_t off = 0;
  while (off < req.size()) {
    ssize_t n = send(fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(fd);
      return Conn("cannot send to " + endpoint);
    }
    off += static_cast<size_t>(n);
  }
  std::string in;
  char buf[65536];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    in.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  size_t end = in.find("\r\n\r\n");
  if (end == std::string::npos || !in.starts_with("HTTP/1.")) {
    return Conn("malformed answer from " + endpoint);
  }
  HttpReply r;
  r.status = atoi(in.c_str() + 9);
  size_t line = in.find("\r\n") + 2;
  while (line < end) {
    size_t next = in.find("\r\n", line);
    std::string h = in.substr(line, next - line);
    if (size_t colon = h.find(':'); colon != std::string::npos) {
      std::string v = h.substr(colon + 1);
      while (!v.empty() && v.front() == ' ') v.erase(0, 1);
      r.headers.emplace_back(h.substr(0, colon), v);
    }
    line = next + 2;
  }
  r.body = in.substr(end + 4);
  std::string len = r.Header("Content-Length");
  if (!len.empty() && r.body.size() > static_cast<size_t>(atoll(len.c_str()))) {
    r.body.resize(static_cast<size_t>(atoll(len.c_str())));
  }
  return r;
}

}  // namespace stator::cli
