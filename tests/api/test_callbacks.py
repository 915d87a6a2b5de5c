""".waitForTaskToken callbacks against a real `stator serve` (boto3): every integration stator
runs (Step Functions startExecution, Lambda invoke, AWS SDK DynamoDB) sends $$.Task.Token and
waits for SendTaskSuccess / SendTaskFailure; heartbeats and HeartbeatSeconds; an integration that
cannot be called fails the task at once; bad tokens (InvalidToken, TaskTimedOut); and a waiting
execution and its token survive a restart (kill -9). In a cluster (PostgreSQL, marked @needs):
a token sent to a node that does not run the execution reaches it.
"""

import json
import os
import shutil
import signal
import tempfile
import time
import unittest

from stator_server import (ACCOUNT, REGION, ClientErrorAssertion, Server,  # noqa: E402
                           client, dynamodb_client, lambda_client, make_zip,
                           wait_execution_end)
import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)
from ctest_unittest import needs  # noqa: E402
from test_cluster import Node, fresh_database, postgres_missing  # noqa: E402

ROLE = f"arn:aws:iam::{ACCOUNT}:role/test"
TIMED_OUT = "Task Timed Out: 'Provided task does not exist anymore'"

CHILD = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})


def start_child_machine(child_arn, **task):
    state = {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.waitForTaskToken",
             "Parameters": {"StateMachineArn": child_arn,
                            "Input": {"token.$": "$$.Task.Token", "n.$": "$.n"}},
             "End": True}
    state.update(task)
    return json.dumps({"StartAt": "Call", "States": {"Call": state}})


def scheduled_token(sfn, arn, timeout=30):
    """The task token in the parameters of the execution's last TaskScheduled event (waits for
    it); the same text the integration was sent."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        events = sfn.get_execution_history(executionArn=arn, reverseOrder=True)["events"]
        for e in events:
            if e["type"] == "TaskScheduled":
                params = json.loads(e["taskScheduledEventDetails"]["parameters"])
                return find_token(params)
        time.sleep(0.05)
    raise AssertionError(f"{arn} has no TaskScheduled after {timeout} s")


def tampered(token):
    """The token with its last character changed."""
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def find_token(value):
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("token", "TaskToken") and isinstance(v, str):
                return v
            if isinstance(v, dict) and "S" in v and k == "token":
                return v["S"]
            found = find_token(v)
            if found:
                return found
    return None


class CallbackTest(ClientErrorAssertion, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="stator-callbacks-")
        cls.server = Server("--time-scale", "0", "--no-function-sandbox")
        cls.sfn = client(cls.server.endpoint)
        cls.child = cls.sfn.create_state_machine(name="child", roleArn=ROLE,
                                                 definition=CHILD)["stateMachineArn"]

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def machine(self, name, definition):
        return self.sfn.create_state_machine(name=name, roleArn=ROLE,
                                             definition=definition)["stateMachineArn"]

    def test_start_execution_callback_success(self):
        sm = self.machine("sfn-cb", start_child_machine(self.child, ResultPath="$.cb"))
        e = self.sfn.start_execution(stateMachineArn=sm, input='{"n": 1}')["executionArn"]
        token = scheduled_token(self.sfn, e)
        self.assertGreater(len(token), 100)
        # The child got the token in its input ($$.Task.Token inside Parameters).
        children = self.sfn.list_executions(stateMachineArn=self.child)["executions"]
        inputs = [json.loads(self.sfn.describe_execution(executionArn=c["executionArn"])["input"])
                  for c in children]
        self.assertIn({"token": token, "n": 1}, inputs)
        time.sleep(0.2)
        self.assertEqual(self.sfn.describe_execution(executionArn=e)["status"], "RUNNING")
        self.sfn.send_task_heartbeat(taskToken=token)
        self.sfn.send_task_success(taskToken=token, output='{"answer": 42}')
        d = wait_execution_end(self.sfn, e)
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(json.loads(d["output"]), {"n": 1, "cb": {"answer": 42}})
        types = [x["type"] for x in self.sfn.get_execution_history(executionArn=e)["events"]]
        self.assertEqual(types, ["ExecutionStarted", "TaskStateEntered", "TaskScheduled",
                                 "TaskStarted", "TaskSucceeded", "TaskStateExited",
                                 "ExecutionSucceeded"])
        self.assertError("TaskTimedOut", TIMED_OUT, self.sfn.send_task_success, taskToken=token,
                         output="{}")

    def test_callback_failure_retried_then_caught(self):
        definition = {"StartAt": "Call", "States": {
            "Call": json.loads(start_child_machine(self.child))["States"]["Call"] | {
                "End": False, "Next": "Done",
                "Retry": [{"ErrorEquals": ["Worker.Busy"], "IntervalSeconds": 1,
                           "MaxAttempts": 1}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]},
            "Done": {"Type": "Succeed"},
            "Caught": {"Type": "Pass", "End": True}}}
        del definition["States"]["Call"]["End"]
        sm = self.machine("sfn-cb-fail", json.dumps(definition))
        e = self.sfn.start_execution(stateMachineArn=sm, input='{"n": 2}')["executionArn"]
        first = scheduled_token(self.sfn, e)
        self.sfn.send_task_failure(taskToken=first, error="Worker.Busy", cause="later")
        # The retry is a new attempt with a new token.
        second = first
        deadline = time.time() + 30
        while second == first and time.time() < deadline:
            second = scheduled_token(self.sfn, e)
        self.assertNotEqual(second, first)
        self.assertError("TaskTimedOut", TIMED_OUT, self.sfn.send_task_success, taskToken=first,
                         output="{}")
        self.sfn.send_task_failure(taskToken=second, error="Worker.Broken", cause="gone")
        d = wait_execution_end(self.sfn, e)
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(json.loads(d["output"]), {"Error": "Worker.Broken", "Cause": "gone"})
        failed = [x["taskFailedEventDetails"] for x in
                  self.sfn.get_execution_history(executionArn=e)["events"]
                  if x["type"] == "TaskFailed"]
        self.assertEqual([(f["error"], f["cause"]) for f in failed],
                         [("Worker.Busy", "later"), ("Worker.Broken", "gone")])
        self.assertEqual(failed[0]["resourceType"], "states")
        self.assertEqual(failed[0]["resource"], "startExecution.waitForTaskToken")

    def test_integration_error_fails_the_task(self):
        missing = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:nope"
        sm = self.machine("sfn-cb-missing", start_child_machine(missing))
        e = self.sfn.start_execution(stateMachineArn=sm, input='{"n": 3}')["executionArn"]
        d = wait_execution_end(self.sfn, e)
        self.assertEqual((d["status"], d["error"]),
                         ("FAILED", "StepFunctions.StateMachineDoesNotExistException"))

    def test_dynamodb_sdk_callback(self):
        ddb = dynamodb_client(self.server.endpoint)
        ddb.create_table(TableName="Jobs", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        sm = self.machine("ddb-cb", json.dumps({"StartAt": "Put", "States": {"Put": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:putItem.waitForTaskToken",
            "Parameters": {"TableName": "Jobs", "Item": {"pk": {"S.$": "$.id"},
                                                         "token": {"S.$": "$$.Task.Token"}}},
            "End": True}}}))
        e = self.sfn.start_execution(stateMachineArn=sm, input='{"id": "job-1"}')["executionArn"]
        item = {}
        deadline = time.time() + 30
        while "Item" not in item and time.time() < deadline:
            item = ddb.get_item(TableName="Jobs", Key={"pk": {"S": "job-1"}})
        token = item["Item"]["token"]["S"]
        self.assertEqual(token, scheduled_token(self.sfn, e))
        self.sfn.send_task_success(taskToken=token, output='{"worked": "job-1"}')
        self.assertEqual(json.loads(wait_execution_end(self.sfn, e)["output"]), {"worked": "job-1"})

    def test_lambda_callback(self):
        lam = lambda_client(self.server.endpoint)
        lam.create_function(FunctionName="notify", Runtime="python3.11", Role=ROLE,
                            Handler="app.handler", Timeout=30, Code={"ZipFile": make_zip(
                                {"app.py": "def handler(event, context):\n"
                                           "    return {'queued': event['token'][:8]}\n"})})
        sm = self.machine("lambda-cb", json.dumps({"StartAt": "Notify", "States": {"Notify": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "notify", "Payload": {"token.$": "$$.Task.Token"}},
            "End": True}}}))
        e = self.sfn.start_execution(stateMachineArn=sm, input="{}")["executionArn"]
        token = scheduled_token(self.sfn, e)
        time.sleep(0.5)  # the function has answered; its answer is not the task's result
        self.assertEqual(self.sfn.describe_execution(executionArn=e)["status"], "RUNNING")
        self.sfn.send_task_success(taskToken=token, output='"called back"')
        self.assertEqual(wait_execution_end(self.sfn, e)["output"], '"called back"')

    def test_token_in_context_matches_and_is_unguessable(self):
        sm = self.machine("sfn-cb-many", start_child_machine(self.child))
        arns = [self.sfn.start_execution(stateMachineArn=sm, input=json.dumps({"n": i}))
                ["executionArn"] for i in range(4)]
        tokens = [scheduled_token(self.sfn, a) for a in arns]
        self.assertEqual(len(set(tokens)), 4)
        for t in tokens:
            self.assertGreaterEqual(len(t), 100)
            self.assertLessEqual(len(t), 1024)
        # A token of one execution with the signature of another is not ours.
        a, b = tokens[0].rsplit(".", 1), tokens[1].rsplit(".", 1)
        self.assertError("InvalidToken", "Invalid Token: 'Invalid token'",
                         self.sfn.send_task_success, taskToken=a[0] + "." + b[1], output="{}")
        for t in tokens:
            self.sfn.send_task_success(taskToken=t, output="{}")
        for x in arns:
            self.assertEqual(wait_execution_end(self.sfn, x)["status"], "SUCCEEDED")

    def test_stop_closes_the_callback(self):
        sm = self.machine("sfn-cb-stop", start_child_machine(self.child))
        e = self.sfn.start_execution(stateMachineArn=sm, input='{"n": 5}')["executionArn"]
        token = scheduled_token(self.sfn, e)
        self.sfn.stop_execution(executionArn=e, error="Stopped", cause="by test")
        self.assertError("TaskTimedOut", TIMED_OUT, self.sfn.send_task_heartbeat, taskToken=token)

    def test_express_rejects_callbacks(self):
        self.assertError(
            "InvalidDefinition", None, self.sfn.create_state_machine, name="express-cb",
            roleArn=ROLE, type="EXPRESS", definition=start_child_machine(self.child))


class CallbackHeartbeatTest(ClientErrorAssertion, unittest.TestCase):
    """HeartbeatSeconds and TimeoutSeconds on real time."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.sfn = client(cls.server.endpoint)
        cls.child = cls.sfn.create_state_machine(name="child", roleArn=ROLE,
                                                 definition=CHILD)["stateMachineArn"]

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def run_machine(self, name, **task):
        sm = self.sfn.create_state_machine(name=name, roleArn=ROLE,
                                           definition=start_child_machine(self.child, **task))
        return self.sfn.start_execution(stateMachineArn=sm["stateMachineArn"],
                                        input='{"n": 0}')["executionArn"]

    def test_heartbeats(self):
        e = self.run_machine("beats", HeartbeatSeconds=1, TimeoutSeconds=60)
        token = scheduled_token(self.sfn, e)
        for _ in range(5):
            time.sleep(0.5)
            self.sfn.send_task_heartbeat(taskToken=token)
        self.sfn.send_task_success(taskToken=token, output="1")
        self.assertEqual(wait_execution_end(self.sfn, e)["status"], "SUCCEEDED")

    def test_heartbeat_timeout(self):
        e = self.run_machine("no-beats", HeartbeatSeconds=1)
        token = scheduled_token(self.sfn, e)
        d = wait_execution_end(self.sfn, e)
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.HeartbeatTimeout"))
        self.assertIn("TaskTimedOut", [x["type"] for x in
                                       self.sfn.get_execution_history(executionArn=e)["events"]])
        self.assertError("TaskTimedOut", TIMED_OUT, self.sfn.send_task_success, taskToken=token,
                         output="{}")

    def test_timeout(self):
        e = self.run_machine("short", TimeoutSeconds=1)
        token = scheduled_token(self.sfn, e)
        d = wait_execution_end(self.sfn, e)
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.Timeout"))
        self.assertError("TaskTimedOut", TIMED_OUT, self.sfn.send_task_failure, taskToken=token)


class CallbackRestartTest(unittest.TestCase):
    def test_token_survives_kill_9(self):
        tmp = tempfile.mkdtemp(prefix="stator-callback-restart-")
        try:
            data = os.path.join(tmp, "data")
            server = Server("--time-scale", "0", "--data-dir", data)
            sfn = client(server.endpoint)
            child = sfn.create_state_machine(name="child", roleArn=ROLE,
                                             definition=CHILD)["stateMachineArn"]
            sm = sfn.create_state_machine(name="parent", roleArn=ROLE,
                                          definition=start_child_machine(child))
            e = sfn.start_execution(stateMachineArn=sm["stateMachineArn"], input='{"n": 9}')
            e = e["executionArn"]
            token = scheduled_token(sfn, e)
            time.sleep(0.3)
            server.stop(signal.SIGKILL)

            server = Server("--time-scale", "0", "--data-dir", data)
            try:
                sfn = client(server.endpoint)
                self.assertEqual(sfn.describe_execution(executionArn=e)["status"], "RUNNING")
                sfn.send_task_success(taskToken=token, output='{"after": "restart"}')
                d = wait_execution_end(sfn, e)
                self.assertEqual(json.loads(d["output"]), {"after": "restart"})
                # The child was started once (named from the TaskScheduled event: the resumed
                # execution got the same child back).
                self.assertEqual(len(sfn.list_executions(stateMachineArn=child)["executions"]), 1)
                self.assertEqual(len([x for x in sfn.get_execution_history(executionArn=e)
                                      ["events"] if x["type"] == "TaskSucceeded"]), 1)
                # The secret is the store's: a tampered token is still refused, the used one
                # is closed.
                with self.assertRaises(sfn.exceptions.InvalidToken):
                    sfn.send_task_success(taskToken=tampered(token), output="{}")
                with self.assertRaises(sfn.exceptions.TaskTimedOut):
                    sfn.send_task_success(taskToken=token, output="{}")
            finally:
                server.stop()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


@needs("PostgreSQL (STATOR_TEST_POSTGRES)", postgres_missing)
class CallbackClusterTest(ClientErrorAssertion, unittest.TestCase):
    """Two nodes on one database: an execution runs on the node that started it; its token,
    sent to the other node, reaches it; an activity task scheduled on one node is handed to a
    worker polling the other."""

    def test_token_sent_to_the_other_node(self):
        uri = fresh_database(self)
        a, b = Node(uri, 5), Node(uri, 5)
        try:
            sfn_a, sfn_b = client(a.endpoint), client(b.endpoint)
            child = sfn_a.create_state_machine(name="child", roleArn=ROLE,
                                               definition=CHILD)["stateMachineArn"]
            sm = sfn_a.create_state_machine(name="parent", roleArn=ROLE,
                                            definition=start_child_machine(child))
            e = sfn_a.start_execution(stateMachineArn=sm["stateMachineArn"],
                                      input='{"n": 1}')["executionArn"]
            token = scheduled_token(sfn_a, e)
            sfn_b.send_task_heartbeat(taskToken=token)
            with self.assertRaises(sfn_b.exceptions.InvalidToken):
                sfn_b.send_task_success(taskToken=tampered(token), output="{}")
            sfn_b.send_task_success(taskToken=token, output='{"via": "b"}')
            d = wait_execution_end(sfn_a, e)
            self.assertEqual(json.loads(d["output"]), {"via": "b"})
            self.assertError("TaskTimedOut", TIMED_OUT, sfn_b.send_task_success,
                             taskToken=token, output="{}")
        finally:
            a.stop()
            b.stop()

    def test_activity_task_across_nodes(self):
        uri = fresh_database(self)
        a, b = Node(uri, 5), Node(uri, 5)
        try:
            sfn_a, sfn_b = client(a.endpoint), client(b.endpoint)
            act = sfn_a.create_activity(name="shared")["activityArn"]
            sm = sfn_a.create_state_machine(name="uses-shared", roleArn=ROLE, definition=json.dumps(
                {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": act,
                                                  "End": True}}}))
            e = sfn_a.start_execution(stateMachineArn=sm["stateMachineArn"],
                                      input='{"from": "a"}')["executionArn"]
            task = {}
            deadline = time.time() + 30
            while "taskToken" not in task and time.time() < deadline:
                task = sfn_b.get_activity_task(activityArn=act, workerName="on-b")
            self.assertEqual(json.loads(task["input"]), {"from": "a"})
            sfn_b.send_task_success(taskToken=task["taskToken"], output='"done"')
            self.assertEqual(wait_execution_end(sfn_a, e)["output"], '"done"')
            started = [x for x in sfn_a.get_execution_history(executionArn=e)["events"]
                       if x["type"] == "ActivityStarted"]
            self.assertEqual(started[0]["activityStartedEventDetails"], {"workerName": "on-b"})
            # Two more tasks, one worker on each node: each task goes to exactly one of them.
            more = [sfn_a.start_execution(stateMachineArn=sm["stateMachineArn"],
                                          input=json.dumps({"i": i}))["executionArn"]
                    for i in range(2)]
            got = []
            deadline = time.time() + 30
            while len(got) < 2 and time.time() < deadline:
                for sfn, worker in ((sfn_a, "on-a"), (sfn_b, "on-b")):
                    t = sfn.get_activity_task(activityArn=act, workerName=worker)
                    if "taskToken" in t:
                        got.append((worker, json.loads(t["input"])["i"], t["taskToken"]))
            self.assertEqual(sorted(i for _, i, _ in got), [0, 1])
            for worker, i, token in got:
                sfn_b.send_task_success(taskToken=token, output=json.dumps(worker))
            for i, arn in enumerate(more):
                d = wait_execution_end(sfn_a, arn)
                worker = next(w for w, j, _ in got if j == i)
                self.assertEqual(json.loads(d["output"]), worker)
                events = sfn_a.get_execution_history(executionArn=arn)["events"]
                self.assertEqual([x["activityStartedEventDetails"] for x in events
                                  if x["type"] == "ActivityStarted"], [{"workerName": worker}])
        finally:
            a.stop()
            b.stop()


if __name__ == "__main__":
    ctest_unittest.main()
