#include "knix/sand_workflow.h"

#include <gtest/gtest.h>

#include "asl/compiler.h"
#include "common/test_util.h"

namespace stator::knix {
namespace {

using testing::J;

// KNIX's tests/helloworld/helloworld-knix.json.
constexpr char kHelloWorld[] = R"({"name": "helloworld_wfd", "entry": "helloworld",
  "functions": [{"name": "helloworld", "next": ["end"]}]})";

// KNIX's tests/workflow_error_handling/workflow_error_handling.json (shortened): a fan-out and
// a branch with `next: []`.
constexpr char kFanOut[] = R"({"name": "w", "entry": "state_0", "functions": [
  {"name": "state_0", "next": ["state_2", "state_1"], "resource": "function0"},
  {"name": "state_1", "next": [], "resource": "function1"},
  {"name": "state_2", "next": ["end"], "resource": "function2"}]})";

Error ParseError(std::string_view text) {
  Result<SandWorkflow> r = ParseSandWorkflow(J(text));
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? Error{} : r.error();
}

json::Value ExpectedFanOut() {
  return J(R"({"StartAt": "state_0", "States": {
      "state_0": {"Type": "Task", "Resource": "function0", "Next": "state_2",
                  "KnixNext": ["state_1"]},
      "state_1": {"Type": "Task", "Resource": "function1"},
      "state_2": {"Type": "Task", "Resource": "function2", "End": true}}})");
}

TEST(SandWorkflowTest, ParsesEveryFieldWithKnixDefaults) {
  Result<SandWorkflow> wf = ParseSandWorkflow(J(R"({
    "name": "wf", "entry": "a", "exit": "done", "enable_checkpoints": false,
    "allow_immediate_messages": true,
    "functions": [
      {"name": "a", "resource": "fa", "next": ["b"], "potentialNext": ["done"],
       "isSessionFunction": true,
       "sessionFunctionParameters": {"heartbeat_method": "data_layer"}},
      {"name": "b", "next": ["done"]}]})"));
  ASSERT_TRUE(wf.ok()) << wf.error().cause;
  EXPECT_EQ(wf->name, "wf");
  EXPECT_EQ(wf->entry, "a");
  EXPECT_EQ(wf->exit, "done");
  EXPECT_EQ(wf->enable_checkpoints, false);
  EXPECT_EQ(wf->allow_immediate_messages, true);
  ASSERT_EQ(wf->functions.size(), 2u);
  const SandFunction& a = wf->functions[0];
  EXPECT_EQ(a.resource, "fa");
  EXPECT_EQ(a.next, std::vector<std::string>{"b"});
  EXPECT_EQ(a.potential_next, std::vector<std::string>{"done"});
  EXPECT_TRUE(a.is_session_function);
  EXPECT_EQ(a.session_function_parameters, J(R"({"heartbeat_method": "data_layer"})"));
  const SandFunction& b = wf->functions[1];
  EXPECT_EQ(b.resource, "b");  // defaults to the name
  EXPECT_TRUE(b.potential_next.empty());
  EXPECT_FALSE(b.is_session_function);
  EXPECT_TRUE(b.session_function_parameters.is_null());

  Result<SandWorkflow> hello = ParseSandWorkflow(J(kHelloWorld));
  ASSERT_TRUE(hello.ok());
  EXPECT_EQ(hello->exit, "end");  // the default
  EXPECT_FALSE(hello->enable_checkpoints.has_value());
  EXPECT_FALSE(hello->allow_immediate_messages.has_value());
}

TEST(SandWorkflowTest, ExitMayBeGivenAsEnd) {
  Result<SandWorkflow> wf = ParseSandWorkflow(
      J(R"({"entry": "a", "end": "fin", "functions": [{"name": "a", "next": ["fin"]}]})"));
  ASSERT_TRUE(wf.ok()) << wf.error().cause;
  EXPECT_EQ(wf->exit, "fin");
  EXPECT_EQ(wf->name, "");  // optional
}

TEST(SandWorkflowTest, KnixDeployChecksInKnixWording) {
  Error dup = ParseError(R"({"entry": "a", "functions": [
    {"name": "a", "next": ["end"]}, {"name": "a", "next": ["end"]}]})");
  EXPECT_EQ(dup.error, kWorkflowCheckError);
  EXPECT_EQ(dup.cause, "The function names should be unique: a");

  Error exit = ParseError(R"({"entry": "a", "functions": [
    {"name": "a", "next": ["end"]}, {"name": "end"}]})");
  EXPECT_EQ(exit.error, kWorkflowCheckError);
  EXPECT_EQ(exit.cause, "End of the workflow MUST NOT be a function: end");

  // A custom exit: that name is the one a function must not take; "end" is then allowed.
  Error custom = ParseError(R"({"entry": "end", "exit": "out", "functions": [
    {"name": "end", "next": ["out"]}, {"name": "out"}]})");
  EXPECT_EQ(custom.cause, "End of the workflow MUST NOT be a function: out");

  // KNIX checks per function in order, the exit before uniqueness.
  Error first = ParseError(R"({"entry": "a", "functions": [
    {"name": "a"}, {"name": "a"}, {"name": "end"}]})");
  EXPECT_EQ(first.cause, "The function names should be unique: a");
  Error exit_first = ParseError(R"({"entry": "a", "functions": [
    {"name": "end"}, {"name": "end"}]})");
  EXPECT_EQ(exit_first.cause, "End of the workflow MUST NOT be a function: end");
}

TEST(SandWorkflowTest, FaultyReferencesInKnixWording) {
  Error next = ParseError(R"({"entry": "a", "functions": [{"name": "a", "next": ["b"]}]})");
  EXPECT_EQ(next.error, kInvalidWorkflowError);
  EXPECT_EQ(next.cause, "Faulty workflow description: a uses b, which does not exist!");
  Error potential = ParseError(
      R"({"entry": "a", "functions": [{"name": "a", "next": ["end"], "potentialNext": ["z"]}]})");
  EXPECT_EQ(potential.cause,
            "Faulty workflow description: a potentially uses z, which does not exist!");
}

TEST(SandWorkflowTest, ShapeErrorsNameTheField) {
  struct Case {
    const char* json;
    const char* cause;
  } cases[] = {
      {R"([1])", "a SAND workflow must be a JSON object, not array"},
      {R"({"entry": "a"})",
       "workflow JSON is neither ASL (StartAt and an object States) nor SAND (a 'functions' "
       "list)"},
      {R"({"entry": "a", "functions": {}})",
       "workflow JSON is neither ASL (StartAt and an object States) nor SAND (a 'functions' "
       "list)"},
      {R"({"functions": [{"name": "a", "next": ["end"]}]})",
       "SAND workflow has no 'entry' (a string)"},
      {R"({"entry": 3, "functions": [{"name": "a", "next": ["end"]}]})",
       "SAND workflow has no 'entry' (a string)"},
      {R"({"entry": "b", "functions": [{"name": "a", "next": ["end"]}]})",
       "SAND workflow's entry 'b' is not one of its functions"},
      {R"({"entry": "a", "functions": ["a"]})", "SAND function #1 must be an object, not string"},
      {R"({"entry": "a", "functions": [{"next": ["end"]}]})",
       "SAND function #1 has no 'name' (a string)"},
      {R"({"entry": "a", "functions": [{"name": "a", "resource": 1}]})",
       "SAND function 'a': 'resource' must be a string, not number"},
      {R"({"entry": "a", "functions": [{"name": "a", "next": "end"}]})",
       "SAND function 'a': 'next' must be a list of state names, not string"},
      {R"({"entry": "a", "functions": [{"name": "a", "next": [1]}]})",
       "SAND function 'a': 'next' must be a list of state names; it holds a number"},
      {R"({"entry": "a", "functions": [{"name": "a", "potentialNext": null}]})",
       "SAND function 'a': 'potentialNext' must be a list of state names, not null"},
      {R"({"entry": "a", "functions": [{"name": "a", "isSessionFunction": "yes"}]})",
       "SAND function 'a': 'isSessionFunction' must be a boolean, not string"},
      {R"({"entry": "a", "exit": 1, "functions": [{"name": "a"}]})",
       "SAND workflow: 'exit' must be a string, not number"},
      {R"({"entry": "a", "name": [], "functions": [{"name": "a"}]})",
       "SAND workflow: 'name' must be a string, not array"},
      {R"({"entry": "a", "enable_checkpoints": "no", "functions": [{"name": "a"}]})",
       "SAND workflow: 'enable_checkpoints' must be a boolean, not string"},
      {R"({"entry": "a", "allow_immediate_messages": 1, "functions": [{"name": "a"}]})",
       "SAND workflow: 'allow_immediate_messages' must be a boolean, not number"},
  };
  for (const Case& c : cases) {
    Error e = ParseError(c.json);
    EXPECT_EQ(e.error, kInvalidWorkflowError) << c.json;
    EXPECT_EQ(e.cause, c.cause) << c.json;
  }
}

TEST(SandWorkflowTest, ChainConvertsToTaskStates) {
  Result<SandWorkflow> wf = ParseSandWorkflow(J(R"({"name": "w", "entry": "first step",
    "exit": "fin", "enable_checkpoints": false, "functions": [
      {"name": "last", "resource": "shared", "next": ["fin"], "potentialNext": []},
      {"name": "first step", "resource": "shared", "next": ["middle"]},
      {"name": "middle", "next": ["last"], "isSessionFunction": false}]})"));
  ASSERT_TRUE(wf.ok()) << wf.error().cause;
  Result<json::Value> asl = SandToAsl(*wf);
  ASSERT_TRUE(asl.ok()) << asl.error().cause;
  EXPECT_EQ(asl->Dump(), J(R"({"StartAt": "first step", "EnableCheckpoints": false, "States": {
      "last": {"Type": "Task", "Resource": "shared", "End": true},
      "first step": {"Type": "Task", "Resource": "shared", "Next": "middle"},
      "middle": {"Type": "Task", "Resource": "middle", "Next": "last"}}})")
                             .Dump());

  Result<json::Value> hello = SandToAsl(*ParseSandWorkflow(J(kHelloWorld)));
  ASSERT_TRUE(hello.ok());
  EXPECT_EQ(*hello, J(R"({"StartAt": "helloworld", "States": {
      "helloworld": {"Type": "Task", "Resource": "helloworld", "End": true}}})"));
}

TEST(SandWorkflowTest, LoopsConvert) {
  Result<SandWorkflow> wf = ParseSandWorkflow(J(R"({"entry": "a", "functions": [
    {"name": "a", "next": ["b"]}, {"name": "b", "next": ["a"]}]})"));
  ASSERT_TRUE(wf.ok());
  Result<json::Value> asl = SandToAsl(*wf);
  ASSERT_TRUE(asl.ok()) << asl.error().cause;
  EXPECT_EQ(asl->Dump(), J(R"({"StartAt": "a", "States": {
      "a": {"Type": "Task", "Resource": "a", "Next": "b"},
      "b": {"Type": "Task", "Resource": "b", "Next": "a"}}})")
                             .Dump());
}

TEST(SandWorkflowTest, RoutesConvertToTheKnixDialect) {
  Result<SandWorkflow> fan = ParseSandWorkflow(J(kFanOut));
  ASSERT_TRUE(fan.ok());
  Result<json::Value> asl = SandToAsl(*fan);
  ASSERT_TRUE(asl.ok()) << asl.error().cause;
  EXPECT_EQ(asl->Dump(), ExpectedFanOut().Dump());
  EXPECT_TRUE(asl::Compile(*asl, {.knix = true}).ok());
  EXPECT_FALSE(asl::Compile(*asl).ok());  // not AWS ASL

  // Another exit name is "end" in the dialect, wherever it is named.
  Result<SandWorkflow> other_exit = ParseSandWorkflow(J(R"({"entry": "a", "exit": "done",
    "functions": [{"name": "a", "next": ["b", "done"], "potentialNext": ["done", "b"],
                   "isSessionFunction": true, "sessionFunctionParameters": {"heartbeat_method":
                   "function"}},
                  {"name": "b", "next": ["done"]}]})"));
  ASSERT_TRUE(other_exit.ok());
  asl = SandToAsl(*other_exit);
  ASSERT_TRUE(asl.ok());
  EXPECT_EQ(asl->Dump(), J(R"({"StartAt": "a", "States": {
      "a": {"Type": "Task", "Resource": "a", "Next": "b", "KnixNext": ["end"],
            "PotentialNext": ["end", "b"], "SessionFunction": true,
            "SessionFunctionParameters": {"heartbeat_method": "function"}},
      "b": {"Type": "Task", "Resource": "b", "End": true}}})")
                             .Dump());

  Result<SandWorkflow> named_end = ParseSandWorkflow(J(R"({"entry": "end", "exit": "done",
    "functions": [{"name": "end", "next": ["done"]}]})"));
  ASSERT_TRUE(named_end.ok());
  Error e = SandToAsl(*named_end).error();
  EXPECT_EQ(e.error, kUnsupportedWorkflowError);
  EXPECT_EQ(e.cause,
            "function 'end' of a SAND workflow whose exit is 'done': stator names every "
            "workflow's exit 'end'");
}

TEST(SandWorkflowTest, ConvertedChainCompiles) {
  Result<SandWorkflow> wf = ParseSandWorkflow(J(R"({"entry": "a", "functions": [
    {"name": "a", "resource": "arn:aws:lambda:us-east-1:1:function:fa", "next": ["b"]},
    {"name": "b", "resource": "arn:aws:lambda:us-east-1:1:function:fb", "next": ["end"]}]})"));
  ASSERT_TRUE(wf.ok());
  Result<json::Value> asl = SandToAsl(*wf);
  ASSERT_TRUE(asl.ok());
  asl::CompileResult compiled = asl::Compile(*asl);
  EXPECT_TRUE(compiled.ok()) << asl::InvalidDefinitionMessage(compiled.diagnostics);
}

}  // namespace
}  // namespace stator::knix
