// Tests for the task runners: subprocess, command tasks, mock configuration, the default runner
// and the router.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "common/test_util.h"
#include "integrations/command_task.h"
#include "integrations/mock_config.h"
#include "integrations/subprocess.h"
#include "integrations/task_router.h"
#include "integrations/unavailable_resource.h"

namespace stator::integrations {
namespace {

using stator::testing::J;

engine::TaskRequest Request(const std::string& state, const std::string& resource,
                            const std::string& params = "{}") {
  engine::TaskRequest r;
  r.state_name = state;
  r.resource = resource;
  r.parameters = J(params);
  return r;
}

engine::TaskOutcome RunSync(engine::TaskRunner& runner, const engine::TaskRequest& request) {
  std::optional<engine::TaskOutcome> out;
  int calls = 0;
  runner.Start(request, [&](engine::TaskOutcome o) {
    ++calls;
    out.emplace(std::move(o));
  });
  EXPECT_EQ(calls, 1);
  return out.has_value() ? *std::move(out) : engine::TaskOutcome(Error{"none", ""});
}

// ---- SplitCommandLine

TEST(SplitCommandLine, WordsAndQuotes) {
  auto w = SplitCommandLine("  python3 -c 'print(1); x' \"a \\\"b\\\" c\" d\\ e  ");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(*w, (std::vector<std::string>{"python3", "-c", "print(1); x", "a \"b\" c", "d e"}));
}

TEST(SplitCommandLine, NoExpansion) {
  auto w = SplitCommandLine("echo $HOME `id` ; rm *");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(*w, (std::vector<std::string>{"echo", "$HOME", "`id`", ";", "rm", "*"}));
}

TEST(SplitCommandLine, Errors) {
  EXPECT_FALSE(SplitCommandLine("").ok());
  EXPECT_FALSE(SplitCommandLine("   ").ok());
  EXPECT_FALSE(SplitCommandLine("echo 'open").ok());
  EXPECT_FALSE(SplitCommandLine("echo \"open").ok());
}

// ---- RunProcess

TEST(RunProcess, StdinToStdout) {
  ProcessSpec spec;
  spec.argv = {"cat"};
  spec.stdin_data = "hello";
  auto r = RunProcess(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->exited_ok());
  EXPECT_EQ(r->stdout_data, "hello");
}

TEST(RunProcess, LargeInputAndOutputDoNotDeadlock) {
  ProcessSpec spec;
  spec.argv = {"cat"};
  spec.stdin_data.assign(3 << 20, 'x');  // larger than any pipe buffer
  auto r = RunProcess(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stdout_data.size(), spec.stdin_data.size());
}

TEST(RunProcess, ExitCodeStderrAndEnv) {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "echo \"$FOO\" >&2; exit 3"};
  spec.extra_env = {"FOO=bar baz"};
  auto r = RunProcess(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->stderr_data, "bar baz\n");
}

TEST(RunProcess, ChildThatIgnoresStdinDoesNotKillUs) {
  ProcessSpec spec;
  spec.argv = {"true"};
  spec.stdin_data.assign(1 << 20, 'x');
  auto r = RunProcess(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->exited_ok());
}

// Whether process pid has ended (gone, or a zombie nobody reaped yet).
bool Ended(const std::string& pid) {
  std::ifstream stat("/proc/" + pid + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  size_t paren = line.rfind(')');
  return paren == std::string::npos || line.compare(paren + 2, 1, "Z") == 0;
}

TEST(RunProcess, TimeoutKillsProcessGroup) {
  char dir[] = "/tmp/stator-pgroup-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string pids_file = std::string(dir) + "/pids";
  // The shell starts a child of its own, then writes both pids; the timeout must end both.
  // (A machine too slow to write them within the timeout gets a longer one.)
  std::vector<std::string> pids;
  for (int64_t timeout : {1000, 10000}) {
    ProcessSpec spec;
    spec.argv = {"sh", "-c",
                 "sleep 60 & echo $! > " + pids_file + "; echo $$ >> " + pids_file + "; sleep 60"};
    spec.timeout_millis = timeout;
    auto r = RunProcess(spec);
    ASSERT_TRUE(r.ok()) << r.error().cause;
    EXPECT_TRUE(r->timed_out);
    std::ifstream in(pids_file);
    pids.clear();
    for (std::string pid; std::getline(in, pid);) pids.push_back(pid);
    if (pids.size() == 2) break;
  }
  ASSERT_EQ(pids.size(), 2u) << "the shell never wrote its pids";
  for (const std::string& pid : pids) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!Ended(pid) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(Ended(pid)) << "process " << pid << " of the group outlived the timeout";
  }
  std::remove(pids_file.c_str());
  rmdir(dir);
}

TEST(RunProcess, MissingProgram) {
  ProcessSpec spec;
  spec.argv = {"/nonexistent/program"};
  auto r = RunProcess(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().cause.find("No such file"), std::string::npos) << r.error().cause;
}

TEST(RunProcess, Signal) {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "kill -TERM $$"};
  auto r = RunProcess(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->term_signal, 15);
  EXPECT_FALSE(r->exited_ok());
}

// ---- CommandTaskRunner

CommandTaskRunner Sh(const std::string& script) { return CommandTaskRunner({"sh", "-c", script}); }

TEST(CommandTask, ResultFromStdout) {
  auto runner = Sh("cat");  // echoes its input
  auto out = RunSync(runner, Request("T", "arn:aws:states:::lambda:invoke", "{\"a\":[1,2.5]}"));
  ASSERT_TRUE(out.ok()) << out.error().cause;
  EXPECT_EQ(*out, J("{\"a\":[1,2.5]}"));
}

TEST(CommandTask, EnvironmentNamesStateAndResource) {
  auto runner = Sh("printf '[\"%s\",\"%s\"]' \"$STATOR_STATE_NAME\" \"$STATOR_RESOURCE\"");
  auto out = RunSync(runner, Request("My State", "arn:x"));
  ASSERT_TRUE(out.ok()) << out.error().cause;
  EXPECT_EQ(*out, J("[\"My State\",\"arn:x\"]"));
}

TEST(CommandTask, EmptyStdoutIsNull) {
  auto runner = Sh("cat >/dev/null");
  auto out = RunSync(runner, Request("T", "r"));
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->is_null());
}

TEST(CommandTask, InvalidJsonOnStdout) {
  auto runner = Sh("echo 'not json'");
  auto out = RunSync(runner, Request("T", "r"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().error, "States.TaskFailed");
  EXPECT_NE(out.error().cause.find("invalid JSON"), std::string::npos) << out.error().cause;
}

TEST(CommandTask, ErrorObjectOnStdout) {
  auto runner = Sh("echo '{\"Error\":\"MyError\",\"Cause\":\"it broke\"}'; exit 1");
  auto out = RunSync(runner, Request("T", "r"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error(), (Error{"MyError", "it broke"}));
}

TEST(CommandTask, ErrorObjectOnStderrWithObjectCause) {
  auto runner = Sh("echo '{\"Error\":\"E\",\"Cause\":{\"x\":1}}' >&2; exit 2");
  auto out = RunSync(runner, Request("T", "r"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error(), (Error{"E", "{\"x\":1}"}));
}

TEST(CommandTask, PlainFailureUsesStderr) {
  auto runner = Sh("echo 'boom' >&2; exit 1");
  auto out = RunSync(runner, Request("T", "r"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error(), (Error{"States.TaskFailed", "boom"}));
}

TEST(CommandTask, SilentFailureSaysExitStatus) {
  auto runner = Sh("exit 7");
  auto out = RunSync(runner, Request("T", "r"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().error, "States.TaskFailed");
  EXPECT_NE(out.error().cause.find("exited with status 7"), std::string::npos);
}

TEST(CommandTask, Timeout) {
  auto runner = Sh("sleep 30");
  auto request = Request("T", "r");
  request.timeout_seconds = 0;  // the limit has passed as soon as it starts
  auto out = RunSync(runner, request);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().error, "States.Timeout");
}

TEST(CommandTask, CannotStart) {
  CommandTaskRunner runner({"/nonexistent/handler"});
  auto out = RunSync(runner, Request("T", "r"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().error, "States.TaskFailed");
  EXPECT_NE(out.error().cause.find("could not be started"), std::string::npos);
}

// ---- MockConfig

const char* kConfig = R"({
  "StateMachines": {
    "Machine": {
      "TestCases": {
        "Happy": {"A": "Ok"},
        "Retry": {"A": "FlakyThenOk", "B": "Ok"}
      }
    }
  },
  "MockedResponses": {
    "Ok": {"0": {"Return": {"StatusCode": 200, "Payload": {"v": 1}}}},
    "FlakyThenOk": {
      "0": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "first"}},
      "1-2": {"Throw": {"Error": "Lambda.TooManyRequestsException"}},
      "3": {"Return": "done"}
    }
  }
})";

TEST(MockConfig, ParsesAndCountsInvocationsPerState) {
  auto config = MockConfig::Parse(J(kConfig));
  ASSERT_TRUE(config.ok()) << config.error().cause;
  auto tc = config->FindTestCase("Machine", "Retry");
  ASSERT_TRUE(tc.ok());
  MockTaskRunner runner(*tc);
  EXPECT_TRUE(runner.Serves("A"));
  EXPECT_FALSE(runner.Serves("C"));
  auto r0 = RunSync(runner, Request("A", "x"));
  ASSERT_FALSE(r0.ok());
  EXPECT_EQ(r0.error(), (Error{"Lambda.ServiceException", "first"}));
  // B has its own counter.
  auto b0 = RunSync(runner, Request("B", "x"));
  ASSERT_TRUE(b0.ok());
  EXPECT_EQ(*b0, J("{\"StatusCode\":200,\"Payload\":{\"v\":1}}"));
  for (int i = 1; i <= 2; ++i) {
    auto r = RunSync(runner, Request("A", "x"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), (Error{"Lambda.TooManyRequestsException", ""}));
  }
  auto r3 = RunSync(runner, Request("A", "x"));
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(*r3, J("\"done\""));
  // Past the last index the last response repeats.
  auto r4 = RunSync(runner, Request("A", "x"));
  ASSERT_TRUE(r4.ok());
  EXPECT_EQ(*r4, J("\"done\""));
}

TEST(MockConfig, UnknownMachineAndCaseListWhatExists) {
  auto config = MockConfig::Parse(J(kConfig));
  ASSERT_TRUE(config.ok());
  auto a = config->FindTestCase("Other", "Happy");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().cause.find("Machine"), std::string::npos) << a.error().cause;
  auto b = config->FindTestCase("Machine", "Sad");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().cause.find("Happy, Retry"), std::string::npos) << b.error().cause;
  EXPECT_EQ(config->StateMachineNames(), std::vector<std::string>{"Machine"});
}

struct BadConfig {
  const char* json;
  const char* expect;  // substring of the cause
};
void PrintTo(const BadConfig& b, std::ostream* os) { *os << '"' << b.expect << '"'; }

class MockConfigErrors : public ::testing::TestWithParam<BadConfig> {};

TEST_P(MockConfigErrors, Rejected) {
  auto config = MockConfig::Parse(J(GetParam().json));
  ASSERT_FALSE(config.ok()) << GetParam().json;
  EXPECT_EQ(config.error().error, "InvalidMockConfig");
  EXPECT_NE(config.error().cause.find(GetParam().expect), std::string::npos)
      << config.error().cause;
}

INSTANTIATE_TEST_SUITE_P(
    All, MockConfigErrors,
    ::testing::Values(
        BadConfig{"[]", "must be a JSON object"},
        BadConfig{R"({"StateMachines": {}})", "\"MockedResponses\" is required"},
        BadConfig{R"({"MockedResponses": {}})", "\"StateMachines\" is required"},
        BadConfig{R"({"StateMachines": {}, "MockedResponses": {}, "MockedResponse": {}})",
                  "MockedResponse: unknown top-level field"},
        BadConfig{R"({"StateMachines": {"M": {}}, "MockedResponses": {}})",
                  "StateMachines.M: \"TestCases\" is required"},
        BadConfig{R"({"StateMachines": {"M": {"TestCases": {"T": {"S": "Nope"}}}},
                      "MockedResponses": {}})",
                  "StateMachines.M.TestCases.T.S: mocked response \"Nope\" is not defined"},
        BadConfig{R"({"StateMachines": {"M": {"TestCases": {"T": {"S": 1}}}},
                      "MockedResponses": {}})",
                  "must be the name of a mocked response"},
        BadConfig{R"({"StateMachines": {}, "MockedResponses": {"R": {}}})",
                  "MockedResponses.R: has no responses"},
        BadConfig{R"({"StateMachines": {}, "MockedResponses": {"R": {"x": {"Return": 1}}}})",
                  "MockedResponses.R.x: invalid invocation index"},
        BadConfig{R"({"StateMachines": {}, "MockedResponses": {"R": {"-1": {"Return": 1}}}})",
                  "invalid invocation index"},
        BadConfig{R"({"StateMachines": {}, "MockedResponses": {"R": {"3-1": {"Return": 1}}}})",
                  "range end is smaller"},
        BadConfig{R"({"StateMachines": {}, "MockedResponses": {"R": {"1": {"Return": 1}}}})",
                  "no response for invocation 0"},
        BadConfig{R"({"StateMachines": {}, "MockedResponses":
                      {"R": {"0-2": {"Return": 1}, "2": {"Return": 2}}}})",
                  "overlaps"},
        BadConfig{R"({"StateMachines": {}, "MockedResponses":
                      {"R": {"0": {"Return": 1, "Throw": {"Error": "E"}}}}})",
                  "mutually exclusive"},
        BadConfig{R"({"StateMachines": {}, "MockedResponses": {"R": {"0": {}}}})",
                  "needs \"Return\" or \"Throw\""},
        BadConfig{R"({"StateMachines": {}, "MockedResponses": {"R": {"0": {"Throw": {}}}}})",
                  "MockedResponses.R.0.Throw: \"Error\" is required"},
        BadConfig{R"({"StateMachines": {}, "MockedResponses":
                      {"R": {"0": {"Throw": {"Error": "E", "Cause": 5}}}}})",
                  "Throw.Cause: must be a string"},
        BadConfig{R"({"StateMachines": {}, "MockedResponses":
                      {"R": {"0": {"Throw": {"Error": "E", "Message": "m"}}}}})",
                  "unknown field \"Message\""}));

TEST(MockConfig, LoadReportsFileProblems) {
  auto missing = MockConfig::Load("/nonexistent/mock.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().cause.find("cannot read"), std::string::npos);
  std::string path = ::testing::TempDir() + "/stator_bad_mock.json";
  std::ofstream(path) << "{not json";
  auto bad = MockConfig::Load(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().cause.find("is not valid JSON"), std::string::npos);
  std::ofstream(path) << kConfig;
  EXPECT_TRUE(MockConfig::Load(path).ok());
  std::remove(path.c_str());
}

// ---- UnavailableResourceRunner

TEST(UnavailableResource, LambdaFunctionArn) {
  UnavailableResourceRunner runner("123456789012", "eu-west-1");
  auto out = RunSync(runner, Request("T", "arn:aws:lambda:us-east-1:111122223333:function:f"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().error, "Lambda.ResourceNotFoundException");
  EXPECT_EQ(out.error().cause.rfind(
                "Function not found: arn:aws:lambda:us-east-1:111122223333:function:f "
                "(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; "
                "Request ID: ",
                0),
            0u)
      << out.error().cause;
  EXPECT_EQ(out.error().cause.substr(out.error().cause.size() - 14), "; Proxy: null)");
}

TEST(UnavailableResource, LambdaInvokeCompletesFunctionName) {
  UnavailableResourceRunner runner("123456789012", "eu-west-1");
  auto out = RunSync(runner, Request("T", "arn:aws:states:::lambda:invoke",
                                     R"({"FunctionName": "fn:live", "Payload": {}})"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().error, "Lambda.ResourceNotFoundException");
  EXPECT_NE(out.error().cause.find("arn:aws:lambda:eu-west-1:123456789012:function:fn:live "),
            std::string::npos)
      << out.error().cause;
  EXPECT_EQ(LambdaFunctionArn("111122223333:function:g", "1", "us-west-2"),
            "arn:aws:lambda:us-west-2:111122223333:function:g");
  EXPECT_EQ(LambdaFunctionArn("arn:aws:lambda:r:1:function:h", "2", "x"),
            "arn:aws:lambda:r:1:function:h");
}

TEST(UnavailableResource, StartExecution) {
  UnavailableResourceRunner runner("123456789012", "us-east-1");
  auto out = RunSync(
      runner, Request("T", "arn:aws:states:::states:startExecution.sync:2",
                      R"({"StateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:x"})"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().error, "StepFunctions.StateMachineDoesNotExistException");
  EXPECT_EQ(out.error().cause.rfind("State Machine Does Not Exist: "
                                    "'arn:aws:states:us-east-1:1:stateMachine:x' (Service: "
                                    "AWSStepFunctions; Status Code: 400; Error Code: "
                                    "StateMachineDoesNotExist; Request ID: ",
                                    0),
            0u)
      << out.error().cause;
}

TEST(UnavailableResource, OtherResourcesAreRuntimeErrors) {
  UnavailableResourceRunner runner("123456789012", "us-east-1");
  for (const char* resource :
       {"arn:aws:states:::dynamodb:putItem", "arn:aws:states:us-east-1:1:activity:a",
        "arn:aws:states:::aws-sdk:s3:listBuckets", "not-an-arn"}) {
    auto out = RunSync(runner, Request("Step", resource));
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().error, "States.Runtime") << resource;
    EXPECT_NE(out.error().cause.find("'Step'"), std::string::npos) << out.error().cause;
    EXPECT_NE(out.error().cause.find(resource), std::string::npos) << out.error().cause;
  }
}

// ---- TaskRouter

class Fixed : public engine::TaskRunner {
 public:
  explicit Fixed(std::string tag) : tag_(std::move(tag)) {}
  void Start(const engine::TaskRequest&, engine::TaskCompletion done) override {
    done(json::Value::String(tag_));
  }

 private:
  std::string tag_;
};

TEST(TaskRouter, CommandBeatsMockBeatsFallback) {
  TaskRouter router(std::make_unique<Fixed>("fallback"));
  auto config = MockConfig::Parse(J(kConfig));
  ASSERT_TRUE(config.ok());
  router.SetMock(std::make_unique<MockTaskRunner>(*config->FindTestCase("Machine", "Retry")));
  router.RouteState("A", std::make_shared<Fixed>("command"));
  EXPECT_EQ(*RunSync(router, Request("A", "x")), json::Value::String("command"));
  EXPECT_EQ(*RunSync(router, Request("B", "x")), J("{\"StatusCode\":200,\"Payload\":{\"v\":1}}"));
  EXPECT_EQ(*RunSync(router, Request("C", "x")), json::Value::String("fallback"));
}

}  // namespace
}  // namespace stator::integrations
