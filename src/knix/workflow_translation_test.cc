#include "knix/workflow_translation.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "asl/compiler.h"
#include "common/test_util.h"

namespace stator::knix {
namespace {

using testing::J;

ArnScope Scope() {
  ArnScope scope;
  scope.region = "eu-west-1";
  scope.account = "111122223333";
  return scope;
}

std::string Fn(std::string_view name) {
  return "arn:aws:lambda:eu-west-1:111122223333:function:" + std::string(name);
}

WorkflowDefinition Workflow(std::string_view text) {
  Result<WorkflowDefinition> wf = ParseWorkflowDefinition(text);
  EXPECT_TRUE(wf.ok()) << (wf.ok() ? "" : wf.error().cause);
  return wf.ok() ? std::move(wf).value() : WorkflowDefinition{};
}

json::Value Engine(std::string_view text) {
  Result<json::Value> out = ToEngineDefinition(Workflow(text), Scope());
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().cause);
  if (!out.ok()) return {};
  asl::CompileResult compiled = asl::Compile(*out, {.knix = true});
  EXPECT_TRUE(compiled.ok()) << asl::InvalidDefinitionMessage(compiled.diagnostics);
  return *out;
}

json::Value Export(std::string_view text) {
  Result<json::Value> out = ExportToAws(Workflow(text), Scope());
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().cause);
  if (!out.ok()) return {};
  EXPECT_TRUE(asl::Compile(*out).ok());
  return *out;
}

json::Value Import(const json::Value& definition) {
  Result<json::Value> out = ImportFromAws(definition);
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().cause);
  return out.ok() ? *out : json::Value();
}

// The value at a path of object keys and array indexes (decimal); null, and a failure of the
// calling test, when there is none.
json::Value At(const json::Value& root, std::initializer_list<std::string_view> path) {
  json::Value v = root;
  for (std::string_view step : path) {
    const json::Value* next = nullptr;
    if (v.is_array()) {
      size_t index = std::stoul(std::string(step));
      if (index < v.as_array().size()) next = &v.as_array()[index];
    } else {
      next = v.Find(step);
    }
    if (!next) {
      ADD_FAILURE() << "no " << step << " in " << v.Dump();
      return json::Value();
    }
    v = json::Value(*next);
  }
  return v;
}

json::Value StateOf(const json::Value& definition, std::string_view name) {
  return At(definition, {"States", name});
}

// KNIX's tests/asl_State_Names_with_Special_Chars (the call center), as uploaded.
constexpr char kCallCenter[] = R"({
  "Comment": "A call center support session.",
  "StartAt": "Open Case:;,\\|^~$#%&Function",
  "States": {
    "Assign Case Function": {"Next": "Work On Case Function", "Resource": "AssignCaseFunction",
                             "Type": "Task"},
    "Close Case Function": {"End": true, "Resource": "CloseCaseFunction", "Type": "Task"},
    "Escalate Case Function": {"Next": "Fail", "Resource": "EscalateCaseFunction",
                               "Type": "Task"},
    "Fail": {"Cause": "Engage Tier 2 Support.", "Type": "Fail"},
    "Is Case Resolved": {"Type": "Choice", "Choices": [
      {"Variable": "$.Status", "NumericEquals": 1, "Next": "Close Case Function"},
      {"Variable": "$.Status", "NumericEquals": 0, "Next": "Escalate Case Function"}]},
    "Open Case:;,\\|^~$#%&Function": {"Next": "Assign Case Function",
                                      "Resource": "OpenCaseFunction", "Type": "Task"},
    "Work On Case Function": {"Next": "Is Case Resolved", "Resource": "WorkOnCaseFunction",
                              "Type": "Task"}}})";

// Every KNIX-only key, at the top, on Tasks and on a nested Parallel; every state reachable.
constexpr char kKnixFlags[] = R"({
  "StartAt": "before", "EnableCheckpoints": false, "AllowImmediateMessages": true,
  "States": {
    "before": {"Type": "Task", "Resource": "LambdaBefore", "Next": "fan",
               "PotentialNext": ["after"], "SessionFunction": false,
               "SessionFunctionParameters": {"heartbeat_method": "data_layer"}},
    "fan": {"Type": "Parallel", "Next": "after", "WaitForNumBranches": [1],
            "Branches": [
              {"StartAt": "b1", "States": {"b1": {"Type": "Task", "Resource": "Branch1",
                                                  "PotentialNext": [], "End": true}}},
              {"StartAt": "inner", "States": {"inner": {"Type": "Parallel", "End": true,
                 "WaitForNumBranches": [1], "Branches": [{"StartAt": "b2", "States": {
                   "b2": {"Type": "Task", "Resource": "Branch2", "SessionFunction": true,
                          "End": true}}}]}}}]},
    "after": {"Type": "Task", "Resource": "LambdaAfter", "End": true}}})";

TEST(WorkflowTranslationTest, ResourcesBecomeLambdaArnsStateNamesStay) {
  // KNIX's tests/state_resource_name_decoupling: several states share one function.
  json::Value out = Engine(R"({"StartAt": "state_0", "States": {
      "state_0": {"Type": "Task", "Resource": "my_function", "Next": "state_1"},
      "state_1": {"Type": "Task", "Resource": "my_function", "End": true}}})");
  EXPECT_EQ(out, J(R"({"StartAt": "state_0", "States": {
      "state_0": {"Type": "Task", "Resource":
                  "arn:aws:lambda:eu-west-1:111122223333:function:my_function",
                  "Next": "state_1"},
      "state_1": {"Type": "Task", "Resource":
                  "arn:aws:lambda:eu-west-1:111122223333:function:my_function",
                  "End": true}}})"));
}

TEST(WorkflowTranslationTest, SpecialCharactersInStateNames) {
  json::Value out = Engine(kCallCenter);
  EXPECT_EQ(At(out, {"StartAt"}), json::Value::String("Open Case:;,\\|^~$#%&Function"));
  EXPECT_EQ(At(StateOf(out, "Open Case:;,\\|^~$#%&Function"), {"Resource"}),
            json::Value::String(Fn("OpenCaseFunction")));
  EXPECT_EQ(At(StateOf(out, "Assign Case Function"), {"Next"}),
            json::Value::String("Work On Case Function"));
  EXPECT_EQ(StateOf(out, "Is Case Resolved"), StateOf(J(kCallCenter), "Is Case Resolved"));
  EXPECT_EQ(StateOf(out, "Fail"), J(R"({"Type": "Succeed"})"));
  EXPECT_EQ(At(out, {"Comment"}), json::Value::String("A call center support session."));
}

TEST(WorkflowTranslationTest, KnixFailPassesItsInputThrough) {
  // KNIX ignores a Fail's InputPath/OutputPath, Error and Cause: output = input.
  json::Value out = Engine(R"({"StartAt": "f", "States": {
      "f": {"Type": "Fail", "Comment": "kept", "Error": "E", "Cause": "C",
            "InputPath": "$.a", "OutputPath": "$.b"}}})");
  EXPECT_EQ(StateOf(out, "f"), J(R"({"Type": "Succeed", "Comment": "kept"})"));
  json::Value paths = Engine(R"({"StartAt": "f", "States": {
      "f": {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "$.c"}}})");
  EXPECT_EQ(StateOf(paths, "f"), J(R"({"Type": "Succeed"})"));

  // In a branch it ends that branch successfully, with its input.
  json::Value branch = Engine(R"({"StartAt": "p", "States": {"p": {"Type": "Parallel",
      "End": true, "Branches": [{"StartAt": "f", "States": {"f": {"Type": "Fail",
      "Error": "E"}}}]}}})");
  EXPECT_EQ(At(StateOf(branch, "p"), {"Branches"}),
            J(R"([{"StartAt": "f", "States": {"f": {"Type": "Succeed"}}}])"));
}

TEST(WorkflowTranslationTest, KnixOnlyKeysAreKeptAtTopRefusedNestedAndNeverExported) {
  Result<json::Value> engine = ToEngineDefinition(Workflow(kKnixFlags), Scope());
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.error().error, kInvalidWorkflowError);
  for (const char* nested : {"/States/fan/Branches/0/States/b1/PotentialNext",
                             "/States/fan/Branches/1/States/inner/WaitForNumBranches",
                             "/States/fan/Branches/1/States/inner/Branches/0/States/b2/"
                             "SessionFunction"}) {
    EXPECT_NE(engine.error().cause.find(std::string("is supported on top-level states only at ") +
                                        nested),
              std::string::npos)
        << engine.error().cause;
  }
  EXPECT_EQ(engine.error().cause.find("/States/before"), std::string::npos);
  EXPECT_EQ(engine.error().cause.find("/States/fan/WaitForNumBranches"), std::string::npos);

  json::Value top_only = Engine(R"({"StartAt": "a", "AllowImmediateMessages": true,
      "EnableCheckpoints": false, "States": {
      "a": {"Type": "Task", "Resource": "A", "PotentialNext": ["b"], "Next": "p"},
      "p": {"Type": "Parallel", "WaitForNumBranches": [1], "End": true, "Branches": [
        {"StartAt": "c", "States": {"c": {"Type": "Pass", "End": true}}}]},
      "b": {"Type": "Task", "Resource": "B", "SessionFunction": true,
            "SessionFunctionParameters": {"heartbeat_method": "function"}}}})");
  EXPECT_EQ(top_only, J(R"({"StartAt": "a", "AllowImmediateMessages": true,
      "EnableCheckpoints": false, "States": {
      "a": {"Type": "Task", "Resource": "arn:aws:lambda:eu-west-1:111122223333:function:A",
            "PotentialNext": ["b"], "Next": "p"},
      "p": {"Type": "Parallel", "WaitForNumBranches": [1], "End": true, "Branches": [
        {"StartAt": "c", "States": {"c": {"Type": "Pass", "End": true}}}]},
      "b": {"Type": "Task", "Resource": "arn:aws:lambda:eu-west-1:111122223333:function:B",
            "SessionFunction": true,
            "SessionFunctionParameters": {"heartbeat_method": "function"}}}})"));

  json::Value out = Export(kKnixFlags);
  EXPECT_EQ(out, J(R"({"StartAt": "before", "States": {
    "before": {"Type": "Task", "Resource":
               "arn:aws:lambda:eu-west-1:111122223333:function:LambdaBefore", "Next": "fan"},
    "fan": {"Type": "Parallel", "Next": "after", "Branches": [
      {"StartAt": "b1", "States": {"b1": {"Type": "Task", "Resource":
        "arn:aws:lambda:eu-west-1:111122223333:function:Branch1", "End": true}}},
      {"StartAt": "inner", "States": {"inner": {"Type": "Parallel", "End": true,
        "Branches": [{"StartAt": "b2", "States": {"b2": {"Type": "Task", "Resource":
          "arn:aws:lambda:eu-west-1:111122223333:function:Branch2", "End": true}}}]}}}]},
    "after": {"Type": "Task", "Resource":
              "arn:aws:lambda:eu-west-1:111122223333:function:LambdaAfter", "End": true}}})"));
}

TEST(WorkflowTranslationTest, StatesReachedOnlyThroughPotentialNextRunButDoNotExport) {
  // KNIX's tests/asl_KNIX_flags/wf_asl_session_all.json, shortened.
  WorkflowDefinition wf = Workflow(R"({"StartAt": "entry",
      "AllowImmediateMessages": true, "States": {
      "entry": {"Type": "Task", "Resource": "entry", "PotentialNext": ["session"], "End": true},
      "session": {"Type": "Task", "Resource": "s", "SessionFunction": true, "End": true}}})");
  EXPECT_TRUE(ToEngineDefinition(wf, Scope()).ok());
  Result<json::Value> out = ExportToAws(wf, Scope());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().error, kInvalidWorkflowError);
  EXPECT_TRUE(out.error().cause.starts_with("Invalid State Machine Definition: "))
      << out.error().cause;
  EXPECT_NE(out.error().cause.find("session"), std::string::npos) << out.error().cause;
}

TEST(WorkflowTranslationTest, NestedParallelAndMapResources) {
  json::Value out = Engine(R"({"StartAt": "m", "States": {
      "m": {"Type": "Map", "Next": "old", "ItemProcessor": {"StartAt": "p", "States": {
        "p": {"Type": "Parallel", "End": true, "Branches": [{"StartAt": "t", "States": {
          "t": {"Type": "Task", "Resource": "deep", "End": true}}}]}}}},
      "old": {"Type": "Map", "End": true, "Iterator": {"StartAt": "i", "States": {
        "i": {"Type": "Task", "Resource": "iterated", "End": true}}}}}})");
  EXPECT_EQ(At(out, {"States", "m", "ItemProcessor", "States", "p", "Branches", "0", "States", "t",
                     "Resource"}),
            json::Value::String(Fn("deep")));
  EXPECT_EQ(At(out, {"States", "old", "Iterator", "States", "i", "Resource"}),
            json::Value::String(Fn("iterated")));
}

TEST(WorkflowTranslationTest, ArnResourcesAndOtherFieldsAreKept) {
  constexpr char kText[] = R"({"StartAt": "a", "TimeoutSeconds": 30, "States": {
      "a": {"Type": "Task", "Resource": "arn:aws:lambda:us-west-2:999:function:f:prod",
            "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "d"}], "Next": "b"},
      "b": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "g", "Payload.$": "$"}, "Next": "c"},
      "c": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {"TableName": "t", "Item": {}}, "ResultPath": null, "Next": "d"},
      "d": {"Type": "Pass", "Result": {"Resource": "plain"}, "End": true}}})";
  EXPECT_EQ(Engine(kText), J(kText));
  EXPECT_EQ(Export(kText), J(kText));
}

TEST(WorkflowTranslationTest, ExportKeepsFailStates) {
  json::Value out = Export(kCallCenter);
  EXPECT_EQ(StateOf(out, "Fail"), J(R"({"Cause": "Engage Tier 2 Support.", "Type": "Fail"})"));
  EXPECT_EQ(At(StateOf(out, "Close Case Function"), {"Resource"}),
            json::Value::String(Fn("CloseCaseFunction")));
}

TEST(WorkflowTranslationTest, InvalidAslIsReportedWithTheCompilersWording) {
  Result<json::Value> out = ToEngineDefinition(
      Workflow(R"({"StartAt": "a", "States": {"a": {"Type": "Task", "End": true}}})"), Scope());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().error, kInvalidWorkflowError);
  EXPECT_EQ(out.error().cause,
            asl::InvalidDefinitionMessage(
                asl::Compile(J(R"({"StartAt": "a", "States": {"a": {"Type": "Task",
                    "End": true}}})"))
                    .diagnostics));
  Result<json::Value> missing = ExportToAws(
      Workflow(R"({"StartAt": "nowhere", "States": {"a": {"Type": "Bogus"}}})"), Scope());
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.error().cause.starts_with("Invalid State Machine Definition: "));
}

TEST(WorkflowTranslationTest, SandTranslatesToTheKnixDialect) {
  constexpr char kSand[] = R"({"name": "w", "entry": "one", "enable_checkpoints": true,
      "functions": [{"name": "one", "resource": "f", "next": ["two"]},
                    {"name": "two", "resource": "f", "next": ["end"]}]})";
  json::Value expected = J(R"({"StartAt": "one", "States": {
      "one": {"Type": "Task", "Resource":
              "arn:aws:lambda:eu-west-1:111122223333:function:f", "Next": "two"},
      "two": {"Type": "Task", "Resource":
              "arn:aws:lambda:eu-west-1:111122223333:function:f", "End": true}}})");
  EXPECT_EQ(Export(kSand), expected);
  // The engine's keeps KNIX's flag (the dialect accepts it; it changes nothing).
  json::Value chain = Engine(kSand);
  EXPECT_EQ(chain.Find("EnableCheckpoints")->Dump(), "true");
  json::Object without;
  for (const json::Member& m : chain.as_object()) {
    if (m.first != "EnableCheckpoints") without.push_back(m);
  }
  EXPECT_EQ(json::Value::MakeObject(std::move(without)), expected);

  // A static fan-out runs in the KNIX dialect; Step Functions cannot express it.
  WorkflowDefinition fan = Workflow(R"({"entry": "a", "functions": [
      {"name": "a", "next": ["b", "c"]}, {"name": "b", "next": ["end"]},
      {"name": "c", "next": []}]})");
  Result<json::Value> engine = ToEngineDefinition(fan, Scope());
  ASSERT_TRUE(engine.ok()) << engine.error().cause;
  EXPECT_EQ(*engine, J(R"({"StartAt": "a", "States": {
      "a": {"Type": "Task", "Resource": "arn:aws:lambda:eu-west-1:111122223333:function:a",
            "Next": "b", "KnixNext": ["c"]},
      "b": {"Type": "Task", "Resource": "arn:aws:lambda:eu-west-1:111122223333:function:b",
            "End": true},
      "c": {"Type": "Task", "Resource": "arn:aws:lambda:eu-west-1:111122223333:function:c"}}})"));
  Result<json::Value> exported = ExportToAws(fan, Scope());
  ASSERT_FALSE(exported.ok());
  EXPECT_EQ(exported.error().error, kUnsupportedWorkflowError);
  EXPECT_EQ(exported.error().cause,
            "state 'a' routes its output to several states (a static fan-out), which Step "
            "Functions cannot express");
}

TEST(WorkflowTranslationTest, ImportStripsLambdaArnsEverywhere) {
  json::Value out = Import(J(R"({"StartAt": "a", "States": {
      "a": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:A",
            "Next": "b"},
      "b": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:B:live",
            "Next": "p"},
      "p": {"Type": "Parallel", "Next": "m", "Branches": [{"StartAt": "c", "States": {
        "c": {"Type": "Task", "Resource": "arn:aws:lambda:eu-west-1:1:function:C",
              "End": true}}}]},
      "m": {"Type": "Map", "Next": "inv", "ItemProcessor": {"StartAt": "d", "States": {
        "d": {"Type": "Task", "Resource": "arn:aws:lambda:eu-west-1:1:function:D",
              "End": true}}}},
      "inv": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:1:function:E"},
              "Next": "db"},
      "db": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
             "Parameters": {"TableName": "t", "Item": {}}, "Next": "plain"},
      "plain": {"Type": "Task", "Resource": "already_a_name", "End": true}}})"));
  EXPECT_EQ(out, J(R"({"StartAt": "a", "States": {
      "a": {"Type": "Task", "Resource": "A", "Next": "b"},
      "b": {"Type": "Task", "Resource": "B", "Next": "p"},
      "p": {"Type": "Parallel", "Next": "m", "Branches": [{"StartAt": "c", "States": {
        "c": {"Type": "Task", "Resource": "C", "End": true}}}]},
      "m": {"Type": "Map", "Next": "inv", "ItemProcessor": {"StartAt": "d", "States": {
        "d": {"Type": "Task", "Resource": "D", "End": true}}}},
      "inv": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:1:function:E"},
              "Next": "db"},
      "db": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
             "Parameters": {"TableName": "t", "Item": {}}, "Next": "plain"},
      "plain": {"Type": "Task", "Resource": "already_a_name", "End": true}}})"));
  // The result is a KNIX ASL workflow.
  Result<WorkflowDefinition> wf = ParseWorkflowDefinition(out);
  ASSERT_TRUE(wf.ok());
  EXPECT_EQ(wf->format, WorkflowFormat::kAsl);
  EXPECT_EQ(UsedFunctions(*wf), (std::vector<std::string>{"A", "B", "already_a_name", "C", "D"}));
}

TEST(WorkflowTranslationTest, ImportErrors) {
  Result<json::Value> not_json = ImportFromAws(std::string_view("{\"StartAt\""));
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.error().error, kInvalidWorkflowError);
  EXPECT_TRUE(not_json.error().cause.starts_with("the definition is not valid JSON: "));
  for (const char* text : {R"([])", R"({"States": {}})", R"({"StartAt": "a", "States": []})"}) {
    Result<json::Value> out = ImportFromAws(std::string_view(text));
    ASSERT_FALSE(out.ok()) << text;
    EXPECT_EQ(out.error(),
              (Error{kInvalidWorkflowError,
                     "not a Step Functions definition (a JSON object with StartAt and an object "
                     "States)"}));
  }
  Result<json::Value> invalid = ImportFromAws(
      std::string_view(R"({"StartAt": "a", "States": {"a": {"Type": "Task", "Resource": "x"}}})"));
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().error, kInvalidWorkflowError);
  EXPECT_TRUE(invalid.error().cause.starts_with("Invalid State Machine Definition: "));
  // KNIX-only keys are not AWS: an AWS definition cannot carry them.
  EXPECT_FALSE(ImportFromAws(std::string_view(
                                 R"({"StartAt": "a", "EnableCheckpoints": true, "States": {
      "a": {"Type": "Pass", "End": true}}})"))
                   .ok());
}

TEST(WorkflowTranslationTest, RoundTripKnixAwsKnix) {
  // Without KNIX-only keys the document comes back exactly.
  for (const char* text : {kCallCenter, R"({"StartAt": "s", "States": {
        "s": {"Type": "Task", "Resource": "my_function", "Next": "m"},
        "m": {"Type": "Map", "End": true, "Iterator": {"StartAt": "i", "States": {
          "i": {"Type": "Task", "Resource": "my_function", "End": true}}}}}})"}) {
    EXPECT_EQ(Import(Export(text)), J(text)) << text;
  }
  // With them, it comes back without them, otherwise unchanged.
  json::Value back = Import(Export(kKnixFlags));
  EXPECT_EQ(back, J(R"({"StartAt": "before", "States": {
    "before": {"Type": "Task", "Resource": "LambdaBefore", "Next": "fan"},
    "fan": {"Type": "Parallel", "Next": "after", "Branches": [
      {"StartAt": "b1", "States": {"b1": {"Type": "Task", "Resource": "Branch1", "End": true}}},
      {"StartAt": "inner", "States": {"inner": {"Type": "Parallel", "End": true,
        "Branches": [{"StartAt": "b2", "States": {"b2": {"Type": "Task",
          "Resource": "Branch2", "End": true}}}]}}}]},
    "after": {"Type": "Task", "Resource": "LambdaAfter", "End": true}}})"));
  // A SAND chain comes back as the equivalent ASL: the engine runs the same definition.
  constexpr char kSand[] = R"({"name": "w", "entry": "a", "functions": [
      {"name": "a", "resource": "f", "next": ["b"]}, {"name": "b", "next": ["end"]}]})";
  json::Value sand_back = Import(Export(kSand));
  EXPECT_EQ(Engine(sand_back.Dump()), Engine(kSand));
  EXPECT_EQ(UsedFunctions(Workflow(sand_back.Dump())), UsedFunctions(Workflow(kSand)));
}

TEST(WorkflowTranslationTest, RoundTripAwsKnixAws) {
  constexpr char kAws[] = R"({"StartAt": "a", "States": {
      "a": {"Type": "Task", "Resource": "arn:aws:lambda:eu-west-1:111122223333:function:A",
            "Next": "b"},
      "b": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "B"}, "Next": "f"},
      "f": {"Type": "Fail", "Error": "E"}}})";
  json::Value knix = Import(J(kAws));
  EXPECT_EQ(Export(knix.Dump()), J(kAws));
}

}  // namespace
}  // namespace stator::knix
