"""Functions end to end: the Lambda API through boto3 and the AWS CLI, the Python runtime (warm
instances, errors, timeouts, memory limits, /tmp, ./lib, ELF helpers, boto3 back into stator),
the bubblewrap sandbox, Task states calling functions in all three resource forms, persistence,
and the `stator function` / `export` / `import` commands.

Needs python3, gcc and bubblewrap: a missing one fails the tests (it is not a skip). The tests of
the sandbox's network need what a machine may lack (a network namespace, an address beyond
loopback): they are marked @needs and run in api_functions_needs_network (tests/ctest_unittest.py).
"""

import base64
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import botocore.exceptions  # noqa: E402

from stator_server import (ACCOUNT, REGION, Server, bwrap_problem, client,  # noqa: E402
                           find_stator, lambda_client, make_zip)

import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

ROLE = f"arn:aws:iam::{ACCOUNT}:role/fn"
ARN_PREFIX = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"

ECHO = """
import json, os, time
def handler(event, context):
    if event.get("raise"):
        raise ValueError("boom: " + str(event["raise"]))
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("alloc_mb"):
        blob = bytearray(event["alloc_mb"] * 1024 * 1024)
        return {"allocated": len(blob)}
    if event.get("exit"):
        os._exit(3)
    print("echo says", json.dumps(event))
    return {
        "event": event,
        "pid": os.getpid(),
        "env": {k: os.environ.get(k) for k in ("GREETING", "AWS_ENDPOINT_URL", "AWS_REGION",
                                                "AWS_LAMBDA_FUNCTION_NAME")},
        "context": {
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "aws_request_id": context.aws_request_id,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "remaining": context.get_remaining_time_in_millis(),
        },
        # Read again 50 ms later (time.sleep sleeps at least that long).
        "remaining_later": (time.sleep(0.05), context.get_remaining_time_in_millis())[1],
    }
"""


# Says it has started (a file in its working directory, the code directory, named after the
# request) and waits until the test creates "release" there.
BLOCKING = """
import os, time
def handler(event, context):
    with open(f"started-{context.aws_request_id}", "w"):
        pass
    while not os.path.exists("release"):
        time.sleep(0.01)
    return {"pid": os.getpid()}
"""


# Probes the network from inside a function (test_sandbox_network_reaches_only_stator).
NET_PROBE = """
import base64, boto3, http.client, json, os, socket, threading, time
def connect(host, port):
    t = time.time()
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.settimeout(2)
    try:
        s.connect((host, port))
        r = "connected"
    except OSError as e:
        r = type(e).__name__ if type(e) is not OSError else f"OSError {e.errno}"
    finally:
        s.close()
    return {"result": r, "ms": (time.time() - t) * 1000}
def http_status(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("POST", "/", body="{}", headers={"Content-Type": "application/x-amz-json-1.0"})
    return {"result": f"http {c.getresponse().status}"}
def half_close(port):
    # A request, then our end of stream: the server answers and closes, and we see the end.
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n")
    s.shutdown(socket.SHUT_WR)
    try:
        while s.recv(65536):
            pass
        return {"result": "eof"}
    except socket.timeout:
        return {"result": "no end of stream"}
    finally:
        s.close()
def handler(event, context):
    port = int(os.environ["AWS_ENDPOINT_URL"].rsplit(":", 1)[1])
    if event.get("big"):
        blob = base64.b64encode(os.urandom(event["big"] * 3 // 4)).decode()
        out = json.loads(boto3.client("lambda").invoke(
            FunctionName="netecho", Payload=json.dumps({"blob": blob}))["Payload"].read())
        return {"big": "ok" if out == {"blob": blob} else "mismatch"}
    out = {"endpoint": os.environ["AWS_ENDPOINT_URL"], "stator": http_status(port),
           "half_close": half_close(port),
           "other": connect("127.0.0.1", event["other"]),
           "outside": connect("10.255.255.1", 80)}
    if event.get("host"):
        out["host"] = connect(event["host"], event["other"])
    sfn = boto3.client("stepfunctions")
    out["boto3"] = "ok" if "stateMachines" in sfn.list_state_machines() else "?"
    results = [None] * 16
    def one(i):
        try:
            boto3.session.Session().client("stepfunctions").list_state_machines()
            for _ in range(5):
                http_status(port)
            results[i] = "ok"
        except Exception as e:
            results[i] = repr(e)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out["parallel"] = results
    return out
"""


class socket_listening:
    """A TCP listener on all of the host's addresses (connections wait in its backlog); the
    context value is its port."""

    def __enter__(self):
        self.sock = socket.socket()
        self.sock.bind(("0.0.0.0", 0))
        self.sock.listen(16)
        return self.sock.getsockname()[1]

    def __exit__(self, *exc):
        self.sock.close()


def host_address():
    """A non-loopback IPv4 address of this host, or None."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("10.255.255.1", 9))  # picks the outgoing address; sends nothing
        address = s.getsockname()[0]
    except OSError:
        return None
    finally:
        s.close()
    return None if address.startswith("127.") else address


def host_address_problem():
    return None if host_address() else "this host has only loopback addresses"


NEEDS_NETWORK_NAMESPACE = ctest_unittest.needs(
    "bubblewrap that can create the sandbox's network namespace", bwrap_problem)
NEEDS_HOST_ADDRESS = ctest_unittest.needs("a non-loopback IPv4 address", host_address_problem)


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


def build_native(tmp):
    """A shared library (lib/libadd.so) and an ELF helper (bin/helper), built with gcc."""
    if shutil.which("gcc") is None:
        raise AssertionError("gcc is required to build the test's native code")
    with open(os.path.join(tmp, "add.c"), "w") as f:
        f.write("int stator_add(int a, int b) { return a + b + 1000; }\n")
    with open(os.path.join(tmp, "helper.c"), "w") as f:
        f.write('#include <stdio.h>\nint main(int c, char** v) { printf("helper:%s", c > 1 ? '
                'v[1] : "-"); return 0; }\n')
    so, exe = os.path.join(tmp, "libadd.so"), os.path.join(tmp, "helper")
    for cmd in (["gcc", "-shared", "-fPIC", "-o", so, os.path.join(tmp, "add.c")],
                ["gcc", "-o", exe, os.path.join(tmp, "helper.c")]):
        r = run(cmd)
        if r.returncode != 0:
            raise AssertionError(r.stderr)
    with open(so, "rb") as f:
        so_bytes = f.read()
    with open(exe, "rb") as f:
        exe_bytes = f.read()
    return so_bytes, exe_bytes


class FunctionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if shutil.which("bwrap") is None:
            raise AssertionError("bubblewrap (bwrap) is required: scripts/setup.sh installs it")
        cls.tmp = tempfile.mkdtemp(prefix="stator-fn-test-")
        cls.data = os.path.join(cls.tmp, "data")
        cls.server = Server("--data-dir", cls.data, "--function-concurrency", "2")
        cls.lam = lambda_client(cls.server.endpoint)
        cls.sfn = client(cls.server.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # helpers ------------------------------------------------------------------------------------

    def create(self, name, files, handler="app.handler", **kw):
        args = dict(FunctionName=name, Runtime="python3.11", Role=ROLE,
                    Code={"ZipFile": make_zip(files)}, **kw)
        if handler is not None:
            args["Handler"] = handler
        r = self.lam.create_function(**args)
        self.addCleanup(self.delete_quietly, name)
        return r

    def delete_quietly(self, name):
        try:
            self.lam.delete_function(FunctionName=name)
        except botocore.exceptions.ClientError:
            pass

    def code_dir(self, name):
        """The function's unpacked code on the host (its working directory when it runs)."""
        dirs = glob.glob(os.path.join(self.data, "functions-cache", name, "code-*"))
        self.assertEqual(len(dirs), 1, dirs)
        return dirs[0]

    def invoke(self, name, payload, **kw):
        r = self.lam.invoke(FunctionName=name, Payload=json.dumps(payload).encode(), **kw)
        body = r["Payload"].read()
        return r, json.loads(body) if body else None

    def assertError(self, code, status, fn, *args, message=None, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(*args, **kw)
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], code, err)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], status, err)
        if message is not None:
            self.assertIn(message, err["Error"]["Message"])
        return err

    def run_machine(self, name, definition, inp=None, timeout=60):
        arn = self.sfn.create_state_machine(name=name, definition=json.dumps(definition),
                                            roleArn=f"arn:aws:iam::{ACCOUNT}:role/sfn")[
            "stateMachineArn"]
        ex = self.sfn.start_execution(stateMachineArn=arn, input=json.dumps(inp or {}))
        deadline = time.time() + timeout
        while True:
            d = self.sfn.describe_execution(executionArn=ex["executionArn"])
            if d["status"] != "RUNNING":
                break
            if time.time() > deadline:
                self.fail(f"execution still running: {d}")
            time.sleep(0.05)
        events = self.sfn.get_execution_history(executionArn=ex["executionArn"],
                                                maxResults=1000)["events"]
        return d, events

    # the Lambda API -------------------------------------------------------------------------------

    def test_create_get_list_update_delete(self):
        r = self.create("crud", {"app.py": ECHO}, Timeout=5, MemorySize=256,
                        Environment={"Variables": {"GREETING": "hi"}}, Description="d",
                        Tags={"team": "a"})
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(r["FunctionArn"], ARN_PREFIX + "crud")
        self.assertEqual((r["Handler"], r["Timeout"], r["MemorySize"], r["Version"]),
                         ("app.handler", 5, 256, "$LATEST"))
        self.assertEqual(r["Environment"]["Variables"], {"GREETING": "hi"})
        self.assertEqual(r["State"], "Active")
        self.assertEqual(len(base64.b64decode(r["CodeSha256"])), 32)

        self.assertError("ResourceConflictException", 409, self.lam.create_function,
                         FunctionName="crud", Runtime="python3.11", Role=ROLE,
                         Handler="app.handler", Code={"ZipFile": make_zip({"app.py": ECHO})},
                         message="Function already exist: crud")

        for ref in ("crud", f"{ACCOUNT}:function:crud", ARN_PREFIX + "crud"):
            self.assertEqual(self.lam.get_function_configuration(FunctionName=ref)["FunctionName"],
                             "crud")
        self.assertEqual(self.lam.get_function_configuration(FunctionName="crud",
                                                             Qualifier="$LATEST")["Version"],
                         "$LATEST")
        self.assertError("ResourceNotFoundException", 404, self.lam.get_function,
                         FunctionName="crud", Qualifier="7",
                         message=f"Function not found: {ARN_PREFIX}crud:7")
        g = self.lam.get_function(FunctionName="crud")
        self.assertEqual(g["Tags"], {"team": "a"})
        with urllib.request.urlopen(g["Code"]["Location"]) as resp:
            package = resp.read()
        self.assertEqual(base64.b64encode(__import__("hashlib").sha256(package).digest()).decode(),
                         r["CodeSha256"])

        _, out = self.invoke("crud", {"x": 1})
        self.assertEqual(out["env"]["GREETING"], "hi")
        u = self.lam.update_function_configuration(
            FunctionName="crud", Timeout=7, Environment={"Variables": {"GREETING": "hello"}})
        self.assertEqual(u["Timeout"], 7)
        self.assertNotEqual(u["RevisionId"], r["RevisionId"])
        _, out = self.invoke("crud", {"x": 2})
        self.assertEqual(out["env"]["GREETING"], "hello")  # a new zygote with the new environment

        c = self.lam.update_function_code(
            FunctionName="crud",
            ZipFile=make_zip({"app.py": "def handler(e, c):\n    return 'v2'\n"}))
        self.assertNotEqual(c["CodeSha256"], r["CodeSha256"])
        _, out = self.invoke("crud", {})
        self.assertEqual(out, "v2")

        self.lam.delete_function(FunctionName="crud")
        self.assertError("ResourceNotFoundException", 404, self.lam.get_function,
                         FunctionName="crud")
        self.assertError("ResourceNotFoundException", 404, self.lam.delete_function,
                         FunctionName="crud")
        self.assertError("ResourceNotFoundException", 404, self.lam.invoke, FunctionName="crud")

    def test_list_pagination(self):
        names = [f"page-{i}" for i in range(5)]
        for n in names:
            self.create(n, {"app.py": ECHO})
        seen, marker, pages = [], None, 0
        while True:
            kw = {"MaxItems": 2}
            if marker:
                kw["Marker"] = marker
            page = self.lam.list_functions(**kw)
            pages += 1
            self.assertLessEqual(len(page["Functions"]), 2)
            seen += [f["FunctionName"] for f in page["Functions"]]
            marker = page.get("NextMarker")
            if not marker:
                break
        self.assertEqual([n for n in seen if n.startswith("page-")], names)
        self.assertGreaterEqual(pages, 3)
        paginated = [f["FunctionName"] for p in self.lam.get_paginator("list_functions").paginate()
                     for f in p["Functions"]]
        self.assertEqual(paginated, seen)
        self.assertError("InvalidParameterValueException", 400, self.lam.list_functions,
                         Marker="!!bad")

    def test_invalid_requests(self):
        code = {"ZipFile": make_zip({"app.py": ECHO})}
        base = dict(Runtime="python3.11", Role=ROLE, Handler="app.handler", Code=code)
        self.assertError("ValidationException", 400, self.lam.create_function,
                         FunctionName="bad name!", **base)
        self.assertError("ValidationException", 400, self.lam.create_function,
                         FunctionName="t", Timeout=901, **base)
        unchecked = lambda_client(self.server.endpoint, parameter_validation=False)
        self.assertError("ValidationException", 400, unchecked.create_function,
                         FunctionName="t", MemorySize=64, **base)
        self.assertError("InvalidParameterValueException", 400, self.lam.create_function,
                         FunctionName="t", Runtime="nodejs20.x", Role=ROLE, Handler="a.b",
                         Code=code)
        self.assertError("InvalidParameterValueException", 400, self.lam.create_function,
                         FunctionName="t", Runtime="python3.11", Role=ROLE, Handler="a.b",
                         Code={"ZipFile": b"this is not a zip"}, message="unzip")
        self.assertError("InvalidParameterValueException", 400, self.lam.create_function,
                         FunctionName="t", Environment={"Variables": {"AWS_REGION": "x"}}, **base,
                         message="Reserved keys used in this request: AWS_REGION")
        self.assertError("InvalidParameterValueException", 400, self.lam.create_function,
                         FunctionName="t", Runtime="python3.11", Role=ROLE, Handler="a.b",
                         Code={"S3Bucket": "bucket", "S3Key": "k"})
        self.create("inv", {"app.py": ECHO})
        self.assertError("InvalidRequestContentException", 400, self.lam.invoke,
                         FunctionName="inv", Payload=b"{not json")
        self.assertError("RequestTooLargeException", 413, self.lam.invoke, FunctionName="inv",
                         Payload=json.dumps({"x": "y" * (6 * 1024 * 1024)}).encode())
        self.assertError("ValidationException", 400, self.lam.invoke, FunctionName="a:b:c:d")
        # The server still answers.
        self.assertEqual(self.invoke("inv", {"ok": 1})[1]["event"], {"ok": 1})

    def test_code_uploads_up_to_awss_request_limit(self):
        # A 20 MB package (incompressible, stored) is over the server's default 8 MiB body
        # limit once base64-encoded: CreateFunction and UpdateFunctionCode take up to
        # 69,905,067 bytes, as on AWS, and a larger request gets AWS's 413.
        blob = os.urandom(20 * 1024 * 1024)
        r = self.create("big", {"app.py": ECHO, "blob.bin": blob})
        self.assertGreater(r["CodeSize"], 20 * 1024 * 1024)
        self.assertEqual(self.invoke("big", {"n": 1})[1]["event"], {"n": 1})
        r = self.lam.update_function_code(FunctionName="big",
                                          ZipFile=make_zip({"app.py": ECHO, "b2.bin": blob}))
        self.assertGreater(r["CodeSize"], 20 * 1024 * 1024)
        huge = make_zip({"app.py": ECHO, "blob.bin": os.urandom(53 * 1024 * 1024)})
        self.assertError("RequestEntityTooLargeException", 413, self.lam.create_function,
                         FunctionName="huge", Runtime="python3.11", Role=ROLE,
                         Handler="app.handler", Code={"ZipFile": huge},
                         message="Request must be smaller than 69905067 bytes for the "
                                 "CreateFunction operation")
        self.assertError("RequestEntityTooLargeException", 413, self.lam.update_function_code,
                         FunctionName="big", ZipFile=huge,
                         message="for the UpdateFunctionCode operation")
        # Other requests keep the default limit; the server still answers.
        self.assertEqual(self.invoke("big", {"n": 2})[1]["event"], {"n": 2})

    def test_invoke_types_tail_and_context(self):
        self.create("ctx", {"app.py": ECHO}, Timeout=10, MemorySize=192)
        sent = time.monotonic()
        r, out = self.invoke("ctx", {"k": "v"}, LogType="Tail")
        answered_ms = (time.monotonic() - sent) * 1000
        self.assertEqual(r["StatusCode"], 200)
        self.assertEqual(r["ExecutedVersion"], "$LATEST")
        self.assertNotIn("FunctionError", r)
        ctx = out["context"]
        self.assertEqual(ctx["function_name"], "ctx")
        self.assertEqual(ctx["function_version"], "$LATEST")
        self.assertEqual(ctx["invoked_function_arn"], ARN_PREFIX + "ctx")
        self.assertEqual(ctx["memory_limit_in_mb"], "192")
        self.assertEqual(ctx["log_group_name"], "/aws/lambda/ctx")
        self.assertRegex(ctx["log_stream_name"], r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$")
        # The deadline is the invocation's start plus Timeout: the start lies between sending
        # the request and getting its answer, and the clock runs down while the handler runs.
        self.assertLessEqual(ctx["remaining"], 10000, ctx)
        self.assertGreaterEqual(ctx["remaining"], 10000 - answered_ms - 2, (ctx, answered_ms))
        self.assertLessEqual(out["remaining_later"], ctx["remaining"] - 50, out)
        self.assertEqual(r["ResponseMetadata"]["RequestId"], ctx["aws_request_id"])
        self.assertEqual(out["env"]["AWS_ENDPOINT_URL"], self.server.endpoint)
        self.assertEqual(out["env"]["AWS_REGION"], REGION)
        log = base64.b64decode(r["LogResult"]).decode()
        rid = ctx["aws_request_id"]
        self.assertIn(f"START RequestId: {rid} Version: $LATEST", log)
        self.assertIn('echo says {"k": "v"}', log)
        self.assertIn(f"END RequestId: {rid}", log)
        self.assertRegex(log, rf"REPORT RequestId: {rid}\tDuration: [\d.]+ ms\tBilled Duration: "
                              r"\d+ ms\tMemory Size: 192 MB\tMax Memory Used: \d+ MB")

        # Warm: the same instance answers the next call.
        _, again = self.invoke("ctx", {})
        self.assertEqual(again["pid"], out["pid"])

        d = self.lam.invoke(FunctionName="ctx", InvocationType="DryRun")
        self.assertEqual(d["StatusCode"], 204)
        e = self.lam.invoke(FunctionName="ctx", InvocationType="Event",
                            Payload=b'{"marker": "event-9731"}')
        self.assertEqual(e["StatusCode"], 202)
        deadline = time.time() + 30
        while 'event-9731' not in self.logs("ctx"):
            self.assertLess(time.time(), deadline, "the Event invocation never ran")
            time.sleep(0.1)
        self.assertError("ValidationException", 400, self.lam.invoke, FunctionName="ctx",
                         InvocationType="Sometimes")

    def logs(self, name):
        with urllib.request.urlopen(f"{self.server.endpoint}/2015-03-31/functions/{name}/logs") as r:
            return r.read().decode()

    def test_handler_error_timeout_memory_and_exit(self):
        self.create("err", {"app.py": ECHO}, Timeout=1, MemorySize=128)
        r, out = self.invoke("err", {"raise": "x"})
        self.assertEqual(r["FunctionError"], "Unhandled")
        self.assertEqual(out["errorType"], "ValueError")
        self.assertEqual(out["errorMessage"], "boom: x")
        self.assertEqual(out["requestId"], r["ResponseMetadata"]["RequestId"])
        self.assertTrue(any("raise ValueError" in line for line in out["stackTrace"]), out)
        _, ok = self.invoke("err", {})
        first_pid = ok["pid"]

        r, out = self.invoke("err", {"sleep": 3}, LogType="Tail")
        self.assertEqual(r["FunctionError"], "Unhandled")
        self.assertEqual(out["errorType"], "Sandbox.Timedout")
        self.assertIn("Task timed out after 1.00 seconds", out["errorMessage"])
        self.assertIn("Task timed out after 1.00 seconds", base64.b64decode(r["LogResult"]).decode())
        _, ok = self.invoke("err", {})
        self.assertNotEqual(ok["pid"], first_pid)  # the timed-out instance was replaced

        r, out = self.invoke("err", {"alloc_mb": 400})
        self.assertEqual(r["FunctionError"], "Unhandled")
        self.assertEqual(out["errorType"], "Runtime.OutOfMemory")
        _, small = self.invoke("err", {"alloc_mb": 16})  # within the limit, on a new instance
        self.assertEqual(small["allocated"], 16 * 1024 * 1024)

        r, out = self.invoke("err", {"exit": True})
        self.assertEqual(r["FunctionError"], "Unhandled")
        self.assertEqual(out["errorType"], "Runtime.ExitError")
        self.assertEqual(self.invoke("err", {"z": 1})[1]["event"], {"z": 1})

    def test_import_error_and_missing_handler(self):
        self.create("imperr", {"app.py": "import not_a_module_anywhere\n"})
        r, out = self.invoke("imperr", {})
        self.assertEqual(r["FunctionError"], "Unhandled")
        self.assertEqual(out["errorType"], "Runtime.ImportModuleError")
        self.assertIn("not_a_module_anywhere", out["errorMessage"])
        self.create("nohandler", {"app.py": "x = 1\n"}, handler="app.missing")
        r, out = self.invoke("nohandler", {})
        self.assertEqual(out["errorType"], "Runtime.HandlerNotFound")

    def test_knix_model(self):
        self.create("knix-fn", {"knix-fn.py": "def handle(event, context):\n"
                                              "    return {'knix': event['n'] * 2}\n"},
                    handler=None)
        cfg = self.lam.get_function_configuration(FunctionName="knix-fn")
        self.assertNotIn("Handler", cfg)
        self.assertEqual(self.invoke("knix-fn", {"n": 21})[1], {"knix": 42})

    def test_throttling(self):
        # Both instances (concurrency 2) run a call that waits for the test: each says it has
        # started (a file in its code directory) and waits for a "release" file there. Only
        # once both have been seen running is the third call made: it is throttled whatever
        # the machine's speed.
        self.create("slow", {"app.py": BLOCKING}, Timeout=120)
        code = self.code_dir("slow")
        results = []

        def call():
            results.append(self.invoke("slow", {})[1])

        threads = [threading.Thread(target=call) for _ in range(2)]
        for t in threads:
            t.start()
        try:
            deadline = time.time() + 60
            while len(glob.glob(os.path.join(code, "started-*"))) < 2:
                self.assertLess(time.time(), deadline, "the two calls never both started")
                self.assertTrue(all(t.is_alive() for t in threads), results)
                time.sleep(0.01)
            err = self.assertError("TooManyRequestsException", 429, self.lam.invoke,
                                   FunctionName="slow", Payload=b"{}")
            self.assertEqual(err.get("Reason"),
                             "ReservedFunctionConcurrentInvocationLimitExceeded")
        finally:
            with open(os.path.join(code, "release"), "w"):
                pass
            for t in threads:
                t.join()
        self.assertEqual(len(results), 2)
        self.assertEqual(len({r["pid"] for r in results}), 2, results)
        self.assertEqual(len(glob.glob(os.path.join(code, "started-*"))), 2)  # not a third

    def test_tmp_lib_and_elf_helper(self):
        so, exe = build_native(self.tmp)
        app = """
import ctypes, os, subprocess
def handler(event, context):
    with open("/tmp/scratch.txt", "w") as f:
        f.write("written")
    lib = ctypes.CDLL("libadd.so")  # found through LD_LIBRARY_PATH (./lib)
    helper = os.path.join(os.environ["LAMBDA_TASK_ROOT"], "bin", "helper")
    out = subprocess.run([helper, "arg1"], capture_output=True, text=True).stdout
    with open("work.txt", "w") as f:
        f.write("cwd")
    return {"sum": lib.stator_add(2, 3), "helper": out, "tmp": open("/tmp/scratch.txt").read(),
            "tmp_list": sorted(os.listdir("/tmp")), "cwd": open("work.txt").read()}
"""
        self.create("native", {"app.py": app, "lib/libadd.so": (so, 0o755),
                               "bin/helper": (exe, 0o755)})
        r, out = self.invoke("native", {})
        self.assertNotIn("FunctionError", r, out)
        self.assertEqual(out["sum"], 1005)
        self.assertEqual(out["helper"], "helper:arg1")
        self.assertEqual(out["tmp"], "written")
        self.assertEqual(out["cwd"], "cwd")
        # /tmp is private to the function: another function does not see the file.
        self.create("peek", {"app.py": "import os\ndef handler(e, c):\n"
                                       "    return sorted(os.listdir('/tmp'))\n"})
        self.assertNotIn("scratch.txt", self.invoke("peek", {})[1])

    def test_sandbox_hides_data_dir_and_other_code(self):
        self.create("victim", {"app.py": "SECRET = 1\ndef handler(e, c):\n    return 1\n"})
        victim_code = os.path.join(self.data, "functions-cache", "victim")
        self.assertTrue(os.path.isdir(victim_code))
        probe = f"""
import os
def handler(event, context):
    seen = {{}}
    for p in {[self.data, os.path.join(self.data, "stator.db"), victim_code,
               os.path.join(self.data, "functions-cache")]!r}:
        try:
            if os.path.isdir(p):
                seen[p] = os.listdir(p)
            else:
                seen[p] = open(p, "rb").read(16).hex()
        except OSError as e:
            seen[p] = type(e).__name__
    seen["root"] = sorted(os.listdir("/"))
    return seen
"""
        self.create("probe", {"app.py": probe})
        r, out = self.invoke("probe", {})
        self.assertNotIn("FunctionError", r, out)
        for p in (self.data, os.path.join(self.data, "stator.db"), victim_code):
            self.assertIn(out[p], ("FileNotFoundError", "PermissionError"), (p, out))
        self.assertNotIn("data", out["root"])

    def test_boto3_inside_a_function_reaches_stator(self):
        sm = self.sfn.create_state_machine(
            name="from-function", roleArn=f"arn:aws:iam::{ACCOUNT}:role/sfn",
            definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass",
                                                                    "End": True}}}))
        app = """
import boto3, json
def handler(event, context):
    sfn = boto3.client("stepfunctions")
    ex = sfn.start_execution(stateMachineArn=event["arn"], input=json.dumps({"from": "fn"}))
    return {"executionArn": ex["executionArn"],
            "lambdas": [f["FunctionName"] for f in boto3.client("lambda").list_functions()["Functions"]]}
"""
        self.create("starter", {"app.py": app}, Timeout=30)
        r, out = self.invoke("starter", {"arn": sm["stateMachineArn"]})
        self.assertNotIn("FunctionError", r, out)
        d = self.sfn.describe_execution(executionArn=out["executionArn"])
        self.assertEqual(json.loads(d["input"]), {"from": "fn"})
        self.assertIn("starter", out["lambdas"])

    @NEEDS_NETWORK_NAMESPACE
    def test_sandbox_network_reaches_only_stator(self):
        # The sandbox has a network namespace of its own: stator is reached through the relay
        # at AWS_ENDPOINT_URL, nothing else of the host or beyond is.
        with socket_listening() as other:
            self.create("netprobe", {"app.py": NET_PROBE}, Timeout=60, MemorySize=2048)
            pid = self.server.proc.pid
            before = fd_count(pid)
            r, out = self.invoke("netprobe", {"other": other})
            self.assertNotIn("FunctionError", r, out)
        self.assertEqual(out["endpoint"], f"http://127.0.0.1:{self.server.port}")
        self.assertEqual(out["stator"]["result"], "http 400", out)
        self.assertEqual(out["boto3"], "ok", out)
        self.assertEqual(out["parallel"], ["ok"] * 16, out)
        self.assertEqual(out["half_close"]["result"], "eof", out)
        self.assertEqual(out["other"]["result"], "ConnectionRefusedError", out)
        self.assertEqual(out["outside"]["result"], "OSError 101", out)
        # (OSError 101, ENETUNREACH: refused at once; a route that went nowhere would time out.)
        # A 3 MB payload to another function and back, through the relay both ways.
        self.create("netecho", {"app.py": "def handler(e, c):\n    return e\n"})
        r, out = self.invoke("netprobe", {"big": 3 * 1024 * 1024})
        self.assertNotIn("FunctionError", r, out)
        self.assertEqual(out["big"], "ok", out)
        # The server holds no more descriptors once the connections are closed and the
        # function is gone (its zygote's network channel included).
        self.lam.delete_function(FunctionName="netprobe")
        self.lam.delete_function(FunctionName="netecho")
        deadline = time.time() + 10
        while fd_count(pid) > before and time.time() < deadline:
            time.sleep(0.1)
        self.assertLessEqual(fd_count(pid), before)

    @NEEDS_NETWORK_NAMESPACE
    @NEEDS_HOST_ADDRESS
    def test_sandbox_network_refuses_the_hosts_own_address(self):
        # Beyond loopback: the host's own address is not reachable from the sandbox either.
        with socket_listening() as other:
            self.create("hostprobe", {"app.py": NET_PROBE}, Timeout=60, MemorySize=2048)
            r, out = self.invoke("hostprobe", {"other": other, "host": host_address()})
        self.assertNotIn("FunctionError", r, out)
        self.assertEqual(out["host"]["result"], "OSError 101", out)

    def test_tags(self):
        self.create("tagged", {"app.py": ECHO})
        arn = ARN_PREFIX + "tagged"
        self.lam.tag_resource(Resource=arn, Tags={"a": "1", "b": "2"})
        self.assertEqual(self.lam.list_tags(Resource=arn)["Tags"], {"a": "1", "b": "2"})
        self.lam.untag_resource(Resource=arn, TagKeys=["a"])
        self.assertEqual(self.lam.list_tags(Resource=arn)["Tags"], {"b": "2"})
        self.assertEqual(self.lam.get_function(FunctionName="tagged")["Tags"], {"b": "2"})
        self.assertError("ResourceNotFoundException", 404, self.lam.list_tags,
                         Resource=ARN_PREFIX + "nope")
        self.assertError("ValidationException", 400, self.lam.list_tags, Resource="tagged")

    # Task states ---------------------------------------------------------------------------------

    def test_workflow_with_each_resource_form(self):
        self.create("wf-add", {"app.py": "def handler(e, c):\n    return {'n': e['n'] + 1}\n"})
        self.create("wf-double", {"wf-double.py": "def handle(e, c):\n"
                                                  "    return {'n': e['n'] * 2}\n"},
                    handler=None)
        definition = {
            "StartAt": "ByArn",
            "States": {
                "ByArn": {"Type": "Task", "Resource": ARN_PREFIX + "wf-add", "Next": "ByInvoke"},
                "ByInvoke": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                             "Parameters": {"FunctionName": "wf-add", "Payload.$": "$"},
                             "ResultSelector": {"n.$": "$.Payload.n"}, "Next": "ByName"},
                "ByName": {"Type": "Task", "Resource": "wf-double", "End": True},
            },
        }
        d, events = self.run_machine("wf-forms", definition, {"n": 1})
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"]), {"n": 6})
        types = [e["type"] for e in events]
        self.assertEqual(types, [
            "ExecutionStarted",
            "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
            "LambdaFunctionSucceeded", "TaskStateExited",
            "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded",
            "TaskStateExited",
            "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
            "LambdaFunctionSucceeded", "TaskStateExited",
            "ExecutionSucceeded"])
        sched = events[2]["lambdaFunctionScheduledEventDetails"]
        self.assertEqual(sched["resource"], ARN_PREFIX + "wf-add")
        self.assertEqual(json.loads(sched["input"]), {"n": 1})
        task = events[7]["taskScheduledEventDetails"]
        self.assertEqual((task["resourceType"], task["resource"]), ("lambda", "invoke"))
        succeeded = json.loads(events[9]["taskSucceededEventDetails"]["output"])
        self.assertEqual(succeeded["Payload"], {"n": 3})
        self.assertEqual(succeeded["StatusCode"], 200)
        self.assertEqual(succeeded["ExecutedVersion"], "$LATEST")
        self.assertEqual(succeeded["SdkHttpMetadata"]["HttpStatusCode"], 200)
        self.assertIn("RequestId", succeeded["SdkResponseMetadata"])
        self.assertEqual(events[12]["lambdaFunctionScheduledEventDetails"]["resource"],
                         "wf-double")

    def test_workflow_errors(self):
        self.create("wf-fail", {"app.py": ECHO}, Timeout=1)
        d, events = self.run_machine("wf-missing", {
            "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": ARN_PREFIX + "nope",
                                             "End": True}}})
        self.assertEqual(d["status"], "FAILED")
        self.assertEqual(d["error"], "Lambda.ResourceNotFoundException")
        self.assertIn(f"Function not found: {ARN_PREFIX}nope", d["cause"])
        self.assertIn("LambdaFunctionFailed", [e["type"] for e in events])

        d, events = self.run_machine("wf-raise", {
            "StartAt": "T", "States": {
                "T": {"Type": "Task", "Resource": ARN_PREFIX + "wf-fail",
                      "Catch": [{"ErrorEquals": ["ValueError"], "ResultPath": "$.err",
                                 "Next": "Caught"}], "End": True},
                "Caught": {"Type": "Pass", "End": True}}}, {"raise": "in-task"})
        self.assertEqual(d["status"], "SUCCEEDED", d)
        err = json.loads(d["output"])["err"]
        self.assertEqual(err["Error"], "ValueError")
        cause = json.loads(err["Cause"])
        self.assertEqual(cause["errorMessage"], "boom: in-task")
        self.assertEqual(cause["errorType"], "ValueError")
        failed = [e for e in events if e["type"] == "LambdaFunctionFailed"][0]
        self.assertEqual(failed["lambdaFunctionFailedEventDetails"]["error"], "ValueError")

        d, _ = self.run_machine("wf-timeout", {
            "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "wf-fail",
                                             "End": True}}}, {"sleep": 3})
        self.assertEqual(d["status"], "FAILED")
        self.assertEqual(d["error"], "Lambda.Unknown")
        self.assertIn("Task timed out after 1.00 seconds", d["cause"])

        d, events = self.run_machine("wf-invoke-raise", {
            "StartAt": "T", "States": {"T": {"Type": "Task",
                                             "Resource": "arn:aws:states:::lambda:invoke",
                                             "Parameters": {"FunctionName": ARN_PREFIX + "wf-fail",
                                                            "Payload": {"raise": 1}},
                                             "End": True}}})
        self.assertEqual((d["status"], d["error"]), ("FAILED", "ValueError"))
        failed = [e for e in events if e["type"] == "TaskFailed"][0]["taskFailedEventDetails"]
        self.assertEqual((failed["resourceType"], failed["resource"]), ("lambda", "invoke"))

    def test_chain_of_ten_functions(self):
        for i in range(10):
            self.create(f"chain{i}", {"app.py": "def handler(e, c):\n"
                                                "    return {'n': e['n'] + 1}\n"})
        states = {f"S{i}": {"Type": "Task", "Resource": f"chain{i}",
                            **({"Next": f"S{i + 1}"} if i < 9 else {"End": True})}
                  for i in range(10)}
        d, _ = self.run_machine("chain", {"StartAt": "S0", "States": states}, {"n": 0})
        self.assertEqual(json.loads(d["output"]), {"n": 10})

    # the AWS CLI and the stator CLI --------------------------------------------------------------

    def aws(self, *args):
        env = dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x",
                   AWS_DEFAULT_REGION=REGION, AWS_MAX_ATTEMPTS="1", AWS_PAGER="")
        return run(["aws", "--endpoint-url", self.server.endpoint, "lambda", *args,
                    "--output", "json"], env=env)

    def test_aws_cli(self):
        if shutil.which("aws") is None:
            raise AssertionError("the AWS CLI is required")
        zpath = os.path.join(self.tmp, "cli.zip")
        with open(zpath, "wb") as f:
            f.write(make_zip({"app.py": ECHO}))
        r = self.aws("create-function", "--function-name", "cli-fn", "--runtime", "python3.11",
                     "--role", ROLE, "--handler", "app.handler", "--zip-file", f"fileb://{zpath}",
                     "--timeout", "9")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.addCleanup(self.delete_quietly, "cli-fn")
        self.assertEqual(json.loads(r.stdout)["Timeout"], 9)
        out = os.path.join(self.tmp, "cli-out.json")
        r = self.aws("invoke", "--function-name", "cli-fn", "--payload", '{"via": "cli"}',
                     "--log-type", "Tail", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        meta = json.loads(r.stdout)
        self.assertEqual(meta["StatusCode"], 200)
        self.assertIn("START RequestId", base64.b64decode(meta["LogResult"]).decode())
        with open(out) as f:
            self.assertEqual(json.load(f)["event"], {"via": "cli"})
        r = self.aws("get-function", "--function-name", "cli-fn")
        self.assertEqual(json.loads(r.stdout)["Configuration"]["FunctionName"], "cli-fn")
        r = self.aws("list-functions")
        self.assertIn("cli-fn", [f["FunctionName"] for f in json.loads(r.stdout)["Functions"]])
        r = self.aws("update-function-configuration", "--function-name", "cli-fn",
                     "--memory-size", "512")
        self.assertEqual(json.loads(r.stdout)["MemorySize"], 512)
        r = self.aws("update-function-code", "--function-name", "cli-fn", "--zip-file",
                     f"fileb://{zpath}")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.aws("tag-resource", "--resource", ARN_PREFIX + "cli-fn", "--tags", "k=v")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.aws("list-tags", "--resource", ARN_PREFIX + "cli-fn")
        self.assertEqual(json.loads(r.stdout)["Tags"], {"k": "v"})
        r = self.aws("untag-resource", "--resource", ARN_PREFIX + "cli-fn", "--tag-keys", "k")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.aws("get-function-configuration", "--function-name", "missing-fn")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ResourceNotFoundException", r.stderr)
        r = self.aws("invoke", "--function-name", "cli-fn", "--invocation-type", "DryRun", out)
        self.assertEqual(json.loads(r.stdout)["StatusCode"], 204)
        r = self.aws("delete-function", "--function-name", "cli-fn")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.aws("get-function", "--function-name", "cli-fn")
        self.assertIn("ResourceNotFoundException", r.stderr)

    def stator(self, *args, **kw):
        env = dict(os.environ, STATOR_ENDPOINT=self.server.endpoint)
        return run([find_stator(), *args], env=env, **kw)

    def test_stator_function_commands(self):
        src = os.path.join(self.tmp, "knix-src")
        os.makedirs(src, exist_ok=True)
        with open(os.path.join(src, "cli-knix.py"), "w") as f:
            f.write("import os\ndef handle(e, c):\n    print('logged', e)\n"
                    "    return {'got': e, 'v': os.environ['V']}\n")
        r = self.stator("function", "create", "cli-knix", "--code", src, "--env", "V=42",
                        "--timeout", "5", "--memory", "256")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.addCleanup(self.delete_quietly, "cli-knix")
        cfg = json.loads(r.stdout)
        self.assertEqual((cfg["Timeout"], cfg["MemorySize"]), (5, 256))
        r = self.stator("function", "invoke", "cli-knix", "--payload", '{"a": 1}', "--log")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout), {"got": {"a": 1}, "v": "42"})
        self.assertIn("REPORT RequestId", r.stderr)
        r = self.stator("function", "logs", "cli-knix")
        self.assertIn("logged {'a': 1}", r.stdout)
        r = self.stator("function", "list")
        self.assertIn("cli-knix", r.stdout.split())
        r = self.stator("function", "create", "cli-knix", "--code", src)
        self.assertEqual(r.returncode, 1)
        self.assertIn("ResourceConflictException", r.stderr)
        r = self.stator("function", "invoke", "nope", "--endpoint", self.server.endpoint)
        self.assertEqual(r.returncode, 1)
        self.assertIn("ResourceNotFoundException", r.stderr)
        r = self.stator("function", "delete", "cli-knix")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("cli-knix", self.stator("function", "list").stdout.split())
        r = self.stator("function", "create", "x")
        self.assertEqual(r.returncode, 64)

    def test_export_import_round_trip(self):
        definition = {
            "StartAt": "A",
            "States": {
                "A": {"Type": "Task", "Resource": "resize", "Next": "P"},
                "P": {"Type": "Parallel", "Branches": [
                    {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "thumb",
                                                      "End": True}}}], "Next": "M"},
                "M": {"Type": "Map", "ItemProcessor": {
                    "StartAt": "C", "States": {"C": {"Type": "Task", "Resource": "tag-it",
                                                     "End": True}}}, "Next": "D"},
                "D": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                      "Parameters": {"FunctionName": "resize"}, "End": True},
            },
        }
        path = os.path.join(self.tmp, "knix.json")
        with open(path, "w") as f:
            json.dump(definition, f)
        r = self.stator("export", "--lambda-prefix", ARN_PREFIX, path)
        self.assertEqual(r.returncode, 0, r.stderr)
        exported = json.loads(r.stdout)
        self.assertEqual(exported["States"]["A"]["Resource"], ARN_PREFIX + "resize")
        self.assertEqual(exported["States"]["P"]["Branches"][0]["States"]["B"]["Resource"],
                         ARN_PREFIX + "thumb")
        self.assertEqual(exported["States"]["M"]["ItemProcessor"]["States"]["C"]["Resource"],
                         ARN_PREFIX + "tag-it")
        self.assertEqual(exported["States"]["D"]["Resource"], "arn:aws:states:::lambda:invoke")
        out = os.path.join(self.tmp, "aws.json")
        with open(out, "w") as f:
            f.write(r.stdout)
        r = self.stator("import", "--lambda-prefix", ARN_PREFIX, out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout), definition)
        self.assertEqual(self.stator("export", path).returncode, 64)


class UnsandboxedNetworkTest(unittest.TestCase):
    def test_functions_share_the_hosts_network(self):
        # --no-function-sandbox: what the sandboxed test refuses is reachable, so it can tell.
        out = self.probe(host=None)
        self.assertEqual(out["other"]["result"], "connected", out)

    @NEEDS_HOST_ADDRESS
    def test_functions_reach_the_hosts_own_address(self):
        out = self.probe(host=host_address())
        self.assertEqual(out["host"]["result"], "connected", out)

    def probe(self, host):
        """NET_PROBE's answer on an unsandboxed server."""
        tmp = tempfile.mkdtemp(prefix="stator-fn-nosandbox-")
        server = Server("--data-dir", tmp, "--no-function-sandbox")
        try:
            lam = lambda_client(server.endpoint)
            lam.create_function(FunctionName="netprobe", Runtime="python3.11", Role=ROLE,
                                Handler="app.handler", Timeout=60, MemorySize=2048,
                                Code={"ZipFile": make_zip({"app.py": NET_PROBE})})
            with socket_listening() as other:
                r = lam.invoke(FunctionName="netprobe", Payload=json.dumps(
                    {"other": other, "host": host}).encode())
                out = json.loads(r["Payload"].read())
            self.assertNotIn("FunctionError", r, out)
            self.assertEqual(out["endpoint"], server.endpoint)
            self.assertEqual(out["stator"]["result"], "http 400", out)
            return out
        finally:
            self.assertEqual(server.stop(), 0)
            shutil.rmtree(tmp, ignore_errors=True)


class PersistenceTest(unittest.TestCase):
    def test_functions_survive_a_restart(self):
        tmp = tempfile.mkdtemp(prefix="stator-fn-persist-")
        try:
            server = Server("--data-dir", tmp)
            try:
                lam = lambda_client(server.endpoint)
                lam.create_function(FunctionName="keep", Runtime="python3.11", Role=ROLE,
                                    Handler="app.handler", Timeout=12,
                                    Code={"ZipFile": make_zip({"app.py": ECHO})})
            finally:
                self.assertEqual(server.stop(), 0)
            server = Server("--data-dir", tmp)
            try:
                lam = lambda_client(server.endpoint)
                self.assertEqual(lam.get_function_configuration(FunctionName="keep")["Timeout"], 12)
                out = json.loads(lam.invoke(FunctionName="keep",
                                            Payload=b'{"again": true}')["Payload"].read())
                self.assertEqual(out["event"], {"again": True})
            finally:
                self.assertEqual(server.stop(), 0)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def test_a_previous_builds_function_directory_is_imported(self):
        # Builds before functions moved into the store kept DATA_DIR/functions/NAME/meta.json
        # and package-REV.zip: the first start imports them and renames the directory.
        tmp = tempfile.mkdtemp(prefix="stator-fn-import-")
        try:
            old = os.path.join(tmp, "functions", "legacy")
            os.makedirs(os.path.join(old, "code-1"))
            with open(os.path.join(old, "meta.json"), "w") as f:
                json.dump({"name": "legacy", "runtime": "python3.11", "handler": "app.handler",
                           "context": "", "role": ROLE, "description": "from before",
                           "timeout": 7, "memory": 256, "environment": {"WHO": "old"},
                           "tags": {}, "codeSha256": "c2hh", "codeSize": 1,
                           "codeRevision": 1, "lastModified": "2024-05-01T12:00:00.000+0000",
                           "revisionId": "11111111-2222-3333-4444-555555555555"}, f)
            app = "import os\ndef handler(e, c):\n    return os.environ['WHO']\n"
            with open(os.path.join(old, "package-1.zip"), "wb") as f:
                f.write(make_zip({"app.py": app}))
            server = Server("--data-dir", tmp)
            try:
                lam = lambda_client(server.endpoint)
                cfg = lam.get_function_configuration(FunctionName="legacy")
                self.assertEqual((cfg["Timeout"], cfg["MemorySize"], cfg["Description"]),
                                 (7, 256, "from before"))
                self.assertEqual(cfg["RevisionId"], "11111111-2222-3333-4444-555555555555")
                out = json.loads(lam.invoke(FunctionName="legacy")["Payload"].read())
                self.assertEqual(out, "old")
                lam.delete_function(FunctionName="legacy")
            finally:
                self.assertEqual(server.stop(), 0)
            self.assertFalse(os.path.exists(os.path.join(tmp, "functions")))
            self.assertTrue(os.path.exists(os.path.join(tmp, "functions.imported", "legacy",
                                                        "meta.json")))
            server = Server("--data-dir", tmp)  # imported once: the deleted one stays deleted
            try:
                lam = lambda_client(server.endpoint)
                self.assertEqual(lam.list_functions()["Functions"], [])
            finally:
                self.assertEqual(server.stop(), 0)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    ctest_unittest.main()
