// Task states: service integration and Lambda events, Retry with virtual-time back-off, Catch,
// TimeoutSeconds / HeartbeatSeconds, error matching rules, asynchronous completions.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "engine/executor.h"
#include "engine/test_util.h"

namespace stator::engine {
namespace {

using testing::Details;
using testing::FakeTasks;
using testing::J;
using testing::kT0;
using testing::RunDef;
using testing::RunUntilOrFail;
using testing::Shape;
using testing::Types;
using V = std::vector<std::string>;

constexpr const char* kInvoke = "arn:aws:states:::lambda:invoke";

TEST(ExecutorTask, ServiceIntegrationEventsAndResultProcessing) {
  FakeTasks tasks;
  tasks.On(kInvoke, [](const TaskRequest& req) {
    return TaskOutcome(J(R"({"Payload":{"sum":3},"StatusCode":200})"));
  });
  auto r = RunDef(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":
      "arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f","Payload.$":"$.in"},
      "ResultSelector":{"s.$":"$.Payload.sum"},"ResultPath":"$.res","End":true}}})",
                  R"({"in":[1,2]})", &tasks);
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(*r.output, J(R"({"in":[1,2],"res":{"s":3}})"));
  ASSERT_EQ(tasks.calls.size(), 1u);
  EXPECT_EQ(tasks.calls[0], J(R"({"FunctionName":"f","Payload":[1,2]})"));
  EXPECT_EQ(Shape(r), (V{"1 0 ExecutionStarted", "2 0 TaskStateEntered", "3 2 TaskScheduled",
                         "4 3 TaskStarted", "5 4 TaskSucceeded", "6 5 TaskStateExited",
                         "7 6 ExecutionSucceeded"}));
  EXPECT_EQ(Details(r, 2), J(R"({"resourceType":"lambda","resource":"invoke",
      "region":"us-east-1","parameters":"{\"FunctionName\":\"f\",\"Payload\":[1,2]}"})"));
  EXPECT_EQ(Details(r, 3), J(R"({"resourceType":"lambda","resource":"invoke"})"));
  EXPECT_EQ(Details(r, 4), J(R"({"resourceType":"lambda","resource":"invoke",
      "output":"{\"Payload\":{\"sum\":3},\"StatusCode\":200}",
      "outputDetails":{"truncated":false}})"));
  // The task saw the context object, with RetryCount for a Task state.
  EXPECT_EQ(*tasks.contexts[0].Find("State")->Find("RetryCount"), json::Value::Int(0));
}

TEST(ExecutorTask, LambdaFunctionArnEvents) {
  const std::string arn = "arn:aws:lambda:us-east-1:123456789012:function:f";
  FakeTasks tasks;
  tasks.On(arn, [](const TaskRequest&) { return TaskOutcome(Error{"Boom", "bad"}); });
  auto r = RunDef(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")" + arn +
                      R"(","TimeoutSeconds":10,"End":true}}})",
                  R"({"a":1})", &tasks);
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(*r.error, "Boom");
  EXPECT_EQ(Types(r), (V{"ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled",
                         "LambdaFunctionStarted", "LambdaFunctionFailed", "ExecutionFailed"}));
  EXPECT_EQ(Details(r, 2), J(R"({"resource":")" + arn + R"(","input":"{\"a\":1}",
      "inputDetails":{"truncated":false},"timeoutInSeconds":10})"));
  EXPECT_EQ(r.events[3].details_key, "");
  EXPECT_EQ(Details(r, 4), J(R"({"error":"Boom","cause":"bad"})"));
}

TEST(ExecutorTask, RetryBackoffInVirtualTimeThenCatch) {
  FakeTasks tasks;
  tasks.On(kInvoke, [](const TaskRequest&) { return TaskOutcome(Error{"Flaky", "try again"}); });
  auto r = RunDef(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":
      "arn:aws:states:::lambda:invoke",
      "Retry":[{"ErrorEquals":["Flaky"],"IntervalSeconds":2,"MaxAttempts":2,"BackoffRate":3}],
      "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"H"}],"End":true},
      "H":{"Type":"Pass","End":true}}})",
                  R"({"k":1})", &tasks);
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(*r.output, J(R"({"k":1,"err":{"Error":"Flaky","Cause":"try again"}})"));
  EXPECT_EQ(tasks.calls.size(), 3u);
  EXPECT_EQ(Types(r), (V{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
                         "TaskFailed", "TaskScheduled", "TaskStarted", "TaskFailed",
                         "TaskScheduled", "TaskStarted", "TaskFailed", "TaskStateExited",
                         "PassStateEntered", "PassStateExited", "ExecutionSucceeded"}));
  // Back-off: 2 s, then 2 * 3 = 6 s, in virtual time.
  EXPECT_EQ(r.events[5].timestamp_millis - r.events[4].timestamp_millis, 2000);
  EXPECT_EQ(r.events[8].timestamp_millis - r.events[7].timestamp_millis, 6000);
  // Every event follows the previous one.
  for (size_t i = 2; i < r.events.size(); ++i) {
    EXPECT_EQ(r.events[i].previous_event_id, r.events[i - 1].id) << i;
  }
  // RetryCount in the context object counts attempts.
  EXPECT_EQ(*tasks.contexts[2].Find("State")->Find("RetryCount"), json::Value::Int(2));
}

TEST(ExecutorTask, MaxDelayAndFirstMatchingRetrierDecides) {
  FakeTasks tasks;
  int n = 0;
  tasks.On(kInvoke, [&](const TaskRequest&) {
    return ++n < 4 ? TaskOutcome(Error{"E", ""}) : TaskOutcome(J("1"));
  });
  auto r = RunDef(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":
      "arn:aws:states:::lambda:invoke","Retry":[
        {"ErrorEquals":["E"],"IntervalSeconds":10,"MaxAttempts":3,"BackoffRate":10,
         "MaxDelaySeconds":50},
        {"ErrorEquals":["States.ALL"],"MaxAttempts":0}],"End":true}}})",
                  "{}", &tasks);
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(r.stop_millis - r.start_millis, (10 + 50 + 50) * 1000);

  // A matching retrier with attempts used up ends retrying even if a later one matches too.
  n = 0;
  r = RunDef(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":
      "arn:aws:states:::lambda:invoke","Retry":[
        {"ErrorEquals":["E"],"MaxAttempts":1},{"ErrorEquals":["States.ALL"],"MaxAttempts":5}],
      "End":true}}})",
             "{}", &tasks);
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(n, 2);
}

TEST(ExecutorTask, StatesAllDoesNotCatchRuntime) {
  FakeTasks tasks;
  tasks.On(kInvoke, [](const TaskRequest&) { return TaskOutcome(J("1")); });
  auto r = RunDef(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":
      "arn:aws:states:::lambda:invoke","ResultPath":"$.a.b","OutputPath":"$.nope",
      "Retry":[{"ErrorEquals":["States.ALL"]}],
      "Catch":[{"ErrorEquals":["States.ALL"],"Next":"C"}],"End":true},
      "C":{"Type":"Pass","End":true}}})",
                  "{}", &tasks);
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(*r.error, "States.Runtime");
  EXPECT_EQ(tasks.calls.size(), 1u);
}

TEST(ExecutorTask, TimeoutSecondsTimesOutAndTaskFailedDoesNotMatchIt) {
  FakeTasks tasks;
  tasks.On(kInvoke, [](const TaskRequest&) { return std::optional<TaskOutcome>(); });
  auto r = RunDef(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":
      "arn:aws:states:::lambda:invoke","TimeoutSeconds":30,
      "Catch":[{"ErrorEquals":["States.TaskFailed"],"Next":"Wrong"},
               {"ErrorEquals":["States.Timeout"],"Next":"Right"}],"End":true},
      "Wrong":{"Type":"Fail","Error":"wrong"},"Right":{"Type":"Pass","End":true}}})",
                  "{}", &tasks);
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(*r.output, J(R"({"Error":"States.Timeout"})"));
  EXPECT_EQ(Types(r), (V{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
                         "TaskTimedOut", "TaskStateExited", "PassStateEntered", "PassStateExited",
                         "ExecutionSucceeded"}));
  EXPECT_EQ(r.events[4].timestamp_millis - r.events[3].timestamp_millis, 30000);
  EXPECT_EQ(Details(r, 2).Find("timeoutInSeconds")->as_int(), 30);
  EXPECT_EQ(Details(r, 4),
            J(R"({"resourceType":"lambda","resource":"invoke","error":"States.Timeout"})"));
  // A late completion is ignored.
  ASSERT_EQ(tasks.pending.size(), 1u);
  tasks.pending[0](TaskOutcome(J("1")));
}

TEST(ExecutorTask, HeartbeatTimeoutAndTaskToken) {
  FakeTasks tasks;
  tasks.On(kInvoke, [](const TaskRequest&) { return std::optional<TaskOutcome>(); });
  auto r = RunDef(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":
      "arn:aws:states:::lambda:invoke.waitForTaskToken","HeartbeatSeconds":5,
      "TimeoutSeconds":100,"End":true}}})",
                  "{}", &tasks);
  // No handler for the .waitForTaskToken resource: fails at once (Fake.NoHandler).
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(*r.error, "Fake.NoHandler");

  tasks.On("arn:aws:states:::lambda:invoke.waitForTaskToken", [](const TaskRequest& req) {
    EXPECT_FALSE(req.task_token.empty());
    EXPECT_EQ(req.context->Find("Task")->Find("Token")->as_string(), req.task_token);
    return std::optional<TaskOutcome>();
  });
  r = RunDef(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":
      "arn:aws:states:::lambda:invoke.waitForTaskToken","HeartbeatSeconds":5,
      "TimeoutSeconds":100,"End":true}}})",
             "{}", &tasks);
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(*r.error, "States.HeartbeatTimeout");
  EXPECT_EQ(r.stop_millis - r.start_millis, 5000);
  EXPECT_EQ(Details(r, 2).Find("heartbeatInSeconds")->as_int(), 5);
  EXPECT_EQ(Details(r, 2).Find("resource")->as_string(), "invoke.waitForTaskToken");
}

TEST(ExecutorTask, TaskTokenInParametersAndMadeByTheServer) {
  FakeTasks tasks;
  const std::string res = "arn:aws:states:::states:startExecution.waitForTaskToken";
  std::string seen;
  tasks.On(res, [&](const TaskRequest& req) {
    seen = req.task_token;
    // Parameters read $$.Task.Token: the attempt's token, made before they are evaluated.
    EXPECT_EQ(req.parameters.Find("Input")->Find("token")->as_string(), req.task_token);
    EXPECT_EQ(req.context->Find("Task")->Find("Token")->as_string(), req.task_token);
    return std::optional<TaskOutcome>(TaskOutcome(J(R"({"cb":1})")));
  });
  ExecutionOptions o;
  o.make_task_token = [](const std::string& arn, const std::string& nonce) {
    return "signed:" + arn + ":" + nonce;
  };
  auto r = RunDef(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")" + res +
                      R"(","Parameters":{"Input":{"token.$":"$$.Task.Token"}},"End":true}}})",
                  "{}", &tasks, o);
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_TRUE(seen.starts_with("signed:arn:aws:states:us-east-1:123456789012:execution:"));
  EXPECT_GT(seen.size(), 100u);
}

TEST(ExecutorTask, ActivityStartedWhenAWorkerTakesTheTask) {
  FakeTasks tasks;
  const std::string act = "arn:aws:states:us-east-1:123456789012:activity:work";
  tasks.On(act, [](const TaskRequest& req) {
    EXPECT_FALSE(req.task_token.empty());           // what GetActivityTask hands out
    EXPECT_EQ(req.context->Find("Task"), nullptr);  // not in the context object
    req.submitted(J(R"({"workerName":"w1"})"));
    req.submitted(J(R"({"workerName":"again"})"));  // once per attempt
    return std::optional<TaskOutcome>(TaskOutcome(J(R"({"done":true})")));
  });
  auto r = RunDef(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")" + act +
                      R"(","TimeoutSeconds":30,"End":true}}})",
                  R"({"n":1})", &tasks);
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(Types(r),
            (V{"ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted",
               "ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded"}));
  EXPECT_EQ(r.events[3].ToJson().Find("activityStartedEventDetails")->Dump(),
            R"({"workerName":"w1"})");
  EXPECT_EQ(r.events[3].previous_event_id, 3);

  // An activity that does not exist: States.Runtime before ActivityScheduled, as AWS records.
  ExecutionOptions missing;
  missing.activity_exists = [](const std::string&) { return false; };
  r = RunDef(
      R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")" + act + R"(","End":true}}})",
      "{}", &tasks, missing);
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(Types(r), (V{"ExecutionStarted", "TaskStateEntered", "ExecutionFailed"}));
  EXPECT_EQ(*r.cause,
            "An error occurred while executing the state 'T' (entered at the event id #2). The "
            "activity " +
                act + " does not exist.");

  // Nobody takes it: ActivityTimedOut right after ActivityScheduled.
  tasks.On(act, [](const TaskRequest&) { return std::optional<TaskOutcome>(); });
  r = RunDef(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")" + act +
                 R"(","TimeoutSeconds":30,"End":true}}})",
             "{}", &tasks);
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(Types(r), (V{"ExecutionStarted", "TaskStateEntered", "ActivityScheduled",
                         "ActivityTimedOut", "ExecutionFailed"}));
}

TEST(ExecutorTask, RunnerReportedTimeoutIsATimeout) {
  FakeTasks tasks;
  tasks.On(kInvoke, [](const TaskRequest&) {
    return TaskOutcome(Error{"States.Timeout", "killed after 1 s"});
  });
  auto r = RunDef(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":
      "arn:aws:states:::lambda:invoke","TimeoutSeconds":1,"End":true}}})",
                  "{}", &tasks);
  ASSERT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(*r.error, "States.Timeout");
  EXPECT_EQ(Types(r), (V{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
                         "TaskTimedOut", "ExecutionFailed"}));
}

TEST(ExecutorTask, HeartbeatsResetTheHeartbeatTimer) {
  FakeTasks tasks;
  tasks.On(kInvoke, [](const TaskRequest&) { return std::optional<TaskOutcome>(); });
  VirtualClock clock(kT0);
  Scheduler scheduler(&clock);
  auto exec = Execution::Create(
      testing::MustCompile(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":
          "arn:aws:states:::lambda:invoke","HeartbeatSeconds":5,"End":true}}})"),
      ExecutionOptions{}, &tasks, &scheduler);
  exec->Start();
  ASSERT_TRUE(RunUntilOrFail(
      scheduler, [&] { return !tasks.pending.empty(); }, "a task pending"));
  for (int64_t t = 4000; t <= 16000; t += 4000) {
    clock.AdvanceTo(kT0 + t);
    tasks.heartbeats[0]();
    while (scheduler.RunOnce()) {
    }
    ASSERT_FALSE(exec->finished()) << t;
  }
  tasks.pending[0](TaskOutcome(J("7")));
  ASSERT_TRUE(RunUntilOrFail(
      scheduler, [&] { return exec->finished(); }, "the execution finished"));
  ExecutionResult r = exec->TakeResult();
  EXPECT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(r.stop_millis - r.start_millis, 16000);
}

TEST(ExecutorTask, CompletionFromAnotherThread) {
  // A runner that answers 20 ms later from its own thread; the virtual clock must not jump to
  // the task's timeout meanwhile.
  class ThreadTasks : public TaskRunner {
   public:
    void Start(const TaskRequest& req, TaskCompletion done) override {
      threads.emplace_back([done = std::move(done)] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        done(TaskOutcome(J(R"("late")")));
      });
    }
    ~ThreadTasks() override {
      for (auto& t : threads) t.join();
    }
    std::vector<std::thread> threads;
  } tasks;
  VirtualClock clock(kT0);
  Scheduler scheduler(&clock, /*virtual_grace_millis=*/60000);
  auto exec = Execution::Create(
      testing::MustCompile(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":
          "arn:aws:states:::lambda:invoke","TimeoutSeconds":60,"End":true}}})"),
      ExecutionOptions{}, &tasks, &scheduler);
  exec->Start();
  ASSERT_TRUE(RunUntilOrFail(
      scheduler, [&] { return exec->finished(); }, "the execution finished"));
  ExecutionResult r = exec->TakeResult();
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(*r.output, J(R"("late")"));
  EXPECT_EQ(r.stop_millis, r.start_millis);
}

TEST(ExecutorTask, SubmittedEventForSyncIntegrations) {
  FakeTasks tasks;
  const std::string res = "arn:aws:states:::states:startExecution.sync:2";
  tasks.On(res, [](const TaskRequest& req) {
    req.submitted(J(R"({"ExecutionArn":"x"})"));
    return std::optional<TaskOutcome>();
  });
  VirtualClock clock(kT0);
  Scheduler scheduler(&clock);
  ExecutionOptions o;
  auto exec = Execution::Create(
      testing::MustCompile(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")" + res +
                           R"(","End":true}}})"),
      o, &tasks, &scheduler);
  exec->Start();
  // Run until the task is pending, then complete it from the test.
  ASSERT_TRUE(RunUntilOrFail(
      scheduler, [&] { return !tasks.pending.empty(); }, "a task pending"));
  while (scheduler.RunOnce()) {
  }
  tasks.pending[0](TaskOutcome(J(R"({"Status":"SUCCEEDED"})")));
  ASSERT_TRUE(RunUntilOrFail(
      scheduler, [&] { return exec->finished(); }, "the execution finished"));
  ExecutionResult r = exec->TakeResult();
  ASSERT_EQ(r.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(Types(r),
            (V{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
               "TaskSubmitted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"}));
  EXPECT_EQ(Details(r, 4).Find("resource")->as_string(), "startExecution.sync:2");
  EXPECT_EQ(Details(r, 4).Find("resourceType")->as_string(), "states");
}

TEST(ExecutorTask, StopAbortsARunningExecution) {
  FakeTasks tasks;
  tasks.On(kInvoke, [](const TaskRequest&) { return std::optional<TaskOutcome>(); });
  VirtualClock clock(kT0);
  Scheduler scheduler(&clock);
  auto exec = Execution::Create(
      testing::MustCompile(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":
          "arn:aws:states:::lambda:invoke","End":true}}})"),
      ExecutionOptions{}, &tasks, &scheduler);
  exec->Start();
  ASSERT_TRUE(RunUntilOrFail(
      scheduler, [&] { return !tasks.pending.empty(); }, "a task pending"));
  exec->Stop("Cancelled", "by test");
  ASSERT_TRUE(RunUntilOrFail(
      scheduler, [&] { return exec->finished(); }, "the execution finished"));
  ExecutionResult r = exec->TakeResult();
  EXPECT_EQ(r.status, ExecutionStatus::kAborted);
  EXPECT_EQ(r.events.back().type, "ExecutionAborted");
  EXPECT_EQ(Details(r, r.events.size() - 1), J(R"({"error":"Cancelled","cause":"by test"})"));
}

}  // namespace
}  // namespace stator::engine
