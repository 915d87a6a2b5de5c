#!/usr/bin/env python3
"""Tests of the stator command line as a user meets it: usage errors, exit codes, bad files,
the --json shape, task commands, mock configurations and time scales.

usage: cli_test.py [unittest options]   (STATOR=path/to/stator, default: build/stator)
"""

import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
import unittest

import ctest_unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATOR = os.path.abspath(os.environ.get("STATOR") or os.path.join(ROOT, "build", "stator"))

PASS_DEF = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
FAIL_DEF = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "MyError",
                                               "Cause": "it went wrong"}}}
TASK_DEF = {"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "End": True}}}
CONTEXT_DEF = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {
    "execution.$": "$$.Execution.Id", "name.$": "$$.Execution.Name",
    "role.$": "$$.Execution.RoleArn", "machine.$": "$$.StateMachine.Id",
    "machineName.$": "$$.StateMachine.Name"}, "End": True}}}


def wait_def(seconds):
    return {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": seconds, "End": True}}}


class CliTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def write(self, name, content):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            f.write(content if isinstance(content, str) else json.dumps(content))
        return path

    def stator(self, *args, stdin=None):
        proc = subprocess.run([STATOR, *args], input=stdin, capture_output=True, text=True,
                              timeout=60)
        self.assertGreaterEqual(proc.returncode, 0,
                                f"stator {shlex.join(args)} died by signal: {proc.stderr}")
        return proc

    def assert_one_line_error(self, proc, code, contains):
        self.assertEqual(proc.returncode, code, proc.stderr)
        lines = proc.stderr.splitlines()
        self.assertEqual(len(lines), 1, f"expected one line on stderr, got {proc.stderr!r}")
        self.assertTrue(lines[0].startswith("stator: "), lines[0])
        self.assertIn(contains, lines[0])

    def run_json(self, definition, *args):
        path = self.write("def.json", definition)
        proc = self.stator("run", "-f", path, "--json", *args)
        try:
            return proc, json.loads(proc.stdout)
        except ValueError:
            self.fail(f"stdout is not JSON: {proc.stdout!r} (stderr {proc.stderr!r})")

    # ---- help, version, usage

    def test_no_arguments_prints_usage(self):
        proc = self.stator()
        self.assertEqual(proc.returncode, 64)
        self.assertIn("usage:", proc.stderr)

    def test_help_and_version(self):
        for args in (["--help"], ["-h"], ["help"]):
            proc = self.stator(*args)
            self.assertEqual(proc.returncode, 0)
            self.assertIn("stator run", proc.stdout)
        for sub in ("run", "validate"):
            proc = self.stator(sub, "--help")
            self.assertEqual(proc.returncode, 0)
            self.assertIn(f"usage: stator {sub}", proc.stdout)
        proc = self.stator("version")
        self.assertEqual(proc.returncode, 0)
        self.assertRegex(proc.stdout, r"^stator \d+\.\d+\.\d+\n$")

    def test_usage_errors(self):
        path = self.write("def.json", PASS_DEF)
        cases = [
            (["frobnicate"], "unknown command 'frobnicate'"),
            (["run"], "missing -f FILE"),
            (["run", "-f"], "needs a value"),
            (["run", "-f", path, "--bogus"], "unknown option --bogus"),
            (["run", "-f", path, "--input", "{}", "--input-file", path], "exclusive"),
            (["run", "-f", path, "--time-scale", "-2"], "--time-scale"),
            (["run", "-f", path, "--mock-config", path], "--test-case"),
            (["run", "-f", path, "--task-command", "P"], "STATE=COMMAND"),
            (["run", "-f", path, "--name", "bad name"], "invalid execution name"),
            (["validate"], "missing -f FILE"),
            (["validate", "-f", path, "--history"], "unknown option --history"),
        ]
        for args, contains in cases:
            with self.subTest(args=args):
                self.assert_one_line_error(self.stator(*args), 64, contains)

    # ---- bad files and inputs

    def test_missing_and_unreadable_files(self):
        missing = os.path.join(self.tmp.name, "nope.json")
        self.assert_one_line_error(self.stator("run", "-f", missing), 64, missing)
        self.assert_one_line_error(self.stator("validate", "-f", missing), 64, missing)
        self.assert_one_line_error(self.stator("run", "-f", self.tmp.name), 64, "directory")
        path = self.write("def.json", PASS_DEF)
        self.assert_one_line_error(self.stator("run", "-f", path, "--input-file", missing), 64,
                                   missing)

    def test_malformed_definitions_exit_2_with_one_line(self):
        for text in ["{not json", "", "[]", "42", "\"text\"", "null",
                     '{"StartAt": "A"}', '{"StartAt": "A", "States": {}}',
                     '{"StartAt": "A", "States": {"A": {"Type": "Bogus"}}}']:
            with self.subTest(text=text):
                path = self.write("def.json", text)
                proc = self.stator("run", "-f", path)
                self.assert_one_line_error(proc, 2, "invalid definition: ")
                self.assertEqual(proc.stdout, "")

    def test_malformed_json_is_reported_like_aws(self):
        path = self.write("def.json", "{not json")
        proc = self.stator("validate", "--json", "-f", path)
        self.assertEqual(proc.returncode, 2)
        verdict = json.loads(proc.stdout)
        self.assertEqual(verdict["result"], "FAIL")
        self.assertEqual(verdict["diagnostics"][0]["code"], "INVALID_JSON_DESCRIPTION")

    def test_bad_input(self):
        path = self.write("def.json", PASS_DEF)
        self.assert_one_line_error(self.stator("run", "-f", path, "--input", "{bad"), 64,
                                   "--input is not valid JSON")
        bad = self.write("input.json", "[1,")
        self.assert_one_line_error(self.stator("run", "-f", path, "--input-file", bad), 64,
                                   "is not valid JSON")

    def test_garbage_never_crashes(self):
        path = self.write("def.json", PASS_DEF)
        for args in (["run", "-f", path, "--input", "\x01"], ["run", "-f", path, "--input", ""],
                     ["run", "-f", "", "--json"], ["run", "--input"], ["validate", "-f", "-"],
                     ["run", "-f", path, "--time-scale", "nan"],
                     ["run", "-f", path, "--account", "x" * 10000]):
            with self.subTest(args=args):
                proc = self.stator(*args, stdin="")
                self.assertIn(proc.returncode, (0, 1, 2, 64), proc.stderr)

    # ---- stdin

    def test_definition_and_input_from_stdin(self):
        proc = self.stator("run", "-f", "-", "--input", "[1,2]", stdin=json.dumps(PASS_DEF))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(json.loads(proc.stdout), [1, 2])
        path = self.write("def.json", PASS_DEF)
        proc = self.stator("run", "-f", path, "--input-file", "-", stdin='{"a": 1.5}')
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, '{"a":1.5}\n')

    # ---- output shapes and exit codes

    def test_text_output(self):
        path = self.write("def.json", PASS_DEF)
        proc = self.stator("run", "-f", path, "--input", '{"x": [1, 2.0, "s"]}')
        self.assertEqual(proc.returncode, 0)
        self.assertEqual(proc.stdout, '{"x":[1,2.0,"s"]}\n')
        path = self.write("fail.json", FAIL_DEF)
        proc = self.stator("run", "-f", path)
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(proc.stdout, "FAILED\nerror: MyError\ncause: it went wrong\n")

    def test_json_shape(self):
        proc, r = self.run_json(PASS_DEF, "--input", '{"a": 1}')
        self.assertEqual(proc.returncode, 0)
        self.assertEqual(r, {"status": "SUCCEEDED", "output": {"a": 1}, "error": None,
                             "cause": None})
        self.assertEqual(len(proc.stdout.splitlines()), 1)
        proc, r = self.run_json(FAIL_DEF)
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(r, {"status": "FAILED", "output": None, "error": "MyError",
                             "cause": "it went wrong"})

    def test_json_history(self):
        proc, r = self.run_json(PASS_DEF, "--history", "--input", '{"a": 1}')
        self.assertEqual(proc.returncode, 0)
        self.assertEqual(set(r), {"status", "output", "error", "cause", "events"})
        types = [e["type"] for e in r["events"]]
        self.assertEqual(types, ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                                 "ExecutionSucceeded"])
        first = r["events"][0]
        self.assertEqual(first["id"], 1)
        self.assertEqual(first["previousEventId"], 0)
        self.assertIsInstance(first["timestamp"], (int, float))
        details = first["executionStartedEventDetails"]
        self.assertEqual(json.loads(details["input"]), {"a": 1})  # a JSON string, as AWS has it
        self.assertEqual(details["roleArn"],
                         "arn:aws:iam::123456789012:role/StatesExecutionRole")

    def test_text_history(self):
        path = self.write("def.json", PASS_DEF)
        proc = self.stator("run", "-f", path, "--history")
        self.assertEqual(proc.returncode, 0)
        lines = proc.stdout.splitlines()
        self.assertEqual(len(lines), 5)
        self.assertIn("ExecutionStarted", lines[0])
        self.assertIn("ExecutionSucceeded", lines[3])
        self.assertEqual(lines[4], "{}")

    def test_invalid_definition_json(self):
        proc, r = self.run_json({"StartAt": "Missing", "States": {"P": {"Type": "Pass",
                                                                       "End": True}}})
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(r["status"], "INVALID_DEFINITION")
        self.assertEqual(r["error"], "InvalidDefinition")
        self.assertTrue(r["cause"].startswith("Invalid State Machine Definition: "), r["cause"])
        self.assertIsNone(r["output"])

    def test_names_account_region_role_reach_the_context(self):
        proc, r = self.run_json(CONTEXT_DEF, "--name", "exec-7", "--state-machine-name", "Orders",
                                "--account", "111122223333", "--region", "eu-west-1",
                                "--role-arn", "arn:aws:iam::111122223333:role/Runner")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(r["output"], {
            "execution": "arn:aws:states:eu-west-1:111122223333:execution:Orders:exec-7",
            "name": "exec-7", "role": "arn:aws:iam::111122223333:role/Runner",
            "machine": "arn:aws:states:eu-west-1:111122223333:stateMachine:Orders",
            "machineName": "Orders"})

    def test_generated_execution_name_is_a_uuid(self):
        proc, r = self.run_json(CONTEXT_DEF)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertRegex(r["output"]["name"], r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
                                              r"[0-9a-f]{4}-[0-9a-f]{12}$")

    # ---- validate

    def test_validate(self):
        path = self.write("def.json", PASS_DEF)
        proc = self.stator("validate", "-f", path)
        self.assertEqual((proc.returncode, proc.stdout), (0, "OK\n"))
        proc = self.stator("validate", "-f", path, "--json")
        self.assertEqual(proc.returncode, 0)
        self.assertEqual(json.loads(proc.stdout),
                         {"result": "OK", "diagnostics": [], "truncated": False})
        bad = self.write("bad.json", {"StartAt": "P", "States": {"P": {"Type": "Pass",
                                                                       "Next": "Nowhere"}}})
        proc = self.stator("validate", "-f", bad, "--json")
        self.assertEqual(proc.returncode, 2)
        verdict = json.loads(proc.stdout)
        self.assertEqual(verdict["result"], "FAIL")
        self.assertTrue(verdict["diagnostics"])
        for d in verdict["diagnostics"]:
            self.assertLessEqual({"severity", "code", "message"}, set(d))
        self.assertIn("MISSING_TRANSITION_TARGET", [d["code"] for d in verdict["diagnostics"]])
        proc = self.stator("validate", "-f", bad)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("ERROR MISSING_TRANSITION_TARGET", proc.stdout)

    # ---- time

    # Each run has the 60 s deadline of self.stator: a Wait far longer than that which still
    # ends proves that its time was virtual or scaled, however fast or slow the machine is.

    def test_virtual_time_makes_waits_instant(self):
        proc, r = self.run_json(wait_def(99999999), "--history", "--time-scale", "0")  # 3 years
        self.assertEqual(proc.returncode, 0, proc.stderr)
        span = r["events"][-1]["timestamp"] - r["events"][0]["timestamp"]
        self.assertAlmostEqual(span, 99999999, delta=0.5)

    def test_scaled_time(self):
        scale = 0.001
        start = time.monotonic()
        proc, r = self.run_json(wait_def(1000), "--history", "--time-scale", str(scale))
        real = time.monotonic() - start
        self.assertEqual(proc.returncode, 0, proc.stderr)
        span = r["events"][-1]["timestamp"] - r["events"][0]["timestamp"]
        # The Wait lasted its 1000 s of execution time, and each execution second lasted
        # `scale` real seconds: at least 1 s of real time in all, and no more execution time
        # than the real time the run took allows.
        self.assertGreaterEqual(span, 1000)
        self.assertGreaterEqual(real, 1000 * scale)
        self.assertLessEqual(span * scale, real + 0.01)

    def test_real_time_is_the_default(self):
        start = time.monotonic()
        proc, r = self.run_json(wait_def(1), "--history")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertGreaterEqual(time.monotonic() - start, 0.9)

    def test_timed_out_exits_1(self):
        definition = dict(wait_def(100), TimeoutSeconds=5)
        proc, r = self.run_json(definition, "--time-scale", "0")
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(r["status"], "TIMED_OUT")

    # ---- task runners

    def test_task_command(self):
        script = self.write("double.py", "import json, sys\n"
                                         "x = json.load(sys.stdin)\n"
                                         "print(json.dumps({'doubled': x['Payload']['n'] * 2}))\n")
        proc, r = self.run_json(TASK_DEF, "--input", '{"n": 21}', "--task-command",
                                f"T={sys.executable} {script}")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(r["output"], {"doubled": 42})

    def test_task_command_failures(self):
        cases = [
            ("import sys; print('{\"Error\": \"Custom.Err\", \"Cause\": \"details\"}'); "
             "sys.exit(3)", "Custom.Err", "details"),
            ("import sys; sys.stderr.write('went wrong\\n'); sys.exit(1)",
             "States.TaskFailed", "went wrong"),
        ]
        for code, error, cause in cases:
            with self.subTest(code=code):
                script = self.write("t.py", code)
                proc, r = self.run_json(TASK_DEF, "--task-command",
                                        f"T={sys.executable} {script}")
                self.assertEqual(proc.returncode, 1)
                self.assertEqual((r["status"], r["error"], r["cause"]), ("FAILED", error, cause))
        script = self.write("t.py", "print('not json')")
        proc, r = self.run_json(TASK_DEF, "--task-command", f"T={sys.executable} {script}")
        self.assertEqual((r["status"], r["error"]), ("FAILED", "States.TaskFailed"))
        self.assertIn("invalid JSON", r["cause"])

    def test_task_command_must_name_a_task_state(self):
        path = self.write("def.json", PASS_DEF)
        self.assert_one_line_error(self.stator("run", "-f", path, "--task-command", "P=true"),
                                   64, "not a Task state")
        path = self.write("task.json", TASK_DEF)
        self.assert_one_line_error(self.stator("run", "-f", path, "--task-command", "T='open"),
                                   64, "unterminated")

    def test_unserved_lambda_fails_like_aws(self):
        proc, r = self.run_json(TASK_DEF)
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(r["error"], "Lambda.ResourceNotFoundException")
        self.assertTrue(r["cause"].startswith(
            "Function not found: arn:aws:lambda:us-east-1:123456789012:function:f "
            "(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException;"),
            r["cause"])

    def test_interrupt_kills_task_commands(self):
        pidfile = os.path.join(self.tmp.name, "pid")
        script = self.write("slow.py", "import os, sys, time\n"
                                       f"open({pidfile!r}, 'w').write(str(os.getpid()))\n"
                                       "time.sleep(60)\n")
        path = self.write("task.json", TASK_DEF)
        proc = subprocess.Popen([STATOR, "run", "-f", path, "--task-command",
                                 f"T={sys.executable} {script}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not (os.path.exists(pidfile) and open(pidfile).read()):
            self.assertLess(time.monotonic(), deadline, "the task command did not start")
            time.sleep(0.05)
        child = int(open(pidfile).read())
        proc.terminate()
        self.assertEqual(proc.wait(timeout=20), -15)
        while True:  # the child is killed: gone, or a zombie nobody has reaped yet
            try:
                with open(f"/proc/{child}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                        break
            except FileNotFoundError:
                break
            self.assertLess(time.monotonic(), deadline, "the task command outlived stator")
            time.sleep(0.05)

    def test_mock_config(self):
        mock = self.write("mock.json", {
            "StateMachines": {"M": {"TestCases": {"Ok": {"T": "R"}}}},
            "MockedResponses": {"R": {"0": {"Return": {"mocked": True}}}}})
        proc, r = self.run_json(TASK_DEF, "--mock-config", mock, "--test-case", "Ok")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(r["output"], {"mocked": True})
        path = self.write("def.json", TASK_DEF)
        self.assert_one_line_error(
            self.stator("run", "-f", path, "--mock-config", mock, "--test-case", "Nope"), 64,
            "has no test case \"Nope\"")
        self.assert_one_line_error(
            self.stator("run", "-f", path, "--mock-config", mock, "--test-case", "Ok",
                        "--state-machine-name", "Other"), 64, "no state machine \"Other\"")
        bad = self.write("bad.json", {"StateMachines": {}, "MockedResponses": {"R": {}}})
        self.assert_one_line_error(
            self.stator("run", "-f", path, "--mock-config", bad, "--test-case", "Ok"), 64,
            "MockedResponses.R: has no responses")


if __name__ == "__main__":
    if not os.access(STATOR, os.X_OK):
        sys.exit(f"cli_test.py: no stator binary at {STATOR} (set STATOR=...)")
    ctest_unittest.main()
