#include "functions/reactor.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace stator::functions {
namespace {

constexpr Reactor::Token kWakeToken = 0;
constexpr uint32_t kReadable = EPOLLIN | EPOLLRDHUP;

Error SystemError(const std::string& what) {
  return Error{"ServiceException", what + ": " + strerror(errno)};
}

}  // namespace

Result<Reactor> Reactor::Create() {
  Reactor r;
  r.epoll_.Reset(epoll_create1(EPOLL_CLOEXEC));
  if (!r.epoll_.valid()) return SystemError("epoll_create1");
  r.wake_.Reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!r.wake_.valid()) return SystemError("eventfd");
  STATOR_RETURN_IF_ERROR(r.Control(EPOLL_CTL_ADD, r.wake_.get(), kWakeToken, EPOLLIN));
  return r;
}

Status Reactor::Control(int op, int fd, Token token, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = token;
  if (epoll_ctl(epoll_.get(), op, fd, &ev) != 0) return SystemError("epoll_ctl");
  return Status::Ok();
}

Result<Reactor::Token> Reactor::Add(int fd, Watch watch) {
  Token token = next_token_++;
  STATOR_RETURN_IF_ERROR(Control(EPOLL_CTL_ADD, fd, token, kReadable));
  watches_.emplace(token, watch);
  return token;
}

Status Reactor::SetWritable(int fd, Token token, bool writable) {
  return Control(EPOLL_CTL_MOD, fd, token, writable ? kReadable | EPOLLOUT : kReadable);
}

Status Reactor::Remove(int fd, Token token) {
  if (token == kWakeToken) return Status::Ok();
  watches_.erase(token);
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr) != 0) return SystemError("epoll_ctl");
  return Status::Ok();
}

int Reactor::Wait(epoll_event* events, int max, int timeout_ms) {
  int n = epoll_wait(epoll_.get(), events, max, timeout_ms);
  if (n < 0) return 0;  // EINTR: the caller's loop comes back
  for (int i = 0; i < n; ++i) {
    if (events[i].data.u64 != kWakeToken) continue;
    uint64_t count;
    // Non-blocking: EAGAIN when another event of this batch already drained it.
    while (read(wake_.get(), &count, sizeof count) < 0 && errno == EINTR) {
    }
  }
  return n;
}

std::optional<Reactor::Watch> Reactor::Find(const epoll_event& event) const {
  // A copy: epoll_event is packed on x86-64, so its data.u64 may be misaligned, and find()
  // would bind a reference to it (undefined behaviour; UBSan reports it).
  const uint64_t token = event.data.u64;
  auto it = watches_.find(token);
  if (it == watches_.end()) return std::nullopt;
  return it->second;
}

void Reactor::Wake() {
  uint64_t one = 1;
  // Fails only when the counter is at its maximum: the reactor is woken then anyway.
  while (write(wake_.get(), &one, sizeof one) < 0 && errno == EINTR) {
  }
}

}  // namespace stator::functions
