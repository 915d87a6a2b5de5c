// MockConfig: the mock configuration file of AWS Step Functions Local, and MockTaskRunner, which
// serves the Task states of one of its test cases with the mocked responses.
//
// File format (validated by Parse; every problem is reported with its location):
//   {
//     "StateMachines": {
//       "<state machine name>": {
//         "TestCases": { "<test case>": { "<state name>": "<mocked response name>", ... } }
//       }
//     },
//     "MockedResponses": {
//       "<mocked response name>": {
//         "0":   { "Return": <any JSON: the task result> },
//         "1-2": { "Throw": { "Error": "<error name>", "Cause": "<optional cause>" } }
//       }
//     }
//   }
// A mocked response maps invocation indexes (0-based: the first time the state runs in an
// execution is invocation 0, a retry is the next invocation, every Map iteration counts) to
// exactly one of Return or Throw. Keys are "N" or a range "N-M" (N <= M); together they must cover
// 0..last without gaps or overlaps. Invocations past the last index repeat the last response.
//
// Thread-safety: MockConfig is immutable after Parse. MockTaskRunner::Start may be called from
// several threads at once (its invocation counters are behind a mutex).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/json.h"
#include "common/mutex.h"
#include "common/result.h"
#include "common/thread_annotations.h"
#include "engine/execution.h"

namespace stator::integrations {

// One entry of a mocked response: what invocations first..last (inclusive) get.
struct MockedStep {
  int64_t first = 0;
  int64_t last = 0;
  bool is_throw = false;
  json::Value value;  // Return
  Error error;        // Throw
};

// A mocked response: its steps in invocation order, contiguous from invocation 0.
struct MockedResponse {
  std::string name;
  std::vector<MockedStep> steps;

  // The outcome of invocation index (0-based); past the last step, the last step's outcome.
  engine::TaskOutcome At(int64_t invocation) const;
};

// A test case: the mocked response of each mocked state.
struct MockTestCase {
  std::string state_machine;
  std::string name;
  std::unordered_map<std::string, std::shared_ptr<const MockedResponse>> states;
};

class MockConfig {
 public:
  // Validates and compiles a parsed configuration. Errors have error "InvalidMockConfig" and a
  // cause naming the location ("MockedResponses.Retry.1-2: ...") and the problem.
  static Result<MockConfig> Parse(const json::Value& config);
  // Reads and parses a file (the cause names the file on I/O or JSON errors).
  static Result<MockConfig> Load(const std::string& path);

  // The test case, or an Error ("UnknownTestCase") listing what the file has.
  Result<MockTestCase> FindTestCase(const std::string& state_machine,
                                    const std::string& test_case) const;
  // The names of the state machines in the file, sorted.
  std::vector<std::string> StateMachineNames() const;

 private:
  // state machine -> test case -> test case
  std::map<std::string, std::map<std::string, MockTestCase>> machines_;
};

// Serves the mocked states of one test case, counting invocations per state name.
class MockTaskRunner : public engine::TaskRunner {
 public:
  explicit MockTaskRunner(MockTestCase test_case);

  // True when the test case mocks this state.
  bool Serves(const std::string& state_name) const;

  // Completes synchronously with the mocked outcome of the state's next invocation. A state the
  // test case does not mock fails with States.Runtime (route such states elsewhere; see Serves).
  void Start(const engine::TaskRequest& request, engine::TaskCompletion done) override
      EXCLUDES(mu_);

 private:
  MockTestCase test_case_;
  Mutex mu_;
  std::unordered_map<std::string, int64_t> invocations_ GUARDED_BY(mu_);
};

}  // namespace stator::integrations
