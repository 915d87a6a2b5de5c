"""`stator deploy` and the apartment-booking example end to end.

A real `stator serve --time-scale 0` (virtual time: the workflow's 60-second Wait passes at once);
the example's SAM template deployed with the `stator deploy` CLI; boto3 seeds the table, invokes
the booking function (which starts executions through boto3 inside the sandbox) and checks every
item state and history event type of the three paths: paid in time, not paid (released), and an
apartment that does not exist (Catch -> Fail); on scaled real time, a payment made during the
hold. Then: redeploys update in place, delete-stack
removes a stack, the other resource types (AWS::Lambda::Function, AWS::StepFunctions::StateMachine,
AWS::DynamoDB::Table), skipped types, conditions, parameter overrides, and template errors.

Needs python3 with boto3, and bubblewrap for the functions (a missing one fails, not skips).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
import unittest

import requests

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


from stator_server import (ACCOUNT, REGION, ROOT, Server, ServerTestCase,  # noqa: E402
                           client, dynamodb_client, find_stator, lambda_client, run_stator)
import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

EXAMPLE = os.path.join(ROOT, "examples", "apartment-booking")

PAID_EVENTS = [
    "ExecutionStarted",
    "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
    "WaitStateEntered", "WaitStateExited",
    "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
    "ChoiceStateEntered", "ChoiceStateExited",
    "PassStateEntered", "PassStateExited",
    "ExecutionSucceeded",
]
UNPAID_EVENTS = PAID_EVENTS[:15] + [
    "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
    "ExecutionSucceeded",
]
MISSING_EVENTS = [
    "ExecutionStarted",
    "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed", "TaskStateExited",
    "FailStateEntered", "ExecutionFailed",
]


stator = run_stator


def deploy(endpoint, template, stack, *extra):
    """`stator deploy --json`; returns (summary, {logical id: resource row})."""
    _, out, _ = stator("deploy", template, "--stack-name", stack, "--json", *extra,
                       endpoint=endpoint, check=0)
    summary = json.loads(out)
    rows = {}
    for r in summary["Resources"]:  # a replaced resource's old one (DELETED) comes second
        rows.setdefault(r["LogicalResourceId"], r)
    return summary, rows


def plain(item):
    return {k: list(v.values())[0] for k, v in (item or {}).items()}


def wait_done(sfn, arn, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        d = sfn.describe_execution(executionArn=arn)
        if d["status"] != "RUNNING":
            return d
        if time.monotonic() > deadline:
            raise AssertionError(f"{arn} still RUNNING after {timeout} s")
        time.sleep(0.02)


class ServerCase(ServerTestCase):
    data_dir = True

    def function_names(self):
        return {f["FunctionName"] for f in self.lam.list_functions()["Functions"]}

    def machine_names(self):
        return {m["name"] for m in self.sfn.list_state_machines()["stateMachines"]}

    def table_names(self):
        return set(self.ddb.list_tables()["TableNames"])


class ApartmentBookingTest(ServerCase):
    """The example as its README runs it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.summary, cls.rows = deploy(cls.endpoint, os.path.join(EXAMPLE, "template.yaml"),
                                       "booking")
        cls.outputs = cls.summary["Outputs"]
        cls.table = cls.outputs["ApartmentsTableName"]
        for apt in ("A-101", "A-102", "A-103"):
            cls.ddb.put_item(TableName=cls.table, Item={
                "Id": {"S": apt}, "status": {"S": "vacant"}, "paymentStatus": {"S": "unpaid"}})

    def book(self, event):
        r = self.lam.invoke(FunctionName=self.outputs["BookApartmentFunctionName"],
                            Payload=json.dumps(event).encode())
        payload = json.loads(r["Payload"].read())
        self.assertNotIn("FunctionError", r, payload)
        return payload

    def run_booking(self, event):
        started = self.book(event)
        d = wait_done(self.sfn, started["executionArn"])
        events = self.sfn.get_execution_history(executionArn=started["executionArn"],
                                                maxResults=1000)["events"]
        item = self.ddb.get_item(TableName=self.table, Key={"Id": {"S": event["apartmentId"]}},
                                 ConsistentRead=True).get("Item")
        return started, d, events, item

    def test_deploy_summary(self):
        s = self.summary
        self.assertEqual((s["StackName"], s["Account"], s["Region"]), ("booking", ACCOUNT, REGION))
        status = {k: r["ResourceStatus"] for k, r in self.rows.items()}
        self.assertEqual(status, {
            "ApartmentsTable": "CREATED", "BookingStateMachine": "CREATED",
            "BookApartmentFunction": "CREATED", "BookingLogGroup": "SKIPPED",
            "BookingStateMachineRole": "SKIPPED", "BookApartmentFunctionRole": "SKIPPED",
            "ServerlessRestApi": "CREATED", "BookingGraphQLApi": "CREATED",
            "BookingGraphQLApiKey": "CREATED", "BookingGraphQLSchema": "CREATED",
            "AppSyncServiceRole": "SKIPPED", "BookingFunctionDataSource": "CREATED",
            "ApartmentsDataSource": "CREATED", "AddStepFunctionResolver": "CREATED",
            "ApartmentResolver": "CREATED"})
        self.assertEqual(self.rows["BookingLogGroup"]["Note"],
                         "stator does not run AWS::Logs::LogGroup")
        self.assertIn("Policies", self.rows["BookApartmentFunction"]["Note"])
        # The function's Api event is a route of SAM's implicit ServerlessRestApi (docs/apigw.md).
        note = self.rows["BookApartmentFunction"]["Note"]
        self.assertNotIn("Events", note)
        self.assertRegex(note, "POST " + re.escape(self.endpoint) + r"/apigw/[a-z0-9]{10}/Prod/bookings")
        machine_arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:booking-BookingStateMachine"
        outputs = dict(self.outputs)
        api_id = outputs.pop("BookingGraphQLApiId")
        self.assertRegex(api_id, "^[a-z0-9]{26}$")
        self.assertEqual(outputs.pop("BookingGraphQLUrl"),
                         f"{self.endpoint}/appsync/{api_id}/graphql")
        self.assertRegex(outputs.pop("BookingGraphQLApiKey"), "^da2-[a-z0-9]{26}$")
        self.assertRegex(outputs.pop("BookingHttpUrl"),
                         "^" + re.escape(self.endpoint) + r"/apigw/[a-z0-9]{10}/Prod/bookings$")
        self.assertEqual(outputs, {
            "BookingStateMachineArn": machine_arn,
            "BookingStateMachineName": "booking-BookingStateMachine",
            "BookApartmentFunctionName": "booking-BookApartmentFunction",
            "BookApartmentFunctionArn":
                f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:booking-BookApartmentFunction",
            "BookApartmentFunctionRole":
                f"arn:aws:iam::{ACCOUNT}:role/booking-BookApartmentFunctionRole",
            "ApartmentsTableName": "booking-ApartmentsTable",
            "ApartmentsTableArn": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/booking-ApartmentsTable",
        })
        # What the server holds: the substituted definition, the function's settings and tags.
        d = self.sfn.describe_state_machine(stateMachineArn=machine_arn)
        definition = json.loads(d["definition"])
        first = definition["States"]["Change Apartment Status"]
        self.assertEqual(first["Resource"], "arn:aws:states:::dynamodb:updateItem")
        self.assertEqual(first["Parameters"]["TableName"], "booking-ApartmentsTable")
        self.assertEqual(definition["States"]["Get Booking Status"]["Resource"],
                         "arn:aws:states:::dynamodb:getItem")
        self.assertEqual(d["type"], "STANDARD")
        tags = {t["key"]: t["value"] for t in
                self.sfn.list_tags_for_resource(resourceArn=machine_arn)["tags"]}
        self.assertEqual(tags, {"stator:stack": "booking",
                                "stator:logical-id": "BookingStateMachine"})
        conf = self.lam.get_function(FunctionName="booking-BookApartmentFunction")
        c = conf["Configuration"]
        self.assertEqual((c["Handler"], c["Runtime"], c["Timeout"], c["MemorySize"]),
                         ("app.lambda_handler", "python3.11", 10, 128))
        self.assertEqual(c["Environment"]["Variables"],
                         {"STATE_MACHINE_ARN": machine_arn, "TABLE_NAME": "booking-ApartmentsTable"})
        self.assertEqual(conf["Tags"], {"app": "apartment-booking", "stage": "dev",
                                        "stator:stack": "booking",
                                        "stator:logical-id": "BookApartmentFunction"})
        t = self.ddb.describe_table(TableName="booking-ApartmentsTable")["Table"]
        self.assertEqual(t["KeySchema"], [{"AttributeName": "Id", "KeyType": "HASH"}])
        self.assertEqual(t["AttributeDefinitions"], [{"AttributeName": "Id", "AttributeType": "S"}])
        self.assertEqual(t["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        ttags = {x["Key"]: x["Value"] for x in
                 self.ddb.list_tags_of_resource(ResourceArn=t["TableArn"])["Tags"]}
        self.assertEqual(ttags, {"app": "apartment-booking", "stator:stack": "booking",
                                 "stator:logical-id": "ApartmentsTable"})

    def graphql(self, query, variables):
        r = requests.post(self.outputs["BookingGraphQLUrl"],
                          json={"query": query, "variables": variables},
                          headers={"x-api-key": self.outputs["BookingGraphQLApiKey"]}, timeout=60)
        self.assertEqual(r.status_code, 200, r.text)
        return r.json()

    def test_booking_through_the_graphql_mutation(self):
        # The seed app's path: a GraphQL client sends addStepFunction, the direct Lambda resolver
        # (the booking function) starts the execution; the query reads the table (DynamoDB
        # resolver).
        self.ddb.put_item(TableName=self.table, Item={
            "Id": {"S": "G-1"}, "status": {"S": "vacant"}, "paymentStatus": {"S": "unpaid"}})
        out = self.graphql("mutation Book($input: BookingInput!) { addStepFunction(input: $input)"
                           " { id apartmentId executionArn startDate } }",
                           {"input": {"apartmentId": "G-1", "customer": "gina", "paid": True}})
        self.assertNotIn("errors", out)
        booking = out["data"]["addStepFunction"]
        self.assertEqual(booking["apartmentId"], "G-1")
        self.assertTrue(booking["id"].startswith("booking-G-1-"))
        self.assertTrue(booking["executionArn"].endswith(":" + booking["id"]))
        d = wait_done(self.sfn, booking["executionArn"])
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(json.loads(d["output"])["outcome"], "The booking is paid and kept.")
        got = self.graphql("query($id: ID!) { apartment(id: $id) { id status paymentStatus "
                           "bookedBy bookingId } }", {"id": "G-1"})
        self.assertEqual(got, {"data": {"apartment": {
            "id": "G-1", "status": "booked", "paymentStatus": "paid", "bookedBy": "gina",
            "bookingId": booking["id"]}}})
        self.assertEqual(self.graphql("query { apartment(id: \"none\") { id } }", {}),
                         {"data": {"apartment": None}})
        # A missing argument is the client's error, answered without running the function.
        bad = self.graphql("mutation { addStepFunction(input: {apartmentId: \"G-1\"}) { id } }",
                           {})
        self.assertIsNone(bad["data"])
        self.assertIn("customer", bad["errors"][0]["message"])

    def test_booking_through_the_http_api(self):
        # The function's Api event: POST /bookings on the stack's ServerlessRestApi (Prod stage).
        self.ddb.put_item(TableName=self.table, Item={
            "Id": {"S": "H-1"}, "status": {"S": "vacant"}, "paymentStatus": {"S": "unpaid"}})
        url = self.outputs["BookingHttpUrl"]
        self.assertIn(f"POST {url}", self.rows["BookApartmentFunction"]["Note"])
        r = requests.post(url, json={"apartmentId": "H-1", "customer": "hal"}, timeout=60)
        self.assertEqual(r.status_code, 200, r.text)
        started = r.json()
        self.assertEqual(wait_done(self.sfn, started["executionArn"])["status"], "SUCCEEDED")
        r = requests.post(url, data="not json", timeout=60)
        self.assertEqual(r.status_code, 400)
        self.assertIn("bad booking", r.json()["message"])

    def test_paid_in_time(self):
        started, d, events, item = self.run_booking(
            {"apartmentId": "A-101", "customer": "alice", "payment": {"amount": 1200}})
        self.assertTrue(started["name"].startswith("booking-A-101-"))
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual([e["type"] for e in events], PAID_EVENTS)
        entered = [e["stateEnteredEventDetails"]["name"] for e in events
                   if "stateEnteredEventDetails" in e]
        self.assertEqual(entered, ["Change Apartment Status", "Wait for Payment",
                                   "Get Booking Status", "Is Apartment Paid?", "Apartment Paid"])
        wait = [e["timestamp"] for e in events if e["type"].startswith("WaitState")]
        self.assertEqual((wait[1] - wait[0]).total_seconds(), 60)  # virtual time
        scheduled = [json.loads(e["taskScheduledEventDetails"]["parameters"]) for e in events
                     if e["type"] == "TaskScheduled"]
        self.assertEqual(scheduled[0]["Key"], {"Id": {"S": "A-101"}})
        self.assertEqual(scheduled[0]["ConditionExpression"], "attribute_exists(Id)")
        output = json.loads(d["output"])
        self.assertEqual(output["apartment"], {"status": "booked", "paymentStatus": "paid",
                                               "bookedBy": "alice"})
        self.assertEqual(output["outcome"], "The booking is paid and kept.")
        self.assertEqual(plain(item), {"Id": "A-101", "status": "booked", "paymentStatus": "paid",
                                       "bookedBy": "alice", "bookingId": started["name"]})

    def test_not_paid_is_released(self):
        started, d, events, item = self.run_booking({"apartmentId": "A-102", "customer": "bob"})
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual([e["type"] for e in events], UNPAID_EVENTS)
        entered = [e["stateEnteredEventDetails"]["name"] for e in events
                   if "stateEnteredEventDetails" in e]
        self.assertEqual(entered[-1], "Release Apartment")
        output = json.loads(d["output"])
        self.assertEqual(output["apartment"], {"status": "booked", "paymentStatus": "unpaid",
                                               "bookedBy": "bob"})
        self.assertEqual(output["released"], {"status": "vacant"})
        self.assertEqual(plain(item), {"Id": "A-102", "status": "vacant",
                                       "paymentStatus": "unpaid"})

    def test_missing_apartment_fails_through_the_catch(self):
        started, d, events, item = self.run_booking({"apartmentId": "A-999", "customer": "carol"})
        self.assertEqual(d["status"], "FAILED")
        self.assertEqual((d["error"], d["cause"]),
                         ("BookingFailed", "The apartment could not be booked: it does not exist."))
        self.assertEqual([e["type"] for e in events], MISSING_EVENTS)
        failed = [e for e in events if e["type"] == "TaskFailed"][0]["taskFailedEventDetails"]
        self.assertEqual(failed["error"], "DynamoDB.ConditionalCheckFailedException")
        self.assertEqual((failed["resourceType"], failed["resource"]), ("dynamodb", "updateItem"))
        self.assertIsNone(item)  # updateItem's condition kept it from being created

    def test_payment_during_the_hold_with_the_pay_action(self):
        # The function's "pay" action records a payment for a booking in progress (what a
        # customer does during the 60 s on real time); here on an apartment not yet booked.
        r = self.book({"action": "pay", "apartmentId": "A-103"})
        self.assertEqual(r["apartment"]["paymentStatus"], "paid")
        started, d, events, item = self.run_booking({"apartmentId": "A-103", "customer": "dan"})
        self.assertEqual([e["type"] for e in events], PAID_EVENTS)
        self.assertEqual(plain(item)["status"], "booked")

    def test_run_sh(self):
        p = subprocess.run([os.path.join(EXAMPLE, "run.sh")], capture_output=True, text=True,
                           timeout=120, env=dict(os.environ, STATOR=find_stator()))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("All three bookings ended as expected.", p.stdout)
        for text in ("apartment A-101 now:", '"paymentStatus": "paid"', "execution FAILED",
                     "caught DynamoDB.ConditionalCheckFailedException",
                     "the history's Wait lasted 60 s", "Stack apartment-booking created",
                     "mutation addStepFunction started execution booking-A-101-",
                     "query apartment(id: 'A-101'): {\"apartment\": {\"id\": \"A-101\""):
            self.assertIn(text, p.stdout)


class PaymentDuringTheHoldTest(unittest.TestCase):
    """On scaled real time (--time-scale 0.05: the 60 s hold lasts 3 s) a payment made with the
    function's pay action after the booking started, during the Wait, keeps the booking.

    "During the Wait" is checked, not assumed: once the payment is written, the paid
    execution's history must still end in WaitStateEntered. On a machine too slow to pay within
    the hold, the attempt proves nothing and is repeated with a longer hold (15 s, then 60 s);
    only an attempt whose payment fell in the Wait decides."""

    def test_pay_during_the_wait(self):
        for scale in (0.05, 0.25, 1.0):
            if self.attempt(scale):
                return
        self.fail("no payment fell within the hold, even a 60 s one")

    def attempt(self, scale):
        server = Server("--time-scale", str(scale))
        try:
            summary, _ = deploy(server.endpoint, os.path.join(EXAMPLE, "template.yaml"), "hold")
            outputs = summary["Outputs"]
            lam, sfn, ddb = (lambda_client(server.endpoint), client(server.endpoint),
                             dynamodb_client(server.endpoint))
            table, fn = outputs["ApartmentsTableName"], outputs["BookApartmentFunctionName"]
            for apt in ("H-1", "H-2"):
                ddb.put_item(TableName=table, Item={"Id": {"S": apt}, "status": {"S": "vacant"},
                                                    "paymentStatus": {"S": "unpaid"}})

            def invoke(event):
                r = lam.invoke(FunctionName=fn, Payload=json.dumps(event).encode())
                return json.loads(r["Payload"].read())

            paid = invoke({"apartmentId": "H-1", "customer": "erin"})["executionArn"]
            unpaid = invoke({"apartmentId": "H-2", "customer": "finn"})["executionArn"]
            def types():
                return [e["type"] for e in sfn.get_execution_history(
                    executionArn=paid, maxResults=1000)["events"]]

            # Once the booking is recorded (step 1 done, the Wait entered), pay for H-1.
            deadline = time.monotonic() + 60
            while "WaitStateEntered" not in types():
                self.assertLess(time.monotonic(), deadline, "the Wait was not entered")
                time.sleep(0.01)
            invoke({"action": "pay", "apartmentId": "H-1"})
            # The payment is written (the invocation has returned): if the Wait has not ended
            # yet, the GetItem after it must see the payment.
            now = types()
            if now[-1] != "WaitStateEntered":
                print(f"(the hold of {60 * scale:g} s ended before the payment: "
                      f"{now[-1]} was recorded; trying a longer one)", flush=True)
                return False
            self.assertEqual(wait_done(sfn, paid, 120)["status"], "SUCCEEDED")
            self.assertEqual(wait_done(sfn, unpaid, 120)["status"], "SUCCEEDED")
            events = sfn.get_execution_history(executionArn=paid, maxResults=1000)["events"]
            self.assertEqual([e["type"] for e in events], PAID_EVENTS)
            events = sfn.get_execution_history(executionArn=unpaid, maxResults=1000)["events"]
            self.assertEqual([e["type"] for e in events], UNPAID_EVENTS)
            h1 = plain(ddb.get_item(TableName=table, Key={"Id": {"S": "H-1"}})["Item"])
            h2 = plain(ddb.get_item(TableName=table, Key={"Id": {"S": "H-2"}})["Item"])
            self.assertEqual((h1["status"], h1["paymentStatus"]), ("booked", "paid"))
            self.assertEqual((h2["status"], h2["paymentStatus"]), ("vacant", "unpaid"))
            return True
        finally:
            server.stop()


class RedeployAndDeleteTest(ServerCase):
    def copy_example(self, name):
        dest = os.path.join(self.tmp, name)
        shutil.copytree(EXAMPLE, dest)
        return dest

    def test_redeploy_updates_in_place(self):
        app = self.copy_example("app1")
        template = os.path.join(app, "template.yaml")
        _, rows = deploy(self.endpoint, template, "redeploy")
        machine = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:redeploy-BookingStateMachine"
        before = self.sfn.describe_state_machine(stateMachineArn=machine)
        self.ddb.put_item(TableName="redeploy-ApartmentsTable",
                          Item={"Id": {"S": "keep-me"}, "status": {"S": "vacant"}})
        fn_before = self.lam.get_function_configuration(FunctionName="redeploy-BookApartmentFunction")

        # Change the definition (hold 30 s), the function's code and configuration.
        asl = os.path.join(app, "statemachine", "booking_step_function.asl.json")
        with open(asl) as f:
            text = f.read()
        with open(asl, "w") as f:
            f.write(text.replace('"Seconds": 60', '"Seconds": 30'))
        with open(os.path.join(app, "functions", "book_apartment", "extra.py"), "w") as f:
            f.write("VALUE = 1\n")
        with open(template) as f:
            t = f.read()
        with open(template, "w") as f:
            f.write(t.replace("Timeout: 10", "Timeout: 20"))
        summary, rows = deploy(self.endpoint, template, "redeploy", "--parameter-overrides",
                               "Stage=prod")
        status = {k: r["ResourceStatus"] for k, r in rows.items() if r["ResourceStatus"] != "SKIPPED"}
        self.assertEqual(status, {"ApartmentsTable": "UNCHANGED", "BookingStateMachine": "UPDATED",
                                  "BookApartmentFunction": "UPDATED",
                                  "ServerlessRestApi": "UPDATED", "BookingGraphQLApi": "UPDATED",
                                  "BookingGraphQLApiKey": "UPDATED",
                                  "BookingGraphQLSchema": "UPDATED",
                                  "BookingFunctionDataSource": "UPDATED",
                                  "ApartmentsDataSource": "UPDATED",
                                  "AddStepFunctionResolver": "UPDATED",
                                  "ApartmentResolver": "UPDATED"})
        after = self.sfn.describe_state_machine(stateMachineArn=machine)
        self.assertEqual(after["creationDate"], before["creationDate"])  # same machine
        self.assertNotEqual(after.get("revisionId"), before.get("revisionId"))
        self.assertEqual(json.loads(after["definition"])["States"]["Wait for Payment"]["Seconds"], 30)
        # The table and its items stay.
        self.assertIn("Item", self.ddb.get_item(TableName="redeploy-ApartmentsTable",
                                                Key={"Id": {"S": "keep-me"}}))
        fn_after = self.lam.get_function(FunctionName="redeploy-BookApartmentFunction")
        self.assertEqual(fn_after["Configuration"]["Timeout"], 20)
        self.assertNotEqual(fn_after["Configuration"]["CodeSha256"], fn_before["CodeSha256"])
        self.assertEqual(fn_after["Tags"]["stage"], "prod")
        # The updated workflow still works end to end.
        self.ddb.put_item(TableName="redeploy-ApartmentsTable",
                          Item={"Id": {"S": "R-1"}, "status": {"S": "vacant"},
                                "paymentStatus": {"S": "unpaid"}})
        r = self.lam.invoke(FunctionName="redeploy-BookApartmentFunction",
                            Payload=json.dumps({"apartmentId": "R-1", "customer": "x"}).encode())
        arn = json.loads(r["Payload"].read())["executionArn"]
        self.assertEqual(wait_done(self.sfn, arn)["status"], "SUCCEEDED")
        events = self.sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        wait = [e["timestamp"] for e in events if e["type"].startswith("WaitState")]
        self.assertEqual((wait[1] - wait[0]).total_seconds(), 30)

        # A third deploy that changes nothing still succeeds.
        _, rows = deploy(self.endpoint, template, "redeploy", "--parameter-overrides", "Stage=prod")
        self.assertEqual(rows["BookingStateMachine"]["ResourceStatus"], "UPDATED")

    def test_delete_stack(self):
        app = self.copy_example("app2")
        deploy(self.endpoint, os.path.join(app, "template.yaml"), "doomed")
        deploy(self.endpoint, os.path.join(app, "template.yaml"), "survivor")
        self.assertIn("doomed-BookApartmentFunction", self.function_names())
        code, out, err = stator("delete-stack", "doomed", endpoint=self.endpoint, check=0)
        self.assertIn("Stack doomed deleted: 5 resources", out)
        self.assertNotIn("doomed-BookApartmentFunction", self.function_names())
        self.assertNotIn("doomed-BookingStateMachine", self.machine_names())
        self.assertNotIn("doomed-ApartmentsTable", self.table_names())
        # The other stack is untouched.
        self.assertIn("survivor-BookApartmentFunction", self.function_names())
        self.assertIn("survivor-BookingStateMachine", self.machine_names())
        self.assertIn("survivor-ApartmentsTable", self.table_names())
        # Deleting again: nothing left, not an error (as CloudFormation's delete-stack).
        code, out, err = stator("delete-stack", "doomed", endpoint=self.endpoint, check=0)
        self.assertIn("nothing to delete", out)
        _, out, _ = stator("delete-stack", "survivor", "--json", endpoint=self.endpoint, check=0)
        self.assertEqual(sorted(r["LogicalResourceId"] for r in json.loads(out)["Resources"]),
                         ["ApartmentsTable", "BookApartmentFunction", "BookingGraphQLApi",
                          "BookingStateMachine", "ServerlessRestApi"])


CFN_TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Description: plain CloudFormation types
Parameters:
  Prefix:
    Type: String
  WithQueue:
    Type: String
    Default: "no"
    AllowedValues: ["yes", "no"]
  Read:
    Type: Number
    Default: 3
Conditions:
  QueueWanted: !Equals [!Ref WithQueue, "yes"]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub "${Prefix}-role"
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: [states.amazonaws.com, lambda.amazonaws.com]}
            Action: sts:AssumeRole
            Condition: {StringEquals: {"aws:SourceAccount": !Ref "AWS::AccountId"}}
  Adder:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Sub "${Prefix}-adder"
      Runtime: python3.11
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Timeout: 5
      Environment:
        Variables:
          STEP: 2
          TABLE: !Ref Counters
      Code:
        ZipFile: |
          import os
          def handler(event, context):
              return {"n": event["n"] + int(os.environ["STEP"]), "table": os.environ["TABLE"]}
  Counters:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Join ["-", [!Ref Prefix, counters]]
      AttributeDefinitions:
        - {AttributeName: pk, AttributeType: S}
        - {AttributeName: sk, AttributeType: N}
      KeySchema:
        - {AttributeName: pk, KeyType: HASH}
        - {AttributeName: sk, KeyType: RANGE}
      ProvisionedThroughput: {ReadCapacityUnits: !Ref Read, WriteCapacityUnits: 1}
      Tags:
        - {Key: team, Value: core}
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineName: !Sub "${Prefix}-machine"
      StateMachineType: STANDARD
      RoleArn: !GetAtt Role.Arn
      DefinitionString: !Sub |
        {"StartAt": "Add", "States": {
          "Add": {"Type": "Task", "Resource": "${Adder.Arn}", "Next": "Save"},
          "Save": {"Type": "Task", "Resource": "${!PutItem}",
                   "Parameters": {"TableName": "${Counters}",
                                  "Item": {"pk": {"S": "run"}, "sk": {"N.$": "States.Format('{}', $.n)"}}},
                   "ResultPath": null, "End": true}}}
      DefinitionSubstitutions:
        PutItem: !Sub "arn:${AWS::Partition}:states:::dynamodb:putItem"
  Queue:
    Type: AWS::SQS::Queue
    Condition: QueueWanted
  Topic:
    Type: AWS::SNS::Topic
Outputs:
  MachineArn:
    Value: !Ref Machine
  MachineName:
    Value: !GetAtt Machine.Name
  AdderArn:
    Value: !GetAtt Adder.Arn
  TableArn:
    Value: !GetAtt Counters.Arn
  RoleArn:
    Value: !GetAtt Role.Arn
  Where:
    Value: !Sub "${AWS::Region}/${AWS::AccountId}/${AWS::StackName}/${AWS::Partition}"
  QueueName:
    Condition: QueueWanted
    Value: !GetAtt Queue.QueueName
"""


class DeployTypesTest(ServerCase):
    def test_cloudformation_types_skips_conditions_and_overrides(self):
        path = self.write("cfn/template.yaml", CFN_TEMPLATE)
        summary, rows = deploy(self.endpoint, path, "cfn", "--parameter-overrides", "Prefix=p1")
        status = {k: r["ResourceStatus"] for k, r in rows.items()}
        self.assertEqual(status, {"Role": "SKIPPED", "Adder": "CREATED", "Counters": "CREATED",
                                  "Machine": "CREATED", "Topic": "SKIPPED",
                                  "Queue": "NOT_CREATED"})
        self.assertEqual(rows["Topic"]["Note"], "stator does not run AWS::SNS::Topic")
        self.assertEqual(summary["Outputs"], {
            "MachineArn": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:p1-machine",
            "MachineName": "p1-machine",
            "AdderArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:p1-adder",
            "TableArn": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/p1-counters",
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/p1-role",
            "Where": f"{REGION}/{ACCOUNT}/cfn/aws",
        })
        # The inline function runs; the machine calls it and writes to the table.
        r = self.lam.invoke(FunctionName="p1-adder", Payload=b'{"n": 1}')
        self.assertEqual(json.loads(r["Payload"].read()), {"n": 3, "table": "p1-counters"})
        ex = self.sfn.start_execution(stateMachineArn=summary["Outputs"]["MachineArn"],
                                      input='{"n": 40}')
        d = wait_done(self.sfn, ex["executionArn"])
        self.assertEqual(d["status"], "SUCCEEDED", d)
        items = self.ddb.scan(TableName="p1-counters")["Items"]
        self.assertEqual(items, [{"pk": {"S": "run"}, "sk": {"N": "42"}}])
        t = self.ddb.describe_table(TableName="p1-counters")["Table"]
        self.assertEqual(t["KeySchema"], [{"AttributeName": "pk", "KeyType": "HASH"},
                                          {"AttributeName": "sk", "KeyType": "RANGE"}])
        self.assertEqual(t["ProvisionedThroughput"]["ReadCapacityUnits"], 3)
        self.assertEqual(self.sfn.describe_state_machine(
            stateMachineArn=summary["Outputs"]["MachineArn"])["roleArn"],
            f"arn:aws:iam::{ACCOUNT}:role/p1-role")
        tags = {x["Key"]: x["Value"] for x in self.ddb.list_tags_of_resource(
            ResourceArn=t["TableArn"])["Tags"]}
        self.assertEqual(tags["team"], "core")

        # Overrides: the condition turns the queue on (skipped, but its output resolves).
        summary, rows = deploy(self.endpoint, path, "cfn", "--parameter-overrides", "Prefix=p1",
                               "WithQueue=yes")
        self.assertEqual(rows["Queue"]["ResourceStatus"], "SKIPPED")
        self.assertEqual(summary["Outputs"]["QueueName"], "cfn-Queue")

        # A different prefix renames everything: new resources, the old ones deleted.
        summary, rows = deploy(self.endpoint, path, "cfn", "--parameter-overrides",
                               "ParameterKey=Prefix,ParameterValue=p2")
        self.assertEqual(rows["Adder"]["ResourceStatus"], "REPLACED")
        self.assertEqual(rows["Machine"]["ResourceStatus"], "REPLACED")
        self.assertEqual(rows["Counters"]["ResourceStatus"], "REPLACED")
        deleted = sorted(r["PhysicalResourceId"] for r in summary["Resources"]
                         if r["ResourceStatus"] == "DELETED")
        self.assertEqual(deleted, ["p1-adder", "p1-counters", "p1-machine"])
        self.assertIn("p2-adder", self.function_names())
        self.assertNotIn("p1-adder", self.function_names())
        self.assertNotIn("p1-machine", self.machine_names())
        self.assertNotIn("p1-counters", self.table_names())

    def test_sam_defaults_inline_code_and_replacements(self):
        base = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Items:
    Type: AWS::Serverless::SimpleTable
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        def handler(event, context):
            return "hello " + event["who"]
      Handler: index.handler
      Runtime: python3.12
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Type: TYPE
      Definition:
        StartAt: Call
        States:
          Call:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters:
              FunctionName: ${HelloArn}
              Payload.$: $
            OutputPath: $.Payload
            End: true
      DefinitionSubstitutions:
        HelloArn: !GetAtt Hello.Arn
"""
        path = self.write("sam/template.yaml", base.replace("TYPE", "STANDARD"))
        summary, rows = deploy(self.endpoint, path, "samdefaults")
        t = self.ddb.describe_table(TableName="samdefaults-Items")["Table"]
        self.assertEqual(t["KeySchema"], [{"AttributeName": "id", "KeyType": "HASH"}])
        self.assertEqual(t["AttributeDefinitions"], [{"AttributeName": "id", "AttributeType": "S"}])
        arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:samdefaults-Flow"
        out = self.sfn.start_execution(stateMachineArn=arn, input='{"who": "stator"}')
        d = wait_done(self.sfn, out["executionArn"])
        self.assertEqual((d["status"], json.loads(d["output"])), ("SUCCEEDED", "hello stator"))

        # EXPRESS cannot be an in-place change: the machine is replaced. A table whose key
        # changes is replaced too; a resource dropped from the template is deleted.
        changed = base.replace("TYPE", "EXPRESS").replace(
            "  Items:\n    Type: AWS::Serverless::SimpleTable\n",
            "  Items:\n    Type: AWS::Serverless::SimpleTable\n    Properties:\n"
            "      PrimaryKey: {Name: n, Type: Number}\n")
        self.write("sam/template.yaml", changed)
        self.ddb.put_item(TableName="samdefaults-Items", Item={"id": {"S": "old"}})
        summary, rows = deploy(self.endpoint, path, "samdefaults")
        self.assertEqual(rows["Flow"]["ResourceStatus"], "REPLACED")
        self.assertEqual(rows["Items"]["ResourceStatus"], "REPLACED")
        self.assertEqual(rows["Hello"]["ResourceStatus"], "UPDATED")
        self.assertEqual(self.sfn.describe_state_machine(stateMachineArn=arn)["type"], "EXPRESS")
        t = self.ddb.describe_table(TableName="samdefaults-Items")["Table"]
        self.assertEqual(t["KeySchema"], [{"AttributeName": "n", "KeyType": "HASH"}])
        self.assertEqual(self.ddb.scan(TableName="samdefaults-Items")["Items"], [])
        sync = client(self.endpoint, inject_host_prefix=False)
        r = sync.start_sync_execution(stateMachineArn=arn, input='{"who": "express"}')
        self.assertEqual(json.loads(r["output"]), "hello express")

        dropped = changed.replace("  Items:\n    Type: AWS::Serverless::SimpleTable\n"
                                  "    Properties:\n      PrimaryKey: {Name: n, Type: Number}\n", "")
        self.write("sam/template.yaml", dropped)
        summary, rows = deploy(self.endpoint, path, "samdefaults")
        self.assertEqual(rows["Items"]["ResourceStatus"], "DELETED")
        self.assertNotIn("samdefaults-Items", self.table_names())

    def test_template_errors(self):
        cases = [
            ("bad.yaml", "Resources:\n  A:\n    Type: [unclosed\n", "bad.yaml:4:1: "),
            ("tag.yaml", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                         "      X: !Bogus y\n", "tag.yaml:5:10: unknown tag '!Bogus'"),
            ("ref.yaml", "Resources:\n  Q:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
                         "      TableName: !Ref Nowhere\n",
             "ref.yaml:2: resource Q (AWS::DynamoDB::Table): refers to 'Nowhere', which is "
             "neither a parameter nor a resource"),
            ("param.yaml", "Parameters:\n  Needed:\n    Type: String\nResources:\n  Q:\n"
                           "    Type: AWS::SQS::Queue\n",
             "param.yaml:2: parameter Needed has no Default; give it with "
             "--parameter-overrides Needed=VALUE"),
            ("code.yaml", "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n"
                          "    Type: AWS::Serverless::Function\n    Properties:\n"
                          "      CodeUri: missing/\n      Handler: a.b\n      Runtime: python3.11\n",
             "code.yaml:3: resource F (AWS::Serverless::Function): CodeUri 'missing/' does not "
             "exist"),
        ]
        for name, text, want in cases:
            with self.subTest(name):
                path = self.write(f"errors/{name}", text)
                code, out, err = stator("deploy", path, "--stack-name", "errs",
                                        endpoint=self.endpoint)
                self.assertEqual(code, 2, err)
                self.assertTrue(err.startswith("stator: " + os.path.dirname(path) + "/" + want),
                                err)
                self.assertEqual(out, "")
        code, out, err = stator("deploy", "/nonexistent/template.yaml", endpoint=self.endpoint)
        self.assertEqual(code, 2)
        self.assertIn("cannot read '/nonexistent/template.yaml'", err)
        code, out, err = stator("deploy", path, "--bogus", endpoint=self.endpoint)
        self.assertEqual(code, 64)
        self.assertIn("unknown option '--bogus'", err)
        code, out, err = stator("deploy", path, "--parameter-overrides", "novalue",
                                endpoint=self.endpoint)
        self.assertEqual(code, 64)
        code, out, err = stator("deploy", os.path.join(EXAMPLE, "template.yaml"),
                                "--stack-name", "9bad", endpoint=self.endpoint)
        self.assertEqual(code, 2)
        self.assertIn("invalid stack name '9bad'", err)
        # No server there.
        code, out, err = stator("deploy", os.path.join(EXAMPLE, "template.yaml"),
                                endpoint="http://127.0.0.1:9")
        self.assertEqual(code, 1)
        self.assertIn("cannot connect", err)

    def test_name_taken_outside_the_stack(self):
        path = self.write("taken/template.yaml",
                          "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
                          "      TableName: taken-table\n      BillingMode: PAY_PER_REQUEST\n"
                          "      KeySchema: [{AttributeName: k, KeyType: HASH}]\n"
                          "      AttributeDefinitions: [{AttributeName: k, AttributeType: S}]\n")
        self.ddb.create_table(TableName="taken-table", BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])
        code, out, err = stator("deploy", path, "--stack-name", "taker", endpoint=self.endpoint)
        self.assertEqual(code, 1)
        self.assertIn("table 'taken-table' already exists and is not part of stack taker", err)
        # delete-stack of that stack leaves the foreign table alone.
        stator("delete-stack", "taker", endpoint=self.endpoint, check=0)
        self.assertIn("taken-table", self.table_names())

    def test_human_output(self):
        code, out, err = stator("deploy", os.path.join(EXAMPLE, "template.yaml"), "--stack-name",
                                "human", endpoint=self.endpoint, check=0)
        lines = out.splitlines()
        self.assertTrue(lines[0].startswith(f"Creating stack human from "), lines[0])
        self.assertIn(f"(account {ACCOUNT}, region {REGION})", lines[0])
        self.assertTrue(any(l.split()[:3] == ["CREATED", "AWS::Serverless::SimpleTable",
                                              "ApartmentsTable"] for l in lines), out)
        self.assertTrue(any(l.split()[:3] == ["SKIPPED", "AWS::Logs::LogGroup", "BookingLogGroup"]
                            for l in lines), out)
        self.assertIn("Outputs:", lines)
        self.assertIn(f"  ApartmentsTableName = human-ApartmentsTable", lines)
        self.assertEqual(lines[-1], "Stack human created: 11 created, 4 skipped")
        code, out, err = stator("deploy", os.path.join(EXAMPLE, "template.yaml"), "--stack-name",
                                "human", endpoint=self.endpoint, check=0)
        self.assertTrue(out.startswith("Updating stack human"))
        self.assertEqual(out.splitlines()[-1],
                         "Stack human updated: 4 skipped, 1 unchanged, 10 updated")
        # STATOR_ENDPOINT is the default endpoint.
        p = subprocess.run([find_stator(), "delete-stack", "human"], capture_output=True,
                           text=True, env=dict(os.environ, STATOR_ENDPOINT=self.endpoint))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Stack human deleted: 5 resources", p.stdout)


if __name__ == "__main__":
    ctest_unittest.main()
