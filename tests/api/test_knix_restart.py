"""KNIX state survives a restart (issue 13 §1: everything persists in the store): a server with
--data-dir is stopped with SIGTERM while an async execution runs, and a new server on the same
data directory serves the same users (password and old token), functions (code, zip,
requirements, the Lambda functions), workflows (still deployed, their endpoints answering),
execution results, stored data, triggers and buckets. Passwords and tokens are not on disk in
clear.
"""

import json
import os
import shutil
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from knix_client import Knix, b64, execute, result, unique  # noqa: E402
from stator_server import Server, lambda_client, make_zip  # noqa: E402

import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

ECHO = ("def handle(event, context):\n"
        "    print('echo saw', event)\n"
        "    return event\n")
SLEEPER = ("import time\n"
           "def handle(event, context):\n"
           "    time.sleep(event['sleep'])\n"
           "    return {'slept': event['sleep'], 'tag': event['tag']}\n")
READER = ("import os\n"
          "def handle(event, context):\n"
          "    with open(os.path.join(os.path.dirname(__file__), 'kept.txt')) as f:\n"
          "        return {'event': event, 'file': f.read()}\n")
PASSWORD = "correct horse battery staple"


def chain(*resources):
    states = {}
    for i, resource in enumerate(resources):
        states[f"s{i}"] = {"Type": "Task", "Resource": resource}
        if i + 1 < len(resources):
            states[f"s{i}"]["Next"] = f"s{i + 1}"
        else:
            states[f"s{i}"]["End"] = True
    return {"StartAt": "s0", "States": states}


class RestartTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="stator-knix-restart-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.data = os.path.join(self.tmp, "data")

    def start(self):
        server = Server("--time-scale", "0", "--data-dir", self.data)
        self.addCleanup(server.stop)  # (a no-op once stopped)
        return server

    def snapshot(self, user, fids, wids):
        """What the user sees, endpoints aside (they name the server's port)."""
        workflows = []
        for w in sorted(user.workflows(), key=lambda w: w["id"]):
            workflows.append({k: v for k, v in w.items() if k != "endpoints"})
        return {
            "functions": sorted(user.functions(), key=lambda f: f["id"]),
            "workflows": workflows,
            "code": {fid: user.code(fid) for fid in fids},
            "zip": {fid: user.zip_metadata(fid) for fid in fids},
            "requirements": {fid: user.ok("getFunctionRequirements", {"function": {"id": fid}})
                             for fid in fids},
            "json": {wid: user.workflow_json(wid) for wid in wids},
            "kv": user.stored("kv", "getdata", key="k")["value"],
            "private": user.stored("kv", "getdata", workflow_id=wids[0], key="p")["value"],
            "map": user.stored("map", "retrievemap", mapname="m")["mapentries"],
            "set": user.stored("set", "retrieveset", setname="s")["items"],
            "counter": user.stored("counter", "getcounter", countername="c")["countervalue"],
            "triggers": user.ok("getTriggerDetails", {"trigger_names": []})["trigger_details"],
            "buckets": user.ok("getTriggerableBuckets")["buckets"],
        }

    def test_everything_survives_a_restart(self):
        server = self.start()
        knix = Knix(server.endpoint)
        email = unique("keeper") + "@example.com"
        knix.sign_up(email, PASSWORD, "Keeper")
        user = knix.log_in(email, PASSWORD)
        echo = user.add_function(unique("keptecho"), ECHO)
        sleeper = user.add_function(unique("keptsleeper"), SLEEPER)
        reader = user.add_function(unique("keptreader"))
        package = make_zip({f"{reader['name']}.py": READER, "kept.txt": "from the zip",
                            "pad.bin": os.urandom(1024 * 1024)})  # two chunks
        self.assertEqual(len(user.upload_zip(reader["id"], reader["name"], package)), 2)
        unused = user.add_function(unique("keptunused"))
        user.ok("uploadFunctionRequirements", {"function": {"id": unused["id"],
                                                            "requirements": b64("six\n")}})
        wf, _ = user.deploy_workflow("kept", chain(echo["name"], reader["name"]))
        slow, slow_url = user.deploy_workflow("kept sleeper", chain(sleeper["name"]))
        idle = user.add_workflow("kept undeployed", chain(echo["name"]))
        user.stored("kv", "putdata", key="k", value="kept value")
        user.stored("kv", "putdata", workflow_id=wf["id"], key="p", value="kept private")
        user.stored("map", "putmapentry", mapname="m", key="mk", value="mv")
        user.stored("set", "addsetentry", setname="s", item="si")
        user.stored("counter", "createcounter", countername="c", countervalue=9)
        user.ok("addTrigger", {"trigger_name": "kept-timer", "trigger_info": {
            "trigger_type": "timer", "timer_interval_ms": 5000}})
        user.ok("addTriggerableBucket", {"bucketname": "kept-bucket"})
        user.ok("addStorageTriggerForWorkflow", {"bucketname": "kept-bucket",
                                                 "workflowname": "kept"})
        fids = [echo["id"], sleeper["id"], reader["id"], unused["id"]]
        wids = [wf["id"], slow["id"], idle["id"]]
        before = self.snapshot(user, fids, wids)

        url = user.workflow(wf["id"])["endpoints"][0]
        finished = execute(url, {"n": 1}, params={"async": "True"}).text
        expected = {"event": {"n": 1}, "file": "from the zip"}
        self.assertEqual(result(url, finished).json(), expected)
        logs_before = user.logs(wf["id"])["log"]
        self.assertIn("echo saw {'n': 1}", logs_before)
        running = execute(slow_url, {"sleep": 1.0, "tag": "across"}, params={"async": "True"}).text
        self.assertEqual(result(slow_url, running, asynchronous=True).json(),
                         {"executionId": running, "result": None})
        self.assertEqual(server.stop(), 0)

        # Neither the password nor a token is on disk in clear.
        for root, _, files in os.walk(self.data):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    content = f.read()
                self.assertNotIn(PASSWORD.encode(), content, name)
                self.assertNotIn(user.token.encode(), content, name)

        server = self.start()
        old = Knix(server.endpoint, user.token)  # the token from before the restart
        self.assertEqual(self.snapshot(old, fids, wids), before)
        again = Knix(server.endpoint).log_in(email, PASSWORD)
        self.assertEqual(again.functions(), old.functions())
        self.assertEqual(Knix(server.endpoint).fail("logIn", {"user": {
            "email": email, "password": PASSWORD + "!"}}),
            "Authentication failed; wrong username and/or password.")
        self.assertEqual(again.download_zip(reader["id"])[0], package)

        status = {w["id"]: w for w in again.workflows()}
        self.assertEqual({wid: status[wid]["status"] for wid in wids},
                         {wf["id"]: "deployed", slow["id"]: "deployed", idle["id"]: "undeployed"})
        url = status[wf["id"]]["endpoints"][0]
        slow_url = status[slow["id"]]["endpoints"][0]
        for u in (url, slow_url):
            self.assertTrue(u.startswith(server.endpoint + "/"), u)
        # The workflow's log lines too (kept in the store).
        self.assertEqual(again.logs(wf["id"])["log"], logs_before)
        self.assertEqual(execute(url, {"n": 2}).json(), {"event": {"n": 2}, "file": "from the zip"})
        self.assertEqual(result(url, finished).json(), expected)
        self.assertEqual(result(slow_url, running).json(), {"slept": 1.0, "tag": "across"})

        lam = lambda_client(server.endpoint)
        names = {f["FunctionName"] for f in lam.list_functions()["Functions"]}
        self.assertLessEqual({echo["name"], sleeper["name"], reader["name"], unused["name"]},
                             names)
        out = lam.invoke(FunctionName=reader["name"], Payload=b'{"via": "lambda"}')
        self.assertEqual(json.loads(out["Payload"].read()),
                         {"event": {"via": "lambda"}, "file": "from the zip"})
        # Still managed: undeploy and delete work on the restarted server.
        again.undeploy(slow["id"])
        again.ok("deleteWorkflow", {"workflow": {"id": slow["id"]}})
        self.assertEqual(execute(slow_url, {"sleep": 0, "tag": "x"}).status_code, 404)


if __name__ == "__main__":
    ctest_unittest.main()
