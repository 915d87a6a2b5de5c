#!/usr/bin/env python3
"""RedriveExecution: a failed, timed-out or aborted Standard execution continues from the state
that did not complete, with redriveCount/redriveDate/redriveStatus in DescribeExecution and
ListExecutions (redriveFilter), the ExecutionRedriven event, AWS's ExecutionNotRedrivable
reasons, TimeoutSeconds counted from the redrive, and a redriven execution that resumes after
the server is killed.

Real `stator serve` ($STATOR, else build*/stator) on real time, boto3. The failing state is a
DynamoDB Task on a table that does not exist yet: creating the table and redriving is the
"fix the cause, then redrive" flow AWS documents. No AWS recording covers redrive: the event
shape and the reasons follow AWS's API reference.

    python3 tests/api/test_redrive.py [-v]
"""

import json
import os
import shutil
import signal
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stator_server import (ACCOUNT, REGION, ClientErrorAssertion, Server,  # noqa: E402
                           client, dynamodb_client)
import ctest_unittest  # noqa: E402

ROLE = f"arn:aws:iam::{ACCOUNT}:role/StatorRole"


def bump(table, next_state):
    """A Task adding 1 to item (pk = execution name).n of `table`."""
    return {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem",
            "Parameters": {"TableName": table, "Key": {"pk": {"S.$": "$$.Execution.Name"}},
                           "UpdateExpression": "ADD n :one",
                           "ExpressionAttributeValues": {":one": {"N": "1"}}},
            "ResultPath": None, "Next": next_state}


def put(table, next_state=None):
    state = {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
             "Parameters": {"TableName": table, "Item": {"pk": {"S.$": "$$.Execution.Name"}}},
             "ResultPath": None}
    state.update({"Next": next_state} if next_state else {"End": True})
    return state


class RedriveTest(ClientErrorAssertion, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.sfn = client(cls.server.endpoint)
        cls.ddb = dynamodb_client(cls.server.endpoint)
        cls.make_table("Counters")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    @classmethod
    def make_table(cls, name):
        cls.ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                             KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])

    def machine(self, name, definition):
        return self.sfn.create_state_machine(name=name, definition=json.dumps(definition),
                                             roleArn=ROLE)["stateMachineArn"]

    def wait_end(self, arn, timeout=30):
        deadline = time.time() + timeout
        while True:
            d = self.sfn.describe_execution(executionArn=arn)
            if d["status"] != "RUNNING":
                return d
            if time.time() > deadline:
                self.fail(f"{arn} still RUNNING")
            time.sleep(0.02)

    def history(self, arn):
        events = []
        for page in self.sfn.get_paginator("get_execution_history").paginate(executionArn=arn):
            events.extend(page["events"])
        return events

    def counter(self, name):
        item = self.ddb.get_item(TableName="Counters", Key={"pk": {"S": name}}).get("Item")
        return int(item["n"]["N"]) if item else 0

    def test_continues_from_the_failed_state(self):
        m = self.machine("redrive-dynamo", {"StartAt": "Count", "States": {
            "Count": bump("Counters", "Save"),
            "Save": put("Later1", "Report"),
            "Report": {"Type": "Pass", "Parameters": {"redrives.$": "$$.Execution.RedriveCount"},
                       "End": True}}})
        arn = self.sfn.start_execution(stateMachineArn=m, name="first")["executionArn"]
        d = self.wait_end(arn)
        self.assertEqual(d["status"], "FAILED")
        self.assertEqual(d["error"], "DynamoDB.ResourceNotFoundException")
        self.assertEqual(d["redriveCount"], 0)
        self.assertEqual(d["redriveStatus"], "REDRIVABLE")
        self.assertNotIn("redriveStatusReason", d)
        self.assertNotIn("redriveDate", d)
        failed_events = self.history(arn)

        self.make_table("Later1")
        before = time.time()
        r = self.sfn.redrive_execution(executionArn=arn)
        self.assertGreaterEqual(r["redriveDate"].timestamp(), before - 1)
        d = self.wait_end(arn)
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"]), {"redrives": 1})
        self.assertNotIn("error", d)
        self.assertEqual(d["redriveCount"], 1)
        self.assertEqual(d["redriveDate"], r["redriveDate"])
        self.assertEqual(d["redriveStatus"], "NOT_REDRIVABLE")
        self.assertEqual(d["redriveStatusReason"], "Execution is SUCCEEDED and cannot be redriven")
        self.assertEqual(self.counter("first"), 1, "the completed Count task ran again")

        events = self.history(arn)
        n = len(failed_events)
        self.assertEqual(events[:n], failed_events, "the first attempt's history must stay")
        self.assertEqual([e["id"] for e in events], list(range(1, len(events) + 1)))
        redriven = events[n]
        self.assertEqual(redriven["type"], "ExecutionRedriven")
        self.assertEqual(redriven["executionRedrivenEventDetails"], {"redriveCount": 1})
        self.assertEqual([e["type"] for e in events[n + 1:]], [
            "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
            "PassStateEntered", "PassStateExited", "ExecutionSucceeded"])
        self.assertEqual(events[n + 1]["stateEnteredEventDetails"]["name"], "Save")

        self.assertError("ExecutionNotRedrivable", "Execution is SUCCEEDED and cannot be redriven",
                         self.sfn.redrive_execution, executionArn=arn)
        listed = self.sfn.list_executions(stateMachineArn=m)["executions"]
        self.assertEqual(listed[0]["redriveCount"], 1)
        self.assertEqual(listed[0]["redriveDate"], r["redriveDate"])

    def test_redrive_filter(self):
        m = self.machine("redrive-filter", {"StartAt": "Save", "States": {"Save": put("Later2")}})
        arns = [self.sfn.start_execution(stateMachineArn=m, name=f"e{i}")["executionArn"]
                for i in range(3)]
        for arn in arns:
            self.assertEqual(self.wait_end(arn)["status"], "FAILED")
        self.make_table("Later2")
        first = self.sfn.redrive_execution(executionArn=arns[1], clientToken="token-1")
        self.assertEqual(self.wait_end(arns[1])["status"], "SUCCEEDED")
        # The same client token again (an SDK retrying): the same answer, no second redrive.
        again = self.sfn.redrive_execution(executionArn=arns[1], clientToken="token-1")
        self.assertEqual(again["redriveDate"], first["redriveDate"])
        self.assertEqual(self.sfn.describe_execution(executionArn=arns[1])["redriveCount"], 1)
        self.assertError("ExecutionNotRedrivable", "Execution is SUCCEEDED and cannot be redriven",
                         self.sfn.redrive_execution, executionArn=arns[1], clientToken="token-2")

        def names(**kw):
            return [e["name"] for e in self.sfn.list_executions(stateMachineArn=m, **kw)
                    ["executions"]]
        self.assertEqual(names(), ["e2", "e1", "e0"])
        self.assertEqual(names(redriveFilter="REDRIVEN"), ["e1"])
        self.assertEqual(names(redriveFilter="NOT_REDRIVEN"), ["e2", "e0"])
        self.assertEqual(names(redriveFilter="REDRIVEN", statusFilter="FAILED"), [])
        # Pages may hold fewer items than maxResults, never lose one.
        seen, token = [], None
        while True:
            kw = {"nextToken": token} if token else {}
            page = self.sfn.list_executions(stateMachineArn=m, maxResults=1,
                                            redriveFilter="NOT_REDRIVEN", **kw)
            seen += [e["name"] for e in page["executions"]]
            token = page.get("nextToken")
            if not token:
                break
        self.assertEqual(seen, ["e2", "e0"])

    def test_not_redrivable(self):
        m = self.machine("redrive-wait", {"StartAt": "W", "States": {
            "W": {"Type": "Wait", "Seconds": 3600, "End": True}}})
        arn = self.sfn.start_execution(stateMachineArn=m)["executionArn"]
        self.assertError("ExecutionNotRedrivable", "Execution is RUNNING and cannot be redriven",
                         self.sfn.redrive_execution, executionArn=arn)
        d = self.sfn.describe_execution(executionArn=arn)
        self.assertEqual((d["redriveStatus"], d["redriveStatusReason"]),
                         ("NOT_REDRIVABLE", "Execution is RUNNING and cannot be redriven"))
        missing = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:redrive-wait:nope"
        self.assertError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{missing}'",
                         self.sfn.redrive_execution, executionArn=missing)
        self.assertError("InvalidArn", None, self.sfn.redrive_execution,
                         executionArn=f"arn:aws:states:{REGION}:{ACCOUNT}:express:m:n:i")
        self.assertError("InvalidArn", None, self.sfn.redrive_execution, executionArn="nope")
        self.sfn.stop_execution(executionArn=arn, error="Stopped", cause="by the test")

    def test_aborted_then_timed_out(self):
        # An aborted Wait runs again; TimeoutSeconds then counts from the redrive.
        m = self.machine("redrive-timeout", {"TimeoutSeconds": 1, "StartAt": "P", "States": {
            "P": {"Type": "Pass", "Next": "W"},
            "W": {"Type": "Wait", "Seconds": 5, "End": True}}})
        arn = self.sfn.start_execution(stateMachineArn=m)["executionArn"]
        self.sfn.stop_execution(executionArn=arn, error="Halt", cause="operator")
        d = self.wait_end(arn)
        self.assertEqual(d["status"], "ABORTED")
        self.assertEqual(d["redriveStatus"], "REDRIVABLE")
        r = self.sfn.redrive_execution(executionArn=arn)
        d = self.sfn.describe_execution(executionArn=arn)
        self.assertIn(d["status"], ("RUNNING", "TIMED_OUT"))
        self.assertEqual(d["redriveCount"], 1)
        d = self.wait_end(arn)
        self.assertEqual(d["status"], "TIMED_OUT")
        # Timed out a second after the redrive, not at once (the start was long before).
        elapsed = (d["stopDate"] - r["redriveDate"]).total_seconds()
        self.assertGreaterEqual(elapsed, 0.9)
        types = [e["type"] for e in self.history(arn)]
        self.assertEqual(types, [
            "ExecutionStarted", "PassStateEntered", "PassStateExited", "WaitStateEntered",
            "ExecutionAborted", "ExecutionRedriven", "WaitStateEntered", "ExecutionTimedOut"])
        # Redriven again: the count goes on.
        self.sfn.redrive_execution(executionArn=arn)
        self.assertEqual(self.wait_end(arn)["redriveCount"], 2)
        events = self.history(arn)
        self.assertEqual(events[-3]["executionRedrivenEventDetails"], {"redriveCount": 2})

    def test_failed_parallel_runs_again(self):
        m = self.machine("redrive-parallel", {"StartAt": "Par", "States": {"Par": {
            "Type": "Parallel", "End": True, "Branches": [
                {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "Result": 1, "End": True}}},
                {"StartAt": "B2", "States": {"B2": put("Later3")}}]}}})
        arn = self.sfn.start_execution(stateMachineArn=m)["executionArn"]
        self.assertEqual(self.wait_end(arn)["status"], "FAILED")
        self.make_table("Later3")
        self.sfn.redrive_execution(executionArn=arn)
        d = self.wait_end(arn)
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(json.loads(d["output"])[0], 1)


class RedrivablePeriodTest(ClientErrorAssertion, unittest.TestCase):
    """The 14-day rule, on virtual time (--time-scale 0): another execution's 15-day Wait moves
    the server's clock past the period."""

    def test_redrivable_period_exceeded(self):
        server = Server("--time-scale", "0")
        self.addCleanup(server.stop)
        sfn = client(server.endpoint)
        fail = sfn.create_state_machine(name="fails", roleArn=ROLE, definition=json.dumps(
            {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}))["stateMachineArn"]
        wait = sfn.create_state_machine(name="waits", roleArn=ROLE, definition=json.dumps(
            {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 13 * 86400,
                                              "End": True}}}))["stateMachineArn"]

        def run(machine):
            arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
            while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
                time.sleep(0.01)
            return arn
        failed = run(fail)
        run(wait)  # 13 days later: still redrivable
        self.assertEqual(sfn.describe_execution(executionArn=failed)["redriveStatus"],
                         "REDRIVABLE")
        run(wait)  # 26 days later
        d = sfn.describe_execution(executionArn=failed)
        self.assertEqual((d["redriveStatus"], d["redriveStatusReason"]),
                         ("NOT_REDRIVABLE", "Execution redrivable period exceeded"))
        self.assertError("ExecutionNotRedrivable", "Execution redrivable period exceeded",
                         sfn.redrive_execution, executionArn=failed)


class RedriveRestartTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="stator-redrive-")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop(signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)

    def serve(self):
        s = Server("--data-dir", self.dir)
        self.servers.append(s)
        return s, client(s.endpoint)

    def test_redriven_execution_resumes_after_kill_9(self):
        server, sfn = self.serve()
        m = sfn.create_state_machine(name="redrive-crash", roleArn=ROLE, definition=json.dumps(
            {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "Next": "Done"},
                                        "Done": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
        arn = sfn.start_execution(stateMachineArn=m)["executionArn"]
        sfn.stop_execution(executionArn=arn)
        sfn.redrive_execution(executionArn=arn)
        server.stop(signal.SIGKILL)
        server, sfn = self.serve()
        deadline = time.time() + 30
        while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
            self.assertLess(time.time(), deadline)
            time.sleep(0.05)
        d = sfn.describe_execution(executionArn=arn)
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(d["redriveCount"], 1)
        events = sfn.get_execution_history(executionArn=arn)["events"]
        self.assertEqual([e["type"] for e in events], [
            "ExecutionStarted", "WaitStateEntered", "ExecutionAborted", "ExecutionRedriven",
            "WaitStateEntered", "WaitStateExited", "PassStateEntered", "PassStateExited",
            "ExecutionSucceeded"])
        self.assertEqual([e["id"] for e in events], list(range(1, 10)))


if __name__ == "__main__":
    ctest_unittest.main()
