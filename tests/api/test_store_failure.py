"""A failed commit of the execution store, through a real server: `stator serve` with the
test-only STATOR_STORE_FAULTS environment variable (a FaultInjectingStore, docs/store.md) fails
or tears its Nth commit while Standard executions run.

Checked: the server reports unhealthy (GET /health: 503 naming the failure) and logs it; the
running executions stop where they are (their stored state does not move any more); nothing is
acknowledged afterwards (StartExecution, StopExecution fail with InternalFailure); and after a
restart without faults every acknowledged start and every step a client could read is there,
and the halted executions resume from their last committed step to the same end, with the same
history, as an execution that never met a fault.
"""

import json
import os
import shutil
import signal
import tempfile
import time
import unittest
import urllib.error
import urllib.request

import botocore.exceptions

from stator_server import ACCOUNT, Server, client  # noqa: E402

import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

ROLE = f"arn:aws:iam::{ACCOUNT}:role/test"
WAITS = 10
# Wait 1 s and Pass, ten times: every Wait ends a burst, so each execution commits a dozen times.
STATES = {}
for i in range(WAITS):
    STATES[f"W{i}"] = {"Type": "Wait", "Seconds": 1, "Next": f"P{i}"}
    STATES[f"P{i}"] = {"Type": "Pass", "Result": {"step": i}, "ResultPath": f"$.p{i}",
                       "Next": f"W{i + 1}" if i + 1 < WAITS else "Done"}
STATES["Done"] = {"Type": "Succeed"}
CHAIN = {"StartAt": "W0", "States": STATES}
EXECUTIONS = 4
FAULT_AT = 9  # the commit that fails: with four executions starting, some are mid-chain


def health(endpoint):
    try:
        with urllib.request.urlopen(endpoint + "/health", timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def start_server(data_dir, faults=None):
    """`stator serve` on data_dir, 100x faster than real time, with STATOR_STORE_FAULTS."""
    saved = os.environ.get("STATOR_STORE_FAULTS")
    if faults:
        os.environ["STATOR_STORE_FAULTS"] = faults
    else:
        os.environ.pop("STATOR_STORE_FAULTS", None)
    try:
        return Server("--data-dir", data_dir, "--time-scale", "0.01")
    finally:
        if saved is None:
            os.environ.pop("STATOR_STORE_FAULTS", None)
        else:
            os.environ["STATOR_STORE_FAULTS"] = saved


def stop_and_read_stderr(server):
    server.proc.send_signal(signal.SIGTERM)
    _, err = server.proc.communicate(timeout=30)
    server.stop()  # closes the pipes
    return err


def history(sfn, arn):
    events, token = [], None
    while True:
        kw = {"executionArn": arn, "maxResults": 1000}
        if token:
            kw["nextToken"] = token
        page = sfn.get_execution_history(**kw)
        events += page["events"]
        token = page.get("nextToken")
        if not token:
            return events


def durable_view(sfn, arns):
    """What a client can read of each execution: its status and its whole history."""
    view = {}
    for arn in arns:
        d = sfn.describe_execution(executionArn=arn)
        view[arn] = (d["status"], history(sfn, arn))
    return view


def wait_until_ended(sfn, arns, timeout=60):
    deadline = time.monotonic() + timeout
    for arn in arns:
        while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
            if time.monotonic() > deadline:
                raise AssertionError(f"{arn} still running")
            time.sleep(0.02)


class HealthTest(unittest.TestCase):
    def test_healthy_server(self):
        server = Server()
        try:
            self.assertEqual(health(server.endpoint), (200, {"status": "ok"}))
        finally:
            server.stop()


class StoreFailureTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="stator-store-failure-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_fault(self, faults):
        server = start_server(self.dir, faults)
        try:
            sfn = client(server.endpoint)
            self.assertEqual(health(server.endpoint), (200, {"status": "ok"}))
            machine = sfn.create_state_machine(name="chain", definition=json.dumps(CHAIN),
                                               roleArn=ROLE)["stateMachineArn"]
            acknowledged, refused = [], []
            for i in range(EXECUTIONS):
                arn = f"arn:aws:states:us-east-1:{ACCOUNT}:execution:chain:e{i}"
                try:
                    sfn.start_execution(stateMachineArn=machine, name=f"e{i}", input="{}")
                    acknowledged.append(arn)
                except botocore.exceptions.ClientError as e:
                    self.assertEqual(e.response["Error"]["Code"], "InternalFailure")
                    refused.append(arn)
                time.sleep(0.03)
            deadline = time.monotonic() + 30
            while health(server.endpoint)[0] == 200:
                self.assertLess(time.monotonic(), deadline, "the fault never came")
                time.sleep(0.02)
            status, body = health(server.endpoint)
            self.assertEqual(status, 503)
            self.assertEqual(body["status"], "unhealthy")
            self.assertIn(f"injected fault: commit {FAULT_AT}", body["errors"]["executions"])
            self.assertNotIn("dynamodb", body["errors"])
            self.assertTrue(acknowledged, "no start was acknowledged before the fault")

            # Halted: what a client can read does not move any more.
            before = durable_view(sfn, acknowledged)
            self.assertTrue(any(s == "RUNNING" for s, _ in before.values()),
                            "every execution ended before the fault: nothing was halted")
            time.sleep(0.5)  # 50 execution-seconds: five Waits' worth
            self.assertEqual(durable_view(sfn, acknowledged), before)

            # Nothing more is acknowledged.
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                sfn.start_execution(stateMachineArn=machine, name="late", input="{}")
            self.assertEqual(cm.exception.response["Error"]["Code"], "InternalFailure")
            self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 500)
            running = [arn for arn, (s, _) in before.items() if s == "RUNNING"]
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                sfn.stop_execution(executionArn=running[0])
            self.assertEqual(cm.exception.response["Error"]["Code"], "InternalFailure")
            self.assertEqual(sfn.describe_execution(executionArn=running[0])["status"], "RUNNING")
            self.assertEqual(health(server.endpoint)[0], 503)  # sticky
        finally:
            err = stop_and_read_stderr(server)
        self.assertIn("the store failed (injected fault: commit", err)
        self.assertIn("running Standard executions are halted", err)

        # Restarted without faults: every acknowledged start and every step read above is
        # there, and each halted execution resumes to the end a fault-free run reaches.
        server = start_server(self.dir)
        try:
            sfn = client(server.endpoint)
            self.assertEqual(health(server.endpoint), (200, {"status": "ok"}))
            reference = sfn.start_execution(stateMachineArn=machine, name="reference",
                                            input="{}")["executionArn"]
            wait_until_ended(sfn, acknowledged + [reference])
            want = [(e["type"], e["id"], e.get("previousEventId")) for e in history(sfn, reference)]
            after = durable_view(sfn, acknowledged)
            for arn in acknowledged:
                status, events = after[arn]
                self.assertEqual(status, "SUCCEEDED", arn)
                self.assertEqual(events[:len(before[arn][1])], before[arn][1], arn)
                self.assertEqual([(e["type"], e["id"], e.get("previousEventId")) for e in events],
                                 want, arn)
            for arn in refused:
                try:
                    sfn.describe_execution(executionArn=arn)
                except botocore.exceptions.ClientError as e:
                    self.assertEqual(e.response["Error"]["Code"], "ExecutionDoesNotExist")
                    continue
                # Only a torn commit writes a start it reported failed; it then resumes too.
                self.assertTrue(faults.startswith("tear-commit="), arn)
                wait_until_ended(sfn, [arn])
                self.assertEqual([e["type"] for e in history(sfn, arn)],
                                 [t for t, _, _ in want], arn)
        finally:
            server.stop()

    def test_failed_commit(self):
        self.run_fault(f"fail-commit={FAULT_AT}")

    def test_commit_torn_after_the_write(self):
        self.run_fault(f"tear-commit={FAULT_AT}")

    def test_commit_torn_halfway(self):
        self.run_fault(f"tear-commit={FAULT_AT}:prefix")


if __name__ == "__main__":
    ctest_unittest.main()
