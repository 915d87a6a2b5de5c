// PlanScheduleEvents through whole templates: Schedule and ScheduleV2 events of functions and
// state machines (planners/events_schedule.cc).
#include <gtest/gtest.h>

#include "deploy/stack.h"
#include "deploy/template.h"
#include "deploy/test_util.h"

namespace stator::deploy {
namespace {

using testing::PlanOf;

constexpr const char* kTemplate = R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "def h(e, c): pass"
      Handler: index.h
      Runtime: python3.12
      Events:
        Tick:
          Type: Schedule
          Properties:
            Schedule: rate(5 minutes)
            Input: '{"a": 1}'
            Enabled: false
            Description: ticks
        Named:
          Type: Schedule
          Properties:
            Schedule: cron(0 12 * * ? *)
            Name: my-rule
            DeadLetterConfig: {Type: SQS}
        V2:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: at(2030-01-01T00:00:00)
            ScheduleExpressionTimezone: Asia/Tokyo
            StartDate: "2029-12-01T00:00:00Z"
            FlexibleTimeWindow: {Mode: FLEXIBLE, MaximumWindowInMinutes: 5}
            RoleArn: arn:aws:iam::111122223333:role/r
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}
      Events:
        Hourly:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: rate(1 hour)
            OmitName: true
            State: DISABLED
)";

TEST(EventsScheduleTest, SchedulesOfFunctionsAndStateMachines) {
  auto plan = PlanOf(kTemplate);
  ASSERT_TRUE(plan.ok()) << plan.error().cause;
  const PlannedResource* fn = plan->Find("Fn");
  ASSERT_NE(fn, nullptr);
  ASSERT_EQ(fn->schedules.size(), 3u);
  const PlannedSchedule& tick = fn->schedules[0];
  EXPECT_EQ(tick.logical_id, "FnTick");
  EXPECT_EQ(tick.event_type, "Schedule");
  EXPECT_EQ(tick.name, "st-FnTick");
  EXPECT_EQ(tick.arn, "arn:aws:scheduler:eu-west-1:111122223333:schedule/default/st-FnTick");
  EXPECT_EQ(tick.request.Dump(),
            R"j({"ScheduleExpression":"rate(5 minutes)","FlexibleTimeWindow":{"Mode":"OFF"},)j"
            R"j("StatorRuleArn":"arn:aws:events:eu-west-1:111122223333:rule/st-FnTick",)j"
            R"j("Target":{"Arn":"arn:aws:lambda:eu-west-1:111122223333:function:st-Fn",)j"
            R"j("RoleArn":"arn:aws:iam::111122223333:role/st-FnRole","Input":"{\"a\": 1}"},)j"
            R"j("State":"DISABLED","Description":"ticks"})j");
  EXPECT_EQ(fn->schedules[1].name, "my-rule");
  EXPECT_EQ(fn->schedules[1].request.Find("StatorRuleArn")->as_string(),
            "arn:aws:events:eu-west-1:111122223333:rule/my-rule");
  const PlannedSchedule& v2 = fn->schedules[2];
  EXPECT_EQ(v2.name, "FnV2");  // SAM names a ScheduleV2 after its logical id
  EXPECT_EQ(v2.request.Dump(),
            R"j({"ScheduleExpression":"at(2030-01-01T00:00:00)",)j"
            R"j("ScheduleExpressionTimezone":"Asia/Tokyo","StartDate":1.8907776E9,)j"
            R"j("FlexibleTimeWindow":{"Mode":"FLEXIBLE","MaximumWindowInMinutes":5},)j"
            R"j("Target":{"Arn":"arn:aws:lambda:eu-west-1:111122223333:function:st-Fn",)j"
            R"j("RoleArn":"arn:aws:iam::111122223333:role/r"},"State":"ENABLED"})j");
  // Every event is a schedule: Events is not listed as ignored; what a schedule does not run is.
  EXPECT_EQ(fn->ignored, std::vector<std::string>{"Events.Named.DeadLetterConfig"});
  const PlannedResource* machine = plan->Find("Machine");
  ASSERT_NE(machine, nullptr);
  ASSERT_EQ(machine->schedules.size(), 1u);
  EXPECT_EQ(machine->schedules[0].name, "st-MachineHourly");  // OmitName: a generated name
  EXPECT_EQ(machine->schedules[0].request.Find("Target")->Find("Arn")->as_string(),
            "arn:aws:states:eu-west-1:111122223333:stateMachine:st-Machine");
  EXPECT_EQ(machine->schedules[0].request.Find("State")->as_string(), "DISABLED");
}

TEST(EventsScheduleTest, OtherEventTypesLeaveEventsIgnored) {
  auto plan = PlanOf(R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: x
      Handler: index.h
      Runtime: python3.12
      Events:
        Q:
          Type: SQS
          Properties: {Queue: arn:aws:sqs:eu-west-1:111122223333:q}
        T:
          Type: Schedule
          Properties: {Schedule: rate(1 day)}
)");
  ASSERT_TRUE(plan.ok()) << plan.error().cause;
  const PlannedResource* fn = plan->Find("Fn");
  EXPECT_EQ(fn->schedules.size(), 1u);
  EXPECT_EQ(fn->ignored, std::vector<std::string>{"Events"});
}

TEST(EventsScheduleTest, Errors) {
  auto error = [](const std::string& props) {
    auto plan = PlanOf(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
        "    Type: AWS::Serverless::Function\n    Properties:\n      InlineCode: x\n"
        "      Handler: index.h\n      Runtime: python3.12\n      Events:\n        E:\n" +
        props);
    EXPECT_FALSE(plan.ok());
    return plan.ok() ? "" : plan.error().cause;
  };
  EXPECT_EQ(error("          Type: Schedule\n          Properties: {Enabled: true}\n"),
            "t.yaml:3: resource Fn (AWS::Serverless::Function): Events.E needs Schedule");
  EXPECT_EQ(error("          Type: ScheduleV2\n          Properties: {ScheduleExpression: "
                  "rate(1 day), GroupName: mine}\n"),
            "t.yaml:3: resource Fn (AWS::Serverless::Function): Events.E.GroupName mine: "
            "stator has only the default schedule group");
  EXPECT_EQ(error("          Type: ScheduleV2\n          Properties: {ScheduleExpression: "
                  "rate(1 day), StartDate: tomorrow}\n"),
            "t.yaml:3: resource Fn (AWS::Serverless::Function): Events.E.StartDate 'tomorrow' "
            "is not an ISO 8601 timestamp (2030-01-01T00:00:00Z)");
  EXPECT_EQ(error("          Type: Schedule\n          Properties: {Schedule: rate(1 day), "
                  "State: PAUSED}\n"),
            "t.yaml:3: resource Fn (AWS::Serverless::Function): Events.E.State must be ENABLED "
            "or DISABLED, got PAUSED");
}

}  // namespace
TEST(EventsScheduleTest, ApiAndScheduleEventsTogetherAreAllHandled) {
  auto plan = PlanOf(R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: x
      Handler: index.h
      Runtime: python3.12
      Events:
        Web:
          Type: Api
          Properties: {Path: /x, Method: get}
        T:
          Type: Schedule
          Properties: {Schedule: rate(1 day)}
)");
  ASSERT_TRUE(plan.ok()) << plan.error().cause;
  const PlannedResource* fn = plan->Find("Fn");
  EXPECT_EQ(fn->schedules.size(), 1u);
  EXPECT_EQ(fn->api_routes.size(), 1u);
  EXPECT_TRUE(fn->ignored.empty()) << fn->ignored.front();
}

}  // namespace stator::deploy
