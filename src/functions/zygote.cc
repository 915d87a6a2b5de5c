#include "functions/zygote.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

#include "common/json.h"
#include "functions/frame.h"

namespace stator::functions {
namespace {

Error SystemError(const std::string& what, int err = errno) {
  return Error{"ServiceException",
               "cannot start the function's runtime: " + what + ": " + strerror(err)};
}

Status SetNonBlocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return SystemError("fcntl");
  return Status::Ok();
}

// fd itself when it is at least `min`, else a close-on-exec duplicate at or above it (fd is
// closed): the child's descriptors are set with dup2 onto low numbers, which must not clobber
// the source of a later one.
Result<UniqueFd> AtLeast(UniqueFd fd, int min) {
  if (fd.get() >= min) return fd;
  UniqueFd high(fcntl(fd.get(), F_DUPFD_CLOEXEC, min));
  if (!high.valid()) return SystemError("fcntl(F_DUPFD_CLOEXEC)");
  return high;
}

// A socket pair (SOCK_SEQPACKET, close-on-exec): the server's end, and the child's end at
// descriptor 5 or above.
Result<std::pair<UniqueFd, UniqueFd>> ChildSocketPair() {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    return SystemError("socketpair");
  }
  UniqueFd ours(sv[0]);
  STATOR_TRY(UniqueFd theirs, AtLeast(UniqueFd(sv[1]), 5));
  STATOR_RETURN_IF_ERROR(SetNonBlocking(ours.get()));
  return std::make_pair(std::move(ours), std::move(theirs));
}

// posix_spawn's file actions and attributes, destroyed with it; each call's result checked.
class SpawnSetup {
 public:
  SpawnSetup() {
    actions_ok_ = posix_spawn_file_actions_init(&actions_) == 0;
    attr_ok_ = posix_spawnattr_init(&attr_) == 0;
    if (!actions_ok_ || !attr_ok_) rc_ = ENOMEM;
  }
  ~SpawnSetup() {
    if (actions_ok_) posix_spawn_file_actions_destroy(&actions_);
    if (attr_ok_) posix_spawnattr_destroy(&attr_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  // Records the first failure; later calls are skipped.
  void Check(int rc) {
    if (rc_ == 0) rc_ = rc;
  }
  int rc() const { return rc_; }
  posix_spawn_file_actions_t* actions() { return &actions_; }
  posix_spawnattr_t* attr() { return &attr_; }

 private:
  posix_spawn_file_actions_t actions_;
  posix_spawnattr_t attr_;
  bool actions_ok_ = false;
  bool attr_ok_ = false;
  int rc_ = 0;
};

}  // namespace

std::vector<std::string> ZygoteEnvironment(const FunctionConfig& c, const EnvironmentSettings& s) {
  const std::string& root = s.task_root;
  std::vector<std::pair<std::string, std::string>> env = {
      {"PATH", "/usr/local/bin:/usr/bin:/bin"},
      {"LANG", "C.UTF-8"},
      {"TZ", ":UTC"},
      {"HOME", "/tmp"},
      {"PYTHONDONTWRITEBYTECODE", "1"},
      {"MALLOC_ARENA_MAX", "2"},
      // In the sandbox the relay answers on loopback at the server's port (whatever address
      // the server listens on).
      {"AWS_ENDPOINT_URL",
       s.relay_port > 0 ? "http://127.0.0.1:" + std::to_string(s.relay_port) : s.endpoint},
      {"AWS_REGION", s.region},
      {"AWS_DEFAULT_REGION", s.region},
      {"AWS_ACCESS_KEY_ID", "stator"},
      {"AWS_SECRET_ACCESS_KEY", "stator"},
      {"AWS_SESSION_TOKEN", "stator"},
      {"AWS_LAMBDA_FUNCTION_NAME", c.name},
      {"AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"},
      {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", std::to_string(c.memory_mb)},
      {"AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + c.name},
      {"AWS_EXECUTION_ENV", "AWS_Lambda_" + c.runtime},
      {"AWS_LAMBDA_RUNTIME_API", "stator"},
      {"LAMBDA_TASK_ROOT", root},
      {"LAMBDA_RUNTIME_DIR", s.runtime_dir},
      {"_HANDLER", c.handler},
      {"_STATOR_CONTEXT", c.context},
      {"LD_LIBRARY_PATH", root + "/lib"},
  };
  if (!s.python_bin.empty()) env[0].second = s.python_bin + ":" + env[0].second;
  for (const auto& [k, v] : c.environment) {
    bool replaced = false;
    for (auto& e : env) {
      if (e.first == k) {
        e.second = v;
        replaced = true;
      }
    }
    if (!replaced) env.emplace_back(k, v);
  }
  // The relay's port: read (and removed from the environment) by the zygote.
  if (s.relay_port > 0) env.emplace_back("STATOR_RELAY_PORT", std::to_string(s.relay_port));
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

Status Zygote::Start(const Command& command) {
  STATOR_TRY(auto control, ChildSocketPair());
  std::pair<UniqueFd, UniqueFd> network;
  if (command.network_channel) {
    STATOR_TRY(network, ChildSocketPair());
  }
  auto log = InvocationLog::Create("stator-init-log");
  if (!log.ok())
    return Error{"ServiceException", "cannot start the function's runtime: " + log.error().cause};
  std::vector<std::string> argv = command.argv, env = command.env;
  std::vector<char*> args, envp;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  SpawnSetup setup;
  posix_spawn_file_actions_t* fa = setup.actions();
  setup.Check(posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0));
  setup.Check(posix_spawn_file_actions_adddup2(fa, log->fd(), 1));
  setup.Check(posix_spawn_file_actions_adddup2(fa, log->fd(), 2));
  setup.Check(posix_spawn_file_actions_adddup2(fa, control.second.get(), 3));
  if (network.second.valid()) {
    setup.Check(posix_spawn_file_actions_adddup2(fa, network.second.get(), 4));
  }
  setup.Check(posix_spawn_file_actions_addclosefrom_np(fa, network.second.valid() ? 5 : 4));
  if (!command.chdir.empty()) {
    setup.Check(posix_spawn_file_actions_addchdir_np(fa, command.chdir.c_str()));
  }
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD, SIGQUIT}) sigaddset(&defaults, s);
  setup.Check(posix_spawnattr_setsigmask(setup.attr(), &none));
  setup.Check(posix_spawnattr_setsigdefault(setup.attr(), &defaults));
  setup.Check(
      posix_spawnattr_setflags(setup.attr(), POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
  if (setup.rc() != 0) return SystemError("posix_spawn setup", setup.rc());
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0], fa, setup.attr(), args.data(), envp.data());
  if (rc != 0) return SystemError(std::string("spawning ") + args[0], rc);
  // The child's ends close here (it has its own copies).
  pid_ = pid;
  control_ = std::move(control.first);
  network_ = std::move(network.first);
  init_log_ = std::move(*log);
  state_ = State::kStarting;
  return Status::Ok();
}

Status Zygote::SendSpawn(int instance_socket, int log_memfd, int64_t memory_mb, bool prewarm) {
  std::string header = "{\"memory_mb\":" + std::to_string(memory_mb) +
                       ",\"prewarm\":" + (prewarm ? "true" : "false") + "}";
  std::string frame = EncodeFrame('S', header, "");
  int fds[2] = {instance_socket, log_memfd};
  char cbuf[CMSG_SPACE(sizeof fds)];
  memset(cbuf, 0, sizeof cbuf);
  iovec iov{frame.data(), frame.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof cbuf;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof fds);
  memcpy(CMSG_DATA(c), fds, sizeof fds);
  ssize_t n;
  do {
    n = sendmsg(control_.get(), &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    bool gone = errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN;
    return Error{gone ? "ZygoteGone" : "ServiceException",
                 std::string("cannot reach the function's runtime: ") + strerror(errno)};
  }
  return Status::Ok();
}

Zygote::Control Zygote::ReadControl(std::string* error_json) {
  for (;;) {
    char buf[65536];
    ssize_t n = recv(control_.get(), buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Control::kNothing;
    if (n <= 0) return Control::kGone;
    auto f = DecodeFrame(std::string_view(buf, static_cast<size_t>(n)));
    if (!f.ok() || f->type != 'Z') continue;
    auto h = json::Parse(f->header);
    const json::Value* err = h.ok() ? h->Find("error") : nullptr;
    if (err != nullptr && !err->is_null()) {
      *error_json = err->Dump();
      return Control::kInitError;
    }
    state_ = State::kReady;
    return Control::kReady;
  }
}

std::string Zygote::InitLog(size_t cap) const {
  return init_log_ ? init_log_->ReadAll(cap) : std::string();
}

std::optional<pid_t> Zygote::Stop(bool wait) {
  control_.Reset();
  network_.Reset();
  init_log_.reset();
  state_ = State::kNone;
  std::optional<pid_t> left;
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    if (wait) {
      while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
      }
    } else if (waitpid(pid_, nullptr, WNOHANG) == 0) {
      left = pid_;
    }
    pid_ = -1;
  }
  return left;
}

}  // namespace stator::functions
