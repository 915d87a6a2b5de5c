// Crash resume (ExecutionOptions::replay): an execution re-run over any prefix of its own
// history records exactly the rest of that history (ids, previous ids, types, timestamps and
// details), as if it had never stopped.
#include <gtest/gtest.h>

#include <set>

#include "engine/executor.h"
#include "engine/test_util.h"

namespace stator::engine {
namespace {

using testing::FakeTasks;
using testing::J;
using testing::kT0;
using testing::MustCompile;

// The first n events as a store keeps them: details rendered, payloads as JSON text.
std::vector<HistoryEvent> Stored(const EventLog& events, size_t n) {
  std::vector<HistoryEvent> out;
  for (size_t i = 0; i < n; ++i) {
    const HistoryEvent& e = events[i];
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

std::string Line(const HistoryEvent& e) {
  return std::to_string(e.id) + " " + std::to_string(e.previous_event_id) + " " +
         std::string(e.type) + " " + std::to_string(e.timestamp_millis) + " " + e.ToJson().Dump();
}

ExecutionResult RunOnce(const std::string& definition, const std::string& input, TaskRunner* tasks,
                        int64_t clock_start, std::vector<HistoryEvent> replay = {}) {
  VirtualClock clock(clock_start);
  ExecutionOptions o;
  o.input = J(input);
  o.execution_name = "exec";
  o.random_seed = 7;
  o.start_millis = kT0;
  if (!replay.empty()) o.replay = std::make_shared<std::vector<HistoryEvent>>(std::move(replay));
  return RunToCompletion(MustCompile(definition), o, tasks, &clock);
}

void ExpectResumesEverywhere(const std::string& definition, const std::string& input,
                             FakeTasks* tasks, int64_t downtime);

std::string Shape(const HistoryEvent& e) {
  return std::to_string(e.id) + " " + std::to_string(e.previous_event_id) + " " +
         std::string(e.type);
}

// Runs `definition` once, then resumes it from every prefix of its history and checks that
// each resumed run records the rest of the history exactly. When the order of the execution's
// events does not depend on how long things take (`timing_free`), again with the server down
// for a while before the resume (timers that ended meanwhile fire at once, in their order): the
// same events, later. (Otherwise a downtime may reorder them, as it would on any service: a
// retry back-off that starts after the restart ends later than it would have.)
void ExpectResumesEverywhere(const std::string& definition, const std::string& input,
                             FakeTasks* tasks, bool timing_free = true) {
  for (int64_t downtime : {0, 1500, 60000}) {
    if (downtime > 0 && !timing_free) break;
    SCOPED_TRACE("down for " + std::to_string(downtime) + " ms");
    ExpectResumesEverywhere(definition, input, tasks, downtime);
  }
}

void ExpectResumesEverywhere(const std::string& definition, const std::string& input,
                             FakeTasks* tasks, int64_t downtime) {
  ExecutionResult full = RunOnce(definition, input, tasks, kT0);
  ASSERT_NE(full.status, ExecutionStatus::kRunning);
  ASSERT_GT(full.events.size(), 3u);
  for (size_t k = 1; k < full.events.size(); ++k) {
    SCOPED_TRACE("resumed after event " + std::to_string(k));
    ExecutionResult resumed =
        RunOnce(definition, input, tasks, full.events[k - 1].timestamp_millis + downtime,
                Stored(full.events, k));
    EXPECT_EQ(resumed.status, full.status);
    EXPECT_EQ(resumed.output.has_value(), full.output.has_value());
    if (resumed.output && full.output) {
      EXPECT_EQ(*resumed.output, *full.output);
    }
    EXPECT_EQ(resumed.error, full.error);
    EXPECT_EQ(resumed.cause, full.cause);
    ASSERT_EQ(resumed.events.size(), full.events.size() - k);
    for (size_t i = 0; i < resumed.events.size(); ++i) {
      if (downtime == 0) {
        EXPECT_EQ(Line(resumed.events[i]), Line(full.events[k + i]));
      } else {
        EXPECT_EQ(Shape(resumed.events[i]), Shape(full.events[k + i]));
        EXPECT_GE(resumed.events[i].timestamp_millis, full.events[k + i].timestamp_millis);
      }
    }
  }
}

// Fails a task until its third attempt (the outcome depends only on the request, so a task
// dispatched again after a resume answers as it did the first time).
std::optional<TaskOutcome> FlakyUntilThirdAttempt(const TaskRequest& r) {
  const json::Value* attempt = r.parameters.Find("attempt");
  if (attempt != nullptr && attempt->is_int() && attempt->as_int() < 2) {
    return TaskOutcome(Error{"Flaky", "attempt " + std::to_string(attempt->as_int())});
  }
  return TaskOutcome(J(R"({"ok":true})"));
}

TEST(ExecutorReplay, ActivityStartedAndTheSameTokenAfterAResume) {
  FakeTasks tasks;
  const std::string act = "arn:aws:states:us-east-1:123456789012:activity:work";
  std::vector<std::string> tokens;
  tasks.On(act, [&](const TaskRequest& r) {
    tokens.push_back(r.task_token);
    r.submitted(J(R"({"workerName":"w"})"));
    return TaskOutcome(J(R"({"ok":1})"));
  });
  tasks.On("arn:aws:states:::lambda:invoke.waitForTaskToken", [&](const TaskRequest& r) {
    tokens.push_back(r.task_token);
    return TaskOutcome(J(R"({"cb":2})"));
  });
  const std::string definition = R"({"StartAt":"A","States":{
      "A":{"Type":"Task","Resource":")" +
                                 act + R"(","Next":"B"},
      "B":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
           "Parameters":{"FunctionName":"f","Payload":{"t.$":"$$.Task.Token"}},"End":true}}})";
  ExpectResumesEverywhere(definition, "{}", &tasks);
  // Every dispatch of an attempt, first run or resumed, carried that attempt's one token.
  std::set<std::string> distinct(tokens.begin(), tokens.end());
  EXPECT_EQ(distinct.size(), 2u);
}

TEST(ExecutorReplay, MapOfWaitsTasksAndRetriesWithJitter) {
  FakeTasks tasks;
  tasks.On("arn:aws:states:::lambda:invoke", FlakyUntilThirdAttempt);
  ExpectResumesEverywhere(R"json({"StartAt":"Init","States":{
      "Init":{"Type":"Pass","Assign":{"id.$":"States.UUID()","n.$":"States.MathRandom(1,1000)"},
              "Next":"M"},
      "M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,"Next":"Done",
           "ItemProcessor":{"StartAt":"W","States":{
             "W":{"Type":"Wait","SecondsPath":"$.wait","Next":"T"},
             "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
                  "Parameters":{"attempt.$":"$$.State.RetryCount","v.$":"$.v"},
                  "Retry":[{"ErrorEquals":["Flaky"],"IntervalSeconds":2,"MaxAttempts":3,
                            "BackoffRate":1.5,"JitterStrategy":"FULL"}],
                  "End":true}}}},
      "Done":{"Type":"Pass","Parameters":{"r.$":"$","id.$":"$id","n.$":"$n"},"End":true}}})json",
                          R"({"items":[{"wait":5,"v":1},{"wait":1,"v":2},{"wait":3,"v":3},
                                       {"wait":0,"v":4}]})",
                          &tasks, /*timing_free=*/false);
}

TEST(ExecutorReplay, SyncTaskThatReportedItsSubmission) {
  // A .sync integration reports TaskSubmitted before its outcome. Resumed after the submission,
  // the task is dispatched again and reports it again: recorded once, and the outcome that
  // follows continues from it. The child's name comes from the scheduled event, as the
  // Step Functions runner derives it, so both runs see the same one.
  FakeTasks tasks;
  tasks.On("arn:aws:states:::states:startExecution.sync",
           [](const TaskRequest& r) -> std::optional<TaskOutcome> {
             const std::string child = "child-" + std::to_string(r.scheduled_event_id);
             if (r.submitted) r.submitted(J(R"({"ExecutionArn":")" + child + R"("})"));
             return TaskOutcome(J(R"({"ExecutionArn":")" + child + R"(","Status":"SUCCEEDED"})"));
           });
  ExpectResumesEverywhere(R"({"StartAt":"T","States":{
      "T":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync",
           "Parameters":{"StateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:c"},
           "Next":"P"},
      "P":{"Type":"Pass","End":true}}})",
                          "{}", &tasks);
}

TEST(ExecutorReplay, MapIterationsWhoseWaitsEndTogether) {
  FakeTasks tasks;
  // The third iteration starts when the first ends (after 2 s) and waits 1 s: it ends when the
  // second (3 s) does. The earlier timer goes first, on every run.
  ExpectResumesEverywhere(R"({"StartAt":"M","States":{
      "M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,"End":true,
           "ItemProcessor":{"StartAt":"W","States":{
             "W":{"Type":"Wait","SecondsPath":"$.w","Next":"P"},
             "P":{"Type":"Pass","End":true}}}}}})",
                          R"({"items":[{"w":2},{"w":3},{"w":1},{"w":2}]})", &tasks);
}

TEST(ExecutorReplay, ParallelBranchesInterleavingWaits) {
  FakeTasks tasks;
  ExpectResumesEverywhere(R"({"StartAt":"P","States":{"P":{"Type":"Parallel","Next":"C",
      "Branches":[
        {"StartAt":"A1","States":{"A1":{"Type":"Wait","Seconds":3,"Next":"A2"},
                                  "A2":{"Type":"Wait","Seconds":3,"End":true}}},
        {"StartAt":"B1","States":{"B1":{"Type":"Wait","Seconds":2,"Next":"B2"},
                                  "B2":{"Type":"Wait","Seconds":2,"Next":"B3"},
                                  "B3":{"Type":"Pass","Result":"b","End":true}}}]},
      "C":{"Type":"Choice","Choices":[{"Variable":"$[1]","StringEquals":"b","Next":"Yes"}],
           "Default":"No"},
      "Yes":{"Type":"Succeed"},"No":{"Type":"Fail","Error":"Wrong"}}})",
                          "{}", &tasks);
}

TEST(ExecutorReplay, TaskTimeoutAndCatch) {
  FakeTasks tasks;
  tasks.On("arn:aws:states:::lambda:invoke",
           [](const TaskRequest&) { return std::optional<TaskOutcome>(); });  // never answers
  ExpectResumesEverywhere(R"({"StartAt":"T","States":{
      "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":10,"Next":"F",
           "Catch":[{"ErrorEquals":["States.Timeout"],"ResultPath":"$.error","Next":"F"}]},
      "F":{"Type":"Fail","ErrorPath":"$.error.Error"}}})",
                          "{}", &tasks);
}

TEST(ExecutorReplay, ExecutionTimeout) {
  FakeTasks tasks;
  ExpectResumesEverywhere(R"({"TimeoutSeconds":5,"StartAt":"A","States":{
      "A":{"Type":"Pass","Next":"W"},"W":{"Type":"Wait","Seconds":60,"End":true}}})",
                          "{}", &tasks);
}

TEST(ExecutorReplay, AHistoryThatDisagreesFailsTheExecution) {
  FakeTasks tasks;
  const std::string def = R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},
                             "B":{"Type":"Pass","End":true}}})";
  ExecutionResult full = RunOnce(def, "{}", &tasks, kT0);
  std::vector<HistoryEvent> history = Stored(full.events, 3);
  history[2].type = "WaitStateEntered";  // not what this definition records
  ExecutionResult resumed = RunOnce(def, "{}", &tasks, kT0, history);
  EXPECT_EQ(resumed.status, ExecutionStatus::kFailed);
  EXPECT_EQ(resumed.error, "States.Runtime");
  ASSERT_EQ(resumed.events.size(), 1u);
  EXPECT_EQ(resumed.events[0].id, 4);
  EXPECT_EQ(resumed.events[0].previous_event_id, 3);
  EXPECT_EQ(resumed.events[0].type, "ExecutionFailed");
}

}  // namespace
}  // namespace stator::engine
