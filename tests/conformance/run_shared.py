#!/usr/bin/env python3
"""Score `stator run` against the conformance cases recorded on real AWS.

Reads ../shared/conformance/cases.json (relative to the repository root; or the directory in
$STATOR_SHARED_CONFORMANCE). Every case that `stator run` can execute on its own is replayed
through replay.py's own CaseRunner, with a stand-in for the Step Functions API client that
serves CreateStateMachine, StartExecution, GetExecutionHistory and DescribeExecution by calling
the stator binary. Responses are normalised by snapnorm.py exactly as replay.py does for a
server, and compared the same way: status, output or error and cause, and the sequence of
history event types.

Runnable: not the api/test_state areas, no JSONata, no nested state machines or express
executions, no Task states (no service behind them), and only the API calls above. Everything
else counts as skipped.

The last line reads "conformance: P passed, F failed, S skipped". The exit status is 0 whatever
the score (this is a measurement, not a gate), and 0 with a message when the cases are absent.

usage: run_shared.py [--stator PATH] [--case SUBSTR]... [--only AREA,...] [-v] [--jobs N]
                     [--json-report FILE]
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures as cf
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import types
import uuid

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SUPPORTED_CALLS = {"create_state_machine", "start_execution", "get_execution_history",
                   "describe_execution"}
ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/sfn-conformance-role"


def shared_dir() -> str:
    return os.environ.get("STATOR_SHARED_CONFORMANCE") or os.path.join(
        os.path.dirname(ROOT), "shared", "conformance")


def install_boto_stand_ins() -> None:
    """replay.py imports boto3/botocore at load time; without them (a machine that never needs a
    real endpoint), minimal stand-ins with the same exception classes are enough."""
    try:
        import boto3  # noqa: F401
        import botocore.exceptions  # noqa: F401
        return
    except ImportError:
        pass
    botocore = types.ModuleType("botocore")
    exceptions = types.ModuleType("botocore.exceptions")
    config = types.ModuleType("botocore.config")

    class BotoCoreError(Exception):
        pass

    class ClientError(Exception):
        def __init__(self, error_response, operation_name):
            err = error_response.get("Error", {})
            super().__init__(f"An error occurred ({err.get('Code')}) when calling the "
                             f"{operation_name} operation: {err.get('Message')}")
            self.response = error_response
            self.operation_name = operation_name

    class ParamValidationError(BotoCoreError):
        pass

    exceptions.BotoCoreError = BotoCoreError
    exceptions.ClientError = ClientError
    exceptions.ParamValidationError = ParamValidationError
    config.Config = lambda **kw: kw
    botocore.exceptions = exceptions
    botocore.config = config
    boto3 = types.ModuleType("boto3")
    boto3.session = types.SimpleNamespace(Session=None)
    sys.modules.update({"botocore": botocore, "botocore.exceptions": exceptions,
                        "botocore.config": config, "boto3": boto3})


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


def skip_reason(case) -> str | None:
    if case["area"] in ("api", "test_state"):
        return f"area {case['area']}"
    if case.get("jsonata"):
        return "JSONata"
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stator", default=os.environ.get("STATOR") or
                    os.path.join(ROOT, "build", "stator"))
    ap.add_argument("--case", action="append", default=None, help="substring of a case id")
    ap.add_argument("--only", default=None, help="comma-separated areas")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--json-report", default=None)
    ap.add_argument("-v", "--verbose", action="store_true", help="print why cases fail")
    args = ap.parse_args(argv)

    cases_dir = shared_dir()
    cases_file = os.path.join(cases_dir, "cases.json")
    if not os.path.exists(cases_file):
        print(f"run_shared.py: no recorded cases at {cases_file}; nothing to score "
              "(set STATOR_SHARED_CONFORMANCE to their directory)")
        return 0
    args.stator = os.path.abspath(args.stator)
    if not os.access(args.stator, os.X_OK):
        print(f"run_shared.py: no stator binary at {args.stator}", file=sys.stderr)
        return 1
    install_boto_stand_ins()
    sys.path.insert(0, cases_dir)
    import replay  # noqa: E402  (the recordings' own runner and normalisation)

    with open(cases_file) as f:
        cases = json.load(f)["cases"]
    only = set(args.only.split(",")) if args.only else None
    selected, skipped = [], []
    for c in cases:
        if only and c["area"] not in only:
            continue
        if args.case and not any(s in c["id"] for s in args.case):
            continue
        reason = skip_reason(c)
        if reason:
            skipped.append({"id": c["id"], "area": c["area"], "status": "SKIP",
                            "reason": reason})
        else:
            selected.append(c)

    opts = argparse.Namespace(timeout=60.0, no_skip_verify=False, lenient_cause=False,
                              dump_actual=False, keep=False)
    env = {"account": ACCOUNT, "region": REGION, "partition": "aws", "role_arn": ROLE_ARN}

    def work(case):
        with tempfile.TemporaryDirectory() as tmp:
            clients = types.SimpleNamespace(sfn=StatorSfn(args.stator, tmp))
            try:
                return replay.CaseRunner(case, clients, env, opts).run()
            except Exception as e:  # noqa: BLE001  (a harness problem fails the case)
                return {"id": case["id"], "area": case["area"], "status": "ERROR",
                        "reason": f"harness: {type(e).__name__}: {e}"}

    with cf.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        results = list(ex.map(work, selected))

    per_area = collections.defaultdict(collections.Counter)
    for r in results + skipped:
        per_area[r["area"]][r["status"]] += 1
    for r in results:
        if r["status"] == "PASS" or not args.verbose:
            continue
        print(f"--- {r['status']} {r['id']}: {r.get('reason', '')}")
        for k in r.get("keys", []):
            for d in k.get("core_diff", []):
                print(f"      [{k['key']}] {d}")
    print(f"{'area':24s} {'pass':>5s} {'fail':>5s} {'skip':>5s}")
    for area in sorted(per_area):
        c = per_area[area]
        print(f"{area:24s} {c['PASS']:5d} {c['FAIL'] + c['ERROR']:5d} {c['SKIP']:5d}")
    passed = sum(1 for r in results if r["status"] == "PASS")
    failed = len(results) - passed
    if args.json_report:
        with open(args.json_report, "w") as f:
            json.dump({"results": results + skipped}, f, indent=1, default=str)
    print(f"conformance: {passed} passed, {failed} failed, {len(skipped)} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
