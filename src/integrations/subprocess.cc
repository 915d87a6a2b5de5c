#include "integrations/subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>

#include "common/unique_fd.h"

extern char** environ;

namespace stator::integrations {
namespace {

Error SystemError(const std::string& what, int err) {
  return Error{"States.TaskFailed", what + ": " + strerror(err)};
}

// Blocks SIGPIPE on this thread for its lifetime and discards one that became pending, so that a
// write to a pipe whose reader has gone fails with EPIPE instead of killing the process.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_);
  }
  ~ScopedSigpipeBlock() {
    if (!was_pending_) {
      sigset_t pipe_set;
      sigemptyset(&pipe_set);
      sigaddset(&pipe_set, SIGPIPE);
      timespec zero{0, 0};
      while (sigtimedwait(&pipe_set, nullptr, &zero) > 0) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t old_;
  bool was_pending_ = false;
};

// Process groups of the running children, for KillRunningProcessGroups. A fixed table of atomics
// so that the signal handler needs no lock; children beyond its size are simply not tracked.
constexpr int kTrackedGroups = 256;
std::atomic<pid_t> g_running_groups[kTrackedGroups];

class TrackedGroup {
 public:
  explicit TrackedGroup(pid_t pgid) {
    for (int i = 0; i < kTrackedGroups; ++i) {
      pid_t expected = 0;
      if (g_running_groups[i].compare_exchange_strong(expected, pgid)) {
        slot_ = i;
        return;
      }
    }
  }
  ~TrackedGroup() {
    if (slot_ >= 0) g_running_groups[slot_].store(0);
  }

 private:
  int slot_ = -1;
};

int64_t MonotonicMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void KillRunningProcessGroups() {
  for (int i = 0; i < kTrackedGroups; ++i) {
    pid_t pgid = g_running_groups[i].load();
    if (pgid > 0) kill(-pgid, SIGKILL);
  }
}

Result<std::vector<std::string>> SplitCommandLine(const std::string& command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  size_t i = 0;
  const size_t n = command.size();
  while (i < n) {
    char c = command[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      ++i;
    } else if (c == '\'') {
      size_t end = command.find('\'', i + 1);
      if (end == std::string::npos) {
        return Error{"InvalidCommand", "unterminated ' in command: " + command};
      }
      word.append(command, i + 1, end - i - 1);
      in_word = true;
      i = end + 1;
    } else if (c == '"') {
      ++i;
      bool closed = false;
      while (i < n) {
        if (command[i] == '"') {
          closed = true;
          ++i;
          break;
        }
        if (command[i] == '\\' && i + 1 < n && (command[i + 1] == '"' || command[i + 1] == '\\')) {
          ++i;
        }
        word.push_back(command[i++]);
      }
      if (!closed) return Error{"InvalidCommand", "unterminated \" in command: " + command};
      in_word = true;
    } else if (c == '\\' && i + 1 < n) {
      word.push_back(command[i + 1]);
      in_word = true;
      i += 2;
    } else {
      word.push_back(c);
      in_word = true;
      ++i;
    }
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return Error{"InvalidCommand", "empty command"};
  return words;
}

Result<ProcessResult> RunProcess(const ProcessSpec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty()) {
    return Error{"States.TaskFailed", "cannot run an empty command"};
  }
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0) return SystemError("pipe", errno);
  UniqueFd in_read(in_pipe[0]), in_write(in_pipe[1]);
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return SystemError("pipe", errno);
  UniqueFd out_read(out_pipe[0]), out_write(out_pipe[1]);
  if (pipe2(err_pipe, O_CLOEXEC) != 0) return SystemError("pipe", errno);
  UniqueFd err_read(err_pipe[0]), err_write(err_pipe[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_read.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, out_write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err_write.get(), 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);  // own process group, so a timeout kills the whole tree
  sigset_t default_signals;
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &default_signals);
  sigset_t empty_mask;
  sigemptyset(&empty_mask);
  posix_spawnattr_setsigmask(&attr, &empty_mask);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> argv;
  argv.reserve(spec.argv.size() + 1);
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) envp.push_back(*e);
  for (const std::string& e : spec.extra_env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return SystemError("cannot run '" + spec.argv[0] + "'", rc);
  TrackedGroup tracked(pid);
  in_read.Reset();
  out_write.Reset();
  err_write.Reset();

  ScopedSigpipeBlock sigpipe_block;
  for (UniqueFd* fd : {&in_write, &out_read, &err_read}) {
    fcntl(fd->get(), F_SETFL, fcntl(fd->get(), F_GETFL) | O_NONBLOCK);
  }
  ProcessResult result;
  size_t written = 0;
  if (spec.stdin_data.empty()) in_write.Reset();
  const int64_t deadline =
      spec.timeout_millis ? MonotonicMillis() + *spec.timeout_millis : INT64_MAX;
  char buf[65536];
  while (in_write.get() >= 0 || out_read.get() >= 0 || err_read.get() >= 0) {
    pollfd fds[3];
    UniqueFd* owners[3];
    int nfds = 0;
    if (in_write.get() >= 0) {
      fds[nfds] = {in_write.get(), POLLOUT, 0};
      owners[nfds++] = &in_write;
    }
    for (UniqueFd* fd : {&out_read, &err_read}) {
      if (fd->get() >= 0) {
        fds[nfds] = {fd->get(), POLLIN, 0};
        owners[nfds++] = fd;
      }
    }
    int wait_ms = -1;
    if (deadline != INT64_MAX) {
      int64_t left = deadline - MonotonicMillis();
      if (left <= 0) {
        result.timed_out = true;
        break;
      }
      wait_ms = left > 1000000 ? 1000000 : static_cast<int>(left);
    }
    int ready = poll(fds, nfds, wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      kill(-pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      return SystemError("poll", errno);
    }
    for (int k = 0; k < nfds; ++k) {
      if (fds[k].revents == 0) continue;
      UniqueFd* fd = owners[k];
      if (fd == &in_write) {
        if (fds[k].revents & (POLLERR | POLLHUP)) {
          in_write.Reset();  // the child closed its stdin; the rest of the input is dropped
          continue;
        }
        ssize_t w = write(in_write.get(), spec.stdin_data.data() + written,
                          spec.stdin_data.size() - written);
        if (w > 0) {
          written += static_cast<size_t>(w);
          if (written == spec.stdin_data.size()) in_write.Reset();
        } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
          in_write.Reset();
        }
      } else {
        std::string& sink = fd == &out_read ? result.stdout_data : result.stderr_data;
        ssize_t r = read(fd->get(), buf, sizeof buf);
        if (r > 0) {
          sink.append(buf, static_cast<size_t>(r));
        } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
          fd->Reset();
        }
      }
    }
  }
  if (result.timed_out) kill(-pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!result.timed_out) {
    if (WIFEXITED(status)) {
      result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      result.term_signal = WTERMSIG(status);
    }
  }
  return result;
}

}  // namespace stator::integrations
