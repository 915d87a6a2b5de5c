#include "functions/network_channel.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "common/json.h"
#include "common/unique_fd.h"
#include "functions/frame.h"

namespace stator::functions {
namespace {

// A TCP socket connecting (non-blocking, TCP_NODELAY) to upstream, or the reason there is none.
Result<UniqueFd> ConnectUpstream(const Upstream& upstream) {
  UniqueFd fd(socket(upstream.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Error{"socket", strerror(errno)};
  int one = 1;
  if (setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
    return Error{"setsockopt", strerror(errno)};
  }
  if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&upstream.address), upstream.length) !=
          0 &&
      errno != EINPROGRESS) {
    return Error{"connect", strerror(errno)};
  }
  return fd;
}

// Sends the answer to request `id` (with the socket attached when there is one). An answer the
// relay does not take (its buffer full, or it is gone) is dropped.
void Answer(int channel, int64_t id, const Result<UniqueFd>& socket) {
  std::string error = "null";
  if (!socket.ok()) {
    error.clear();
    json::AppendQuoted(socket.error().error + ": " + socket.error().cause, &error);
  }
  std::string frame =
      EncodeFrame('C', "{\"id\":" + std::to_string(id) + ",\"error\":" + error + "}", "");
  iovec iov{frame.data(), frame.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  char cbuf[CMSG_SPACE(sizeof(int))];
  memset(cbuf, 0, sizeof cbuf);
  if (socket.ok()) {
    int fd = socket->get();
    msg.msg_control = cbuf;
    msg.msg_controllen = sizeof cbuf;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
  }
  ssize_t sent;
  do {
    sent = sendmsg(channel, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  // sent < 0: dropped (documented above); the relay's connection waits until it gives up.
}

}  // namespace

Result<Upstream> ResolveEndpoint(const std::string& endpoint) {
  std::string_view rest = endpoint;
  if (rest.starts_with("http://")) rest.remove_prefix(7);
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
  std::string host, port;
  if (rest.starts_with("[")) {
    size_t close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':') {
      return Error{"InvalidEndpoint", endpoint};
    }
    host = std::string(rest.substr(1, close - 1));
    port = std::string(rest.substr(close + 2));
  } else {
    size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos) return Error{"InvalidEndpoint", endpoint};
    host = std::string(rest.substr(0, colon));
    port = std::string(rest.substr(colon + 1));
  }
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || res == nullptr) {
    return Error{"InvalidEndpoint", "cannot resolve " + endpoint};
  }
  Upstream out;
  memcpy(&out.address, res->ai_addr, res->ai_addrlen);
  out.length = res->ai_addrlen;
  freeaddrinfo(res);
  out.port = ntohs(out.address.ss_family == AF_INET6
                       ? reinterpret_cast<const sockaddr_in6*>(&out.address)->sin6_port
                       : reinterpret_cast<const sockaddr_in*>(&out.address)->sin_port);
  return out;
}

bool AnswerNetworkRequests(int channel, const Upstream& upstream) {
  for (int i = 0; i < kNetworkRequestsPerWake; ++i) {
    char buf[512];
    ssize_t n = recv(channel, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    if (n <= 0) return false;  // the relay is gone (or the channel failed)
    auto f = DecodeFrame(std::string_view(buf, static_cast<size_t>(n)));
    if (!f.ok() || f->type != 'C') continue;
    auto h = json::Parse(f->header);
    if (!h.ok() || !h->is_object()) continue;
    const json::Value* id = h->Find("id");
    if (id == nullptr || !id->is_int()) continue;
    Answer(channel, id->as_int(), ConnectUpstream(upstream));
  }
  return true;
}

}  // namespace stator::functions
