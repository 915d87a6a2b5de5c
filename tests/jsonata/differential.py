#!/usr/bin/env python3
"""Differential fuzz of stator's JSONata engine against the reference (npm jsonata 2.0.6).

Generated expressions over generated inputs (differential_gen.py, seeded) are sent to one
`stator jsonata --batch` process and to one node process running the reference
(bench/jsonata_bench.mjs --batch) reading the same JSON lines; the answers are compared:
result (deep equality, numbers by value, object key order too), undefined, or error code.
Every request carries a 1 s time limit (U1001 beyond it) on both sides.

A difference is a failure unless differential_known.json lists it. The file is a list of
{"kind", "expr", "input"?, "stator"?, "reference"?, "reason"}: `kind` is the difference's kind
(below) or a list of kinds, `expr` a regular expression searched in the expression, `input`,
`stator` and `reference` regular expressions searched in the JSON text of the input and of each
side's answer. Entries describe classes of differences, each with its reason; entries whose
reason starts with BUG are ours and are to be removed when fixed. `--check-stale` (by hand, over
many seeds) fails when an entry matches no difference, so that the list only shrinks.

Kinds: "reference-crash" (the reference threw a JavaScript exception, its own bug: the code
"JS:TypeError" etc.; "error/error" if we crashed too), "invalid-utf8" (our answer line is not
UTF-8), "value" (both results, different values), "order" (the same members in another key
order), "nulls" (the reference's result is ours with nulls added in arrays, or nothing but
nulls where ours is undefined), "code" (both errors, different codes; "code-later" when the
reference's error is at a later position than ours), "<ours>/<reference>" where each is
result, undefined or error (e.g. "error/result": we fail where the reference answers). A
process that crashes or hangs answers "CRASH" or "HANG" for that request (kind error/...).

The test (ctest jsonata_differential) runs seed 1 with 3,000 expressions. It FAILS when node or
the jsonata package is absent. By hand:
  python3 tests/jsonata/differential.py --seeds 1-20 --count 5000   # more seeds, longer
  python3 tests/jsonata/differential.py --seeds 7 --show 30          # print the differences
  python3 tests/jsonata/differential.py --seeds 1-5 --out diffs.jsonl  # all of them, in full
  python3 tests/jsonata/differential.py --seeds 1-20 --check-stale    # also fail on entries
                                                                     # that no seed needs
  python3 tests/jsonata/differential.py --messages                   # also same-code message
                                                                     # differences (informational)
$STATOR: the stator binary (default build/stator); NODE_PATH: a node_modules holding jsonata
(default tests/jsonata/node_modules, installed by scripts/setup.sh, then bench/node_modules of
this checkout and of the main checkout).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import differential_gen  # noqa: E402

KNOWN = os.path.join(HERE, "differential_known.json")
REFERENCE = os.path.join(ROOT, "bench", "jsonata_bench.mjs")
TEST_SEED = 1
TEST_COUNT = 3000
TIME_LIMIT_MS = 1000
HANG_S = 20  # a side that answers nothing for this long (beyond its share) is hung


def stator_binary():
    return os.environ.get("STATOR") or os.path.join(ROOT, "build", "stator")


def main_checkout():
    try:
        common = subprocess.run(["git", "-C", ROOT, "rev-parse", "--git-common-dir"],
                                capture_output=True, text=True, check=True).stdout.strip()
        return os.path.dirname(os.path.abspath(os.path.join(ROOT, common)))
    except (OSError, subprocess.CalledProcessError):
        return ROOT


def node_env():
    env = dict(os.environ)
    if not env.get("NODE_PATH"):
        for cand in (os.path.join(ROOT, "tests", "jsonata", "node_modules"),
                     os.path.join(ROOT, "bench", "node_modules"),
                     os.path.join(main_checkout(), "bench", "node_modules")):
            if os.path.isdir(os.path.join(cand, "jsonata")):
                env["NODE_PATH"] = cand
                break
    return env


def reference_problem():
    """None when node and the jsonata package are usable, else why not."""
    if shutil.which("node") is None:
        return "node is not installed (the reference, npm jsonata 2.0.6, runs in node)"
    p = subprocess.run(["node", "-e", "process.stdout.write(require('jsonata/package.json')"
                        ".version)"], capture_output=True, text=True, env=node_env())
    if p.returncode != 0:
        return ("the jsonata package is not found by node (set NODE_PATH to a node_modules "
                "holding jsonata 2.0.6; scripts/setup.sh runs npm ci in tests/jsonata for it): " + p.stderr[-300:])
    if p.stdout.strip() != "2.0.6":
        return "the jsonata package is %s, not 2.0.6" % p.stdout.strip()
    return None


def parse_answer(line):
    return json.loads(line, object_pairs_hook=lambda pairs: ("obj", pairs))


def parse_line(raw):
    """An answer line (bytes). A line that is not UTF-8 (a lone surrogate written as its
    three-byte form, where JSON needs \\uD83D) is read anyway and marked, so that the
    comparison reports it as its own kind ("invalid-utf8")."""
    try:
        return parse_answer(raw.decode("utf-8"))
    except UnicodeDecodeError:
        a = parse_answer(raw.decode("utf-8", "surrogatepass"))
        return ("obj", a[1] + [("_invalid_utf8", True)])


def run_lines(cmd, lines, env=None):
    """One answer per request line. A process that dies before answering every line (a crash)
    answers the line it died on with the pseudo-code "CRASH", one that stops answering for
    HANG_S seconds with "HANG"; a new process takes the rest."""
    todo = lines.splitlines(keepends=True)
    answers = []
    while todo:
        pseudo = None
        try:
            p = subprocess.run(cmd, input="".join(todo).encode("utf-8"), capture_output=True,
                               env=env, timeout=HANG_S + 0.05 * len(todo))
            out, rc = p.stdout.splitlines(), p.returncode
            err = p.stderr.decode("utf-8", "replace")
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b"").splitlines()
            rc, err = None, ""
            pseudo = "HANG"
        answers.extend(parse_line(line) for line in out[:len(todo)])
        if len(out) >= len(todo) and rc == 0:
            break
        if len(out) >= len(todo):
            raise RuntimeError("%s exited %s: %s" % (" ".join(cmd), rc, err[-1000:]))
        answers.append(("obj", [("code", pseudo or "CRASH"), ("message", "exit %s: %s" % (
            rc, err.strip()[-300:]))]))
        todo = todo[len(out) + 1:]
    return answers


def same(a, b, ordered):
    """Deep equality of values parsed with objects as ("obj", pairs); numbers by value."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, tuple) and isinstance(b, tuple):
        pa, pb = a[1], b[1]
        if len(pa) != len(pb):
            return False
        if ordered:
            return all(ka == kb and same(va, vb, True) for (ka, va), (kb, vb) in zip(pa, pb))
        db = dict(pb)
        return all(k in db and same(v, db[k], False) for k, v in pa)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y, ordered) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def outcome(ans):
    if not isinstance(ans, tuple):
        return "error"
    d = dict(ans[1])
    if "result" in d:
        return "result"
    if d.get("undefined") is True:
        return "undefined"
    return "error"


def difference(ours, ref):
    """The kind of difference between two answers, or None."""
    o, r = outcome(ours), outcome(ref)
    if o == "undefined" and r == "result" and empty(without_nulls(dict(ref[1])["result"])):
        return "nulls"
    if r == "error" and str(dict(ref[1]).get("code", "")).startswith("JS:"):
        if o == "error" and dict(ours[1]).get("code") == "CRASH":
            return "error/error"
        return "reference-crash"
    if o != r:
        return "%s/%s" % (o, r)
    do, dr = dict(ours[1]), dict(ref[1])
    if do.get("_invalid_utf8"):
        return "invalid-utf8"
    if o == "error":
        if do.get("code") == dr.get("code"):
            return None
        if isinstance(do.get("position"), int) and isinstance(dr.get("position"), int) and \
                dr["position"] > do["position"]:
            return "code-later"
        return "code"
    if o == "result":
        if same(do["result"], dr["result"], True):
            return None
        if same(do["result"], dr["result"], False):
            return "order"
        if same(do["result"], without_nulls(dr["result"]), True):
            return "nulls"
        return "value"
    return None


def empty(v):
    """True for an array holding nothing but (nested) empty arrays."""
    return isinstance(v, list) and all(empty(x) for x in v)


def without_nulls(v):
    """v with the nulls in its arrays removed (objects kept as they are)."""
    if isinstance(v, list):
        return [without_nulls(x) for x in v if x is not None]
    return v


def plain(v):
    """A parsed answer back to plain JSON (objects as dicts, in their order)."""
    if isinstance(v, tuple):
        return {k: plain(x) for k, x in v[1]}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def load_known():
    if not os.path.exists(KNOWN):
        return []
    with open(KNOWN, encoding="utf-8") as f:
        known = json.load(f)
    for k in known:
        if not k.get("reason") or "kind" not in k or "expr" not in k:
            raise ValueError("differential_known.json: every entry needs kind, expr and a "
                             "reason: %r" % k)
        k["_re"] = re.compile(k["expr"])
    return known


def listed(known, kind, req, ours, ref):
    texts = {"input": json.dumps(req.get("input"), ensure_ascii=False),
             "stator": json.dumps(plain(ours), ensure_ascii=False),
             "reference": json.dumps(plain(ref), ensure_ascii=False)}
    for i, k in enumerate(known):
        kinds = k["kind"] if isinstance(k["kind"], list) else [k["kind"]]
        if kind not in kinds or not k["_re"].search(req["expr"]):
            continue
        if all(re.search(k[side], texts[side]) for side in texts if side in k):
            return i
    return None


def run_seed(seed, count):
    """Runs one seed; returns (requests, ours, refs, seconds for stator, seconds for node)."""
    reqs = differential_gen.generate(seed, count)
    for r in reqs:
        r["timelimit"] = TIME_LIMIT_MS
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in reqs)
    t0 = time.monotonic()
    ours = run_lines([stator_binary(), "jsonata", "--batch"], lines)
    t1 = time.monotonic()
    refs = run_lines(["node", REFERENCE, "--batch"], lines, env=node_env())
    t2 = time.monotonic()
    return reqs, ours, refs, t1 - t0, t2 - t1


def compare(seed, count, known, messages=False):
    """Returns (unlisted differences, set of known entries used, message notes, stats)."""
    reqs, ours, refs, t_ours, t_ref = run_seed(seed, count)
    unlisted, used, notes = [], set(), []
    outcomes = {"result": 0, "undefined": 0, "error": 0}
    for req, a, b in zip(reqs, ours, refs):
        outcomes[outcome(b)] += 1
        kind = difference(a, b)
        if kind is None:
            if messages and outcome(a) == "error":
                ma, mb = dict(a[1]).get("message"), dict(b[1]).get("message")
                if ma != mb:
                    notes.append({"expr": req["expr"], "code": dict(a[1]).get("code"),
                                  "stator": ma, "reference": mb})
            continue
        i = listed(known, kind, req, a, b)
        if i is not None:
            used.add(i)
            continue
        d = {"seed": seed, "kind": kind, "expr": req["expr"], "stator": plain(a),
             "reference": plain(b)}
        if "input" in req:
            d["input"] = req["input"]
        if "bindings" in req:
            d["bindings"] = req["bindings"]
        unlisted.append(d)
    stats = {"seed": seed, "count": count, "stator_s": t_ours, "reference_s": t_ref,
             "reference_outcomes": outcomes}
    return unlisted, used, notes, stats


def describe(d):
    return json.dumps(d, ensure_ascii=False)[:1500]


class JsonataDifferential(unittest.TestCase):
    def test_fixed_seed(self):
        problem = reference_problem()
        self.assertIsNone(problem, "the differential fuzz needs the reference: %s" % problem)
        self.assertTrue(os.access(stator_binary(), os.X_OK),
                        "%s is not built ($STATOR)" % stator_binary())
        known = load_known()
        unlisted, used, _, stats = compare(TEST_SEED, TEST_COUNT, known)
        sys.stderr.write("jsonata differential: seed %d, %d expressions, %d unlisted "
                         "differences; stator %.2f s, reference %.2f s; reference outcomes %s\n"
                         % (TEST_SEED, TEST_COUNT, len(unlisted), stats["stator_s"],
                            stats["reference_s"], stats["reference_outcomes"]))
        # The generator must keep producing expressions that mostly evaluate to something.
        self.assertGreater(stats["reference_outcomes"]["result"], TEST_COUNT // 3)
        msg = []
        if unlisted:
            msg.append("%d differences from the reference not listed in "
                       "differential_known.json:\n  %s" % (
                           len(unlisted), "\n  ".join(describe(d) for d in unlisted[:40])))
        unused = [k for i, k in enumerate(known) if i not in used]
        if unused:
            # Entries describe classes of differences; one seed need not meet every class.
            # `--seeds 1-20 --check-stale` finds entries that no seed needs any more.
            sys.stderr.write("differential_known.json entries seed %d does not use: %s\n" % (
                TEST_SEED, [k["reason"][:60] for k in unused]))
        if msg:
            self.fail("\n".join(msg))


def parse_seeds(text):
    seeds = []
    for part in text.split(","):
        if "-" in part:
            lo, hi = part.split("-")
            seeds.extend(range(int(lo), int(hi) + 1))
        else:
            seeds.append(int(part))
    return seeds


def by_hand(args):
    problem = reference_problem()
    if problem:
        sys.exit(problem)
    known = load_known()
    total, kinds = 0, {}
    shown = 0
    used_all = set()
    out = open(args.out, "w", encoding="utf-8") if args.out else None
    for seed in parse_seeds(args.seeds):
        unlisted, used, notes, stats = compare(seed, args.count, known, args.messages)
        used_all |= used
        total += len(unlisted)
        for d in unlisted:
            kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
            if out:
                out.write(json.dumps(d) + "\n")
            if shown < args.show:
                print(describe(d))
                shown += 1
        for n in notes[:args.show]:
            print("message: " + json.dumps(n, ensure_ascii=False))
        print("seed %d: %d expressions, %d unlisted differences, %d message differences; "
              "stator %.2f s, reference %.2f s; reference outcomes %s" % (
                  seed, args.count, len(unlisted), len(notes), stats["stator_s"],
                  stats["reference_s"], stats["reference_outcomes"]), file=sys.stderr)
    print("total: %d unlisted differences %s" % (total, kinds), file=sys.stderr)
    stale = [k["reason"][:80] for i, k in enumerate(known) if i not in used_all]
    if args.check_stale and stale:
        print("entries no seed used: %s" % stale, file=sys.stderr)
    sys.exit(1 if total or (args.check_stale and stale) else 0)


if __name__ == "__main__":
    sys.stdout.reconfigure(errors="backslashreplace")
    sys.stderr.reconfigure(errors="backslashreplace")
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", help="seeds to run by hand: 1-20 or 3,5,8")
    parser.add_argument("--count", type=int, default=TEST_COUNT)
    parser.add_argument("--show", type=int, default=20, help="differences to print")
    parser.add_argument("--check-stale", action="store_true",
                        help="fail when a known-differences entry matches nothing in these seeds")
    parser.add_argument("--out", help="write every unlisted difference here (JSON lines)")
    parser.add_argument("--messages", action="store_true",
                        help="also report same-code errors whose messages differ")
    args, rest = parser.parse_known_args()
    if args.seeds or args.messages or args.check_stale:
        if not args.seeds:
            args.seeds = str(TEST_SEED)
        by_hand(args)
    else:
        unittest.main(argv=[sys.argv[0]] + rest)
