#!/usr/bin/env python3
"""Integration tests of the TestState action (src/engine/test_state.h) with boto3 against a
real `stator serve`.

The rules come from AWS's recordings (area test_state of ../shared/conformance/cases.json) and
its documentation; these tests vary them in ways no recording does: every state type, each
inspection level, Retry back-off arithmetic, Catch with ResultPath, Map thresholds by
percentage, Parallel results through ResultSelector, validation modes against shapes the
recordings do not use, a state of a whole machine, a given context object, variables and
Assign, an unmocked Task that calls the server's own DynamoDB, and JSONata states of every type
(Arguments, Output, Assign, Retry and Catch over $states.errorOutput, evaluation errors).

    python3 tests/api/test_test_state.py [-v]
"""

import json
import os
import sys
import time
import unittest

sys.dont_write_bytecode = True

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stator_server import (ACCOUNT, REGION, ClientErrorAssertion, Server,  # noqa: E402
                           client, dynamodb_client)
import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

ROLE = f"arn:aws:iam::{ACCOUNT}:role/StatorRole"
LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"


def state(**fields):
    return json.dumps(fields)


class TestStateTest(ClientErrorAssertion, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        # TestState is sent to the "sync-" host prefix; boto3 can be told not to add it.
        cls.sfn = client(cls.server.endpoint, inject_host_prefix=False)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def call(self, definition, **kw):
        if not isinstance(definition, str):
            definition = json.dumps(definition)
        r = self.sfn.test_state(definition=definition, **kw)
        r.pop("ResponseMetadata")
        return r

    def out(self, r):
        return json.loads(r["output"])

    def data(self, r):
        return {k: json.loads(v) if isinstance(v, str) else v
                for k, v in r["inspectionData"].items()}

    # --- Pass, Choice, Wait, Succeed, Fail -----------------------------------------------

    def test_pass_data_flow_at_each_level(self):
        d = state(Type="Pass", InputPath="$.in", Parameters={"v.$": "$.x", "k": 1},
                  ResultPath="$.r", OutputPath="$.r", Next="After")
        inp = json.dumps({"in": {"x": [1, 2]}, "other": True})
        info = self.call(d, input=inp)
        self.assertEqual(info["status"], "SUCCEEDED")
        self.assertEqual(info["nextState"], "After")
        self.assertEqual(self.out(info), {"v": [1, 2], "k": 1})
        self.assertNotIn("inspectionData", info)
        for level in ("DEBUG", "TRACE"):
            r = self.call(d, input=inp, inspectionLevel=level)
            self.assertEqual(self.data(r), {
                "input": {"in": {"x": [1, 2]}, "other": True},
                "afterInputPath": {"x": [1, 2]},
                "afterParameters": {"v": [1, 2], "k": 1},
                "afterResultSelector": {"v": [1, 2], "k": 1},
                "afterResultPath": {"in": {"x": [1, 2]}, "other": True,
                                    "r": {"v": [1, 2], "k": 1}},
            })
        # With a Result, there is no input processing to show, and the result is shown.
        r = self.call(state(Type="Pass", InputPath="$.in", Result=[7], ResultPath="$.r",
                            End=True), input=inp, inspectionLevel="DEBUG")
        self.assertEqual(self.data(r), {
            "input": {"in": {"x": [1, 2]}, "other": True},
            "result": [7], "afterResultSelector": [7],
            "afterResultPath": {"in": {"x": [1, 2]}, "other": True, "r": [7]},
        })

    def test_pass_without_input_takes_an_empty_object(self):
        r = self.call(state(Type="Pass", End=True))
        self.assertEqual(self.out(r), {})
        self.assertNotIn("nextState", r)

    def test_assign_and_given_variables(self):
        d = state(Type="Pass", Assign={"total.$": "States.MathAdd($base, $.n)", "seen": True},
                  End=True)
        r = self.call(d, input='{"n": 5}', variables='{"base": 10, "keep": "x"}',
                      inspectionLevel="DEBUG")
        self.assertEqual(self.data(r)["variables"], {"base": 10, "keep": "x", "total": 15,
                                                     "seen": True})
        # Without variables and without Assign, there are none to show.
        r = self.call(state(Type="Pass", End=True), inspectionLevel="DEBUG")
        self.assertNotIn("variables", r["inspectionData"])
        self.assertError("ValidationException", None, self.sfn.test_state,
                         definition=state(Type="Pass", End=True), variables="[1]")

    def test_choice_next_state_default_and_no_match(self):
        d = state(Type="Choice", Choices=[
            {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
            {"Variable": "$.n", "NumericLessThan": 0, "Next": "Negative"}], Default="Small")
        self.assertEqual(self.call(d, input='{"n": 11}')["nextState"], "Big")
        self.assertEqual(self.call(d, input='{"n": -1}')["nextState"], "Negative")
        r = self.call(d, input='{"n": 3}')
        self.assertEqual((r["status"], r["nextState"], self.out(r)), ("SUCCEEDED", "Small",
                                                                       {"n": 3}))
        no_default = state(Type="Choice", Choices=[
            {"Variable": "$.n", "NumericEquals": 1, "Next": "One"}])
        r = self.call(no_default, input='{"n": 2}')
        self.assertEqual((r["status"], r["error"], r["cause"]),
                         ("FAILED", "States.NoChoiceMatched", "No Matches!"))
        self.assertNotIn("nextState", r)

    def test_wait_does_not_wait(self):
        t0 = time.monotonic()
        r = self.call(state(Type="Wait", Seconds=3600, Next="Later"), input='{"a": 1}')
        self.assertLess(time.monotonic() - t0, 10)
        self.assertEqual((r["status"], r["nextState"], self.out(r)), ("SUCCEEDED", "Later",
                                                                       {"a": 1}))
        r = self.call(state(Type="Wait", SecondsPath="$.s", End=True), input='{"s": "ten"}')
        self.assertEqual((r["status"], r["error"]), ("FAILED", "States.Runtime"))

    def test_succeed_and_fail(self):
        r = self.call(state(Type="Succeed", OutputPath="$.keep"), input='{"keep": [1]}')
        self.assertEqual((r["status"], self.out(r)), ("SUCCEEDED", [1]))
        self.assertNotIn("nextState", r)
        r = self.call(state(Type="Fail", ErrorPath="$.e", CausePath="$.c"),
                      input='{"e": "Custom.Error", "c": "because"}', inspectionLevel="DEBUG")
        self.assertEqual((r["status"], r["error"], r["cause"]),
                         ("FAILED", "Custom.Error", "because"))
        self.assertNotIn("output", r)
        r = self.call(state(Type="Fail", Error="OnlyAnError"))
        self.assertEqual((r["status"], r["error"]), ("FAILED", "OnlyAnError"))
        self.assertNotIn("cause", r)

    def test_runtime_error_is_not_caught(self):
        d = state(Type="Task", Resource=LAMBDA_INVOKE, InputPath="$.missing",
                  Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handler"}], End=True)
        r = self.call(d, input="{}", mock={"result": "{}"})
        self.assertEqual((r["status"], r["error"]), ("FAILED", "States.Runtime"))
        self.assertIn("$['missing']", r["cause"])

    # --- Task: mocks, Retry, Catch ------------------------------------------------------------

    TASK = {"Type": "Task", "Resource": LAMBDA_INVOKE,
            "Parameters": {"FunctionName": "f", "Payload.$": "$"},
            "Retry": [{"ErrorEquals": ["Other"], "MaxAttempts": 5},
                      {"ErrorEquals": ["Flaky"], "IntervalSeconds": 2, "BackoffRate": 3,
                       "MaxAttempts": 3},
                      {"ErrorEquals": ["Capped"], "IntervalSeconds": 10, "BackoffRate": 4,
                       "MaxDelaySeconds": 25, "MaxAttempts": 9}],
            "Catch": [{"ErrorEquals": ["Nope"], "Next": "Never"},
                      {"ErrorEquals": ["States.ALL"], "ResultPath": "$.err",
                       "Next": "Recover"}],
            "End": True}

    def test_task_mock_result_through_selector_and_paths(self):
        d = dict(self.TASK, ResultSelector={"body.$": "$.Payload"}, ResultPath="$.res")
        r = self.call(d, input='{"x": 1}', inspectionLevel="DEBUG",
                      mock={"result": json.dumps({"StatusCode": 200, "Payload": "ok"})})
        self.assertEqual(r["status"], "SUCCEEDED")
        self.assertEqual(self.out(r), {"x": 1, "res": {"body": "ok"}})
        data = self.data(r)
        self.assertEqual(data["afterParameters"], {"FunctionName": "f", "Payload": {"x": 1}})
        self.assertEqual(data["result"], {"StatusCode": 200, "Payload": "ok"})
        self.assertEqual(data["afterResultSelector"], {"body": "ok"})

    def test_retry_backoff_by_attempts_done(self):
        flaky = {"errorOutput": {"error": "Flaky", "cause": "try again"}}
        for done, backoff in ((0, 2), (1, 6), (2, 18)):
            r = self.call(self.TASK, input="{}", inspectionLevel="DEBUG", mock=flaky,
                          stateConfiguration={"retrierRetryCount": done})
            self.assertEqual((r["status"], r["error"], r["cause"]),
                             ("RETRIABLE", "Flaky", "try again"))
            self.assertEqual(r["inspectionData"]["errorDetails"],
                             {"retryIndex": 1, "retryBackoffIntervalSeconds": backoff})
            self.assertNotIn("output", r)
            self.assertNotIn("nextState", r)
        capped = self.call(self.TASK, input="{}", inspectionLevel="DEBUG",
                           mock={"errorOutput": {"error": "Capped", "cause": ""}},
                           stateConfiguration={"retrierRetryCount": 4})
        self.assertEqual(capped["inspectionData"]["errorDetails"],
                         {"retryIndex": 2, "retryBackoffIntervalSeconds": 25})

    def test_retries_used_up_fall_to_catch(self):
        r = self.call(self.TASK, input='{"keep": 1}', inspectionLevel="TRACE",
                      mock={"errorOutput": {"error": "Flaky", "cause": "still"}},
                      stateConfiguration={"retrierRetryCount": 3})
        self.assertEqual((r["status"], r["nextState"]), ("CAUGHT_ERROR", "Recover"))
        self.assertEqual(self.out(r), {"keep": 1, "err": {"Error": "Flaky", "Cause": "still"}})
        self.assertEqual(r["inspectionData"]["errorDetails"], {"retryIndex": 1, "catchIndex": 1})

    def test_retrier_used_up_is_named(self):
        d = {"Type": "Task", "Resource": LAMBDA_INVOKE, "Parameters": {"FunctionName": "f"},
             "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}], "End": True}
        flaky = {"errorOutput": {"error": "Flaky", "cause": "c"}}
        r = self.call(d, mock=flaky, inspectionLevel="DEBUG",
                      stateConfiguration={"retrierRetryCount": 2})
        self.assertEqual((r["status"], r["inspectionData"]["errorDetails"]),
                         ("FAILED", {"retryIndex": 0}))
        d["Catch"] = [{"ErrorEquals": ["Flaky"], "ResultPath": None, "Next": "Handle"}]
        r = self.call(d, mock=flaky, inspectionLevel="DEBUG", input='{"a": 1}',
                      stateConfiguration={"retrierRetryCount": 2})
        self.assertEqual((r["status"], r["nextState"], self.out(r)),
                         ("CAUGHT_ERROR", "Handle", {"a": 1}))
        self.assertEqual(r["inspectionData"]["errorDetails"], {"retryIndex": 0, "catchIndex": 0})
        # MaxAttempts 0: the retrier never retries.
        d["Retry"][0]["MaxAttempts"] = 0
        r = self.call(d, mock=flaky)
        self.assertEqual(r["status"], "CAUGHT_ERROR")

    def test_uncaught_mocked_error_fails(self):
        d = {"Type": "Task", "Resource": LAMBDA_INVOKE, "Parameters": {"FunctionName": "f"},
             "Catch": [{"ErrorEquals": ["Specific"], "Next": "H"}], "End": True}
        r = self.call(d, mock={"errorOutput": {"error": "Other", "cause": "c"}},
                      inspectionLevel="DEBUG")
        self.assertEqual((r["status"], r["error"], r["cause"]), ("FAILED", "Other", "c"))
        self.assertNotIn("errorDetails", r["inspectionData"])

    def test_context_object_made_up_and_given(self):
        d = state(Type="Task", Resource=LAMBDA_INVOKE,
                  Parameters={"FunctionName": "f", "Payload": {"ctx.$": "$$"}},
                  ResultPath=None, End=True)
        r = self.call(d, input='{"a": 1}', roleArn=ROLE, inspectionLevel="DEBUG",
                      mock={"result": "{}"}, stateConfiguration={"retrierRetryCount": 2})
        ctx = self.data(r)["afterParameters"]["Payload"]["ctx"]
        self.assertEqual(ctx["Execution"]["Input"], {"a": 1})
        self.assertEqual(ctx["Execution"]["RoleArn"], ROLE)
        machine = ctx["StateMachine"]["Name"]
        self.assertEqual(ctx["StateMachine"]["Id"],
                         f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{machine}")
        self.assertEqual(ctx["Execution"]["Id"], f"arn:aws:states:{REGION}:{ACCOUNT}:express:"
                                                 f"{machine}:{ctx['Execution']['Name']}")
        self.assertEqual((ctx["State"]["Name"], ctx["State"]["RetryCount"]), ("StateName", 2))
        given = {"Execution": {"Id": "x", "Input": {"from": "context"}}, "State": {"Name": "N"}}
        r = self.call(d, input='{"a": 1}', inspectionLevel="DEBUG", mock={"result": "{}"},
                      context=json.dumps(given))
        self.assertEqual(self.data(r)["afterParameters"]["Payload"]["ctx"], given)
        # A Pass state has no RetryCount, and no role gives a null RoleArn.
        r = self.call(state(Type="Pass", Parameters={"c.$": "$$"}, End=True))
        ctx = self.out(r)["c"]
        self.assertNotIn("RetryCount", ctx["State"])
        self.assertIsNone(ctx["Execution"]["RoleArn"])

    def test_given_context_object_is_checked(self):
        d = state(Type="Task", Resource=LAMBDA_INVOKE, Parameters={"FunctionName": "f"},
                  End=True)
        for context, problem in (
                ({"State": {"RetryCount": "1"}}, "State.RetryCount must be a number"),
                ({"StateMachine": {"Id": "x", "Version": 1}}, "Field 'Version' is not allowed"),
                ({"Execution": {"Name": ["n"]}}, "Execution.Name must be a string"),
                ({"Map": {"Item": {}}}, "'Map' field is not supported when mocking a Context "
                                        "object"),
                ({"Task": {"Token": "t"}}, "Context object contains 'Task' when state is not a "
                                          "Task state with a '.sync' or '.waitForTaskToken' "
                                          "service integration pattern")):
            self.assertError("ValidationException", "Invalid Context object provided: " + problem,
                             self.sfn.test_state, definition=d, mock={"result": "{}"},
                             context=json.dumps(context))
        # A callback Task may have one: its token is what the Parameters see.
        callback = state(Type="Task", Resource="arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                         Parameters={"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token"}},
                         Next="After")
        r = self.call(callback, mock={"result": '{"ok": 1}'}, inspectionLevel="DEBUG",
                      context=json.dumps({"Task": {"Token": "tok-1"}}))
        self.assertEqual(self.data(r)["afterParameters"]["MessageBody"], {"t": "tok-1"})
        self.assertEqual((r["nextState"], self.out(r)), ("After", {"ok": 1}))

    # --- mock validation ----------------------------------------------------------------------

    def test_reveal_secrets_with_a_mock(self):
        self.assertError("ValidationException",
                         "TestState does not support RevealSecrets when a mock is specified.",
                         self.sfn.test_state,
                         definition=state(Type="Task", Resource=LAMBDA_INVOKE,
                                          Parameters={"FunctionName": "f"}, End=True),
                         revealSecrets=True, mock={"errorOutput": {"error": "E"}})

    def test_states_that_take_no_mock(self):
        for d in (state(Type="Wait", Seconds=1, End=True),
                  state(Type="Choice", Choices=[{"Variable": "$.a", "IsPresent": True,
                                                 "Next": "X"}])):
            t = json.loads(d)["Type"]
            self.assertError("ValidationException",
                             f"State type '{t}' is not supported when a mock is specified",
                             self.sfn.test_state, definition=d, mock={"result": "{}"})

    def test_mocks_needed(self):
        self.assertError("ValidationException",
                         "RoleArn must be specified when testing a Task state",
                         self.sfn.test_state,
                         definition=state(Type="Task", Resource="arn:aws:states:::dynamodb:"
                                          "getItem", Parameters={"TableName": "t"}, End=True))
        sync = state(Type="Task", Resource="arn:aws:states:::states:startExecution.sync:2",
                     Parameters={"StateMachineArn": "arn"}, End=True)
        self.assertError("ValidationException", None, self.sfn.test_state, definition=sync,
                         roleArn=ROLE)
        # With a mock, neither a role nor a real call is needed; .sync results are not
        # validated against the start call's output.
        r = self.call(sync, mock={"result": '{"Output": "anything"}'})
        self.assertEqual(self.out(r), {"Output": "anything"})
        parallel = state(Type="Parallel", Branches=[
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}], End=True)
        self.assertError("InvalidDefinition", None, self.sfn.test_state, definition=parallel,
                         roleArn=ROLE)

    def test_validation_modes(self):
        start = state(Type="Task", Resource="arn:aws:states:::states:startExecution",
                      Parameters={"StateMachineArn": "arn"}, End=True)
        missing = '{"ExecutionArn": "arn:aws:states:us-east-1:1:execution:m:e"}'
        self.assertError("ValidationException",
                         "Mock result schema validation error: Required field 'StartDate' is "
                         "missing", self.sfn.test_state, definition=start,
                         mock={"result": missing})
        r = self.call(start, mock={"result": missing, "fieldValidationMode": "PRESENT"})
        self.assertEqual(r["status"], "SUCCEEDED")
        # Members in the model's order: the first problem answers.
        wrong = '{"StartDate": 1, "ExecutionArn": 5}'
        self.assertError("ValidationException",
                         "Mock result schema validation error: Field 'ExecutionArn' must be a "
                         "string", self.sfn.test_state, definition=start,
                         mock={"result": wrong, "fieldValidationMode": "PRESENT"})
        self.assertError("ValidationException",
                         "Mock result schema validation error: Field 'StartDate' must be a "
                         "string", self.sfn.test_state, definition=start,
                         mock={"result": '{"ExecutionArn": "a", "StartDate": 1}'})
        r = self.call(start, mock={"result": wrong, "fieldValidationMode": "NONE"})
        self.assertEqual(self.out(r), {"StartDate": 1, "ExecutionArn": 5})
        # The model's member names (executionArn) are not the integration's.
        self.assertError("ValidationException",
                         "Mock result schema validation error: Required field 'ExecutionArn' is "
                         "missing", self.sfn.test_state, definition=start,
                         mock={"result": '{"executionArn": "a", "startDate": "b"}'})
        # Inside a map of structures (DynamoDB's Item), through the SDK integration's name.
        get = state(Type="Task", Resource="arn:aws:states:::aws-sdk:dynamodb:getItem",
                    Parameters={"TableName": "t", "Key": {}}, End=True)
        self.assertError("ValidationException",
                         "Mock result schema validation error: Field 'BOOL' must be a boolean",
                         self.sfn.test_state, definition=get,
                         mock={"result": '{"Item": {"a": {"S": "x"}, "b": {"BOOL": "yes"}}}'})
        self.assertError("ValidationException",
                         "Mock result schema validation error: Field 'Item' must be an object",
                         self.sfn.test_state, definition=get, mock={"result": '{"Item": []}'})
        # Bounds and enums of nested members; a blob is a string, Lambda's Payload too.
        get_fn = state(Type="Task", Resource="arn:aws:states:::aws-sdk:lambda:getFunction",
                       Parameters={"FunctionName": "f"}, End=True)
        for config, problem in (({"Timeout": 0}, "'Timeout' is less than the minimum value"),
                                ({"EphemeralStorage": {"Size": 10241}},
                                 "'Size' exceeds the maximum value"),
                                ({"Runtime": "cobol85"}, "'Runtime' is not an expected value")):
            self.assertError("ValidationException",
                             f"Mock result schema validation error: Field {problem}",
                             self.sfn.test_state, definition=get_fn,
                             mock={"result": json.dumps({"Configuration": config})})
        r = self.call(get_fn, mock={"result": '{"Configuration": {"Runtime": "python3.12"}}'})
        self.assertEqual(r["status"], "SUCCEEDED")
        invoke = state(Type="Task", Resource=LAMBDA_INVOKE, Parameters={"FunctionName": "f"},
                       End=True)
        self.assertError("ValidationException",
                         "Mock result schema validation error: Field 'Payload' must be a string",
                         self.sfn.test_state, definition=invoke,
                         mock={"result": '{"StatusCode": 200, "Payload": {"a": 1}}'})
        # A string longer than the model allows; unknown members are fine.
        self.assertError("ValidationException",
                         "Mock result schema validation error: Field 'ExecutionArn' exceeds the "
                         "maximum length", self.sfn.test_state, definition=start,
                         mock={"result": json.dumps({"ExecutionArn": "a" * 257,
                                                     "StartDate": "now"})})
        r = self.call(start, mock={"result": '{"ExecutionArn": "a", "StartDate": "b", "x": 1}'})
        self.assertEqual(r["status"], "SUCCEEDED")
        # Lambda function ARNs have no API shape: any result.
        fn = state(Type="Task", Resource=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f",
                   End=True)
        self.assertEqual(self.out(self.call(fn, mock={"result": "[1]"})), [1])

    def test_mock_forms_for_map_and_parallel(self):
        parallel = {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}},
            {"StartAt": "C", "States": {"C": {"Type": "Pass", "End": True}}}]}
        self.assertError("ValidationException",
                         "Mocked result must contain the same number of items as number of "
                         "Parallel branches.", self.sfn.test_state,
                         definition=json.dumps(parallel), mock={"result": "[1, 2]"})
        r = self.call(dict(parallel, ResultSelector={"second.$": "$[1]"}),
                      mock={"result": "[1, 2, 3]"})
        self.assertEqual(self.out(r), {"second": 2})
        mapd = {"Type": "Map", "ItemsPath": "$.items", "End": True,
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass",
                                                                   "End": True}}}}
        self.assertError("ValidationException", "Mocked result must be an array.",
                         self.sfn.test_state, definition=json.dumps(mapd),
                         mock={"result": "{}"})
        self.assertError("ValidationException",
                         "A test mock should have only one of the following fields: "
                         "[result, errorOutput].", self.sfn.test_state,
                         definition=json.dumps(mapd),
                         mock={"result": "[]", "errorOutput": {"error": "E"}})

    # --- Map -------------------------------------------------------------------------------

    def test_map_tolerated_failure_percentage(self):
        mapd = {"Type": "Map", "ItemsPath": "$.items", "ToleratedFailurePercentage": 25,
                "MaxConcurrency": 2, "ItemSelector": {"v.$": "$$.Map.Item.Value",
                                                      "i.$": "$$.Map.Item.Index"},
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass",
                                                                   "End": True}}},
                "Catch": [{"ErrorEquals": ["States.ExceedToleratedFailureThreshold"],
                           "Next": "TooMany"}],
                "Next": "Done"}
        inp = '{"items": ["a", "b", "c", "d"]}'
        r = self.call(mapd, input=inp, inspectionLevel="DEBUG", mock={"result": "[1, 2]"},
                      stateConfiguration={"mapIterationFailureCount": 1})
        self.assertEqual((r["status"], r["nextState"], self.out(r)), ("SUCCEEDED", "Done",
                                                                       [1, 2]))
        data = self.data(r)
        self.assertEqual(data["afterItemsPath"], ["a", "b", "c", "d"])
        self.assertEqual(data["afterItemSelector"][2], {"v": "c", "i": 2})
        self.assertEqual((data["maxConcurrency"], data["toleratedFailurePercentage"]), (2, 25))
        r = self.call(mapd, input=inp, mock={"result": "[1, 2]"},
                      stateConfiguration={"mapIterationFailureCount": 2})
        self.assertEqual((r["status"], r["nextState"], r["error"]),
                         ("CAUGHT_ERROR", "TooMany", "States.ExceedToleratedFailureThreshold"))
        self.assertEqual(self.out(r)["Cause"],
                         "The specified tolerated failure threshold was exceeded")
        # Without a threshold, failed iterations alone do not fail the test.
        del mapd["ToleratedFailurePercentage"]
        r = self.call(mapd, input=inp, mock={"result": "[]"},
                      stateConfiguration={"mapIterationFailureCount": 4})
        self.assertEqual(r["status"], "SUCCEEDED")
        r = self.call(mapd, input='{"items": 1}', mock={"result": "[]"})
        self.assertEqual((r["status"], r["error"], r["cause"]),
                         ("FAILED", "States.Runtime",
                          'Reference path "$.items" must point to array.'))
        r = self.call(dict(mapd, ItemsPath="$$.Execution"), mock={"result": "[]"})
        self.assertEqual(r["cause"], 'Reference path "$.Execution" must point to array.')

    def test_map_item_batcher(self):
        mapd = {"Type": "Map", "ItemsPath": "$.items", "End": True,
                "ItemSelector": {"n.$": "$$.Map.Item.Value"},
                "ItemBatcher": {"MaxItemsPerBatchPath": "$.per", "BatchInput": {"tag.$": "$.tag"}},
                "ToleratedFailureCount": 1,
                "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED",
                                                      "ExecutionType": "STANDARD"},
                                  "StartAt": "P", "States": {"P": {"Type": "Pass",
                                                                   "End": True}}}}
        inp = json.dumps({"items": [1, 2, 3, 4, 5], "per": 2, "tag": "t"})
        r = self.call(mapd, input=inp, inspectionLevel="DEBUG", mock={"result": "[]"},
                      stateConfiguration={"mapIterationFailureCount": 1})
        self.assertEqual(r["status"], "SUCCEEDED")
        self.assertEqual(self.data(r)["afterItemBatcher"], [
            {"BatchInput": {"tag": "t"}, "Items": [{"n": 1}, {"n": 2}]},
            {"BatchInput": {"tag": "t"}, "Items": [{"n": 3}, {"n": 4}]},
            {"BatchInput": {"tag": "t"}, "Items": [{"n": 5}]}])
        # The failure count is weighed against iterations, which are batches here.
        mapd["ToleratedFailurePercentage"] = 50
        del mapd["ToleratedFailureCount"]
        r = self.call(mapd, input=inp, mock={"result": "[]"},
                      stateConfiguration={"mapIterationFailureCount": 2})
        self.assertEqual(r["error"], "States.ExceedToleratedFailureThreshold")
        r = self.call(mapd, input=json.dumps({"items": [1, 2, 3], "per": 0, "tag": "t"}),
                      mock={"result": "[]"})
        self.assertEqual((r["status"], r["error"]), ("FAILED", "States.Runtime"))

    # --- a state of a whole machine ---------------------------------------------------------

    def test_state_of_a_machine(self):
        machine = json.dumps({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Result": 1, "ResultPath": "$.a", "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"b.$": "$.x"}, "Next": "C"},
            "C": {"Type": "Succeed"}}})
        r = self.call(machine, stateName="B", input='{"x": 7}')
        self.assertEqual((r["nextState"], self.out(r)), ("C", {"b": 7}))
        self.assertError("ValidationException", "State not found in definition",
                         self.sfn.test_state, definition=machine, stateName="Z")
        # A state inside a Map's item processor or a Parallel branch can be tested too.
        nested = json.dumps({"StartAt": "M", "States": {
            "M": {"Type": "Map", "ItemsPath": "$.xs", "End": True, "ItemProcessor": {
                "StartAt": "Inner", "States": {
                    "Inner": {"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.v, $.v)"},
                              "End": True}}}},
        }})
        r = self.call(nested, stateName="Inner", input='{"v": 4}')
        self.assertEqual(self.out(r), {"doubled": 8})
        self.assertNotIn("nextState", r)
        par = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True,
                          "Branches": [{"StartAt": "B", "States": {
                              "B": {"Type": "Choice", "Default": "C", "Choices": [
                                  {"Variable": "$.n", "NumericEquals": 1, "Next": "D"}]},
                              "C": {"Type": "Succeed"}, "D": {"Type": "Succeed"}}}]}}})
        self.assertEqual(self.call(par, stateName="B", input='{"n": 1}')["nextState"], "D")
        broken = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Q"}}})
        self.assertError("InvalidDefinition", None, self.sfn.test_state, definition=broken,
                         stateName="A")

    # --- JSONata states ----------------------------------------------------------------------

    def jsonata(self, **fields):
        return state(QueryLanguage="JSONata", **fields)

    def test_jsonata_pass_output_and_assign_see_the_same_variables(self):
        # Assign and Output are evaluated against the variables as they were; inspectionData has
        # none of the JSONPath steps, and variables shows the given ones merged with the Assign.
        d = self.jsonata(Type="Pass", Assign={"n": "{% $n + 1 %}", "seen": "{% $states.input.a %}"},
                         Output={"old": "{% $n %}", "sum": "{% $sum($states.input.xs) %}"},
                         Next="After")
        r = self.call(d, input='{"a": "x", "xs": [1, 2, 3]}', variables='{"n": 41, "keep": true}',
                      inspectionLevel="DEBUG")
        self.assertEqual((r["status"], r["nextState"]), ("SUCCEEDED", "After"))
        self.assertEqual(self.out(r), {"old": 41, "sum": 6})
        self.assertEqual(self.data(r), {"input": {"a": "x", "xs": [1, 2, 3]},
                                        "variables": {"n": 42, "keep": True, "seen": "x"}})
        # Without Output the input passes on; without variables none are shown.
        r = self.call(self.jsonata(Type="Pass", End=True), input='[1]', inspectionLevel="TRACE")
        self.assertEqual((self.out(r), self.data(r)), ([1], {"input": [1]}))

    def test_jsonata_task_mock_arguments_result_output(self):
        d = self.jsonata(Type="Task", Resource=LAMBDA_INVOKE,
                         Arguments={"FunctionName": "f", "Payload": "{% $states.input.v * 2 %}"},
                         Assign={"code": "{% $states.result.StatusCode %}"},
                         Output="{% $states.result.Payload & '/' & $states.input.v %}", End=True)
        mock = {"result": json.dumps({"StatusCode": 200, "Payload": "done"})}
        r = self.call(d, input='{"v": 21}', mock=mock, inspectionLevel="DEBUG")
        self.assertEqual((r["status"], self.out(r)), ("SUCCEEDED", "done/21"))
        self.assertEqual(self.data(r), {
            "input": {"v": 21},
            "afterArguments": {"FunctionName": "f", "Payload": 42},
            "result": {"StatusCode": 200, "Payload": "done"},
            "variables": {"code": 200}})
        # At INFO only the output; without Output the result is the output.
        d2 = self.jsonata(Type="Task", Resource=LAMBDA_INVOKE,
                          Arguments={"FunctionName": "f"}, End=True)
        r = self.call(d2, mock=mock)
        self.assertNotIn("inspectionData", r)
        self.assertEqual(self.out(r), {"StatusCode": 200, "Payload": "done"})

    def test_jsonata_retry_then_catch_over_error_output(self):
        d = self.jsonata(Type="Task", Resource=LAMBDA_INVOKE, Arguments={"FunctionName": "f"},
                         Retry=[{"ErrorEquals": ["Boom"], "MaxAttempts": 2, "IntervalSeconds": 3,
                                 "BackoffRate": 2}],
                         Catch=[{"ErrorEquals": ["Other"], "Next": "X"},
                                {"ErrorEquals": ["States.ALL"], "Next": "Handler",
                                 "Assign": {"why": "{% $states.errorOutput.Cause %}"},
                                 "Output": {"e": "{% $states.errorOutput.Error %}",
                                            "in": "{% $states.input.k %}"}}],
                         End=True)
        mock = {"errorOutput": {"error": "Boom", "cause": "bad"}}
        r = self.call(d, input='{"k": 5}', mock=mock, inspectionLevel="DEBUG",
                      stateConfiguration={"retrierRetryCount": 1})
        self.assertEqual((r["status"], r["error"], r["cause"]), ("RETRIABLE", "Boom", "bad"))
        self.assertEqual(self.data(r)["errorDetails"],
                         {"retryBackoffIntervalSeconds": 6, "retryIndex": 0})
        r = self.call(d, input='{"k": 5}', mock=mock, inspectionLevel="DEBUG",
                      stateConfiguration={"retrierRetryCount": 2})
        self.assertEqual((r["status"], r["nextState"]), ("CAUGHT_ERROR", "Handler"))
        self.assertEqual(self.out(r), {"e": "Boom", "in": 5})
        data = self.data(r)
        self.assertEqual(data["errorDetails"], {"retryIndex": 0, "catchIndex": 1})
        self.assertEqual(data["variables"], {"why": "bad"})
        self.assertNotIn("result", data)
        # A catcher without Output passes the error output on.
        r = self.call(d, mock={"errorOutput": {"error": "Other", "cause": "c"}})
        self.assertEqual((r["status"], r["nextState"], self.out(r)),
                         ("CAUGHT_ERROR", "X", {"Error": "Other", "Cause": "c"}))

    def test_jsonata_query_evaluation_error_is_an_error_of_the_state(self):
        d = self.jsonata(Type="Task", Resource=LAMBDA_INVOKE, Arguments={"FunctionName": "f"},
                         Output="{% $states.result.nope %}", End=True)
        r = self.call(d, mock={"result": '{"StatusCode": 200}'})
        self.assertEqual((r["status"], r["error"]), ("FAILED", "States.QueryEvaluationError"))
        self.assertIn("$states.result.nope", r["cause"])
        caught = self.jsonata(Type="Task", Resource=LAMBDA_INVOKE,
                              Arguments={"FunctionName": "{% $states.input.missing %}"},
                              Catch=[{"ErrorEquals": ["States.QueryEvaluationError"],
                                      "Next": "Q"}], End=True)
        r = self.call(caught, mock={"result": '{"StatusCode": 200}'}, inspectionLevel="DEBUG")
        self.assertEqual((r["status"], r["nextState"]), ("CAUGHT_ERROR", "Q"))
        self.assertEqual(self.out(r)["Error"], "States.QueryEvaluationError")
        self.assertNotIn("afterArguments", self.data(r))
        # A Pass state has no catchers: the error fails it.
        r = self.call(self.jsonata(Type="Pass", Output="{% $x.y %}", End=True),
                      variables='{"x": 1}')
        self.assertEqual((r["status"], r["error"]), ("FAILED", "States.QueryEvaluationError"))

    def test_jsonata_choice_wait_succeed_fail(self):
        choice = self.jsonata(Type="Choice", Choices=[
            {"Condition": "{% $states.input.n > $limit %}", "Next": "Big",
             "Output": {"big": "{% $states.input.n %}"}, "Assign": {"which": "big"}}],
            Default="Small", Assign={"which": "small"})
        r = self.call(choice, input='{"n": 9}', variables='{"limit": 5}', inspectionLevel="DEBUG")
        self.assertEqual((r["nextState"], self.out(r)), ("Big", {"big": 9}))
        self.assertEqual(self.data(r)["variables"], {"limit": 5, "which": "big"})
        r = self.call(choice, input='{"n": 1}', variables='{"limit": 5}', inspectionLevel="DEBUG")
        self.assertEqual((r["nextState"], self.out(r)), ("Small", {"n": 1}))
        self.assertEqual(self.data(r)["variables"], {"limit": 5, "which": "small"})
        wait = self.jsonata(Type="Wait", Seconds="{% $states.input.s %}", Next="N")
        start = time.monotonic()
        r = self.call(wait, input='{"s": 600}')
        self.assertLess(time.monotonic() - start, 5)
        self.assertEqual((r["status"], r["nextState"]), ("SUCCEEDED", "N"))
        r = self.call(wait, input='{"s": "soon"}')
        self.assertEqual((r["status"], r["error"]), ("FAILED", "States.QueryEvaluationError"))
        r = self.call(self.jsonata(Type="Succeed", Output="{% $states.input.a %}"),
                      input='{"a": [true]}')
        self.assertEqual((r["status"], self.out(r)), ("SUCCEEDED", [True]))
        fail = self.jsonata(Type="Fail", Error="{% 'E.' & $states.input.code %}",
                            Cause="{% $states.context.State.Name %}")
        r = self.call(fail, input='{"code": "X"}')
        self.assertEqual((r["status"], r["error"], r["cause"]), ("FAILED", "E.X", "StateName"))

    def test_jsonata_map_and_parallel_with_mocks(self):
        m = self.jsonata(Type="Map", Items="{% $states.input.xs %}",
                         ItemProcessor={"StartAt": "I", "States": {"I": {"Type": "Pass",
                                                                         "End": True}}},
                         MaxConcurrency="{% $states.input.mc %}",
                         ToleratedFailurePercentage="{% $states.input.pct %}",
                         Output={"n": "{% $count($states.result) %}"}, End=True)
        inp = json.dumps({"xs": [1, 2, 3, 4], "mc": 2, "pct": 50})
        r = self.call(m, input=inp, mock={"result": "[1, 2, 3, 4]"}, inspectionLevel="DEBUG",
                      stateConfiguration={"mapIterationFailureCount": 2})
        self.assertEqual((r["status"], self.out(r)), ("SUCCEEDED", {"n": 4}))
        self.assertEqual(self.data(r), {"input": json.loads(inp), "maxConcurrency": 2,
                                        "toleratedFailurePercentage": 50.0})
        r = self.call(m, input=inp, mock={"result": "[]"},
                      stateConfiguration={"mapIterationFailureCount": 3})
        self.assertEqual((r["status"], r["error"]),
                         ("FAILED", "States.ExceedToleratedFailureThreshold"))
        r = self.call(m, input=json.dumps({"xs": {"no": 1}, "mc": 2, "pct": 50}),
                      mock={"result": "[]"})
        self.assertEqual((r["status"], r["error"]), ("FAILED", "States.QueryEvaluationError"))
        p = self.jsonata(Type="Parallel", Arguments={"k": "{% $states.input.k %}"},
                         Branches=[{"StartAt": b, "States": {b: {"Type": "Succeed"}}}
                                   for b in ("B1", "B2")],
                         Output="{% $states.result[1] %}", Next="After")
        r = self.call(p, input='{"k": 7}', mock={"result": '["a", "b"]'}, inspectionLevel="DEBUG")
        self.assertEqual((r["status"], r["nextState"], self.out(r)), ("SUCCEEDED", "After", "b"))
        self.assertEqual(self.data(r), {"input": {"k": 7}, "afterArguments": {"k": 7}})

    def test_jsonata_state_of_a_machine_with_context_and_variables(self):
        # The machine's QueryLanguage applies to the state; variables it reads by name are the
        # request's, whatever the order the definition first names them in.
        machine = json.dumps({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"b": 1, "a": 2}, "Next": "B"},
            "B": {"Type": "Pass", "Output": {"a": "{% $a %}", "b": "{% $b %}",
                                             "exec": "{% $states.context.Execution.Name %}",
                                             "unset": "{% $exists($c) %}"},
                  "End": True}}})
        context = json.dumps({"Execution": {"Name": "given"}})
        r = self.call(machine, stateName="B", variables='{"a": "A", "b": "B"}', context=context)
        self.assertEqual(self.out(r), {"a": "A", "b": "B", "exec": "given", "unset": False})
        # A JSONata machine's states cannot go back to JSONPath (as CreateStateMachine).
        mixed = json.dumps({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "QueryLanguage": "JSONPath", "InputPath": "$.x", "End": True}}})
        self.assertError("InvalidDefinition", None, self.sfn.test_state, definition=mixed,
                         stateName="A")

    def test_jsonata_map_item_reader_takes_arguments(self):
        machine = json.dumps({"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {
            "Type": "Map", "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                                          "ReaderConfig": {"InputType": "JSON"},
                                          "Arguments": {"Bucket": "{% $states.input.b %}",
                                                        "Key": "k"}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED",
                                                  "ExecutionType": "STANDARD"},
                              "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
            "ToleratedFailureCount": 1, "End": True}}})
        r = self.call(machine, stateName="M", input='{"b": "bucket"}', mock={"result": "[0]"},
                      stateConfiguration={"mapItemReaderData": "[1, 2, 3]",
                                          "mapIterationFailureCount": 2})
        self.assertEqual((r["status"], r["error"]),
                         ("FAILED", "States.ExceedToleratedFailureThreshold"))
        # Parameters belongs to JSONPath: refused in a JSONata ItemReader.
        bad = json.loads(machine)
        reader = bad["States"]["M"]["ItemReader"]
        reader["Parameters"] = reader.pop("Arguments")
        self.assertError("InvalidDefinition", None, self.sfn.test_state,
                         definition=json.dumps(bad), stateName="M")

    def test_jsonata_unmocked_task_calls_the_server(self):
        ddb = dynamodb_client(self.server.endpoint)
        ddb.create_table(TableName="ts-jn-table",
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        ddb.put_item(TableName="ts-jn-table", Item={"id": {"S": "k"}, "v": {"N": "8"}})
        get = self.jsonata(Type="Task", Resource="arn:aws:states:::dynamodb:getItem",
                           Arguments={"TableName": "ts-jn-table",
                                      "Key": {"id": {"S": "{% $states.input.id %}"}}},
                           Output="{% $number($states.result.Item.v.N) %}", End=True)
        r = self.call(get, input='{"id": "k"}', roleArn=ROLE, inspectionLevel="DEBUG")
        self.assertEqual((r["status"], self.out(r)), ("SUCCEEDED", 8))
        self.assertEqual(self.data(r)["result"]["Item"]["v"], {"N": "8"})

    def test_bad_requests(self):
        self.assertError("InvalidDefinition", None, self.sfn.test_state, definition="{not json")
        self.assertError("InvalidDefinition", None, self.sfn.test_state,
                         definition=state(Type="Pass", Bogus=1, End=True))
        self.assertError("InvalidExecutionInput", None, self.sfn.test_state,
                         definition=state(Type="Pass", End=True), input="{")

    # --- an unmocked Task calls the server's own services ------------------------------------

    def test_unmocked_dynamodb_task(self):
        ddb = dynamodb_client(self.server.endpoint)
        ddb.create_table(TableName="ts-table", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        put = state(Type="Task", Resource="arn:aws:states:::dynamodb:putItem",
                    Parameters={"TableName": "ts-table", "Item": {"id": {"S.$": "$.id"},
                                                            "v": {"N": "3"}}},
                    ResultPath=None, Next="Get")
        r = self.call(put, input='{"id": "k1"}', roleArn=ROLE)
        self.assertEqual((r["status"], r["nextState"], self.out(r)),
                         ("SUCCEEDED", "Get", {"id": "k1"}))
        item = ddb.get_item(TableName="ts-table", Key={"id": {"S": "k1"}})["Item"]
        self.assertEqual(item["v"], {"N": "3"})
        get = state(Type="Task", Resource="arn:aws:states:::dynamodb:getItem",
                    Parameters={"TableName": "ts-table", "Key": {"id": {"S": "k1"}}},
                    ResultSelector={"v.$": "$.Item.v.N"}, End=True)
        self.assertEqual(self.out(self.call(get, roleArn=ROLE)), {"v": "3"})
        missing = state(Type="Task", Resource="arn:aws:states:::dynamodb:getItem",
                        Parameters={"TableName": "no-such-table", "Key": {"id": {"S": "k"}}},
                        End=True)
        r = self.call(missing, roleArn=ROLE)
        self.assertEqual((r["status"], r["error"]),
                         ("FAILED", "DynamoDB.ResourceNotFoundException"))


if __name__ == "__main__":
    ctest_unittest.main()
