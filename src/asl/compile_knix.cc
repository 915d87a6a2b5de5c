// DefinitionCompiler: the KNIX dialect (CompileOptions::knix). KNIX's own fields are compiled
// into State::knix / StateMachine and taken out of the object before the AWS checks run, so
// that everything else about a KNIX state is checked exactly as Step Functions checks it.
//
//   top level   AllowImmediateMessages (boolean), EnableCheckpoints (boolean; accepted, no
//               effect: every execution stator runs is as durable as its type makes it)
//   Task        PotentialNext   [state name, ...]  the states user code may route to
//               KnixNext        [state name, ...]  more static routes (SAND `next` lists; the
//                                                  exit is "end")
//               SessionFunction (boolean), SessionFunctionParameters (object)
//               neither Next nor End: the state routes nowhere once done
//   Parallel    WaitForNumBranches [k, ...]: positive integers, at most the number of branches
//
// Routes fork the execution (several top-level walkers at once), which only the top-level
// machine supports: on a nested state these fields are errors. A top-level Task with a Catch
// routes too (KNIX's Catch also runs the catcher's Next).

#include <algorithm>
#include <memory>
#include <string_view>

#include "asl/compile_context.h"
#include "asl/validator.h"

namespace stator::asl::internal {

namespace v = validation;

namespace {

constexpr std::string_view kKnixRootFields[] = {"AllowImmediateMessages", "EnableCheckpoints"};
constexpr std::string_view kKnixTaskFields[] = {"PotentialNext", "KnixNext", "SessionFunction",
                                                "SessionFunctionParameters"};
constexpr std::string_view kKnixParallelFields[] = {"WaitForNumBranches"};
// The name KNIX gives the exit of an ASL workflow.
constexpr std::string_view kKnixExit = "end";

json::Value Without(const json::Value& obj, std::span<const std::string_view> fields) {
  json::Object kept;
  for (const json::Member& m : obj.as_object()) {
    if (std::find(fields.begin(), fields.end(), m.first) == fields.end()) kept.push_back(m);
  }
  return json::Value::MakeObject(std::move(kept));
}

bool HasAny(const json::Value& obj, std::span<const std::string_view> fields) {
  for (std::string_view f : fields) {
    if (obj.Find(f) != nullptr) return true;
  }
  return false;
}

}  // namespace

json::Value DefinitionCompiler::TakeKnixRootFields(const json::Value& def, StateMachine* m) {
  m->knix = true;
  for (std::string_view field : kKnixRootFields) {
    const json::Value* value = def.Find(field);
    if (value == nullptr) continue;
    if (!value->is_bool()) {
      Schema(v::MustBeType(field, "BOOLEAN"), v::At("", field));
    } else if (field == "AllowImmediateMessages") {
      m->allow_immediate_messages = value->as_bool();
    }
  }
  return Without(def, kKnixRootFields);
}

json::Value DefinitionCompiler::TakeKnixStateFields(const json::Value& obj, const std::string& loc,
                                                    int depth, State* st) {
  if (!obj.is_object()) return obj;
  const json::Value* type = obj.Find("Type");
  const std::string_view type_name =
      type && type->is_string() ? std::string_view(type->as_string()) : std::string_view();
  const bool task = type_name == "Task";
  const bool parallel = type_name == "Parallel";
  const std::span<const std::string_view> fields =
      task       ? std::span<const std::string_view>(kKnixTaskFields)
      : parallel ? std::span<const std::string_view>(kKnixParallelFields)
                 : std::span<const std::string_view>();
  const bool routes_nowhere = task && !obj.Find("Next") && !obj.Find("End");
  if (!HasAny(obj, fields) && !routes_nowhere) return obj;  // the AWS checks report the rest
  if (depth > 0) {
    for (std::string_view f : fields) {
      if (obj.Find(f) != nullptr) {
        Schema("KNIX's '" + std::string(f) + "' is supported on top-level states only",
               v::At(loc, f));
      }
    }
    return Without(obj, fields);
  }
  auto knix = std::make_shared<KnixState>();
  auto names = [&](std::string_view field, std::vector<std::string>* out) {
    const json::Value* list = obj.Find(field);
    if (list == nullptr) return;
    if (!list->is_array()) {
      Schema(v::MustBeType(field, "ARRAY"), v::At(loc, field));
      return;
    }
    for (size_t i = 0; i < list->as_array().size(); ++i) {
      const json::Value& name = list->as_array()[i];
      if (!name.is_string() || name.as_string().empty()) {
        Schema("The elements of '" + std::string(field) + "' must be state names",
               v::At(v::At(loc, field), i));
      } else {
        out->push_back(name.as_string());
      }
    }
  };
  json::Value rest = Without(obj, fields);
  if (task) {
    names("PotentialNext", &knix->potential_next_names);
    names("KnixNext", &knix->also_next_names);
    if (const json::Value* session = obj.Find("SessionFunction")) {
      if (!session->is_bool()) {
        Schema(v::MustBeType("SessionFunction", "BOOLEAN"), v::At(loc, "SessionFunction"));
      } else {
        knix->session_function = session->as_bool();
      }
    }
    if (const json::Value* params = obj.Find("SessionFunctionParameters")) {
      if (!params->is_object()) {
        Schema(v::MustBeType("SessionFunctionParameters", "OBJECT"),
               v::At(loc, "SessionFunctionParameters"));
      } else {
        knix->session_function_parameters = *params;
      }
    }
    if (routes_nowhere) {
      // The AWS checks want Next or End: End stands in, and `stops` says no result is delivered.
      knix->stops = true;
      rest = rest.With("End", json::Value::Bool(true));
    }
  }
  if (parallel) {
    const json::Value* ks = obj.Find("WaitForNumBranches");
    const json::Value* branches = obj.Find("Branches");
    const size_t n = branches && branches->is_array() ? branches->as_array().size() : 0;
    if (!ks->is_array() || ks->as_array().empty()) {
      Schema(v::MustBeType("WaitForNumBranches", "ARRAY"), v::At(loc, "WaitForNumBranches"));
    } else {
      for (size_t i = 0; i < ks->as_array().size(); ++i) {
        const json::Value& k = ks->as_array()[i];
        if (!k.is_int() || k.as_int() < 1 || static_cast<size_t>(k.as_int()) > n) {
          Schema(
              "The elements of 'WaitForNumBranches' must be integers from 1 to the number of "
              "branches (" +
                  std::to_string(n) + ")",
              v::At(v::At(loc, "WaitForNumBranches"), i));
          continue;
        }
        knix->wait_for_num_branches.push_back(k.as_int());
      }
      std::sort(knix->wait_for_num_branches.begin(), knix->wait_for_num_branches.end());
      knix->wait_for_num_branches.erase(
          std::unique(knix->wait_for_num_branches.begin(), knix->wait_for_num_branches.end()),
          knix->wait_for_num_branches.end());
    }
  }
  st->knix = std::move(knix);
  return rest;
}

void DefinitionCompiler::ResolveKnixRoutes(StateMachine* m, const std::string& loc) {
  const std::string states_loc = v::At(loc, "States");
  for (State& s : m->states) {
    // KNIX's Catch runs the catcher's Next beside the state's own (engine/executor_knix.cc).
    if (s.type == StateType::kTask && !s.catchers.empty()) m->knix_routes = true;
    if (!s.knix) continue;
    auto knix = std::make_shared<KnixState>(*s.knix);
    auto resolve = [&](const std::vector<std::string>& names, std::string_view field,
                       std::vector<int>* out) {
      for (size_t i = 0; i < names.size(); ++i) {
        if (names[i] == kKnixExit) {
          out->push_back(kEnd);
          continue;
        }
        int index = m->IndexOf(names[i]);
        if (index < 0) {
          v::Error(diags_, kMissingTransitionTarget,
                   "Missing '" + std::string(field) + "' target: " + names[i],
                   v::At(v::At(v::At(states_loc, s.name), field), i));
        }
        out->push_back(index);
      }
    };
    // A PotentialNext naming no state is accepted, as KNIX deploys it (KNIX's
    // tests/session_support has one): user code cannot route there (the names and their
    // indices stay parallel).
    std::erase_if(knix->potential_next_names, [&](const std::string& name) {
      return name != kKnixExit && m->IndexOf(name) < 0;
    });
    resolve(knix->potential_next_names, "PotentialNext", &knix->potential_next);
    resolve(knix->also_next_names, "KnixNext", &knix->also_next);
    if (knix->stops || !knix->also_next.empty() || !knix->potential_next_names.empty() ||
        !knix->wait_for_num_branches.empty() || knix->session_function) {
      m->knix_routes = true;
    }
    s.knix = std::move(knix);
  }
  // send_to_function_now may start any state: an execution of a machine that allows it forks.
  if (m->allow_immediate_messages) m->knix_routes = true;
}

}  // namespace stator::asl::internal
