#!/usr/bin/env python3
"""Functions benchmark (not a test): warm Task round trips, cold starts, Invoke throughput.

usage: bench/functions_bench.py [--stator PATH] [--iterations N] [--seconds S] [--clients C]

1. Warm Task round trip through a 10-function chain (Express, StartSyncExecution over one
   keep-alive connection): per-Task engine overhead = (chain time - the same chain of Pass
   states) / 10 - handler time (measured inside the worker). p50 and p99.
2. Cold start: the first call on a new instance of a function whose module imports boto3,
   (a) with the server's default of one spare instance forked ahead of demand, and (b) on a
   second server started with --function-spares 0, where the instance is forked from the
   zygote when the call arrives (the server's fork-to-ready time and the call's latency);
   against starting a fresh python3 that imports boto3 and the handler module.
3. Invoke throughput through the Lambda API with C concurrent clients (keep-alive connections).
"""

import argparse
import glob
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "api"))
sys.dont_write_bytecode = True

import aws_json  # noqa: E402  (bench/)
from stator_server import ACCOUNT, REGION, Server, lambda_client, make_zip  # noqa: E402

ROLE = f"arn:aws:iam::{ACCOUNT}:role/bench"

STEP = """
import time
def handler(event, context):
    return {"n": event["n"] + 1}
"""

# A handler that imports boto3 (what the cold start is about) and, when asked, ends its instance
# shortly after answering, so that the next call needs a new one.
COLD = """
import os, threading, time
import boto3
def handler(event, context):
    if event.get("die"):
        threading.Timer(0.02, lambda: os._exit(0)).start()
    return {"ok": True}
"""


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


class Conn:
    """One keep-alive HTTP connection to the server."""

    def __init__(self, port):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method, path, body, headers):
        self.c.request(method, path, body=body, headers=headers)
        r = self.c.getresponse()
        return r.status, dict(r.getheaders()), r.read()

    def sfn(self, op, payload):
        return aws_json.call(self.c, op, payload)

    def invoke(self, name, payload):
        status, headers, body = self.call("POST", f"/2015-03-31/functions/{name}/invocations",
                                          json.dumps(payload), {})
        return status, headers, body


def warm_chain(server, lam, iterations):
    for i in range(10):
        lam.create_function(FunctionName=f"step{i}", Runtime="python3.11", Role=ROLE,
                            Handler="app.handler", Code={"ZipFile": make_zip({"app.py": STEP})})
    conn = Conn(server.port)

    def machine(name, states):
        return conn.sfn("CreateStateMachine", {
            "name": name, "type": "EXPRESS", "roleArn": ROLE,
            "definition": json.dumps({"StartAt": "S0", "States": states})})["stateMachineArn"]

    def chain(kind):
        states = {}
        for i in range(10):
            s = {"Type": "Task", "Resource": f"step{i}"} if kind == "task" else {
                "Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}}
            s.update({"Next": f"S{i + 1}"} if i < 9 else {"End": True})
            states[f"S{i}"] = s
        return states

    tasks = machine("bench-tasks", chain("task"))
    passes = machine("bench-passes", chain("pass"))

    def run(arn):
        t0 = time.perf_counter()
        out = conn.sfn("StartSyncExecution", {"stateMachineArn": arn, "input": '{"n": 0}'})
        dt = time.perf_counter() - t0
        if out["status"] != "SUCCEEDED" or json.loads(out["output"])["n"] != 10:
            raise RuntimeError(f"bad execution: {out}")
        return dt

    for _ in range(50):  # warm up: instances forked, connections open, caches filled
        run(tasks)
        run(passes)
    task_times, pass_times = [], []
    for _ in range(iterations):  # interleaved so that both see the same machine noise
        task_times.append(run(tasks))
        pass_times.append(run(passes))
    # Handler time inside the worker, as the runtime measures it.
    handler_us = []
    for _ in range(200):
        _, headers, _ = conn.invoke("step0", {"n": 0})
        handler_us.append(int(headers.get("X-Stator-Handler-Us", "0")))
    handler = statistics.median(handler_us) / 1e6
    base = statistics.median(pass_times)
    per_task = [(t - base) / 10 - handler for t in task_times]
    return {
        "chain_p50_ms": pct(task_times, 50) * 1e3,
        "chain_p99_ms": pct(task_times, 99) * 1e3,
        "pass_chain_p50_ms": pct(pass_times, 50) * 1e3,
        "handler_us": handler * 1e6,
        "overhead_p50_us": pct(per_task, 50) * 1e6,
        "overhead_p99_us": pct(per_task, 99) * 1e6,
    }


def cold_start(server, lam, rounds):
    lam.create_function(FunctionName="cold", Runtime="python3.11", Role=ROLE,
                        Handler="app.handler", Code={"ZipFile": make_zip({"app.py": COLD})},
                        Timeout=30)
    conn = Conn(server.port)
    conn.invoke("cold", {})  # the zygote starts (boto3 and the module imported once)
    forks, first_calls, warm_calls = [], [], []
    for _ in range(rounds):
        conn.invoke("cold", {"die": True})  # this instance ends after answering
        time.sleep(0.15)
        t0 = time.perf_counter()
        status, headers, _ = conn.invoke("cold", {})
        first_calls.append(time.perf_counter() - t0)
        if "X-Stator-Cold-Start-Us" not in headers:
            raise RuntimeError("the call did not run on a new instance")
        forks.append(int(headers["X-Stator-Cold-Start-Us"]) / 1e6)
        t0 = time.perf_counter()
        conn.invoke("cold", {})
        warm_calls.append(time.perf_counter() - t0)
    return {
        "zygote_fork_p50_ms": statistics.median(forks) * 1e3,
        "zygote_fork_max_ms": max(forks) * 1e3,
        "first_call_p50_ms": statistics.median(first_calls) * 1e3,
        "first_call_p99_ms": pct(first_calls, 99) * 1e3,
        "warm_call_p50_ms": statistics.median(warm_calls) * 1e3,
    }


def fresh_python(rounds, work):
    """The alternative to a zygote: a fresh interpreter per instance, importing boto3 and the
    handler module."""
    with open(os.path.join(work, "app.py"), "w") as f:
        f.write(COLD)
    fresh = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import app"], cwd=work, check=True)
        fresh.append(time.perf_counter() - t0)
    return statistics.median(fresh) * 1e3


def throughput(server, lam, seconds, clients):
    lam.create_function(FunctionName="tput", Runtime="python3.11", Role=ROLE,
                        Handler="app.handler", Code={"ZipFile": make_zip({"app.py": STEP})})
    counts = [0] * clients
    errors = [0] * clients
    latencies = [[] for _ in range(clients)]
    stop = time.perf_counter() + seconds + 1.0
    start_measure = time.perf_counter() + 1.0  # one second of warm-up

    def worker(i):
        conn = Conn(server.port)
        while True:
            t0 = time.perf_counter()
            if t0 >= stop:
                break
            status, _, _ = conn.invoke("tput", {"n": i})
            t1 = time.perf_counter()
            if t0 >= start_measure:
                if status == 200:
                    counts[i] += 1
                    latencies[i].append(t1 - t0)
                else:
                    errors[i] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lat = [x for l in latencies for x in l]
    return {
        "invokes_per_s": sum(counts) / seconds,
        "errors": sum(errors),
        "latency_p50_ms": pct(lat, 50) * 1e3 if lat else 0,
        "latency_p99_ms": pct(lat, 99) * 1e3 if lat else 0,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stator", help="the stator binary (default: $STATOR or the newest build)")
    ap.add_argument("--iterations", type=int, default=500)
    ap.add_argument("--cold-rounds", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--clients", type=int, default=32)
    args = ap.parse_args()
    if args.stator:
        os.environ["STATOR"] = args.stator
    work = tempfile.mkdtemp(prefix="stator-fn-bench-")
    server = Server("--function-concurrency", str(args.clients), "--execution-threads", "2")
    try:
        lam = lambda_client(server.endpoint)
        w = warm_chain(server, lam, args.iterations)
        c = cold_start(server, lam, args.cold_rounds)
        t = throughput(server, lam, args.seconds, args.clients)
    finally:
        server.stop()
    server = Server("--function-concurrency", str(args.clients), "--function-spares", "0")
    try:
        d = cold_start(server, lambda_client(server.endpoint), args.cold_rounds)
    finally:
        server.stop()
    c["fresh_python_boto3_p50_ms"] = fresh_python(args.cold_rounds, work)
    print("== warm Task round trip, 10-function chain (StartSyncExecution, Express)")
    print(f"  chain end-to-end      p50 {w['chain_p50_ms']:8.3f} ms   p99 {w['chain_p99_ms']:8.3f} ms")
    print(f"  same chain of Pass    p50 {w['pass_chain_p50_ms']:8.3f} ms")
    print(f"  handler time          {w['handler_us']:8.1f} us per call (inside the worker)")
    print(f"  engine overhead/Task  p50 {w['overhead_p50_us']:8.1f} us   p99 "
          f"{w['overhead_p99_us']:8.1f} us   (target <= 100 us; "
          f"p50 is {w['overhead_p50_us'] / 100:.2f}x the target)")
    fresh = c["fresh_python_boto3_p50_ms"]
    print("== cold start: first call on a new instance (module imports boto3; target <= 5 ms)")
    print(f"  spare forked ahead (default)  p50 {c['first_call_p50_ms']:8.3f} ms   p99 "
          f"{c['first_call_p99_ms']:8.3f} ms   (its fork, off the call path: p50 "
          f"{c['zygote_fork_p50_ms']:.1f} ms)")
    print(f"  forked on demand (spares 0)   p50 {d['first_call_p50_ms']:8.3f} ms   p99 "
          f"{d['first_call_p99_ms']:8.3f} ms   (zygote fork to ready p50 "
          f"{d['zygote_fork_p50_ms']:.1f} ms, max {d['zygote_fork_max_ms']:.1f} ms)")
    print(f"  warm call p50 {c['warm_call_p50_ms']:8.3f} ms")
    print(f"  fresh python3 + import boto3 + module  p50 {fresh:8.1f} ms")
    print(f"  ratio fresh / first call: {fresh / c['first_call_p50_ms']:.0f}x with a spare, "
          f"{fresh / d['first_call_p50_ms']:.0f}x forked on demand")
    print(f"== Invoke throughput, {args.clients} concurrent clients, {args.seconds:.0f} s")
    print(f"  {t['invokes_per_s']:10.0f} invokes/s   p50 {t['latency_p50_ms']:.3f} ms   p99 "
          f"{t['latency_p99_ms']:.3f} ms   errors {t['errors']}")
    print(json.dumps({"warm": w, "cold": c, "cold_on_demand": d, "throughput": t}))


if __name__ == "__main__":
    main()
