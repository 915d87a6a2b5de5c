#!/usr/bin/env python3
"""Integration tests of the minimal IAM and STS of `stator serve` with real AWS clients.

Starts `stator serve` on an ephemeral port ($STATOR, else build*/stator; see stator_server.py)
and talks to it with boto3's "iam", "sts" and "stepfunctions" clients (only endpoint_url
changed), raw HTTP (the AWS Query protocol: form bodies in, XML out) and the AWS CLI (the one
on PATH and Debian's /usr/bin/aws). Covers every action (CreateRole, GetRole, ListRoles,
DeleteRole, AttachRolePolicy, DetachRolePolicy, ListAttachedRolePolicies, GetUser,
GetCallerIdentity), their errors in AWS's wording, malformed requests, the migration script's
flow (a role and the caller's ARN, then a state machine that uses the role) and persistence
across a restart with --data-dir. See docs/iam.md.

    python3 tests/api/test_iam.py [-v]
"""

import datetime
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True

import boto3  # noqa: E402
import botocore.config  # noqa: E402
import botocore.exceptions  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stator_server import ACCOUNT, REGION, Server, ServerTestCase, client  # noqa: E402
import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

TRUST = {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"},
                        "Action": "sts:AssumeRole"}]}
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/stator"
ROLE_ID = re.compile(r"^AROA[A-Z0-9]{17}$")
USER_ID = re.compile(r"^AIDA[A-Z0-9]{17}$")
LAMBDA_ROLE = "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"
XRAY = "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"
IAM_NS = "{https://iam.amazonaws.com/doc/2010-05-08/}"
STS_NS = "{https://sts.amazonaws.com/doc/2011-06-15/}"


def aws_client(service, endpoint):
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id="x", aws_secret_access_key="x",
                        config=botocore.config.Config(retries={"max_attempts": 0}))


def form_post(port, body, service="iam", headers=None, path="/"):
    """A raw Query-protocol POST; returns (status, body text)."""
    h = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    if service:
        h["Authorization"] = (f"AWS4-HMAC-SHA256 Credential=x/20240101/{REGION}/{service}/"
                              "aws4_request, SignedHeaders=host, Signature=0")
    h.update(headers or {})
    if isinstance(body, dict):
        body = urllib.parse.urlencode(body)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", path, body=body, headers=h)
    r = conn.getresponse()
    text = r.read().decode("utf-8", "replace")
    conn.close()
    return r.status, text


def xml_error(text):
    """(Type, Code, Message) of an <ErrorResponse>."""
    root = ET.fromstring(text)
    ns = root.tag[:root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    err = root.find(f"{ns}Error")
    return tuple(err.findtext(f"{ns}{k}") for k in ("Type", "Code", "Message"))


class IamCase(ServerTestCase):
    """A server, its iam and sts clients, and assertError with the HTTP status."""

    @classmethod
    def setUpClass(cls):
        # The server runs on virtual time (--time-scale 0): its clock starts at the wall clock's
        # time when it starts and moves only with timers, so dates it writes are not before this.
        cls.started = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        super().setUpClass()
        cls.iam = aws_client("iam", cls.endpoint)
        cls.sts = aws_client("sts", cls.endpoint)

    def assertError(self, code, message, status, fn, *args, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(*args, **kw)
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], code, err)
        if message is not None:
            self.assertEqual(err["Message"], message)
        self.assertEqual(err["Type"], "Sender")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)
        return cm.exception

    def create_role(self, name, **kw):
        kw.setdefault("AssumeRolePolicyDocument", json.dumps(TRUST))
        role = self.iam.create_role(RoleName=name, **kw)["Role"]
        self.addCleanup(self.delete_quietly, name)
        return role

    def delete_quietly(self, name):
        try:
            for p in self.iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
                self.iam.detach_role_policy(RoleName=name, PolicyArn=p["PolicyArn"])
            self.iam.delete_role(RoleName=name)
        except botocore.exceptions.ClientError:
            pass


class RolesTest(IamCase):

    def test_migration_script_flow(self):
        # What a KNIX -> AWS migration script does first: who am I, then its role ...
        caller = self.sts.get_caller_identity()
        self.assertEqual(caller["Account"], ACCOUNT)
        self.assertEqual(caller["Arn"], USER_ARN)
        self.assertRegex(caller["UserId"], USER_ID)
        user = self.iam.get_user()["User"]
        self.assertEqual(user["Arn"], caller["Arn"])
        self.assertEqual(user["UserId"], caller["UserId"])
        try:
            self.iam.get_role(RoleName="KnixMigrationRole")
            self.fail("the role exists before it is created")
        except self.iam.exceptions.NoSuchEntityException:
            role = self.create_role("KnixMigrationRole", Description="for the migrated workflows")
        self.iam.attach_role_policy(RoleName="KnixMigrationRole", PolicyArn=LAMBDA_ROLE)
        arn = self.iam.get_role(RoleName="KnixMigrationRole")["Role"]["Arn"]
        self.assertEqual(arn, role["Arn"])
        self.assertEqual(arn, f"arn:aws:iam::{ACCOUNT}:role/KnixMigrationRole")
        # ... and a state machine that runs under it, through the same endpoint.
        machine = self.sfn.create_state_machine(
            name="migrated", roleArn=arn, type="EXPRESS",
            definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass",
                                                                    "End": True}}}))
        self.addCleanup(self.sfn.delete_state_machine,
                        stateMachineArn=machine["stateMachineArn"])
        self.assertEqual(self.sfn.describe_state_machine(
            stateMachineArn=machine["stateMachineArn"])["roleArn"], arn)
        sync = client(self.endpoint, inject_host_prefix=False)
        run = sync.start_sync_execution(stateMachineArn=machine["stateMachineArn"],
                                        input='{"x": 1}')
        self.assertEqual(run["status"], "SUCCEEDED")
        self.assertEqual(json.loads(run["output"]), {"x": 1})

    def test_create_and_get_role_fields(self):
        before = self.started
        role = self.create_role("Fields", Path="/app/team/", Description="d",
                                MaxSessionDuration=7200, Tags=[{"Key": "team", "Value": "core"}])
        self.assertEqual(role["RoleName"], "Fields")
        self.assertEqual(role["Path"], "/app/team/")
        self.assertEqual(role["Arn"], f"arn:aws:iam::{ACCOUNT}:role/app/team/Fields")
        self.assertRegex(role["RoleId"], ROLE_ID)
        self.assertEqual(role["AssumeRolePolicyDocument"], TRUST)  # botocore decodes it
        self.assertIsInstance(role["CreateDate"], datetime.datetime)
        self.assertGreaterEqual(role["CreateDate"], before)
        self.assertLess(role["CreateDate"] - before, datetime.timedelta(minutes=5))
        self.assertEqual(role["Tags"], [{"Key": "team", "Value": "core"}])
        self.assertNotIn("Description", role)  # CreateRole leaves these out, as AWS does
        self.assertNotIn("MaxSessionDuration", role)

        got = self.iam.get_role(RoleName="fields")["Role"]  # names ignore case
        for key in ("RoleName", "Path", "Arn", "RoleId", "CreateDate", "AssumeRolePolicyDocument",
                    "Tags"):
            self.assertEqual(got[key], role[key], key)
        self.assertEqual(got["Description"], "d")
        self.assertEqual(got["MaxSessionDuration"], 7200)
        self.assertEqual(got["RoleLastUsed"], {})

        plain = self.create_role("Plain")
        self.assertEqual(plain["Path"], "/")
        self.assertNotIn("Tags", plain)
        got = self.iam.get_role(RoleName="Plain")["Role"]
        self.assertEqual(got["MaxSessionDuration"], 3600)
        self.assertNotIn("Description", got)

    def test_policy_document_kept_as_given(self):
        text = ('{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", '
                '"Principal": {"AWS": "*"}, "Action": "sts:AssumeRole", '
                '"Sid": "caf\u00e9 & <x>"}]\n}')
        self.create_role("Doc", AssumeRolePolicyDocument=text)
        status, body = form_post(self.server.port, {"Action": "GetRole", "RoleName": "Doc"})
        self.assertEqual(status, 200, body)
        doc = ET.fromstring(body).find(f"{IAM_NS}GetRoleResult/{IAM_NS}Role/"
                                       f"{IAM_NS}AssumeRolePolicyDocument").text
        self.assertEqual(urllib.parse.unquote(doc), text)
        self.assertEqual(self.iam.get_role(RoleName="Doc")["Role"]["AssumeRolePolicyDocument"],
                         json.loads(text))

    def test_role_errors_in_aws_words(self):
        self.assertError("NoSuchEntity", "The role with name Ghost cannot be found.", 404,
                         self.iam.get_role, RoleName="Ghost")
        e = self.assertError("NoSuchEntity", None, 404, self.iam.delete_role, RoleName="Ghost")
        self.assertIsInstance(e, self.iam.exceptions.NoSuchEntityException)
        self.create_role("Twice")
        e = self.assertError("EntityAlreadyExists", "Role with name TWICE already exists.", 409,
                             self.iam.create_role, RoleName="TWICE",
                             AssumeRolePolicyDocument=json.dumps(TRUST))
        self.assertIsInstance(e, self.iam.exceptions.EntityAlreadyExistsException)
        self.assertError("MalformedPolicyDocument", "This policy contains invalid Json", 400,
                         self.iam.create_role, RoleName="BadDoc",
                         AssumeRolePolicyDocument='{"Version": "2012-10-17",}')
        self.assertError("ValidationError",
                         "1 validation error detected: Value 'has space' at 'roleName' failed to "
                         "satisfy constraint: Member must satisfy regular expression pattern: "
                         "[\\w+=,.@-]+", 400,
                         self.iam.create_role, RoleName="has space",
                         AssumeRolePolicyDocument=json.dumps(TRUST))
        long_name = "r" * 65
        self.assertError("ValidationError",
                         f"1 validation error detected: Value '{long_name}' at 'roleName' failed "
                         "to satisfy constraint: Member must have length less than or equal to "
                         "64", 400,
                         self.iam.get_role, RoleName=long_name)
        self.assertError("ValidationError", None, 400, self.iam.create_role, RoleName="BadPath",
                         Path="no-slashes", AssumeRolePolicyDocument=json.dumps(TRUST))
        self.assertError("InvalidInput",
                         "Duplicate tag keys found. Please note that Tag keys are case "
                         "insensitive.", 400,
                         self.iam.create_role, RoleName="DupTags",
                         AssumeRolePolicyDocument=json.dumps(TRUST),
                         Tags=[{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}])
        for name in ("BadDoc", "BadPath", "DupTags"):
            self.assertError("NoSuchEntity", None, 404, self.iam.get_role, RoleName=name)

    def test_attached_policies_and_delete_conflict(self):
        self.create_role("Attached")
        self.iam.attach_role_policy(RoleName="Attached", PolicyArn=LAMBDA_ROLE)
        self.iam.attach_role_policy(RoleName="Attached", PolicyArn=XRAY)
        self.iam.attach_role_policy(RoleName="Attached", PolicyArn=LAMBDA_ROLE)  # no-op
        listed = self.iam.list_attached_role_policies(RoleName="Attached")
        self.assertEqual(listed["AttachedPolicies"], [
            {"PolicyName": "AWSLambdaRole", "PolicyArn": LAMBDA_ROLE},
            {"PolicyName": "AWSXrayWriteOnlyAccess", "PolicyArn": XRAY}])
        self.assertFalse(listed["IsTruncated"])
        only = self.iam.list_attached_role_policies(RoleName="Attached",
                                                    PathPrefix="/service-role/")
        self.assertEqual([p["PolicyArn"] for p in only["AttachedPolicies"]], [LAMBDA_ROLE])
        pages = self.iam.get_paginator("list_attached_role_policies").paginate(
            RoleName="Attached", PaginationConfig={"PageSize": 1})
        self.assertEqual([p["PolicyArn"] for page in pages for p in page["AttachedPolicies"]],
                         [LAMBDA_ROLE, XRAY])

        e = self.assertError("DeleteConflict",
                             "Cannot delete entity, must detach all policies first.", 409,
                             self.iam.delete_role, RoleName="Attached")
        self.assertIsInstance(e, self.iam.exceptions.DeleteConflictException)
        self.iam.get_role(RoleName="Attached")  # still there
        self.iam.detach_role_policy(RoleName="Attached", PolicyArn=LAMBDA_ROLE)
        self.assertError("NoSuchEntity", f"Policy {LAMBDA_ROLE} was not found.", 404,
                         self.iam.detach_role_policy, RoleName="Attached", PolicyArn=LAMBDA_ROLE)
        self.assertError("DeleteConflict", None, 409, self.iam.delete_role, RoleName="Attached")
        self.iam.detach_role_policy(RoleName="Attached", PolicyArn=XRAY)
        self.assertEqual(
            self.iam.list_attached_role_policies(RoleName="Attached")["AttachedPolicies"], [])
        self.iam.delete_role(RoleName="Attached")
        self.assertError("NoSuchEntity", "The role with name Attached cannot be found.", 404,
                         self.iam.get_role, RoleName="Attached")
        self.assertError("NoSuchEntity", "The role with name Attached cannot be found.", 404,
                         self.iam.list_attached_role_policies, RoleName="Attached")

    def test_policy_arn_errors(self):
        self.create_role("Arns")
        self.assertError("ValidationError", "ARN longpolicynamebutnoarn is not valid.", 400,
                         self.iam.attach_role_policy, RoleName="Arns",
                         PolicyArn="longpolicynamebutnoarn")
        self.assertError("InvalidInput", f"ARN arn:aws:iam::{ACCOUNT}:role/Arns is not valid.",
                         400, self.iam.attach_role_policy, RoleName="Arns",
                         PolicyArn=f"arn:aws:iam::{ACCOUNT}:role/Arns")
        self.assertError("NoSuchEntity", "The role with name Nobody cannot be found.", 404,
                         self.iam.attach_role_policy, RoleName="Nobody", PolicyArn=XRAY)
        for i in range(10):
            self.iam.attach_role_policy(RoleName="Arns",
                                        PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/P{i}")
        self.assertError("LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 10", 409,
                         self.iam.attach_role_policy, RoleName="Arns", PolicyArn=XRAY)

    def test_list_roles_paths_and_pages(self):
        names = [f"List{i:02d}" for i in range(7)]
        for n in names:
            self.create_role(n, Path="/listing/")
        self.create_role("ListOther", Path="/elsewhere/")
        listed = self.iam.list_roles(PathPrefix="/listing/")
        self.assertEqual([r["RoleName"] for r in listed["Roles"]], names)
        self.assertFalse(listed["IsTruncated"])
        r0 = listed["Roles"][0]
        self.assertEqual(r0["MaxSessionDuration"], 3600)
        self.assertEqual(r0["AssumeRolePolicyDocument"], TRUST)
        self.assertNotIn("RoleLastUsed", r0)
        first = self.iam.list_roles(PathPrefix="/listing/", MaxItems=3)
        self.assertTrue(first["IsTruncated"])
        self.assertEqual(len(first["Roles"]), 3)
        pages = list(self.iam.get_paginator("list_roles").paginate(
            PathPrefix="/listing/", PaginationConfig={"PageSize": 3}))
        self.assertEqual(len(pages), 3)
        self.assertEqual([r["RoleName"] for p in pages for r in p["Roles"]], names)
        everything = [r["RoleName"] for p in self.iam.get_paginator("list_roles").paginate()
                      for r in p["Roles"]]
        self.assertIn("ListOther", everything)
        self.assertEqual(self.iam.list_roles(PathPrefix="/nothing/here/")["Roles"], [])

    def test_get_user(self):
        user = self.iam.get_user()["User"]
        self.assertEqual(user["UserName"], "stator")
        self.assertEqual(user["Path"], "/")
        self.assertEqual(user["Arn"], USER_ARN)
        self.assertRegex(user["UserId"], USER_ID)
        self.assertIsInstance(user["CreateDate"], datetime.datetime)
        self.assertEqual(self.iam.get_user(UserName="stator")["User"], user)
        self.assertError("NoSuchEntity", "The user with name alice cannot be found.", 404,
                         self.iam.get_user, UserName="alice")
        self.assertEqual(self.sts.get_caller_identity()["UserId"], user["UserId"])


class QueryProtocolTest(IamCase):
    """The wire format itself, with raw HTTP."""

    def test_success_envelope(self):
        status, body = form_post(self.server.port, "Action=GetCallerIdentity&Version=2011-06-15",
                                 service="sts")
        self.assertEqual(status, 200, body)
        root = ET.fromstring(body)
        self.assertEqual(root.tag, f"{STS_NS}GetCallerIdentityResponse")
        result = root.find(f"{STS_NS}GetCallerIdentityResult")
        self.assertEqual(result.findtext(f"{STS_NS}Arn"), USER_ARN)
        self.assertEqual(result.findtext(f"{STS_NS}Account"), ACCOUNT)
        self.assertRegex(root.findtext(f"{STS_NS}ResponseMetadata/{STS_NS}RequestId"),
                         r"^[0-9a-f-]{36}$")
        # Unsigned (curl): the action names the service.
        status, body = form_post(self.server.port, "Action=GetUser&Version=2010-05-08",
                                 service=None)
        self.assertEqual(status, 200, body)
        self.assertEqual(ET.fromstring(body).tag, f"{IAM_NS}GetUserResponse")

    def test_bad_requests_are_xml_errors(self):
        port = self.server.port
        cases = [
            ("Version=2010-05-08", 400, "MissingAction", "Missing Action"),
            ("Action=CreateUser&Version=2010-05-08", 400, "InvalidAction",
             "Could not find operation CreateUser for version 2010-05-08"),
            ("Action=GetRole&RoleName=%ZZ", 400, "MalformedQueryString", None),
            ("Action=CreateRole&Version=2010-05-08", 400, "ValidationError",
             "2 validation errors detected: Value null at 'roleName' failed to satisfy "
             "constraint: Member must not be null; Value null at 'assumeRolePolicyDocument' "
             "failed to satisfy constraint: Member must not be null"),
            ("Action=CreateRole&RoleName=r&AssumeRolePolicyDocument=%7B%7D&MaxSessionDuration=60",
             400, "ValidationError",
             "1 validation error detected: Value '60' at 'maxSessionDuration' failed to satisfy "
             "constraint: Member must have value greater than or equal to 3600"),
            ("Action=ListRoles&MaxItems=lots", 400, "ValidationError",
             "1 validation error detected: Value 'lots' at 'maxItems' failed to satisfy "
             "constraint: Member must be an integer"),
            ("Action=GetRole&RoleName=%3C%2FMessage%3E%00%FF", 400, "ValidationError", None),
            ("\x00\xff&&==", 400, "MissingAction", "Missing Action"),
        ]
        for body, status, code, message in cases:
            with self.subTest(body=body):
                got_status, text = form_post(port, body.encode("latin-1"))
                self.assertEqual(got_status, status, text)
                typ, got_code, got_message = xml_error(text)  # well-formed XML, always
                self.assertEqual((typ, got_code), ("Sender", code))
                if message is not None:
                    self.assertEqual(got_message, message)
        # An STS-signed request for an IAM action.
        status, text = form_post(port, "Action=GetRole&RoleName=x&Version=2011-06-15",
                                 service="sts")
        self.assertEqual(status, 400)
        self.assertEqual(xml_error(text)[1:], (
            "InvalidAction", "Could not find operation GetRole for version 2011-06-15"))
        self.assertTrue(ET.fromstring(text).tag.startswith(STS_NS))
        # The server is still there.
        self.assertEqual(self.sts.get_caller_identity()["Account"], ACCOUNT)

    def test_other_requests_are_not_taken(self):
        # Another Query service's request, a JSON POST without X-Amz-Target and a form POST to
        # another path still reach whatever answered them before IAM existed (the Step
        # Functions router): no IAM XML.
        for service, headers, path in [
                ("sqs", {}, "/"),
                ("iam", {"Content-Type": "application/x-amz-json-1.0"}, "/"),
                ("iam", {}, "/2015-03-31/functions/"),
        ]:
            with self.subTest(service=service, headers=headers, path=path):
                _, text = form_post(self.server.port, "Action=GetUser", service=service,
                                    headers=headers, path=path)
                self.assertNotIn("amazonaws.com/doc/", text)
        self.assertIn("stateMachines", self.sfn.list_state_machines())


class AwsCliTest(IamCase):
    """`aws iam ...` and `aws sts ...`: the CLI on PATH and Debian's /usr/bin/aws."""

    def clis(self):
        found = []
        on_path = shutil.which("aws")
        if on_path:
            found.append(on_path)
        if os.path.exists("/usr/bin/aws") and not any(
                os.path.samefile(c, "/usr/bin/aws") for c in found):
            found.append("/usr/bin/aws")
        self.assertTrue(found, "no AWS CLI installed (scripts/setup.sh installs awscli)")
        return found

    def aws(self, cli, *args, ok=True):
        env = dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x",
                   AWS_DEFAULT_REGION=REGION, AWS_PAGER="", AWS_CONFIG_FILE="/dev/null",
                   AWS_MAX_ATTEMPTS="1")
        p = subprocess.run([cli, *args, "--endpoint-url", self.endpoint, "--output", "json"],
                           env=env, capture_output=True, text=True, timeout=120)
        if ok:
            self.assertEqual(p.returncode, 0, f"{cli} {args}: {p.stderr}")
            return json.loads(p.stdout) if p.stdout.strip() else {}
        self.assertNotEqual(p.returncode, 0, p.stdout)
        return p.stderr

    def test_cli_role_lifecycle(self):
        trust = self.write("trust.json", json.dumps(TRUST))
        for n, cli in enumerate(self.clis()):
            with self.subTest(cli=cli):
                name = f"cli-role-{n}"
                self.addCleanup(self.delete_quietly, name)
                ident = self.aws(cli, "sts", "get-caller-identity")
                self.assertEqual((ident["Account"], ident["Arn"]), (ACCOUNT, USER_ARN))
                self.assertEqual(self.aws(cli, "iam", "get-user")["User"]["Arn"], USER_ARN)
                created = self.aws(cli, "iam", "create-role", "--role-name", name,
                                   "--assume-role-policy-document", f"file://{trust}",
                                   "--description", "from the CLI")["Role"]
                self.assertEqual(created["Arn"], f"arn:aws:iam::{ACCOUNT}:role/{name}")
                self.assertRegex(created["RoleId"], ROLE_ID)
                got = self.aws(cli, "iam", "get-role", "--role-name", name)["Role"]
                self.assertEqual(got["AssumeRolePolicyDocument"], TRUST)
                self.assertEqual(got["Description"], "from the CLI")
                listed = self.aws(cli, "iam", "list-roles")["Roles"]
                self.assertIn(name, [r["RoleName"] for r in listed])
                self.aws(cli, "iam", "attach-role-policy", "--role-name", name,
                         "--policy-arn", LAMBDA_ROLE)
                attached = self.aws(cli, "iam", "list-attached-role-policies", "--role-name",
                                    name)["AttachedPolicies"]
                self.assertEqual(attached, [{"PolicyName": "AWSLambdaRole",
                                             "PolicyArn": LAMBDA_ROLE}])
                err = self.aws(cli, "iam", "delete-role", "--role-name", name, ok=False)
                self.assertIn("DeleteConflict", err)
                self.assertIn("Cannot delete entity, must detach all policies first.", err)
                self.aws(cli, "iam", "detach-role-policy", "--role-name", name,
                         "--policy-arn", LAMBDA_ROLE)
                self.aws(cli, "iam", "delete-role", "--role-name", name)
                err = self.aws(cli, "iam", "get-role", "--role-name", name, ok=False)
                self.assertIn("NoSuchEntity", err)
                self.assertIn(f"The role with name {name} cannot be found.", err)


class PersistenceTest(unittest.TestCase):
    """Roles, their policies and the default user survive a restart with --data-dir."""

    def test_restart(self):
        tmp = tempfile.mkdtemp(prefix="stator-iam-")
        self.addCleanup(shutil.rmtree, tmp, True)
        data = os.path.join(tmp, "data")
        server = Server("--data-dir", data)
        try:
            iam = aws_client("iam", server.endpoint)
            sts = aws_client("sts", server.endpoint)
            role = iam.create_role(RoleName="Durable", Path="/keep/",
                                   AssumeRolePolicyDocument=json.dumps(TRUST),
                                   Description="survives",
                                   Tags=[{"Key": "k", "Value": "v"}])["Role"]
            iam.attach_role_policy(RoleName="Durable", PolicyArn=LAMBDA_ROLE)
            iam.create_role(RoleName="Gone", AssumeRolePolicyDocument=json.dumps(TRUST))
            iam.delete_role(RoleName="Gone")
            user_id = sts.get_caller_identity()["UserId"]
            user_created = iam.get_user()["User"]["CreateDate"]
        finally:
            self.assertEqual(server.stop(), 0)

        server = Server("--data-dir", data)
        try:
            iam = aws_client("iam", server.endpoint)
            sts = aws_client("sts", server.endpoint)
            got = iam.get_role(RoleName="Durable")["Role"]
            for key in ("RoleName", "Path", "Arn", "RoleId", "CreateDate",
                        "AssumeRolePolicyDocument", "Tags"):
                self.assertEqual(got[key], role[key], key)
            self.assertEqual(got["Description"], "survives")
            self.assertEqual(
                iam.list_attached_role_policies(RoleName="Durable")["AttachedPolicies"],
                [{"PolicyName": "AWSLambdaRole", "PolicyArn": LAMBDA_ROLE}])
            self.assertEqual([r["RoleName"] for r in iam.list_roles()["Roles"]], ["Durable"])
            with self.assertRaises(iam.exceptions.NoSuchEntityException):
                iam.get_role(RoleName="Gone")
            self.assertEqual(sts.get_caller_identity()["UserId"], user_id)
            self.assertEqual(iam.get_user()["User"]["CreateDate"], user_created)
            with self.assertRaises(iam.exceptions.DeleteConflictException):
                iam.delete_role(RoleName="Durable")
        finally:
            self.assertEqual(server.stop(), 0)


if __name__ == "__main__":
    ctest_unittest.main()
