"""Crash safety of Standard executions: 1,000 executions mid-flight (in Waits, in Maps of
Waits), the server killed with SIGKILL, restarted on the same data dir. Every execution must
reach its end and record exactly the history (event ids, previous ids, types) that the same
execution records on a server that never stopped, which runs beside it in the same test.
"""

import concurrent.futures
import json
import os
import shutil
import signal
import tempfile
import time
import unittest

from stator_server import ACCOUNT, Server, client
import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

ROLE = f"arn:aws:iam::{ACCOUNT}:role/test"
N = 1000

# Two Waits around a Choice: most executions are in one of the Waits at the kill.
WAITER = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Parameters": {"w.$": "$.w", "k.$": "$.k"}, "Next": "First"},
        "First": {"Type": "Wait", "SecondsPath": "$.w", "Next": "Route"},
        "Route": {"Type": "Choice", "Default": "Second",
                  "Choices": [{"Variable": "$.k", "NumericGreaterThan": 1, "Next": "Done"}]},
        "Second": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
        "Done": {"Type": "Pass", "Result": "ok", "End": True},
    },
}
# A Map whose iterations wait, three at a time, and a Parallel after it.
MAPPER = {
    "StartAt": "Items",
    "States": {
        "Items": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 3, "Next": "Both",
                  "ItemProcessor": {"StartAt": "Hold", "States": {
                      "Hold": {"Type": "Wait", "SecondsPath": "$.w", "Next": "Mark"},
                      "Mark": {"Type": "Pass", "Parameters": {"v.$": "$.v"}, "End": True}}}},
        "Both": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 1, "End": True}}},
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}]},
    },
}


def inputs():
    for i in range(N):
        if i % 2 == 0:
            yield "waiter", f"w{i}", {"w": 9 + i % 3, "k": i % 3}
        else:
            # Equal waits: which iteration goes first never depends on how long anything took
            # (with unequal ones, a downtime could legitimately reorder iterations whose waits
            # end close together; the engine's unit tests cover that case event by event).
            items = [{"w": 5 + i % 3, "v": j} for j in range(3 + i % 3)]
            yield "mapper", f"m{i}", {"items": items}


def start_all(sfn, arns):
    def start(spec):
        machine, name, payload = spec
        sfn.start_execution(stateMachineArn=arns[machine], name=name, input=json.dumps(payload))
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(start, inputs()))


def running_count(sfn, arns):
    total = 0
    for arn in arns.values():
        for page in sfn.get_paginator("list_executions").paginate(
                stateMachineArn=arn, statusFilter="RUNNING"):
            total += len(page["executions"])
    return total


def wait_until_all_ended(sfn, arns, deadline_s):
    deadline = time.time() + deadline_s
    while running_count(sfn, arns) > 0:
        if time.time() > deadline:
            raise AssertionError("executions still running at the deadline")
        time.sleep(0.5)


def histories(sfn, arns):
    """{name: (status, [(id, previousEventId, type), ...])} for every execution."""
    execs = []
    for arn in arns.values():
        for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=arn):
            execs.extend(page["executions"])

    def one(e):
        events = []
        for page in sfn.get_paginator("get_execution_history").paginate(
                executionArn=e["executionArn"], includeExecutionData=False):
            events.extend((ev["id"], ev["previousEventId"], ev["type"]) for ev in page["events"])
        return e["name"], (e["status"], events)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        return dict(pool.map(one, execs))


class CrashResumeTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="stator-crash-")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop(signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)

    def serve(self, data_dir):
        s = Server("--data-dir", data_dir, "--execution-threads", "2")
        self.servers.append(s)
        return s

    def create(self, sfn):
        return {name: sfn.create_state_machine(name=name, definition=json.dumps(d),
                                               roleArn=ROLE)["stateMachineArn"]
                for name, d in (("waiter", WAITER), ("mapper", MAPPER))}

    def test_kill_9_mid_flight_and_restart(self):
        crash_dir = os.path.join(self.dir, "crash")
        reference_dir = os.path.join(self.dir, "reference")
        crashing = self.serve(crash_dir)
        reference = self.serve(reference_dir)
        sfn_c = client(crashing.endpoint)
        sfn_r = client(reference.endpoint)
        arns_c = self.create(sfn_c)
        arns_r = self.create(sfn_r)
        self.assertEqual(arns_c, arns_r)

        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda sfn: start_all(sfn, arns_c), (sfn_c, sfn_r)))
        time.sleep(0.5)
        running_before = running_count(sfn_c, arns_c)
        os.kill(crashing.proc.pid, signal.SIGKILL)
        crashing.proc.wait()
        # Mid-flight means mid-flight: most were still running when the server died (on a
        # loaded machine the first ones started may be done by then).
        self.assertGreater(running_before, N * 3 // 4)
        time.sleep(1.5)  # some Waits end while the server is down

        restarted = self.serve(crash_dir)
        sfn_c = client(restarted.endpoint)
        wait_until_all_ended(sfn_c, arns_c, 120)
        wait_until_all_ended(sfn_r, arns_r, 120)

        got = histories(sfn_c, arns_c)
        want = histories(sfn_r, arns_r)
        self.assertEqual(len(want), N)
        self.assertEqual(sorted(got), sorted(want))
        mismatched = [name for name in want if got[name] != want[name]]
        self.assertEqual(mismatched, [], f"first mismatch: {mismatched[:1]} "
                         f"{got.get(mismatched[0]) if mismatched else ''} vs "
                         f"{want.get(mismatched[0]) if mismatched else ''}")
        for name, (status, events) in got.items():
            self.assertEqual(status, "SUCCEEDED", name)
            # Nothing lost or written twice: ids are exactly 1..n.
            self.assertEqual([e[0] for e in events], list(range(1, len(events) + 1)), name)

    def test_resumed_parent_does_not_start_its_child_twice(self):
        """A states:startExecution.sync Task without a Name, killed while its child runs: the
        resumed parent dispatches the task again and must get the same child back (its name is
        derived from the parent and the TaskScheduled event), not start a second one."""
        data = os.path.join(self.dir, "nested")
        server = self.serve(data)
        sfn = client(server.endpoint)
        child = sfn.create_state_machine(name="child", roleArn=ROLE, definition=json.dumps({
            "StartAt": "Hold", "States": {
                "Hold": {"Type": "Wait", "Seconds": 3, "Next": "Out"},
                "Out": {"Type": "Pass", "Parameters": {"got.$": "$.n"}, "End": True}}}))
        parent = sfn.create_state_machine(name="parent", roleArn=ROLE, definition=json.dumps({
            "StartAt": "Run", "States": {"Run": {
                "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": child["stateMachineArn"],
                               "Input": {"n.$": "$.n"}},
                "OutputPath": "$.Output", "End": True}}}))
        parents = [sfn.start_execution(stateMachineArn=parent["stateMachineArn"], name=f"p{n}",
                                       input=json.dumps({"n": n}))["executionArn"]
                   for n in range(5)]
        deadline = time.monotonic() + 30
        while len(sfn.list_executions(stateMachineArn=child["stateMachineArn"])["executions"]) < 5:
            self.assertLess(time.monotonic(), deadline, "the children did not start")
            time.sleep(0.05)
        server.stop(signal.SIGKILL)  # every child is in its 3 s Wait, every parent in its Task

        restarted = self.serve(data)
        sfn = client(restarted.endpoint)
        for n, arn in enumerate(parents):
            deadline = time.monotonic() + 60
            while (d := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
                self.assertLess(time.monotonic(), deadline, arn)
                time.sleep(0.05)
            self.assertEqual(d["status"], "SUCCEEDED", d)
            self.assertEqual(json.loads(d["output"]), {"got": n})
        kids = sfn.list_executions(stateMachineArn=child["stateMachineArn"])["executions"]
        self.assertEqual(len(kids), 5, [k["name"] for k in kids])
        self.assertTrue(all(k["status"] == "SUCCEEDED" for k in kids), kids)


if __name__ == "__main__":
    ctest_unittest.main()
