"""The embedded DynamoDB, tested differentially: the same boto3 calls go to a real `stator serve`
and to moto's DynamoDB (`python3 -m moto.server`), and must give the same items, the same return
values and the same errors (code and message). moto is only the oracle here; stator never uses
it. Where moto differs from AWS, the AWS behaviour is asserted against stator alone (see the
comments naming the difference). These tests need moto in the Python that runs them: without
it they show as Skipped in ctest (entry api_dynamodb_needs_moto, tests/ctest_unittest.py).

Also: tables and items survive a restart with the same --data-dir, every write acknowledged to
concurrent clients survives a crash (SIGKILL) and restart, and state machines use the DynamoDB
Task integrations (dynamodb:putItem/getItem/updateItem, aws-sdk:dynamodb:query), in memory and
with a data dir (where a task completes only once its write is durable).
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from botocore.exceptions import ClientError  # noqa: E402

from stator_server import ACCOUNT, REGION, Server, client, dynamodb_client  # noqa: E402
import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def moto_missing():
    """None when moto's server can run in this Python, else why not (the probe of @needs)."""
    try:
        import moto.server  # noqa: F401
    except ImportError as e:
        return f"{sys.executable} cannot import moto.server ({e}); moto is the oracle of " \
               "these tests only, never a dependency of stator"
    return None


class Moto:
    """moto's server on a free port (the test oracle)."""

    def __init__(self):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.endpoint = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("moto server exited")
                time.sleep(0.2)
        raise RuntimeError("moto server did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=15)


ddb = dynamodb_client


# Response members compared between stator and moto (the rest, such as ConsumedCapacity or
# ResponseMetadata, is not part of the contract).
COMPARED = ("Item", "Items", "Attributes", "Count", "ScannedCount", "LastEvaluatedKey",
            "Responses", "UnprocessedItems", "UnprocessedKeys", "TableNames",
            "LastEvaluatedTableName")


def outcome(fn, c):
    try:
        r = fn(c)
    except ClientError as e:
        err = e.response["Error"]
        out = {"error": err.get("Code"), "message": err.get("Message")}
        for extra in ("CancellationReasons", "Item"):
            if extra in e.response:
                out[extra] = e.response[extra]
        return out
    return {k: v for k, v in r.items() if k in COMPARED}


def sort_items(r):
    if "Items" in r:
        r = dict(r)
        r["Items"] = sorted(r["Items"], key=lambda i: json.dumps(i, sort_keys=True, default=str))
    return r


KEYS_HR = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
ATTRS_HR = [{"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"}]


@ctest_unittest.needs("moto (the DynamoDB oracle)", moto_missing)
class DynamoDbDifferentialTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stator = Server()
        cls.moto = Moto()
        cls.s = ddb(cls.stator.endpoint)
        cls.m = ddb(cls.moto.endpoint)
        cls.both = (cls.s, cls.m)

    @classmethod
    def tearDownClass(cls):
        cls.stator.stop()
        cls.moto.stop()

    def same(self, fn, unordered=False):
        """Runs fn against both servers; asserts the same outcome; returns stator's."""
        a = outcome(fn, self.s)
        b = outcome(fn, self.m)
        if unordered:
            a, b = sort_items(a), sort_items(b)
        self.assertEqual(a, b)
        return a

    def stator_only(self, fn):
        return outcome(fn, self.s)

    def create(self, name, keys, defs, **kw):
        for c in self.both:
            c.create_table(TableName=name, KeySchema=keys, AttributeDefinitions=defs,
                           BillingMode="PAY_PER_REQUEST", **kw)

    # --- tables --------------------------------------------------------------------------

    def test_tables(self):
        self.same(lambda c: c.create_table(
            TableName="tt-a", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}) and {})
        self.same(lambda c: c.create_table(
            TableName="tt-a", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST"))
        self.same(lambda c: c.create_table(
            TableName="tt-b", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                                  {"AttributeName": "x", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST"))
        self.same(lambda c: c.create_table(
            TableName="tt-b", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}]))
        for c in self.both:
            d = c.describe_table(TableName="tt-a")["Table"]
            self.assertEqual(d["TableStatus"], "ACTIVE")
            self.assertEqual(d["KeySchema"], [{"AttributeName": "id", "KeyType": "HASH"}])
            self.assertEqual(d["ProvisionedThroughput"]["ReadCapacityUnits"], 5)
            self.assertEqual(d["TableArn"],
                             f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/tt-a")
        self.same(lambda c: c.describe_table(TableName="tt-missing"))
        self.same(lambda c: c.update_table(TableName="tt-a", BillingMode="PAY_PER_REQUEST") and {})
        for c in self.both:
            self.assertEqual(c.describe_table(TableName="tt-a")["Table"]["BillingModeSummary"]
                             ["BillingMode"], "PAY_PER_REQUEST")
        # AWS names the table in DeleteTable's error, as in DescribeTable's (moto does not).
        self.assertEqual(self.stator_only(lambda c: c.delete_table(TableName="tt-missing")),
                         {"error": "ResourceNotFoundException",
                          "message": "Requested resource not found: Table: tt-missing not found"})
        self.same(lambda c: c.delete_table(TableName="tt-a")["TableDescription"]["TableName"]
                  and {})
        self.same(lambda c: c.get_item(TableName="tt-a", Key={"id": {"S": "x"}}))
        self.same(lambda c: c.put_item(TableName="tt-a", Item={"id": {"S": "x"}}))

    def test_list_tables_pagination(self):
        # Only stator here: the other tests' tables differ in timing; names are sorted.
        s = self.s
        for n in ("lt-1", "lt-2", "lt-3"):
            s.create_table(TableName=n, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                           AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                           BillingMode="PAY_PER_REQUEST")
        names, start = [], None
        while True:
            kw = {"Limit": 2}
            if start:
                kw["ExclusiveStartTableName"] = start
            r = s.list_tables(**kw)
            self.assertLessEqual(len(r["TableNames"]), 2)
            names += r["TableNames"]
            start = r.get("LastEvaluatedTableName")
            if not start:
                break
        self.assertEqual(names, sorted(names))
        self.assertTrue({"lt-1", "lt-2", "lt-3"} <= set(names))

    def test_tags(self):
        # TagResource / UntagResource / ListTagsOfResource (what `stator deploy` records stacks
        # with). moto appends a repeated key instead of overwriting it, so that is stator-only.
        self.create("tg-a", [{"AttributeName": "id", "KeyType": "HASH"}],
                    [{"AttributeName": "id", "AttributeType": "S"}],
                    Tags=[{"Key": "team", "Value": "core"}])
        arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/tg-a"

        def tags():
            a, b = (c.list_tags_of_resource(ResourceArn=arn)["Tags"] for c in self.both)
            self.assertEqual(a, b)
            return a

        self.assertEqual(tags(), [{"Key": "team", "Value": "core"}])
        for c in self.both:
            c.tag_resource(ResourceArn=arn, Tags=[{"Key": "stack", "Value": "s1"},
                                                  {"Key": "x", "Value": "1"}])
        self.assertEqual(len(tags()), 3)
        for c in self.both:
            c.untag_resource(ResourceArn=arn, TagKeys=["x", "absent"])
        self.assertEqual(tags(), [{"Key": "team", "Value": "core"},
                                  {"Key": "stack", "Value": "s1"}])
        self.s.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "edge"}])
        self.assertEqual(self.s.list_tags_of_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "team", "Value": "edge"}, {"Key": "stack", "Value": "s1"}])
        missing = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/tg-missing"
        for fn in (lambda c: c.list_tags_of_resource(ResourceArn=missing),
                   lambda c: c.tag_resource(ResourceArn=missing, Tags=[{"Key": "a", "Value": "b"}])):
            self.assertEqual(self.stator_only(fn), {
                "error": "ResourceNotFoundException",
                "message": f"Requested resource not found: ResourcArn: {missing} not found"})
        self.assertEqual(outcome(lambda c: c.list_tags_of_resource(ResourceArn=missing),
                                 self.m)["error"], "ResourceNotFoundException")
        self.assertEqual(self.stator_only(lambda c: c.list_tags_of_resource(
            ResourceArn="not-an-arn"))["error"], "ValidationException")
        too_many = [{"Key": f"k{i}", "Value": "v"} for i in range(60)]
        self.assertEqual(self.stator_only(lambda c: c.tag_resource(
            ResourceArn=arn, Tags=too_many))["error"], "ValidationException")

    # --- items and attribute types -----------------------------------------------------

    def test_every_type_round_trips(self):
        self.create("types", [{"AttributeName": "id", "KeyType": "HASH"}],
                    [{"AttributeName": "id", "AttributeType": "B"}])
        item = {
            "id": {"B": b"\x00\xffkey"},
            "s": {"S": "héllo"}, "n": {"N": "-12.5"}, "b": {"B": b"\x01\x02"},
            "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": [b"x", b"y"]},
            "m": {"M": {"deep": {"L": [{"NULL": True}, {"BOOL": False}]}}},
            "l": {"L": [{"S": "x"}, {"N": "1"}, {"M": {}}]},
            "nul": {"NULL": True}, "t": {"BOOL": True}, "empty": {"S": ""},
        }
        self.same(lambda c: c.put_item(TableName="types", Item=item))
        got = self.same(lambda c: c.get_item(TableName="types", Key={"id": {"B": b"\x00\xffkey"}}))
        self.assertEqual(got["Item"]["bs"]["BS"], [b"x", b"y"])
        # A key of the wrong type: AWS answers "The provided key element does not match the
        # schema" (moto answers with no item).
        self.assertEqual(self.stator_only(lambda c: c.get_item(TableName="types",
                                                               Key={"id": {"S": "x"}})),
                         {"error": "ValidationException",
                          "message": "The provided key element does not match the schema"})
        self.same(lambda c: c.get_item(TableName="types", Key={"id": {"B": b"\x00\xffkey"}},
                                       ProjectionExpression="m.deep[1], l[0], s"))
        self.same(lambda c: c.scan(TableName="types", FilterExpression="attribute_type(ns, :t)",
                                   ExpressionAttributeValues={":t": {"S": "NS"}}))
        self.same(lambda c: c.put_item(TableName="types", Item={"id": {"B": b"k"},
                                                                "ss": {"SS": []}}))

    def test_numbers(self):
        self.create("nums", [{"AttributeName": "id", "KeyType": "HASH"}],
                    [{"AttributeName": "id", "AttributeType": "N"}])
        self.same(lambda c: c.put_item(TableName="nums", Item={"id": {"N": "1"},
                                                               "v": {"N": "0.1"}}))
        self.same(lambda c: c.update_item(
            TableName="nums", Key={"id": {"N": "1"}}, UpdateExpression="SET v = v + :a",
            ExpressionAttributeValues={":a": {"N": "0.2"}}, ReturnValues="UPDATED_NEW"))
        self.same(lambda c: c.update_item(
            TableName="nums", Key={"id": {"N": "1"}}, UpdateExpression="ADD w :a",
            ExpressionAttributeValues={":a": {"N": "12345678901234567890"}},
            ReturnValues="ALL_NEW"))
        # AWS normalises number text ("1.50" -> "1.5", "1e3" -> "1000", "-0" -> "0") and keeps
        # arithmetic exact within 38 digits; moto stores the text as sent and computes with
        # Python floats for some operations, so these are checked against stator alone.
        s = self.s
        s.put_item(TableName="nums", Item={"id": {"N": "2"}, "a": {"N": "1.50"},
                                           "b": {"N": "1e3"}, "c": {"N": "-0.0"},
                                           "d": {"NS": ["1.0", "2"]}})
        it = s.get_item(TableName="nums", Key={"id": {"N": "2.0"}})["Item"]
        self.assertEqual((it["a"], it["b"], it["c"]), ({"N": "1.5"}, {"N": "1000"}, {"N": "0"}))
        self.assertEqual(sorted(it["d"]["NS"]), ["1", "2"])
        r = s.update_item(TableName="nums", Key={"id": {"N": "2"}},
                          UpdateExpression="SET a = a - :x ADD b :y",
                          ExpressionAttributeValues={":x": {"N": "0.000000000000000000001"},
                                                     ":y": {"N": "-1000"}},
                          ReturnValues="UPDATED_NEW")
        self.assertEqual(r["Attributes"], {"a": {"N": "1.499999999999999999999"},
                                           "b": {"N": "0"}})
        for value, message in [
                ("1e126", "Number overflow. Attempting to store a number with magnitude larger "
                          "than supported range"),
                ("1e-131", "Number underflow. Attempting to store a number with magnitude "
                           "smaller than supported range"),
                ("1234567890123456789012345678901234567890",
                 "Attempting to store more than 38 significant digits in a Number"),
                ("abc", "A value provided cannot be converted into a number")]:
            e = self.stator_only(lambda c: c.put_item(TableName="nums", Item={
                "id": {"N": "3"}, "v": {"N": value}}))
            self.assertEqual(e, {"error": "ValidationException", "message": message})
        e = self.stator_only(lambda c: c.update_item(
            TableName="nums", Key={"id": {"N": "2"}}, UpdateExpression="SET a = a + :x",
            ExpressionAttributeValues={":x": {"N": "1e100"}}))
        self.assertEqual(e["message"],
                         "Attempting to store more than 38 significant digits in a Number")

    def test_key_validation(self):
        self.create("keys", KEYS_HR, ATTRS_HR)
        self.same(lambda c: c.put_item(TableName="keys", Item={"pk": {"S": "a"}}))
        self.same(lambda c: c.put_item(TableName="keys", Item={"pk": {"N": "1"},
                                                               "sk": {"N": "1"}}))
        # A partial key: AWS says the key does not match the schema (moto: "Validation
        # Exception").
        self.assertEqual(self.stator_only(lambda c: c.get_item(TableName="keys",
                                                               Key={"pk": {"S": "a"}})),
                         {"error": "ValidationException",
                          "message": "The provided key element does not match the schema"})
        # A key with an extra attribute: AWS rejects it (moto ignores the extra attribute).
        self.assertEqual(self.stator_only(lambda c: c.get_item(
            TableName="keys", Key={"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"S": "y"}})),
            {"error": "ValidationException",
             "message": "The provided key element does not match the schema"})
        self.same(lambda c: c.get_item(TableName="keys", Key={"pk": {"S": ""}, "sk": {"N": "1"}}))
        self.assertEqual(self.stator_only(lambda c: c.delete_item(TableName="keys",
                                                                  Key={"pk": {"S": "a"}})),
                         {"error": "ValidationException",
                          "message": "The provided key element does not match the schema"})
        self.same(lambda c: c.update_item(TableName="keys", Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
                                          UpdateExpression="SET pk = :v",
                                          ExpressionAttributeValues={":v": {"S": "b"}}))
        # Item size: 400 KB.
        big = "x" * (400 * 1024)
        self.same(lambda c: c.put_item(TableName="keys", Item={"pk": {"S": "a"},
                                                               "sk": {"N": "1"},
                                                               "big": {"S": big}}))
        # AWS: an empty string key value is rejected with this message on PutItem too; moto
        # words it differently for PutItem ("were invalid: An AttributeValue may not contain an
        # empty string. Key: pk").
        e = self.stator_only(lambda c: c.put_item(TableName="keys", Item={"pk": {"S": ""},
                                                                          "sk": {"N": "1"}}))
        self.assertEqual(e["message"], "One or more parameter values are not valid. The "
                         "AttributeValue for a key attribute cannot contain an empty string "
                         "value. Key: pk")

    # --- conditions ----------------------------------------------------------------------

    def test_condition_expressions(self):
        self.create("cond", [{"AttributeName": "id", "KeyType": "HASH"}],
                    [{"AttributeName": "id", "AttributeType": "S"}])
        base = {"id": {"S": "c1"}, "n": {"N": "5"}, "s": {"S": "hello"},
                "ss": {"SS": ["x", "y"]}, "l": {"L": [{"S": "a"}, {"N": "2"}]},
                "m": {"M": {"k": {"S": "v"}, "deep": {"M": {"z": {"N": "1"}}}}},
                "t": {"BOOL": True}, "nul": {"NULL": True}, "bin": {"B": b"abc"}}
        self.same(lambda c: c.put_item(TableName="cond", Item=base))
        vals = {":n": {"N": "5"}, ":lo": {"N": "1"}, ":hi": {"N": "10"}, ":s": {"S": "hel"},
                ":x": {"S": "x"}, ":a": {"S": "a"}, ":t": {"S": "SS"}, ":b": {"B": b"ab"},
                ":true": {"BOOL": True}, ":v": {"S": "v"}, ":one": {"N": "1"}}
        conditions = [
            "n = :n", "n <> :n", "n < :hi", "n <= :n", "n > :lo", "n >= :hi",
            "n BETWEEN :lo AND :hi", "n BETWEEN :n AND :hi", "n IN (:lo, :n)", "n IN (:lo)",
            "attribute_exists(s)", "attribute_not_exists(s)", "attribute_not_exists(nope)",
            "attribute_type(ss, :t)", "attribute_type(s, :t)",
            "begins_with(s, :s)", "contains(s, :s)", "contains(ss, :x)",
            "contains(l, :a)", "contains(ss, :a)", "size(s) = :n", "size(ss) > :lo",
            "size(l) BETWEEN :lo AND :hi", "m.k = :v", "m.deep.z = :one", "l[1] > :lo",
            "l[0] = :a", "t = :true", "NOT n = :n", "n = :n AND s = :s", "n = :lo OR s <> :s",
            "(n = :lo OR n = :n) AND NOT (attribute_exists(nope))", "s > :s",
        ]
        for i, cond in enumerate(conditions):
            used = {k: v for k, v in vals.items() if k in re.findall(r":\w+", cond)}
            with self.subTest(condition=cond):
                self.same(lambda c: c.update_item(
                    TableName="cond", Key={"id": {"S": "c1"}}, UpdateExpression="SET #c = :i",
                    ConditionExpression=cond, ExpressionAttributeNames={"#c": f"c{i}"},
                    ExpressionAttributeValues={**used, ":i": {"N": str(i)}},
                    ReturnValues="UPDATED_NEW"))
        self.same(lambda c: c.get_item(TableName="cond", Key={"id": {"S": "c1"}}))
        # A failed condition, with and without the old item returned.
        self.same(lambda c: c.put_item(TableName="cond", Item={"id": {"S": "c1"}},
                                       ConditionExpression="attribute_not_exists(id)"))
        self.same(lambda c: c.delete_item(TableName="cond", Key={"id": {"S": "c1"}},
                                          ConditionExpression="n = :lo",
                                          ExpressionAttributeValues={":lo": {"N": "1"}},
                                          ReturnValuesOnConditionCheckFailure="ALL_OLD"))
        self.same(lambda c: c.delete_item(TableName="cond", Key={"id": {"S": "none"}},
                                          ConditionExpression="attribute_exists(id)"))
        # AWS: begins_with works on binary values, and comparing a number with a string is
        # simply false; moto answers the first wrongly and fails with HTTP 500 on the second.
        for cond, holds in (("begins_with(bin, :b)", True), ("n > :s", False)):
            r = self.stator_only(lambda c: c.update_item(
                TableName="cond", Key={"id": {"S": "c1"}}, UpdateExpression="SET z = :b",
                ConditionExpression=cond,
                ExpressionAttributeValues={k: vals[k] for k in re.findall(r":\w+", cond) + [":b"]}))
            self.assertEqual("error" not in r, holds, (cond, r))

    def test_expression_errors(self):
        self.create("errs", [{"AttributeName": "id", "KeyType": "HASH"}],
                    [{"AttributeName": "id", "AttributeType": "S"}])
        self.same(lambda c: c.put_item(TableName="errs", Item={"id": {"S": "e"}, "n": {"N": "1"},
                                                               "s": {"S": "x"}}))
        key = {"id": {"S": "e"}}
        cases = [
            dict(UpdateExpression="SET n = :v", ExpressionAttributeValues={":v": {"N": "1"},
                                                                           ":w": {"N": "2"}}),
            dict(UpdateExpression="SET n = :v", ExpressionAttributeValues={":v": {"N": "1"}},
                 ExpressionAttributeNames={"#unused": "x"}),
            dict(UpdateExpression="SET n = ", ExpressionAttributeValues={":v": {"N": "1"}}),
            dict(UpdateExpression="SET n = :v :v", ExpressionAttributeValues={":v": {"N": "1"}}),
            dict(UpdateExpression="SET name = :v", ExpressionAttributeValues={":v": {"N": "1"}}),
            dict(UpdateExpression="SET n = :v, n = :v",
                 ExpressionAttributeValues={":v": {"N": "1"}}),
            dict(UpdateExpression="SET n = :v SET s = :v",
                 ExpressionAttributeValues={":v": {"N": "1"}}),
            dict(UpdateExpression="SET n = nope + :v",
                 ExpressionAttributeValues={":v": {"N": "1"}}),
            dict(UpdateExpression="ADD s :v", ExpressionAttributeValues={":v": {"N": "1"}}),
            dict(UpdateExpression="SET x.y = :v", ExpressionAttributeValues={":v": {"N": "1"}}),
            dict(UpdateExpression="SET n = :v", ExpressionAttributeValues={}),
            dict(UpdateExpression="SET n = :v",
                 ExpressionAttributeValues={"v": {"N": "1"}}),
            dict(UpdateExpression="", ExpressionAttributeValues={":v": {"N": "1"}}),
            dict(UpdateExpression="SET n = :v", ReturnValues="ALL_OLD",
                 ExpressionAttributeValues={":v": {"N": "1"}}),
        ]
        for kw in cases:
            with self.subTest(**{k: str(v) for k, v in kw.items()}):
                self.same(lambda c: c.update_item(TableName="errs", Key=key, **kw))
        # Checked against stator alone: moto fails with HTTP 500 on undefined placeholders,
        # reserved words and syntax errors in a ConditionExpression of UpdateItem, reports an
        # unused value before an undefined one, and applies the literal-operand type check
        # ("Incorrect operand type ...", which DynamoDB makes when it parses the expression,
        # for ExpressionAttributeValues) to attribute values read from the item, where
        # DynamoDB answers "An operand in the update expression has an incorrect data type".
        one = {":v": {"N": "1"}}
        aws_cases = [
            (dict(UpdateExpression="SET #n = :v", ExpressionAttributeValues=one),
             "Invalid UpdateExpression: An expression attribute name used in the document path "
             "is not defined; attribute name: #n"),
            (dict(UpdateExpression="SET n = :nope", ExpressionAttributeValues=one),
             "Invalid UpdateExpression: An expression attribute value used in expression is not "
             "defined; attribute value: :nope"),
            (dict(UpdateExpression="SET n = s + :v", ExpressionAttributeValues=one),
             "An operand in the update expression has an incorrect data type"),
            (dict(UpdateExpression="SET n = list_append(n, :v)",
                  ExpressionAttributeValues={":v": {"L": []}}),
             "An operand in the update expression has an incorrect data type"),
            (dict(UpdateExpression="SET n = :v + :v", ExpressionAttributeValues={":v": {"S": "1"}}),
             "Invalid UpdateExpression: Incorrect operand type for operator or function; "
             "operator or function: +, operand type: S"),
            (dict(UpdateExpression="SET n = :v", ConditionExpression="n = ",
                  ExpressionAttributeValues=one),
             'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "="'),
            (dict(UpdateExpression="SET n = :v", ConditionExpression="#zz = :v",
                  ExpressionAttributeValues=one),
             "Invalid ConditionExpression: An expression attribute name used in the document "
             "path is not defined; attribute name: #zz"),
            (dict(UpdateExpression="SET n = :v", ConditionExpression="size = :v",
                  ExpressionAttributeValues=one),
             "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved "
             "keyword: size"),
            (dict(UpdateExpression="SET n = :v", ConditionExpression="n IN :v",
                  ExpressionAttributeValues=one),
             'Invalid ConditionExpression: Syntax error; token: ":v", near: "IN :v"'),
            (dict(UpdateExpression="SET n = :v", ConditionExpression="foo(n)",
                  ExpressionAttributeValues=one),
             "Invalid ConditionExpression: Invalid function name; function: foo"),
        ]
        for kw, message in aws_cases:
            with self.subTest(**{k: str(v) for k, v in kw.items()}):
                self.assertEqual(
                    self.stator_only(lambda c: c.update_item(TableName="errs", Key=key, **kw)),
                    {"error": "ValidationException", "message": message})
        self.same(lambda c: c.put_item(TableName="errs", Item={"id": {"S": "e"}},
                                       ReturnValues="ALL_NEW"))
        self.same(lambda c: c.get_item(TableName="errs", Key=key,
                                       ProjectionExpression="n, #q",
                                       ExpressionAttributeNames={"#q": "s", "#r": "t"}))
        self.same(lambda c: c.get_item(TableName="errs", Key=key))

    # --- updates -------------------------------------------------------------------------

    def test_update_expressions(self):
        self.create("upd", [{"AttributeName": "id", "KeyType": "HASH"}],
                    [{"AttributeName": "id", "AttributeType": "S"}])
        key = {"id": {"S": "u"}}
        self.same(lambda c: c.put_item(TableName="upd", Item={
            "id": {"S": "u"}, "n": {"N": "10"}, "l": {"L": [{"N": "0"}, {"N": "1"}, {"N": "2"},
                                                            {"N": "3"}]},
            "ss": {"SS": ["a", "b", "c"]}, "ns": {"NS": ["1", "2"]},
            "m": {"M": {"a": {"N": "1"}, "b": {"M": {"c": {"S": "x"}}}}}, "gone": {"S": "x"}}))
        steps = [
            ("SET n = n - :one, p = if_not_exists(p, :zero)", {":one": {"N": "1"},
                                                               ":zero": {"N": "0"}}),
            ("SET p = if_not_exists(p, :one) + :one", {":one": {"N": "1"}}),
            ("SET l = list_append(l, :tail), l2 = list_append(:head, l)",
             {":tail": {"L": [{"S": "t"}]}, ":head": {"L": [{"S": "h"}]}}),
            ("SET l[1] = :v, l[99] = :w", {":v": {"S": "one"}, ":w": {"S": "end"}}),
            ("REMOVE l[0], l[2], gone", None),
            ("SET m.b.c = :v, m.#new = :w", {":v": {"S": "y"}, ":w": {"BOOL": True}}),
            ("REMOVE m.a", None),
            ("ADD ss :s, ns :n, cnt :one", {":s": {"SS": ["d"]}, ":n": {"NS": ["3"]},
                                            ":one": {"N": "1"}}),
            ("ADD cnt :one, newset :s", {":one": {"N": "5"}, ":s": {"SS": ["q"]}}),
            ("DELETE ss :s, ns :n", {":s": {"SS": ["a", "zz"]}, ":n": {"NS": ["1", "2", "3"]}}),
            ("SET a1 = :v REMOVE p ADD cnt :one DELETE newset :s",
             {":v": {"S": "x"}, ":one": {"N": "1"}, ":s": {"SS": ["q"]}}),
            ("SET #a = #b", None),
        ]
        # UPDATED_OLD/UPDATED_NEW only on top-level paths here: for nested paths and list
        # elements DynamoDB returns just the updated paths, moto whole attributes (see
        # test_updated_values_of_nested_paths).
        modes = ["UPDATED_NEW", "UPDATED_OLD", "ALL_NEW", "ALL_OLD", "NONE", "ALL_NEW", "ALL_OLD",
                 "UPDATED_NEW", "UPDATED_OLD", "UPDATED_NEW", "UPDATED_OLD", "ALL_NEW"]
        for i, (expr, values) in enumerate(steps):
            kw = {"UpdateExpression": expr, "ReturnValues": modes[i]}
            if values:
                kw["ExpressionAttributeValues"] = values
            if "#new" in expr:
                kw["ExpressionAttributeNames"] = {"#new": "new"}
            if "#a" in expr:
                kw["ExpressionAttributeNames"] = {"#a": "copy", "#b": "m"}
            with self.subTest(expr=expr):
                self.same(lambda c: c.update_item(TableName="upd", Key=key, **kw))
                self.same(lambda c: c.get_item(TableName="upd", Key=key))
        # UpdateItem on a missing item creates it.
        self.same(lambda c: c.update_item(TableName="upd", Key={"id": {"S": "new"}},
                                          UpdateExpression="SET a = :v",
                                          ExpressionAttributeValues={":v": {"S": "x"}},
                                          ReturnValues="ALL_NEW"))
        self.same(lambda c: c.update_item(TableName="upd", Key={"id": {"S": "new2"}},
                                          UpdateExpression="SET a = :v",
                                          ConditionExpression="attribute_exists(id)",
                                          ExpressionAttributeValues={":v": {"S": "x"}}))
        self.same(lambda c: c.get_item(TableName="upd", Key={"id": {"S": "new2"}}))

    def test_updated_values_of_nested_paths(self):
        self.create("nested", [{"AttributeName": "id", "KeyType": "HASH"}],
                    [{"AttributeName": "id", "AttributeType": "S"}])
        s = self.s
        s.put_item(TableName="nested", Item={"id": {"S": "n"}, "m": {"M": {
            "a": {"N": "1"}, "b": {"N": "2"}}}, "l": {"L": [{"S": "x"}, {"S": "y"}]}})
        r = s.update_item(TableName="nested", Key={"id": {"S": "n"}},
                          UpdateExpression="SET m.a = :v, l[1] = :w",
                          ExpressionAttributeValues={":v": {"N": "5"}, ":w": {"S": "z"}},
                          ReturnValues="UPDATED_OLD")
        self.assertEqual(r["Attributes"], {"m": {"M": {"a": {"N": "1"}}},
                                           "l": {"L": [{"S": "y"}]}})
        r = s.update_item(TableName="nested", Key={"id": {"S": "n"}},
                          UpdateExpression="SET m.b = m.a + :v", ReturnValues="UPDATED_NEW",
                          ExpressionAttributeValues={":v": {"N": "1"}})
        self.assertEqual(r["Attributes"], {"m": {"M": {"b": {"N": "6"}}}})

    def test_return_values(self):
        self.create("rvals", [{"AttributeName": "id", "KeyType": "HASH"}],
                    [{"AttributeName": "id", "AttributeType": "S"}])
        self.same(lambda c: c.put_item(TableName="rvals", Item={"id": {"S": "r"}, "a": {"N": "1"}},
                                       ReturnValues="ALL_OLD"))
        self.same(lambda c: c.put_item(TableName="rvals", Item={"id": {"S": "r"}, "b": {"N": "2"}},
                                       ReturnValues="ALL_OLD"))
        for mode in ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"):
            self.same(lambda c: c.update_item(TableName="rvals", Key={"id": {"S": "r"}},
                                              UpdateExpression="SET c = :v ADD b :one",
                                              ExpressionAttributeValues={":v": {"S": mode},
                                                                         ":one": {"N": "1"}},
                                              ReturnValues=mode))
        self.same(lambda c: c.delete_item(TableName="rvals", Key={"id": {"S": "r"}},
                                          ReturnValues="ALL_OLD"))
        self.same(lambda c: c.delete_item(TableName="rvals", Key={"id": {"S": "r"}},
                                          ReturnValues="ALL_OLD"))

    # --- query and scan ------------------------------------------------------------------

    def load_query_table(self):
        self.create("qry", KEYS_HR, ATTRS_HR)
        for c in self.both:
            for p in ("a", "b"):
                for i in (-5, 0, 1, 2, 9, 10, 11, 100, 1.5):
                    c.put_item(TableName="qry", Item={"pk": {"S": p}, "sk": {"N": str(i)},
                                                    "v": {"N": str(int(i * 2))},
                                                    "tag": {"S": "even" if int(i) % 2 == 0
                                                            else "odd"}})

    def test_query(self):
        self.load_query_table()
        conds = [
            ("pk = :p", {":p": {"S": "a"}}),
            ("pk = :p AND sk = :x", {":p": {"S": "a"}, ":x": {"N": "10"}}),
            ("pk = :p AND sk < :x", {":p": {"S": "a"}, ":x": {"N": "10"}}),
            ("pk = :p AND sk <= :x", {":p": {"S": "a"}, ":x": {"N": "10"}}),
            ("pk = :p AND sk > :x", {":p": {"S": "a"}, ":x": {"N": "2"}}),
            ("pk = :p AND sk >= :x", {":p": {"S": "a"}, ":x": {"N": "2"}}),
            ("pk = :p AND sk BETWEEN :x AND :y", {":p": {"S": "a"}, ":x": {"N": "0"},
                                                 ":y": {"N": "10"}}),
            ("(pk = :p) AND (sk > :x)", {":p": {"S": "b"}, ":x": {"N": "1"}}),
            ("#p = :p AND #s < :x", {":p": {"S": "b"}, ":x": {"N": "1.5"}}),
            ("pk = :p", {":p": {"S": "zzz"}}),
        ]
        for expr, values in conds:
            for forward in (True, False):
                kw = {"KeyConditionExpression": expr, "ExpressionAttributeValues": values,
                      "ScanIndexForward": forward}
                if "#p" in expr:
                    kw["ExpressionAttributeNames"] = {"#p": "pk", "#s": "sk"}
                with self.subTest(expr=expr, forward=forward):
                    self.same(lambda c: c.query(TableName="qry", **kw))
        self.same(lambda c: c.query(TableName="qry", KeyConditionExpression="pk = :p",
                                    FilterExpression="tag = :t AND v > :z",
                                    ProjectionExpression="sk, v",
                                    ExpressionAttributeValues={":p": {"S": "a"},
                                                               ":t": {"S": "even"},
                                                               ":z": {"N": "0"}}))
        self.same(lambda c: c.query(TableName="qry", KeyConditionExpression="pk = :p",
                                    Select="COUNT",
                                    ExpressionAttributeValues={":p": {"S": "a"}}))
        # Paging with Limit: pages below the end carry LastEvaluatedKey.
        for forward in (True, False):
            pages, start = [], None
            while True:
                kw = {"KeyConditionExpression": "pk = :p", "Limit": 4,
                      "ExpressionAttributeValues": {":p": {"S": "a"}},
                      "ScanIndexForward": forward}
                if start:
                    kw["ExclusiveStartKey"] = start
                r = self.same(lambda c: c.query(TableName="qry", **kw))
                pages.append(r["Items"])
                start = r.get("LastEvaluatedKey")
                if not start:
                    break
            sks = [float(i["sk"]["N"]) for p in pages for i in p]
            self.assertEqual(sks, sorted(sks, reverse=not forward))
            self.assertEqual(len(sks), 9)
        # Key condition errors.
        self.same(lambda c: c.query(TableName="qry", KeyConditionExpression="sk = :x",
                                    ExpressionAttributeValues={":x": {"N": "1"}}))
        self.same(lambda c: c.query(TableName="qry", KeyConditionExpression="pk = :p AND v = :x",
                                    ExpressionAttributeValues={":p": {"S": "a"},
                                                               ":x": {"N": "1"}}))
        # Against stator alone: moto fails with HTTP 500 on OR and on begins_with over a number
        # key, and accepts a key value of the wrong type and unused values.
        errors = [
            ("pk = :p OR sk = :x", {":p": {"S": "a"}, ":x": {"N": "1"}},
             "Invalid operator used in KeyConditionExpression: OR"),
            ("pk = :p AND begins_with(sk, :x)", {":p": {"S": "a"}, ":x": {"N": "1"}},
             "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
             "operator or function: begins_with, operand type: N"),
            ("pk = :p", {":p": {"N": "1"}},
             "One or more parameter values were invalid: Condition parameter type does not match "
             "schema type"),
            ("pk = :p", {":p": {"S": "a"}, ":unused": {"S": "x"}},
             "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}"),
        ]
        for expr, values, message in errors:
            with self.subTest(error=expr):
                self.assertEqual(self.stator_only(lambda c: c.query(
                    TableName="qry", KeyConditionExpression=expr,
                    ExpressionAttributeValues=values)),
                    {"error": "ValidationException", "message": message})
        # AWS refuses key attributes in a Query's FilterExpression (moto filters on them).
        self.assertEqual(self.stator_only(lambda c: c.query(
            TableName="qry", KeyConditionExpression="pk = :p", FilterExpression="sk > :x",
            ExpressionAttributeValues={":p": {"S": "a"}, ":x": {"N": "1"}})),
            {"error": "ValidationException",
             "message": "Filter Expression can only contain non-primary key attributes: "
                        "Primary key attribute: sk"})
        # AWS returns LastEvaluatedKey whenever a page stops at Limit, even if nothing follows
        # (moto omits it then).
        r = self.s.query(TableName="qry", KeyConditionExpression="pk = :p AND sk = :x", Limit=1,
                         ExpressionAttributeValues={":p": {"S": "a"}, ":x": {"N": "10"}})
        self.assertEqual(r["LastEvaluatedKey"], {"pk": {"S": "a"}, "sk": {"N": "10"}})

    def test_string_range_order(self):
        self.create("qry-s", KEYS_HR, [{"AttributeName": "pk", "AttributeType": "S"},
                                    {"AttributeName": "sk", "AttributeType": "S"}])
        for c in self.both:
            for sk in ("b", "B", "a", "ab", "abc", "é", "~", "a b", "10", "9"):
                c.put_item(TableName="qry-s", Item={"pk": {"S": "p"}, "sk": {"S": sk}})
        self.same(lambda c: c.query(TableName="qry-s", KeyConditionExpression="pk = :p",
                                    ExpressionAttributeValues={":p": {"S": "p"}}))
        self.same(lambda c: c.query(TableName="qry-s",
                                    KeyConditionExpression="pk = :p AND begins_with(sk, :a)",
                                    ExpressionAttributeValues={":p": {"S": "p"},
                                                               ":a": {"S": "a"}}))

    def test_pages_of_big_items_read_everything(self):
        # moto pages too, but at 1,000,000 bytes and without the item that crosses them (see
        # DynamoDbPageSizeTest for stator's boundary): only what all pages read is compared.
        items, _ = big_items(15)
        self.create("bigd", KEYS_SS, ATTRS_SS)
        for c in self.both:
            for item in items:
                c.put_item(TableName="bigd", Item=item)
        for call in ("query", "scan"):
            kw = dict(TableName="bigd")
            if call == "query":
                kw.update(KeyConditionExpression="pk = :p",
                          ExpressionAttributeValues={":p": {"S": "p"}})
            got = [[i for p in all_pages(getattr(c, call), **kw) for i in p["Items"]]
                   for c in self.both]
            self.assertEqual(got[0], items, call)
            self.assertEqual(got[1], items, call)
            self.assertGreater(len(all_pages(getattr(self.m, call), **kw)), 1, call)

    def test_scan(self):
        self.create("scan1", [{"AttributeName": "id", "KeyType": "HASH"}],
                    [{"AttributeName": "id", "AttributeType": "N"}])
        for c in self.both:
            for i in range(25):
                c.put_item(TableName="scan1", Item={"id": {"N": str(i)}, "g": {"S": f"g{i % 3}"},
                                                 "n": {"N": str(i * i)}})
        self.same(lambda c: c.scan(TableName="scan1"), unordered=True)
        self.same(lambda c: c.scan(TableName="scan1", FilterExpression="g = :g AND n > :n",
                                   ProjectionExpression="id, #n",
                                   ExpressionAttributeNames={"#n": "n"},
                                   ExpressionAttributeValues={":g": {"S": "g1"},
                                                              ":n": {"N": "100"}}),
                  unordered=True)
        # Select=COUNT returns no Items on AWS (moto returns them anyway).
        self.assertEqual(self.stator_only(lambda c: c.scan(
            TableName="scan1", Select="COUNT", FilterExpression="begins_with(g, :g)",
            ExpressionAttributeValues={":g": {"S": "g2"}})), {"Count": 8, "ScannedCount": 25})
        # Unused values are an error in Scan too (moto does not check them there).
        self.assertEqual(self.stator_only(lambda c: c.scan(
            TableName="scan1", FilterExpression="g = :g",
            ExpressionAttributeValues={":g": {"S": "g1"}, ":x": {"S": "g1"}})),
            {"error": "ValidationException",
             "message": "Value provided in ExpressionAttributeValues unused in expressions: "
                        "keys: {:x}"})
        # Pages of 7 give every item exactly once (the order itself is the store's own).
        for c in self.both:
            seen, start = [], None
            while True:
                kw = {"Limit": 7}
                if start:
                    kw["ExclusiveStartKey"] = start
                r = c.scan(TableName="scan1", **kw)
                self.assertLessEqual(r["ScannedCount"], 7)
                seen += [int(i["id"]["N"]) for i in r["Items"]]
                start = r.get("LastEvaluatedKey")
                if not start:
                    break
            self.assertEqual(sorted(seen), list(range(25)))
        # Segments partition the table.
        seg = []
        for s in range(3):
            seg += [int(i["id"]["N"]) for i in self.s.scan(TableName="scan1", Segment=s,
                                                           TotalSegments=3)["Items"]]
        self.assertEqual(sorted(seg), list(range(25)))

    # --- batches and transactions --------------------------------------------------------

    def test_batches(self):
        self.create("bat-a", [{"AttributeName": "id", "KeyType": "HASH"}],
                    [{"AttributeName": "id", "AttributeType": "S"}])
        self.create("bat-b", KEYS_HR, ATTRS_HR)
        self.same(lambda c: c.batch_write_item(RequestItems={
            "bat-a": [{"PutRequest": {"Item": {"id": {"S": str(i)}, "v": {"N": str(i)}}}}
                   for i in range(10)],
            "bat-b": [{"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"N": str(i)}}}}
                   for i in range(5)]}))
        self.same(lambda c: c.batch_write_item(RequestItems={
            "bat-a": [{"DeleteRequest": {"Key": {"id": {"S": "3"}}}},
                   {"PutRequest": {"Item": {"id": {"S": "11"}}}}]}))
        a = self.s.batch_get_item(RequestItems={
            "bat-a": {"Keys": [{"id": {"S": "1"}}, {"id": {"S": "3"}}, {"id": {"S": "11"}}],
                   "ProjectionExpression": "id"},
            "bat-b": {"Keys": [{"pk": {"S": "p"}, "sk": {"N": "4"}}]}})["Responses"]
        b = self.m.batch_get_item(RequestItems={
            "bat-a": {"Keys": [{"id": {"S": "1"}}, {"id": {"S": "3"}}, {"id": {"S": "11"}}],
                   "ProjectionExpression": "id"},
            "bat-b": {"Keys": [{"pk": {"S": "p"}, "sk": {"N": "4"}}]}})["Responses"]
        key = lambda i: json.dumps(i, sort_keys=True)  # noqa: E731
        self.assertEqual({t: sorted(v, key=key) for t, v in a.items()},
                         {t: sorted(v, key=key) for t, v in b.items()})
        self.assertEqual(len(a["bat-a"]), 2)
        self.same(lambda c: c.batch_get_item(RequestItems={
            "bat-a": {"Keys": [{"id": {"S": "1"}}, {"id": {"S": "1"}}]}}))
        self.same(lambda c: c.batch_write_item(RequestItems={
            "bat-a": [{"PutRequest": {"Item": {"id": {"S": "x"}}}},
                   {"PutRequest": {"Item": {"id": {"S": "x"}}}}]}))
        self.same(lambda c: c.batch_write_item(RequestItems={
            "nope": [{"PutRequest": {"Item": {"id": {"S": "x"}}}}]}))
        self.same(lambda c: c.scan(TableName="bat-a"), unordered=True)

    def test_transactions(self):
        self.create("txn", [{"AttributeName": "id", "KeyType": "HASH"}],
                    [{"AttributeName": "id", "AttributeType": "S"}])
        self.same(lambda c: c.put_item(TableName="txn", Item={"id": {"S": "acct1"},
                                                             "bal": {"N": "100"}}))
        self.same(lambda c: c.put_item(TableName="txn", Item={"id": {"S": "acct2"},
                                                             "bal": {"N": "0"}}))
        transfer = [
            {"Update": {"TableName": "txn", "Key": {"id": {"S": "acct1"}},
                        "UpdateExpression": "SET bal = bal - :a",
                        "ConditionExpression": "bal >= :a",
                        "ExpressionAttributeValues": {":a": {"N": "60"}}}},
            {"Update": {"TableName": "txn", "Key": {"id": {"S": "acct2"}},
                        "UpdateExpression": "SET bal = bal + :a",
                        "ExpressionAttributeValues": {":a": {"N": "60"}}}},
            {"Put": {"TableName": "txn", "Item": {"id": {"S": "log1"}, "amt": {"N": "60"}},
                     "ConditionExpression": "attribute_not_exists(id)"}},
            {"ConditionCheck": {"TableName": "txn", "Key": {"id": {"S": "acct2"}},
                                "ConditionExpression": "attribute_exists(id)"}},
        ]
        self.same(lambda c: c.transact_write_items(TransactItems=transfer))
        # The second transfer fails (balance 40, and log1 exists): nothing changes.
        self.same(lambda c: c.transact_write_items(TransactItems=transfer))
        self.same(lambda c: c.transact_write_items(TransactItems=[
            {"Delete": {"TableName": "txn", "Key": {"id": {"S": "log1"}},
                        "ConditionExpression": "amt = :x",
                        "ExpressionAttributeValues": {":x": {"N": "1"}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
            {"Delete": {"TableName": "txn", "Key": {"id": {"S": "acct2"}}}}]))
        self.same(lambda c: c.transact_write_items(TransactItems=[
            {"Delete": {"TableName": "txn", "Key": {"id": {"S": "acct2"}}}},
            {"ConditionCheck": {"TableName": "txn", "Key": {"id": {"S": "acct2"}},
                                "ConditionExpression": "attribute_exists(id)"}}]))
        self.same(lambda c: c.transact_get_items(TransactItems=[
            {"Get": {"TableName": "txn", "Key": {"id": {"S": "acct1"}}}},
            {"Get": {"TableName": "txn", "Key": {"id": {"S": "none"}}}}]))
        # TransactGetItems applies ProjectionExpression on AWS (moto ignores it).
        self.assertEqual(self.stator_only(lambda c: c.transact_get_items(TransactItems=[
            {"Get": {"TableName": "txn", "Key": {"id": {"S": "acct2"}},
                     "ProjectionExpression": "bal"}}])), {"Responses": [{"Item": {"bal": {"N": "0"}}}]})
        self.same(lambda c: c.scan(TableName="txn"), unordered=True)


MIB = 1024 * 1024
KEYS_SS = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
ATTRS_SS = [{"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"}]


def big_items(n):
    """n items of about 100 KB in one partition, each of a different size; (items, sizes) with
    the size DynamoDB counts (UTF-8 bytes of every attribute name and string value)."""
    items, sizes = [], []
    for i in range(n):
        blob = "x" * (100_000 + 37 * i)
        items.append({"pk": {"S": "p"}, "sk": {"S": f"{i:04d}"}, "blob": {"S": blob}})
        sizes.append(len("pk") + 1 + len("sk") + 4 + len("blob") + len(blob))
    return items, sizes


def all_pages(call, **kw):
    pages = []
    while True:
        page = call(**kw)
        pages.append(page)
        if "LastEvaluatedKey" not in page:
            return pages
        kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class DynamoDbPageSizeTest(unittest.TestCase):
    """Query and Scan read at most 1 MB of data per call (before filtering, whatever the
    projection) and then return LastEvaluatedKey (AWS API reference: "a maximum of 1 MB of data
    and then applies any filtering"). Where AWS's documents leave the boundary open (the item
    that crosses 1 MB: in the page or in the next one?), a page must end within one item of
    1 MiB: without its last item it holds less, with the next one it would hold more; stator
    keeps the crossing item (docs/dynamodb.md)."""

    N = 25  # about 2.5 MB

    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.c = ddb(cls.server.endpoint)
        cls.items, cls.sizes = big_items(cls.N)
        cls.c.create_table(TableName="big", KeySchema=KEYS_SS, AttributeDefinitions=ATTRS_SS,
                           BillingMode="PAY_PER_REQUEST")
        for item in cls.items:
            cls.c.put_item(TableName="big", Item=item)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def check_pages(self, pages, filtered=False):
        """Every page but the last stops within one item of 1 MiB of data read; together the
        pages read every item once, in key order."""
        read = 0
        for page in pages:
            n = page["ScannedCount"]
            self.assertGreater(n, 0)
            sizes = self.sizes[read:read + n]
            if page is not pages[-1]:
                self.assertIn("LastEvaluatedKey", page)
                self.assertLess(sum(sizes[:-1]), MIB, n)
                self.assertGreater(sum(sizes) + self.sizes[read + n], MIB, n)
                self.assertEqual(page["LastEvaluatedKey"],
                                 {"pk": {"S": "p"}, "sk": {"S": f"{read + n - 1:04d}"}})
            if not filtered:
                self.assertEqual(page["Count"], n)
                self.assertEqual([i["sk"]["S"] for i in page["Items"]],
                                 [f"{j:04d}" for j in range(read, read + n)])
            read += n
        self.assertEqual(read, self.N)
        self.assertGreaterEqual(len(pages), 3)

    def test_query_stops_at_1_mb(self):
        pages = all_pages(self.c.query, TableName="big", KeyConditionExpression="pk = :p",
                          ExpressionAttributeValues={":p": {"S": "p"}})
        self.check_pages(pages)
        self.assertEqual([i["blob"] for p in pages for i in p["Items"]],
                         [i["blob"] for i in self.items])

    def test_scan_stops_at_1_mb(self):
        self.check_pages(all_pages(self.c.scan, TableName="big"))

    def test_the_limit_counts_data_read_not_returned(self):
        # A projection returns a few bytes per item and a filter nothing at all: the pages
        # still end where 1 MB of items was read.
        projected = all_pages(self.c.query, TableName="big", KeyConditionExpression="pk = :p",
                              ExpressionAttributeValues={":p": {"S": "p"}},
                              ProjectionExpression="sk")
        self.check_pages(projected)
        self.assertEqual(projected[0]["Items"][0], {"sk": {"S": "0000"}})
        filtered = all_pages(self.c.scan, TableName="big", FilterExpression="#b = :none",
                             ExpressionAttributeNames={"#b": "blob"},  # (a reserved word)
                             ExpressionAttributeValues={":none": {"S": "none"}})
        self.check_pages(filtered, filtered=True)
        self.assertEqual([p["Count"] for p in filtered], [0] * len(filtered))
        self.assertEqual([p["Items"] for p in filtered], [[]] * len(filtered))

    def test_a_smaller_limit_still_wins(self):
        page = self.c.query(TableName="big", KeyConditionExpression="pk = :p",
                            ExpressionAttributeValues={":p": {"S": "p"}}, Limit=3)
        self.assertEqual((page["Count"], page["ScannedCount"]), (3, 3))
        self.assertEqual(page["LastEvaluatedKey"], {"pk": {"S": "p"}, "sk": {"S": "0002"}})


class DynamoDbRestartTest(unittest.TestCase):
    def test_tables_and_items_survive_restart(self):
        data = tempfile.mkdtemp(prefix="stator-ddb-")
        try:
            server = Server("--data-dir", data)
            try:
                c = ddb(server.endpoint)
                c.create_table(TableName="persist", KeySchema=KEYS_HR,
                               AttributeDefinitions=ATTRS_HR,
                               BillingMode="PAY_PER_REQUEST")
                for i in range(20):
                    c.put_item(TableName="persist", Item={"pk": {"S": "p"}, "sk": {"N": str(i)},
                                                          "b": {"B": bytes([i])}})
                c.update_item(TableName="persist", Key={"pk": {"S": "p"}, "sk": {"N": "3"}},
                              UpdateExpression="SET x = :v",
                              ExpressionAttributeValues={":v": {"SS": ["q"]}})
                c.delete_item(TableName="persist", Key={"pk": {"S": "p"}, "sk": {"N": "4"}})
                arn = c.describe_table(TableName="persist")["Table"]["TableArn"]
                c.tag_resource(ResourceArn=arn, Tags=[{"Key": "stator:stack", "Value": "s"}])
                before = c.query(TableName="persist", KeyConditionExpression="pk = :p",
                                 ExpressionAttributeValues={":p": {"S": "p"}})["Items"]
            finally:
                self.assertEqual(server.stop(), 0)
            self.assertTrue(os.path.exists(os.path.join(data, "dynamodb.sqlite")))
            server = Server("--data-dir", data)
            try:
                c = ddb(server.endpoint)
                self.assertIn("persist", c.list_tables()["TableNames"])
                d = c.describe_table(TableName="persist")["Table"]
                self.assertEqual(d["ItemCount"], 19)
                self.assertEqual(c.list_tags_of_resource(ResourceArn=d["TableArn"])["Tags"],
                                 [{"Key": "stator:stack", "Value": "s"}])
                after = c.query(TableName="persist", KeyConditionExpression="pk = :p",
                                ExpressionAttributeValues={":p": {"S": "p"}})["Items"]
                self.assertEqual(after, before)
                self.assertEqual(c.get_item(TableName="persist",
                                            Key={"pk": {"S": "p"}, "sk": {"N": "3"}})
                                 ["Item"]["x"], {"SS": ["q"]})
                c.delete_table(TableName="persist")
            finally:
                server.stop()
            server = Server("--data-dir", data)
            try:
                self.assertNotIn("persist", ddb(server.endpoint).list_tables()["TableNames"])
            finally:
                server.stop()
        finally:
            shutil.rmtree(data, ignore_errors=True)


class DynamoDbConcurrentDurabilityTest(unittest.TestCase):
    """Writes from several boto3 clients at once (group-committed: many in one SQLite
    transaction), killed mid-stream (SIGKILL: no shutdown, nothing drained) and restarted on the
    same --data-dir: every acknowledged write must be there with its value, a transaction in
    flight must be all there or not at all, and nothing unacknowledged may appear but the one
    call each client had in flight. A process kill leaves written-but-unsynced pages to the OS,
    so this checks answer-after-commit and atomicity, not fsync; and the window in which an
    answer-before-commit server would lose an acknowledged write is well under a millisecond, so
    it would pass here most of the time: src/dynamodb/service_test.cc holds the sharp test of
    the ordering (a commit that cannot finish)."""

    THREADS = 8
    WRITES = 300  # acknowledged writes (puts + transaction puts) before the kill
    READS = 20  # acknowledged writes read back by another client meanwhile

    def test_acknowledged_writes_survive_a_crash(self):
        import threading
        data = tempfile.mkdtemp(prefix="stator-ddb-")
        try:
            server = Server("--data-dir", data)
            c = ddb(server.endpoint)
            c.create_table(TableName="conc", KeySchema=KEYS_HR,
                           AttributeDefinitions=ATTRS_HR,
                           BillingMode="PAY_PER_REQUEST")
            clients = [ddb(server.endpoint) for _ in range(self.THREADS)]
            # Per thread: acknowledged puts {i: item}, updates, transactions {i: (a, b)}, and
            # the call in flight when the server died (kind, i, payload).
            acked = [{"puts": {}, "updates": 0, "txs": {}, "inflight": None}
                     for _ in range(self.THREADS)]
            lock = threading.Lock()
            stop = threading.Event()
            unexpected = []

            def key(pk, sk):
                return {"pk": {"S": pk}, "sk": {"N": str(sk)}}

            def worker(t):
                cl, st = clients[t], acked[t]
                i = 0
                try:
                    while not stop.is_set():
                        item = {**key(f"t{t}", i), "v": {"S": f"value-{t}-{i}"}}
                        st["inflight"] = ("put", i, item)
                        cl.put_item(TableName="conc", Item=item)
                        with lock:
                            st["puts"][i] = item
                        st["inflight"] = ("update", i, None)
                        cl.update_item(TableName="conc", Key=key("counter", t),
                                       UpdateExpression="ADD n :one",
                                       ExpressionAttributeValues={":one": {"N": "1"}})
                        st["updates"] += 1
                        if i % 10 == 9:
                            a = {**key(f"x{t}", i), "side": {"S": "a"}}
                            b = {**key(f"y{t}", i), "side": {"S": "b"}}
                            st["inflight"] = ("tx", i, (a, b))
                            cl.transact_write_items(TransactItems=[
                                {"Put": {"TableName": "conc", "Item": a}},
                                {"Put": {"TableName": "conc", "Item": b}},
                                {"Delete": {"TableName": "conc", "Key": key(f"t{t}", i - 5)}}])
                            st["txs"][i] = (a, b)
                        st["inflight"] = None
                        i += 1
                except Exception as e:  # noqa: BLE001
                    if not stop.is_set():
                        unexpected.append(repr(e))

            threads = [threading.Thread(target=worker, args=(t,)) for t in range(self.THREADS)]
            for th in threads:
                th.start()
            # Meanwhile another client reads what was acknowledged: it must be there.
            reader = ddb(server.endpoint)
            reads = 0

            def written():
                with lock:
                    return sum(len(st["puts"]) + 2 * len(st["txs"]) for st in acked)

            # The kill comes once enough was acknowledged and read back (however long that
            # takes on this machine), while every client is still writing.
            deadline = time.monotonic() + 120
            while written() < self.WRITES or reads < self.READS:
                self.assertLess(time.monotonic(), deadline,
                                f"{written()} writes acknowledged, {reads} read back")
                self.assertEqual(unexpected, [])
                for t in range(self.THREADS):
                    with lock:
                        last = max(acked[t]["puts"], default=None)
                        item = acked[t]["puts"].get(last)
                    if item is None:
                        continue
                    got = reader.get_item(TableName="conc", Key=key(f"t{t}", last))
                    self.assertEqual(got.get("Item"), item)
                    reads += 1
            stop.set()
            server.proc.kill()  # SIGKILL while the clients are still writing
            server.stop()
            for th in threads:
                th.join()
            self.assertEqual(unexpected, [])
            self.assertGreaterEqual(reads, self.READS)

            server = Server("--data-dir", data)
            try:
                found = self.scan_all(ddb(server.endpoint))
            finally:
                self.assertEqual(server.stop(), 0)
            total = 0
            for t, st in enumerate(acked):
                kind, j, payload = st["inflight"] or (None, None, None)
                total += len(st["puts"]) + 2 * len(st["txs"])
                # Counter: every acknowledged ADD, plus maybe the one in flight.
                n = int(found.pop(("counter", t))["n"]["N"]) if st["updates"] else 0
                self.assertIn(n, (st["updates"], st["updates"] + (kind == "update")), t)
                deleted = {i - 5 for i in st["txs"]}
                if kind == "tx":  # all or nothing
                    a, b = payload
                    got_a = found.pop((f"x{t}", j), None)
                    got_b = found.pop((f"y{t}", j), None)
                    self.assertIn((got_a, got_b), ((None, None), (a, b)), t)
                    if got_a:
                        deleted.add(j - 5)
                for i, (a, b) in st["txs"].items():
                    self.assertEqual(found.pop((f"x{t}", i), None), a)
                    self.assertEqual(found.pop((f"y{t}", i), None), b)
                for i, item in st["puts"].items():
                    self.assertEqual(found.pop((f"t{t}", i), None),
                                     None if i in deleted else item, (t, i))
                if kind == "put":
                    self.assertIn(found.pop((f"t{t}", j), None), (None, payload))
            self.assertEqual(found, {})  # nothing that was never written
            self.assertGreaterEqual(total, self.WRITES)
        finally:
            shutil.rmtree(data, ignore_errors=True)

    @staticmethod
    def scan_all(c):
        items, start = {}, None
        while True:
            kw = {"ExclusiveStartKey": start} if start else {}
            r = c.scan(TableName="conc", **kw)
            for it in r["Items"]:
                items[(it["pk"]["S"], int(it["sk"]["N"]))] = it
            start = r.get("LastEvaluatedKey")
            if not start:
                return items


class DynamoDbStateMachineTest(unittest.TestCase):
    data = None  # --data-dir, or None: in memory

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--time-scale", "0", *(("--data-dir", cls.data) if cls.data else ()))
        cls.sfn = client(cls.server.endpoint)
        cls.ddb = ddb(cls.server.endpoint)
        cls.ddb.create_table(TableName="Bookings", KeySchema=[{"AttributeName": "Id",
                                                                "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "Id",
                                                    "AttributeType": "S"}],
                             BillingMode="PAY_PER_REQUEST")
        cls.ddb.create_table(TableName="Events", KeySchema=KEYS_HR,
                             AttributeDefinitions=ATTRS_HR,
                             BillingMode="PAY_PER_REQUEST")
        for i in range(3):
            cls.ddb.put_item(TableName="Events", Item={"pk": {"S": "e"}, "sk": {"N": str(i)}})

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        if cls.data:
            shutil.rmtree(cls.data, ignore_errors=True)

    def run_machine(self, definition, execution_input):
        arn = self.sfn.create_state_machine(
            name=f"ddb-{time.time_ns()}", definition=json.dumps(definition),
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/r")["stateMachineArn"]
        ex = self.sfn.start_execution(stateMachineArn=arn, input=json.dumps(execution_input))
        deadline = time.time() + 30
        while True:
            d = self.sfn.describe_execution(executionArn=ex["executionArn"])
            if d["status"] != "RUNNING" or time.time() > deadline:
                break
            time.sleep(0.05)
        events = self.sfn.get_execution_history(executionArn=ex["executionArn"],
                                                maxResults=1000)["events"]
        return d, events

    def test_optimized_and_sdk_integrations(self):
        definition = {
            "StartAt": "Put",
            "States": {
                "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                        "Parameters": {"TableName": "Bookings",
                                       "Item": {"Id": {"S.$": "$.id"},
                                                "Status": {"S": "PENDING"}}},
                        "ResultPath": "$.put", "Next": "Update"},
                "Update": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem",
                           "Parameters": {"TableName": "Bookings", "Key": {"Id": {"S.$": "$.id"}},
                                          "UpdateExpression": "SET #s = :s",
                                          "ConditionExpression": "attribute_exists(Id)",
                                          "ExpressionAttributeNames": {"#s": "Status"},
                                          "ExpressionAttributeValues": {":s": {"S": "PAID"}},
                                          "ReturnValues": "UPDATED_NEW"},
                           "ResultPath": "$.update", "Next": "Get"},
                "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                        "Parameters": {"TableName": "Bookings", "Key": {"Id": {"S.$": "$.id"}}},
                        "ResultPath": "$.get", "Next": "Query"},
                "Query": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:query",
                          "Parameters": {"TableName": "Events",
                                         "KeyConditionExpression": "pk = :p",
                                         "ExpressionAttributeValues": {":p": {"S": "e"}},
                                         "ScanIndexForward": False},
                          "ResultPath": "$.query", "Next": "Missing"},
                "Missing": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem",
                            "Parameters": {"TableName": "Bookings",
                                           "Key": {"Id": {"S": "no-such-booking"}},
                                           "UpdateExpression": "SET #s = :s",
                                           "ConditionExpression": "attribute_exists(Id)",
                                           "ExpressionAttributeNames": {"#s": "Status"},
                                           "ExpressionAttributeValues": {":s": {"S": "PAID"}}},
                            "Catch": [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
                                       "ResultPath": "$.caught", "Next": "Done"}],
                            "End": True},
                "Done": {"Type": "Pass", "End": True},
            },
        }
        d, events = self.run_machine(definition, {"id": "b-1"})
        self.assertEqual(d["status"], "SUCCEEDED", d)
        out = json.loads(d["output"])
        self.assertEqual(set(out["put"]), {"SdkHttpMetadata", "SdkResponseMetadata"})
        self.assertEqual(out["put"]["SdkHttpMetadata"]["HttpStatusCode"], 200)
        self.assertEqual(out["update"]["Attributes"], {"Status": {"S": "PAID"}})
        self.assertEqual(out["get"]["Item"], {"Id": {"S": "b-1"}, "Status": {"S": "PAID"}})
        self.assertIn("SdkResponseMetadata", out["get"])
        self.assertEqual(out["query"]["Count"], 3)
        self.assertEqual([i["sk"]["N"] for i in out["query"]["Items"]], ["2", "1", "0"])
        self.assertNotIn("SdkHttpMetadata", out["query"])
        self.assertEqual(out["caught"]["Error"], "DynamoDB.ConditionalCheckFailedException")
        self.assertTrue(out["caught"]["Cause"].startswith(
            "The conditional request failed (Service: AmazonDynamoDBv2; Status Code: 400; "
            "Error Code: ConditionalCheckFailedException; Request ID: "), out["caught"])
        types = [e["type"] for e in events]
        self.assertEqual(types.count("TaskScheduled"), 5)
        self.assertEqual(types.count("TaskSucceeded"), 4)
        self.assertEqual(types.count("TaskFailed"), 1)
        scheduled = [e["taskScheduledEventDetails"] for e in events if e["type"] == "TaskScheduled"]
        self.assertEqual([(s["resourceType"], s["resource"]) for s in scheduled],
                         [("dynamodb", "putItem"), ("dynamodb", "updateItem"),
                          ("dynamodb", "getItem"), ("aws-sdk:dynamodb", "query"),
                          ("dynamodb", "updateItem")])
        failed = next(e for e in events if e["type"] == "TaskFailed")["taskFailedEventDetails"]
        self.assertEqual(failed["error"], "DynamoDB.ConditionalCheckFailedException")
        self.assertEqual((failed["resourceType"], failed["resource"]), ("dynamodb", "updateItem"))
        # The item really is in the table, as the API sees it.
        self.assertEqual(self.ddb.get_item(TableName="Bookings", Key={"Id": {"S": "b-1"}})
                         ["Item"]["Status"], {"S": "PAID"})

    def test_sdk_errors(self):
        definition = {"StartAt": "Get", "States": {"Get": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
            "Parameters": {"TableName": "NoSuchTable", "Key": {"Id": {"S": "x"}}},
            "End": True}}}
        d, _ = self.run_machine(definition, {})
        self.assertEqual(d["status"], "FAILED")
        self.assertEqual(d["error"], "DynamoDb.ResourceNotFoundException")
        self.assertTrue(d["cause"].startswith("Requested resource not found (Service: DynamoDb, "
                                              "Status Code: 400, Request ID: "), d["cause"])


class DynamoDbDurableStateMachineTest(DynamoDbStateMachineTest):
    """The same with --data-dir: the Task completes from the DynamoDB writer thread once its
    write is durable (and the history is group-committed by the store)."""

    @classmethod
    def setUpClass(cls):
        cls.data = tempfile.mkdtemp(prefix="stator-ddb-sm-")
        super().setUpClass()


if __name__ == "__main__":
    ctest_unittest.main()
