#include "functions/sandbox.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "common/json.h"

extern char** environ;

namespace stator::functions {
namespace {

namespace fs = std::filesystem;

std::string FindOnPath(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    size_t colon = p.find(':', start);
    std::string dir =
        p.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return "";
}

// Runs argv with stdout captured; returns (exit status, stdout).
std::pair<int, std::string> Capture(const std::vector<std::string>& argv) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return {-1, ""};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  std::string out;
  if (rc == 0) {
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
      if (n > 0) out.append(buf, static_cast<size_t>(n));
    }
  }
  close(fds[0]);
  if (rc != 0) return {-1, ""};
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

bool UnderUsr(const std::string& p) { return p == "/usr" || p.starts_with("/usr/"); }

}  // namespace

Result<PythonInstall> FindPython(const std::string& python) {
  std::string exe = FindOnPath(python);
  if (exe.empty()) return Error{"NoPython", "python3 not found on PATH"};
  auto [code, out] =
      Capture({exe, "-c",
               "import json,sys,site\n"
               "p=[sys.prefix,sys.base_prefix,sys.exec_prefix]+site.getsitepackages()\n"
               "u=site.getusersitepackages()\n"
               "print(json.dumps({'exe':sys.executable,'paths':p,'user':u}))\n"});
  if (code != 0) return Error{"NoPython", "'" + exe + "' does not run"};
  auto v = json::Parse(out);
  if (!v.ok() || !v->is_object() || !v->Find("exe") || !v->Find("exe")->is_string()) {
    return Error{"NoPython", "cannot ask '" + exe + "' where it lives"};
  }
  PythonInstall p;
  std::error_code ec;
  p.executable = fs::canonical(v->Find("exe")->as_string(), ec).string();
  if (ec) p.executable = v->Find("exe")->as_string();
  std::vector<std::string> candidates;
  for (const auto& x : v->Find("paths")->as_array()) candidates.push_back(x.as_string());
  if (const json::Value* u = v->Find("user"); u && u->is_string()) {
    candidates.push_back(u->as_string());
  }
  for (std::string c : candidates) {
    std::string real = fs::canonical(c, ec).string();
    if (ec || !fs::is_directory(real, ec) || UnderUsr(real)) continue;
    bool covered = false;
    for (const auto& have : p.paths) {
      if (real == have || real.starts_with(have + "/")) covered = true;
    }
    if (!covered) p.paths.push_back(real);
  }
  return p;
}

Sandbox Sandbox::Detect(bool want_bwrap, const PythonInstall& python, std::string* warning) {
  Sandbox s;
  s.python_ = python;
  if (!want_bwrap) return s;
  std::string bwrap = FindOnPath("bwrap");
  if (bwrap.empty()) {
    *warning = "bubblewrap (bwrap) not found: functions run unsandboxed";
    return s;
  }
  s.bwrap_ = bwrap;
  s.sandboxed_ = true;
  // Probe: the real command line, with a trivial program instead of the runtime.
  std::vector<std::string> argv = s.ZygoteCommand("/", "/usr");
  argv.resize(argv.size() - 3);  // drop the interpreter, -B and the script
  argv.push_back(python.executable);
  argv.push_back("-c");
  argv.push_back("print('ok')");
  auto [code, out] = Capture(argv);
  if (code != 0 || out != "ok\n") {
    *warning = "bubblewrap (" + bwrap + ") cannot start a sandbox here: functions run unsandboxed";
    s.sandboxed_ = false;
  }
  return s;
}

std::string Sandbox::TaskRoot(const std::string& host_code_dir) const {
  return sandboxed_ ? "/var/task" : host_code_dir;
}

std::vector<std::string> Sandbox::ZygoteCommand(const std::string& host_code_dir,
                                                const std::string& host_runtime_dir) const {
  if (!sandboxed_) return {python_.executable, "-B", host_runtime_dir + "/stator_runtime.py"};
  // --unshare-net: only loopback (bwrap brings it up); stator through the runtime's relay.
  // --cap-drop ALL: bwrap run by root keeps root's capabilities unless told (run by another
  // user it has none to keep).
  std::vector<std::string> a = {bwrap_,          "--die-with-parent",
                                "--new-session", "--unshare-pid",
                                "--unshare-ipc", "--unshare-uts",
                                "--unshare-net", "--unshare-cgroup-try",
                                "--cap-drop",    "ALL",
                                "--hostname",    "stator-function",
                                "--ro-bind",     "/usr",
                                "/usr"};
  for (const char* top : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
    std::error_code ec;
    fs::file_status st = fs::symlink_status(top, ec);
    if (ec || !fs::exists(st)) continue;
    if (fs::is_symlink(st)) {
      a.insert(a.end(), {"--symlink", fs::read_symlink(top, ec).string(), top});
    } else if (fs::is_directory(st)) {
      a.insert(a.end(), {"--ro-bind", top, top});
    }
  }
  // Only what programs commonly need from /etc (not shadow files or server configuration).
  for (const char* f :
       {"/etc/ssl", "/etc/ca-certificates", "/etc/pki", "/etc/resolv.conf", "/etc/hosts",
        "/etc/nsswitch.conf", "/etc/passwd", "/etc/group", "/etc/localtime", "/etc/ld.so.cache",
        "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/mime.types",
        "/etc/os-release", "/etc/protocols", "/etc/services"}) {
    if (access(f, F_OK) == 0) a.insert(a.end(), {"--ro-bind", f, f});
  }
  for (const std::string& p : python_.paths) a.insert(a.end(), {"--ro-bind", p, p});
  a.insert(a.end(), {"--proc",
                     "/proc",
                     "--dev",
                     "/dev",
                     "--tmpfs",
                     "/tmp",
                     "--dir",
                     "/var",
                     "--bind",
                     host_code_dir,
                     "/var/task",
                     "--ro-bind",
                     host_runtime_dir,
                     "/var/runtime",
                     "--chdir",
                     "/var/task",
                     "--setenv",
                     "HOME",
                     "/tmp",
                     python_.executable,
                     "-B",
                     "/var/runtime/stator_runtime.py"});
  return a;
}

}  // namespace stator::functions
