#!/usr/bin/env python3
"""Issue 14's figures: stator on SQLite, on PostgreSQL, and as a 3-node cluster on PostgreSQL,
side by side in one run; then the failover time of the cluster.

Configurations (each a fresh data dir / database):
  sqlite-1   one `stator serve --data-dir DIR` (SQLite, WAL, synchronous=FULL)
  pg-1       one `stator serve --store URI` (PostgreSQL with fsync on, as deployed)
  pg-3       three `stator serve --store URI` nodes on the same database; clients spread their
             calls over the nodes round robin

Figures per configuration:
  1. durable transitions/s: E STANDARD executions of a CHAIN-Pass machine started at once over
     C keep-alive connections, timed until ListExecutions(statusFilter=RUNNING) is empty (all E
     are then checked SUCCEEDED); transitions = E x CHAIN;
  2. StartExecution/s: S executions of a 1-Pass STANDARD machine started over C connections,
     timed from the first call to the last answer (each answer means the execution is durable).
Failover (pg-3, lease L s): N executions waiting (Wait until a timestamp 1 s after the kill) on
the node that is then SIGKILLed; the time from the kill until its leases expire (read from the
database right after the kill: they were last renewed up to L/3 before it) and until the last
of the executions SUCCEEDED on the other nodes; the difference is the failover after expiry.

The PostgreSQL server is scripts/postgres.sh's throwaway one (started and removed here), or
STATOR_TEST_POSTGRES's when set. All servers share this machine's cores with the clients: on a
2-core machine, three nodes and PostgreSQL compete for the same CPUs, so pg-3 shows the cost of
coordination, not scaling (docs/cluster.md has the model on paper).

usage: bench/cluster_bench.py [--executions E] [--chain N] [--starts S] [--connections C]
                              [--failover N] [--lease L]
"""

import argparse
import datetime
import glob
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from aws_json import call, count_running, count_status, start_all  # noqa: E402  (bench/)

ROOT = os.path.dirname(HERE)
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/bench"
TARGET_PG_OVER_SQLITE = 0.5
TARGET_FAILOVER_AFTER_EXPIRY_S = 10.0


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def find_stator():
    path = os.environ.get("STATOR")
    if path:
        return path
    found = [c for c in glob.glob(os.path.join(ROOT, "build*", "stator")) if os.access(c, os.X_OK)]
    if not found:
        sys.exit("no stator binary: build it (scripts/setup.sh) or set STATOR")
    return max(found, key=os.path.getmtime)


class Node:
    def __init__(self, *args):
        self.log = tempfile.TemporaryFile("w+")
        node_id = "bench-" + uuid.uuid4().hex[:8]
        if "--store" in args:
            args = (*args, "--node-id", node_id)
        self.proc = subprocess.Popen(
            [find_stator(), "serve", "--port", "0", *args], stdout=subprocess.PIPE,
            stderr=self.log, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("stator listening on http://"):
            self.proc.kill()
            self.log.seek(0)
            sys.exit(f"stator did not start: {line!r} {self.log.read()}")
        self.port = int(line.rsplit(":", 1)[1])
        self.node_id = node_id

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=60)


class Postgres:
    """The database server: STATOR_TEST_POSTGRES's, or a throwaway one."""

    def __init__(self):
        self.dir = None
        self.uri = os.environ.get("STATOR_TEST_POSTGRES")
        if not self.uri:
            self.dir = tempfile.mkdtemp(prefix="stator-bench-pg-")
            self.uri = subprocess.run([os.path.join(ROOT, "scripts", "postgres.sh"), "start",
                                       self.dir], check=True, capture_output=True,
                                      text=True).stdout.strip()

    def database(self):
        name = "bench_" + uuid.uuid4().hex[:10]
        subprocess.run(["psql", self.uri, "-q", "-c", f"CREATE DATABASE {name}"], check=True)
        parts = urllib.parse.urlsplit(self.uri)
        return urllib.parse.urlunsplit(parts._replace(path="/" + name))

    def close(self):
        if self.dir:
            subprocess.run([os.path.join(ROOT, "scripts", "postgres.sh"), "stop", self.dir],
                           check=False)


def chain(n):
    states = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(n)}
    states[f"S{n - 1}"] = {"Type": "Pass", "End": True}
    return {"StartAt": "S0", "States": states}


def create(port, name, definition):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    r = call(conn, "CreateStateMachine", {"name": name, "definition": json.dumps(definition),
                                          "roleArn": ROLE, "type": "STANDARD"})
    conn.close()
    return r["stateMachineArn"]


def succeeded(port, arn):
    return count_status(port, arn, "SUCCEEDED", timeout=300)


def measure(ports, a):
    durable = create(ports[0], "durable", chain(a.chain))
    t0 = time.perf_counter()
    start_all(ports, durable, a.executions, a.connections)
    while count_running(ports[-1], durable):
        time.sleep(0.01)
    total = time.perf_counter() - t0
    ok = succeeded(ports[0], durable)
    if ok != a.executions:
        raise RuntimeError(f"{ok} of {a.executions} executions SUCCEEDED")
    one = create(ports[0], "starts", chain(1))
    start_s = start_all(ports, one, a.starts, a.connections)
    return {"transitions_per_s": a.executions * a.chain / total,
            "starts_per_s": a.starts / start_s}


def failover(pg, a):
    uri = pg.database()
    nodes = [Node("--store", uri, "--lease-seconds", str(a.lease)) for _ in range(3)]
    try:
        arn = create(nodes[1].port, "failover", {
            "StartAt": "W", "States": {
                "W": {"Type": "Wait", "TimestampPath": "$.at", "Next": "P"},
                "P": {"Type": "Pass", "End": True}}})
        kill_at = time.time() + 3.0
        at = datetime.datetime.fromtimestamp(kill_at + 1.0, datetime.timezone.utc)
        body = json.dumps({"at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"})
        start_all([nodes[0].port], arn, a.failover, 8, inputs=lambda i: body)
        time.sleep(max(0.0, kill_at - time.time()))
        t0 = time.perf_counter()
        nodes[0].stop(signal.SIGKILL)
        # When the dead node's leases expire, on the database's clock, as seconds from t0.
        left = subprocess.run(
            ["psql", uri, "-Atc", "SELECT EXTRACT(EPOCH FROM (max(expires_at) - "
             f"clock_timestamp())) FROM execution_leases WHERE owner = '{nodes[0].node_id}'"],
            check=True, capture_output=True, text=True).stdout.strip()
        expiry = time.perf_counter() - t0 + float(left)
        while count_running(nodes[1].port, arn):
            time.sleep(0.05)
        took = time.perf_counter() - t0
        ok = succeeded(nodes[2].port, arn)
        if ok != a.failover:
            raise RuntimeError(f"failover: {ok} of {a.failover} executions SUCCEEDED")
        return took, expiry
    finally:
        for n in nodes:
            n.stop()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--executions", type=int, default=1000)
    p.add_argument("--chain", type=int, default=50)
    p.add_argument("--starts", type=int, default=3000)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--failover", type=int, default=300)
    p.add_argument("--lease", type=int, default=5)
    a = p.parse_args()
    log(f"load average before: {os.getloadavg()[0]:.2f}")
    pg = Postgres()
    results = {}
    try:
        with tempfile.TemporaryDirectory(prefix="stator-bench-sqlite-", dir=ROOT) as d:
            node = Node("--data-dir", d)
            try:
                results["sqlite-1"] = measure([node.port], a)
            finally:
                node.stop()
        node = Node("--store", pg.database())
        try:
            results["pg-1"] = measure([node.port], a)
        finally:
            node.stop()
        uri = pg.database()
        nodes = [Node("--store", uri) for _ in range(3)]
        try:
            results["pg-3"] = measure([n.port for n in nodes], a)
        finally:
            for n in nodes:
                n.stop()
        took, expiry = failover(pg, a)
    finally:
        pg.close()
    base = results["sqlite-1"]
    print(f"{'configuration':<12} {'durable transitions/s':>22} {'ratio':>7} "
          f"{'StartExecution/s':>17} {'ratio':>7}")
    for name, r in results.items():
        print(f"{name:<12} {r['transitions_per_s']:>22,.0f} "
              f"{r['transitions_per_s'] / base['transitions_per_s']:>7.2f} "
              f"{r['starts_per_s']:>17,.0f} {r['starts_per_s'] / base['starts_per_s']:>7.2f}")
    ratio = results["pg-1"]["transitions_per_s"] / base["transitions_per_s"]
    print(f"\nPostgreSQL 1 node / SQLite durable throughput: {ratio:.2f} "
          f"(target >= {TARGET_PG_OVER_SQLITE}: {'met' if ratio >= TARGET_PG_OVER_SQLITE else 'NOT met'})")
    after = took - expiry
    print(f"failover ({a.failover} waiting executions, lease {a.lease} s): kill -> leases expired "
          f"{expiry:.2f} s, kill -> last resumed and done {took:.2f} s; after lease expiry "
          f"{after:.2f} s (target <= {TARGET_FAILOVER_AFTER_EXPIRY_S:.0f} s: "
          f"{'met' if after <= TARGET_FAILOVER_AFTER_EXPIRY_S else 'NOT met'})")
    log(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
