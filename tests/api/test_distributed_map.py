"""Distributed Map states (ItemProcessor.ProcessorConfig.Mode DISTRIBUTED) through boto3 against a
real `stator serve`: each item (or ItemBatcher batch) runs as a child execution of its own —
Standard ones listed by ListExecutions(mapRunArn), Express ones not — MaxConcurrency,
ToleratedFailureCount/Percentage, ResultWriter files under the data directory, the Map Run API
(DescribeMapRun, ListMapRuns, UpdateMapRun) and its counters, ItemReader rejected at definition
time, a stopped parent aborting its children, and a Map Run that survives a SIGKILL of the server.
"""

import json
import os
import shutil
import signal
import tempfile
import time
import unittest

from stator_server import (ACCOUNT, REGION, ClientErrorAssertion, Server,  # noqa: E402
                           client)
import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

ROLE = f"arn:aws:iam::{ACCOUNT}:role/test"
PREFIX = f"arn:aws:states:{REGION}:{ACCOUNT}:"


def dmap(processor_states, start="P", execution_type="STANDARD", **fields):
    """A machine of one distributed Map state M over the whole input."""
    state = {"Type": "Map",
             "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED",
                                                   "ExecutionType": execution_type},
                               "StartAt": start, "States": processor_states},
             "End": True}
    state.update(fields)
    return {"StartAt": "M", "States": {"M": state}}


ECHO = {"P": {"Type": "Pass", "End": True}}
# Fails the items whose "fail" is true (error "Boom", cause "item <n>").
MAYBE_FAIL = {
    "P": {"Type": "Choice", "Choices": [{"Variable": "$.fail", "BooleanEquals": True,
                                         "Next": "F"}], "Default": "S"},
    "F": {"Type": "Fail", "Error": "Boom", "Cause": "failed item"},
    "S": {"Type": "Pass", "Parameters": {"ok.$": "$.n"}, "End": True},
}


class Base(ClientErrorAssertion):
    def create(self, definition, name=None, sfn=None):
        sfn = sfn or self.sfn
        self.n = getattr(self, "n", 0) + 1
        name = name or f"{self._testMethodName[:60]}-{self.n}"
        return sfn.create_state_machine(name=name, definition=json.dumps(definition),
                                        roleArn=ROLE)["stateMachineArn"]

    def execute(self, machine, inp, sfn=None, timeout=30):
        sfn = sfn or self.sfn
        arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps(inp))["executionArn"]
        return self.wait(arn, sfn, timeout)

    def wait(self, arn, sfn=None, timeout=30):
        sfn = sfn or self.sfn
        deadline = time.time() + timeout
        while True:
            d = sfn.describe_execution(executionArn=arn)
            if d["status"] != "RUNNING":
                return d
            if time.time() > deadline:
                self.fail(f"{arn} still running after {timeout} s")
            time.sleep(0.02)

    def map_run_arn(self, execution_arn, sfn=None):
        sfn = sfn or self.sfn
        events = sfn.get_execution_history(executionArn=execution_arn)["events"]
        started = [e for e in events if e["type"] == "MapRunStarted"]
        self.assertEqual(len(started), 1, [e["type"] for e in events])
        return started[0]["mapRunStartedEventDetails"]["mapRunArn"]

    def children(self, map_run, sfn=None):
        sfn = sfn or self.sfn
        out, token = [], None
        while True:
            kw = {"nextToken": token} if token else {}
            page = sfn.list_executions(mapRunArn=map_run, maxResults=3, **kw)
            out += page["executions"]
            token = page.get("nextToken")
            if not token:
                return out

    def counts(self, d, key):
        c = d[key]
        return {k: c[k] for k in ("pending", "running", "succeeded", "failed", "timedOut",
                                  "aborted", "total", "resultsWritten")}


class DistributedMapTest(Base, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="stator-distmap-")
        cls.data = os.path.join(cls.tmp, "data")
        cls.server = Server("--time-scale", "0", "--data-dir", cls.data)
        cls.sfn = client(cls.server.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_standard_children_are_executions_of_their_map_run(self):
        machine = self.create(dmap({"P": {"Type": "Pass", "Parameters": {"v.$": "$.x"},
                                          "End": True}},
                                   Label="Lbl", MaxConcurrency=2,
                                   ItemSelector={"x.$": "$$.Map.Item.Value",
                                                 "i.$": "$$.Map.Item.Index"}))
        name = machine.rsplit(":", 1)[1]
        d = self.execute(machine, ["a", "b", "c", "d", "e"])
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"]), [{"v": x} for x in "abcde"])
        events = self.sfn.get_execution_history(executionArn=d["executionArn"])["events"]
        self.assertEqual([e["type"] for e in events],
                         ["ExecutionStarted", "MapStateEntered", "MapStateStarted",
                          "MapRunStarted", "MapRunSucceeded", "MapStateSucceeded",
                          "MapStateExited", "ExecutionSucceeded"])
        run = self.map_run_arn(d["executionArn"])
        self.assertRegex(run, "^" + PREFIX + "mapRun:" + name + "/Lbl:[0-9a-f-]{36}$")

        desc = self.sfn.describe_map_run(mapRunArn=run)
        self.assertEqual(desc["status"], "SUCCEEDED")
        self.assertEqual(desc["executionArn"], d["executionArn"])
        self.assertEqual(desc["maxConcurrency"], 2)
        self.assertEqual(desc["toleratedFailureCount"], 0)
        self.assertEqual(desc["toleratedFailurePercentage"], 0.0)
        self.assertLessEqual(desc["startDate"], desc["stopDate"])
        done = {"pending": 0, "running": 0, "succeeded": 5, "failed": 0, "timedOut": 0,
                "aborted": 0, "total": 5, "resultsWritten": 0}
        self.assertEqual(self.counts(desc, "itemCounts"), done)
        self.assertEqual(self.counts(desc, "executionCounts"), done)

        runs = self.sfn.list_map_runs(executionArn=d["executionArn"])["mapRuns"]
        self.assertEqual([(r["mapRunArn"], r["executionArn"], r["stateMachineArn"])
                          for r in runs],
                         [(run, d["executionArn"], PREFIX + "stateMachine:" + name + "/Lbl")])

        kids = self.children(run)  # paged, 3 per page
        self.assertEqual(len(kids), 5)
        self.assertEqual(len({k["executionArn"] for k in kids}), 5)
        inputs = []
        for k in kids:
            self.assertEqual(k["status"], "SUCCEEDED")
            self.assertEqual(k["mapRunArn"], run)
            self.assertEqual(k["stateMachineArn"], PREFIX + "stateMachine:" + name + "/Lbl")
            self.assertTrue(k["executionArn"].startswith(PREFIX + "execution:" + name + "/Lbl:"))
            c = self.sfn.describe_execution(executionArn=k["executionArn"])
            self.assertEqual(c["mapRunArn"], run)
            inputs.append(json.loads(c["input"]))
            self.assertEqual(json.loads(c["output"]), {"v": json.loads(c["input"])["x"]})
            h = self.sfn.get_execution_history(executionArn=k["executionArn"])["events"]
            self.assertEqual([e["type"] for e in h],
                             ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                              "ExecutionSucceeded"])
        self.assertEqual(sorted(inputs, key=lambda i: i["i"]),
                         [{"x": x, "i": i} for i, x in enumerate("abcde")])
        m = self.sfn.describe_state_machine_for_execution(executionArn=kids[0]["executionArn"])
        self.assertEqual(m["stateMachineArn"], PREFIX + "stateMachine:" + name + "/Lbl")
        self.assertEqual(m["mapRunArn"], run)
        self.assertEqual(m["label"], "Lbl")
        self.assertEqual(json.loads(m["definition"])["StartAt"], "P")
        # The children are not the parent machine's executions.
        listed = self.sfn.list_executions(stateMachineArn=machine)["executions"]
        self.assertEqual([e["executionArn"] for e in listed], [d["executionArn"]])
        self.assertNotIn("mapRunArn", listed[0])

    def test_max_concurrency_bounds_the_children_running_at_once(self):
        machine = self.create(dmap({"W": {"Type": "Wait", "Seconds": 10, "End": True}},
                                   start="W", MaxConcurrency=2))
        d = self.execute(machine, list(range(6)))
        self.assertEqual(d["status"], "SUCCEEDED", d)
        kids = self.children(self.map_run_arn(d["executionArn"]))
        spans = sorted((k["startDate"], k["stopDate"]) for k in kids)
        self.assertEqual(len(spans), 6)
        for start, stop in spans:
            overlapping = sum(1 for s, t in spans if s < stop and start < t)
            self.assertLessEqual(overlapping, 2, spans)
        # Without MaxConcurrency they all run at once (10 s of virtual time in all).
        machine = self.create(dmap({"W": {"Type": "Wait", "Seconds": 10, "End": True}},
                                   start="W"))
        d = self.execute(machine, list(range(6)))
        spans = [(k["startDate"], k["stopDate"])
                 for k in self.children(self.map_run_arn(d["executionArn"]))]
        self.assertEqual(max(s for s, _ in spans) < min(t for _, t in spans), True, spans)

    def test_tolerated_failure_count(self):
        items = [{"n": i, "fail": i in (1, 3)} for i in range(5)]
        machine = self.create(dmap(MAYBE_FAIL, ToleratedFailureCount=2))
        d = self.execute(machine, items)
        self.assertEqual(d["status"], "SUCCEEDED", d)
        out = json.loads(d["output"])
        self.assertEqual(out[0], {"ok": 0})
        self.assertEqual(out[1], {"Error": "Boom", "Cause": "failed item"})
        desc = self.sfn.describe_map_run(mapRunArn=self.map_run_arn(d["executionArn"]))
        self.assertEqual(desc["toleratedFailureCount"], 2)
        self.assertEqual(self.counts(desc, "itemCounts"),
                         {"pending": 0, "running": 0, "succeeded": 3, "failed": 2,
                          "timedOut": 0, "aborted": 0, "total": 5, "resultsWritten": 0})

        machine = self.create(dmap(MAYBE_FAIL, ToleratedFailureCount=1, MaxConcurrency=1))
        d = self.execute(machine, items)
        self.assertEqual(d["status"], "FAILED")
        self.assertEqual(d["error"], "States.ExceedToleratedFailureThreshold")
        self.assertEqual(d["cause"], "The specified tolerated failure threshold was exceeded")
        events = self.sfn.get_execution_history(executionArn=d["executionArn"])["events"]
        self.assertIn("MapRunFailed", [e["type"] for e in events])
        desc = self.sfn.describe_map_run(mapRunArn=self.map_run_arn(d["executionArn"]))
        self.assertEqual(desc["status"], "FAILED")
        # One at a time: the second failure (item 3) ends the run; item 4 never starts.
        self.assertEqual(self.counts(desc, "executionCounts"),
                         {"pending": 1, "running": 0, "succeeded": 2, "failed": 2,
                          "timedOut": 0, "aborted": 0, "total": 5, "resultsWritten": 0})

    def test_no_tolerance_fails_on_the_first_failure(self):
        machine = self.create(dmap(MAYBE_FAIL))
        d = self.execute(machine, [{"n": 0, "fail": False}, {"n": 1, "fail": True}])
        self.assertEqual((d["status"], d["error"]),
                         ("FAILED", "States.ExceedToleratedFailureThreshold"))

    def test_tolerated_failure_percentage(self):
        machine = self.create(dmap(MAYBE_FAIL, ToleratedFailurePercentage=50))
        half = [{"n": i, "fail": i % 2 == 0} for i in range(4)]
        d = self.execute(machine, half)
        self.assertEqual(d["status"], "SUCCEEDED", d)
        desc = self.sfn.describe_map_run(mapRunArn=self.map_run_arn(d["executionArn"]))
        self.assertEqual(desc["toleratedFailurePercentage"], 50.0)
        more = [{"n": i, "fail": i != 0} for i in range(4)]
        d = self.execute(machine, more)
        self.assertEqual((d["status"], d["error"]),
                         ("FAILED", "States.ExceedToleratedFailureThreshold"))

    def test_a_caught_map_run_failure(self):
        d = dmap(MAYBE_FAIL)
        d["States"]["M"]["Catch"] = [{"ErrorEquals": ["States.ExceedToleratedFailureThreshold"],
                                      "Next": "C"}]
        d["States"]["C"] = {"Type": "Pass", "End": True}
        r = self.execute(self.create(d), [{"n": 0, "fail": True}])
        self.assertEqual(r["status"], "SUCCEEDED")
        self.assertEqual(json.loads(r["output"])["Error"],
                         "States.ExceedToleratedFailureThreshold")

    def test_item_batcher_children_get_batches(self):
        machine = self.create(dmap(ECHO, ItemBatcher={"MaxItemsPerBatch": 2,
                                                      "BatchInput": {"tag.$": "$.t"}},
                                   ItemsPath="$.items"))
        d = self.execute(machine, {"t": "T", "items": [1, 2, 3, 4, 5]})
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"]),
                         [{"BatchInput": {"tag": "T"}, "Items": [1, 2]},
                          {"BatchInput": {"tag": "T"}, "Items": [3, 4]},
                          {"BatchInput": {"tag": "T"}, "Items": [5]}])
        desc = self.sfn.describe_map_run(mapRunArn=self.map_run_arn(d["executionArn"]))
        self.assertEqual((desc["itemCounts"]["total"], desc["itemCounts"]["succeeded"]), (5, 5))
        self.assertEqual((desc["executionCounts"]["total"],
                          desc["executionCounts"]["succeeded"]), (3, 3))

    def test_express_children_run_and_are_not_listed(self):
        machine = self.create(dmap({"P": {"Type": "Pass", "Parameters": {"d.$": "States.MathAdd($, 1)"},
                                          "End": True}}, execution_type="EXPRESS"))
        d = self.execute(machine, [1, 2, 3])
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"]), [{"d": 2}, {"d": 3}, {"d": 4}])
        run = self.map_run_arn(d["executionArn"])
        self.assertEqual(self.children(run), [])
        desc = self.sfn.describe_map_run(mapRunArn=run)
        self.assertEqual(desc["executionCounts"]["succeeded"], 3)

    def test_empty_input_is_a_map_run_with_no_children(self):
        d = self.execute(self.create(dmap(ECHO)), [])
        self.assertEqual((d["status"], d["output"]), ("SUCCEEDED", "[]"))
        desc = self.sfn.describe_map_run(mapRunArn=self.map_run_arn(d["executionArn"]))
        self.assertEqual((desc["status"], desc["itemCounts"]["total"]), ("SUCCEEDED", 0))

    def test_nested_distributed_maps(self):
        inner = dmap(ECHO)["States"]["M"]
        inner["ItemsPath"] = "$.xs"
        machine = self.create(dmap({"Inner": inner}, start="Inner"))
        d = self.execute(machine, [{"xs": [1, 2]}, {"xs": [3]}])
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"]), [[1, 2], [3]])
        outer = self.map_run_arn(d["executionArn"])
        kids = self.children(outer)
        self.assertEqual(len(kids), 2)
        inner_runs = self.sfn.list_map_runs(executionArn=kids[0]["executionArn"])["mapRuns"]
        self.assertEqual(len(inner_runs), 1)
        xs = json.loads(self.sfn.describe_execution(
            executionArn=kids[0]["executionArn"])["input"])["xs"]
        self.assertEqual(len(self.children(inner_runs[0]["mapRunArn"])), len(xs))

    def test_result_writer_writes_files_as_aws_lays_them_out(self):
        machine = self.create(dmap(MAYBE_FAIL, ToleratedFailureCount=5, ResultWriter={
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "results", "Prefix": "jobs/run"}}))
        items = [{"n": i, "fail": i == 2} for i in range(3)]
        d = self.execute(machine, items)
        self.assertEqual(d["status"], "SUCCEEDED", d)
        run = self.map_run_arn(d["executionArn"])
        run_id = run.rsplit(":", 1)[1]
        out = json.loads(d["output"])
        self.assertEqual(out, {"MapRunArn": run, "ResultWriterDetails": {
            "Bucket": "results", "Key": f"jobs/run/{run_id}/manifest.json"}})
        base = os.path.join(self.data, "map-results", "results", "jobs", "run", run_id)
        with open(os.path.join(base, "manifest.json")) as f:
            manifest = json.load(f)
        self.assertEqual(manifest["DestinationBucket"], "results")
        self.assertEqual(manifest["MapRunArn"], run)
        files = manifest["ResultFiles"]
        self.assertEqual(files["PENDING"], [])
        self.assertEqual([x["Key"] for x in files["SUCCEEDED"]],
                         [f"jobs/run/{run_id}/SUCCEEDED_0.json"])
        with open(os.path.join(base, "SUCCEEDED_0.json")) as f:
            ok = json.load(f)
        self.assertEqual(files["SUCCEEDED"][0]["Size"],
                         os.path.getsize(os.path.join(base, "SUCCEEDED_0.json")))
        self.assertEqual(sorted(json.loads(e["Output"])["ok"] for e in ok), [0, 1])
        for e in ok:
            self.assertEqual(e["Status"], "SUCCEEDED")
            self.assertTrue(e["ExecutionArn"].endswith(":" + e["Name"]))
            self.assertEqual(json.loads(e["Input"])["fail"], False)
        with open(os.path.join(base, "FAILED_0.json")) as f:
            failed = json.load(f)
        self.assertEqual([(e["Status"], e["Error"], e["Cause"]) for e in failed],
                         [("FAILED", "Boom", "failed item")])
        desc = self.sfn.describe_map_run(mapRunArn=run)
        self.assertEqual(desc["itemCounts"]["resultsWritten"], 3)
        self.assertEqual(desc["executionCounts"]["resultsWritten"], 3)

    def test_result_writer_parameters_from_paths_and_no_prefix(self):
        machine = self.create(dmap(ECHO, ItemsPath="$.items", ResultWriter={
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket.$": "$.bucket"}}))
        d = self.execute(machine, {"bucket": "from-input", "items": [1, 2]})
        self.assertEqual(d["status"], "SUCCEEDED", d)
        run = self.map_run_arn(d["executionArn"])
        run_id = run.rsplit(":", 1)[1]
        self.assertEqual(json.loads(d["output"])["ResultWriterDetails"],
                         {"Bucket": "from-input", "Key": f"{run_id}/manifest.json"})
        base = os.path.join(self.data, "map-results", "from-input", run_id)
        with open(os.path.join(base, "SUCCEEDED_0.json")) as f:
            self.assertEqual(sorted(json.loads(e["Output"]) for e in json.load(f)), [1, 2])
        self.assertFalse(os.path.exists(os.path.join(base, "FAILED_0.json")))
        # A bucket that would leave the results directory fails the Map Run.
        d = self.execute(machine, {"bucket": "../escape", "items": [1]})
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.ResultWriterFailed"))

    def test_item_reader_is_rejected_at_definition_time(self):
        d = dmap(ECHO, ItemReader={"Resource": "arn:aws:states:::s3:getObject",
                                   "ReaderConfig": {"InputType": "JSON"},
                                   "Parameters": {"Bucket": "b", "Key": "k.json"}})
        r = self.assertError("InvalidDefinition", None, self.sfn.create_state_machine,
                             name="reader", definition=json.dumps(d), roleArn=ROLE)
        message = r["Error"]["Message"]
        self.assertIn("ItemReader is not supported", message)
        self.assertIn("Amazon S3", message)
        self.assertIn("/States/M/ItemReader", message)
        v = self.sfn.validate_state_machine_definition(definition=json.dumps(d))
        self.assertEqual(v["result"], "FAIL")

    def test_express_children_follow_the_express_rules(self):
        d = dmap({"T": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync",
                        "Parameters": {"StateMachineArn": "x"}, "End": True}},
                 start="T", execution_type="EXPRESS")
        self.assertError(
            "InvalidDefinition",
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine "
            "does not support '.sync' service integration at "
            "/States/M/ItemProcessor/States/T/Resource'",
            self.sfn.create_state_machine, name="express-sync", definition=json.dumps(d),
            roleArn=ROLE)
        # Standard children may.
        d["States"]["M"]["ItemProcessor"]["ProcessorConfig"]["ExecutionType"] = "STANDARD"
        self.sfn.create_state_machine(name="standard-sync", definition=json.dumps(d),
                                      roleArn=ROLE)

    def test_map_run_api_errors(self):
        missing = PREFIX + "mapRun:nope/x:00000000-0000-0000-0000-000000000000"
        self.assertError("ResourceNotFound", None, self.sfn.describe_map_run, mapRunArn=missing)
        self.assertError("ResourceNotFound", None, self.sfn.list_executions, mapRunArn=missing)
        self.assertError("ResourceNotFound", None, self.sfn.update_map_run, mapRunArn=missing,
                         maxConcurrency=1)
        self.assertError("InvalidArn", None, self.sfn.describe_map_run,
                         mapRunArn=PREFIX + "stateMachine:x")
        self.assertError("ValidationException", None, self.sfn.update_map_run,
                         mapRunArn=missing, toleratedFailurePercentage=101)
        self.assertError("ExecutionDoesNotExist", None, self.sfn.list_map_runs,
                         executionArn=PREFIX + "execution:none:x")
        d = self.execute(self.create(dmap(ECHO)), [1])
        run = self.map_run_arn(d["executionArn"])
        self.assertError("ValidationException", None, self.sfn.update_map_run, mapRunArn=run,
                         maxConcurrency=3)

class RunningMapRunTest(Base, unittest.TestCase):
    """Map Runs observed while they run: UpdateMapRun, StopExecution of the parent (time 10x
    faster than real: a 10 s Wait takes 1 s)."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--time-scale", "0.1")
        cls.sfn = client(cls.server.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_stopping_the_parent_aborts_the_map_run_and_its_children(self):
        machine = self.create(dmap({"W": {"Type": "Wait", "Seconds": 10000, "End": True}},
                                   start="W", MaxConcurrency=2))
        arn = self.sfn.start_execution(stateMachineArn=machine, input="[1,2,3]")["executionArn"]
        deadline = time.time() + 20
        while True:
            runs = self.sfn.list_map_runs(executionArn=arn)["mapRuns"]
            if runs:
                desc = self.sfn.describe_map_run(mapRunArn=runs[0]["mapRunArn"])
                if desc["executionCounts"]["running"] == 2:
                    break
            self.assertLess(time.time(), deadline, "the children never started")
            time.sleep(0.02)
        self.assertEqual(desc["status"], "RUNNING")
        self.assertEqual(desc["executionCounts"]["pending"], 1)
        self.assertNotIn("stopDate", desc)
        self.sfn.stop_execution(executionArn=arn)
        run = runs[0]["mapRunArn"]
        deadline = time.time() + 20
        while True:
            desc = self.sfn.describe_map_run(mapRunArn=run)
            if desc["status"] != "RUNNING" and desc["executionCounts"]["running"] == 0:
                break
            self.assertLess(time.time(), deadline, desc)
            time.sleep(0.02)
        self.assertEqual(desc["status"], "ABORTED")
        self.assertEqual(desc["executionCounts"]["aborted"], 2)
        self.assertEqual(sorted(k["status"] for k in self.children(run)), ["ABORTED"] * 2)

    def test_raising_max_concurrency_starts_more_children(self):
        machine = self.create(dmap({"W": {"Type": "Wait", "Seconds": 10, "End": True}},
                                   start="W", MaxConcurrency=1))
        arn = self.sfn.start_execution(stateMachineArn=machine, input="[1,2,3,4]")["executionArn"]
        deadline = time.time() + 20
        while True:
            runs = self.sfn.list_map_runs(executionArn=arn)["mapRuns"]
            if runs:
                desc = self.sfn.describe_map_run(mapRunArn=runs[0]["mapRunArn"])
                if desc["executionCounts"]["running"] == 1:
                    break
            self.assertLess(time.time(), deadline)
            time.sleep(0.01)
        run = runs[0]["mapRunArn"]
        self.assertEqual(desc["executionCounts"]["pending"], 3)
        self.sfn.update_map_run(mapRunArn=run, maxConcurrency=4, toleratedFailureCount=7,
                                toleratedFailurePercentage=12.5)
        desc = self.sfn.describe_map_run(mapRunArn=run)
        self.assertEqual((desc["maxConcurrency"], desc["toleratedFailureCount"],
                          desc["toleratedFailurePercentage"]), (4, 7, 12.5))
        deadline = time.time() + 5
        while desc["executionCounts"]["running"] + desc["executionCounts"]["succeeded"] < 4:
            self.assertLess(time.time(), deadline, desc)
            time.sleep(0.01)
            desc = self.sfn.describe_map_run(mapRunArn=run)
        d = self.wait(arn)
        self.assertEqual(d["status"], "SUCCEEDED")
        # Server time (10 s a Wait): one at a time would take 40 s; raised to 4 at once, the
        # other three ran beside the first.
        self.assertLess((d["stopDate"] - d["startDate"]).total_seconds(), 25)


class MapRunRestartTest(Base, unittest.TestCase):
    """A Map Run in flight when the server is killed (SIGKILL) carries on after the restart:
    every child runs once, the parent gets every result, the Map Run is SUCCEEDED."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="stator-distmap-restart-")
        self.data = os.path.join(self.tmp, "data")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_kill_9_mid_map_run_and_restart(self):
        server = Server("--time-scale", "0.1", "--data-dir", self.data)
        sfn = client(server.endpoint)
        try:
            machine = self.create(dmap({"W": {"Type": "Wait", "Seconds": 10, "Next": "P"},
                                        "P": {"Type": "Pass", "Parameters": {"n.$": "$"},
                                              "End": True}},
                                       start="W", MaxConcurrency=3), sfn=sfn)
            arn = sfn.start_execution(stateMachineArn=machine,
                                      input=json.dumps(list(range(7))))["executionArn"]
            deadline = time.time() + 20
            while True:
                runs = sfn.list_map_runs(executionArn=arn)["mapRuns"]
                if runs and len(self.children(runs[0]["mapRunArn"], sfn)) == 3:
                    break
                self.assertLess(time.time(), deadline)
                time.sleep(0.01)
            run = runs[0]["mapRunArn"]
        finally:
            server.stop(signal.SIGKILL)
        server = Server("--time-scale", "0.1", "--data-dir", self.data)
        try:
            sfn = client(server.endpoint)
            d = self.wait(arn, sfn, timeout=60)
            self.assertEqual(d["status"], "SUCCEEDED", d)
            self.assertEqual(json.loads(d["output"]), [{"n": i} for i in range(7)])
            kids = self.children(run, sfn)
            self.assertEqual(len(kids), 7)
            self.assertEqual({k["status"] for k in kids}, {"SUCCEEDED"})
            inputs = sorted(json.loads(sfn.describe_execution(
                executionArn=k["executionArn"])["input"]) for k in kids)
            self.assertEqual(inputs, list(range(7)))
            desc = sfn.describe_map_run(mapRunArn=run)
            self.assertEqual(desc["status"], "SUCCEEDED")
            self.assertEqual(desc["itemCounts"]["succeeded"], 7)
            events = sfn.get_execution_history(executionArn=arn)["events"]
            self.assertEqual([e["type"] for e in events].count("MapRunStarted"), 1)
            self.assertEqual([r["mapRunArn"] for r in sfn.list_map_runs(
                executionArn=arn)["mapRuns"]], [run])
        finally:
            server.stop()


if __name__ == "__main__":
    ctest_unittest.main()
