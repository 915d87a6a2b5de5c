"""KNIX functions (shared/design/knix-protocol.md §1.3) over HTTP with `requests` against a real
`stator serve`: add, modify (rename), delete, text code, requirements, a 3 MB zip uploaded and
downloaded in 1 MiB base64 chunks as KNIX's SDK does and then run; and the one registry: a KNIX
function is a Lambda function of the server (boto3 lists and invokes it, a Step Functions Task
names its ARN), and a Lambda function is a resource KNIX workflows can use.
"""

import base64
import hashlib
import json
import math
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import botocore.exceptions  # noqa: E402

from knix_client import ZIP_CHUNK, KnixTestCase, b64, execute, unique  # noqa: E402
from stator_server import ACCOUNT, REGION, make_zip  # noqa: E402

import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

ARN_PREFIX = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/knix-test"


def returning(value):
    """A KNIX handler returning {"says": value, "event": event}."""
    return (f"def handle(event, context):\n"
            f"    return {{'says': {value!r}, 'event': event}}\n")


def one_task(function):
    return {"StartAt": "only", "States": {"only": {"Type": "Task", "Resource": function,
                                                   "End": True}}}


class FunctionsTest(KnixTestCase):
    """getFunctions, addFunction, modifyFunction, deleteFunction, code and requirements."""

    def invoke(self, name, event):
        r = self.lam.invoke(FunctionName=name, Payload=json.dumps(event).encode())
        self.assertNotIn("FunctionError", r, r)
        return json.loads(r["Payload"].read())

    def assertNoLambda(self, name):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.lam.get_function(FunctionName=name)
        self.assertEqual(cm.exception.response["Error"]["Code"], "ResourceNotFoundException")

    def test_add_modify_delete(self):
        u = self.knix.new_user("fns")
        self.assertEqual(u.functions(), [])
        name = unique("first")
        fn = u.add_function(name)
        self.assertEqual(set(fn), {"id", "name", "runtime", "modified"})
        self.assertRegex(fn["id"], r"^[0-9a-f]{32}$")
        self.assertEqual((fn["name"], fn["runtime"]), (name, "Python 3.6"))
        self.assertIsInstance(fn["modified"], (int, float))
        self.assertEqual(u.functions(), [fn])
        other = u.add_function(unique("second"), runtime="Java")
        self.assertEqual(other["runtime"], "Java")
        self.assertEqual(sorted(f["id"] for f in u.functions()), sorted([fn["id"], other["id"]]))
        u.upload_code(fn["id"], returning("before rename"))

        # Renaming: the Lambda function follows (the new name, the handler, the same code).
        renamed = unique("renamed")
        got = u.ok("modifyFunction", {"function": {"id": fn["id"], "name": renamed,
                                                   "runtime": "Python 3.6"}})["function"]
        self.assertEqual((got["id"], got["name"]), (fn["id"], renamed))
        self.assertEqual({f["id"]: f["name"] for f in u.functions()},
                         {fn["id"]: renamed, other["id"]: other["name"]})
        self.assertNoLambda(name)
        config = self.lam.get_function(FunctionName=renamed)["Configuration"]
        self.assertEqual(config["Handler"], f"{renamed}.handle")
        self.assertEqual(self.invoke(renamed, {"n": 1}),
                         {"says": "before rename", "event": {"n": 1}})
        self.assertEqual(u.code(fn["id"]), returning("before rename"))
        # The old name is free again.
        u.add_function(name)

        got = u.ok("modifyFunction", {"function": {"id": other["id"], "name": other["name"],
                                                   "runtime": "Python 3.6"}})["function"]
        self.assertEqual(got["runtime"], "Python 3.6")
        self.assertEqual([f["runtime"] for f in u.functions() if f["id"] == other["id"]],
                         ["Python 3.6"])

        data = u.ok("deleteFunction", {"function": {"id": fn["id"]}})
        self.assertEqual(set(data), {"message"})
        self.assertNotIn(fn["id"], [f["id"] for f in u.functions()])
        self.assertNoLambda(renamed)
        self.assertEqual(u.fail("getFunctionCode", {"function": {"id": fn["id"]}}),
                         "Couldn't retrieve function code; no such function.")
        u.fail("deleteFunction", {"function": {"id": fn["id"]}})

    def test_text_code(self):
        u = self.user
        name = unique("texty")
        fn = u.add_function(name)
        got = u.ok("getFunctionCode", {"function": {"id": fn["id"]}})["function"]
        self.assertEqual(got, {"format": "text", "code": ""})
        code = returning("v1")
        uploaded = u.ok("uploadFunctionCode", {"function": {
            "id": fn["id"], "code": b64(code), "format": "text"}})["function"]
        self.assertEqual((uploaded["id"], uploaded["name"]), (fn["id"], name))
        got = u.ok("getFunctionCode", {"function": {"id": fn["id"]}})["function"]
        self.assertEqual(got, {"format": "text", "code": b64(code)})
        self.assertEqual(self.invoke(name, {"a": 1}), {"says": "v1", "event": {"a": 1}})

        # A new upload replaces the code (the package is rebuilt), and KNIX's legacy fix-up
        # applies: spaces in a base64 field were '+' before form encoding.
        code = returning("v2 ~~~ >>> ???")
        encoded = b64(code)
        self.assertIn("+", encoded)  # (the fix-up must matter)
        u.ok("uploadFunctionCode", {"function": {
            "id": fn["id"], "code": encoded.replace("+", " "), "format": "text"}})
        self.assertEqual(u.code(fn["id"]), code)
        self.assertEqual(self.invoke(name, {}), {"says": "v2 ~~~ >>> ???", "event": {}})

    def test_requirements(self):
        u = self.user
        fn = u.add_function(unique("reqs"))
        get = {"function": {"id": fn["id"]}}
        self.assertEqual(u.ok("getFunctionRequirements", get)["function"], {"requirements": ""})
        text = "six==1.16.0\nrequests>=2\n"
        u.ok("uploadFunctionRequirements", {"function": {"id": fn["id"],
                                                         "requirements": b64(text)}})
        got = u.ok("getFunctionRequirements", get)["function"]["requirements"]
        self.assertEqual(base64.b64decode(got).decode(), text)
        u.ok("uploadFunctionRequirements", {"function": {"id": fn["id"], "requirements": ""}})
        self.assertEqual(u.ok("getFunctionRequirements", get)["function"], {"requirements": ""})

    def test_invalid_names_change_nothing(self):
        u = self.knix.new_user("names")
        kept = u.add_function(unique("kept"))
        lambdas = sorted(f["FunctionName"] for f in self.lam.list_functions()["Functions"])
        knix_messages = {
            "end": "Couldn't add function: [ERROR]: 'end' is reserved; its use as a function "
                   "name is not allowed.",
            "exit": "Couldn't add function: [ERROR]: 'exit' is reserved; its use as a function "
                    "name is not allowed.",
            "two words": "Couldn't add function: [ERROR]: Whitespace/colons(:) in function names "
                         "is not allowed: 'two words'",
            "a:b": "Couldn't add function: [ERROR]: Whitespace/colons(:) in function names is "
                   "not allowed: 'a:b'",
        }
        for name, message in knix_messages.items():
            with self.subTest(name=name):
                self.assertEqual(u.fail("addFunction", {"function": {
                    "name": name, "runtime": "Python 3.6"}}), message)
        # Names KNIX takes but a Lambda function cannot have, and a name a Lambda function of
        # the server (not a KNIX one) already has.
        lambda_only = unique("plainlambda")
        self.lam.create_function(FunctionName=lambda_only, Runtime="python3.11", Role=ROLE,
                                 Handler="app.handler",
                                 Code={"ZipFile": make_zip({"app.py": "def handler(e, c):\n"
                                                                      "    return 1\n"})})
        lambdas = sorted(lambdas + [lambda_only])
        for name in ("dotted.name", "x" * 65, "", lambda_only):
            with self.subTest(name=name):
                message = u.fail("addFunction", {"function": {"name": name,
                                                              "runtime": "Python 3.6"}})
                self.assertTrue(message.startswith("Couldn't add function"), message)
        self.assertEqual(u.functions(), [kept])
        self.assertEqual(sorted(f["FunctionName"] for f in self.lam.list_functions()["Functions"]),
                         lambdas)


DATA_SIZE = 3 * 1024 * 1024

ZIP_HANDLER = """
import hashlib
import os

import helper

HERE = os.path.dirname(os.path.abspath(__file__))


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def handle(event, context):
    lib = os.path.realpath(os.path.join(HERE, "lib"))
    paths = [os.path.realpath(p) for p in os.environ.get("LD_LIBRARY_PATH", "").split(":") if p]
    with open(os.path.join(lib, "note.txt")) as f:
        note = f.read()
    return {
        "by_module": digest(os.path.join(HERE, "data", "blob.bin")),
        "by_cwd": digest(os.path.join("data", "blob.bin")),
        "helper": helper.greet(event["name"]),
        "lib_on_ld_library_path": lib in paths,
        "note": note,
    }
"""


class ZipTest(KnixTestCase):
    """A 3 MB zip package: uploaded in 1 MiB base64 slices, read back byte for byte, run."""

    def test_chunked_zip_round_trip_and_run(self):
        u = self.user
        name = unique("zipped")
        fn = u.add_function(name)
        fid = fn["id"]
        self.assertEqual(u.zip_metadata(fid)["chunks"], -1)
        u.fail("getFunctionZip", {"function": {"id": fid, "chunk": 0}})

        blob = os.urandom(DATA_SIZE)
        package = make_zip({
            f"{name}.py": ZIP_HANDLER,
            "helper.py": "def greet(who):\n    return 'hello ' + who\n",
            "data/blob.bin": blob,
            "lib/note.txt": "a file in ./lib\n",
        })
        self.assertGreater(len(package), DATA_SIZE)
        chunks = u.upload_zip(fid, name, package)
        text = b64(package)
        self.assertEqual(len(chunks), math.ceil(len(text) / ZIP_CHUNK))
        self.assertGreaterEqual(len(chunks), 4)
        self.assertTrue(all(len(c) == ZIP_CHUNK for c in chunks[:-1]))

        meta = u.zip_metadata(fid)
        self.assertEqual(meta["chunks"], len(chunks))
        self.assertIn("data/blob.bin", base64.b64decode(meta["metadata"]).decode())
        downloaded, texts = u.download_zip(fid)
        self.assertEqual(texts, chunks)
        self.assertEqual(hashlib.sha256(downloaded).hexdigest(),
                         hashlib.sha256(package).hexdigest())
        self.assertEqual(downloaded, package)
        # The SDK also uploaded the zip's <name>.py as the text code.
        self.assertEqual(u.code(fid), ZIP_HANDLER)
        for bad in (len(chunks), -1):
            with self.subTest(chunk=bad):
                u.fail("getFunctionZip", {"function": {"id": fid, "chunk": bad}})

        # The function runs from its directory: the data file is found relative to the module
        # and to the working directory, the second module imports, ./lib is on
        # LD_LIBRARY_PATH.
        expected = {"by_module": hashlib.sha256(blob).hexdigest(),
                    "by_cwd": hashlib.sha256(blob).hexdigest(),
                    "helper": "hello knix", "lib_on_ld_library_path": True,
                    "note": "a file in ./lib\n"}
        _, url = u.deploy_workflow("zipped", one_task(name))
        r = execute(url, {"name": "knix"})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json(), expected)
        # And the same package as the Lambda function.
        out = self.lam.invoke(FunctionName=name, Payload=json.dumps({"name": "knix"}).encode())
        self.assertEqual(json.loads(out["Payload"].read()), expected)


    def test_zip_upload_replaces_a_smaller_zip(self):
        """A second zip upload with more chunks than the first (the SDK sends the chunks, then
        the metadata with the new count); its base64 slices with '+' sent as ' ' (KNIX's
        legacy form-encoding fix-up)."""
        u = self.user
        name = unique("rezipped")
        fid = u.add_function(name)["id"]
        handler = ("import os\n"
                   "def handle(event, context):\n"
                   "    with open(os.path.join(os.path.dirname(__file__), 'version.txt')) as f:\n"
                   "        return {'version': f.read(), 'size': os.path.getsize(\n"
                   "            os.path.join(os.path.dirname(__file__), 'pad.bin'))}\n")
        small = make_zip({f"{name}.py": handler, "version.txt": "one", "pad.bin": b"x"})
        self.assertEqual(len(u.upload_zip(fid, name, small)), 1)
        self.assertEqual(u.download_zip(fid)[0], small)
        _, url = u.deploy_workflow("rezipped", one_task(name))
        self.assertEqual(execute(url, {}).json(), {"version": "one", "size": 1})

        pad = os.urandom(2 * 1024 * 1024)
        big = make_zip({f"{name}.py": handler, "version.txt": "two", "pad.bin": pad})
        text = b64(big)
        self.assertIn("+", text)
        chunks = [text[i:i + ZIP_CHUNK] for i in range(0, len(text), ZIP_CHUNK)]
        self.assertGreaterEqual(len(chunks), 3)
        for i, chunk in enumerate(chunks):
            u.ok("uploadFunctionCode", {"function": {
                "id": fid, "chunk": i, "code": chunk.replace("+", " "), "format": "zip"}})
        u.ok("uploadFunctionZipMetadata", {"function": {
            "id": fid, "chunks": len(chunks), "metadata": b64("<table></table>"),
            "format": "zipMetadata"}})
        downloaded, texts = u.download_zip(fid)
        self.assertEqual(texts, chunks)
        self.assertEqual(downloaded, big)
        self.assertEqual(execute(url, {}).json(), {"version": "two", "size": len(pad)})


    def test_an_upload_that_fails_changes_nothing(self):
        """A "zip" that is not one, uploaded as the SDK does, then new text code: every call
        that answers failure leaves what getFunctionCode / getFunctionZipMetadata read as it
        was, and the code KNIX shows is the code that runs."""
        u = self.user
        name = unique("notzip")
        fid = u.add_function(name, "def handle(event, context):\n    return 'old'\n")["id"]
        calls = [
            ("uploadFunctionCode", {"function": {"id": fid, "chunk": 0, "format": "zip",
                                                 "code": b64(b"this is not a zip file" * 9)}}),
            ("uploadFunctionZipMetadata", {"function": {"id": fid, "chunks": 1,
                                                        "metadata": b64("<table></table>"),
                                                        "format": "zipMetadata"}}),
            ("uploadFunctionCode", {"function": {
                "id": fid, "format": "text",
                "code": b64("def handle(event, context):\n    return 'new'\n")}}),
        ]
        for action, data in calls:
            before = (u.code(fid), u.zip_metadata(fid))
            body = u.call(action, data)
            if body["status"] == "failure":
                with self.subTest(action=action, failed=body["data"]["message"]):
                    self.assertEqual((u.code(fid), u.zip_metadata(fid)), before)
        shown = u.code(fid)
        runs = json.loads(self.lam.invoke(FunctionName=name)["Payload"].read())
        self.assertIn(f"return {runs!r}", shown)


class OneRegistryTest(KnixTestCase):
    """KNIX functions and Lambda functions are one registry."""

    def test_knix_function_is_a_lambda_function(self):
        u = self.user
        name = unique("shared")
        u.add_function(name, "def handle(event, context):\n"
                             "    return {'n': event['n'] * 2}\n")
        listed = {f["FunctionName"]: f for f in self.lam.list_functions()["Functions"]}
        self.assertIn(name, listed)
        self.assertEqual(listed[name]["Handler"], f"{name}.handle")
        self.assertEqual(listed[name]["FunctionArn"], ARN_PREFIX + name)
        r = self.lam.invoke(FunctionName=name, Payload=b'{"n": 21}')
        self.assertNotIn("FunctionError", r)
        self.assertEqual(json.loads(r["Payload"].read()), {"n": 42})

        # A Step Functions state machine whose Tasks name the function's ARN runs it.
        definition = {"StartAt": "a", "States": {
            "a": {"Type": "Task", "Resource": ARN_PREFIX + name, "Next": "b"},
            "b": {"Type": "Task", "Resource": ARN_PREFIX + name, "End": True}}}
        arn = self.sfn.create_state_machine(
            name=unique("uses-knix-fn"), definition=json.dumps(definition), roleArn=ROLE,
            type="EXPRESS")["stateMachineArn"]
        out = self.sync_sfn.start_sync_execution(stateMachineArn=arn, input='{"n": 3}')
        self.assertEqual(out["status"], "SUCCEEDED", out)
        self.assertEqual(json.loads(out["output"]), {"n": 12})

        # KNIX workflows run on the engine but are not listed as state machines.
        u.deploy_workflow("not listed", one_task(name))
        machines = [m["name"] for m in self.sfn.list_state_machines()["stateMachines"]]
        self.assertFalse([m for m in machines if m.startswith("knix-")], machines)

    def test_lambda_function_is_a_knix_resource(self):
        u = self.user
        name = unique("fromlambda")
        self.lam.create_function(
            FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": "def handler(event, context):\n"
                                                 "    return {'lambda': event}\n"})})
        _, url = u.deploy_workflow("uses a lambda", one_task(name))
        r = execute(url, {"x": [1, 2]})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json(), {"lambda": {"x": [1, 2]}})
        # It is not one of the user's KNIX functions.
        self.assertNotIn(name, [f["name"] for f in u.functions()])


if __name__ == "__main__":
    ctest_unittest.main()
