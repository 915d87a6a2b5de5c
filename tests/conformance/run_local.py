#!/usr/bin/env python3
"""stator's own conformance suite: one JSON file per case in cases/, run through
`stator run --json --history --time-scale 0` and compared with the expected result.

Case file fields (see README.md beside this file):
  description   what the case checks
  source        where the expected values come from (AWS documentation, recorded AWS case)
  events_source where expect.events comes from: "AWS recording <id> ..." (a case of
                ../shared/conformance whose history has these event types; run_shared.py --cli
                checks it) or "stator's own output: ..." (not traced to AWS)
  definition    the state machine (a JSON value; or "definition_text" with raw text)
  input         the execution input (a JSON value; default {})
  args          extra `stator run` arguments (list of strings)
  mock_config   a Step Functions Local mock configuration (written to a temporary file),
  test_case     ...with the test case to use
  task_commands {"State": "command line"}; run from this directory (tasks/ holds helpers)
  known_gap     why stator does not do what AWS does yet: the case runs as an expected failure
                (and fails the suite once it passes, so that the marker is removed)
  expect        status (SUCCEEDED, FAILED, TIMED_OUT, ABORTED, INVALID_DEFINITION), and any of
                output, error, cause, cause_contains, events (the event type sequence),
                elapsed_seconds (first to last event), exit_code (default from status)

usage: run_local.py [unittest options]   (STATOR=path/to/stator, default: build/stator)
"""

import json
import os
import shlex
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
import ctest_unittest  # noqa: E402  (tests/ctest_unittest.py)
CASES = os.path.join(HERE, "cases")
STATOR = os.path.abspath(os.environ.get("STATOR") or os.path.join(ROOT, "build", "stator"))
EXIT_FOR_STATUS = {"SUCCEEDED": 0, "FAILED": 1, "TIMED_OUT": 1, "ABORTED": 1,
                   "INVALID_DEFINITION": 2}
EXPECT_KEYS = {"status", "output", "error", "cause", "cause_contains", "events",
               "elapsed_seconds", "exit_code"}
CASE_KEYS = {"description", "source", "events_source", "definition", "definition_text", "input", "args",
             "mock_config", "test_case", "task_commands", "known_gap", "expect"}


def strict_equal(a, b):
    """JSON equality that keeps 1 and 1.0 and true apart (as AWS's Jackson does)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(strict_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(strict_equal(x, y) for x, y in zip(a, b))
    return a == b


PARALLEL_END = {"ParallelStateSucceeded", "ParallelStateFailed", "ParallelStateAborted"}


def branch_order_free(types):
    """Parallel branches run concurrently, so AWS does not order their events among each other:
    the events between ParallelStateStarted and the Parallel state's end are compared as a
    multiset (sorted), nested Parallel states included."""
    out, stack = [], []
    for t in types:
        if stack and t in PARALLEL_END and len(stack) == 1:
            out.extend(sorted(stack.pop()))
            out.append(t)
            continue
        if stack:
            stack[-1].append(t)
            if t == "ParallelStateStarted":
                stack.append([])
            elif t in PARALLEL_END:
                inner = stack.pop()
                stack[-1].extend(sorted(inner))
            continue
        out.append(t)
        if t == "ParallelStateStarted":
            stack.append([])
    for seg in stack:  # unterminated (the execution ended inside the Parallel state)
        out.extend(sorted(seg))
    return out


def load_case(path):
    with open(path) as f:
        case = json.load(f)
    unknown = set(case) - CASE_KEYS
    if unknown:
        raise ValueError(f"{path}: unknown fields {sorted(unknown)}")
    unknown = set(case["expect"]) - EXPECT_KEYS
    if unknown:
        raise ValueError(f"{path}: unknown expect fields {sorted(unknown)}")
    if "status" not in case["expect"]:
        raise ValueError(f"{path}: expect.status is required")
    if "events" in case["expect"] and not (
            case.get("events_source", "").startswith("AWS recording ")
            or case.get("events_source", "").startswith("stator's own output")):
        raise ValueError(f"{path}: expect.events needs events_source: \"AWS recording <id>\" "
                         "(checked by run_shared.py --cli) or \"stator's own output: ...\"")
    return case


def run_case(case, tmp):
    def_path = os.path.join(tmp, "definition.json")
    with open(def_path, "w") as f:
        if "definition_text" in case:
            f.write(case["definition_text"])
        else:
            json.dump(case["definition"], f)
    input_path = os.path.join(tmp, "input.json")
    with open(input_path, "w") as f:
        json.dump(case.get("input", {}), f)
    cmd = [STATOR, "run", "--json", "--history", "--time-scale", "0", "-f", def_path,
           "--input-file", input_path]
    if "mock_config" in case:
        mock_path = os.path.join(tmp, "mock.json")
        with open(mock_path, "w") as f:
            json.dump(case["mock_config"], f)
        cmd += ["--mock-config", mock_path, "--test-case", case["test_case"]]
    for state, command in case.get("task_commands", {}).items():
        cmd += ["--task-command", f"{state}={command}"]
    cmd += case.get("args", [])
    return subprocess.run(cmd, cwd=HERE, capture_output=True, text=True, timeout=120), cmd


class ConformanceCase(unittest.TestCase):
    maxDiff = None

    def check(self, name):
        case = load_case(os.path.join(CASES, name + ".json"))
        expect = case["expect"]
        with tempfile.TemporaryDirectory() as tmp:
            proc, cmd = run_case(case, tmp)
        where = f"\ncommand: {shlex.join(cmd)}\nstderr: {proc.stderr.strip()}"
        want_exit = expect.get("exit_code", EXIT_FOR_STATUS[expect["status"]])
        self.assertEqual(proc.returncode, want_exit, "exit code" + where)
        try:
            result = json.loads(proc.stdout)
        except ValueError:
            self.fail(f"stdout is not one JSON object: {proc.stdout[:500]!r}" + where)
        self.assertEqual(result.get("status"), expect["status"],
                         f"status (error={result.get('error')!r}, cause={result.get('cause')!r})"
                         + where)
        if "output" in expect:
            self.assertTrue(strict_equal(result.get("output"), expect["output"]),
                            f"output {json.dumps(result.get('output'))} != expected "
                            f"{json.dumps(expect['output'])}" + where)
        for key in ("error", "cause"):
            if key in expect:
                self.assertEqual(result.get(key), expect[key], key + where)
        if "cause_contains" in expect:
            self.assertIn(expect["cause_contains"], result.get("cause") or "", "cause" + where)
        events = result.get("events", [])
        if "events" in expect:
            self.assertEqual(branch_order_free([e["type"] for e in events]),
                             branch_order_free(expect["events"]), "event types" + where)
        if "elapsed_seconds" in expect:
            self.assertTrue(events, "no history" + where)
            span = events[-1]["timestamp"] - events[0]["timestamp"]
            self.assertAlmostEqual(span, expect["elapsed_seconds"], delta=0.5,
                                   msg="time from the first to the last event" + where)


def _add_tests():
    for fname in sorted(os.listdir(CASES)):
        if not fname.endswith(".json"):
            continue
        name = fname[:-5]
        test = lambda self, n=name: self.check(n)  # noqa: E731
        if "known_gap" in load_case(os.path.join(CASES, fname)):
            test = unittest.expectedFailure(test)
        setattr(ConformanceCase, "test_" + name.replace("-", "_"), test)


_add_tests()

if __name__ == "__main__":
    if not os.access(STATOR, os.X_OK):
        sys.exit(f"run_local.py: no stator binary at {STATOR} (set STATOR=...)")
    ctest_unittest.main()
