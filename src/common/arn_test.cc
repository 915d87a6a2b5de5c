#include "common/arn.h"

#include <gtest/gtest.h>

namespace stator {
namespace {

TEST(ArnTest, BuildsStateMachineArns) {
  ArnScope scope;
  scope.region = "eu-west-1";
  scope.account = "111122223333";
  EXPECT_EQ(scope.StateMachine("m"), "arn:aws:states:eu-west-1:111122223333:stateMachine:m");
}

TEST(ArnTest, ParsesStateMachinesVersionsAndAliases) {
  auto m = ParseStateMachineArn("arn:aws:states:us-east-1:1:stateMachine:m");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->name, "m");
  EXPECT_FALSE(m->qualified());
  auto v = ParseStateMachineArn("arn:aws:states:us-east-1:1:stateMachine:m:12");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->machine_arn, "arn:aws:states:us-east-1:1:stateMachine:m");
  EXPECT_EQ(v->version, 12);
  auto a = ParseStateMachineArn("arn:aws:states:us-east-1:1:stateMachine:m:prod");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->alias, "prod");
}

TEST(ArnTest, InvalidArnsWithAwsWording) {
  auto bad = ParseStateMachineArn("no_an_arn");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().name, "InvalidArn");
  EXPECT_EQ(bad.error().message, "Invalid Arn: 'Invalid ARN prefix: no_an_arn'");
  auto exec = ParseStateMachineArn("arn:aws:states:us-east-1:1:execution:m:e");
  ASSERT_FALSE(exec.ok());
  EXPECT_EQ(exec.error().message,
            "Invalid Arn: 'Resource type not valid in this context: execution'");
  EXPECT_FALSE(ParseStateMachineArn("arn:aws:lambda:us-east-1:1:function:f").ok());
  EXPECT_FALSE(ParseStateMachineArn("arn:aws:states:us-east-1:1:stateMachine:").ok());
  EXPECT_FALSE(ParseStateMachineArn("arn:aws:states:us-east-1:1:stateMachine:a:b:c").ok());
  EXPECT_FALSE(CheckRoleArn("arn:aws:iam::1:role/r"));
  EXPECT_TRUE(CheckRoleArn("role"));
}

TEST(ArnTest, BuildsAndParsesExecutionArns) {
  ArnScope scope;
  EXPECT_EQ(scope.Execution("m", "e"), "arn:aws:states:us-east-1:123456789012:execution:m:e");
  EXPECT_EQ(scope.ExpressExecution("m", "e", "id"),
            "arn:aws:states:us-east-1:123456789012:express:m:e:id");
  auto e = ParseExecutionArn("arn:aws:states:us-east-1:1:execution:m:e");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->state_machine_arn, "arn:aws:states:us-east-1:1:stateMachine:m");
  EXPECT_EQ(e->state_machine_name, "m");
  EXPECT_EQ(e->name, "e");
  auto express = ParseExecutionArn("arn:aws:states:us-east-1:1:express:m:e:id");
  ASSERT_FALSE(express.ok());
  EXPECT_EQ(express.error().message,
            "Invalid Arn: 'Resource type not valid in this context: express'");
  auto machine = ParseExecutionArn("arn:aws:states:us-east-1:1:stateMachine:m");
  ASSERT_FALSE(machine.ok());
  EXPECT_EQ(machine.error().message,
            "Invalid Arn: 'Resource type not valid in this context: stateMachine'");
  EXPECT_FALSE(ParseExecutionArn("arn:aws:states:us-east-1:1:execution:m").ok());
  EXPECT_FALSE(ParseExecutionArn("arn:aws:states:us-east-1:1:execution:m:e:x").ok());
  EXPECT_FALSE(ParseExecutionArn("execution").ok());
}

}  // namespace
}  // namespace stator
