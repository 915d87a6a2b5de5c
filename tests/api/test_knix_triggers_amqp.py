"""KNIX's AMQP triggers (issue 15 §5) over HTTP with `requests` against a real `stator serve` and
a real broker: each message published to the trigger's exchange with a matching routing key runs
the associated deployed workflow once, with KNIX's event ({"trigger_status": "ready",
"trigger_type": "amqp", "trigger_name", "workflow_name", "source": the routing key, "data": the
body}); deleting the association stops it; a broker that goes away sends one "error" event and
the consumer reconnects when it is back; a restarted server consumes again. Without a broker: an
amqp_addr that is not a URL, or a broker that does not answer, shows in getTriggerDetails'
trigger_status/status_msg, and the management API stays quick. On two nodes of a cluster
(PostgreSQL too) each message runs the workflow once, the nodes competing for the one queue.

The broker is a throwaway rabbitmq-server started by scripts/rabbitmq.sh on ephemeral ports with
its state in a temporary directory; messages are published with amqp_publish (tests/api,
rabbitmq-c; $AMQP_PUBLISH). The tests that need it are marked @needs: Skipped, saying why, when
rabbitmq-server is not installed; when it is installed and does not start, they fail.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from knix_client import Knix, KnixTestCase, unique  # noqa: E402
from stator_server import Server  # noqa: E402

import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)
from ctest_unittest import needs  # noqa: E402
from test_cluster import Node, fresh_database, postgres_missing  # noqa: E402
from test_knix_triggers import counter, settled, single, wait_for  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RABBITMQ_SH = os.path.join(ROOT, "scripts", "rabbitmq.sh")

# Counts the events it gets under counter <status>-<trigger name> and keeps the last one.
COUNTER = '''
import json
def handle(event, context):
    tag = event.get("trigger_status", "none") + "-" + event.get("trigger_name", "direct")
    context.incrementCounter(tag, 1)
    context.put("last-" + tag, json.dumps(event))
    context.put("got-" + tag + "-" + event.get("data", ""), json.dumps(event))
    print("amqp event " + tag + " " + event.get("data", ""))
    return event
'''


def rabbitmq_missing():
    if not os.path.exists("/usr/lib/rabbitmq/bin/rabbitmq-server"):
        return "rabbitmq-server is not installed (Debian's rabbitmq-server; scripts/setup.sh)"
    return None


def rabbitmq_or_postgres_missing():
    return rabbitmq_missing() or postgres_missing()


def details(user, name):
    return user.ok("getTriggerDetails", {"trigger_names": [name]})["trigger_details"][name]


def amqp(addr, exchange, routing_key, **extra):
    return dict({"trigger_type": "amqp", "amqp_addr": addr, "routing_key": routing_key,
                 "exchange": exchange}, **extra)


def publish(url, exchange, routing_key, *bodies, declare=None):
    tool = os.environ.get("AMQP_PUBLISH")
    if not tool or not os.path.exists(tool):
        raise AssertionError("AMQP_PUBLISH does not name the amqp_publish helper (built with the "
                             "tests: cmake --build build --target amqp_publish)")
    args = [tool, url, exchange, routing_key] + (["--declare", declare] if declare else [])
    subprocess.run(args + list(bodies), check=True, timeout=30)


class Broker:
    """A throwaway rabbitmq-server (scripts/rabbitmq.sh) whose state is a temporary directory."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="stator-rabbitmq-")
        self.url = None
        self.start()

    def start(self):
        out = subprocess.run([RABBITMQ_SH, "start", self.dir], capture_output=True, text=True,
                             timeout=120)
        if out.returncode != 0:
            raise AssertionError(f"rabbitmq-server is installed but did not start "
                                 f"(scripts/rabbitmq.sh, exit {out.returncode}): {out.stderr}")
        self.url = out.stdout.strip().splitlines()[-1]

    def stop(self):
        subprocess.run([RABBITMQ_SH, "stop", self.dir], check=False, timeout=60)

    def remove(self):
        subprocess.run([RABBITMQ_SH, "remove", self.dir], check=False, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class BadAddressTest(KnixTestCase):
    """No broker: the trigger's details say what is wrong, and nothing waits on it."""

    def test_bad_amqp_addr_shows_an_error_without_hanging(self):
        u = self.user
        fn = u.add_function(unique("amqpbad"), COUNTER)["name"]
        wf, _ = u.deploy_workflow(unique("amqpbadwf"), single(fn))
        # Not an AMQP URL: an error at once, associated or not.
        u.ok("addTrigger", {"trigger_name": "nourl", "trigger_info": amqp("http://x/", "e", "k")})
        d = details(u, "nourl")
        self.assertEqual((d["trigger_status"], d["trigger_type"]), ("error", "amqp"))
        self.assertIn("not an AMQP URL", d["status_msg"])
        # Nobody listens on the port: once associated, the consumer says it cannot connect.
        addr = f"amqp://guest:guest@127.0.0.1:{closed_port()}/%2f"
        started = time.monotonic()
        answer = u.ok("addTrigger", {"trigger_name": "down", "trigger_info": amqp(addr, "e", "k")})
        self.assertIn("Trigger created successfully", answer["message"])
        idle = details(u, "down")
        self.assertEqual(idle["trigger_status"], "ready")
        self.assertIn("no deployed workflow is associated", idle["status_msg"])
        u.ok("addTriggerForWorkflow", {"trigger_name": "down", "workflow_name": wf["name"]})
        d = wait_for("the error status",
                     lambda: (lambda d: d if d["trigger_status"] == "error" else None)(
                         details(u, "down")))
        self.assertIn("cannot connect to the broker at 127.0.0.1", d["status_msg"])
        self.assertEqual(d["trigger_count"], 0)
        # Every management call above answered promptly (none waits for a connection).
        self.assertLess(time.monotonic() - started, 10.0)
        began = time.monotonic()
        u.ok("deleteTriggerForWorkflow", {"trigger_name": "down", "workflow_name": wf["name"]})
        u.ok("deleteTrigger", {"trigger_name": "down"})
        u.ok("deleteTrigger", {"trigger_name": "nourl"})
        self.assertLess(time.monotonic() - began, 2.0)
        self.assertEqual(details(u, "down")["trigger_status"], "non_existent")
        self.assertEqual(counter(u, "ready-down") + counter(u, "error-down"), 0)


@needs("rabbitmq-server (a throwaway AMQP broker)", rabbitmq_missing)
class BrokerTest(unittest.TestCase):
    """One broker and one server (on a data directory, restarted by a test) for the class."""

    @classmethod
    def setUpClass(cls):
        cls.broker = Broker()
        cls.tmp = tempfile.mkdtemp(prefix="stator-knix-amqp-")
        cls.data = os.path.join(cls.tmp, "data")
        cls.server = None
        try:
            cls.email = unique("amqp") + "@example.com"
            cls.server = Server("--time-scale", "0", "--data-dir", cls.data)
            Knix(cls.server.endpoint).sign_up(cls.email)
            cls.user = Knix(cls.server.endpoint).log_in(cls.email)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def start_server(cls):
        cls.server = Server("--time-scale", "0", "--data-dir", cls.data)
        cls.user = Knix(cls.server.endpoint).log_in(cls.email)

    @classmethod
    def tearDownClass(cls):
        if cls.server is not None:
            cls.server.stop()
        cls.broker.remove()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def deploy_counter(self, prefix):
        fn = self.user.add_function(unique(prefix), COUNTER)["name"]
        return self.user.deploy_workflow(unique(prefix + "wf"), single(fn))[0]

    def ready(self, name):
        return wait_for(f"trigger {name} to be consuming",
                        lambda: (lambda d: d if d["trigger_status"] == "ready"
                                 and d["status_msg"] == "" else None)(details(self.user, name)))

    def test_each_message_runs_the_workflow_once_until_dissociated(self):
        u = self.user
        wf = self.deploy_counter("amqpmsg")
        exchange = unique("ex")
        publish(self.broker.url, exchange, "x", declare="topic")  # the publisher's exchange
        u.ok("addTrigger", {"trigger_name": "m",
                            "trigger_info": amqp(self.broker.url, exchange, "orders.*")})
        u.ok("addTriggerForWorkflow", {"trigger_name": "m", "workflow_name": wf["name"]})
        self.ready("m")
        publish(self.broker.url, exchange, "orders.new", *[f"m{i}" for i in range(5)])
        publish(self.broker.url, exchange, "refunds.new", "not for this trigger")
        wait_for("5 executions", lambda: counter(u, "ready-m") >= 5)
        self.assertEqual(settled(u, "ready-m"), 5)  # one execution per message
        for i in range(5):  # (the executions run at once: each message's event is kept apart)
            event = json.loads(u.stored("kv", "getdata", key=f"got-ready-m-m{i}")["value"])
            self.assertEqual(event, {"trigger_status": "ready", "trigger_type": "amqp",
                                     "trigger_name": "m", "workflow_name": wf["name"],
                                     "source": "orders.new", "data": f"m{i}"})
        d = details(u, "m")
        self.assertEqual((d["trigger_count"], d["trigger_type"]), (5, "amqp"))
        self.assertEqual(d["associated_workflows"][0]["workflow_name"], wf["name"])
        wait_for("the executions' log lines",
                 lambda: u.logs(wf["id"])["log"].count("amqp event ready-m") >= 5)

        # Dissociated: the consumer goes (its auto-delete queue with it); nothing runs.
        u.ok("deleteTriggerForWorkflow", {"trigger_name": "m", "workflow_name": wf["name"]})
        wait_for("the consumer to stop",
                 lambda: "not connected" in details(u, "m")["status_msg"])
        publish(self.broker.url, exchange, "orders.new", "late1", "late2")
        time.sleep(1.5)
        self.assertEqual(counter(u, "ready-m"), 5)
        self.assertEqual(details(u, "m")["trigger_count"], 5)  # kept while the trigger exists
        # Associated again at a named state: consumes again.
        u.ok("addTriggerForWorkflow", {"trigger_name": "m", "workflow_name": wf["name"],
                                       "workflow_state": "only"})
        self.ready("m")
        publish(self.broker.url, exchange, "orders.again", "m5")
        wait_for("the next execution", lambda: counter(u, "ready-m") >= 6)
        # Undeployed: the consumer stops; deleted: gone.
        u.undeploy(wf["id"])
        wait_for("the consumer to stop at the undeploy",
                 lambda: "not connected" in details(u, "m")["status_msg"])
        u.ok("deleteTrigger", {"trigger_name": "m"})
        self.assertEqual(details(u, "m")["trigger_status"], "non_existent")
        self.assertEqual(settled(u, "ready-m"), 6)
        self.assertEqual(counter(u, "error-m"), 0)

    def test_broker_outage_and_server_restart(self):
        cls = type(self)
        wf = self.deploy_counter("amqpout")
        exchange = unique("exo")
        publish(self.broker.url, exchange, "x", declare="direct")
        self.user.ok("addTrigger", {"trigger_name": "o",
                                    "trigger_info": amqp(self.broker.url, exchange, "k",
                                                         with_ack=True)})
        self.user.ok("addTriggerForWorkflow", {"trigger_name": "o", "workflow_name": wf["name"]})
        self.ready("o")
        publish(self.broker.url, exchange, "k", "before")
        wait_for("a first execution", lambda: counter(self.user, "ready-o") >= 1)

        # The broker goes away: one "error" event (KNIX's), the status says why.
        self.broker.stop()
        wait_for("the error event", lambda: counter(self.user, "error-o") >= 1)
        event = json.loads(self.user.stored("kv", "getdata", key="last-error-o")["value"])
        self.assertEqual((event["trigger_status"], event["trigger_type"], event["trigger_name"],
                          event["workflow_name"], event["source"]),
                         ("error", "amqp", "o", wf["name"], ""))
        self.assertTrue(event["data"].startswith("Error: "), event)
        self.assertEqual(details(self.user, "o")["trigger_status"], "error")

        # Back (its exchange is not durable: the publisher declares it again): consuming again.
        self.broker.start()
        publish(self.broker.url, exchange, "x", declare="direct")
        self.ready("o")
        self.assertEqual(counter(self.user, "error-o"), 1)
        publish(self.broker.url, exchange, "k", "after outage")
        wait_for("an execution after the outage", lambda: counter(self.user, "ready-o") >= 2)

        # The server restarts: the consumer is re-armed from the records.
        self.assertEqual(cls.server.stop(), 0)
        cls.server = None
        cls.start_server()
        self.user = cls.user
        self.ready("o")
        publish(self.broker.url, exchange, "k", "after restart")
        wait_for("an execution after the restart", lambda: counter(self.user, "ready-o") >= 3)
        self.assertEqual(settled(self.user, "ready-o"), 3)
        self.user.ok("deleteTrigger", {"trigger_name": "o"})

    def setUp(self):
        self.user = type(self).user


@needs("rabbitmq-server and PostgreSQL (STATOR_TEST_POSTGRES)", rabbitmq_or_postgres_missing)
class ClusterTest(unittest.TestCase):
    """Two nodes on one database consume from the trigger's one queue: each message runs the
    workflow once in the cluster (competing consumers), whichever node takes it."""

    def test_each_message_runs_once_across_two_nodes(self):
        broker = Broker()
        self.addCleanup(broker.remove)
        uri = fresh_database(self)
        a, b = Node(uri, 10), Node(uri, 10)
        for node in (a, b):
            self.addCleanup(node.stop)
        email = unique("amqpcluster") + "@example.com"
        Knix(a.endpoint).sign_up(email)
        on_a, on_b = Knix(a.endpoint).log_in(email), Knix(b.endpoint).log_in(email)
        fn = on_a.add_function(unique("amqpc"), COUNTER)["name"]
        wf, _ = on_a.deploy_workflow(unique("amqpcwf"), single(fn))
        exchange = unique("exc")
        publish(broker.url, exchange, "x", declare="fanout")
        on_a.ok("addTrigger", {"trigger_name": "c", "trigger_info": amqp(broker.url, exchange, "")})
        on_b.ok("addTriggerForWorkflow", {"trigger_name": "c", "workflow_name": wf["name"]})
        for user in (on_a, on_b):  # b at once, a within its rescan
            wait_for("both nodes to consume",
                     lambda: (lambda d: d["trigger_status"] == "ready" and d["status_msg"] == "")(
                         details(user, "c")))
        publish(broker.url, exchange, "any", *[f"c{i}" for i in range(20)])
        wait_for("20 executions", lambda: counter(on_a, "ready-c") >= 20)
        self.assertEqual(settled(on_a, "ready-c"), 20)
        counts = [details(user, "c")["trigger_count"] for user in (on_a, on_b)]
        self.assertEqual(sum(counts), 20, counts)  # each message taken by one node
        self.assertTrue(all(counts), counts)  # the broker spread them over both
        on_a.ok("deleteTrigger", {"trigger_name": "c"})


if __name__ == "__main__":
    ctest_unittest.main()
