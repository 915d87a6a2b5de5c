// Parallel and Map: results in order, failure propagation and aborts, the previousEventId rules
// AWS records for children, ItemSelector and the $$.Map.Item context, MaxConcurrency(Path),
// tolerated failures, distributed mode events, Retry of a Map.
#include <gtest/gtest.h>

#include "engine/executor.h"
#include "engine/test_util.h"

namespace stator::engine {
namespace {

using testing::Details;
using testing::FakeTasks;
using testing::J;
using testing::RunDef;
using testing::Shape;
using testing::Types;
using V = std::vector<std::string>;

TEST(ExecutorParallel, ResultsInBranchOrderAndEventIds) {
  auto r = RunDef(R"({"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
      {"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"b":0},"End":true}}},
      {"StartAt":"B1","States":{"B1":{"Type":"Pass","Next":"B2"},
                                "B2":{"Type":"Pass","Result":{"b":1},"End":true}}}]}}})",
                  "{}");
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(*r.output, J(R"([{"b":0},{"b":1}])"));
  // Branches start from ParallelStateStarted; ParallelStateSucceeded and -Exited both follow
  // the last event of the last branch to finish (as AWS records them).
  EXPECT_EQ(Shape(r), (V{"1 0 ExecutionStarted", "2 0 ParallelStateEntered",
                         "3 2 ParallelStateStarted", "4 3 PassStateEntered", "5 4 PassStateExited",
                         "6 3 PassStateEntered", "7 6 PassStateExited", "8 7 PassStateEntered",
                         "9 8 PassStateExited", "10 9 ParallelStateSucceeded",
                         "11 9 ParallelStateExited", "12 11 ExecutionSucceeded"}));
}

TEST(ExecutorParallel, FailingBranchIsCaught) {
  // Recorded on AWS (test_parallel_state_catch).
  auto r = RunDef(R"({"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
      {"StartAt":"F","States":{"F":{"Type":"Fail","Error":"FailureType","Cause":"Cause description"}}}],
      "Catch":[{"ErrorEquals":["FailureType"],"Next":"Caught"}],"Next":"Final"},
      "Caught":{"Type":"Pass","End":true},"Final":{"Type":"Pass","End":true}}})",
                  "{}");
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(*r.output, J(R"({"Error":"FailureType","Cause":"Cause description"})"));
  EXPECT_EQ(Shape(r),
            (V{"1 0 ExecutionStarted", "2 0 ParallelStateEntered", "3 2 ParallelStateStarted",
               "4 3 FailStateEntered", "5 4 ParallelStateFailed", "6 5 ParallelStateExited",
               "7 6 PassStateEntered", "8 7 PassStateExited", "9 8 ExecutionSucceeded"}));
}

TEST(ExecutorParallel, FailingBranchAbortsTheOthers) {
  FakeTasks tasks;
  tasks.On("arn:aws:states:::lambda:invoke",
           [](const TaskRequest&) { return std::optional<TaskOutcome>(); });
  auto r = RunDef(R"({"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
      {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
                                    "End":true}}},
      {"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":5,"Next":"F"},
                               "F":{"Type":"Fail","Error":"X"}}}]}}})",
                  "{}", &tasks);
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(*r.error, "X");
  EXPECT_EQ(Types(r).back(), "ExecutionFailed");
  EXPECT_EQ(r.events[r.events.size() - 2].type, "ParallelStateFailed");
  // The Task still in flight in the other branch is aborted, before ParallelStateFailed.
  EXPECT_EQ(Types(r), (V{"ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted",
                         "TaskStateEntered", "TaskScheduled", "TaskStarted", "WaitStateEntered",
                         "WaitStateExited", "FailStateEntered", "TaskStateAborted",
                         "ParallelStateFailed", "ExecutionFailed"}));
}

// The inline Map history recorded on AWS (test_map_state, MaxConcurrency 1), two items.
TEST(ExecutorMap, InlineSequentialHistoryAsRecorded) {
  auto r = RunDef(R"({"StartAt":"Start","States":{
      "Start":{"Type":"Pass","Result":[1,"Hello"],"ResultPath":"$.arr","Next":"M"},
      "M":{"Type":"Map","ResultPath":null,"InputPath":"$.arr","MaxConcurrency":1,
           "ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"H",
                            "States":{"H":{"Type":"Pass","End":true}}},"Next":"Final"},
      "Final":{"Type":"Pass","End":true}}})",
                  "{}");
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(*r.output, J(R"({"arr":[1,"Hello"]})"));
  EXPECT_EQ(Shape(r),
            (V{"1 0 ExecutionStarted", "2 0 PassStateEntered", "3 2 PassStateExited",
               "4 3 MapStateEntered", "5 4 MapStateStarted", "6 5 MapIterationStarted",
               "7 6 PassStateEntered", "8 7 PassStateExited", "9 8 MapIterationSucceeded",
               "10 8 MapIterationStarted", "11 10 PassStateEntered", "12 11 PassStateExited",
               "13 12 MapIterationSucceeded", "14 13 MapStateSucceeded", "15 13 MapStateExited",
               "16 15 PassStateEntered", "17 16 PassStateExited", "18 17 ExecutionSucceeded"}));
  EXPECT_EQ(Details(r, 4), J(R"({"length":2})"));
  EXPECT_EQ(Details(r, 9), J(R"({"name":"M","index":1})"));
  EXPECT_EQ(Details(r, 10).Find("input")->as_string(), "\"Hello\"");
}

TEST(ExecutorMap, ItemSelectorWithMapItemContext) {
  auto r = RunDef(R"({"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.xs",
      "ItemSelector":{"v.$":"$$.Map.Item.Value","i.$":"$$.Map.Item.Index","k.$":"$.k"},
      "ItemProcessor":{"StartAt":"H","States":{"H":{"Type":"Pass","End":true}}},"End":true}}})",
                  R"({"xs":["a","b","c"],"k":9})");
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(*r.output, J(R"([{"v":"a","i":0,"k":9},{"v":"b","i":1,"k":9},
                             {"v":"c","i":2,"k":9}])"));
}

TEST(ExecutorMap, MaxConcurrencyPathMustBeAnInteger) {
  // Recorded on AWS (test_max_concurrency_path[NoNumber]).
  auto r = RunDef(R"({"StartAt":"MapState","States":{"MapState":{"Type":"Map",
      "ItemsPath":"$.Values","MaxConcurrencyPath":"$.MaxConcurrencyValue",
      "ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"H",
                       "States":{"H":{"Type":"Pass","End":true}}},"End":true}}})",
                  R"({"MaxConcurrencyValue":"NoNumber","Values":["HelloWorld"]})");
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(*r.error, "States.Runtime");
  EXPECT_EQ(*r.cause,
            "An error occurred while executing the state 'MapState' (entered at the event id "
            "#2). The MaxConcurrencyPath field refers to value \"NoNumber\" which is not a valid "
            "integer: $.MaxConcurrencyValue");
  EXPECT_EQ(Shape(r), (V{"1 0 ExecutionStarted", "2 0 MapStateEntered", "3 2 ExecutionFailed"}));
}

TEST(ExecutorMap, ItemsMustBeAnArray) {
  auto r = RunDef(R"({"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.x",
      "ItemProcessor":{"StartAt":"H","States":{"H":{"Type":"Pass","End":true}}},"End":true}}})",
                  R"({"x":{"foo":"bar"}})");
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(*r.cause,
            "An error occurred while executing the state 'M' (entered at the event id #2). Map "
            "state input must be an array but was: {\"foo\":\"bar\"}");
}

TEST(ExecutorMap, RetryRestartsTheMapAsRecorded) {
  // Recorded on AWS (test_map_state_retry_multiple_retriers), shortened to two attempts.
  auto r = RunDef(R"({"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,
      "ItemProcessor":{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"C"}}},
      "Retry":[{"ErrorEquals":["E"],"MaxAttempts":1}],"End":true}}})",
                  "[1]");
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(Shape(r),
            (V{"1 0 ExecutionStarted", "2 0 MapStateEntered", "3 2 MapStateStarted",
               "4 3 MapIterationStarted", "5 4 FailStateEntered", "6 5 MapIterationFailed",
               "7 5 MapStateStarted", "8 7 MapIterationStarted", "9 8 FailStateEntered",
               "10 9 MapIterationFailed", "11 9 MapStateFailed", "12 11 ExecutionFailed"}));
  EXPECT_EQ(Details(r, 11), J(R"({"error":"E","cause":"C"})"));
}

TEST(ExecutorMap, FailureAbortsRunningIterations) {
  auto r = RunDef(R"({"StartAt":"M","States":{"M":{"Type":"Map",
      "ItemProcessor":{"StartAt":"C","States":{
        "C":{"Type":"Choice","Choices":[{"Variable":"$","NumericEquals":0,"Next":"F"}],
             "Default":"W"},
        "F":{"Type":"Fail","Error":"Bad"},
        "W":{"Type":"Wait","Seconds":10,"End":true}}},"End":true}}})",
                  "[1,0,2]");
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(*r.error, "Bad");
  int aborted_iterations = 0;
  int aborted_waits = 0;
  for (const HistoryEvent& e : r.events) {
    aborted_iterations += e.type == "MapIterationAborted";
    aborted_waits += e.type == "WaitStateAborted";
  }
  EXPECT_EQ(aborted_iterations, 2);
  EXPECT_EQ(aborted_waits, 2);
  EXPECT_EQ(r.stop_millis, r.start_millis);  // nobody waited the 10 s
}

TEST(ExecutorMap, ToleratedFailureCount) {
  const std::string def = R"({"StartAt":"M","States":{"M":{"Type":"Map",
      "ToleratedFailureCount":1,
      "ItemProcessor":{"StartAt":"C","States":{
        "C":{"Type":"Choice","Choices":[{"Variable":"$","NumericEquals":0,"Next":"F"}],
             "Default":"P"},
        "F":{"Type":"Fail","Error":"Bad","Cause":"zero"},"P":{"Type":"Pass","End":true}}},
      "Catch":[{"ErrorEquals":["States.ExceedToleratedFailureThreshold"],"Next":"T"}],
      "End":true},"T":{"Type":"Pass","End":true}}})";
  auto r = RunDef(def, "[1,0,2]");
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(*r.output, J(R"([1,{"Error":"Bad","Cause":"zero"},2])"));
  r = RunDef(def, "[0,0,2]");
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(*r.output, J(R"({"Error":"States.ExceedToleratedFailureThreshold",
      "Cause":"The specified tolerated failure threshold was exceeded"})"));
}

TEST(ExecutorMap, DistributedModeRecordsMapRunEvents) {
  auto r = RunDef(R"({"StartAt":"M","States":{"M":{"Type":"Map","Label":"L",
      "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
                       "StartAt":"H","States":{"H":{"Type":"Pass","End":true}}},
      "End":true}}})",
                  R"(["Hello","World"])");
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(*r.output, J(R"(["Hello","World"])"));
  EXPECT_EQ(Shape(r), (V{"1 0 ExecutionStarted", "2 0 MapStateEntered", "3 2 MapStateStarted",
                         "4 3 MapRunStarted", "5 4 MapRunSucceeded", "6 5 MapStateSucceeded",
                         "7 5 MapStateExited", "8 7 ExecutionSucceeded"}));
  const std::string arn = Details(r, 3).Find("mapRunArn")->as_string();
  EXPECT_EQ(arn.rfind("arn:aws:states:us-east-1:123456789012:mapRun:StateMachine/L:", 0), 0u)
      << arn;
}

TEST(ExecutorMap, ItemBatcher) {
  auto r = RunDef(R"({"StartAt":"M","States":{"M":{"Type":"Map",
      "ItemBatcher":{"MaxItemsPerBatch":2,"BatchInput":{"b":1}},
      "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
                       "StartAt":"H","States":{"H":{"Type":"Pass","End":true}}},
      "End":true}}})",
                  "[1,2,3]");
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded) << r.cause.value_or("");
  EXPECT_EQ(*r.output, J(R"([{"BatchInput":{"b":1},"Items":[1,2]},
                             {"BatchInput":{"b":1},"Items":[3]}])"));
}

TEST(ExecutorMap, EmptyAndNested) {
  auto r = RunDef(R"({"StartAt":"M","States":{"M":{"Type":"Map",
      "ItemProcessor":{"StartAt":"H","States":{"H":{"Type":"Pass","End":true}}},"End":true}}})",
                  "[]");
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(*r.output, J("[]"));
  EXPECT_EQ(Shape(r), (V{"1 0 ExecutionStarted", "2 0 MapStateEntered", "3 2 MapStateStarted",
                         "4 3 MapStateSucceeded", "5 3 MapStateExited", "6 5 ExecutionSucceeded"}));
  r = RunDef(R"({"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,
      "ItemProcessor":{"StartAt":"M2","States":{"M2":{"Type":"Map","MaxConcurrency":1,
        "ItemProcessor":{"StartAt":"H","States":{"H":{"Type":"Pass","End":true}}},
        "End":true}}},"End":true}}})",
             "[[1,2],[3]]");
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(*r.output, J("[[1,2],[3]]"));
  // Recorded on AWS (test_map_state_nested): the outer iteration's MapIterationSucceeded
  // follows the inner MapStateExited.
  EXPECT_EQ(Shape(r)[14], "15 14 MapStateSucceeded");
  EXPECT_EQ(Shape(r)[15], "16 14 MapStateExited");
  EXPECT_EQ(Shape(r)[16], "17 16 MapIterationSucceeded");
  EXPECT_EQ(Shape(r)[17], "18 16 MapIterationStarted");
}

}  // namespace
}  // namespace stator::engine
