#!/usr/bin/env python3
"""Server benchmark (not a test): `stator serve` against moto server, side by side, one run.

usage: bench/server_bench.py [--stator PATH] [--runs N] [--moto-runs N] [--seconds S]
                             [--connections C] [--executions E] [--chain N] [--skip-moto]
                             [--skip-wrk] [--json FILE]

Both servers get the same boto3 client settings (no retries, no "sync-" host prefix: the
endpoint is an IP address, which botocore cannot prefix; stator accepts either Host) and the same
definitions:
  - PASS10: 10 Pass states in a chain; PASS1: one Pass state; CHAIN: --chain Pass states.

Measurements (one line each in the table; ratio = moto / stator for times, stator / moto for
rates):
  1. the client floor: ListStateMachines from the same boto3 client, p50 and p99;
  2. StartExecution -> SUCCEEDED of PASS10 (STANDARD), sequential: StartExecution, then
     DescribeExecution in a tight loop (no sleep) until the status is not RUNNING;
  3. StartSyncExecution of PASS10 created as EXPRESS (stator only: moto answers 500), and its
     ratio to the floor;
  4. wrk (Debian package wrk) posting StartSyncExecution with -t2 -cC for S seconds, and
     ListStateMachines the same way (stator only);
  5. durable transitions/s: E STANDARD executions of CHAIN started at once over keep-alive
     connections (stator, --data-dir, so SQLite with fsync), timed until ListExecutions
     (statusFilter RUNNING) is empty; transitions = states entered = E x chain;
  6. added latency per durable step: (p50 of STANDARD PASS10 - p50 of STANDARD PASS1) / 9, and
     (p50 of STANDARD PASS10 - p50 of EXPRESS PASS10 sync) / 10, both through boto3.

moto (moto.stepfunctions.parser, LocalStack's interpreter) can run only one execution per
account and region: a second StartExecution in the same backend fails with a 500 ("cannot pickle
'_thread.RLock' object": it deep-copies the state machine, whose backend holds the first
execution's worker thread) or, without a name, ExecutionAlreadyExists (the generated name is
"None"). moto takes the account from an `x-moto-account-id` request header, so every execution
gets its own account (a fresh backend), in region us-east-1, with one state machine created per
account (not timed). The driver sends the same header to stator, which ignores it, so both
sides run the same client code; stator serves one account and region per process.
"""

import argparse
import glob
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from aws_json import call, count_running, start_all  # bench/

import boto3
import botocore.config

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/bench"

TARGET_E2E_RATIO = 100.0
TARGET_SYNC_OVER_NOOP = 1.2
TARGET_WRK_RATE = 20_000
TARGET_DURABLE_RATE = 50_000


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def chain(n):
    states = {}
    for i in range(n):
        s = {"Type": "Pass"}
        if i + 1 < n:
            s["Next"] = f"S{i + 1}"
        else:
            s["End"] = True
        states[f"S{i}"] = s
    return json.dumps({"StartAt": "S0", "States": states})


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_stator():
    candidates = [c for c in glob.glob(os.path.join(ROOT, "build*", "stator"))
                  if os.access(c, os.X_OK)]
    if not candidates:
        sys.exit("no build*/stator in the tree; pass --stator PATH")
    return max(candidates, key=os.path.getmtime)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


# --- servers ------------------------------------------------------------------------------------

class Stator:
    def __init__(self, binary, data_dir, *extra):
        self.proc = subprocess.Popen(
            [binary, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data_dir,
             "--account", ACCOUNT, "--region", REGION, *extra],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("stator listening on http://"):
            self.proc.kill()
            sys.exit(f"stator: unexpected first line {line!r}")
        self.endpoint = line[len("stator listening on "):]
        self.port = int(self.endpoint.rsplit(":", 1)[1])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Moto:
    def __init__(self):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self.log, stderr=self.log)
        deadline = time.time() + 60
        while True:
            try:
                req = urllib.request.Request(
                    self.endpoint + "/moto-api/config", method="POST",
                    data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode())
                urllib.request.urlopen(req, timeout=5).read()
                break
            except OSError:
                if time.time() > deadline or self.proc.poll() is not None:
                    self.stop()
                    sys.exit("moto server did not start")
                time.sleep(0.2)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# --- the boto3 driver (the same for both servers) -----------------------------------------------

class Driver:
    """One boto3 client (one keep-alive connection); every request carries x-moto-account-id."""

    def __init__(self, endpoint):
        self.account = "000000000000"
        self.c = boto3.client(
            "stepfunctions", endpoint_url=endpoint, region_name=REGION,
            aws_access_key_id="x", aws_secret_access_key="x",
            config=botocore.config.Config(retries={"max_attempts": 0}, inject_host_prefix=False,
                                          read_timeout=120))
        self.c.meta.events.register("before-send.sfn", self._header)
        self._n = 0

    def _header(self, request, **_):
        request.headers["x-moto-account-id"] = self.account

    def next_account(self):
        self._n += 1
        self.account = "%012d" % (300_000_000_000 + os.getpid() * 10_000 + self._n)

    def create(self, name, definition, type_="STANDARD"):
        try:
            return self.c.create_state_machine(name=name, definition=definition, roleArn=ROLE,
                                               type=type_)["stateMachineArn"]
        except self.c.exceptions.StateMachineAlreadyExists:
            for m in self.c.list_state_machines()["stateMachines"]:
                if m["name"] == name:
                    return m["stateMachineArn"]
            raise

    def noop(self):
        t = time.perf_counter()
        self.c.list_state_machines()
        return time.perf_counter() - t

    def run_standard(self, arn, name):
        """StartExecution, then DescribeExecution until done; returns (seconds, polls)."""
        t = time.perf_counter()
        ex = self.c.start_execution(stateMachineArn=arn, name=name, input='{"n": 1}')
        polls = 0
        while True:
            d = self.c.describe_execution(executionArn=ex["executionArn"])
            polls += 1
            if d["status"] != "RUNNING":
                break
        dt = time.perf_counter() - t
        if d["status"] != "SUCCEEDED":
            raise RuntimeError(f"execution ended {d['status']}: {d.get('error')} {d.get('cause')}")
        return dt, polls

    def run_sync(self, arn):
        t = time.perf_counter()
        r = self.c.start_sync_execution(stateMachineArn=arn, input='{"n": 1}')
        dt = time.perf_counter() - t
        if r["status"] != "SUCCEEDED":
            raise RuntimeError(f"sync execution ended {r['status']}: {r.get('error')}")
        return dt


def measure_noop(d, runs):
    for _ in range(min(50, runs)):
        d.noop()
    return [d.noop() for _ in range(runs)]


def measure_standard(d, definition, runs, tag, per_account):
    """Sequential StartExecution -> SUCCEEDED. per_account: a new account (and machine) per run."""
    times, polls = [], []
    arn = None
    warm = 0 if per_account else min(20, runs)
    for i in range(warm + runs):
        if per_account or arn is None:
            if per_account:
                d.next_account()
            arn = d.create(f"bench-{tag}", definition)
        dt, n = d.run_standard(arn, f"{tag}-{os.getpid()}-{time.time_ns()}-{i}")
        if i >= warm:
            times.append(dt)
            polls.append(n)
    return times, polls


def measure_sync(d, arn, runs):
    for _ in range(min(50, runs)):
        d.run_sync(arn)
    return [d.run_sync(arn) for _ in range(runs)]


# --- wrk ----------------------------------------------------------------------------------------

WRK_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "AWSStepFunctions.%(op)s"
wrk.body = [==[%(body)s]==]
local errors = 0
response = function(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
    if errors <= 3 then io.stderr:write("status " .. status .. ": " .. body .. "\\n") end
  end
end
"""


def run_wrk(port, op, body, threads, connections, seconds):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_LUA % {"op": op, "body": json.dumps(body)})
        script = f.name
    try:
        cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s",
               script, f"http://127.0.0.1:{port}/"]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    finally:
        os.unlink(script)
    rate = None
    non2xx = 0
    p50 = p99 = None
    for line in out.stdout.splitlines():
        parts = line.split()
        if line.startswith("Requests/sec:"):
            rate = float(parts[1])
        elif "Non-2xx" in line:
            non2xx = int(parts[-1])
        elif len(parts) == 2 and parts[0] == "50%":
            p50 = parts[1]
        elif len(parts) == 2 and parts[0] == "99%":
            p99 = parts[1]
    if non2xx:
        log(f"wrk {op}: {non2xx} non-2xx responses: {out.stderr.strip()[:500]}")
    return {"rate": rate, "non2xx": non2xx, "p50": p50, "p99": p99, "cmd": " ".join(cmd[:-3])}


# --- durable transitions ------------------------------------------------------------------------

def measure_durable(port, arn, executions, chain_len, connections):
    """Starts `executions` STANDARD executions over `connections` keep-alive connections, then
    waits until none is RUNNING. Returns (seconds from first start to all done, start seconds)."""
    prefix = f"dur-{os.getpid()}-{time.time_ns()}"
    started = start_all([port], arn, executions, connections, prefix=prefix)
    t1 = time.perf_counter()
    while count_running(port, arn):
        time.sleep(0.005)
    total = started + (time.perf_counter() - t1)
    # Every execution succeeded?
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    ok, token = 0, None
    while True:
        p = {"stateMachineArn": arn, "statusFilter": "SUCCEEDED", "maxResults": 1000}
        if token:
            p["nextToken"] = token
        r = call(conn, "ListExecutions", p)
        ok += sum(1 for e in r["executions"] if e["name"].startswith(prefix))
        token = r.get("nextToken")
        if not token:
            break
    conn.close()
    if ok != executions:
        raise RuntimeError(f"durable: {ok} of {executions} executions SUCCEEDED")
    return total, started


# --- disk --------------------------------------------------------------------------------------

def measure_fsync(directory, n):
    """The data directory's sync latency: append 4 KiB and fdatasync, n times."""
    path = os.path.join(directory, "fsync-probe")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    out = []
    try:
        for _ in range(n):
            t = time.perf_counter()
            os.write(fd, b"x" * 4096)
            os.fdatasync(fd)
            out.append(time.perf_counter() - t)
    finally:
        os.close(fd)
        os.unlink(path)
    return out


# --- table --------------------------------------------------------------------------------------

def ms(x):
    return None if x is None else x * 1000.0


def fmt(x):
    if x is None:
        return "-"
    if isinstance(x, str):
        return x
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 1:
        return f"{x:,.2f}"
    return f"{x:.3f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stator", help="stator binary (default: newest build*/stator)")
    ap.add_argument("--runs", type=int, default=1000, help="sequential runs per stator latency")
    ap.add_argument("--moto-runs", type=int, default=100, help="sequential runs on moto")
    ap.add_argument("--seconds", type=int, default=10, help="wrk duration")
    ap.add_argument("--connections", type=int, default=64, help="wrk connections")
    ap.add_argument("--executions", type=int, default=1000, help="durable: executions")
    ap.add_argument("--chain", type=int, default=100, help="durable: Pass states per execution")
    ap.add_argument("--step-chain", type=int, default=100,
                    help="Pass states of the long machine for the per-step latency")
    ap.add_argument("--skip-moto", action="store_true")
    ap.add_argument("--skip-wrk", action="store_true")
    ap.add_argument("--skip-tmpfs", action="store_true",
                    help="skip the Standard latency row with the data directory on /dev/shm")
    ap.add_argument("--json", help="also write the measurements to this file")
    a = ap.parse_args()

    binary = a.stator or find_stator()
    pass10, pass1, long_chain = chain(10), chain(1), chain(a.chain)
    step_chain = chain(a.step_chain)
    res = {"stator_binary": binary, "load_start": loadavg()}
    log(f"stator: {binary}; load average {res['load_start']}")

    data_dir = tempfile.mkdtemp(prefix="stator-server-bench-")
    st = Stator(binary, data_dir)
    moto = None
    try:
        d = Driver(st.endpoint)
        log("stator: ListStateMachines")
        res["stator_noop"] = measure_noop(d, a.runs)
        log("stator: StartExecution -> SUCCEEDED (PASS10, STANDARD)")
        res["stator_std10"], res["stator_std10_polls"] = measure_standard(
            d, pass10, a.runs, "pass10", per_account=False)
        log("stator: StartSyncExecution (PASS10, EXPRESS)")
        express_arn = d.create("bench-pass10-express", pass10, "EXPRESS")
        res["stator_sync10"] = measure_sync(d, express_arn, a.runs)
        log(f"stator: per-step latency, 1 and {a.step_chain} Pass states, STANDARD and EXPRESS")
        step_runs = max(20, a.runs // 2)
        res["stator_stdN"], _ = measure_standard(d, step_chain, step_runs, "passN",
                                                 per_account=False)
        res["stator_std1b"], _ = measure_standard(d, pass1, step_runs, "pass1",
                                                  per_account=False)
        res["stator_syncN"] = measure_sync(d, d.create("bench-passN-express", step_chain,
                                                       "EXPRESS"), step_runs)
        res["stator_sync1"] = measure_sync(d, d.create("bench-pass1-express", pass1, "EXPRESS"),
                                           step_runs)
        res["fsync"] = measure_fsync(data_dir, 200)
        # The same machine the moto side gets (one per account), for a like-for-like row.
        log("stator: StartExecution -> SUCCEEDED, a new account header and machine per run")
        res["stator_std10_acct"], _ = measure_standard(d, pass10, min(a.runs, a.moto_runs * 2),
                                                       "pass10acct", per_account=True)
        d.account = "000000000000"

        if not a.skip_wrk:
            if not shutil.which("wrk"):
                log("wrk missing (apt-get install -y wrk): skipping the wrk rows")
            else:
                body = {"stateMachineArn": express_arn, "input": '{"n": 1}'}
                log(f"wrk: StartSyncExecution -t2 -c{a.connections} -d{a.seconds}s")
                res["wrk_sync"] = run_wrk(st.port, "StartSyncExecution", body, 2,
                                          a.connections, a.seconds)
                log(f"wrk: ListStateMachines -t2 -c{a.connections} -d{a.seconds}s")
                res["wrk_noop"] = run_wrk(st.port, "ListStateMachines", {}, 2, a.connections,
                                          a.seconds)

        log(f"stator: durable, {a.executions} STANDARD executions x {a.chain} Pass states")
        chain_arn = d.create(f"bench-chain{a.chain}", long_chain)
        total, started = measure_durable(st.port, chain_arn, a.executions, a.chain, 32)
        res["durable"] = {"seconds": total, "start_seconds": started,
                          "transitions": a.executions * a.chain,
                          "rate": a.executions * a.chain / total}
    finally:
        st.stop()
        shutil.rmtree(data_dir, ignore_errors=True)

    # The same sequential measurement with the data directory on tmpfs, where fsync costs
    # nothing: what the disk's sync latency adds to a Standard execution.
    if os.path.isdir("/dev/shm") and not a.skip_tmpfs:
        shm_dir = tempfile.mkdtemp(prefix="stator-server-bench-", dir="/dev/shm")
        st = Stator(binary, shm_dir)
        try:
            log("stator (data dir on tmpfs): StartExecution -> SUCCEEDED (PASS10, STANDARD)")
            res["stator_std10_tmpfs"], _ = measure_standard(Driver(st.endpoint), pass10, a.runs,
                                                            "pass10", per_account=False)
        finally:
            st.stop()
            shutil.rmtree(shm_dir, ignore_errors=True)

    if not a.skip_moto:
        moto = Moto()
        try:
            d = Driver(moto.endpoint)
            log("moto: ListStateMachines")
            res["moto_noop"] = measure_noop(d, a.moto_runs)
            log("moto: StartExecution -> SUCCEEDED (PASS10), one account per execution")
            res["moto_std10"], res["moto_std10_polls"] = measure_standard(
                d, pass10, a.moto_runs, "pass10", per_account=True)
            d.next_account()
            arn = d.create("bench-pass10-express", pass10, "EXPRESS")
            try:
                d.run_sync(arn)
                res["moto_sync"] = "supported"
            except Exception as e:  # noqa: BLE001
                code = getattr(e, "response", {}).get("ResponseMetadata", {}).get(
                    "HTTPStatusCode", "?")
                res["moto_sync"] = f"fails ({code})"
        finally:
            moto.stop()
    res["load_end"] = loadavg()

    # --- the table ---
    rows = []

    def lat_rows(label, s, m, target="", met=""):
        for p in (50, 99):
            sv = ms(pct(s, p)) if s else None
            mv = ms(pct(m, p)) if m else None
            ratio = f"{mv / sv:.1f}x" if sv and mv else "-"
            rows.append((f"{label} p{p} (ms)", sv, mv, ratio,
                         target if p == 50 else "", met if p == 50 else ""))

    noop_s, noop_m = res["stator_noop"], res.get("moto_noop")
    lat_rows("ListStateMachines (client floor)", noop_s, noop_m)
    e2e_ratio = None
    if res.get("moto_std10"):
        e2e_ratio = pct(res["moto_std10"], 50) / pct(res["stator_std10"], 50)
    lat_rows("StartExecution->SUCCEEDED 10 Pass", res["stator_std10"], res.get("moto_std10"),
             ">= 100x moto", "-" if e2e_ratio is None else
             ("met" if e2e_ratio >= TARGET_E2E_RATIO else "MISSED"))
    if res.get("moto_std10"):
        r2 = pct(res["moto_std10"], 50) / pct(res["stator_std10_acct"], 50)
        lat_rows("  same client sequence as moto (*)", res["stator_std10_acct"],
                 res["moto_std10"], ">= 100x moto", "met" if r2 >= TARGET_E2E_RATIO else "MISSED")
    if res.get("stator_std10_tmpfs"):
        lat_rows("  data dir on tmpfs (no fsync cost)", res["stator_std10_tmpfs"],
                 res.get("moto_std10"))
    rows.append(("  DescribeExecution polls per run p50", statistics.median(
        res["stator_std10_polls"]), statistics.median(res["moto_std10_polls"])
        if res.get("moto_std10_polls") else None, "-", "", ""))
    lat_rows("StartExecution->SUCCEEDED 1 Pass", res["stator_std1b"], None)
    sync_ratio = pct(res["stator_sync10"], 50) / pct(noop_s, 50)
    lat_rows("StartSyncExecution 10 Pass (EXPRESS)", res["stator_sync10"], None,
             "<= 1.2x floor", "met" if sync_ratio <= TARGET_SYNC_OVER_NOOP else "MISSED")
    rows.append(("  StartSync p50 / ListStateMachines p50", f"{sync_ratio:.3f}", None, "-",
                 "<= 1.2", "met" if sync_ratio <= TARGET_SYNC_OVER_NOOP else "MISSED"))
    rows.append(("  moto StartSyncExecution", None, res.get("moto_sync", "-"), "-", "", ""))
    if "wrk_sync" in res:
        w = res["wrk_sync"]
        rows.append((f"wrk StartSyncExecution/s (-t2 -c{a.connections})", w["rate"], None, "-",
                     ">= 20,000/s", "met" if w["rate"] >= TARGET_WRK_RATE else "MISSED"))
        rows.append(("  wrk latency p50 / p99", f"{w['p50']} / {w['p99']}", None, "-", "", ""))
        w = res["wrk_noop"]
        rows.append((f"wrk ListStateMachines/s (-t2 -c{a.connections})", w["rate"], None, "-",
                     "", ""))
        rows.append(("  wrk latency p50 / p99", f"{w['p50']} / {w['p99']}", None, "-", "", ""))
    dur = res["durable"]
    rows.append((f"durable transitions/s ({a.executions} x {a.chain} Pass)", dur["rate"], None,
                 "-", ">= 50,000/s", "met" if dur["rate"] >= TARGET_DURABLE_RATE else "MISSED"))
    rows.append(("  time to all SUCCEEDED (s)", dur["seconds"], None, "-", "", ""))
    k = a.step_chain
    std_step = (pct(res["stator_stdN"], 50) - pct(res["stator_std1b"], 50)) / (k - 1)
    exp_step = (pct(res["stator_syncN"], 50) - pct(res["stator_sync1"], 50)) / (k - 1)
    lat_rows(f"StartExecution->SUCCEEDED {k} Pass", res["stator_stdN"], None)
    lat_rows(f"StartSyncExecution {k} Pass (EXPRESS)", res["stator_syncN"], None)
    rows.append((f"latency per step STANDARD (STD{k}-STD1)/{k - 1} (us)", std_step * 1e6,
                 None, "-", "", ""))
    rows.append((f"latency per step EXPRESS (SYNC{k}-SYNC1)/{k - 1} (us)", exp_step * 1e6,
                 None, "-", "", ""))
    rows.append(("added latency per durable step (difference) (us)",
                 (std_step - exp_step) * 1e6, None, "-", "", ""))
    rows.append(("  STANDARD 10 Pass p50 - EXPRESS 10 Pass p50 (ms)",
                 ms(pct(res["stator_std10"], 50) - pct(res["stator_sync10"], 50)), None, "-",
                 "", ""))
    f = res["fsync"]
    rows.append(("disk: 4 KiB write + fdatasync p50 / p99 (ms)",
                 f"{ms(pct(f, 50)):.2f} / {ms(pct(f, 99)):.2f}", None, "-", "", ""))

    w0 = max(len(r[0]) for r in rows) + 2
    print(f"{'measure':<{w0}}{'stator':>14}{'moto':>14}{'moto/stator':>13}  {'target':<16}met?")
    print("-" * (w0 + 14 + 14 + 13 + 24))
    for label, s, m, ratio, target, met in rows:
        mtxt = fmt(m) if not isinstance(m, str) else m
        line = f"{label:<{w0}}{fmt(s):>14}{mtxt:>14}{ratio:>13}  {target:<16}{met}"
        print(line.rstrip())
    print("(*) the client sequence moto needs: a new x-moto-account-id and CreateStateMachine "
          "(untimed) before every execution; moto: one account per execution throughout")
    print(f"(load average at start {res['load_start']}, at end {res['load_end']}; "
          f"{os.cpu_count()} CPUs; stator {binary})")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
