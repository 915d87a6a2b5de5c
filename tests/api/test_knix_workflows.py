"""KNIX workflows (shared/design/knix-protocol.md §1.4, §1.5, §2) over HTTP with `requests`
against a real `stator serve`: the workflow actions and their failures, both description formats
(SAND, ASL with shared functions, nested Parallel and Map), and execution through the endpoint
(sync, async, executionId), KNIX's error and Fail-state semantics beside the Step Functions API's,
executeWorkflow, the executions seen through boto3, and retrieveAllWorkflowLogs.
"""

import datetime
import json
import os
import re
import sys
import threading
import time
import urllib.parse

import requests

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from knix_client import Knix, KnixTestCase, b64, execute, result, unique  # noqa: E402
from stator_server import ACCOUNT, REGION  # noqa: E402

import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

ARN_PREFIX = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/knix-test"
DEPLOY = "Couldn't deploy workflow; "
NOT_UPLOADED = "\nResource has not been uploaded yet: "
USER_VALUE_ERROR = {"has_error": True, "error_type": "User code exception: ValueError"}

ECHO = "def handle(event, context):\n    return event\n"
# Appends its tag to event["trail"] (the tag is the function's name, set per function below).
TRAIL = ("def handle(event, context):\n"
         "    event = dict(event)\n"
         "    event['trail'] = event.get('trail', []) + [{tag!r}]\n"
         "    return event\n")
INC = "def handle(event, context):\n    return event + 1\n"
DOUBLE = "def handle(event, context):\n    return {'n': event['n'] * 2}\n"
VALUE = "def handle(event, context):\n    return event['value']\n"
SLEEPER = ("import time\n"
           "def handle(event, context):\n"
           "    time.sleep(event.get('sleep', 1.0))\n"
           "    return {'slept': event.get('sleep', 1.0), 'tag': event.get('tag')}\n")
RAISER = ("def handle(event, context):\n"
          "    raise ValueError('no good: ' + str(event))\n")
# Prints event["lines"]; the next state prints what was in event["next"].
PRINTER = ("def handle(event, context):\n"
           "    for line in event['lines']:\n"
           "        print(line)\n"
           "    return {'lines': event.get('next', []), 'next': []}\n")

# Prints "MARKER started", waits until the user's data layer holds the key MARKER, prints
# "MARKER done" and returns what it read.
WAITER = ("import time\n"
          "def handle(event, context):\n"
          "    marker = event['marker']\n"
          "    print(marker + ' started')\n"
          "    while not context.get(marker):\n"
          "        time.sleep(0.02)\n"
          "    print(marker + ' done')\n"
          "    return {'got': context.get(marker)}\n")

LOG_LINE = re.compile(r"^\[(\d+)\] \[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})\] \[INFO\] "
                      r"\[([^\]]+)\] \[([^\]]+)\] (.*)$")


def chain(*resources, names=None):
    """ASL: a chain of Task states s0, s1, ... (or `names`) running `resources`."""
    names = names or [f"s{i}" for i in range(len(resources))]
    states = {}
    for i, (name, resource) in enumerate(zip(names, resources)):
        states[name] = {"Type": "Task", "Resource": resource}
        if i + 1 < len(resources):
            states[name]["Next"] = names[i + 1]
        else:
            states[name]["End"] = True
    return {"StartAt": names[0], "States": states}


class WorkflowTestCase(KnixTestCase):
    """The class's user has these functions (their names in cls.fn[key])."""

    FUNCTIONS = {"echo": ECHO, "inc": INC, "double": DOUBLE, "value": VALUE, "sleeper": SLEEPER,
                 "raiser": RAISER, "printer": PRINTER, "a": None, "b": None, "c": None}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.fn = {}
            for key, code in cls.FUNCTIONS.items():
                name = unique(f"{key}fn")
                cls.user.add_function(name, code if code is not None else TRAIL.format(tag=key))
                cls.fn[key] = name
        except BaseException:
            super().tearDownClass()
            raise


class WorkflowActionsTest(WorkflowTestCase):
    """addWorkflow, getWorkflows, upload/getWorkflowJSON, modifyWorkflow, deploy, undeploy,
    delete, and deploy's failures."""

    def assertEndpoint(self, url, wid):
        parsed = urllib.parse.urlparse(url)
        self.assertEqual(parsed.scheme, "http", url)
        self.assertTrue(parsed.netloc, url)
        self.assertTrue(url.startswith(self.endpoint + "/"), url)
        self.assertIn(wid, url)

    def test_lifecycle(self):
        u = self.knix.new_user("lifecycle")
        echo = u.add_function(unique("lifeecho"), ECHO)["name"]
        wf = u.add_workflow("life")
        self.assertRegex(wf["id"], r"^[0-9a-f]{32}$")
        self.assertEqual((wf["name"], wf["status"], wf["endpoints"]), ("life", "undeployed", []))
        self.assertIsInstance(wf["modified"], (int, float))
        wid = wf["id"]
        self.assertEqual([w["id"] for w in u.workflows()], [wid])
        self.assertEqual(u.workflow(wid)["status"], "undeployed")
        got = u.ok("getWorkflowJSON", {"workflow": {"id": wid}})["workflow"]
        self.assertEqual(got, {"json": ""})

        # The JSON is kept as written, KNIX-only keys and layout included.
        text = json.dumps(chain(echo), indent=3) + "\n"
        text = text.replace('"StartAt"', '"EnableCheckpoints": false, "StartAt"', 1)
        u.ok("uploadWorkflowJSON", {"workflow": {"id": wid, "json": b64(text)}})
        self.assertEqual(u.ok("getWorkflowJSON", {"workflow": {"id": wid}})["workflow"],
                         {"json": b64(text)})

        renamed = u.ok("modifyWorkflow", {"workflow": {"id": wid, "name": "life, renamed"}})
        self.assertEqual(renamed["workflow"]["name"], "life, renamed")
        self.assertEqual([w["name"] for w in u.workflows()], ["life, renamed"])

        deployed = u.deploy(wid)
        self.assertEqual(deployed["status"], "deployed")
        self.assertIsInstance(deployed["endpoints"], list)
        self.assertTrue(deployed["endpoints"])
        for url in deployed["endpoints"]:
            self.assertEndpoint(url, wid)
        url = deployed["endpoints"][0]
        self.assertEqual([w["status"] for w in u.workflows()], ["deployed"])
        self.assertEqual(execute(url, {"alive": True}).json(), {"alive": True})

        self.assertEqual(u.fail("deleteWorkflow", {"workflow": {"id": wid}}),
                         "Couldn't delete workflow; workflow is still deployed. Undeploy "
                         "workflow first.")
        self.assertEqual(u.workflow(wid)["status"], "deployed")
        u.undeploy(wid)
        undeployed = u.workflow(wid)
        self.assertEqual((undeployed["status"], undeployed["endpoints"]), ("undeployed", []))
        self.assertEqual(execute(url, {"alive": True}).status_code, 404)
        # Deploying again brings the same endpoint back.
        self.assertEqual(u.deploy(wid)["endpoints"], deployed["endpoints"])
        self.assertEqual(execute(url, {"again": 1}).json(), {"again": 1})

        # A new JSON takes effect when deployed (the endpoint runs the deployed definition
        # until then); renaming a deployed workflow leaves it deployed.
        a = u.add_function(unique("lifea"), TRAIL.format(tag="a"))["name"]
        b = u.add_function(unique("lifeb"), TRAIL.format(tag="b"))["name"]
        got = u.ok("uploadWorkflowJSON", {"workflow": {
            "id": wid, "json": b64(json.dumps(chain(a, b))), "ASL_type": "unified"}})
        self.assertEqual(got["workflow"]["ASL_type"], "unified")
        self.assertEqual(u.workflow(wid)["ASL_type"], "unified")
        self.assertEqual(execute(url, {"trail": []}).json(), {"trail": []})
        self.assertEqual(u.deploy(wid)["status"], "deployed")
        self.assertEqual(execute(url, {"trail": []}).json(), {"trail": ["a", "b"]})
        u.ok("modifyWorkflow", {"workflow": {"id": wid, "name": "life, deployed"}})
        self.assertEqual(u.workflow(wid)["status"], "deployed")
        self.assertEqual(execute(url, {"trail": []}).json(), {"trail": ["a", "b"]})
        u.undeploy(wid)

        data = u.ok("deleteWorkflow", {"workflow": {"id": wid}})
        self.assertEqual(set(data), {"message"})
        self.assertEqual(u.workflows(), [])
        u.fail("getWorkflows", {"workflow": {"id": wid}})
        u.fail("getWorkflowJSON", {"workflow": {"id": wid}})
        u.fail("deleteWorkflow", {"workflow": {"id": wid}})

    def test_deploy_names_every_missing_resource(self):
        u = self.user
        present = self.fn["echo"]
        definition = {"StartAt": "s0", "States": {
            "s0": {"Type": "Task", "Resource": "missing1", "Next": "s1"},
            "s1": {"Type": "Parallel", "Next": "s2", "Branches": [
                {"StartAt": "p0", "States": {"p0": {"Type": "Task", "Resource": "missing3",
                                                    "End": True}}},
                {"StartAt": "p1", "States": {"p1": {"Type": "Task", "Resource": present,
                                                    "End": True}}}]},
            "s2": {"Type": "Task", "Resource": present, "Next": "s3"},
            "s3": {"Type": "Task", "Resource": "missing2", "Next": "s4"},
            "s4": {"Type": "Map", "Next": "s5", "Iterator": {"StartAt": "m0", "States": {
                "m0": {"Type": "Task", "Resource": "missing4", "End": True}}}},
            "s5": {"Type": "Task", "Resource": "missing1", "End": True}}}
        wf = u.add_workflow("missing resources", definition)
        message = u.fail("deployWorkflow", {"workflow": {"id": wf["id"]}})
        self.assertEqual(message, DEPLOY + DEPLOY + NOT_UPLOADED + "missing1" + NOT_UPLOADED
                         + "missing2" + NOT_UPLOADED + "missing3" + NOT_UPLOADED + "missing4")
        after = u.workflow(wf["id"])
        self.assertNotEqual(after["status"], "deployed")
        self.assertEqual(after["endpoints"], [])

        sand = {"name": "sand", "entry": "first", "functions": [
            {"name": "first", "resource": present, "next": ["second"]},
            {"name": "second", "resource": "sandmissing", "next": ["third"]},
            {"name": "third", "next": ["end"]}]}  # resource defaults to the name
        u.upload_json(wf["id"], sand)
        self.assertEqual(u.fail("deployWorkflow", {"workflow": {"id": wf["id"]}}),
                         DEPLOY + DEPLOY + NOT_UPLOADED + "sandmissing" + NOT_UPLOADED + "third")

        # What the engine cannot run is refused at deploy, the workflow left undeployed.
        for bad in ({"StartAt": "p", "States": {"p": {"Type": "Parallel", "End": True,
                     "Branches": [{"StartAt": "t", "States": {"t": {
                         "Type": "Task", "Resource": present}}}]}}},
                    {"StartAt": "nowhere", "States": {
                        "t": {"Type": "Task", "Resource": present, "End": True}}},
                    {"name": "exit named otherwise", "entry": "end", "exit": "done",
                     "functions": [{"name": "end", "resource": present, "next": ["done"]}]},
                    {"name": "dup", "entry": "f", "functions": [
                        {"name": "f", "resource": present, "next": ["end"]},
                        {"name": "f", "resource": present, "next": ["end"]}]},
                    [1, 2]):
            with self.subTest(definition=bad):
                u.upload_json(wf["id"], bad)
                message = u.fail("deployWorkflow", {"workflow": {"id": wf["id"]}})
                self.assertTrue(message.startswith(DEPLOY), message)
                self.assertEqual(u.workflow(wf["id"])["endpoints"], [])
        self.assertEqual(u.fail("deployWorkflow", {"workflow": {"id": wf["id"]}}),
                         DEPLOY + "workflow JSON is not valid: a workflow is a JSON object (ASL "
                         "with StartAt and States, or SAND with entry and functions), not array")
        u.upload_json(wf["id"], {"name": "dup", "entry": "f", "functions": [
            {"name": "f", "resource": present, "next": ["end"]},
            {"name": "f", "resource": present, "next": ["end"]}]})
        self.assertEqual(u.fail("deployWorkflow", {"workflow": {"id": wf["id"]}}),
                         DEPLOY + DEPLOY + "The function names should be unique: f")

        empty = u.add_workflow("no json")
        self.assertEqual(u.fail("deployWorkflow", {"workflow": {"id": empty["id"]}}),
                         "Couldn't deploy workflow; workflow JSON does not exist.")
        u.upload_json(empty["id"], "{not json")
        self.assertEqual(u.fail("deployWorkflow", {"workflow": {"id": empty["id"]}}),
                         "Couldn't deploy workflow; workflow JSON is not valid.")
        for w in (wf, empty):
            u.ok("deleteWorkflow", {"workflow": {"id": w["id"]}})


    def test_requirements_pip_cannot_install_fail_the_deploy(self):
        """Requirements are installed at deploy (pip); when pip fails, the workflow is `failed`
        with pip's message as its deployment_error, and deletable."""
        u = self.knix.new_user("pip")
        fn = u.add_function(unique("needsreqs"), ECHO)
        u.ok("uploadFunctionRequirements", {"function": {
            "id": fn["id"], "requirements": b64("this is not a requirement ~~ !!\n")}})
        wf = u.add_workflow("needs requirements", chain(fn["name"]))
        failed = u.deploy(wf["id"])
        self.assertEqual(failed["status"], "failed")
        self.assertEqual(failed["endpoints"], [])
        self.assertIn("Invalid requirement", failed["deployment_error"])
        self.assertIn(fn["name"], failed["deployment_error"])
        # Without requirements it deploys.
        u.ok("uploadFunctionRequirements", {"function": {"id": fn["id"], "requirements": ""}})
        self.assertEqual(u.deploy(wf["id"])["status"], "deployed")
        u.undeploy(wf["id"])
        u.ok("uploadFunctionRequirements", {"function": {
            "id": fn["id"], "requirements": b64("not a requirement either !!\n")}})
        self.assertEqual(u.deploy(wf["id"])["status"], "failed")
        u.ok("deleteWorkflow", {"workflow": {"id": wf["id"]}})
        self.assertEqual(u.workflows(), [])


    def test_requirements_are_installed_in_the_background_as_knix_reports_them(self):
        """With requirements, deployWorkflow answers at once and the workflow is `deploying`
        until pip is done; a package that cannot be found gives KNIX's import_error wording."""
        u = self.knix.new_user("pipwording")
        fn = u.add_function(unique("numpyuser"), ECHO)
        u.ok("uploadFunctionRequirements", {"function": {"id": fn["id"],
                                                         "requirements": b64("numpyu\n")}})
        wf = u.add_workflow("import error", chain(fn["name"]))
        u.ok("deployWorkflow", {"workflow": {"id": wf["id"]}})
        self.assertIn(u.workflow(wf["id"])["status"], ("deploying", "failed"))
        failed = u.deploy(wf["id"])  # polls as the SDK does
        self.assertEqual(failed["status"], "failed")
        self.assertIn("ERROR: Could not find a version that satisfies the requirement numpyu",
                      failed["deployment_error"])


class ExecutionTest(WorkflowTestCase):
    """Workflows run through their endpoints."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.wf, cls.url = {}, {}
            for key in ("echo", "value", "sleeper", "raiser", "printer"):
                wf, url = cls.user.deploy_workflow(f"{key} workflow", chain(cls.fn[key]))
                cls.wf[key], cls.url[key] = wf, url
        except BaseException:
            super().tearDownClass()
            raise

    def test_sand_format(self):
        fn = self.fn
        sand = {"name": "sand", "entry": "first", "exit": "end", "enable_checkpoints": True,
                "functions": [
                    {"name": "first", "resource": fn["a"], "next": ["second"],
                     "potentialNext": []},
                    {"name": "second", "resource": fn["b"], "next": ["third"]},
                    {"name": "third", "resource": fn["a"], "next": ["end"]}]}
        _, url = self.user.deploy_workflow("sand", sand)
        r = execute(url, {"trail": ["in"]})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json(), {"trail": ["in", "a", "b", "a"]})
        # Another exit name; `resource` defaulting to the state's name.
        sand = {"entry": fn["c"], "exit": "finish", "functions": [
            {"name": fn["c"], "next": ["then"]},
            {"name": "then", "resource": fn["b"], "next": ["finish"]}]}
        _, url = self.user.deploy_workflow("sand exit", sand)
        self.assertEqual(execute(url, {}).json(), {"trail": ["c", "b"]})

    def test_asl_states_share_functions(self):
        fn = self.fn
        definition = chain(fn["a"], fn["b"], fn["a"], fn["c"], fn["a"],
                           names=["one", "two", "three", "four", "five"])
        definition["AllowImmediateMessages"] = False  # a KNIX-only key is accepted
        definition["States"]["two"]["PotentialNext"] = ["three"]
        _, url = self.user.deploy_workflow("shared", definition)
        self.assertEqual(execute(url, {}).json(), {"trail": ["a", "b", "a", "c", "a"]})

    def test_nested_parallel_and_map(self):
        fn = self.fn
        definition = {"StartAt": "fan", "States": {
            "fan": {"Type": "Parallel", "Next": "last", "Branches": [
                {"StartAt": "double", "States": {
                    "double": {"Type": "Task", "Resource": fn["double"], "End": True}}},
                {"StartAt": "each", "States": {
                    "each": {"Type": "Map", "ItemsPath": "$.items", "End": True, "Iterator": {
                        "StartAt": "inner", "States": {
                            "inner": {"Type": "Parallel", "End": True, "Branches": [
                                {"StartAt": "inc1", "States": {
                                    "inc1": {"Type": "Task", "Resource": fn["inc"],
                                             "End": True}}},
                                {"StartAt": "inc2", "States": {
                                    "inc2": {"Type": "Task", "Resource": fn["inc"],
                                             "Next": "inc3"},
                                    "inc3": {"Type": "Task", "Resource": fn["inc"],
                                             "End": True}}}]}}}}}}]},
            "last": {"Type": "Task", "Resource": fn["echo"], "End": True}}}
        _, url = self.user.deploy_workflow("nested", definition)
        r = execute(url, {"n": 5, "items": [1, 10]})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json(), [{"n": 10}, [[2, 3], [11, 12]]])

    def test_sync_returns_the_raw_output(self):
        url = self.url["value"]
        for value in ("a string", [1, "two", None, {"three": 3}], None, {"k": {"n": 1.5}}, 42,
                      True, ""):
            with self.subTest(value=value):
                r = execute(url, {"value": value})
                self.assertEqual(r.status_code, 200, r.text)
                self.assertTrue(r.headers["Content-Type"].startswith("application/json"))
                self.assertEqual(json.loads(r.text), value)
        r = execute(url, {"value": None})
        self.assertEqual(r.text.strip(), "null")
        r = execute(url, {"value": "echo after"})
        self.assertEqual(r.text.strip(), '"echo after"')

    def test_inputs_of_any_json_type(self):
        url = self.url["echo"]
        for event in ("just a string", [1, [2]], None, 5, 0.5, False, {}):
            with self.subTest(event=event):
                r = execute(url, event)
                self.assertEqual((r.status_code, r.json()), (200, event))
        r = execute(url, body=b"")  # no body: null
        self.assertEqual((r.status_code, r.text.strip()), (200, "null"))
        for params in (None, {"async": "True"}):
            with self.subTest(params=params):
                r = execute(url, body=b"{not json", params=params)
                self.assertEqual(r.status_code, 400, r.text)
                self.assertIs(r.json()["has_error"], True)

    def test_lambda_arns_and_service_integrations(self):
        """A Resource may also be the function's Lambda ARN (as an imported AWS definition has
        it) or a service integration, which deploy does not take for a function."""
        fn = self.fn
        definition = {"StartAt": "by-arn", "States": {
            "by-arn": {"Type": "Task", "Resource": ARN_PREFIX + fn["a"], "Next": "by-name"},
            "by-name": {"Type": "Task", "Resource": fn["b"], "Next": "invoke"},
            "invoke": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                       "Parameters": {"FunctionName": fn["c"], "Payload.$": "$"},
                       "OutputPath": "$.Payload", "End": True}}}
        _, url = self.user.deploy_workflow("arns", definition)
        self.assertEqual(execute(url, {}).json(), {"trail": ["a", "b", "c"]})
        wf = self.user.add_workflow("missing arn", chain(ARN_PREFIX + "nosuchfunction"))
        message = self.user.fail("deployWorkflow", {"workflow": {"id": wf["id"]}})
        self.assertTrue(message.startswith(DEPLOY + DEPLOY + NOT_UPLOADED), message)
        self.assertIn("nosuchfunction", message)

    def test_content_type_must_be_json(self):
        url = self.url["echo"]
        for content_type in (None, "text/plain", "application/x-www-form-urlencoded"):
            with self.subTest(content_type=content_type):
                r = execute(url, {"x": 1}, content_type=content_type)
                self.assertEqual(r.status_code, 415, r.text)
        r = execute(url, {"x": 1}, content_type="application/json; charset=utf-8")
        self.assertEqual((r.status_code, r.json()), (200, {"x": 1}))

    def test_async_then_execution_id(self):
        url = self.url["echo"]
        ids = set()
        for flag in ("True", "true", "1", "yes"):
            with self.subTest(flag=flag):
                r = execute(url, {"flag": flag}, params={"async": flag})
                self.assertEqual(r.status_code, 200, r.text)
                self.assertTrue(r.headers["Content-Type"].startswith("text/plain"), r.headers)
                self.assertRegex(r.text, r"^[0-9a-f]{32}$")
                ids.add(r.text)
                got = result(url, r.text)
                self.assertEqual((got.status_code, got.json()), (200, {"flag": flag}))
                self.assertTrue(got.headers["Content-Type"].startswith("application/json"))
                # It stays retrievable.
                self.assertEqual(result(url, r.text).json(), {"flag": flag})
                self.assertEqual(result(url, r.text, asynchronous=True).json(), {"flag": flag})
        self.assertEqual(len(ids), 4)
        for flag in ("false", "0", ""):
            with self.subTest(flag=flag):  # not async: the output itself
                r = execute(url, {"sync": flag}, params={"async": flag})
                self.assertEqual((r.status_code, r.json()), (200, {"sync": flag}))

    def test_execution_id_of_a_running_execution(self):
        url = self.url["sleeper"]
        r = execute(url, {"sleep": 1.5, "tag": "running"}, params={"async": "True"})
        self.assertEqual(r.status_code, 200, r.text)
        eid = r.text
        # With async too: not ready yet, so the id and a null result.
        pending = result(url, eid, asynchronous=True)
        self.assertEqual((pending.status_code, pending.json()),
                         (200, {"executionId": eid, "result": None}))
        # Without: waits for the output.
        done = result(url, eid)
        self.assertEqual((done.status_code, done.json()), (200, {"slept": 1.5, "tag": "running"}))
        self.assertEqual(result(url, eid, asynchronous=True).json(),
                         {"slept": 1.5, "tag": "running"})

    def test_unknown_execution_ids(self):
        """An id no execution of this workflow has: answered (not waited for), even when it is
        another workflow's execution."""
        echo, value = self.url["echo"], self.url["value"]
        eid = execute(echo, {"value": "echo's"}, params={"async": "True"}).text
        self.assertEqual(result(echo, eid).json(), {"value": "echo's"})
        for url, execution_id in ((value, eid), (echo, "0" * 32)):
            with self.subTest(url=url, execution_id=execution_id):
                for asynchronous in (False, True):
                    r = result(url, execution_id, asynchronous=asynchronous, timeout=30)
                    self.assertEqual(r.status_code, 404, r.text)
                    self.assertIs(r.json().get("has_error"), True, r.text)
        r = result(echo, "../../management", timeout=30)
        self.assertEqual(r.status_code, 400, r.text)

    def test_waiters_on_one_execution_all_get_its_output(self):
        url = self.url["sleeper"]
        eid = execute(url, {"sleep": 1.0, "tag": "shared"}, params={"async": "True"}).text
        answers = []
        threads = [threading.Thread(target=lambda: answers.append(result(url, eid).json()))
                   for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(answers, [{"slept": 1.0, "tag": "shared"}] * 3)

    def test_user_code_exception(self):
        url = self.url["raiser"]
        r = execute(url, {"bad": "input"})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json(), USER_VALUE_ERROR)
        eid = execute(url, {"bad": "input"}, params={"async": "True"}).text
        got = result(url, eid)
        self.assertEqual((got.status_code, got.json()), (200, USER_VALUE_ERROR))

    def test_fail_state_returns_its_input_in_knix_only(self):
        fn = self.fn["a"]
        definition = {"StartAt": "work", "States": {
            "work": {"Type": "Task", "Resource": fn, "Next": "stop"},
            "stop": {"Type": "Fail", "Error": "Stopped", "Cause": "the Fail state"}}}
        _, url = self.user.deploy_workflow("fails", definition)
        r = execute(url, {"trail": ["in"]})
        self.assertEqual((r.status_code, r.json()), (200, {"trail": ["in", "a"]}))
        eid = execute(url, {"trail": []}, params={"async": "True"}).text
        self.assertEqual(result(url, eid).json(), {"trail": ["a"]})

        # The same definition through the Step Functions API keeps AWS's semantics.
        definition["States"]["work"]["Resource"] = ARN_PREFIX + fn
        arn = self.sfn.create_state_machine(
            name=unique("aws-fail"), definition=json.dumps(definition), roleArn=ROLE,
            type="EXPRESS")["stateMachineArn"]
        out = self.sync_sfn.start_sync_execution(stateMachineArn=arn, input='{"trail": []}')
        self.assertEqual(out["status"], "FAILED", out)
        self.assertEqual((out["error"], out["cause"]), ("Stopped", "the Fail state"))
        self.assertNotIn("output", out)

    def test_async_execution_through_stepfunctions(self):
        wid, url = self.wf["echo"]["id"], self.url["echo"]
        eid = execute(url, {"seen": "by boto3"}, params={"async": "True"}).text
        self.assertEqual(result(url, eid).json(), {"seen": "by boto3"})
        arn = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:knix-{wid}:{eid}"
        d = self.sfn.describe_execution(executionArn=arn)
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(d["name"], eid)
        self.assertEqual(d["stateMachineArn"],
                         f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:knix-{wid}")
        self.assertEqual(json.loads(d["input"]), {"seen": "by boto3"})
        self.assertEqual(json.loads(d["output"]), {"seen": "by boto3"})
        events = self.sfn.get_execution_history(executionArn=arn)["events"]
        types = [e["type"] for e in events]
        self.assertEqual(types[0], "ExecutionStarted")
        self.assertEqual(types[-1], "ExecutionSucceeded")
        entered = [e["stateEnteredEventDetails"]["name"] for e in events
                   if e["type"] == "TaskStateEntered"]
        self.assertEqual(entered, ["s0"])
        scheduled = [e["lambdaFunctionScheduledEventDetails"]["resource"] for e in events
                     if e["type"] == "LambdaFunctionScheduled"]
        self.assertEqual(scheduled, [ARN_PREFIX + self.fn["echo"]])

    def test_execute_workflow_action(self):
        u = self.user
        wid = self.wf["echo"]["id"]
        data = u.ok("executeWorkflow", {"workflow": {"id": wid, "wfurl": self.url["echo"],
                                                     "wfinput": {"proxied": [1, 2]}}})
        self.assertEqual(data["result"], {"proxied": [1, 2]})
        data = u.ok("executeWorkflow", {"workflow": {"id": self.wf["value"]["id"],
                                                     "wfinput": {"value": "text"}}})
        self.assertEqual(data["result"], "text")
        data = u.ok("executeWorkflow", {"workflow": {"id": self.wf["raiser"]["id"],
                                                     "wfinput": {}}})
        self.assertEqual(data["result"], USER_VALUE_ERROR)
        # KNIX's wording (executeWorkflow.py) for a workflow that is not the user's.
        self.assertEqual(u.fail("executeWorkflow", {"workflow": {
            "id": "0" * 32, "wfurl": self.url["echo"], "wfinput": {}}}),
            "Couldn't execute workflow: Can't execute workflow; no such workflow.")

    def parse_log(self, text):
        lines = [line for line in text.split("\n") if line]
        parsed = []
        for line in lines:
            m = LOG_LINE.match(line)
            self.assertIsNotNone(m, f"not in KNIX's log format: {line!r}")
            ts, asctime, request_id, state, message = m.groups()
            when = datetime.datetime.fromtimestamp(int(ts) / 1e6, datetime.timezone.utc)
            millis = f"{when.microsecond // 1000:03d}"
            self.assertEqual(when.strftime("%Y-%m-%d %H:%M:%S.") + millis, asctime, line)
            parsed.append((int(ts), request_id, state, message))
        return parsed

    def test_workflow_logs(self):
        u = self.user
        fn = self.fn["printer"]
        wf, url = u.deploy_workflow("logs", chain(fn, fn, names=["first", "second"]))
        wid = wf["id"]
        empty = u.logs(wid)
        self.assertEqual(empty["log"], "")
        for key in ("progress", "exceptions", "timestamp"):
            self.assertIn(key, empty)

        marker = unique("marker")
        lines = [f"{marker} one", f"{marker} two: ünïcode [brackets]"]
        r = execute(url, {"lines": lines, "next": [f"{marker} three"]})
        self.assertEqual(r.json(), {"lines": [], "next": []})
        got = u.logs(wid)
        parsed = self.parse_log(got["log"])
        self.assertEqual([(state, message) for _, _, state, message in parsed],
                         [("first", lines[0]), ("first", lines[1]),
                          ("second", f"{marker} three")])
        # One request id per invocation.
        self.assertEqual(parsed[0][1], parsed[1][1])
        self.assertNotEqual(parsed[1][1], parsed[2][1])
        self.assertEqual(got["timestamp"], parsed[-1][0])
        lines.append(f"{marker} three")

        # ts_earliest: only what came after it.
        later = [f"{marker} later"]
        execute(url, {"lines": later})
        newer = self.parse_log(u.logs(wid, ts_earliest=got["timestamp"])["log"])
        self.assertEqual([(s, m) for _, _, s, m in newer], [("first", later[0])])
        everything = self.parse_log(u.logs(wid)["log"])
        self.assertEqual([m for _, _, _, m in everything], lines + later)
        self.assertEqual([m for _, _, _, m in self.parse_log(u.logs(wid, num_lines=1)["log"])],
                         later)

        # Nothing new: no lines, and the timestamp given back.
        quiet = u.logs(wid, ts_earliest=everything[-1][0])
        self.assertEqual((quiet["log"], quiet["timestamp"]), ("", everything[-1][0]))
        # An async execution's lines too.
        eid = execute(url, {"lines": [f"{marker} async"]}, params={"async": "True"}).text
        result(url, eid)
        newest = self.parse_log(u.logs(wid, ts_earliest=everything[-1][0])["log"])
        self.assertEqual([(s, m) for _, _, s, m in newest], [("first", f"{marker} async")])

        u.ok("clearAllWorkflowLogs", {"workflow": {"id": wid}})
        self.assertEqual(u.logs(wid)["log"], "")

    def test_workflow_logs_show_a_running_functions_lines(self):
        """What a function prints reaches the workflow's logs while it runs (as on KNIX, where a
        running function can read its own lines back), once, with its request id and state."""
        u = self.user
        name = unique("waiter")
        u.add_function(name, code=WAITER)
        wf, url = u.deploy_workflow(unique("waiterwf"), chain(name, names=["waiting"]))
        marker = unique("go")
        eid = execute(url, {"marker": marker}, params={"async": "True"}).text

        def messages():
            parsed = self.parse_log(u.logs(wf["id"])["log"])
            return [(rid, state, m) for _, rid, state, m in parsed]

        # The function waits for the key, which only the test writes: until then, its line can
        # only come from the running invocation.
        deadline = time.monotonic() + 60
        while not any(m == f"{marker} started" for _, _, m in messages()):
            self.assertLess(time.monotonic(), deadline, "the running function's line never showed")
            time.sleep(0.05)
        self.assertEqual(result(url, eid, asynchronous=True).json(),
                         {"executionId": eid, "result": None})
        u.stored("kv", "putdata", key=marker, value="now")
        self.assertEqual(result(url, eid).json(), {"got": "now"})
        got = messages()
        self.assertEqual([(state, m) for _, state, m in got],
                         [("waiting", f"{marker} started"), ("waiting", f"{marker} done")])
        self.assertEqual(got[0][0], got[1][0])  # one invocation, one request id

    def test_endpoints_follow_the_host_the_client_used(self):
        """A workflow's endpoints are announced under the Host the client reached the server
        by, so that a client on another machine gets URLs it can use."""
        u = self.user
        wf, url = u.deploy_workflow(unique("hosted"), chain(self.fn["echo"]))
        port = self.endpoint.rsplit(":", 1)[1]
        by_name = Knix(f"http://localhost:{port}", u.token)
        status = by_name.ok("getWorkflows", {"workflow": {"id": wf["id"]}})["workflow"]
        self.assertEqual(status["endpoints"], [f"http://localhost:{port}/knix/workflows/{wf['id']}"])
        self.assertEqual(execute(status["endpoints"][0], {"via": "localhost"}).json(),
                         {"via": "localhost"})
        # A Host that is not a host name falls back to the server's own address.
        r = requests.post(self.endpoint + "/management", headers={"Host": "bad host/x"},
                          json={"action": "getWorkflows",
                                "data": {"user": {"token": u.token}, "workflow": {"id": wf["id"]}}})
        self.assertEqual(r.json()["data"]["workflow"]["endpoints"], [url])

    def test_context_log_levels(self):
        """A KNIX function's context.log(text, level) lands in the workflow log with its level
        (an unknown level is INFO)."""
        u = self.user
        name = unique("ctxlog")
        u.add_function(name, code=(
            "def handle(event, context):\n"
            "    context.log('plain')\n"
            "    for level in ('WARNING', 'debug', 'ERROR', 'LOUD'):\n"
            "        context.log('at ' + level, level)\n"
            "    return context.get_remaining_time_in_millis() > 0\n"))
        wf, url = u.deploy_workflow(unique("ctxlogwf"), chain(name, names=["only"]))
        self.assertIs(execute(url, {}).json(), True)
        lines = [line for line in u.logs(wf["id"])["log"].split("\n") if line]
        got = []
        for line in lines:
            m = re.match(r"^\[\d+\] \[[^\]]+\] \[(INFO|WARNING|DEBUG|ERROR)\] \[[^\]]+\] "
                         r"\[only\] (.*)$", line)
            self.assertIsNotNone(m, line)
            got.append(m.groups())
        self.assertEqual(got, [("INFO", "plain"), ("WARNING", "at WARNING"),
                               ("DEBUG", "at debug"), ("ERROR", "at ERROR"),
                               ("INFO", "at LOUD")])


if __name__ == "__main__":
    ctest_unittest.main()
