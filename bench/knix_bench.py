#!/usr/bin/env python3
"""KNIX front-door benchmark (not a test): a 5-function chain through a KNIX workflow endpoint
beside the same chain as a Step Functions Express machine (StartSyncExecution), on one server.

usage: bench/knix_bench.py [--stator PATH] [--runs N] [--seconds S] [--clients C] [--json FILE]

1. Latency: N sequential executions over one keep-alive connection, each side alternating in
   blocks of 100 so that both see the same machine state; p50 and p99.
2. Throughput: wrk (Debian package wrk) with C connections for S seconds against each side.
The ratio KNIX/SFN is the front door's cost over the engine's own path (issue 13's target:
<= 1.10); the 5-function chain's KNIX p50 is compared with the 2 ms target.
"""

import argparse
import base64
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "api"))
sys.dont_write_bytecode = True

import aws_json  # noqa: E402  (bench/)
from stator_server import ACCOUNT, REGION, Server, lambda_client, make_zip  # noqa: E402

CHAIN = 5
CODE = "def handle(event, context):\n    return {'n': event['n'] + 1}\n"


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def management(conn, action, data):
    conn.request("POST", "/management", body=json.dumps({"action": action, "data": data}),
                 headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    body = json.loads(r.read())
    if body.get("status") != "success":
        raise RuntimeError(f"{action}: {body}")
    return body["data"]


def setup(port):
    """Creates the KNIX workflow and the Step Functions machine; returns (knix path, sfn arn)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    user = {"email": "bench@example.com", "password": "bench", "name": "bench"}
    management(c, "signUp", {"user": user})
    token = management(c, "logIn", {"user": user})["token"]
    auth = {"token": token}
    states = {}
    for i in range(CHAIN):
        name = f"knixbench{i}"
        f = management(c, "addFunction", {"user": auth, "function": {"name": name,
                                                                     "runtime": "Python 3.6"}})
        code = base64.b64encode(CODE.encode()).decode()
        management(c, "uploadFunctionCode", {"user": auth, "function": {
            "id": f["function"]["id"], "code": code, "format": "text"}})
        states[f"s{i}"] = {"Type": "Task", "Resource": name}
        if i + 1 < CHAIN:
            states[f"s{i}"]["Next"] = f"s{i + 1}"
        else:
            states[f"s{i}"]["End"] = True
    knix_definition = {"StartAt": "s0", "States": states}
    wf = management(c, "addWorkflow", {"user": auth, "workflow": {"name": "bench"}})["workflow"]
    management(c, "uploadWorkflowJSON", {"user": auth, "workflow": {
        "id": wf["id"], "json": base64.b64encode(json.dumps(knix_definition).encode()).decode()}})
    management(c, "deployWorkflow", {"user": auth, "workflow": {"id": wf["id"]}})
    status = management(c, "getWorkflows", {"user": auth, "workflow": {"id": wf["id"]}})
    url = status["workflow"]["endpoints"][0]
    path = url[url.index("/knix/"):]

    # The same chain for Step Functions: Resources as the functions' ARNs.
    aws_states = json.loads(json.dumps(states))
    for s in aws_states.values():
        s["Resource"] = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{s['Resource']}"
    created = aws_json.call(c, "CreateStateMachine", {
        "name": "knix-bench-sfn", "type": "EXPRESS",
        "roleArn": f"arn:aws:iam::{ACCOUNT}:role/bench",
        "definition": json.dumps({"StartAt": "s0", "States": aws_states})})
    return path, created["stateMachineArn"]


class Side:
    def __init__(self, port, path=None, arn=None):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.path, self.arn = path, arn

    def run(self, n):
        payload = json.dumps({"n": n})
        if self.path:
            self.c.request("POST", self.path, body=payload,
                           headers={"Content-Type": "application/json"})
            r = self.c.getresponse()
            out = json.loads(r.read())
        else:
            body = aws_json.call(self.c, "StartSyncExecution",
                                         {"stateMachineArn": self.arn, "input": payload})
            out = json.loads(body["output"])
        if out != {"n": n + CHAIN}:
            raise RuntimeError(f"unexpected output {out}")


def latency(knix, sfn, runs):
    times = {"knix": [], "sfn": []}
    for block in range(0, runs, 100):
        for name, side in (("knix", knix), ("sfn", sfn)):
            for i in range(block, min(runs, block + 100)):
                t = time.perf_counter()
                side.run(i)
                times[name].append(time.perf_counter() - t)
    return times


WRK_KNIX = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"n": 1}'
"""
WRK_SFN = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "AWSStepFunctions.StartSyncExecution"
wrk.body = [==[%s]==]
"""


def run_wrk(url, script, clients, seconds):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "-s", f.name, url],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(f.name)
    rate = None
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            rate = float(line.split()[1])
        if "Non-2xx" in line:
            raise RuntimeError(f"wrk saw errors: {line}")
    return rate


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stator", help="the binary (default: $STATOR or build/stator)")
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    if args.stator:
        os.environ["STATOR"] = args.stator
    server = Server()
    try:
        path, arn = setup(server.port)
        knix, sfn = Side(server.port, path=path), Side(server.port, arn=arn)
        for i in range(200):  # warm both: instances forked, plans compiled
            knix.run(i)
            sfn.run(i)
        times = latency(knix, sfn, args.runs)
        fig = {}
        for name in ("knix", "sfn"):
            fig[f"{name}_p50_ms"] = pct(times[name], 50) * 1000
            fig[f"{name}_p99_ms"] = pct(times[name], 99) * 1000
        if shutil.which("wrk"):
            fig["knix_per_s"] = run_wrk(f"http://127.0.0.1:{server.port}{path}", WRK_KNIX,
                                        args.clients, args.seconds)
            body = json.dumps({"stateMachineArn": arn, "input": json.dumps({"n": 1})})
            fig["sfn_per_s"] = run_wrk(f"http://127.0.0.1:{server.port}/", WRK_SFN % body,
                                       args.clients, args.seconds)
        else:
            print("wrk not found (apt-get install wrk): throughput skipped", file=sys.stderr)
    finally:
        server.stop()
    print(f"{CHAIN}-function chain, {args.runs} sequential runs each, one keep-alive connection")
    print(f"{'':24}{'KNIX endpoint':>16}{'StartSyncExecution':>20}{'KNIX/SFN':>10}")
    for key, label in (("p50_ms", "latency p50 (ms)"), ("p99_ms", "latency p99 (ms)"),
                       ("per_s", f"executions/s, {args.clients} clients")):
        k, s = fig.get(f"knix_{key}"), fig.get(f"sfn_{key}")
        if k is None:
            continue
        print(f"{label:24}{k:16.3f}{s:20.3f}{k / s:10.3f}")
    print(f"target: KNIX p50 <= 2 ms ({'met' if fig['knix_p50_ms'] <= 2 else 'not met'}); "
          f"front door adds <= 10% ({'met' if fig['knix_p50_ms'] <= 1.1 * fig['sfn_p50_ms'] else 'not met'} at p50)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(fig, f, indent=2)


if __name__ == "__main__":
    main()
