#!/usr/bin/env python3
"""JSONata benchmark: stator's engine (src/jsonata) vs the reference (npm jsonata 2.0.6).

One run measures both sides on the same expressions and prints each figure and the ratio
(reference time / stator time):

- ASL-shaped expressions, `$states` bound as Step Functions binds it: compiled once, evaluated
  many times warm, in process (bench/jsonata_bench.cc; bench/jsonata_bench.mjs in node).
- The JSONata suite (../shared/jsonata-suite, 1,625 cases): every case evaluated once, warm,
  in process (expressions compiled beforehand; and compiled inside the pass), with and without
  the 3 cases that run into a time or depth limit by design (U1001).
- The suite end to end: `stator jsonata --batch` vs `node bench/jsonata_bench.mjs --batch`, one
  process each reading every case as JSON lines (start-up, parsing and output included).

usage: python3 bench/jsonata_bench.py [--build-dir build] [--repeat 3] [--quick] [--json OUT]
  Needs `jsonata_bench` and `stator` built in the build directory
  (cmake --build build --target jsonata_bench stator) and node with the jsonata package
  (NODE_PATH, default bench/node_modules of this checkout or of the main checkout).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "jsonata"))
import run_suite  # noqa: E402  (the suite loader the jsonata_suite test uses)

TARGET_RATIO = 10.0


def main_checkout():
    """The main checkout of this git worktree (or this checkout itself)."""
    try:
        common = subprocess.run(["git", "-C", ROOT, "rev-parse", "--git-common-dir"],
                                capture_output=True, text=True, check=True).stdout.strip()
        return os.path.dirname(os.path.abspath(os.path.join(ROOT, common)))
    except (OSError, subprocess.CalledProcessError):
        return ROOT


def node_env():
    """The environment for node: NODE_PATH as given, else a bench/node_modules holding jsonata
    (this checkout's, then the main checkout's)."""
    env = dict(os.environ)
    if not env.get("NODE_PATH"):
        for cand in (os.path.join(HERE, "node_modules"),
                     os.path.join(main_checkout(), "bench", "node_modules")):
            if os.path.isdir(os.path.join(cand, "jsonata")):
                env["NODE_PATH"] = cand
                break
    return env


def items(n):
    return [{"sku": "SKU-%03d" % i, "name": "item %d" % i, "price": (i * 37) % 100 + 0.5,
             "qty": i % 4 + 1, "tags": ["a", "b"] if i % 2 else ["c"]} for i in range(n)]


def states(input_value):
    return {"states": {"input": input_value,
                       "context": {"Execution": {"Id": "arn:aws:states:us-east-1:1:execution:m:e",
                                                 "Name": "e"},
                               "State": {"Name": "S", "EnteredTime": "2026-01-01T00:00:00Z"}}}}


def asl_cases(quick):
    order = {"title": "Order 42", "id": 42,
             "customer": {"name": "Ada", "city": "London", "tier": "gold"},
             "items": items(20)}
    n = 20000 if quick else 200000
    return [
        {"name": "$states.input.title", "expr": "$states.input.title", "iters": n * 2},
        {"name": "object template + $sum",
         "expr": '{"orderId": $states.input.id, "customer": $states.input.customer.name, '
                 '"total": $sum($states.input.items.price), '
                 '"count": $count($states.input.items)}',
         "iters": n},
        {"name": "filter over 20 items", "expr": "$states.input.items[price > 50].sku",
         "iters": n},
        {"name": "string concatenation",
         "expr": '"Hello, " & $states.input.customer.name & "! Order " & $states.input.id & '
                 '" ships to " & $states.input.customer.city & "."',
         "iters": n},
        {"name": "$map with a lambda",
         "expr": "$map($states.input.items, function($v, $i) { $v.price * $v.qty + $i })",
         "iters": n // 2},
    ], order


def suite_requests():
    """(the suite's requests but those that expect U1001, those that do). The 3 U1001 cases run
    into a time or depth limit by design: tail-recursion/case006 loops until its 1 s time limit
    on both sides, a fixed second that would otherwise dominate both totals."""
    suite = run_suite.suite_dir()
    if suite is None:
        sys.exit("the JSONata suite is absent (../shared/jsonata-suite or $JSONATA_SUITE)")
    datasets, cases = run_suite.load_cases(suite)
    main, limits = [], []
    for _, c in cases:
        code = c.get("code") or (c.get("error") or {}).get("code")
        (limits if code == "U1001" else main).append(run_suite.request(c, datasets))
    return main, limits


def run_json(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr[-2000:]))
    return json.loads(p.stdout.strip().splitlines()[-1])


def time_batch(cmd, lines, repeat, env=None):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.monotonic()
        p = subprocess.run(cmd, input=lines.encode("utf-8"), capture_output=True, env=env)
        best = min(best, time.monotonic() - t0)
        if p.returncode != 0:
            sys.exit("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr[-2000:]))
        # surrogatepass: stator writes a lone UTF-16 surrogate as its three-byte form.
        out = p.stdout.decode("utf-8", "surrogatepass")
    return best, out


def fmt_time(s):
    if s < 1e-6:
        return "%.0f ns" % (s * 1e9)
    if s < 1e-3:
        return "%.2f us" % (s * 1e6)
    if s < 1:
        return "%.1f ms" % (s * 1e3)
    return "%.2f s" % s


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--repeat", type=int, default=3, help="best of N for every figure")
    ap.add_argument("--quick", action="store_true", help="fewer iterations (a smoke test)")
    ap.add_argument("--json", help="write both sides' raw figures here")
    args = ap.parse_args()

    bench_bin = os.path.join(args.build_dir, "bench", "jsonata_bench")
    stator = os.environ.get("STATOR") or os.path.join(args.build_dir, "stator")
    for b in (bench_bin, stator):
        if not os.access(b, os.X_OK):
            sys.exit("%s is not built (cmake --build %s --target jsonata_bench stator)" %
                     (b, args.build_dir))
    env = node_env()
    mjs = os.path.join(HERE, "jsonata_bench.mjs")

    cases, order = asl_cases(args.quick)
    for c in cases:
        c["bindings"] = states(order)
    reqs, limits = suite_requests()
    spec = {"asl": cases, "suite": reqs, "suite_limits": limits, "repeat": args.repeat}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(spec, f)
        spec_path = f.name
    try:
        ours = run_json([bench_bin, spec_path])
        ref = run_json(["node", mjs, "--bench", spec_path], env=env)
    finally:
        os.unlink(spec_path)
    lines = "".join(json.dumps(r) + "\n" for r in reqs)
    all_lines = lines + "".join(json.dumps(r) + "\n" for r in limits)
    batch_ours, out_ours = time_batch([stator, "jsonata", "--batch"], lines, args.repeat)
    batch_ref, out_ref = time_batch(["node", mjs, "--batch"], lines, args.repeat, env=env)
    batch_all_ours, _ = time_batch([stator, "jsonata", "--batch"], all_lines, args.repeat)
    batch_all_ref, _ = time_batch(["node", mjs, "--batch"], all_lines, args.repeat, env=env)
    same = sum(1 for a, b in zip(out_ours.splitlines(), out_ref.splitlines())
               if json.loads(a) == json.loads(b))

    rows, cpu_rows = [], []
    for a, b in zip(ours["asl"], ref["asl"]):
        if json.loads(a["result"]) != json.loads(b["result"]):
            print("warning: %s: results differ: stator %s, reference %s" %
                  (a["name"], a["result"][:80], b["result"][:80]))
        rows.append((a["name"], "per evaluation", a["ns_per_eval"] / 1e9,
                     b["ns_per_eval"] / 1e9))
        cpu_rows.append((a["name"], "per evaluation, CPU time", a["cpu_ns_per_eval"] / 1e9,
                         b["cpu_ns_per_eval"] / 1e9))
    s, r = ours["suite"], ref["suite"]
    sl, rl = ours["suite_limits"], ref["suite_limits"]
    n, n_all = s["cases"], s["cases"] + sl["cases"]
    rows.append(("suite, %d cases, in process" % n, "evaluate each once (compiled)",
                 s["eval_s"], r["eval_s"]))
    cpu_rows.append(("suite, %d cases, in process" % n, "evaluate each once, CPU time",
                     s["cpu_eval_s"], r["cpu_eval_s"]))
    rows.append(("suite, %d cases, in process" % n, "compile + evaluate each once",
                 s["compile_eval_s"], r["compile_eval_s"]))
    rows.append(("suite, %d cases, in process" % n_all, "evaluate each once (compiled)",
                 s["eval_s"] + sl["eval_s"], r["eval_s"] + rl["eval_s"]))
    rows.append(("suite, %d cases, end to end" % n, "one --batch process", batch_ours, batch_ref))
    rows.append(("suite, %d cases, end to end" % n_all, "one --batch process", batch_all_ours,
                 batch_all_ref))

    print("JSONata: stator vs jsonata-js %s (node %s), best of %d; ratio = reference / stator; "
          "load average %.1f" % (ref["version"], ref["node"], args.repeat, os.getloadavg()[0]))
    print("%-32s %-30s %10s %11s %8s  %s" % ("case", "measure", "stator", "reference", "ratio",
                                             "target"))
    print("-" * 108)
    for name, measure, t_ours, t_ref in rows + cpu_rows:
        ratio = t_ref / t_ours
        verdict = "ok" if ratio >= TARGET_RATIO else "MISSED"
        print("%-32s %-30s %10s %11s %7.1fx  >= %gx %s" % (
            name, measure, fmt_time(t_ours), fmt_time(t_ref), ratio, TARGET_RATIO, verdict))
    print("%d suite cases run into a limit by design (expect U1001) and are counted only in the "
          "%d-case rows; tail-recursion/case006 alone spends its 1 s time limit on each side" %
          (sl["cases"], n_all))
    print("suite outcomes (result/undefined/error, %d cases): stator %s, reference %s; --batch "
          "answers identical on %d/%d lines" % (n,
              "/".join(str(s["outcomes"][k]) for k in ("result", "undefined", "error")),
              "/".join(str(r["outcomes"][k]) for k in ("result", "undefined", "error")),
              same, len(reqs)))
    for side, res in (("stator", s), ("reference", r)):
        print("slowest suite cases (%s, warm-up pass): %s" % (side, ", ".join(
            "%s %s" % (reqs[c["case"]]["expr"][:40].replace("\n", " "), fmt_time(c["s"]))
            for c in res["slowest"][:5])))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"stator": ours, "reference": ref, "batch_stator_s": batch_ours,
                       "batch_reference_s": batch_ref}, f, indent=1)


if __name__ == "__main__":
    main()
