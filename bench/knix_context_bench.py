#!/usr/bin/env python3
"""KNIX context benchmark (not a test; issue 15 §6): data-layer calls per second from inside one
KNIX function (context.put, context.get, context.incrementCounter, and a call the server refuses
before touching the store: the channel and its hand-offs alone), timed by the function itself
in a loop of N calls, against issue 15's target of >= 50,000 ops/s from one function.

usage: bench/knix_context_bench.py [--stator PATH] [-n N]
"""

import argparse
import os
import sys

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
        context.put("b", "x")
    out["put"] = n / (time.perf_counter() - t)
    t = time.perf_counter()
    for i in range(n):
        context.get("b")
    out["get"] = n / (time.perf_counter() - t)
    t = time.perf_counter()
    for i in range(n):
        context.incrementCounter("bc", 1)
    out["counter"] = n / (time.perf_counter() - t)
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
    print(f"data-layer calls from one KNIX function, N={args.n} each:")
    for k, v in out.items():
        print(f"  {k:<14} {v:>10,.0f} ops/s  ({v / TARGET_OPS:.2f}x the {TARGET_OPS:,} target)")
    print(f"load average after: {os.getloadavg()[0]:.2f}", file=sys.stderr)


if __name__ == "__main__":
    main()
