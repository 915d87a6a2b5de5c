"""What the bench scripts share: one AWS JSON 1.0 Step Functions call over a keep-alive
http.client connection, and the number of executions of a state machine with a status."""

import http.client
import json


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
