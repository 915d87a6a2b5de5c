// Fuzzes the definition compiler (asl::Compile) on arbitrary bytes: parsing, validation and
// compilation of every state type.
//
// Checks: a result carries a machine exactly when no diagnostic is an ERROR; a rejected
// definition renders an InvalidDefinition message; in a compiled machine every transition
// (Next, Default, Choices, Catch, StartAt) is kEnd or a valid state index, in branches and item
// processors too. Then it evaluates every compiled Parameters / ResultSelector template and
// Choice rule against a small fixed input, so the evaluators see what the compiler builds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "asl/compiler.h"
#include "asl/context.h"
#include "common/json.h"
#include "fuzz/fuzz_check.h"

namespace {

using stator::asl::kEnd;
using stator::asl::State;
using stator::asl::StateMachine;

const stator::json::Value& Input() {
  static const stator::json::Value v =
      *stator::json::Parse(R"({"a":1,"b":"x","c":[1,2.5,"t",null,{"d":true}],"e":{"f":{"g":-3}},
                               "ts":"2024-01-02T03:04:05Z","n":null})");
  return v;
}

const stator::asl::Context& Ctx() {
  static const stator::asl::FixedContext c(*stator::json::Parse(
      R"({"Execution":{"Id":"arn:x","Input":{"a":1},"Name":"n","StartTime":"2024-01-01T00:00:00Z"},
          "State":{"Name":"S","EnteredTime":"2024-01-01T00:00:00Z","RetryCount":0},
          "StateMachine":{"Id":"arn:y","Name":"m"},"Map":{"Item":{"Index":0,"Value":7}}})"));
  return c;
}

bool ValidTarget(int target, size_t n) {
  return target == kEnd || (target >= 0 && static_cast<size_t>(target) < n);
}

void CheckMachine(const StateMachine& m, int depth) {
  FUZZ_CHECK(depth < 1000, "nesting deeper than 1000");
  const size_t n = m.states.size();
  FUZZ_CHECK(n > 0, "a compiled machine without states");
  FUZZ_CHECK(m.start_at >= 0 && static_cast<size_t>(m.start_at) < n, "StartAt index %d of %zu",
             m.start_at, n);
  for (const State& s : m.states) {
    FUZZ_CHECK(ValidTarget(s.next, n), "state %s: Next index %d of %zu", s.name.c_str(), s.next, n);
    FUZZ_CHECK(ValidTarget(s.default_next, n), "state %s: Default index %d", s.name.c_str(),
               s.default_next);
    for (const auto& c : s.catchers) {
      FUZZ_CHECK(ValidTarget(c.next, n) && c.next != kEnd, "state %s: Catch index %d",
                 s.name.c_str(), c.next);
    }
    for (const auto& rule : s.choices) {
      FUZZ_CHECK(rule.next() >= 0 && static_cast<size_t>(rule.next()) < n,
                 "state %s: Choice index %d", s.name.c_str(), rule.next());
      (void)rule.Evaluate(Input(), Ctx());
    }
    if (s.parameters) (void)s.parameters->Evaluate(Input(), Ctx());
    if (s.result_selector) (void)s.result_selector->Evaluate(Input(), Ctx());
    for (const auto& b : s.branches) CheckMachine(*b, depth + 1);
    if (s.iterator) CheckMachine(*s.iterator, depth + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  stator::asl::CompileResult r = stator::asl::Compile(text);
  bool has_error = false;
  for (const stator::asl::Diagnostic& d : r.diagnostics) {
    FUZZ_CHECK(d.severity == "ERROR" || d.severity == "WARNING", "severity %s", d.severity.c_str());
    FUZZ_CHECK(!d.code.empty(), "a diagnostic without a code: %s", d.message.c_str());
    has_error = has_error || d.severity == "ERROR";
  }
  FUZZ_CHECK(r.ok() == !has_error, "ok()=%d but has_error=%d", r.ok(), has_error);
  if (!r.ok()) {
    std::string msg = stator::asl::InvalidDefinitionMessage(r.diagnostics);
    FUZZ_CHECK(!msg.empty(), "empty InvalidDefinition message");
  } else {
    CheckMachine(*r.machine, 0);
  }
  return 0;
}
