#!/usr/bin/env python3
"""Integration tests of JSONata states (`QueryLanguage: JSONata`) through boto3 against a real
`stator serve`: definition-time rules as CreateStateMachine reports them, Arguments/Output/Assign,
Choice conditions, Map Items and ItemSelector, Wait and Fail expressions, AWS's extra functions,
and States.QueryEvaluationError with its EvaluationFailed event in GetExecutionHistory.

    python3 tests/api/test_jsonata_states.py [-v]
"""

import json
import os
import sys
import time
import unittest

sys.dont_write_bytecode = True

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stator_server import ACCOUNT, ClientErrorAssertion, SharedServer  # noqa: E402
import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

ROLE = f"arn:aws:iam::{ACCOUNT}:role/StatorRole"


def jsonata(states, start=None, **top):
    return json.dumps({"QueryLanguage": "JSONata", "StartAt": start or next(iter(states)),
                       "States": states, **top})


class JsonataStatesTest(SharedServer, ClientErrorAssertion, unittest.TestCase):
    counter = 0

    def run_machine(self, definition, input_value):
        """Creates a machine, runs it with input_value; returns (describe, history events)."""
        JsonataStatesTest.counter += 1
        arn = self.sfn.create_state_machine(name=f"jn{self.counter}", definition=definition,
                                            roleArn=ROLE)["stateMachineArn"]
        ex = self.sfn.start_execution(stateMachineArn=arn,
                                      input=json.dumps(input_value))["executionArn"]
        deadline = time.time() + 15
        while True:
            d = self.sfn.describe_execution(executionArn=ex)
            if d["status"] != "RUNNING":
                break
            self.assertLess(time.time(), deadline, "execution still RUNNING")
            time.sleep(0.02)
        events = self.sfn.get_execution_history(executionArn=ex)["events"]
        return d, events

    def test_pass_chain_with_variables_and_output(self):
        d, events = self.run_machine(jsonata({
            "A": {"Type": "Pass", "Assign": {"total": "{% $sum($states.input.values) %}"},
                  "Output": {"n": "{% $count($states.input.values) %}"}, "Next": "B"},
            "B": {"Type": "Pass", "Output": {"avg": "{% $total / $states.input.n %}",
                                             "ctx": "{% $states.context.State.Name %}"},
                  "End": True}}), {"values": [1, 2, 3, 6]})
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"]), {"avg": 3, "ctx": "B"})
        exited = [e for e in events if e["type"] == "PassStateExited"][0]
        self.assertEqual(exited["stateExitedEventDetails"]["assignedVariables"],
                         {"total": "12"})
        self.assertEqual(d["output"], '{"avg":3,"ctx":"B"}')  # integral numbers print as integers

    def test_definition_time_rules(self):
        cases = [
            ({"A": {"Type": "Pass", "InputPath": "$.x", "End": True}},
             "SCHEMA_VALIDATION_FAILED: The QueryLanguage is set to 'JSONata', but field "
             "'InputPath' is only supported for the 'JSONPath' QueryLanguage at /States/A/InputPath"),
            ({"A": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}},
             "SCHEMA_VALIDATION_FAILED: 'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' "
             "for whole state machine at /States/A"),
            ({"A": {"Type": "Pass", "Output": "{% $states.result %}", "End": True}},
             "SCHEMA_VALIDATION_FAILED: The JSONata expression '$states.result' specified for the "
             "field 'Output' references '$states.result', which is not available in this field "
             "at /States/A/Output"),
        ]
        for states, message in cases:
            with self.subTest(message=message):
                self.assertError("InvalidDefinition",
                                 f"Invalid State Machine Definition: '{message}'",
                                 self.sfn.create_state_machine, name="bad",
                                 definition=jsonata(states), roleArn=ROLE)
        # A syntax error is caught when the definition is created, not when it runs.
        self.assertError("InvalidDefinition",
                         "Invalid State Machine Definition: 'INVALID_JSONATA_EXPRESSION: "
                         "Unexpected end of expression at /States/A/Output/v'",
                         self.sfn.create_state_machine, name="bad", definition=jsonata(
                             {"A": {"Type": "Pass", "Output": {"v": "{% 1 + %}"}, "End": True}}),
                         roleArn=ROLE)

    def test_choice_map_and_functions(self):
        d, _ = self.run_machine(jsonata({
            "C": {"Type": "Choice", "Choices": [
                {"Condition": "{% $count($states.input.items) > 2 %}", "Next": "M"}],
                  "Default": "Few"},
            "Few": {"Type": "Fail", "Error": "TooFew", "Cause": "{% 'only ' & $string($count($states.input.items)) %}"},
            "M": {"Type": "Map", "Items": "{% $partition($states.input.items, 2) %}",
                  "ItemSelector": {"chunk": "{% $states.context.Map.Item.Value %}",
                                   "i": "{% $states.context.Map.Item.Index %}"},
                  "ItemProcessor": {"StartAt": "S", "States": {
                      "S": {"Type": "Pass", "Output": "{% $sum($states.input.chunk) %}",
                            "End": True}}},
                  "Output": {"sums": "{% $states.result %}",
                             "hash": "{% $hash('abc', 'MD5') %}"},
                  "End": True}}), {"items": [1, 2, 3, 4, 5]})
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"]),
                         {"sums": [3, 7, 5], "hash": "900150983cd24fb0d6963f7d28e17f72"})
        d, _ = self.run_machine(jsonata({
            "C": {"Type": "Choice", "Choices": [
                {"Condition": "{% $count($states.input.items) > 2 %}", "Next": "F"}],
                  "Default": "F"},
            "F": {"Type": "Fail", "Error": "TooFew",
                  "Cause": "{% 'only ' & $string($count($states.input.items)) %}"}}),
            {"items": [1]})
        self.assertEqual((d["status"], d["error"], d["cause"]), ("FAILED", "TooFew", "only 1"))

    def test_query_evaluation_error_and_its_event(self):
        d, events = self.run_machine(jsonata({
            "M": {"Type": "Map", "Items": "{% $states.input.items %}",
                  "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass",
                                                                     "End": True}}},
                  "End": True}}), {"items": "not a list"})
        cause = ("An error occurred while executing the state 'M' (entered at the event id #2). "
                 "The JSONata expression '$states.input.items' specified for the field 'Items' "
                 "returned an unexpected result type. Expected 'array', but was 'string' for "
                 "value: \"not a list\"")
        self.assertEqual((d["status"], d["error"], d["cause"]),
                         ("FAILED", "States.QueryEvaluationError", cause))
        self.assertEqual([e["type"] for e in events],
                         ["ExecutionStarted", "MapStateEntered", "EvaluationFailed",
                          "MapStateFailed", "ExecutionFailed"])
        self.assertEqual(events[2]["evaluationFailedEventDetails"],
                         {"error": "States.QueryEvaluationError", "cause": cause,
                          "location": "Items", "state": "M"})

    def test_catch_a_query_evaluation_error(self):
        d, _ = self.run_machine(jsonata({
            "P": {"Type": "Parallel", "Arguments": "{% $states.input.missing %}",
                  "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}],
                  "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"],
                             "Output": {"error": "{% $states.errorOutput.Error %}",
                                        "was": "{% $states.input %}"},
                             "Next": "Done"}],
                  "End": True},
            "Done": {"Type": "Succeed"}}), {"k": 1})
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"]),
                         {"error": "States.QueryEvaluationError", "was": {"k": 1}})


if __name__ == "__main__":
    ctest_unittest.main()
