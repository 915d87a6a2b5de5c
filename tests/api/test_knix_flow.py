"""KNIX's dataflow extensions (issue 15 §2) over HTTP with `requests` against a real
`stator serve`: SAND static fan-out and `next: []`, an error in one branch failing the
workflow, dynamic next (add_workflow_next / add_dynamic_workflow / get_dynamic_workflow) limited
to PotentialNext, send_to_function_now with and without AllowImmediateMessages, the
"dynamic parallel execution group" pattern (fan-out from user code, fan-in through a counter),
WaitForNumBranches (each join's result retrievable in turn), and the KNIX keys the dialect
refuses on nested states.
"""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from knix_client import KnixTestCase, execute, result, unique  # noqa: E402

import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

TAG = '''
import time
def handle(event, context):
    if not isinstance(event, dict):
        return event
    time.sleep(event.get("sleep_%(name)s", 0))
    if event.get("fail") == "%(name)s":
        int("not a number")
    if "counter" in event:
        context.incrementCounter(event["counter"], 1)
    return dict(event, path=event.get("path", []) + ["%(name)s"])
'''

DRIVER = '''
def handle(event, context):
    for i in range(event["n"]):
        context.add_workflow_next("worker", {"i": i, "counter": event["counter"],
                                             "done": event["done"], "n": event["n"]})
    context.add_dynamic_workflow([{"next": "worker", "value": {"i": 100, "counter":
                                   event["counter"], "done": event["done"], "n": event["n"]}}])
    routes = [t["next"] for t in context.get_dynamic_workflow()]
    errors = []
    for bad in ("final", "nowhere"):
        try:
            context.add_workflow_next(bad, {})
        except Exception as e:
            errors.append([type(e).__name__, str(e)])
    try:
        context.send_to_function_now("worker", {})
    except Exception as e:
        errors.append([type(e).__name__, str(e)])
    try:
        context.add_dynamic_workflow({"next": "worker"})
    except Exception as e:
        errors.append([type(e).__name__, str(e)])
    context.put(event["done"] + "-driver", str({"routes": routes, "errors": errors}))
    return "the driver routes nowhere: this is not a result"
'''

# A mapper of the fan-out/fan-in pattern: the last one to finish (the counter reaches n + 1)
# routes the sum to the reducer; every other one routes nowhere.
WORKER = '''
def handle(event, context):
    context.incrementCounter(event["done"] + "-sum", event["i"])
    context.incrementCounter(event["done"], 1)
    if context.getCounterValue(event["done"]) == event["n"] + 1:
        context.add_workflow_next("final", {"sum": context.getCounterValue(event["done"] + "-sum"),
                                            "driver": context.get(event["done"] + "-driver")})
    return None
'''

FINAL = '''
def handle(event, context):
    return {"final": event}
'''

IMMEDIATE = '''
def handle(event, context):
    try:
        context.send_to_function_now("side", {"marker": event["marker"]})
        sent = "sent"
    except Exception as e:
        sent = [type(e).__name__, str(e)]
    try:
        context.send_to_function_now("nowhere", {})
    except Exception as e:
        missing = [type(e).__name__, str(e)]
    return {"sent": sent, "missing": missing}
'''

SIDE = '''
def handle(event, context):
    context.put(event["marker"], "side ran")
    return None
'''


FAILING = '''
def handle(event, context):
    context.incrementCounter(event["counter"], 1)
    if event["kind"] == "value":
        raise ValueError("does not like this value")
    if event["kind"] == "plain":
        raise Exception("States.All")
    raise KeyError("unlisted")
'''

FALLBACK = '''
def handle(event, context):
    context.put("fallback-" + event, "fallback ran with " + event)
    return "fallback result"
'''


class KnixFlowTest(KnixTestCase):

    def setUp(self):
        self.user = self.knix.new_user("flow")

    def functions(self, **codes):
        """Adds each function (name -> code) under a unique name; returns name -> unique name."""
        names = {}
        for name, code in codes.items():
            names[name] = self.user.add_function(unique(name), code)["name"]
        return names

    def deploy(self, definition):
        return self.user.deploy_workflow(unique("flowwf"), definition)

    def run_ok(self, url, event):
        r = execute(url, event)
        self.assertEqual(r.status_code, 200, r.text)
        return r.json()

    def test_sand_fan_out_and_next_empty(self):
        # KNIX's tests/workflow_error_handling: state_0 fans out to a chain that delivers the
        # result and to state_1, whose `next: []` ends its branch.
        fn = self.functions(**{f"f{i}": TAG % {"name": f"f{i}"} for i in range(4)})
        wf, url = self.deploy({"name": "fan", "entry": "s0", "functions": [
            {"name": "s0", "resource": fn["f0"], "next": ["s2", "s1"]},
            {"name": "s1", "resource": fn["f1"], "next": []},
            {"name": "s2", "resource": fn["f2"], "next": ["s3"]},
            {"name": "s3", "resource": fn["f3"], "next": ["end"]}]})
        counter = unique("fan")
        out = self.run_ok(url, {"counter": counter, "sleep_f2": 0.2})
        self.assertEqual(out, {"counter": counter, "sleep_f2": 0.2,
                               "path": ["f0", "f2", "f3"]})
        # Every branch ran: f0, f1, f2, f3 each counted once (s1 may finish after the answer).
        self.assertTrue(self.wait_for_counter(counter, 4))

        # An error in the branch that delivers nothing fails the workflow (KNIX's
        # test_error_frontend_propagation): it comes before the chain's result.
        r = execute(url, {"counter": unique("fanerr"), "fail": "f1", "sleep_f2": 1})
        self.assertEqual(r.json(), {"has_error": True,
                                    "error_type": "User code exception: ValueError"})
        # The chain's function still running when the error came does not go on, and the logs
        # say so as KNIX's do.
        stopped = [line for line in self.user.logs(wf["id"])["log"].splitlines()
                   if "Not continuing because workflow execution has been stopped..." in line]
        self.assertEqual(len(stopped), 1, stopped)
        self.assertIn("[s2]", stopped[0])

    def wait_for_counter(self, name, value, tries=200):
        import time
        for _ in range(tries):
            got = self.user.stored("counter", "getcounter", countername=name)["countervalue"]
            if got == value:
                return True
            time.sleep(0.05)
        return False

    def test_dynamic_next_fan_out_and_fan_in(self):
        fn = self.functions(driver=DRIVER, worker=WORKER, final=FINAL)
        wf, url = self.deploy({"StartAt": "driver", "States": {
            "driver": {"Type": "Task", "Resource": fn["driver"], "PotentialNext": ["worker"]},
            "worker": {"Type": "Task", "Resource": fn["worker"], "PotentialNext": ["final"]},
            "final": {"Type": "Task", "Resource": fn["final"], "End": True}}})
        done = unique("dyn")
        out = self.run_ok(url, {"n": 5, "counter": unique("unused"), "done": done})
        # 0+1+2+3+4 + 100 from add_dynamic_workflow.
        self.assertEqual(out["final"]["sum"], 110)
        driver = eval(out["final"]["driver"])  # the driver's report, put before it returned
        self.assertEqual(driver["routes"], ["worker"] * 6)
        workflow = "MicroFunctionsWorkflowException"
        self.assertEqual(driver["errors"], [
            [workflow, "\nWorkflow does not match generated 'next': final"],
            [workflow, "\nWorkflow does not match generated 'next': nowhere"],
            [workflow, "\nDestination is not in workflow: worker\nCan only send an immediate "
                       "trigger message to an existing function or the workflow end."],
            [workflow, "Malformed dynamic trigger definition; 'next' and 'value' must be "
                       "present in the trigger dict()."]])

    def test_send_to_function_now(self):
        fn = self.functions(entry=IMMEDIATE, side=SIDE)
        states = {"entry": {"Type": "Task", "Resource": fn["entry"], "End": True},
                  "side": {"Type": "Task", "Resource": fn["side"]}}
        wf, url = self.deploy({"StartAt": "entry", "AllowImmediateMessages": True,
                               "States": states})
        marker = unique("now")
        out = self.run_ok(url, {"marker": marker})
        self.assertEqual(out["sent"], "sent")
        self.assertEqual(out["missing"], [
            "MicroFunctionsWorkflowException",
            "\nDestination is not in workflow: nowhere\nCan only send an immediate trigger "
            "message to an existing function or the workflow end."])
        import time
        for _ in range(200):
            if self.user.stored("kv", "getdata", key=marker)["value"] == "side ran":
                break
            time.sleep(0.05)
        self.assertEqual(self.user.stored("kv", "getdata", key=marker)["value"], "side ran")

        # Without AllowImmediateMessages the call is refused.
        wf, url = self.deploy({"StartAt": "entry", "States": states})
        out = self.run_ok(url, {"marker": unique("never")})
        self.assertEqual(out["sent"][0], "MicroFunctionsWorkflowException")
        self.assertIn("Destination is not in workflow: side", out["sent"][1])

    def test_wait_for_num_branches(self):
        # KNIX's tests/asl_KNIX_flags wf_asl_parallel_waitfornumbranches.json, shortened: the
        # next state runs when 2 of 3 branches are done (the slow one null), then again at 3.
        fn = self.functions(**{n: TAG % {"name": n} for n in ("before", "b1", "b2", "b3",
                                                              "after")})

        def branch(name):
            return {"StartAt": name, "States": {
                name: {"Type": "Task", "Resource": fn[name], "End": True}}}

        wf, url = self.deploy({"StartAt": "before", "States": {
            "before": {"Type": "Task", "Resource": fn["before"], "Next": "par"},
            "par": {"Type": "Parallel", "Next": "after", "WaitForNumBranches": [2, 3],
                    "Branches": [branch("b1"), branch("b2"), branch("b3")]},
            "after": {"Type": "Task", "Resource": fn["after"], "End": True}}})
        slow = {"sleep_b1": 1.0}

        def tagged(name):  # a branch's output (the `after` task passes the list on as it is)
            return {**slow, "path": ["before", name]}

        partial = [None, tagged("b2"), tagged("b3")]
        full = [tagged("b1"), tagged("b2"), tagged("b3")]
        # Each join's result: the first retrieval waits for the first join, the next for the
        # second; the stored output is the last.
        eid = execute(url, slow, params={"async": "True"}).text
        self.assertEqual(result(url, eid).json(), partial)
        self.assertEqual(result(url, eid).json(), full)
        self.assertEqual(result(url, eid).json(), full)
        # A sync call answers with the first join.
        self.assertEqual(self.run_ok(url, slow), partial)

    def test_knix_retry_and_catch(self):
        # KNIX's error model (tests/asl_Retry, asl_Catch): matched by message or class name.
        fn = self.functions(failing=FAILING, fallback=FALLBACK)
        wf, url = self.deploy({"StartAt": "t", "States": {"t": {
            "Type": "Task", "Resource": fn["failing"], "End": True,
            "Retry": [{"ErrorEquals": ["ValueError"], "MaxAttempts": 3},
                      {"ErrorEquals": ["States.All"], "MaxAttempts": 2,
                       "IntervalSeconds": 100},
                      {"ErrorEquals": ["KeyError"]}]}}})  # KNIX's default MaxAttempts: 1
        for kind, attempts, message in (("value", 4, "does not like this value"),
                                        ("plain", 3, "States.All"),  # its message matches
                                        ("other", 2, "'unlisted'")):  # retried once
            counter = unique("retry")
            out = self.run_ok(url, {"kind": kind, "counter": counter})
            self.assertEqual(out, {"Error": message,
                                   "Cause": "Error not caught by MFn ASL Workflow retryer"})
            self.assertEqual(self.user.stored("counter", "getcounter",
                                              countername=counter)["countervalue"], attempts)

        wf, url = self.deploy({"StartAt": "t", "States": {
            "t": {"Type": "Task", "Resource": fn["failing"], "End": True,
                  "Catch": [{"ErrorEquals": ["ValueError", "States.All"], "Next": "fallback",
                             "ResultPath": "$.error"}]},
            "fallback": {"Type": "Task", "Resource": fn["fallback"], "End": True}}})
        counter = unique("catch")
        out = self.run_ok(url, {"kind": "value", "counter": counter})
        self.assertEqual(out, {"kind": "value", "counter": counter, "error": {
            "Error": "does not like this value",
            "Cause": "this error caught by MFn ASL Workflow catcher!"}})
        # The catcher's Next ran too, with the message as its input.
        import time
        for _ in range(200):
            if self.user.stored("kv", "getdata", key="fallback-does not like this value")[
                    "value"]:
                break
            time.sleep(0.05)
        self.assertEqual(
            self.user.stored("kv", "getdata", key="fallback-does not like this value")["value"],
            "fallback ran with does not like this value")
        # No catcher names the error: the workflow fails.
        r = execute(url, {"kind": "other", "counter": counter})
        self.assertEqual(r.json(), {"has_error": True,
                                    "error_type": "User code exception: KeyError"})

    def test_payloads_over_step_functions_quota(self):
        # KNIX has no 256 KiB payload quota (KNIX's dynamic_parallel_execution_groups sends
        # more): the KNIX dialect's limit is a function invocation's, 6 MiB.
        fn = self.functions(t=TAG % {"name": "t"})
        wf, url = self.deploy({"StartAt": "a", "States": {
            "a": {"Type": "Task", "Resource": fn["t"], "End": True}}})
        big = "x" * (1024 * 1024)
        self.assertEqual(self.run_ok(url, {"big": big}), {"big": big, "path": ["t"]})
        r = execute(url, {"big": "x" * (7 * 1024 * 1024)})
        self.assertTrue(r.json().get("has_error"), r.text[:200])

    def test_nested_knix_keys_fail_to_deploy(self):
        fn = self.functions(t=TAG % {"name": "t"})
        wf = self.user.add_workflow(unique("nested"), {"StartAt": "p", "States": {
            "p": {"Type": "Parallel", "End": True, "Branches": [{"StartAt": "a", "States": {
                "a": {"Type": "Task", "Resource": fn["t"], "PotentialNext": ["b"],
                      "End": True},
                "b": {"Type": "Task", "Resource": fn["t"], "End": True}}}]}}})
        message = self.user.fail("deployWorkflow", {"workflow": {"id": wf["id"]}})
        self.assertIn("KNIX's 'PotentialNext' is supported on top-level states only at "
                      "/States/p/Branches/0/States/a/PotentialNext", message)


if __name__ == "__main__":
    ctest_unittest.main()
