// Subprocess: run one program to completion with a byte string on its stdin, capturing its stdout
// and stderr, with an optional wall-clock limit.
//
// The program is started directly (posix_spawnp, PATH lookup, no shell), so arguments are never
// re-interpreted. It runs in a process group of its own; when the time limit passes, the whole
// group is killed with SIGKILL. SIGPIPE raised by writing to a child that stopped reading is
// blocked and discarded on the calling thread only; the process's signal dispositions are not
// changed.
//
// Thread-safety: RunProcess may be called from several threads at once. The pipes are created
// close-on-exec, so a concurrent spawn on another thread does not inherit them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace stator::integrations {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is the program (looked up in PATH if it has no '/')
  std::vector<std::string> extra_env;  // "NAME=value" entries added to the inherited environment
  std::string stdin_data;
  std::optional<int64_t> timeout_millis;  // none: no limit
};

struct ProcessResult {
  bool timed_out = false;  // killed because the time limit passed
  int exit_code = -1;      // valid when the process exited normally
  int term_signal = 0;     // non-zero when a signal ended it
  std::string stdout_data;
  std::string stderr_data;

  bool exited_ok() const { return !timed_out && term_signal == 0 && exit_code == 0; }
};

// Runs spec to completion. Fails only when the program cannot be started (not found, not
// executable, no pipes); the Error's cause says why.
Result<ProcessResult> RunProcess(const ProcessSpec& spec);

// Kills (SIGKILL) the process groups of all programs RunProcess is running right now. Async-
// signal-safe: meant for a SIGINT/SIGTERM handler, so that interrupting stator does not leave
// task commands running in their own process groups.
void KillRunningProcessGroups();

// Splits a command line into words the way a shell would split plain words, without any
// expansion: whitespace separates words; '...' keeps everything literally; "..." keeps everything
// but lets \" and \\ stand for " and \; a backslash outside quotes escapes the next character.
// Fails on an unterminated quote or an empty command.
Result<std::vector<std::string>> SplitCommandLine(const std::string& command);

}  // namespace stator::integrations
