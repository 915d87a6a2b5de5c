#!/usr/bin/env python3
"""Integration tests of state machine aliases: Create/Describe/Update/Delete/ListStateMachineAliases,
their routing configuration rules, executions started through an alias (weighted choice of a
version, StartSyncExecution too) and how aliases hold on to the versions they route to.

Real `stator serve` ($STATOR, else build*/stator), boto3. Messages are AWS's where recorded
(../shared/conformance/cases.json, TestSfnApiAliasing); the variations here are not recorded.

    python3 tests/api/test_aliases.py [-v]
"""

import json
import os
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stator_server import (ACCOUNT, REGION, ClientErrorAssertion, SharedServer,  # noqa: E402
                           client, post)
import ctest_unittest  # noqa: E402

ROLE = f"arn:aws:iam::{ACCOUNT}:role/StatorRole"
NAME_PATTERN = "^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$"


def definition(result):
    return json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": result,
                                                         "End": True}}})


class AliasTest(SharedServer, ClientErrorAssertion, unittest.TestCase):
    def machine(self, name, versions=2, type="STANDARD"):
        """A state machine with `versions` published versions (version N returns N); returns
        (machine ARN, [version ARNs])."""
        r = self.sfn.create_state_machine(name=name, definition=definition(1), roleArn=ROLE,
                                          type=type, publish=True)
        arns = [r["stateMachineVersionArn"]]
        for n in range(2, versions + 1):
            u = self.sfn.update_state_machine(stateMachineArn=r["stateMachineArn"],
                                              definition=definition(n), publish=True)
            arns.append(u["stateMachineVersionArn"])
        return r["stateMachineArn"], arns

    def route(self, *pairs):
        return [{"stateMachineVersionArn": a, "weight": w} for a, w in pairs]

    def test_lifecycle(self):
        m, (v1, v2) = self.machine("alias-life")
        self.assertEqual(self.sfn.list_state_machine_aliases(stateMachineArn=m)
                         ["stateMachineAliases"], [])
        c = self.sfn.create_state_machine_alias(name="PROD", description="d1",
                                                routingConfiguration=self.route((v1, 100)))
        alias = c["stateMachineAliasArn"]
        self.assertEqual(alias, m + ":PROD")
        d = self.sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
        self.assertEqual(d["name"], "PROD")
        self.assertEqual(d["description"], "d1")
        self.assertEqual(d["routingConfiguration"], self.route((v1, 100)))
        self.assertEqual(d["creationDate"], c["creationDate"])
        self.assertEqual(d["updateDate"], c["creationDate"])
        # Only the routing changes: the description stays.
        u = self.sfn.update_state_machine_alias(stateMachineAliasArn=alias,
                                                routingConfiguration=self.route((v1, 20),
                                                                                (v2, 80)))
        d = self.sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
        self.assertEqual(d["description"], "d1")
        self.assertEqual(d["routingConfiguration"], self.route((v1, 20), (v2, 80)))
        self.assertEqual(d["updateDate"], u["updateDate"])
        self.assertGreaterEqual(u["updateDate"], c["creationDate"])
        # Only the description changes: the routing stays.
        self.sfn.update_state_machine_alias(stateMachineAliasArn=alias, description="")
        d = self.sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
        self.assertNotIn("description", d)
        self.assertEqual(d["routingConfiguration"], self.route((v1, 20), (v2, 80)))
        self.sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
        self.sfn.delete_state_machine_alias(stateMachineAliasArn=alias)  # idempotent
        self.assertError("ResourceNotFound", "Request references a resource that does not exist.",
                         self.sfn.describe_state_machine_alias, stateMachineAliasArn=alias)
        self.assertError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{alias}'",
                         self.sfn.start_execution, stateMachineArn=alias)

    def test_create_is_idempotent_and_conflicts_on_other_settings(self):
        m, (v1, v2) = self.machine("alias-idem")
        a = self.sfn.create_state_machine_alias(name="live", description="x",
                                                routingConfiguration=self.route((v1, 100)))
        b = self.sfn.create_state_machine_alias(name="live", description="x",
                                                routingConfiguration=self.route((v1, 100)))
        self.assertEqual(a["creationDate"], b["creationDate"])
        self.assertError("ConflictException", None, self.sfn.create_state_machine_alias,
                         name="live", description="x", routingConfiguration=self.route((v2, 100)))
        self.assertError("ConflictException", None, self.sfn.create_state_machine_alias,
                         name="live", description="y", routingConfiguration=self.route((v1, 100)))

    def test_routing_rules(self):
        m, (v1, v2, v3) = self.machine("alias-rules", versions=3)
        other, (o1,) = self.machine("alias-rules-other", versions=1)
        create = self.sfn.create_state_machine_alias
        self.assertError(
            "ValidationException",
            f"Sum of routing configuration weights must equal 100. Received: [0, 99]",
            create, name="a", routingConfiguration=self.route((v1, 0), (v2, 99)))
        self.assertError(
            "ValidationException",
            f"Sum of routing configuration weights must equal 100. Received: [99]",
            create, name="a", routingConfiguration=self.route((v1, 99)))
        self.assertError(
            "ValidationException",
            f"Routing configuration must contain distinct state machine version ARNs. "
            f"Received: [{v2}, {v2}]",
            create, name="a", routingConfiguration=self.route((v2, 60), (v2, 40)))
        self.assertError(
            "ValidationException",
            f"Routing configuration must contain state machine version ARNs. Received: "
            f"[{v1}, {m}:PROD]",
            create, name="a", routingConfiguration=self.route((v1, 60), (m + ":PROD", 40)))
        r = self.assertError("ValidationException", None, create, name="a",
                             routingConfiguration=self.route((v1, 50), (o1, 50)))
        self.assertIn("Routing configuration must contain state machine version ARNs",
                      r["Error"]["Message"])
        self.assertError("ResourceNotFound", "Request references a resource that does not exist.",
                         create, name="a", routingConfiguration=self.route((m + ":77", 100)))
        # Request validation: every violation in one message, lists printed as Java does.
        self.assertError(
            "ValidationException",
            "2 validation errors detected: Value '4711' at 'name' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {NAME_PATTERN}; Value '[Routing"
            f"ConfigurationListItem(stateMachineVersionArn={v1}, weight=34), RoutingConfiguration"
            f"ListItem(stateMachineVersionArn={v2}, weight=33), RoutingConfigurationListItem("
            f"stateMachineVersionArn={v3}, weight=33)]' at 'routingConfiguration' failed to "
            "satisfy constraint: Member must have length less than or equal to 2",
            create, name="4711", routingConfiguration=self.route((v1, 34), (v2, 33), (v3, 33)))
        self.assertError(
            "ValidationException",
            "1 validation error detected: Value '300' at 'routingConfiguration.2.member.weight' "
            "failed to satisfy constraint: Member must have value less than or equal to 100",
            create, name="ok.name-1_", routingConfiguration=self.route((v1, 50), (v2, 300)))
        # Names: digits with a dot or dash are fine (not a version number).
        for name in ("1.0", "v-2", "_", "."):
            self.sfn.create_state_machine_alias(name=name,
                                                routingConfiguration=self.route((v1, 100)))
        # An update must stay within the alias's own state machine.
        alias = m + ":1.0"
        r = self.assertError("ValidationException", None, self.sfn.update_state_machine_alias,
                             stateMachineAliasArn=alias,
                             routingConfiguration=self.route((o1, 100)))
        self.assertIn(o1, r["Error"]["Message"])
        self.assertError("ResourceNotFound", "Request references a resource that does not exist.",
                         self.sfn.update_state_machine_alias, stateMachineAliasArn=m + ":none",
                         description="x")
        self.assertError("InvalidArn", None, self.sfn.describe_state_machine_alias,
                         stateMachineAliasArn=v1)

    def test_weighted_routing_and_execution_arns(self):
        m, (v1, v2) = self.machine("alias-weights")
        alias = self.sfn.create_state_machine_alias(
            name="canary", routingConfiguration=self.route((v1, 30), (v2, 70)))[
                "stateMachineAliasArn"]
        counts = {v1: 0, v2: 0}
        arns = []
        for _ in range(200):
            arns.append(self.sfn.start_execution(stateMachineArn=alias)["executionArn"])
        for arn in arns:
            d = self.sfn.describe_execution(executionArn=arn)
            while d["status"] == "RUNNING":
                d = self.sfn.describe_execution(executionArn=arn)
            self.assertEqual(d["stateMachineAliasArn"], alias)
            self.assertEqual(d["stateMachineArn"], m)
            version = d["stateMachineVersionArn"]
            counts[version] += 1
            # The execution ran the version it reports.
            self.assertEqual(json.loads(d["output"]), 1 if version == v1 else 2)
        # 200 draws at 30%: mean 60, standard deviation 6.5; 30..90 is beyond 4.5 sigma.
        self.assertTrue(30 <= counts[v1] <= 90, counts)
        listed = self.sfn.list_executions(stateMachineArn=m, maxResults=1)["executions"][0]
        self.assertEqual(listed["stateMachineAliasArn"], alias)
        self.assertIn(listed["stateMachineVersionArn"], (v1, v2))
        # ListExecutions of the alias ARN: the executions started through it, not the others.
        plain = self.sfn.start_execution(stateMachineArn=m)["executionArn"]
        by_alias = self.sfn.list_executions(stateMachineArn=alias, maxResults=1000)["executions"]
        self.assertEqual(sorted(e["executionArn"] for e in by_alias), sorted(arns))
        self.assertNotIn(plain, [e["executionArn"] for e in by_alias])
        self.assertError("StateMachineDoesNotExist", None, self.sfn.list_executions,
                         stateMachineArn=m + ":nosuchalias")
        # Weight 0 never routes.
        self.sfn.update_state_machine_alias(stateMachineAliasArn=alias,
                                            routingConfiguration=self.route((v1, 0), (v2, 100)))
        for _ in range(20):
            arn = self.sfn.start_execution(stateMachineArn=alias)["executionArn"]
            self.assertEqual(self.sfn.describe_execution(executionArn=arn)
                             ["stateMachineVersionArn"], v2)

    def test_sync_execution_through_alias(self):
        m, (v1, v2) = self.machine("alias-express", type="EXPRESS")
        alias = self.sfn.create_state_machine_alias(
            name="live", routingConfiguration=self.route((v2, 100)))["stateMachineAliasArn"]
        # (No "sync-" host prefix: tests/api/test_sync_endpoint.py tests the endpoint name.)
        sync = client(self.server.endpoint, inject_host_prefix=False)
        r = sync.start_sync_execution(stateMachineArn=alias)
        self.assertEqual(r["status"], "SUCCEEDED")
        self.assertEqual(json.loads(r["output"]), 2)

    def test_versions_held_by_aliases(self):
        m, (v1, v2) = self.machine("alias-hold")
        for name in ("b", "a"):
            self.sfn.create_state_machine_alias(name=name,
                                                routingConfiguration=self.route((v1, 100)))
        self.assertError(
            "ConflictException",
            "Version to be deleted must not be referenced by an alias. Current list of aliases "
            "referencing this version: [a, b]",
            self.sfn.delete_state_machine_version, stateMachineVersionArn=v1)
        self.sfn.update_state_machine_alias(stateMachineAliasArn=m + ":a",
                                            routingConfiguration=self.route((v1, 50), (v2, 50)))
        self.sfn.delete_state_machine_alias(stateMachineAliasArn=m + ":b")
        self.assertError(
            "ConflictException",
            "Version to be deleted must not be referenced by an alias. Current list of aliases "
            "referencing this version: [a]",
            self.sfn.delete_state_machine_version, stateMachineVersionArn=v2)
        self.sfn.update_state_machine_alias(stateMachineAliasArn=m + ":a",
                                            routingConfiguration=self.route((v2, 100)))
        self.sfn.delete_state_machine_version(stateMachineVersionArn=v1)
        versions = [v["stateMachineVersionArn"] for v in
                    self.sfn.list_state_machine_versions(stateMachineArn=m)["stateMachineVersions"]]
        self.assertEqual(versions, [v2])

    def test_list_paging_and_version_filter(self):
        m, (v1, v2) = self.machine("alias-list")
        for name, v in (("c", v2), ("a", v1), ("b", v1)):
            self.sfn.create_state_machine_alias(name=name, routingConfiguration=self.route((v, 100)))
        seen, token = [], None
        while True:
            kw = {"nextToken": token} if token else {}
            page = self.sfn.list_state_machine_aliases(stateMachineArn=m, maxResults=1, **kw)
            self.assertLessEqual(len(page["stateMachineAliases"]), 1)
            seen += [a["stateMachineAliasArn"] for a in page["stateMachineAliases"]]
            token = page.get("nextToken")
            if not token:
                break
        self.assertEqual(seen, [m + ":a", m + ":b", m + ":c"])
        by_version = self.sfn.list_state_machine_aliases(stateMachineArn=v1)
        self.assertEqual([a["stateMachineAliasArn"] for a in by_version["stateMachineAliases"]],
                         [m + ":a", m + ":b"])
        self.assertError("InvalidToken", "Invalid Token: 'Invalid token'",
                         self.sfn.list_state_machine_aliases, stateMachineArn=m,
                         nextToken="garbage")
        missing = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:alias-list-none"
        self.assertError("StateMachineDoesNotExist", None, self.sfn.list_state_machine_aliases,
                         stateMachineArn=missing)

    def test_deleting_the_machine_deletes_its_aliases(self):
        m, (v1,) = self.machine("alias-gone", versions=1)
        self.sfn.create_state_machine_alias(name="x", routingConfiguration=self.route((v1, 100)))
        self.sfn.delete_state_machine(stateMachineArn=m)
        m2, (w1,) = self.machine("alias-gone", versions=1)
        self.assertEqual(m2, m)
        self.assertEqual(self.sfn.list_state_machine_aliases(stateMachineArn=m)
                         ["stateMachineAliases"], [])
        self.assertError("ResourceNotFound", None, self.sfn.describe_state_machine_alias,
                         stateMachineAliasArn=m + ":x")

    def test_raw_alias_validation_reason(self):
        m, (v1,) = self.machine("alias-raw", versions=1)
        status, body = post(self.server.port, "AWSStepFunctions.CreateStateMachineAlias",
                            {"name": "r", "routingConfiguration": [
                                {"stateMachineVersionArn": v1, "weight": 10}]})
        self.assertEqual(status, 400)
        self.assertTrue(body["__type"].endswith("#ValidationException"), body)
        self.assertEqual(body.get("reason"), "INVALID_ROUTING_CONFIGURATION")


class VersionTest(SharedServer, ClientErrorAssertion, unittest.TestCase):
    """Versions as aliases need them: descriptions, revision checks, what a version runs."""

    def test_version_description_needs_publish(self):
        msg = "Version description can only be set when publish is true"
        self.assertError("ValidationException", msg, self.sfn.create_state_machine,
                         name="ver-desc", definition=definition(1), roleArn=ROLE,
                         versionDescription="v1")
        arn = self.sfn.create_state_machine(name="ver-desc", definition=definition(1),
                                            roleArn=ROLE)["stateMachineArn"]
        self.assertError("ValidationException", msg, self.sfn.update_state_machine,
                         stateMachineArn=arn, definition=definition(2),
                         versionDescription="v2", publish=False)
        v = self.sfn.update_state_machine(stateMachineArn=arn, definition=definition(2),
                                          versionDescription="two", publish=True)
        d = self.sfn.describe_state_machine(stateMachineArn=v["stateMachineVersionArn"])
        self.assertEqual(d["description"], "two")
        self.assertEqual(json.loads(d["definition"]), json.loads(definition(2)))

    def test_publish_initial_revision(self):
        arn = self.sfn.create_state_machine(name="ver-initial", definition=definition(1),
                                            roleArn=ROLE)["stateMachineArn"]
        v1 = self.sfn.publish_state_machine_version(stateMachineArn=arn, revisionId="INITIAL")
        self.assertEqual(v1["stateMachineVersionArn"], arn + ":1")
        u = self.sfn.update_state_machine(stateMachineArn=arn, definition=definition(2))
        self.assertError(
            "ConflictException",
            "Failed to publish the State Machine version for revision INITIAL. The current "
            f"State Machine revision is {u['revisionId']}.",
            self.sfn.publish_state_machine_version, stateMachineArn=arn, revisionId="INITIAL")
        v2 = self.sfn.publish_state_machine_version(stateMachineArn=arn,
                                                    revisionId=u["revisionId"])
        self.assertEqual(v2["stateMachineVersionArn"], arn + ":2")
        # A version runs what it froze, whatever the machine became since.
        self.sfn.update_state_machine(stateMachineArn=arn, definition=definition(3))
        ex = self.sfn.start_execution(stateMachineArn=arn + ":1")["executionArn"]
        d = self.sfn.describe_execution(executionArn=ex)
        while d["status"] == "RUNNING":
            d = self.sfn.describe_execution(executionArn=ex)
        self.assertEqual(json.loads(d["output"]), 1)
        self.assertEqual(d["stateMachineVersionArn"], arn + ":1")
        self.assertNotIn("stateMachineAliasArn", d)
        self.sfn.delete_state_machine_version(stateMachineVersionArn=arn + ":1")
        self.assertError("StateMachineDoesNotExist", None, self.sfn.describe_state_machine,
                         stateMachineArn=arn + ":1")


if __name__ == "__main__":
    ctest_unittest.main()
