"""The GraphQL engine against graphql-core (the reference implementation, preinstalled).

Every case under src/graphql/testdata/cases/ (the spec's Validation examples, more validation
cases, execution cases, AppSync-style schemas) plus seeded mutations of the valid ones
(graphql_mutations.py) runs through graphql-core and through graphql_tool (our engine, one
process for all cases); the answers must agree: the same data, the same errors in the same order
with the same message, locations and path.

Known differences are data (src/graphql/testdata/differences.json): a case listed there must
give the recorded answer instead of graphql-core's, with the reason; only AppSync-specific
behaviour belongs there.

graphql-core's answers are corrected in three ways. Its messages are graphql-js's with names
quoted with ' instead of " (and a few Python words); the engine speaks graphql-js's
(docs/graphql.md), so graphql_cases.js_message translates them. The values inside its messages
are Python reprs; graphql_cases.js_inspect prints them as graphql-js does. And it computes an error's line and
column with str.splitlines() on the text before the node, which puts a node that starts a line
at the end of the previous line (line 3 column 1 comes out as line 2, column N+1). The locations
are recomputed from the error's source positions as graphql-js and the spec count them.

Usage: test_graphql_differential.py --tool=<graphql_tool> [unittest arguments]
"""

import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import ctest_unittest  # noqa: E402
import graphql_cases  # noqa: E402
import graphql_mutations  # noqa: E402

TOOL = None
GENERATED = 400


def _tool_answers(cases):
    """graphql_tool's answer to every case (one process, one JSON line each)."""
    if not TOOL:
        raise RuntimeError("no --tool=<graphql_tool> given")
    text = "".join(graphql_cases.request_line(c) + "\n" for c in cases)
    out = subprocess.run([TOOL], input=text.encode(), capture_output=True, timeout=600)
    out.stdout = out.stdout.decode("utf-8", errors="replace")
    out.stderr = out.stderr.decode("utf-8", errors="replace")
    if out.returncode != 0:
        raise RuntimeError(f"graphql_tool exited {out.returncode}: {out.stderr[-2000:]}")
    lines = out.stdout.splitlines()
    if len(lines) != len(cases):
        raise RuntimeError(f"graphql_tool answered {len(lines)} of {len(cases)} requests: "
                           f"{out.stderr[-2000:]}")
    return [json.loads(line) for line in lines]


def _reference_defined(case):
    try:
        graphql_cases.run_reference(case)
        return True
    except Exception:  # noqa: BLE001 (graphql-core's own failure, see test_generated_mutations)
        return False


def _appsync_literal_difference(case, expected, ours):
    """The difference differences.json records for its AppSync case, met by a generated case: an
    AppSync scalar literal that is not a value of the scalar (graphql-core takes any literal of
    a custom scalar; AppSync, and we, refuse it at validation)."""
    errors = ours.get("errors") or []
    return (bool(case.get("appsync")) and "errors" not in expected and "data" not in ours
            and bool(errors) and all(e["message"].startswith('Expected value of type "AWS')
                                     for e in errors))


def _by_name(result):
    """An introspection result with __schema.types and .directives sorted by name: for an AppSync
    schema graphql-core gets AppSync's scalars and directives as SDL in front of the schema, so
    they come first in its lists, while AppSync (and we) predeclare them."""
    schema = (result.get("data") or {}).get("__schema")
    if not isinstance(schema, dict):
        return result
    schema = dict(schema)
    for key in ("types", "directives"):
        if isinstance(schema.get(key), list):
            schema[key] = sorted(schema[key], key=lambda t: str(t.get("name")))
    return dict(result, data=dict(result["data"], __schema=schema))


def _differences():
    path = os.path.join(graphql_cases.TESTDATA, "differences.json")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        return {d["name"]: d for d in json.load(f)}


class DifferentialTest(unittest.TestCase):
    maxDiff = None

    def compare(self, cases):
        self.assertTrue(cases)
        differences = _differences()
        answers = _tool_answers(cases)
        for case, ours in zip(cases, answers):
            with self.subTest(case=case["name"]):
                expected = graphql_cases.run_reference(case)
                if case.get("appsync") and case.get("introspection"):
                    expected, ours = _by_name(expected), _by_name(ours)
                if _appsync_literal_difference(case, expected, ours):
                    continue
                known = differences.get(case["name"])
                if known:
                    self.assertTrue(known.get("reason"), case["name"])
                    self.assertFalse(graphql_cases.same_json(expected, known["expected"]),
                                     f"{case['name']}: listed as a difference but graphql-core "
                                     "now agrees; remove it from differences.json")
                    expected = known["expected"]
                if not graphql_cases.same_json(ours, expected):
                    self.fail(f"\nquery:\n{case['query']}\n"
                              f"variables: {json.dumps(case.get('variables'))}\n"
                              f"graphql-core: {json.dumps(expected, indent=1)}\n"
                              f"ours:         {json.dumps(ours, indent=1)}")

    def test_spec_validation_examples(self):
        self.compare(graphql_cases.load_file("spec_validation.graphql"))

    def test_more_validation(self):
        self.compare(graphql_cases.load_file("validation.graphql"))

    def test_execution(self):
        self.compare(graphql_cases.load_file("execution.json"))

    def test_appsync_schemas(self):
        self.compare(graphql_cases.load_file("appsync.graphql"))

    def test_introspection(self):
        """graphql-core's get_introspection_query() on every schema of the cases."""
        from graphql import get_introspection_query
        seen = {}
        for name in graphql_cases.case_files():
            for case in graphql_cases.load_file(name):
                key = (case.get("appsync", False), case["schema"])
                if key not in seen:
                    seen[key] = {"name": f"introspection of the schema of [{case['name']}]",
                                 "schema": case["schema"], "appsync": key[0],
                                 "introspection": True,
                                 "query": get_introspection_query(descriptions=True)}
        self.compare(list(seen.values()))

    def test_generated_mutations(self):
        """Seeded mutations of every valid case (graphql_mutations.py)."""
        seeds = []
        differences = _differences()
        for name in graphql_cases.case_files():
            for case in graphql_cases.load_file(name):
                if case["name"] in differences:
                    continue  # not valid for us
                if "data" in graphql_cases.run_reference(case):
                    seeds.append(case)
        # graphql-core's SingleFieldSubscriptions raises (out of validate) on a subscription whose
        # root selection has an @include/@skip without a usable `if`: no reference answer there.
        generated = [c for c in graphql_mutations.generate(seeds, GENERATED + 50)
                     if _reference_defined(c)][:GENERATED]
        self.assertEqual(len(generated), GENERATED)
        self.compare(generated)

    def test_error_limit(self):
        """More than 100 errors: the 101st is 'Too many validation errors'."""
        schema = "type Query { a: Int }"
        query = "{ " + " ".join(f"f{i}" for i in range(120)) + " }"
        case = {"name": "error limit", "schema": schema, "query": query}
        self.compare([case])
        ours = _tool_answers([case])[0]
        self.assertEqual(len(ours["errors"]), 101)
        self.assertEqual(ours["errors"][-1]["message"],
                         "Too many validation errors, error limit reached. Validation aborted.")


if __name__ == "__main__":
    for arg in list(sys.argv[1:]):
        if arg.startswith("--tool="):
            TOOL = arg[len("--tool="):]
            sys.argv.remove(arg)
    TOOL = TOOL or os.environ.get("GRAPHQL_TOOL")
    ctest_unittest.main()
