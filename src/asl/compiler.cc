#include "asl/compiler.h"

#include <algorithm>

#include "asl/compile_context.h"
#include "asl/json_syntax_error.h"
#include "asl/validator.h"

namespace stator::asl {

namespace v = validation;

namespace internal {
namespace {

constexpr std::string_view kRootFields[] = {"Comment",        "StartAt", "States",
                                            "TimeoutSeconds", "Version", "QueryLanguage"};
constexpr std::string_view kBranchFields[] = {"Comment", "StartAt", "States"};
constexpr std::string_view kProcessorFields[] = {"Comment", "StartAt", "States", "ProcessorConfig"};

// A transition target as written; "\0" stands for an explicit empty string.
std::string_view Shown(const std::string& name) {
  return name.size() == 1 && name[0] == '\0' ? std::string_view() : std::string_view(name);
}

size_t CodePointCount(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::shared_ptr<StateMachine> DefinitionCompiler::CompileRoot(const json::Value& def) {
  if (!def.is_object()) {
    Diagnostic d;
    d.code = kSchemaValidationFailed;
    d.message = "Definition must be a valid JSON object";
    diags_->push_back(std::move(d));
    return nullptr;
  }
  if (const json::Value* ql = def.Find("QueryLanguage")) {
    if (!ql->is_string() || (ql->as_string() != "JSONPath" && ql->as_string() != "JSONata")) {
      Schema(v::ValueOneOf({"JSONPath", "JSONata"}), "/QueryLanguage");
    } else if (ql->as_string() == "JSONata") {
      default_jsonata_ = true;
    }
  }
  return CompileMachine(def, "", MachineKind::kRoot, 0);
}

std::shared_ptr<StateMachine> DefinitionCompiler::CompileMachine(const json::Value& def,
                                                                 const std::string& loc,
                                                                 MachineKind kind, int depth) {
  const std::string here = loc.empty() ? "/" : loc;
  if (!def.is_object()) {
    const char* field = kind == MachineKind::kBranch     ? "Branches"
                        : kind == MachineKind::kIterator ? "Iterator"
                                                         : "ItemProcessor";
    Schema(v::MustBeType(field, "OBJECT"), here);
    return nullptr;
  }
  size_t errors_before = diags_->size();
  auto m = std::make_shared<StateMachine>();
  const int serial = ++machines_;
  switch (kind) {
    case MachineKind::kRoot:
      CheckFields(knix_ ? TakeKnixRootFields(def, m.get()) : def, kRootFields, loc);
      break;
    case MachineKind::kBranch:
      CheckFields(def, kBranchFields, loc);
      break;
    case MachineKind::kIterator:
    case MachineKind::kItemProcessor:
      CheckFields(def, kProcessorFields, loc);
      break;
  }
  const json::Value* states = def.Find("States");
  const json::Value* start = def.Find("StartAt");
  if (!states && !start) {
    Schema(v::FieldsRequired({"States", "StartAt"}), here);
  } else if (!states) {
    Schema(v::FieldsRequired({"States"}), here);
  } else if (!start) {
    Schema(v::FieldsRequired({"StartAt"}), here);
  }
  if (auto c = GetString(def, "Comment", loc)) m->comment = *c;
  if (kind == MachineKind::kRoot) {
    if (auto t = GetInteger(def, "TimeoutSeconds", 0, 99999999, loc)) m->timeout_seconds = *t;
    if (auto ver = GetString(def, "Version", loc)) {
      if (*ver != "1.0") Schema(v::ValueOneOf({"1.0"}), "/Version");
      m->version = *ver;
    }
  }
  std::string start_name;
  bool have_start = false;
  if (start) {
    if (!start->is_string()) {
      Schema(v::MustBeType("StartAt", "STRING"), v::At(loc, "StartAt"));
    } else {
      start_name = start->as_string();
      have_start = true;
    }
  }
  std::string states_loc = v::At(loc, "States");
  if (states && !states->is_object()) {
    Schema(v::MustBeType("States", "OBJECT"), states_loc);
    states = nullptr;
  }
  if (states && states->as_object().empty()) {
    Schema(v::kValueCannotBeEmpty, states_loc);
  }
  if (states) {
    const json::Object& members = states->as_object();
    m->states.resize(members.size());
    names_.reserve(names_.size() + members.size());
    for (size_t i = 0; i < members.size(); ++i) {
      const std::string& name = members[i].first;
      std::string at = v::At(states_loc, name);
      size_t len = CodePointCount(name);
      if (len == 0 || len > 80) {
        Schema("State name must be between 1 and 80 characters long", at);
      }
      if (!names_.try_emplace(name, NameEntry{serial, static_cast<int>(i)}).second) {
        v::Error(diags_, kDuplicateStateName, "Duplicate State name: '" + name + "'", at);
        duplicate_names_ = true;
      }
      vars_.BeginState();
      if (knix_) {
        CompileState(name, TakeKnixStateFields(members[i].second, at, depth, &m->states[i]), at,
                     depth, &m->states[i]);
      } else {
        CompileState(name, members[i].second, at, depth, &m->states[i]);
      }
      m->states[i].variable_references = vars_.EndState();
    }
    // StartAt.
    if (have_start) {
      auto it = std::find_if(m->states.begin(), m->states.end(),
                             [&](const State& s) { return s.name == start_name; });
      if (it == m->states.end()) {
        v::Error(diags_, kMissingTransitionTarget, "Missing 'Next' target: " + start_name,
                 v::At(loc, "StartAt"));
      } else {
        m->start_at = static_cast<int>(it - m->states.begin());
      }
    }
    if (knix_ && kind == MachineKind::kRoot) ResolveKnixRoutes(m.get(), loc);
    ResolveTransitions(m.get(), serial, loc,
                       /*check_reachable=*/!(knix_ && kind == MachineKind::kRoot));
  }
  if (kind == MachineKind::kRoot) {
    for (uint32_t id = 0; id < vars_.size(); ++id) m->variable_names.push_back(vars_.name(id));
  }
  if (diags_->size() != errors_before) return nullptr;
  return m;
}

// Resolves every transition name to an index, then reports the states that cannot be reached.
void DefinitionCompiler::ResolveTransitions(StateMachine* m, int serial, const std::string& loc,
                                            bool check_reachable) {
  std::string states_loc = v::At(loc, "States");
  // The first state of m named `name`, or -1. names_ has it unless the name is also a state's of
  // another machine compiled first (a duplicate, reported already): then m is searched.
  auto find = [&](const std::string& name) -> int {
    auto it = names_.find(name);
    if (it == names_.end()) return -1;
    if (it->second.machine == serial) return it->second.index;
    return m->IndexOf(name);
  };
  auto resolve = [&](const std::string& name, auto&& at) -> int {
    int i = find(name);
    if (i < 0) {
      v::Error(diags_, kMissingTransitionTarget,
               "Missing 'Next' target: " + std::string(Shown(name)), at());
      return kEnd;
    }
    return i;
  };
  for (size_t si = 0; si < m->states.size(); ++si) {
    State& s = m->states[si];
    // Locations are built only for a missing target.
    auto sloc = [&] { return v::At(states_loc, s.name); };
    if (!s.next_name.empty()) {
      // Most Next targets are the following state; with every name unique, it is the one.
      if (!duplicate_names_ && si + 1 < m->states.size() && m->states[si + 1].name == s.next_name) {
        s.next = static_cast<int>(si + 1);
      } else {
        s.next = resolve(s.next_name, [&] { return v::At(sloc(), "Next"); });
      }
    }
    if (!s.default_name.empty()) {
      s.default_next = resolve(s.default_name, [&] { return v::At(sloc(), "Default"); });
    }
    for (size_t i = 0; i < s.choices.size(); ++i) {
      ChoiceRule& c = s.choices[i];
      // Every compiled rule has a string Next (possibly empty, which no state is named).
      c.set_next(resolve(c.next_name(),
                         [&] { return v::At(v::At(v::At(sloc(), "Choices"), i), "Next"); }));
    }
    for (size_t i = 0; i < s.catchers.size(); ++i) {
      Catcher& c = s.catchers[i];
      if (!c.next_name.empty()) {
        c.next =
            resolve(c.next_name, [&] { return v::At(v::At(v::At(sloc(), "Catch"), i), "Next"); });
      }
    }
  }
  // Reachability from StartAt (only meaningful when StartAt resolved).
  if (!check_reachable || m->states.empty() || m->start_at < 0) return;
  std::vector<char> seen(m->states.size(), 0);
  std::vector<int> stack = {m->start_at};
  seen[m->start_at] = 1;
  auto visit = [&](int i) {
    if (i >= 0 && !seen[i]) {
      seen[i] = 1;
      stack.push_back(i);
    }
  };
  while (!stack.empty()) {
    const State& s = m->states[stack.back()];
    stack.pop_back();
    visit(s.next);
    visit(s.default_next);
    for (const ChoiceRule& c : s.choices) visit(c.next());
    for (const Catcher& c : s.catchers) visit(c.next);
  }
  for (size_t i = 0; i < m->states.size(); ++i) {
    if (!seen[i]) {
      v::Error(diags_, kMissingTransitionTarget,
               "State \"" + m->states[i].name + "\" is not reachable.",
               v::At(states_loc, m->states[i].name));
    }
  }
}

}  // namespace internal

namespace {

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

// Python's repr() of a str, as AWS prints the Label error's argument.
std::string PythonRepr(std::string_view s) {
  bool has_single = s.find('\'') != std::string_view::npos;
  bool has_double = s.find('"') != std::string_view::npos;
  char q = has_single && !has_double ? '"' : '\'';
  std::string out(1, q);
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == q) {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  out += q;
  return out;
}

}  // namespace

CompileResult Compile(const json::Value& definition, const CompileOptions& options) {
  CompileResult r;
  internal::DefinitionCompiler c(&r.diagnostics, options.knix);
  std::shared_ptr<StateMachine> m = c.CompileRoot(definition);
  bool has_error = std::any_of(r.diagnostics.begin(), r.diagnostics.end(),
                               [](const Diagnostic& d) { return d.severity == "ERROR"; });
  if (m && !has_error) r.machine = std::move(m);
  return r;
}

CompileResult Compile(std::string_view definition_json, const CompileOptions& options) {
  if (IsBlank(definition_json)) {
    CompileResult r;
    Diagnostic d;
    d.code = kSchemaValidationFailed;
    d.message = "Definition must be a valid JSON object";
    r.diagnostics.push_back(std::move(d));
    return r;
  }
  Result<json::Value> parsed = json::Parse(definition_json);
  if (!parsed.ok()) {
    // Find the error the way Jackson reports it. Jackson reads the first value and ignores what
    // follows, so trailing content after a complete value is not an error.
    internal::JsonSyntaxScan scan = internal::ScanJsonSyntax(definition_json);
    if (scan.ok) {
      parsed = json::Parse(definition_json.substr(0, scan.value_end));
      if (parsed.ok()) return Compile(*parsed, options);
      CompileResult r;
      r.diagnostics.push_back(
          internal::InvalidJsonDiagnostic(definition_json, parsed.error().cause, scan.value_end));
      return r;
    }
    CompileResult r;
    r.diagnostics.push_back(std::move(scan.error));
    return r;
  }
  return Compile(*parsed, options);
}

std::string InvalidDefinitionMessage(const Diagnostics& diagnostics) {
  std::string out = "Invalid State Machine Definition: '";
  bool first = true;
  for (const Diagnostic& d : diagnostics) {
    if (d.severity != "ERROR") continue;
    if (!first) out += ", ";
    first = false;
    out += d.code;
    out += ": ";
    out += d.message;
    if (!d.location.empty() && d.code != kInvalidJsonDescription) {
      out += " at ";
      out += d.location;
    }
  }
  out += "'";
  return out;
}

std::string InvalidDefinitionMessage(const Diagnostics& diagnostics,
                                     std::string_view definition_text) {
  for (const Diagnostic& d : diagnostics) {
    if (d.code == "INVALID_LABEL_NAME") {
      return "Error=ValueError Args=[" + PythonRepr(d.message) + "] in definition '" +
             std::string(definition_text) + "'.";
    }
  }
  return InvalidDefinitionMessage(diagnostics);
}

}  // namespace stator::asl
