#include "knix/sand_workflow.h"

#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace stator::knix {
namespace {

Error Invalid(std::string cause) { return Error{kInvalidWorkflowError, std::move(cause)}; }

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// An optional string member: absent -> fallback; present but not a string -> error.
Result<std::string> OptionalString(const json::Value& object, std::string_view key,
                                   std::string fallback, std::string_view where) {
  const json::Value* v = object.Find(key);
  if (!v) return fallback;
  if (!v->is_string()) {
    return Invalid(std::string(where) + ": " + Quoted(key) + " must be a string, not " +
                   v->TypeName());
  }
  return v->as_string();
}

Result<std::optional<bool>> OptionalBool(const json::Value& object, std::string_view key,
                                         std::string_view where) {
  const json::Value* v = object.Find(key);
  if (!v) return std::optional<bool>();
  if (!v->is_bool()) {
    return Invalid(std::string(where) + ": " + Quoted(key) + " must be a boolean, not " +
                   v->TypeName());
  }
  return std::optional<bool>(v->as_bool());
}

// An optional list of state names.
Result<std::vector<std::string>> OptionalNames(const json::Value& object, std::string_view key,
                                               std::string_view where) {
  std::vector<std::string> names;
  const json::Value* v = object.Find(key);
  if (!v) return names;
  if (!v->is_array()) {
    return Invalid(std::string(where) + ": " + Quoted(key) +
                   " must be a list of state names, not " + v->TypeName());
  }
  for (const json::Value& item : v->as_array()) {
    if (!item.is_string()) {
      return Invalid(std::string(where) + ": " + Quoted(key) +
                     " must be a list of state names; it holds a " + item.TypeName());
    }
    names.push_back(item.as_string());
  }
  return names;
}

Result<SandFunction> ParseFunction(const json::Value& item, size_t index) {
  std::string where = "SAND function #" + std::to_string(index + 1);
  if (!item.is_object()) return Invalid(where + " must be an object, not " + item.TypeName());
  const json::Value* name = item.Find("name");
  if (!name || !name->is_string()) return Invalid(where + " has no 'name' (a string)");
  SandFunction f;
  f.name = name->as_string();
  where = "SAND function " + Quoted(f.name);
  STATOR_TRY(f.resource, OptionalString(item, "resource", f.name, where));
  STATOR_TRY(f.next, OptionalNames(item, "next", where));
  STATOR_TRY(f.potential_next, OptionalNames(item, "potentialNext", where));
  STATOR_TRY(std::optional<bool> session, OptionalBool(item, "isSessionFunction", where));
  f.is_session_function = session.value_or(false);
  if (const json::Value* p = item.Find("sessionFunctionParameters")) {
    f.session_function_parameters = *p;
  }
  return f;
}

// The exit as KNIX reads it: `exit`, else `end`, else "end".
Result<std::string> ParseExit(const json::Value& document) {
  if (document.Find("exit")) return OptionalString(document, "exit", "end", "SAND workflow");
  return OptionalString(document, "end", "end", "SAND workflow");
}

}  // namespace

Result<SandWorkflow> ParseSandWorkflow(const json::Value& document) {
  if (!document.is_object()) {
    return Invalid(std::string("a SAND workflow must be a JSON object, not ") +
                   document.TypeName());
  }
  const json::Value* functions = document.Find("functions");
  if (!functions || !functions->is_array()) {
    return Invalid(
        "workflow JSON is neither ASL (StartAt and an object States) nor SAND (a 'functions' "
        "list)");
  }
  SandWorkflow wf;
  STATOR_TRY(wf.exit, ParseExit(document));

  // KNIX's deploy checks, per function in order: the exit first, then uniqueness.
  std::set<std::string> seen;
  for (size_t i = 0; i < functions->as_array().size(); ++i) {
    STATOR_TRY(SandFunction f, ParseFunction(functions->as_array()[i], i));
    if (f.name == wf.exit) {
      return Error{kWorkflowCheckError, "End of the workflow MUST NOT be a function: " + f.name};
    }
    if (!seen.insert(f.name).second) {
      return Error{kWorkflowCheckError, "The function names should be unique: " + f.name};
    }
    wf.functions.push_back(std::move(f));
  }

  STATOR_TRY(wf.name, OptionalString(document, "name", "", "SAND workflow"));
  const json::Value* entry = document.Find("entry");
  if (!entry || !entry->is_string()) return Invalid("SAND workflow has no 'entry' (a string)");
  wf.entry = entry->as_string();
  if (!seen.count(wf.entry)) {
    return Invalid("SAND workflow's entry " + Quoted(wf.entry) + " is not one of its functions");
  }
  STATOR_TRY(wf.enable_checkpoints, OptionalBool(document, "enable_checkpoints", "SAND workflow"));
  STATOR_TRY(wf.allow_immediate_messages,
             OptionalBool(document, "allow_immediate_messages", "SAND workflow"));

  for (const SandFunction& f : wf.functions) {
    for (const std::string& n : f.next) {
      if (n != wf.exit && !seen.count(n)) {
        return Invalid("Faulty workflow description: " + f.name + " uses " + n +
                       ", which does not exist!");
      }
    }
    for (const std::string& n : f.potential_next) {
      if (n != wf.exit && !seen.count(n)) {
        return Invalid("Faulty workflow description: " + f.name + " potentially uses " + n +
                       ", which does not exist!");
      }
    }
  }
  return wf;
}

Result<json::Value> SandToAsl(const SandWorkflow& sand) {
  // In the KNIX dialect the exit is "end": a function of that name under another exit would
  // be taken for it.
  for (const SandFunction& f : sand.functions) {
    if (f.name == "end" && sand.exit != "end") {
      return Error{kUnsupportedWorkflowError, "function 'end' of a SAND workflow whose exit is " +
                                                  Quoted(sand.exit) +
                                                  ": stator names every workflow's exit 'end'"};
    }
  }
  auto names = [&sand](auto first, auto last) {
    json::Array out;
    for (; first != last; ++first) {
      out.push_back(json::Value::String(*first == sand.exit ? "end" : *first));
    }
    return json::Value::MakeArray(std::move(out));
  };
  json::Object states;
  for (const SandFunction& f : sand.functions) {
    json::Object state;
    state.emplace_back("Type", json::Value::String("Task"));
    state.emplace_back("Resource", json::Value::String(f.resource));
    if (!f.next.empty()) {  // `next: []`: neither Next nor End, the state routes nowhere
      if (f.next.front() == sand.exit) {
        state.emplace_back("End", json::Value::Bool(true));
      } else {
        state.emplace_back("Next", json::Value::String(f.next.front()));
      }
      if (f.next.size() > 1)
        state.emplace_back("KnixNext", names(f.next.begin() + 1, f.next.end()));
    }
    if (!f.potential_next.empty()) {
      state.emplace_back("PotentialNext", names(f.potential_next.begin(), f.potential_next.end()));
    }
    if (f.is_session_function) {
      state.emplace_back("SessionFunction", json::Value::Bool(true));
      if (!f.session_function_parameters.is_null()) {
        state.emplace_back("SessionFunctionParameters", f.session_function_parameters);
      }
    }
    states.emplace_back(f.name, json::Value::MakeObject(std::move(state)));
  }
  json::Object asl;
  asl.emplace_back("StartAt", json::Value::String(sand.entry));
  if (sand.enable_checkpoints) {
    asl.emplace_back("EnableCheckpoints", json::Value::Bool(*sand.enable_checkpoints));
  }
  if (sand.allow_immediate_messages) {
    asl.emplace_back("AllowImmediateMessages", json::Value::Bool(*sand.allow_immediate_messages));
  }
  asl.emplace_back("States", json::Value::MakeObject(std::move(states)));
  return json::Value::MakeObject(std::move(asl));
}

}  // namespace stator::knix
