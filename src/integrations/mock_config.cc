#include "integrations/mock_config.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <utility>

namespace stator::integrations {
namespace {

constexpr const char* kInvalid = "InvalidMockConfig";

Error Invalid(const std::string& where, const std::string& what) {
  return Error{kInvalid, where + ": " + what};
}

// "N" or "N-M" with decimal digits only.
bool ParseIndexKey(const std::string& key, int64_t* first, int64_t* last) {
  auto parse_number = [](std::string_view s, int64_t* out) {
    if (s.empty() || s.size() > 9) return false;
    int64_t v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
  };
  std::string_view k = key;
  size_t dash = k.find('-');
  if (dash == std::string_view::npos) {
    if (!parse_number(k, first)) return false;
    *last = *first;
    return true;
  }
  return parse_number(k.substr(0, dash), first) && parse_number(k.substr(dash + 1), last);
}

Result<MockedStep> ParseStep(const std::string& where, const json::Value& v) {
  if (!v.is_object()) return Invalid(where, "must be an object with \"Return\" or \"Throw\"");
  const json::Value* ret = v.Find("Return");
  const json::Value* thr = v.Find("Throw");
  for (const json::Member& m : v.as_object()) {
    if (m.first != "Return" && m.first != "Throw") {
      return Invalid(where, "unknown field \"" + m.first + "\" (expected \"Return\" or \"Throw\")");
    }
  }
  if (ret != nullptr && thr != nullptr) {
    return Invalid(where, "\"Return\" and \"Throw\" are mutually exclusive");
  }
  if (ret == nullptr && thr == nullptr) return Invalid(where, "needs \"Return\" or \"Throw\"");
  MockedStep step;
  if (ret != nullptr) {
    step.value = *ret;
    return step;
  }
  step.is_throw = true;
  const std::string throw_where = where + ".Throw";
  if (!thr->is_object()) return Invalid(throw_where, "must be an object with \"Error\"");
  for (const json::Member& m : thr->as_object()) {
    if (m.first != "Error" && m.first != "Cause") {
      return Invalid(throw_where,
                     "unknown field \"" + m.first + "\" (expected \"Error\" and \"Cause\")");
    }
  }
  const json::Value* error = thr->Find("Error");
  if (error == nullptr) return Invalid(throw_where, "\"Error\" is required");
  if (!error->is_string()) return Invalid(throw_where + ".Error", "must be a string");
  step.error.error = error->as_string();
  if (const json::Value* cause = thr->Find("Cause")) {
    if (!cause->is_string()) return Invalid(throw_where + ".Cause", "must be a string");
    step.error.cause = cause->as_string();
  }
  return step;
}

Result<MockedResponse> ParseResponse(const std::string& name, const json::Value& v) {
  const std::string where = "MockedResponses." + name;
  if (!v.is_object()) return Invalid(where, "must be an object keyed by invocation index");
  if (v.as_object().empty()) return Invalid(where, "has no responses");
  MockedResponse response;
  response.name = name;
  for (const json::Member& m : v.as_object()) {
    const std::string step_where = where + "." + m.first;
    int64_t first = 0, last = 0;
    if (!ParseIndexKey(m.first, &first, &last)) {
      return Invalid(step_where,
                     "invalid invocation index (expected \"N\" or a range \"N-M\", N >= 0)");
    }
    if (last < first) return Invalid(step_where, "range end is smaller than its start");
    STATOR_TRY(MockedStep step, ParseStep(step_where, m.second));
    step.first = first;
    step.last = last;
    response.steps.push_back(std::move(step));
  }
  std::sort(response.steps.begin(), response.steps.end(),
            [](const MockedStep& a, const MockedStep& b) { return a.first < b.first; });
  int64_t expected = 0;
  for (const MockedStep& s : response.steps) {
    std::string key = s.first == s.last ? std::to_string(s.first)
                                        : std::to_string(s.first) + "-" + std::to_string(s.last);
    if (s.first < expected) {
      return Invalid(where + "." + key,
                     "overlaps another entry at invocation " + std::to_string(s.first));
    }
    if (s.first > expected) {
      return Invalid(where, "no response for invocation " + std::to_string(expected) +
                                " (indexes must be contiguous from 0)");
    }
    expected = s.last + 1;
  }
  return response;
}

}  // namespace

engine::TaskOutcome MockedResponse::At(int64_t invocation) const {
  const MockedStep* step = &steps.back();
  for (const MockedStep& s : steps) {
    if (invocation <= s.last) {
      step = &s;
      break;
    }
  }
  if (step->is_throw) return step->error;
  return step->value;
}

Result<MockConfig> MockConfig::Parse(const json::Value& config) {
  if (!config.is_object()) {
    return Error{kInvalid, "a mock configuration must be a JSON object, not " +
                               std::string(config.TypeName())};
  }
  for (const json::Member& m : config.as_object()) {
    if (m.first != "StateMachines" && m.first != "MockedResponses") {
      return Invalid(
          m.first, "unknown top-level field (expected \"StateMachines\" and \"MockedResponses\")");
    }
  }
  const json::Value* machines = config.Find("StateMachines");
  const json::Value* responses = config.Find("MockedResponses");
  if (machines == nullptr) return Error{kInvalid, "\"StateMachines\" is required"};
  if (responses == nullptr) return Error{kInvalid, "\"MockedResponses\" is required"};
  if (!machines->is_object()) return Invalid("StateMachines", "must be an object");
  if (!responses->is_object()) return Invalid("MockedResponses", "must be an object");

  std::unordered_map<std::string, std::shared_ptr<const MockedResponse>> parsed_responses;
  for (const json::Member& m : responses->as_object()) {
    STATOR_TRY(MockedResponse r, ParseResponse(m.first, m.second));
    parsed_responses.emplace(m.first, std::make_shared<const MockedResponse>(std::move(r)));
  }

  MockConfig out;
  for (const json::Member& sm : machines->as_object()) {
    const std::string where = "StateMachines." + sm.first;
    if (!sm.second.is_object()) return Invalid(where, "must be an object with \"TestCases\"");
    for (const json::Member& f : sm.second.as_object()) {
      if (f.first != "TestCases") {
        return Invalid(where, "unknown field \"" + f.first + "\" (expected \"TestCases\")");
      }
    }
    const json::Value* cases = sm.second.Find("TestCases");
    if (cases == nullptr) return Invalid(where, "\"TestCases\" is required");
    if (!cases->is_object()) return Invalid(where + ".TestCases", "must be an object");
    auto& machine = out.machines_[sm.first];
    for (const json::Member& tc : cases->as_object()) {
      const std::string case_where = where + ".TestCases." + tc.first;
      if (!tc.second.is_object()) {
        return Invalid(case_where, "must be an object mapping state names to mocked responses");
      }
      MockTestCase test_case;
      test_case.state_machine = sm.first;
      test_case.name = tc.first;
      for (const json::Member& st : tc.second.as_object()) {
        const std::string state_where = case_where + "." + st.first;
        if (!st.second.is_string()) {
          return Invalid(state_where, "must be the name of a mocked response (a string)");
        }
        auto it = parsed_responses.find(st.second.as_string());
        if (it == parsed_responses.end()) {
          return Invalid(state_where, "mocked response \"" + st.second.as_string() +
                                          "\" is not defined in MockedResponses");
        }
        test_case.states.emplace(st.first, it->second);
      }
      machine.emplace(tc.first, std::move(test_case));
    }
  }
  return out;
}

Result<MockConfig> MockConfig::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{kInvalid, "cannot read mock configuration file '" + path + "'"};
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error{kInvalid, "cannot read mock configuration file '" + path + "'"};
  auto parsed = json::Parse(text.str());
  if (!parsed.ok()) {
    return Error{kInvalid, "mock configuration file '" + path +
                               "' is not valid JSON: " + parsed.error().cause};
  }
  auto config = Parse(*parsed);
  if (!config.ok()) {
    return Error{kInvalid, "mock configuration file '" + path + "': " + config.error().cause};
  }
  return config;
}

Result<MockTestCase> MockConfig::FindTestCase(const std::string& state_machine,
                                              const std::string& test_case) const {
  auto sm = machines_.find(state_machine);
  if (sm == machines_.end()) {
    std::string names;
    for (const auto& [name, cases] : machines_) names += (names.empty() ? "" : ", ") + name;
    return Error{"UnknownTestCase", "the mock configuration has no state machine \"" +
                                        state_machine +
                                        "\" (it has: " + (names.empty() ? "none" : names) + ")"};
  }
  auto tc = sm->second.find(test_case);
  if (tc == sm->second.end()) {
    std::string names;
    for (const auto& [name, c] : sm->second) names += (names.empty() ? "" : ", ") + name;
    return Error{"UnknownTestCase", "state machine \"" + state_machine + "\" has no test case \"" +
                                        test_case +
                                        "\" (it has: " + (names.empty() ? "none" : names) + ")"};
  }
  return tc->second;
}

std::vector<std::string> MockConfig::StateMachineNames() const {
  std::vector<std::string> names;
  for (const auto& [name, cases] : machines_) names.push_back(name);
  return names;
}

MockTaskRunner::MockTaskRunner(MockTestCase test_case) : test_case_(std::move(test_case)) {}

bool MockTaskRunner::Serves(const std::string& state_name) const {
  return test_case_.states.count(state_name) != 0;
}

void MockTaskRunner::Start(const engine::TaskRequest& request, engine::TaskCompletion done) {
  auto it = test_case_.states.find(request.state_name);
  if (it == test_case_.states.end()) {
    done(Error{"States.Runtime", "test case \"" + test_case_.name + "\" does not mock state '" +
                                     request.state_name + "'"});
    return;
  }
  int64_t invocation;
  {
    MutexLock lock(&mu_);
    invocation = invocations_[request.state_name]++;
  }
  done(it->second->At(invocation));
}

}  // namespace stator::integrations
