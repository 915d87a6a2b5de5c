"""performStorageAction, triggers and triggerable buckets of the KNIX management API
(shared/design/knix-protocol.md §1.6, §1.7) over HTTP with `requests` against a real
`stator serve`: kv, map, set and counter round trips, the user's and a workflow's private scope
kept apart, and triggers and buckets stored and answered in the protocol's shapes.
"""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from knix_client import KnixTestCase, b64, unique  # noqa: E402

import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)


class StorageTest(KnixTestCase):
    """performStorageAction: kv, map, set and counter round trips; user and workflow scopes."""

    def setUp(self):
        self.user = self.knix.new_user("storage")  # each test starts with empty storage

    def test_kv(self):
        u = self.user
        self.assertIsNone(u.stored("kv", "getdata", key="k1")["value"])
        put = u.stored("kv", "putdata", key="k1", value="v 1 ü")
        self.assertTrue(put["message"].startswith("Successful storage op: putdata"), put)
        self.assertEqual(u.stored("kv", "getdata", key="k1")["value"], "v 1 ü")
        u.stored("kv", "PutData", key="k2", value="")  # action names are case-insensitive
        self.assertEqual(u.stored("kv", "getdata", key="k2")["value"], "")
        self.assertEqual(u.stored("kv", "listkeys", start=0, count=100)["keylist"],
                         ["k1", "k2"])
        self.assertEqual(u.stored("kv", "listkeys", start=1, count=1)["keylist"], ["k2"])
        u.stored("kv", "deletedata", key="k1")
        self.assertIsNone(u.stored("kv", "getdata", key="k1")["value"])
        self.assertEqual(u.stored("kv", "listkeys", start=0, count=100)["keylist"], ["k2"])
        u.stored("kv", "deletedata", key="k2")

    def test_map(self):
        u = self.user
        u.stored("map", "createmap", mapname="m")
        u.stored("map", "putmapentry", mapname="m", key="a", value="1")
        u.stored("map", "putmapentry", mapname="m", key="b", value="two")
        self.assertEqual(u.stored("map", "getmapentry", mapname="m", key="b")["value"],
                         b64("two"))
        self.assertIsNone(u.stored("map", "getmapentry", mapname="m", key="zz")["value"])
        self.assertEqual(u.stored("map", "retrievemap", mapname="m")["mapentries"],
                         {"a": "1", "b": "two"})
        self.assertIs(u.stored("map", "containsmapkey", mapname="m", key="a")["containskey"],
                      True)
        self.assertIs(u.stored("map", "containsmapkey", mapname="m", key="c")["containskey"],
                      False)
        self.assertEqual(sorted(u.stored("map", "getmapkeys", mapname="m")["mapkeys"]),
                         ["a", "b"])
        self.assertIn("m", u.stored("map", "listmaps", start=0, count=100)["maplist"])
        u.stored("map", "deletemapentry", mapname="m", key="a")
        self.assertEqual(u.stored("map", "retrievemap", mapname="m")["mapentries"], {"b": "two"})
        u.stored("map", "clearmap", mapname="m")
        self.assertEqual(u.stored("map", "retrievemap", mapname="m")["mapentries"], {})
        u.stored("map", "deletemap", mapname="m")
        self.assertNotIn("m", u.stored("map", "listmaps", start=0, count=100)["maplist"])

    def test_set(self):
        u = self.user
        u.stored("set", "createset", setname="s")
        for item in ("b", "a", "b"):
            u.stored("set", "addsetentry", setname="s", item=item)
        self.assertEqual(sorted(u.stored("set", "retrieveset", setname="s")["items"]), ["a", "b"])
        self.assertIs(u.stored("set", "containssetitem", setname="s", item="a")["containsitem"],
                      True)
        self.assertIs(u.stored("set", "containssetitem", setname="s", item="x")["containsitem"],
                      False)
        self.assertIn("s", u.stored("set", "listsets", start=0, count=100)["setlist"])
        u.stored("set", "removesetentry", setname="s", item="a")
        self.assertEqual(u.stored("set", "retrieveset", setname="s")["items"], ["b"])
        u.stored("set", "clearset", setname="s")
        self.assertEqual(u.stored("set", "retrieveset", setname="s")["items"], [])
        u.stored("set", "deleteset", setname="s")
        self.assertNotIn("s", u.stored("set", "listsets", start=0, count=100)["setlist"])

    def test_counter(self):
        u = self.user
        u.stored("counter", "createcounter", countername="c", countervalue=5)
        self.assertEqual(u.stored("counter", "getcounter", countername="c")["countervalue"], 5)
        u.stored("counter", "incrementcounter", countername="c", increment=3)
        self.assertEqual(u.stored("counter", "getcounter", countername="c")["countervalue"], 8)
        u.stored("counter", "decrementcounter", countername="c", decrement=10)
        self.assertEqual(u.stored("counter", "getcounter", countername="c")["countervalue"], -2)
        self.assertIn("c", u.stored("counter", "listcounters", start=0, count=100)["counterlist"])
        u.stored("counter", "deletecounter", countername="c")
        self.assertEqual(u.stored("counter", "getcounter", countername="c")["countervalue"], 0)
        self.assertNotIn("c",
                         u.stored("counter", "listcounters", start=0, count=100)["counterlist"])

    def test_user_and_workflow_scopes_are_apart(self):
        u = self.user
        wid = u.add_workflow("scoped")["id"]
        other = u.add_workflow("scoped too")["id"]
        u.stored("kv", "putdata", key="shared", value="user")
        u.stored("kv", "putdata", workflow_id=wid, key="shared", value="workflow")
        u.stored("kv", "putdata", workflow_id=wid, key="only-in-workflow", value="w")
        self.assertEqual(u.stored("kv", "getdata", key="shared")["value"], "user")
        self.assertEqual(u.stored("kv", "getdata", workflow_id=wid, key="shared")["value"],
                         "workflow")
        self.assertIsNone(u.stored("kv", "getdata", workflow_id=other, key="shared")["value"])
        self.assertIsNone(u.stored("kv", "getdata", key="only-in-workflow")["value"])
        self.assertEqual(
            u.stored("kv", "listkeys", workflow_id=wid, start=0, count=100)["keylist"],
            ["only-in-workflow", "shared"])
        u.stored("map", "putmapentry", workflow_id=wid, mapname="wm", key="k", value="v")
        self.assertEqual(u.stored("map", "retrievemap", mapname="wm")["mapentries"], {})
        u.stored("set", "addsetentry", workflow_id=wid, setname="ws", item="i")
        self.assertEqual(u.stored("set", "retrieveset", setname="ws")["items"], [])
        u.stored("counter", "incrementcounter", workflow_id=wid, countername="wc", increment=4)
        self.assertEqual(u.stored("counter", "getcounter", countername="wc")["countervalue"], 0)
        self.assertEqual(
            u.stored("counter", "getcounter", workflow_id=wid, countername="wc")["countervalue"],
            4)
        # A workflowid that is not one of the user's workflows is refused.
        body = u.storage("kv", "getdata", workflow_id="0" * 32, key="shared")
        self.assertEqual(body["status"], "failure", body)


ECHO = "def handle(event, context):\n    return event\n"


class TriggersTest(KnixTestCase):
    """Triggers and triggerable buckets: stored and answered in the protocol's shapes (their
    events: test_knix_triggers.py). Associations are active while the workflow is deployed."""

    def setUp(self):
        self.user = self.knix.new_user("triggers")

    def deployed_workflow(self, prefix):
        fn = self.user.add_function(unique(prefix + "fn"), ECHO)["name"]
        wf = self.user.add_workflow(unique(prefix), {
            "StartAt": "s", "States": {"s": {"Type": "Task", "Resource": fn, "End": True}}})
        self.assertEqual(self.user.deploy(wf["id"])["status"], "deployed")
        return wf["name"]

    def test_triggers(self):
        u = self.user
        wf_name = self.deployed_workflow("triggered")
        details = u.ok("getTriggerDetails", {"trigger_names": ["never-added"]})
        entry = details["trigger_details"]["never-added"]
        self.assertEqual(entry["trigger_status"], "non_existent")
        self.assertIn("trigger_id", entry)
        self.assertIsInstance(entry["status_msg"], str)

        info = {"trigger_type": "timer", "timer_interval_ms": 3600000}  # no tick in a test
        u.ok("addTrigger", {"trigger_name": "t1", "trigger_info": info})
        amqp = {"trigger_type": "amqp", "amqp_addr": "amqp://guest:guest@127.0.0.1:5672/",
                "routing_key": "rk", "exchange": "ex", "durable": False}
        u.ok("addTrigger", {"trigger_name": "t2", "trigger_info": amqp})
        all_details = u.ok("getTriggerDetails", {"trigger_names": []})["trigger_details"]
        self.assertEqual(set(all_details), {"t1", "t2"})
        t1 = all_details["t1"]
        for key in ("trigger_id", "trigger_status", "trigger_type", "trigger_count",
                    "associated_workflows", "trigger_info"):
            self.assertIn(key, t1)
        self.assertNotEqual(t1["trigger_status"], "non_existent")
        self.assertEqual((t1["trigger_type"], t1["trigger_count"], t1["associated_workflows"],
                          t1["trigger_info"]), ("timer", 0, [], info))
        self.assertEqual(all_details["t2"]["trigger_info"], amqp)

        u.ok("addTriggerForWorkflow", {"trigger_name": "t1", "workflow_name": wf_name,
                                       "workflow_state": ""})
        t1 = u.ok("getTriggerDetails", {"trigger_names": ["t1"]})["trigger_details"]["t1"]
        self.assertEqual(t1["trigger_count"], 0)  # ticks fired: none within an hour
        self.assertEqual(len(t1["associated_workflows"]), 1)
        assoc = t1["associated_workflows"][0]
        self.assertEqual(set(assoc), {"workflow_name", "workflow_url", "workflow_state"})
        self.assertEqual(assoc["workflow_name"], wf_name)
        self.assertTrue(assoc["workflow_url"].startswith(self.endpoint + "/"), assoc)
        u.fail("addTriggerForWorkflow", {"trigger_name": "t1", "workflow_name": "no such wf"})
        u.fail("addTriggerForWorkflow", {"trigger_name": "nope", "workflow_name": wf_name})

        u.ok("deleteTriggerForWorkflow", {"trigger_name": "t1", "workflow_name": wf_name})
        t1 = u.ok("getTriggerDetails", {"trigger_names": ["t1"]})["trigger_details"]["t1"]
        self.assertEqual((t1["trigger_count"], t1["associated_workflows"]), (0, []))
        u.ok("deleteTrigger", {"trigger_name": "t1"})
        gone = u.ok("getTriggerDetails", {"trigger_names": ["t1"]})["trigger_details"]["t1"]
        self.assertEqual(gone["trigger_status"], "non_existent")
        u.fail("deleteTrigger", {"trigger_name": "t1"})
        u.ok("deleteTrigger", {"trigger_name": "t2"})
        self.assertEqual(u.ok("getTriggerDetails", {"trigger_names": []})["trigger_details"], {})

    def test_buckets(self):
        u = self.user
        wf_name = self.deployed_workflow("bucketed")
        idle = unique("idle")
        u.add_workflow(idle)
        u.ok("addTriggerableBucket", {"bucketname": "b1"})
        got = u.ok("getTriggerableBuckets")
        self.assertEqual(got["buckets"], {"b1": []})
        self.assertEqual(set(got["buckets_details"]), {"b1"})
        u.ok("addStorageTriggerForWorkflow", {"bucketname": "b1", "workflowname": wf_name})
        # An undeployed workflow's association is queued: not listed until it is deployed.
        u.ok("addStorageTriggerForWorkflow", {"bucketname": "b1", "workflowname": idle})
        self.assertEqual(u.ok("getTriggerableBuckets")["buckets"], {"b1": [wf_name]})
        u.fail("addStorageTriggerForWorkflow", {"bucketname": "b1", "workflowname": "nope"})
        # The bucket is a key/value table of its own (parameters.tableName).
        u.stored("kv", "putdata", key="k", value="in bucket", tableName="b1")
        self.assertEqual(u.stored("kv", "getdata", key="k", tableName="b1")["value"],
                         "in bucket")
        self.assertIsNone(u.stored("kv", "getdata", key="k")["value"])
        refused = u.storage("kv", "putdata", key="k", value="v", tableName="never-added")
        self.assertEqual(refused["status"], "failure", refused)

        # deleteStorageTriggerForWorkflow names the bucket `tablename`, as KNIX's does.
        u.ok("deleteStorageTriggerForWorkflow", {"tablename": "b1", "workflowname": wf_name})
        self.assertEqual(u.ok("getTriggerableBuckets")["buckets"], {"b1": []})
        u.ok("deleteTriggerableBucket", {"bucketname": "b1"})
        self.assertEqual(u.ok("getTriggerableBuckets")["buckets"], {})
        u.fail("deleteTriggerableBucket", {"bucketname": "b1"})


if __name__ == "__main__":
    ctest_unittest.main()
