// Zygote: one function's zygote process, as the server sees it — the process
// (runtime/stator_runtime.py, started inside the Sandbox with the function's environment), its
// control socket and, sandboxed, its network channel (network_channel.h).
//
// Start spawns it with: fd 0 on /dev/null, fds 1 and 2 on its init log (a memfd), fd 3 its
// control socket (SOCK_SEQPACKET: 'S' spawn frames in, 'Z' ready frames out) and, when asked,
// fd 4 the network channel; nothing else. It imports the handler and answers 'Z' (ReadControl
// reports kReady, or kInitError with the error object). SendSpawn asks it to fork an instance,
// passing the instance's end of its stream socket and its log memfd (SCM_RIGHTS). Stop kills it.
//
// Ownership: owns the process (killed by Stop, not by the destructor: the runtime decides when
// to wait for it) and its descriptors (closed by Stop or the destructor).
// Thread-safety: none; the owner serialises calls (FunctionRuntime holds its mutex).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"
#include "functions/function_config.h"
#include "functions/invocation_log.h"

namespace stator::functions {

// What a function's processes get in their environment besides its own variables.
struct EnvironmentSettings {
  std::string region;
  std::string endpoint;     // AWS_ENDPOINT_URL (unsandboxed: the server's endpoint)
  int relay_port = 0;       // > 0: sandboxed behind the relay, which listens on this port
  std::string task_root;    // LAMBDA_TASK_ROOT: where the function sees its code
  std::string runtime_dir;  // LAMBDA_RUNTIME_DIR
  std::string python_bin;   // the interpreter's directory, first on PATH ("" when unknown)
};

// The zygote's environment ("KEY=value" strings): Lambda's variables, then the function's own
// (replacing ours of the same name), then STATOR_RELAY_PORT for a relayed zygote.
std::vector<std::string> ZygoteEnvironment(const FunctionConfig& config,
                                           const EnvironmentSettings& settings);

class Zygote {
 public:
  enum class State : uint8_t { kNone, kStarting, kReady };

  struct Command {
    std::vector<std::string> argv;  // argv[0] is the program's path
    std::vector<std::string> env;
    std::string chdir;             // working directory; "" to keep the server's
    bool network_channel = false;  // give it fd 4, the network channel
  };

  // What ReadControl found.
  enum class Control : uint8_t {
    kNothing,    // nothing more to read now
    kReady,      // a 'Z' frame without error: the zygote is ready (state kReady)
    kInitError,  // a 'Z' frame with an error object (*error_json)
    kGone,       // the control socket closed: the zygote exited
  };

  Zygote() = default;
  Zygote(const Zygote&) = delete;
  Zygote& operator=(const Zygote&) = delete;

  // Spawns the process (state kStarting). Errors ("ServiceException"): a socket, memfd or
  // fcntl call or the spawn failed; nothing is left running or open then.
  Status Start(const Command& command);

  State state() const { return state_; }
  int control() const { return control_.get(); }  // -1 when stopped
  int network() const { return network_.get(); }  // -1 without a channel (or once closed)

  // Asks it to fork an instance (non-blocking). Errors: "ZygoteGone" (it exited, its death
  // perhaps not read yet), "ServiceException" (the send failed otherwise).
  Status SendSpawn(int instance_socket, int log_memfd, int64_t memory_mb, bool prewarm);

  // Reads the control socket (non-blocking) up to the next event.
  Control ReadControl(std::string* error_json);

  // What it wrote to stdout and stderr while starting (the last `cap` bytes).
  std::string InitLog(size_t cap) const;

  // Closes the server's end of the network channel (the relay exits when it sees that).
  void CloseNetwork() { network_.Reset(); }

  // SIGKILLs the process and closes its descriptors (state kNone). wait: reaps it; otherwise
  // returns its pid when it has not exited yet, for the caller to reap later.
  std::optional<pid_t> Stop(bool wait);

 private:
  State state_ = State::kNone;
  pid_t pid_ = -1;
  UniqueFd control_;
  UniqueFd network_;
  std::optional<InvocationLog> init_log_;
};

}  // namespace stator::functions
