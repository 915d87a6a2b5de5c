#!/usr/bin/env python3
"""StartSyncExecution from every client, through the documented endpoint name.

The AWS CLIs (v1 and v2) and the JS SDK put "sync-" before the endpoint's host for
StartSyncExecution and TestState (`--endpoint-url http://127.0.0.1:PORT` becomes
http://sync-127.0.0.1:PORT, which does not resolve, and the CLIs have no switch to turn it off).
The documented endpoint is http://stator.localhost:PORT: sync-stator.localhost resolves to
loopback where *.localhost does (nss-myhostname; scripts/setup.sh enables it), and the server
answers whatever Host arrives. These tests FAIL, saying so, when sync-stator.localhost does not
resolve. They drive the AWS CLI v1 (`aws` on PATH), the AWS CLI v2 (/usr/bin/aws), boto3 with
and without its host prefix, and the JS SDK v3 (@aws-sdk/client-sfn, found through NODE_PATH or
bench/node_modules; with the CLI v1 and TestState, a test marked @needs: Skipped, saying why,
where it is missing).

    python3 tests/api/test_sync_endpoint.py [-v]
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stator_server import ACCOUNT, REGION, ROOT, Server, SharedServer, client, post  # noqa: E402
import ctest_unittest  # noqa: E402
from ctest_unittest import needs  # noqa: E402

ROLE = f"arn:aws:iam::{ACCOUNT}:role/StatorRole"
DEFINITION = json.dumps({"StartAt": "A", "States": {"A": {
    "Type": "Pass", "Parameters": {"got.$": "$.n"}, "End": True}}})
CLI_ENV = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": REGION,
           "AWS_PAGER": "", "AWS_CONFIG_FILE": "/dev/null",
           "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}

JS = r"""
const { SFNClient, StartSyncExecutionCommand } = require("@aws-sdk/client-sfn");
const [endpoint, arn, disable] = process.argv.slice(2);
const c = new SFNClient({ endpoint, region: "us-east-1", disableHostPrefix: disable === "1",
  credentials: { accessKeyId: "x", secretAccessKey: "x" } });
c.send(new StartSyncExecutionCommand({ stateMachineArn: arn, input: '{"n": 7}' })).then(
  (r) => console.log(JSON.stringify({ status: r.status, output: r.output })),
  (e) => { console.log(JSON.stringify({ error: String(e.code || e.name) })); process.exitCode = 2; });
"""


def cli_with_version(major):
    """An AWS CLI of that major version: `aws` on PATH or /usr/bin/aws, else None."""
    for aws in (shutil.which("aws"), "/usr/bin/aws"):
        if not aws or not os.access(aws, os.X_OK):
            continue
        p = subprocess.run([aws, "--version"], capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, **CLI_ENV))
        if (p.stdout + p.stderr).strip().startswith(f"aws-cli/{major}."):
            return aws
    return None


def node_paths():
    paths = [p for p in os.environ.get("NODE_PATH", "").split(os.pathsep) if p]
    paths.append(os.path.join(ROOT, "bench", "node_modules"))
    return paths


def js_sdk_missing():
    if not shutil.which("node"):
        return "node is not installed"
    if not any(os.path.isdir(os.path.join(p, "@aws-sdk", "client-sfn")) for p in node_paths()):
        return ("@aws-sdk/client-sfn is not in NODE_PATH or bench/node_modules "
                "(cd bench && npm install --no-save @aws-sdk/client-sfn)")
    return None


def cli_with_test_state():
    """An AWS CLI that has `stepfunctions test-state` (Debian 12's CLI v2, 2.9, predates it)."""
    for major in (1, 2):
        aws = cli_with_version(major)
        if not aws:
            continue
        p = subprocess.run([aws, "stepfunctions", "test-state", "help"], capture_output=True,
                           text=True, timeout=60, env=dict(os.environ, **CLI_ENV, PAGER="cat"))
        if p.returncode == 0:
            return aws
    return None


def test_state_missing():
    if not cli_with_test_state():
        return "no AWS CLI with `stepfunctions test-state` (pip install awscli)"
    server = Server()
    try:
        status, body = post(server.port, "AWSStepFunctions.TestState",
                            {"definition": json.dumps({"Type": "Pass", "End": True}),
                             "roleArn": ROLE, "input": "{}"})
    finally:
        server.stop()
    return "this server has no TestState" if status != 200 else None


def resolves_to_loopback(host):
    try:
        infos = socket.getaddrinfo(host, 80, proto=socket.IPPROTO_TCP)
    except socket.gaierror as e:
        return f"{host} does not resolve ({e})"
    addrs = {info[4][0] for info in infos}
    if "127.0.0.1" not in addrs:
        return f"{host} resolves to {sorted(addrs)}, not to 127.0.0.1"
    return None


class SyncEndpointTest(SharedServer, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.endpoint = f"http://stator.localhost:{cls.server.port}"
        r = client(cls.server.endpoint).create_state_machine(
            name="sync-endpoint", definition=DEFINITION, roleArn=ROLE, type="EXPRESS")
        cls.arn = r["stateMachineArn"]

    def setUp(self):
        problem = resolves_to_loopback("sync-stator.localhost")
        if problem:
            self.fail(f"{problem}: the documented endpoint http://stator.localhost:PORT needs "
                      "*.localhost to resolve to loopback (scripts/setup.sh: libnss-myhostname, "
                      "'myhostname' in the hosts line of /etc/nsswitch.conf)")

    def check_output(self, status, output):
        self.assertEqual(status, "SUCCEEDED")
        self.assertEqual(json.loads(output), {"got": 7})

    def test_boto3_with_host_prefix(self):
        sfn = client(self.endpoint)  # boto3's default: sync-stator.localhost
        r = sfn.start_sync_execution(stateMachineArn=self.arn, input='{"n": 7}')
        self.check_output(r["status"], r["output"])
        # The prefix is what reaches the server; other operations go to the plain name.
        self.assertEqual(sfn.describe_state_machine(stateMachineArn=self.arn)["name"],
                         "sync-endpoint")

    def test_boto3_without_host_prefix_on_an_ip(self):
        sfn = client(self.server.endpoint, inject_host_prefix=False)
        r = sfn.start_sync_execution(stateMachineArn=self.arn, input='{"n": 7}')
        self.check_output(r["status"], r["output"])

    def test_server_ignores_the_prefix(self):
        status, body = post(self.server.port, "AWSStepFunctions.StartSyncExecution",
                            {"stateMachineArn": self.arn, "input": '{"n": 7}'},
                            host=f"sync-stator.localhost:{self.server.port}")
        self.assertEqual(status, 200, body)
        self.check_output(body["status"], body["output"])

    def run_cli(self, aws):
        env = dict(os.environ, **CLI_ENV)
        p = subprocess.run([aws, "--endpoint-url", self.endpoint, "stepfunctions",
                            "start-sync-execution", "--state-machine-arn", self.arn,
                            "--input", '{"n": 7}', "--output", "json"],
                           capture_output=True, text=True, timeout=120, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        r = json.loads(p.stdout)
        self.check_output(r["status"], r["output"])
        # The same CLI on the bare IP fails as a new user would see it: the reason for the name.
        p = subprocess.run([aws, "--endpoint-url", self.server.endpoint, "stepfunctions",
                            "start-sync-execution", "--state-machine-arn", self.arn],
                           capture_output=True, text=True, timeout=120, env=env)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("sync-127.0.0.1", p.stderr)

    @needs("the AWS CLI v1 (pip install awscli)", lambda: None if cli_with_version(1) else
           "no AWS CLI v1 as `aws` on PATH or /usr/bin/aws")
    def test_aws_cli_v1(self):
        self.run_cli(cli_with_version(1))

    def test_aws_cli_v2(self):
        aws = cli_with_version(2)
        self.assertIsNotNone(aws, "no AWS CLI v2 (/usr/bin/aws: Debian's awscli, scripts/setup.sh)")
        self.run_cli(aws)

    @needs("TestState in this server and an AWS CLI with test-state", test_state_missing)
    def test_test_state_through_the_cli(self):
        # TestState carries the same "sync-" prefix.
        aws = cli_with_test_state()
        p = subprocess.run([aws, "--endpoint-url", self.endpoint, "stepfunctions", "test-state",
                            "--definition", json.dumps({"Type": "Pass", "Result": {"n": 7},
                                                        "End": True}),
                            "--role-arn", ROLE, "--input", "{}", "--output", "json"],
                           capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, **CLI_ENV))
        self.assertEqual(p.returncode, 0, p.stderr)
        r = json.loads(p.stdout)
        self.assertEqual(r["status"], "SUCCEEDED")
        self.assertEqual(json.loads(r["output"]), {"n": 7})

    def run_js(self, endpoint, disable_host_prefix):
        node = shutil.which("node")
        paths = node_paths()
        with tempfile.NamedTemporaryFile("w", suffix=".js", delete=False) as f:
            f.write(JS)
        try:
            p = subprocess.run([node, f.name, endpoint, self.arn,
                                "1" if disable_host_prefix else "0"],
                               capture_output=True, text=True, timeout=120,
                               env=dict(os.environ, NODE_PATH=os.pathsep.join(paths),
                                        NODE_NO_WARNINGS="1"))
        finally:
            os.unlink(f.name)
        return json.loads(p.stdout.strip().splitlines()[-1])

    @needs("the JS SDK v3 (@aws-sdk/client-sfn)", js_sdk_missing)
    def test_js_sdk(self):
        r = self.run_js(self.endpoint, False)
        self.check_output(r.get("status"), r.get("output"))
        r = self.run_js(self.server.endpoint, True)  # disableHostPrefix: true on the bare IP
        self.check_output(r.get("status"), r.get("output"))
        r = self.run_js(self.server.endpoint, False)  # what a new user meets without either
        self.assertEqual(r, {"error": "ENOTFOUND"})


if __name__ == "__main__":
    ctest_unittest.main()
