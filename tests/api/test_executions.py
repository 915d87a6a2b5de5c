#!/usr/bin/env python3
"""Integration tests of `stator serve` (executions) with real AWS clients.

Starts `stator serve` on an ephemeral port ($STATOR, else build*/stator; see stator_server.py)
and talks to it with boto3, raw HTTP and the AWS CLI (the one on PATH and Debian's /usr/bin/aws,
which scripts/setup.sh installs). Covers StartExecution, StartSyncExecution, DescribeExecution,
ListExecutions, GetExecutionHistory, StopExecution and DescribeStateMachineForExecution,
executions across a restart and across a kill -9. Expected shapes and messages are AWS's
(recorded in ../shared/conformance/cases.json where available, else the AWS API model and
documentation).

    python3 tests/api/test_executions.py [-v]
"""

import concurrent.futures
import contextlib
import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True

import botocore.exceptions  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stator_server import (ACCOUNT, REGION, ClientErrorAssertion, Server,  # noqa: E402
                           SharedServer, client, post)
import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

ROLE = f"arn:aws:iam::{ACCOUNT}:role/StatorRole"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def definition(states, start=None, **top):
    return json.dumps({"StartAt": start or next(iter(states)), "States": states, **top})


PASS_RESULT_DEF = definition({"State_1": {"Type": "Pass", "Result": {"Arg1": "argument1"},
                                          "End": True}})
WAIT_30_DEF = definition({"W": {"Type": "Wait", "Seconds": 30, "End": True}})
# Succeeds, fails or waits (until stopped) depending on its input's "go".
BRANCHY_DEF = definition({
    "C": {"Type": "Choice", "Default": "Ok", "Choices": [
        {"Variable": "$.go", "StringEquals": "fail", "Next": "Boom"},
        {"Variable": "$.go", "StringEquals": "wait", "Next": "Hold"}]},
    "Ok": {"Type": "Pass", "End": True},
    "Boom": {"Type": "Fail", "Error": "Boom", "Cause": "it failed"},
    "Hold": {"Type": "Wait", "Seconds": 30, "End": True}})
# Every kind of state the history test looks at, ending in a Fail.
FLOW_DEF = definition({
    "P": {"Type": "Pass", "Result": {"items": [1, 2]}, "ResultPath": "$.p", "Next": "W0"},
    "W0": {"Type": "Wait", "Seconds": 0, "Next": "C"},
    "C": {"Type": "Choice", "Default": "F",
          "Choices": [{"Variable": "$.go", "BooleanEquals": True, "Next": "M"}]},
    "M": {"Type": "Map", "ItemsPath": "$.p.items", "ResultPath": "$.m", "MaxConcurrency": 1,
          "Iterator": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
          "Next": "Par"},
    "Par": {"Type": "Parallel", "ResultPath": "$.par", "Next": "W1", "Branches": [
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}]},
    "W1": {"Type": "Wait", "Seconds": 1, "Next": "F"},
    "F": {"Type": "Fail", "Error": "Boom", "Cause": "because"}})
# (id, previousEventId, type) of FLOW_DEF's history, following AWS's numbering (the Map part as
# recorded on AWS in assign/test_assign_base.py BASE_SCOPE_MAP, MaxConcurrency 1).
FLOW_EVENTS = [
    (1, 0, "ExecutionStarted"),
    (2, 0, "PassStateEntered"), (3, 2, "PassStateExited"),
    (4, 3, "WaitStateEntered"), (5, 4, "WaitStateExited"),
    (6, 5, "ChoiceStateEntered"), (7, 6, "ChoiceStateExited"),
    (8, 7, "MapStateEntered"), (9, 8, "MapStateStarted"),
    (10, 9, "MapIterationStarted"), (11, 10, "PassStateEntered"), (12, 11, "PassStateExited"),
    (13, 12, "MapIterationSucceeded"),
    (14, 12, "MapIterationStarted"), (15, 14, "PassStateEntered"), (16, 15, "PassStateExited"),
    (17, 16, "MapIterationSucceeded"),
    (18, 17, "MapStateSucceeded"), (19, 17, "MapStateExited"),
    (20, 19, "ParallelStateEntered"), (21, 20, "ParallelStateStarted"),
    (22, 21, "PassStateEntered"), (23, 22, "PassStateExited"),
    (24, 23, "ParallelStateSucceeded"), (25, 23, "ParallelStateExited"),
    (26, 25, "WaitStateEntered"), (27, 26, "WaitStateExited"),
    (28, 27, "FailStateEntered"), (29, 28, "ExecutionFailed"),
]
# The index of W1's WaitStateExited in FLOW_EVENTS (its WaitStateEntered is the one before).
FLOW_W1_EXITED = 26


@contextlib.contextmanager
def sync_prefix_resolves():
    """boto3 sends StartSyncExecution to "sync-" + the endpoint's host; let this process resolve
    "sync-127.0.0.1" like "127.0.0.1" (a resolver shim on the client side only: the request,
    its Host header included, is what boto3 sends)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kw):
        if isinstance(host, str) and host.startswith("sync-"):
            host = host[len("sync-"):]
        return real(host, *args, **kw)

    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.getaddrinfo = real


def event_ids(events):
    return [(e["id"], e["previousEventId"], e["type"]) for e in events]


def details(event):
    return {k: v for k, v in event.items() if k.endswith("EventDetails")}


class ExecutionTestCase(ClientErrorAssertion, unittest.TestCase):
    """What the test classes share: a boto3 client `sfn` and helpers over it."""

    sfn = None

    def machine_arn(self, name):
        return f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}"

    def execution_arn(self, machine, name):
        return f"arn:aws:states:{REGION}:{ACCOUNT}:execution:{machine}:{name}"

    def create(self, name, definition_text, **kw):
        return self.sfn.create_state_machine(name=name, definition=definition_text, roleArn=ROLE,
                                             **kw)["stateMachineArn"]

    def wait_done(self, arn, timeout=15):
        """Polls DescribeExecution until the execution has ended; returns the description."""
        deadline = time.time() + timeout
        while True:
            d = self.sfn.describe_execution(executionArn=arn)
            if d["status"] != "RUNNING":
                return d
            if time.time() > deadline:
                self.fail(f"{arn} still RUNNING after {timeout} s")
            time.sleep(0.02)

    def wait_for_event(self, arn, event_type, timeout=60):
        deadline = time.time() + timeout
        while True:
            events = self.history(arn)
            if any(e["type"] == event_type for e in events):
                return events
            if time.time() > deadline:
                self.fail(f"no {event_type} in the history of {arn} after {timeout} s")
            time.sleep(0.02)

    def history(self, arn, **kw):
        """Every event of the execution, following nextToken."""
        events, token = [], None
        while True:
            page = self.sfn.get_execution_history(executionArn=arn, **kw,
                                                  **({"nextToken": token} if token else {}))
            events += page["events"]
            token = page.get("nextToken")
            if not token:
                return events


class ExecutionApiTest(SharedServer, ExecutionTestCase):
    # --- StartExecution ------------------------------------------------------------------

    def test_start_with_generated_and_given_name(self):
        arn = self.create("start-names", PASS_RESULT_DEF)
        before = time.time()
        r = self.sfn.start_execution(stateMachineArn=arn)
        after = time.time()
        m = re.fullmatch(re.escape(self.execution_arn("start-names", "")) + f"({UUID})",
                         r["executionArn"])
        self.assertIsNotNone(m, r["executionArn"])
        self.assertIsInstance(r["startDate"], datetime.datetime)
        self.assertGreaterEqual(r["startDate"].timestamp(), before - 0.001)
        self.assertLessEqual(r["startDate"].timestamp(), after + 0.001)
        d = self.wait_done(r["executionArn"])
        self.assertEqual(d["name"], m.group(1))
        self.assertEqual(d["startDate"], r["startDate"])
        # Two generated names never collide.
        other = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        self.assertNotEqual(other, r["executionArn"])

        given = self.sfn.start_execution(stateMachineArn=arn, name="given-name_1.x",
                                         input='{"k": "v"}')
        self.assertEqual(given["executionArn"], self.execution_arn("start-names", "given-name_1.x"))
        d = self.wait_done(given["executionArn"])
        self.assertEqual(d["name"], "given-name_1.x")
        self.assertEqual(d["input"], '{"k": "v"}')  # exactly as sent
        self.assertEqual(d["status"], "SUCCEEDED")

    def test_same_name_and_input_is_idempotent_while_running(self):
        arn = self.create("idem", WAIT_30_DEF)
        first = self.sfn.start_execution(stateMachineArn=arn, name="once", input='{"a": 1}')
        for _ in range(2):
            again = self.sfn.start_execution(stateMachineArn=arn, name="once", input='{"a": 1}')
            self.assertEqual(again["executionArn"], first["executionArn"])
            self.assertEqual(again["startDate"], first["startDate"])
        # Different input while it runs: ExecutionAlreadyExists (so is no input, i.e. "{}").
        message = f"Execution Already Exists: '{first['executionArn']}'"
        self.assertError("ExecutionAlreadyExists", message, self.sfn.start_execution,
                         stateMachineArn=arn, name="once", input='{"a": 2}')
        self.assertError("ExecutionAlreadyExists", message, self.sfn.start_execution,
                         stateMachineArn=arn, name="once")
        listed = self.sfn.list_executions(stateMachineArn=arn)["executions"]
        self.assertEqual([e["name"] for e in listed], ["once"])
        # Once it has ended (here: stopped), even the same input is refused (AWS: "When the
        # original execution is closed, the ExecutionAlreadyExists message is returned
        # regardless of input").
        self.sfn.stop_execution(executionArn=first["executionArn"])
        self.assertError("ExecutionAlreadyExists", message, self.sfn.start_execution,
                         stateMachineArn=arn, name="once", input='{"a": 1}')

    def test_same_name_after_success_is_already_exists(self):
        arn = self.create("idem-done", PASS_RESULT_DEF)
        first = self.sfn.start_execution(stateMachineArn=arn, name="done", input="{}")
        self.assertEqual(self.wait_done(first["executionArn"])["status"], "SUCCEEDED")
        self.assertError("ExecutionAlreadyExists",
                         f"Execution Already Exists: '{first['executionArn']}'",
                         self.sfn.start_execution, stateMachineArn=arn, name="done", input="{}")
        self.assertEqual(len(self.sfn.list_executions(stateMachineArn=arn)["executions"]), 1)

    def test_start_errors(self):
        arn = self.create("start-errors", PASS_RESULT_DEF)
        # Execution names follow the rules recorded on AWS for resource names.
        for ch in " <>{}[]?*\"#%\\^|~`$&,;:/\x00\x1f\x7f\u0085":
            name = f"bad{ch}name"
            self.assertError("InvalidName", f"Invalid Name: '{name}'", self.sfn.start_execution,
                             stateMachineArn=arn, name=name)
        self.sfn.start_execution(stateMachineArn=arn, name="n" * 80)
        self.assertError(
            "ValidationException",
            f"1 validation error detected: Value '{'n' * 81}' at 'name' failed to satisfy "
            "constraint: Member must have length less than or equal to 80",
            self.sfn.start_execution, stateMachineArn=arn, name="n" * 81)
        for bad in ("{", "not json", '{"a": }', "{} {}"):
            r = self.assertError("InvalidExecutionInput", None, self.sfn.start_execution,
                                 stateMachineArn=arn, input=bad)
            self.assertTrue(r["Error"]["Message"].startswith(
                "Invalid State Machine Execution Input: '"), r["Error"]["Message"])
        # Any JSON value is an input, not only objects.
        for ok in ('"text"', "[1, 2]", "3", "null"):
            e = self.sfn.start_execution(stateMachineArn=arn, input=ok)["executionArn"]
            self.assertEqual(self.wait_done(e)["input"], ok)
        # 256 KiB of input is the quota: exactly that much is fine, one byte more is not. The
        # API model bounds the (sensitive) member to 262144 characters, so AWS's validation
        # answers, without the value.
        at_limit = '"' + "x" * (256 * 1024 - 2) + '"'
        e = self.sfn.start_execution(stateMachineArn=arn, input=at_limit)["executionArn"]
        self.assertEqual(self.wait_done(e)["status"], "SUCCEEDED")
        self.assertError(
            "ValidationException",
            "1 validation error detected: Value at 'input' failed to satisfy constraint: Member "
            "must have length less than or equal to 262144",
            self.sfn.start_execution, stateMachineArn=arn,
            input='"' + "x" * (256 * 1024 - 1) + '"')
        # Fewer characters but more bytes than the quota: refused too (the quota is in bytes).
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sfn.start_execution(stateMachineArn=arn,
                                     input='"' + "\u00e9" * (128 * 1024) + '"')
        self.assertIn(cm.exception.response["Error"]["Code"],
                      ("InvalidExecutionInput", "ValidationException"))
        # Machines that are not there, ARNs that are not ARNs.
        missing = self.machine_arn("start-errors-missing")
        self.assertError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{missing}'",
                         self.sfn.start_execution, stateMachineArn=missing)
        self.assertError("StateMachineDoesNotExist", None, self.sfn.start_execution,
                         stateMachineArn=arn + ":7")  # a version that does not exist
        self.assertError("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: no_an_arn'",
                         self.sfn.start_execution, stateMachineArn="no_an_arn")
        self.assertError("InvalidArn", None, self.sfn.start_execution,
                         stateMachineArn=self.execution_arn("start-errors", "x"))
        # A request without stateMachineArn (boto3 refuses to send one).
        status, reply = post(self.server.port, "AWSStepFunctions.StartExecution", {"name": "x"})
        self.assertEqual(status, 400)
        self.assertEqual(reply["__type"].rsplit("#", 1)[1], "ValidationException")
        self.assertEqual(reply["message"],
                         "1 validation error detected: Value null at 'stateMachineArn' failed to "
                         "satisfy constraint: Member must not be null")
        # A deleted machine cannot be started.
        gone = self.create("start-deleted", PASS_RESULT_DEF)
        self.sfn.delete_state_machine(stateMachineArn=gone)
        self.assertError("StateMachineDoesNotExist", None, self.sfn.start_execution,
                         stateMachineArn=gone)

    def test_start_execution_on_express(self):
        arn = self.create("express-async", PASS_RESULT_DEF, type="EXPRESS")
        prefix = re.escape(f"arn:aws:states:{REGION}:{ACCOUNT}:express:express-async:")
        named = self.sfn.start_execution(stateMachineArn=arn, name="named", input="{}")
        self.assertRegex(named["executionArn"], f"^{prefix}named:{UUID}$")
        self.assertIsInstance(named["startDate"], datetime.datetime)
        generated = self.sfn.start_execution(stateMachineArn=arn)
        self.assertRegex(generated["executionArn"], f"^{prefix}{UUID}:{UUID}$")
        # Express executions are not listed by ListExecutions ("not supported by EXPRESS state
        # machines" in the API reference; StateMachineTypeNotSupported in the API model).
        self.assertError("StateMachineTypeNotSupported", None, self.sfn.list_executions,
                         stateMachineArn=arn)
        self.assertError("InvalidExecutionInput", None, self.sfn.start_execution,
                         stateMachineArn=arn, input="{")

    # --- StartSyncExecution --------------------------------------------------------------

    def test_start_sync_execution_through_boto3_with_sync_host(self):
        arn = self.create("sync-ok", PASS_RESULT_DEF, type="EXPRESS")
        urls = []
        self.sfn.meta.events.register(
            "before-send.sfn.StartSyncExecution",
            lambda request, **_: urls.append(request.url))
        before = time.time()
        with sync_prefix_resolves():
            r = self.sfn.start_sync_execution(stateMachineArn=arn, input='{"in": 1}')
        after = time.time()
        # boto3 put the "sync-" host prefix on the request.
        self.assertEqual(urls, [f"http://sync-127.0.0.1:{self.server.port}/"])
        # As recorded on AWS (express/test_express_sync.py BASE_PASS_RESULT).
        self.assertEqual(set(r) - {"ResponseMetadata"}, {
            "executionArn", "stateMachineArn", "name", "startDate", "stopDate", "status",
            "input", "inputDetails", "output", "outputDetails", "billingDetails"})
        self.assertRegex(r["executionArn"], "^" + re.escape(
            f"arn:aws:states:{REGION}:{ACCOUNT}:express:sync-ok:") + f"({UUID}):{UUID}$")
        self.assertEqual(r["executionArn"].split(":")[7], r["name"])
        self.assertEqual(r["stateMachineArn"], arn)
        self.assertEqual(r["status"], "SUCCEEDED")
        self.assertEqual(json.loads(r["output"]), {"Arg1": "argument1"})
        self.assertEqual(r["input"], '{"in": 1}')
        self.assertEqual(r["inputDetails"], {"included": True})
        self.assertEqual(r["outputDetails"], {"included": True})
        # Recorded: 64 MB and 100 ms ("rounded up to the nearest 100 milliseconds").
        billing = r["billingDetails"]
        self.assertEqual(set(billing), {"billedMemoryUsedInMB", "billedDurationInMilliseconds"})
        self.assertEqual(billing["billedMemoryUsedInMB"], 64)
        self.assertGreaterEqual(billing["billedDurationInMilliseconds"], 100)
        self.assertEqual(billing["billedDurationInMilliseconds"] % 100, 0)
        self.assertLessEqual(r["startDate"], r["stopDate"])
        self.assertGreaterEqual(r["startDate"].timestamp(), before - 0.001)
        self.assertLessEqual(r["stopDate"].timestamp(), after + 0.001)

        with sync_prefix_resolves():
            named = self.sfn.start_sync_execution(stateMachineArn=arn, name="mine",
                                                  includedData="METADATA_ONLY")
        self.assertEqual(named["name"], "mine")
        self.assertRegex(named["executionArn"], f":express:sync-ok:mine:{UUID}$")
        self.assertNotIn("input", named)
        self.assertNotIn("output", named)

    def test_start_sync_execution_failure(self):
        # As recorded on AWS (express/test_express_sync.py BASE_RAISE_FAILURE).
        arn = self.create("sync-fail", definition({"FailState": {
            "Type": "Fail", "Error": "SomeFailure",
            "Cause": "This state machines raises a 'SomeFailure' failure."}}), type="EXPRESS")
        with sync_prefix_resolves():
            r = self.sfn.start_sync_execution(stateMachineArn=arn, input="{}")
        self.assertEqual(r["status"], "FAILED")
        self.assertEqual(r["error"], "SomeFailure")
        self.assertEqual(r["cause"], "This state machines raises a 'SomeFailure' failure.")
        self.assertNotIn("output", r)
        self.assertEqual(r["outputDetails"], {"included": True})
        self.assertEqual(r["billingDetails"]["billedMemoryUsedInMB"], 64)
        self.assertGreaterEqual(r["billingDetails"]["billedDurationInMilliseconds"], 100)

    def test_start_sync_execution_raw_with_sync_host(self):
        arn = self.create("sync-raw", definition({"A": {"Type": "Pass", "Parameters": {
            "doubled.$": "States.MathAdd($.n, $.n)"}, "End": True}}), type="EXPRESS")
        status, r = post(self.server.port, "AWSStepFunctions.StartSyncExecution",
                         {"stateMachineArn": arn, "input": '{"n": 21}'},
                         host=f"sync-127.0.0.1:{self.server.port}")
        self.assertEqual(status, 200, r)
        self.assertEqual(r["status"], "SUCCEEDED")
        self.assertEqual(json.loads(r["output"]), {"doubled": 42})
        self.assertIsInstance(r["startDate"], (int, float))  # epoch seconds on the wire
        self.assertIsInstance(r["stopDate"], (int, float))
        self.assertIn("billingDetails", r)

    def test_start_sync_execution_errors(self):
        standard = self.create("sync-on-standard", PASS_RESULT_DEF)
        express = self.create("sync-errors", PASS_RESULT_DEF, type="EXPRESS")
        with sync_prefix_resolves():
            self.assertError("StateMachineTypeNotSupported", None,
                             self.sfn.start_sync_execution, stateMachineArn=standard)
            self.assertError("StateMachineDoesNotExist", None, self.sfn.start_sync_execution,
                             stateMachineArn=self.machine_arn("sync-missing"))
            self.assertError("InvalidArn", None, self.sfn.start_sync_execution,
                             stateMachineArn="nope")
            self.assertError("InvalidExecutionInput", None, self.sfn.start_sync_execution,
                             stateMachineArn=express, input="{")
            self.assertError("InvalidName", "Invalid Name: 'a b'", self.sfn.start_sync_execution,
                             stateMachineArn=express, name="a b")
        # Nothing was started on the Standard machine.
        self.assertEqual(self.sfn.list_executions(stateMachineArn=standard)["executions"], [])

    # --- DescribeExecution ---------------------------------------------------------------

    def test_describe_succeeded_execution(self):
        arn = self.create("describe-ok", PASS_RESULT_DEF)
        e = self.sfn.start_execution(stateMachineArn=arn, name="ok", input='{"x": [1]}')
        d = self.wait_done(e["executionArn"])
        # The members AWS returns (recorded: test_sfn_api_aliasing describe_execution).
        self.assertEqual(set(d) - {"ResponseMetadata"}, {
            "executionArn", "stateMachineArn", "name", "status", "startDate", "stopDate",
            "input", "inputDetails", "output", "outputDetails", "redriveCount", "redriveStatus",
            "redriveStatusReason"})
        self.assertEqual(d["executionArn"], e["executionArn"])
        self.assertEqual(d["stateMachineArn"], arn)
        self.assertEqual(d["name"], "ok")
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(d["startDate"], e["startDate"])
        self.assertGreaterEqual(d["stopDate"], d["startDate"])
        self.assertEqual(d["input"], '{"x": [1]}')
        self.assertEqual(d["inputDetails"], {"included": True})
        self.assertEqual(json.loads(d["output"]), {"Arg1": "argument1"})
        self.assertEqual(d["outputDetails"], {"included": True})
        self.assertEqual((d["redriveCount"], d["redriveStatus"], d["redriveStatusReason"]),
                         (0, "NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven"))
        meta = self.sfn.describe_execution(executionArn=e["executionArn"],
                                           includedData="METADATA_ONLY")
        for key in ("input", "output"):
            self.assertNotIn(key, meta)
        self.assertEqual(meta["status"], "SUCCEEDED")

    def test_describe_running_and_failed_executions(self):
        arn = self.create("describe-branchy", BRANCHY_DEF)
        running = self.sfn.start_execution(stateMachineArn=arn, input='{"go": "wait"}')
        d = self.sfn.describe_execution(executionArn=running["executionArn"])
        self.assertEqual(d["status"], "RUNNING")
        for key in ("stopDate", "output", "outputDetails", "error", "cause"):
            self.assertNotIn(key, d)
        self.assertEqual(d["redriveStatus"], "NOT_REDRIVABLE")
        self.sfn.stop_execution(executionArn=running["executionArn"])

        failed = self.sfn.start_execution(stateMachineArn=arn, input='{"go": "fail"}')
        d = self.wait_done(failed["executionArn"])
        self.assertEqual(d["status"], "FAILED")
        self.assertEqual((d["error"], d["cause"]), ("Boom", "it failed"))
        self.assertNotIn("output", d)
        self.assertIn("stopDate", d)
        self.assertEqual(d["redriveStatus"], "REDRIVABLE")

        # A Fail state without Error and Cause: no error or cause (recorded: test_state_fail_empty).
        empty = self.create("describe-fail-empty", definition({"FailState": {"Type": "Fail"}}))
        e = self.sfn.start_execution(stateMachineArn=empty)["executionArn"]
        d = self.wait_done(e)
        self.assertEqual(set(d) - {"ResponseMetadata"}, {
            "executionArn", "input", "inputDetails", "name", "redriveCount", "redriveStatus",
            "startDate", "stateMachineArn", "status", "stopDate"})
        self.assertEqual(d["input"], "{}")

    def test_describe_errors(self):
        arn = self.create("describe-errors", PASS_RESULT_DEF)
        missing = self.execution_arn("describe-errors", "nope")
        self.assertError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{missing}'",
                         self.sfn.describe_execution, executionArn=missing)
        self.assertError("ExecutionDoesNotExist", None, self.sfn.describe_execution,
                         executionArn=self.execution_arn("no-such-machine", "nope"))
        self.assertError("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: no_an_arn'",
                         self.sfn.describe_execution, executionArn="no_an_arn")
        self.assertError("InvalidArn", None, self.sfn.describe_execution, executionArn=arn)

    # --- ListExecutions ------------------------------------------------------------------

    def test_list_pages_newest_first(self):
        arn = self.create("list-many", PASS_RESULT_DEF)
        names = [f"e{i:02d}" for i in range(25)]
        arns = [self.sfn.start_execution(stateMachineArn=arn, name=n)["executionArn"]
                for n in names]
        for a in arns:
            self.wait_done(a)
        seen, token, pages = [], None, 0
        while True:
            page = self.sfn.list_executions(stateMachineArn=arn, maxResults=7,
                                            **({"nextToken": token} if token else {}))
            self.assertLessEqual(len(page["executions"]), 7)
            for item in page["executions"]:
                # The members of an item as recorded on AWS (test_start_execution).
                self.assertEqual(set(item), {"executionArn", "stateMachineArn", "name", "status",
                                             "startDate", "stopDate", "redriveCount"})
                self.assertEqual(item["status"], "SUCCEEDED")
                self.assertEqual(item["stateMachineArn"], arn)
                seen.append(item["name"])
            pages += 1
            token = page.get("nextToken")
            if not token:
                break
        self.assertEqual(pages, 4)
        self.assertEqual(seen, names[::-1])  # every execution once, newest first
        everything = self.sfn.get_paginator("list_executions").paginate(
            stateMachineArn=arn, PaginationConfig={"PageSize": 10}).build_full_result()
        self.assertEqual([e["name"] for e in everything["executions"]], seen)
        # Recorded on AWS: maxResults 0 is the default page size (here everything).
        self.assertEqual(len(self.sfn.list_executions(stateMachineArn=arn, maxResults=0)[
            "executions"]), 25)
        self.assertEqual(len(self.sfn.list_executions(stateMachineArn=arn)["executions"]), 25)

    def test_list_status_filter(self):
        arn = self.create("list-filter", BRANCHY_DEF)
        # Recorded on AWS (test_state_machine_status_filter): nothing yet.
        self.assertEqual(self.sfn.list_executions(stateMachineArn=arn,
                                                  statusFilter="SUCCEEDED")["executions"], [])
        started = {}
        for name, go in (("ok1", "ok"), ("bad1", "fail"), ("ok2", "ok"), ("held", "wait"),
                         ("stopped", "wait")):
            started[name] = self.sfn.start_execution(stateMachineArn=arn, name=name,
                                                     input=json.dumps({"go": go}))["executionArn"]
        self.sfn.stop_execution(executionArn=started["stopped"])
        for name in ("ok1", "bad1", "ok2"):
            self.wait_done(started[name])

        def names(status):
            return [e["name"] for e in self.sfn.list_executions(
                stateMachineArn=arn, statusFilter=status)["executions"]]

        self.assertEqual(names("SUCCEEDED"), ["ok2", "ok1"])
        self.assertEqual(names("FAILED"), ["bad1"])
        self.assertEqual(names("RUNNING"), ["held"])
        self.assertEqual(names("ABORTED"), ["stopped"])
        self.assertEqual(names("TIMED_OUT"), [])
        self.assertEqual(names("PENDING_REDRIVE"), [])
        running = self.sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")
        self.assertNotIn("stopDate", running["executions"][0])
        # A filtered listing pages too.
        page = self.sfn.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED",
                                        maxResults=1)
        self.assertEqual([e["name"] for e in page["executions"]], ["ok2"])
        page = self.sfn.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED",
                                        maxResults=1, nextToken=page["nextToken"])
        self.assertEqual([e["name"] for e in page["executions"]], ["ok1"])
        self.assertNotIn("nextToken", page)
        # Recorded on AWS: a status outside the enum.
        self.assertError(
            "ValidationException",
            "1 validation error detected: Value 'succeeded' at 'statusFilter' failed to satisfy "
            "constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, "
            "PENDING_REDRIVE, ABORTED, FAILED, RUNNING]",
            self.sfn.list_executions, stateMachineArn=arn, statusFilter="succeeded")
        self.sfn.stop_execution(executionArn=started["held"])
        self.assertEqual(names("ABORTED"), ["stopped", "held"])  # by start, not by stop

    def test_list_errors(self):
        arn = self.create("list-errors", PASS_RESULT_DEF)
        for i in range(3):
            self.sfn.start_execution(stateMachineArn=arn, name=f"x{i}")
        # Recorded on AWS (test_list_executions_pagination).
        self.assertError(
            "ValidationException",
            "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy "
            "constraint: Member must have value less than or equal to 1000",
            self.sfn.list_executions, stateMachineArn=arn, maxResults=1001)
        self.assertError(
            "ValidationException",
            f"1 validation error detected: Value '{'x' * 3097}' at 'nextToken' failed to satisfy "
            "constraint: Member must have length less than or equal to 3096",
            self.sfn.list_executions, stateMachineArn=arn, nextToken="x" * 3097)
        status, reply = post(self.server.port, "AWSStepFunctions.ListExecutions",
                             {"stateMachineArn": arn, "maxResults": -1})
        self.assertEqual(status, 400)
        self.assertEqual(reply["__type"].rsplit("#", 1)[1], "ValidationException")
        self.assertError("InvalidToken", None, self.sfn.list_executions, stateMachineArn=arn,
                         nextToken="InvalidToken")
        token = self.sfn.list_executions(stateMachineArn=arn, maxResults=1)["nextToken"]
        forged = token[:-1] + ("0" if token[-1] != "0" else "1")
        self.assertError("InvalidToken", None, self.sfn.list_executions, stateMachineArn=arn,
                         nextToken=forged)
        # A ListStateMachines token is no ListExecutions token.
        for i in range(2):
            self.create(f"list-errors-sm{i}", PASS_RESULT_DEF)
        sm_token = self.sfn.list_state_machines(maxResults=1)["nextToken"]
        self.assertError("InvalidToken", None, self.sfn.list_executions, stateMachineArn=arn,
                         nextToken=sm_token)
        # Recorded on AWS (test_list_execution_no_such_state_machine).
        missing = self.machine_arn("list-errors-missing")
        self.assertError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{missing}'",
                         self.sfn.list_executions, stateMachineArn=missing)
        self.assertError("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: no_an_arn'",
                         self.sfn.list_executions, stateMachineArn="no_an_arn")
        status, reply = post(self.server.port, "AWSStepFunctions.ListExecutions", {})
        self.assertEqual(status, 400)
        self.assertEqual(reply["__type"].rsplit("#", 1)[1], "ValidationException")

    # --- GetExecutionHistory -------------------------------------------------------------

    flow_execution = None

    def run_flow(self):
        """The execution of FLOW_DEF the history tests read (run once: it waits 1 s)."""
        cls = type(self)
        if cls.flow_execution is None:
            arn = self.create("history-flow", FLOW_DEF)
            cls.flow_started = time.time()
            e = self.sfn.start_execution(stateMachineArn=arn,
                                         input='{"go": true}')["executionArn"]
            self.assertEqual(self.wait_done(e)["status"], "FAILED")
            cls.flow_ended = time.time()
            cls.flow_execution = e
        return cls.flow_execution

    def test_history_events_of_a_small_workflow(self):
        e = self.run_flow()
        events = self.sfn.get_execution_history(executionArn=e)["events"]
        self.assertEqual(event_ids(events), FLOW_EVENTS)
        # Timestamps: datetimes (epoch seconds on the wire), in order, the Wait of 1 s waited.
        for ev in events:
            self.assertIsInstance(ev["timestamp"], datetime.datetime)
        stamps = [ev["timestamp"] for ev in events]
        self.assertEqual(stamps, sorted(stamps))
        self.assertEqual(FLOW_EVENTS[FLOW_W1_EXITED][2], "WaitStateExited")
        waited = stamps[FLOW_W1_EXITED] - stamps[FLOW_W1_EXITED - 1]
        self.assertGreaterEqual(waited.total_seconds(), 0.99)
        # Every timestamp lies within what the client saw of the execution.
        self.assertGreaterEqual(stamps[0].timestamp(), type(self).flow_started - 0.001)
        self.assertLessEqual(stamps[-1].timestamp(), type(self).flow_ended + 0.001)
        # Details as AWS shapes them.
        self.assertEqual(details(events[0]), {"executionStartedEventDetails": {
            "input": '{"go": true}', "inputDetails": {"truncated": False}, "roleArn": ROLE}})
        self.assertEqual(details(events[1]), {"stateEnteredEventDetails": {
            "name": "P", "input": '{"go":true}', "inputDetails": {"truncated": False}}})
        self.assertEqual(json.loads(events[2]["stateExitedEventDetails"]["output"]),
                         {"go": True, "p": {"items": [1, 2]}})
        self.assertEqual(details(events[8]), {"mapStateStartedEventDetails": {"length": 2}})
        self.assertEqual(details(events[9]), {"mapIterationStartedEventDetails": {
            "name": "M", "index": 0}})
        self.assertEqual(details(events[-1]), {"executionFailedEventDetails": {
            "error": "Boom", "cause": "because"}})
        raw_status, raw = post(self.server.port, "AWSStepFunctions.GetExecutionHistory",
                               {"executionArn": e, "maxResults": 1})
        self.assertEqual(raw_status, 200)
        self.assertIsInstance(raw["events"][0]["timestamp"], (int, float))
        self.assertLessEqual(abs(raw["events"][0]["timestamp"] - events[0]["timestamp"]
                                 .timestamp()), 0.001)

    def test_history_paging_reverse_and_without_data(self):
        e = self.run_flow()
        full = self.sfn.get_execution_history(executionArn=e)["events"]
        self.assertEqual(len(full), len(FLOW_EVENTS))
        forward, token, pages = [], None, 0
        while True:
            page = self.sfn.get_execution_history(executionArn=e, maxResults=4,
                                                  **({"nextToken": token} if token else {}))
            self.assertLessEqual(len(page["events"]), 4)
            forward += page["events"]
            pages += 1
            token = page.get("nextToken")
            if not token:
                break
        self.assertEqual(forward, full)
        self.assertEqual(pages, (len(full) + 3) // 4)
        backward = self.history(e, reverseOrder=True, maxResults=5)
        self.assertEqual(backward, full[::-1])
        self.assertEqual(self.sfn.get_execution_history(executionArn=e, reverseOrder=True,
                                                        maxResults=1)["events"], [full[-1]])
        paged = self.sfn.get_paginator("get_execution_history").paginate(
            executionArn=e, PaginationConfig={"PageSize": 3}).build_full_result()
        self.assertEqual(paged["events"], full)

        lean = self.history(e, includeExecutionData=False)
        self.assertEqual(event_ids(lean), FLOW_EVENTS)
        for ev in lean:
            for key, d in details(ev).items():
                self.assertNotIn("input", d, ev)
                self.assertNotIn("output", d, ev)
        self.assertEqual(lean[0]["executionStartedEventDetails"]["roleArn"], ROLE)
        self.assertEqual(lean[1]["stateEnteredEventDetails"]["name"], "P")
        self.assertEqual(lean[-1]["executionFailedEventDetails"],
                         {"error": "Boom", "cause": "because"})
        self.assertEqual(self.history(e, includeExecutionData=True), full)

    def test_history_errors(self):
        e = self.run_flow()
        missing = self.execution_arn("history-flow", "nope")
        self.assertError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{missing}'",
                         self.sfn.get_execution_history, executionArn=missing)
        self.assertError("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: no_an_arn'",
                         self.sfn.get_execution_history, executionArn="no_an_arn")
        self.assertError("InvalidToken", None, self.sfn.get_execution_history, executionArn=e,
                         nextToken="garbage")
        token = self.sfn.get_execution_history(executionArn=e, maxResults=2)["nextToken"]
        forged = token[:-1] + ("0" if token[-1] != "0" else "1")
        self.assertError("InvalidToken", None, self.sfn.get_execution_history, executionArn=e,
                         nextToken=forged)
        # A token of one execution does not page another.
        other = self.sfn.start_execution(stateMachineArn=self.machine_arn("history-flow"),
                                         input='{"go": false}')["executionArn"]
        self.wait_done(other)
        self.assertError("InvalidToken", None, self.sfn.get_execution_history,
                         executionArn=other, nextToken=token)
        # The API model's bounds: maxResults 0..1000, nextToken 1..1024 characters.
        self.assertError(
            "ValidationException",
            "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy "
            "constraint: Member must have value less than or equal to 1000",
            self.sfn.get_execution_history, executionArn=e, maxResults=1001)
        self.assertError(
            "ValidationException",
            f"1 validation error detected: Value '{'x' * 1025}' at 'nextToken' failed to satisfy "
            "constraint: Member must have length less than or equal to 1024",
            self.sfn.get_execution_history, executionArn=e, nextToken="x" * 1025)

    def test_history_tokens_fit_the_model_for_the_longest_arns(self):
        # Names are at most 80 UTF-16 code units; three-byte characters make the longest ARNs in
        # bytes. Their history tokens must still be within the model's 1024 characters.
        arn = self.create("\u8a9e" * 80, PASS_RESULT_DEF)
        e = self.sfn.start_execution(stateMachineArn=arn, name="\u6587" * 80)["executionArn"]
        self.wait_done(e)
        for reverse in (False, True):
            token = self.sfn.get_execution_history(executionArn=e, maxResults=1,
                                                   reverseOrder=reverse)["nextToken"]
            self.assertLessEqual(len(token), 1024)
            self.assertEqual(len(self.history(e, maxResults=1, reverseOrder=reverse)), 4)

    # --- StopExecution -------------------------------------------------------------------

    def test_stop_running_wait(self):
        arn = self.create("stop-wait", WAIT_30_DEF)
        e = self.sfn.start_execution(stateMachineArn=arn, input='{"k": 1}')["executionArn"]
        entered = self.wait_for_event(e, "WaitStateEntered")[-1]["timestamp"].timestamp()
        r = self.sfn.stop_execution(executionArn=e, error="MyError", cause="stopped by the test")
        # The stop answered before the 30 s Wait would have ended (it did not wait for it).
        self.assertLess(time.time(), entered + 30)
        self.assertEqual(set(r) - {"ResponseMetadata"}, {"stopDate"})
        self.assertIsInstance(r["stopDate"], datetime.datetime)
        d = self.sfn.describe_execution(executionArn=e)  # ended as soon as the stop answered
        self.assertEqual(d["status"], "ABORTED")
        self.assertEqual(d["stopDate"], r["stopDate"])
        self.assertEqual((d["error"], d["cause"]), ("MyError", "stopped by the test"))
        self.assertNotIn("output", d)
        self.assertEqual(d["redriveStatus"], "REDRIVABLE")
        events = self.history(e)
        self.assertEqual(event_ids(events), [(1, 0, "ExecutionStarted"),
                                             (2, 0, "WaitStateEntered"),
                                             (3, 2, "ExecutionAborted")])
        self.assertEqual(details(events[-1]), {"executionAbortedEventDetails": {
            "error": "MyError", "cause": "stopped by the test"}})
        self.assertEqual(events[-1]["timestamp"], r["stopDate"])

    def test_stop_running_map_stops_its_iterations(self):
        arn = self.create("stop-map", definition({"M": {
            "Type": "Map", "End": True, "Iterator": {"StartAt": "W", "States": {
                "W": {"Type": "Wait", "Seconds": 2, "Next": "After"},
                "After": {"Type": "Pass", "End": True}}}}}))
        e = self.sfn.start_execution(stateMachineArn=arn, input="[1, 2, 3]")["executionArn"]
        self.wait_for_event(e, "WaitStateEntered")
        self.sfn.stop_execution(executionArn=e)
        d = self.sfn.describe_execution(executionArn=e)
        self.assertEqual(d["status"], "ABORTED")
        self.assertNotIn("error", d)
        self.assertNotIn("cause", d)
        events = self.history(e)
        self.assertEqual(events[-1]["type"], "ExecutionAborted")
        # The iterations' Waits would have ended 2 s after they began: past that, nothing more
        # happened in the execution.
        entered = [ev["timestamp"].timestamp() for ev in events
                   if ev["type"] == "WaitStateEntered"]
        self.assertTrue(entered)
        time.sleep(max(0.0, max(entered) + 2.3 - time.time()))
        after = self.history(e)
        self.assertEqual(after, events)
        types = [ev["type"] for ev in after]
        for t in ("WaitStateExited", "MapIterationSucceeded", "MapStateSucceeded",
                  "MapStateExited"):
            self.assertNotIn(t, types)
        self.assertEqual(self.sfn.describe_execution(executionArn=e)["status"], "ABORTED")

    def test_stop_ended_execution_changes_nothing(self):
        arn = self.create("stop-ended", PASS_RESULT_DEF)
        e = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        d = self.wait_done(e)
        events = self.history(e)
        r = self.sfn.stop_execution(executionArn=e, error="Late", cause="too late")
        self.assertEqual(r["stopDate"], d["stopDate"])
        after = self.sfn.describe_execution(executionArn=e)
        self.assertEqual(after["status"], "SUCCEEDED")
        self.assertNotIn("error", after)
        self.assertEqual(self.history(e), events)
        # Stopping twice is the same.
        held = self.sfn.start_execution(stateMachineArn=self.create("stop-twice", WAIT_30_DEF))
        first = self.sfn.stop_execution(executionArn=held["executionArn"], error="One")
        second = self.sfn.stop_execution(executionArn=held["executionArn"], error="Two")
        self.assertEqual(first["stopDate"], second["stopDate"])
        d = self.sfn.describe_execution(executionArn=held["executionArn"])
        self.assertEqual(d["error"], "One")
        self.assertEqual([ev["type"] for ev in self.history(held["executionArn"])].count(
            "ExecutionAborted"), 1)

    def test_stop_errors(self):
        missing = self.execution_arn("stop-errors", "nope")
        self.assertError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{missing}'",
                         self.sfn.stop_execution, executionArn=missing)
        self.assertError("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: no_an_arn'",
                         self.sfn.stop_execution, executionArn="no_an_arn")
        self.assertError("InvalidArn", None, self.sfn.stop_execution,
                         executionArn=self.machine_arn("stop-errors"))
        arn = self.create("stop-errors", WAIT_30_DEF)
        e = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        # error and cause are sensitive in the API model: AWS's validation leaves their values
        # out of its message.
        self.assertError(
            "ValidationException",
            "1 validation error detected: Value at 'error' failed to satisfy constraint: Member "
            "must have length less than or equal to 256",
            self.sfn.stop_execution, executionArn=e, error="e" * 257)
        self.assertError(
            "ValidationException",
            "1 validation error detected: Value at 'cause' failed to satisfy constraint: Member "
            "must have length less than or equal to 32768",
            self.sfn.stop_execution, executionArn=e, cause="c" * 32769)
        self.assertEqual(self.sfn.describe_execution(executionArn=e)["status"], "RUNNING")
        self.sfn.stop_execution(executionArn=e)

    # --- DescribeStateMachineForExecution --------------------------------------------------

    def test_describe_state_machine_for_execution_keeps_the_definition_it_ran(self):
        v1 = definition({"W": {"Type": "Wait", "Seconds": 30, "End": True}}, Comment="v1")
        v2 = definition({"A": {"Type": "Pass", "End": True}}, Comment="v2")
        arn = self.create("dsmfe", v1)
        created = self.sfn.describe_state_machine(stateMachineArn=arn)
        old = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        update = self.sfn.update_state_machine(stateMachineArn=arn, definition=v2,
                                               roleArn=ROLE + "-2")
        new = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        self.assertEqual(self.wait_done(new)["status"], "SUCCEEDED")

        d = self.sfn.describe_state_machine_for_execution(executionArn=old)
        # The members recorded on AWS (test_describe_state_machine_for_execution_of_version).
        self.assertEqual(set(d) - {"ResponseMetadata"}, {
            "stateMachineArn", "name", "definition", "roleArn", "updateDate",
            "loggingConfiguration", "tracingConfiguration"})
        self.assertEqual(d["stateMachineArn"], arn)
        self.assertEqual(d["name"], "dsmfe")
        self.assertEqual(d["definition"], v1)
        self.assertEqual(d["roleArn"], ROLE)
        self.assertEqual(d["updateDate"], created["creationDate"])
        self.assertEqual(d["loggingConfiguration"], {"level": "OFF",
                                                     "includeExecutionData": False})
        self.assertEqual(d["tracingConfiguration"], {"enabled": False})
        # Still running the old definition after the update.
        self.assertEqual(self.sfn.describe_execution(executionArn=old)["status"], "RUNNING")

        d = self.sfn.describe_state_machine_for_execution(executionArn=new)
        self.assertEqual(d["definition"], v2)
        self.assertEqual(d["roleArn"], ROLE + "-2")
        self.assertEqual(d["revisionId"], update["revisionId"])
        self.assertEqual(d["updateDate"], update["updateDate"])
        self.sfn.stop_execution(executionArn=old)

        # An execution of a version (recorded on AWS: the same members).
        published = self.sfn.create_state_machine(name="dsmfe-version", definition=PASS_RESULT_DEF,
                                                  roleArn=ROLE, publish=True)
        e = self.sfn.start_execution(
            stateMachineArn=published["stateMachineVersionArn"])["executionArn"]
        self.wait_done(e)
        d = self.sfn.describe_state_machine_for_execution(executionArn=e)
        self.assertEqual(set(d) - {"ResponseMetadata"}, {
            "stateMachineArn", "name", "definition", "roleArn", "updateDate",
            "loggingConfiguration", "tracingConfiguration"})
        self.assertEqual(d["stateMachineArn"], published["stateMachineArn"])
        self.assertEqual(d["definition"], PASS_RESULT_DEF)
        self.assertEqual(self.sfn.describe_execution(executionArn=e)["stateMachineVersionArn"],
                         published["stateMachineVersionArn"])

    def test_describe_state_machine_for_execution_errors(self):
        missing = self.execution_arn("dsmfe-errors", "nope")
        self.assertError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{missing}'",
                         self.sfn.describe_state_machine_for_execution, executionArn=missing)
        self.assertError("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: no_an_arn'",
                         self.sfn.describe_state_machine_for_execution, executionArn="no_an_arn")


class ExecutionRestartTest(ExecutionTestCase):
    """Executions across restarts of the server on one --data-dir."""

    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="stator-exec-test-")
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.stop()
        shutil.rmtree(self.data, ignore_errors=True)

    def start_server(self, *extra):
        self.server = Server("--data-dir", self.data, *extra)
        self.sfn = client(self.server.endpoint)

    def snapshot(self, arns, machine):
        out = {}
        for a in arns:
            d = self.sfn.describe_execution(executionArn=a)
            d.pop("ResponseMetadata")
            m = self.sfn.describe_state_machine_for_execution(executionArn=a)
            m.pop("ResponseMetadata")
            out[a] = (d, self.history(a), m)
        listed = self.sfn.list_executions(stateMachineArn=machine)["executions"]
        return out, listed

    def test_executions_survive_a_restart(self):
        self.start_server()
        machine = self.create("durable", BRANCHY_DEF)
        arns = [self.sfn.start_execution(stateMachineArn=machine, name=n,
                                         input=json.dumps({"go": go}))["executionArn"]
                for n, go in (("ok", "ok"), ("bad", "fail"), ("stopped", "wait"))]
        self.sfn.stop_execution(executionArn=arns[2], error="E", cause="C")
        for a in arns:
            self.wait_done(a)
        flow = self.create("durable-flow", FLOW_DEF)
        arns.append(self.sfn.start_execution(stateMachineArn=flow,
                                             input='{"go": true}')["executionArn"])
        self.wait_done(arns[-1])
        before, listed = self.snapshot(arns, machine)
        self.assertEqual([b[0]["status"] for b in before.values()],
                         ["SUCCEEDED", "FAILED", "ABORTED", "FAILED"])
        self.assertEqual(self.server.stop(), 0)

        self.start_server()
        after, listed_after = self.snapshot(arns, machine)
        self.assertEqual(after, before)
        self.assertEqual(listed_after, listed)
        # The names stay taken.
        self.assertError("ExecutionAlreadyExists", None, self.sfn.start_execution,
                         stateMachineArn=machine, name="ok", input='{"go": "ok"}')

    def test_wait_resumes_after_kill_9(self):
        wait_def = definition({
            "P": {"Type": "Pass", "Next": "W"},
            "W": {"Type": "Wait", "Seconds": 2, "Next": "M"},
            "M": {"Type": "Map", "ItemsPath": "$.items", "End": True, "Iterator": {
                "StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}}})
        self.start_server()
        machine = self.create("crash", wait_def)
        e = self.sfn.start_execution(stateMachineArn=machine, name="crashed",
                                     input='{"items": [1, 2]}')["executionArn"]
        entered = self.wait_for_event(e, "WaitStateEntered")
        self.assertEqual(self.server.stop(signal.SIGKILL), -signal.SIGKILL)
        self.assertEqual(entered[-1]["type"], "WaitStateEntered")  # killed in the Wait

        # Restarted on virtual time: its clock starts at the wall-clock time and then moves
        # only by jumping to the next timer, so when the resumed Wait ends says, independently
        # of the machine's speed, whether it kept its recorded end or started over.
        spawned = time.time()
        self.start_server("--time-scale", "0")
        listening = time.time()
        # The same execution resumes its Wait where it was.
        reference = self.sfn.start_execution(stateMachineArn=machine, name="uninterrupted",
                                             input='{"items": [1, 2]}')["executionArn"]
        d = self.wait_done(e)
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(json.loads(d["output"]), [1, 2])
        self.assertEqual(self.wait_done(reference)["status"], "SUCCEEDED")
        crashed = self.history(e)
        self.assertEqual(event_ids(crashed), event_ids(self.history(reference)))
        self.assertEqual(crashed[:len(entered)], entered)  # nothing committed was rewritten
        types = [ev["type"] for ev in crashed]
        due = crashed[types.index("WaitStateEntered")]["timestamp"].timestamp() + 2
        exited = crashed[types.index("WaitStateExited")]["timestamp"].timestamp()
        # It ended at its recorded end, or at the restart if that came later (the restarted
        # clock's start lies between `spawned` and `listening`); a Wait started over would have
        # ended 2 s after the restart.
        self.assertGreaterEqual(exited, due - 0.001)
        self.assertLessEqual(exited, max(due, listening) + 0.001)
        self.assertGreaterEqual(listening, spawned)


class AwsCliTest(unittest.TestCase):
    """Executions through the AWS CLIs: the one on PATH and Debian's /usr/bin/aws."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.env = dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x",
                       AWS_DEFAULT_REGION=REGION, AWS_PAGER="", AWS_CONFIG_FILE="/dev/null")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def clis(self):
        on_path = shutil.which("aws")
        self.assertTrue(os.path.exists("/usr/bin/aws"),
                        "/usr/bin/aws (Debian's awscli package) is not installed: run "
                        "scripts/setup.sh")
        found = [on_path] if on_path else []
        if not any(os.path.samefile(c, "/usr/bin/aws") for c in found):
            found.append("/usr/bin/aws")
        return found

    def aws(self, cli, *args, ok=True):
        p = subprocess.run([cli, "stepfunctions", *args, "--endpoint-url", self.server.endpoint,
                            "--output", "json"], env=self.env, capture_output=True, text=True,
                           timeout=120)
        if ok:
            self.assertEqual(p.returncode, 0, f"{cli}: {p.stderr}")
            return json.loads(p.stdout) if p.stdout.strip() else {}
        self.assertNotEqual(p.returncode, 0)
        return p.stderr

    def run_cli(self, n, cli):
        name = f"cli-exec-{n}"
        machine = self.aws(cli, "create-state-machine", "--name", name, "--definition",
                           PASS_RESULT_DEF, "--role-arn", ROLE)["stateMachineArn"]
        started = self.aws(cli, "start-execution", "--state-machine-arn", machine,
                           "--name", "run-1", "--input", '{"from": "cli"}')
        arn = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:{name}:run-1"
        self.assertEqual(started["executionArn"], arn, cli)
        self.assertIn("startDate", started)
        deadline = time.time() + 30
        while True:
            d = self.aws(cli, "describe-execution", "--execution-arn", arn)
            if d["status"] != "RUNNING" or time.time() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(d["status"], "SUCCEEDED", cli)
        self.assertEqual(d["name"], "run-1")
        self.assertEqual(d["input"], '{"from": "cli"}')
        self.assertEqual(json.loads(d["output"]), {"Arg1": "argument1"})
        h = self.aws(cli, "get-execution-history", "--execution-arn", arn)
        self.assertEqual(event_ids(h["events"]), [
            (1, 0, "ExecutionStarted"), (2, 0, "PassStateEntered"),
            (3, 2, "PassStateExited"), (4, 3, "ExecutionSucceeded")], cli)
        self.assertEqual(h["events"][0]["executionStartedEventDetails"]["input"],
                         '{"from": "cli"}')
        rev = self.aws(cli, "get-execution-history", "--execution-arn", arn, "--reverse-order",
                       "--no-include-execution-data")
        self.assertEqual([e["id"] for e in rev["events"]], [4, 3, 2, 1], cli)
        self.assertNotIn("output", rev["events"][0]["executionSucceededEventDetails"])
        err = self.aws(cli, "start-execution", "--state-machine-arn", machine, "--name",
                       "run-1", "--input", '{"other": 1}', ok=False)
        self.assertIn("ExecutionAlreadyExists", err, cli)

    def test_cli_start_describe_history(self):
        clis = self.clis()
        # The CLIs are slow to start: run them side by side.
        with concurrent.futures.ThreadPoolExecutor(len(clis)) as pool:
            for f in [pool.submit(self.run_cli, n, cli) for n, cli in enumerate(clis)]:
                f.result()


class NestedExecutionTest(SharedServer, ExecutionTestCase):
    """Task states that start executions of this server's state machines
    (states:startExecution, .sync, .sync:2, aws-sdk:sfn:startExecution)."""

    def parent(self, name, resource, params):
        return self.create(name, json.dumps({"StartAt": "Start", "States": {"Start": {
            "Type": "Task", "Resource": resource, "Parameters": params, "End": True}}}))

    def test_sync_child_succeeds_and_fails(self):
        ok = self.create("child-ok", json.dumps({"StartAt": "P", "States": {
            "P": {"Type": "Pass", "Parameters": {"got.$": "$.n"}, "End": True}}}))
        bad = self.create("child-bad", json.dumps({"StartAt": "F", "States": {
            "F": {"Type": "Fail", "Error": "Broken", "Cause": "on purpose"}}}))
        for resource, as_values in (("arn:aws:states:::states:startExecution.sync", False),
                                    ("arn:aws:states:::states:startExecution.sync:2", True)):
            suffix = "2" if as_values else "1"
            p = self.parent(f"parent-sync{suffix}", resource,
                            {"StateMachineArn": ok, "Input": {"n": 7}, "Name": f"kid{suffix}"})
            d = self.wait_done(self.sfn.start_execution(stateMachineArn=p)["executionArn"])
            self.assertEqual(d["status"], "SUCCEEDED", d)
            out = json.loads(d["output"])
            self.assertEqual(out["Status"], "SUCCEEDED")
            self.assertEqual(out["ExecutionArn"], self.execution_arn("child-ok", f"kid{suffix}"))
            self.assertEqual(out["Output"], {"got": 7} if as_values else '{"got":7}')
            self.assertEqual(out["InputDetails"], {"Included": True})
            self.assertIsInstance(out["StartDate"], int)
            types = [e["type"] for e in self.history(d["executionArn"])]
            self.assertEqual(types, ["ExecutionStarted", "TaskStateEntered", "TaskScheduled",
                                     "TaskStarted", "TaskSubmitted", "TaskSucceeded",
                                     "TaskStateExited", "ExecutionSucceeded"])
            child = self.sfn.describe_execution(executionArn=out["ExecutionArn"])
            self.assertEqual(child["input"], '{"n":7}')

        p = self.parent("parent-sync-bad", "arn:aws:states:::states:startExecution.sync",
                        {"StateMachineArn": bad})
        d = self.wait_done(self.sfn.start_execution(stateMachineArn=p)["executionArn"])
        self.assertEqual(d["status"], "FAILED")
        self.assertEqual(d["error"], "States.TaskFailed")
        cause = json.loads(d["cause"])
        self.assertEqual((cause["Status"], cause["Error"], cause["Cause"]),
                         ("FAILED", "Broken", "on purpose"))

    def test_request_response_aws_sdk_and_missing_machine(self):
        child = self.create("child-wait", json.dumps({"StartAt": "W", "States": {
            "W": {"Type": "Wait", "Seconds": 0, "End": True}}}))
        p = self.parent("parent-rr", "arn:aws:states:::states:startExecution",
                        {"StateMachineArn": child, "Input": '{"as":"text"}'})
        d = self.wait_done(self.sfn.start_execution(stateMachineArn=p)["executionArn"])
        out = json.loads(d["output"])
        self.assertEqual(sorted(out), ["ExecutionArn", "SdkHttpMetadata", "SdkResponseMetadata",
                                       "StartDate"])
        kid = self.sfn.describe_execution(executionArn=out["ExecutionArn"])
        self.assertEqual(kid["input"], '{"as":"text"}')

        p = self.parent("parent-sdk", "arn:aws:states:::aws-sdk:sfn:startExecution",
                        {"StateMachineArn": child})
        d = self.wait_done(self.sfn.start_execution(stateMachineArn=p)["executionArn"])
        self.assertEqual(sorted(json.loads(d["output"])), ["ExecutionArn", "StartDate"])

        missing = self.machine_arn("nope")
        p = self.parent("parent-missing", "arn:aws:states:::states:startExecution",
                        {"StateMachineArn": missing})
        d = self.wait_done(self.sfn.start_execution(stateMachineArn=p)["executionArn"])
        self.assertEqual(d["error"], "StepFunctions.StateMachineDoesNotExistException")
        self.assertTrue(d["cause"].startswith(
            f"State Machine Does Not Exist: '{missing}' (Service: AWSStepFunctions; "
            "Status Code: 400; Error Code: StateMachineDoesNotExist; Request ID: "), d["cause"])

if __name__ == "__main__":
    ctest_unittest.main()
