"""KNIX's session functions (issue 15 §3) and function context attributes (§1) over HTTP with
`requests` against a real `stator serve`: an entry function starts two session function
instances (add_workflow_next); other executions join the session by its id and send them
messages by instance id, state name, alias and to the whole session, now or when they end;
the instances read them with blocking get_session_update_messages; session and function
aliases; heartbeats reach the heartbeat function (and, after --update-heartbeat, the data
layer); --stop ends the instances, whose Next then runs; a message to an instance that no
longer runs is a warning in the log, not an error. What the instances see is written to the
data layer, which the test reads through performStorageAction (polled with a deadline; no
timing is measured).
"""

import json
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from knix_client import KnixTestCase, execute, result, unique  # noqa: E402

import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

ENTRY = '''
import json
def handle(event, context):
    a = event.get("action")
    if a == "create":
        for name in event["session"]:
            context.add_workflow_next(name, {"tag": event["tag"]})
    elif a == "send":
        to, msg, now = event["to"], event["message"], event.get("now", False)
        if to == "id":
            context.send_to_running_function_in_session(event["target"], msg, now)
        elif to == "name":
            context.send_to_all_running_functions_in_session_with_function_name(
                event["target"], msg, now)
        elif to == "alias":
            context.send_to_running_function_in_session_with_alias(event["target"], msg, now)
        else:
            context.send_to_all_running_functions_in_session(msg, now)
    elif a == "alias":
        if "function_id" in event:
            context.set_session_function_alias(event["alias"], event["function_id"])
        else:
            context.set_session_alias(event["alias"])
    elif a == "unalias":
        if "function_id" in event:
            context.unset_session_function_alias(event["function_id"])
        else:
            context.unset_session_alias()
    elif a == "info":
        return {"session_id": context.get_session_id(),
                "ids": sorted(context.get_all_session_function_ids()),
                "summary": context.get_alias_summary(),
                "aliases": context.get_all_session_function_aliases(),
                "session_alias": context.get_session_alias(),
                "by_alias": context.get_session_function_id_with_alias(event.get("alias", "-")),
                "metadata": {k: json.loads(v)["functionName"]
                             for k, v in context.get_all_session_metadata().items()},
                "own_id": context.get_session_function_id(),
                "running": context.is_still_running(),
                "messages": context.get_session_update_messages()}
    return context.get_session_id()
'''

# A session function instance: reports itself, then reads its messages (blocking, one at a
# time) until it is stopped, writing what it received so far after each message.
WORKER = '''
import json
def handle(event, context):
    me = context.get_session_function_id()
    tag = event["tag"]
    context.put(tag + ":" + me + ":start", json.dumps({
        "state": context.function_name, "session": context.get_session_id(),
        "running": context.is_still_running(), "id_with_alias": context.get_session_function_id_with_alias(),
        "remaining_over_300s": context.get_remaining_time_in_millis() > 300000}))
    got = []
    while context.is_still_running():
        for m in context.get_session_update_messages(count=1, block=True):
            if m is not None:
                got.append(m)
                context.put(tag + ":" + me, json.dumps(got))
    return {"tag": tag, "id": me, "got": got}
'''

FINAL = '''
import json
def handle(event, context):
    context.put(event["tag"] + ":" + event["id"] + ":final", json.dumps(event["got"]))
    return None
'''

HEARTBEAT = '''
def handle(event, context):
    if event.get("action") == "--heartbeat":
        context.incrementCounter("hb-" + event["session_function_id"], 1)
    return None
'''

ATTRS = '''
import json
def handle(event, context):
    cc = context.client_context
    return {
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "aws_request_id": context.aws_request_id,
        "event_key": context.get_event_key(),
        "instance_id": context.get_instance_id(),
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "identity": [context.identity.cognito_identity_id,
                     context.identity.cognito_identity_pool_id],
        "client": [cc.client.installation_id, cc.client.app_title, cc.client.app_version_name,
                   cc.client.app_version_code, cc.client.app_package_name],
        "custom": cc.custom, "env": cc.env,
        "remaining": context.get_remaining_time_in_millis(),
        "ping": context.ping(7),
        "properties": json.loads(context.get_context_object_properties()),
        "session_id": context.get_session_id(),
        "session_function_id": context.get_session_function_id(),
        "running": context.is_still_running(),
        "ids": context.get_all_session_function_ids(),
    }
'''

# A session function that notes when it is stopped.
STOPPABLE = '''
def handle(event, context):
    context.put(event["tag"] + ":started", "yes")
    while context.is_still_running():
        context.get_session_update_messages(count=1, block=True)
    context.put(event["tag"] + ":stopped", "yes")
    return None
'''

STARTER = '''
import time
def handle(event, context):
    if event.get("boom"):
        time.sleep(0.2)
        raise RuntimeError("boom")
    context.add_workflow_next("worker", {"tag": event["tag"]})
    context.add_workflow_next("starter", {"boom": True})
    return "started"
'''

STARTER3 = '''
def handle(event, context):
    for i in range(3):
        context.add_workflow_next("worker", {"tag": event["tag"] + str(i)})
    return "started"
'''

DEADLINE_S = 60


class KnixSessionsTest(KnixTestCase):
    server_args = ("--function-concurrency", "2")

    def setUp(self):
        self.user = self.knix.new_user("sessions")

    def functions(self, **codes):
        return {name: self.user.add_function(unique(name), code)["name"]
                for name, code in codes.items()}

    def deploy_session_workflow(self, heartbeat):
        fn = self.functions(entry=ENTRY, worker=WORKER, final=FINAL, hb=HEARTBEAT)
        session = {"heartbeat_method": "function", "heartbeat_function": "heartbeat",
                   "heartbeat_interval_ms": heartbeat}
        wf, url = self.user.deploy_workflow(unique("sessionwf"), {
            "StartAt": "entry",
            "States": {
                "entry": {"Type": "Task", "Resource": fn["entry"], "End": True,
                          "PotentialNext": ["worker1", "worker2"]},
                "worker1": {"Type": "Task", "Resource": fn["worker"], "SessionFunction": True,
                            "SessionFunctionParameters": session, "Next": "final"},
                "worker2": {"Type": "Task", "Resource": fn["worker"], "SessionFunction": True,
                            "SessionFunctionParameters": session, "Next": "final"},
                "final": {"Type": "Task", "Resource": fn["final"], "End": True},
                "heartbeat": {"Type": "Task", "Resource": fn["hb"]}}})
        return wf, url

    def run_ok(self, url, event):
        r = execute(url, event)
        self.assertEqual(r.status_code, 200, r.text)
        return r.json()

    def get(self, key, workflow_id=None):
        return self.user.stored("kv", "getdata", workflow_id, key=key).get("value")

    def wait_for(self, what, probe, want):
        """Polls probe() until it returns want (or the deadline); returns the last value."""
        deadline = time.monotonic() + DEADLINE_S
        got = probe()
        while got != want and time.monotonic() < deadline:
            time.sleep(0.05)
            got = probe()
        self.assertEqual(got, want, what)
        return got

    def received(self, tag, instance):
        def probe():
            v = self.get(tag + ":" + instance)
            return json.loads(v) if v else []
        return probe

    def test_session_messages_aliases_heartbeats_and_stop(self):
        wf, url = self.deploy_session_workflow(heartbeat=100)
        tag = unique("s")
        sid = self.run_ok(url, {"action": "create", "session": ["worker1", "worker2"],
                                "tag": tag})
        self.assertRegex(sid, "^[0-9a-f]{64}$")
        info = self.wait_for("two instances run", lambda: len(self.run_ok(
            url, {"action": "info", "sessionId": sid})["ids"]), 2)
        info = self.run_ok(url, {"action": "info", "sessionId": sid})
        self.assertEqual(info["session_id"], sid)
        one, two = info["ids"]
        self.assertEqual(sorted(info["metadata"].values()), ["worker1", "worker2"])
        self.assertEqual(info["summary"], {"session": {sid: ""},
                                           "session_functions": {one: "", two: ""}})
        # Not a session function: KNIX's answers for one.
        self.assertIsNone(info["own_id"])
        self.assertIsNone(info["running"])
        self.assertEqual(info["messages"], [])
        # session_id joins as sessionId does; without either, a new session (of that
        # execution) that has no instances.
        self.assertEqual(self.run_ok(url, {"action": "info", "session_id": sid})["ids"],
                         [one, two])
        other = self.run_ok(url, {"action": "info"})
        self.assertNotEqual(other["session_id"], sid)
        self.assertEqual(other["ids"], [])

        starts = {}
        for inst in (one, two):
            starts[inst] = json.loads(self.wait_for(
                "instance started", lambda: self.get(tag + ":" + inst + ":start") is not None,
                True) and self.get(tag + ":" + inst + ":start"))
            self.assertEqual(starts[inst]["session"], sid)
            self.assertTrue(starts[inst]["running"])
            self.assertEqual(starts[inst]["id_with_alias"], inst)
            # A session function is not cut at its function's 300 s timeout.
            self.assertTrue(starts[inst]["remaining_over_300s"])
        by_state = {starts[i]["state"]: i for i in (one, two)}
        self.assertEqual(sorted(by_state), ["worker1", "worker2"])

        # By id (sent when the sender ends), by state name (now), to all.
        self.run_ok(url, {"action": "send", "sessionId": sid, "to": "id", "target": one,
                          "message": {"n": 1}})
        self.wait_for("by id", self.received(tag, one), [{"n": 1}])
        self.run_ok(url, {"action": "send", "sessionId": sid, "to": "name",
                          "target": starts[two]["state"], "message": "two", "now": True})
        self.wait_for("by name", self.received(tag, two), ["two"])
        self.run_ok(url, {"action": "send", "sessionId": sid, "to": "all", "message": [3]})
        self.wait_for("to all (1)", self.received(tag, one), [{"n": 1}, [3]])
        self.wait_for("to all (2)", self.received(tag, two), ["two", [3]])

        # Aliases: the session's and an instance's; a message by alias.
        self.run_ok(url, {"action": "alias", "session_id": sid, "alias": "mine"})
        self.run_ok(url, {"action": "alias", "sessionId": sid, "alias": "a1",
                          "function_id": one})
        info = self.run_ok(url, {"action": "info", "sessionId": sid, "alias": "a1"})
        self.assertEqual(info["summary"], {"session": {sid: "mine"},
                                           "session_functions": {one: "a1", two: ""}})
        self.assertEqual(info["aliases"], {"a1": one})
        self.assertEqual(info["session_alias"], "mine")
        self.assertEqual(info["by_alias"], one)
        self.run_ok(url, {"action": "send", "sessionId": sid, "to": "alias", "target": "a1",
                          "message": "aliased", "now": True})
        self.wait_for("by alias", self.received(tag, one), [{"n": 1}, [3], "aliased"])
        self.run_ok(url, {"action": "unalias", "sessionId": sid})
        self.run_ok(url, {"action": "unalias", "sessionId": sid, "function_id": one})
        info = self.run_ok(url, {"action": "info", "sessionId": sid})
        self.assertEqual(info["summary"], {"session": {sid: ""},
                                           "session_functions": {one: "", two: ""}})

        # Heartbeats reach the heartbeat function, for each instance.
        def beats(inst):
            return lambda: self.user.stored("counter", "getcounter",
                                            countername="hb-" + inst)["countervalue"] >= 3
        self.wait_for("heartbeats (1)", beats(one), True)
        self.wait_for("heartbeats (2)", beats(two), True)
        # --update-heartbeat to the data layer for instance two: its key in the workflow's
        # private data.
        self.run_ok(url, {"action": "send", "sessionId": sid, "to": "id", "target": two,
                          "now": True, "message": {"action": "--update-heartbeat",
                                                   "heartbeat_parameters": {
                                                       "heartbeat_method": "data_layer",
                                                       "heartbeat_interval_ms": 50}}})
        key = "heartbeat_" + sid + "_" + two
        self.wait_for("data-layer heartbeat", lambda: self.get(key, wf["id"]) is not None, True)
        beat = json.loads(self.get(key, wf["id"]))
        self.assertEqual((beat["session_id"], beat["session_function_id"], beat["action"]),
                         (sid, two, "--heartbeat"))
        # The platform's messages are not the function's.
        self.assertEqual(self.received(tag, two)(), ["two", [3]])

        # --stop to the whole session: both instances end, their Next runs.
        self.run_ok(url, {"action": "send", "sessionId": sid, "to": "all",
                          "message": {"action": "--stop"}})
        self.wait_for("final (1)", lambda: self.get(tag + ":" + one + ":final"),
                      json.dumps([{"n": 1}, [3], "aliased"]))
        self.wait_for("final (2)", lambda: self.get(tag + ":" + two + ":final"),
                      json.dumps(["two", [3]]))
        self.wait_for("no instance runs", lambda: self.run_ok(
            url, {"action": "info", "sessionId": sid})["ids"], [])
        # The data-layer heartbeat's key goes with its instance.
        self.wait_for("heartbeat key deleted", lambda: self.get(key, wf["id"]), None)

        # A message to an instance that no longer runs: a warning in the log, the caller
        # carries on.
        self.assertEqual(self.run_ok(url, {"action": "send", "sessionId": sid, "to": "id",
                                           "target": one, "message": 1, "now": True}), sid)
        self.wait_for("warning logged", lambda: (
            "No such running function instance: " + one) in self.user.logs(wf["id"])["log"],
            True)

    def test_instances_stop_when_their_execution_fails(self):
        # Another walker's error ends the execution: its session function instance is stopped
        # (as by --stop) instead of running on unattended.
        fn = self.functions(starter=STARTER, stoppable=STOPPABLE)
        wf, url = self.user.deploy_workflow(unique("sessionstop"), {
            "StartAt": "starter", "States": {
                "starter": {"Type": "Task", "Resource": fn["starter"], "End": True,
                            "PotentialNext": ["worker", "starter"]},
                "worker": {"Type": "Task", "Resource": fn["stoppable"], "SessionFunction": True,
                           "End": True}}})
        tag = unique("stop")
        self.assertEqual(self.run_ok(url, {"tag": tag}), "started")
        self.wait_for("the instance started", lambda: self.get(tag + ":started"), "yes")
        self.wait_for("the instance was stopped", lambda: self.get(tag + ":stopped"), "yes")

    def test_no_free_instance_fails_a_session_function_at_once(self):
        # --function-concurrency 2 (below): two instances of the session function run; a
        # third would wait for one of them for ever, so its Task fails instead.
        fn = self.functions(starter=STARTER3, stoppable=STOPPABLE)
        wf, url = self.user.deploy_workflow(unique("sessionfull"), {
            "StartAt": "starter", "States": {
                "starter": {"Type": "Task", "Resource": fn["starter"], "End": True,
                            "PotentialNext": ["worker"]},
                "worker": {"Type": "Task", "Resource": fn["stoppable"], "SessionFunction": True,
                           "End": True}}})
        tag = unique("full")
        eid = execute(url, {"tag": tag}, params={"async": "True"}).text
        for i in range(2):
            self.wait_for(f"instance {i} started", lambda i=i: self.get(f"{tag}{i}:started"),
                          "yes")
        # The third instance's Task failed: the execution fails, which stops the other two.
        r = result(url, eid)
        body = r.json()
        while isinstance(body, str):  # the entry's own result came first
            body = result(url, eid).json()
        self.assertTrue(body.get("has_error"), body)
        self.assertTrue(body["error_type"].startswith("Lambda.TooManyRequestsException"), body)
        for i in range(2):
            self.wait_for(f"instance {i} stopped", lambda i=i: self.get(f"{tag}{i}:stopped"),
                          "yes")

    def test_context_attributes(self):
        fn = self.functions(attrs=ATTRS)
        wf, url = self.user.deploy_workflow(unique("attrwf"), {
            "StartAt": "my_state", "States": {
                "my_state": {"Type": "Task", "Resource": fn["attrs"], "End": True}}})
        got = self.run_ok(url, "x")
        self.assertEqual(got["function_name"], "my_state")
        self.assertEqual(got["function_version"], 1)
        self.assertEqual(got["invoked_function_arn"], "my_state:1")
        self.assertIsInstance(got["memory_limit_in_mb"], int)
        self.assertRegex(got["aws_request_id"], "^[0-9a-f]{32}$")
        self.assertEqual(got["event_key"], got["aws_request_id"])
        self.assertEqual(got["instance_id"], got["aws_request_id"])
        self.assertEqual(got["log_group_name"], "/knix/mfn/my_state")
        self.assertRegex(got["log_stream_name"], r"^\d{4}/\d\d/\d\d\[\$LATEST\]my_state$")
        self.assertEqual(got["identity"], ["knix_cognito_identity_id",
                                           "knix_cognito_identity_pool_id"])
        self.assertEqual(got["client"], ["knix_installation_id", "knix_app_title",
                                         "knix_app_version_name", "knix_app_version_code",
                                         "knix_app_package_name"])
        self.assertEqual(got["custom"], {"knix_custom": True})
        self.assertEqual(got["env"], {"knix_env": "test"})
        self.assertTrue(0 < got["remaining"] <= 300000, got["remaining"])
        self.assertEqual(got["ping"], "pong 7")
        props = got["properties"]
        self.assertEqual(props["function_name"], "my_state")
        self.assertEqual(props["aws_request_id"], got["aws_request_id"])
        self.assertEqual(props["client_context"]["client"]["app_title"], "knix_app_title")
        self.assertEqual(props["identity"]["cognito_identity_id"], "knix_cognito_identity_id")
        # No session function in the workflow: the session methods answer nothing.
        self.assertEqual([got["session_id"], got["session_function_id"], got["running"],
                          got["ids"]], [None, None, None, []])
        # Two executions: two keys.
        self.assertNotEqual(self.run_ok(url, "y")["aws_request_id"], got["aws_request_id"])


if __name__ == "__main__":
    ctest_unittest.main()
