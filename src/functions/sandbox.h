// Sandbox: how a function's zygote process is started, and inside what.
//
// With bubblewrap (`bwrap`) available, a zygote runs in fresh PID, IPC, UTS and network
// namespaces, with no capabilities (dropped even when the server runs as root), dies with the
// server (--die-with-parent), sees read-only system directories (/usr, the Python
// installation, a few files of /etc), its own code directory at /var/task (writable, it is the
// function's working directory), the runtime script at /var/runtime, and a private tmpfs /tmp
// and /dev. It sees nothing else of the host: not the data directory, not other functions'
// code, not the host's network (its namespace has only `lo`). It reaches stator through the
// runtime's network channel (runtime.h: the zygote's relay listens on 127.0.0.1 inside).
// Without bwrap (or when it fails to start a probe sandbox) zygotes run unsandboxed and the
// server logs a warning once.
//
// Thread-safety: immutable after Detect.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace stator::functions {

struct PythonInstall {
  std::string executable;          // the real interpreter (not a pyenv shim)
  std::vector<std::string> paths;  // directories it needs, outside /usr
};

// Finds python3 on PATH and asks it where it lives. Errors: no usable python3.
Result<PythonInstall> FindPython(const std::string& python = "python3");

class Sandbox {
 public:
  // Probes bwrap (when want_bwrap) by running a trivial sandbox. On failure returns an
  // unsandboxed Sandbox and sets *warning.
  static Sandbox Detect(bool want_bwrap, const PythonInstall& python, std::string* warning);

  bool sandboxed() const { return sandboxed_; }
  // Where the code appears to the function.
  std::string TaskRoot(const std::string& host_code_dir) const;

  // The command that starts a zygote for the code in host_code_dir: the runtime's
  // stator_runtime.py in host_runtime_dir (which also holds the modules it imports; sandboxed,
  // the directory appears read-only as /var/runtime).
  std::vector<std::string> ZygoteCommand(const std::string& host_code_dir,
                                         const std::string& host_runtime_dir) const;

 private:
  bool sandboxed_ = false;
  std::string bwrap_;
  PythonInstall python_;
};

}  // namespace stator::functions
