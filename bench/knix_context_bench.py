#!/usr/bin/env python3
"""KNIX context benchmark (not a test; issue 15 §6): data-layer calls per second from inside one
KNIX function, timed by the function itself in a loop of N calls, against issue 15's target of
>= 50,000 ops/s from one function.

Writes (put, incrementCounter, putMapEntry) are pipelined: the function sends them without
waiting and the server applies them in order; each figure includes the read that follows the
loop (it waits until every write is applied) and checks what it reads. Reads (get) wait for
their answer: one round trip over the instance's socket each, so they are bounded by the
floor printed below. "channel" is a call the reactor refuses itself (the channel alone),
"refused call" one the function context refuses (plus its hand-off).

The floor: a bare Python ping-pong between two processes over a socketpair, measured in this
run, as scheduled and with both processes on one CPU: no design with one synchronous round trip
per call can beat it.

usage: bench/knix_context_bench.py [--stator PATH] [-n N]
"""

import argparse
import os
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "api"))
sys.dont_write_bytecode = True

from knix_client import Knix, execute, unique  # noqa: E402
from stator_server import Server  # noqa: E402

TARGET_OPS = 50_000

CODE = '''
import time
def handle(event, context):
    n = event["n"]
    out = {}
    t = time.perf_counter()
    for i in range(n):
        context.put("b", str(i))
    last = context.get("b")  # waits until every put is applied
    out["put"] = n / (time.perf_counter() - t)
    assert last == str(n - 1), last
    before = context.getCounterValue("bc") or 0
    t = time.perf_counter()
    for i in range(n):
        context.incrementCounter("bc", 1)
    total = context.getCounterValue("bc")
    out["counter"] = n / (time.perf_counter() - t)
    assert total == before + n, (before, total)
    t = time.perf_counter()
    for i in range(n):
        context.putMapEntry("bm", "k", str(i))
    last = context.getMapEntry("bm", "k")
    out["putMapEntry"] = n / (time.perf_counter() - t)
    assert last == str(n - 1), last
    t = time.perf_counter()
    for i in range(n):
        context.get("b")
    out["get"] = n / (time.perf_counter() - t)
    t = time.perf_counter()
    for i in range(n):  # the channel and the hand-off alone: a call refused before the store
        try:
            context._channel.call("dl.none", {})
        except Exception:
            pass
    out["refused call"] = n / (time.perf_counter() - t)
    t = time.perf_counter()
    for i in range(n):  # the channel alone: a call the reactor thread refuses itself
        try:
            context._channel.call("wf.none", {})
        except Exception:
            pass
    out["channel"] = n / (time.perf_counter() - t)
    return out
'''


def ping_pong(n, cpu=None):
    """Round trips per second of a bare Python ping-pong between two processes over a
    socketpair (16-byte messages); cpu: both pinned to that CPU."""
    a, b = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        try:
            a.close()
            if cpu is not None:
                os.sched_setaffinity(0, {cpu})
            while True:
                m = b.recv(64)
                if not m:
                    break
                b.sendall(m)
        finally:
            os._exit(0)
    b.close()
    saved = os.sched_getaffinity(0)
    try:
        if cpu is not None:
            os.sched_setaffinity(0, {cpu})
        msg = b"x" * 16
        for _ in range(1000):  # warm
            a.sendall(msg)
            a.recv(64)
        t = time.perf_counter()
        for _ in range(n):
            a.sendall(msg)
            a.recv(64)
        rate = n / (time.perf_counter() - t)
    finally:
        os.sched_setaffinity(0, saved)
        a.close()
        os.waitpid(pid, 0)
    return rate


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stator", help="the stator binary (default: $STATOR or the newest build)")
    ap.add_argument("-n", type=int, default=20000)
    args = ap.parse_args()
    if args.stator:
        os.environ["STATOR"] = args.stator
    print(f"load average before: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    server = Server()
    try:
        user = Knix(server.endpoint).new_user("bench")
        fn = user.add_function(unique("ctxbench"), CODE)["name"]
        _, url = user.deploy_workflow(unique("ctxbenchwf"), {
            "StartAt": fn, "States": {fn: {"Type": "Task", "Resource": fn, "End": True}}})
        execute(url, {"n": 100}).raise_for_status()  # warm
        r = execute(url, {"n": args.n})
        r.raise_for_status()
        out = r.json()
    finally:
        server.stop()
    floor = ping_pong(args.n)
    floor_one_cpu = ping_pong(args.n, cpu=min(os.sched_getaffinity(0)))
    print(f"data-layer calls from one KNIX function, N={args.n} each:")
    for k, v in out.items():
        kind = "pipelined" if k in ("put", "counter", "putMapEntry") else "round trip"
        print(f"  {k:<14} {v:>10,.0f} ops/s  ({v / TARGET_OPS:.2f}x the {TARGET_OPS:,} target)"
              f"  {kind}")
    print("the floor of one synchronous round trip per call (bare Python ping-pong over a "
          "socketpair, this run):")
    print(f"  as scheduled   {floor:>10,.0f} round trips/s  ({1e6 / floor:.1f} us each)")
    print(f"  on one CPU     {floor_one_cpu:>10,.0f} round trips/s  "
          f"({1e6 / floor_one_cpu:.1f} us each)")
    print(f"load average after: {os.getloadavg()[0]:.2f}", file=sys.stderr)


if __name__ == "__main__":
    main()
