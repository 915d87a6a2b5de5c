// Redrive (ExecutionOptions::redrives): a failed execution re-run over its history continues
// from the top-level state that did not complete, after an ExecutionRedriven event; what
// completed before is not run again; a redriven execution resumes after a crash like any other.
#include <gtest/gtest.h>

#include "engine/executor.h"
#include "engine/redrive.h"
#include "engine/test_util.h"

namespace stator::engine {
namespace {

using testing::FakeTasks;
using testing::J;
using testing::kT0;
using testing::MustCompile;

// Task A runs once (its calls are counted); Task T fails while the execution has been
// redriven fewer than `succeed_at` times; then Pass C.
const char* kDefinition = R"({"StartAt":"A","States":{
  "A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"step":"A"},
       "ResultPath":"$.a","Next":"T"},
  "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
       "Parameters":{"step":"T","redrives.$":"$$.Execution.RedriveCount"},"ResultPath":"$.t",
       "Next":"C"},
  "C":{"Type":"Pass","End":true}}})";

std::vector<HistoryEvent> Stored(const std::vector<HistoryEvent>& events) {
  std::vector<HistoryEvent> out;
  for (const HistoryEvent& e : events) {
    HistoryEvent& h = out.emplace_back();
    h.id = e.id;
    h.previous_event_id = e.previous_event_id;
    h.timestamp_millis = e.timestamp_millis;
    h.type = e.type;
    h.details_key = e.details_key;
    h.details = e.RenderedDetails();
  }
  return out;
}

std::vector<HistoryEvent> All(const EventLog& log) {
  std::vector<HistoryEvent> out;
  for (size_t i = 0; i < log.size(); ++i) out.push_back(log[i]);
  return out;
}

std::string Shape(const HistoryEvent& e) {
  return std::to_string(e.id) + " " + std::to_string(e.previous_event_id) + " " +
         std::string(e.type);
}

class RedriveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tasks_.On("arn:aws:states:::lambda:invoke", [this](const TaskRequest& r) {
      const std::string step = r.parameters.Find("step")->as_string();
      ++calls_[step];
      if (step == "T" && r.parameters.Find("redrives")->as_int() < succeed_at_) {
        return std::optional<TaskOutcome>(TaskOutcome(Error{"Boom", "not yet"}));
      }
      return std::optional<TaskOutcome>(TaskOutcome(J(R"({"ok":")" + step + R"("})")));
    });
  }

  ExecutionResult Run(const std::vector<HistoryEvent>& history,
                      std::vector<ExecutionOptions::RedriveCut> cuts, int64_t now) {
    VirtualClock clock(now);
    ExecutionOptions o;
    o.input = J(R"({"in":1})");
    o.execution_name = "exec";
    o.random_seed = 7;
    o.start_millis = kT0;
    if (!history.empty()) o.replay = std::make_shared<std::vector<HistoryEvent>>(Stored(history));
    o.redrives = std::move(cuts);
    return RunToCompletion(MustCompile(kDefinition), o, &tasks_, &clock);
  }

  FakeTasks tasks_;
  std::map<std::string, int> calls_;
  int64_t succeed_at_ = 1;
};

TEST_F(RedriveTest, RunsTheFailedStateAgainAfterExecutionRedriven) {
  ExecutionResult first = Run({}, {}, kT0);
  ASSERT_EQ(first.status, ExecutionStatus::kFailed);
  std::vector<HistoryEvent> history = All(first.events);
  ASSERT_EQ(history.size(), 11u);  // ... TaskFailed, ExecutionFailed
  EXPECT_EQ(history[6].type, "TaskStateEntered");
  EXPECT_EQ(calls_["A"], 1);
  EXPECT_EQ(calls_["T"], 1);

  // Cut after A's exit (event 6), ExecutionRedriven as event 12.
  ExecutionResult redriven = Run(history, {{6, 12}}, kT0 + 60000);
  EXPECT_EQ(redriven.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(calls_["A"], 1) << "the completed Task must not run again";
  EXPECT_EQ(calls_["T"], 2);
  ASSERT_TRUE(redriven.output.has_value());
  EXPECT_EQ(redriven.output->Dump(), R"({"in":1,"a":{"ok":"A"},"t":{"ok":"T"}})");
  std::vector<std::string> shapes;
  for (size_t i = 0; i < redriven.events.size(); ++i) shapes.push_back(Shape(redriven.events[i]));
  EXPECT_EQ(shapes,
            (std::vector<std::string>{
                "12 11 ExecutionRedriven", "13 6 TaskStateEntered", "14 13 TaskScheduled",
                "15 14 TaskStarted", "16 15 TaskSucceeded", "17 16 TaskStateExited",
                "18 17 PassStateEntered", "19 18 PassStateExited", "20 19 ExecutionSucceeded"}));
  EXPECT_EQ(redriven.events[0].ToJson().Dump(),
            R"({"timestamp":1.70000006E9,"type":"ExecutionRedriven","id":12,)"
            R"("previousEventId":11,"executionRedrivenEventDetails":{"redriveCount":1}})")
      << "(the event's JSON shape)";
  EXPECT_EQ(redriven.events[0].timestamp_millis, kT0 + 60000);
}

TEST_F(RedriveTest, SecondRedriveAndCrashResumeOfARedrivenExecution) {
  succeed_at_ = 2;
  ExecutionResult first = Run({}, {}, kT0);
  std::vector<HistoryEvent> history = All(first.events);  // 1..11
  ExecutionResult second = Run(history, {{6, 12}}, kT0 + 1000);
  ASSERT_EQ(second.status, ExecutionStatus::kFailed);
  for (const HistoryEvent& e : All(second.events)) history.push_back(e);
  ASSERT_EQ(history.back().type, "ExecutionFailed");
  const int64_t n = history.back().id;
  // The second cut: after the first ExecutionRedriven (the state failed again right after it).
  std::vector<ExecutionOptions::RedriveCut> cuts = {{6, 12}, {12, n + 1}};
  ExecutionResult third = Run(history, cuts, kT0 + 2000);
  ASSERT_EQ(third.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(calls_["A"], 1);
  EXPECT_EQ(calls_["T"], 3);
  EXPECT_EQ(Shape(third.events[0]),
            std::to_string(n + 1) + " " + std::to_string(n) + " ExecutionRedriven");
  EXPECT_EQ(third.events[0].ToJson().Find("executionRedrivenEventDetails")->Dump(),
            R"({"redriveCount":2})");
  std::vector<HistoryEvent> full = history;
  for (const HistoryEvent& e : All(third.events)) full.push_back(e);

  // Crash resume from every prefix that includes the second ExecutionRedriven: the same rest.
  for (size_t k = static_cast<size_t>(n) + 1; k < full.size(); ++k) {
    SCOPED_TRACE("resumed after event " + std::to_string(k));
    std::vector<HistoryEvent> prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(k));
    const int calls_before = calls_["T"];
    ExecutionResult resumed = Run(prefix, cuts, full[k - 1].timestamp_millis);
    EXPECT_EQ(resumed.status, ExecutionStatus::kSucceeded);
    ASSERT_EQ(resumed.events.size(), full.size() - k);
    for (size_t i = 0; i < resumed.events.size(); ++i) {
      EXPECT_EQ(Shape(resumed.events[i]), Shape(full[k + i]));
    }
    EXPECT_LE(calls_["T"] - calls_before, 1);
  }
}

TEST_F(RedriveTest, CutsComputedFromTheStoredHistory) {
  succeed_at_ = 2;
  std::vector<HistoryEvent> history = All(Run({}, {}, kT0).events);
  std::vector<ExecutionOptions::RedriveCut> cuts = RedriveCuts(history, true);
  ASSERT_EQ(cuts.size(), 1u);
  EXPECT_EQ(cuts[0].after, 6);
  EXPECT_EQ(cuts[0].at, 12);
  EXPECT_TRUE(RedriveCuts(history, false).empty());
  for (const HistoryEvent& e : All(Run(history, cuts, kT0 + 1000).events)) history.push_back(e);
  cuts = RedriveCuts(history, true);
  ASSERT_EQ(cuts.size(), 2u);
  EXPECT_EQ(cuts[0].after, 6);
  EXPECT_EQ(cuts[0].at, 12);
  EXPECT_EQ(cuts[1].after, 12);
  EXPECT_EQ(cuts[1].at, history.back().id + 1);
  EXPECT_EQ(Run(history, cuts, kT0 + 2000).status, ExecutionStatus::kSucceeded);
}

// A Parallel whose branch fails runs again as a whole (its branches' events are nested: the
// cut is before the Parallel's Entered event, not inside it).
TEST_F(RedriveTest, FailedParallelRunsAgainAsAWhole) {
  const char* definition = R"({"StartAt":"P0","States":{
    "P0":{"Type":"Pass","Next":"Par"},
    "Par":{"Type":"Parallel","End":true,"Branches":[
      {"StartAt":"B1","States":{"B1":{"Type":"Pass","End":true}}},
      {"StartAt":"B2","States":{"B2":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
        "Parameters":{"step":"T","redrives.$":"$$.Execution.RedriveCount"},"End":true}}}]}}})";
  VirtualClock clock(kT0);
  ExecutionOptions o;
  o.input = J("{}");
  o.execution_name = "exec";
  o.random_seed = 7;
  o.start_millis = kT0;
  ExecutionResult first = RunToCompletion(MustCompile(definition), o, &tasks_, &clock);
  ASSERT_EQ(first.status, ExecutionStatus::kFailed);
  std::vector<HistoryEvent> history = All(first.events);
  std::vector<ExecutionOptions::RedriveCut> cuts = RedriveCuts(history, true);
  ASSERT_EQ(cuts.size(), 1u);
  EXPECT_EQ(history[cuts[0].after].type, "ParallelStateEntered");  // the next event (id after+1)
  o.replay = std::make_shared<std::vector<HistoryEvent>>(Stored(history));
  o.redrives = cuts;
  ExecutionResult again = RunToCompletion(MustCompile(definition), o, &tasks_, &clock);
  EXPECT_EQ(again.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(again.events[1].type, "ParallelStateEntered");
}

TEST_F(RedriveTest, RedriveCountInTheContextObject) {
  succeed_at_ = 5;
  ExecutionResult first = Run({}, {}, kT0);
  std::vector<HistoryEvent> history = All(first.events);
  ExecutionResult again = Run(history, {{6, 12}}, kT0 + 1000);
  ASSERT_EQ(again.status, ExecutionStatus::kFailed);
  // The redriven attempt saw RedriveCount 1.
  ASSERT_FALSE(tasks_.calls.empty());
  EXPECT_EQ(tasks_.calls.back().Dump(), R"({"step":"T","redrives":1})");
}

}  // namespace
}  // namespace stator::engine
