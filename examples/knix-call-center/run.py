#!/usr/bin/env python3
"""The KNIX "call center" migration, end to end, against one stator server.

1. KNIX: sign up (or log in), upload the five functions (functions/*.py, `handle(event,
   context)`) as KNIX's SDK uploads a zip, upload workflow.json, deploy it, and run two cases
   through the workflow's KNIX endpoint: case 001 gets resolved (Close Case), case 002 does not
   (Escalate Case, then the Fail state).
2. AWS, by hand as a KNIX user migrates today (KNIX's tutorials/migration notebook): read the
   workflow JSON back, prefix every Resource with arn:aws:lambda:REGION:ACCOUNT:function:,
   get or create an IAM role for Step Functions, read the caller's ARN (STS) for the account,
   create the state machine with boto3, start the same two executions, wait, print their
   histories. Only boto3's endpoint_url differs from what one would run against AWS.
3. Compare: the resolved case's output is the same in both worlds. The escalated case ends in a
   Fail state, which KNIX and Step Functions treat differently by design: KNIX returns the Fail
   state's input as the workflow's output; Step Functions fails the execution (with the state's
   Cause). What must match there is KNIX's output and the input the Fail state got on AWS.

The KNIX calls are made with `requests` in the shapes of KNIX's SDK (mfn_sdk), which is not
shipped here. IAM and STS are optional: on a server that does not serve them, the role ARN is
made up and the account is read from a function's ARN (the script says so); with --require-iam
their absence is an error.

usage: run.py [--endpoint URL] [--region R] [--email E --password P] [--require-iam]
Without --endpoint it starts a throw-away `stator serve` ($STATOR, else build/stator) and stops
it at the end. Exit status: 0 when the two worlds agree, 1 otherwise.
"""

import argparse
import base64
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

import boto3
import botocore.config
import botocore.exceptions
import botocore.parsers
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FUNCTIONS = ["OpenCaseFunction", "AssignCaseFunction", "WorkOnCaseFunction",
             "CloseCaseFunction", "EscalateCaseFunction"]
WORKFLOW = "CallCenter"
STATE_MACHINE = "CallCenterStateMachine"
ROLE = "CallCenterStepFunctionsRole"
CASES = ["001", "002"]  # odd: resolved, even: escalated (functions/WorkOnCaseFunction.py)
CHUNK = 1024 * 1024  # the SDK cuts a zip's base64 text into chunks of this many characters


class KnixError(Exception):
    pass


class Knix:
    """What MfnClient does, over KNIX's management protocol: POST {url}/management with
    {"action", "data": {"user": {"token"}, ...}}; answers {"status", "data"}."""

    def __init__(self, url, email, password, name):
        self.url = url.rstrip("/") + "/management"
        self.token = None
        try:
            self.login(email, password)
        except KnixError as login_failed:  # a new user: sign up (an existing one: the password)
            try:
                self.action("signUp", user={"email": email, "password": password, "name": name})
            except KnixError:
                raise login_failed from None
            self.login(email, password)

    def login(self, email, password):
        self.token = self.action("logIn", user={"email": email, "password": password})["token"]

    def action(self, action, **data):
        data.setdefault("user", {"token": self.token})
        r = requests.post(self.url, json={"action": action, "data": data}, timeout=120)
        r.raise_for_status()
        answer = r.json()
        if answer.get("status") != "success":
            raise KnixError(f"MicroFunctions Error for action {action}: "
                            f"{answer.get('data', {}).get('message')}")
        return answer["data"]

    def function(self, name):
        """The id of the function `name`, added when the user has none."""
        for f in self.action("getFunctions")["functions"]:
            if f["name"] == name:
                return f["id"]
        return self.action("addFunction",
                           function={"name": name, "runtime": "Python 3.6"})["function"]["id"]

    def upload_zip(self, fid, name, zip_bytes):
        """Function.upload of a zip: metadata with the chunk count, the chunks, and the
        module <name>.py as text code too."""
        text = base64.b64encode(zip_bytes).decode()
        chunks = [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)]
        self.action("uploadFunctionZipMetadata", function={
            "id": fid, "chunks": len(chunks), "format": "zipMetadata",
            "metadata": base64.b64encode(f"<p>{name}.zip</p>".encode()).decode()})
        for i, chunk in enumerate(chunks):
            self.action("uploadFunctionCode",
                        function={"id": fid, "chunk": i, "code": chunk, "format": "zip"})
        with zipfile.ZipFile(io.BytesIO(zip_bytes)) as z:
            code = z.read(f"{name}.py")
        self.action("uploadFunctionCode", function={
            "id": fid, "code": base64.b64encode(code).decode(), "format": "text"})

    def workflow(self, name):
        """(id, status) of the workflow `name`, added when the user has none."""
        for w in self.action("getWorkflows")["workflows"]:
            if w["name"] == name:
                return w["id"], w["status"]
        return self.action("addWorkflow", workflow={"name": name})["workflow"]["id"], "undeployed"

    def deploy(self, wid, timeout=60):
        """deployWorkflow, then the status polled as Workflow.deploy does; the endpoint."""
        self.action("deployWorkflow", workflow={"id": wid})
        deadline, sleep = time.monotonic() + timeout, 0.1
        while True:
            w = self.action("getWorkflows", workflow={"id": wid})["workflow"]
            if w["status"] == "deployed":
                return w["endpoints"][0]
            if w["status"] == "failed":
                raise KnixError(f"deploying {w['name']} failed: {w.get('deployment_error')}")
            if time.monotonic() > deadline:
                raise KnixError(f"{w['name']} still {w['status']} after {timeout} s")
            time.sleep(sleep)
            sleep = min(sleep * 2, 1)


def execute(url, event):
    """Workflow.execute: POST the event as JSON to the endpoint; the output."""
    r = requests.post(url, json=event, timeout=120)
    r.raise_for_status()
    return r.json()


def zip_of(name):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(os.path.join(HERE, "functions", f"{name}.py"), f"{name}.py")
    return buf.getvalue()


def on_knix(knix):
    print("== KNIX: functions, workflow, deploy")
    for name in FUNCTIONS:
        knix.upload_zip(knix.function(name), name, zip_of(name))
        print(f"   uploaded {name}")
    with open(os.path.join(HERE, "workflow.json"), "rb") as f:
        document = f.read()
    wid, status = knix.workflow(WORKFLOW)
    if status != "undeployed":  # a run before this one deployed it: deploy this JSON instead
        knix.action("undeployWorkflow", workflow={"id": wid})
    knix.action("uploadWorkflowJSON",
                workflow={"id": wid, "json": base64.b64encode(document).decode()})
    url = knix.deploy(wid)
    print(f"   workflow {WORKFLOW} ({wid}) deployed at {url}")
    outputs = {}
    for case in CASES:
        outputs[case] = execute(url, {"inputCaseID": case})
        print(f"   case {case}: {json.dumps(outputs[case])}")
    return wid, outputs


def not_served(error):
    """Whether a boto3 error says that the server does not serve the API at all."""
    if isinstance(error, botocore.parsers.ResponseParserError):
        return True  # an AWS JSON answer where IAM's / STS's XML belongs
    if isinstance(error, botocore.exceptions.ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        return code in ("UnknownOperationException", "UnknownOperation", "InvalidAction") or \
            error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404
    return False


def role_and_account(clients, require_iam):
    """The role ARN for the state machine and the account of the Lambda ARNs, as the KNIX
    notebook gets them: IAM get_role (create_role when missing) and the caller's ARN."""
    iam, sts, lam = clients["iam"], clients["sts"], clients["lambda"]
    try:
        try:
            role_arn = iam.get_role(RoleName=ROLE)["Role"]["Arn"]
            print(f"   IAM role {role_arn} (exists)")
        except botocore.exceptions.ClientError as e:
            if e.response["Error"]["Code"] != "NoSuchEntity":
                raise
            role_arn = iam.create_role(
                Path="/service-role/", RoleName=ROLE, Description="KNIX call center migration",
                AssumeRolePolicyDocument=json.dumps({
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                   "Principal": {"Service": "states.amazonaws.com"}}]}),
                MaxSessionDuration=3600)["Role"]["Arn"]
            print(f"   IAM role {role_arn} (created)")
        caller = sts.get_caller_identity()["Arn"]
        print(f"   caller {caller}")
        return role_arn, caller.split(":")[4]
    except (botocore.exceptions.ClientError, botocore.parsers.ResponseParserError) as e:
        if require_iam or not not_served(e):
            raise
        arn = lam.get_function(FunctionName=FUNCTIONS[0])["Configuration"]["FunctionArn"]
        account = arn.split(":")[4]
        role_arn = f"arn:aws:iam::{account}:role/service-role/{ROLE}"
        print(f"   IAM/STS: not served by this server ({type(e).__name__}): skipped; "
              f"role {role_arn}, account {account} from {arn}")
        return role_arn, account


def wait(sfn, arn, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        d = sfn.describe_execution(executionArn=arn)
        if d["status"] != "RUNNING":
            return d
        if time.monotonic() > deadline:
            raise RuntimeError(f"{arn} still RUNNING after {timeout} s")
        time.sleep(0.05)


def print_history(events):
    """One line per event: its type, the state or function, and what came out (inputs only
    where the execution starts and where the Fail state is entered)."""
    shown = ["name", "resource", "output", "error", "cause"]
    for ev in events:
        details = ""
        for key, value in ev.items():
            if key.endswith("EventDetails"):
                keys = shown + (["input"] if ev["type"] in ("ExecutionStarted",
                                                            "FailStateEntered") else [])
                details = " ".join(f"{k}={value[k]}" for k in keys if k in value)
        print(f"     {ev['id']:>3} {ev['type']:<26} {details}".rstrip())


def on_aws(endpoint, region, knix, wid, require_iam):
    print("== AWS: the same workflow as a Step Functions state machine (boto3)")
    kw = dict(endpoint_url=endpoint, region_name=region, aws_access_key_id="x",
              aws_secret_access_key="x",
              config=botocore.config.Config(retries={"max_attempts": 0}))
    clients = {name: boto3.client(name, **kw) for name in ("stepfunctions", "lambda", "iam",
                                                            "sts")}
    sfn = clients["stepfunctions"]
    role_arn, account = role_and_account(clients, require_iam)

    definition = json.loads(base64.b64decode(
        knix.action("getWorkflowJSON", workflow={"id": wid})["workflow"]["json"]))
    prefix = f"arn:aws:lambda:{region}:{account}:function:"
    for state in definition["States"].values():
        if "Resource" in state:
            state["Resource"] = prefix + state["Resource"]
    machine_arn = f"arn:aws:states:{region}:{account}:stateMachine:{STATE_MACHINE}"
    try:
        sfn.describe_state_machine(stateMachineArn=machine_arn)  # a run before this one's
        sfn.update_state_machine(stateMachineArn=machine_arn, roleArn=role_arn,
                                 definition=json.dumps(definition, indent=2))
        print(f"   updated {machine_arn}")
    except sfn.exceptions.StateMachineDoesNotExist:
        machine_arn = sfn.create_state_machine(name=STATE_MACHINE, roleArn=role_arn,
                                               definition=json.dumps(definition, indent=2))[
            "stateMachineArn"]
        print(f"   created {machine_arn}")

    results = {}
    for case in CASES:
        started = sfn.start_execution(stateMachineArn=machine_arn,
                                      input=json.dumps({"inputCaseID": case}))
        done = wait(sfn, started["executionArn"])
        events = sfn.get_execution_history(executionArn=started["executionArn"])["events"]
        print(f"   case {case}: {done['status']} {done.get('output', done.get('cause', ''))}")
        print_history(events)
        results[case] = (done, events)
    return results


def compare(knix_outputs, aws_results):
    print("== KNIX and AWS compared")
    ok = True
    for case in CASES:
        knix_out = knix_outputs[case]
        done, events = aws_results[case]
        if done["status"] == "SUCCEEDED":
            same = json.loads(done["output"]) == knix_out
            print(f"   case {case}: {'same output' if same else 'DIFFERENT outputs'}: "
                  f"{json.dumps(knix_out)}")
        else:
            # KNIX's Fail state returns its input; on AWS that input entered the Fail state.
            entered = [json.loads(e["stateEnteredEventDetails"]["input"]) for e in events
                       if e["type"] == "FailStateEntered"]
            same = (done["status"] == "FAILED" and entered == [knix_out]
                    and done.get("cause") == "Engage Tier 2 Support.")
            print(f"   case {case}: escalated: {'as expected' if same else 'NOT as expected'}: "
                  f"KNIX returned the Fail state's input {json.dumps(knix_out)}; Step Functions "
                  f"failed the execution ({done['status']}, cause {done.get('cause')!r})")
        ok = ok and same
    return ok


def start_server():
    stator = os.environ.get("STATOR") or os.path.join(ROOT, "build", "stator")
    if not os.access(stator, os.X_OK):
        sys.exit(f"run.py: no stator binary at {stator} (build it, set STATOR, or give "
                 "--endpoint)")
    data = tempfile.mkdtemp(prefix="knix-call-center-")
    proc = subprocess.Popen([stator, "serve", "--port", "0", "--data-dir", data],
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("stator listening on "):
        proc.kill()
        sys.exit(f"run.py: the server did not start ({line!r})")
    return proc, data, line[len("stator listening on "):]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--endpoint", help="a running stator server (default: start one)")
    p.add_argument("--region", default="us-east-1", help="the server's region (--region of "
                   "stator serve; default us-east-1)")
    p.add_argument("--email", default="callcenter@example.com")
    p.add_argument("--password", default="call-center-demo")
    p.add_argument("--require-iam", action="store_true",
                   help="fail when the server does not serve IAM and STS")
    args = p.parse_args()
    proc = data = None
    endpoint = args.endpoint
    if endpoint is None:
        proc, data, endpoint = start_server()
        print(f"== started stator serve at {endpoint}")
    try:
        knix = Knix(endpoint, args.email, args.password, "Call Center")
        wid, knix_outputs = on_knix(knix)
        aws_results = on_aws(endpoint, args.region, knix, wid, args.require_iam)
        ok = compare(knix_outputs, aws_results)
    except KnixError as e:
        print(f"run.py: {e}", file=sys.stderr)
        return 1
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
            proc.stdout.close()
            shutil.rmtree(data, ignore_errors=True)
    print("== the two worlds agree" if ok else "== the two worlds DISAGREE")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
