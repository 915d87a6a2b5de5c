"""Activities against a real `stator serve`, through boto3 and the AWS CLI: CreateActivity's name
rules (AWS's InvalidName for every forbidden character class, including characters no AWS
recording has), idempotent creation, DescribeActivity / DeleteActivity / ListActivities (paging)
and tags; activity Task states worked by a worker (GetActivityTask long poll, SendTaskSuccess /
SendTaskFailure / SendTaskHeartbeat) with the history events AWS writes; TimeoutSeconds and
HeartbeatSeconds; and a task a worker holds while the server restarts (its token still works).
"""

import concurrent.futures
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from stator_server import (ACCOUNT, REGION, ClientErrorAssertion, Server,  # noqa: E402
                           client, wait_execution_end)
import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

ROLE = f"arn:aws:iam::{ACCOUNT}:role/test"


def activity_arn(name):
    return f"arn:aws:states:{REGION}:{ACCOUNT}:activity:{name}"


def activity_machine(activity, **task):
    state = {"Type": "Task", "Resource": activity, "End": True}
    state.update(task)
    return json.dumps({"StartAt": "Work", "States": {"Work": state}})


def history_types(sfn, arn):
    return [e["type"] for e in sfn.get_execution_history(executionArn=arn)["events"]]


class ActivityApiTest(ClientErrorAssertion, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("--time-scale", "0", "--activity-poll-seconds", "1")
        cls.sfn = client(cls.server.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_invalid_names(self):
        # The rule (docs/api.md): whitespace, brackets, wildcards, the special characters, control
        # characters U+0000-001F and U+007F-009F. Recordings cover some; these are the rest.
        for name in ["a b", "a\tb", "a\nb", "a\u0085b", "a\u009fb", "a\u0080b", "a\u00a0b",
                     "a\u2003b", "a\u3000b", "a\ufffeb", "a\uffffb", "{x}", "x*", "x?", "[x",
                     "x'y'#", "x$"]:
            with self.subTest(name=repr(name)):
                self.assertError("InvalidName", f"Invalid Name: '{name}'",
                                 self.sfn.create_activity, name=name)

    def test_valid_names(self):
        for name in ["a", "A-b_c.d", "x" * 80, "é-ü", "名前", "a+b=c@d!e(f)'g'", "emoji-\U0001F600"]:
            with self.subTest(name=name):
                r = self.sfn.create_activity(name=name)
                self.assertEqual(r["activityArn"], activity_arn(name))
                d = self.sfn.describe_activity(activityArn=r["activityArn"])
                self.assertEqual(d["name"], name)
        self.assertError("ValidationException", None, self.sfn.create_activity, name="x" * 81)

    def test_create_is_idempotent(self):
        first = self.sfn.create_activity(name="idem", tags=[{"key": "k", "value": "1"}])
        time.sleep(0.01)
        again = self.sfn.create_activity(name="idem", tags=[{"key": "k", "value": "2"}])
        self.assertEqual(first, {**again, "ResponseMetadata": first["ResponseMetadata"]})
        tags = self.sfn.list_tags_for_resource(resourceArn=first["activityArn"])["tags"]
        self.assertEqual(tags, [{"key": "k", "value": "1"}])

    def test_describe_errors(self):
        self.assertError("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: nope'",
                         self.sfn.describe_activity, activityArn="nope")
        sm = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:x"
        self.assertError("InvalidArn",
                         "Invalid Arn: 'Resource type not valid in this context: stateMachine'",
                         self.sfn.describe_activity, activityArn=sm)
        missing = activity_arn("missing")
        self.assertError("ActivityDoesNotExist", f"Activity Does Not Exist: '{missing}'",
                         self.sfn.describe_activity, activityArn=missing)
        self.assertError("ActivityDoesNotExist", f"Activity Does Not Exist: '{missing}'",
                         self.sfn.get_activity_task, activityArn=missing)

    def test_delete(self):
        arn = self.sfn.create_activity(name="doomed")["activityArn"]
        self.sfn.delete_activity(activityArn=arn)
        self.assertError("ActivityDoesNotExist", None, self.sfn.describe_activity, activityArn=arn)
        self.sfn.delete_activity(activityArn=arn)  # idempotent
        self.assertError("InvalidArn", None, self.sfn.delete_activity, activityArn="bad")
        # Created again: new, without the old tags.
        self.sfn.create_activity(name="doomed")
        self.assertEqual(self.sfn.list_tags_for_resource(resourceArn=arn)["tags"], [])

    def test_list_paging(self):
        names = [f"page-{i:02d}" for i in range(7)]
        for n in reversed(names):
            self.sfn.create_activity(name=n)
        seen, token = [], None
        while True:
            kw = {"maxResults": 3}
            if token:
                kw["nextToken"] = token
            page = self.sfn.list_activities(**kw)
            self.assertLessEqual(len(page["activities"]), 3)
            seen += [a["name"] for a in page["activities"]]
            for a in page["activities"]:
                self.assertEqual(a["activityArn"], activity_arn(a["name"]))
                self.assertIn("creationDate", a)
            token = page.get("nextToken")
            if not token:
                break
        ours = [n for n in seen if n.startswith("page-")]
        self.assertEqual(ours, names)
        self.assertEqual(seen, sorted(seen, key=lambda n: n.encode()))
        self.assertError("InvalidToken", "Invalid Token: 'Invalid token'",
                         self.sfn.list_activities, nextToken="garbage")

    def test_tags(self):
        arn = self.sfn.create_activity(name="tagged")["activityArn"]
        self.sfn.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "1"},
                                                     {"key": "b", "value": "2"}])
        self.sfn.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "3"}])
        self.assertEqual(self.sfn.list_tags_for_resource(resourceArn=arn)["tags"],
                         [{"key": "a", "value": "3"}, {"key": "b", "value": "2"}])
        self.sfn.untag_resource(resourceArn=arn, tagKeys=["a", "zzz"])
        self.assertEqual(self.sfn.list_tags_for_resource(resourceArn=arn)["tags"],
                         [{"key": "b", "value": "2"}])
        many = [{"key": f"k{i}", "value": "v"} for i in range(50)]
        self.assertError("TooManyTags", None, self.sfn.tag_resource, resourceArn=arn, tags=many)
        missing = activity_arn("never")
        self.assertError("ResourceNotFound", f"Resource not found: '{missing}'",
                         self.sfn.list_tags_for_resource, resourceArn=missing)

    def test_empty_poll(self):
        arn = self.sfn.create_activity(name="quiet")["activityArn"]
        start = time.time()
        r = self.sfn.get_activity_task(activityArn=arn, workerName="w")
        self.assertNotIn("taskToken", r)
        self.assertGreaterEqual(time.time() - start, 0.9)  # --activity-poll-seconds 1

    def test_worker_success_and_history(self):
        arn = self.sfn.create_activity(name="work")["activityArn"]
        sm = self.sfn.create_state_machine(
            name="uses-work", roleArn=ROLE,
            definition=activity_machine(arn, Parameters={"n.$": "$.n"}))["stateMachineArn"]
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            # A worker already polling gets the task as soon as it is scheduled.
            poll = pool.submit(self.sfn.get_activity_task, activityArn=arn, workerName="w-1")
            time.sleep(0.2)
            e = self.sfn.start_execution(stateMachineArn=sm, input='{"n": 7}')["executionArn"]
            task = poll.result(timeout=10)
        while "taskToken" not in task:  # the poll answered empty before the start: poll again
            task = self.sfn.get_activity_task(activityArn=arn, workerName="w-1")
        self.assertEqual(json.loads(task["input"]), {"n": 7})
        self.assertGreater(len(task["taskToken"]), 100)
        self.sfn.send_task_heartbeat(taskToken=task["taskToken"])
        self.sfn.send_task_success(taskToken=task["taskToken"], output='{"done": true}')
        d = wait_execution_end(self.sfn, e)
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(json.loads(d["output"]), {"done": True})
        events = self.sfn.get_execution_history(executionArn=e)["events"]
        self.assertEqual([x["type"] for x in events],
                         ["ExecutionStarted", "TaskStateEntered", "ActivityScheduled",
                          "ActivityStarted", "ActivitySucceeded", "TaskStateExited",
                          "ExecutionSucceeded"])
        scheduled = events[2]["activityScheduledEventDetails"]
        self.assertEqual(scheduled["resource"], arn)
        self.assertEqual(json.loads(scheduled["input"]), {"n": 7})
        self.assertEqual(events[3]["activityStartedEventDetails"], {"workerName": "w-1"})
        self.assertEqual(events[3]["previousEventId"], events[2]["id"])
        self.assertEqual(json.loads(events[4]["activitySucceededEventDetails"]["output"]),
                         {"done": True})
        # The task is closed: its token answers TaskTimedOut from now on.
        for call, kw in [(self.sfn.send_task_success, {"output": "{}"}),
                         (self.sfn.send_task_failure, {}), (self.sfn.send_task_heartbeat, {})]:
            self.assertError("TaskTimedOut",
                             "Task Timed Out: 'Provided task does not exist anymore'",
                             call, taskToken=task["taskToken"], **kw)

    def test_worker_failure_is_caught(self):
        arn = self.sfn.create_activity(name="flaky")["activityArn"]
        definition = {"StartAt": "Work", "States": {
            "Work": {"Type": "Task", "Resource": arn, "Next": "Ok",
                     "Catch": [{"ErrorEquals": ["Custom.Bad"], "ResultPath": "$.err",
                                "Next": "Caught"}]},
            "Ok": {"Type": "Succeed"},
            "Caught": {"Type": "Pass", "End": True}}}
        sm = self.sfn.create_state_machine(name="uses-flaky", roleArn=ROLE,
                                           definition=json.dumps(definition))["stateMachineArn"]
        e = self.sfn.start_execution(stateMachineArn=sm, input="{}")["executionArn"]
        task = {}
        while "taskToken" not in task:
            task = self.sfn.get_activity_task(activityArn=arn)
        self.sfn.send_task_failure(taskToken=task["taskToken"], error="Custom.Bad", cause="nope")
        d = wait_execution_end(self.sfn, e)
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(json.loads(d["output"]),
                         {"err": {"Error": "Custom.Bad", "Cause": "nope"}})
        events = self.sfn.get_execution_history(executionArn=e)["events"]
        failed = [x for x in events if x["type"] == "ActivityFailed"]
        self.assertEqual(failed[0]["activityFailedEventDetails"],
                         {"error": "Custom.Bad", "cause": "nope"})
        # No workerName: ActivityStarted without one.
        started = [x for x in events if x["type"] == "ActivityStarted"][0]
        self.assertEqual(started.get("activityStartedEventDetails", {}), {})

    def test_deleted_activity_fails_the_execution(self):
        # As AWS records it: States.Runtime before ActivityScheduled.
        arn = self.sfn.create_activity(name="gone")["activityArn"]
        sm = self.sfn.create_state_machine(name="uses-gone", roleArn=ROLE,
                                           definition=activity_machine(arn))["stateMachineArn"]
        self.sfn.delete_activity(activityArn=arn)
        e = self.sfn.start_execution(stateMachineArn=sm, input="{}")["executionArn"]
        d = wait_execution_end(self.sfn, e)
        self.assertEqual(d["status"], "FAILED")
        self.assertEqual(d["error"], "States.Runtime")
        self.assertEqual(d["cause"], "An error occurred while executing the state 'Work' "
                                     f"(entered at the event id #2). The activity {arn} does "
                                     "not exist.")
        self.assertEqual(history_types(self.sfn, e),
                         ["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"])
        # Never created, in another account's ARN: the same.
        other = f"arn:aws:states:{REGION}:999999999999:activity:elsewhere"
        sm = self.sfn.create_state_machine(name="uses-elsewhere", roleArn=ROLE,
                                           definition=activity_machine(other))["stateMachineArn"]
        e = self.sfn.start_execution(stateMachineArn=sm, input="{}")["executionArn"]
        self.assertEqual(wait_execution_end(self.sfn, e)["error"], "States.Runtime")

    def test_bad_tokens(self):
        self.assertError("InvalidToken", "Invalid Token: 'Invalid token'",
                         self.sfn.send_task_success, taskToken="not-a-token", output="{}")
        self.assertError("InvalidToken", None, self.sfn.send_task_failure, taskToken="a.b.c")
        self.assertError("InvalidToken", None, self.sfn.send_task_heartbeat, taskToken="x")
        self.assertError("ValidationException", None, self.sfn.send_task_success,
                         taskToken="x" * 2049, output="{}")

    def test_tampered_token_and_invalid_output(self):
        arn = self.sfn.create_activity(name="tamper")["activityArn"]
        sm = self.sfn.create_state_machine(name="uses-tamper", roleArn=ROLE,
                                           definition=activity_machine(arn))["stateMachineArn"]
        e = self.sfn.start_execution(stateMachineArn=sm, input="{}")["executionArn"]
        task = {}
        while "taskToken" not in task:
            task = self.sfn.get_activity_task(activityArn=arn)
        token = task["taskToken"]
        # One character changed anywhere makes a token that is not ours.
        for i in (0, len(token) // 2, len(token) - 1):
            bad = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]
            self.assertError("InvalidToken", "Invalid Token: 'Invalid token'",
                             self.sfn.send_task_success, taskToken=bad, output="{}")
        self.assertError("InvalidOutput", None, self.sfn.send_task_success, taskToken=token,
                         output="{not json")
        self.sfn.send_task_success(taskToken=token, output="[1, 2]")
        self.assertEqual(json.loads(wait_execution_end(self.sfn, e)["output"]), [1, 2])

    def test_tokens_are_unique_per_task(self):
        arn = self.sfn.create_activity(name="many")["activityArn"]
        sm = self.sfn.create_state_machine(name="uses-many", roleArn=ROLE,
                                           definition=activity_machine(arn))["stateMachineArn"]
        arns = [self.sfn.start_execution(stateMachineArn=sm, input=json.dumps({"i": i}))
                ["executionArn"] for i in range(5)]
        tokens, inputs = set(), []
        while len(tokens) < 5:
            t = self.sfn.get_activity_task(activityArn=arn)
            if "taskToken" in t:
                tokens.add(t["taskToken"])
                inputs.append(json.loads(t["input"])["i"])
        self.assertEqual(sorted(inputs), list(range(5)))
        for t in tokens:
            self.sfn.send_task_success(taskToken=t, output="{}")
        for a in arns:
            self.assertEqual(wait_execution_end(self.sfn, a)["status"], "SUCCEEDED")

    def test_map_of_activity_tasks(self):
        arn = self.sfn.create_activity(name="mapped")["activityArn"]
        definition = {"StartAt": "Each", "States": {"Each": {
            "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "End": True,
            "ItemProcessor": {"StartAt": "Work", "States": {
                "Work": {"Type": "Task", "Resource": arn, "End": True,
                         "Parameters": {"item.$": "$"}}}}}}}
        sm = self.sfn.create_state_machine(name="uses-mapped", roleArn=ROLE,
                                           definition=json.dumps(definition))["stateMachineArn"]
        e = self.sfn.start_execution(stateMachineArn=sm,
                                     input='{"items": [1, 2, 3, 4, 5]}')["executionArn"]
        done = 0
        while done < 5:
            t = self.sfn.get_activity_task(activityArn=arn, workerName="mapper")
            if "taskToken" in t:
                item = json.loads(t["input"])["item"]
                self.sfn.send_task_success(taskToken=t["taskToken"], output=str(item * 10))
                done += 1
        d = wait_execution_end(self.sfn, e)
        self.assertEqual(json.loads(d["output"]), [10, 20, 30, 40, 50])
        types = history_types(self.sfn, e)
        self.assertEqual(types.count("ActivityStarted"), 5)
        self.assertEqual(types.count("ActivitySucceeded"), 5)

    def test_stop_closes_the_task(self):
        arn = self.sfn.create_activity(name="stopped")["activityArn"]
        sm = self.sfn.create_state_machine(name="uses-stopped", roleArn=ROLE,
                                           definition=activity_machine(arn))["stateMachineArn"]
        e = self.sfn.start_execution(stateMachineArn=sm, input="{}")["executionArn"]
        task = {}
        while "taskToken" not in task:
            task = self.sfn.get_activity_task(activityArn=arn)
        self.sfn.stop_execution(executionArn=e)
        self.assertError("TaskTimedOut", None, self.sfn.send_task_success,
                         taskToken=task["taskToken"], output="{}")

    def test_cli_worker(self):
        cli = shutil.which("aws")
        self.assertTrue(cli, "no AWS CLI installed")
        env = dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x",
                   AWS_DEFAULT_REGION=REGION, AWS_PAGER="", AWS_CONFIG_FILE="/dev/null")

        def aws(*args):
            p = subprocess.run([cli, "stepfunctions", *args, "--endpoint-url",
                                self.server.endpoint, "--output", "json"], env=env,
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(p.returncode, 0, p.stderr)
            return json.loads(p.stdout) if p.stdout.strip() else {}

        arn = aws("create-activity", "--name", "cli-work")["activityArn"]
        self.assertEqual(aws("describe-activity", "--activity-arn", arn)["name"], "cli-work")
        sm = self.sfn.create_state_machine(name="uses-cli", roleArn=ROLE,
                                           definition=activity_machine(arn))["stateMachineArn"]
        e = self.sfn.start_execution(stateMachineArn=sm, input='{"x": 1}')["executionArn"]
        task = {}
        while "taskToken" not in task:
            task = aws("get-activity-task", "--activity-arn", arn, "--worker-name", "cli")
        aws("send-task-heartbeat", "--task-token", task["taskToken"])
        aws("send-task-success", "--task-token", task["taskToken"], "--task-output", '{"y": 2}')
        self.assertEqual(json.loads(wait_execution_end(self.sfn, e)["output"]), {"y": 2})
        names = [a["name"] for a in aws("list-activities")["activities"]]
        self.assertIn("cli-work", names)
        aws("delete-activity", "--activity-arn", arn)


class ActivityTimeoutTest(ClientErrorAssertion, unittest.TestCase):
    """TimeoutSeconds and HeartbeatSeconds on real time (seconds pass as seconds)."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--activity-poll-seconds", "1")
        cls.sfn = client(cls.server.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def start(self, name, **task):
        arn = self.sfn.create_activity(name=name)["activityArn"]
        sm = self.sfn.create_state_machine(name=f"m-{name}", roleArn=ROLE,
                                           definition=activity_machine(arn, **task))
        e = self.sfn.start_execution(stateMachineArn=sm["stateMachineArn"], input="{}")
        return arn, e["executionArn"]

    def test_no_worker_times_out(self):
        _, e = self.start("nobody", TimeoutSeconds=1)
        d = wait_execution_end(self.sfn, e)
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.Timeout"))
        self.assertEqual(history_types(self.sfn, e)[2:5],
                         ["ActivityScheduled", "ActivityTimedOut", "ExecutionFailed"])

    def test_heartbeats_keep_it_alive(self):
        arn, e = self.start("beating", HeartbeatSeconds=1, TimeoutSeconds=30)
        task = {}
        while "taskToken" not in task:
            task = self.sfn.get_activity_task(activityArn=arn, workerName="hb")
        for _ in range(5):  # 2.5 s of work, heartbeats every 0.5 s
            time.sleep(0.5)
            self.sfn.send_task_heartbeat(taskToken=task["taskToken"])
        self.sfn.send_task_success(taskToken=task["taskToken"], output='"ok"')
        self.assertEqual(wait_execution_end(self.sfn, e)["status"], "SUCCEEDED")

    def test_missing_heartbeat_times_out(self):
        arn, e = self.start("silent", HeartbeatSeconds=1, TimeoutSeconds=30)
        task = {}
        while "taskToken" not in task:
            task = self.sfn.get_activity_task(activityArn=arn)
        d = wait_execution_end(self.sfn, e)
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.HeartbeatTimeout"))
        self.assertIn("ActivityTimedOut", history_types(self.sfn, e))
        self.assertError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'",
                         self.sfn.send_task_success, taskToken=task["taskToken"], output="{}")


class ActivityRestartTest(unittest.TestCase):
    """A task a worker holds survives a restart of the server (kill -9): it is not handed to
    another worker, the token it holds still completes the execution, and a task nobody took is
    handed out after the restart."""

    def test_restart_while_waiting(self):
        tmp = tempfile.mkdtemp(prefix="stator-activity-restart-")
        try:
            data = os.path.join(tmp, "data")
            server = Server("--time-scale", "0", "--data-dir", data,
                            "--activity-poll-seconds", "1")
            sfn = client(server.endpoint)
            arn = sfn.create_activity(name="durable")["activityArn"]
            sm = sfn.create_state_machine(name="uses-durable", roleArn=ROLE,
                                          definition=activity_machine(arn))["stateMachineArn"]
            held = sfn.start_execution(stateMachineArn=sm, input='{"k": "held"}')["executionArn"]
            task = {}
            while "taskToken" not in task:
                task = sfn.get_activity_task(activityArn=arn, workerName="before")
            queued = sfn.start_execution(stateMachineArn=sm, input='{"k": "queued"}')
            time.sleep(0.3)  # the second task's events are committed
            server.stop(signal.SIGKILL)

            server = Server("--time-scale", "0", "--data-dir", data,
                            "--activity-poll-seconds", "1")
            try:
                sfn = client(server.endpoint)
                # The task nobody had taken is handed out now.
                got = {}
                while "taskToken" not in got:
                    got = sfn.get_activity_task(activityArn=arn, workerName="after")
                self.assertEqual(json.loads(got["input"]), {"k": "queued"})
                sfn.send_task_success(taskToken=got["taskToken"], output="2")
                self.assertEqual(wait_execution_end(sfn, queued["executionArn"])["output"], "2")
                # The held task was not handed to anyone else: nothing is left to poll.
                self.assertNotIn("taskToken", sfn.get_activity_task(activityArn=arn))
                # The held token still works after the restart.
                sfn.send_task_heartbeat(taskToken=task["taskToken"])
                sfn.send_task_success(taskToken=task["taskToken"], output='{"r": 1}')
                d = wait_execution_end(sfn, held)
                self.assertEqual((d["status"], json.loads(d["output"])), ("SUCCEEDED", {"r": 1}))
                types = history_types(sfn, held)
                self.assertEqual(types.count("ActivityStarted"), 1)
                self.assertEqual(types.count("ActivitySucceeded"), 1)
            finally:
                server.stop()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    ctest_unittest.main()
