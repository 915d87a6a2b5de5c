"""What the API integration tests share: a `stator serve` process on an ephemeral port, boto3
clients for it, and raw AWS JSON 1.0 requests.

The stator binary is $STATOR (ctest sets it), else the newest build*/stator of the tree.
Importing this module also puts tests/ on sys.path, for tests/ctest_unittest.py (the main of
every test file: `import ctest_unittest`).
"""

import glob
import http.client
import json
import os
import signal
import subprocess
import sys
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/

import boto3  # noqa: E402
import botocore.config  # noqa: E402
import botocore.exceptions  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ACCOUNT = "123456789012"
REGION = "us-east-1"


def find_stator():
    path = os.environ.get("STATOR")
    if path:
        return path
    candidates = [c for c in glob.glob(os.path.join(ROOT, "build*", "stator"))
                  if os.access(c, os.X_OK)]
    if not candidates:
        raise RuntimeError("no stator binary: build it (scripts/setup.sh) or set STATOR")
    return max(candidates, key=os.path.getmtime)


class Server:
    """`stator serve` on an ephemeral port; extra arguments are added to the command line."""

    def __init__(self, *extra):
        self.proc = subprocess.Popen(
            [find_stator(), "serve", "--host", "127.0.0.1", "--port", "0", "--account", ACCOUNT,
             "--region", REGION, *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("stator listening on http://"):
            self.proc.kill()
            raise RuntimeError(f"unexpected first line {line!r}: {self.proc.stderr.read()}")
        # stderr is only read on failure; the server writes one line there at shutdown.
        self.endpoint = line[len("stator listening on "):]
        self.port = int(self.endpoint.rsplit(":", 1)[1])

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Sends `sig` and returns the exit status; a server still running after `timeout` s
        is killed and the call fails."""
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(sig)
                try:
                    self.proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
                    raise
            return self.proc.returncode
        finally:
            self.proc.stdout.close()
            self.proc.stderr.close()


class SharedServer:
    """Mixin for a unittest.TestCase: one `stator serve` (default options) for the whole class,
    and a boto3 Step Functions client `sfn` to it."""

    server = None

    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.sfn = client(cls.server.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()


class ClientErrorAssertion:
    """Mixin for a unittest.TestCase: assertError on the ClientError of a boto3 call."""

    def assertError(self, code, message, fn, *args, **kw):
        """fn(*args, **kw) fails with error `code` (and `message`, unless None) and HTTP 400;
        returns the error response."""
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(*args, **kw)
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], code, err)
        if message is not None:
            self.assertEqual(err.get("Message"), message)
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        return cm.exception.response


def bwrap_problem():
    """Why bubblewrap cannot make the function sandbox here (PID and network namespaces), or
    None: the probe of the tests marked as needing the sandbox."""
    import shutil
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bubblewrap (bwrap) is not installed (scripts/setup.sh installs it)"
    r = subprocess.run([bwrap, "--unshare-pid", "--unshare-net", "--ro-bind", "/", "/", "true"],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        return (f"bwrap cannot create PID and network namespaces here: {r.stderr.strip()} "
                "(no user namespaces in this container?)")
    return None


def client(endpoint, **config):
    return boto3.client(
        "stepfunctions", endpoint_url=endpoint, region_name=REGION,
        aws_access_key_id="x", aws_secret_access_key="x",
        config=botocore.config.Config(retries={"max_attempts": 0}, **config))


def post(port, target, body, headers=None, host=None):
    """Raw AWS JSON 1.0 call; returns (status, parsed body or raw text)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    h = {"Content-Type": "application/x-amz-json-1.0"}
    if target is not None:
        h["X-Amz-Target"] = target
    if host:
        h["Host"] = host
    h.update(headers or {})
    conn.request("POST", "/", body=body if isinstance(body, (bytes, str)) else json.dumps(body),
                 headers=h)
    r = conn.getresponse()
    data = r.read().decode()
    conn.close()
    try:
        return r.status, json.loads(data)
    except ValueError:
        return r.status, data


# --- Functions (tests/api/test_functions.py) ---------------------------------------------------

def wait_execution_end(sfn, arn, timeout=30):
    """DescribeExecution's answer once the execution is no longer RUNNING (polled)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        d = sfn.describe_execution(executionArn=arn)
        if d["status"] != "RUNNING":
            return d
        time.sleep(0.05)
    raise AssertionError(f"{arn} still running after {timeout} s")


def lambda_client(endpoint, **config):
    return boto3.client(
        "lambda", endpoint_url=endpoint, region_name=REGION,
        aws_access_key_id="x", aws_secret_access_key="x",
        config=botocore.config.Config(retries={"max_attempts": 0}, read_timeout=120, **config))


def dynamodb_client(endpoint):
    return boto3.client(
        "dynamodb", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="x",
        aws_secret_access_key="x", config=botocore.config.Config(retries={"max_attempts": 0}))


def run_stator(*args, endpoint=None, check=None):
    """Runs the stator CLI (with --endpoint when given); returns (exit code, stdout, stderr).
    With check, a different exit code fails."""
    cmd = [find_stator(), *args]
    if endpoint:
        cmd += ["--endpoint", endpoint]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if check is not None and p.returncode != check:
        raise AssertionError(f"{cmd} exited {p.returncode}, wanted {check}\n"
                             f"stdout: {p.stdout}\nstderr: {p.stderr}")
    return p.returncode, p.stdout, p.stderr


class ServerTestCase(unittest.TestCase):
    """One server (virtual time, plus server_args) for the tests of a class, a scratch directory
    (tmp) and clients of the server's Step Functions (sfn), Lambda (lam) and DynamoDB (ddb).
    With data_dir, the server keeps its data in tmp/data."""

    server_args = ()
    data_dir = False

    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.tmp = tempfile.mkdtemp(prefix=f"stator-{cls.__name__}-")
        args = ["--time-scale", "0", *cls.server_args]
        if cls.data_dir:
            args += ["--data-dir", os.path.join(cls.tmp, "data")]
        cls.server = Server(*args)
        cls.endpoint = cls.server.endpoint
        cls.sfn = client(cls.endpoint)
        cls.lam = lambda_client(cls.endpoint)
        cls.ddb = dynamodb_client(cls.endpoint)

    @classmethod
    def tearDownClass(cls):
        import shutil
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def write(self, rel, text):
        """Writes text to tmp/rel (making its directories); returns the path."""
        path = os.path.join(self.tmp, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path


def make_zip(files):
    """A zip's bytes from {path: text or bytes or (content, unix mode)}."""
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path, content in files.items():
            mode = 0o644
            if isinstance(content, tuple):
                content, mode = content
            info = zipfile.ZipInfo(path)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, content)
    return buf.getvalue()
