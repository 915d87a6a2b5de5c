"""The AppSync data plane (docs/appsync.md, "Data plane") through `requests`, as any GraphQL
client speaks it, against a real `stator serve`: AppSync's transport errors, API keys, direct
Lambda resolvers (the event AppSync sends, errors in AppSync's shape, nested fields from the parent
value), local (NONE), DynamoDB and HTTP resolvers with mapping templates (HTTP ones against a local
echo server), null propagation, mutations in order, introspection. APIs are made through boto3's
`appsync` client.
"""

import http.server
import json
import socket
import threading
import time
import unittest
import urllib.parse

import requests

from stator_server import ACCOUNT, REGION, Server, lambda_client, make_zip
import boto3
import botocore.config
import ctest_unittest

ROLE = f"arn:aws:iam::{ACCOUNT}:role/appsync-test"

SCHEMA = """
type Owner { name: String! city: String }
type Thing { id: ID! label: String owner: Owner tags: [String!] }
type Item { id: ID! name: String count: Int }
type ItemPage { items: [Item] nextToken: String }
type Stamp { field: String! started: Float! ended: Float! }
type Probe { id: ID info: AWSJSON owner: Owner }
type Query {
  event(a: Int, b: String): AWSJSON
  probe: Probe
  thing(id: ID!): Thing
  required: Thing!
  fail(why: String): String
  hello(n: Int): Int
  refuse: String
  item(id: ID!): Item
  items(limit: Int, nextToken: String): ItemPage
}
type Mutation {
  first: Stamp
  second: Stamp
  putItem(name: String!, count: Int): Item
  bump(id: ID!, by: Int!): Item
  putNew(id: ID!, name: String!): Item
}
"""

FUNCTIONS = {
    # Returns AppSync's event itself, so that the test can read it.
    "event": "import json\ndef handler(event, context):\n    return json.dumps(event)\n",
    "thing": ("def handler(event, context):\n"
              "    i = event['arguments'].get('id')\n"
              "    if event['info']['fieldName'] == 'required':\n"
              "        return None\n"
              "    return {'id': i, 'label': 'thing ' + i, 'secret': 's',\n"
              "            'owner': {'name': 'ann', 'city': 'Oslo'}, 'tags': ['a', 'b']}\n"),
    # Returns what AppSync told it of the selection, as a Probe.
    "probe": ("import json\ndef handler(event, context):\n"
              "    return {'id': 'p', 'info': json.dumps(event['info']),\n"
              "            'owner': {'name': 'ann'}}\n"),
    "fail": ("class NotThere(Exception):\n    pass\n"
             "def handler(event, context):\n"
             "    raise NotThere('no such thing: ' + str(event['arguments'].get('why')))\n"),
    "stamp": ("import time\n"
              "def handler(event, context):\n"
              "    t = time.time()\n"
              "    time.sleep(0.05)\n"
              "    return {'field': event['info']['fieldName'], 'started': t,\n"
              "            'ended': time.time()}\n"),
}

HELLO_REQUEST = '{"version": "2018-05-29", "payload": $util.toJson($ctx.args.n)}'
REFUSE_REQUEST = ('$util.error("refused here", "Refusal", {"why": "testing"}, '
                  '{"detail": 1})')
PASS_RESPONSE = "$util.toJson($ctx.result)"
# The response template AppSync's documentation recommends: a data source's error fails the field.
ERROR_OR_RESULT = ("#if($ctx.error) $util.error($ctx.error.message, $ctx.error.type) #end "
                   "$util.toJson($ctx.result)")

ITEM_GET = ('{"version": "2017-02-28", "operation": "GetItem", '
            '"key": {"id": $util.dynamodb.toDynamoDBJson($ctx.args.id)}}')
ITEM_PUT = ('{"version": "2017-02-28", "operation": "PutItem", '
            '"key": {"id": $util.dynamodb.toDynamoDBJson($util.autoId())}, '
            '"attributeValues": $util.dynamodb.toMapValuesJson($ctx.args)}')
ITEM_PUT_NEW = ('{"version": "2017-02-28", "operation": "PutItem", '
                '"key": {"id": $util.dynamodb.toDynamoDBJson($ctx.args.id)}, '
                '"attributeValues": {"name": $util.dynamodb.toDynamoDBJson($ctx.args.name)}, '
                '"condition": {"expression": "attribute_not_exists(id)"}}')
ITEM_BUMP = ('{"version": "2017-02-28", "operation": "UpdateItem", '
             '"key": {"id": $util.dynamodb.toDynamoDBJson($ctx.args.id)}, '
             '"update": {"expression": "ADD #c :by", "expressionNames": {"#c": "count"}, '
             '"expressionValues": {":by": $util.dynamodb.toDynamoDBJson($ctx.args.by)}}}')
ITEM_SCAN = ('{"version": "2017-02-28", "operation": "Scan", '
             '"limit": $util.defaultIfNull($ctx.args.limit, 20)'
             '#if($ctx.args.nextToken), "nextToken": "$ctx.args.nextToken"#end}')


def appsync_client(endpoint):
    return boto3.client("appsync", endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id="x", aws_secret_access_key="x",
                        config=botocore.config.Config(retries={"max_attempts": 0}))


def make_api(appsync, schema, auth="API_KEY"):
    api = appsync.create_graphql_api(name="test", authenticationType=auth)["graphqlApi"]
    appsync.start_schema_creation(apiId=api["apiId"], definition=schema.encode())
    deadline = time.monotonic() + 30
    while True:
        status = appsync.get_schema_creation_status(apiId=api["apiId"])
        if status["status"] in ("SUCCESS", "ACTIVE"):
            return api
        if status["status"] == "FAILED" or time.monotonic() > deadline:
            raise AssertionError(f"schema creation: {status}")
        time.sleep(0.02)


class GraphqlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        lam = lambda_client(cls.server.endpoint)
        for name, code in FUNCTIONS.items():
            lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE,
                                Handler="app.handler", Code={"ZipFile": make_zip({"app.py": code})})
        ddb = boto3.client("dynamodb", endpoint_url=cls.server.endpoint, region_name=REGION,
                           aws_access_key_id="x", aws_secret_access_key="x")
        ddb.create_table(TableName="items", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
        cls.appsync = appsync_client(cls.server.endpoint)
        api = make_api(cls.appsync, SCHEMA)
        cls.api_id = api["apiId"]
        cls.url = api["uris"]["GRAPHQL"]
        cls.key = cls.appsync.create_api_key(apiId=cls.api_id)["apiKey"]["id"]
        a = cls.appsync

        def lambda_source(name):
            a.create_data_source(apiId=cls.api_id, name=name, type="AWS_LAMBDA",
                                 serviceRoleArn=ROLE, lambdaConfig={
                                     "lambdaFunctionArn":
                                         f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"})
        for name in FUNCTIONS:
            lambda_source(name)
        a.create_data_source(apiId=cls.api_id, name="local", type="NONE")
        a.create_data_source(apiId=cls.api_id, name="table", type="AMAZON_DYNAMODB",
                             serviceRoleArn=ROLE,
                             dynamodbConfig={"tableName": "items", "awsRegion": REGION})
        for type_name, field, source in [("Query", "event", "event"), ("Query", "thing", "thing"),
                                         ("Query", "probe", "probe"),
                                         ("Query", "required", "thing"), ("Query", "fail", "fail"),
                                         ("Mutation", "first", "stamp"),
                                         ("Mutation", "second", "stamp")]:
            a.create_resolver(apiId=cls.api_id, typeName=type_name, fieldName=field,
                              dataSourceName=source)
        for type_name, field, source, request in [
                ("Query", "hello", "local", HELLO_REQUEST),
                ("Query", "refuse", "local", REFUSE_REQUEST),
                ("Query", "item", "table", ITEM_GET),
                ("Query", "items", "table", ITEM_SCAN),
                ("Mutation", "putItem", "table", ITEM_PUT),
                ("Mutation", "putNew", "table", ITEM_PUT_NEW),
                ("Mutation", "bump", "table", ITEM_BUMP)]:
            a.create_resolver(apiId=cls.api_id, typeName=type_name, fieldName=field,
                              dataSourceName=source, requestMappingTemplate=request,
                              responseMappingTemplate=ERROR_OR_RESULT if source == "table"
                              else PASS_RESPONSE)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def gql(self, query, variables=None, key=None, headers=None, status=200):
        h = {"content-type": "application/json", "x-api-key": key or self.key}
        h.update(headers or {})
        body = {"query": query}
        if variables is not None:
            body["variables"] = variables
        r = requests.post(self.url, data=json.dumps(body), headers=h, timeout=60)
        self.assertEqual(r.status_code, status, r.text)
        return r.json()

    # --- transport --------------------------------------------------------------------------------

    def assertTransportError(self, r, status, error_type, message):
        self.assertEqual(r.status_code, status, r.text)
        self.assertEqual(r.headers.get("x-amzn-ErrorType"), error_type)
        self.assertEqual(r.json(), {"errors": [{"errorType": error_type, "message": message}]})

    def test_the_endpoint_is_the_apis_graphql_uri(self):
        self.assertEqual(self.url, f"{self.server.endpoint}/appsync/{self.api_id}/graphql")

    def test_missing_or_unknown_api_key_is_401(self):
        q = json.dumps({"query": "{ hello(n: 1) }"})
        for headers in ({}, {"x-api-key": "da2-notakeyofthisapi00000000"}):
            r = requests.post(self.url, data=q, headers={"content-type": "application/json",
                                                         **headers}, timeout=30)
            self.assertTransportError(r, 401, "UnauthorizedException",
                                      "You are not authorized to make this call.")

    def test_a_deleted_key_is_refused(self):
        key = self.appsync.create_api_key(apiId=self.api_id)["apiKey"]["id"]
        self.assertEqual(self.gql("{ hello(n: 2) }", key=key), {"data": {"hello": 2}})
        self.appsync.delete_api_key(apiId=self.api_id, id=key)
        r = requests.post(self.url, data=json.dumps({"query": "{ hello(n: 2) }"}),
                          headers={"x-api-key": key}, timeout=30)
        self.assertTransportError(r, 401, "UnauthorizedException",
                                  "You are not authorized to make this call.")

    def test_malformed_bodies_are_400(self):
        h = {"content-type": "application/json", "x-api-key": self.key}
        r = requests.post(self.url, data="", headers=h, timeout=30)
        self.assertTransportError(r, 400, "MalformedHttpRequestException", "Request body is empty.")
        for body in ("meow", "{}", "{}}", "[]", '{"query": 1}', '{"query": "{ hello }", '
                     '"variables": [1]}'):
            r = requests.post(self.url, data=body, headers=h, timeout=30)
            self.assertTransportError(r, 400, "MalformedHttpRequestException",
                                      "Unable to parse GraphQL query.")

    def test_unknown_api_is_404(self):
        url = f"{self.server.endpoint}/appsync/nosuchapi000000000000000000/graphql"
        r = requests.post(url, data=json.dumps({"query": "{ x }"}), headers={"x-api-key": self.key},
                          timeout=30)
        self.assertEqual(r.status_code, 404)
        self.assertEqual(r.json()["errors"][0]["errorType"], "NotFoundException")

    def test_get_with_query_parameters(self):
        r = requests.get(self.url, params={"query": "query Q($n: Int) { hello(n: $n) }",
                                           "variables": json.dumps({"n": 7}),
                                           "operationName": "Q"},
                         headers={"x-api-key": self.key}, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json(), {"data": {"hello": 7}})

    def test_syntax_and_validation_errors_are_200_with_data_null(self):
        out = self.gql("{ hello(n: 1) ")
        self.assertIsNone(out["data"])
        self.assertEqual(out["errors"][0]["message"], "Syntax Error: Expected Name, found <EOF>.")
        self.assertEqual(out["errors"][0]["locations"], [{"line": 1, "column": 15,
                                                         "sourceName": None}])
        out = self.gql("{ badfield }")
        self.assertEqual(out["data"], None)
        self.assertEqual(out["errors"], [{"path": None, "locations": [
            {"line": 1, "column": 3, "sourceName": None}],
            "message": 'Cannot query field "badfield" on type "Query".'}])

    def test_bad_variables_are_a_request_error(self):
        out = self.gql("query($n: Int!) { hello(n: $n) }", {"n": "x"})
        self.assertIsNone(out["data"])
        self.assertEqual(len(out["errors"]), 1)
        self.assertIn('Variable "$n" got invalid value "x"', out["errors"][0]["message"])

    # --- direct Lambda resolvers ------------------------------------------------------------------

    def test_direct_lambda_resolver_gets_appsyncs_event(self):
        out = self.gql("query Ev($b: String) { event(a: 1, b: $b) }", {"b": "two"},
                       headers={"x-custom": "yes"})
        self.assertNotIn("errors", out)
        event = json.loads(out["data"]["event"])
        self.assertEqual(list(event), ["arguments", "identity", "source", "request", "prev", "info",
                                       "stash"])
        self.assertEqual(event["arguments"], {"a": 1, "b": "two"})
        self.assertIsNone(event["identity"])  # API_KEY requests have none
        self.assertIsNone(event["source"])
        self.assertIsNone(event["prev"])
        self.assertEqual(event["stash"], {})
        self.assertEqual(event["request"]["headers"]["x-custom"], "yes")
        self.assertEqual(event["request"]["headers"]["x-api-key"], self.key)
        self.assertEqual(event["info"], {"selectionSetList": [], "selectionSetGraphQL": "",
                                         "parentTypeName": "Query", "fieldName": "event",
                                         "variables": {"b": "two"}})

    def test_selection_set_and_nested_fields_from_the_parent_value(self):
        out = self.gql("{ thing(id: \"7\") { id label owner { name } tags ...F } }"
                       " fragment F on Thing { owner { city } }")
        self.assertEqual(out, {"data": {"thing": {
            "id": "7", "label": "thing 7", "owner": {"name": "ann", "city": "Oslo"},
            "tags": ["a", "b"]}}})
        # What a function is told of the selection under its field.
        probe = self.gql("{ probe { id owner { name } info } }")["data"]["probe"]
        info = json.loads(probe["info"])
        self.assertEqual(info["selectionSetList"], ["id", "owner", "owner/name", "info"])
        self.assertEqual(info["selectionSetGraphQL"], "{\n  id\n  owner {\n    name\n  }\n  info\n}")
        self.assertEqual((info["parentTypeName"], info["fieldName"]), ("Query", "probe"))

    def test_aliases_and_typename(self):
        out = self.gql("{ a: thing(id: \"1\") { __typename id } b: thing(id: \"2\") { id } }")
        self.assertEqual(out, {"data": {"a": {"__typename": "Thing", "id": "1"},
                                        "b": {"id": "2"}}})

    def test_a_function_error_is_an_appsync_error_entry(self):
        out = self.gql("{\n  fail(why: \"x\")\n  hello(n: 3)\n}")
        self.assertEqual(out["data"], {"fail": None, "hello": 3})
        self.assertEqual(out["errors"], [{
            "path": ["fail"], "data": None, "errorType": "NotThere", "errorInfo": None,
            "locations": [{"line": 2, "column": 3, "sourceName": None}],
            "message": "no such thing: x"}])

    def test_null_for_a_non_null_field_propagates(self):
        out = self.gql("{ required { id } hello(n: 1) }")
        self.assertIsNone(out["data"])
        self.assertEqual(out["errors"][0]["path"], ["required"])

    def test_mutation_fields_run_one_after_another(self):
        out = self.gql("mutation { first { field started ended } second { field started ended } }")
        self.assertNotIn("errors", out)
        first, second = out["data"]["first"], out["data"]["second"]
        self.assertEqual((first["field"], second["field"]), ("first", "second"))
        self.assertLessEqual(first["ended"], second["started"])

    # --- local (NONE) resolvers and templates -----------------------------------------------------

    def test_none_resolver_returns_the_payload(self):
        self.assertEqual(self.gql("{ hello(n: 41) }"), {"data": {"hello": 41}})
        self.assertEqual(self.gql("{ hello }"), {"data": {"hello": None}})

    def test_util_error_in_a_template(self):
        out = self.gql("{ refuse }")
        self.assertEqual(out["data"], {"refuse": None})
        self.assertEqual(out["errors"], [{
            "path": ["refuse"], "data": {"why": "testing"}, "errorType": "Refusal",
            "errorInfo": {"detail": 1},
            "locations": [{"line": 1, "column": 3, "sourceName": None}],
            "message": "refused here"}])

    # --- DynamoDB resolvers -----------------------------------------------------------------------

    def test_dynamodb_put_get_update(self):
        put = self.gql("mutation { putItem(name: \"pen\", count: 2) { id name count } }")
        self.assertNotIn("errors", put)
        item = put["data"]["putItem"]
        self.assertEqual((item["name"], item["count"]), ("pen", 2))
        self.assertEqual(len(item["id"]), 36)  # $util.autoId(): a UUID
        got = self.gql("query($id: ID!) { item(id: $id) { id name count } }", {"id": item["id"]})
        self.assertEqual(got, {"data": {"item": item}})
        bumped = self.gql("mutation($id: ID!) { bump(id: $id, by: 5) { count } }",
                          {"id": item["id"]})
        self.assertEqual(bumped, {"data": {"bump": {"count": 7}}})
        self.assertEqual(self.gql("{ item(id: \"none\") { id } }"), {"data": {"item": None}})
        # An explicit null argument is written as DynamoDB's NULL and read back as null.
        put = self.gql("mutation { putItem(name: \"cap\", count: null) { id count } }")
        self.assertNotIn("errors", put)
        got = self.gql("query($id: ID!) { item(id: $id) { name count } }",
                       {"id": put["data"]["putItem"]["id"]})
        self.assertEqual(got, {"data": {"item": {"name": "cap", "count": None}}})

    def test_dynamodb_condition_failure(self):
        self.assertNotIn("errors", self.gql("mutation { putNew(id: \"u1\", name: \"a\") { id } }"))
        out = self.gql("mutation { putNew(id: \"u1\", name: \"b\") { id } }")
        self.assertEqual(out["data"], {"putNew": None})
        self.assertEqual(out["errors"][0]["errorType"],
                         "DynamoDB:ConditionalCheckFailedException")
        self.assertEqual(out["errors"][0]["path"], ["putNew"])

    def test_dynamodb_scan_pages(self):
        for i in range(5):
            self.gql("mutation($n: String!) { putItem(name: $n) { id } }", {"n": f"page{i}"})
        seen, token = [], None
        for _ in range(100):
            out = self.gql("query($t: String) { items(limit: 2, nextToken: $t) "
                           "{ items { id name } nextToken } }", {"t": token})
            self.assertNotIn("errors", out)
            page = out["data"]["items"]
            self.assertLessEqual(len(page["items"]), 2)
            seen += [i["name"] for i in page["items"]]
            token = page["nextToken"]
            if token is None:
                break
        self.assertEqual(len(seen), len(set(seen)))
        self.assertTrue({f"page{i}" for i in range(5)} <= set(seen))

    # --- introspection ----------------------------------------------------------------------------

    def test_introspection(self):
        out = self.gql("{ __schema { queryType { name } mutationType { name } } "
                       "__type(name: \"Thing\") { fields { name } } }")
        self.assertEqual(out["data"]["__schema"], {"queryType": {"name": "Query"},
                                                   "mutationType": {"name": "Mutation"}})
        self.assertEqual([f["name"] for f in out["data"]["__type"]["fields"]],
                         ["id", "label", "owner", "tags"])


class ExpiredKeyTest(unittest.TestCase):
    """A key past its expiry is refused (time runs 100,000 times faster: a day in 0.9 s)."""

    def test_expired_key_is_refused(self):
        server = Server("--time-scale", "0.00001")
        try:
            appsync = appsync_client(server.endpoint)
            api = make_api(appsync, "type Query { x: Int }")
            key = appsync.create_api_key(apiId=api["apiId"])["apiKey"]
            url = api["uris"]["GRAPHQL"]
            first = requests.post(url, data=json.dumps({"query": "{ x }"}),
                                  headers={"x-api-key": key["id"]}, timeout=30)
            self.assertEqual(first.status_code, 200, first.text)
            self.assertEqual(first.json(), {"data": {"x": None}})
            deadline = time.monotonic() + 60
            while True:
                r = requests.post(url, data=json.dumps({"query": "{ x }"}),
                                  headers={"x-api-key": key["id"]}, timeout=30)
                if r.status_code != 200 or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            self.assertEqual(r.status_code, 401, r.text)
            self.assertEqual(r.json()["errors"][0]["errorType"], "UnauthorizedException")
        finally:
            server.stop()


class _EchoHandler(http.server.BaseHTTPRequestHandler):
    """Answers every request with what it received, as JSON; /status/NNN answers NNN."""

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        url = urllib.parse.urlsplit(self.path)
        status = 200
        if url.path.startswith("/status/"):
            status = int(url.path.rsplit("/", 1)[1])
        out = json.dumps({"method": self.command, "path": url.path,
                          "query": urllib.parse.parse_qs(url.query),
                          "headers": {k.lower(): v for k, v in self.headers.items()},
                          "body": body}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Echo", "yes")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    def log_message(self, *args):
        pass


HTTP_SCHEMA = """
type Echo { method: String path: String query: AWSJSON headers: AWSJSON body: String
            status: Int echoHeader: String }
type Query { get(q: String, n: Int): Echo status(code: Int!): Echo down: Echo tls: Echo
             based: Echo nomethod: Echo }
type Mutation { post(text: String!, n: Int): Echo remove(id: ID!): Echo }
"""

# The echo as the field's value, with the status and a response header; a transport error, or a
# status that is not 2xx, as the field's error.
HTTP_RESPONSE = """#if($ctx.error)$util.error($ctx.error.message, $ctx.error.type)#end
#if($ctx.result.statusCode < 200 || $ctx.result.statusCode >= 300)
$util.error("status $ctx.result.statusCode", "HttpStatus", $util.parseJson($ctx.result.body))
#end
#set($echo = $util.parseJson($ctx.result.body))
$util.qr($echo.put("status", $ctx.result.statusCode))
$util.qr($echo.put("echoHeader", $ctx.result.headers.get("X-Echo")))
$util.qr($echo.put("query", $util.toJson($echo.query)))
$util.qr($echo.put("headers", $util.toJson($echo.headers)))
$util.toJson($echo)"""

HTTP_GET = """{"version": "2018-05-29", "method": "GET", "resourcePath": "/things/one",
 "params": {"query": {"q": $util.toJson($ctx.args.q), "n": $util.toJson($ctx.args.n)},
            "headers": {"X-Trace": $util.toJson($ctx.request.headers.get("x-trace"))}}}"""

HTTP_POST = """{"version": "2018-05-29", "method": "POST", "resourcePath": "/things",
 "params": {"headers": {"Content-Type": "application/json"},
            "body": $util.toJson($util.toJson({"text": $ctx.args.text, "n": $ctx.args.n}))}}"""

HTTP_DELETE = """{"version": "2018-05-29", "method": "DELETE",
 "resourcePath": "/things/$ctx.args.id", "params": {"body": {"why": "done"}}}"""

HTTP_STATUS = """{"version": "2018-05-29", "method": "GET",
 "resourcePath": "/status/$ctx.args.code"}"""


class HttpDataSourceTest(unittest.TestCase):
    """HTTP data sources: requests to a local echo server through the request template, the
    answer as $ctx.result ({statusCode, headers, body}), errors of the connection as $ctx.error."""

    @classmethod
    def setUpClass(cls):
        cls.echo = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
        cls.echo_thread = threading.Thread(target=cls.echo.serve_forever, daemon=True)
        cls.echo_thread.start()
        # A port nothing listens on: bound, then closed.
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
        s.close()
        cls.server = Server()
        a = cls.appsync = appsync_client(cls.server.endpoint)
        api = make_api(a, HTTP_SCHEMA)
        cls.api_id = api["apiId"]
        cls.url = api["uris"]["GRAPHQL"]
        cls.key = a.create_api_key(apiId=cls.api_id)["apiKey"]["id"]
        for name, endpoint in [("echo", f"http://127.0.0.1:{cls.echo.server_address[1]}"),
                               ("down", f"http://127.0.0.1:{closed_port}"),
                               ("tls", "https://127.0.0.1:1"),
                               ("based", f"http://127.0.0.1:{cls.echo.server_address[1]}/base/")]:
            a.create_data_source(apiId=cls.api_id, name=name, type="HTTP",
                                 httpConfig={"endpoint": endpoint})
        for type_name, field, source, request in [
                ("Query", "get", "echo", HTTP_GET), ("Query", "status", "echo", HTTP_STATUS),
                ("Query", "down", "down", HTTP_STATUS.replace("$ctx.args.code", "200")),
                ("Query", "tls", "tls", HTTP_STATUS.replace("$ctx.args.code", "200")),
                ("Query", "based", "based", HTTP_STATUS.replace("$ctx.args.code", "200")),
                ("Query", "nomethod", "echo", '{"version": "2018-05-29", "resourcePath": "/"}'),
                ("Mutation", "post", "echo", HTTP_POST),
                ("Mutation", "remove", "echo", HTTP_DELETE)]:
            a.create_resolver(apiId=cls.api_id, typeName=type_name, fieldName=field,
                              dataSourceName=source, requestMappingTemplate=request,
                              responseMappingTemplate=HTTP_RESPONSE)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.echo.shutdown()
        cls.echo.server_close()

    def gql(self, query, headers=None):
        h = {"content-type": "application/json", "x-api-key": self.key}
        h.update(headers or {})
        r = requests.post(self.url, data=json.dumps({"query": query}), headers=h, timeout=60)
        self.assertEqual(r.status_code, 200, r.text)
        return r.json()

    def test_get_with_query_parameters_and_a_header_passed_through(self):
        out = self.gql('{ get(q: "a b&c=d", n: 3) { method path query headers body status '
                       'echoHeader } }', headers={"x-trace": "trace-17"})
        self.assertNotIn("errors", out)
        echo = out["data"]["get"]
        self.assertEqual(echo["method"], "GET")
        self.assertEqual(echo["path"], "/things/one")
        self.assertEqual(json.loads(echo["query"]), {"q": ["a b&c=d"], "n": ["3"]})
        headers = json.loads(echo["headers"])
        self.assertEqual(headers["x-trace"], "trace-17")
        self.assertEqual(headers["host"], f"127.0.0.1:{self.echo.server_address[1]}")
        self.assertEqual(echo["body"], "")
        self.assertEqual(echo["status"], 200)
        self.assertEqual(echo["echoHeader"], "yes")

    def test_post_with_a_json_body(self):
        out = self.gql('mutation { post(text: "hi \\"there\\"", n: 2) { method path headers '
                       'body status } }')
        self.assertNotIn("errors", out)
        echo = out["data"]["post"]
        self.assertEqual(echo["method"], "POST")
        self.assertEqual(echo["path"], "/things")
        self.assertEqual(json.loads(echo["body"]), {"text": 'hi "there"', "n": 2})
        headers = json.loads(echo["headers"])
        self.assertEqual(headers["content-type"], "application/json")
        self.assertEqual(headers["content-length"], str(len(echo["body"].encode())))

    def test_a_body_that_is_not_a_string_is_sent_as_json(self):
        out = self.gql('mutation { remove(id: "t1") { method path headers body } }')
        self.assertNotIn("errors", out)
        echo = out["data"]["remove"]
        self.assertEqual((echo["method"], echo["path"]), ("DELETE", "/things/t1"))
        self.assertEqual(json.loads(echo["body"]), {"why": "done"})
        self.assertEqual(json.loads(echo["headers"])["content-type"], "application/json")

    def test_a_status_that_is_not_2xx_reaches_the_response_template(self):
        out = self.gql("{ status(code: 404) { status } ok: status(code: 201) { status } }")
        self.assertEqual(out["data"], {"status": None, "ok": {"status": 201}})
        self.assertEqual(len(out["errors"]), 1)
        error = out["errors"][0]
        self.assertEqual(error["path"], ["status"])
        self.assertEqual(error["errorType"], "HttpStatus")
        self.assertEqual(error["message"], "status 404")
        self.assertEqual(error["data"]["path"], "/status/404")

    def test_an_unreachable_endpoint_is_the_fields_error(self):
        out = self.gql("{ down { status } get(n: 1) { status } }")
        self.assertEqual(out["data"], {"down": None, "get": {"status": 200}})
        self.assertEqual(len(out["errors"]), 1)
        error = out["errors"][0]
        self.assertEqual(error["path"], ["down"])
        self.assertEqual(error["errorType"], "HttpRequestException")
        self.assertIn("Cannot connect to 127.0.0.1:", error["message"])
        self.assertIn("refused", error["message"].lower())

    def test_an_endpoints_path_comes_before_the_resource_path(self):
        out = self.gql("{ based { path status } }")
        self.assertEqual(out, {"data": {"based": {"path": "/base/status/200", "status": 200}}})

    def test_a_request_without_a_method_is_a_mapping_template_error(self):
        out = self.gql("{ nomethod { status } }")
        self.assertEqual(out["data"], {"nomethod": None})
        self.assertEqual(out["errors"][0]["errorType"], "MappingTemplate")
        self.assertEqual(out["errors"][0]["message"], "Value for field '$[method]' not found.")

    def test_an_https_endpoint_is_refused_clearly(self):
        out = self.gql("{ tls { status } }")
        self.assertEqual(out["data"], {"tls": None})
        error = out["errors"][0]
        self.assertEqual(error["errorType"], "UnsupportedDataSource")
        self.assertIn("https://", error["message"])
        self.assertIn("TLS", error["message"])


class HttpDataSourceShutdownTest(unittest.TestCase):
    """A server stopping while an HTTP resolver waits for an endpoint that never answers stops
    at once and cleanly (exit status 0), not after the request's 30 s timeout, and the GraphQL
    request ends (http_client_test.cc checks that Stop fails the request under way)."""

    def test_stop_with_an_http_request_under_way(self):
        hang = socket.socket()
        hang.bind(("127.0.0.1", 0))
        hang.listen(4)
        server = Server()
        stopped = False
        try:
            a = appsync_client(server.endpoint)
            api = make_api(a, HTTP_SCHEMA)
            key = a.create_api_key(apiId=api["apiId"])["apiKey"]["id"]
            endpoint = f"http://127.0.0.1:{hang.getsockname()[1]}"
            a.create_data_source(apiId=api["apiId"], name="hang", type="HTTP",
                                 httpConfig={"endpoint": endpoint})
            a.create_resolver(apiId=api["apiId"], typeName="Query", fieldName="down",
                              dataSourceName="hang", requestMappingTemplate=HTTP_STATUS.replace(
                                  "$ctx.args.code", "200"), responseMappingTemplate=HTTP_RESPONSE)
            outcome = []

            def query():
                try:
                    outcome.append(requests.post(
                        api["uris"]["GRAPHQL"], data=json.dumps({"query": "{ down { status } }"}),
                        headers={"x-api-key": key}, timeout=60))
                except requests.RequestException as e:
                    outcome.append(e)
            client = threading.Thread(target=query, daemon=True)
            client.start()
            hang.settimeout(20)
            conn, _ = hang.accept()
            conn.settimeout(20)
            self.assertTrue(conn.recv(4096).startswith(b"GET /status/200 HTTP/1.1\r\n"))
            stopped = True
            self.assertEqual(server.stop(), 0)  # (stop fails the test when the server hangs)
            conn.close()
            client.join(30)
            self.assertFalse(client.is_alive())
            self.assertEqual(len(outcome), 1)
        finally:
            if not stopped:
                server.stop()
            hang.close()


if __name__ == "__main__":
    ctest_unittest.main()
