"""What the bench scripts share: one AWS JSON 1.0 Step Functions call over a keep-alive
http.client connection, the number of executions of a state machine with a status, and many
executions started at once over several connections."""

import http.client
import json
import threading
import time


def call(conn, op, payload):
    """POSTs AWSStepFunctions.<op> with payload on conn; the parsed answer, or RuntimeError."""
    conn.request("POST", "/", body=json.dumps(payload),
                 headers={"X-Amz-Target": f"AWSStepFunctions.{op}",
                          "Content-Type": "application/x-amz-json-1.0"})
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        raise RuntimeError(f"{op}: {r.status} {body[:300]!r}")
    return json.loads(body)


def count_status(port, arn, status, timeout=120):
    """How many executions of arn ListExecutions shows with `status` (all pages)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    n, token = 0, None
    try:
        while True:
            p = {"stateMachineArn": arn, "statusFilter": status, "maxResults": 1000}
            if token:
                p["nextToken"] = token
            r = call(conn, "ListExecutions", p)
            n += len(r["executions"])
            token = r.get("nextToken")
            if not token:
                return n
    finally:
        conn.close()


def count_running(port, arn, timeout=120):
    """How many executions of arn ListExecutions shows RUNNING (all pages)."""
    return count_status(port, arn, "RUNNING", timeout)


def start_all(ports, arn, count, connections, inputs=lambda i: "{}", prefix=None):
    """Starts `count` executions over `connections` connections spread over `ports`; returns
    the seconds from the first call to the last answer."""
    prefix = prefix or f"b{time.time_ns()}"
    errors = []
    barrier = threading.Barrier(connections + 1)

    def worker(k):
        conn = http.client.HTTPConnection("127.0.0.1", ports[k % len(ports)], timeout=300)
        conn.connect()
        barrier.wait()
        try:
            for i in range(k, count, connections):
                call(conn, "StartExecution",
                     {"stateMachineArn": arn, "name": f"{prefix}-{i}", "input": inputs(i)})
        except Exception as e:  # noqa: BLE001
            errors.append(e)
        conn.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(connections)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - t0
