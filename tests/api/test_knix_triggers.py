"""KNIX triggers (issue 15 §5) over HTTP with `requests` against a real `stator serve`: timer
triggers fire KNIX's timer event at the associated deployed workflows (at a workflow_state when
the association names one), stop when dissociated or deleted and when the workflow is
undeployed or deleted, and fire again after a restart; storage triggers run the workflows
associated with a triggerable bucket with KNIX's storage event, for writes made through
performStorageAction and through context.put(..., bucketName=B); bucketName reads and writes the
bucket's own keys; a function's context manages triggers as its workflow's owner. On two nodes
of a cluster (PostgreSQL, marked @needs) a timer fires once per interval, not once per node.

The functions count events in the user's data layer (a counter per tag) and keep the last
event they saw; tests wait for a number of events with a generous deadline and never time.
"""

import json
import os
import shutil
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from knix_client import Knix, KnixTestCase, execute, unique  # noqa: E402
from stator_server import Server  # noqa: E402

import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)
from ctest_unittest import needs  # noqa: E402
from test_cluster import Node, fresh_database, postgres_missing  # noqa: E402

# Counts the events it gets under counter event-<tag> and keeps the last one (the tag is the
# trigger's name or the bucket's: KNIX's events carry it as trigger_name / source).
COUNTER = '''
import json
def handle(event, context):
    tag = event.get("trigger_name") or event.get("source") or "direct"
    context.incrementCounter("event-" + tag, 1)
    context.put("last-" + tag, json.dumps(event))
    print("event for " + tag)
    return event
'''

# A first state that must not run for events sent to the second state.
FIRST = '''
def handle(event, context):
    context.incrementCounter("first-ran", 1)
    return event
'''

# Writes to a bucket (and reads back) through the context: bucketName.
BUCKET_WRITER = '''
def handle(event, context):
    b = event["bucket"]
    context.put(event["key"], event["value"], bucketName=b)
    context.put(event["key"], "default bucket")
    context.put("queued-" + event["key"], "q", is_queued=True, bucketName=b)
    context.put("ghost", "x", bucketName="never-added-bucket")
    return {"bucket": context.get(event["key"], bucketName=b),
            "default": context.get(event["key"]),
            "ghost": context.get("ghost", bucketName="never-added-bucket")}
'''

# Manages triggers from user code, as KNIX's MicroFunctionsAPI does.
MANAGER = '''
def handle(event, context):
    out = {}
    out["add"] = context.addTrigger(event["trigger"], {"trigger_type": "timer",
                                                       "timer_interval_ms": 100000})
    out["bad"] = context.addTrigger(event["trigger"] + "x", {"trigger_type": "timer",
                                                             "timer_interval_ms": 5})
    out["assoc"] = context.addTriggerForWorkflow(event["trigger"], event["workflow"])
    out["bucket"] = context.addTriggerableBucket(event["bucket"])
    out["storage"] = context.addStorageTriggerForWorkflow(event["workflow"], event["bucket"])
    details = context._getWorkflowDetails(event["workflow"])
    out["tables"] = details["data"]["associatedTriggerableTables"]
    out["triggers"] = details["data"]["associatedTriggers"]
    out["buckets"] = context._getTriggerableBuckets()["data"]["buckets"]
    out["unassoc"] = context.deleteTriggerForWorkflow(event["trigger"], event["workflow"])[0]
    out["unstorage"] = context.deleteStorageTriggerForWorkflow(event["workflow"], event["bucket"])
    out["delbucket"] = context.deleteTriggerableBucket(event["bucket"])
    out["del"] = context.deleteTrigger(event["trigger"])[0]
    status, message, response = context._invoke_management_api({"action": "getWorkflows",
                                                                "data": {}})
    out["raw"] = [status, response["status"], len(response["data"]["workflows"]) > 0]
    return out
'''

DEADLINE = 60.0  # seconds: generous bounds on waiting for events


def single(fn):
    return {"StartAt": "only", "States": {"only": {"Type": "Task", "Resource": fn, "End": True}}}


def counter(user, name):
    return user.stored("counter", "getcounter", countername=name)["countervalue"]


def wait_for(what, predicate, deadline=DEADLINE):
    """Polls predicate() until it is truthy; fails the test after `deadline` seconds."""
    end = time.monotonic() + deadline
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def settled(user, name, quiet=1.5):
    """The counter's value once it has not changed for `quiet` seconds (executions started
    before a change may still be running)."""
    end = time.monotonic() + DEADLINE
    last, since = counter(user, name), time.monotonic()
    while time.monotonic() - since < quiet:
        if time.monotonic() > end:
            raise AssertionError(f"counter {name} never settled")
        time.sleep(0.1)
        now = counter(user, name)
        if now != last:
            last, since = now, time.monotonic()
    return last


def timer(ms):
    return {"trigger_type": "timer", "timer_interval_ms": ms}


class TimerTriggersTest(KnixTestCase):

    def setUp(self):
        self.user = self.knix.new_user("timers")

    def deploy_counter(self, prefix):
        fn = self.user.add_function(unique(prefix), COUNTER)["name"]
        return self.user.deploy_workflow(unique(prefix + "wf"), single(fn))[0]

    def test_fires_repeatedly_then_stops_when_dissociated_and_deleted(self):
        u = self.user
        wf = self.deploy_counter("tick")
        u.ok("addTrigger", {"trigger_name": "t", "trigger_info": timer(100)})
        # Not associated: nothing fires, nothing is counted.
        details = u.ok("getTriggerDetails", {"trigger_names": ["t"]})["trigger_details"]["t"]
        self.assertEqual((details["trigger_status"], details["trigger_type"],
                          details["trigger_count"], details["associated_workflows"],
                          details["trigger_id"]),
                         ("ready", "timer", 0, [], details["trigger_id"]))
        answer = u.ok("addTriggerForWorkflow", {"trigger_name": "t", "workflow_name": wf["name"]})
        self.assertNotIn("not deliver", answer["message"])
        wait_for("3 timer events", lambda: counter(u, "event-t") >= 3)
        event = json.loads(u.stored("kv", "getdata", key="last-t")["value"])
        self.assertEqual(event, {"trigger_status": "ready", "trigger_type": "timer",
                                 "trigger_name": "t", "workflow_name": wf["name"],
                                 "source": "", "data": ""})
        details = u.ok("getTriggerDetails", {"trigger_names": ["t"]})["trigger_details"]["t"]
        self.assertGreaterEqual(details["trigger_count"], 3)
        self.assertEqual(details["status_msg"], "")
        self.assertEqual(details["associated_workflows"], [{
            "workflow_name": wf["name"], "workflow_url": wf["endpoints"][0],
            "workflow_state": ""}])
        # Each event was an asynchronous execution of the workflow: its lines are in the logs.
        wait_for("the events' log lines",
                 lambda: u.logs(wf["id"])["log"].count("event for t") >= 3)

        u.ok("deleteTriggerForWorkflow", {"trigger_name": "t", "workflow_name": wf["name"]})
        stopped = settled(u, "event-t")
        time.sleep(2.0)  # twenty intervals
        self.assertEqual(counter(u, "event-t"), stopped)
        count = u.ok("getTriggerDetails", {"trigger_names": ["t"]})["trigger_details"]["t"]
        self.assertEqual(count["associated_workflows"], [])
        frozen = count["trigger_count"]

        # Associated again, it fires again; deleted, it stops for good.
        u.ok("addTriggerForWorkflow", {"trigger_name": "t", "workflow_name": wf["name"]})
        wait_for("more timer events", lambda: counter(u, "event-t") >= stopped + 2)
        self.assertGreater(
            u.ok("getTriggerDetails", {"trigger_names": ["t"]})["trigger_details"]["t"]
            ["trigger_count"], frozen)
        u.ok("deleteTrigger", {"trigger_name": "t"})
        stopped = settled(u, "event-t")
        time.sleep(2.0)
        self.assertEqual(counter(u, "event-t"), stopped)
        gone = u.ok("getTriggerDetails", {"trigger_names": ["t"]})["trigger_details"]["t"]
        self.assertEqual(gone["trigger_status"], "non_existent")

    def test_workflow_state_receives_the_event(self):
        u = self.user
        first = u.add_function(unique("first"), FIRST)["name"]
        second = u.add_function(unique("second"), COUNTER)["name"]
        definition = {"StartAt": "a", "States": {
            "a": {"Type": "Task", "Resource": first, "Next": "b"},
            "b": {"Type": "Task", "Resource": second, "End": True}}}
        wf, _ = u.deploy_workflow(unique("twostate"), definition)
        u.ok("addTrigger", {"trigger_name": "s", "trigger_info": timer(100)})
        u.ok("addTriggerForWorkflow", {"trigger_name": "s", "workflow_name": wf["name"],
                                       "workflow_state": "b"})
        wait_for("3 events at state b", lambda: counter(u, "event-s") >= 3)
        u.ok("deleteTrigger", {"trigger_name": "s"})
        self.assertEqual(counter(u, "first-ran"), 0)
        # Without a state, the event starts the workflow at its start state.
        u.ok("addTrigger", {"trigger_name": "s2", "trigger_info": timer(100)})
        u.ok("addTriggerForWorkflow", {"trigger_name": "s2", "workflow_name": wf["name"]})
        wait_for("the start state to run", lambda: counter(u, "first-ran") >= 1)
        wait_for("the event to reach b", lambda: counter(u, "event-s2") >= 1)
        u.ok("deleteTrigger", {"trigger_name": "s2"})

    def test_undeployed_or_deleted_workflow_is_not_triggered(self):
        u = self.user
        wf = self.deploy_counter("gone")
        u.ok("addTrigger", {"trigger_name": "g", "trigger_info": timer(100)})
        u.ok("addTriggerForWorkflow", {"trigger_name": "g", "workflow_name": wf["name"]})
        wait_for("a first event", lambda: counter(u, "event-g") >= 1)
        # Undeployed: no event, and the trigger lists no active workflow.
        u.undeploy(wf["id"])
        stopped = settled(u, "event-g")
        time.sleep(2.0)
        self.assertEqual(counter(u, "event-g"), stopped)
        details = u.ok("getTriggerDetails", {"trigger_names": ["g"]})["trigger_details"]["g"]
        self.assertEqual(details["associated_workflows"], [])
        # Redeployed: the association is active again (as KNIX's deploy re-adds it).
        self.assertEqual(u.deploy(wf["id"])["status"], "deployed")
        wait_for("events after the redeploy", lambda: counter(u, "event-g") >= stopped + 1)
        # Deleted: no event, no crash; a new workflow of the same name is not the old one.
        u.undeploy(wf["id"])
        u.ok("deleteWorkflow", {"workflow": {"id": wf["id"]}})
        stopped = settled(u, "event-g")
        fn = u.add_function(unique("same"), COUNTER)["name"]
        again = u.add_workflow(wf["name"], single(fn))
        self.assertEqual(u.deploy(again["id"])["status"], "deployed")
        time.sleep(2.0)
        self.assertEqual(counter(u, "event-g"), stopped)
        details = u.ok("getTriggerDetails", {"trigger_names": ["g"]})["trigger_details"]["g"]
        self.assertEqual(details["trigger_status"], "ready")
        self.assertEqual(details["associated_workflows"], [])
        u.ok("deleteTrigger", {"trigger_name": "g"})

    def test_bad_timer_info_is_refused(self):
        u = self.user
        for info, why in [(timer(5), "Timer interval must be >= 20ms"),
                          ({"trigger_type": "timer"}, "timer_interval_ms is missing"),
                          ({"trigger_type": "cron"}, "unknown trigger type: cron")]:
            message = u.fail("addTrigger", {"trigger_name": "bad", "trigger_info": info})
            self.assertIn(why, message)
            self.assertTrue(message.startswith("Couldn't create the trigger; "), message)

    def test_context_manages_triggers_and_buckets(self):
        u = self.user
        fn = u.add_function(unique("manager"), MANAGER)["name"]
        wf, url = u.deploy_workflow(unique("managerwf"), single(fn))
        r = execute(url, {"trigger": "ctx", "workflow": wf["name"], "bucket": "ctxb"})
        self.assertEqual(r.status_code, 200, r.text)
        out = r.json()
        self.assertEqual(out["add"][0], True, out)
        self.assertEqual(out["bad"][0], False, out)
        self.assertIn("Timer interval must be >= 20ms", out["bad"][1])
        self.assertEqual(out["assoc"][0], True, out)
        self.assertEqual((out["bucket"], out["storage"]), (True, True))
        self.assertEqual(out["tables"], {"ctxb": ""})
        self.assertEqual(out["triggers"], {"ctx": ""})
        self.assertEqual(out["buckets"], {"ctxb": [wf["name"]]})
        self.assertEqual((out["unassoc"], out["unstorage"], out["delbucket"], out["del"]),
                         (True, True, True, True))
        self.assertEqual(out["raw"], [True, "success", True])
        self.assertEqual(u.ok("getTriggerDetails", {"trigger_names": []})["trigger_details"], {})
        self.assertEqual(u.ok("getTriggerableBuckets")["buckets"], {})


class StorageTriggersTest(KnixTestCase):

    def setUp(self):
        self.user = self.knix.new_user("buckets")

    def test_bucket_writes_run_the_associated_workflows(self):
        u = self.user
        fn = u.add_function(unique("onwrite"), COUNTER)["name"]
        wf, _ = u.deploy_workflow(unique("onwritewf"), single(fn))
        idle = u.add_workflow(unique("idlewf"), single(fn))  # never deployed
        u.ok("addTriggerableBucket", {"bucketname": "b"})
        added = u.ok("addStorageTriggerForWorkflow", {"bucketname": "b",
                                                      "workflowname": wf["name"]})
        self.assertIn(wf["endpoints"][0], added["message"])
        queued = u.ok("addStorageTriggerForWorkflow", {"bucketname": "b",
                                                       "workflowname": idle["name"]})
        self.assertTrue(queued["message"].startswith("Trigger queued up for workflow"), queued)
        got = u.ok("getTriggerableBuckets")
        self.assertEqual(got["buckets"], {"b": [wf["name"]]})  # deployed ones only, as KNIX
        self.assertEqual(got["buckets_details"], {"b": [
            {"urltype": "url", "urls": [wf["endpoints"][0]], "wfname": wf["name"]}]})

        # performStorageAction on the bucket.
        u.stored("kv", "putdata", key="k1", value="v1", tableName="b")
        wait_for("the event of the put", lambda: counter(u, "event-b") >= 1)
        event = json.loads(u.stored("kv", "getdata", key="last-b")["value"])
        self.assertEqual(event, {"trigger_type": "storage", "key": "k1", "value": "v1",
                                 "source": "b"})
        # Not for a delete, not for a write elsewhere.
        u.stored("kv", "deletedata", key="k1", tableName="b")
        u.stored("kv", "putdata", key="k1", value="elsewhere")
        time.sleep(1.0)
        self.assertEqual(settled(u, "event-b"), 1)

        # context.put(..., bucketName=b) from another workflow's function.
        writer = u.add_function(unique("writer"), BUCKET_WRITER)["name"]
        _, writer_url = u.deploy_workflow(unique("writerwf"), single(writer))
        r = execute(writer_url, {"bucket": "b", "key": "k2", "value": "from a function"})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json(), {"bucket": "from a function", "default": "default bucket",
                                    "ghost": ""})
        wait_for("the event of the context's put", lambda: counter(u, "event-b") >= 2)
        event = json.loads(u.stored("kv", "getdata", key="last-b")["value"])
        self.assertEqual(event, {"trigger_type": "storage", "key": "k2",
                                 "value": "from a function", "source": "b"})
        # bucketName reads and writes the bucket's keys; queued writes ignore it (as KNIX's).
        self.assertEqual(u.stored("kv", "getdata", key="k2", tableName="b")["value"],
                         "from a function")
        self.assertEqual(u.stored("kv", "getdata", key="k2")["value"], "default bucket")
        self.assertEqual(u.stored("kv", "getdata", key="queued-k2")["value"], "q")
        self.assertIsNone(u.stored("kv", "getdata", key="queued-k2", tableName="b")["value"])
        self.assertEqual(settled(u, "event-b"), 2)

        # Dissociated: writes run nothing.
        u.ok("deleteStorageTriggerForWorkflow", {"tablename": "b", "workflowname": wf["name"]})
        self.assertEqual(u.ok("getTriggerableBuckets")["buckets"], {"b": []})
        u.stored("kv", "putdata", key="k3", value="v3", tableName="b")
        time.sleep(1.5)
        self.assertEqual(counter(u, "event-b"), 2)
        # Deleted bucket: neither the data nor the trigger are left.
        u.ok("addStorageTriggerForWorkflow", {"bucketname": "b", "workflowname": wf["name"]})
        u.ok("deleteTriggerableBucket", {"bucketname": "b"})
        refused = u.storage("kv", "putdata", key="k4", value="v4", tableName="b")
        self.assertEqual(refused["status"], "failure", refused)
        time.sleep(1.5)
        self.assertEqual(counter(u, "event-b"), 2)

    def test_workflow_details_list_associations(self):
        u = self.user
        wf = u.add_workflow(unique("detailed"))
        u.ok("addTriggerableBucket", {"bucketname": "d"})
        u.ok("addStorageTriggerForWorkflow", {"bucketname": "d", "workflowname": wf["name"]})
        u.ok("addTrigger", {"trigger_name": "dt", "trigger_info": timer(100000)})
        u.ok("addTriggerForWorkflow", {"trigger_name": "dt", "workflow_name": wf["name"],
                                       "workflow_state": "x"})
        r = u.session.post(u.url, json={"action": "getWorkflowDetails", "data": {
            "user": {"token": u.token}, "workflowname": wf["name"]}})
        body = r.json()
        self.assertEqual(body["status"], "success", body)
        self.assertEqual(body["data"], {
            "email": u.email, "name": wf["name"], "id": wf["id"], "status": "undeployed",
            "endpoints": [], "modified": body["data"]["modified"],
            "associatedTriggerableTables": {"d": ""}, "associatedTriggers": {"dt": "x"}})
        # Not deployed: listed by the workflow, not active on the bucket or trigger.
        self.assertEqual(u.ok("getTriggerableBuckets")["buckets"], {"d": []})
        self.assertEqual(u.ok("getTriggerDetails", {"trigger_names": ["dt"]})["trigger_details"]
                         ["dt"]["associated_workflows"], [])
        u.ok("deleteTrigger", {"trigger_name": "dt"})
        u.ok("deleteTriggerableBucket", {"bucketname": "d"})


class TriggerRestartTest(unittest.TestCase):
    """A timer trigger fires again after a restart of the server on the same data."""

    def test_timer_rearmed_after_restart(self):
        tmp = tempfile.mkdtemp(prefix="stator-knix-triggers-")
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        data = os.path.join(tmp, "data")
        server = Server("--time-scale", "0", "--data-dir", data)
        self.addCleanup(server.stop)
        knix = Knix(server.endpoint)
        email = unique("rearm") + "@example.com"
        knix.sign_up(email)
        user = knix.log_in(email)
        fn = user.add_function(unique("rearm"), COUNTER)["name"]
        wf, _ = user.deploy_workflow(unique("rearmwf"), single(fn))
        user.ok("addTrigger", {"trigger_name": "r", "trigger_info": timer(100)})
        user.ok("addTriggerForWorkflow", {"trigger_name": "r", "workflow_name": wf["name"]})
        wait_for("events before the restart", lambda: counter(user, "event-r") >= 2)
        self.assertEqual(server.stop(), 0)
        server = Server("--time-scale", "0", "--data-dir", data)
        self.addCleanup(server.stop)
        user = Knix(server.endpoint, user.token, email)
        before = counter(user, "event-r")
        wait_for("events after the restart", lambda: counter(user, "event-r") >= before + 3)
        details = user.ok("getTriggerDetails", {"trigger_names": ["r"]})["trigger_details"]["r"]
        self.assertGreaterEqual(details["trigger_count"], before + 3)
        user.ok("deleteTrigger", {"trigger_name": "r"})


@needs("PostgreSQL (STATOR_TEST_POSTGRES)", postgres_missing)
class ClusterTimerTest(unittest.TestCase):
    """Two nodes on one database: each tick is claimed by one of them."""

    def test_a_timer_fires_once_per_interval_across_the_cluster(self):
        uri = fresh_database(self)
        a, b = Node(uri, 10), Node(uri, 10)
        for node in (a, b):
            self.addCleanup(node.stop)
        email = unique("clustertimer") + "@example.com"
        Knix(a.endpoint).sign_up(email)
        on_a = Knix(a.endpoint).log_in(email)
        on_b = Knix(b.endpoint).log_in(email)
        fn = on_a.add_function(unique("clustertick"), COUNTER)["name"]
        wf, _ = on_a.deploy_workflow(unique("clustertickwf"), single(fn))
        interval_ms = 300
        on_a.ok("addTrigger", {"trigger_name": "c", "trigger_info": timer(interval_ms)})
        started = time.monotonic()
        # Associated on b: a learns of it from the records (its rescan), and both tick.
        on_b.ok("addTriggerForWorkflow", {"trigger_name": "c", "workflow_name": wf["name"]})
        wait_for("10 events", lambda: counter(on_a, "event-c") >= 10)
        on_a.ok("deleteTriggerForWorkflow", {"trigger_name": "c", "workflow_name": wf["name"]})
        elapsed_ms = (time.monotonic() - started) * 1000
        events = settled(on_a, "event-c", quiet=2.5)  # (b stops within its rescan too)
        count = on_b.ok("getTriggerDetails", {"trigger_names": ["c"]})["trigger_details"]["c"]
        # One execution per claimed tick (a tick claimed while the dissociation lands runs
        # nothing), and at most one tick per interval over both nodes (two nodes firing on
        # their own would make about twice as many).
        self.assertIn(events, (count["trigger_count"], count["trigger_count"] - 1))
        self.assertLessEqual(events, elapsed_ms / interval_ms + 2)


if __name__ == "__main__":
    ctest_unittest.main()
