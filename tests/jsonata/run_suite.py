#!/usr/bin/env python3
"""JSONata's own test suite (../shared/jsonata-suite, 1,625 cases) through `stator jsonata --batch`.

Every case is sent to one `stator jsonata --batch` process and its answer compared as the suite's
TESTSUITE.md says: `result` by deep equality (numbers by value; `unordered` cases as multisets),
`undefinedResult` as an undefined answer, `code` (and `token` when the case gives one) against the
error. A case that fails must be listed in known_failures.json ({case id: reason}); a listed case
that passes fails the test too, so that the list only shrinks.

The suite is looked up beside the repository (../shared/jsonata-suite), then beside the main
checkout of a git worktree; $JSONATA_SUITE overrides both. If it is absent the test FAILS.

usage: run_suite.py [--update-known-failures] [--only GROUP] [-v]
   $STATOR: the stator binary (default: build/stator)
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KNOWN = os.path.join(HERE, "known_failures.json")
# Groups whose functions come from the layer's string/date/number-format family (jn-text).
TEXT_GROUPS = {
    "function-contains", "function-decodeUrl", "function-decodeUrlComponent",
    "function-encodeUrl", "function-encodeUrlComponent", "function-formatBase",
    "function-formatInteger", "function-formatNumber", "function-fromMillis", "function-join",
    "function-length", "function-lowercase", "function-pad", "function-parseInteger",
    "function-replace", "function-split", "function-string", "function-substring",
    "function-substringAfter", "function-substringBefore", "function-tomillis", "function-trim",
    "function-uppercase", "matchers", "regex", "encoding",
}


def suite_dir():
    env = os.environ.get("JSONATA_SUITE")
    candidates = [env] if env else []
    candidates.append(os.path.join(ROOT, "..", "shared", "jsonata-suite"))
    try:
        common = subprocess.run(["git", "-C", ROOT, "rev-parse", "--git-common-dir"],
                                capture_output=True, text=True, check=True).stdout.strip()
        main = os.path.dirname(os.path.abspath(os.path.join(ROOT, common)))
        candidates.append(os.path.join(main, "..", "shared", "jsonata-suite"))
    except (OSError, subprocess.CalledProcessError):
        pass
    for c in candidates:
        if c and os.path.isdir(os.path.join(c, "groups")):
            return os.path.normpath(c)
    return None


def load_cases(suite):
    datasets = {}
    for f in glob.glob(os.path.join(suite, "datasets", "*.json")):
        with open(f, encoding="utf-8") as fh:
            datasets[os.path.basename(f)[:-5]] = json.load(fh)
    cases = []
    for f in sorted(glob.glob(os.path.join(suite, "groups", "*", "*.json"))):
        group = os.path.basename(os.path.dirname(f))
        name = os.path.basename(f)[:-5]
        with open(f, encoding="utf-8") as fh:
            data = json.load(fh)
        for c in data if isinstance(data, list) else [data]:
            if "expr-file" in c and "expr" not in c:
                with open(os.path.join(os.path.dirname(f), c["expr-file"]),
                          encoding="utf-8") as fh:
                    c["expr"] = fh.read()
        if isinstance(data, list):
            for i, c in enumerate(data):
                cases.append(("%s/%s[%d]" % (group, name, i), c))
        else:
            cases.append(("%s/%s" % (group, name), data))
    return datasets, cases


def request(case, datasets):
    req = {"expr": case["expr"]}
    if "data" in case:
        req["input"] = case["data"]
    elif case.get("dataset") is not None:
        req["input"] = datasets[case["dataset"]]
    if case.get("bindings"):
        req["bindings"] = case["bindings"]
    if "timelimit" in case:
        req["timelimit"] = case["timelimit"]
    if "depth" in case:
        req["depth"] = case["depth"]
    return req


def deep_equal(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b if isinstance(a, bool) and isinstance(b, bool) else False
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(deep_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(deep_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def multiset_equal(a, b):
    if not isinstance(a, list) or not isinstance(b, list) or len(a) != len(b):
        return deep_equal(a, b)
    rest = list(b)
    for x in a:
        for i, y in enumerate(rest):
            if deep_equal(x, y):
                del rest[i]
                break
        else:
            return False
    return True


def judge(case, answer):
    """None when the answer is right, else a one-line reason."""
    expected_error = case.get("error") if isinstance(case.get("error"), dict) else None
    if "code" in case and expected_error is None:
        expected_error = {"code": case["code"]}
        if "token" in case:
            expected_error["token"] = case["token"]
    if expected_error is not None:
        if "code" not in answer:
            return "expected error %s, got %s" % (expected_error["code"],
                                                  json.dumps(answer)[:120])
        for field in ("code", "token", "message"):
            if field in expected_error and answer.get(field) != expected_error[field]:
                return "expected error %s %r, got %r (%s)" % (
                    field, expected_error[field], answer.get(field), answer.get("message", ""))
        return None
    if case.get("undefinedResult"):
        if answer.get("undefined") is True:
            return None
        return "expected undefined, got %s" % json.dumps(answer)[:160]
    if "result" not in answer:
        return "expected %s, got %s" % (json.dumps(case.get("result"))[:80],
                                        json.dumps(answer)[:160])
    same = multiset_equal if case.get("unordered") else deep_equal
    if same(case["result"], answer["result"]):
        return None
    return "expected %s, got %s" % (json.dumps(case["result"])[:100],
                                    json.dumps(answer["result"])[:100])


def stator_binary():
    return os.environ.get("STATOR") or os.path.join(ROOT, "build", "stator")


def run(cases, datasets):
    lines = "".join(json.dumps(request(c, datasets)) + "\n" for _, c in cases)
    start = time.monotonic()
    proc = subprocess.run([stator_binary(), "jsonata", "--batch"], input=lines,
                          capture_output=True, text=True, timeout=900)
    elapsed = time.monotonic() - start
    out = proc.stdout.splitlines()
    answers = []
    for i in range(len(cases)):
        if i < len(out):
            try:
                answers.append(json.loads(out[i]))
            except ValueError:
                answers.append({"code": "BadAnswer", "message": out[i][:200]})
        else:
            answers.append({"code": "NoAnswer", "message": "stator exited %d: %s" %
                            (proc.returncode, proc.stderr[-300:])})
    return answers, elapsed


def load_known():
    if not os.path.exists(KNOWN):
        return {}
    with open(KNOWN, encoding="utf-8") as f:
        return json.load(f)


class JsonataSuite(unittest.TestCase):
    def test_suite(self):
        suite = suite_dir()
        self.assertIsNotNone(suite, "the JSONata test suite is absent: expected "
                             "../shared/jsonata-suite beside the repository (or $JSONATA_SUITE)")
        datasets, cases = load_cases(suite)
        self.assertEqual(len(cases), 1625, "the suite should hold 1,625 cases")
        answers, elapsed = run(cases, datasets)
        known = load_known()
        unexpected, fixed = [], []
        passed = 0
        for (cid, case), answer in zip(cases, answers):
            reason = judge(case, answer)
            if reason is None:
                passed += 1
                if cid in known:
                    fixed.append(cid)
            elif cid not in known:
                unexpected.append("%s: %s  [%s]" % (cid, reason, case["expr"][:80]))
        sys.stderr.write("jsonata suite: %d/%d pass, %d listed as known failures, %.2f s\n" %
                         (passed, len(cases), len(known), elapsed))
        stale = sorted(set(known) - {cid for cid, _ in cases})
        msg = []
        if unexpected:
            msg.append("%d cases fail that known_failures.json does not list:\n  %s" %
                       (len(unexpected), "\n  ".join(unexpected[:60])))
        if fixed:
            msg.append("%d cases pass but are listed in known_failures.json (remove them):\n  %s"
                       % (len(fixed), "\n  ".join(fixed[:60])))
        if stale:
            msg.append("known_failures.json lists cases the suite lacks: %s" % stale[:20])
        if msg:
            self.fail("\n".join(msg))


def update_known():
    suite = suite_dir()
    if suite is None:
        sys.exit("the JSONata test suite is absent")
    datasets, cases = load_cases(suite)
    answers, elapsed = run(cases, datasets)
    known = load_known()
    out = {}
    for (cid, case), answer in zip(cases, answers):
        reason = judge(case, answer)
        if reason is None:
            continue
        group = cid.split("/")[0]
        if cid in known:
            out[cid] = known[cid]
        elif group == "function-eval":
            out[cid] = ("$eval does not exist in AWS's JSONata (AWS removes it): calling it "
                        "is T1006")
        elif group in TEXT_GROUPS:
            out[cid] = "needs jn-text's functions"
        else:
            out[cid] = reason[:200]
    with open(KNOWN, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    print("%d/%d pass; %d listed; %.2f s" % (len(cases) - len(out), len(cases), len(out),
                                           elapsed))


def show(only, verbose):
    suite = suite_dir()
    datasets, cases = load_cases(suite)
    if only:
        cases = [(cid, c) for cid, c in cases if cid.startswith(only)]
    answers, elapsed = run(cases, datasets)
    bad = 0
    for (cid, case), answer in zip(cases, answers):
        reason = judge(case, answer)
        if reason is not None:
            bad += 1
            if verbose:
                print("%s: %s\n    %s" % (cid, reason, case["expr"][:200]))
    print("%d/%d pass, %.2f s" % (len(cases) - bad, len(cases), elapsed))


if __name__ == "__main__":
    sys.stdout.reconfigure(errors="backslashreplace")
    sys.stderr.reconfigure(errors="backslashreplace")
    parser = argparse.ArgumentParser()
    parser.add_argument("--update-known-failures", action="store_true")
    parser.add_argument("--only")
    parser.add_argument("-v", action="store_true")
    args, rest = parser.parse_known_args()
    if args.update_known_failures:
        update_known()
    elif args.only is not None or args.v:
        show(args.only, args.v)
    else:
        unittest.main(argv=[sys.argv[0]] + rest)
