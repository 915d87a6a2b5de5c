#include "asl/compiler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <ctime>

#include "asl/compile_context.h"
#include "asl/test_util.h"

namespace stator::asl {
namespace {

using testing::LoadTestData;

std::string Describe(const Diagnostics& diags) {
  std::string out;
  for (const Diagnostic& d : diags) out += d.code + ": " + d.message + " at " + d.location + "\n";
  return out;
}

// Every case in testdata/compiler_cases.json: exact diagnostics, in order.
TEST(CompilerTest, DiagnosticCases) {
  json::Value data = LoadTestData("compiler_cases.json");
  const json::Array& cases = data.Find("cases")->as_array();
  ASSERT_GT(cases.size(), 30u);
  for (const json::Value& c : cases) {
    const std::string& name = c.Find("name")->as_string();
    CompileResult r = Compile(*c.Find("definition"));
    Diagnostics expected;
    for (const json::Value& d : c.Find("diagnostics")->as_array()) {
      Diagnostic e;
      e.code = d.as_array()[0].as_string();
      e.message = d.as_array()[1].as_string();
      e.location = d.as_array()[2].as_string();
      expected.push_back(e);
    }
    EXPECT_EQ(Describe(r.diagnostics), Describe(expected)) << name;
    EXPECT_EQ(r.ok(), expected.empty()) << name;
  }
}

// Every definition AWS accepted in the recorded conformance cases compiles without diagnostics;
// every one it rejected fails with CreateStateMachine's exact message.
TEST(CompilerTest, RecordedAwsDefinitions) {
  json::Value data = LoadTestData("aws_definitions.json");
  const json::Array& valid = data.Find("valid")->as_array();
  ASSERT_GT(valid.size(), 100u);
  for (const json::Value& c : valid) {
    CompileResult r = Compile(*c.Find("definition"));
    EXPECT_TRUE(r.ok()) << c.Find("id")->as_string() << "\n" << Describe(r.diagnostics);
  }
  const json::Array& invalid = data.Find("invalid")->as_array();
  ASSERT_GT(invalid.size(), 90u);
  for (const json::Value& c : invalid) {
    const std::string& text = c.Find("definition")->as_string();
    CompileResult r = Compile(std::string_view(text));
    EXPECT_FALSE(r.ok()) << c.Find("id")->as_string();
    EXPECT_EQ(InvalidDefinitionMessage(r.diagnostics, text), c.Find("message")->as_string())
        << c.Find("id")->as_string();
  }
}

TEST(CompilerTest, BuildsTheIr) {
  CompileResult r = Compile(std::string_view(R"({
    "Comment": "c", "TimeoutSeconds": 30, "StartAt": "P",
    "States": {
      "P": {"Type": "Pass", "Result": {"a": 1}, "ResultPath": "$.r", "Next": "C"},
      "C": {"Type": "Choice", "Choices": [{"Variable": "$.r.a", "NumericEquals": 1, "Next": "T"}],
            "Default": "F"},
      "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f",
            "TimeoutSecondsPath": "$.t", "HeartbeatSeconds": 5, "InputPath": null,
            "Retry": [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 2, "BackoffRate": 1.5,
                       "MaxDelaySeconds": 9, "JitterStrategy": "FULL"}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": null, "Next": "F"}],
            "Next": "W"},
      "W": {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00Z", "Next": "M"},
      "M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "Label": "lbl",
            "ItemSelector": {"v.$": "$$.Map.Item.Value"},
            "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}},
            "Next": "Par"},
      "Par": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}],
              "End": true},
      "F": {"Type": "Fail", "Error": "E", "CausePath": "$.cause"}
    }})"));
  ASSERT_TRUE(r.ok()) << Describe(r.diagnostics);
  const StateMachine& m = *r.machine;
  EXPECT_EQ(m.comment, "c");
  EXPECT_EQ(m.timeout_seconds, 30);
  ASSERT_EQ(m.states.size(), 7u);
  EXPECT_EQ(m.start_at, 0);
  const State& p = m.states[0];
  EXPECT_EQ(p.type, StateType::kPass);
  EXPECT_EQ(p.next, 1);
  EXPECT_EQ(p.result_path.mode, PathField::Mode::kPath);
  EXPECT_EQ(p.result->Dump(), R"({"a":1})");
  const State& c = m.states[1];
  ASSERT_EQ(c.choices.size(), 1u);
  EXPECT_EQ(c.choices[0].next(), 2);
  EXPECT_EQ(c.default_next, 6);
  const State& t = m.states[2];
  EXPECT_EQ(t.resource, "arn:aws:lambda:us-east-1:1:function:f");
  EXPECT_TRUE(t.timeout_seconds.path.has_value());
  EXPECT_EQ(t.heartbeat_seconds.value, 5.0);
  EXPECT_EQ(t.input_path.mode, PathField::Mode::kNull);
  ASSERT_EQ(t.retry.size(), 1u);
  EXPECT_EQ(t.retry[0].max_attempts, 2);
  EXPECT_EQ(t.retry[0].backoff_rate, 1.5);
  EXPECT_EQ(t.retry[0].max_delay_seconds, 9);
  EXPECT_EQ(t.retry[0].jitter, JitterStrategy::kFull);
  EXPECT_EQ(t.retry[0].interval_seconds, 1);
  ASSERT_EQ(t.catchers.size(), 1u);
  EXPECT_EQ(t.catchers[0].next, 6);
  EXPECT_EQ(t.catchers[0].result_path.mode, PathField::Mode::kNull);
  EXPECT_EQ(t.next, 3);
  EXPECT_EQ(m.states[3].wait_timestamp, "2016-03-14T01:59:00Z");
  const State& map = m.states[4];
  ASSERT_NE(map.iterator, nullptr);
  EXPECT_EQ(map.iterator->states[0].name, "I");
  EXPECT_TRUE(map.parameters.has_value());
  EXPECT_EQ(map.max_concurrency.value, 2.0);
  EXPECT_EQ(map.label, "lbl");
  EXPECT_FALSE(map.distributed);
  const State& par = m.states[5];
  ASSERT_EQ(par.branches.size(), 1u);
  EXPECT_EQ(par.branches[0]->states[0].next, kEnd);
  EXPECT_EQ(par.next, kEnd);
  const State& f = m.states[6];
  EXPECT_EQ(f.error.value, "E");
  EXPECT_TRUE(f.cause.path.has_value());
}

TEST(CompilerTest, DistributedMapKeepsWhatItsChildExecutionsNeed) {
  CompileResult r = Compile(std::string_view(R"({"StartAt": "M", "States": {
      "M": {"Type": "Map", "End": true,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                              "Comment": "c", "StartAt": "I", "States": {"I": {"Type": "Succeed"}}},
            "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                             "Parameters": {"Bucket.$": "$.b", "Prefix": "p"}}}}})"));
  ASSERT_TRUE(r.ok()) << Describe(r.diagnostics);
  const State& map = r.machine->states[0];
  EXPECT_TRUE(map.distributed);
  EXPECT_TRUE(map.express_children);
  EXPECT_EQ(map.item_processor.Dump(),
            R"({"Comment":"c","StartAt":"I","States":{"I":{"Type":"Succeed"}}})");
  EXPECT_EQ(map.result_writer.Find("Resource")->as_string(), "arn:aws:states:::s3:putObject");
  ASSERT_TRUE(map.result_writer_parameters.has_value());
  // An inline Map keeps neither.
  r = Compile(std::string_view(R"({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
      "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}}})"));
  ASSERT_TRUE(r.ok()) << Describe(r.diagnostics);
  EXPECT_FALSE(r.machine->states[0].express_children);
  EXPECT_TRUE(r.machine->states[0].item_processor.is_null());
  EXPECT_TRUE(r.machine->states[0].result_writer.is_null());
}

TEST(CompilerTest, InvalidJson) {
  CompileResult r = Compile(std::string_view("not a definition"));
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].code, "INVALID_JSON_DESCRIPTION");
  EXPECT_EQ(r.diagnostics[0].message,
            "Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token "
            "'null', 'true' or 'false')\n at [Source: (String)\"not a definition\"; line: 1, "
            "column: 4]");
  EXPECT_EQ(r.diagnostics[0].location,
            "[Source: (String)\"not a definition\"; line: 1, column: 4]");
  CompileResult eof = Compile(std::string_view("{\"a\":\n  [1"));
  ASSERT_EQ(eof.diagnostics.size(), 1u);
  EXPECT_EQ(eof.diagnostics[0].message,
            "Unexpected end-of-input: expected close marker for Array (start marker at [Source: "
            "(String)\"{\"a\":\n  [1\"; line: 2, column: 3])\n at [Source: (String)\"{\"a\":\n  "
            "[1\"; line: 2, column: 5]");
  CompileResult quote = Compile(std::string_view("{'a':1}"));
  ASSERT_EQ(quote.diagnostics.size(), 1u);
  EXPECT_EQ(quote.diagnostics[0].message,
            "Unexpected character (''' (code 39)): was expecting double-quote to start field "
            "name\n at [Source: (String)\"{'a':1}\"; line: 1, column: 3]");
  // Jackson reads one value and ignores what follows it.
  CompileResult trailing = Compile(std::string_view("{} x"));
  ASSERT_EQ(trailing.diagnostics.size(), 1u);
  EXPECT_EQ(trailing.diagnostics[0].message, "These fields are required: [States, StartAt]");
  // Jackson quotes at most 500 characters of the source.
  std::string long_text = "{\"a\":" + std::string(600, ' ') + "x}";
  CompileResult truncated = Compile(std::string_view(long_text));
  ASSERT_EQ(truncated.diagnostics.size(), 1u);
  EXPECT_NE(
      truncated.diagnostics[0].location.find("\"[truncated 107 chars]; line: 1, column: 607]"),
      std::string::npos)
      << truncated.diagnostics[0].location;
  for (const char* bad : {"{", "{\"a\" 1}", "[1,]", "{\"a\":tru}", "\"abc", "{'a':1}", "[\"\\x\"]",
                          "{\"a\":\"\n\"}", "-", "[-", "{\"a\":-", "{\"a\":1,}"}) {
    CompileResult e = Compile(std::string_view(bad));
    ASSERT_EQ(e.diagnostics.size(), 1u) << bad;
    EXPECT_EQ(e.diagnostics[0].code, "INVALID_JSON_DESCRIPTION") << bad;
  }
}

TEST(CompilerTest, NotAnObject) {
  for (const char* text : {" ", "", "[]", "1", "null", "\"s\""}) {
    CompileResult r = Compile(std::string_view(text));
    ASSERT_EQ(r.diagnostics.size(), 1u) << text;
    EXPECT_EQ(r.diagnostics[0].code, "SCHEMA_VALIDATION_FAILED");
    EXPECT_EQ(r.diagnostics[0].message, "Definition must be a valid JSON object");
    EXPECT_EQ(r.diagnostics[0].location, "");
    EXPECT_EQ(InvalidDefinitionMessage(r.diagnostics),
              "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Definition must be a "
              "valid JSON object'");
  }
}

TEST(CompilerTest, InvalidDefinitionMessageJoinsAll) {
  CompileResult r = Compile(std::string_view(
      R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"X"},"B":{"Type":"Succeed"}}})"));
  EXPECT_EQ(InvalidDefinitionMessage(r.diagnostics),
            "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: "
            "X at /States/A/Next, MISSING_TRANSITION_TARGET: State \"B\" is not reachable. at "
            "/States/B'");
}

// Wrong types in every field of every state type must give diagnostics, never a crash.
TEST(CompilerTest, NeverCrashesOnWrongTypes) {
  // Every field of every state type (and the JSONata-only ones), from the compiler's own lists.
  const std::vector<std::string_view> fields = internal::AllStateFields();
  const char* values[] = {"null",
                          "true",
                          "-1",
                          "1.5",
                          "\"\"",
                          "\"$.x\"",
                          "\"$$\"",
                          "\"States.Format('{}', $.a)\"",
                          "[]",
                          "[1]",
                          "[{}]",
                          "{}",
                          "{\"a\":1}",
                          "[{\"ErrorEquals\":5}]",
                          "[{\"Next\":[]}]"};
  const char* types[] = {"Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"};
  // A state with one field compiles only when it needs nothing else and allows that field
  // with that value: Pass with End true; Succeed with a string Comment or a path (or null)
  // InputPath/OutputPath; Fail with a string Comment, Error or Cause, or a path or intrinsic
  // ErrorPath/CausePath. Every other combination lacks a field or has a wrong one.
  auto may_compile = [](std::string_view type, std::string_view field, std::string_view value) {
    const bool string = value.front() == '"';
    const bool path = value == "\"$.x\"" || value == "\"$$\"";
    const bool intrinsic = value.substr(0, 8) == "\"States.";
    if (type == "Pass") return field == "End" && value == "true";
    if (type == "Succeed") {
      if (field == "Comment") return string;
      if (field == "InputPath" || field == "OutputPath") return path || value == "null";
    }
    if (type == "Fail") {
      if (field == "Comment" || field == "Error" || field == "Cause") return string;
      if (field == "ErrorPath" || field == "CausePath") return path || intrinsic;
    }
    return false;
  };
  int compiled = 0;
  for (const char* type : types) {
    for (std::string_view field : fields) {
      for (const char* value : values) {
        std::string def = std::string(R"({"StartAt":"S","States":{"S":{"Type":")") + type +
                          "\",\"" + std::string(field) + "\":" + value + "}}}";
        CompileResult r = Compile(std::string_view(def));
        compiled += r.ok();
        EXPECT_EQ(r.ok(), r.diagnostics.empty()) << def;
        EXPECT_EQ(r.ok(), may_compile(type, field, value)) << def;
      }
    }
  }
  EXPECT_EQ(compiled, 29);  // (the count may_compile allows: 1 Pass, 10 Succeed, 18 Fail)
  for (
      const char* def :
      {R"({"StartAt":"S","States":{"S":{"Type":"Map","End":true,"Iterator":[]}}})",
       R"({"StartAt":"S","States":{"S":{"Type":"Map","End":true,"ItemProcessor":{"ProcessorConfig":5,"StartAt":1,"States":null}}}})",
       R"({"StartAt":"S","States":{"S":{"Type":"Parallel","End":true,"Branches":[{"States":{}}]}}})",
       R"({"StartAt":"S","States":{"S":{"Type":"Choice","Choices":[1,null,{"Not":[]}],"Default":5}}})"}) {
    CompileResult r = Compile(std::string_view(def));
    EXPECT_FALSE(r.ok()) << def;
    EXPECT_FALSE(r.diagnostics.empty()) << def;
  }
}

TEST(CompilerTest, DeepNestingIsDiagnosedNotACrash) {
  std::string def;
  int depth = 200;
  for (int i = 0; i < depth; ++i) {
    def += R"({"StartAt":"P)" + std::to_string(i) + R"(","States":{"P)" + std::to_string(i) +
           R"(":{"Type":"Parallel","End":true,"Branches":[)";
  }
  def += R"({"StartAt":"X","States":{"X":{"Type":"Succeed"}}})";
  for (int i = 0; i < depth; ++i) def += "]}}}";
  CompileResult r = Compile(std::string_view(def));
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.diagnostics.empty());
}

// A definition of n Task states with parameters, selectors, retries and catchers.
std::string ChainOfTasks(int n) {
  std::string def = R"({"StartAt":"S0","States":{)";
  for (int i = 0; i < n; ++i) {
    std::string name = "S" + std::to_string(i);
    std::string next = i + 1 < n ? R"("Next":"S)" + std::to_string(i + 1) + "\"" : R"("End":true)";
    def +=
        "\"" + name +
        R"js(":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f",)js"
        R"js("Parameters":{"a.$":"$.x.y","b":"literal text padding","c.$":"States.Format('{}', $.z)"},)js"
        R"js("ResultSelector":{"r.$":"$.Payload"},"ResultPath":"$.out","OutputPath":"$",)js"
        R"js("Retry":[{"ErrorEquals":["States.Timeout"],"MaxAttempts":3}],)js"
        R"js("Catch":[{"ErrorEquals":["States.ALL"],"Next":"S0"}],)js" +
        next + "}";
    if (i + 1 < n) def += ",";
  }
  return def + "}}";
}

// The least CPU time of 3 compilations, in milliseconds (the thread's own CPU time: time spent
// waiting for a core on a busy machine does not count).
double LeastCompileMillis(const std::string& def) {
  auto cpu_millis = [] {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
  };
  double best = 1e300;
  for (int i = 0; i < 3; ++i) {
    const double start = cpu_millis();
    CompileResult r = Compile(std::string_view(def));
    best = std::min(best, cpu_millis() - start);
    EXPECT_TRUE(r.ok());
  }
  return best;
}

// A definition of about 1 MB (thousands of states) compiles, in time linear in its size: four
// times the states take less than 12 times the CPU time (measured: 4.5-7 with the caches; a
// quadratic step would take 16 times as long). The ratio of two CPU times on the same machine
// does not depend on its speed or on how busy it is.
TEST(CompilerTest, LargeDefinitionCompilesInLinearTime) {
  const int n = 5000;
  std::string def = ChainOfTasks(n);
  ASSERT_GT(def.size(), 900000u);
  const double large = LeastCompileMillis(def);
  const double small = LeastCompileMillis(ChainOfTasks(n / 4));
  CompileResult r = Compile(std::string_view(def));
  ASSERT_TRUE(r.ok()) << Describe(r.diagnostics).substr(0, 2000);
  EXPECT_EQ(r.machine->states.size(), static_cast<size_t>(n));
  EXPECT_LT(large, 12 * small) << large << " ms for " << n << " states, " << small << " ms for "
                               << n / 4;
}

}  // namespace
}  // namespace stator::asl

namespace stator::asl {
namespace {

// KNIX deploys a PotentialNext that names no state (its tests/session_support has one); user
// code just cannot route there.
TEST(CompilerTest, KnixPotentialNextMayNameNoState) {
  CompileResult r =
      Compile(R"({"StartAt":"a","States":{"a":{"Type":"Task","Resource":"f","End":true,)"
              R"("PotentialNext":["ghost","b","end"]},"b":{"Type":"Pass","End":true}}})",
              {.knix = true});
  ASSERT_TRUE(r.ok()) << Describe(r.diagnostics);
  const KnixState& k = *r.machine->states[r.machine->IndexOf("a")].knix;
  EXPECT_EQ(k.potential_next_names, (std::vector<std::string>{"b", "end"}));
  EXPECT_EQ(k.potential_next, (std::vector<int>{r.machine->IndexOf("b"), kEnd}));
}

}  // namespace
}  // namespace stator::asl
