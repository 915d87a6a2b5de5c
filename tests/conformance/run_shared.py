#!/usr/bin/env python3
"""The conformance gate on the cases recorded on real AWS (../shared/conformance).

Default (the `conformance_shared` CTest entry): starts a real `stator serve` (ephemeral port,
in memory, real time: the longest Wait/back-off of any case is 11 s, replay.py waits for them)
and replays EVERY case of cases.json against it with the recordings' own replay.py, the api and
test_state areas and the JSONata cases included. The result is compared with the floor kept in
shared_floor.json beside this file: the count of passing cases, the date it was taken, and the
cases that do not pass yet. The run fails
  - when a case that is not listed there fails (a regression; the cases are named),
  - when a listed case passes ("raise the floor to N": run with --update-floor and commit the
    file, so that the floor stays true),
  - when the recordings hold cases the floor does not account for (the recordings changed).
With --case/--only, only the selected cases are compared.

--cli (the `conformance_shared_cli` entry): replays the cases that `stator run` can execute on
its own (no api/test_state areas, no nested or express executions, no Task states,
only CreateStateMachine/StartExecution/GetExecutionHistory/DescribeExecution) through
replay.py's CaseRunner with a stand-in API client that calls the stator binary; every one of
them must pass. It checks the CLI front door (`stator run --json --history`: its own
single-threaded run, its rendering of results and histories) against AWS, which the server
replay does not exercise. It also checks that every local case (cases/*.json) whose
events_source names an AWS recording expects exactly that recording's event types.

Without the recorded cases both modes print why and exit 77 (CTest's SKIP_RETURN_CODE: the
entry shows as Skipped). The last line of a run reads "conformance: P passed, F failed,
S skipped".

Cases: ../shared/conformance/cases.json beside the repository, or $STATOR_SHARED_CONFORMANCE.

usage: run_shared.py [--cli] [--stator PATH] [--case SUBSTR]... [--only AREA,...] [-v]
                     [--jobs N] [--json-report FILE] [--update-floor]
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures as cf
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import types
import uuid

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FLOOR_FILE = os.path.join(HERE, "shared_floor.json")
SKIP_RETURN_CODE = 77
SUPPORTED_CALLS = {"create_state_machine", "start_execution", "get_execution_history",
                   "describe_execution"}
ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/sfn-conformance-role"


def shared_dir() -> str:
    return os.environ.get("STATOR_SHARED_CONFORMANCE") or os.path.join(
        os.path.dirname(ROOT), "shared", "conformance")


def client_error(code: str, message: str, operation: str, status: int = 400):
    import botocore.exceptions
    cls = type(code, (botocore.exceptions.ClientError,), {})
    return cls({"Error": {"Code": code, "Message": message},
                "ResponseMetadata": {"HTTPStatusCode": status}}, operation)


def _metadata():
    return {"HTTPHeaders": {}, "HTTPStatusCode": 200}


def _datetime(seconds: float):
    return dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc)



class StatorSfn:
    """The Step Functions API calls the runnable cases make, served by `stator`."""

    def __init__(self, stator: str, tmp: str):
        self.stator = stator
        self.tmp = tmp
        self.machines: dict[str, tuple[str, str]] = {}  # arn -> (name, definition file)
        self.executions: dict[str, dict] = {}

    def _run(self, args, operation):
        try:
            return subprocess.run([self.stator] + args, capture_output=True, text=True,
                                  timeout=120)
        except subprocess.TimeoutExpired:
            raise client_error("Timeout", "stator did not finish in 120 s", operation, 500)

    def create_state_machine(self, name, definition, roleArn=None, type="STANDARD", **_kw):
        if type != "STANDARD":
            raise client_error("Unsupported", "only STANDARD state machines", "CreateStateMachine")
        path = os.path.join(self.tmp, f"definition-{len(self.machines)}.json")
        with open(path, "w") as f:
            f.write(definition)
        proc = self._run(["validate", "--json", "-f", path], "CreateStateMachine")
        verdict = json.loads(proc.stdout) if proc.stdout.startswith("{") else {}
        if verdict.get("result") != "OK":
            proc = self._run(["run", "--json", "-f", path], "CreateStateMachine")
            try:
                cause = json.loads(proc.stdout)["cause"]
            except (ValueError, KeyError):
                cause = proc.stderr.strip()
            raise client_error("InvalidDefinition", cause, "CreateStateMachine")
        arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}"
        self.machines[arn] = (name, path)
        return {"stateMachineArn": arn, "creationDate": _datetime(0),
                "ResponseMetadata": _metadata()}

    def start_execution(self, stateMachineArn, input=None, name=None, **_kw):
        if stateMachineArn not in self.machines:
            raise client_error("StateMachineDoesNotExist",
                               f"State Machine Does Not Exist: '{stateMachineArn}'",
                               "StartExecution")
        sm_name, path = self.machines[stateMachineArn]
        name = name or str(uuid.uuid4())
        proc = self._run(["run", "--json", "--history", "--time-scale", "0", "-f", path,
                          "--input", "{}" if input is None else input, "--name", name,
                          "--state-machine-name", sm_name, "--account", ACCOUNT,
                          "--region", REGION, "--role-arn", ROLE_ARN], "StartExecution")
        if proc.returncode == 64:
            raise client_error("InvalidExecutionInput", proc.stderr.strip(), "StartExecution")
        try:
            result = json.loads(proc.stdout)
        except ValueError:
            raise client_error("InternalError",
                               f"stator exited {proc.returncode}: {proc.stderr.strip()[:500]}",
                               "StartExecution", 500)
        arn = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:{sm_name}:{name}"
        result.update(name=name, input=input, stateMachineArn=stateMachineArn)
        self.executions[arn] = result
        events = result.get("events") or []
        start = events[0]["timestamp"] if events else 0
        return {"executionArn": arn, "startDate": _datetime(start),
                "ResponseMetadata": _metadata()}

    def _execution(self, arn, operation):
        if arn not in self.executions:
            raise client_error("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'",
                               operation)
        return self.executions[arn]

    def get_execution_history(self, executionArn, **_kw):
        result = self._execution(executionArn, "GetExecutionHistory")
        events = []
        for e in result.get("events") or []:
            e = dict(e)
            e["timestamp"] = _datetime(e["timestamp"])
            events.append(e)
        return {"events": events, "ResponseMetadata": _metadata()}

    def describe_execution(self, executionArn, **_kw):
        r = self._execution(executionArn, "DescribeExecution")
        events = r.get("events") or []
        out = {"executionArn": executionArn, "stateMachineArn": r["stateMachineArn"],
               "name": r["name"], "status": r["status"],
               "startDate": _datetime(events[0]["timestamp"] if events else 0),
               "input": r["input"] if r["input"] is not None else "{}",
               "inputDetails": {"included": True}, "redriveCount": 0,
               "redriveStatus": "NOT_REDRIVABLE", "ResponseMetadata": _metadata()}
        if r["status"] != "RUNNING":
            out["stopDate"] = _datetime(events[-1]["timestamp"] if events else 0)
        if r["status"] == "SUCCEEDED":
            out["output"] = json.dumps(r.get("output"), separators=(",", ":"))
            out["outputDetails"] = {"included": True}
        if r["status"] in ("FAILED", "ABORTED"):  # AWS shows no error for TIMED_OUT
            for k in ("error", "cause"):
                if r.get(k) is not None:
                    out[k] = r[k]
        return out

    # Cleanup calls replay.py makes after each case.
    def list_executions(self, **_kw):
        return {"executions": []}

    def stop_execution(self, **_kw):
        return {}

    def delete_state_machine(self, **_kw):
        return {}


def _has_task(value) -> bool:
    if isinstance(value, dict):
        if value.get("Type") == "Task":
            return True
        return any(_has_task(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_task(v) for v in value)
    return False


def cli_skip_reason(case) -> str | None:
    """Why `stator run` cannot execute a case on its own (None: it can)."""
    if case["area"] in ("api", "test_state"):
        return f"area {case['area']}"
    for tag in ("nested_sfn", "express", "test_state"):
        if tag in case.get("tags", []):
            return tag
    for op in case["ops"]:
        if op.get("op") == "call" and op["method"] not in SUPPORTED_CALLS:
            return f"API call {op['method']}"
        if op.get("op") == "call" and op["method"] == "create_state_machine":
            try:
                definition = json.loads(op["args"].get("definition", ""))
            except ValueError:
                continue
            if _has_task(definition):
                return "Task state (no service behind stator run)"
    return None


def select(cases, args):
    only = set(args.only.split(",")) if args.only else None
    return [c for c in cases
            if (not only or c["area"] in only)
            and (not args.case or any(s in c["id"] for s in args.case))]


def print_areas(results):
    per_area = collections.defaultdict(collections.Counter)
    for r in results:
        per_area[r["area"]][r["status"]] += 1
    print(f"{'area':24s} {'pass':>5s} {'fail':>5s} {'skip':>5s}")
    for area in sorted(per_area):
        c = per_area[area]
        print(f"{area:24s} {c['PASS']:5d} {c['FAIL'] + c['ERROR']:5d} {c['SKIP']:5d}")
    jsonpath = [r for r in results if not r.get("jsonata")]
    print(f"by query language: JSONPath {sum(r['status'] == 'PASS' for r in jsonpath)}/"
          f"{len(jsonpath)}, JSONata "
          f"{sum(r['status'] == 'PASS' for r in results if r.get('jsonata'))}/"
          f"{len(results) - len(jsonpath)}")


def print_failures(results):
    for r in results:
        if r["status"] == "PASS":
            continue
        print(f"--- {r['status']} {r['id']}: {r.get('reason', '')}")
        for k in r.get("keys", []):
            for d in k.get("core_diff", []):
                print(f"      [{k['key']}] {d}")


def short_reason(r) -> str:
    reason = r.get("reason")
    if not reason:
        diffs = [d for k in r.get("keys", []) for d in k.get("core_diff", [])]
        reason = diffs[0] if diffs else r["status"]
    reason = re.sub(r"failed: An error occurred \(([^)]*)\) when calling the \w+ operation:",
                    r"\1:", " ".join(str(reason).split()))
    return reason[:100]


# --- the server replay (the gate) ----------------------------------------------------------------

def replay_on_server(cases_dir, stator, args, cases):
    """Runs replay.py on `cases` against a fresh `stator serve`; returns its results (one per
    case)."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "api"))
    os.environ["STATOR"] = stator
    from stator_server import Server  # noqa: E402  (a real server on an ephemeral port)

    server = Server()
    try:
        with tempfile.TemporaryDirectory(prefix="stator-shared-") as tmp:
            selected = os.path.join(tmp, "cases.json")
            with open(selected, "w") as f:
                json.dump({"format": "sfn-conformance-cases/1", "cases": cases}, f)
            report = os.path.join(tmp, "report.json")
            cmd = [sys.executable, os.path.join(cases_dir, "replay.py"), selected,
                   "--endpoint", server.endpoint, "--region", REGION, "--jobs", str(args.jobs),
                   # every case runs, whatever its Waits add up to (at most 11 s today)
                   "--max-wait", "100000", "--json-report", report]
            if args.verbose:
                cmd.append("-v")
            proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True, timeout=1800)
            if args.verbose or proc.returncode != 0 or not os.path.exists(report):
                print(proc.stdout, end="")
            if proc.returncode != 0 or not os.path.exists(report):
                raise SystemExit(f"run_shared.py: replay.py exited {proc.returncode}")
            with open(report) as f:
                results = json.load(f)["results"]
    finally:
        code = server.stop()
    if code != 0:
        raise SystemExit(f"run_shared.py: stator serve exited {code} at shutdown")
    if sorted(r["id"] for r in results) != sorted(c["id"] for c in cases):
        raise SystemExit(f"run_shared.py: replay.py reported {len(results)} cases, "
                         f"{len(cases)} were given")
    return results


def client_gaps(case, model, by_method):
    """What a case calls that this Python's botocore does not know (its Step Functions model
    predates the operation or the parameter: Debian 12's botocore 1.29 lacks versions, aliases,
    TestState, ...); empty when the client can make every call."""
    gaps = set()
    for op in case["ops"]:
        if op.get("op") != "call":
            continue
        name = by_method.get(op["method"])
        if name is None:
            gaps.add(op["method"])
            continue
        shape = model.operation_model(name).input_shape
        members = set(shape.members) if shape is not None else set()
        gaps.update(f"{op['method']}({arg})" for arg in op.get("args", {}) if arg not in members)
    return gaps


def split_by_client(cases):
    """(cases this Python's boto3 can replay, the others, what it lacks for them)."""
    import botocore
    import botocore.session
    model = botocore.session.get_session().get_service_model("stepfunctions")
    by_method = {botocore.xform_name(name): name for name in model.operation_names}
    can, cannot, lacking = [], [], set()
    for case in cases:
        gaps = client_gaps(case, model, by_method)
        (cannot if gaps else can).append(case)
        lacking |= gaps
    return can, cannot, sorted(lacking)


def load_floor():
    with open(FLOOR_FILE) as f:
        return json.load(f)


def write_floor(results, all_cases):
    by_area = collections.defaultdict(lambda: {"passed": 0, "cases": 0})
    for r in results:
        by_area[r["area"]]["cases"] += 1
        by_area[r["area"]]["passed"] += r["status"] == "PASS"
    floor = {
        "about": "The AWS-recorded conformance gate (tests/conformance/run_shared.py): the "
                 "cases of ../shared/conformance/cases.json that pass against stator serve. "
                 "Written by run_shared.py --update-floor; the gate fails when a case outside "
                 "not_passing fails and when a case in it passes.",
        "date": dt.date.today().isoformat(),
        "cases": len(all_cases),
        "passed": sum(r["status"] == "PASS" for r in results),
        "per_area": {a: by_area[a] for a in sorted(by_area)},
        "not_passing": {r["id"]: short_reason(r)
                        for r in sorted(results, key=lambda r: r["id"])
                        if r["status"] != "PASS"},
    }
    with open(FLOOR_FILE, "w") as f:  # one line per area and per case, for readable diffs
        f.write("{\n" + ",\n".join(
            f" {json.dumps(k)}: " + (
                "{\n" + ",\n".join(f"  {json.dumps(a)}: {json.dumps(v)}"
                                    for a, v in floor[k].items()) + "\n }"
                if isinstance(floor[k], dict) else json.dumps(floor[k]))
            for k in floor) + "\n}\n")
    print(f"run_shared.py: wrote {FLOOR_FILE}: {floor['passed']} of {floor['cases']} pass")


def gate(results, all_cases, whole_run) -> int:
    floor = load_floor()
    known_failing = floor["not_passing"]
    passed = sum(r["status"] == "PASS" for r in results)
    regressed = [r for r in results if r["status"] != "PASS" and r["id"] not in known_failing]
    improved = [r for r in results if r["status"] == "PASS" and r["id"] in known_failing]
    unknown = [i for i in known_failing if i not in {c["id"] for c in all_cases}]
    print(f"floor ({floor['date']}): {floor['passed']} of {floor['cases']} pass"
          + ("" if whole_run else f"; this run selected {len(results)} cases"))
    ok = True
    if len(all_cases) != floor["cases"] or unknown:
        ok = False
        print(f"FAIL: the recordings hold {len(all_cases)} cases, the floor was taken on "
              f"{floor['cases']}" + (f" ({len(unknown)} of its failing cases are gone)"
                                     if unknown else "")
              + ": check the new cases, then run run_shared.py --update-floor")
    if regressed:
        ok = False
        print(f"FAIL: {len(regressed)} case(s) that passed on {floor['date']} fail now:")
        print_failures(regressed)
    if improved:
        ok = False
        new_floor = floor["passed"] + len(improved) - len(regressed)
        print(f"FAIL: {len(improved)} case(s) listed as not passing pass now; raise the floor "
              f"to {new_floor if whole_run else 'match'}: run tests/conformance/run_shared.py "
              f"--update-floor and commit tests/conformance/shared_floor.json:")
        for r in improved:
            print(f"      {r['id']}")
    if whole_run and ok and passed != floor["passed"]:
        ok = False  # (cannot happen when the lists agree; kept as a consistency check)
        print(f"FAIL: {passed} pass, the floor says {floor['passed']}")
    print("conformance gate: " + ("OK, the floor holds" if ok else "FAILED"))
    return 0 if ok else 1


# --- the CLI replay ------------------------------------------------------------------------------

def replay_with_cli(cases_dir, stator, args, cases):
    sys.path.insert(0, cases_dir)
    import replay  # noqa: E402  (the recordings' own runner and normalisation)

    opts = argparse.Namespace(timeout=60.0, no_skip_verify=False, lenient_cause=False,
                              dump_actual=False, keep=False)
    env = {"account": ACCOUNT, "region": REGION, "partition": "aws", "role_arn": ROLE_ARN}

    def work(case):
        reason = cli_skip_reason(case)
        if reason:
            return {"id": case["id"], "area": case["area"], "jsonata": case.get("jsonata"),
                    "status": "SKIP", "reason": reason}
        with tempfile.TemporaryDirectory() as tmp:
            clients = types.SimpleNamespace(sfn=StatorSfn(stator, tmp))
            try:
                return replay.CaseRunner(case, clients, env, opts).run()
            except Exception as e:  # noqa: BLE001  (a harness problem fails the case)
                return {"id": case["id"], "area": case["area"], "status": "ERROR",
                        "reason": f"harness: {type(e).__name__}: {e}"}

    with cf.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        return list(ex.map(work, cases))


def check_local_traces(all_cases) -> list[str]:
    """The local cases (cases/*.json) whose events_source names an AWS recording: that
    recording's history must have exactly their expected event types. Returns the mismatches."""
    by_id = {c["id"]: c for c in all_cases}
    problems, checked = [], 0
    cases_dir = os.path.join(HERE, "cases")
    for name in sorted(os.listdir(cases_dir)):
        with open(os.path.join(cases_dir, name)) as f:
            case = json.load(f)
        source = case.get("events_source", "")
        if not source.startswith("AWS recording "):
            continue
        rec_id = source[len("AWS recording "):].split(" ")[0]
        recorded = [[e.get("type") for e in v["events"]]
                    for v in by_id.get(rec_id, {}).get("expected", {}).values()
                    if isinstance(v, dict) and isinstance(v.get("events"), list)]
        checked += 1
        if case["expect"].get("events") not in recorded:
            problems.append(f"{name}: its events are not those of {rec_id}"
                            + ("" if rec_id in by_id else " (no such recording)"))
    print(f"local cases traced to a recording: {checked} checked, {len(problems)} wrong")
    return problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", action="store_true",
                    help="replay through `stator run` instead of a server")
    ap.add_argument("--stator", default=os.environ.get("STATOR") or
                    os.path.join(ROOT, "build", "stator"))
    ap.add_argument("--case", action="append", default=None, help="substring of a case id")
    ap.add_argument("--only", default=None, help="comma-separated areas")
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--json-report", default=None)
    ap.add_argument("--update-floor", action="store_true",
                    help="write shared_floor.json from this run (the whole server replay)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print why cases fail")
    args = ap.parse_args(argv)

    cases_dir = shared_dir()
    cases_file = os.path.join(cases_dir, "cases.json")
    if not os.path.exists(cases_file):
        print(f"SKIPPED: the AWS-recorded conformance cases are absent: no {cases_file}. "
              "Nothing was compared with AWS. Put the recordings at ../shared/conformance "
              "beside the repository or set STATOR_SHARED_CONFORMANCE to their directory.",
              flush=True)
        return SKIP_RETURN_CODE
    if args.update_floor and (args.cli or args.case or args.only):
        ap.error("--update-floor takes the whole server replay (no --cli, --case, --only)")
    stator = os.path.abspath(args.stator)
    if not os.access(stator, os.X_OK):
        print(f"run_shared.py: no stator binary at {stator}", file=sys.stderr)
        return 1
    with open(cases_file) as f:
        all_cases = json.load(f)["cases"]
    cases = select(all_cases, args)
    if not cases:
        print("run_shared.py: no case selected", file=sys.stderr)
        return 1

    if args.cli:
        results = replay_with_cli(cases_dir, stator, args, cases)
    else:
        import botocore
        _, unreplayable, lacking = split_by_client(all_cases)
        if unreplayable:
            # Not a partial run: such a botocore also drops the response members its model
            # lacks (variableReferences, revisionId, ...), so the other cases would fail too.
            print(f"SKIPPED: the AWS-recorded conformance gate did not run: botocore "
                  f"{botocore.__version__} in {sys.executable} cannot make the calls of "
                  f"{len(unreplayable)} cases (its Step Functions model lacks "
                  f"{', '.join(lacking[:6])}{', ...' if len(lacking) > 6 else ''}). Run the "
                  "tests with a Python whose botocore is newer (CMake's Python3_EXECUTABLE; "
                  "Debian 12's python3-boto3 1.26 is too old for it).", flush=True)
            return SKIP_RETURN_CODE
        results = replay_on_server(cases_dir, stator, args, cases)
    if args.json_report:
        with open(args.json_report, "w") as f:
            json.dump({"results": results}, f, indent=1, default=str)
    print_areas(results)
    passed = sum(r["status"] == "PASS" for r in results)
    skipped = sum(r["status"] == "SKIP" for r in results)
    failed = len(results) - passed - skipped

    if args.cli:
        if args.verbose or failed:
            print_failures([r for r in results if r["status"] != "SKIP"])
        problems = check_local_traces(all_cases)
        for p in problems:
            print(f"FAIL: {p}")
        print(f"conformance: {passed} passed, {failed} failed, {skipped} skipped "
              "(skipped: not runnable by stator run on its own)")
        return 1 if failed or problems else 0
    if args.update_floor:
        write_floor(results, all_cases)
        print(f"conformance: {passed} passed, {failed} failed, {skipped} skipped")
        return 0
    status = gate(results, all_cases, whole_run=len(results) == len(all_cases))
    print(f"conformance: {passed} passed, {failed} failed, {skipped} skipped")
    return status


if __name__ == "__main__":
    sys.exit(main())
