#!/usr/bin/env python3
"""`stator jsonata` as a user meets it: results, undefined, errors and exit codes, --input,
--bindings, and the --batch protocol (one answer line per request, limits as U1001).

usage: cli_test.py [unittest options]   (STATOR=path/to/stator, default: build/stator)
"""

import json
import os
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STATOR = os.path.abspath(os.environ.get("STATOR") or os.path.join(ROOT, "build", "stator"))


def stator(*args, stdin=None):
    proc = subprocess.run([STATOR, "jsonata", *args], input=stdin, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode >= 0, "stator died by signal: " + proc.stderr
    return proc


class JsonataCliTest(unittest.TestCase):
    def test_result_is_json_on_stdout(self):
        proc = stator("[1, 2.5, 1e21, 0.1 + 0.2, 'x', {'a': true}]")
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        self.assertEqual(proc.stdout, '[1,2.5,1e+21,0.30000000000000004,"x",{"a":true}]\n')

    def test_undefined_prints_nothing(self):
        proc = stator("nothing.here")
        self.assertEqual((proc.returncode, proc.stdout, proc.stderr), (0, "", ""))

    def test_errors_are_code_and_message_on_stderr(self):
        proc = stator('"s" - 1')
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(proc.stdout, "")
        self.assertEqual(proc.stderr,
                         'T2001: The left side of the "-" operator must evaluate to a number\n')
        proc = stator("(1")
        self.assertEqual((proc.returncode, proc.stderr),
                         (1, 'S0203: Expected ")" before end of expression\n'))
        proc = stator("$eval('1')")
        self.assertEqual(proc.stderr, "T1006: Attempted to invoke a non-function\n")

    def test_input_file_and_stdin_and_bindings(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"a": [{"b": 1}, {"b": 2}]}, f)
        self.addCleanup(os.unlink, f.name)
        self.assertEqual(stator("$sum(a.b)", "--input", f.name).stdout, "3\n")
        self.assertEqual(stator("a.b", "--input", "-", stdin='{"a": {"b": "x"}}').stdout,
                         '"x"\n')
        self.assertEqual(stator("$x * $y", "--bindings", '{"x": 6, "y": 7}').stdout, "42\n")

    def test_usage_errors(self):
        self.assertEqual(stator().returncode, 64)
        self.assertEqual(stator("1", "--bogus").returncode, 64)
        self.assertEqual(stator("1", "--bindings", "[1]").returncode, 64)
        self.assertEqual(stator("1", "--input", "-", stdin="{not json").returncode, 64)
        self.assertEqual(stator("--help").returncode, 0)

    def test_batch_answers_each_line(self):
        requests = [
            {"expr": "$"},  # no input: undefined
            {"expr": "$", "input": None},
            {"expr": "a + $k", "input": {"a": 1}, "bindings": {"k": 2}},
            {"expr": "function(){1}"},
            {"expr": "1 +"},
            {"expr": "($f := function($n){$n = 0 ? 0 : 1 + $f($n - 1)}; $f(500))", "depth": 100,
             "timelimit": 1000},
            {"expr": "($inf := function(){$inf()}; $inf())", "timelimit": 100, "depth": 1000},
        ]
        lines = "".join(json.dumps(r) + "\n" for r in requests) + "not json\n"
        proc = stator("--batch", stdin=lines)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        answers = [json.loads(l) for l in proc.stdout.splitlines()]
        self.assertEqual(len(answers), len(requests) + 1)
        self.assertEqual(answers[0], {"undefined": True})
        self.assertEqual(answers[1], {"result": None})
        self.assertEqual(answers[2], {"result": 3})
        self.assertEqual(answers[3], {"result": ""})
        self.assertEqual(answers[4]["code"], "S0207")
        self.assertEqual(answers[5]["code"], "U1001")
        self.assertIn("Stack overflow", answers[5]["message"])
        self.assertEqual(answers[6]["code"], "U1001")
        self.assertIn("timeout", answers[6]["message"])
        self.assertEqual(answers[7]["code"], "BadRequest")


if __name__ == "__main__":
    unittest.main()
