// CloudFormation's rules as MakePlan applies them to whole templates: Fn::FindInMap, Fn::Length,
// CommaDelimitedList parameters, DependsOn, generated names, partitions and AWS::StackId.
#include <gtest/gtest.h>

#include <regex>

#include "deploy/stack.h"

namespace stator::deploy {
namespace {

struct Where {
  std::string region = "eu-west-1";
  std::string partition;  // PlanOptions::partition
  std::string stack = "st";
  std::string account = "111122223333";
};

Where InRegion(std::string region, std::string partition = "") {
  Where w;
  w.region = std::move(region);
  w.partition = std::move(partition);
  return w;
}
Where ForStack(std::string stack) {
  Where w;
  w.stack = std::move(stack);
  return w;
}
Where ForAccount(std::string account) {
  Where w;
  w.account = std::move(account);
  return w;
}

// text with its first `from` replaced by `to`.
std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

Result<Plan> PlanOf(const std::string& text,
                    std::vector<std::pair<std::string, std::string>> o = {},
                    const Where& where = Where()) {
  auto t = ParseTemplate(text, "t.yaml", ".");
  if (!t.ok()) return t.error();
  PlanOptions options;
  options.stack_name = where.stack;
  options.account = where.account;
  options.region = where.region;
  options.partition = where.partition;
  options.parameter_overrides = std::move(o);
  return MakePlan(*t, options);
}

std::string PlanError(const std::string& text,
                      std::vector<std::pair<std::string, std::string>> o = {}) {
  auto p = PlanOf(text, std::move(o));
  EXPECT_FALSE(p.ok()) << text;
  return p.ok() ? "" : p.error().cause;
}

std::map<std::string, std::string> Outputs(const Plan& p) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : p.outputs) out[k] = DisplayText(v);
  return out;
}

std::string Env(const Plan& p, const std::string& id, const std::string& var) {
  const json::Value* v = p.Find(id)->request.Find("Environment")->Find("Variables")->Find(var);
  return v ? v->as_string() : "<absent>";
}

std::vector<std::string> Order(const Plan& p) {
  std::vector<std::string> out;
  for (const PlannedResource& r : p.resources) out.push_back(r.logical_id);
  return out;
}

constexpr const char* kFindInMap = R"(Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: dev}
Mappings:
  Sizes:
    dev: {Mem: 128, Zones: [a, b]}
    prod: {Mem: 1024, Zones: [a, b, c]}
  Regions:
    eu-west-1: {Name: ireland}
Conditions:
  Big: !Equals [!FindInMap [Sizes, !Ref Stage, Mem], 1024]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: x
      Handler: index.h
      Runtime: python3.12
      MemorySize: !FindInMap [Sizes, !Ref Stage, Mem]
      Environment:
        Variables:
          REGION_NAME: !FindInMap [Regions, !Ref "AWS::Region", Name]
          SECOND_ZONE: !Select [1, !FindInMap [Sizes, !Ref Stage, Zones]]
          LABEL: !Sub
            - "${Name}-${Stage}"
            - Name: !FindInMap [Regions, !Ref "AWS::Region", Name]
          BIG: !If [Big, "yes", "no"]
Outputs:
  Zones:
    Value: !Join [",", !FindInMap [Sizes, !Ref Stage, Zones]]
)";

TEST(PlanRulesTest, FindInMap) {
  auto dev = PlanOf(kFindInMap);
  ASSERT_TRUE(dev.ok()) << dev.error().cause;
  EXPECT_EQ(dev->Find("Fn")->request.Find("MemorySize")->as_int(), 128);
  EXPECT_EQ(Env(*dev, "Fn", "REGION_NAME"), "ireland");
  EXPECT_EQ(Env(*dev, "Fn", "SECOND_ZONE"), "b");
  EXPECT_EQ(Env(*dev, "Fn", "LABEL"), "ireland-dev");
  EXPECT_EQ(Env(*dev, "Fn", "BIG"), "no");
  EXPECT_EQ(Outputs(*dev)["Zones"], "a,b");
  auto prod = PlanOf(kFindInMap, {{"Stage", "prod"}});
  ASSERT_TRUE(prod.ok()) << prod.error().cause;
  EXPECT_EQ(prod->Find("Fn")->request.Find("MemorySize")->as_int(), 1024);
  EXPECT_EQ(Env(*prod, "Fn", "BIG"), "yes");
  EXPECT_EQ(Outputs(*prod)["Zones"], "a,b,c");
  // A key that is not in the map stops the plan, placed where the lookup is.
  EXPECT_EQ(PlanError(kFindInMap, {{"Stage", "qa"}}),
            "t.yaml:13: resource Fn (AWS::Serverless::Function): Fn::FindInMap: map Sizes has no "
            "top-level key 'qa'");
  auto where = PlanOf(kFindInMap, {}, InRegion("us-east-1"));
  ASSERT_FALSE(where.ok());
  EXPECT_EQ(where.error().cause,
            "t.yaml:13: resource Fn (AWS::Serverless::Function): Fn::FindInMap: map Regions has "
            "no top-level key 'us-east-1'");
  EXPECT_EQ(
      PlanError(Replaced(kFindInMap, "Value: !Join [\",\", !FindInMap [Sizes, !Ref Stage, Zones]]",
                         "Value: !Join [\",\", !FindInMap [Sizes, !Ref Stage, Nope]]")),
      "t.yaml:29: output Zones: Fn::FindInMap: map Sizes has no key 'Nope' under 'dev'");
  // In a condition that decides whether a resource is created.
  EXPECT_EQ(PlanError("Parameters:\n  Stage: {Type: String, Default: qa}\n"
                      "Mappings:\n  Sizes: {dev: {Mem: 128}}\n"
                      "Conditions:\n  Big: !Equals [!FindInMap [Sizes, !Ref Stage, Mem], 1024]\n"
                      "Resources:\n  Q: {Type: AWS::SQS::Queue, Condition: Big}\n"),
            "t.yaml:6: condition Big: Fn::FindInMap: map Sizes has no top-level key 'qa'");
}

constexpr const char* kLists = R"(Transform: [AWS::Serverless-2016-10-31, AWS::LanguageExtensions]
Parameters:
  Stages: {Type: CommaDelimitedList, Default: "dev, test ,prod"}
  Ports: {Type: "List<Number>", Default: "80,443"}
Mappings:
  Owners:
    test: {Team: qa}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: x
      Handler: index.h
      Runtime: python3.12
      Environment:
        Variables:
          FIRST: !Select [0, !Ref Stages]
          LAST: !Select [2, !Ref Stages]
          ALL: !Join ["+", !Ref Stages]
          COUNT:
            Fn::Length: !Ref Stages
          PORTS: !Join [",", !Ref Ports]
          OWNER: !FindInMap [Owners, !Select [1, !Ref Stages], Team, {DefaultValue: nobody}]
          DEFAULTED: !FindInMap [Owners, !Select [0, !Ref Stages], Team, {DefaultValue: nobody}]
Outputs:
  Stages:
    Value: !Ref Stages
  Count:
    Value: !Length [a, b]
)";

// CommaDelimitedList parameters through Ref, Fn::Select, Fn::Join and (AWS::LanguageExtensions)
// Fn::Length and Fn::FindInMap with a DefaultValue.
TEST(PlanRulesTest, CommaDelimitedListAndLength) {
  auto plan = PlanOf(kLists);
  ASSERT_TRUE(plan.ok()) << plan.error().cause;
  EXPECT_EQ(Env(*plan, "Fn", "FIRST"), "dev");
  EXPECT_EQ(Env(*plan, "Fn", "LAST"), "prod");
  EXPECT_EQ(Env(*plan, "Fn", "ALL"), "dev+test+prod");
  EXPECT_EQ(Env(*plan, "Fn", "COUNT"), "3");
  EXPECT_EQ(Env(*plan, "Fn", "PORTS"), "80,443");
  EXPECT_EQ(Env(*plan, "Fn", "OWNER"), "qa");
  EXPECT_EQ(Env(*plan, "Fn", "DEFAULTED"), "nobody");
  EXPECT_EQ(plan->parameters[0].second.Dump(), R"(["dev","test","prod"])");
  EXPECT_EQ(Outputs(*plan)["Stages"], "dev,test,prod");
  EXPECT_EQ(Outputs(*plan)["Count"], "2");

  auto two = PlanOf(kLists, {{"Stages", "a,b"}});
  ASSERT_FALSE(two.ok());  // Fn::Select 2 of a two-item list
  EXPECT_EQ(two.error().cause,
            "t.yaml:9: resource Fn (AWS::Serverless::Function): Fn::Select: index 2 is out of "
            "range");
  auto one = PlanOf(kLists, {{"Stages", "x,y,z,w"}});
  ASSERT_TRUE(one.ok()) << one.error().cause;
  EXPECT_EQ(Env(*one, "Fn", "COUNT"), "4");
  EXPECT_EQ(Env(*one, "Fn", "ALL"), "x+y+z+w");

  // A list where a string is needed is an error.
  EXPECT_EQ(PlanError(Replaced(kLists, "ALL: !Join [\"+\", !Ref Stages]", "ALL: !Ref Stages")),
            "t.yaml:9: resource Fn (AWS::Serverless::Function): Environment.Variables.ALL: "
            "expected a string, got array [\"dev\",\"test\",\"prod\"]");
  EXPECT_EQ(
      PlanError(Replaced(kLists, "ALL: !Join [\"+\", !Ref Stages]", "ALL: !Sub \"${Stages}\"")),
      "t.yaml:9: resource Fn (AWS::Serverless::Function): Fn::Sub ${Stages}: expected a "
      "string, got array [\"dev\",\"test\",\"prod\"]");
  // Fn::Length and DefaultValue need the AWS::LanguageExtensions transform.
  EXPECT_EQ(
      PlanError(Replaced(kLists, "Transform: [AWS::Serverless-2016-10-31, AWS::LanguageExtensions]",
                         "Transform: AWS::Serverless-2016-10-31")),
      "t.yaml:9: resource Fn (AWS::Serverless::Function): Fn::Length: needs 'Transform: "
      "AWS::LanguageExtensions'");
}

// DependsOn (a name or a list of names) orders creation like a reference does; it must name a
// resource that is created.
TEST(PlanRulesTest, DependsOn) {
  auto plan = PlanOf(R"(Resources:
  A: {Type: AWS::SQS::Queue, DependsOn: C}
  B: {Type: AWS::SQS::Queue, DependsOn: [A, C]}
  C: {Type: AWS::SQS::Queue}
  D: {Type: AWS::SQS::Queue}
  E:
    Type: AWS::DynamoDB::Table
    DependsOn: [D]
    Properties:
      TableName: !GetAtt B.QueueName
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: k, AttributeType: S}]
      KeySchema: [{AttributeName: k, KeyType: HASH}]
)");
  ASSERT_TRUE(plan.ok()) << plan.error().cause;
  EXPECT_EQ(Order(*plan), (std::vector<std::string>{"C", "A", "B", "D", "E"}));
  EXPECT_EQ(plan->Find("A")->depends_on, (std::set<std::string>{"C"}));
  EXPECT_EQ(plan->Find("B")->depends_on, (std::set<std::string>{"A", "C"}));
  EXPECT_EQ(plan->Find("E")->depends_on, (std::set<std::string>{"B", "D"}));

  // Without DependsOn, template order.
  auto plain = PlanOf("Resources:\n  A: {Type: AWS::SQS::Queue}\n  B: {Type: AWS::SQS::Queue}\n");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(Order(*plain), (std::vector<std::string>{"A", "B"}));

  EXPECT_EQ(PlanError("Resources:\n  A: {Type: AWS::SQS::Queue, DependsOn: B}\n"
                      "  B: {Type: AWS::SQS::Queue, DependsOn: [A]}\n"),
            "t.yaml: circular dependency between resources A, B: A depends on B, which depends "
            "on A");
  // A cycle through a reference and a DependsOn; C only waits for it.
  EXPECT_EQ(PlanError("Resources:\n  C: {Type: AWS::SQS::Queue, DependsOn: A}\n"
                      "  A:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
                      "      TableName: !Ref B\n"
                      "  B: {Type: AWS::SQS::Queue, DependsOn: A}\n"),
            "t.yaml: circular dependency between resources A, B: A depends on B, which depends "
            "on A");
  EXPECT_EQ(PlanError("Resources:\n  A: {Type: AWS::SQS::Queue, DependsOn: [Nope]}\n"),
            "t.yaml:2: resource A (AWS::SQS::Queue): DependsOn 'Nope', which is not a resource "
            "of the template");
  EXPECT_EQ(PlanError("Parameters:\n  P: {Type: String, Default: x}\n"
                      "Resources:\n  A: {Type: AWS::SQS::Queue, DependsOn: P}\n"),
            "t.yaml:4: resource A (AWS::SQS::Queue): DependsOn 'P', which is not a resource of "
            "the template (it is a parameter)");
  EXPECT_EQ(PlanError("Resources:\n  A: {Type: AWS::SQS::Queue, DependsOn: 'AWS::Region'}\n"),
            "t.yaml:2: resource A (AWS::SQS::Queue): DependsOn 'AWS::Region', which is not a "
            "resource of the template (it is a parameter)");
  EXPECT_EQ(PlanError("Resources:\n  A: {Type: AWS::SQS::Queue, DependsOn: A}\n"),
            "t.yaml:2: resource A (AWS::SQS::Queue): DependsOn names the resource itself");
  EXPECT_EQ(PlanError("Conditions:\n  Never: !Equals [a, b]\nResources:\n"
                      "  A: {Type: AWS::SQS::Queue, DependsOn: B}\n"
                      "  B: {Type: AWS::SQS::Queue, Condition: Never}\n"),
            "t.yaml:4: resource A (AWS::SQS::Queue): DependsOn B, which is not created (its "
            "Condition is false)");
  EXPECT_EQ(PlanError("Resources:\n  A: {Type: AWS::SQS::Queue, DependsOn: [1]}\n"),
            "t.yaml:2: resource A: DependsOn takes names");
}

// A SAM template's head with a function and a state machine, for more resources to follow.
constexpr const char* kFunctionAndMachine = R"(Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {InlineCode: x, Handler: index.h, Runtime: python3.12}
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}
)";

// Generated names: STACK-LogicalId, cut to the service's limit and ended with 8 hex digits of a
// hash of the whole name (no random suffix: names are stable across deploys).
TEST(PlanRulesTest, GeneratedNames) {
  EXPECT_EQ(GeneratedName("st", "Fn", 64), "st-Fn");
  const std::string stack63(61, 's');                            // "sss...s-Fn" is 64 characters
  EXPECT_EQ(GeneratedName(stack63, "Fn", 64), stack63 + "-Fn");  // at the limit: kept
  std::string cut = GeneratedName(stack63 + "s", "Fn", 64);      // one over: cut
  EXPECT_EQ(cut.size(), 64u);
  EXPECT_TRUE(std::regex_match(cut, std::regex(std::string(55, 's') + "-[0-9a-f]{8}"))) << cut;
  EXPECT_EQ(cut, GeneratedName(stack63 + "s", "Fn", 64));  // stable
  // Names that differ only past the cut stay distinct.
  EXPECT_NE(GeneratedName(std::string(70, 'a'), "FunctionA", 64),
            GeneratedName(std::string(70, 'a'), "FunctionB", 64));

  // Each type's limit: functions 64, state machines 80, tables 255, roles (IAM) 64, and the
  // placeholders of skipped types 64.
  const std::string stack(100, 'x');
  const std::string long_id(200, 'T');
  auto plan = PlanOf(std::string(kFunctionAndMachine) + R"(  Short:
    Type: AWS::Serverless::SimpleTable
  )" + long_id + R"(:
    Type: AWS::Serverless::SimpleTable
  Queue:
    Type: AWS::SQS::Queue
)",
                     {}, ForStack(stack));
  ASSERT_TRUE(plan.ok()) << plan.error().cause;
  auto check = [&](const std::string& id, size_t limit) {
    const PlannedResource* r = plan->Find(id);
    ASSERT_NE(r, nullptr) << id;
    std::string full = stack + "-" + id;
    if (full.size() <= limit) {
      EXPECT_EQ(r->name, full) << id;
      return;
    }
    EXPECT_EQ(r->name.size(), limit) << id;
    EXPECT_EQ(r->name.substr(0, limit - 9), full.substr(0, limit - 9)) << id;
    EXPECT_TRUE(std::regex_match(r->name.substr(limit - 9), std::regex("-[0-9a-f]{8}"))) << id;
  };
  check("Fn", 64);
  check("Machine", 80);
  check("Short", 255);  // 106 characters: not cut
  check(long_id, 255);
  check("Queue", 64);
  check("FnRole", 64);
  EXPECT_EQ(plan->Find("Machine")->name.size(), 80u);
  EXPECT_EQ(plan->Find(long_id)->name.size(), 255u);
  EXPECT_EQ(plan->Find("Fn")->request.Find("Role")->as_string(),
            "arn:aws:iam::111122223333:role/" + GeneratedName(stack, "FnRole", 64));
  EXPECT_EQ(plan->Find("Fn")->arn,
            "arn:aws:lambda:eu-west-1:111122223333:function:" + plan->Find("Fn")->name);
}

const std::string kPartition = std::string(kFunctionAndMachine) + R"(  Table:
    Type: AWS::Serverless::SimpleTable
  Logs:
    Type: AWS::Logs::LogGroup
Outputs:
  Partition: {Value: !Ref "AWS::Partition"}
  Suffix: {Value: !Ref "AWS::URLSuffix"}
  Sub: {Value: !Sub "arn:${AWS::Partition}:s3:::bucket"}
  Role: {Value: !GetAtt FnRole.Arn}
  Logs: {Value: !GetAtt Logs.Arn}
)";

// AWS::Partition and every ARN follow the region (or the server's partition when given).
TEST(PlanRulesTest, Partitions) {
  struct Case {
    std::string region, partition_option, partition, suffix;
  };
  for (const Case& c : std::vector<Case>{{"eu-west-1", "", "aws", "amazonaws.com"},
                                         {"cn-north-1", "", "aws-cn", "amazonaws.com.cn"},
                                         {"cn-northwest-1", "", "aws-cn", "amazonaws.com.cn"},
                                         {"us-gov-west-1", "", "aws-us-gov", "amazonaws.com"},
                                         {"us-iso-east-1", "", "aws-iso", "c2s.ic.gov"},
                                         {"us-isob-east-1", "", "aws-iso-b", "sc2s.sgov.gov"},
                                         // A server that writes arn:aws: in a China region.
                                         {"cn-north-1", "aws", "aws", "amazonaws.com"}}) {
    SCOPED_TRACE(c.region + " " + c.partition_option);
    auto plan = PlanOf(kPartition, {}, InRegion(c.region, c.partition_option));
    ASSERT_TRUE(plan.ok()) << plan.error().cause;
    const std::string arn = "arn:" + c.partition + ":";
    const std::string at = c.region + ":111122223333:";
    EXPECT_EQ(plan->partition, c.partition);
    EXPECT_EQ(plan->Find("Fn")->arn, arn + "lambda:" + at + "function:st-Fn");
    EXPECT_EQ(plan->Find("Fn")->request.Find("Role")->as_string(),
              arn + "iam::111122223333:role/st-FnRole");
    EXPECT_EQ(plan->Find("Machine")->arn, arn + "states:" + at + "stateMachine:st-Machine");
    EXPECT_EQ(plan->Find("Machine")->request.Find("roleArn")->as_string(),
              arn + "iam::111122223333:role/st-MachineRole");
    EXPECT_EQ(plan->Find("Table")->arn, arn + "dynamodb:" + at + "table/st-Table");
    EXPECT_TRUE(plan->stack_id.starts_with(arn + "cloudformation:" + at + "stack/st/"));
    auto out = Outputs(*plan);
    EXPECT_EQ(out["Partition"], c.partition);
    EXPECT_EQ(out["Suffix"], c.suffix);
    EXPECT_EQ(out["Sub"], arn + "s3:::bucket");
    EXPECT_EQ(out["Role"], arn + "iam::111122223333:role/st-FnRole");
    EXPECT_EQ(out["Logs"], arn + "logs:" + at + "log-group:st-Logs:*");
  }
}

// AWS::StackId: arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/NAME/UUID, the UUID derived
// from account, region and name (the same stack keeps its id across deploys).
TEST(PlanRulesTest, StackId) {
  const std::string text = R"(Resources:
  Q: {Type: AWS::SQS::Queue}
Outputs:
  Id: {Value: !Ref "AWS::StackId"}
  Sub: {Value: !Sub "${AWS::StackId}|${AWS::StackName}"}
  Uuid: {Value: !Select [2, !Split ["/", !Ref "AWS::StackId"]]}
)";
  auto plan = PlanOf(text);
  ASSERT_TRUE(plan.ok()) << plan.error().cause;
  const std::regex format(
      "arn:aws:cloudformation:eu-west-1:111122223333:stack/st/"
      "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  EXPECT_TRUE(std::regex_match(plan->stack_id, format)) << plan->stack_id;
  auto out = Outputs(*plan);
  EXPECT_EQ(out["Id"], plan->stack_id);
  EXPECT_EQ(out["Sub"], plan->stack_id + "|st");
  EXPECT_EQ(out["Uuid"], plan->stack_id.substr(plan->stack_id.rfind('/') + 1));
  EXPECT_EQ(out["Uuid"].size(), 36u);

  EXPECT_EQ(PlanOf(text)->stack_id, plan->stack_id);  // stable
  auto other_name = PlanOf(text, {}, ForStack("other"));
  auto other_region = PlanOf(text, {}, InRegion("eu-west-2"));
  auto other_account = PlanOf(text, {}, ForAccount("999988887777"));
  ASSERT_TRUE(other_name.ok() && other_region.ok() && other_account.ok());
  EXPECT_TRUE(other_name->stack_id.starts_with(
      "arn:aws:cloudformation:eu-west-1:111122223333:stack/other/"));
  std::set<std::string> uuids;
  for (const Plan* p : {&*plan, &*other_name, &*other_region, &*other_account}) {
    uuids.insert(p->stack_id.substr(p->stack_id.rfind('/') + 1));
  }
  EXPECT_EQ(uuids.size(), 4u);
}

// A skipped type's placeholder ARN names its service.
TEST(PlanRulesTest, SkippedPlaceholders) {
  auto plan = PlanOf(R"(Resources:
  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: jobs}}
  Odd: {Type: "A::B"}
  Custom: {Type: Custom::Thing}
)");
  ASSERT_TRUE(plan.ok()) << plan.error().cause;
  EXPECT_EQ(plan->Find("Q")->arn, "arn:aws:sqs:eu-west-1:111122223333:jobs");
  EXPECT_EQ(plan->Find("Odd")->arn, "arn:aws:b:eu-west-1:111122223333:st-Odd");
  EXPECT_EQ(plan->Find("Custom")->arn, "arn:aws:thing:eu-west-1:111122223333:st-Custom");
}

}  // namespace
}  // namespace stator::deploy
