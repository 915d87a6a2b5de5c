"""AppSync's control plane (src/appsync/, docs/appsync.md) through boto3's `appsync` client and
the AWS CLI, against a real `stator serve`: the errors first (AppSync's exception names, statuses
and wording), then the lifecycle of APIs, schemas, types, API keys, data sources, resolvers and
tags, and everything read back after a restart.
"""

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import boto3  # noqa: E402
import botocore.config  # noqa: E402
import botocore.exceptions  # noqa: E402

from stator_server import ACCOUNT, REGION, Server  # noqa: E402

import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

SCHEMA = """\
"A booking."
type Booking {
  id: ID!
  apartmentId: ID!
  startDate: AWSDateTime
}

input BookingInput {
  apartmentId: ID!
  customer: String!
}

type Query {
  booking(id: ID!): Booking
}

type Mutation {
  addStepFunction(input: BookingInput!): Booking
}
"""

API_ID = re.compile(r"^[a-z0-9]{26}$")
KEY_ID = re.compile(r"^da2-[a-z0-9]{26}$")
HOUR = 3600
DAY = 24 * HOUR


def appsync_client(endpoint):
    return boto3.client(
        "appsync", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="x",
        aws_secret_access_key="x", config=botocore.config.Config(retries={"max_attempts": 0}))


class AppSyncCase(unittest.TestCase):
    """One server with a data directory for the class; `api` makes an API with the schema."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix=f"stator-{cls.__name__}-")
        cls.data = os.path.join(cls.tmp, "data")
        cls.server = Server("--data-dir", cls.data)
        cls.appsync = appsync_client(cls.server.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def assertError(self, code, status, message, fn, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], code, err)
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)
        if message is not None:
            self.assertEqual(err["Message"], message)
        return err

    def api(self, name="bookings", schema=SCHEMA, **kw):
        api = self.appsync.create_graphql_api(name=name, authenticationType="API_KEY",
                                              **kw)["graphqlApi"]
        if schema is not None:
            self.create_schema(api["apiId"], schema)
        return api

    def create_schema(self, api_id, sdl):
        r = self.appsync.start_schema_creation(apiId=api_id, definition=sdl.encode())
        self.assertEqual(r["status"], "PROCESSING")
        return self.appsync.get_schema_creation_status(apiId=api_id)

    def lambda_source(self, api_id, name="BookingFunction"):
        return self.appsync.create_data_source(
            apiId=api_id, name=name, type="AWS_LAMBDA",
            serviceRoleArn=f"arn:aws:iam::{ACCOUNT}:role/appsync",
            lambdaConfig={"lambdaFunctionArn":
                          f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:book"})["dataSource"]


class ErrorTest(AppSyncCase):
    def test_unknown_api(self):
        for call, kw in [(self.appsync.get_graphql_api, {}),
                         (self.appsync.delete_graphql_api, {}),
                         (self.appsync.list_api_keys, {}),
                         (self.appsync.create_api_key, {}),
                         (self.appsync.list_data_sources, {}),
                         (self.appsync.get_schema_creation_status, {}),
                         (self.appsync.update_graphql_api, {"name": "x",
                                                            "authenticationType": "API_KEY"})]:
            self.assertError("NotFoundException", 404, "GraphQL API nosuchapi not found.", call,
                             apiId="nosuchapi", **kw)

    def test_bad_create(self):
        self.assertError("BadRequestException", 400, None, self.appsync.create_graphql_api,
                         name="x", authenticationType="PASSWORD")
        self.assertError("BadRequestException", 400, None, self.appsync.create_graphql_api,
                         name="x", authenticationType="API_KEY",
                         logConfig={"fieldLogLevel": "LOUD", "cloudWatchLogsRoleArn": "r"})

    def test_api_key_validity(self):
        api = self.api(schema=None)
        now = int(time.time())
        for expires, message in [(now + 3600, "API key must be valid for a minimum of 1 days."),
                                 (now + 366 * DAY,
                                  "API key must be valid for a maximum of 365 days.")]:
            self.assertError("ApiKeyValidityOutOfBoundsException", 400, message,
                             self.appsync.create_api_key, apiId=api["apiId"], expires=expires)
        self.assertEqual(self.appsync.list_api_keys(apiId=api["apiId"])["apiKeys"], [])
        self.assertError("NotFoundException", 404, "API key not found: da2-nope",
                         self.appsync.update_api_key, apiId=api["apiId"], id="da2-nope",
                         description="d")
        self.assertError("NotFoundException", 404, "API key not found: da2-nope",
                         self.appsync.delete_api_key, apiId=api["apiId"], id="da2-nope")

    def test_schema_errors(self):
        api = self.api(schema=None)
        self.assertError("NotFoundException", 404, f"No schema found for API {api['apiId']}.",
                         self.appsync.get_introspection_schema, apiId=api["apiId"], format="SDL")
        status = self.appsync.get_schema_creation_status(apiId=api["apiId"])
        self.assertEqual(status["status"], "NOT_APPLICABLE")
        failed = self.create_schema(api["apiId"], "type Query { a: Missing }")
        self.assertEqual(failed["status"], "FAILED")
        self.assertIn("Missing", failed["details"])
        failed = self.create_schema(api["apiId"], "type Query {")
        self.assertEqual(failed["status"], "FAILED")
        # A failed creation leaves the schema before it (here none) in force.
        self.assertError("NotFoundException", 404, None, self.appsync.get_introspection_schema,
                         apiId=api["apiId"], format="SDL")
        ok = self.create_schema(api["apiId"], SCHEMA)
        self.assertEqual(ok["status"], "SUCCESS")
        failed = self.create_schema(api["apiId"], "type Query { a: Missing }")
        self.assertEqual(failed["status"], "FAILED")
        sdl = self.appsync.get_introspection_schema(apiId=api["apiId"], format="SDL")
        self.assertIn("addStepFunction", sdl["schema"].read().decode())

    def test_data_source_errors(self):
        api = self.api()
        a = api["apiId"]
        self.assertError("BadRequestException", 400, None, self.appsync.create_data_source,
                         apiId=a, name="Fn", type="AWS_LAMBDA")
        self.assertError("BadRequestException", 400, None, self.appsync.create_data_source,
                         apiId=a, name="bad-name", type="NONE")
        self.assertError("BadRequestException", 400, None, self.appsync.create_data_source,
                         apiId=a, name="X", type="CARRIER_PIGEON")
        self.lambda_source(a)
        self.assertError("BadRequestException", 400,
                         "Data source with name BookingFunction already exists.",
                         self.lambda_source, api_id=a)
        self.assertError("NotFoundException", 404, "Data source Nope not found.",
                         self.appsync.get_data_source, apiId=a, name="Nope")
        self.assertError("NotFoundException", 404, "Data source Nope not found.",
                         self.appsync.delete_data_source, apiId=a, name="Nope")

    def test_resolver_errors(self):
        api = self.api()
        a = api["apiId"]
        self.lambda_source(a)
        self.assertError("NotFoundException", 404, "No field named nope found on type Mutation",
                         self.appsync.create_resolver, apiId=a, typeName="Mutation",
                         fieldName="nope", dataSourceName="BookingFunction")
        self.assertError("NotFoundException", 404, "Type Nope not found",
                         self.appsync.create_resolver, apiId=a, typeName="Nope",
                         fieldName="x", dataSourceName="BookingFunction")
        self.assertError("NotFoundException", 404, "No data source found named Other.",
                         self.appsync.create_resolver, apiId=a, typeName="Mutation",
                         fieldName="addStepFunction", dataSourceName="Other")
        self.assertError("BadRequestException", 400,
                         "DataSourceName is required for UNIT resolver.",
                         self.appsync.create_resolver, apiId=a, typeName="Mutation",
                         fieldName="addStepFunction")
        self.appsync.create_resolver(apiId=a, typeName="Mutation", fieldName="addStepFunction",
                                     dataSourceName="BookingFunction")
        self.assertError("BadRequestException", 400, "Only one resolver is allowed per field.",
                         self.appsync.create_resolver, apiId=a, typeName="Mutation",
                         fieldName="addStepFunction", dataSourceName="BookingFunction")
        self.assertError("NotFoundException", 404, "No resolver found.",
                         self.appsync.get_resolver, apiId=a, typeName="Query",
                         fieldName="booking")
        self.assertError("NotFoundException", 404, "No resolver found.",
                         self.appsync.delete_resolver, apiId=a, typeName="Query",
                         fieldName="booking")

    def test_no_schema_no_resolver(self):
        api = self.api(schema=None)
        self.lambda_source(api["apiId"])
        self.assertError("NotFoundException", 404, "Type Mutation not found",
                         self.appsync.create_resolver, apiId=api["apiId"], typeName="Mutation",
                         fieldName="addStepFunction", dataSourceName="BookingFunction")

    def test_raw_errors(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        conn.request("POST", "/v1/apis", body="{not json", headers={
            "Content-Type": "application/json"})
        r = conn.getresponse()
        body = json.loads(r.read())
        self.assertEqual(r.status, 400)
        self.assertEqual(r.getheader("x-amzn-ErrorType"), "BadRequestException")
        self.assertIn("message", body)
        conn.request("GET", "/v1/apis/abc/nothing")
        r = conn.getresponse()
        r.read()
        self.assertEqual(r.status, 404)
        self.assertEqual(r.getheader("x-amzn-ErrorType"), "UnknownOperationException")
        conn.close()
        self.assertError("BadRequestException", 400, None, self.appsync.list_tags_for_resource,
                         resourceArn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:not-an-appsync-api-arn-x")
        self.assertError("BadRequestException", 400, None, self.appsync.list_graphql_apis,
                         nextToken="forged")


class LifecycleTest(AppSyncCase):
    def test_api(self):
        api = self.api(name="First", schema=None, xrayEnabled=True,
                       logConfig={"fieldLogLevel": "ALL",
                                  "cloudWatchLogsRoleArn": f"arn:aws:iam::{ACCOUNT}:role/logs"},
                       tags={"team": "booking"})
        self.assertRegex(api["apiId"], API_ID)
        self.assertEqual(api["arn"], f"arn:aws:appsync:{REGION}:{ACCOUNT}:apis/{api['apiId']}")
        self.assertEqual(api["uris"]["GRAPHQL"],
                         f"{self.server.endpoint}/appsync/{api['apiId']}/graphql")
        self.assertTrue(api["xrayEnabled"])
        self.assertEqual(api["logConfig"]["fieldLogLevel"], "ALL")
        self.assertEqual(api["tags"], {"team": "booking"})
        self.assertEqual(api["authenticationType"], "API_KEY")
        got = self.appsync.get_graphql_api(apiId=api["apiId"])["graphqlApi"]
        self.assertEqual(got, api)
        updated = self.appsync.update_graphql_api(apiId=api["apiId"], name="Renamed",
                                                  authenticationType="AWS_IAM")["graphqlApi"]
        self.assertEqual(updated["name"], "Renamed")
        self.assertEqual(updated["authenticationType"], "AWS_IAM")
        self.assertNotIn("logConfig", updated)  # an update replaces the settings
        self.assertFalse(updated["xrayEnabled"])
        self.assertEqual(updated["tags"], {"team": "booking"})
        self.assertEqual(self.appsync.get_graphql_api(apiId=api["apiId"])["graphqlApi"], updated)
        self.appsync.delete_graphql_api(apiId=api["apiId"])
        self.assertError("NotFoundException", 404, None, self.appsync.get_graphql_api,
                         apiId=api["apiId"])

    def test_list_pages(self):
        ids = {self.api(name=f"page{i}", schema=None)["apiId"] for i in range(3)}
        seen, token, pages = set(), None, 0
        while True:
            kw = {"maxResults": 1}
            if token:
                kw["nextToken"] = token
            page = self.appsync.list_graphql_apis(**kw)
            pages += 1
            self.assertLessEqual(len(page["graphqlApis"]), 1)
            seen |= {a["apiId"] for a in page["graphqlApis"]}
            token = page.get("nextToken")
            if not token:
                break
        self.assertTrue(ids <= seen)
        self.assertGreaterEqual(pages, 3)
        everything = self.appsync.get_paginator("list_graphql_apis").paginate().build_full_result()
        self.assertTrue(ids <= {a["apiId"] for a in everything["graphqlApis"]})

    def test_api_keys(self):
        a = self.api(schema=None)["apiId"]
        before = int(time.time())
        key = self.appsync.create_api_key(apiId=a, description="demo")["apiKey"]
        self.assertRegex(key["id"], KEY_ID)
        self.assertEqual(key["description"], "demo")
        # Seven days from now, rounded down to the hour.
        self.assertEqual(key["expires"] % HOUR, 0)
        self.assertLessEqual(key["expires"], int(time.time()) + 7 * DAY)
        self.assertGreater(key["expires"], before + 7 * DAY - HOUR)
        self.assertEqual(key["deletes"], key["expires"] + 60 * DAY)
        later = before + 30 * DAY + 1234
        other = self.appsync.create_api_key(apiId=a, expires=later)["apiKey"]
        self.assertEqual(other["expires"], later - later % HOUR)
        self.assertNotIn("description", other)
        listed = self.appsync.list_api_keys(apiId=a)["apiKeys"]
        self.assertEqual(sorted(k["id"] for k in listed), sorted([key["id"], other["id"]]))
        updated = self.appsync.update_api_key(apiId=a, id=key["id"], description="new")["apiKey"]
        self.assertEqual(updated["description"], "new")
        self.assertEqual(updated["expires"], key["expires"])
        self.appsync.delete_api_key(apiId=a, id=other["id"])
        self.assertEqual([k["id"] for k in self.appsync.list_api_keys(apiId=a)["apiKeys"]],
                         [key["id"]])

    def test_schema_and_types(self):
        a = self.api(schema=None)["apiId"]
        status = self.create_schema(a, SCHEMA)
        self.assertEqual(status, {"status": "SUCCESS",
                                  "details": "Successfully created schema with 4 types.",
                                  "ResponseMetadata": status["ResponseMetadata"]})
        sdl = self.appsync.get_introspection_schema(apiId=a, format="SDL")["schema"].read()
        self.assertIn(b"type Mutation {\n  addStepFunction(input: BookingInput!): Booking\n}",
                      sdl)
        js = json.loads(self.appsync.get_introspection_schema(apiId=a, format="JSON")["schema"]
                        .read())
        names = {t["name"] for t in js["data"]["__schema"]["types"]}
        self.assertTrue({"Booking", "BookingInput", "Query", "Mutation", "AWSDateTime"} <= names)
        self.assertEqual(js["data"]["__schema"]["mutationType"], {"name": "Mutation"})
        types = self.appsync.list_types(apiId=a, format="SDL")["types"]
        self.assertEqual([t["name"] for t in types],
                         ["Booking", "BookingInput", "Query", "Mutation"])
        booking = types[0]
        self.assertEqual(booking["description"], "A booking.")
        self.assertEqual(booking["arn"],
                         f"arn:aws:appsync:{REGION}:{ACCOUNT}:apis/{a}/types/Booking")
        self.assertIn("type Booking {", booking["definition"])
        self.assertEqual(booking["format"], "SDL")
        got = self.appsync.get_type(apiId=a, typeName="Mutation", format="JSON")["type"]
        definition = json.loads(got["definition"])
        self.assertEqual(definition["name"], "Mutation")
        self.assertEqual(definition["kind"], "OBJECT")
        self.assertEqual([f["name"] for f in definition["fields"]], ["addStepFunction"])
        self.assertError("NotFoundException", 404, "Type Nope not found", self.appsync.get_type,
                         apiId=a, typeName="Nope", format="SDL")

    def test_data_sources(self):
        a = self.api()["apiId"]
        ds = self.lambda_source(a)
        self.assertEqual(ds["dataSourceArn"],
                         f"arn:aws:appsync:{REGION}:{ACCOUNT}:apis/{a}/datasources/BookingFunction")
        self.assertEqual(ds["type"], "AWS_LAMBDA")
        self.assertEqual(ds["lambdaConfig"]["lambdaFunctionArn"],
                         f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:book")
        table = self.appsync.create_data_source(
            apiId=a, name="Apartments", type="AMAZON_DYNAMODB",
            dynamodbConfig={"tableName": "apartments", "awsRegion": REGION})["dataSource"]
        none = self.appsync.create_data_source(apiId=a, name="Local", type="NONE")["dataSource"]
        self.assertEqual(self.appsync.get_data_source(apiId=a, name="Apartments")["dataSource"],
                         table)
        listed = self.appsync.list_data_sources(apiId=a)["dataSources"]
        self.assertEqual(sorted(d["name"] for d in listed),
                         ["Apartments", "BookingFunction", "Local"])
        updated = self.appsync.update_data_source(
            apiId=a, name="Local", type="HTTP", description="now HTTP",
            httpConfig={"endpoint": "https://example.com"})["dataSource"]
        self.assertEqual(updated["type"], "HTTP")
        self.assertEqual(updated["httpConfig"], {"endpoint": "https://example.com"})
        self.assertNotEqual(updated, none)
        self.appsync.delete_data_source(apiId=a, name="Local")
        self.assertEqual(len(self.appsync.list_data_sources(apiId=a)["dataSources"]), 2)

    def test_resolvers(self):
        a = self.api()["apiId"]
        self.lambda_source(a)
        self.appsync.create_data_source(apiId=a, name="Local", type="NONE")
        r = self.appsync.create_resolver(apiId=a, typeName="Mutation",
                                         fieldName="addStepFunction",
                                         dataSourceName="BookingFunction")["resolver"]
        self.assertEqual(r["resolverArn"], f"arn:aws:appsync:{REGION}:{ACCOUNT}:apis/{a}/types/"
                                           "Mutation/resolvers/addStepFunction")
        self.assertEqual(r["kind"], "UNIT")
        self.assertNotIn("requestMappingTemplate", r)
        q = self.appsync.create_resolver(
            apiId=a, typeName="Query", fieldName="booking", dataSourceName="Local",
            requestMappingTemplate='{"version": "2017-02-28", "payload": $util.toJson($ctx.args)}',
            responseMappingTemplate="$util.toJson($ctx.result)")["resolver"]
        self.assertEqual(q["responseMappingTemplate"], "$util.toJson($ctx.result)")
        self.assertEqual(self.appsync.get_resolver(apiId=a, typeName="Query",
                                                   fieldName="booking")["resolver"], q)
        self.assertEqual([x["fieldName"] for x in
                          self.appsync.list_resolvers(apiId=a, typeName="Mutation")["resolvers"]],
                         ["addStepFunction"])
        u = self.appsync.update_resolver(apiId=a, typeName="Query", fieldName="booking",
                                         dataSourceName="BookingFunction")["resolver"]
        self.assertEqual(u["dataSourceName"], "BookingFunction")
        self.assertNotIn("requestMappingTemplate", u)
        self.appsync.delete_resolver(apiId=a, typeName="Query", fieldName="booking")
        self.assertEqual(self.appsync.list_resolvers(apiId=a, typeName="Query")["resolvers"], [])

    def test_tags(self):
        api = self.api(schema=None, tags={"a": "1"})
        arn = api["arn"]
        self.appsync.tag_resource(resourceArn=arn, tags={"b": "2", "a": "3"})
        self.assertEqual(self.appsync.list_tags_for_resource(resourceArn=arn)["tags"],
                         {"a": "3", "b": "2"})
        self.appsync.untag_resource(resourceArn=arn, tagKeys=["a"])
        self.assertEqual(self.appsync.list_tags_for_resource(resourceArn=arn)["tags"], {"b": "2"})
        self.assertError("NotFoundException", 404, None, self.appsync.list_tags_for_resource,
                         resourceArn=arn.rsplit("/", 1)[0] + "/" + "0" * 26)

    def test_delete_takes_everything(self):
        a = self.api()["apiId"]
        self.lambda_source(a)
        self.appsync.create_api_key(apiId=a)
        self.appsync.create_resolver(apiId=a, typeName="Mutation", fieldName="addStepFunction",
                                     dataSourceName="BookingFunction")
        self.appsync.delete_graphql_api(apiId=a)
        self.assertError("NotFoundException", 404, None, self.appsync.list_data_sources, apiId=a)
        self.assertError("NotFoundException", 404, None, self.appsync.list_api_keys, apiId=a)
        self.assertError("NotFoundException", 404, None, self.appsync.get_introspection_schema,
                         apiId=a, format="SDL")


class AwsCliTest(AppSyncCase):
    def aws(self, *args):
        env = dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x",
                   AWS_DEFAULT_REGION=REGION, AWS_PAGER="", AWS_CONFIG_FILE="/dev/null")
        p = subprocess.run(["aws", "appsync", *args, "--endpoint-url", self.server.endpoint],
                           env=env, capture_output=True, text=True, timeout=120)
        return p

    def test_cli(self):
        self.assertIsNotNone(shutil.which("aws"), "no AWS CLI installed")
        p = self.aws("create-graphql-api", "--name", "cli", "--authentication-type", "API_KEY",
                     "--output", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        api = json.loads(p.stdout)["graphqlApi"]
        schema_file = os.path.join(self.tmp, "schema.graphql")
        with open(schema_file, "w") as f:
            f.write(SCHEMA)
        p = self.aws("start-schema-creation", "--api-id", api["apiId"], "--definition",
                     f"fileb://{schema_file}", "--output", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        out = os.path.join(self.tmp, "printed.graphql")
        p = self.aws("get-introspection-schema", "--api-id", api["apiId"], "--format", "SDL", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out) as f:
            self.assertIn("addStepFunction(input: BookingInput!): Booking", f.read())
        p = self.aws("list-graphql-apis", "--output", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(api["apiId"], [a["apiId"] for a in json.loads(p.stdout)["graphqlApis"]])
        p = self.aws("get-graphql-api", "--api-id", "nosuchapi")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("NotFoundException", p.stderr)
        self.assertIn("GraphQL API nosuchapi not found.", p.stderr)


class RestartTest(AppSyncCase):
    def test_everything_survives_a_restart(self):
        api = self.api(tags={"k": "v"})
        a = api["apiId"]
        ds = self.lambda_source(a)
        key = self.appsync.create_api_key(apiId=a, description="kept")["apiKey"]
        resolver = self.appsync.create_resolver(apiId=a, typeName="Mutation",
                                                fieldName="addStepFunction",
                                                dataSourceName="BookingFunction")["resolver"]
        sdl = self.appsync.get_introspection_schema(apiId=a, format="SDL")["schema"].read()
        type(self).server.stop()
        type(self).server = Server("--data-dir", self.data)
        c = type(self).appsync = appsync_client(self.server.endpoint)
        got = c.get_graphql_api(apiId=a)["graphqlApi"]
        self.assertEqual(got["tags"], {"k": "v"})
        self.assertEqual(got["uris"]["GRAPHQL"], f"{self.server.endpoint}/appsync/{a}/graphql")
        self.assertEqual({k: v for k, v in got.items() if k not in ("uris", "dns")},
                         {k: v for k, v in api.items() if k not in ("uris", "dns")})
        self.assertEqual(c.get_data_source(apiId=a, name="BookingFunction")["dataSource"], ds)
        self.assertEqual(c.list_api_keys(apiId=a)["apiKeys"], [key])
        self.assertEqual(c.get_resolver(apiId=a, typeName="Mutation",
                                        fieldName="addStepFunction")["resolver"], resolver)
        self.assertEqual(c.get_schema_creation_status(apiId=a)["status"], "SUCCESS")
        self.assertEqual(c.get_introspection_schema(apiId=a, format="SDL")["schema"].read(), sdl)


if __name__ == "__main__":
    ctest_unittest.main()
