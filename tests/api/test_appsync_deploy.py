"""`stator deploy` of AWS::AppSync resources (docs/appsync.md, "Deploy"), end to end.

The template under tests/api/appsync_deploy/ has the apartment-booking app's shape: an API_KEY
GraphQL API (XrayEnabled, LogConfig), an ApiKey, a schema read from graphql/schema.graphql, an
AWS_LAMBDA data source on a SAM function, a resolver on Mutation.addStepFunction, a state machine,
and IAM/Logs resources (the only ones skipped). What deploy made is read back with boto3's
appsync client; re-deploys update in place, drop what the template no longer has, and an API
without an ApiKey resource gets (and keeps) one key.
"""

import json
import os
import re
import shutil
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import boto3  # noqa: E402
import botocore.config  # noqa: E402
import botocore.exceptions  # noqa: E402

from stator_server import ACCOUNT, REGION, ServerTestCase, run_stator  # noqa: E402

import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE_DIR = os.path.join(HERE, "appsync_deploy")
KEY_ID = re.compile(r"da2-[a-z0-9]{26}")


class AppSyncDeployTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.appsync = boto3.client(
            "appsync", endpoint_url=cls.endpoint, region_name=REGION, aws_access_key_id="x",
            aws_secret_access_key="x",
            config=botocore.config.Config(retries={"max_attempts": 0}))

    def copy(self, name, edit=None):
        """The test template copied to tmp/name, with edit(text) applied to template.yaml."""
        target = os.path.join(self.tmp, name)
        shutil.copytree(TEMPLATE_DIR, target)
        path = os.path.join(target, "template.yaml")
        if edit:
            with open(path) as f:
                text = f.read()
            with open(path, "w") as f:
                f.write(edit(text))
        return path

    def deploy(self, template, stack):
        code, out, err = run_stator("deploy", template, "--stack-name", stack, "--json",
                                    endpoint=self.endpoint)
        self.assertEqual(code, 0, err)
        summary = json.loads(out)
        return summary, {r["LogicalResourceId"]: r for r in summary["Resources"]}

    def apis_named(self, name):
        return [a for a in self.appsync.list_graphql_apis()["graphqlApis"] if a["name"] == name]

    def test_errors(self):
        # An S3 location: a template error (exit 2), before anything is deployed.
        path = self.copy("s3", lambda t: t.replace("'graphql/schema.graphql'",
                                                   "s3://bucket/schema.graphql"))
        code, out, err = run_stator("deploy", path, "--stack-name", "s3", endpoint=self.endpoint)
        self.assertEqual(code, 2, (out, err))
        self.assertIn("resource BookingSchema (AWS::AppSync::GraphQLSchema): "
                      "DefinitionS3Location s3://bucket/schema.graphql: S3 locations are not "
                      "supported", err)
        self.assertEqual(self.apis_named("s3-booking"), [])
        # A missing schema file: the same.
        path = self.copy("missing", lambda t: t.replace("'graphql/schema.graphql'",
                                                        "graphql/nothing.graphql"))
        code, out, err = run_stator("deploy", path, "--stack-name", "missing",
                                    endpoint=self.endpoint)
        self.assertEqual(code, 2, (out, err))
        self.assertIn("DefinitionS3Location", err)
        # A schema the server refuses: the deploy stops at it (exit 1) with AppSync's details.
        path = self.copy("badschema")
        with open(os.path.join(os.path.dirname(path), "graphql", "schema.graphql"), "a") as f:
            f.write("\ntype Broken { a: Nowhere }\n")
        code, out, err = run_stator("deploy", path, "--stack-name", "badschema",
                                    endpoint=self.endpoint)
        self.assertEqual(code, 1, (out, err))
        self.assertIn("deploy failed at BookingSchema (AWS::AppSync::GraphQLSchema): "
                      "SchemaCreationFailed: FAILED: ", err)
        self.assertIn("Nowhere", err)
        run_stator("delete-stack", "badschema", endpoint=self.endpoint, check=0)
        self.assertEqual(self.apis_named("badschema-booking"), [])

    def test_deploy_redeploy_delete(self):
        path = self.copy("booking")
        summary, rows = self.deploy(path, "booking")
        skipped = {r["ResourceType"] for r in rows.values() if r["ResourceStatus"] == "SKIPPED"}
        self.assertEqual(skipped, {"AWS::IAM::Role", "AWS::Logs::LogGroup"})
        for logical in ("BookingApi", "BookingApiKey", "BookingSchema", "BookFunctionDataSource",
                        "AddStepFunctionResolver", "BookFunction", "BookingStateMachine"):
            self.assertEqual(rows[logical]["ResourceStatus"], "CREATED", rows[logical])
        out = summary["Outputs"]
        api_id = out["ApiId"]
        self.assertRegex(api_id, r"^[a-z0-9]{26}$")
        api_arn = f"arn:aws:appsync:{REGION}:{ACCOUNT}:apis/{api_id}"
        self.assertEqual(out["GraphQLUrl"], f"{self.endpoint}/appsync/{api_id}/graphql")
        self.assertEqual(out["ApiArn"], api_arn)
        self.assertEqual(out["DataSourceArn"], f"{api_arn}/datasources/BookFunction")
        self.assertEqual(out["ResolverArn"], f"{api_arn}/types/Mutation/resolvers/addStepFunction")
        host = self.endpoint.split("://")[1]
        self.assertEqual(out["Realtime"], f"ws://{host}/appsync/{api_id}/realtime {host}")
        self.assertRegex(out["ApiKey"], KEY_ID)
        # The function's environment got the values the server made.
        env = self.lam.get_function_configuration(
            FunctionName="booking-BookFunction")["Environment"]["Variables"]
        self.assertEqual(env["GRAPHQL_URL"], out["GraphQLUrl"])
        self.assertEqual(env["API_ID"], f"api-{api_id}")

        api = self.appsync.get_graphql_api(apiId=api_id)["graphqlApi"]
        self.assertEqual(api["name"], "booking-booking")
        self.assertTrue(api["xrayEnabled"])
        self.assertEqual(api["logConfig"], {
            "cloudWatchLogsRoleArn": f"arn:aws:iam::{ACCOUNT}:role/booking-ApiLogsRole",
            "fieldLogLevel": "ERROR"})
        self.assertEqual(api["tags"]["app"], "booking")
        self.assertEqual(api["tags"]["stator:stack"], "booking")
        keys = self.appsync.list_api_keys(apiId=api_id)["apiKeys"]
        self.assertEqual([(k["id"], k["description"]) for k in keys],
                         [(out["ApiKey"], "The key the demo books with")])
        status = self.appsync.get_schema_creation_status(apiId=api_id)
        self.assertEqual(status["status"], "SUCCESS")
        sdl = self.appsync.get_introspection_schema(apiId=api_id, format="SDL")["schema"].read()
        self.assertIn(b"addStepFunction(input: BookingInput!): Booking", sdl)
        ds = self.appsync.get_data_source(apiId=api_id, name="BookFunction")["dataSource"]
        self.assertEqual(ds["type"], "AWS_LAMBDA")
        self.assertEqual(ds["lambdaConfig"], {
            "lambdaFunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:booking-BookFunction"})
        self.assertEqual(ds["serviceRoleArn"],
                         f"arn:aws:iam::{ACCOUNT}:role/booking-AppSyncServiceRole")
        resolver = self.appsync.get_resolver(apiId=api_id, typeName="Mutation",
                                             fieldName="addStepFunction")["resolver"]
        self.assertEqual((resolver["dataSourceName"], resolver["kind"]), ("BookFunction", "UNIT"))

        # The same template again: everything updated in place, the same API and key.
        summary2, rows2 = self.deploy(path, "booking")
        self.assertEqual(summary2["Outputs"], out)
        for logical in ("BookingApi", "BookingApiKey", "BookingSchema", "BookFunctionDataSource",
                        "AddStepFunctionResolver"):
            self.assertEqual(rows2[logical]["ResourceStatus"], "UPDATED", rows2[logical])
        self.assertEqual(len(self.apis_named("booking-booking")), 1)
        self.assertEqual([k["id"] for k in self.appsync.list_api_keys(apiId=api_id)["apiKeys"]],
                         [out["ApiKey"]])

        # Without the ApiKey and the resolver: both deleted; the API_KEY API now has no key
        # resource, so deploy gives it one and prints it.
        def drop(text):
            text = text.replace(text[text.index("  BookingApiKey:"):
                                     text.index("  BookingSchema:")], "")
            text = text.replace(text[text.index("  AddStepFunctionResolver:"):
                                     text.index("Outputs:")], "")
            text = text.replace(text[text.index("  ApiKey:\n"):text.index("  DataSourceArn:")],
                                "")
            return text.replace(text[text.index("  ResolverArn:"):text.index("  Realtime:")], "")
        smaller = self.copy("booking-smaller", drop)
        code, printed, err = run_stator("deploy", smaller, "--stack-name", "booking",
                                        endpoint=self.endpoint)
        self.assertEqual(code, 0, err)
        keys = self.appsync.list_api_keys(apiId=api_id)["apiKeys"]
        self.assertEqual(len(keys), 1)
        default_key = keys[0]["id"]
        self.assertNotEqual(default_key, out["ApiKey"])
        self.assertIn(f"API key {default_key}", printed)
        self.assertRegex(printed, r"DELETED +AWS::AppSync::Resolver +AddStepFunctionResolver")
        self.assertRegex(printed, r"DELETED +AWS::AppSync::ApiKey +BookingApiKey")
        self.assertEqual(self.appsync.list_resolvers(apiId=api_id, typeName="Mutation")
                         ["resolvers"], [])
        # Again: the same default key, not another.
        _, rows3 = self.deploy(smaller, "booking")
        self.assertEqual([k["id"] for k in self.appsync.list_api_keys(apiId=api_id)["apiKeys"]],
                         [default_key])
        self.assertEqual(rows3["BookingApi"]["Note"], f"API key {default_key}")

        code, printed, err = run_stator("delete-stack", "booking", endpoint=self.endpoint)
        self.assertEqual(code, 0, err)
        self.assertRegex(printed, r"DELETED +graphql api +BookingApi")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.appsync.get_graphql_api(apiId=api_id)
        self.assertEqual(cm.exception.response["Error"]["Code"], "NotFoundException")

    def test_default_key_and_inline_schema(self):
        def inline(text):
            text = text.replace(text[text.index("  BookingApiKey:"):
                                     text.index("  BookingSchema:")], "")
            text = text.replace("      DefinitionS3Location: 'graphql/schema.graphql'",
                                "      Definition: |\n"
                                "        type Query { booking(id: ID!): String }\n"
                                "        type Mutation { addStepFunction(input: String): String }")
            return text.replace(text[text.index("  ApiKey:\n"):text.index("  DataSourceArn:")],
                                "")
        path = self.copy("inline", inline)
        code, printed, err = run_stator("deploy", path, "--stack-name", "inline",
                                        endpoint=self.endpoint)
        self.assertEqual(code, 0, err)
        api = self.apis_named("inline-booking")[0]
        keys = self.appsync.list_api_keys(apiId=api["apiId"])["apiKeys"]
        self.assertEqual(len(keys), 1)
        self.assertIn(f"API key {keys[0]['id']}", printed)
        sdl = self.appsync.get_introspection_schema(apiId=api["apiId"], format="SDL")
        self.assertIn(b"addStepFunction(input: String): String", sdl["schema"].read())
        run_stator("delete-stack", "inline", endpoint=self.endpoint, check=0)


if __name__ == "__main__":
    ctest_unittest.main()
