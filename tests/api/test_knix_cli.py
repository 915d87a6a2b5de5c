"""`stator knix export` and `stator knix import` against a real `stator serve`.

The KNIX side is set up over the KNIX management protocol with `requests` (sign-up, log-in,
functions as text code and as a chunked zip, workflows, deploy, the workflow endpoint); the AWS
side is boto3's Step Functions client of the same server. Covered: export writes the Step
Functions definition and one zip per function (which unpack to the uploaded code); the exported
definition, created with create_state_machine, gives the same output as the KNIX endpoint;
import creates a KNIX workflow that deploys and runs; KNIX -> AWS -> KNIX gives the same
workflow back; SAND workflows (a chain converts, a fan-out is refused by name); functions an
import names that the user lacks; and the failures (unknown workflow, wrong password, a file
that is not JSON, no credentials, no server) with their messages and exit codes.

Needs python3 with boto3 and requests, and bubblewrap for the functions (a missing one fails).
"""

import base64
import io
import json
import os
import random
import subprocess
import sys
import time
import zipfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import requests  # noqa: E402

from stator_server import ACCOUNT, REGION, ServerTestCase, find_stator  # noqa: E402
import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

EMAIL = "cli@example.com"
PASSWORD = "s3cret pass"
CHUNK = 1024 * 1024  # the SDK's chunk size (characters of the base64 text)

GREET = """\
def handle(event, context):
    return {"name": event["name"], "greeting": "hello " + event["name"], "loud": event["loud"]}
"""
SHOUT = """\
import helper


def handle(event, context):
    with open("words.txt") as f:
        word = f.read().strip()
    event["greeting"] = helper.shout(event["greeting"]) + " " + word
    return event
"""
HELPER = "def shout(text):\n    return text.upper() + '!'\n"

WORKFLOW = {
    "Comment": "greets, shouts when asked",
    "StartAt": "Greet",
    "States": {
        "Greet": {"Type": "Task", "Resource": "kc_greet", "Next": "Loud?"},
        "Loud?": {"Type": "Choice",
                  "Choices": [{"Variable": "$.loud", "BooleanEquals": True, "Next": "Shout"}],
                  "Default": "Quiet"},
        "Shout": {"Type": "Task", "Resource": "kc_shout", "ResultPath": "$.shouted",
                  "Next": "Done"},
        "Quiet": {"Type": "Pass", "Result": "quiet", "ResultPath": "$.mode", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


class Knix:
    """One KNIX user over the management protocol (the shapes of KNIX's SDK calls)."""

    def __init__(self, endpoint, email, password, name="tester"):
        self.url = endpoint + "/management"
        self.raw("signUp", {"user": {"email": email, "password": password, "name": name}})
        answer = self.raw("logIn", {"user": {"email": email, "password": password}})
        assert answer["status"] == "success", answer
        self.token = answer["data"]["token"]

    def raw(self, action, data):
        r = requests.post(self.url, json={"action": action, "data": data}, timeout=120)
        r.raise_for_status()
        return r.json()

    def call(self, action, **fields):
        answer = self.raw(action, {"user": {"token": self.token}, **fields})
        if answer["status"] != "success":
            raise AssertionError(f"{action}: {answer['data']['message']}")
        return answer["data"]

    def add_function(self, name, code, zip_bytes=None):
        fid = self.call("addFunction", function={"name": name, "runtime": "Python 3.6"})[
            "function"]["id"]
        if zip_bytes is not None:
            text = base64.b64encode(zip_bytes).decode()
            chunks = [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)]
            self.call("uploadFunctionZipMetadata", function={
                "id": fid, "chunks": len(chunks), "format": "zipMetadata",
                "metadata": base64.b64encode(b"<html></html>").decode()})
            for i, chunk in enumerate(chunks):
                self.call("uploadFunctionCode",
                          function={"id": fid, "chunk": i, "code": chunk, "format": "zip"})
        self.call("uploadFunctionCode", function={
            "id": fid, "code": base64.b64encode(code.encode()).decode(), "format": "text"})
        return fid

    def add_workflow(self, name, document):
        wid = self.call("addWorkflow", workflow={"name": name})["workflow"]["id"]
        self.upload(wid, document)
        return wid

    def upload(self, wid, document):
        self.call("uploadWorkflowJSON", workflow={
            "id": wid, "json": base64.b64encode(json.dumps(document).encode()).decode()})

    def document(self, wid):
        return json.loads(base64.b64decode(self.call("getWorkflowJSON",
                                                     workflow={"id": wid})["workflow"]["json"]))

    def workflow(self, wid):
        return self.call("getWorkflows", workflow={"id": wid})["workflow"]

    def deploy(self, wid):
        """deployWorkflow, then the status polled as the SDK does; the endpoint URL."""
        self.call("deployWorkflow", workflow={"id": wid})
        deadline = time.monotonic() + 60
        while True:
            w = self.workflow(wid)
            if w["status"] == "deployed":
                return w["endpoints"][0]
            if w["status"] == "failed" or time.monotonic() > deadline:
                raise AssertionError(f"deploy: {w}")
            time.sleep(0.2)


def execute(url, event):
    r = requests.post(url, json=event, timeout=120)
    r.raise_for_status()
    return r.json()


class KnixCliTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.knix = Knix(cls.endpoint, EMAIL, PASSWORD)
        # 1 MiB of random bytes: the zip's base64 text takes two chunks.
        cls.blob = random.Random(13).randbytes(1024 * 1024)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("helper.py", HELPER)
            z.writestr("words.txt", "indeed\n")
            z.writestr("data/blob.bin", cls.blob)
        cls.knix.add_function("kc_greet", GREET)
        cls.knix.add_function("kc_shout", SHOUT, buf.getvalue())
        cls.wid = cls.knix.add_workflow("greeter", WORKFLOW)
        cls.url = cls.knix.deploy(cls.wid)

    def stator(self, *args, env=None, check=None):
        e = dict(os.environ, STATOR_KNIX_EMAIL=EMAIL, STATOR_KNIX_PASSWORD=PASSWORD)
        e.update(env or {})
        cmd = [find_stator(), "knix", "--endpoint", self.endpoint, *args]  # a later one wins
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=e)
        if check is not None and p.returncode != check:
            raise AssertionError(f"{cmd} exited {p.returncode}, wanted {check}\n"
                                 f"stdout: {p.stdout}\nstderr: {p.stderr}")
        return p.returncode, p.stdout, p.stderr

    def export(self, workflow, *extra):
        out = os.path.join(self.tmp, f"export-{random.randrange(1 << 30)}")
        _, stdout, _ = self.stator("export", workflow, "-o", out, *extra, check=0)
        return out, stdout

    def run_machine(self, name, definition, event):
        arn = self.sfn.create_state_machine(
            name=name, definition=definition,
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/knix-migration")["stateMachineArn"]
        ex = self.sfn.start_execution(stateMachineArn=arn, input=json.dumps(event))
        deadline = time.monotonic() + 60
        while True:
            d = self.sfn.describe_execution(executionArn=ex["executionArn"])
            if d["status"] != "RUNNING":
                break
            self.assertLess(time.monotonic(), deadline, "execution still RUNNING")
            time.sleep(0.05)
        self.assertEqual(d["status"], "SUCCEEDED", d)
        return json.loads(d["output"])

    # --- export ---------------------------------------------------------------------------

    def test_export_writes_the_definition_and_the_function_zips(self):
        out, stdout = self.export("greeter")
        prefix = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
        self.assertEqual(sorted(os.listdir(out)),
                         ["greeter.asl.json", "kc_greet.zip", "kc_shout.zip"])
        self.assertIn(f"wrote {out}/greeter.asl.json", stdout)
        self.assertIn(f"wrote {out}/kc_greet.zip: function kc_greet, handler kc_greet.handle",
                      stdout)
        self.assertIn(f"wrote {out}/kc_shout.zip: function kc_shout, handler kc_shout.handle",
                      stdout)
        with open(os.path.join(out, "greeter.asl.json")) as f:
            definition = json.load(f)
        expected = json.loads(json.dumps(WORKFLOW))
        expected["States"]["Greet"]["Resource"] = prefix + "kc_greet"
        expected["States"]["Shout"]["Resource"] = prefix + "kc_shout"
        self.assertEqual(definition, expected)
        with zipfile.ZipFile(os.path.join(out, "kc_greet.zip")) as z:
            self.assertEqual(z.namelist(), ["kc_greet.py"])
            self.assertEqual(z.read("kc_greet.py").decode(), GREET)
        with zipfile.ZipFile(os.path.join(out, "kc_shout.zip")) as z:
            self.assertEqual(sorted(n for n in z.namelist() if not n.endswith("/")),
                             ["data/blob.bin", "helper.py", "kc_shout.py", "words.txt"])
            self.assertEqual(z.read("kc_shout.py").decode(), SHOUT)
            self.assertEqual(z.read("helper.py").decode(), HELPER)
            self.assertEqual(z.read("words.txt").decode(), "indeed\n")
            self.assertEqual(z.read("data/blob.bin"), self.blob)

    def test_export_by_id_with_another_account_and_region(self):
        out, _ = self.export(self.wid, "--account", "111122223333", "--region", "eu-west-1")
        with open(os.path.join(out, "greeter.asl.json")) as f:
            definition = json.load(f)
        self.assertEqual(definition["States"]["Greet"]["Resource"],
                         "arn:aws:lambda:eu-west-1:111122223333:function:kc_greet")
        out, _ = self.export(self.wid, "--region", "cn-north-1")
        with open(os.path.join(out, "greeter.asl.json")) as f:
            definition = json.load(f)
        self.assertEqual(definition["States"]["Shout"]["Resource"],
                         f"arn:aws-cn:lambda:cn-north-1:{ACCOUNT}:function:kc_shout")

    def test_workflow_names_become_file_names(self):
        self.knix.add_workflow("odd name/1", WORKFLOW)
        out, stdout = self.export("odd name/1")
        self.assertIn(f"wrote {out}/odd_name_1.asl.json: the Step Functions definition of KNIX "
                      "workflow 'odd name/1'", stdout)
        self.assertTrue(os.path.isfile(os.path.join(out, "odd_name_1.asl.json")))

    def test_exported_definition_runs_on_step_functions_as_on_knix(self):
        out, _ = self.export("greeter")
        with open(os.path.join(out, "greeter.asl.json")) as f:
            definition = f.read()
        for event in ({"name": "ada", "loud": True}, {"name": "bob", "loud": False}):
            with self.subTest(event=event):
                knix = execute(self.url, event)
                aws = self.run_machine(f"greeter-{event['name']}", definition, event)
                self.assertEqual(aws, knix)
        self.assertEqual(knix, {"name": "bob", "greeting": "hello bob", "loud": False,
                                "mode": "quiet"})
        self.assertEqual(aws["greeting"], "hello bob")
        loud = execute(self.url, {"name": "ada", "loud": True})
        self.assertEqual(loud["shouted"]["greeting"], "HELLO ADA! indeed")

    def test_exported_zips_make_lambda_functions(self):
        out, _ = self.export("greeter")
        with open(os.path.join(out, "kc_shout.zip"), "rb") as f:
            self.lam.create_function(
                FunctionName="kc_shout_copy", Runtime="python3.11", Handler="kc_shout.handle",
                Role=f"arn:aws:iam::{ACCOUNT}:role/x", Code={"ZipFile": f.read()})
        r = self.lam.invoke(FunctionName="kc_shout_copy",
                            Payload=json.dumps({"greeting": "hi"}).encode())
        self.assertNotIn("FunctionError", r)
        self.assertEqual(json.loads(r["Payload"].read()), {"greeting": "HI! indeed"})

    def test_sand_workflows(self):
        chain = {"name": "sandy", "entry": "first", "functions": [
            {"name": "first", "resource": "kc_greet", "next": ["second"]},
            {"name": "second", "resource": "kc_shout", "next": ["end"]}]}
        self.knix.add_workflow("sand-chain", chain)
        out, _ = self.export("sand-chain")
        with open(os.path.join(out, "sand-chain.asl.json")) as f:
            definition = json.load(f)
        self.assertEqual(definition["StartAt"], "first")
        self.assertEqual(definition["States"]["first"]["Resource"],
                         f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:kc_greet")
        self.assertEqual(definition["States"]["first"]["Next"], "second")
        self.assertTrue(definition["States"]["second"]["End"])

        fan_out = {"entry": "first", "functions": [
            {"name": "first", "resource": "kc_greet", "next": ["second", "third"]},
            {"name": "second", "resource": "kc_shout", "next": ["end"]},
            {"name": "third", "resource": "kc_shout", "next": ["end"]}]}
        self.knix.add_workflow("sand-fan-out", fan_out)
        out = os.path.join(self.tmp, "fan-out")
        code, stdout, stderr = self.stator("export", "sand-fan-out", "-o", out)
        self.assertEqual(code, 2, stderr)
        self.assertEqual(stdout, "")
        self.assertTrue(stderr.startswith("stator: workflow 'sand-fan-out' cannot be exported: "),
                        stderr)
        self.assertIn("first", stderr)
        self.assertFalse(os.path.exists(out), "nothing is written for a refused export")

    # --- import ---------------------------------------------------------------------------

    def test_import_creates_a_workflow_that_deploys_and_runs(self):
        prefix = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
        aws = {"StartAt": "One", "States": {
            "One": {"Type": "Task", "Resource": prefix + "kc_greet", "Next": "Two"},
            "Two": {"Type": "Task", "Resource": prefix + "kc_shout:$LATEST", "End": True}}}
        path = self.write("from-aws/chained.asl.json", json.dumps(aws))
        _, stdout, stderr = self.stator("import", path, check=0)
        wid = stdout.strip()
        self.assertRegex(wid, r"^[0-9a-f]{32}$")
        self.assertIn(f"stator: created KNIX workflow 'chained' from {path}", stderr)
        self.assertEqual(self.knix.workflow(wid)["name"], "chained")
        document = self.knix.document(wid)
        self.assertEqual(document["States"]["One"]["Resource"], "kc_greet")
        self.assertEqual(document["States"]["Two"]["Resource"], "kc_shout")
        url = self.knix.deploy(wid)
        self.assertEqual(execute(url, {"name": "cy", "loud": False}),
                         {"name": "cy", "greeting": "HELLO CY! indeed", "loud": False})

        # Again: the workflow of that name is updated, not added.
        aws["States"]["Two"]["Resource"] = prefix + "kc_greet"
        aws["States"]["One"] = {"Type": "Pass", "Next": "Two"}
        with open(path, "w") as f:
            json.dump(aws, f)
        _, stdout, stderr = self.stator("import", path, check=0)
        self.assertEqual(stdout.strip(), wid)
        self.assertIn("updated KNIX workflow 'chained'", stderr)
        self.assertIn("deploy it again", stderr)
        self.assertEqual(self.knix.document(wid)["States"]["One"], {"Type": "Pass", "Next": "Two"})
        names = [w["name"] for w in self.knix.call("getWorkflows")["workflows"]]
        self.assertEqual(names.count("chained"), 1)

    def test_round_trip_knix_aws_knix(self):
        out, _ = self.export("greeter")
        path = os.path.join(out, "greeter.asl.json")
        _, stdout, _ = self.stator("import", path, "--name", "greeter-again", check=0)
        wid = stdout.strip()
        self.assertNotEqual(wid, self.wid)
        self.assertEqual(self.knix.document(wid), WORKFLOW)
        url = self.knix.deploy(wid)
        for event in ({"name": "di", "loud": True}, {"name": "ed", "loud": False}):
            self.assertEqual(execute(url, event), execute(self.url, event))

    def test_import_reports_functions_the_user_lacks(self):
        aws = {"StartAt": "A", "States": {
            "A": {"Type": "Task",
                  "Resource": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:kc_nowhere",
                  "Next": "B"},
            "B": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                  "Parameters": {"TableName": "t", "Item": {"k": {"S": "v"}}}, "End": True}}}
        path = self.write("lacking.json", json.dumps(aws))
        _, stdout, stderr = self.stator("import", path, check=0)
        wid = stdout.strip()
        self.assertIn("stator: warning: function kc_nowhere is not one of your KNIX functions: "
                      "deploying the workflow fails until you add it", stderr)
        self.assertNotIn("dynamodb", stderr)
        document = self.knix.document(wid)
        self.assertEqual(document["States"]["A"]["Resource"], "kc_nowhere")
        self.assertEqual(document["States"]["B"]["Resource"], "arn:aws:states:::dynamodb:putItem")
        answer = self.knix.raw("deployWorkflow",
                               {"user": {"token": self.knix.token}, "workflow": {"id": wid}})
        self.assertEqual(answer["status"], "failure")
        self.assertIn("Resource has not been uploaded yet: kc_nowhere",
                      answer["data"]["message"])

    # --- failures -------------------------------------------------------------------------

    def test_unknown_workflow(self):
        code, stdout, stderr = self.stator("export", "no-such-workflow")
        self.assertEqual((code, stdout), (1, ""))
        self.assertEqual(stderr, "stator: no KNIX workflow named 'no-such-workflow' "
                                 "(or with that id)\n")

    def test_wrong_password(self):
        for args in (["export", "greeter"], ["import", self.write("x.json", json.dumps(
                {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))]):
            with self.subTest(command=args[0]):
                code, stdout, stderr = self.stator(*args, "--password", "wrong")
                self.assertEqual((code, stdout), (1, ""))
                self.assertEqual(stderr, "stator: logIn: Authentication failed; wrong username "
                                         "and/or password.\n")

    def test_definition_that_is_not_json(self):
        path = self.write("broken.json", "{\"StartAt\": ")
        code, stdout, stderr = self.stator("import", path)
        self.assertEqual((code, stdout), (2, ""))
        self.assertTrue(stderr.startswith(f"stator: {path}: the definition is not valid JSON"),
                        stderr)
        path = self.write("not-asl.json", "[1, 2]")
        code, _, stderr = self.stator("import", path)
        self.assertEqual(code, 2)
        self.assertIn("not a Step Functions definition", stderr)
        path = self.write("invalid.json", json.dumps(
            {"StartAt": "Nowhere", "States": {"P": {"Type": "Pass", "End": True}}}))
        code, _, stderr = self.stator("import", path)
        self.assertEqual(code, 2)
        self.assertIn("Invalid State Machine Definition", stderr)
        code, _, stderr = self.stator("import", os.path.join(self.tmp, "missing.json"))
        self.assertEqual(code, 64)
        self.assertIn("missing.json", stderr)

    def test_usage_and_connection_errors(self):
        env = {"STATOR_KNIX_EMAIL": "", "STATOR_KNIX_PASSWORD": ""}
        code, _, stderr = self.stator("export", "greeter", env=env)
        self.assertEqual(code, 64)
        self.assertIn("no KNIX credentials: give --email or set $STATOR_KNIX_EMAIL", stderr)
        code, _, stderr = self.stator("export", "greeter", "--name", "x")
        self.assertEqual(code, 64)
        self.assertIn("--name is an option of import", stderr)
        code, _, stderr = self.stator("frobnicate", "x")
        self.assertEqual(code, 64)
        self.assertIn("unknown knix command 'frobnicate'", stderr)
        code, _, stderr = self.stator("import", "-")
        self.assertEqual(code, 64)
        self.assertIn("give the workflow's --name", stderr)
        code, _, stderr = self.stator("export", "greeter", "--account", "12")
        self.assertEqual(code, 64)
        self.assertIn("--account must be 12 digits", stderr)
        # Nothing listens on port 1.
        code, _, stderr = self.stator("export", "greeter", "--endpoint", "http://127.0.0.1:1")
        self.assertEqual(code, 1)
        self.assertIn("cannot connect to http://127.0.0.1:1", stderr)


if __name__ == "__main__":
    ctest_unittest.main()
