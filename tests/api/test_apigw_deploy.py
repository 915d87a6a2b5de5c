"""`stator deploy` of SAM Api / HttpApi events (tests/api/apigw_sam/template.yaml), end to end.

A real `stator serve` and the `stator` CLI: the implicit ServerlessRestApi (stage Prod) and
ServerlessHttpApi ($default), explicit AWS::Serverless::Api / HttpApi resources, the routes'
URLs in deploy's output, Outputs with ${ServerlessRestApi}, requests through `requests` to the
function (payload 1.0 and 2.0) and to the state machine (StartExecution), a second deploy, and
delete-stack removing the APIs.

Needs python3 with boto3 and requests. Functions run without the sandbox.
"""

import json
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import boto3  # noqa: E402
import botocore.config  # noqa: E402
import requests  # noqa: E402

from stator_server import REGION, ServerTestCase, run_stator  # noqa: E402

import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apigw_sam", "template.yaml")


class ApiEventsDeployTest(ServerTestCase):
    server_args = ("--no-function-sandbox",)

    def deploy(self, *extra):
        code, out, err = run_stator("deploy", TEMPLATE, "--stack-name", "gw", *extra,
                                    endpoint=self.endpoint)
        self.assertEqual(code, 0, (out, err))
        return out

    def gw(self):
        return boto3.client(
            "apigatewayv2", endpoint_url=self.endpoint, region_name=REGION,
            aws_access_key_id="x", aws_secret_access_key="x",
            config=botocore.config.Config(retries={"max_attempts": 0}))

    def test_deploy_routes_and_delete(self):
        summary = json.loads(self.deploy("--json"))
        outputs = summary["Outputs"]
        rest, http, admin = outputs["RestApiId"], outputs["HttpApiId"], outputs["AdminApiId"]
        for api_id in (rest, http, admin):
            self.assertRegex(api_id, r"^[a-z0-9]{10}$")
        self.assertEqual(outputs["BookingsUrl"],
                         f"https://{rest}.execute-api.{REGION}.amazonaws.com/Prod/bookings")
        rows = {r["LogicalResourceId"]: r for r in summary["Resources"]}
        self.assertEqual(rows["ServerlessRestApi"]["ResourceStatus"], "CREATED")
        self.assertEqual(rows["ServerlessRestApi"]["ResourceType"], "AWS::Serverless::Api")
        self.assertEqual(rows["ServerlessHttpApi"]["ResourceType"], "AWS::Serverless::HttpApi")
        base = f"{self.endpoint}/apigw/{rest}/Prod"
        # The APIs' local URLs as Outputs (ApiEndpoint, bound once the API exists).
        self.assertEqual(outputs["RestApiUrl"], base)
        self.assertEqual(outputs["HttpApiUrl"], f"{self.endpoint}/apigw/{http}/hi")
        note = rows["BookFunction"]["Note"]
        self.assertIn(f"POST {base}/bookings", note)
        self.assertIn(f"GET {base}/bookings/{{id}}", note)
        self.assertIn(f"ANY {self.endpoint}/apigw/{admin}/dev/admin", note)
        self.assertNotIn("ignored", note)
        self.assertIn(f"POST {base}/flows", rows["BookingFlow"]["Note"])
        hello_note = rows["HelloFunction"]["Note"]
        self.assertIn(f"GET {self.endpoint}/apigw/{http}/hello/{{name}}", hello_note)

        gw = self.gw()
        self.assertEqual(sorted(r["RouteKey"] for r in gw.get_routes(ApiId=rest)["Items"]),
                         ["GET /bookings/{id}", "POST /bookings", "POST /flows"])
        self.assertEqual([s["StageName"] for s in gw.get_stages(ApiId=rest)["Items"]], ["Prod"])
        self.assertEqual(sorted(r["RouteKey"] for r in gw.get_routes(ApiId=http)["Items"]),
                         ["$default", "GET /hello/{name}"])

        # Api (payload 1.0) on the function.
        r = requests.post(f"{base}/bookings", data='{"guest": "ann"}', timeout=60)
        self.assertEqual(r.status_code, 201, r.text)
        self.assertEqual(r.headers["X-Booked"], "yes")
        self.assertEqual(r.json(), {"resource": "/bookings", "path": "/bookings", "params": None,
                                    "body": '{"guest": "ann"}'})
        r = requests.get(f"{base}/bookings/b-7", timeout=60)
        self.assertEqual(r.json()["params"], {"id": "b-7"})
        r = requests.delete(f"{self.endpoint}/apigw/{admin}/dev/admin", timeout=60)
        self.assertEqual(r.status_code, 201, r.text)
        # HttpApi (payload 2.0, the simple response), routes and the catch-all.
        r = requests.get(f"{self.endpoint}/apigw/{http}/hello/bob", timeout=60)
        self.assertEqual(r.json(), {"hello": "/hello/bob", "route": "GET /hello/{name}"})
        r = requests.post(f"{self.endpoint}/apigw/{http}/any/thing", timeout=60)
        self.assertEqual(r.json(), {"hello": "/any/thing", "route": "$default"})
        r = requests.get(f"{self.endpoint}/apigw/{outputs_public(gw)}/hi", timeout=60)
        self.assertEqual(r.json()["route"], "GET /hi")
        # Api on the state machine: StartExecution with the body as input.
        r = requests.post(f"{base}/flows", json={"room": 3}, timeout=60)
        self.assertEqual(r.status_code, 200, r.text)
        execution = r.json()["executionArn"]
        self.assertIn(":execution:gw-BookingFlow:", execution)
        d = self.sfn.describe_execution(executionArn=execution)
        self.assertEqual(json.loads(d["input"]), {"room": 3})
        # Unmatched.
        r = requests.get(f"{base}/nothing", timeout=60)
        self.assertEqual((r.status_code, r.json()), (404, {"message": "Not Found"}))

        # The printed table carries the URLs too.
        out = self.deploy()
        self.assertIn(f"POST {base}/bookings", out)
        self.assertRegex(out, r"UPDATED\s+AWS::Serverless::Api\s+ServerlessRestApi")
        # Same ids, same routes, once each.
        self.assertEqual(sorted(r["RouteKey"] for r in gw.get_routes(ApiId=rest)["Items"]),
                         ["GET /bookings/{id}", "POST /bookings", "POST /flows"])
        self.assertEqual(requests.post(f"{base}/bookings", data="{}", timeout=60).status_code, 201)

        code, out, err = run_stator("delete-stack", "gw", endpoint=self.endpoint)
        self.assertEqual(code, 0, (out, err))
        ids = {a["ApiId"] for a in gw.get_apis()["Items"]}
        self.assertEqual(ids & {rest, http, admin}, set())
        self.assertEqual(requests.post(f"{base}/bookings", timeout=60).status_code, 404)

    def test_template_errors(self):
        with open(TEMPLATE) as f:
            text = f.read()
        bad = self.write("bad/template.yaml", re.sub(
            r"Properties: \{Path: /flows, Method: post\}", "Properties: {Path: /flows}", text))
        code, out, err = run_stator("deploy", bad, "--stack-name", "bad", endpoint=self.endpoint)
        self.assertEqual(code, 2, (out, err))
        self.assertIn("resource BookingFlow (AWS::Serverless::StateMachine): Events.Start (Api) "
                      "needs Path and Method", err)


def outputs_public(gw):
    """The id of the stack's PublicApi (AWS::Serverless::HttpApi), found by its tags."""
    for a in gw.get_apis()["Items"]:
        if a.get("Tags", {}).get("stator:logical-id") == "PublicApi":
            return a["ApiId"]
    raise AssertionError("no PublicApi")


if __name__ == "__main__":
    ctest_unittest.main()
