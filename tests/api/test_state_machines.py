#!/usr/bin/env python3
"""Integration tests of `stator serve` (state machines and tags) with real AWS clients.

Starts `stator serve` on an ephemeral port ($STATOR, else build*/stator; see stator_server.py)
and talks to it with boto3, the AWS CLI (the one on PATH and /usr/bin/aws when installed) and
raw HTTP. Expected messages are AWS's (recorded in ../shared/conformance/cases.json where
available).

    python3 tests/api/test_state_machines.py [-v]
"""

import concurrent.futures
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stator_server import (ACCOUNT, REGION, ClientErrorAssertion, Server,  # noqa: E402
                           SharedServer, client, find_stator, post)
import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

ROLE = f"arn:aws:iam::{ACCOUNT}:role/StatorRole"
PASS_DEF = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
PASS_DEF_2 = json.dumps(
    {"Comment": "v2", "StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "End": True}}})


class StateMachineApiTest(SharedServer, ClientErrorAssertion, unittest.TestCase):
    def arn(self, name):
        return f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}"

    def create(self, name, definition=PASS_DEF, **kw):
        return self.sfn.create_state_machine(name=name, definition=definition, roleArn=ROLE, **kw)

    # --- CreateStateMachine / DescribeStateMachine ------------------------------------------

    def test_create_then_describe(self):
        before = time.time()
        r = self.create("describe-me")
        after = time.time()
        self.assertEqual(r["stateMachineArn"], self.arn("describe-me"))
        self.assertNotIn("stateMachineVersionArn", r)
        self.assertGreaterEqual(r["creationDate"].timestamp(), before - 0.001)
        self.assertLessEqual(r["creationDate"].timestamp(), after + 0.001)
        d = self.sfn.describe_state_machine(stateMachineArn=r["stateMachineArn"])
        self.assertEqual(d["name"], "describe-me")
        self.assertEqual(d["definition"], PASS_DEF)  # exactly as sent
        self.assertEqual(d["roleArn"], ROLE)
        self.assertEqual(d["type"], "STANDARD")
        self.assertEqual(d["status"], "ACTIVE")
        self.assertEqual(d["creationDate"], r["creationDate"])
        self.assertEqual(d["loggingConfiguration"], {"level": "OFF", "includeExecutionData": False})
        self.assertEqual(d["tracingConfiguration"], {"enabled": False})
        self.assertNotIn("revisionId", d)

    def test_create_express_with_configuration(self):
        log_arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/vendedlogs/states/x:*"
        logging = {"level": "ALL", "includeExecutionData": True,
                   "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": log_arn}}]}
        r = self.create("express-one", type="EXPRESS", loggingConfiguration=logging,
                        tracingConfiguration={"enabled": True},
                        encryptionConfiguration={"type": "AWS_OWNED_KEY"})
        d = self.sfn.describe_state_machine(stateMachineArn=r["stateMachineArn"])
        self.assertEqual(d["type"], "EXPRESS")
        self.assertEqual(d["loggingConfiguration"], logging)
        self.assertEqual(d["tracingConfiguration"], {"enabled": True})
        self.assertEqual(d["encryptionConfiguration"], {"type": "AWS_OWNED_KEY"})

    def test_logging_configuration_defaults_as_recorded(self):
        # Recorded on AWS: {} -> defaults; {"destinations": []} -> defaults plus the empty list.
        r = self.create("log-empty", loggingConfiguration={})
        d = self.sfn.describe_state_machine(stateMachineArn=r["stateMachineArn"])
        self.assertEqual(d["loggingConfiguration"], {"level": "OFF", "includeExecutionData": False})
        r = self.create("log-no-destinations", loggingConfiguration={"destinations": []})
        d = self.sfn.describe_state_machine(stateMachineArn=r["stateMachineArn"])
        self.assertEqual(d["loggingConfiguration"],
                         {"level": "OFF", "includeExecutionData": False, "destinations": []})

    def test_invalid_logging_configuration(self):
        self.assertError("InvalidLoggingConfiguration", None, self.create, "log-bad",
                         loggingConfiguration={"level": "ERROR"})
        bad = {"level": "ALL", "destinations": [{"cloudWatchLogsLogGroup": {
            "logGroupArn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:x"}}]}
        self.assertError("InvalidLoggingConfiguration",
                         "Invalid Logging Configuration: Log Group ARN must be provided with '*' "
                         "qualifier.", self.create, "log-bad", loggingConfiguration=bad)

    def test_invalid_encryption_configuration(self):
        self.assertError("InvalidEncryptionConfiguration", None, self.create, "enc-bad",
                         encryptionConfiguration={"type": "CUSTOMER_MANAGED_KMS_KEY"})

    def test_idempotent_create_and_already_exists(self):
        first = self.create("dup")
        # Same definition and configuration (roleArn and tags do not matter): the same machine.
        again = self.sfn.create_state_machine(
            name="dup", definition=PASS_DEF, roleArn=ROLE + "2", tags=[{"key": "k", "value": "v"}])
        self.assertEqual(again["stateMachineArn"], first["stateMachineArn"])
        self.assertEqual(again["creationDate"], first["creationDate"])
        self.assertError("StateMachineAlreadyExists",
                         f"State Machine Already Exists: '{self.arn('dup')}'",
                         self.create, "dup", PASS_DEF_2)
        self.assertError("StateMachineAlreadyExists", None, self.create, "dup", type="EXPRESS")
        self.assertError("StateMachineAlreadyExists", None, self.create, "dup",
                         tracingConfiguration={"enabled": True})

    def test_invalid_definition(self):
        # Recorded on AWS (test_create_delete_invalid_sm).
        self.assertError(
            "InvalidDefinition",
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are "
            "required: [States] at /'",
            self.create, "invalid-def", json.dumps({"Comment": "BASE_INVALID_DER",
                                                    "StartAt": "State_1"}))
        r = self.assertError("InvalidDefinition", None, self.create, "invalid-def", "not json")
        self.assertIn("INVALID_JSON_DESCRIPTION", r["Error"]["Message"])
        self.assertError("StateMachineDoesNotExist", None, self.sfn.describe_state_machine,
                         stateMachineArn=self.arn("invalid-def"))

    def test_express_rejects_callback_and_sync_integrations(self):
        # Recorded on AWS (test_illegal_callbacks), including the double space.
        wait = json.dumps({"StartAt": "Publish", "States": {"Publish": {
            "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token"}},
            "End": True}}})
        self.assertError(
            "InvalidDefinition",
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine "
            "does not support '.waitForTaskToken' service integration  at "
            "/States/Publish/Resource'",
            self.create, "express-cb", wait, type="EXPRESS")
        sync = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True,
            "Branches": [{"StartAt": "StartExecution", "States": {"StartExecution": {
                "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync",
                "Parameters": {"StateMachineArn": "x"}, "End": True}}}]}}})
        self.assertError(
            "InvalidDefinition",
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine "
            "does not support '.sync' service integration at "
            "/States/P/Branches/0/States/StartExecution/Resource'",
            self.create, "express-sync", sync, type="EXPRESS")
        self.create("standard-sync-ok", sync)  # Standard machines may

    def test_invalid_names(self):
        # Each of these is recorded on AWS as InvalidName "Invalid Name: '<name>'".
        for ch in " <>{}[]?*\"#%\\^|~`$&,;:/\x00\x1f\x7f\u0085\u00a0":
            name = f"bad{ch}name"
            self.assertError("InvalidName", f"Invalid Name: '{name}'", self.create, name)
        self.create("ok-name_with.dots-and-ÜNICODE")

    def test_name_length(self):
        self.create("n" * 80)
        self.assertError(
            "ValidationException",
            f"1 validation error detected: Value '{'n' * 81}' at 'name' failed to satisfy "
            "constraint: Member must have length less than or equal to 80",
            self.create, "n" * 81)

    def test_invalid_role_arn(self):
        self.assertError("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: not-a-role'",
                         self.sfn.create_state_machine, name="r", definition=PASS_DEF,
                         roleArn="not-a-role")

    def test_describe_errors(self):
        # Recorded on AWS (test_describe_nonexistent_sm).
        missing = self.arn("nope")
        self.assertError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{missing}'",
                         self.sfn.describe_state_machine, stateMachineArn=missing)
        self.assertError("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: no_an_arn'",
                         self.sfn.describe_state_machine, stateMachineArn="no_an_arn")
        self.assertError(
            "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: execution'",
            self.sfn.describe_state_machine,
            stateMachineArn=f"arn:aws:states:{REGION}:{ACCOUNT}:execution:m:e")

    # --- UpdateStateMachine and versions --------------------------------------------------

    def test_update_changes_revision_and_publishes_versions(self):
        arn = self.create("upd", publish=True, versionDescription="first")["stateMachineArn"]
        v1 = arn + ":1"
        u = self.sfn.update_state_machine(stateMachineArn=arn, definition=PASS_DEF_2,
                                          roleArn=ROLE + "-b")
        self.assertIn("revisionId", u)
        d = self.sfn.describe_state_machine(stateMachineArn=arn)
        self.assertEqual(d["definition"], PASS_DEF_2)
        self.assertEqual(d["roleArn"], ROLE + "-b")
        self.assertEqual(d["revisionId"], u["revisionId"])
        # The version keeps what it froze, with its description.
        dv = self.sfn.describe_state_machine(stateMachineArn=v1)
        self.assertEqual(dv["stateMachineArn"], v1)
        self.assertEqual(dv["definition"], PASS_DEF)
        self.assertEqual(dv["description"], "first")
        # publish after a change: version 2; publishing again without change: still version 2.
        u2 = self.sfn.update_state_machine(stateMachineArn=arn, tracingConfiguration={
            "enabled": True}, publish=True)
        self.assertEqual(u2["stateMachineVersionArn"], arn + ":2")
        self.assertNotEqual(u2["revisionId"], u["revisionId"])
        u3 = self.sfn.update_state_machine(stateMachineArn=arn, tracingConfiguration={
            "enabled": True}, publish=True)
        self.assertEqual(u3["stateMachineVersionArn"], arn + ":2")
        self.assertEqual(u3["revisionId"], u2["revisionId"])
        self.assertError("StateMachineDoesNotExist", None, self.sfn.describe_state_machine,
                         stateMachineArn=arn + ":3")

    def test_update_without_change_has_no_revision(self):
        # Recorded on AWS (test_empty_revision_with_publish_and_no_publish_on_creation).
        arn = self.create("upd-same")["stateMachineArn"]
        for _ in range(2):
            u = self.sfn.update_state_machine(stateMachineArn=arn, definition=PASS_DEF,
                                              publish=True)
            self.assertNotIn("revisionId", u)
            self.assertEqual(u["stateMachineVersionArn"], arn + ":1")
            self.assertIn("updateDate", u)

    def test_update_errors(self):
        arn = self.create("upd-err")["stateMachineArn"]
        # Recorded on AWS (test_create_update_state_machine_base_update_none).
        self.assertError("MissingRequiredParameter",
                         "Either the definition, the role ARN, the LoggingConfiguration, or the "
                         "TracingConfiguration must be specified",
                         self.sfn.update_state_machine, stateMachineArn=arn)
        self.assertError("InvalidDefinition", None, self.sfn.update_state_machine,
                         stateMachineArn=arn, definition="{}")
        self.assertError("StateMachineDoesNotExist", None, self.sfn.update_state_machine,
                         stateMachineArn=self.arn("upd-none"), definition=PASS_DEF)
        r = self.assertError("ValidationException", None, self.sfn.update_state_machine,
                             stateMachineArn=arn + ":1", definition=PASS_DEF)
        self.assertEqual(r.get("reason"), "API_DOES_NOT_SUPPORT_LABELED_ARNS")
        self.assertError("InvalidLoggingConfiguration", None, self.sfn.update_state_machine,
                         stateMachineArn=arn, loggingConfiguration={"level": "ALL"})

    def test_version_operations(self):
        arn = self.create("versions")["stateMachineArn"]
        p1 = self.sfn.publish_state_machine_version(stateMachineArn=arn, description="one")
        self.assertEqual(p1["stateMachineVersionArn"], arn + ":1")
        # Unchanged machine: publishing again returns the same version.
        self.assertEqual(self.sfn.publish_state_machine_version(
            stateMachineArn=arn)["stateMachineVersionArn"], arn + ":1")
        for i in range(2, 6):
            rev = self.sfn.update_state_machine(
                stateMachineArn=arn, definition=PASS_DEF.replace('"A"', f'"A{i}"'))["revisionId"]
            self.assertError("ConflictException", None, self.sfn.publish_state_machine_version,
                             stateMachineArn=arn, revisionId="stale")
            p = self.sfn.publish_state_machine_version(stateMachineArn=arn, revisionId=rev)
            self.assertEqual(p["stateMachineVersionArn"], f"{arn}:{i}")
        self.sfn.delete_state_machine_version(stateMachineVersionArn=arn + ":3")
        self.sfn.delete_state_machine_version(stateMachineVersionArn=arn + ":3")  # idempotent
        seen, kw = [], {}
        while True:
            page = self.sfn.list_state_machine_versions(stateMachineArn=arn, maxResults=2, **kw)
            self.assertLessEqual(len(page["stateMachineVersions"]), 2)
            seen += [v["stateMachineVersionArn"] for v in page["stateMachineVersions"]]
            if "nextToken" not in page:
                break
            kw = {"nextToken": page["nextToken"]}
        self.assertEqual(seen, [f"{arn}:{i}" for i in (5, 4, 2, 1)])
        self.assertEqual(self.sfn.describe_state_machine(stateMachineArn=arn + ":1")[
            "description"], "one")
        # Recorded on AWS (test_publish_state_machine_version_no_such_machine).
        missing = self.arn("versions-none")
        self.assertError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{missing}'",
                         self.sfn.publish_state_machine_version, stateMachineArn=missing)
        self.assertError("InvalidToken", None, self.sfn.list_state_machine_versions,
                         stateMachineArn=arn, nextToken="nope")
        self.assertError("InvalidArn", None, self.sfn.delete_state_machine_version,
                         stateMachineVersionArn=arn)

    # --- DeleteStateMachine ----------------------------------------------------------------

    def test_delete_is_idempotent_and_frees_the_name(self):
        arn = self.create("del", tags=[{"key": "k", "value": "v"}])["stateMachineArn"]
        self.sfn.delete_state_machine(stateMachineArn=arn)
        self.assertError("StateMachineDoesNotExist", None, self.sfn.describe_state_machine,
                         stateMachineArn=arn)
        self.sfn.delete_state_machine(stateMachineArn=arn)
        self.create("del", PASS_DEF_2)  # a different definition is fine now
        self.assertEqual(self.sfn.list_tags_for_resource(resourceArn=arn)["tags"], [])
        self.assertError("InvalidArn", None, self.sfn.delete_state_machine, stateMachineArn="x")

    # --- ListStateMachines -----------------------------------------------------------------

    def test_list_paginates_with_opaque_tokens(self):
        names = [f"list-{i:02d}" for i in range(7)]
        for n in names:
            self.create(n)
        seen, token, pages = [], None, 0
        while True:
            kw = {"maxResults": 3}
            if token:
                kw["nextToken"] = token
            page = self.sfn.list_state_machines(**kw)
            self.assertLessEqual(len(page["stateMachines"]), 3)
            for m in page["stateMachines"]:
                self.assertEqual(set(m), {"stateMachineArn", "name", "type", "creationDate"})
                seen.append(m["name"])
            pages += 1
            token = page.get("nextToken")
            if not token:
                break
        self.assertEqual(len(seen), len(set(seen)))
        self.assertTrue(set(names) <= set(seen))
        self.assertGreaterEqual(pages, 3)
        everything = self.sfn.get_paginator("list_state_machines").paginate().build_full_result()
        self.assertEqual([m["name"] for m in everything["stateMachines"]], seen)

    def test_list_errors(self):
        self.assertError("InvalidToken", "Invalid Token: 'Invalid token'",
                         self.sfn.list_state_machines, nextToken="InvalidToken")
        self.assertError(
            "ValidationException",
            "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy "
            "constraint: Member must have value less than or equal to 1000",
            self.sfn.list_state_machines, maxResults=1001)
        self.assertError(
            "ValidationException",
            f"1 validation error detected: Value '{'x' * 3097}' at 'nextToken' failed to satisfy "
            "constraint: Member must have length less than or equal to 3096",
            self.sfn.list_state_machines, nextToken="x" * 3097)
        # A genuine token with one character changed is rejected too.
        for i in range(3):
            self.create(f"tok-{i}")
        token = self.sfn.list_state_machines(maxResults=1)["nextToken"]
        forged = token[:-1] + ("0" if token[-1] != "0" else "1")
        self.assertError("InvalidToken", None, self.sfn.list_state_machines, nextToken=forged)

    # --- ValidateStateMachineDefinition --------------------------------------------------

    def test_validate(self):
        ok = self.sfn.validate_state_machine_definition(definition=PASS_DEF)
        self.assertEqual((ok["result"], ok["diagnostics"], ok["truncated"]), ("OK", [], False))
        # Recorded on AWS (test_validate_state_machine_definition_not_a_definition).
        fail = self.sfn.validate_state_machine_definition(definition="{}", type="STANDARD")
        self.assertEqual(fail["result"], "FAIL")
        self.assertEqual(fail["diagnostics"], [{
            "severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "location": "/",
            "message": "These fields are required: [States, StartAt]"}])
        # boto3 refuses an empty definition itself; AWS answers it with a diagnostic.
        status, empty = post(self.server.port, "AWSStepFunctions.ValidateStateMachineDefinition",
                             {"definition": ""})
        self.assertEqual(status, 200)
        self.assertEqual(empty["result"], "FAIL")
        self.assertEqual(empty["diagnostics"][0]["code"], "SCHEMA_VALIDATION_FAILED")
        not_json = self.sfn.validate_state_machine_definition(definition="not a definition")
        self.assertEqual(not_json["diagnostics"][0]["code"], "INVALID_JSON_DESCRIPTION")

    def test_validate_truncates_and_checks_express_rules(self):
        many = json.dumps({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Next": "Missing1"}, "B": {"Type": "Pass", "Next": "Missing2"},
            "C": {"Type": "Pass", "Next": "Missing3"}}})
        full = self.sfn.validate_state_machine_definition(definition=many)
        self.assertEqual(full["result"], "FAIL")
        self.assertGreaterEqual(len(full["diagnostics"]), 2)
        cut = self.sfn.validate_state_machine_definition(definition=many, maxResults=1)
        self.assertEqual(len(cut["diagnostics"]), 1)
        self.assertTrue(cut["truncated"])
        sync = json.dumps({"StartAt": "S", "States": {"S": {
            "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync",
            "Parameters": {"StateMachineArn": "x"}, "End": True}}})
        self.assertEqual(self.sfn.validate_state_machine_definition(
            definition=sync, type="STANDARD")["result"], "OK")
        express = self.sfn.validate_state_machine_definition(definition=sync, type="EXPRESS")
        self.assertEqual(express["result"], "FAIL")
        self.assertEqual(express["diagnostics"][0]["location"], "/States/S/Resource")

    # --- Tags ------------------------------------------------------------------------------

    def test_tags(self):
        arn = self.create("tagged", tags=[{"key": "a", "value": "1"}])["stateMachineArn"]
        self.assertEqual(self.sfn.list_tags_for_resource(resourceArn=arn)["tags"],
                         [{"key": "a", "value": "1"}])
        # Recorded on AWS: empty values, duplicate keys, untagging absent keys.
        self.sfn.tag_resource(resourceArn=arn, tags=[{"key": "b", "value": ""},
                                                     {"key": "c", "value": "x"},
                                                     {"key": "c", "value": "x"}])
        self.sfn.tag_resource(resourceArn=arn, tags=[])
        self.assertEqual(self.sfn.list_tags_for_resource(resourceArn=arn)["tags"],
                         [{"key": "a", "value": "1"}, {"key": "b", "value": ""},
                          {"key": "c", "value": "x"}])
        self.sfn.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "2"}])
        self.sfn.untag_resource(resourceArn=arn, tagKeys=["b", "b", "never-set"])
        self.sfn.untag_resource(resourceArn=arn, tagKeys=[])
        self.assertEqual(self.sfn.list_tags_for_resource(resourceArn=arn)["tags"],
                         [{"key": "a", "value": "2"}, {"key": "c", "value": "x"}])

    def test_tag_errors(self):
        arn = self.create("tag-err", publish=True)["stateMachineArn"]
        missing = self.arn("tag-missing")
        for fn, kw in ((self.sfn.tag_resource, {"tags": [{"key": "k", "value": "v"}]}),
                       (self.sfn.untag_resource, {"tagKeys": ["k"]}),
                       (self.sfn.list_tags_for_resource, {})):
            self.assertError("ResourceNotFound", f"Resource not found: '{missing}'", fn,
                             resourceArn=missing, **kw)
            self.assertError("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: nope'", fn,
                             resourceArn="nope", **kw)
        # Recorded on AWS (test_tag_state_machine_version): versions cannot be tagged.
        self.assertError("ResourceNotFound", f"Resource not found: '{arn}:1'",
                         self.sfn.tag_resource, resourceArn=arn + ":1",
                         tags=[{"key": "k", "value": "v"}])
        self.assertError("InvalidArn", None, self.sfn.tag_resource,
                         resourceArn=f"arn:aws:states:{REGION}:{ACCOUNT}:execution:a:b",
                         tags=[{"key": "k", "value": "v"}])
        self.sfn.tag_resource(resourceArn=arn,
                              tags=[{"key": f"k{i}", "value": "v"} for i in range(50)])
        self.assertError("TooManyTags", None, self.sfn.tag_resource, resourceArn=arn,
                         tags=[{"key": "one-more", "value": "v"}])
        self.assertError("TooManyTags", None, self.create, "tag-too-many",
                         tags=[{"key": f"k{i}", "value": "v"} for i in range(51)])
        self.assertError(
            "ValidationException",
            f"1 validation error detected: Value '{'k' * 129}' at 'tags.1.member.key' failed to "
            "satisfy constraint: Member must have length less than or equal to 128",
            self.sfn.tag_resource, resourceArn=arn, tags=[{"key": "k" * 129, "value": "v"}])

    # --- The protocol itself (raw HTTP) ----------------------------------------------------

    def test_unknown_operation_and_missing_target(self):
        for target in ("AWSStepFunctions.NoSuchThing", "Other.CreateStateMachine", None):
            status, body = post(self.server.port, target, {})
            self.assertEqual(status, 400)
            self.assertEqual(body["__type"].rsplit("#", 1)[1], "UnknownOperationException")

    def test_serialization_errors(self):
        target = "AWSStepFunctions.DescribeStateMachine"
        for body in ("not json", "{", b"\xff\xfe", "[1,2]", '"s"'):
            status, reply = post(self.server.port, target, body)
            self.assertEqual(status, 400, body)
            self.assertTrue(reply["__type"].endswith("#SerializationException"), reply)
        status, reply = post(self.server.port, target, {"stateMachineArn": 5})
        self.assertEqual(status, 400)
        self.assertTrue(reply["__type"].endswith("#SerializationException"))
        status, reply = post(self.server.port, "AWSStepFunctions.ListStateMachines",
                             {"maxResults": "10"})
        self.assertTrue(reply["__type"].endswith("#SerializationException"))
        status, reply = post(self.server.port, "AWSStepFunctions.TagResource",
                             {"resourceArn": "a", "tags": {"key": "k"}})
        self.assertTrue(reply["__type"].endswith("#SerializationException"))

    def test_missing_members_are_all_reported(self):
        status, reply = post(self.server.port, "AWSStepFunctions.CreateStateMachine",
                             {"name": "x", "definition": None})
        self.assertEqual(status, 400)
        self.assertEqual(reply["__type"].rsplit("#", 1)[1], "ValidationException")
        self.assertEqual(
            reply["message"],
            "2 validation errors detected: Value null at 'definition' failed to satisfy "
            "constraint: Member must not be null; Value null at 'roleArn' failed to satisfy "
            "constraint: Member must not be null")
        status, reply = post(self.server.port, "AWSStepFunctions.ListStateMachines", "")
        self.assertEqual(status, 200)  # an empty body is an empty request
        self.assertIn("stateMachines", reply)

    def test_error_shape_is_awss(self):
        status, reply = post(self.server.port, "AWSStepFunctions.DescribeStateMachine",
                             {"stateMachineArn": self.arn("shape-missing")})
        self.assertEqual(status, 400)
        self.assertEqual(reply, {
            "__type": "com.amazonaws.swf.service.v2.model#StateMachineDoesNotExist",
            "message": f"State Machine Does Not Exist: '{self.arn('shape-missing')}'"})

    def test_signed_unsigned_and_sync_host(self):
        self.create("hosts")
        body = {"stateMachineArn": self.arn("hosts")}
        status, _ = post(self.server.port, "AWSStepFunctions.DescribeStateMachine", body)
        self.assertEqual(status, 200)
        status, _ = post(self.server.port, "AWSStepFunctions.DescribeStateMachine", body,
                         headers={"Authorization": "AWS4-HMAC-SHA256 Credential=bogus/20200101/"
                                  "us-east-1/states/aws4_request, SignedHeaders=host, "
                                  "Signature=00"})
        self.assertEqual(status, 200)
        status, _ = post(self.server.port, "AWSStepFunctions.DescribeStateMachine", body,
                         host=f"sync-127.0.0.1:{self.server.port}")
        self.assertEqual(status, 200)
        # boto3 with its host prefix injection, pointed at the "sync-" name of this machine.
        sync = client(f"http://localhost:{self.server.port}")
        self.assertEqual(sync.describe_state_machine(stateMachineArn=self.arn("hosts"))["name"],
                         "hosts")

    def test_oversize_requests(self):
        big = "x" * (1048576 + 1)
        self.assertError(
            "ValidationException",
            f"1 validation error detected: Value '{big}' at 'definition' failed to satisfy "
            "constraint: Member must have length less than or equal to 1048576",
            self.create, "too-big", big)
        # A body over the server's 8 MiB limit is refused as soon as its length is known.
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines"
                  b"\r\nContent-Length: 9437184\r\n\r\n{")
        reply = s.recv(4096).decode()
        s.close()
        self.assertTrue(reply.startswith("HTTP/1.1 413"), reply)
        # The server is still fine.
        self.assertIn("stateMachines", self.sfn.list_state_machines())

    def test_keep_alive_and_concurrency(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        for _ in range(50):
            conn.request("POST", "/", body="{}", headers={
                "X-Amz-Target": "AWSStepFunctions.ListStateMachines"})
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 200)
            self.assertNotEqual((r.getheader("Connection") or "").lower(), "close")
        conn.close()

        def worker(i):
            c = client(self.server.endpoint)
            c.create_state_machine(name=f"conc-{i}", definition=PASS_DEF, roleArn=ROLE)
            for _ in range(10):
                c.describe_state_machine(stateMachineArn=self.arn(f"conc-{i}"))
            return True

        with concurrent.futures.ThreadPoolExecutor(32) as pool:
            self.assertTrue(all(pool.map(worker, range(64))))

    def test_garbage_and_half_requests_do_not_hurt(self):
        for payload in (b"GARBAGE\r\n\r\n", b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc",
                        b"\x00" * 100):
            s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
            try:
                s.recv(4096)
            except OSError:
                pass
            finally:
                s.close()
        self.assertIn("stateMachines", self.sfn.list_state_machines())


class AwsCliTest(unittest.TestCase):
    """The AWS CLI(s) against the server: the one on PATH and /usr/bin/aws (v2) if installed."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.clis = []
        on_path = shutil.which("aws")
        if on_path:
            cls.clis.append(on_path)
        if os.path.exists("/usr/bin/aws") and "/usr/bin/aws" not in cls.clis:
            cls.clis.append("/usr/bin/aws")
        cls.env = dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x",
                       AWS_DEFAULT_REGION=REGION, AWS_PAGER="", AWS_CONFIG_FILE="/dev/null")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def aws(self, cli, *args, ok=True):
        p = subprocess.run([cli, "stepfunctions", *args, "--endpoint-url", self.server.endpoint,
                            "--output", "json"], env=self.env, capture_output=True, text=True,
                           timeout=120)
        if ok:
            self.assertEqual(p.returncode, 0, p.stderr)
            return json.loads(p.stdout) if p.stdout.strip() else {}
        self.assertNotEqual(p.returncode, 0)
        return p.stderr

    def test_cli_lifecycle(self):
        self.assertTrue(self.clis, "no AWS CLI installed")
        for n, cli in enumerate(self.clis):
            name = f"cli-{n}"
            arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}"
            r = self.aws(cli, "create-state-machine", "--name", name, "--definition", PASS_DEF,
                         "--role-arn", ROLE, "--tags", "key=team,value=core")
            self.assertEqual(r["stateMachineArn"], arn)
            d = self.aws(cli, "describe-state-machine", "--state-machine-arn", arn)
            self.assertEqual(d["definition"], PASS_DEF)
            self.assertEqual(d["status"], "ACTIVE")
            listed = self.aws(cli, "list-state-machines")
            self.assertIn(arn, [m["stateMachineArn"] for m in listed["stateMachines"]])
            u = self.aws(cli, "update-state-machine", "--state-machine-arn", arn,
                         "--definition", PASS_DEF_2)
            # (Debian's awscli 2.9 predates versioning: its model drops revisionId, so check
            # the update took effect through DescribeStateMachine.)
            self.assertIn("updateDate", u)
            d = self.aws(cli, "describe-state-machine", "--state-machine-arn", arn)
            self.assertEqual(d["definition"], PASS_DEF_2)
            self.aws(cli, "tag-resource", "--resource-arn", arn, "--tags", "key=b,value=2")
            tags = self.aws(cli, "list-tags-for-resource", "--resource-arn", arn)
            self.assertEqual(tags["tags"], [{"key": "team", "value": "core"},
                                            {"key": "b", "value": "2"}])
            err = self.aws(cli, "describe-state-machine", "--state-machine-arn", arn + "x",
                           ok=False)
            self.assertIn("StateMachineDoesNotExist", err)
            self.aws(cli, "delete-state-machine", "--state-machine-arn", arn)
            self.assertIn("StateMachineDoesNotExist",
                          self.aws(cli, "describe-state-machine", "--state-machine-arn", arn,
                                   ok=False))


    @ctest_unittest.needs("an AWS CLI with validate-state-machine-definition", None)
    def test_cli_validate_state_machine_definition(self):
        # Debian 12's awscli (2.9.19) predates the command: with that CLI this is skipped,
        # visibly (ctest entry api_state_machines_needs_awscli_validate).
        self.assertTrue(self.clis, "no AWS CLI installed")
        for cli in self.clis:
            with self.subTest(cli=cli):
                p = subprocess.run([cli, "stepfunctions", "validate-state-machine-definition",
                                    "--definition", "{}", "--endpoint-url", self.server.endpoint],
                                   env=self.env, capture_output=True, text=True, timeout=120)
                if "Invalid choice" in p.stderr:
                    self.skipTest(f"{cli} has no validate-state-machine-definition command")
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(json.loads(p.stdout)["result"], "FAIL")


class ServerLifecycleTest(unittest.TestCase):

    def test_sigterm_and_sigint_shut_down_cleanly(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            s = Server()
            conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)  # an idle client
            conn.request("POST", "/", body="{}", headers={
                "X-Amz-Target": "AWSStepFunctions.ListStateMachines"})
            conn.getresponse().read()
            # Exits by itself with the idle client still connected: it does not wait for the
            # connection's 120 s idle timeout (stop() waits up to 60 s, then kills and fails).
            self.assertEqual(s.stop(sig, timeout=60), 0)
            conn.close()

    def test_state_survives_restart_with_data_dir(self):
        data = tempfile.mkdtemp(prefix="stator-api-test-")
        try:
            s = Server("--data-dir", data)
            sfn = client(s.endpoint)
            arn = sfn.create_state_machine(name="durable", definition=PASS_DEF, roleArn=ROLE,
                                           tags=[{"key": "k", "value": "v"}],
                                           publish=True)["stateMachineArn"]
            sfn.update_state_machine(stateMachineArn=arn, definition=PASS_DEF_2)
            before = sfn.describe_state_machine(stateMachineArn=arn)
            self.assertEqual(s.stop(), 0)

            s = Server("--data-dir", data)
            sfn = client(s.endpoint)
            after = sfn.describe_state_machine(stateMachineArn=arn)
            for key in ("definition", "revisionId", "creationDate", "loggingConfiguration"):
                self.assertEqual(after[key], before[key])
            self.assertEqual(sfn.describe_state_machine(stateMachineArn=arn + ":1")["definition"],
                             PASS_DEF)
            self.assertEqual(sfn.list_tags_for_resource(resourceArn=arn)["tags"],
                             [{"key": "k", "value": "v"}])
            self.assertTrue(os.path.exists(os.path.join(data, "stator.db")))
            s.stop()
        finally:
            shutil.rmtree(data, ignore_errors=True)

    def test_port_in_use_fails_to_start(self):
        s = Server()
        try:
            p = subprocess.run([find_stator(), "serve", "--port", str(s.port)], capture_output=True,
                               text=True, timeout=30)
            self.assertEqual(p.returncode, 1)
            self.assertIn("cannot listen", p.stderr)
        finally:
            s.stop()


if __name__ == "__main__":
    ctest_unittest.main()
