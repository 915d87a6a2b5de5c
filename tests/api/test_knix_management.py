"""The KNIX management API (shared/design/knix-protocol.md §1.1, §1.2) over HTTP with
`requests` against a real `stator serve`: users and tokens, the protocol's failure shapes for
malformed requests (never a crash, nothing half-written), deleteAccount, and two users kept apart
(storage, triggers and buckets: test_knix_storage.py).
"""

import os
import sys
import threading
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import requests  # noqa: E402

from knix_client import (BAD_TOKEN, NO_TOKEN, Knix, KnixTestCase, b64, envelope,  # noqa: E402
                         execute, unique)
from stator_server import Server, ServerTestCase  # noqa: E402

import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

LOGIN_FAILED = "Authentication failed; wrong username and/or password."
BAD_USER_FIELDS = ("Invalid input parameters: Non-ascii characters in name or email, or space "
                   "characters in email.")
ECHO = "def handle(event, context):\n    return event\n"


def asl(*functions):
    """A chain of Task states, one per function name."""
    states = {}
    for i, name in enumerate(functions):
        states[f"s{i}"] = {"Type": "Task", "Resource": name}
        if i + 1 < len(functions):
            states[f"s{i}"]["Next"] = f"s{i + 1}"
        else:
            states[f"s{i}"]["End"] = True
    return {"StartAt": "s0", "States": states}


class UsersTest(ServerTestCase):
    """signUp, logIn, version, token checks, the user fields' rules, unknown actions."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.knix = Knix(cls.endpoint)

    def test_version_needs_no_user(self):
        for body in ({"action": "version"}, {"action": "version", "data": {}}):
            got = envelope(requests.post(self.knix.url, json=body, timeout=30))
            self.assertEqual(got["status"], "success", got)
            self.assertEqual(set(got["data"]), {"message"})

    def test_sign_up_then_log_in(self):
        email = unique("ann") + "@example.com"
        user = {"email": email, "password": "first password", "name": "Ann"}
        self.assertEqual(self.knix.ok("signUp", {"user": user}),
                         {"message": "User created successfully."})
        self.assertEqual(self.knix.fail("signUp", {"user": user}), "User already exists.")
        self.assertEqual(self.knix.fail("signUp", {"user": dict(user, password="other")}),
                         "User already exists.")

        for wrong in ({"email": email, "password": "second password"},
                      {"email": email, "password": ""},
                      {"email": email},
                      {"email": "nobody" + email, "password": "first password"}):
            with self.subTest(wrong=wrong):
                self.assertEqual(self.knix.fail("logIn", {"user": wrong}), LOGIN_FAILED)

        data = self.knix.ok("logIn", {"user": {"email": email, "password": "first password"}})
        self.assertEqual(set(data), {"message", "name", "email", "token", "storageEndpoint"})
        self.assertEqual(data["message"], "Logged in successfully.")
        self.assertEqual((data["name"], data["email"]), ("Ann", email))
        self.assertIsInstance(data["token"], str)
        self.assertGreaterEqual(len(data["token"]), 32)
        self.assertIsInstance(data["storageEndpoint"], str)
        self.assertTrue(data["storageEndpoint"].startswith("/storage/"), data)
        # (the SDK evaluates mfn_url + storageEndpoint)
        again = self.knix.log_in(email, "first password")
        self.assertNotEqual(again.token, data["token"])
        first = Knix(self.endpoint, data["token"])
        # Every token handed out works, and they are the same user's.
        fn = first.add_function(unique("annfn"))
        self.assertEqual([f["id"] for f in again.functions()], [fn["id"]])

    def test_token_checks(self):
        self.assertEqual(self.knix.fail("getFunctions", user={}), NO_TOKEN)
        self.assertEqual(self.knix.fail("getWorkflows", user={"name": "x"}), NO_TOKEN)
        for token in ("", "0" * 64, "not a token"):
            with self.subTest(token=token):
                self.assertEqual(self.knix.fail("getFunctions", user={"token": token}),
                                 BAD_TOKEN)
                self.assertEqual(self.knix.fail("addWorkflow", {"workflow": {"name": "w"}},
                                                user={"token": token}), BAD_TOKEN)
        # No data.user at all: KNIX's "Invalid input parameters: " (with nothing after it).
        r = requests.post(self.knix.url, json={"action": "getFunctions", "data": {}}, timeout=30)
        got = envelope(r)
        self.assertEqual(got, {"status": "failure",
                               "data": {"message": "Invalid input parameters: "}})

    def test_user_fields_must_be_ascii_and_the_email_without_spaces(self):
        email = unique("zoe") + "@example.com"
        for user in ({"email": email, "password": "pw", "name": "Zoë"},
                     {"email": email, "password": "pässword", "name": "Zoe"},
                     {"email": "zo e" + email, "password": "pw", "name": "Zoe"},
                     {"email": "zoë" + email, "password": "pw", "name": "Zoe"}):
            with self.subTest(user=user):
                self.assertEqual(self.knix.fail("signUp", {"user": user}), BAD_USER_FIELDS)
                self.assertEqual(self.knix.fail("logIn", {"user": user}), BAD_USER_FIELDS)
        # Nothing was written: the email is still free.
        self.knix.sign_up(email, "pw", "Zoe")
        zoe = self.knix.log_in(email, "pw")
        self.assertEqual(self.knix.fail("getFunctions", user={"token": zoe.token + "é"}),
                         BAD_USER_FIELDS)

    def test_unknown_action(self):
        user = self.knix.new_user("unknown")
        for action in ("noSuchAction", "getfunctions", "GETFUNCTIONS", ""):
            with self.subTest(action=action):
                self.assertEqual(user.fail(action), "Unsupported action.")
                self.assertEqual(self.knix.fail(action, user={"token": "bogus"}),
                                 "Unsupported action.")

    def test_malformed_bodies(self):
        """Anything that is not {"action": str, "data": {"user": {...}}}: HTTP 200, the failure
        shape, an "Invalid input parameters" message; the server carries on."""
        bodies = [b"", b"not json", b"{\"action\": \"logIn\", \"data\": {", b"\xff\xfe{}",
                  b"[1, 2]", b"\"logIn\"", b"null", b"{}", b"{\"action\": 5, \"data\": {}}",
                  b"{\"data\": {\"user\": {}}}",
                  b"{\"action\": \"getFunctions\", \"data\": []}",
                  b"{\"action\": \"getFunctions\", \"data\": \"x\"}",
                  b"{\"action\": \"getFunctions\", \"data\": {\"user\": \"token\"}}",
                  b"{\"action\": \"logIn\", \"data\": {\"user\": [\"a\", \"b\"]}}",
                  b"{\"action\": \"signUp\"}"]
        for body in bodies:
            with self.subTest(body=body):
                got = envelope(self.knix.post(body), repr(body))
                self.assertEqual(got["status"], "failure", got)
                self.assertEqual(set(got["data"]), {"message"})
                self.assertTrue(got["data"]["message"].startswith("Invalid input parameters"),
                                got)
        # Still serving.
        self.assertEqual(self.knix.call("version", {})["status"], "success")


class MalformedFieldsTest(unittest.TestCase):
    """Missing and ill-typed fields of each action: a failure in the protocol's shape, never a
    crash, nothing half-written. One server per test (a crash must not hide the other cases)."""

    def setUp(self):
        self.server = Server("--time-scale", "0")
        self.addCleanup(self.server.stop)
        self.knix = Knix(self.server.endpoint)
        self.user = self.knix.new_user("malformed")
        self.fn = self.user.add_function(unique("malformedfn"), ECHO)
        self.wf = self.user.add_workflow("malformed", asl(self.fn["name"]))

    def snapshot(self):
        """What the user has: to compare before and after failed requests."""
        fid, wid = self.fn["id"], self.wf["id"]
        return {"functions": self.user.functions(), "workflows": self.user.workflows(),
                "code": self.user.code(fid), "zip": self.user.zip_metadata(fid),
                "json": self.user.workflow_json(wid),
                "requirements": self.user.ok("getFunctionRequirements",
                                             {"function": {"id": fid}})["function"]}

    def assertAllFail(self, cases, prefix_of):
        before = self.snapshot()
        for action, data in cases:
            with self.subTest(action=action, data=data):
                message = self.user.fail(action, data)
                self.assertTrue(message.startswith(prefix_of[action]), message)
        self.assertEqual(self.snapshot(), before)

    def test_function_actions(self):
        fid = self.fn["id"]
        prefix = {"addFunction": "Couldn't add function",
                  "modifyFunction": "Couldn't modify function",
                  "deleteFunction": "Couldn't delete function",
                  "getFunctionCode": "Couldn't retrieve function code",
                  "uploadFunctionCode": "Couldn't upload function code",
                  "uploadFunctionZipMetadata": "Couldn't upload function zip metadata",
                  "getFunctionZipMetadata": "Couldn't retrieve function zip metadata",
                  "getFunctionZip": "Couldn't retrieve function zip",
                  "getFunctionRequirements": "Couldn't retrieve function requirements",
                  "uploadFunctionRequirements": "Couldn't upload function requirements"}
        cases = [
            ("addFunction", {}),
            ("addFunction", {"function": "f"}),
            ("addFunction", {"function": {}}),
            ("addFunction", {"function": {"name": 5, "runtime": "Python 3.6"}}),
            ("addFunction", {"function": {"name": None}}),
            ("addFunction", {"function": {"name": "end", "runtime": "Python 3.6"}}),
            ("addFunction", {"function": {"name": "exit", "runtime": "Python 3.6"}}),
            ("addFunction", {"function": {"name": "two words", "runtime": "Python 3.6"}}),
            ("addFunction", {"function": {"name": "a:b", "runtime": "Python 3.6"}}),
            ("addFunction", {"function": {"name": "tab\tname", "runtime": "Python 3.6"}}),
            ("addFunction", {"function": {"name": self.fn["name"], "runtime": "Python 3.6"}}),
        ]
        for action in ("modifyFunction", "deleteFunction", "getFunctionCode",
                       "uploadFunctionCode", "uploadFunctionZipMetadata",
                       "getFunctionZipMetadata", "getFunctionZip", "getFunctionRequirements",
                       "uploadFunctionRequirements"):
            cases += [(action, {}), (action, {"function": None}), (action, {"function": []}),
                      (action, {"function": {}}), (action, {"function": {"id": 7}}),
                      (action, {"function": {"id": "0" * 32, "name": "x", "code": b64("x"),
                                             "format": "text", "chunk": 0, "chunks": 1,
                                             "metadata": "", "requirements": ""}})]
        cases += [
            ("modifyFunction", {"function": {"id": fid}}),
            ("modifyFunction", {"function": {"id": fid, "name": 3}}),
            ("modifyFunction", {"function": {"id": fid, "name": "end"}}),
            ("modifyFunction", {"function": {"id": fid, "name": "has space"}}),
            ("uploadFunctionCode", {"function": {"id": fid, "format": "text"}}),
            ("uploadFunctionCode", {"function": {"id": fid, "code": 12, "format": "text"}}),
            ("uploadFunctionCode", {"function": {"id": fid, "code": b64("x = 1")}}),
            ("uploadFunctionCode", {"function": {"id": fid, "code": b64("x"), "format": 1}}),
            ("uploadFunctionCode", {"function": {"id": fid, "code": b64("x"), "format": "tar"}}),
            ("uploadFunctionCode", {"function": {"id": fid, "code": "!!not base64!!",
                                                 "format": "text"}}),
            ("uploadFunctionCode", {"function": {"id": fid, "code": "QUJD", "format": "zip"}}),
            ("uploadFunctionCode", {"function": {"id": fid, "code": "QUJD", "format": "zip",
                                                 "chunk": "0"}}),
            ("uploadFunctionCode", {"function": {"id": fid, "code": "QUJD", "format": "zip",
                                                 "chunk": -1}}),
            ("uploadFunctionZipMetadata", {"function": {"id": fid, "chunks": 1,
                                                        "format": "zipMetadata"}}),
            ("uploadFunctionZipMetadata", {"function": {"id": fid, "chunks": 1, "metadata": "",
                                                        "format": "zip"}}),
            ("getFunctionZip", {"function": {"id": fid}}),
            ("getFunctionZip", {"function": {"id": fid, "chunk": 0}}),  # no zip uploaded
            ("getFunctionZip", {"function": {"id": fid, "chunk": "0"}}),
            ("uploadFunctionRequirements", {"function": {"id": fid}}),
            ("uploadFunctionRequirements", {"function": {"id": fid, "requirements": 5}}),
        ]
        self.assertAllFail(cases, prefix)

    def test_add_function_without_function_object(self):
        """data.name instead of data.function.name (a misplaced field)."""
        before = self.snapshot()
        message = self.user.fail("addFunction", {"name": unique("toplevel"),
                                                 "runtime": "Python 3.6"})
        self.assertTrue(message.startswith("Couldn't add function"), message)
        self.assertEqual(self.snapshot(), before)

    def test_add_workflow_without_workflow_object(self):
        before = self.snapshot()
        message = self.user.fail("addWorkflow", {"name": "toplevel"})
        self.assertTrue(message.startswith("Couldn't add workflow"), message)
        self.assertEqual(self.snapshot(), before)

    def test_workflow_actions(self):
        wid = self.wf["id"]
        prefix = {"addWorkflow": "Couldn't add workflow",
                  "getWorkflows": "Couldn't retrieve workflows",
                  "uploadWorkflowJSON": "Couldn't upload workflow JSON",
                  "getWorkflowJSON": "Couldn't retrieve workflow JSON",
                  "modifyWorkflow": "Couldn't modify workflow",
                  "deployWorkflow": "Couldn't deploy workflow",
                  "undeployWorkflow": "Couldn't undeploy workflow",
                  "deleteWorkflow": "Couldn't delete workflow",
                  "retrieveAllWorkflowLogs": "Couldn't retrieve log",
                  "clearAllWorkflowLogs": "Couldn't clear logs",
                  "executeWorkflow": "Couldn't execute workflow"}
        cases = [("addWorkflow", {}), ("addWorkflow", {"workflow": {}}),
                 ("addWorkflow", {"workflow": "w"}), ("addWorkflow", {"workflow": {"name": 1}}),
                 ("getWorkflows", {"workflow": {"id": "0" * 32}})]
        for action in ("uploadWorkflowJSON", "getWorkflowJSON", "modifyWorkflow",
                       "deployWorkflow", "undeployWorkflow", "deleteWorkflow",
                       "retrieveAllWorkflowLogs", "clearAllWorkflowLogs", "executeWorkflow"):
            cases += [(action, {}), (action, {"workflow": None}), (action, {"workflow": {}}),
                      (action, {"workflow": {"id": 3}}),
                      (action, {"workflow": {"id": "0" * 32, "name": "n", "json": b64("{}"),
                                             "wfinput": {}}})]
        cases += [
            ("uploadWorkflowJSON", {"workflow": {"id": wid}}),
            ("uploadWorkflowJSON", {"workflow": {"id": wid, "json": {"StartAt": "s0"}}}),
            ("uploadWorkflowJSON", {"workflow": {"id": wid, "json": "%%% not base64"}}),
            ("modifyWorkflow", {"workflow": {"id": wid}}),
            ("modifyWorkflow", {"workflow": {"id": wid, "name": ["n"]}}),
            ("executeWorkflow", {"workflow": {"id": wid, "wfinput": {}}}),  # not deployed
        ]
        self.assertAllFail(cases, prefix)

    def test_storage_requests(self):
        prefix = "Error while performing storage operation; "
        cases = [{}, {"storage": None}, {"storage": "kv"}, {"storage": {}},
                 {"storage": {"data_type": "kv"}},
                 {"storage": {"data_type": 1, "parameters": {"action": "getdata", "key": "k"}}},
                 {"storage": {"data_type": "kv", "parameters": "getdata"}},
                 {"storage": {"data_type": "kv", "parameters": {"key": "k"}}},
                 {"storage": {"data_type": "blob", "parameters": {"action": "getdata"}}},
                 {"storage": {"data_type": "kv", "parameters": {"action": "fly", "key": "k"}}},
                 {"storage": {"data_type": "kv", "parameters": {"action": "putdata", "key": "k"}}},
                 {"storage": {"data_type": "kv", "parameters": {"action": "putdata", "key": "k",
                                                                "value": 5}}},
                 {"storage": {"data_type": "kv", "parameters": {"action": "listkeys",
                                                                "start": -1, "count": 5}}},
                 {"storage": {"data_type": "counter",
                              "parameters": {"action": "createcounter", "countername": "c",
                                             "countervalue": "5"}}}]
        for data in cases:
            with self.subTest(data=data):
                message = self.user.fail("performStorageAction", data)
                self.assertTrue(message.startswith(prefix), message)
        self.assertEqual(
            self.user.fail("performStorageAction",
                           {"storage": {"data_type": "kv", "parameters": {"action": "putdata",
                                                                          "key": "k"}}}),
            prefix + "Exception: 'value'")
        self.assertEqual(
            self.user.fail("performStorageAction",
                           {"storage": {"data_type": "kv", "parameters": {
                               "action": "putdata", "key": "k", "value": 5}}}),
            prefix + "Exception: Invalid data provided. Invalid/missing parameter: 'value' is "
            "not a str.")
        self.assertEqual(self.user.stored("kv", "listkeys", start=0, count=100)["keylist"], [])

    def test_trigger_requests(self):
        for action, data in [("addTrigger", {}),
                             ("addTrigger", {"trigger_name": "t"}),
                             ("addTrigger", {"trigger_name": "t", "trigger_info": "timer"}),
                             ("addTrigger", {"trigger_name": "t", "trigger_info": {
                                 "trigger_type": "cron"}}),
                             ("addTrigger", {"trigger_name": "t", "trigger_info": {
                                 "trigger_type": "timer", "timer_interval_ms": "1000"}}),
                             ("deleteTrigger", {"trigger_name": "t"}),
                             ("addTriggerForWorkflow", {"trigger_name": "t",
                                                        "workflow_name": "malformed"}),
                             ("deleteTriggerableBucket", {"bucketname": "nope"}),
                             ("addTriggerableBucket", {}),
                             ("addStorageTriggerForWorkflow", {"bucketname": "nope",
                                                               "workflowname": "malformed"})]:
            with self.subTest(action=action, data=data):
                self.user.fail(action, data)
        details = self.user.ok("getTriggerDetails", {"trigger_names": []})["trigger_details"]
        self.assertEqual(details, {})
        self.assertEqual(self.user.ok("getTriggerableBuckets")["buckets"], {})


class DeleteAccountTest(ServerTestCase):

    def test_delete_account_removes_everything(self):
        knix = Knix(self.endpoint)
        email = unique("leaver") + "@example.com"
        knix.sign_up(email, "pw", "Leaver")
        user = knix.log_in(email, "pw")
        fname = unique("leaverfn")
        user.add_function(fname, ECHO)
        wf, url = user.deploy_workflow("leaving", asl(fname))
        self.assertEqual(execute(url, {"a": 1}).json(), {"a": 1})
        user.stored("kv", "putdata", key="k", value="v")
        names = [f["FunctionName"] for f in self.lam.list_functions()["Functions"]]
        self.assertIn(fname, names)

        data = user.ok("deleteAccount")
        self.assertEqual(set(data), {"message"})
        self.assertEqual(user.fail("getFunctions"), BAD_TOKEN)
        self.assertEqual(user.fail("deleteAccount"), BAD_TOKEN)
        self.assertEqual(knix.fail("logIn", {"user": {"email": email, "password": "pw"}}),
                         LOGIN_FAILED)
        names = [f["FunctionName"] for f in self.lam.list_functions()["Functions"]]
        self.assertNotIn(fname, names)
        self.assertEqual(execute(url, {"a": 1}).status_code, 404)

        # The email and the function name are free again; the new account starts empty.
        knix.sign_up(email, "pw2", "Again")
        again = knix.log_in(email, "pw2")
        self.assertEqual(again.functions(), [])
        self.assertEqual(again.workflows(), [])
        self.assertIsNone(again.stored("kv", "getdata", key="k")["value"])
        self.assertEqual(user.fail("getFunctions"), BAD_TOKEN)  # the old token stays dead
        again.add_function(fname, ECHO)


class TwoUsersTest(KnixTestCase):
    """B cannot see, change, run or delete A's functions, workflows, data, triggers or buckets,
    nor take a function name A uses."""

    def test_users_are_kept_apart(self):
        a = self.user
        b = self.knix.new_user("bob")
        fname = unique("alicefn")
        fa = a.add_function(fname, ECHO)
        wa, url = a.deploy_workflow("alice's", asl(fname))
        wa2 = a.add_workflow("alice's undeployed", asl(fname))
        a.stored("kv", "putdata", key="secret", value="alice")
        a.stored("kv", "putdata", workflow_id=wa["id"], key="private", value="alice-wf")
        a.stored("counter", "createcounter", countername="n", countervalue=7)
        a.ok("addTrigger", {"trigger_name": "at", "trigger_info": {
            "trigger_type": "timer", "timer_interval_ms": 1000}})
        a.ok("addTriggerableBucket", {"bucketname": "ab"})
        before = (a.functions(), a.workflows(), a.code(fa["id"]), a.workflow_json(wa["id"]))

        self.assertEqual(b.functions(), [])
        self.assertEqual(b.workflows(), [])
        fid, wid = fa["id"], wa["id"]
        for action, data in [
                ("getFunctionCode", {"function": {"id": fid}}),
                ("getFunctionZipMetadata", {"function": {"id": fid}}),
                ("getFunctionRequirements", {"function": {"id": fid}}),
                ("modifyFunction", {"function": {"id": fid, "name": unique("stolen"),
                                                 "runtime": "Python 3.6"}}),
                ("uploadFunctionCode", {"function": {"id": fid, "code": b64("x"),
                                                     "format": "text"}}),
                ("uploadFunctionRequirements", {"function": {"id": fid,
                                                             "requirements": b64("six")}}),
                ("deleteFunction", {"function": {"id": fid}}),
                ("getWorkflows", {"workflow": {"id": wid}}),
                ("getWorkflowJSON", {"workflow": {"id": wid}}),
                ("uploadWorkflowJSON", {"workflow": {"id": wid, "json": b64("{}")}}),
                ("modifyWorkflow", {"workflow": {"id": wid, "name": "mine"}}),
                ("undeployWorkflow", {"workflow": {"id": wid}}),
                ("deployWorkflow", {"workflow": {"id": wa2["id"]}}),
                ("deleteWorkflow", {"workflow": {"id": wa2["id"]}}),
                ("retrieveAllWorkflowLogs", {"workflow": {"id": wid}}),
                ("clearAllWorkflowLogs", {"workflow": {"id": wid}}),
                ("executeWorkflow", {"workflow": {"id": wid, "wfinput": {"x": 1}}}),
                ("performStorageAction", {"storage": {
                    "data_type": "kv", "workflowid": wid,
                    "parameters": {"action": "getdata", "key": "private"}}}),
                ("performStorageAction", {"storage": {
                    "data_type": "kv", "workflowid": wid,
                    "parameters": {"action": "putdata", "key": "private", "value": "bob"}}}),
                ("addTriggerForWorkflow", {"trigger_name": "at", "workflow_name": "alice's"}),
                ("deleteTrigger", {"trigger_name": "at"}),
                ("deleteTriggerableBucket", {"bucketname": "ab"}),
                ("addFunction", {"function": {"name": fname, "runtime": "Python 3.6"}})]:
            with self.subTest(action=action):
                b.fail(action, data)

        # B's own storage does not hold A's data, and B's writes stay B's.
        self.assertIsNone(b.stored("kv", "getdata", key="secret")["value"])
        self.assertEqual(b.stored("kv", "listkeys", start=0, count=100)["keylist"], [])
        self.assertEqual(b.stored("counter", "getcounter", countername="n")["countervalue"], 0)
        b.stored("kv", "putdata", key="secret", value="bob")
        self.assertEqual(
            b.ok("getTriggerDetails", {"trigger_names": ["at"]})["trigger_details"]["at"]
            ["trigger_status"], "non_existent")
        self.assertEqual(b.ok("getTriggerableBuckets")["buckets"], {})
        # B's workflow naming A's function does not deploy: the function is not B's.
        wb = b.add_workflow("bob's", asl(fname))
        message = b.fail("deployWorkflow", {"workflow": {"id": wb["id"]}})
        self.assertEqual(message, "Couldn't deploy workflow; Couldn't deploy workflow; "
                         f"\nResource has not been uploaded yet: {fname}")

        # A still has everything as it was.
        self.assertEqual((a.functions(), a.workflows(), a.code(fid), a.workflow_json(wid)),
                         before)
        self.assertEqual(a.stored("kv", "getdata", key="secret")["value"], "alice")
        self.assertEqual(a.stored("kv", "getdata", workflow_id=wid, key="private")["value"],
                         "alice-wf")
        self.assertEqual(a.stored("counter", "getcounter", countername="n")["countervalue"], 7)
        self.assertEqual(a.workflow(wid)["status"], "deployed")
        self.assertEqual(execute(url, {"still": "alice's"}).json(), {"still": "alice's"})


    def test_one_function_name_for_one_user(self):
        """Two users adding the same name at once: one gets it, the other a failure."""
        a, b = self.user, self.knix.new_user("racer")
        for _ in range(5):
            name = unique("contested")
            outcomes = {}

            def add(who, user):
                outcomes[who] = user.call("addFunction", {"function": {
                    "name": name, "runtime": "Python 3.6"}})["status"]

            threads = [threading.Thread(target=add, args=(who, user))
                       for who, user in (("a", a), ("b", b))]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            self.assertEqual(sorted(outcomes.values()), ["failure", "success"], outcomes)
            winner, loser = (a, b) if outcomes["a"] == "success" else (b, a)
            self.assertIn(name, [f["name"] for f in winner.functions()])
            self.assertNotIn(name, [f["name"] for f in loser.functions()])


if __name__ == "__main__":
    ctest_unittest.main()
