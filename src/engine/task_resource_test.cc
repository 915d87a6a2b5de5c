#include "engine/task_resource.h"

#include <gtest/gtest.h>

#include "engine/error_policy.h"
#include "engine/payload_io.h"

namespace stator::engine {
namespace {

TEST(TaskResource, ServiceIntegrations) {
  TaskResource r = TaskResource::Parse("arn:aws:states:::lambda:invoke");
  EXPECT_EQ(r.kind, TaskResource::Kind::kService);
  EXPECT_EQ(r.resource_type, "lambda");
  EXPECT_EQ(r.resource, "invoke");
  EXPECT_EQ(r.region, "");
  EXPECT_EQ(r.pattern, TaskResource::Pattern::kRequestResponse);

  r = TaskResource::Parse("arn:aws:states:::states:startExecution.sync:2");
  EXPECT_EQ(r.resource_type, "states");
  EXPECT_EQ(r.resource, "startExecution.sync:2");
  EXPECT_EQ(r.pattern, TaskResource::Pattern::kSync);

  r = TaskResource::Parse("arn:aws:states:::sqs:sendMessage.waitForTaskToken");
  EXPECT_EQ(r.resource_type, "sqs");
  EXPECT_EQ(r.resource, "sendMessage.waitForTaskToken");
  EXPECT_EQ(r.pattern, TaskResource::Pattern::kWaitForTaskToken);

  r = TaskResource::Parse("arn:aws:states:::aws-sdk:s3:listBuckets");
  EXPECT_EQ(r.resource_type, "aws-sdk:s3");
  EXPECT_EQ(r.resource, "listBuckets");

  r = TaskResource::Parse("arn:aws:states:eu-west-1::dynamodb:getItem");
  EXPECT_EQ(r.region, "eu-west-1");
}

TEST(TaskResource, LambdaFunctionsAndActivities) {
  TaskResource r = TaskResource::Parse("arn:aws:lambda:us-west-2:1:function:f:$LATEST");
  EXPECT_EQ(r.kind, TaskResource::Kind::kLambdaFunction);
  EXPECT_EQ(r.region, "us-west-2");
  EXPECT_EQ(r.resource, "arn:aws:lambda:us-west-2:1:function:f:$LATEST");
  r = TaskResource::Parse("arn:aws:states:us-east-1:1:activity:a");
  EXPECT_EQ(r.kind, TaskResource::Kind::kActivity);
  r = TaskResource::Parse("resize-image_2");  // KNIX: a bare function name
  EXPECT_EQ(r.kind, TaskResource::Kind::kLambdaFunction);
  EXPECT_EQ(r.resource, "resize-image_2");
  EXPECT_EQ(TaskResource::Parse("not a name").kind, TaskResource::Kind::kService);
}

TEST(ErrorPolicy, Matching) {
  using L = std::vector<std::string>;
  EXPECT_TRUE(ErrorMatches(L{"States.ALL"}, "Anything"));
  EXPECT_FALSE(ErrorMatches(L{"States.ALL"}, "States.Runtime"));
  EXPECT_FALSE(ErrorMatches(L{"States.Runtime"}, "States.Runtime"));
  EXPECT_FALSE(ErrorMatches(L{"States.ALL"}, "States.DataLimitExceeded"));
  EXPECT_TRUE(ErrorMatches(L{"States.TaskFailed"}, "Lambda.Unknown"));
  EXPECT_FALSE(ErrorMatches(L{"States.TaskFailed"}, "States.Timeout"));
  EXPECT_FALSE(ErrorMatches(L{"States.TaskFailed"}, "States.HeartbeatTimeout"));
  EXPECT_TRUE(ErrorMatches(L{"States.Timeout"}, "States.HeartbeatTimeout"));
  EXPECT_TRUE(ErrorMatches(L{"A", "B"}, "B"));
  EXPECT_FALSE(ErrorMatches(L{"a"}, "A"));
}

TEST(ErrorPolicy, RetryDelay) {
  asl::Retrier r;
  r.interval_seconds = 1;
  r.backoff_rate = 2.0;
  EXPECT_EQ(RetryDelayMillis(r, 1, 0.5), 1000);
  EXPECT_EQ(RetryDelayMillis(r, 3, 0.5), 4000);
  r.max_delay_seconds = 3;
  EXPECT_EQ(RetryDelayMillis(r, 3, 0.5), 3000);
  r.jitter = asl::JitterStrategy::kFull;
  EXPECT_EQ(RetryDelayMillis(r, 3, 0.5), 1500);
  r.backoff_rate = 1e9;
  r.max_delay_seconds.reset();
  r.jitter = asl::JitterStrategy::kNone;
  EXPECT_GT(RetryDelayMillis(r, 50, 0), 0);  // no overflow
}

TEST(PayloadIo, BracketPathAndSize) {
  EXPECT_EQ(BracketPath("$.a.b[0]"), "$['a']['b'][0]");
  EXPECT_EQ(BracketPath("$$.Execution.Id"), "$$['Execution']['Id']");
  EXPECT_EQ(BracketPath("$['x y']"), "$['x y']");
  Result<json::Value> v = json::Parse(R"({"a":[1,2.5,"x\n"],"b":null,"c":true})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(JsonSize(*v), v->Dump().size());
  EXPECT_GT(JsonSize(*v, 5), 5u);
}

}  // namespace
}  // namespace stator::engine
