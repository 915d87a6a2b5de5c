#!/usr/bin/env python3
"""Waits benchmark (not a test): N Standard executions sitting in a one-hour Wait in one
`stator serve`, with bounded threads; their memory, and shutdown and restart times.

usage: bench/waits_bench.py [--stator PATH] [--executions N] [--connections C] [--no-restart]
                            [--json FILE]

1. Starts `stator serve --port 0 --data-dir <tmp>` (SQLite, fsync on) and creates a STANDARD
   machine: Wait 3600 s, then Succeed.
2. Reads /proc/PID/status of the idle server (VmRSS, Threads).
3. Starts N executions with wrk (Debian package wrk): C keep-alive connections on 2 wrk threads
   post StartExecution with unique names (<thread>-<counter>) until each thread has had its
   share answered; requests past a thread's share are ListStateMachines, so exactly N
   StartExecutions are sent. Every StartExecution answer is counted; a non-200 is an error.
   (Without wrk: --driver python uses http.client on C connections in threads, slower.)
4. Confirms through ListExecutions(statusFilter=RUNNING), paging 1000 at a time, that N are
   RUNNING, then reads /proc/PID/status: VmRSS, VmHWM, Threads; RSS per waiting execution =
   (VmRSS now - idle VmRSS) / N.
5. Stops the server with SIGTERM and times its exit; then (unless --no-restart) starts it again
   on the same data directory, times until it listens (the N executions are resumed from the
   store, their Waits re-armed), counts RUNNING again, reads its memory, and stops it.
"""

import argparse
import glob
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from aws_json import call, count_running  # bench/

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ACCOUNT = "123456789012"
REGION = "us-east-1"

DEFINITION = json.dumps({"StartAt": "W", "States": {
    "W": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
    "Done": {"Type": "Succeed"}}})

WRK_LUA = r"""
local quota = %(quota)d
local arn = "%(arn)s"
local start_body_prefix = '{"stateMachineArn":"' .. arn .. '","input":"{}","name":"w' 
local sent, answered, errors, finished, verified = 0, 0, 0, false, false
local noop = wrk.format("POST", "/", {["X-Amz-Target"] = "AWSStepFunctions.ListStateMachines",
  ["Content-Type"] = "application/x-amz-json-1.0"}, '{"maxResults":1}')

function setup(thread)
  thread:set("tid", %(counter)s)
  %(counter_inc)s
end

function request()
  -- wrk calls request() once on the first thread to verify the script and drops the result:
  -- give it the no-op, so that every StartExecution built is sent.
  if not verified then
    verified = true
    return noop
  end
  if sent < quota then
    sent = sent + 1
    return wrk.format("POST", "/", {["X-Amz-Target"] = "AWSStepFunctions.StartExecution",
      ["Content-Type"] = "application/x-amz-json-1.0"},
      start_body_prefix .. tid .. "-" .. sent .. '"}')
  end
  return noop
end

function response(status, headers, body)
  if string.find(body, "executionArn", 1, true) then
    answered = answered + 1
  elseif status ~= 200 then
    errors = errors + 1
    if errors <= 3 then io.stderr:write("status " .. status .. ": " .. body .. "\n") end
  end
  if answered + errors >= quota and not finished then
    -- wrk's main thread sleeps for the whole -d; tell the driver that this thread is done.
    finished = true
    local f = io.open("%(marker)s" .. tid, "w")
    f:write(answered .. " " .. errors .. "\n")
    f:close()
    wrk.thread:stop()
  end
end
"""


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def find_stator():
    candidates = [c for c in glob.glob(os.path.join(ROOT, "build*", "stator"))
                  if os.access(c, os.X_OK)]
    if not candidates:
        sys.exit("no build*/stator in the tree; pass --stator PATH")
    return max(candidates, key=os.path.getmtime)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM", "VmSize", "Threads"):
                out[k] = int(v.split()[0])
    return out


def start_server(binary, data_dir):
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [binary, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data_dir,
         "--account", ACCOUNT, "--region", REGION],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline().strip()
    ready = time.perf_counter() - t0
    if not line.startswith("stator listening on http://"):
        proc.kill()
        sys.exit(f"stator: unexpected first line {line!r}")
    return proc, int(line.rsplit(":", 1)[1]), ready


def stop_server(proc):
    t0 = time.perf_counter()
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=600)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        code = "killed after 600 s"
    return time.perf_counter() - t0, code


def count_running_timed(port, arn):
    """(RUNNING executions, seconds the listing took)."""
    t0 = time.perf_counter()
    n = count_running(port, arn, timeout=600)
    return n, time.perf_counter() - t0


def start_with_wrk(port, arn, n, connections):
    threads = 2
    quotas = [n // threads + (1 if i < n % threads else 0) for i in range(threads)]
    if quotas[0] != quotas[-1]:
        sys.exit("--executions must be even with wrk")
    work = tempfile.mkdtemp(prefix="waits-wrk-")
    marker = os.path.join(work, "done-")
    script = "counter = 1\n" + WRK_LUA % {
        "quota": quotas[0], "arn": arn, "counter": "counter",
        "counter_inc": "counter = counter + 1", "marker": marker}
    path = os.path.join(work, "start.lua")
    with open(path, "w") as f:
        f.write(script)
    try:
        cmd = ["wrk", f"-t{threads}", f"-c{connections}", "-d3600s", "--timeout", "120s", "-s", path,
               f"http://127.0.0.1:{port}/"]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        done = [marker + str(i + 1) for i in range(threads)]
        while not all(os.path.exists(m) for m in done):
            if proc.poll() is not None:
                sys.exit(f"wrk ended early: {proc.stderr.read()}")
            time.sleep(0.01)
        elapsed = time.perf_counter() - t0
        proc.send_signal(signal.SIGINT)  # wrk prints its summary and exits
        _, err = proc.communicate(timeout=60)
        answered = errors = 0
        for m in done:
            with open(m) as f:
                x, y = f.read().split()
                answered += int(x)
                errors += int(y)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if err.strip():
        log(err.strip()[:1000])
    if errors or answered != n:
        sys.exit(f"wrk: {answered} StartExecution answered, {errors} errors")
    return elapsed, " ".join(cmd[:6]) + f" (each thread stops after {quotas[0]} starts)"


def start_with_python(port, arn, n, connections):
    errors = []

    def worker(k):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            for i in range(k, n, connections):
                call(conn, "StartExecution", {"stateMachineArn": arn, "name": f"p-{i}",
                                              "input": "{}"})
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(connections)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - t0, f"http.client, {connections} threads"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stator", help="stator binary (default: newest build*/stator)")
    ap.add_argument("--executions", type=int, default=100_000)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--driver", choices=("wrk", "python"),
                    default="wrk" if shutil.which("wrk") else "python")
    ap.add_argument("--no-restart", action="store_true")
    ap.add_argument("--json", help="also write the measurements to this file")
    a = ap.parse_args()

    binary = a.stator or find_stator()
    n = a.executions
    res = {"stator": binary, "executions": n, "load_start": loadavg()}
    log(f"stator: {binary}; load average {res['load_start']}")
    data_dir = tempfile.mkdtemp(prefix="stator-waits-bench-")
    try:
        proc, port, _ = start_server(binary, data_dir)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            arn = call(conn, "CreateStateMachine", {
                "name": "wait-an-hour", "definition": DEFINITION,
                "roleArn": f"arn:aws:iam::{ACCOUNT}:role/bench"})["stateMachineArn"]
            conn.close()
            time.sleep(0.5)
            res["idle"] = proc_status(proc.pid)
            log(f"idle: {res['idle']}; starting {n} executions with {a.driver}")
            if a.driver == "wrk":
                start_s, how = start_with_wrk(port, arn, n, a.connections)
            else:
                start_s, how = start_with_python(port, arn, n, a.connections)
            res["start_seconds"], res["driver"] = start_s, how
            running, list_s = count_running_timed(port, arn)
            res["running"], res["list_running_seconds"] = running, list_s
            time.sleep(1.0)
            res["waiting"] = proc_status(proc.pid)
            res["load_waiting"] = loadavg()
            log(f"{running} RUNNING; {res['waiting']}")
        finally:
            res["shutdown_seconds"], res["shutdown_exit"] = stop_server(proc)
        if not a.no_restart:
            log("restarting on the same data directory")
            proc, port, ready = start_server(binary, data_dir)
            try:
                res["restart_listening_seconds"] = ready
                running2, _ = count_running_timed(port, arn)
                res["restart_running"] = running2
                time.sleep(1.0)
                res["restarted"] = proc_status(proc.pid)
            finally:
                res["restart_shutdown_seconds"], _ = stop_server(proc)
        res["db_bytes"] = sum(os.path.getsize(os.path.join(data_dir, f))
                              for f in os.listdir(data_dir))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    res["load_end"] = loadavg()

    idle, w = res["idle"], res["waiting"]
    per = (w["VmRSS"] - idle["VmRSS"]) * 1024 / n
    rows = [
        ("executions started", f"{n:,}", ""),
        ("start time (s) / rate (/s)", f"{res['start_seconds']:.2f} / "
         f"{n / res['start_seconds']:,.0f}", res["driver"]),
        ("RUNNING (ListExecutions paging)", f"{running:,}",
         f"{res['list_running_seconds']:.2f} s for {(running + 999) // 1000} pages"),
        ("idle server VmRSS / Threads", f"{idle['VmRSS'] / 1024:.1f} MiB / {idle['Threads']}",
         ""),
        ("waiting VmRSS", f"{w['VmRSS'] / 1024:.1f} MiB", ""),
        ("waiting VmHWM", f"{w['VmHWM'] / 1024:.1f} MiB", ""),
        ("waiting Threads", f"{w['Threads']}", "bounded: same as idle" if
         w["Threads"] == idle["Threads"] else "differs from idle"),
        ("RSS per waiting execution", f"{per:,.0f} bytes", "(VmRSS - idle VmRSS) / N"),
        ("SIGTERM -> exit (s)", f"{res['shutdown_seconds']:.2f}",
         f"exit code {res['shutdown_exit']}"),
    ]
    if "restarted" in res:
        r = res["restarted"]
        rows += [
            ("restart -> listening (s)", f"{res['restart_listening_seconds']:.2f}",
             "N executions resumed from SQLite"),
            ("RUNNING after restart", f"{res['restart_running']:,}", ""),
            ("restarted VmRSS / VmHWM / Threads",
             f"{r['VmRSS'] / 1024:.1f} / {r['VmHWM'] / 1024:.1f} MiB / {r['Threads']}", ""),
            ("restarted SIGTERM -> exit (s)", f"{res['restart_shutdown_seconds']:.2f}", ""),
        ]
    rows.append(("database size", f"{res['db_bytes'] / 2**20:.1f} MiB", "stator.db + WAL"))
    w0 = max(len(r[0]) for r in rows) + 2
    for label, value, note in rows:
        print(f"{label:<{w0}}{value:>24}  {note}".rstrip())
    ok = running == n and (res.get("restart_running", n) == n)
    print(f"{'100,000 waiting: ' if n == 100_000 else ''}"
          f"{'met' if ok else 'MISSED'} (all {n:,} RUNNING with {w['Threads']} threads)")
    print(f"(load average at start {res['load_start']}, while waiting {res['load_waiting']}, "
          f"at end {res['load_end']}; {os.cpu_count()} CPUs; stator {binary})")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
