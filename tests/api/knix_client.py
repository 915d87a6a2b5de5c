"""A small client of stator's KNIX front door for tests/api/test_knix_*.py: the management API
(POST /management) and the deployed workflows' endpoints, spoken over HTTP with `requests` in
the protocol's shapes (shared/design/knix-protocol.md §1) the way KNIX's SDK (mfn_sdk) speaks it,
without the SDK.

    knix = Knix(endpoint)                       # no token: version, signUp, logIn
    alice = knix.new_user("alice")              # signs up and logs in: a Knix with a token
    fn = alice.add_function("f", CODE)          # the protocol's function object
    wf, url = alice.deploy_workflow("w", definition)
    r = execute(url, {"x": 1})                  # a requests.Response: r.status_code, r.json()
    eid = execute(url, {"x": 1}, params={"async": "True"}).text
    r = result(url, eid)                        # ?executionId=eid

Assertions: ok() and fail() raise AssertionError (a test failure) when the answer is not the
success, or not the failure, they expect; both check the envelope (HTTP 200, JSON,
{"status", "data": {"message": str, ...}}).
"""

import base64
import io
import itertools
import json
import os
import sys
import time
import zipfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import requests  # noqa: E402

from stator_server import ServerTestCase, client  # noqa: E402

# The SDK cuts the base64 text of a zip into slices of this many characters.
ZIP_CHUNK = 1024 * 1024
# The `message` of a failed token check (KNIX: ManagementServiceEntry.py verifyUser).
NO_TOKEN = "User verification failed: No token supplied"
BAD_TOKEN = "User verification failed: No user information found for supplied token"
DEFAULT_PASSWORD = "pa55 word, with spaces & symbols!"

_counter = itertools.count()


def b64(data):
    """base64 text of bytes or str (UTF-8)."""
    if isinstance(data, str):
        data = data.encode()
    return base64.b64encode(data).decode()


def unb64(text):
    return base64.b64decode(text)


def unique(prefix):
    """A name no other call of this process returns (function names are unique per server)."""
    return f"{prefix}{os.getpid()}x{next(_counter)}"


class Knix:
    """The management API of one server, as one user (token) or none."""

    def __init__(self, endpoint, token=None, email=None, password=None):
        self.endpoint = endpoint.rstrip("/")
        self.url = self.endpoint + "/management"
        self.token = token
        self.email = email
        self.password = password
        self.session = requests.Session()

    # --- The envelope -------------------------------------------------------------------------

    def post(self, body, content_type="application/json"):
        """POSTs raw bytes or text to /management; returns the requests.Response."""
        return self.session.post(self.url, data=body, headers={"Content-Type": content_type},
                                 timeout=120)

    def call(self, action, data=None, user=None):
        """{"action", "data"} with data.user = user, or {"token": self.token} when user is
        None (as MfnClient.action does); returns the parsed body after checking the envelope."""
        data = dict(data or {})
        if "user" not in data:
            data["user"] = user if user is not None else {"token": self.token}
        try:
            r = self.session.post(self.url, json={"action": action, "data": data}, timeout=120)
        except requests.ConnectionError as e:
            raise AssertionError(f"{action}: the server closed the connection without an answer "
                                 f"(did it crash?): {e}\nrequest data: {_short(data)}") from None
        return envelope(r, action)

    def ok(self, action, data=None, user=None):
        """The `data` of a successful answer; a failure fails the test."""
        body = self.call(action, data, user)
        if body["status"] != "success":
            raise AssertionError(f"{action} failed: {body['data'].get('message')!r}\n"
                                 f"request data: {_short(data)}")
        return body["data"]

    def fail(self, action, data=None, user=None):
        """The `message` of a failed answer, which must be exactly
        {"status": "failure", "data": {"message": str}}; a success fails the test."""
        body = self.call(action, data, user)
        if body["status"] != "failure":
            raise AssertionError(f"{action} succeeded, a failure was expected: {_short(body)}\n"
                                 f"request data: {_short(data)}")
        if set(body["data"]) != {"message"}:
            raise AssertionError(f"{action}: a failure's data is only its message: {body}")
        return body["data"]["message"]

    # --- Users --------------------------------------------------------------------------------

    def sign_up(self, email, password=DEFAULT_PASSWORD, name="Test User"):
        return self.ok("signUp", {"user": {"email": email, "password": password, "name": name}})

    def log_in(self, email, password=DEFAULT_PASSWORD):
        """A Knix logged in as email (its data checked as the SDK needs it)."""
        data = self.ok("logIn", {"user": {"email": email, "password": password}})
        for key in ("token", "storageEndpoint"):
            if not isinstance(data.get(key), str) or not data[key]:
                raise AssertionError(f"logIn: data.{key} must be a non-empty string: {data}")
        return Knix(self.endpoint, data["token"], email, password)

    def new_user(self, prefix="user", name="Test User"):
        """Signs up a new user and logs in as them."""
        email = unique(prefix) + "@example.com"
        self.sign_up(email, name=name)
        return self.log_in(email)

    # --- Functions ----------------------------------------------------------------------------

    def functions(self):
        return self.ok("getFunctions")["functions"]

    def add_function(self, name, code=None, runtime="Python 3.6"):
        """Adds a function (and uploads its text code when given); returns its object."""
        fn = self.ok("addFunction", {"function": {"name": name, "runtime": runtime}})["function"]
        if code is not None:
            self.upload_code(fn["id"], code)
        return fn

    def upload_code(self, function_id, code):
        return self.ok("uploadFunctionCode", {"function": {
            "id": function_id, "code": b64(code), "format": "text"}})["function"]

    def code(self, function_id):
        """The function's text code, decoded."""
        got = self.ok("getFunctionCode", {"function": {"id": function_id}})["function"]
        if got.get("format") != "text":
            raise AssertionError(f"getFunctionCode: format must be 'text': {got}")
        return unb64(got["code"]).decode()

    def upload_zip(self, function_id, name, zip_bytes, zip_name="package.zip"):
        """Uploads a zip as Function.upload does: its base64 text in ZIP_CHUNK slices
        (uploadFunctionCode format zip, chunk i), then uploadFunctionZipMetadata with their
        count, then the zip's <name>.py as the text code. Returns the slices."""
        text = b64(zip_bytes)
        chunks = [text[i:i + ZIP_CHUNK] for i in range(0, len(text), ZIP_CHUNK)]
        for i, chunk in enumerate(chunks):
            self.ok("uploadFunctionCode", {"function": {
                "id": function_id, "chunk": i, "code": chunk, "format": "zip"}})
        rows = ""
        code = None
        with zipfile.ZipFile(io.BytesIO(zip_bytes)) as z:
            for info in z.infolist():
                size = f"{info.file_size / 1024.0:.2f} kB"
                rows += f"<tr><td>{info.filename}</td><td>{size}</td></tr>"
                if info.filename.endswith(name + ".py"):
                    code = z.read(info.filename)
        metadata = b64(f"Last uploaded Zip file: <b>{zip_name}</b><br><br><table>{rows}</table>")
        self.ok("uploadFunctionZipMetadata", {"function": {
            "id": function_id, "chunks": len(chunks), "metadata": metadata,
            "format": "zipMetadata"}})
        if code is not None:
            self.upload_code(function_id, code)
        return chunks

    def zip_metadata(self, function_id):
        got = self.ok("getFunctionZipMetadata", {"function": {"id": function_id}})["function"]
        if got.get("format") != "zipMetadata":
            raise AssertionError(f"getFunctionZipMetadata: format must be 'zipMetadata': {got}")
        return got

    def download_zip(self, function_id):
        """The zip as the SDK reads it back: getFunctionZipMetadata's chunk count, then
        getFunctionZip per chunk; returns (zip bytes, chunk texts)."""
        chunks = self.zip_metadata(function_id)["chunks"]
        texts = []
        for i in range(chunks):
            got = self.ok("getFunctionZip", {"function": {"id": function_id, "chunk": i}})
            if got["function"].get("format") != "zip":
                raise AssertionError(f"getFunctionZip: format must be 'zip': {got['function']}")
            texts.append(got["function"]["code"])
        return unb64("".join(texts)), texts

    # --- Workflows ----------------------------------------------------------------------------

    def workflows(self):
        return self.ok("getWorkflows")["workflows"]

    def workflow(self, workflow_id):
        """getWorkflows with an id: the status call."""
        return self.ok("getWorkflows", {"workflow": {"id": workflow_id}})["workflow"]

    def add_workflow(self, name, definition=None):
        wf = self.ok("addWorkflow", {"workflow": {"name": name}})["workflow"]
        if definition is not None:
            self.upload_json(wf["id"], definition)
        return wf

    def upload_json(self, workflow_id, definition):
        text = definition if isinstance(definition, str) else json.dumps(definition)
        return self.ok("uploadWorkflowJSON", {"workflow": {"id": workflow_id, "json": b64(text)}})

    def workflow_json(self, workflow_id):
        got = self.ok("getWorkflowJSON", {"workflow": {"id": workflow_id}})["workflow"]
        return unb64(got["json"]).decode()

    def deploy(self, workflow_id, timeout=60):
        """deployWorkflow, then polls getWorkflows{id} (as wf.deploy does) until the status is
        deployed or failed; returns the workflow object."""
        got = self.ok("deployWorkflow", {"workflow": {"id": workflow_id}})
        if got.get("workflow", {}).get("id") != workflow_id:
            raise AssertionError(f"deployWorkflow: data.workflow.id must be the id: {got}")
        deadline = time.monotonic() + timeout
        while True:
            wf = self.workflow(workflow_id)
            if wf["status"] in ("deployed", "failed") or time.monotonic() > deadline:
                return wf
            time.sleep(0.05)

    def deploy_workflow(self, name, definition):
        """add + upload + deploy; the deployment must succeed. Returns (workflow, endpoint)."""
        wf = self.add_workflow(name, definition)
        deployed = self.deploy(wf["id"])
        if deployed["status"] != "deployed":
            raise AssertionError(f"workflow {name} did not deploy: {deployed}")
        return deployed, deployed["endpoints"][0]

    def undeploy(self, workflow_id):
        return self.ok("undeployWorkflow", {"workflow": {"id": workflow_id}})

    def logs(self, workflow_id, ts_earliest=0.0, num_lines=1000):
        """retrieveAllWorkflowLogs' workflow object, its base64 fields decoded."""
        got = self.ok("retrieveAllWorkflowLogs", {"workflow": {
            "id": workflow_id, "ts_earliest": ts_earliest, "num_lines": num_lines}})["workflow"]
        for key in ("log", "progress", "exceptions"):
            got[key] = unb64(got[key]).decode()
        return got

    # --- Storage ------------------------------------------------------------------------------

    def storage(self, data_type, action, workflow_id=None, **parameters):
        """performStorageAction as the SDK's Storage sends it; returns the whole body (status
        and data) unchecked beyond the envelope."""
        storage = {"data_type": data_type, "parameters": {"action": action, **parameters}}
        if workflow_id is not None:
            storage["workflowid"] = workflow_id
        return self.call("performStorageAction", {"storage": storage})

    def stored(self, data_type, action, workflow_id=None, **parameters):
        """performStorageAction that must succeed; returns its data."""
        body = self.storage(data_type, action, workflow_id, **parameters)
        if body["status"] != "success" or body["data"].get("status") is not True:
            raise AssertionError(f"{data_type} {action} {parameters}: {body}")
        return body["data"]


def envelope(response, what="management"):
    """The parsed body of a management answer, after checking it is HTTP 200 JSON
    {"status": "success"|"failure", "data": {"message": str, ...}}."""
    if response.status_code != 200:
        raise AssertionError(f"{what}: HTTP {response.status_code}, wanted 200: "
                             f"{response.text[:500]}")
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(f"{what}: the answer is not JSON: {response.text[:500]!r}")
    if not isinstance(body, dict) or body.get("status") not in ("success", "failure"):
        raise AssertionError(f"{what}: no status success|failure: {_short(body)}")
    data = body.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("message"), str):
        raise AssertionError(f"{what}: data.message must be a string: {_short(body)}")
    return body


def execute(url, event=None, params=None, content_type="application/json", body=None,
            timeout=120):
    """POSTs to a workflow endpoint as Workflow.execute does (the event as JSON, unless body
    gives the raw bytes); returns the requests.Response."""
    headers = {}
    if content_type is not None:
        headers["Content-Type"] = content_type
    data = body if body is not None else json.dumps(event)
    return requests.post(url, params=params, data=data, headers=headers, timeout=timeout)


def result(url, execution_id, asynchronous=False, timeout=120):
    """Execution.get(): POST url?executionId=ID with an empty body and no Content-Type (and
    async=True when asked); returns the requests.Response."""
    params = {"executionId": execution_id}
    if asynchronous:
        params["async"] = "True"
    return requests.post(url, params=params, data=b"", timeout=timeout)


def _short(value, limit=600):
    text = json.dumps(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[:limit] + "..."


class KnixTestCase(ServerTestCase):
    """A ServerTestCase (virtual time, one server per class) with `knix`, the management API
    without a user, `user`, a user signed up and logged in for the class, and `sync_sfn`, a
    Step Functions client for StartSyncExecution (no "sync-" host prefix)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.knix = Knix(cls.endpoint)
            cls.sync_sfn = client(cls.endpoint, inject_host_prefix=False)
            cls.user = cls.knix.new_user(cls.__name__.lower())
        except BaseException:
            super().tearDownClass()
            raise
