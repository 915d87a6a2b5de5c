"""Crash safety of Standard executions: 1,000 executions mid-flight (in Waits, in Maps of
Waits), the server killed with SIGKILL, restarted on the same data dir. Every execution must
reach its end and record exactly the history (event ids, previous ids, types) that the same
execution records on a server that never stopped, which runs beside it in the same test.

Also killed with SIGKILL: while many executions commit DynamoDB task events (every acknowledged
execution is there after the restart, its history whole, each task recorded once and applied
at least once — at most once more, the one in flight), while Lambda tasks are in flight (they
are dispatched again after the restart and recorded once, as docs/api.md says: at least once,
as on AWS), and while Waits run that end during the downtime (they fire on restart). And a
.sync parent resumed while its child runs gets the same child back.
"""

import concurrent.futures
import json
import os
import shutil
import signal
import tempfile
import time
import unittest


from stator_server import (ACCOUNT, Server, client, dynamodb_client,  # noqa: E402
                           lambda_client, make_zip)
import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

ROLE = f"arn:aws:iam::{ACCOUNT}:role/test"
N = 1000

# Two Waits around a Choice: most executions are in one of the Waits at the kill. `k` scales
# every Wait (see test_kill_9_mid_flight_and_restart).
def waiter(k):
    return {
        "StartAt": "Prepare",
        "States": {
            "Prepare": {"Type": "Pass", "Parameters": {"w.$": "$.w", "k.$": "$.k"},
                        "Next": "First"},
            "First": {"Type": "Wait", "SecondsPath": "$.w", "Next": "Route"},
            "Route": {"Type": "Choice", "Default": "Second",
                      "Choices": [{"Variable": "$.k", "NumericGreaterThan": 1, "Next": "Done"}]},
            "Second": {"Type": "Wait", "Seconds": k, "Next": "Done"},
            "Done": {"Type": "Pass", "Result": "ok", "End": True},
        },
    }


# A Map whose iterations wait, three at a time, and a Parallel after it.
def mapper(k):
    return {
        "StartAt": "Items",
        "States": {
            "Items": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 3, "Next": "Both",
                      "ItemProcessor": {"StartAt": "Hold", "States": {
                          "Hold": {"Type": "Wait", "SecondsPath": "$.w", "Next": "Mark"},
                          "Mark": {"Type": "Pass", "Parameters": {"v.$": "$.v"}, "End": True}}}},
            "Both": {"Type": "Parallel", "End": True, "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": k, "End": True}}},
                {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}]},
        },
    }


def inputs(k):
    for i in range(N):
        if i % 2 == 0:
            yield "waiter", f"w{i}", {"w": (9 + i % 3) * k, "k": i % 3}
        else:
            # Equal waits: which iteration goes first never depends on how long anything took
            # (with unequal ones, a downtime could legitimately reorder iterations whose waits
            # end close together; the engine's unit tests cover that case event by event).
            items = [{"w": (5 + i % 3) * k, "v": j} for j in range(3 + i % 3)]
            yield "mapper", f"m{i}", {"items": items}


def start_all(sfn, arns, k):
    def start(spec):
        machine, name, payload = spec
        sfn.start_execution(stateMachineArn=arns[machine], name=name, input=json.dumps(payload))
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(start, inputs(k)))


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

    def create(self, sfn, k):
        return {name: sfn.create_state_machine(name=name, definition=json.dumps(d(k)),
                                               roleArn=ROLE)["stateMachineArn"]
                for name, d in (("waiter", waiter), ("mapper", mapper))}

    def test_kill_9_mid_flight_and_restart(self):
        # Mid-flight means mid-flight: the kill must find most executions still running. The
        # kill comes right after the last start is acknowledged; on a machine so slow that
        # the first executions started are done by then, the attempt proves little and the
        # test starts over with Waits four times as long (only the run time depends on the
        # machine's speed, not the verdict).
        for k in (1, 4):
            if self.kill_mid_flight_and_restart(k):
                return
        self.fail("fewer than 3/4 of the executions were running at the kill, with 36-44 s "
                  "Waits")

    def kill_mid_flight_and_restart(self, k):
        crash_dir = os.path.join(self.dir, f"crash{k}")
        reference_dir = os.path.join(self.dir, f"reference{k}")
        crashing = self.serve(crash_dir)
        reference = self.serve(reference_dir)
        sfn_c = client(crashing.endpoint)
        sfn_r = client(reference.endpoint)
        arns_c = self.create(sfn_c, k)
        arns_r = self.create(sfn_r, k)
        self.assertEqual(arns_c, arns_r)

        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda sfn: start_all(sfn, arns_c, k), (sfn_c, sfn_r)))
        running_before = running_count(sfn_c, arns_c)
        os.kill(crashing.proc.pid, signal.SIGKILL)
        crashing.proc.wait()
        if running_before <= N * 3 // 4:
            print(f"(only {running_before} of {N} executions were running at the kill with "
                  f"Waits x{k}; starting over with longer ones)", flush=True)
            reference.stop(signal.SIGKILL)
            return False
        time.sleep(1.5)  # the server stays down a while

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
        return True

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


ddb = dynamodb_client


def wait_ended(sfn, arns, deadline_s):
    """{arn: DescribeExecution} once none of `arns` is RUNNING."""
    deadline = time.monotonic() + deadline_s
    done = {}
    for arn in arns:
        while (d := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
            if time.monotonic() > deadline:
                raise AssertionError(f"{arn} still running at the deadline")
            time.sleep(0.05)
        done[arn] = d
    return done


def history(sfn, arn):
    events = []
    for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn):
        events.extend(page["events"])
    return events


TASK = ["TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited"]
BUMPS = 4
# BUMPS DynamoDB tasks in a row, each adding 1 to the execution's own counter item.
BUMPER = {"StartAt": "Bump0", "States": {
    f"Bump{i}": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem",
                 "Parameters": {"TableName": "Counters",
                                "Key": {"pk": {"S.$": "$$.Execution.Name"}},
                                "UpdateExpression": "ADD n :one",
                                "ExpressionAttributeValues": {":one": {"N": "1"}}},
                 "ResultPath": None,
                 **({"Next": f"Bump{i + 1}"} if i + 1 < BUMPS else {"End": True})}
    for i in range(BUMPS)}}
BUMPER_EVENTS = ["ExecutionStarted"] + TASK * BUMPS + ["ExecutionSucceeded"]

# Writes a mark into $MARKS (a host directory: the server runs unsandboxed) and holds the
# invocation until $MARKS/release exists.
HOLDING_FUNCTION = """import os, time
def handler(event, context):
    marks = os.environ["MARKS"]
    open(os.path.join(marks, "%d-%s" % (event["n"], context.aws_request_id)), "w").close()
    deadline = time.time() + 240
    while (os.path.isdir(marks) and not os.path.exists(os.path.join(marks, "release"))
           and time.time() < deadline):
        time.sleep(0.02)
    return {"doubled": 2 * event["n"]}
"""


class CrashDuringTasksTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="stator-crash-")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop(signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)

    def serve(self, *extra):
        s = Server("--data-dir", os.path.join(self.dir, "data"), *extra)
        self.servers.append(s)
        return s

    def assertWhole(self, events, types, name):
        """The history has exactly `types`, ids 1..n, each event following the one before
        (as on AWS, the first state's entry names 0, not ExecutionStarted)."""
        self.assertEqual([e["type"] for e in events], types, name)
        self.assertEqual([e["id"] for e in events], list(range(1, len(events) + 1)), name)
        self.assertEqual([e["previousEventId"] for e in events],
                         [0, 0] + list(range(2, len(events))), name)

    def test_kill_9_while_many_executions_commit(self):
        """StartExecution from 8 clients at once, each execution running DynamoDB tasks; the
        server is killed while clients are starting and executions committing. Afterwards:
        every acknowledged execution exists and succeeds with a whole history, each task
        recorded once; its counter shows each task applied at least once and at most one more
        time (the task in flight at the kill, dispatched again); nothing appears that was
        never started but the one start in flight per client."""
        import threading
        server = self.serve()
        sfn = client(server.endpoint)
        ddb(server.endpoint).create_table(
            TableName="Counters", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")
        machine = sfn.create_state_machine(name="bumper", definition=json.dumps(BUMPER),
                                           roleArn=ROLE)["stateMachineArn"]
        acked, inflight, errors = [], {}, []
        lock = threading.Lock()
        killed = threading.Event()

        def starter(t):
            c = client(server.endpoint)
            i = 0
            while not killed.is_set():
                name = f"s{t}-{i}"
                inflight[t] = name
                try:
                    c.start_execution(stateMachineArn=machine, name=name)
                except Exception as e:  # noqa: BLE001
                    if not killed.is_set():
                        errors.append(repr(e))
                    return
                with lock:
                    acked.append(name)
                i += 1

        threads = [threading.Thread(target=starter, args=(t,)) for t in range(8)]
        for th in threads:
            th.start()
        # The kill comes once 400 starts were acknowledged and 50 executions have finished
        # (so executions are committing at every stage), however long that takes.
        deadline = time.monotonic() + 120
        while True:
            self.assertEqual(errors, [])
            self.assertLess(time.monotonic(), deadline, f"{len(acked)} started")
            if len(acked) >= 400 and len(sfn.list_executions(
                    stateMachineArn=machine, statusFilter="SUCCEEDED",
                    maxResults=50)["executions"]) >= 50:
                break
            time.sleep(0.05)
        running = len(sfn.list_executions(stateMachineArn=machine, statusFilter="RUNNING",
                                          maxResults=1000)["executions"])
        server.proc.kill()
        killed.set()
        server.proc.wait()
        for th in threads:
            th.join()
        self.assertEqual(errors, [])

        restarted = self.serve()
        sfn = client(restarted.endpoint)
        table = ddb(restarted.endpoint)
        listed = {}
        for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=machine):
            listed.update((e["name"], e["executionArn"]) for e in page["executions"])
        self.assertLessEqual(set(acked), set(listed), "acknowledged executions are missing")
        self.assertLessEqual(set(listed) - set(acked), set(inflight.values()),
                             "executions appeared that were never started")
        ended = wait_ended(sfn, listed.values(), 120)
        applied_twice = 0
        for name, arn in listed.items():
            self.assertEqual(ended[arn]["status"], "SUCCEEDED", name)
            self.assertWhole(history(sfn, arn), BUMPER_EVENTS, name)
            n = int(table.get_item(TableName="Counters", Key={"pk": {"S": name}},
                                   ConsistentRead=True)["Item"]["n"]["N"])
            self.assertIn(n, (BUMPS, BUMPS + 1), name)
            applied_twice += n == BUMPS + 1
        print(f"({len(acked)} executions acknowledged, {running} running at the kill, "
              f"{applied_twice} with a task applied before the kill and again after it)",
              flush=True)

    def test_lambda_tasks_in_flight_are_dispatched_again(self):
        """Three executions each hold a Lambda invocation open (the function waits for a
        release file) when the server is killed. After the restart each invocation is
        dispatched again (a second mark), and once released the executions finish: the task
        recorded once, its result used once, the DynamoDB task after it applied once."""
        marks = os.path.join(self.dir, "marks")
        os.mkdir(marks)
        unsandboxed = ("--no-function-sandbox",)  # the function sees `marks` on the host
        server = self.serve(*unsandboxed)
        sfn, lam = client(server.endpoint), lambda_client(server.endpoint)
        ddb(server.endpoint).create_table(
            TableName="Counters", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")
        lam.create_function(FunctionName="hold", Runtime="python3.11", Role=ROLE,
                            Handler="app.handler", Timeout=300,
                            Code={"ZipFile": make_zip({"app.py": HOLDING_FUNCTION})},
                            Environment={"Variables": {"MARKS": marks}})
        machine = sfn.create_state_machine(name="holder", roleArn=ROLE, definition=json.dumps({
            "StartAt": "Call", "States": {
                "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                         "Parameters": {"FunctionName": "hold", "Payload": {"n.$": "$.n"}},
                         "ResultSelector": {"doubled.$": "$.Payload.doubled"},
                         "ResultPath": "$.r", "Next": "Bump"},
                "Bump": {k: v for k, v in BUMPER["States"]["Bump0"].items() if k != "Next"}
                        | {"Next": "Done"},
                "Done": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
        arns = {n: sfn.start_execution(stateMachineArn=machine, name=f"h{n}",
                                       input=json.dumps({"n": n}))["executionArn"]
                for n in (1, 2, 3)}

        def marked():
            return sorted(int(m.split("-")[0]) for m in os.listdir(marks) if m != "release")

        deadline = time.monotonic() + 60
        while marked() != [1, 2, 3]:
            self.assertLess(time.monotonic(), deadline, f"invocations under way: {marked()}")
            time.sleep(0.02)
        server.stop(signal.SIGKILL)  # all three invocations are in flight

        restarted = self.serve(*unsandboxed)
        sfn = client(restarted.endpoint)
        deadline = time.monotonic() + 60
        while marked() != [1, 1, 2, 2, 3, 3]:
            self.assertLess(time.monotonic(), deadline, f"dispatched again: {marked()}")
            time.sleep(0.02)
        for n, arn in arns.items():  # still held: nothing is recorded past the task's start
            self.assertNotIn("TaskSucceeded", [e["type"] for e in history(sfn, arn)], n)
        open(os.path.join(marks, "release"), "w").close()
        ended = wait_ended(sfn, arns.values(), 60)
        table = ddb(restarted.endpoint)
        for n, arn in arns.items():
            self.assertEqual(ended[arn]["status"], "SUCCEEDED", ended[arn])
            self.assertEqual(json.loads(ended[arn]["output"]), {"n": n, "r": {"doubled": 2 * n}})
            self.assertWhole(history(sfn, arn), ["ExecutionStarted"] + TASK * 2 +
                             ["PassStateEntered", "PassStateExited", "ExecutionSucceeded"], n)
            item = table.get_item(TableName="Counters", Key={"pk": {"S": f"h{n}"}},
                                  ConsistentRead=True)["Item"]
            self.assertEqual(item["n"]["N"], "1", n)
        self.assertEqual(marked(), [1, 1, 2, 2, 3, 3])  # no third dispatch

    def test_waits_that_end_while_the_server_is_down_fire_on_restart(self):
        # The Waits whose end falls in the downtime are the ones under test; on a machine so
        # slow that every Wait ended before the kill, the attempt starts over with longer ones.
        for seconds in (2, 8, 30):
            if self.waits_end_while_down(seconds):
                return
        self.fail("no Wait was still running at the kill, even 30 s ones")

    def waits_end_while_down(self, seconds):
        self.dir_n = getattr(self, "dir_n", 0) + 1
        server = Server("--data-dir", os.path.join(self.dir, f"waits{self.dir_n}"))
        self.servers.append(server)
        sfn = client(server.endpoint)
        machine = sfn.create_state_machine(name="napper", roleArn=ROLE, definition=json.dumps({
            "StartAt": "Nap", "States": {
                "Nap": {"Type": "Wait", "Seconds": seconds, "Next": "Up"},
                "Up": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
        arns = [sfn.start_execution(stateMachineArn=machine, name=f"n{i}")["executionArn"]
                for i in range(20)]
        entered = {}
        deadline = time.monotonic() + 60
        while len(entered) < len(arns):
            self.assertLess(time.monotonic(), deadline, f"{len(entered)} Waits entered")
            for arn in arns:
                # (With a data dir, StartExecution answers once the execution is stored; its
                # first events may be committed a moment later: the history can be empty.)
                if arn in entered:
                    continue
                for e in history(sfn, arn):
                    if e["type"] == "WaitStateEntered":
                        entered[arn] = e["timestamp"].timestamp()
        server.stop(signal.SIGKILL)
        killed = time.time()
        ending_while_down = [arn for arn in arns if entered[arn] + seconds > killed]
        if not ending_while_down:
            print(f"(every {seconds} s Wait ended before the kill; trying longer ones)",
                  flush=True)
            return False
        # Stay down until every Wait's end has passed.
        time.sleep(max(0.0, max(entered.values()) + seconds - time.time() + 0.2))

        restarted_at = time.time()
        restarted = Server("--data-dir", os.path.join(self.dir, f"waits{self.dir_n}"))
        self.servers.append(restarted)
        sfn = client(restarted.endpoint)
        ended = wait_ended(sfn, arns, 60)
        for arn in arns:
            self.assertEqual(ended[arn]["status"], "SUCCEEDED")
            events = history(sfn, arn)
            self.assertWhole(events, ["ExecutionStarted", "WaitStateEntered", "WaitStateExited",
                                      "PassStateEntered", "PassStateExited",
                                      "ExecutionSucceeded"], arn)
            exited = events[2]["timestamp"].timestamp()
            self.assertGreaterEqual(exited, entered[arn] + seconds - 0.001, arn)
            if arn in ending_while_down:
                self.assertGreaterEqual(exited, restarted_at - 0.001, arn)  # fired on restart
        print(f"({len(ending_while_down)} of {len(arns)} {seconds} s Waits ended while the "
              "server was down)", flush=True)
        return True

if __name__ == "__main__":
    ctest_unittest.main()
