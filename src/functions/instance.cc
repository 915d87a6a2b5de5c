#include "functions/instance.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace stator::functions {
namespace {

Error SystemError(const std::string& what) {
  return Error{"ServiceException",
               "cannot start an instance of the function: " + what + ": " + strerror(errno)};
}

}  // namespace

Result<std::unique_ptr<Instance>> Instance::Create(uint64_t id, void* owner) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return SystemError("socketpair");
  UniqueFd ours(sv[0]), theirs(sv[1]);
  int flags = fcntl(ours.get(), F_GETFL);
  if (flags < 0 || fcntl(ours.get(), F_SETFL, flags | O_NONBLOCK) != 0) {
    return SystemError("fcntl");
  }
  auto log = InvocationLog::Create("stator-log");
  if (!log.ok()) {
    return Error{"ServiceException",
                 "cannot start an instance of the function: " + log.error().cause};
  }
  return std::unique_ptr<Instance>(
      new Instance(id, owner, std::move(ours), std::move(theirs), std::move(*log)));
}

ssize_t Instance::Receive(char* buf, size_t size) {
  if (pidfd_.valid()) return recv(socket_.get(), buf, size, MSG_DONTWAIT);
  char cbuf[CMSG_SPACE(sizeof(int) * 4)];
  iovec iov{buf, size};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof cbuf;
  ssize_t n = recvmsg(socket_.get(), &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  if (n <= 0) return n;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    int fds[4];
    memcpy(fds, CMSG_DATA(c), count * sizeof(int));
    for (size_t i = 0; i < count; ++i) {
      UniqueFd fd(fds[i]);
      if (!pidfd_.valid()) pidfd_ = std::move(fd);  // the rest are closed
    }
  }
  return n;
}

Instance::Write Instance::Flush() {
  while (out_off_ < out_.size()) {
    ssize_t n = send(socket_.get(), out_.data() + out_off_, out_.size() - out_off_,
                     MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Write::kBlocked;
    if (n < 0) return Write::kFailed;
    out_off_ += static_cast<size_t>(n);
  }
  out_.clear();
  out_off_ = 0;
  return Write::kDone;
}

void Instance::Kill() {
  // Fails only when the process has already been reaped: nothing left to kill.
  if (pidfd_.valid()) syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0);
}

}  // namespace stator::functions
