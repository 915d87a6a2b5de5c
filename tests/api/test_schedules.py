"""Schedules (issue 16 §3; docs/schedules.md) against a real `stator serve`: EventBridge
Scheduler's API through boto3's "scheduler" client (errors first, then create/get/list/update/
delete), schedules firing a function and a state machine on virtual time (--time-scale 0) and on
real time (at() one-time schedules: rate(1 minute) is the smallest rate), disabled schedules
never firing, a restart that neither fires a firing again nor loses one that came due while the
server was down, two nodes of a cluster firing each schedule once (PostgreSQL, marked @needs),
and SAM `Schedule` / `ScheduleV2` events through `stator deploy`.

The target function records every event it gets as an item of a DynamoDB table (keyed by its
request id), so that firings are counted durably across restarts. Tests never time: they wait
for items with a deadline, and prove that something did not fire with a sentinel — a later
one-time schedule whose firing means every earlier due time has been handled.
"""

import datetime
import json
import os
import sys
import tempfile
import shutil
import time
import unittest
import uuid

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import boto3  # noqa: E402
import botocore.config  # noqa: E402
import botocore.exceptions  # noqa: E402

from stator_server import (ACCOUNT, REGION, Server, client, dynamodb_client,  # noqa: E402
                           lambda_client, make_zip, run_stator)

import ctest_unittest  # noqa: E402
from ctest_unittest import needs  # noqa: E402
from test_cluster import Node, fresh_database, postgres_missing  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROLE = f"arn:aws:iam::{ACCOUNT}:role/scheduler"
DEADLINE = 60  # seconds: generous, never a measurement
# How far ahead of the wall clock a one-time at() schedule is set (whole seconds: at() has no
# fraction), so that its creation lands before it is due even on a loaded machine.
LEAD = 3

RECORDER = '''
import json, os, boto3
ddb = boto3.client("dynamodb")
def handler(event, context):
    ddb.put_item(TableName=os.environ["TABLE"],
                 Item={"id": {"S": context.aws_request_id}, "event": {"S": json.dumps(event)}})
    return {"ok": True}
'''


def scheduler_client(endpoint):
    return boto3.client(
        "scheduler", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="x",
        aws_secret_access_key="x", config=botocore.config.Config(retries={"max_attempts": 0}))


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def at_expression(t):
    """at() of a UTC datetime, whole seconds."""
    return "at(" + t.strftime("%Y-%m-%dT%H:%M:%S") + ")"


class Fixture:
    """A server (args) with a recorder function writing into a table; helpers to count events."""

    def start(self, *args):
        self.server = Server(*args)
        self.endpoint = self.server.endpoint
        self.sch = scheduler_client(self.endpoint)
        self.lam = lambda_client(self.endpoint)
        self.ddb = dynamodb_client(self.endpoint)
        self.sfn = client(self.endpoint)

    def make_recorder(self):
        self.table = unique("events")
        self.ddb.create_table(TableName=self.table, BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
        self.function = unique("recorder")
        out = self.lam.create_function(
            FunctionName=self.function, Runtime="python3.11", Role=ROLE,
            Handler="index.handler", Code={"ZipFile": make_zip({"index.py": RECORDER})},
            Environment={"Variables": {"TABLE": self.table}})
        self.function_arn = out["FunctionArn"]

    def events(self):
        items, start = [], None
        while True:
            kw = {"TableName": self.table}
            if start:
                kw["ExclusiveStartKey"] = start
            page = self.ddb.scan(**kw)
            items += [json.loads(i["event"]["S"]) for i in page["Items"]]
            start = page.get("LastEvaluatedKey")
            if not start:
                return items

    def tagged(self, tag):
        return [e for e in self.events() if isinstance(e, dict) and e.get("tag") == tag]

    def wait_events(self, tag, n):
        """Waits (with a deadline) until at least n events carry tag; returns them."""
        deadline = time.monotonic() + DEADLINE
        while True:
            got = self.tagged(tag)
            if len(got) >= n:
                return got
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(got)} events tagged {tag}, wanted {n}")
            time.sleep(0.05)

    def create(self, name, expression, tag=None, target=None, **kw):
        t = {"Arn": target or self.function_arn, "RoleArn": ROLE}
        if tag is not None:
            t["Input"] = json.dumps({"tag": tag})
        return self.sch.create_schedule(Name=name, ScheduleExpression=expression, Target=t,
                                        FlexibleTimeWindow={"Mode": "OFF"}, **kw)

    def sentinel(self, when=None, tag=None):
        """Creates a one-time schedule (at `when`, a UTC datetime; default: LEAD s from now on
        the wall clock) and waits for its event: every schedule due before it has fired by then."""
        tag = tag or unique("sentinel")
        when = when or datetime.datetime.utcnow() + datetime.timedelta(seconds=LEAD)
        self.create(unique("sentinel"), at_expression(when), tag=tag)
        self.wait_events(tag, 1)


class SchedulerApiTest(Fixture, unittest.TestCase):
    """The API's answers (virtual time; nothing here fires)."""

    @classmethod
    def setUpClass(cls):
        cls.fx = Fixture()
        cls.fx.start("--time-scale", "0")
        cls.sch = cls.fx.sch
        cls.target = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:never-invoked"

    @classmethod
    def tearDownClass(cls):
        cls.fx.server.stop()

    def assertError(self, code, status, message, fn, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], code, err)
        if message is not None:
            self.assertEqual(err["Message"], message)
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)

    def schedule(self, name, expression="rate(1 day)", **kw):
        args = dict(Name=name, ScheduleExpression=expression, State="DISABLED",
                    FlexibleTimeWindow={"Mode": "OFF"},
                    Target={"Arn": self.target, "RoleArn": ROLE})
        args.update(kw)
        return args

    def test_bad_expressions(self):
        for bad in ["rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "rate(10 seconds)",
                    "cron(0 12 * * *)", "cron(0 12 * * ? * *)", "cron(0 12 1 * MON *)",
                    "cron(0 12 ? * ? *)", "cron(61 * * * ? *)", "cron(0 0 ? * MON#6 *)",
                    "at(2030-02-30T00:00:00)", "at(2030-01-01 10:00:00)", "every day"]:
            with self.subTest(bad):
                self.assertError("ValidationException", 400,
                                 f"Invalid Schedule Expression {bad}.",
                                 self.sch.create_schedule, **self.schedule(unique("bad"), bad))

    def test_unknown_schedule(self):
        name = unique("missing")
        msg = f"Schedule {name} does not exist."
        self.assertError("ResourceNotFoundException", 404, msg, self.sch.get_schedule, Name=name)
        self.assertError("ResourceNotFoundException", 404, msg, self.sch.delete_schedule,
                         Name=name)
        self.assertError("ResourceNotFoundException", 404, msg, self.sch.update_schedule,
                         **self.schedule(name))
        self.assertError("ResourceNotFoundException", 404, None, self.sch.get_schedule,
                         Name=name, GroupName="other-group")

    def test_duplicate_name(self):
        name = unique("dup")
        self.sch.create_schedule(**self.schedule(name))
        self.assertError("ConflictException", 409, f"Schedule {name} already exists.",
                         self.sch.create_schedule, **self.schedule(name, "rate(2 days)"))
        self.assertEqual(self.sch.get_schedule(Name=name)["ScheduleExpression"], "rate(1 day)")
        self.sch.delete_schedule(Name=name)

    def test_other_validation(self):
        self.assertError("ValidationException", 400, None, self.sch.create_schedule,
                         **self.schedule(unique("tz"), "cron(0 9 * * ? *)",
                                         ScheduleExpressionTimezone="Mars/Olympus_Mons"))
        self.assertError("ValidationException", 400, None, self.sch.create_schedule,
                         **self.schedule(unique("sqs"), Target={
                             "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:queue", "RoleArn": ROLE}))
        self.assertError("ValidationException", 400, None, self.sch.create_schedule,
                         **self.schedule(unique("window"),
                                         FlexibleTimeWindow={"Mode": "FLEXIBLE"}))
        start = datetime.datetime(2030, 1, 2, tzinfo=datetime.timezone.utc)
        self.assertError("ValidationException", 400, None, self.sch.create_schedule,
                         **self.schedule(unique("dates"), StartDate=start,
                                         EndDate=start - datetime.timedelta(days=1)))
        self.assertError("ValidationException", 400, None, self.sch.create_schedule,
                         **self.schedule("bad name!"))

    def test_create_get_list_update_delete(self):
        prefix = unique("crud")
        arn = self.sch.create_schedule(**self.schedule(
            prefix + "-a", "cron(0 9 ? * MON-FRI *)", ScheduleExpressionTimezone="Europe/Paris",
            Description="weekdays", FlexibleTimeWindow={"Mode": "FLEXIBLE",
                                                        "MaximumWindowInMinutes": 15}))[
            "ScheduleArn"]
        self.assertEqual(arn, f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/default/{prefix}-a")
        got = self.sch.get_schedule(Name=prefix + "-a")
        self.assertEqual(got["Arn"], arn)
        self.assertEqual(got["GroupName"], "default")
        self.assertEqual(got["ScheduleExpression"], "cron(0 9 ? * MON-FRI *)")
        self.assertEqual(got["ScheduleExpressionTimezone"], "Europe/Paris")
        self.assertEqual(got["State"], "DISABLED")
        self.assertEqual(got["Description"], "weekdays")
        self.assertEqual(got["FlexibleTimeWindow"], {"Mode": "FLEXIBLE",
                                                     "MaximumWindowInMinutes": 15})
        self.assertEqual(got["Target"], {"Arn": self.target, "RoleArn": ROLE})
        self.assertIsInstance(got["CreationDate"], datetime.datetime)
        self.sch.create_schedule(**self.schedule(prefix + "-b", "rate(3 hours)"))
        listed = self.sch.list_schedules(NamePrefix=prefix)["Schedules"]
        self.assertEqual([s["Name"] for s in listed], [prefix + "-a", prefix + "-b"])
        self.assertEqual(listed[0]["Target"], {"Arn": self.target})
        self.assertEqual(self.sch.list_schedules(NamePrefix=prefix, State="ENABLED")["Schedules"],
                         [])
        page = self.sch.list_schedules(NamePrefix=prefix, MaxResults=1)
        self.assertEqual([s["Name"] for s in page["Schedules"]], [prefix + "-a"])
        page = self.sch.list_schedules(NamePrefix=prefix, MaxResults=1,
                                       NextToken=page["NextToken"])
        self.assertEqual([s["Name"] for s in page["Schedules"]], [prefix + "-b"])
        # Tags on a schedule (stator's extension; AWS tags schedule groups only).
        self.sch.tag_resource(ResourceArn=arn, Tags=[{"Key": "k1", "Value": "v1"},
                                                     {"Key": "k2", "Value": "v2"}])
        self.sch.untag_resource(ResourceArn=arn, TagKeys=["k1"])
        self.assertEqual(self.sch.list_tags_for_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "k2", "Value": "v2"}])
        self.sch.update_schedule(**self.schedule(prefix + "-a", "rate(5 minutes)"))
        got = self.sch.get_schedule(Name=prefix + "-a")
        self.assertEqual(got["ScheduleExpression"], "rate(5 minutes)")
        self.assertNotIn("Description", got)  # UpdateSchedule replaces every setting
        self.assertEqual(self.sch.list_tags_for_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "k2", "Value": "v2"}])
        self.sch.delete_schedule(Name=prefix + "-a")
        self.sch.delete_schedule(Name=prefix + "-b")
        self.assertEqual(self.sch.list_schedules(NamePrefix=prefix)["Schedules"], [])


class VirtualTimeTest(Fixture, unittest.TestCase):
    """Firings on the virtual clock (--time-scale 0): a rate schedule fires at its due times,
    one after another as the clock jumps, and stops at its EndDate."""

    def setUp(self):
        self.start("--time-scale", "0")
        self.make_recorder()

    def tearDown(self):
        self.server.stop()

    def test_rate_fires_on_the_virtual_clock_until_end_date(self):
        name, tag = unique("rate"), unique("rate")
        # Created disabled, to read the server's clock; then enabled from then for 5.5 minutes.
        self.create(name, "rate(1 minute)", tag=tag, State="DISABLED")
        now = self.sch.get_schedule(Name=name)["CreationDate"]
        self.sch.update_schedule(
            Name=name, ScheduleExpression="rate(1 minute)", FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": self.function_arn, "RoleArn": ROLE,
                    "Input": json.dumps({"tag": tag})},
            StartDate=now, EndDate=now + datetime.timedelta(seconds=330))
        self.wait_events(tag, 5)
        # A sentinel due after the EndDate: by its firing, any sixth firing would have come.
        self.sentinel(when=now.astimezone(datetime.timezone.utc).replace(tzinfo=None) +
                      datetime.timedelta(minutes=10))
        self.assertEqual(len(self.tagged(tag)), 5)

    def test_disabled_never_fires_and_enabling_starts_it(self):
        name, tag = unique("off"), unique("off")
        self.create(name, "rate(1 minute)", tag=tag, State="DISABLED")
        now = self.sch.get_schedule(Name=name)["CreationDate"]
        self.sentinel(when=now.astimezone(datetime.timezone.utc).replace(tzinfo=None) +
                      datetime.timedelta(hours=2))
        self.assertEqual(self.tagged(tag), [])
        self.sch.update_schedule(
            Name=name, ScheduleExpression="rate(1 minute)", FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": self.function_arn, "RoleArn": ROLE,
                    "Input": json.dumps({"tag": tag})}, State="ENABLED")
        self.wait_events(tag, 3)
        self.sch.delete_schedule(Name=name)

    def test_state_machine_target(self):
        machine = self.sfn.create_state_machine(
            name=unique("scheduled"), roleArn=ROLE,
            definition=json.dumps({"StartAt": "W", "States": {
                "W": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
                "Done": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
        name = unique("sm")
        self.create(name, "cron(0 12 * * ? *)", target=machine,
                    tag="to-the-machine")
        deadline = time.monotonic() + DEADLINE
        while True:
            done = self.sfn.list_executions(stateMachineArn=machine,
                                            statusFilter="SUCCEEDED")["executions"]
            if len(done) >= 2:
                break
            self.assertLess(time.monotonic(), deadline, "the schedule did not run the machine")
            time.sleep(0.05)
        self.sch.delete_schedule(Name=name)
        d = self.sfn.describe_execution(executionArn=done[-1]["executionArn"])
        self.assertEqual(json.loads(d["input"]), {"tag": "to-the-machine"})


class RealTimeTest(Fixture, unittest.TestCase):
    """Firings on the wall clock, with a data directory: one-time at() schedules, and a restart
    that neither repeats a firing nor loses one that came due while the server was down."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="stator-schedules-")
        self.args = ("--data-dir", os.path.join(self.tmp, "data"))
        self.start(*self.args)
        self.make_recorder()

    def tearDown(self):
        self.server.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def restart(self):
        self.assertEqual(self.server.stop(), 0)
        self.start(*self.args)

    def test_at_fires_once_and_not_again_after_restart(self):
        tag = unique("once")
        when = datetime.datetime.utcnow() + datetime.timedelta(seconds=LEAD)
        self.create(unique("once"), at_expression(when), tag=tag)
        self.wait_events(tag, 1)
        self.restart()
        self.sentinel()
        self.assertEqual(len(self.tagged(tag)), 1)

    def test_firing_due_while_down_fires_once_on_start(self):
        tag = unique("missed")
        when = datetime.datetime.utcnow() + datetime.timedelta(seconds=LEAD + 1)
        name = unique("missed")
        self.create(name, at_expression(when), tag=tag)
        self.assertEqual(self.server.stop(), 0)
        while datetime.datetime.utcnow() < when + datetime.timedelta(seconds=1):
            time.sleep(0.2)  # the due time passes while the server is down
        self.start(*self.args)
        self.wait_events(tag, 1)
        self.sentinel()
        self.assertEqual(len(self.tagged(tag)), 1)

    def test_delete_after_completion(self):
        tag, name = unique("gone"), unique("gone")
        when = datetime.datetime.utcnow() + datetime.timedelta(seconds=LEAD)
        self.create(name, at_expression(when), tag=tag, ActionAfterCompletion="DELETE")
        self.wait_events(tag, 1)
        deadline = time.monotonic() + DEADLINE
        while True:
            try:
                self.sch.get_schedule(Name=name)
            except self.sch.exceptions.ResourceNotFoundException:
                break
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)


@needs("PostgreSQL (STATOR_TEST_POSTGRES)", postgres_missing)
class ClusterTest(Fixture, unittest.TestCase):
    """Two nodes on one database: each firing is claimed, and run, by one of them."""

    def test_each_firing_runs_once_across_the_cluster(self):
        uri = fresh_database(self)
        a, b = Node(uri, 10), Node(uri, 10)
        for node in (a, b):
            self.addCleanup(node.stop)
        self.endpoint = a.endpoint
        self.sch = scheduler_client(a.endpoint)
        self.lam = lambda_client(a.endpoint)
        self.ddb = dynamodb_client(a.endpoint)
        self.make_recorder()
        on_b = scheduler_client(b.endpoint)
        # Created on either node; both arm every schedule (the other one within its rescan).
        when = datetime.datetime.utcnow() + datetime.timedelta(seconds=LEAD + 1)
        tags = []
        for i in range(4):
            tag = unique(f"cluster{i}")
            tags.append(tag)
            sch = self.sch if i % 2 == 0 else on_b
            sch.create_schedule(
                Name=tag, ScheduleExpression=at_expression(when + datetime.timedelta(seconds=i)),
                FlexibleTimeWindow={"Mode": "OFF"},
                Target={"Arn": self.function_arn, "RoleArn": ROLE,
                        "Input": json.dumps({"tag": tag})})
        for tag in tags:
            self.wait_events(tag, 1)
        self.sentinel(when=when + datetime.timedelta(seconds=6))
        self.assertEqual([len(self.tagged(t)) for t in tags], [1, 1, 1, 1])


class DeployTest(Fixture, unittest.TestCase):
    """SAM `Schedule` and `ScheduleV2` events through stator deploy (tests/api/schedules_app)."""

    def setUp(self):
        self.start("--time-scale", "0")
        self.stack = unique("sched")

    def tearDown(self):
        self.server.stop()

    def deploy(self, **params):
        args = ["deploy", os.path.join(HERE, "schedules_app", "template.yaml"),
                "--stack-name", self.stack, "--json"]
        if params:
            args += ["--parameter-overrides", *[f"{k}={v}" for k, v in params.items()]]
        _, out, _ = run_stator(*args, endpoint=self.endpoint, check=0)
        return json.loads(out)

    def schedules(self):
        return {s["Name"]: self.sch.get_schedule(Name=s["Name"])
                for s in self.sch.list_schedules()["Schedules"]}

    def test_deploy_update_delete(self):
        summary = self.deploy()
        rows = {r["LogicalResourceId"]: r for r in summary["Resources"]}
        self.assertEqual(rows["RecorderEveryMinute"]["ResourceStatus"], "CREATED", rows)
        self.table = f"{self.stack}-Events"
        got = self.schedules()
        every = got[f"{self.stack}-RecorderEveryMinute"]
        self.assertEqual(every["ScheduleExpression"], "rate(1 hour)")
        self.assertEqual(every["State"], "ENABLED")
        self.assertEqual(every["Description"], "hourly")
        self.assertEqual(every["Target"]["Arn"],
                         f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.stack}-Recorder")
        nightly = got["nightly-" + self.stack]
        self.assertEqual(nightly["ScheduleExpression"], "cron(0 2 * * ? *)")
        self.assertEqual(nightly["ScheduleExpressionTimezone"], "Europe/Paris")
        self.assertEqual(json.loads(nightly["Target"]["Input"]), {"tag": "nightly"})
        off = got[f"{self.stack}-RecorderNeverOn"]
        self.assertEqual(off["State"], "DISABLED")
        machine = got["FlowHourly"]  # SAM names a ScheduleV2 after its logical id
        self.assertEqual(machine["Target"]["Arn"],
                         f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{self.stack}-Flow")
        # The Schedule event (an EventBridge rule on AWS) sends EventBridge's scheduled event.
        deadline = time.monotonic() + DEADLINE
        while True:
            rule_events = [e for e in self.events() if e.get("source") == "aws.events"]
            if len(rule_events) >= 2 and self.tagged("nightly"):
                break
            self.assertLess(time.monotonic(), deadline, self.events())
            time.sleep(0.05)
        e = rule_events[0]
        self.assertEqual(e["detail-type"], "Scheduled Event")
        self.assertEqual(e["version"], "0")
        self.assertEqual(e["account"], ACCOUNT)
        self.assertEqual(e["region"], REGION)
        self.assertEqual(e["detail"], {})
        self.assertEqual(e["resources"],
                         [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{self.stack}-RecorderEveryMinute"])
        times = sorted(datetime.datetime.strptime(x["time"], "%Y-%m-%dT%H:%M:%SZ")
                       for x in rule_events)
        self.assertEqual((times[1] - times[0]) % datetime.timedelta(hours=1),
                         datetime.timedelta(0))
        self.assertEqual([x for x in self.events() if x.get("tag") == "never"], [])
        # Redeploy with another rate: the same schedule, updated in place.
        summary = self.deploy(Rate="rate(2 hours)")
        rows = {r["LogicalResourceId"]: r for r in summary["Resources"]}
        self.assertEqual(rows["RecorderEveryMinute"]["ResourceStatus"], "UPDATED", rows)
        self.assertEqual(self.sch.get_schedule(Name=f"{self.stack}-RecorderEveryMinute")[
            "ScheduleExpression"], "rate(2 hours)")
        self.assertEqual(len(self.schedules()), 4)
        run_stator("delete-stack", self.stack, endpoint=self.endpoint, check=0)
        self.assertEqual(self.sch.list_schedules()["Schedules"], [])

    def events(self):
        self.table = f"{self.stack}-Events"
        return Fixture.events(self)


if __name__ == "__main__":
    ctest_unittest.main()
