"""examples/knix-call-center end to end, so that it cannot rot.

run.py against a real `stator serve` (twice on the same server: a second run finds the user,
functions, workflow and state machine of the first and updates them), and once starting its own
server. The script exits 0 only when the KNIX endpoint and the Step Functions executions agree;
the test also checks what the run left on the server through both APIs.

IAM and STS: the script's IAM step is optional (a server that does not serve IAM/STS gets a
made-up role ARN, and the script says so). When this server answers sts.get_caller_identity, the
script runs with --require-iam, so that the step is then checked, not skipped.

Needs python3 with boto3 and requests, and bubblewrap for the functions (a missing one fails).
"""

import base64
import json
import os
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import boto3  # noqa: E402
import botocore.config  # noqa: E402
import botocore.exceptions  # noqa: E402
import botocore.parsers  # noqa: E402
import requests  # noqa: E402

from stator_server import ACCOUNT, REGION, ROOT, Server, client, find_stator  # noqa: E402
import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

SCRIPT = os.path.join(ROOT, "examples", "knix-call-center", "run.py")
RESOLVED = {"Case": "001", "Status": 1,
            "Message": "Case 001: opened...assigned...resolved...closed."}
ESCALATED = {"Case": "002", "Status": 0,
             "Message": "Case 002: opened...assigned...unresolved...escalating."}


def serves_sts(endpoint):
    sts = boto3.client("sts", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="x",
                       aws_secret_access_key="x",
                       config=botocore.config.Config(retries={"max_attempts": 0}))
    try:
        sts.get_caller_identity()
        return True
    except (botocore.exceptions.ClientError, botocore.parsers.ResponseParserError):
        return False


def run(*args, env=None):
    e = dict(os.environ, STATOR=find_stator())
    e.update(env or {})
    p = subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True,
                       timeout=300, env=e)
    return p.returncode, p.stdout, p.stderr


class CallCenterExampleTest(unittest.TestCase):
    def check_output(self, stdout):
        self.assertIn(f"   case 001: {json.dumps(RESOLVED)}", stdout)
        self.assertIn(f"   case 002: {json.dumps(ESCALATED)}", stdout)
        self.assertIn(f"   case 001: same output: {json.dumps(RESOLVED)}", stdout)
        self.assertIn("   case 002: escalated: as expected", stdout)
        self.assertIn("FailStateEntered", stdout)
        self.assertTrue(stdout.endswith("== the two worlds agree\n"), stdout[-500:])

    def test_against_a_running_server_twice(self):
        server = Server()
        try:
            iam = ["--require-iam"] if serves_sts(server.endpoint) else []
            print(f"\nIAM/STS served: {bool(iam)}", flush=True)
            for attempt in ("first", "second"):
                with self.subTest(run=attempt):
                    code, stdout, stderr = run("--endpoint", server.endpoint, *iam)
                    self.assertEqual(code, 0, f"stdout:\n{stdout}\nstderr:\n{stderr}")
                    self.check_output(stdout)
                    self.assertIn("created " if attempt == "first" else "updated ", stdout)
                    if not iam:
                        self.assertIn("IAM/STS: not served by this server", stdout)

            # What the run left: the KNIX workflow (deployed, plain function names) and the
            # state machine (Lambda ARNs), one of each after two runs.
            url = server.endpoint + "/management"
            token = requests.post(url, json={"action": "logIn", "data": {"user": {
                "email": "callcenter@example.com", "password": "call-center-demo"}}}).json()[
                "data"]["token"]
            workflows = requests.post(url, json={"action": "getWorkflows", "data": {
                "user": {"token": token}}}).json()["data"]["workflows"]
            self.assertEqual([(w["name"], w["status"]) for w in workflows],
                             [("CallCenter", "deployed")])
            document = json.loads(base64.b64decode(requests.post(url, json={
                "action": "getWorkflowJSON", "data": {"user": {"token": token}, "workflow": {
                    "id": workflows[0]["id"]}}}).json()["data"]["workflow"]["json"]))
            self.assertEqual(document["States"]["Open Case"]["Resource"], "OpenCaseFunction")
            sfn = client(server.endpoint)
            machines = sfn.list_state_machines()["stateMachines"]
            self.assertEqual([m["name"] for m in machines], ["CallCenterStateMachine"])
            definition = json.loads(sfn.describe_state_machine(
                stateMachineArn=machines[0]["stateMachineArn"])["definition"])
            self.assertEqual(definition["States"]["Close Case"]["Resource"],
                             f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:CloseCaseFunction")
            self.assertEqual(len(sfn.list_executions(
                stateMachineArn=machines[0]["stateMachineArn"])["executions"]), 4)
        finally:
            server.stop()

    def test_with_its_own_server(self):
        code, stdout, stderr = run()
        self.assertEqual(code, 0, f"stdout:\n{stdout}\nstderr:\n{stderr}")
        self.assertTrue(stdout.startswith("== started stator serve at http://127.0.0.1:"),
                        stdout[:200])
        self.check_output(stdout)

    def test_wrong_password_is_reported(self):
        server = Server()
        try:
            self.assertEqual(run("--endpoint", server.endpoint)[0], 0)
            code, stdout, stderr = run("--endpoint", server.endpoint, "--password", "wrong")
            self.assertEqual(code, 1)
            self.assertEqual(stderr, "run.py: MicroFunctions Error for action logIn: "
                                     "Authentication failed; wrong username and/or password.\n")
            self.assertEqual(stdout, "")
        finally:
            server.stop()


if __name__ == "__main__":
    ctest_unittest.main()
