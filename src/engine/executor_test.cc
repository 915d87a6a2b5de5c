#include "engine/executor.h"

#include <gtest/gtest.h>

#include "common/time_format.h"
#include "engine/test_util.h"

namespace stator::engine {
namespace {

using testing::Details;
using testing::FakeTasks;
using testing::J;
using testing::kT0;
using testing::RunDef;
using testing::Shape;
using testing::Types;
using V = std::vector<std::string>;

TEST(ExecutorPass, ChainHistoryShapeAndDetails) {
  auto r = RunDef(R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},
                   "B":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.r","End":true}}})",
                  R"({"in":true})");
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(*r.output, J(R"({"in":true,"r":{"x":1}})"));
  EXPECT_EQ(Shape(r), (V{"1 0 ExecutionStarted", "2 0 PassStateEntered", "3 2 PassStateExited",
                         "4 3 PassStateEntered", "5 4 PassStateExited", "6 5 ExecutionSucceeded"}));
  EXPECT_EQ(Details(r, 0), J(R"({"input":"{\"in\":true}","inputDetails":{"truncated":false},
                  "roleArn":"arn:aws:iam::123456789012:role/StatesExecutionRole"})"));
  EXPECT_EQ(Details(r, 1),
            J(R"({"name":"A","input":"{\"in\":true}","inputDetails":{"truncated":false}})"));
  EXPECT_EQ(Details(r, 4), J(R"({"name":"B","output":"{\"in\":true,\"r\":{\"x\":1}}",
                                 "outputDetails":{"truncated":false}})"));
  EXPECT_EQ(Details(r, 5), J(R"({"output":"{\"in\":true,\"r\":{\"x\":1}}",
                                 "outputDetails":{"truncated":false}})"));
  EXPECT_EQ(r.events[0].ToJson().Find("timestamp")->as_double(), kT0 / 1000.0);
}

TEST(ExecutorPass, InputOutputProcessingOrder) {
  // InputPath -> Parameters -> (Result) -> ResultPath (into the raw input) -> OutputPath.
  auto r = RunDef(R"({"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"$.a",
                   "Parameters":{"v.$":"$.b","c":1},"ResultPath":"$.out","OutputPath":"$.out",
                   "End":true}}})",
                  R"({"a":{"b":7},"z":0})");
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(*r.output, J(R"({"v":7,"c":1})"));
}

TEST(ExecutorPass, NullPaths) {
  auto r = RunDef(R"({"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":null,
                   "Parameters":{"f.$":"$"},"Next":"B"},
                   "B":{"Type":"Pass","Result":1,"ResultPath":null,"Next":"C"},
                   "C":{"Type":"Pass","OutputPath":null,"End":true}}})",
                  R"({"x":1})");
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(*r.output, J("{}"));
  EXPECT_EQ(r.events[2].Details().Find("output")->Dump(), R"({"f":{}})");
  EXPECT_EQ(r.events[4].Details().Find("output")->Dump(), R"({"f":{}})");
}

TEST(ExecutorPass, BadInputPathIsRuntimeErrorWithStatePrefix) {
  auto r = RunDef(R"({"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"$.missing",
                   "End":true}}})",
                  "{}");
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(*r.error, "States.Runtime");
  EXPECT_EQ(*r.cause,
            "An error occurred while executing the state 'A' (entered at the event id #2). "
            "Invalid path '$.missing' : No results for path: $['missing']");
  EXPECT_EQ(Shape(r), (V{"1 0 ExecutionStarted", "2 0 PassStateEntered", "3 2 ExecutionFailed"}));
}

TEST(ExecutorPass, ParameterPathFailureIsRuntime) {
  auto r = RunDef(R"({"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":"$.nope"},
                   "End":true}}})",
                  R"({"a":1})");
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(*r.error, "States.Runtime");
  EXPECT_EQ(r.cause->rfind("An error occurred while executing the state 'A' (entered at the "
                           "event id #2). The JSONPath '$.nope'",
                           0),
            0u)
      << *r.cause;
}

TEST(ExecutorContext, OutputPathOnContextObject) {
  ExecutionOptions o;
  o.state_machine_name = "SM";
  o.execution_name = "run1";
  auto r = RunDef(R"({"StartAt":"S","States":{"S":{"Type":"Pass","OutputPath":"$$","End":true}}})",
                  R"({"i":0})", nullptr, o);
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  const std::string ts = FormatTimestamp(kT0);
  EXPECT_EQ(*r.output,
            J(R"({"Execution":{"Id":"arn:aws:states:us-east-1:123456789012:execution:SM:run1",
                  "Input":{"i":0},"StartTime":")" +
              ts +
              R"(","Name":"run1","RoleArn":"arn:aws:iam::123456789012:role/StatesExecutionRole",
                  "RedriveCount":0},
                  "StateMachine":{"Id":"arn:aws:states:us-east-1:123456789012:stateMachine:SM",
                  "Name":"SM"},"State":{"Name":"S","EnteredTime":")" +
              ts + R"("}})"));
  // Key order as AWS prints it.
  EXPECT_EQ(r.output->as_object()[1].first, "StateMachine");
}

TEST(ExecutorChoice, MatchDefaultAndNoMatch) {
  const std::string def = R"({"StartAt":"C","States":{
      "C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericEquals":1,"Next":"One"}],
           "Default":"Other"},
      "One":{"Type":"Pass","Result":"one","End":true},
      "Other":{"Type":"Pass","Result":"other","End":true}}})";
  EXPECT_EQ(*RunDef(def, R"({"n":1})").output, J(R"("one")"));
  EXPECT_EQ(*RunDef(def, R"({"n":2})").output, J(R"("other")"));
  auto r = RunDef(R"({"StartAt":"C","States":{
      "C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericEquals":1,"Next":"One"}]},
      "One":{"Type":"Succeed"}}})",
                  R"({"n":2})");
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(*r.error, "States.NoChoiceMatched");
  EXPECT_EQ(Types(r), (V{"ExecutionStarted", "ChoiceStateEntered", "ExecutionFailed"}));
}

TEST(ExecutorSucceed, EndsTheExecution) {
  auto r = RunDef(R"({"StartAt":"S","States":{"S":{"Type":"Succeed","OutputPath":"$.a"}}})",
                  R"({"a":[1]})");
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(*r.output, J("[1]"));
  EXPECT_EQ(Types(r), (V{"ExecutionStarted", "SucceedStateEntered", "SucceedStateExited",
                         "ExecutionSucceeded"}));
}

TEST(ExecutorFail, ErrorCauseLiteralsAndPaths) {
  auto r =
      RunDef(R"({"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"C"}}})", "{}");
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(*r.error, "E");
  EXPECT_EQ(*r.cause, "C");
  EXPECT_EQ(Shape(r), (V{"1 0 ExecutionStarted", "2 0 FailStateEntered", "3 2 ExecutionFailed"}));
  EXPECT_EQ(Details(r, 2), J(R"({"error":"E","cause":"C"})"));

  ExecutionOptions o;
  o.state_machine_name = "Machine";
  r = RunDef(R"({"StartAt":"F","States":{"F":{"Type":"Fail","ErrorPath":"$$.State.Name",
              "CausePath":"$$.StateMachine.Name"}}})",
             "{}", nullptr, o);
  EXPECT_EQ(*r.error, "F");
  EXPECT_EQ(*r.cause, "Machine");

  r = RunDef(R"({"StartAt":"F","States":{"F":{"Type":"Fail"}}})", "{}");
  EXPECT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_FALSE(r.error.has_value());
  EXPECT_EQ(Details(r, 2), J("{}"));
}

TEST(ExecutorWait, SecondsAdvanceVirtualTime) {
  auto r = RunDef(R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}})",
                  R"({"a":1})");
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(Types(r),
            (V{"ExecutionStarted", "WaitStateEntered", "WaitStateExited", "ExecutionSucceeded"}));
  EXPECT_EQ(r.events[2].timestamp_millis - r.events[1].timestamp_millis, 60000);
  EXPECT_EQ(r.stop_millis - r.start_millis, 60000);
}

TEST(ExecutorWait, TimestampAndPaths) {
  auto r = RunDef(R"({"StartAt":"W","States":{"W":{"Type":"Wait","TimestampPath":"$.t",
                   "Next":"X"},"X":{"Type":"Wait","SecondsPath":"$.s","End":true}}})",
                  R"({"t":"2023-11-14T22:13:50Z","s":5})");
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(r.stop_millis - kT0, 35000);
  // A timestamp in the past does not wait.
  r = RunDef(R"({"StartAt":"W","States":{"W":{"Type":"Wait","Timestamp":"2016-03-14T01:59:00Z",
              "End":true}}})",
             "{}");
  EXPECT_EQ(r.stop_millis, kT0);
  r = RunDef(R"({"StartAt":"W","States":{"W":{"Type":"Wait","TimestampPath":"$.t","End":true}}})",
             R"({"t":"yesterday"})");
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(*r.cause,
            "An error occurred while executing the state 'W' (entered at the event id #2). The "
            "TimestampPath parameter does not reference a valid ISO-8601 extended offset "
            "date-time format string: $.t");
}

TEST(ExecutorTimeout, ExecutionTimesOut) {
  auto r = RunDef(R"({"TimeoutSeconds":5,"StartAt":"W","States":{
                   "W":{"Type":"Wait","Seconds":60,"Next":"P"},"P":{"Type":"Pass","End":true}}})",
                  "{}");
  ASSERT_EQ(r.status, ExecutionStatus::kTimedOut);
  EXPECT_FALSE(r.error.has_value());
  EXPECT_EQ(r.stop_millis - r.start_millis, 5000);
  EXPECT_EQ(Shape(r), (V{"1 0 ExecutionStarted", "2 0 WaitStateEntered", "3 0 ExecutionTimedOut"}));
  EXPECT_EQ(Details(r, 2), J(R"({"error":"States.Timeout"})"));
}

TEST(ExecutorLimits, HistoryEventCap) {
  ExecutionOptions o;
  o.max_history_events = 10;
  auto r = RunDef(R"({"StartAt":"L","States":{"L":{"Type":"Pass","Next":"L"}}})", "{}", nullptr, o);
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(*r.error, "States.Runtime");
  EXPECT_EQ(*r.cause, "The execution reached the maximum number of history events (10).");
  ASSERT_EQ(r.events.size(), 10u);
  EXPECT_EQ(r.events.back().id, 10);
  EXPECT_EQ(r.events.back().previous_event_id, 9);
}

TEST(ExecutorLimits, DataLimitExceededIsNotCaught) {
  std::string big(300 * 1024, 'x');
  FakeTasks tasks;
  tasks.On("arn:aws:states:::lambda:invoke",
           [&](const TaskRequest&) { return TaskOutcome(json::Value::String(big)); });
  auto r = RunDef(R"({"StartAt":"T","States":{"T":{"Type":"Task",
                   "Resource":"arn:aws:states:::lambda:invoke",
                   "Catch":[{"ErrorEquals":["States.ALL"],"Next":"C"}],"End":true},
                   "C":{"Type":"Pass","End":true}}})",
                  "{}", &tasks);
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(*r.error, "States.DataLimitExceeded");
}

TEST(ExecutorHistory, KeepHistoryFalseRecordsNothing) {
  ExecutionOptions o;
  o.keep_history = false;
  auto r = RunDef(R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})", "{}", nullptr, o);
  EXPECT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_TRUE(r.events.empty());
}

TEST(ExecutorHistory, InputTextShownVerbatim) {
  ExecutionOptions o;
  o.input_text = "[1, 2]";
  auto r =
      RunDef(R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})", "[1,2]", nullptr, o);
  EXPECT_EQ(Details(r, 0).Find("input")->as_string(), "[1, 2]");
  EXPECT_EQ(Details(r, 1).Find("input")->as_string(), "[1,2]");
}

}  // namespace
}  // namespace stator::engine
