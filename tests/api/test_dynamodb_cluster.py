"""DynamoDB on a cluster: three `stator serve --store postgresql://...` nodes, started at the same
moment, share one PostgreSQL database (docs/dynamodb.md, "PostgreSQL and the cluster"), and any
node answers for any table with boto3:

- a table created on one node is described and listed on the others; a table deleted on one is
  gone on the others, and one recreated under its name is the new, empty table;
- 3 nodes x 50 concurrent UpdateItem ADDs on one item all succeed and add up to 150;
- a conditional PutItem (attribute_not_exists) raced from the three nodes has exactly one
  winner, round after round;
- TransactWriteItems from two nodes moving units between items of two tables (listed in
  opposite orders) stay atomic: the total read by TransactGetItems on the third node never
  changes, and the end state counts every transaction that succeeded;
- items written on one node are queried on another in sort-key order, both ways and by page.

Every test needs a PostgreSQL server (STATOR_TEST_POSTGRES, set by `scripts/postgres.sh run`,
which scripts/test.sh uses): without it ctest lists api_dynamodb_cluster as Skipped, saying
why. The class makes a database of its own on that server (psql) and drops it afterwards.
"""

import os
import shutil
import subprocess
import sys
import threading
import unittest
import uuid

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from stator_server import Server, dynamodb_client  # noqa: E402

import botocore.exceptions  # noqa: E402
import ctest_unittest  # noqa: E402
from ctest_unittest import needs  # noqa: E402

NODES = 3


def postgres_missing():
    if not os.environ.get("STATOR_TEST_POSTGRES"):
        return ("STATOR_TEST_POSTGRES is not set (run the tests through scripts/postgres.sh run "
                "..., as scripts/test.sh does)")
    return None


def psql(uri, sql):
    exe = shutil.which("psql") or "/usr/bin/psql"
    subprocess.run([exe, "-v", "ON_ERROR_STOP=1", "-q", "-d", uri, "-c", sql], check=True,
                   capture_output=True, text=True, timeout=60)


def with_database(uri, name):
    """The connection URI `uri` with its database replaced by `name`."""
    scheme, rest = uri.split("://", 1)
    authority, _, path = rest.partition("/")
    _, q, query = path.partition("?")
    return f"{scheme}://{authority}/{name}{q}{query}"


def error_code(fn, *args, **kw):
    """The error code of a boto3 call that fails, None when it succeeds."""
    try:
        fn(*args, **kw)
        return None
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]


def run_threads(targets):
    threads = [threading.Thread(target=t) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    if any(t.is_alive() for t in threads):
        raise AssertionError("a client thread did not finish in 300 s")


@needs("a PostgreSQL server", postgres_missing)
class DynamoDbClusterTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        server_uri = os.environ["STATOR_TEST_POSTGRES"]
        cls.database = "ddb_cluster_" + uuid.uuid4().hex[:12]
        psql(server_uri, f"CREATE DATABASE {cls.database}")
        cls.uri = with_database(server_uri, cls.database)
        # All at once: the schema setup of nodes starting together is race-safe.
        cls.nodes = [None] * NODES
        errors = []

        def start(i):
            try:
                cls.nodes[i] = Server("--store", cls.uri)
            except Exception as e:  # noqa: BLE001 (reported below)
                errors.append(e)

        run_threads([lambda i=i: start(i) for i in range(NODES)])
        if errors:
            cls.tearDownClass()
            raise errors[0]

    @classmethod
    def tearDownClass(cls):
        for node in cls.nodes:
            if node is not None:
                node.stop()
        psql(os.environ["STATOR_TEST_POSTGRES"],
             f"DROP DATABASE IF EXISTS {cls.database} WITH (FORCE)")

    def client(self, i):
        return dynamodb_client(self.nodes[i].endpoint)

    def create(self, node, name, range_type=None):
        keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
        defs = [{"AttributeName": "pk", "AttributeType": "S"}]
        if range_type:
            keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
            defs.append({"AttributeName": "sk", "AttributeType": range_type})
        self.client(node).create_table(TableName=name, KeySchema=keys, AttributeDefinitions=defs,
                                       BillingMode="PAY_PER_REQUEST")

    def table_names(self, node):
        names, start = [], None
        while True:
            kw = {"ExclusiveStartTableName": start} if start else {}
            r = self.client(node).list_tables(Limit=100, **kw)
            names += r["TableNames"]
            start = r.get("LastEvaluatedTableName")
            if not start:
                return names

    def test_table_created_on_one_node_is_described_and_listed_on_the_others(self):
        self.create(0, "created-on-a", "N")
        for node in (1, 2):
            d = self.client(node).describe_table(TableName="created-on-a")["Table"]
            self.assertEqual(d["TableStatus"], "ACTIVE")
            self.assertEqual(d["KeySchema"][1], {"AttributeName": "sk", "KeyType": "RANGE"})
            self.assertIn("created-on-a", self.table_names(node))
        # Names stay unique across nodes.
        self.assertEqual(error_code(self.create, 2, "created-on-a"), "ResourceInUseException")
        self.client(1).tag_resource(
            ResourceArn=d["TableArn"], Tags=[{"Key": "team", "Value": "b"}])
        self.assertEqual(self.client(0).list_tags_of_resource(ResourceArn=d["TableArn"])["Tags"],
                         [{"Key": "team", "Value": "b"}])

    def test_concurrent_adds_from_three_nodes_add_up(self):
        self.create(0, "counters")
        failures = []

        def adds(node):
            c = self.client(node)
            for _ in range(10):
                try:
                    c.update_item(TableName="counters", Key={"pk": {"S": "hits"}},
                                  UpdateExpression="ADD n :one",
                                  ExpressionAttributeValues={":one": {"N": "1"}})
                except Exception as e:  # noqa: BLE001 (counted)
                    failures.append(repr(e))

        # 5 clients per node x 10 ADDs = 50 per node, 150 in all, all at once.
        run_threads([lambda n=n: adds(n) for n in range(NODES) for _ in range(5)])
        self.assertEqual(failures, [])
        for node in range(NODES):
            item = self.client(node).get_item(TableName="counters", Key={"pk": {"S": "hits"}})
            self.assertEqual(item["Item"]["n"], {"N": "150"})

    def test_conditional_put_raced_from_three_nodes_has_one_winner(self):
        self.create(1, "race")
        clients = [self.client(n) for n in range(NODES)]
        for round_ in range(10):
            barrier = threading.Barrier(NODES)
            outcomes = []

            def put(node):
                barrier.wait()
                outcomes.append(error_code(
                    clients[node].put_item, TableName="race",
                    Item={"pk": {"S": f"r{round_}"}, "winner": {"N": str(node)}},
                    ConditionExpression="attribute_not_exists(pk)"))

            run_threads([lambda n=n: put(n) for n in range(NODES)])
            self.assertEqual(sorted(outcomes, key=lambda o: o or ""),
                             [None] + ["ConditionalCheckFailedException"] * (NODES - 1),
                             f"round {round_}")
            winners = {clients[n].get_item(TableName="race", Key={"pk": {"S": f"r{round_}"}},
                                           ConsistentRead=True)["Item"]["winner"]["N"]
                       for n in range(NODES)}
            self.assertEqual(len(winners), 1, f"round {round_}: nodes disagree: {winners}")

    def test_transact_write_items_from_two_nodes_stay_atomic(self):
        self.create(0, "accounts-a")
        self.create(0, "accounts-b")
        start = 30
        c = self.client(0)
        c.put_item(TableName="accounts-a", Item={"pk": {"S": "x"}, "n": {"N": str(start)}})
        c.put_item(TableName="accounts-b", Item={"pk": {"S": "y"}, "n": {"N": "0"}})
        take = {"Update": {"TableName": "accounts-a", "Key": {"pk": {"S": "x"}},
                           "UpdateExpression": "SET n = n - :one", "ConditionExpression": "n > :zero",
                           "ExpressionAttributeValues": {":one": {"N": "1"}, ":zero": {"N": "0"}}}}
        give = {"Update": {"TableName": "accounts-b", "Key": {"pk": {"S": "y"}},
                           "UpdateExpression": "ADD n :one",
                           "ExpressionAttributeValues": {":one": {"N": "1"}}}}
        done = threading.Event()
        succeeded, cancelled, other, sums = [], [], [], []

        def move(node, items):
            cl = self.client(node)
            for _ in range(20):
                code = error_code(cl.transact_write_items, TransactItems=items)
                (succeeded if code is None else
                 cancelled if code == "TransactionCanceledException" else other).append(code)

        def watch():
            cl = self.client(2)
            while not done.is_set():
                r = cl.transact_get_items(TransactItems=[
                    {"Get": {"TableName": "accounts-a", "Key": {"pk": {"S": "x"}}}},
                    {"Get": {"TableName": "accounts-b", "Key": {"pk": {"S": "y"}}}}])
                sums.append(sum(int(x["Item"]["n"]["N"]) for x in r["Responses"]))

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            # Node 0 lists table a first, node 1 table b first: locks are taken in name order.
            run_threads([lambda: move(0, [take, give]), lambda: move(1, [give, take]),
                         lambda: move(0, [take, give]), lambda: move(1, [give, take])])
        finally:
            done.set()
            watcher.join(timeout=60)
        self.assertEqual(other, [])
        self.assertEqual(len(succeeded), start)  # 80 attempts, 30 units to move
        self.assertEqual(len(cancelled), 80 - start)
        self.assertTrue(sums)
        self.assertEqual(set(sums), {start})
        for node in range(NODES):
            cl = self.client(node)
            x = cl.get_item(TableName="accounts-a", Key={"pk": {"S": "x"}})["Item"]["n"]["N"]
            y = cl.get_item(TableName="accounts-b", Key={"pk": {"S": "y"}})["Item"]["n"]["N"]
            self.assertEqual((x, y), ("0", str(start)))

    def test_delete_table_on_one_node_is_seen_on_the_others(self):
        self.create(0, "short-lived", "S")
        a, b = self.client(0), self.client(1)
        a.put_item(TableName="short-lived", Item={"pk": {"S": "p"}, "sk": {"S": "old"}})
        self.assertEqual(b.describe_table(TableName="short-lived")["Table"]["ItemCount"], 1)
        b.delete_table(TableName="short-lived")
        self.assertNotIn("short-lived", self.table_names(0))
        self.assertEqual(error_code(a.describe_table, TableName="short-lived"),
                         "ResourceNotFoundException")
        self.assertEqual(error_code(a.put_item, TableName="short-lived",
                                    Item={"pk": {"S": "p"}, "sk": {"S": "x"}}),
                         "ResourceNotFoundException")
        # Recreated under the same name on A: B sees the new table, without the old items.
        self.create(0, "short-lived", "S")
        a.put_item(TableName="short-lived", Item={"pk": {"S": "p"}, "sk": {"S": "new"}})
        items = b.query(TableName="short-lived", KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "p"}})["Items"]
        self.assertEqual([i["sk"]["S"] for i in items], ["new"])
        self.assertEqual(self.client(2).describe_table(TableName="short-lived")["Table"]["ItemCount"],
                         1)

    def test_items_written_on_one_node_are_queried_on_another_in_sort_key_order(self):
        self.create(0, "ordered", "N")
        a, b = self.client(0), self.client(1)
        keys = ["10", "-3", "2.5", "0", "100", "-0.5", "7", "42"]
        for i, k in enumerate(keys):
            a.put_item(TableName="ordered", Item={"pk": {"S": "p"}, "sk": {"N": k},
                                                  "i": {"N": str(i)}})
        a.put_item(TableName="ordered", Item={"pk": {"S": "other"}, "sk": {"N": "1"}})
        a.delete_item(TableName="ordered", Key={"pk": {"S": "p"}, "sk": {"N": "7"}})
        want = sorted((k for k in keys if k != "7"), key=float)
        q = dict(TableName="ordered", KeyConditionExpression="pk = :p",
                 ExpressionAttributeValues={":p": {"S": "p"}})
        self.assertEqual([i["sk"]["N"] for i in b.query(**q)["Items"]], want)
        self.assertEqual([i["sk"]["N"] for i in b.query(ScanIndexForward=False, **q)["Items"]],
                         want[::-1])
        c = self.client(2)
        got, start = [], None
        while True:
            kw = {"ExclusiveStartKey": start} if start else {}
            r = c.query(Limit=3, **q, **kw)
            got += [i["sk"]["N"] for i in r["Items"]]
            start = r.get("LastEvaluatedKey")
            if not start:
                break
        self.assertEqual(got, want)


if __name__ == "__main__":
    ctest_unittest.main()
