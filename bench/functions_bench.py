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
4. The floor under (1): the runtime's own per-call loop in 1 and 10 Python processes driven by a
   minimal C loop (no engine, no server), unpinned and all on one vCPU; needs a C compiler.
"""

import argparse
import glob
import http.client
import json
import os
import shutil
import statistics
import struct
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


# The floor of a warm Task on this machine: the runtime's own instance loop (stator_runtime's
# _instance, the code every instance runs) for the chain's handler, in N Python processes, driven
# round-robin by a minimal C loop that does what the server's reactor does per call (send the
# request frame, epoll_wait, recv the reply) and nothing else: no engine, no HTTP, no sandbox.
# Like the engine in a chain, it sends the next request as soon as a reply is in, while the
# instance that replied is still on its way back to waiting (on the project VM a pause of ~50 us
# between calls would halve the round trip; a chain has no such pause).
FLOOR_CHILD = """
import os, sys
sys.path.insert(0, sys.argv[2])
import stator_runtime as rt
def handler(event, context):
    return {"n": event["n"] + 1}
rt._instance(rt.Config(), handler, int(sys.argv[1]), os.open(os.devnull, os.O_WRONLY), {})
"""

FLOOR_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}
static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}
/* floor CHILD_PY RUNTIME_DIR FRAME_FILE N ITERATIONS */
int main(int argc, char** argv) {
  int n = atoi(argv[4]), iters = atoi(argv[5]), warm = 200;
  static char frame[4096], reply[65536];
  FILE* f = fopen(argv[3], "rb");
  int flen = (int)fread(frame, 1, sizeof frame, f);
  fclose(f);
  int ep = epoll_create1(0), fds[64];
  for (int i = 0; i < n; i++) {
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    if (fork() == 0) {
      close(sv[0]);
      char fd[16];
      snprintf(fd, sizeof fd, "%d", sv[1]);
      execlp("python3", "python3", argv[1], fd, argv[2], (char*)NULL);
      _exit(127);
    }
    close(sv[1]);
    fds[i] = sv[0];
    if (recv(fds[i], reply, sizeof reply, 0) <= 0) return 1; /* the instance's ready frame */
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
  }
  double* rtt = malloc(sizeof(double) * iters);
  double* handler = malloc(sizeof(double) * iters);
  for (int k = 0; k < warm + iters; k++) {
    int i = k % n;
    double t0 = now_us();
    send(fds[i], frame, flen, 0);
    struct epoll_event ev;
    epoll_wait(ep, &ev, 1, -1);
    ssize_t got = recv(fds[i], reply, sizeof reply - 1, 0);
    double t1 = now_us();
    if (got <= 0) return 1;
    reply[got] = 0;
    const char* us = strstr(reply + 9, "\"us\":");
    if (k >= warm) {
      rtt[k - warm] = t1 - t0;
      handler[k - warm] = us ? atof(us + 5) : 0;
    }
  }
  qsort(rtt, iters, sizeof(double), cmp);
  qsort(handler, iters, sizeof(double), cmp);
  printf("{\"rtt_p50_us\": %.1f, \"rtt_p99_us\": %.1f, \"handler_p50_us\": %.1f}\n",
         rtt[iters / 2], rtt[iters * 99 / 100], handler[iters / 2]);
  return 0;
}
"""


def task_floor(work, processes, iterations, pin):
    """Runs the floor probe; returns its p50/p99 round trip and the handler time in the loop,
    or None when there is no C compiler."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        return None
    src, exe = os.path.join(work, "floor.c"), os.path.join(work, "floor")
    child, frame = os.path.join(work, "floor_child.py"), os.path.join(work, "frame.bin")
    if not os.path.exists(exe):
        with open(src, "w") as f:
            f.write(FLOOR_C)
        with open(child, "w") as f:
            f.write(FLOOR_CHILD)
        subprocess.run([cc, "-O2", "-o", exe, src], check=True)
        # A request frame as the server writes one: kind 'I', a JSON header, the payload.
        header = json.dumps({"id": "9d5ef9a8-7c1e-4a7b-a9a4-3f0c2d1e5b6a",
                             "deadline": time.time() * 1000 + 3e6,
                             "arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:step0"},
                            separators=(",", ":")).encode()
        data = b'{"n":1}'
        with open(frame, "wb") as f:
            f.write(struct.pack(">IBI", 5 + len(header) + len(data), ord("I"), len(header)) +
                    header + data)
    runtime_dir = os.path.join(HERE, "..", "src", "functions", "runtime")
    cmd = [exe, child, runtime_dir, frame, str(processes), str(iterations)]
    if pin:
        cmd = ["taskset", "-c", "0"] + cmd
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


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
    floors = {(n, pin): task_floor(work, n, args.iterations * 4, pin)
              for n in (1, 10) for pin in (False, True)}
    print("== warm Task round trip, 10-function chain (StartSyncExecution, Express)")
    print(f"  chain end-to-end      p50 {w['chain_p50_ms']:8.3f} ms   p99 {w['chain_p99_ms']:8.3f} ms")
    print(f"  same chain of Pass    p50 {w['pass_chain_p50_ms']:8.3f} ms")
    print(f"  handler time          {w['handler_us']:8.1f} us per call (inside the worker)")
    print(f"  engine overhead/Task  p50 {w['overhead_p50_us']:8.1f} us   p99 "
          f"{w['overhead_p99_us']:8.1f} us   (target <= 100 us; "
          f"p50 is {w['overhead_p50_us'] / 100:.2f}x the target)")
    if floors[(10, False)] is None:
        print("== floor: skipped (no C compiler)")
    else:
        print("== floor: the runtime's own instance loop for the same handler, driven by a minimal C")
        print("   loop (send, epoll_wait, recv; no engine, no server, no sandbox), processes in turn")
        for (n, pin), fl in floors.items():
            beyond = fl["rtt_p50_us"] - fl["handler_p50_us"]
            where = "all on one vCPU" if pin else "unpinned"
            print(f"  {n:2d} process{'es' if n > 1 else '  '} {where:15s} round trip p50 "
                  f"{fl['rtt_p50_us']:7.1f} us  p99 {fl['rtt_p99_us']:7.1f} us   minus handler "
                  f"{beyond:6.1f} us")
        fl = floors[(10, False)]
        beyond = fl["rtt_p50_us"] - fl["handler_p50_us"]
        print(f"  engine overhead p50 / floor (10 processes, unpinned): "
              f"{w['overhead_p50_us'] / beyond:.2f}x; what is left for the engine under the "
              f"100 us target: {100 - beyond:.1f} us")
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
    print(json.dumps({"warm": w, "cold": c, "cold_on_demand": d, "throughput": t,
                      "floor": {f"{n}{'_pinned' if pin else ''}": v
                                for (n, pin), v in floors.items()}}))


if __name__ == "__main__":
    main()
