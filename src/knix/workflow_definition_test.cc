#include "knix/workflow_definition.h"

#include <gtest/gtest.h>

#include "common/test_util.h"

namespace stator::knix {
namespace {

using testing::J;
using Names = std::vector<std::string>;

Names Used(std::string_view text) {
  Result<WorkflowDefinition> wf = ParseWorkflowDefinition(text);
  EXPECT_TRUE(wf.ok()) << (wf.ok() ? "" : wf.error().cause);
  return wf.ok() ? UsedFunctions(*wf) : Names{};
}

TEST(WorkflowDefinitionTest, DetectsAslAsKnixDoes) {
  EXPECT_TRUE(IsAslWorkflow(J(R"({"StartAt": "a", "States": {}})")));
  EXPECT_TRUE(IsAslWorkflow(J(R"({"StartAt": 1, "States": {"a": {}}})")));  // any StartAt
  EXPECT_FALSE(IsAslWorkflow(J(R"({"StartAt": "a", "States": []})")));
  EXPECT_FALSE(IsAslWorkflow(J(R"({"States": {}})")));
  EXPECT_FALSE(IsAslWorkflow(J(R"(["StartAt", "States"])")));

  Result<WorkflowDefinition> asl = ParseWorkflowDefinition(
      R"({"StartAt": "s", "EnableCheckpoints": false, "States": {"s": {"Type": "Pass",
          "End": true}}})");
  ASSERT_TRUE(asl.ok());
  EXPECT_EQ(asl->format, WorkflowFormat::kAsl);
  // Kept exactly as uploaded, KNIX-only keys included.
  EXPECT_EQ(asl->document, J(R"({"StartAt": "s", "EnableCheckpoints": false,
      "States": {"s": {"Type": "Pass", "End": true}}})"));

  Result<WorkflowDefinition> sand =
      ParseWorkflowDefinition(R"({"entry": "f", "functions": [{"name": "f", "next": ["end"]}]})");
  ASSERT_TRUE(sand.ok());
  EXPECT_EQ(sand->format, WorkflowFormat::kSand);
  EXPECT_EQ(sand->sand.entry, "f");
  ASSERT_EQ(sand->sand.functions.size(), 1u);

  // A broken ASL (States not an object) is read as SAND, as KNIX does, and said to be neither.
  Result<WorkflowDefinition> broken = ParseWorkflowDefinition(R"({"StartAt": "a", "States": 1})");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().cause,
            "workflow JSON is neither ASL (StartAt and an object States) nor SAND (a "
            "'functions' list)");
}

TEST(WorkflowDefinitionTest, InvalidJsonAndNonObjects) {
  for (std::string_view text : {"", "{", "{\"StartAt\": }", "nope"}) {
    Result<WorkflowDefinition> wf = ParseWorkflowDefinition(text);
    ASSERT_FALSE(wf.ok()) << text;
    EXPECT_EQ(wf.error(), (Error{kInvalidWorkflowError, "workflow JSON is not valid."}));
  }
  Result<WorkflowDefinition> list = ParseWorkflowDefinition("[1, 2]");
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().error, kInvalidWorkflowError);
  EXPECT_EQ(list.error().cause,
            "workflow JSON is not valid: a workflow is a JSON object (ASL with StartAt and "
            "States, or SAND with entry and functions), not array");
  Result<WorkflowDefinition> text = ParseWorkflowDefinition(R"("StartAt")");
  ASSERT_FALSE(text.ok());
  EXPECT_TRUE(text.error().cause.ends_with("not string"));
}

TEST(WorkflowDefinitionTest, SandErrorsComeThrough) {
  Result<WorkflowDefinition> dup = ParseWorkflowDefinition(R"({"entry": "a", "functions": [
      {"name": "a", "next": ["end"]}, {"name": "a", "next": ["end"]}]})");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error(), (Error{kWorkflowCheckError, "The function names should be unique: a"}));
}

TEST(WorkflowDefinitionTest, FunctionOfResource) {
  EXPECT_EQ(FunctionOfResource("my_function"), "my_function");
  EXPECT_EQ(FunctionOfResource("Open Case Function"), "Open Case Function");  // KNIX: any name
  EXPECT_EQ(FunctionOfResource("arn:aws:lambda:us-east-1:123456789012:function:f"), "f");
  EXPECT_EQ(FunctionOfResource("arn:aws:lambda:eu-west-1:1:function:f:prod"), "f");
  EXPECT_EQ(FunctionOfResource("arn:aws-cn:lambda:cn-north-1:1:function:f:3"), "f");
  EXPECT_EQ(FunctionOfResource("arn:aws:states:::lambda:invoke"), std::nullopt);
  EXPECT_EQ(FunctionOfResource("arn:aws:states:::dynamodb:putItem"), std::nullopt);
  EXPECT_EQ(FunctionOfResource("arn:aws:states:us-east-1:1:activity:a"), std::nullopt);
  EXPECT_EQ(FunctionOfResource("arn:aws:lambda:us-east-1:1:function:"), std::nullopt);
  EXPECT_EQ(FunctionOfResource("arn:aws:lambda:us-east-1:1:function:f:"), std::nullopt);
  EXPECT_EQ(FunctionOfResource("arn:aws:lambda:us-east-1:1:function:f:1:x"), std::nullopt);
  EXPECT_EQ(FunctionOfResource("arn:aws:lambda:us-east-1:1:layer:l"), std::nullopt);
  EXPECT_EQ(FunctionOfResource(""), std::nullopt);
}

TEST(WorkflowDefinitionTest, UsedFunctionsSharedByStatesListedOnce) {
  // KNIX's tests/state_resource_name_decoupling, shortened.
  EXPECT_EQ(Used(R"({"StartAt": "state_0", "States": {
      "state_0": {"Type": "Task", "Resource": "my_function", "Next": "state_1"},
      "state_1": {"Type": "Task", "Resource": "my_function", "Next": "state_2"},
      "state_2": {"Type": "Task", "Resource": "other", "End": true}}})"),
            (Names{"my_function", "other"}));
}

TEST(WorkflowDefinitionTest, UsedFunctionsThroughParallelAndMapLevelByLevel) {
  EXPECT_EQ(Used(R"({"StartAt": "P", "States": {
      "P": {"Type": "Parallel", "Next": "M", "Branches": [
        {"StartAt": "b1", "States": {
          "b1": {"Type": "Task", "Resource": "branch1", "Next": "inner"},
          "inner": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "deep",
            "States": {"deep": {"Type": "Task", "Resource": "deepest", "End": true}}}}}},
        {"StartAt": "b2", "States": {
          "b2": {"Type": "Task", "Resource": "branch2", "End": true}}}]},
      "M": {"Type": "Map", "Next": "last", "Iterator": {"StartAt": "it", "States": {
          "it": {"Type": "Task", "Resource": "iterated", "End": true}}}},
      "last": {"Type": "Task", "Resource": "top", "End": true},
      "choice": {"Type": "Choice", "Choices": [], "Default": "last"},
      "pass": {"Type": "Pass", "Resource": "not_a_task", "End": true}}})"),
            (Names{"top", "branch1", "branch2", "iterated", "deepest"}));
}

TEST(WorkflowDefinitionTest, UsedFunctionsOnlyNamesFunctions) {
  EXPECT_EQ(Used(R"({"StartAt": "a", "States": {
      "a": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:fromArn:3",
            "Next": "b"},
      "b": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", "Next": "c"},
      "c": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "viaInvoke"}, "Next": "d"},
      "d": {"Type": "Task", "Resource": 7, "Next": "e"},
      "e": {"Type": "Task", "Next": "f"},
      "f": "not a state",
      "g": {"Type": "Task", "Resource": "", "End": true}}})"),
            (Names{"fromArn"}));
}

TEST(WorkflowDefinitionTest, UsedFunctionsOfSandInDocumentOrder) {
  EXPECT_EQ(Used(R"({"entry": "a", "functions": [
      {"name": "a", "resource": "fz", "next": ["b"]},
      {"name": "b", "next": ["c"]},
      {"name": "c", "resource": "fz", "next": ["end"]}]})"),
            (Names{"fz", "b"}));
}

TEST(WorkflowDefinitionTest, NestedStates) {
  json::Value parallel = J(R"({"Type": "Parallel", "Branches": [
      {"StartAt": "x", "States": {"x": {}}}, {"StartAt": "y"}, 3,
      {"StartAt": "z", "States": {"z": {}}}]})");
  std::vector<const json::Value*> nested = NestedStates(parallel);
  ASSERT_EQ(nested.size(), 2u);
  EXPECT_TRUE(nested[0]->Find("x"));
  EXPECT_TRUE(nested[1]->Find("z"));
  json::Value map = J(R"({"Type": "Map", "Iterator": {"States": {"i": {}}},
      "ItemProcessor": {"States": {"p": {}}}})");
  EXPECT_EQ(NestedStates(map).size(), 2u);
  EXPECT_TRUE(NestedStates(J(R"({"Type": "Task", "Iterator": {"States": {}}})")).empty());
  EXPECT_TRUE(NestedStates(J(R"({"Type": "Map", "Iterator": {"States": []}})")).empty());
  EXPECT_TRUE(NestedStates(J("[]")).empty());
}

TEST(WorkflowDefinitionTest, DeployMessagesInKnixWording) {
  EXPECT_EQ(MissingResourcesMessage({"A"}),
            "Couldn't deploy workflow; Couldn't deploy workflow; \n"
            "Resource has not been uploaded yet: A");
  EXPECT_EQ(MissingResourcesMessage({"A", "B c"}),
            "Couldn't deploy workflow; Couldn't deploy workflow; \n"
            "Resource has not been uploaded yet: A\n"
            "Resource has not been uploaded yet: B c");
  EXPECT_EQ(DeployFailureMessage({kWorkflowCheckError, "The function names should be unique: a"}),
            "Couldn't deploy workflow; Couldn't deploy workflow; The function names should be "
            "unique: a");
  EXPECT_EQ(DeployFailureMessage({kInvalidWorkflowError, "workflow JSON is not valid."}),
            "Couldn't deploy workflow; workflow JSON is not valid.");
  EXPECT_EQ(DeployFailureMessage({kUnsupportedWorkflowError, "x"}), "Couldn't deploy workflow; x");
  EXPECT_EQ(std::string(kNoWorkflowJsonMessage),
            "Couldn't deploy workflow; workflow JSON does not exist.");
}

}  // namespace
}  // namespace stator::knix
