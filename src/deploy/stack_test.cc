#include "deploy/stack.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "common/test_util.h"
#include "deploy/planners/planner.h"
#include "deploy/test_util.h"

namespace stator::deploy {
namespace {

using stator::testing::J;

// A temporary directory with files, removed at the end.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/deploy_test_XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { [[maybe_unused]] int rc = system(("rm -rf '" + path_ + "'").c_str()); }
  void Write(const std::string& rel, const std::string& text) {
    std::string full = path_ + "/" + rel;
    for (size_t i = path_.size() + 1; i < full.size(); ++i) {
      if (full[i] == '/') mkdir(full.substr(0, i).c_str(), 0755);
    }
    std::ofstream(full) << text;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

using testing::PlanOf;

std::string PlanError(const std::string& text, const std::string& dir = ".",
                      std::vector<std::pair<std::string, std::string>> overrides = {}) {
  auto p = PlanOf(text, dir, std::move(overrides));
  EXPECT_FALSE(p.ok());
  return p.ok() ? "" : p.error().cause;
}

constexpr const char* kSam = R"(
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
Globals:
  Function:
    Timeout: 10
    Runtime: python3.11
    Environment:
      Variables:
        SHARED: "yes"
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      MemorySize: "256"
      Environment:
        Variables:
          MACHINE: !Ref Machine
          TABLE: !Ref Table
          STAGE: !Ref Stage
      Policies:
        - AWSLambdaBasicExecutionRole
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: sm/def.asl.json
      DefinitionSubstitutions:
        DDBGetItem: !Sub arn:${AWS::Partition}:states:::dynamodb:getItem
        DDBTable: !Ref Table
      Type: EXPRESS
  Table:
    Type: AWS::Serverless::SimpleTable
    Properties:
      PrimaryKey: {Name: Id, Type: String}
  LogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub /aws/vendedlogs/${AWS::StackName}
Outputs:
  MachineArn:
    Value: !Ref Machine
  MachineName:
    Value: !GetAtt Machine.Name
  FnArn:
    Value: !GetAtt Fn.Arn
  TableArn:
    Value: !GetAtt Table.Arn
  Role:
    Value: !GetAtt FnRole.Arn
  Logs:
    Value: !GetAtt LogGroup.Arn
  Joined:
    Value: !Join ["/", [!Ref "AWS::Region", !Ref "AWS::AccountId", !Ref Stage]]
)";

TEST(StackTest, SamTemplate) {
  TempDir d;
  d.Write("src/app.py", "def handler(e, c):\n    return e\n");
  d.Write("sm/def.asl.json",
          R"({"StartAt":"G","States":{"G":{"Type":"Task","Resource":"${DDBGetItem}",)"
          R"("Parameters":{"TableName":"${DDBTable}","Key":{"Id":{"S":"a"}}},"End":true}}})");
  auto plan = PlanOf(kSam, d.path());
  ASSERT_TRUE(plan.ok()) << plan.error().cause;
  // Dependency order: Table, then Machine (uses Table), then Fn (uses both); otherwise the
  // template's order, the implicit roles right after their owners' places.
  std::vector<std::string> order;
  for (const PlannedResource& r : plan->resources) order.push_back(r.logical_id);
  EXPECT_EQ(order, (std::vector<std::string>{"FnRole", "MachineRole", "Table", "Machine", "Fn",
                                             "LogGroup"}));

  const PlannedResource* table = plan->Find("Table");
  EXPECT_EQ(table->kind, Kind::kTable);
  EXPECT_EQ(table->name, "st-Table");
  EXPECT_EQ(table->request,
            J(R"({"TableName":"st-Table","KeySchema":[{"AttributeName":"Id","KeyType":"HASH"}],
                  "AttributeDefinitions":[{"AttributeName":"Id","AttributeType":"S"}],
                  "BillingMode":"PAY_PER_REQUEST",
                  "Tags":[{"Key":"stator:stack","Value":"st"},
                          {"Key":"stator:logical-id","Value":"Table"}]})"));

  const PlannedResource* machine = plan->Find("Machine");
  EXPECT_EQ(machine->kind, Kind::kStateMachine);
  EXPECT_EQ(machine->arn, "arn:aws:states:eu-west-1:111122223333:stateMachine:st-Machine");
  EXPECT_EQ(machine->request.Find("type")->as_string(), "EXPRESS");
  EXPECT_EQ(machine->request.Find("roleArn")->as_string(),
            "arn:aws:iam::111122223333:role/st-MachineRole");
  EXPECT_EQ(*json::Parse(machine->request.Find("definition")->as_string()),
            J(R"({"StartAt":"G","States":{"G":{"Type":"Task",
                  "Resource":"arn:aws:states:::dynamodb:getItem",
                  "Parameters":{"TableName":"st-Table","Key":{"Id":{"S":"a"}}},"End":true}}})"));

  const PlannedResource* fn = plan->Find("Fn");
  EXPECT_EQ(fn->kind, Kind::kFunction);
  EXPECT_EQ(fn->code.source, FunctionCode::kDirectory);
  EXPECT_EQ(fn->code.path, d.path() + "/src/");
  EXPECT_EQ(fn->request, J(R"({"FunctionName":"st-Fn","Runtime":"python3.11",
                  "Role":"arn:aws:iam::111122223333:role/st-FnRole","Handler":"app.handler",
                  "Timeout":10,"MemorySize":256,
                  "Environment":{"Variables":{"SHARED":"yes",
                     "MACHINE":"arn:aws:states:eu-west-1:111122223333:stateMachine:st-Machine",
                     "TABLE":"st-Table","STAGE":"dev"}},
                  "Tags":{"stator:stack":"st","stator:logical-id":"Fn"}})"));
  EXPECT_EQ(fn->ignored, (std::vector<std::string>{"Policies"}));

  EXPECT_EQ(plan->Find("FnRole")->kind, Kind::kSkipped);
  EXPECT_TRUE(plan->Find("FnRole")->implicit);
  EXPECT_EQ(plan->Find("LogGroup")->kind, Kind::kSkipped);
  EXPECT_EQ(plan->Find("LogGroup")->skip_reason, "stator does not run AWS::Logs::LogGroup");

  std::map<std::string, std::string> outputs;
  for (const auto& [k, v] : plan->outputs) outputs[k] = DisplayText(v);
  EXPECT_EQ(outputs["MachineArn"], machine->arn);
  EXPECT_EQ(outputs["MachineName"], "st-Machine");
  EXPECT_EQ(outputs["FnArn"], "arn:aws:lambda:eu-west-1:111122223333:function:st-Fn");
  EXPECT_EQ(outputs["TableArn"], "arn:aws:dynamodb:eu-west-1:111122223333:table/st-Table");
  EXPECT_EQ(outputs["Role"], "arn:aws:iam::111122223333:role/st-FnRole");
  EXPECT_EQ(outputs["Logs"], "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/vendedlogs/st:*");
  EXPECT_EQ(outputs["Joined"], "eu-west-1/111122223333/dev");

  auto prod = PlanOf(kSam, d.path(), {{"Stage", "prod"}});
  ASSERT_TRUE(prod.ok());
  EXPECT_EQ(prod->outputs.back().second.as_string(), "eu-west-1/111122223333/prod");
  EXPECT_NE(PlanError(kSam, d.path(), {{"Stage", "qa"}}).find("not one of the AllowedValues"),
            std::string::npos);
  EXPECT_NE(PlanError(kSam, d.path(), {{"Nope", "1"}}).find("does not declare"), std::string::npos);
}

TEST(StackTest, CloudFormationTypes) {
  auto plan = PlanOf(R"(
Parameters:
  Name: {Type: String}
  Capacity: {Type: Number, Default: 5}
Conditions:
  WithExtra: !Equals [!Ref Capacity, 6]
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Sub "${Name}-fn"
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: |
          def handler(event, context):
              return {"ok": True}
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: my-role
      AssumeRolePolicyDocument: {}
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineName: !Ref Name
      RoleArn: !GetAtt Role.Arn
      DefinitionString: !Sub |
        {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "${Fn.Arn}",
         "Next": "W"}, "W": {"Type": "Wait", "Seconds": ${!Seconds}, "End": true}}}
      DefinitionSubstitutions:
        Seconds: 5
      Tags:
        - Key: team
          Value: core
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${Name}-table"
      BillingMode: PROVISIONED
      ProvisionedThroughput: {ReadCapacityUnits: !Ref Capacity, WriteCapacityUnits: "2"}
      AttributeDefinitions:
        - {AttributeName: pk, AttributeType: S}
        - {AttributeName: sk, AttributeType: N}
      KeySchema:
        - {AttributeName: pk, KeyType: HASH}
        - {AttributeName: sk, KeyType: RANGE}
      TimeToLiveSpecification: {AttributeName: ttl, Enabled: true}
  Extra:
    Type: AWS::DynamoDB::Table
    Condition: WithExtra
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: k, AttributeType: S}]
      KeySchema: [{AttributeName: k, KeyType: HASH}]
Outputs:
  Machine: {Value: !Ref Machine}
  ExtraName:
    Condition: WithExtra
    Value: !Ref Extra
)",
                     ".", {{"Name", "app"}});
  ASSERT_TRUE(plan.ok()) << plan.error().cause;
  EXPECT_EQ(plan->not_created, (std::vector<std::string>{"Extra"}));
  const PlannedResource* fn = plan->Find("Fn");
  EXPECT_EQ(fn->name, "app-fn");
  EXPECT_EQ(fn->code.source, FunctionCode::kInline);
  EXPECT_EQ(fn->code.inline_text, "def handler(event, context):\n    return {\"ok\": True}\n");
  EXPECT_EQ(fn->request.Find("Role")->as_string(), "arn:aws:iam::111122223333:role/my-role");
  const PlannedResource* machine = plan->Find("Machine");
  EXPECT_EQ(machine->name, "app");
  EXPECT_EQ(machine->request.Find("type")->as_string(), "STANDARD");
  EXPECT_EQ(*json::Parse(machine->request.Find("definition")->as_string()),
            J(R"({"StartAt":"T","States":{"T":{"Type":"Task",
                  "Resource":"arn:aws:lambda:eu-west-1:111122223333:function:app-fn","Next":"W"},
                  "W":{"Type":"Wait","Seconds":5,"End":true}}})"));
  EXPECT_EQ(*machine->request.Find("tags"),
            J(R"([{"key":"team","value":"core"},{"key":"stator:stack","value":"st"},
                  {"key":"stator:logical-id","value":"Machine"}])"));
  const PlannedResource* table = plan->Find("Table");
  EXPECT_EQ(*table->request.Find("ProvisionedThroughput"),
            J(R"({"ReadCapacityUnits":5,"WriteCapacityUnits":2})"));
  EXPECT_EQ(table->request.Find("KeySchema")->as_array().size(), 2u);
  EXPECT_EQ(table->ignored, (std::vector<std::string>{"TimeToLiveSpecification"}));
  ASSERT_EQ(plan->outputs.size(), 1u);

  auto with_extra = PlanOf(R"(
Parameters:
  Capacity: {Type: Number, Default: 5}
Conditions:
  WithExtra: !Equals [!Ref Capacity, 6]
Resources:
  Extra:
    Type: AWS::Serverless::SimpleTable
    Condition: WithExtra
  Other:
    Type: AWS::SQS::Queue
)",
                           ".", {{"Capacity", "6"}});
  EXPECT_NE(with_extra.ok() ? "" : with_extra.error().cause, "");  // Serverless needs Transform
}

TEST(StackTest, TemplateErrors) {
  const std::string head = "Transform: AWS::Serverless-2016-10-31\nResources:\n";
  EXPECT_EQ(PlanError(head + "  T:\n    Type: AWS::Serverless::SimpleTable\n"
                             "    Properties:\n      TableName: !Ref Missing\n"),
            "t.yaml:3: resource T (AWS::Serverless::SimpleTable): refers to 'Missing', which is "
            "neither a parameter nor a resource");
  EXPECT_NE(PlanError(head + "  A:\n    Type: AWS::Serverless::SimpleTable\n    Properties:\n"
                             "      TableName: !GetAtt B.Arn\n"
                             "  B:\n    Type: AWS::Serverless::SimpleTable\n    Properties:\n"
                             "      TableName: !GetAtt A.Arn\n")
                .find("circular dependency between resources A, B"),
            std::string::npos);
  EXPECT_NE(
      PlanError(head + "  F:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                       "      InlineCode: x\n      Handler: index.h\n      Runtime: nodejs20.x\n")
          .find("Runtime nodejs20.x is not supported"),
      std::string::npos);
  EXPECT_NE(
      PlanError(head + "  F:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                       "      CodeUri: nowhere/\n      Handler: a.b\n      Runtime: python3.11\n")
          .find("CodeUri 'nowhere/' does not exist"),
      std::string::npos);
  EXPECT_NE(PlanError(head + "  M:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n"
                             "      DefinitionUri: missing.asl.json\n")
                .find("DefinitionUri: cannot read 'missing.asl.json'"),
            std::string::npos);
  EXPECT_NE(PlanError(head + "  T:\n    Type: AWS::Serverless::SimpleTable\n"
                             "  O:\n    Type: AWS::Serverless::SimpleTable\n    Properties:\n"
                             "      TableName: !GetAtt T.Nope\n")
                .find("has no attribute 'Nope' (stator knows: Arn)"),
            std::string::npos);
  EXPECT_NE(PlanError("Resources:\n  F:\n    Type: AWS::Serverless::SimpleTable\n")
                .find("needs 'Transform: AWS::Serverless-2016-10-31'"),
            std::string::npos);
  EXPECT_NE(
      PlanError("Parameters:\n  P: {Type: String}\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n")
          .find("t.yaml:2: parameter P has no Default"),
      std::string::npos);
  EXPECT_EQ(PlanError(head.substr(0, head.find('\n') + 1) +
                      "Globals: {Function: 3}\nResources:\n"
                      "  T:\n    Type: AWS::Serverless::SimpleTable\n"),
            "t.yaml:2: Globals.Function must be a mapping");
  EXPECT_EQ(PlanError("Conditions: {C: {Condition: C}}\nResources:\n"
                      "  Q: {Type: AWS::SQS::Queue, Condition: C}\n"),
            "t.yaml:1: condition 'C' refers to itself");
  EXPECT_NE(PlanError("Transform: Other\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n")
                .find("unsupported transform 'Other'"),
            std::string::npos);
  EXPECT_NE(PlanError("Resources:\n  Q:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
                      "      KeySchema: [{AttributeName: k, KeyType: HASH}]\n"
                      "      AttributeDefinitions: [{AttributeName: k, AttributeType: S}]\n")
                .find("ProvisionedThroughput is required"),
            std::string::npos);
}

TEST(StackTest, NamesAndSubstitution) {
  EXPECT_EQ(GeneratedName("st", "Fn", 64), "st-Fn");
  std::string long_name = GeneratedName(std::string(60, 'a'), "Function", 64);
  EXPECT_EQ(long_name.size(), 64u);
  EXPECT_EQ(long_name, GeneratedName(std::string(60, 'a'), "Function", 64));  // stable
  EXPECT_NE(long_name, GeneratedName(std::string(60, 'a'), "Functio2", 64));
  EXPECT_TRUE(IsValidStackName("apartment-booking"));
  EXPECT_FALSE(IsValidStackName("1abc"));
  EXPECT_FALSE(IsValidStackName("a_b"));
  EXPECT_EQ(Substitute("${A} ${B} ${A}${", {{"A", "1"}}), "1 ${B} 1${");
}

}  // namespace
}  // namespace stator::deploy
