#!/usr/bin/env python3
"""DynamoDB benchmark (not a test): `stator serve` against moto server, side by side, one run
(issue 5 §5: PutItem, GetItem, UpdateItem with a condition, Query of 100 items; ops/s with 32
clients and p50 latency; target >= 50x moto on each).

usage: bench/dynamodb_bench.py [--stator PATH] [--seconds S] [--warmup S] [--threads N]
                               [--latency-seconds S] [--skip-moto] [--skip-shm] [--skip-wrk]
                               [--postgres]

Servers (all started by this script, on 127.0.0.1):
  - stator (disk): `stator serve --port 0 --data-dir <tmp dir on disk>`: durable, writes are
    group-committed (every write queued while a commit runs goes into the next single SQLite
    transaction, journal_mode=WAL, synchronous=FULL: one fsync per batch) and answered once
    durable;
  - stator (shm):  the same with --data-dir under /dev/shm (tmpfs: fsync is free), to show the
    fsync cost (--skip-shm to leave it out);
  - moto: `python3 -m moto.server -H 127.0.0.1 -p <free port>` (in memory, threaded werkzeug).

Every server gets the same table (hash key pk S, range key sk N, PAY_PER_REQUEST) and the same
boto3 driver: one client per thread (own Session), botocore Config(max_pool_connections=32,
retries off: total_max_attempts=1), endpoint http://127.0.0.1:PORT.

Operations:
  PutItem     new item per call (pk "p#<thread>#<i>", sk i, 3 small attributes);
  GetItem     one of 1,000 preloaded items;
  UpdateItem  SET n = n + :one with ConditionExpression attribute_exists(pk), on the thread's own
              preloaded item (the condition always holds);
  Query       pk = "q": a partition of exactly 100 items (checked: Count == 100).

For each server and operation: throughput with --threads (32) client threads, each looping for
--warmup then --seconds (counted: calls completed inside the measured window), with the server's
CPU time (utime+stime from /proc/PID/stat) and this client process's CPU time over the window;
then latency single-client sequential for --latency-seconds (p50, p99). If the stator server's
CPU is well below 2 cores x 100% while the client process is at ~100% (one core: the GIL), the
client, not the server, is the bottleneck; so stator is also measured alone with wrk (raw HTTP,
-t2 -c32, keep-alive) posting the same four requests.

The machine load (`uptime`) is printed before and after.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import boto3
import botocore.config

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TABLE = "bench"
REGION = "us-east-1"
TARGET_RATIO = 50.0
CLK_TCK = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1
OPS = ["PutItem", "GetItem", "UpdateItem", "Query"]
GET_ITEMS = 1000


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_cpu(pid):
    """utime + stime of pid, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def self_cpu():
    t = os.times()
    return t.user + t.system


# ---------------------------------------------------------------------------------------------
# servers


class Server:
    def __init__(self, name, proc, endpoint, cleanup=None):
        self.name, self.proc, self.endpoint, self.cleanup = name, proc, endpoint, cleanup

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.cleanup:
            self.cleanup()


def start_stator(binary, name, data_dir):
    """`stator serve` with --data-dir DIR, or with --store URI when data_dir is a PostgreSQL
    connection URI."""
    where = ["--store", data_dir] if data_dir.startswith("postgresql://") else [
        "--data-dir", data_dir]
    proc = subprocess.Popen([binary, "serve", "--port", "0", *where],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline().strip()
    prefix = "stator listening on "
    if not line.startswith(prefix):
        proc.kill()
        raise SystemExit(f"{name}: unexpected first line {line!r}")
    # Keep draining stdout so the server never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    return Server(name, proc, line[len(prefix):],
                  cleanup=None if where[0] == "--store" else
                  lambda: shutil.rmtree(data_dir, ignore_errors=True))


def start_moto():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1).read()
            return Server("moto", proc, endpoint)
        except Exception:
            if proc.poll() is not None:
                raise SystemExit("moto server exited")
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("moto server did not start")


# ---------------------------------------------------------------------------------------------
# driver


def client(endpoint, pool=32):
    session = boto3.session.Session()
    return session.client(
        "dynamodb", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=botocore.config.Config(max_pool_connections=pool,
                                      retries={"total_max_attempts": 1, "mode": "standard"}))


def setup(endpoint, threads):
    c = client(endpoint)
    c.create_table(TableName=TABLE,
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                              {"AttributeName": "sk", "KeyType": "RANGE"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "sk", "AttributeType": "N"}],
                   BillingMode="PAY_PER_REQUEST")
    items = [{"pk": {"S": "q"}, "sk": {"N": str(i)}, "v": {"S": f"value-{i}"}}
             for i in range(100)]
    items += [{"pk": {"S": f"g#{i}"}, "sk": {"N": "0"}, "v": {"S": f"value-{i}"},
               "n": {"N": str(i)}} for i in range(GET_ITEMS)]
    items += [{"pk": {"S": f"u#{t}"}, "sk": {"N": "0"}, "n": {"N": "0"}}
              for t in range(threads + 1)]
    for i in range(0, len(items), 25):
        r = c.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": it}}
                                                     for it in items[i:i + 25]]})
        if r.get("UnprocessedItems"):
            raise SystemExit("setup: unprocessed items")
    n = c.query(TableName=TABLE, KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": "q"}})["Count"]
    if n != 100:
        raise SystemExit(f"setup: query partition has {n} items, expected 100")


def make_op(op, c, tid):
    """A zero-argument callable doing one call of op; tid picks the thread's own keys."""
    state = {"i": 0}
    if op == "PutItem":
        def f():
            state["i"] += 1
            i = state["i"]
            c.put_item(TableName=TABLE, Item={"pk": {"S": f"p#{tid}#{i}"}, "sk": {"N": str(i)},
                                              "a": {"S": "some text value"}, "b": {"N": "42"},
                                              "c": {"BOOL": True}})
    elif op == "GetItem":
        def f():
            state["i"] += 1
            k = (tid * 7919 + state["i"]) % GET_ITEMS
            r = c.get_item(TableName=TABLE, Key={"pk": {"S": f"g#{k}"}, "sk": {"N": "0"}})
            if "Item" not in r:
                raise RuntimeError("GetItem: no item")
    elif op == "UpdateItem":
        def f():
            c.update_item(TableName=TABLE, Key={"pk": {"S": f"u#{tid}"}, "sk": {"N": "0"}},
                          UpdateExpression="SET n = n + :one",
                          ConditionExpression="attribute_exists(pk)",
                          ExpressionAttributeValues={":one": {"N": "1"}})
    elif op == "Query":
        def f():
            r = c.query(TableName=TABLE, KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "q"}})
            if r["Count"] != 100:
                raise RuntimeError(f"Query: Count {r['Count']}")
    else:
        raise ValueError(op)
    return f


def throughput(server, op, clients, warmup, seconds):
    n = len(clients)
    fns = [make_op(op, clients[t], t) for t in range(n)]
    window = {"start": None, "end": None}
    counts = [0] * n
    errors = [0] * n
    last_error = [None]
    stop = threading.Event()
    barrier = threading.Barrier(n + 1)

    def worker(t):
        f = fns[t]
        barrier.wait()
        while not stop.is_set():
            try:
                f()
                ok = True
            except Exception as e:  # noqa: BLE001 (count and go on)
                ok = False
                last_error[0] = repr(e)[:200]
            now = time.monotonic()
            s, e = window["start"], window["end"]
            if s is not None and s <= now and (e is None or now <= e):
                if ok:
                    counts[t] += 1
                else:
                    errors[t] += 1

    ts = [threading.Thread(target=worker, args=(t,), daemon=True) for t in range(n)]
    for t in ts:
        t.start()
    barrier.wait()
    time.sleep(warmup)
    cpu0, me0 = proc_cpu(server.proc.pid), self_cpu()
    window["start"] = time.monotonic()
    time.sleep(seconds)
    window["end"] = time.monotonic()
    cpu1, me1 = proc_cpu(server.proc.pid), self_cpu()
    stop.set()
    for t in ts:
        t.join()
    dt = window["end"] - window["start"]
    return {"ops": sum(counts) / dt, "errors": sum(errors), "last_error": last_error[0],
            "server_cpu": (cpu1 - cpu0) / dt, "client_cpu": (me1 - me0) / dt}


def latency(op, c, tid, seconds, max_calls=20000):
    f = make_op(op, c, tid)
    for _ in range(20):  # warm-up
        f()
    lat = []
    end = time.monotonic() + seconds
    while time.monotonic() < end and len(lat) < max_calls:
        t0 = time.perf_counter()
        f()
        lat.append(time.perf_counter() - t0)
    lat.sort()
    return {"p50": lat[len(lat) // 2] * 1e3, "p99": lat[min(len(lat) - 1, int(len(lat) * 0.99))]
            * 1e3, "n": len(lat)}


def measure(server, args):
    log(f"== {server.name} at {server.endpoint}")
    setup(server.endpoint, args.threads)
    clients = [client(server.endpoint) for _ in range(args.threads)]
    out = {}
    for op in OPS:
        tp = throughput(server, op, clients, args.warmup, args.seconds)
        lat = latency(op, client(server.endpoint), args.threads, args.latency_seconds)
        out[op] = {**tp, **lat}
        log(f"   {op:<10} {tp['ops']:>9.0f} ops/s  errors {tp['errors']}  server CPU "
            f"{tp['server_cpu'] * 100:.0f}%  client CPU {tp['client_cpu'] * 100:.0f}%  "
            f"p50 {lat['p50']:.3f} ms  p99 {lat['p99']:.3f} ms  (n={lat['n']})"
            + (f"  last error: {tp['last_error']}" if tp["errors"] else ""))
    return out


# ---------------------------------------------------------------------------------------------
# wrk

WRK_LUA = r"""
local op = os.getenv("DDB_OP")
local counter = 0
local tid = 0
local threads = {}
function setup(thread)
  tid = tid + 1
  thread:set("tid", tid)
end
function init(args)
  counter = 0
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "DynamoDB_20120810." .. op
function request()
  counter = counter + 1
  local body
  if op == "GetItem" then
    body = string.format('{"TableName":"bench","Key":{"pk":{"S":"g#%d"},"sk":{"N":"0"}}}',
                         counter % 1000)
  elseif op == "PutItem" then
    body = string.format('{"TableName":"bench","Item":{"pk":{"S":"w#%s#%d"},"sk":{"N":"%d"},' ..
                         '"a":{"S":"some text value"},"b":{"N":"42"},"c":{"BOOL":true}}}',
                         tostring(tid), counter, counter)
  elseif op == "UpdateItem" then
    body = string.format('{"TableName":"bench","Key":{"pk":{"S":"u#%d"},"sk":{"N":"0"}},' ..
                         '"UpdateExpression":"SET n = n + :one",' ..
                         '"ConditionExpression":"attribute_exists(pk)",' ..
                         '"ExpressionAttributeValues":{":one":{"N":"1"}}}', counter % 32)
  else
    body = '{"TableName":"bench","KeyConditionExpression":"pk = :p",' ..
           '"ExpressionAttributeValues":{":p":{"S":"q"}}}'
  end
  return wrk.format(nil, "/", nil, body)
end
function done(summary, latency, requests)
  io.write(string.format("WRK %d %d %d %d %d\n", summary.requests, summary.duration,
           summary.errors.status + summary.errors.connect + summary.errors.read +
           summary.errors.write + summary.errors.timeout,
           latency:percentile(50), latency:percentile(99)))
end
"""


def run_wrk(server, op, seconds, conns):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_LUA)
        script = f.name
    try:
        cpu0 = proc_cpu(server.proc.pid)
        r = subprocess.run(["wrk", "-t2", f"-c{conns}", f"-d{max(1, round(seconds))}s", "-s", script,
                            server.endpoint + "/"], capture_output=True, text=True,
                           env={**os.environ, "DDB_OP": op})
        cpu1 = proc_cpu(server.proc.pid)
    finally:
        os.unlink(script)
    for line in r.stdout.splitlines():
        if line.startswith("WRK "):
            req, dur_us, err, p50, p99 = map(int, line.split()[1:])
            dt = dur_us / 1e6
            return {"ops": req / dt, "errors": err, "p50": p50 / 1e3, "p99": p99 / 1e3,
                    "server_cpu": (cpu1 - cpu0) / dt}
    raise SystemExit(f"wrk output not understood:\n{r.stdout}\n{r.stderr}")


# ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stator", default="/tmp/bw/stator")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--latency-seconds", type=float, default=2.0)
    ap.add_argument("--threads", type=int, default=32)
    ap.add_argument("--skip-moto", action="store_true")
    ap.add_argument("--skip-shm", action="store_true")
    ap.add_argument("--skip-wrk", action="store_true")
    ap.add_argument("--postgres", action="store_true",
                    help="also stator --store on a throwaway PostgreSQL (scripts/postgres.sh)")
    ap.add_argument("--json")
    args = ap.parse_args()

    load_before = uptime()
    log(f"load before: {load_before}")
    results, wrk = {}, {}
    disk_dir = tempfile.mkdtemp(prefix="ddb-bench-", dir="/var/tmp")
    configs = [("stator (disk)", disk_dir)]
    if not args.skip_shm and os.path.isdir("/dev/shm"):
        configs.append(("stator (shm)", tempfile.mkdtemp(prefix="ddb-bench-", dir="/dev/shm")))
    pg_dir = None
    if args.postgres:
        pg_dir = tempfile.mkdtemp(prefix="ddb-bench-pg-")
        uri = subprocess.run([os.path.join(ROOT, "scripts", "postgres.sh"), "start", pg_dir],
                             check=True, capture_output=True, text=True).stdout.strip()
        configs.append(("stator (pg)", uri))
    for name, d in configs:
        s = start_stator(args.stator, name, d)
        try:
            results[name] = measure(s, args)
            if not args.skip_wrk:
                wrk[name] = {}
                for op in OPS:
                    w = run_wrk(s, op, args.seconds, args.threads)
                    wrk[name][op] = w
                    log(f"   wrk {op:<10} {w['ops']:>9.0f} req/s  errors {w['errors']}  "
                        f"server CPU {w['server_cpu'] * 100:.0f}%  p50 {w['p50']:.3f} ms  "
                        f"p99 {w['p99']:.3f} ms")
        finally:
            s.stop()
    if pg_dir:
        subprocess.run([os.path.join(ROOT, "scripts", "postgres.sh"), "stop", pg_dir], check=False)
    if not args.skip_moto:
        m = start_moto()
        try:
            results["moto"] = measure(m, args)
        finally:
            m.stop()
    load_after = uptime()

    print(f"DynamoDB bench: {args.threads} boto3 client threads x {args.seconds:g} s per op "
          f"(after {args.warmup:g} s warm-up); latency single-client sequential "
          f"{args.latency_seconds:g} s per op; {NCPU} CPUs")
    print(f"load before: {load_before}")
    print(f"load after:  {load_after}")
    print("stator (disk): --data-dir on disk, writes group-committed (one SQLite transaction "
          "and fsync per batch), answered once durable; "
          "stator (shm): --data-dir on /dev/shm (fsync free); "
          "stator (pg): --store on PostgreSQL (fsync on; writes group-committed, one "
          "transaction per batch)")
    print()
    moto = results.get("moto")
    hdr = (f"{'op':<11}{'server':<15}{'ops/s':>9}{'moto ops/s':>11}{'ratio':>8}"
           f"{'p50 ms':>9}{'moto p50':>10}{'p50 ratio':>10}{'p99 ms':>9}{'srv CPU':>8}"
           f"{'cli CPU':>8}  target >=50x met?")
    print(hdr)
    print("-" * len(hdr))
    for op in OPS:
        for name, _ in configs:
            r = results[name][op]
            line = (f"{op:<11}{name:<15}{r['ops']:>9.0f}")
            if moto:
                mo = moto[op]
                ratio = r["ops"] / mo["ops"] if mo["ops"] else float("inf")
                lratio = mo["p50"] / r["p50"]
                met = "yes" if ratio >= TARGET_RATIO and lratio >= TARGET_RATIO else (
                    "no" + (" (ops)" if ratio < TARGET_RATIO else "") +
                    (" (p50)" if lratio < TARGET_RATIO else ""))
                line += (f"{mo['ops']:>11.0f}{ratio:>7.1f}x{r['p50']:>9.3f}{mo['p50']:>10.3f}"
                         f"{lratio:>9.1f}x")
            else:
                met = "?"
                line += f"{'-':>11}{'-':>8}{r['p50']:>9.3f}{'-':>10}{'-':>10}"
            line += (f"{r['p99']:>9.3f}{r['server_cpu'] * 100:>7.0f}%{r['client_cpu'] * 100:>7.0f}%"
                     f"  {met}")
            if r["errors"]:
                line += f"  ({r['errors']} errors)"
            print(line)
        if moto:
            mo = moto[op]
            print(f"{op:<11}{'moto':<15}{mo['ops']:>9.0f}{'':>11}{'':>8}{mo['p50']:>9.3f}"
                  f"{'':>10}{'':>10}{mo['p99']:>9.3f}{mo['server_cpu'] * 100:>7.0f}%"
                  f"{mo['client_cpu'] * 100:>7.0f}%" +
                  (f"  ({mo['errors']} errors)" if mo["errors"] else ""))
    print("ratio = stator ops/s / moto ops/s; p50 ratio = moto p50 / stator p50; srv CPU = server "
          f"process CPU over the window (100% = one core of {NCPU}); cli CPU = this boto3 process")
    if wrk:
        print()
        print(f"stator alone, wrk -t2 -c{args.threads} -d{args.seconds:g}s (raw HTTP, keep-alive; "
              "wrk shares the machine):")
        print(f"{'op':<11}{'server':<15}{'req/s':>9}{'vs moto':>9}{'p50 ms':>9}{'p99 ms':>9}"
              f"{'srv CPU':>8}")
        for op in OPS:
            for name in wrk:
                w = wrk[name][op]
                vs = f"{w['ops'] / moto[op]['ops']:>8.0f}x" if moto else f"{'-':>9}"
                print(f"{op:<11}{name:<15}{w['ops']:>9.0f}{vs}{w['p50']:>9.3f}{w['p99']:>9.3f}"
                      f"{w['server_cpu'] * 100:>7.0f}%" +
                      (f"  ({w['errors']} errors)" if w["errors"] else ""))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": results, "wrk": wrk, "load_before": load_before,
                       "load_after": load_after}, f, indent=1)


if __name__ == "__main__":
    main()
