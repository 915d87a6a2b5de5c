"""Several `stator serve --store postgresql://...` nodes on one database: one cluster.

Every node answers for every resource; each running Standard execution is leased to one node;
a node that dies (SIGKILL) or freezes (SIGSTOP) loses its executions to the others when the
leases expire, one that shuts down cleanly hands them over at once, and whatever happens, every
execution completes exactly once: its history has each event once, with ids 1, 2, 3, ...

Needs a PostgreSQL server: STATOR_TEST_POSTGRES (scripts/test.sh runs ctest under
`scripts/postgres.sh run`, which sets it). Each test gets a database of its own.
"""

import concurrent.futures
import json
import os
import re
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import urllib.request
import uuid

import stator_server  # noqa: F401  (puts tests/ on sys.path)
from ctest_unittest import main, needs
from knix_client import Knix, execute, unique
from stator_server import ACCOUNT, REGION, find_stator, lambda_client, make_zip

import boto3
import botocore.config


def postgres_missing():
    if not os.environ.get("STATOR_TEST_POSTGRES"):
        return "STATOR_TEST_POSTGRES is not set (run through scripts/postgres.sh run ...)"
    return None


def fresh_database(test):
    """Creates an empty database on the test server; returns its URI (dropped at cleanup)."""
    base = os.environ["STATOR_TEST_POSTGRES"]
    name = "cluster_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", base, "-q", "-c", f"CREATE DATABASE {name}"], check=True)

    def drop():
        subprocess.run(["psql", base, "-q", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
                       check=False)
    test.addCleanup(drop)
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


class Node:
    """One `stator serve --store URI` process; its stderr goes to a file (read by tests)."""

    def __init__(self, uri, lease_seconds, node_id=None):
        self.log = tempfile.NamedTemporaryFile("w+", prefix="stator-node-", suffix=".log")
        args = [find_stator(), "serve", "--host", "127.0.0.1", "--port", "0", "--account",
                ACCOUNT, "--region", REGION, "--store", uri, "--lease-seconds",
                str(lease_seconds)]
        if node_id:
            args += ["--node-id", node_id]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("stator listening on http://"):
            self.proc.kill()
            raise RuntimeError(f"node did not start: {line!r}: {self.stderr()}")
        self.endpoint = line[len("stator listening on "):]
        self.sfn = boto3.client(
            "stepfunctions", endpoint_url=self.endpoint, region_name=REGION,
            aws_access_key_id="test", aws_secret_access_key="test",
            config=botocore.config.Config(retries={"max_attempts": 0},
                                          max_pool_connections=32))

    def stderr(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            if sig == signal.SIGKILL:
                self.proc.kill()
            else:
                self.proc.send_signal(sig)
            self.proc.wait(timeout=30)
        self.proc.stdout.close()
        return self.proc.returncode


def taken_over(node):
    """How many executions the node says it took over from others."""
    return sum(int(n) for n in re.findall(r"took over (\d+) executions", node.stderr()))


WAIT_MACHINE = {
    "StartAt": "Wait",
    "States": {
        "Wait": {"Type": "Wait", "SecondsPath": "$.seconds", "Next": "Done"},
        "Done": {"Type": "Pass", "Result": "done", "ResultPath": "$.result", "End": True},
    },
}
ROLE = f"arn:aws:iam::{ACCOUNT}:role/cluster-test"


@needs("PostgreSQL (STATOR_TEST_POSTGRES)", postgres_missing)
class ClusterTest(unittest.TestCase):
    def start_nodes(self, count, lease_seconds, node_ids=None):
        nodes = []
        for i in range(count):
            node = Node(self.uri, lease_seconds, node_ids[i] if node_ids else None)
            self.addCleanup(node.stop, signal.SIGKILL)
            nodes.append(node)
        return nodes

    def setUp(self):
        self.uri = fresh_database(self)

    def create_machine(self, node, name="waits"):
        return node.sfn.create_state_machine(
            name=name, definition=json.dumps(WAIT_MACHINE), roleArn=ROLE)["stateMachineArn"]

    def start_many(self, nodes, machine_arn, count, seconds):
        """Starts `count` executions spread over `nodes` (round robin); returns their ARNs."""
        def start(i):
            node = nodes[i % len(nodes)]
            return node.sfn.start_execution(
                stateMachineArn=machine_arn, name=f"e{i:04d}",
                input=json.dumps({"seconds": seconds}))["executionArn"]
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            return list(pool.map(start, range(count)))

    def wait_all_done(self, node, arns, timeout):
        deadline = time.monotonic() + timeout
        pending = set(arns)
        while pending and time.monotonic() < deadline:
            for arn in list(pending):
                if node.sfn.describe_execution(executionArn=arn)["status"] != "RUNNING":
                    pending.discard(arn)
            if pending:
                time.sleep(0.5)
        self.assertEqual(set(), pending, f"{len(pending)} executions still RUNNING")

    def assert_exactly_once(self, node, arn, status="SUCCEEDED", last_type="ExecutionSucceeded"):
        d = node.sfn.describe_execution(executionArn=arn)
        self.assertEqual(status, d["status"], arn)
        events = node.sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        self.assertEqual(list(range(1, len(events) + 1)), [e["id"] for e in events], arn)
        types = [e["type"] for e in events]
        self.assertEqual(1, types.count("ExecutionStarted"), (arn, types))
        self.assertEqual(last_type, types[-1], (arn, types))
        self.assertEqual(1, sum(t.startswith("Execution") and t != "ExecutionStarted"
                                for t in types), (arn, types))
        return types

    # --- any node answers for any resource -----------------------------------------------------

    def test_every_node_sees_every_resource(self):
        a, b, c = self.start_nodes(3, lease_seconds=10)
        arn = self.create_machine(a)
        self.assertEqual("waits", b.sfn.describe_state_machine(stateMachineArn=arn)["name"])
        self.assertEqual([arn], [m["stateMachineArn"]
                                 for m in c.sfn.list_state_machines()["stateMachines"]])
        # The same name created from two other nodes: the same machine (an idempotent repeat),
        # never two.
        self.assertEqual(arn, self.create_machine(b))
        with self.assertRaises(b.sfn.exceptions.StateMachineAlreadyExists):
            c.sfn.create_state_machine(name="waits", definition=json.dumps(
                {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}), roleArn=ROLE)
        arns = self.start_many([a, b, c], arn, 30, 0)
        listed = set()
        token = None
        while True:
            kw = {"nextToken": token} if token else {}
            page = c.sfn.list_executions(stateMachineArn=arn, maxResults=7, **kw)
            listed |= {e["executionArn"] for e in page["executions"]}
            token = page.get("nextToken")
            if not token:
                break
        self.assertEqual(set(arns), listed)
        self.wait_all_done(b, arns, timeout=30)
        for e in arns:
            self.assert_exactly_once(c, e)

    def test_one_name_started_on_three_nodes_at_once_is_one_execution(self):
        nodes = self.start_nodes(3, lease_seconds=10)
        arn = self.create_machine(nodes[0])
        body = json.dumps({"seconds": 1})
        for round_ in range(5):
            name = f"race{round_}"
            with concurrent.futures.ThreadPoolExecutor(3) as pool:
                results = list(pool.map(
                    lambda n: n.sfn.start_execution(stateMachineArn=arn, name=name, input=body),
                    nodes))
            # Same name, same input: one execution, every caller told the same one.
            self.assertEqual(1, len({(r["executionArn"], r["startDate"]) for r in results}))
            with self.assertRaises(nodes[1].sfn.exceptions.ExecutionAlreadyExists):
                nodes[2].sfn.start_execution(stateMachineArn=arn, name=name, input="{}")
        arns = [e["executionArn"] for e in
                nodes[1].sfn.list_executions(stateMachineArn=arn)["executions"]]
        self.assertEqual(5, len(arns))
        self.wait_all_done(nodes[0], arns, timeout=30)
        for e in arns:
            self.assert_exactly_once(nodes[2], e)

    # --- failover ----------------------------------------------------------------------------------

    def test_a_killed_node_s_executions_complete_exactly_once_elsewhere(self):
        nodes = self.start_nodes(3, lease_seconds=3)
        arn = self.create_machine(nodes[0])
        arns = self.start_many(nodes, arn, 300, 4)
        nodes[0].stop(signal.SIGKILL)  # its 100 executions are in their Wait
        self.wait_all_done(nodes[1], arns, timeout=60)
        for e in arns:
            self.assert_exactly_once(nodes[2], e)
        self.assertEqual(100, sum(taken_over(node) for node in nodes[1:]))

    def test_a_frozen_node_that_wakes_after_losing_its_leases_cannot_write(self):
        a, b = self.start_nodes(2, lease_seconds=2)
        arn = self.create_machine(a)
        arns = self.start_many([a], arn, 20, 5)
        # Frozen while idle (every execution in its Wait, committed): a node frozen in the middle
        # of a commit comes back to a connection the database ended (docs/cluster.md).
        for e in arns:
            while "WaitStateEntered" not in [
                    ev["type"] for ev in b.sfn.get_execution_history(executionArn=e)["events"]]:
                time.sleep(0.05)
        a.proc.send_signal(signal.SIGSTOP)
        try:
            # B takes the executions over once the leases expire, and runs their Waits out.
            # (The leases expire a few at a time: they were created at different moments.)
            deadline = time.monotonic() + 30
            while taken_over(b) < 20 and time.monotonic() < deadline:
                time.sleep(0.2)
            self.assertEqual(20, taken_over(b))
            self.wait_all_done(b, arns, timeout=30)
        finally:
            a.proc.send_signal(signal.SIGCONT)
        # A wakes with its Waits due: it must write nothing more (its steps are fenced or its
        # lost leases halt the executions first).
        deadline = time.monotonic() + 10
        while "moved to another node" not in a.stderr() and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertIn("moved to another node", a.stderr())
        time.sleep(1)
        for e in arns:
            self.assert_exactly_once(b, e)
        self.assertIsNone(a.proc.poll(), "the woken node keeps serving")
        # ... healthy: its late steps were fenced (skipped), not refused as a broken history
        # (which would make its store unhealthy for good).
        with urllib.request.urlopen(a.endpoint + "/health") as r:
            self.assertEqual({"status": "ok"}, json.loads(r.read()))
        self.assertEqual("waits", a.sfn.describe_state_machine(stateMachineArn=arn)["name"])

    def test_a_clean_shutdown_hands_executions_over_at_once(self):
        a, b = self.start_nodes(2, lease_seconds=600)  # expiry would take ten minutes
        arn = self.create_machine(a)
        arns = self.start_many([a], arn, 20, 2)
        self.assertEqual(0, a.stop(signal.SIGTERM))
        self.wait_all_done(b, arns, timeout=30)
        for e in arns:
            self.assert_exactly_once(b, e)

    def test_all_nodes_restarted_resume_everything(self):
        ids = ["node-a", "node-b"]
        a, b = self.start_nodes(2, lease_seconds=600, node_ids=ids)
        arn = self.create_machine(a)
        # More than a claim batch (100) per node.
        arns = self.start_many([a, b], arn, 240, 3)
        a.stop(signal.SIGKILL)
        b.stop(signal.SIGKILL)
        # Restarted under the same ids, each takes its own executions back at once (the leases
        # would otherwise last ten minutes).
        a2, b2 = self.start_nodes(2, lease_seconds=600, node_ids=ids)
        self.wait_all_done(a2, arns, timeout=30)
        for e in arns:
            self.assert_exactly_once(b2, e)

    def test_stop_from_another_node(self):
        a, b = self.start_nodes(2, lease_seconds=10)
        arn = self.create_machine(a)
        [e] = self.start_many([a], arn, 1, 3600)
        stopped = b.sfn.stop_execution(executionArn=e, error="E", cause="stopped from b")
        self.assertIn("stopDate", stopped)
        types = self.assert_exactly_once(a, e, "ABORTED", "ExecutionAborted")
        self.assertEqual(["ExecutionStarted", "WaitStateEntered", "ExecutionAborted"], types)
        d = a.sfn.describe_execution(executionArn=e)
        self.assertEqual(("E", "stopped from b"), (d.get("error"), d.get("cause")))
        # Stopping again, from either node, answers with the same stop.
        self.assertEqual(stopped["stopDate"],
                         a.sfn.stop_execution(executionArn=e)["stopDate"])

    def test_redrive_once_from_two_nodes_then_taken_over(self):
        a, b = self.start_nodes(2, lease_seconds=2)
        arn = self.create_machine(a, "redrive")
        [e] = self.start_many([a], arn, 1, 3)
        a.sfn.stop_execution(executionArn=e, error="E", cause="stopped")

        def redrive(node):
            try:
                node.sfn.redrive_execution(executionArn=e)
                return node
            except node.sfn.exceptions.ExecutionNotRedrivable:
                return None
        # Two nodes redrive at once: the store reopens the execution for one of them.
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            winners = [n for n in pool.map(redrive, [a, b]) if n is not None]
        self.assertEqual(1, len(winners))
        runner = winners[0]
        other = b if runner is a else a
        runner.stop(signal.SIGKILL)  # in the redriven Wait: the other node takes it over
        self.wait_all_done(other, [e], timeout=30)
        d = other.sfn.describe_execution(executionArn=e)
        self.assertEqual(("SUCCEEDED", 1), (d["status"], d["redriveCount"]))
        events = other.sfn.get_execution_history(executionArn=e, maxResults=1000)["events"]
        self.assertEqual(list(range(1, len(events) + 1)), [ev["id"] for ev in events])
        self.assertEqual(["ExecutionStarted", "WaitStateEntered", "ExecutionAborted",
                          "ExecutionRedriven", "WaitStateEntered", "WaitStateExited",
                          "PassStateEntered", "PassStateExited", "ExecutionSucceeded"],
                         [ev["type"] for ev in events])

    # --- functions and KNIX across nodes -----------------------------------------------------------

    def test_functions_run_on_every_node_with_the_code_last_uploaded_anywhere(self):
        a, b = self.start_nodes(2, lease_seconds=10)
        lam_a, lam_b = lambda_client(a.endpoint), lambda_client(b.endpoint)

        def code(version):
            return make_zip({"app.py": f"def handler(event, context):\n"
                                       f"    return {{'version': {version}, 'x': event['x']}}\n"})

        lam_a.create_function(FunctionName="f", Runtime="python3.11", Role=ROLE,
                              Handler="app.handler", Code={"ZipFile": code(1)})

        def invoke(lam, x):
            r = lam.invoke(FunctionName="f", Payload=json.dumps({"x": x}))
            self.assertNotIn("FunctionError", r)
            return json.loads(r["Payload"].read())

        self.assertEqual({"version": 1, "x": 1}, invoke(lam_b, 1))
        lam_b.update_function_code(FunctionName="f", ZipFile=code(2))
        self.assertEqual({"version": 2, "x": 2}, invoke(lam_a, 2))  # warm on a: new code anyway
        # A Task state runs the function on the node that runs the execution.
        machine = a.sfn.create_state_machine(name="calls", roleArn=ROLE, definition=json.dumps({
            "StartAt": "F", "States": {"F": {
                "Type": "Task", "End": True,
                "Resource": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"}}}))
        e = b.sfn.start_execution(stateMachineArn=machine["stateMachineArn"],
                                  input=json.dumps({"x": 3}))["executionArn"]
        self.wait_all_done(a, [e], timeout=60)
        self.assertEqual({"version": 2, "x": 3},
                         json.loads(a.sfn.describe_execution(executionArn=e)["output"]))
        lam_a.delete_function(FunctionName="f")
        with self.assertRaises(lam_b.exceptions.ResourceNotFoundException):
            lam_b.invoke(FunctionName="f", Payload=b"{}")

    def test_knix_users_workflows_and_storage_on_any_node(self):
        a, b = self.start_nodes(2, lease_seconds=10)
        email = unique("cluster") + "@example.com"
        Knix(a.endpoint).sign_up(email)
        on_b = Knix(b.endpoint).log_in(email)
        on_a = Knix(a.endpoint).log_in(email)
        on_a.add_function("double", "def handle(event, context):\n"
                                    "    context.log('doubling')\n"
                                    "    return event * 2\n")
        _, url = on_a.deploy_workflow("w", {"StartAt": "d", "States": {
            "d": {"Type": "Task", "Resource": "double", "End": True}}})
        url_b = url.replace(a.endpoint, b.endpoint)
        self.assertNotEqual(url, url_b)
        r = execute(url_b, 21)
        self.assertEqual(200, r.status_code, r.text)
        self.assertEqual(42, r.json())
        [w] = on_b.workflows()
        # Printed on b, read on a: another node's lines show once b has committed them (its
        # log writer commits every 200 ms at most, docs/knix.md).
        deadline = time.monotonic() + 30
        while "doubling" not in on_a.logs(w["id"])["log"] and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertIn("doubling", on_a.logs(w["id"])["log"])
        on_a.stored("kv", "putdata", key="k", value="v")
        self.assertEqual("v", on_b.stored("kv", "getdata", key="k")["value"])
        on_a.stored("counter", "createcounter", countername="c", countervalue=0)

        def increment(knix):
            for _ in range(20):
                knix.stored("counter", "incrementcounter", countername="c", increment=1)
        with concurrent.futures.ThreadPoolExecutor(2) as pool:  # both nodes at once
            list(pool.map(increment, [on_a, on_b]))
        self.assertEqual(40, on_a.stored("counter", "getcounter", countername="c")["countervalue"])
        on_b.undeploy(w["id"])
        self.assertNotEqual(200, execute(url, 1).status_code)  # undeployed on b, gone on a


if __name__ == "__main__":
    main()
