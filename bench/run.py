#!/usr/bin/env python3
"""Runs stator and aws-local-stepfunctions (the peer) side by side on the same cases and prints a
table: each system's figure and the ratio stator/peer.

What it does:
  1. builds engine_bench and the stator CLI (cmake + make in --build-dir),
  2. installs the peer into bench/node_modules from package-lock.json when it is missing,
  3. writes the cases (bench/gen_cases.py) into a temporary directory,
  4. runs each case in-process on both sides (engine_bench, peer_bench.mjs), and the
     single-execution cases through both CLIs (`stator run`, `local-sfn`), one process per
     measurement; peak RSS is each process's maximum resident set as GNU time reports it.

Rates divide the transitions (states entered, counted from each system's own history) or
items by the execution time inside the process; a CLI row is the whole process, start-up
included. ratio is stator/peer for rates (higher is better for stator) and for memory (lower is
better for stator).

usage: bench/run.py [--build-dir DIR] [--no-build] [--quick] [--repeat K] [--peer-runs N]
                    [--skip-peer] [--skip-cli] [--json FILE]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
TARGET_PASS_RATE = 1_000_000
TARGET_RATIO = 100.0


def log(msg):
    print(msg, file=sys.stderr, flush=True)


GNU_TIME = "/usr/bin/time"


def run_measured(cmd, stdin_path=None, cwd=None, rss=True):
    """Runs cmd to its end; returns (exit code, stdout text, stderr text, wall s, max RSS KiB).

    With rss, the peak RSS comes from GNU time (Debian package `time`), which forks the command
    from its own small process. A child forked straight from this Python process would report at
    least Python's own peak: Linux carries ru_maxrss across fork and exec. GNU time's own start
    (a fork and an exec) is then inside the wall time; without rss the command is started
    directly and the RSS returned is meaningless.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(mode="r") as rss_file:
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        use_time = rss and os.access(GNU_TIME, os.X_OK)
        full = [GNU_TIME, "-f", "%M", "-o", rss_file.name] + cmd if use_time else cmd
        try:
            t0 = time.perf_counter()
            p = subprocess.Popen(full, stdin=stdin, stdout=out, stderr=err, cwd=cwd)
            _, status, ru = os.wait4(p.pid, 0)
            wall = time.perf_counter() - t0
            p.returncode = os.waitstatus_to_exitcode(status)
        finally:
            if stdin_path:
                stdin.close()
        rss = ru.ru_maxrss
        if use_time:
            lines = [ln for ln in rss_file.read().splitlines() if ln.strip().isdigit()]
            if lines:
                rss = int(lines[-1])
        out.seek(0)
        err.seek(0)
        return (p.returncode, out.read().decode(errors="replace"),
                err.read().decode(errors="replace"), wall, rss)


def build(build_dir):
    if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
        subprocess.run(["cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                        "-DSTATOR_BENCH=ON"], check=True, stdout=subprocess.DEVNULL)
    jobs = str(os.cpu_count() or 2)
    subprocess.run(["make", "-C", build_dir, "-j" + jobs, "engine_bench", "stator"], check=True,
                   stdout=subprocess.DEVNULL)


def ensure_peer():
    if os.path.exists(os.path.join(BENCH, "node_modules", "aws-local-stepfunctions")):
        return
    log("installing aws-local-stepfunctions into bench/node_modules (npm ci)")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=BENCH, check=True,
                   stdout=subprocess.DEVNULL)


def best_of(k, fn):
    """Runs fn k times; returns the result with the smallest wall_s (RSS: the largest seen)."""
    best = None
    max_rss = 0
    for _ in range(k):
        r = fn()
        max_rss = max(max_rss, r["max_rss_kb"])
        if best is None or r["wall_s"] < best["wall_s"]:
            best = r
    best["max_rss_kb"] = max_rss
    return best


def in_process(cmd, label):
    code, out, err, wall, rss = run_measured(cmd, cwd=BENCH)
    if code != 0:
        raise RuntimeError(f"{label} failed (exit {code}): {err.strip()[-2000:]}")
    r = json.loads(out.strip().splitlines()[-1])
    r["process_s"] = wall
    r["max_rss_kb"] = rss  # the child's peak as the kernel saw it
    return r


def cli_run(cmd, stdin_path, label):
    """Two runs of the command: one timed, started straight from here (under GNU time, its fork
    and exec, 1-4 ms on the project VM, would count as the command's), one for the peak RSS."""
    result = {}
    for measure_rss in (False, True):
        code, out, err, wall, rss = run_measured(cmd, stdin_path=stdin_path, cwd=BENCH,
                                                 rss=measure_rss)
        if code != 0:
            raise RuntimeError(f"{label} failed (exit {code}): {err.strip()[-2000:]}")
        if measure_rss:
            result["max_rss_kb"] = rss
        else:
            result.update(wall_s=wall, stdout=out)
    return result


def stator_cli_cmd(stator, case_dir):
    # Input from stdin, as local-sfn reads it.
    return [stator, "run", "-f", os.path.join(case_dir, "definition.json"), "--input-file", "-"]


def peer_cli_cmd(case_dir):
    return ["node", os.path.join(BENCH, "node_modules", ".bin", "local-sfn"), "-f",
            os.path.join(case_dir, "definition.json")]


def fmt_num(x):
    if x is None:
        return "-"
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 1:
        return f"{x:,.2f}"
    return f"{x:.4f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build-bench"))
    ap.add_argument("--no-build", action="store_true", help="use the binaries already built")
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    ap.add_argument("--repeat", type=int, default=1, help="best of K runs per measurement")
    ap.add_argument("--peer-runs", type=int, default=None,
                    help="executions of pass_chain on the peer (default: same as stator)")
    ap.add_argument("--skip-peer", action="store_true")
    ap.add_argument("--skip-cli", action="store_true")
    ap.add_argument("--json", help="also write all measurements to this file")
    a = ap.parse_args()

    if not a.no_build:
        build(a.build_dir)
    if not a.skip_peer:
        ensure_peer()
    if not os.access(GNU_TIME, os.X_OK):
        log(f"WARNING: {GNU_TIME} missing (apt-get install time): peak RSS figures include "
            "this script's own")
    engine_bench = os.path.join(a.build_dir, "bench", "engine_bench")
    stator = os.path.join(a.build_dir, "stator")

    cases_dir = tempfile.mkdtemp(prefix="stator-bench-")
    try:
        gen = [sys.executable, os.path.join(BENCH, "gen_cases.py"), cases_dir]
        if a.quick:
            gen += ["--chain-runs", "20", "--loop-iterations", "10000", "--map-items", "1000"]
        subprocess.run(gen, check=True)

        results = {}
        for name in ("pass_chain", "choice_loop", "inline_map"):
            case_dir = os.path.join(cases_dir, name)
            meta = json.load(open(os.path.join(case_dir, "meta.json")))
            row = {"meta": meta}
            log(f"{name}: stator in-process")
            row["stator"] = best_of(a.repeat, lambda: in_process([engine_bench, case_dir],
                                                                 "engine_bench"))
            if not a.skip_peer:
                log(f"{name}: peer in-process")
                cmd = ["node", os.path.join(BENCH, "peer_bench.mjs"), case_dir]
                if a.peer_runs is not None and meta["runs"] > 1:
                    cmd += ["--runs", str(a.peer_runs)]
                row["peer"] = best_of(a.repeat, lambda: in_process(cmd, "peer_bench"))
            results[name] = row
        # The single-execution cases through each CLI, one process per run, sized to stay
        # under the 25,000-event history cap that `stator run` enforces as AWS does.
        for name in ([] if a.skip_cli else ["choice_loop_cli", "inline_map_cli", "chain10k_cli"]):
            case_dir = os.path.join(cases_dir, name)
            meta = json.load(open(os.path.join(case_dir, "meta.json")))
            meta["dir"] = case_dir
            row = {"meta": meta}
            inp = os.path.join(case_dir, "input.json")
            log(f"{name}: stator CLI")
            row["stator_cli"] = best_of(a.repeat, lambda: cli_run(
                stator_cli_cmd(stator, case_dir), inp, "stator run"))
            if not a.skip_peer:
                log(f"{name}: peer CLI")
                row["peer_cli"] = best_of(a.repeat, lambda: cli_run(
                    peer_cli_cmd(case_dir), inp, "local-sfn"))
            results[name] = row
        floor_s = None
        if not a.skip_cli:
            floor_s = best_of(a.repeat, lambda: cli_run(["/bin/true"], None, "true"))["wall_s"]
        report(results, floor_s)
        if a.json:
            for row in results.values():
                for k in ("stator_cli", "peer_cli"):
                    row.get(k, {}).pop("stdout", None)
            with open(a.json, "w") as f:
                json.dump(results, f, indent=1)
    finally:
        shutil.rmtree(cases_dir, ignore_errors=True)


def check(r, meta, label):
    """Warns when a system did not do the work the case asks for."""
    want = meta["transitions_per_run"] * r["runs"]
    problems = []
    if not r.get("output_ok", False):
        problems.append("wrong output")
    if r["transitions"] != want:
        problems.append(f"{r['transitions']} transitions, expected {want}")
    if problems:
        log(f"WARNING {meta['name']} {label}: " + "; ".join(problems))
    return not problems


def check_cli(r, meta, label):
    """Warns when `stator run` did not print the expected output."""
    want = json.load(open(os.path.join(meta["dir"], "expected.json")))
    try:
        got = json.loads(r["stdout"])
    except ValueError:
        got = None
    if got != want:
        log(f"WARNING {meta['name']} {label}: output differs from expected.json: "
            f"{r['stdout'][:200]!r}")


def report(results, floor_s=None):
    lines = []
    header = f"{'case':<16} {'measure':<30} {'stator':>14} {'peer':>14} {'stator/peer':>12}  target"
    lines.append(header)
    lines.append("-" * len(header))

    def row(case, measure, s, p, ratio, target=""):
        r = "-" if ratio is None else f"{ratio:,.1f}x"
        lines.append(f"{case:<16} {measure:<30} {fmt_num(s):>14} {fmt_num(p):>14} {r:>12}  {target}")

    for name, res in results.items():
        meta = res["meta"]
        unit = meta["unit"]
        units = meta["units_per_run"]
        if "stator" not in res:  # a CLI case: whole processes, start-up included
            sc = res["stator_cli"]
            pc = res.get("peer_cli")
            check_cli(sc, meta, "stator CLI")
            ratio = (pc["wall_s"] / sc["wall_s"]) if pc else None
            verdict = "" if ratio is None else ("met" if ratio >= TARGET_RATIO else "MISSED")
            row(name, "CLI process (s)", sc["wall_s"], pc["wall_s"] if pc else None, ratio,
                f">= {TARGET_RATIO:.0f}x  {verdict}  (ratio = peer time / stator time)")
            s_rate = units / sc["wall_s"]
            p_rate = units / pc["wall_s"] if pc else None
            row(name, f"CLI {unit}/s", s_rate, p_rate, s_rate / p_rate if p_rate else None)
            row(name, "CLI peak RSS (MiB)", sc["max_rss_kb"] / 1024,
                pc["max_rss_kb"] / 1024 if pc else None,
                (sc["max_rss_kb"] / pc["max_rss_kb"]) if pc else None)
            continue
        s = res["stator"]
        p = res.get("peer")
        check(s, meta, "stator")
        if p:
            check(p, meta, "peer")
        s_rate = units * s["runs"] / s["wall_s"]
        p_rate = units * p["runs"] / p["wall_s"] if p else None
        ratio = s_rate / p_rate if p_rate else None
        target = f">= {TARGET_RATIO:.0f}x"
        if name == "pass_chain":
            target = f">= {TARGET_PASS_RATE:,}/s and " + target
        ok = ratio is None or ratio >= TARGET_RATIO
        if name == "pass_chain":
            ok = ok and s_rate >= TARGET_PASS_RATE
        target += "  " + ("met" if ok else "MISSED")
        if unit == "items":
            row(name, "time in process (s)", s["wall_s"], p["wall_s"] if p else None,
                (p["wall_s"] / s["wall_s"]) if p else None)
            row(name, "items/s", s_rate, p_rate, ratio, target)
            st = meta["transitions_per_run"] * s["runs"] / s["wall_s"]
            pt = meta["transitions_per_run"] * p["runs"] / p["wall_s"] if p else None
            row(name, "transitions/s", st, pt, st / pt if pt else None)
        else:
            runs = f" ({s['runs']}/{p['runs'] if p else '-'} runs)" if s["runs"] > 1 else ""
            row(name, "transitions/s" + runs, s_rate, p_rate, ratio, target)
        row(name, "compile (s)", s["compile_s"], p["compile_s"] if p else None, None)
        row(name, "peak RSS (MiB)", s["max_rss_kb"] / 1024, p["max_rss_kb"] / 1024 if p else None,
            (s["max_rss_kb"] / p["max_rss_kb"]) if p else None)
    if floor_s is not None:
        lines.append(f"(process floor: /bin/true, started and timed the way the CLI rows are, "
                     f"takes {floor_s * 1000:.2f} ms here)")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
