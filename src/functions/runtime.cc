#include "functions/runtime.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/json.h"
#include "common/time_format.h"
#include "common/uuid.h"
#include "functions/frame.h"
#include "functions/runtime_script.h"
#include "functions/sandbox.h"

extern char** environ;

namespace stator::functions {
namespace {

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double EpochMs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
             .count() /
         1000.0;
}

void CloseFd(int* fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

void SetNonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

int PidfdSignal(int pidfd, int sig) {
  return static_cast<int>(syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

// What a memfd holds from offset *from on (the last `cap` bytes when longer); *from becomes
// its size. Once it holds more than `rewind` bytes it is emptied (it is O_APPEND, so the
// writer carries on at 0): a log is read without a truncation per invocation, whose freed
// pages the next write would have to fault in again.
std::string ReadMemfd(int fd, size_t* from, size_t cap = 1024 * 1024, size_t rewind = 1024 * 1024) {
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) return "";
  size_t size = static_cast<size_t>(std::max<off_t>(st.st_size, 0));
  if (size < *from) *from = 0;  // emptied by someone else
  size_t start = size - *from > cap ? size - cap : *from;
  std::string out(size - start, '\0');
  ssize_t n = out.empty() ? 0 : pread(fd, out.data(), out.size(), static_cast<off_t>(start));
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  *from = size;
  if (size > rewind && ftruncate(fd, 0) == 0) *from = 0;
  return out;
}

// The whole content of a memfd (the last `cap` bytes when larger).
std::string ReadMemfd(int fd, size_t cap) {
  size_t from = 0;
  return ReadMemfd(fd, &from, cap, SIZE_MAX);
}

std::string Quoted(std::string_view s) {
  std::string out;
  json::AppendQuoted(s, &out);
  return out;
}

std::string Fixed(double v, int digits) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string IsoNow() {
  auto now = std::chrono::system_clock::now();
  int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  return FormatTimestamp(ms);
}

Error Throttled() { return Error{"TooManyRequestsException", "Rate Exceeded."}; }

// fd itself when it is at least `min`, else a close-on-exec duplicate at or above it (fd is
// closed): a child's fds are set with dup2 onto low numbers, which must not clobber the source
// of a later one.
int AtLeast(int fd, int min) {
  if (fd < 0 || fd >= min) return fd;
  int high = fcntl(fd, F_DUPFD_CLOEXEC, min);
  close(fd);
  return high;
}

// The server's own listening address, from its endpoint URL ("http://HOST:PORT",
// "http://[V6]:PORT"): what the network channel connects sandboxed functions to. A wildcard
// host is reached on loopback. Errors: not such a URL, or a host that does not resolve.
Result<std::pair<sockaddr_storage, socklen_t>> EndpointAddress(const std::string& endpoint) {
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
  std::pair<sockaddr_storage, socklen_t> out{};
  memcpy(&out.first, res->ai_addr, res->ai_addrlen);
  out.second = res->ai_addrlen;
  freeaddrinfo(res);
  return out;
}

// At most this many network channel requests are answered per readiness of one zygote's
// channel: a flood from one function cannot hold the reactor (level-triggered epoll brings the
// rest back on the next round, after everyone else's events).
constexpr int kNetRequestsPerWake = 16;

}  // namespace

class FunctionRuntime::Impl {
 public:
  struct Pool;

  struct Watch {
    enum class Kind : uint8_t { kWake, kInstance, kControl, kNetwork } kind;
    void* owner = nullptr;
  };

  struct Pending {
    Invocation inv;
    InvokeCallback done;
  };

  struct Instance {
    enum class State : uint8_t { kSpawning, kIdle, kBusy };
    Pool* pool = nullptr;
    int fd = -1;          // our end of the instance's stream socket
    int child_fd = -1;    // its end, until handed to the zygote
    int memfd = -1;       // its stdout/stderr
    size_t log_read = 0;  // how much of memfd has been read (what an invocation wrote follows)
    int pidfd = -1;
    State state = State::kSpawning;
    bool spawn_sent = false;
    bool spare = false;  // forked ahead of demand
    Watch watch;
    FrameReader reader;
    std::string out;  // unwritten rest of an invoke frame
    size_t out_off = 0;
    bool out_armed = false;  // EPOLLOUT registered
    Pending current;
    int64_t spawn_started_us = 0;
    int64_t cold_start_us = -1;  // until its first invocation has been reported
    int64_t started_us = 0;
    int64_t deadline_us = 0;
    int64_t last_used_us = 0;
    std::string stream;
  };

  struct Pool {
    enum class Zygote : uint8_t { kNone, kStarting, kReady };
    std::string name;
    FunctionPtr fn;
    Zygote zygote = Zygote::kNone;
    int ctl = -1;
    pid_t pid = -1;
    int init_memfd = -1;
    Watch ctl_watch;
    int net = -1;  // our end of the network channel (sandboxed zygotes only)
    Watch net_watch;
    std::vector<std::unique_ptr<Instance>> instances;
    std::deque<Pending> waiting;
    bool retired = false;
    int spawn_failures = 0;
    int64_t last_active_us = 0;
    std::vector<std::string> env;  // for the zygote
  };

  using Completion = std::pair<InvokeCallback, Result<InvocationResult>>;

  RuntimeOptions options;
  Sandbox sandbox;
  std::string script_path;
  int epfd = -1;
  int wakefd = -1;
  Watch wake_watch{Watch::Kind::kWake, nullptr};
  std::thread reactor;
  std::atomic<bool> stopping{false};

  mutable std::mutex mu;
  std::string endpoint;         // guarded by mu
  int endpoint_port = 0;        // guarded by mu
  sockaddr_storage upstream{};  // the endpoint's address (guarded by mu)
  socklen_t upstream_len = 0;   // 0: no network channel (guarded by mu)
  std::unordered_map<std::string, std::unique_ptr<Pool>> pools;  // guarded by mu
  std::vector<std::unique_ptr<Pool>> retired;                    // guarded by mu
  std::vector<pid_t> zombies;                                    // guarded by mu
  std::unordered_map<std::string, std::string> logs;             // guarded by mu

  ~Impl() {
    stopping = true;
    if (wakefd >= 0) {
      uint64_t one = 1;
      ssize_t ignored = write(wakefd, &one, sizeof one);
      (void)ignored;
    }
    if (reactor.joinable()) reactor.join();
    std::vector<Completion> done;
    {
      std::lock_guard<std::mutex> lock(mu);
      for (auto& [name, pool] : pools) Shutdown(pool.get(), &done);
      for (auto& pool : retired) Shutdown(pool.get(), &done);
      pools.clear();
      retired.clear();
      for (pid_t pid : zombies) waitpid(pid, nullptr, 0);
      zombies.clear();
    }
    for (auto& [cb, r] : done) cb(std::move(r));
    CloseFd(&epfd);
    CloseFd(&wakefd);
  }

  void Shutdown(Pool* p, std::vector<Completion>* done) {
    for (auto& inst : p->instances) {
      if (inst->state == Instance::State::kBusy && inst->current.done) {
        done->emplace_back(std::move(inst->current.done),
                           Error{"ServiceException", "the server is shutting down"});
      }
      DestroyInstance(inst.get(), true);
    }
    p->instances.clear();
    for (auto& w : p->waiting) {
      done->emplace_back(std::move(w.done),
                         Error{"ServiceException", "the server is shutting down"});
    }
    p->waiting.clear();
    StopZygote(p, true);
  }

  // ---- pools and zygotes -------------------------------------------------------------------

  std::vector<std::string> BuildEnv(const Function& fn) {
    const FunctionConfig& c = fn.config;
    std::string root = sandbox.TaskRoot(fn.code_dir);
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
         Relayed() ? "http://127.0.0.1:" + std::to_string(endpoint_port) : endpoint},
        {"AWS_REGION", options.region},
        {"AWS_DEFAULT_REGION", options.region},
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
        {"LAMBDA_RUNTIME_DIR", sandbox.sandboxed() ? "/var/runtime" : options.work_dir},
        {"_HANDLER", c.handler},
        {"LD_LIBRARY_PATH", root + "/lib"},
    };
    std::string python_bin = std::filesystem::path(FindPythonExe()).parent_path().string();
    if (!python_bin.empty()) env[0].second = python_bin + ":" + env[0].second;
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
    if (Relayed()) env.emplace_back("STATOR_RELAY_PORT", std::to_string(endpoint_port));
    std::vector<std::string> out;
    out.reserve(env.size());
    for (const auto& [k, v] : env) out.push_back(k + "=" + v);
    return out;
  }

  std::string python_exe;
  const std::string& FindPythonExe() { return python_exe; }

  // Sandboxed zygotes get a network namespace of their own and reach the server through the
  // network channel.
  bool Relayed() const { return sandbox.sandboxed() && upstream_len > 0; }

  // Registers fd with the reactor for input and hang-up, reported as w.
  void AddWatch(int fd, Watch* w) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.ptr = w;
    epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
  }

  void StartZygote(Pool* p) {
    p->env = BuildEnv(*p->fn);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return;
    sv[1] = AtLeast(sv[1], 5);
    // The network channel: the zygote's fd 4.
    int net[2] = {-1, -1};
    if (Relayed()) {
      if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, net) != 0) {
        close(sv[0]);
        close(sv[1]);
        return;
      }
      net[1] = AtLeast(net[1], 5);
    }
    if (sv[1] < 0 || (Relayed() && net[1] < 0)) {
      for (int fd : {sv[0], sv[1], net[0], net[1]}) {
        if (fd >= 0) close(fd);
      }
      return;
    }
    p->init_memfd = memfd_create("stator-init-log", MFD_CLOEXEC);
    if (p->init_memfd >= 0) fcntl(p->init_memfd, F_SETFL, O_APPEND);
    std::vector<std::string> argv = sandbox.ZygoteCommand(p->fn->code_dir, script_path);
    std::vector<char*> args, envp;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    for (auto& e : p->env) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (p->init_memfd >= 0) {
      posix_spawn_file_actions_adddup2(&fa, p->init_memfd, 1);
      posix_spawn_file_actions_adddup2(&fa, p->init_memfd, 2);
    }
    posix_spawn_file_actions_adddup2(&fa, sv[1], 3);
    if (net[1] >= 0) posix_spawn_file_actions_adddup2(&fa, net[1], 4);
    posix_spawn_file_actions_addclosefrom_np(&fa, net[1] >= 0 ? 5 : 4);
    if (!sandbox.sandboxed()) posix_spawn_file_actions_addchdir_np(&fa, p->fn->code_dir.c_str());
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD, SIGQUIT}) sigaddset(&defaults, s);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, args[0], &fa, &attr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(sv[1]);
    if (net[1] >= 0) close(net[1]);
    if (rc != 0) {
      close(sv[0]);
      if (net[0] >= 0) close(net[0]);
      std::cerr << "stator: cannot start the runtime of function " << p->name << ": "
                << strerror(rc) << "\n";
      return;
    }
    p->pid = pid;
    p->ctl = sv[0];
    SetNonBlocking(p->ctl);
    p->ctl_watch = Watch{Watch::Kind::kControl, p};
    AddWatch(p->ctl, &p->ctl_watch);
    if (net[0] >= 0) {
      p->net = net[0];
      SetNonBlocking(p->net);
      p->net_watch = Watch{Watch::Kind::kNetwork, p};
      AddWatch(p->net, &p->net_watch);
    }
    p->zygote = Pool::Zygote::kStarting;
  }

  void CloseNetwork(Pool* p) {
    if (p->net < 0) return;
    epoll_ctl(epfd, EPOLL_CTL_DEL, p->net, nullptr);
    CloseFd(&p->net);
  }

  // Requests on a zygote's network channel: each 'C' frame {"id": N} is answered at once with
  // a 'C' frame {"id": N, "error": null} carrying a TCP socket connecting (non-blocking) to the
  // server's own endpoint, or {"id": N, "error": "..."} without one. The server connects to
  // nothing else, whatever the request says; it keeps nothing per request (each is answered
  // before the next is read, and our copy of the socket is closed once sent), so a zygote has
  // no outstanding requests here beyond what sits in the channel's socket buffer. Malformed
  // requests are dropped unanswered; an answer the zygote does not take (its buffer full) is
  // dropped too. The channel closes when the zygote goes away (StopZygote) or hangs up.
  void OnNetwork(Pool* p) {
    for (int i = 0; i < kNetRequestsPerWake; ++i) {
      char buf[512];
      ssize_t n = recv(p->net, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n <= 0) {
        CloseNetwork(p);  // the relay is gone (or the channel failed)
        return;
      }
      auto f = DecodeFrame(std::string_view(buf, static_cast<size_t>(n)));
      if (!f.ok() || f->type != 'C') continue;
      auto h = json::Parse(f->header);
      if (!h.ok() || !h->is_object()) continue;
      const json::Value* id = h->Find("id");
      if (id == nullptr || !id->is_int()) continue;
      std::string error;
      int fd = socket(upstream.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        error = std::string("socket: ") + strerror(errno);
      } else {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(fd, reinterpret_cast<const sockaddr*>(&upstream), upstream_len) != 0 &&
            errno != EINPROGRESS) {
          error = std::string("connect: ") + strerror(errno);
          CloseFd(&fd);
        }
      }
      std::string frame = EncodeFrame(
          'C',
          "{\"id\":" + std::to_string(id->as_int()) +
              ",\"error\":" + (error.empty() ? std::string("null") : Quoted(error)) + "}",
          "");
      iovec iov{frame.data(), frame.size()};
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      char cbuf[CMSG_SPACE(sizeof(int))];
      memset(cbuf, 0, sizeof cbuf);
      if (fd >= 0) {
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
        sent = sendmsg(p->net, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
      } while (sent < 0 && errno == EINTR);
      CloseFd(&fd);
    }
  }

  void StopZygote(Pool* p, bool wait) {
    if (p->ctl >= 0) {
      epoll_ctl(epfd, EPOLL_CTL_DEL, p->ctl, nullptr);
      CloseFd(&p->ctl);
    }
    CloseNetwork(p);
    if (p->pid > 0) {
      kill(p->pid, SIGKILL);
      if (wait) {
        waitpid(p->pid, nullptr, 0);
      } else if (waitpid(p->pid, nullptr, WNOHANG) == 0) {
        zombies.push_back(p->pid);
      }
      p->pid = -1;
    }
    CloseFd(&p->init_memfd);
    p->zygote = Pool::Zygote::kNone;
  }

  // The init error (a Z frame with an error, or the zygote's death) answers everything waiting.
  void FailInit(Pool* p, std::string error_json, std::vector<Completion>* done) {
    std::string init_log = ReadMemfd(p->init_memfd, 64 * 1024);
    StopZygote(p, false);
    for (auto it = p->instances.begin(); it != p->instances.end();) {
      if ((*it)->state == Instance::State::kSpawning) {
        DestroyInstance(it->get(), true);
        it = p->instances.erase(it);
      } else {
        ++it;
      }
    }
    std::string type;
    if (auto v = json::Parse(error_json); v.ok() && v->is_object()) {
      if (const json::Value* t = v->Find("errorType"); t && t->is_string()) type = t->as_string();
    }
    while (!p->waiting.empty()) {
      Pending w = std::move(p->waiting.front());
      p->waiting.pop_front();
      InvocationResult r;
      r.request_id = w.inv.request_id;
      std::string payload = error_json;
      // The request id of the invocation that saw it.
      if (auto v = json::Parse(error_json); v.ok() && v->is_object()) {
        payload = v->With("requestId", json::Value::String(r.request_id)).Dump();
      }
      r.payload = payload;
      r.function_error = true;
      r.error_type = type;
      r.log = "INIT_REPORT Status: error\n" + init_log + "START RequestId: " + r.request_id +
              " Version: $LATEST\nEND RequestId: " + r.request_id +
              "\nREPORT RequestId: " + r.request_id +
              "\tDuration: 0.00 ms\tBilled Duration: 0 ms\tMemory Size: " +
              std::to_string(p->fn->config.memory_mb) + " MB\tMax Memory Used: 0 MB\t\n";
      KeepLog(p->name, r.log);
      done->emplace_back(std::move(w.done), std::move(r));
    }
  }

  void OnControl(Pool* p, uint32_t events, std::vector<Completion>* done) {
    for (;;) {
      char buf[65536];
      ssize_t n = recv(p->ctl, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n <= 0) {
        // The zygote is gone.
        bool starting = p->zygote == Pool::Zygote::kStarting;
        if (starting) {
          std::string log = ReadMemfd(p->init_memfd, 4096);
          FailInit(p,
                   "{\"errorType\":\"Runtime.ExitError\",\"errorMessage\":" +
                       Quoted("Runtime exited during initialization: " + log) + "}",
                   done);
        } else {
          StopZygote(p, false);
        }
        Settle(p, done);
        return;
      }
      auto f = DecodeFrame(std::string_view(buf, static_cast<size_t>(n)));
      if (!f.ok() || f->type != 'Z') continue;
      auto h = json::Parse(f->header);
      const json::Value* err = h.ok() ? h->Find("error") : nullptr;
      if (err != nullptr && !err->is_null()) {
        FailInit(p, err->Dump(), done);
        Settle(p, done);
        return;
      }
      p->zygote = Pool::Zygote::kReady;
      for (auto& inst : p->instances) {
        if (!inst->spawn_sent) SendSpawn(p, inst.get());
      }
    }
  }

  Pool* GetPool(const FunctionPtr& fn) {
    auto it = pools.find(fn->config.name);
    if (it != pools.end()) {
      if (it->second->fn->config.revision_id == fn->config.revision_id) return it->second.get();
      RetireLocked(fn->config.name);
    }
    auto p = std::make_unique<Pool>();
    p->name = fn->config.name;
    p->fn = fn;
    p->last_active_us = NowUs();
    Pool* raw = p.get();
    pools[p->name] = std::move(p);
    return raw;
  }

  void RetireLocked(const std::string& name) {
    auto it = pools.find(name);
    if (it == pools.end()) return;
    std::unique_ptr<Pool> p = std::move(it->second);
    pools.erase(it);
    p->retired = true;
    retired.push_back(std::move(p));
  }

  // ---- instances -----------------------------------------------------------------------------

  // spare: forked ahead of demand (KeepSpares); it pre-warms before reporting ready.
  void SpawnInstance(Pool* p, bool spare = false) {
    auto inst = std::make_unique<Instance>();
    inst->pool = p;
    inst->spare = spare;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return;
    inst->fd = sv[0];
    inst->child_fd = sv[1];
    inst->memfd = memfd_create("stator-log", MFD_CLOEXEC);
    if (inst->memfd < 0) {
      CloseFd(&inst->fd);
      CloseFd(&inst->child_fd);
      return;
    }
    fcntl(inst->memfd, F_SETFL, O_APPEND);
    SetNonBlocking(inst->fd);
    inst->watch = Watch{Watch::Kind::kInstance, inst.get()};
    AddWatch(inst->fd, &inst->watch);
    inst->spawn_started_us = NowUs();
    Instance* raw = inst.get();
    p->instances.push_back(std::move(inst));
    if (p->zygote == Pool::Zygote::kNone) StartZygote(p);
    if (p->zygote == Pool::Zygote::kReady) SendSpawn(p, raw);
  }

  void SendSpawn(Pool* p, Instance* inst) {
    std::string header = "{\"memory_mb\":" + std::to_string(p->fn->config.memory_mb) +
                         ",\"prewarm\":" + (inst->spare ? "true" : "false") + "}";
    std::string frame = EncodeFrame('S', header, "");
    int fds[2] = {inst->child_fd, inst->memfd};
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
      n = sendmsg(p->ctl, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    inst->spawn_sent = true;
    CloseFd(&inst->child_fd);
    inst->spawn_started_us = NowUs();
    // A failed send shows up as the instance's socket closing (its other end is gone).
  }

  void DestroyInstance(Instance* inst, bool kill_it) {
    if (kill_it && inst->pidfd >= 0) PidfdSignal(inst->pidfd, SIGKILL);
    if (inst->fd >= 0) epoll_ctl(epfd, EPOLL_CTL_DEL, inst->fd, nullptr);
    CloseFd(&inst->fd);
    CloseFd(&inst->child_fd);
    CloseFd(&inst->memfd);
    CloseFd(&inst->pidfd);
  }

  void RemoveInstance(Pool* p, Instance* inst, bool kill_it) {
    DestroyInstance(inst, kill_it);
    for (auto it = p->instances.begin(); it != p->instances.end(); ++it) {
      if (it->get() == inst) {
        p->instances.erase(it);
        break;
      }
    }
  }

  // Writes what is left of inst->out; arms EPOLLOUT when the socket is full.
  bool Flush(Instance* inst) {
    while (inst->out_off < inst->out.size()) {
      ssize_t n = send(inst->fd, inst->out.data() + inst->out_off, inst->out.size() - inst->out_off,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!inst->out_armed) {
          epoll_event ev{};
          ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
          ev.data.ptr = &inst->watch;
          epoll_ctl(epfd, EPOLL_CTL_MOD, inst->fd, &ev);
          inst->out_armed = true;
        }
        return true;
      }
      if (n < 0) return false;  // the read side notices the death
      inst->out_off += static_cast<size_t>(n);
    }
    inst->out.clear();
    inst->out_off = 0;
    if (inst->out_armed) {
      inst->out_armed = false;
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLRDHUP;
      ev.data.ptr = &inst->watch;
      epoll_ctl(epfd, EPOLL_CTL_MOD, inst->fd, &ev);
    }
    return true;
  }

  void Dispatch(Instance* inst, Pending pending) {
    Pool* p = inst->pool;
    inst->state = Instance::State::kBusy;
    inst->current = std::move(pending);
    const Invocation& inv = inst->current.inv;
    int64_t timeout_us = p->fn->config.timeout_seconds * 1000000;
    inst->started_us = NowUs();
    inst->deadline_us = inst->started_us + timeout_us;
    std::string header = "{\"id\":" + Quoted(inv.request_id) +
                         ",\"deadline\":" + Fixed(EpochMs() + timeout_us / 1000.0, 3) +
                         ",\"arn\":" + Quoted(inv.invoked_arn) + "}";
    inst->out.clear();
    inst->out_off = 0;
    EncodeFrame('I', header, inv.payload, &inst->out);
    Flush(inst);
    p->last_active_us = inst->started_us;
  }

  // Forks instances until options.spares of the pool's are idle or starting (within the
  // concurrency), while at least one is busy: a pool nobody is calling does not fork, and what
  // the idle reaper removed is not forked again.
  void KeepSpares(Pool* p) {
    if (p->retired || p->zygote != Pool::Zygote::kReady) return;
    int free = 0;
    bool busy = false;
    for (auto& inst : p->instances) {
      bool b = inst->state == Instance::State::kBusy;
      busy |= b;
      free += !b;
    }
    if (!busy) return;
    while (free < options.spares &&
           p->instances.size() < static_cast<size_t>(options.concurrency)) {
      size_t before = p->instances.size();
      SpawnInstance(p, true);
      if (p->instances.size() == before) return;  // out of file descriptors
      ++free;
    }
  }

  // Hands waiting invocations to idle instances and forks instances for the rest (up to the
  // concurrency); closes a retired pool's idle instances.
  void Settle(Pool* p, std::vector<Completion>* done) {
    for (auto& inst : p->instances) {
      if (p->waiting.empty()) break;
      if (inst->state == Instance::State::kIdle) {
        Pending w = std::move(p->waiting.front());
        p->waiting.pop_front();
        Dispatch(inst.get(), std::move(w));
      }
    }
    size_t starting = 0;
    for (auto& inst : p->instances) {
      if (inst->state == Instance::State::kSpawning) ++starting;
    }
    while (starting < p->waiting.size() &&
           p->instances.size() < static_cast<size_t>(options.concurrency)) {
      if (p->spawn_failures >= 3) {
        // Instances die as soon as they are forked: fail fast instead of looping.
        p->spawn_failures = 0;
        while (!p->waiting.empty()) {
          done->emplace_back(
              std::move(p->waiting.front().done),
              Error{"ServiceException", "the function's runtime instances exit as they start"});
          p->waiting.pop_front();
        }
        break;
      }
      size_t before = p->instances.size();
      SpawnInstance(p);
      if (p->instances.size() == before) break;  // out of file descriptors
      ++starting;
      if (p->zygote == Pool::Zygote::kNone) break;  // could not start the zygote
    }
    if (p->zygote == Pool::Zygote::kNone && !p->waiting.empty()) {
      bool any_alive = false;
      for (auto& inst : p->instances) any_alive |= inst->state != Instance::State::kSpawning;
      if (!any_alive) {
        for (auto it = p->instances.begin(); it != p->instances.end();) {
          DestroyInstance(it->get(), true);
          it = p->instances.erase(it);
        }
        while (!p->waiting.empty()) {
          done->emplace_back(std::move(p->waiting.front().done),
                             Error{"ServiceException", "cannot start the function's runtime"});
          p->waiting.pop_front();
        }
      }
    }
    if (p->retired) {
      for (auto it = p->instances.begin(); it != p->instances.end();) {
        if ((*it)->state == Instance::State::kIdle && p->waiting.empty()) {
          DestroyInstance(it->get(), false);
          it = p->instances.erase(it);
        } else {
          ++it;
        }
      }
    }
    KeepSpares(p);
  }

  std::string Report(Instance* inst, const std::string& id, int64_t elapsed_us, int64_t rss_kb,
                     const char* status) {
    Pool* p = inst->pool;
    double ms = elapsed_us / 1000.0;
    std::string r = "REPORT RequestId: " + id + "\tDuration: " + Fixed(ms, 2) +
                    " ms\tBilled Duration: " + std::to_string(static_cast<int64_t>(ms) + 1) +
                    " ms\tMemory Size: " + std::to_string(p->fn->config.memory_mb) +
                    " MB\tMax Memory Used: " + std::to_string(rss_kb / 1024) + " MB\t";
    if (inst->cold_start_us >= 0) {
      r += "Init Duration: " + Fixed(inst->cold_start_us / 1000.0, 2) + " ms\t";
    }
    if (status) r += std::string("Status: ") + status + "\t";
    return r + "\n";
  }

  std::string Wrap(Instance* inst, const std::string& id, const std::string& body,
                   const std::string& report) {
    std::string log = "START RequestId: " + id + " Version: $LATEST\n" + body;
    if (!body.empty() && body.back() != '\n') log += '\n';
    return log + "END RequestId: " + id + "\n" + report;
  }

  void KeepLog(const std::string& name, const std::string& text) {
    std::string& l = logs[name];
    l += text;
    // Trimmed only once it holds twice the limit, so that keeping a log costs amortised O(1)
    // rather than a move of the whole buffer per invocation (Logs trims what it returns).
    if (l.size() > 2 * options.log_keep_bytes) {
      size_t cut = l.size() - options.log_keep_bytes;
      size_t nl = l.find('\n', cut);
      l.erase(0, nl == std::string::npos ? cut : nl + 1);
    }
  }

  // The instance answered its invocation.
  void OnResult(Instance* inst, Frame& f, std::vector<Completion>* done) {
    Pool* p = inst->pool;
    int64_t elapsed = NowUs() - inst->started_us;
    int64_t us = 0, rss = 0;
    bool fatal = false;
    if (auto h = json::Parse(f.header); h.ok() && h->is_object()) {
      if (const json::Value* v = h->Find("us"); v && v->is_int()) us = v->as_int();
      if (const json::Value* v = h->Find("rss"); v && v->is_int()) rss = v->as_int();
      if (const json::Value* v = h->Find("fatal"); v && v->is_bool()) fatal = v->as_bool();
    }
    InvocationResult r;
    r.request_id = inst->current.inv.request_id;
    r.payload = std::move(f.data);
    r.function_error = f.type == 'E';
    r.handler_us = us;
    r.cold_start_us = inst->cold_start_us;
    if (r.function_error) {
      if (auto v = json::Parse(r.payload); v.ok() && v->is_object()) {
        if (const json::Value* t = v->Find("errorType"); t && t->is_string()) {
          r.error_type = t->as_string();
        }
      }
    }
    r.log = Wrap(inst, r.request_id, ReadMemfd(inst->memfd, &inst->log_read),
                 Report(inst, r.request_id, elapsed, rss, fatal ? "error" : nullptr));
    KeepLog(p->name, r.log);
    inst->cold_start_us = -1;
    done->emplace_back(std::move(inst->current.done), std::move(r));
    inst->current = Pending();
    inst->last_used_us = NowUs();
    p->spawn_failures = 0;
    if (fatal) {
      RemoveInstance(p, inst, true);
    } else {
      inst->state = Instance::State::kIdle;
    }
    Settle(p, done);
  }

  // The instance's invocation ended without an answer (timeout, death).
  void FailCurrent(Instance* inst, const std::string& type, const std::string& message,
                   bool timed_out, const char* status, std::vector<Completion>* done) {
    Pool* p = inst->pool;
    int64_t elapsed = NowUs() - inst->started_us;
    InvocationResult r;
    r.request_id = inst->current.inv.request_id;
    r.function_error = true;
    r.error_type = type;
    r.timed_out = timed_out;
    r.cold_start_us = inst->cold_start_us;
    r.payload = "{\"errorType\":" + Quoted(type) + ",\"errorMessage\":" + Quoted(message) + "}";
    std::string body = ReadMemfd(inst->memfd, &inst->log_read);
    if (!body.empty() && body.back() != '\n') body += '\n';
    body += IsoNow() + " " + r.request_id + " " + message + "\n";
    r.log = Wrap(inst, r.request_id, body, Report(inst, r.request_id, elapsed, 0, status));
    KeepLog(p->name, r.log);
    done->emplace_back(std::move(inst->current.done), std::move(r));
    inst->current = Pending();
  }

  void OnInstance(Instance* inst, uint32_t events, std::vector<Completion>* done) {
    Pool* p = inst->pool;
    if ((events & EPOLLOUT) && !inst->out.empty()) Flush(inst);
    bool closed = (events & (EPOLLERR | EPOLLHUP)) != 0;
    for (;;) {
      char buf[65536];
      ssize_t n;
      if (inst->state == Instance::State::kSpawning) {
        char cbuf[CMSG_SPACE(sizeof(int) * 4)];
        iovec iov{buf, sizeof buf};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = cbuf;
        msg.msg_controllen = sizeof cbuf;
        n = recvmsg(inst->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n > 0) {
          for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
              size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
              int fds[4];
              memcpy(fds, CMSG_DATA(c), count * sizeof(int));
              for (size_t i = 0; i < count; ++i) {
                if (inst->pidfd < 0) {
                  inst->pidfd = fds[i];
                } else {
                  close(fds[i]);
                }
              }
            }
          }
        }
      } else {
        n = recv(inst->fd, buf, sizeof buf, MSG_DONTWAIT);
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n <= 0) {
        closed = true;
        break;
      }
      inst->reader.Append(buf, static_cast<size_t>(n));
      for (;;) {
        auto next = inst->reader.Next();
        if (!next.ok()) {
          closed = true;
          break;
        }
        if (!next->has_value()) break;
        Frame f = std::move(**next);
        if (f.type == 'Y' && inst->state == Instance::State::kSpawning) {
          inst->state = Instance::State::kIdle;
          inst->cold_start_us = NowUs() - inst->spawn_started_us;
          inst->last_used_us = NowUs();
          if (auto h = json::Parse(f.header); h.ok() && h->is_object()) {
            if (const json::Value* s = h->Find("stream"); s && s->is_string()) {
              inst->stream = s->as_string();
            }
          }
          Settle(p, done);
        } else if ((f.type == 'R' || f.type == 'E') && inst->state == Instance::State::kBusy) {
          OnResult(inst, f, done);
          // OnResult may have removed the instance.
          for (auto& i : p->instances) {
            if (i.get() == inst) goto still_there;
          }
          return;
        still_there:;
        } else {
          closed = true;
          break;
        }
      }
      if (closed) break;
      // A short read took everything there was; epoll (level-triggered) reports what comes
      // next, so no second recv only to hear EAGAIN.
      if (static_cast<size_t>(n) < sizeof buf && !(events & EPOLLRDHUP)) break;
    }
    if (!closed) return;
    // The instance is gone (or spoke nonsense).
    if (inst->state == Instance::State::kBusy) {
      FailCurrent(inst, "Runtime.ExitError",
                  "RequestId: " + inst->current.inv.request_id +
                      " Error: Runtime exited without providing a reason",
                  false, "error", done);
    } else if (inst->state == Instance::State::kSpawning) {
      ++p->spawn_failures;
    }
    RemoveInstance(p, inst, true);
    Settle(p, done);
  }

  // Timeouts, idle instances, idle zygotes, finished retired pools, exited zygotes.
  int64_t Tick(std::vector<Completion>* done) {
    int64_t now = NowUs();
    int64_t next = now + 1000000;
    int64_t idle_us = options.idle_timeout.count() * 1000;
    auto visit = [&](Pool* p) {
      for (size_t i = 0; i < p->instances.size();) {
        Instance* inst = p->instances[i].get();
        if (inst->state == Instance::State::kBusy) {
          if (now >= inst->deadline_us) {
            double secs = p->fn->config.timeout_seconds;
            FailCurrent(inst, "Sandbox.Timedout",
                        "RequestId: " + inst->current.inv.request_id +
                            " Error: Task timed out after " + Fixed(secs, 2) + " seconds",
                        true, "timeout", done);
            RemoveInstance(p, inst, true);
            continue;
          }
          next = std::min(next, inst->deadline_us);
        } else if (inst->state == Instance::State::kIdle && now - inst->last_used_us >= idle_us) {
          RemoveInstance(p, inst, false);
          continue;
        }
        ++i;
      }
      if (p->instances.empty() && p->waiting.empty() && p->zygote != Pool::Zygote::kNone &&
          now - p->last_active_us >= idle_us) {
        StopZygote(p, false);
      }
      Settle(p, done);
    };
    for (auto& [name, p] : pools) visit(p.get());
    for (auto it = retired.begin(); it != retired.end();) {
      visit(it->get());
      if ((*it)->instances.empty() && (*it)->waiting.empty()) {
        StopZygote(it->get(), false);
        it = retired.erase(it);
      } else {
        ++it;
      }
    }
    for (auto it = zombies.begin(); it != zombies.end();) {
      if (waitpid(*it, nullptr, WNOHANG) != 0) {
        it = zombies.erase(it);
      } else {
        ++it;
      }
    }
    return next;
  }

  void Run() {
    std::vector<epoll_event> events(64);
    int64_t next_tick = NowUs();
    while (!stopping) {
      int64_t now = NowUs();
      int timeout_ms = static_cast<int>(std::max<int64_t>(0, (next_tick - now + 999) / 1000));
      int n = epoll_wait(epfd, events.data(), static_cast<int>(events.size()), timeout_ms);
      if (stopping) break;
      std::vector<Completion> done;
      {
        std::lock_guard<std::mutex> lock(mu);
        for (int i = 0; i < n; ++i) {
          auto* w = static_cast<Watch*>(events[i].data.ptr);
          if (w->kind == Watch::Kind::kWake) {
            uint64_t v;
            ssize_t ignored = read(wakefd, &v, sizeof v);
            (void)ignored;
          } else if (w->kind == Watch::Kind::kInstance) {
            if (Alive(static_cast<Instance*>(w->owner))) {
              OnInstance(static_cast<Instance*>(w->owner), events[i].events, &done);
            }
          } else if (w->kind == Watch::Kind::kControl) {
            Pool* p = static_cast<Pool*>(w->owner);
            if (AlivePool(p)) OnControl(p, events[i].events, &done);
          } else if (w->kind == Watch::Kind::kNetwork) {
            Pool* p = static_cast<Pool*>(w->owner);
            if (AlivePool(p) && p->net >= 0) OnNetwork(p);
          }
        }
        if (NowUs() >= next_tick || n == 0) next_tick = Tick(&done);
        // A timeout may be due before the next tick.
        for (auto& [name, p] : pools) {
          for (auto& inst : p->instances) {
            if (inst->state == Instance::State::kBusy) {
              next_tick = std::min(next_tick, inst->deadline_us);
            }
          }
        }
      }
      for (auto& [cb, r] : done) cb(std::move(r));
    }
  }

  // An epoll event may name an instance destroyed earlier in the same batch.
  bool Alive(Instance* inst) {
    for (auto* group : {&pools}) {
      for (auto& [name, p] : *group) {
        for (auto& i : p->instances) {
          if (i.get() == inst) return inst->fd >= 0;
        }
      }
    }
    for (auto& p : retired) {
      for (auto& i : p->instances) {
        if (i.get() == inst) return inst->fd >= 0;
      }
    }
    return false;
  }

  bool AlivePool(Pool* pool) {
    for (auto& [name, p] : pools) {
      if (p.get() == pool) return pool->ctl >= 0;
    }
    for (auto& p : retired) {
      if (p.get() == pool) return pool->ctl >= 0;
    }
    return false;
  }
};

FunctionRuntime::FunctionRuntime(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FunctionRuntime::~FunctionRuntime() = default;

Result<std::unique_ptr<FunctionRuntime>> FunctionRuntime::Start(RuntimeOptions options) {
  auto impl = std::make_unique<Impl>();
  STATOR_TRY(PythonInstall python, FindPython(options.python));
  impl->python_exe = python.executable;
  std::string warning;
  impl->sandbox = Sandbox::Detect(options.sandbox, python, &warning);
  if (!warning.empty()) std::cerr << "stator: warning: " << warning << "\n";
  std::error_code ec;
  std::filesystem::create_directories(options.work_dir, ec);
  if (ec) {
    return Error{"ServiceException", "cannot create " + options.work_dir + ": " + ec.message()};
  }
  impl->script_path = options.work_dir + "/stator_runtime.py";
  {
    std::string tmp = impl->script_path + ".tmp";
    FILE* f = fopen(tmp.c_str(), "wb");
    if (!f) return Error{"ServiceException", "cannot write " + tmp};
    fwrite(kRuntimeScript.data(), 1, kRuntimeScript.size(), f);
    fclose(f);
    if (rename(tmp.c_str(), impl->script_path.c_str()) != 0) {
      return Error{"ServiceException", "cannot write " + impl->script_path};
    }
  }
  impl->options = std::move(options);
  impl->epfd = epoll_create1(EPOLL_CLOEXEC);
  impl->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (impl->epfd < 0 || impl->wakefd < 0) return Error{"ServiceException", "epoll/eventfd failed"};
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = &impl->wake_watch;
  epoll_ctl(impl->epfd, EPOLL_CTL_ADD, impl->wakefd, &ev);
  Impl* raw = impl.get();
  impl->reactor = std::thread([raw] { raw->Run(); });
  return std::unique_ptr<FunctionRuntime>(new FunctionRuntime(std::move(impl)));
}

void FunctionRuntime::SetEndpoint(const std::string& endpoint) {
  auto address = EndpointAddress(endpoint);  // may resolve a name: outside the lock
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->endpoint = endpoint;
  impl_->upstream_len = 0;
  if (address.ok()) {
    impl_->upstream = address->first;
    impl_->upstream_len = address->second;
    impl_->endpoint_port = ntohs(address->first.ss_family == AF_INET6
                                     ? reinterpret_cast<sockaddr_in6*>(&address->first)->sin6_port
                                     : reinterpret_cast<sockaddr_in*>(&address->first)->sin_port);
  } else if (impl_->sandbox.sandboxed()) {
    std::cerr << "stator: warning: " << address.error().cause
              << ": sandboxed functions cannot reach the server\n";
  }
}

bool FunctionRuntime::sandboxed() const { return impl_->sandbox.sandboxed(); }

void FunctionRuntime::Invoke(FunctionPtr fn, Invocation inv, InvokeCallback done) {
  if (inv.request_id.empty()) inv.request_id = NewUuid();
  std::vector<Impl::Completion> completions;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->stopping) {
      completions.emplace_back(std::move(done),
                               Error{"ServiceException", "the server is shutting down"});
    } else {
      Impl::Pool* p = impl_->GetPool(fn);
      Impl::Instance* idle = nullptr;
      size_t busy = 0;
      for (auto& inst : p->instances) {
        if (inst->state == Impl::Instance::State::kIdle && idle == nullptr) idle = inst.get();
        if (inst->state == Impl::Instance::State::kBusy) ++busy;
      }
      if (idle != nullptr && p->waiting.empty()) {
        impl_->Dispatch(idle, Impl::Pending{std::move(inv), std::move(done)});
        impl_->KeepSpares(p);
      } else if ((!inv.queue_when_busy &&
                  busy + p->waiting.size() >= static_cast<size_t>(impl_->options.concurrency)) ||
                 p->waiting.size() >= impl_->options.max_queued) {
        completions.emplace_back(std::move(done), Throttled());
      } else {
        p->waiting.push_back(Impl::Pending{std::move(inv), std::move(done)});
        impl_->Settle(p, &completions);
      }
    }
  }
  for (auto& [cb, r] : completions) cb(std::move(r));
}

void FunctionRuntime::Retire(const std::string& name) {
  std::vector<Impl::Completion> completions;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->RetireLocked(name);
    for (auto& p : impl_->retired) impl_->Settle(p.get(), &completions);
  }
  for (auto& [cb, r] : completions) cb(std::move(r));
}

std::string FunctionRuntime::Logs(const std::string& name) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->logs.find(name);
  if (it == impl_->logs.end()) return "";
  const std::string& l = it->second;
  size_t keep = impl_->options.log_keep_bytes;
  if (l.size() <= keep) return l;
  size_t nl = l.find('\n', l.size() - keep);
  return nl == std::string::npos ? l.substr(l.size() - keep) : l.substr(nl + 1);
}

}  // namespace stator::functions
