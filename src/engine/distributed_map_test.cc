// Distributed Map states run through ExecutionOptions::map_runner (distributed_map.h): what the
// runner is handed, how its outcome ends the Map state, aborts, and crash resume.
#include "engine/distributed_map.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/executor.h"
#include "engine/test_util.h"

namespace stator::engine {
namespace {

using testing::FakeTasks;
using testing::J;
using testing::kT0;
using testing::MustCompile;

// Answers each Map Run with `answer` (or keeps it running when it is nullopt); records calls.
class FakeMapRunner : public DistributedMapRunner {
 public:
  std::function<std::optional<Result<json::Value>>(const MapRunRequest&)> answer;
  std::vector<MapRunRequest> started;
  std::vector<std::string> aborted;
  std::map<std::string, json::Value> recorded;
  int recorded_calls = 0;

  void Start(MapRunRequest request, MapRunCompletion done) override {
    started.push_back(request);
    std::optional<Result<json::Value>> a = answer(request);
    if (a) done(std::move(*a));
  }
  std::optional<json::Value> Recorded(const std::string& arn) override {
    ++recorded_calls;
    auto it = recorded.find(arn);
    if (it == recorded.end()) return std::nullopt;
    return it->second;
  }
  void Abort(const std::string& arn) override { aborted.push_back(arn); }
};

constexpr const char* kMap = R"({"StartAt":"M","States":{"M":{"Type":"Map","Label":"L",
    "ItemsPath":"$.items","MaxConcurrency":3,"ToleratedFailureCount":1,
    "ItemSelector":{"v.$":"$$.Map.Item.Value","i.$":"$$.Map.Item.Index","k.$":"$.k"},
    "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},
                     "StartAt":"H","States":{"H":{"Type":"Pass","End":true}}},
    "ResultPath":"$.out","End":true}}})";

ExecutionResult RunWith(const std::string& definition, const std::string& input,
                        DistributedMapRunner* runner, std::vector<HistoryEvent> replay = {}) {
  VirtualClock clock(kT0);
  FakeTasks tasks;
  ExecutionOptions o;
  o.input = J(input);
  o.execution_name = "exec";
  o.state_machine_name = "sm";
  o.random_seed = 7;
  o.start_millis = kT0;
  o.map_runner = runner;
  if (!replay.empty()) o.replay = std::make_shared<std::vector<HistoryEvent>>(std::move(replay));
  return RunToCompletion(MustCompile(definition), o, &tasks, &clock);
}

std::vector<std::string> Types(const ExecutionResult& r) {
  std::vector<std::string> out;
  for (const HistoryEvent& e : r.events) out.emplace_back(e.type);
  return out;
}

TEST(DistributedMap, TheRunnerGetsTheResolvedMapRun) {
  FakeMapRunner runner;
  runner.answer = [](const MapRunRequest& r) -> std::optional<Result<json::Value>> {
    return json::Value::MakeArray(r.inputs);  // each child's output: its input
  };
  ExecutionResult r = RunWith(kMap, R"({"k":"K","items":[{"x":1},{"x":2}]})", &runner);
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded) << r.cause.value_or("");
  ASSERT_EQ(runner.started.size(), 1u);
  const MapRunRequest& q = runner.started[0];
  EXPECT_EQ(q.map_run_arn.rfind("arn:aws:states:us-east-1:123456789012:mapRun:sm/L:", 0), 0u);
  EXPECT_EQ(q.execution_arn, "arn:aws:states:us-east-1:123456789012:execution:sm:exec");
  EXPECT_EQ(q.state_name, "M");
  EXPECT_EQ(q.label, "L");
  EXPECT_TRUE(q.express);
  EXPECT_EQ(q.max_concurrency, 3);
  EXPECT_EQ(q.tolerated_failure_count, 1);
  EXPECT_FALSE(q.tolerated_failure_percentage.has_value());
  EXPECT_EQ(q.definition, J(R"({"StartAt":"H","States":{"H":{"Type":"Pass","End":true}}})"));
  ASSERT_EQ(q.inputs.size(), 2u);
  EXPECT_EQ(q.inputs[1], J(R"({"v":{"x":2},"i":1,"k":"K"})"));
  EXPECT_EQ(q.items_per_input, (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(*r.output, J(R"({"k":"K","items":[{"x":1},{"x":2}],
      "out":[{"v":{"x":1},"i":0,"k":"K"},{"v":{"x":2},"i":1,"k":"K"}]})"));
  EXPECT_EQ(Types(r),
            (std::vector<std::string>{"ExecutionStarted", "MapStateEntered", "MapStateStarted",
                                      "MapRunStarted", "MapRunSucceeded", "MapStateSucceeded",
                                      "MapStateExited", "ExecutionSucceeded"}));
  EXPECT_EQ(r.events[3].Details().Find("mapRunArn")->as_string(), q.map_run_arn);
}

TEST(DistributedMap, BatchesAreTheChildInputs) {
  FakeMapRunner runner;
  runner.answer = [](const MapRunRequest&) -> std::optional<Result<json::Value>> {
    return json::Value::MakeObject({{"MapRunArn", json::Value::String("x")}});
  };
  ExecutionResult r = RunWith(R"({"StartAt":"M","States":{"M":{"Type":"Map",
      "ItemBatcher":{"MaxItemsPerBatch":2},
      "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
                       "StartAt":"H","States":{"H":{"Type":"Pass","End":true}}},
      "End":true}}})",
                              "[1,2,3]", &runner);
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded) << r.cause.value_or("");
  const MapRunRequest& q = runner.started.at(0);
  EXPECT_FALSE(q.express);
  EXPECT_EQ(q.max_concurrency, 0);
  EXPECT_EQ(q.inputs, (std::vector<json::Value>{J(R"({"Items":[1,2]})"), J(R"({"Items":[3]})")}));
  EXPECT_EQ(q.items_per_input, (std::vector<int64_t>{2, 1}));
  // Whatever the runner answers (a ResultWriter's object here) is the Map state's result.
  EXPECT_EQ(*r.output, J(R"({"MapRunArn":"x"})"));
}

TEST(DistributedMap, AFailedRunFailsTheStateThroughItsCatch) {
  FakeMapRunner runner;
  runner.answer = [](const MapRunRequest&) -> std::optional<Result<json::Value>> {
    return Error{"States.ExceedToleratedFailureThreshold",
                 "The specified tolerated failure threshold was exceeded"};
  };
  ExecutionResult r = RunWith(R"({"StartAt":"M","States":{"M":{"Type":"Map",
      "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
                       "StartAt":"H","States":{"H":{"Type":"Pass","End":true}}},
      "Catch":[{"ErrorEquals":["States.ALL"],"Next":"C"}],"End":true},
      "C":{"Type":"Pass","End":true}}})",
                              "[1]", &runner);
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(*r.output, J(R"({"Error":"States.ExceedToleratedFailureThreshold",
      "Cause":"The specified tolerated failure threshold was exceeded"})"));
  EXPECT_EQ(Types(r)[4], "MapRunFailed");
  EXPECT_EQ(Types(r)[5], "MapStateFailed");
}

TEST(DistributedMap, AnItemSelectorFailureStartsNoRun) {
  FakeMapRunner runner;
  runner.answer = [](const MapRunRequest&) { return std::optional<Result<json::Value>>(); };
  ExecutionResult r = RunWith(R"({"StartAt":"M","States":{"M":{"Type":"Map",
      "ItemSelector":{"v.$":"$$.Map.Item.Value.missing"},
      "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
                       "StartAt":"H","States":{"H":{"Type":"Pass","End":true}}},
      "End":true}}})",
                              "[1]", &runner);
  EXPECT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(r.error, "States.Runtime");
  EXPECT_TRUE(runner.started.empty());
  EXPECT_EQ(Types(r)[4], "MapRunFailed");
}

TEST(DistributedMap, StoppingTheExecutionAbortsTheRun) {
  FakeMapRunner runner;
  runner.answer = [](const MapRunRequest&) { return std::optional<Result<json::Value>>(); };
  VirtualClock clock(kT0);
  Scheduler scheduler(&clock);
  FakeTasks tasks;
  ExecutionOptions o;
  o.input = J("[1,2]");
  o.map_runner = &runner;
  auto exec = Execution::Create(MustCompile(R"({"StartAt":"M","States":{"M":{"Type":"Map",
      "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
                       "StartAt":"H","States":{"H":{"Type":"Pass","End":true}}},
      "End":true}}})"),
                                o, &tasks, &scheduler);
  exec->Start();
  ASSERT_TRUE(testing::RunUntilOrFail(
      scheduler, [&] { return runner.started.size() == 1; }, "the Map Run starts"));
  exec->Stop("E", "C");
  ASSERT_TRUE(testing::RunUntilOrFail(
      scheduler, [&] { return exec->finished(); }, "the stop"));
  EXPECT_EQ(runner.aborted, std::vector<std::string>{runner.started[0].map_run_arn});
}

TEST(DistributedMap, ResumeTakesARecordedRunsResultsAndRedispatchesARunningOne) {
  FakeMapRunner runner;
  runner.answer = [](const MapRunRequest&) -> std::optional<Result<json::Value>> {
    return J(R"(["a","b"])");
  };
  const std::string def = R"({"StartAt":"M","States":{"M":{"Type":"Map",
      "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
                       "StartAt":"H","States":{"H":{"Type":"Pass","End":true}}},
      "Next":"W"},"W":{"Type":"Wait","Seconds":5,"End":true}}})";
  ExecutionResult first = RunWith(def, "[1,2]", &runner);
  ASSERT_EQ(first.status, ExecutionStatus::kSucceeded);
  const std::string arn = runner.started.at(0).map_run_arn;
  auto stored = [&](size_t n) {
    std::vector<HistoryEvent> out;
    for (size_t i = 0; i < n; ++i) {
      HistoryEvent& h = out.emplace_back();
      const HistoryEvent& e = first.events[i];
      h.id = e.id;
      h.previous_event_id = e.previous_event_id;
      h.timestamp_millis = e.timestamp_millis;
      h.type = e.type;
      h.details_key = e.details_key;
      h.details = e.RenderedDetails();
    }
    return out;
  };
  // Stopped after MapRunSucceeded (event 5): the results come from the runner's record.
  FakeMapRunner resumed;
  resumed.answer = runner.answer;
  resumed.recorded[arn] = J(R"(["a","b"])");
  ExecutionResult r = RunWith(def, "[1,2]", &resumed, stored(6));
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded) << r.cause.value_or("");
  EXPECT_EQ(*r.output, J(R"(["a","b"])"));
  EXPECT_TRUE(resumed.started.empty());
  EXPECT_EQ(resumed.recorded_calls, 1);
  // Stopped right after MapRunStarted: the Map Run is handed over again, same ARN.
  FakeMapRunner again;
  again.answer = runner.answer;
  r = RunWith(def, "[1,2]", &again, stored(4));
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded) << r.cause.value_or("");
  ASSERT_EQ(again.started.size(), 1u);
  EXPECT_EQ(again.started[0].map_run_arn, arn);
  std::vector<std::string> rest = Types(first);
  rest.erase(rest.begin(), rest.begin() + 4);
  EXPECT_EQ(Types(r), rest);  // the events after the stored ones, as the first run had them
  // Results that were not kept: the resume fails rather than guess.
  FakeMapRunner lost;
  lost.answer = runner.answer;
  r = RunWith(def, "[1,2]", &lost, stored(6));
  EXPECT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_NE(r.cause.value_or("").find("were not kept"), std::string::npos) << r.cause.value_or("");
}

}  // namespace
}  // namespace stator::engine
