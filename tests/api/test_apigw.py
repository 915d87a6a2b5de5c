"""The API Gateway front door (src/apigw/, docs/apigw.md), end to end.

A real `stator serve`; the control plane through boto3's `apigatewayv2` client (its errors
first), then requests through `requests` to the invoke URLs /apigw/<apiId>/[<stage>/]<path>:
the payload 1.0 and 2.0 proxy events a function receives (field by field), path parameters,
query strings, base64 bodies, response mapping, 502 when the function raises, 404 when nothing
matches, route precedence, a state machine started by a route, and routes kept across a restart.

Needs python3 with boto3 and requests. Functions run without the sandbox (--no-function-sandbox).
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse
import uuid

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import boto3  # noqa: E402
import botocore.config  # noqa: E402
import botocore.exceptions  # noqa: E402
import requests  # noqa: E402

from stator_server import ACCOUNT, REGION, Server, client, lambda_client, make_zip  # noqa: E402

import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)
from ctest_unittest import needs  # noqa: E402

# Answers {statusCode 200, body: the event as JSON}.
ECHO = """\
import json
def handler(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(event)}
"""
# Answers what the request's body says (the body is the function's result, as JSON).
RESPOND = """\
import base64, json
def handler(event, context):
    body = event["body"]
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return json.loads(body)
"""
FAIL = """\
def handler(event, context):
    raise ValueError("boom")
"""


def apigw_client(endpoint):
    return boto3.client(
        "apigatewayv2", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="x",
        aws_secret_access_key="x", config=botocore.config.Config(retries={"max_attempts": 0}))


def create_function(lam, name, code):
    lam.create_function(FunctionName=name, Runtime="python3.12", Handler="index.handler",
                        Role=f"arn:aws:iam::{ACCOUNT}:role/r",
                        Code={"ZipFile": make_zip({"index.py": code})})
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


class ApiGatewayCase(unittest.TestCase):
    server_args = ("--no-function-sandbox", "--time-scale", "0")

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="stator-apigw-")
        cls.data = os.path.join(cls.tmp, "data")
        cls.start()
        cls.echo = create_function(cls.lam, "echo", ECHO)
        cls.respond = create_function(cls.lam, "respond", RESPOND)
        cls.failing = create_function(cls.lam, "fail", FAIL)

    @classmethod
    def start(cls):
        cls.server = Server("--data-dir", cls.data, *cls.server_args)
        cls.endpoint = cls.server.endpoint
        cls.gw = apigw_client(cls.endpoint)
        cls.lam = lambda_client(cls.endpoint)
        cls.sfn = client(cls.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def api(self, name="a", stage="$default"):
        api_id = self.gw.create_api(Name=name, ProtocolType="HTTP")["ApiId"]
        self.gw.create_stage(ApiId=api_id, StageName=stage, AutoDeploy=True)
        return api_id

    def route(self, api_id, key, function_arn, version="2.0"):
        i = self.gw.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY",
                                       IntegrationUri=function_arn, PayloadFormatVersion=version)
        return self.gw.create_route(ApiId=api_id, RouteKey=key,
                                    Target="integrations/" + i["IntegrationId"])

    def url(self, api_id, path, stage=None):
        return f"{self.endpoint}/apigw/{api_id}" + (f"/{stage}" if stage else "") + path

    def error(self, code, status, fn, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        r = cm.exception.response
        self.assertEqual(r["Error"]["Code"], code, r)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], status)
        self.assertEqual(r["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-errortype"), code)
        self.assertTrue(r["Error"]["Message"])
        return r["Error"]["Message"]


class ControlPlaneErrorsTest(ApiGatewayCase):
    def test_not_found(self):
        msg = self.error("NotFoundException", 404, self.gw.get_api, ApiId="nosuchapi0")
        self.assertEqual(msg, "Invalid API identifier specified nosuchapi0")
        self.error("NotFoundException", 404, self.gw.delete_api, ApiId="nosuchapi0")
        self.error("NotFoundException", 404, self.gw.get_routes, ApiId="nosuchapi0")
        self.error("NotFoundException", 404, self.gw.create_route, ApiId="nosuchapi0",
                   RouteKey="GET /x")
        api_id = self.api()
        self.error("NotFoundException", 404, self.gw.delete_route, ApiId=api_id, RouteId="nope")
        self.error("NotFoundException", 404, self.gw.get_integration, ApiId=api_id,
                   IntegrationId="nope")
        msg = self.error("NotFoundException", 404, self.gw.create_route, ApiId=api_id,
                         RouteKey="GET /x", Target="integrations/nope123")
        self.assertIn("nope123", msg)

    def test_bad_requests(self):
        self.error("BadRequestException", 400, self.gw.create_api, Name="w",
                   ProtocolType="WEBSOCKET")
        self.error("BadRequestException", 400, self.gw.create_api, Name="q", ProtocolType="HTTP",
                   Target="https://example.com")
        api_id = self.api()
        self.error("BadRequestException", 400, self.gw.create_integration, ApiId=api_id,
                   IntegrationType="HTTP_PROXY", IntegrationUri="https://example.com",
                   PayloadFormatVersion="1.0")
        msg = self.error("BadRequestException", 400, self.gw.create_integration, ApiId=api_id,
                         IntegrationType="AWS_PROXY", IntegrationUri=self.echo)
        self.assertIn("PayloadFormatVersion", msg)
        self.error("BadRequestException", 400, self.gw.create_integration, ApiId=api_id,
                   IntegrationType="AWS_PROXY", IntegrationUri="not-an-arn",
                   PayloadFormatVersion="2.0")
        self.error("BadRequestException", 400, self.gw.create_integration, ApiId=api_id,
                   IntegrationType="AWS_PROXY", IntegrationSubtype="StepFunctions-StartExecution",
                   PayloadFormatVersion="1.0", RequestParameters={"Input": "$request.body"})
        for key in ["FETCH /x", "GET x", "GET /{a+}/b", "GET /a{b}", "GET"]:
            self.error("BadRequestException", 400, self.gw.create_route, ApiId=api_id,
                       RouteKey=key)
        self.error("BadRequestException", 400, self.gw.create_stage, ApiId=api_id,
                   StageName="bad stage")

    def test_conflicts(self):
        api_id = self.api(stage="Prod")
        self.route(api_id, "GET /x", self.echo)
        msg = self.error("ConflictException", 409, self.gw.create_route, ApiId=api_id,
                         RouteKey="GET /x")
        self.assertIn("GET /x", msg)
        self.error("ConflictException", 409, self.gw.create_stage, ApiId=api_id,
                   StageName="Prod")

    def test_create_get_delete(self):
        api_id = self.api(name="crud")
        self.assertRegex(api_id, r"^[a-z0-9]{10}$")
        api = self.gw.get_api(ApiId=api_id)
        self.assertEqual(api["Name"], "crud")
        self.assertEqual(api["ProtocolType"], "HTTP")
        self.assertEqual(api["ApiEndpoint"], f"{self.endpoint}/apigw/{api_id}")
        self.assertIn(api_id, [a["ApiId"] for a in self.gw.get_apis()["Items"]])
        r = self.route(api_id, "POST /bookings", self.echo)
        self.assertEqual(r["RouteKey"], "POST /bookings")
        integrations = self.gw.get_integrations(ApiId=api_id)["Items"]
        self.assertEqual([(i["IntegrationType"], i["IntegrationUri"], i["PayloadFormatVersion"])
                          for i in integrations], [("AWS_PROXY", self.echo, "2.0")])
        self.assertEqual([x["RouteKey"] for x in self.gw.get_routes(ApiId=api_id)["Items"]],
                         ["POST /bookings"])
        self.assertEqual([s["StageName"] for s in self.gw.get_stages(ApiId=api_id)["Items"]],
                         ["$default"])
        self.gw.delete_route(ApiId=api_id, RouteId=r["RouteId"])
        self.assertEqual(self.gw.get_routes(ApiId=api_id)["Items"], [])
        self.gw.delete_api(ApiId=api_id)
        self.error("NotFoundException", 404, self.gw.get_api, ApiId=api_id)

    def test_quick_create(self):
        api = self.gw.create_api(Name="quick", ProtocolType="HTTP", Target=self.echo)
        routes = self.gw.get_routes(ApiId=api["ApiId"])["Items"]
        self.assertEqual([r["RouteKey"] for r in routes], ["$default"])
        stages = self.gw.get_stages(ApiId=api["ApiId"])["Items"]
        self.assertEqual([(s["StageName"], s["AutoDeploy"]) for s in stages], [("$default", True)])
        r = requests.get(self.url(api["ApiId"], "/anything/here"), timeout=60)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["routeKey"], "$default")
        self.assertEqual(r.json()["rawPath"], "/anything/here")


class ProxyEventsTest(ApiGatewayCase):
    def test_payload_2_0_fields(self):
        api_id = self.api()
        self.route(api_id, "POST /bookings/{id}", self.echo)
        r = requests.post(self.url(api_id, "/bookings/b%2042?a=1&a=2&b=x%20y"),
                          data=json.dumps({"guest": "ann"}),
                          headers={"Content-Type": "application/json", "X-Custom": "v",
                                   "Cookie": "c1=a; c2=b", "User-Agent": "ua/1"},
                          timeout=60)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.headers["Content-Type"], "application/json")
        self.assertTrue(r.headers.get("apigw-requestid"))
        e = r.json()
        self.assertEqual(sorted(e), sorted([
            "version", "routeKey", "rawPath", "rawQueryString", "cookies", "headers",
            "queryStringParameters", "pathParameters", "requestContext", "body",
            "isBase64Encoded"]))
        self.assertEqual(e["version"], "2.0")
        self.assertEqual(e["routeKey"], "POST /bookings/{id}")
        self.assertEqual(e["rawPath"], "/bookings/b%2042")
        self.assertEqual(e["rawQueryString"], "a=1&a=2&b=x%20y")
        self.assertEqual(e["cookies"], ["c1=a", "c2=b"])
        self.assertEqual(e["headers"]["x-custom"], "v")
        self.assertEqual(e["headers"]["content-type"], "application/json")
        self.assertNotIn("cookie", e["headers"])
        self.assertTrue(all(k == k.lower() for k in e["headers"]))
        self.assertEqual(e["queryStringParameters"], {"a": "1,2", "b": "x y"})
        self.assertEqual(e["pathParameters"], {"id": "b 42"})
        self.assertEqual(e["body"], '{"guest": "ann"}')
        self.assertIs(e["isBase64Encoded"], False)
        c = e["requestContext"]
        self.assertEqual(c["accountId"], ACCOUNT)
        self.assertEqual(c["apiId"], api_id)
        self.assertEqual(c["stage"], "$default")
        self.assertEqual(c["routeKey"], "POST /bookings/{id}")
        self.assertEqual(c["http"], {"method": "POST", "path": "/bookings/b%2042",
                                     "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                                     "userAgent": "ua/1"})
        self.assertEqual(c["requestId"], r.headers["apigw-requestid"])
        self.assertRegex(c["time"], r"^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$")
        self.assertIsInstance(c["timeEpoch"], int)
        self.assertEqual(c["domainName"], f"127.0.0.1:{self.server.port}")
        # Repeated headers are joined with commas.
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        conn.putrequest("POST", f"/apigw/{api_id}/bookings/7")
        conn.putheader("X-Multi", "one")
        conn.putheader("X-Multi", "two")
        conn.putheader("Content-Length", "0")
        conn.endheaders()
        e = json.loads(conn.getresponse().read())
        conn.close()
        self.assertEqual(e["headers"]["x-multi"], "one,two")
        self.assertNotIn("body", e)
        self.assertNotIn("queryStringParameters", e)
        self.assertNotIn("cookies", e)

    def test_payload_1_0_fields(self):
        api_id = self.api(stage="Prod")
        route = self.route(api_id, "GET /items/{id}", self.echo, version="1.0")
        r = requests.get(self.url(api_id, "/items/42?x=1&x=2&y=z", stage="Prod"),
                         headers={"X-Custom": "v", "User-Agent": "ua/1"}, timeout=60)
        self.assertEqual(r.status_code, 200, r.text)
        e = r.json()
        self.assertEqual(sorted(e), sorted([
            "resource", "path", "httpMethod", "headers", "multiValueHeaders",
            "queryStringParameters", "multiValueQueryStringParameters", "pathParameters",
            "stageVariables", "requestContext", "body", "isBase64Encoded"]))
        self.assertEqual(e["resource"], "/items/{id}")
        self.assertEqual(e["path"], "/items/42")
        self.assertEqual(e["httpMethod"], "GET")
        self.assertEqual(e["headers"]["X-Custom"], "v")
        self.assertEqual(e["multiValueHeaders"]["X-Custom"], ["v"])
        self.assertEqual(e["queryStringParameters"], {"x": "2", "y": "z"})
        self.assertEqual(e["multiValueQueryStringParameters"], {"x": ["1", "2"], "y": ["z"]})
        self.assertEqual(e["pathParameters"], {"id": "42"})
        self.assertIsNone(e["stageVariables"])
        self.assertIsNone(e["body"])
        self.assertIs(e["isBase64Encoded"], False)
        c = e["requestContext"]
        self.assertEqual(c["path"], "/Prod/items/42")
        self.assertEqual(c["stage"], "Prod")
        self.assertEqual(c["httpMethod"], "GET")
        self.assertEqual(c["resourcePath"], "/items/{id}")
        self.assertEqual(c["resourceId"], route["RouteId"])
        self.assertEqual(c["apiId"], api_id)
        self.assertEqual(c["accountId"], ACCOUNT)
        self.assertEqual(c["protocol"], "HTTP/1.1")
        self.assertEqual(c["identity"]["sourceIp"], "127.0.0.1")
        self.assertEqual(c["identity"]["userAgent"], "ua/1")
        self.assertIsNone(c["identity"]["user"])
        self.assertEqual(c["requestId"], r.headers["apigw-requestid"])
        self.assertRegex(c["requestTime"], r"^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$")
        self.assertIsInstance(c["requestTimeEpoch"], int)
        # Without a query string or path parameters those are null.
        self.route(api_id, "GET /plain", self.echo, version="1.0")
        e = requests.get(self.url(api_id, "/plain", stage="Prod"), timeout=60).json()
        self.assertIsNone(e["queryStringParameters"])
        self.assertIsNone(e["multiValueQueryStringParameters"])
        self.assertIsNone(e["pathParameters"])
        # The stage segment is required: the API has no $default stage.
        r = requests.get(self.url(api_id, "/plain"), timeout=60)
        self.assertEqual((r.status_code, r.json()), (404, {"message": "Not Found"}))

    def test_base64_bodies(self):
        api_id = self.api()
        self.route(api_id, "POST /v2", self.echo)
        self.route(api_id, "POST /v1", self.echo, version="1.0")
        binary = bytes(range(256))
        for path in ["/v2", "/v1"]:
            e = requests.post(self.url(api_id, path), data=binary,
                              headers={"Content-Type": "application/octet-stream"},
                              timeout=60).json()
            self.assertIs(e["isBase64Encoded"], True, path)
            self.assertEqual(base64.b64decode(e["body"]), binary, path)
            e = requests.post(self.url(api_id, path), data="plain text",
                              headers={"Content-Type": "text/plain"}, timeout=60).json()
            self.assertIs(e["isBase64Encoded"], False, path)
            self.assertEqual(e["body"], "plain text", path)

    def test_response_mapping(self):
        api_id = self.api()
        self.route(api_id, "POST /v2", self.respond)
        self.route(api_id, "POST /v1", self.respond, version="1.0")
        full = {"statusCode": 201, "headers": {"X-One": "1", "Content-Type": "image/png"},
                "multiValueHeaders": {"X-Many": ["a", "b"]},
                "body": base64.b64encode(b"\x89PNG").decode(), "isBase64Encoded": True}
        for path in ["/v2", "/v1"]:
            r = requests.post(self.url(api_id, path), json=full, timeout=60)
            self.assertEqual(r.status_code, 201, path)
            self.assertEqual(r.content, b"\x89PNG", path)
            self.assertEqual(r.headers["X-One"], "1")
            self.assertEqual(r.headers["Content-Type"], "image/png")
            self.assertEqual(r.headers["X-Many"], "a, b")
        # 2.0's cookies become Set-Cookie headers.
        r = requests.post(self.url(api_id, "/v2"),
                          json={"statusCode": 200, "cookies": ["s=1", "t=2"], "body": "ok"},
                          timeout=60)
        self.assertEqual((r.status_code, r.text), (200, "ok"))
        self.assertEqual(r.cookies.get("s"), "1")
        self.assertEqual(r.cookies.get("t"), "2")
        # 2.0's simple response: no statusCode means 200 with the result as JSON.
        r = requests.post(self.url(api_id, "/v2"), json={"hello": "world"}, timeout=60)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.headers["Content-Type"], "application/json")
        self.assertEqual(r.json(), {"hello": "world"})
        r = requests.post(self.url(api_id, "/v2"), json="just text", timeout=60)
        self.assertEqual((r.status_code, r.json()), (200, "just text"))
        # 1.0 has no simple response: a result without statusCode is a 502.
        r = requests.post(self.url(api_id, "/v1"), json={"hello": "world"}, timeout=60)
        self.assertEqual((r.status_code, r.json()), (502, {"message": "Internal server error"}))

    def test_function_error_is_502(self):
        api_id = self.api()
        self.route(api_id, "GET /v2", self.failing)
        self.route(api_id, "GET /v1", self.failing, version="1.0")
        r = requests.get(self.url(api_id, "/v1"), timeout=60)
        self.assertEqual((r.status_code, r.json()), (502, {"message": "Internal server error"}))
        r = requests.get(self.url(api_id, "/v2"), timeout=60)
        self.assertEqual((r.status_code, r.json()), (502, {"message": "Internal Server Error"}))

    def test_unmatched_is_404(self):
        api_id = self.api()
        self.route(api_id, "GET /only", self.echo)
        for url in [self.url(api_id, "/other"), self.url(api_id, "/only/more"),
                    self.url("nosuchapi0", "/only")]:
            r = requests.get(url, timeout=60)
            self.assertEqual((r.status_code, r.json()), (404, {"message": "Not Found"}), url)
        r = requests.post(self.url(api_id, "/only"), timeout=60)  # another method
        self.assertEqual(r.status_code, 404)

    def test_route_precedence(self):
        api_id = self.api()
        for key in ["GET /a/b", "GET /a/{x}", "ANY /a/{x}", "ANY /a/{rest+}", "$default",
                    "ANY /{proxy+}"]:
            self.route(api_id, key, self.echo)
        cases = [("GET", "/a/b", "GET /a/b", None),
                 ("GET", "/a/c", "GET /a/{x}", {"x": "c"}),
                 ("PUT", "/a/c", "ANY /a/{x}", {"x": "c"}),
                 ("GET", "/a/c/d/e", "ANY /a/{rest+}", {"rest": "c/d/e"}),
                 ("DELETE", "/z/y", "ANY /{proxy+}", {"proxy": "z/y"}),
                 ("GET", "/", "$default", None)]
        for method, path, key, params in cases:
            e = requests.request(method, self.url(api_id, path), timeout=60).json()
            self.assertEqual(e["routeKey"], key, (method, path))
            self.assertEqual(e.get("pathParameters"), params, (method, path))

    def test_state_machine_route(self):
        arn = self.sfn.create_state_machine(
            name="booked", roleArn=f"arn:aws:iam::{ACCOUNT}:role/r",
            definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass",
                                                                     "End": True}}}))[
            "stateMachineArn"]
        api_id = self.api(stage="Prod")
        i = self.gw.create_integration(
            ApiId=api_id, IntegrationType="AWS_PROXY",
            IntegrationSubtype="StepFunctions-StartExecution", PayloadFormatVersion="1.0",
            RequestParameters={"StateMachineArn": arn, "Input": "$request.body"})
        self.gw.create_route(ApiId=api_id, RouteKey="POST /book",
                             Target="integrations/" + i["IntegrationId"])
        r = requests.post(self.url(api_id, "/book", stage="Prod"), json={"room": 7}, timeout=60)
        self.assertEqual(r.status_code, 200, r.text)
        execution = r.json()["executionArn"]
        self.assertIn("startDate", r.json())
        d = self.sfn.describe_execution(executionArn=execution)
        self.assertEqual(d["stateMachineArn"], arn)
        self.assertEqual(json.loads(d["input"]), {"room": 7})


class RestartTest(ApiGatewayCase):
    def test_routes_survive_restart(self):
        api_id = self.api(stage="Prod")
        self.route(api_id, "ANY /{proxy+}", self.echo, version="1.0")
        before = requests.get(self.url(api_id, "/x/y", stage="Prod"), timeout=60)
        self.assertEqual(before.status_code, 200)
        type(self).server.stop()
        type(self).start()
        r = requests.get(self.url(api_id, "/x/y", stage="Prod"), timeout=60)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["pathParameters"], {"proxy": "x/y"})
        self.assertEqual([x["RouteKey"] for x in self.gw.get_routes(ApiId=api_id)["Items"]],
                         ["ANY /{proxy+}"])


def postgres_missing():
    if not os.environ.get("STATOR_TEST_POSTGRES"):
        return "STATOR_TEST_POSTGRES is not set (run through scripts/postgres.sh run ...)"
    return None


@needs("a PostgreSQL server for a cluster", postgres_missing)
class ClusterTest(unittest.TestCase):
    def test_routes_serve_on_every_node(self):
        base = os.environ["STATOR_TEST_POSTGRES"]
        name = "apigw_" + uuid.uuid4().hex[:12]
        subprocess.run(["psql", base, "-q", "-c", f"CREATE DATABASE {name}"], check=True)
        self.addCleanup(subprocess.run, ["psql", base, "-q", "-c",
                                         f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])
        uri = urllib.parse.urlunsplit(urllib.parse.urlsplit(base)._replace(path="/" + name))
        nodes = []
        for _ in range(2):
            node = Server("--store", uri, "--no-function-sandbox")
            self.addCleanup(node.stop)
            nodes.append(node)
        a, b = nodes
        echo = create_function(lambda_client(a.endpoint), "echo", ECHO)
        api_id = apigw_client(a.endpoint).create_api(Name="c", ProtocolType="HTTP",
                                                     Target=echo)["ApiId"]
        # Created on node A, served by node B (and A).
        for node in (b, a):
            r = requests.get(f"{node.endpoint}/apigw/{api_id}/x", timeout=60)
            self.assertEqual(r.status_code, 200, r.text)
            self.assertEqual(r.json()["routeKey"], "$default")
        # A route added on node B serves on node A at once.
        gw_b = apigw_client(b.endpoint)
        i = gw_b.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY",
                                    IntegrationUri=echo, PayloadFormatVersion="2.0")
        gw_b.create_route(ApiId=api_id, RouteKey="GET /only-b",
                          Target="integrations/" + i["IntegrationId"])
        r = requests.get(f"{a.endpoint}/apigw/{api_id}/only-b", timeout=60)
        self.assertEqual(r.json()["routeKey"], "GET /only-b")


if __name__ == "__main__":
    ctest_unittest.main()
