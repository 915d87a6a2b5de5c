"""The apartment-booking workflow end to end under virtual time: executions per second.

Not a test. Starts `stator serve --time-scale 0` (the workflow's 60-second Wait passes at once),
deploys examples/apartment-booking/template.yaml with `stator deploy`, seeds N apartments (half of
them already paid, so both branches run), then starts N Standard executions of the booking state
machine concurrently from C client threads (raw AWS JSON 1.0 over keep-alive connections) and
waits until none is RUNNING. Each execution is updateItem (conditional) -> Wait 60 s -> getItem
-> Choice -> Pass or updateItem: 5 states, 3 DynamoDB calls, 18 or 21 history events.

Reported: executions per second from the first StartExecution to the moment no execution is
RUNNING, the StartExecution latency (p50/p99), and a check that every execution SUCCEEDED and
every apartment ended in the state its branch promises.

usage: STATOR=build/stator python3 bench/booking_bench.py [--executions 2000] [--clients 8]
       [--memory]   (no --data-dir: executions and tables in memory only)
"""

import argparse
import glob
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = os.path.join(ROOT, "examples", "apartment-booking", "template.yaml")


def find_stator():
    if os.environ.get("STATOR"):
        return os.environ["STATOR"]
    found = [p for p in glob.glob(os.path.join(ROOT, "build*", "stator")) if os.access(p, os.X_OK)]
    if not found:
        sys.exit("booking_bench: no stator binary (set STATOR)")
    return max(found, key=os.path.getmtime)


class Conn:
    def __init__(self, port):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, target, body):
        self.c.request("POST", "/", body=json.dumps(body),
                       headers={"X-Amz-Target": target,
                                "Content-Type": "application/x-amz-json-1.0"})
        r = self.c.getresponse()
        data = json.loads(r.read() or b"{}")
        if r.status != 200:
            raise RuntimeError(f"{target}: {r.status} {data}")
        return data


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--executions", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--memory", action="store_true", help="no --data-dir")
    args = ap.parse_args()
    stator = find_stator()
    work = tempfile.mkdtemp(prefix="booking_bench_")
    cmd = [stator, "serve", "--port", "0", "--time-scale", "0"]
    if not args.memory:
        cmd += ["--data-dir", os.path.join(work, "data")]
    server = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = server.stdout.readline().strip()
        if not line.startswith("stator listening on "):
            sys.exit(f"booking_bench: the server did not start: {line!r}")
        endpoint = line[len("stator listening on "):]
        port = int(endpoint.rsplit(":", 1)[1])
        out = subprocess.run([stator, "deploy", TEMPLATE, "--stack-name", "bench", "--json",
                              "--endpoint", endpoint], capture_output=True, text=True, check=True)
        outputs = json.loads(out.stdout)["Outputs"]
        table, machine = outputs["ApartmentsTableName"], outputs["BookingStateMachineArn"]

        n = args.executions
        c = Conn(port)
        for start in range(0, n, 25):
            c.call("DynamoDB_20120810.BatchWriteItem", {"RequestItems": {table: [
                {"PutRequest": {"Item": {
                    "Id": {"S": f"apt-{i}"}, "status": {"S": "vacant"},
                    "paymentStatus": {"S": "paid" if i % 2 == 0 else "unpaid"}}}}
                for i in range(start, min(n, start + 25))]}})

        latencies = []
        lock = threading.Lock()
        next_index = [0]

        def client():
            conn = Conn(port)
            mine = []
            while True:
                with lock:
                    i = next_index[0]
                    next_index[0] += 1
                if i >= n:
                    break
                t = time.perf_counter()
                conn.call("AWSStepFunctions.StartExecution", {
                    "stateMachineArn": machine, "name": f"b-{i}",
                    "input": json.dumps({"apartmentId": f"apt-{i}", "customer": f"c-{i}"})})
                mine.append(time.perf_counter() - t)
            with lock:
                latencies.extend(mine)

        began = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        started = time.perf_counter()
        while c.call("AWSStepFunctions.ListExecutions",
                     {"stateMachineArn": machine, "statusFilter": "RUNNING",
                      "maxResults": 1})["executions"]:
            time.sleep(0.005)
        ended = time.perf_counter()

        # Check: every execution succeeded, every apartment in its branch's final state.
        succeeded, token = 0, None
        while True:
            req = {"stateMachineArn": machine, "statusFilter": "SUCCEEDED", "maxResults": 1000}
            if token:
                req["nextToken"] = token
            page = c.call("AWSStepFunctions.ListExecutions", req)
            succeeded += len(page["executions"])
            token = page.get("nextToken")
            if not token:
                break
        wrong, key = 0, None
        while True:
            req = {"TableName": table}
            if key:
                req["ExclusiveStartKey"] = key
            page = c.call("DynamoDB_20120810.Scan", req)
            for item in page["Items"]:
                i = int(item["Id"]["S"].split("-")[1])
                want = "booked" if i % 2 == 0 else "vacant"
                wrong += item["status"]["S"] != want
            key = page.get("LastEvaluatedKey")
            if not key:
                break

        total = ended - began
        print(f"booking workflow, {n} Standard executions, {args.clients} clients, "
              f"{'in memory' if args.memory else 'durable (--data-dir)'}, virtual time")
        print(f"  start phase        {started - began:.2f} s "
              f"({n / (started - began):,.0f} StartExecution/s, "
              f"p50 {percentile(latencies, 0.5) * 1000:.2f} ms, "
              f"p99 {percentile(latencies, 0.99) * 1000:.2f} ms)")
        print(f"  all ended after    {total:.2f} s")
        print(f"  executions/s       {n / total:,.0f}  (first start to last end)")
        print(f"  succeeded          {succeeded}/{n}; apartments in the wrong state: {wrong}")
        if succeeded != n or wrong:
            return 1
        return 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
