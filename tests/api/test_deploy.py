"""`stator deploy` and CloudFormation's template rules, end to end.

A real `stator serve` and the `stator` CLI: Fn::FindInMap (with AWS::LanguageExtensions'
DefaultValue), CommaDelimitedList parameters through Ref / Fn::Select / Fn::Join / Fn::Length,
AllowedPattern, DependsOn order and its errors, generated names cut to each service's limit,
AWS::StackId, and the partition of a server in a China region. The values are read back from
the server with boto3 (the function's configuration and environment, the resources' names).

Needs python3 with boto3. Functions are created, not invoked (no bubblewrap needed).
"""

import json
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


from stator_server import ACCOUNT, REGION, ServerTestCase, run_stator  # noqa: E402

import ctest_unittest  # noqa: E402  (tests/, put on sys.path by stator_server)

STACK_ID = re.compile(r"arn:aws:cloudformation:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
                      r"stack/(?P<name>[A-Za-z][A-Za-z0-9-]*)/"
                      r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

RULES_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: [AWS::Serverless-2016-10-31, AWS::LanguageExtensions]
Parameters:
  Stage:
    Type: String
    Default: dev
    AllowedPattern: "[a-z]+"
    ConstraintDescription: lowercase letters only
  Zones:
    Type: CommaDelimitedList
    Default: "a, b, c"
Mappings:
  Sizes:
    dev: {Memory: 128}
    prod: {Memory: 256}
  Tiers:
    prod: {Name: premium}
Resources:
  Worker:
    Type: AWS::Serverless::Function
    DependsOn: Jobs
    Properties:
      InlineCode: "def handler(event, context):\\n    return event\\n"
      Handler: index.handler
      Runtime: python3.12
      MemorySize: !FindInMap [Sizes, !Ref Stage, Memory]
      Environment:
        Variables:
          FIRST_ZONE: !Select [0, !Ref Zones]
          ZONES: !Join ["+", !Ref Zones]
          ZONE_COUNT: {"Fn::Length": !Ref Zones}
          TIER: !FindInMap [Tiers, !Ref Stage, Name, {DefaultValue: basic}]
          STACK_ID: !Ref AWS::StackId
          PARTITION: !Ref AWS::Partition
  Flow:
    Type: AWS::Serverless::StateMachine
    DependsOn: [Worker, Jobs]
    Properties:
      Definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}
  Jobs:
    Type: AWS::Serverless::SimpleTable
Outputs:
  StackId: {Value: !Ref AWS::StackId}
  Memory: {Value: !FindInMap [Sizes, !Ref Stage, Memory]}
  Zones: {Value: !Ref Zones}
"""


class DeployCase(ServerTestCase):
    def deploy(self, template, stack, *extra):
        """A deploy that succeeds; returns (summary, [rows in the order they were applied])."""
        code, out, err = run_stator("deploy", template, "--stack-name", stack, "--json", *extra,
                                endpoint=self.endpoint)
        self.assertEqual(code, 0, err)
        summary = json.loads(out)
        return summary, summary["Resources"]

    def refused(self, template, stack, *extra):
        """A deploy of an invalid template: exit code 2, nothing of the stack on the server;
        returns stderr."""
        code, out, err = run_stator("deploy", template, "--stack-name", stack, *extra,
                                endpoint=self.endpoint)
        self.assertEqual(code, 2, (out, err))
        self.assertEqual(out, "")
        names = ({f["FunctionName"] for f in self.lam.list_functions()["Functions"]}
                 | {m["name"] for m in self.sfn.list_state_machines()["stateMachines"]}
                 | set(self.ddb.list_tables()["TableNames"]))
        self.assertEqual({n for n in names if n.startswith(stack + "-")}, set())
        return err


class TemplateRulesTest(DeployCase):
    def test_mappings_lists_length_and_depends_on(self):
        path = self.write("rules.yaml", RULES_TEMPLATE)
        summary, rows = self.deploy(path, "rules")
        # DependsOn: the table before the function, both before the state machine (the roles
        # SAM would create come first: they depend on nothing).
        applied = [r["LogicalResourceId"] for r in rows if r["ResourceStatus"] != "SKIPPED"]
        self.assertEqual(applied, ["Jobs", "Worker", "Flow"])
        self.assertEqual({r["ResourceStatus"] for r in rows if r["ResourceStatus"] != "SKIPPED"},
                         {"CREATED"})
        stack_id = summary["StackId"]
        m = STACK_ID.fullmatch(stack_id)
        self.assertIsNotNone(m, stack_id)
        self.assertEqual((m["region"], m["account"], m["name"]), (REGION, ACCOUNT, "rules"))
        self.assertEqual(summary["Outputs"], {"StackId": stack_id, "Memory": "128",
                                              "Zones": "a,b,c"})
        conf = self.lam.get_function_configuration(FunctionName="rules-Worker")
        self.assertEqual(conf["MemorySize"], 128)
        self.assertEqual(conf["Environment"]["Variables"], {
            "FIRST_ZONE": "a", "ZONES": "a+b+c", "ZONE_COUNT": "3", "TIER": "basic",
            "STACK_ID": stack_id, "PARTITION": "aws"})

        # Other parameter values: another mapping row, the DefaultValue no longer needed, a
        # shorter list; the stack id stays.
        summary, rows = self.deploy(path, "rules", "--parameter-overrides", "Stage=prod",
                                    "Zones=x,y")
        self.assertEqual(summary["StackId"], stack_id)
        self.assertEqual(summary["Outputs"]["Memory"], "256")
        conf = self.lam.get_function_configuration(FunctionName="rules-Worker")
        self.assertEqual(conf["MemorySize"], 256)
        env = conf["Environment"]["Variables"]
        self.assertEqual((env["FIRST_ZONE"], env["ZONES"], env["ZONE_COUNT"], env["TIER"]),
                         ("x", "x+y", "2", "premium"))
        other, _ = self.deploy(path, "rules-two")
        self.assertNotEqual(other["StackId"].rsplit("/", 1)[1], stack_id.rsplit("/", 1)[1])
        self.assertTrue(other["StackId"].startswith(
            f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/rules-two/"))
        for stack in ("rules", "rules-two"):
            run_stator("delete-stack", stack, endpoint=self.endpoint)

    def test_allowed_pattern(self):
        path = self.write("pattern.yaml", RULES_TEMPLATE)
        err = self.refused(path, "pattern", "--parameter-overrides", "Stage=Prod1")
        self.assertEqual(err, f"stator: {path}:4: parameter Stage value 'Prod1' does not match "
                              "the AllowedPattern [a-z]+: lowercase letters only\n")
        # The pattern must match the whole value.
        err = self.refused(path, "pattern", "--parameter-overrides", "Stage=dev-2")
        self.assertIn("parameter Stage value 'dev-2' does not match", err)

    def test_dependency_errors(self):
        cycle = self.write("cycle.yaml", """\
Resources:
  A: {Type: AWS::DynamoDB::Table, DependsOn: B, Properties: {BillingMode: PAY_PER_REQUEST,
      AttributeDefinitions: [{AttributeName: k, AttributeType: S}],
      KeySchema: [{AttributeName: k, KeyType: HASH}]}}
  B: {Type: AWS::SQS::Queue, DependsOn: [A]}
""")
        self.assertEqual(self.refused(cycle, "cycle"),
                         f"stator: {cycle}: circular dependency between resources A, B: A "
                         "depends on B, which depends on A\n")
        missing = self.write("missing.yaml", """\
Resources:
  A: {Type: AWS::SQS::Queue, DependsOn: [Nope]}
""")
        self.assertEqual(self.refused(missing, "missing"),
                         f"stator: {missing}:2: resource A (AWS::SQS::Queue): DependsOn 'Nope', "
                         "which is not a resource of the template\n")

    def test_length_needs_language_extensions(self):
        path = self.write("length.yaml", RULES_TEMPLATE.replace(
            "Transform: [AWS::Serverless-2016-10-31, AWS::LanguageExtensions]",
            "Transform: AWS::Serverless-2016-10-31"))
        self.assertIn("resource Worker (AWS::Serverless::Function): Fn::Length: needs "
                      "'Transform: AWS::LanguageExtensions'", self.refused(path, "length"))

    def test_generated_names_fit_each_service(self):
        stack = "s" + "x" * 99  # 100 characters, the names below all longer than their limits
        table_id = "T" * 200
        path = self.write("names.yaml", f"""\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {{InlineCode: x, Handler: index.h, Runtime: python3.12}}
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: {{StartAt: P, States: {{P: {{Type: Pass, End: true}}}}}}
  {table_id}:
    Type: AWS::Serverless::SimpleTable
""")
        _, rows = self.deploy(path, stack)
        names = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in rows}
        for logical, limit, present in (
                ("Fn", 64, {f["FunctionName"] for f in self.lam.list_functions()["Functions"]}),
                ("Machine", 80,
                 {m["name"] for m in self.sfn.list_state_machines()["stateMachines"]}),
                (table_id, 255, set(self.ddb.list_tables()["TableNames"]))):
            name = names[logical]
            self.assertEqual(len(name), limit, name)
            full = f"{stack}-{logical}"
            self.assertEqual(name[:limit - 9], full[:limit - 9])
            self.assertRegex(name[limit - 9:], r"^-[0-9a-f]{8}$")
            self.assertIn(name, present)
        # A second deploy finds them under the same names.
        _, rows = self.deploy(path, stack)
        self.assertEqual({r["LogicalResourceId"]: r["ResourceStatus"] for r in rows
                          if r["ResourceStatus"] != "SKIPPED"},
                         {"Fn": "UPDATED", "Machine": "UPDATED", table_id: "UNCHANGED"})
        code, out, err = run_stator("delete-stack", stack, "--json", endpoint=self.endpoint)
        self.assertEqual(code, 0, err)
        self.assertEqual(len(json.loads(out)["Resources"]), 3)


class ChinaRegionTest(DeployCase):
    """A server in cn-north-1. Its ARNs read arn:aws:... (stator writes that partition in every
    region), and deploy takes the partition from the server's own ARN, so Outputs name what the
    server has and a second deploy updates in place."""

    server_args = ("--region", "cn-north-1")

    def test_partition_is_the_servers(self):
        path = self.write("cn.yaml", """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}
  Jobs:
    Type: AWS::Serverless::SimpleTable
Outputs:
  FlowArn: {Value: !Ref Flow}
  TableArn: {Value: !GetAtt Jobs.Arn}
  Partition: {Value: !Ref AWS::Partition}
""")
        summary, _ = self.deploy(path, "cn")
        self.assertEqual(summary["Region"], "cn-north-1")
        self.assertTrue(summary["StackId"].startswith(
            f"arn:aws:cloudformation:cn-north-1:{ACCOUNT}:stack/cn/"), summary["StackId"])
        out = summary["Outputs"]
        self.assertEqual(out["Partition"], "aws")
        listed = [m["stateMachineArn"] for m in self.sfn.list_state_machines()["stateMachines"]]
        self.assertEqual(listed, [out["FlowArn"]])
        self.assertEqual(self.sfn.describe_state_machine(stateMachineArn=out["FlowArn"])["name"],
                         "cn-Flow")
        self.assertEqual(self.ddb.describe_table(TableName="cn-Jobs")["Table"]["TableArn"],
                         out["TableArn"])
        # Deployed again: updated in place, nothing replaced or deleted.
        _, rows = self.deploy(path, "cn")
        self.assertEqual({r["LogicalResourceId"]: r["ResourceStatus"] for r in rows
                          if r["ResourceStatus"] != "SKIPPED"},
                         {"Flow": "UPDATED", "Jobs": "UNCHANGED"})
        self.assertEqual(
            [m["stateMachineArn"] for m in self.sfn.list_state_machines()["stateMachines"]],
            [out["FlowArn"]])


if __name__ == "__main__":
    ctest_unittest.main()
