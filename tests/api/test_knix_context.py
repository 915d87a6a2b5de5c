"""The KNIX function context's data layer (issue 15 §4) over HTTP with `requests` against a
real `stator serve`: a KNIX workflow's function puts and reads kv, map, set and counter entries
through its context (platform calls over the function runtime's channel); the same data seen
through performStorageAction; the user's and the workflow's private scope kept apart; a
counter incremented by 8 concurrent executions; pipelined writes seen by the function's later
reads and by the next state, and a failing one raised at the next call that waits. (Calls per
second: bench/knix_context_bench.py.)
"""

import os
import sys
import threading

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from knix_client import KnixTestCase, execute, unique  # noqa: E402

import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

DATA = '''
def handle(event, context):
    p = event.get("private", False)
    tag = event["tag"]
    context.put("k-" + tag, "v-" + tag, is_private=p)
    context.createMap("m", is_private=p)
    context.putMapEntry("m", "a", "1", is_private=p)
    context.putMapEntry("m", "b", tag, is_private=p)
    context.createSet("s", is_private=p)
    context.addSetEntry("s", "x", is_private=p)
    context.addSetEntry("s", tag, is_private=p)
    created = context.createCounter("c", 5, is_private=p)
    inc = context.incrementCounter("c", 3, is_private=p)
    dec = context.decrementCounter("c", 1, is_private=p)
    return {
        "get": context.get("k-" + tag, is_private=p),
        "missing": context.get("nope", is_private=p),
        "keys": context.getKeys(is_private=p),
        "map": context.retrieveMap("m", is_private=p),
        "mapentry": context.getMapEntry("m", "b", is_private=p),
        "mapkeys": sorted(context.getMapKeys("m", is_private=p)),
        "contains": [context.containsMapKey("m", "a", is_private=p),
                     context.containsMapKey("m", "zz", is_private=p)],
        "maps": context.getMapNames(is_private=p),
        "set": sorted(context.retrieveSet("s", is_private=p)),
        "inset": context.containsSetItem("s", "x", is_private=p),
        "sets": context.getSetNames(is_private=p),
        "counter": [created, inc, dec, context.getCounterValue("c", is_private=p)],
        "created": context.createCounter("c2", 2, is_private=p),
        "counters": context.getCounterNames(is_private=p),
    }
'''

COUNT = '''
def handle(event, context):
    for _ in range(event["n"]):
        context.incrementCounter("shared", 1)
    return context.getCounterValue("shared")
'''

QUEUED = '''
def handle(event, context):
    context.put("q", "queued " + event["tag"], is_queued=True)
    context.put("gone", "x")
    context.delete("gone", is_queued=True)
    context.incrementCounter("qc", 5, is_queued=True)
    context.addSetEntry("qs", event["tag"], is_queued=True)
    seen = {"q": context.get("q"), "gone": context.get("gone"),
            "qc": context.getCounterValue("qc"), "qs": sorted(context.retrieveSet("qs"))}
    if event.get("fail"):
        raise ValueError("failing after queued writes")
    return seen
'''

# Many writes, each sent without waiting (pipelined), then reads: in the same invocation and
# in the next state. More than two windows of the runtime's backpressure (2 x 512).
MANY = '''
def handle(event, context):
    n, t = event["n"], event["tag"]
    maps = [m + t for m in ("pm", "pm1", "pm2", "pm3")]
    for i in range(n):
        context.put("k" + t, str(i))
        context.incrementCounter("pc" + t, 1)
        for m in maps:
            context.putMapEntry(m, str(i), str(i), is_private=True)
    pm = context.retrieveMap(maps[0], is_private=True)
    seen = {"k": context.get("k" + t), "pc": context.getCounterValue("pc" + t),
            "pm": len(pm), "pm7": pm["7"]}
    for i in range(n):  # after the last read: only the next state can see these
        context.addSetEntry("ps" + t, str(i % 5))
        context.decrementCounter("pc" + t, 2)
    for m in maps:  # n entries each: the server's longest writes, last
        context.deleteMap(m, is_private=True)
    context.put("done" + t, "yes")
    return {"n": n, "tag": t, "seen": seen}
'''

AFTER = '''
def handle(event, context):
    t = event["tag"]
    out = {"done": context.get("done" + t), "pm": context.getMapNames(is_private=True)}
    out.update({"seen": event["seen"], "k": context.get("k" + t),
                "pc": context.getCounterValue("pc" + t),
                "ps": sorted(context.retrieveSet("ps" + t))})
    return out
'''

# A pipelined write that fails (a counter leaving the 64-bit range) raises at the next call
# the function waits for; the writes sent between the two are not applied.
FAILING = '''
def handle(event, context):
    tag = event["tag"]
    context.put("queued-" + tag, "q", is_queued=True)
    context.incrementCounter("big-" + tag, 9223372036854775807)
    context.incrementCounter("big-" + tag, 1)
    context.put("dropped-" + tag, "x")
    try:
        context.get("dropped-" + tag)
        caught = None
    except Exception as e:
        caught = [type(e).__name__, str(e)]
    context.put("later-" + tag, "y")
    if event.get("fail_at_end"):
        context.incrementCounter("big-" + tag, 1)  # nothing waits after it: the end raises
    return caught
'''

BAD = '''
def handle(event, context):
    try:
        context.put(1, "x")
    except Exception as e:
        return type(e).__name__
'''


def single(fn):
    return {"Comment": "one task", "StartAt": fn,
            "States": {fn: {"Type": "Task", "Resource": fn, "End": True}}}


class ContextDataLayerTest(KnixTestCase):

    def setUp(self):
        self.user = self.knix.new_user("ctx")

    def deploy(self, code, prefix):
        fn = self.user.add_function(unique(prefix), code)["name"]
        wf, url = self.user.deploy_workflow(unique(prefix + "wf"), single(fn))
        return wf, url

    def run_ok(self, url, event):
        r = execute(url, event)
        self.assertEqual(r.status_code, 200, r.text)
        return r.json()

    def test_kv_map_set_counter_and_storage_actions(self):
        u = self.user
        wf, url = self.deploy(DATA, "ctxdata")
        out = self.run_ok(url, {"tag": "t1"})
        self.assertEqual(out, {
            "get": "v-t1", "missing": "", "keys": ["k-t1"], "map": {"a": "1", "b": "t1"},
            "mapentry": "t1", "mapkeys": ["a", "b"], "contains": [True, False], "maps": ["m"],
            "set": ["t1", "x"], "inset": True, "sets": ["s"], "counter": [None, None, None, 7],
            "created": None, "counters": ["c", "c2"]})
        # The same data through performStorageAction (the user's storage).
        self.assertEqual(u.stored("kv", "getdata", key="k-t1")["value"], "v-t1")
        self.assertEqual(u.stored("map", "retrievemap", mapname="m")["mapentries"],
                         {"a": "1", "b": "t1"})
        self.assertEqual(sorted(u.stored("set", "retrieveset", setname="s")["items"]),
                         ["t1", "x"])
        self.assertEqual(u.stored("counter", "getcounter", countername="c")["countervalue"], 7)
        # And back: written by the management API, read by the function.
        u.stored("kv", "putdata", key="k-t1", value="from api")
        u.stored("counter", "incrementcounter", countername="c", increment=10)
        again = self.run_ok(url, {"tag": "t1"})
        # 17 + 3 - 1 (createCounter changed nothing: the counter held 17).
        self.assertEqual(again["counter"], [None, None, None, 19])
        self.assertEqual(again["get"], "v-t1")  # the function put it again before reading

    def test_private_scope_is_the_workflows(self):
        u = self.user
        wf, url = self.deploy(DATA, "ctxpriv")
        out = self.run_ok(url, {"tag": "p", "private": True})
        self.assertEqual(out["get"], "v-p")
        self.assertEqual(out["counter"], [None, None, None, 7])
        # Not in the user's storage; in the workflow's.
        self.assertIsNone(u.stored("kv", "getdata", key="k-p")["value"])
        self.assertEqual(u.stored("kv", "listkeys", start=0, count=100)["keylist"], [])
        self.assertEqual(u.stored("kv", "getdata", workflow_id=wf["id"], key="k-p")["value"],
                         "v-p")
        self.assertEqual(u.stored("counter", "getcounter", workflow_id=wf["id"],
                                  countername="c")["countervalue"], 7)
        # A shared run of the same workflow does not see the private entries.
        shared = self.run_ok(url, {"tag": "s"})
        self.assertEqual(shared["keys"], ["k-s"])
        self.assertEqual(shared["counter"], [None, None, None, 7])

    def test_counter_is_atomic_under_8_concurrent_executions(self):
        u = self.user
        wf, url = self.deploy(COUNT, "ctxcount")
        n = 50
        results, errors = [], []

        def run():
            try:
                r = execute(url, {"n": n})
                if r.status_code != 200:
                    errors.append(r.text)
                else:
                    results.append(r.json())
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))

        threads = [threading.Thread(target=run) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(results), 8)
        self.assertEqual(u.stored("counter", "getcounter", countername="shared")["countervalue"],
                         8 * n)
        self.assertEqual(max(results), 8 * n)  # the last to finish saw every increment

    def test_queued_writes_apply_only_when_the_function_succeeds(self):
        u = self.user
        wf, url = self.deploy(QUEUED, "ctxqueue")
        r = execute(url, {"tag": "f", "fail": True})
        self.assertEqual(r.json(), {"has_error": True,
                                    "error_type": "User code exception: ValueError"})
        # The failed run's queued writes are not applied; its immediate put is.
        self.assertIsNone(u.stored("kv", "getdata", key="q")["value"])
        self.assertEqual(u.stored("kv", "getdata", key="gone")["value"], "x")
        self.assertEqual(u.stored("counter", "getcounter", countername="qc")["countervalue"], 0)
        self.assertEqual(u.stored("set", "retrieveset", setname="qs")["items"], [])
        # A successful run: get() saw its own queued put and delete (as in KNIX), the other
        # reads the stored state; once it returned, every queued write is applied.
        seen = self.run_ok(url, {"tag": "ok"})
        self.assertEqual(seen, {"q": "queued ok", "gone": "", "qc": 0, "qs": []})
        self.assertEqual(u.stored("kv", "getdata", key="q")["value"], "queued ok")
        self.assertIsNone(u.stored("kv", "getdata", key="gone")["value"])
        self.assertEqual(u.stored("counter", "getcounter", countername="qc")["countervalue"], 5)
        self.assertEqual(u.stored("set", "retrieveset", setname="qs")["items"], ["ok"])

    def test_pipelined_writes_are_seen_by_later_reads_and_the_next_state(self):
        u = self.user
        a = self.user.add_function(unique("ctxmany"), MANY)["name"]
        b = self.user.add_function(unique("ctxafter"), AFTER)["name"]
        wf, url = self.user.deploy_workflow(unique("ctxmanywf"), {
            "StartAt": a, "States": {a: {"Type": "Task", "Resource": a, "Next": b},
                                     b: {"Type": "Task", "Resource": b, "End": True}}})
        n = 1500
        for tag in ("a", "b", "c"):  # the first runs cold, the others on warm instances
            out = self.run_ok(url, {"n": n, "tag": tag})
            self.assertEqual(out["seen"], {"k": str(n - 1), "pc": n, "pm": n, "pm7": "7"})
            self.assertEqual(out["done"], "yes")
            self.assertEqual(out["pm"], [])
            self.assertEqual(out["k"], str(n - 1))
            self.assertEqual(out["pc"], n - 2 * n)
            self.assertEqual(out["ps"], ["0", "1", "2", "3", "4"])
            self.assertEqual(
                u.stored("counter", "getcounter", countername="pc" + tag)["countervalue"], -n)

    def test_a_failing_pipelined_write_raises_at_the_next_awaited_call(self):
        u = self.user
        wf, url = self.deploy(FAILING, "ctxfail")
        caught = self.run_ok(url, {"tag": "a"})
        self.assertEqual(caught[0], "MicroFunctionsDataLayerException")
        self.assertIn("incrementCounter failed", caught[1])
        self.assertIn("64-bit range", caught[1])
        self.assertIsNone(u.stored("kv", "getdata", key="dropped-a")["value"])
        self.assertEqual(u.stored("kv", "getdata", key="later-a")["value"], "y")
        self.assertEqual(u.stored("kv", "getdata", key="queued-a")["value"], "q")
        # A failure nothing waited for fails the invocation at its end: its queued writes
        # are not applied (the writes before the failure are).
        r = execute(url, {"tag": "b", "fail_at_end": True})
        self.assertEqual(r.json(), {"has_error": True, "error_type":
                                    "User code exception: MicroFunctionsDataLayerException"})
        self.assertEqual(u.stored("kv", "getdata", key="later-b")["value"], "y")
        self.assertIsNone(u.stored("kv", "getdata", key="queued-b")["value"])
        self.assertEqual(u.stored("counter", "getcounter", countername="big-b")["countervalue"],
                         9223372036854775807)

    def test_bad_arguments_raise_knix_exception(self):
        wf, url = self.deploy(BAD, "ctxbad")
        self.assertEqual(self.run_ok(url, {}), "MicroFunctionsDataLayerException")



if __name__ == "__main__":
    ctest_unittest.main()
