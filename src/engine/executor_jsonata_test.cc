// JSONata states at run time: $states, Arguments/Output/Assign, Choice conditions, Map Items
// and ItemSelector, Wait and Fail expressions, Catchers, and States.QueryEvaluationError with
// its EvaluationFailed event.
#include <gtest/gtest.h>

#include "engine/executor.h"
#include "engine/test_util.h"

namespace stator::engine {
namespace {

using testing::Details;
using testing::FakeTasks;
using testing::J;
using testing::RunDef;
using testing::Types;
using V = std::vector<std::string>;

constexpr const char* kFn = "arn:aws:lambda:us-east-1:123456789012:function:f";

TEST(ExecutorJsonata, PassOutputAndAssignAcrossStates) {
  auto r = RunDef(R"({"QueryLanguage":"JSONata","StartAt":"A","States":{
      "A":{"Type":"Pass","Assign":{"n":"{% $states.input.x + 1 %}","lit":"$.x"},
           "Output":{"x":"{% $states.input.x %}","k":[1,"{% 'two' %}"]},"Next":"B"},
      "B":{"Type":"Pass","Output":"{% $n + $states.input.x %}","Next":"C"},
      "C":{"Type":"Pass","End":true}}})",
                  R"({"x":2})");
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded) << r.cause.value_or("");
  EXPECT_EQ(r.output->Dump(), "5");
  EXPECT_EQ(Types(r),
            (V{"ExecutionStarted", "PassStateEntered", "PassStateExited", "PassStateEntered",
               "PassStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"}));
  EXPECT_EQ(Details(r, 2), J(R"({"name":"A","output":"{\"x\":2,\"k\":[1,\"two\"]}",
      "outputDetails":{"truncated":false},"assignedVariables":{"n":"3","lit":"\"$.x\""},
      "assignedVariablesDetails":{"truncated":false}})"));
}

TEST(ExecutorJsonata, AssignSeesTheOldValuesAndOutputToo) {
  auto r = RunDef(R"({"QueryLanguage":"JSONata","StartAt":"A","States":{
      "A":{"Type":"Pass","Assign":{"v":1},"Next":"B"},
      "B":{"Type":"Pass","Assign":{"v":"{% $v + 10 %}","w":"{% $v %}"},
           "Output":{"v":"{% $v %}"},"Next":"C"},
      "C":{"Type":"Pass","Output":{"v":"{% $v %}","w":"{% $w %}"},"End":true}}})",
                  "{}");
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded) << r.cause.value_or("");
  EXPECT_EQ(r.events[4].RenderedDetails().Find("output")->as_string(), R"({"v":1})");
  EXPECT_EQ(r.output->Dump(), R"({"v":11,"w":1})");
}

TEST(ExecutorJsonata, TaskArgumentsResultAndTimeouts) {
  FakeTasks tasks;
  tasks.On(kFn, [](const TaskRequest& req) -> std::optional<TaskOutcome> {
    return J(R"({"Payload":{"sum":)" + std::to_string(req.timeout_seconds.value_or(-1)) + "}}");
  });
  auto r = RunDef(std::string(R"({"QueryLanguage":"JSONata","StartAt":"T","States":{
      "T":{"Type":"Task","Resource":")") +
                      kFn + R"(","Arguments":{"a":"{% $states.input.a %}","c":"const"},
           "TimeoutSeconds":"{% $states.input.t %}",
           "Assign":{"got":"{% $states.result.Payload.sum %}"},
           "Output":{"r":"{% $states.result.Payload %}","in":"{% $states.input.a %}"},
           "End":true}}})",
                  R"({"a":[1,2],"t":30})", &tasks);
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded) << r.cause.value_or("");
  ASSERT_EQ(tasks.calls.size(), 1u);
  EXPECT_EQ(tasks.calls[0].Dump(), R"({"a":[1,2],"c":"const"})");
  EXPECT_EQ(r.output->Dump(), R"({"r":{"sum":30},"in":[1,2]})");
}

TEST(ExecutorJsonata, EvaluationFailureIsQueryEvaluationError) {
  auto r = RunDef(R"({"StartAt":"S","States":{"S":{"QueryLanguage":"JSONata","Type":"Pass",
      "Output":{"FunctionResult":"{% $randomSeeded($states.input.x) %}"},"End":true}}})",
                  R"({"x":1})");
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  const std::string cause =
      "An error occurred while executing the state 'S' (entered at the event id #2). The "
      "JSONata expression '$randomSeeded($states.input.x)' specified for the field "
      "'Output/FunctionResult' threw an error during evaluation. T1006: Attempted to invoke a "
      "non-function";
  EXPECT_EQ(*r.error, "States.QueryEvaluationError");
  EXPECT_EQ(*r.cause, cause);
  // EvaluationFailed follows what the state's Entered event follows (AWS-recorded).
  EXPECT_EQ(testing::Shape(r), (V{"1 0 ExecutionStarted", "2 0 PassStateEntered",
                                  "3 0 EvaluationFailed", "4 3 ExecutionFailed"}));
  EXPECT_EQ(Details(r, 2).Dump(),
            json::Value::MakeObject({{"cause", json::Value::String(cause)},
                                     {"error", json::Value::String("States.QueryEvaluationError")},
                                     {"location", json::Value::String("Output/FunctionResult")},
                                     {"state", json::Value::String("S")}})
                .Dump());
}

TEST(ExecutorJsonata, QueryEvaluationErrorIsCaughtAndCatchersShapeTheOutput) {
  FakeTasks tasks;
  tasks.On(kFn, [](const TaskRequest&) -> std::optional<TaskOutcome> {
    return Error{"Boom", "it broke"};
  });
  auto r = RunDef(std::string(R"({"QueryLanguage":"JSONata","StartAt":"T","States":{
      "T":{"Type":"Task","Resource":")") +
                      kFn + R"(","Catch":[{"ErrorEquals":["Boom"],
           "Assign":{"e":"{% $states.errorOutput.Error %}"},
           "Output":{"err":"{% $states.errorOutput %}","in":"{% $states.input.k %}"},
           "Next":"Q"}],"Next":"Q"},
      "Q":{"Type":"Task","Resource":")" +
                      kFn + R"(","Arguments":"{% $nope.x %}",
           "Catch":[{"ErrorEquals":["States.ALL"],"Next":"D"}],"End":true},
      "D":{"Type":"Pass","Output":{"e":"{% $e %}","prev":"{% $states.input %}"},"End":true}}})",
                  R"({"k":7})", &tasks);
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded) << r.cause.value_or("");
  V types = Types(r);
  ASSERT_EQ(types, (V{"ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled",
                      "LambdaFunctionStarted", "LambdaFunctionFailed", "TaskStateExited",
                      "TaskStateEntered", "EvaluationFailed", "TaskStateExited", "PassStateEntered",
                      "PassStateExited", "ExecutionSucceeded"}))
      << r.output->Dump();
  EXPECT_EQ(r.output->Find("e")->Dump(), R"("Boom")");
  const json::Value* prev = r.output->Find("prev");
  ASSERT_TRUE(prev && prev->Find("Error"));
  EXPECT_EQ(prev->Find("Error")->as_string(), "States.QueryEvaluationError");
  EXPECT_EQ(Details(r, 5).Find("output")->as_string(),
            R"({"err":{"Error":"Boom","Cause":"it broke"},"in":7})");
  EXPECT_NE(std::find(types.begin(), types.end(), "EvaluationFailed"), types.end());
}

TEST(ExecutorJsonata, ChoiceConditionsAssignAndOutput) {
  const std::string def = R"({"QueryLanguage":"JSONata","StartAt":"C","States":{
      "C":{"Type":"Choice","Choices":[
             {"Condition":"{% $states.input.n > 10 %}","Assign":{"which":"big"},"Next":"Big"},
             {"Condition":false,"Next":"Big"}],
           "Default":"Small","Assign":{"which":"small"},"Output":{"n":"{% $states.input.n %}"}},
      "Big":{"Type":"Succeed","Output":"{% $which %}"},
      "Small":{"Type":"Succeed","Output":{"w":"{% $which %}","n":"{% $states.input.n %}"}}}})";
  auto big = RunDef(def, R"({"n":11,"z":0})");
  ASSERT_EQ(big.status, ExecutionStatus::kSucceeded) << big.cause.value_or("");
  EXPECT_EQ(big.output->Dump(), R"("big")");
  auto small = RunDef(def, R"({"n":1})");
  ASSERT_EQ(small.status, ExecutionStatus::kSucceeded) << small.cause.value_or("");
  EXPECT_EQ(small.output->Dump(), R"({"w":"small","n":1})");
  auto bad = RunDef(def, R"({"n":"x"})");
  // "x" > 10 is a JSONata type error (T2009 or similar): a QueryEvaluationError.
  ASSERT_EQ(bad.status, ExecutionStatus::kFailed);
  EXPECT_EQ(*bad.error, "States.QueryEvaluationError");
}

TEST(ExecutorJsonata, ChoiceRuleOutputAndFieldNames) {
  const std::string def = R"({"QueryLanguage":"JSONata","StartAt":"C","States":{
      "C":{"Type":"Choice","Output":{"from":"state"},"Choices":[
             {"Condition":"{% $states.input.k = 1 %}","Output":{"from":"rule 0"},"Next":"D"},
             {"Condition":"{% $states.input.k = 2 %}","Output":{"v":"{% $states.input.nope %}"},
              "Next":"D"},
             {"Condition":"{% $states.input.k = 3 %}","Next":"D"}],
           "Default":"D"},"D":{"Type":"Succeed"}}})";
  auto r0 = RunDef(def, R"({"k":1})");
  ASSERT_EQ(r0.status, ExecutionStatus::kSucceeded) << r0.cause.value_or("");
  EXPECT_EQ(r0.output->Dump(), R"({"from":"rule 0"})");
  auto r3 = RunDef(def, R"({"k":3})");
  ASSERT_EQ(r3.status, ExecutionStatus::kSucceeded) << r3.cause.value_or("");
  EXPECT_EQ(r3.output->Dump(), R"({"from":"state"})");
  auto r2 = RunDef(def, R"({"k":2})");
  ASSERT_EQ(r2.status, ExecutionStatus::kFailed);
  EXPECT_EQ(Details(r2, 2).Find("location")->as_string(), "Choices[1]/Output/v");
  auto bad = RunDef(def, R"({"k":"x"})");
  ASSERT_EQ(bad.status, ExecutionStatus::kSucceeded) << bad.cause.value_or("");  // "x" = 1: false
}

TEST(ExecutorJsonata, CatcherFieldNames) {
  FakeTasks tasks;
  tasks.On(kFn, [](const TaskRequest&) -> std::optional<TaskOutcome> {
    return Error{"Boom", "it broke"};
  });
  auto r = RunDef(std::string(R"({"QueryLanguage":"JSONata","StartAt":"T","States":{
      "T":{"Type":"Task","Resource":")") +
                      kFn + R"(","Catch":[{"ErrorEquals":["Other"],"Next":"D"},
                                {"ErrorEquals":["States.ALL"],"Assign":{"x":"{% $states.errorOutput.Nope %}"},
                                 "Next":"D"}],"End":true},
      "D":{"Type":"Succeed"}}})",
                  "{}", &tasks);
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(*r.error, "States.QueryEvaluationError");
  V types = Types(r);
  ASSERT_GE(types.size(), 3u);
  EXPECT_EQ(types[types.size() - 2], "EvaluationFailed");
  EXPECT_EQ(Details(r, types.size() - 2).Find("location")->as_string(), "Catch[1]/Assign/x");
}

TEST(ExecutorJsonata, ChoiceConditionMustBeBoolean) {
  auto r = RunDef(R"({"QueryLanguage":"JSONata","StartAt":"C","States":{
      "C":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.v %}","Next":"D"}],
           "Default":"D"},"D":{"Type":"Succeed"}}})",
                  R"({"v":"yes"})");
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(*r.cause,
            "An error occurred while executing the state 'C' (entered at the event id #2). The "
            "JSONata expression '$states.input.v' specified for the field 'Choices[0]/Condition' "
            "returned an "
            "unexpected result type. Expected 'boolean', but was 'string' for value: \"yes\"");
}

TEST(ExecutorJsonata, MapItemsAndItemSelector) {
  auto r = RunDef(R"({"QueryLanguage":"JSONata","StartAt":"M","States":{
      "M":{"Type":"Map","Items":"{% $states.input.list %}","MaxConcurrency":"{% 1 %}",
           "ItemSelector":{"v":"{% $states.context.Map.Item.Value %}",
                           "i":"{% $states.context.Map.Item.Index %}","k":"{% $states.input.k %}"},
           "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
           "Output":{"all":"{% $states.result %}"},"End":true}}})",
                  R"({"list":["a","b"],"k":0})");
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded) << r.cause.value_or("");
  EXPECT_EQ(r.output->Dump(), R"({"all":[{"v":"a","i":0,"k":0},{"v":"b","i":1,"k":0}]})");
}

TEST(ExecutorJsonata, MapBatchesWithJsonataFields) {
  auto r = RunDef(R"({"QueryLanguage":"JSONata","StartAt":"M","States":{
      "M":{"Type":"Map","Items":"{% $states.input.list %}",
           "ItemBatcher":{"MaxItemsPerBatch":"{% $states.input.per %}",
                          "BatchInput":{"tag":"{% $states.input.tag %}"}},
           "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}})",
                  R"({"list":[1,2,3],"per":2,"tag":"t"})");
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded) << r.cause.value_or("");
  EXPECT_EQ(r.output->Dump(),
            R"([{"BatchInput":{"tag":"t"},"Items":[1,2]},{"BatchInput":{"tag":"t"},"Items":[3]}])");
}

TEST(ExecutorJsonata, MapItemsMustBeAnArray) {
  auto r = RunDef(R"({"QueryLanguage":"JSONata","StartAt":"M","States":{
      "M":{"Type":"Map","Items":"{% $states.input.list %}",
           "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}})",
                  R"({"list":{"a":1}})");
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(Types(r), (V{"ExecutionStarted", "MapStateEntered", "EvaluationFailed",
                         "MapStateFailed", "ExecutionFailed"}));
  auto chained = RunDef(R"({"QueryLanguage":"JSONata","StartAt":"P","States":{
      "P":{"Type":"Pass","Next":"M"},
      "M":{"Type":"Map","Items":"{% $states.input.list %}",
           "ItemProcessor":{"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}},"End":true}}})",
                        R"({"list":1})");
  EXPECT_EQ(testing::Shape(chained),
            (V{"1 0 ExecutionStarted", "2 0 PassStateEntered", "3 2 PassStateExited",
               "4 3 MapStateEntered", "5 3 EvaluationFailed", "6 5 MapStateFailed",
               "7 6 ExecutionFailed"}));
  EXPECT_EQ(Details(r, 2).Find("location")->as_string(), "Items");
  EXPECT_EQ(*r.cause,
            "An error occurred while executing the state 'M' (entered at the event id #2). The "
            "JSONata expression '$states.input.list' specified for the field 'Items' returned an "
            "unexpected result type. Expected 'array', but was 'object' for value: {\"a\":1}");
  // Without Items the input must be the array; the event then has no location.
  auto s = RunDef(R"({"QueryLanguage":"JSONata","StartAt":"M","States":{
      "M":{"Type":"Map",
           "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}})",
                  R"("text")");
  ASSERT_EQ(s.status, ExecutionStatus::kFailed);
  EXPECT_EQ(*s.cause,
            "An error occurred while executing the state 'M' (entered at the event id #2). Map "
            "state input must be an array but was: \"text\"");
  EXPECT_EQ(Details(s, 2).Find("location"), nullptr);
}

TEST(ExecutorJsonata, ParallelArgumentsAndResult) {
  auto r = RunDef(R"({"QueryLanguage":"JSONata","StartAt":"P","States":{
      "P":{"Type":"Parallel","Arguments":{"v":"{% $states.input.v * 2 %}"},
           "Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},
                       {"StartAt":"B","States":{"B":{"Type":"Pass","Output":"{% $states.input.v + 1 %}","End":true}}}],
           "Output":"{% $states.result %}","End":true}}})",
                  R"({"v":3})");
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded) << r.cause.value_or("");
  EXPECT_EQ(r.output->Dump(), R"([{"v":6},7])");
}

TEST(ExecutorJsonata, WaitSecondsAndFailFields) {
  auto w = RunDef(R"({"QueryLanguage":"JSONata","StartAt":"W","States":{
      "W":{"Type":"Wait","Seconds":"{% $states.input.s %}","Next":"F"},
      "F":{"Type":"Fail","Error":"{% $states.input.e %}","Cause":"literal cause"}}})",
                  R"({"s":5,"e":"Custom"})");
  ASSERT_EQ(w.status, ExecutionStatus::kFailed);
  EXPECT_EQ(*w.error, "Custom");
  EXPECT_EQ(*w.cause, "literal cause");
  EXPECT_EQ(w.events[2].timestamp_millis - w.events[1].timestamp_millis, 5000);

  auto bad = RunDef(R"({"QueryLanguage":"JSONata","StartAt":"W","States":{
      "W":{"Type":"Wait","Seconds":"{% $states.input.s %}","End":true}}})",
                    R"({"s":1.5})");
  ASSERT_EQ(bad.status, ExecutionStatus::kFailed);
  EXPECT_EQ(*bad.error, "States.QueryEvaluationError");
  EXPECT_NE(bad.cause->find("Expected 'integer', but was 'number' for value: 1.5"),
            std::string::npos)
      << *bad.cause;
}

TEST(ExecutorJsonata, JsonPathAndJsonataStatesShareVariables) {
  auto r = RunDef(R"({"StartAt":"A","States":{
      "A":{"Type":"Pass","Assign":{"fromPath.$":"$.x"},"Next":"B"},
      "B":{"Type":"Pass","QueryLanguage":"JSONata","Assign":{"fromJsonata":"{% $fromPath * 3 %}"},
           "Next":"C"},
      "C":{"Type":"Pass","Parameters":{"a.$":"$fromPath","b.$":"$fromJsonata"},"End":true}}})",
                  R"({"x":2})");
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded) << r.cause.value_or("");
  EXPECT_EQ(r.output->Dump(), R"({"a":2,"b":6})");
}

}  // namespace
}  // namespace stator::engine
