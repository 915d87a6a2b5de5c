"""The function sandbox's hardening, end to end: a real `stator serve`, Python functions invoked
through boto3 that probe the environment they run in (docs/functions.md, "Sandbox").

- PID namespace: a function sees itself as a low pid and only the sandbox's processes, not the
  server or anything else of the host.
- /etc/shadow (and gshadow) are not in the sandbox; /usr is mounted read-only (a write fails with
  EROFS, even for root); no capabilities (CapEff, CapPrm, CapInh, CapAmb all 0; NoNewPrivs).
- Die with the server: SIGKILL the server while an instance runs a handler that has started a
  child of its own; every process of the sandbox (bwrap, the zygote, the relay, the instance,
  its child) is gone shortly after, checked pid by pid (and by process group) with a bounded
  wait.
- The relay's connection cap: a function holds 1024 connections through the relay (each one
  answered by the server), the next one is closed as it is accepted, held ones keep working,
  and closing one makes room for a new one.

Every test needs bubblewrap that can create PID and network namespaces (`@needs`,
tests/ctest_unittest.py): where it cannot, ctest lists api_sandbox as Skipped and
scripts/test.sh prints why. Where it can, a server that still runs functions unsandboxed is a
failure.
"""

import glob
import json
import os
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from stator_server import ACCOUNT, Server, bwrap_problem, lambda_client, make_zip  # noqa: E402

import ctest_unittest  # noqa: E402

ROLE = f"arn:aws:iam::{ACCOUNT}:role/fn"

# Reports what the function can see of processes, files and its own privileges.
PROBE = r"""
import errno, os
def attempt(fn):
    try:
        fn()
        return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
def write(path):
    with open(path, "w") as f:
        f.write("x")
def handler(event, context):
    procs = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/cmdline", "rb") as f:
                    procs[d] = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
            except OSError:
                pass
    status = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            status[key] = value.strip()
    return {
        "task_root": os.environ.get("LAMBDA_TASK_ROOT"),
        "pid": os.getpid(),
        "procs": procs,
        "status": {k: status.get(k) for k in ("CapInh", "CapPrm", "CapEff", "CapAmb",
                                              "NoNewPrivs")},
        "uid": os.getuid(),
        "shadow": attempt(lambda: open("/etc/shadow", "rb").close()),
        "gshadow": attempt(lambda: open("/etc/gshadow", "rb").close()),
        "etc": sorted(os.listdir("/etc")),
        "write_usr": attempt(lambda: write("/usr/stator-sandbox-probe")),
        "mkdir_usr_lib": attempt(lambda: os.mkdir("/usr/lib/stator-sandbox-probe")),
        "write_bin": attempt(lambda: write("/bin/stator-sandbox-probe")),
        "write_tmp": attempt(lambda: write("/tmp/stator-sandbox-probe")),
    }
"""

# Starts a child process (in a session of its own, as a daemon would), says so with a file in
# its code directory (the test reads it on the host), then waits for a file that never comes.
BLOCKER = r"""
import os, subprocess, time
def handler(event, context):
    child = subprocess.Popen(["sleep", "600"], start_new_session=True)
    with open(f"started-{context.aws_request_id}", "w") as f:
        f.write(str(child.pid))
    while not os.path.exists("release"):
        time.sleep(0.01)
    return {"released": True}
"""

# Opens connections through the relay, each confirmed by an HTTP round trip with the server.
RELAY_CAP = r"""
import os, resource, socket, time
REQUEST = b"GET /2015-03-31/functions/ HTTP/1.1\r\nHost: stator\r\n\r\n"
def round_trip(s):
    # One request, its whole response: "http STATUS", or how the connection ended.
    try:
        s.sendall(REQUEST)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                return "closed"
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(body) < length:
            chunk = s.recv(65536)
            if not chunk:
                return "closed"
            body += chunk
        return "http " + head.split(b" ")[1].decode()
    except (ConnectionResetError, BrokenPipeError):
        return "reset"
    except socket.timeout:
        return "timeout"
def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=10)
def handler(event, context):
    n = event["n"]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 256:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 256), hard))
    port = int(os.environ["AWS_ENDPOINT_URL"].rsplit(":", 1)[1])
    held, out = [], {}
    try:
        for i in range(n):
            s = connect(port)
            r = round_trip(s)
            if r != "http 200":
                return {"failed_at": i, "result": r}
            held.append(s)
        out["held"] = len(held)
        extra = connect(port)
        out["over_cap"] = round_trip(extra)
        extra.close()
        out["held_still_works"] = round_trip(held[0])
        # One closed (both of its sides end): room for one more, once the relay has seen it.
        held.pop().close()
        deadline = time.time() + 20
        out["after_close"] = None
        while time.time() < deadline and out["after_close"] != "http 200":
            s = connect(port)
            out["after_close"] = round_trip(s)
            if out["after_close"] == "http 200":
                held.append(s)
            else:
                s.close()
                time.sleep(0.05)
        return out
    finally:
        for s in held:
            s.close()
"""


def create(lam, name, code, **kw):
    lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE,
                        Handler="app.handler", Code={"ZipFile": make_zip({"app.py": code})}, **kw)


def invoke(lam, name, payload):
    r = lam.invoke(FunctionName=name, Payload=json.dumps(payload).encode())
    return r, json.loads(r["Payload"].read())


def proc_stat(pid):
    """(state, ppid, pgid, start time) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1]), int(fields[2]), int(fields[19])


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def descendants(root):
    """{pid: (pgid, start time, command line)} of every live descendant of pid root."""
    children = {}
    for d in os.listdir("/proc"):
        if d.isdigit() and (st := proc_stat(int(d))) is not None and st[0] != "Z":
            children.setdefault(st[1], []).append((int(d), st))
    out, todo = {}, [root]
    while todo:
        for pid, st in children.get(todo.pop(), []):
            out[pid] = (st[2], st[3], cmdline(pid))
            todo.append(pid)
    return out


def alive(pid, start_time):
    """Whether the process pid that started at start_time still runs (not a zombie)."""
    st = proc_stat(pid)
    return st is not None and st[3] == start_time and st[0] != "Z"


NEEDS_BWRAP = ctest_unittest.needs("bubblewrap that can create PID and network namespaces",
                                   bwrap_problem)


@NEEDS_BWRAP
class SandboxTest(unittest.TestCase):
    """One server for the probes that do not kill it."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="stator-sandbox-test-")
        # The server (and so the relay) starts with a soft descriptor limit of 1500: enough for
        # the server's end of 1024 relayed connections, less than the relay's two per
        # connection, which it must raise itself (a machine's default soft limit, 1024 on many,
        # would not even let the server hold them).
        limits = resource.getrlimit(resource.RLIMIT_NOFILE)
        if limits[1] == resource.RLIM_INFINITY or limits[1] >= 1500:
            resource.setrlimit(resource.RLIMIT_NOFILE, (1500, limits[1]))
        try:
            cls.server = Server("--data-dir", os.path.join(cls.tmp, "data"))
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, limits)
        cls.lam = lambda_client(cls.server.endpoint)
        create(cls.lam, "probe", PROBE)
        cls.out = invoke(cls.lam, "probe", {})[1]
        if cls.out.get("task_root") != "/var/task":
            cls.tearDownClass()
            raise AssertionError("bwrap can make a sandbox here, yet the server runs functions "
                                 f"unsandboxed: LAMBDA_TASK_ROOT={cls.out.get('task_root')!r}")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_pid_namespace(self):
        out = self.out
        # The host sees the server and this test (so the checks below can tell) ...
        host = {cmdline(pid).strip() for pid in (self.server.proc.pid, os.getpid())}
        self.assertTrue(all(host), host)
        self.assertTrue(any(" serve " in c for c in host), host)
        # ... the function sees neither: only the sandbox (bwrap's init, the zygote, the relay,
        # instances), with low pids of its own namespace.
        self.assertLess(out["pid"], 100, out)
        self.assertFalse(host & set(out["procs"].values()), out["procs"])
        for pid, c in out["procs"].items():
            self.assertTrue("bwrap" in c or "stator_runtime.py" in c, (pid, c, out["procs"]))
        self.assertLessEqual(len(out["procs"]), 8, out["procs"])
        host_pids = [d for d in os.listdir("/proc") if d.isdigit()]
        self.assertGreater(len(host_pids), len(out["procs"]))

    def test_etc_shadow_is_not_there(self):
        self.assertTrue(os.path.exists("/etc/shadow"), "the host has no /etc/shadow to hide")
        self.assertEqual(self.out["shadow"], "ENOENT", self.out)
        self.assertEqual(self.out["gshadow"], "ENOENT", self.out)
        self.assertNotIn("shadow", self.out["etc"])
        self.assertIn("passwd", self.out["etc"])  # the sandbox's /etc is not simply empty

    def test_usr_is_read_only(self):
        out = self.out
        # EROFS: the mount refuses, whoever asks (the server may run as root, as in CI).
        self.assertEqual(out["write_usr"], "EROFS", out)
        self.assertEqual(out["mkdir_usr_lib"], "EROFS", out)
        self.assertEqual(out["write_bin"], "EROFS", out)  # /bin is a symlink into /usr
        self.assertEqual(out["write_tmp"], "ok", out)  # a write that is allowed works
        self.assertFalse(os.path.exists("/usr/stator-sandbox-probe"))
        self.assertFalse(os.path.exists("/usr/lib/stator-sandbox-probe"))

    def test_no_capabilities(self):
        status = self.out["status"]
        for cap in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
            self.assertEqual(int(status[cap], 16), 0, (cap, status, "uid", self.out["uid"]))
        self.assertEqual(status["NoNewPrivs"], "1", status)

    def test_relay_caps_connections_at_1024(self):
        create(self.lam, "relaycap", RELAY_CAP, Timeout=300)
        r, out = invoke(self.lam, "relaycap", {"n": 1024})
        self.assertNotIn("FunctionError", r, out)
        self.assertEqual(out.get("held"), 1024, out)
        # Connection 1025 is accepted by the relay and closed at once (the client sees the end
        # of stream or a reset), not served.
        self.assertIn(out["over_cap"], ("closed", "reset"), out)
        self.assertEqual(out["held_still_works"], "http 200", out)
        self.assertEqual(out["after_close"], "http 200", out)


@NEEDS_BWRAP
class DieWithServerTest(unittest.TestCase):
    def test_sandbox_dies_with_a_killed_server(self):
        tmp = tempfile.mkdtemp(prefix="stator-sandbox-kill-")
        server = Server("--data-dir", os.path.join(tmp, "data"))
        procs = {}
        try:
            lam = lambda_client(server.endpoint)
            create(lam, "blocker", BLOCKER, Timeout=300)
            code = glob.glob(os.path.join(tmp, "data", "functions-cache", "blocker", "code-*"))
            self.assertEqual(len(code), 1, code)
            failures = []

            def call():
                try:
                    invoke(lam, "blocker", {})
                    failures.append("the call returned")
                except Exception:  # the server is killed under it: expected
                    pass

            caller = threading.Thread(target=call)
            caller.start()
            deadline = time.time() + 60
            while not glob.glob(os.path.join(code[0], "started-*")):
                self.assertLess(time.time(), deadline, "the handler never started")
                self.assertTrue(caller.is_alive(), failures)
                time.sleep(0.01)
            procs = descendants(server.proc.pid)
            commands = [c for _, _, c in procs.values()]
            self.assertTrue(any("/var/runtime/stator_runtime.py" in c for c in commands),
                            f"the server runs functions unsandboxed: {commands}")
            # bwrap, its init, the zygote, the relay, the instance, the handler's child.
            self.assertGreaterEqual(len(procs), 6, commands)
            self.assertTrue(any(c.startswith("sleep 600") for c in commands), commands)
            # The sandbox's own sessions (bwrap --new-session; the child's setsid): not the
            # test's process group, which the server and bwrap's outer process share.
            groups = {pgid for pgid, _, _ in procs.values()} - {os.getpgid(0)}
            self.assertTrue(groups, procs)

            server.proc.send_signal(signal.SIGKILL)
            server.proc.wait(timeout=30)
            deadline = time.time() + 10
            while True:
                left = {pid: c for pid, (_, start, c) in procs.items() if alive(pid, start)}
                in_groups = [pid for pid in map(int, filter(str.isdigit, os.listdir("/proc")))
                             if (st := proc_stat(pid)) and st[0] != "Z" and st[2] in groups]
                if not left and not in_groups:
                    break
                self.assertLess(time.time(), deadline,
                                f"still running 10 s after the server was killed: {left}, "
                                f"in the sandbox's process groups: {in_groups}")
                time.sleep(0.02)
            caller.join(timeout=30)
            self.assertFalse(caller.is_alive())
            self.assertEqual(failures, [])
        finally:
            for pid, (_, start, _) in procs.items():  # the test failed: leave nothing behind
                if alive(pid, start):
                    os.kill(pid, signal.SIGKILL)
            server.stop()
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    ctest_unittest.main()
