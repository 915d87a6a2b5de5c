#include "asl/assignment.h"

#include <gtest/gtest.h>

#include "asl/compiler.h"
#include "asl/test_util.h"

namespace stator::asl {
namespace {

using json::Value;
using testing::J;

// Variables by name (as a test stand-in for the engine's scopes).
class Vars : public Context {
 public:
  explicit Vars(Value vars) : vars_(std::move(vars)) {}
  const Value& Get() const override { return ctx_; }
  const Value* Variable(std::string_view name) const override { return vars_.Find(name); }

 private:
  Value ctx_ = J(R"j({"State":{"Name":"S"}})j");
  Value vars_;
};

TEST(AssignmentTest, NamesIdsAndValuesInKeyOrder) {
  VariableTable table;
  table.Declare("z");
  Diagnostics diags;
  std::optional<Assignment> a = Assignment::Compile(
      J(R"j({"b.$":"$.x","a":[1,{"k.$":"$$.State.Name"}],"c.$":"States.Format('{}-{}', $v, $.x)",
            "b":"later wins, first place","d.$":"$v.deep[1]"})j"),
      "/States/S/Assign", &diags, &table);
  ASSERT_TRUE(a.has_value()) << (diags.empty() ? "" : diags[0].message);
  ASSERT_EQ(a->size(), 4u);
  EXPECT_EQ(a->name(0), "b");
  EXPECT_EQ(a->name(1), "a");
  EXPECT_EQ(a->name(2), "c");
  EXPECT_EQ(a->name(3), "d");
  EXPECT_EQ(a->variable_id(0), 1u);  // "z" came first
  EXPECT_EQ(a->variable_id(3), table.Declare("d"));
  Vars ctx(J(R"j({"v":{"deep":[0,"two"]}})j"));
  Result<Value> r = a->Evaluate(J(R"j({"x":7})j"), ctx);
  ASSERT_TRUE(r.ok()) << r.error().cause;
  EXPECT_EQ(
      r->Dump(),
      // States.Format prints an object the way Java's Map.toString does.
      R"j({"b":"later wins, first place","a":[1,{"k":"S"}],"c":"{deep=[0, two]}-7","d":"two"})j");
}

TEST(AssignmentTest, LiteralsStayLiteral) {
  // Only ".$" keys are evaluated: "$x", "$$", "States.Format(...)" and "{% %}" strings elsewhere
  // are plain text (AWS-recorded BASE_CONSTANT_LITERALS).
  VariableTable table;
  Diagnostics diags;
  auto a = Assignment::Compile(
      J(R"j({"p":"$.no.such.path","v":"$noSuchVar","c":"$$","f":"States.Format('{}', $v)","j":"{% $v %}"})j"),
      "/A", &diags, &table);
  ASSERT_TRUE(a.has_value());
  Vars ctx(Value::EmptyObject());
  EXPECT_EQ(
      a->Evaluate(Value::EmptyObject(), ctx)->Dump(),
      R"j({"p":"$.no.such.path","v":"$noSuchVar","c":"$$","f":"States.Format('{}', $v)","j":"{% $v %}"})j");
  EXPECT_EQ(table.size(), 5u);  // declared, none read
}

TEST(AssignmentTest, MissingValuesFailAsTemplatesDo) {
  VariableTable table;
  Diagnostics diags;
  auto a = Assignment::Compile(J(R"j({"x.$":"$.missing","y.$":"$unset"})j"), "/A", &diags, &table);
  ASSERT_TRUE(a.has_value());
  Vars ctx(Value::EmptyObject());
  Result<Value> r = a->Evaluate(J(R"j({"in":1})j"), ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().error, "States.Runtime");
  EXPECT_EQ(r.error().cause,
            "The JSONPath '$.missing' specified for the field 'x.$' could not be found in the "
            "input '{\"in\":1}'");
}

TEST(AssignmentTest, InvalidAssignments) {
  VariableTable table;
  Diagnostics diags;
  EXPECT_FALSE(Assignment::Compile(J("3"), "/States/S/Assign", &diags, &table).has_value());
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].message, "The value for the field 'Assign' must be an OBJECT");
  diags.clear();
  EXPECT_FALSE(Assignment::Compile(J(R"j({"ok":1,"no way":2})j"), "/A", &diags, &table));
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].location, "/A/no way");
}

TEST(VariableTableTest, ReferencesPerState) {
  VariableTable t;
  t.BeginState();
  t.Reference("b");
  t.BeginState();  // a nested state (Map processor) keeps its own
  t.Reference("inner");
  EXPECT_EQ(t.EndState(), (std::vector<std::string>{"inner"}));
  t.Declare("assigned_only");
  t.Reference("a");
  t.Reference("b");
  EXPECT_EQ(t.EndState(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(t.size(), 4u);
  EXPECT_EQ(t.name(0), "b");
}

// DescribeStateMachine's variableReferences, as AWS recorded them for two definitions.
TEST(VariableTableTest, CompilerRecordsVariableReferences) {
  CompileResult r = Compile(std::string_view(R"j({"StartAt": "Setup", "States": {
    "Setup": {"Type": "Pass", "Assign": {"guess": "the_guess", "answer": "the_answer"},
              "Next": "CheckAnswer"},
    "CheckAnswer": {"Type": "Choice", "Choices": [{"Variable": "$guess",
                    "StringEqualsPath": "$answer", "Next": "CorrectAnswer"}],
                    "Default": "WrongAnswer"},
    "CorrectAnswer": {"Type": "Pass", "Result": {"state": "CORRECT"}, "End": true},
    "WrongAnswer": {"Type": "Pass", "Assign": {"guess.$": "$answer"},
                    "Result": {"state": "WRONG"}, "Next": "CheckAnswer"}}})j"));
  ASSERT_TRUE(r.ok());
  const auto& s = r.machine->states;
  EXPECT_TRUE(s[0].variable_references.empty());
  EXPECT_EQ(s[1].variable_references, (std::vector<std::string>{"answer", "guess"}));
  EXPECT_TRUE(s[2].variable_references.empty());
  EXPECT_EQ(s[3].variable_references, (std::vector<std::string>{"answer"}));
  ASSERT_TRUE(s[0].assign.has_value());
  EXPECT_EQ(s[0].assign->name(1), "answer");

  r = Compile(std::string_view(R"j({"StartAt": "Input", "States": {
    "Input": {"Type": "Pass", "Assign": {"bias": 4.3}, "Next": "Levels"},
    "Levels": {"Type": "Map", "ItemProcessor": {"StartAt": "Vec", "States": {
      "Vec": {"Type": "Pass", "Assign": {"x.$": "$[0]"}, "Next": "Calc"},
      "Calc": {"Type": "Map", "ItemProcessor": {"StartAt": "Sum", "States": {
        "Sum": {"Type": "Pass", "Assign": {"s.$": "States.MathAdd($x, $bias)"}, "End": true}}},
        "End": true}}}, "End": true}}})j"));
  ASSERT_TRUE(r.ok());
  const State& levels = r.machine->states[1];
  EXPECT_TRUE(levels.variable_references.empty());
  const State& calc = levels.iterator->states[1];
  EXPECT_TRUE(calc.variable_references.empty());
  EXPECT_EQ(calc.iterator->states[0].variable_references, (std::vector<std::string>{"bias", "x"}));
}

TEST(VariableTableTest, ChoiceRuleAndCatcherAssignmentsInTheIr) {
  CompileResult r = Compile(std::string_view(R"j({"StartAt": "C", "States": {
    "C": {"Type": "Choice", "Assign": {"d": 1}, "Default": "T",
          "Choices": [{"Variable": "$.a", "IsPresent": true, "Assign": {"r": 1}, "Next": "T"},
                      {"Variable": "$.b", "IsPresent": true, "Assign": {}, "Next": "T"}]},
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true,
          "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"e.$": "$.Error"}, "Next": "Z"}]},
    "Z": {"Type": "Succeed"}}})j"));
  ASSERT_TRUE(r.ok());
  const State& c = r.machine->states[0];
  ASSERT_TRUE(c.assign.has_value());
  EXPECT_EQ(c.assign->name(0), "d");
  ASSERT_NE(c.choices[0].assign(), nullptr);
  EXPECT_EQ(c.choices[0].assign()->name(0), "r");
  EXPECT_EQ(c.choices[1].assign(), nullptr);  // an empty Assign sets nothing
  const State& t = r.machine->states[1];
  ASSERT_TRUE(t.catchers[0].assign.has_value());
  EXPECT_EQ(t.catchers[0].assign->name(0), "e");
  EXPECT_FALSE(t.assign.has_value());
}

}  // namespace
}  // namespace stator::asl
