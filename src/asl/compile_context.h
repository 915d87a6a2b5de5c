// DefinitionCompiler: the internal worker behind Compile (compiler.h). Walks a parsed definition,
// records every problem as a Diagnostic and builds the StateMachine IR.
//
// Split over several files by concern: compiler.cc (entry points, machine level, transitions,
// reachability), compile_state.cc (one state of each type), compile_fields.cc (paths, numbers,
// Retry/Catch and other shared fields). Not part of the public interface.
//
// Thread-safety: one instance per Compile call; not shared.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "asl/diagnostic.h"
#include "asl/state_machine.h"
#include "asl/variable_table.h"
#include "common/json.h"

namespace stator::asl::internal {

using FieldList = std::span<const std::string_view>;

// What a path field accepts: any JSONPath (InputPath, OutputPath, ErrorPath, ...), a reference
// path on the input, the context object or a variable (SecondsPath, ItemsPath, the number
// paths, ...), or a reference path on the input only (ResultPath: it writes, and variables are
// read-only there).
enum class PathKind { kPath, kReference, kResultPath };

// Every field some JSONPath state type accepts, and the JSONata-only ones, each once (the field
// lists in compile_state.cc, for the compiler's tests).
std::vector<std::string_view> AllStateFields();

class DefinitionCompiler {
 public:
  DefinitionCompiler(Diagnostics* diags, bool knix) : diags_(diags), knix_(knix) {}

  // Compiles the top-level definition (location "").
  std::shared_ptr<StateMachine> CompileRoot(const json::Value& def);

 private:
  enum class MachineKind { kRoot, kBranch, kIterator, kItemProcessor };

  std::shared_ptr<StateMachine> CompileMachine(const json::Value& def, const std::string& loc,
                                               MachineKind kind, int depth);
  void CompileState(const std::string& name, const json::Value& obj, const std::string& loc,
                    int depth, State* st);
  // compile_jsonata.cc: a state whose QueryLanguage (its own, or the machine's) is JSONata.
  void CompileJsonataState(const json::Value& obj, const std::string& loc, int depth, State* st);
  // `serial`: m's number in names_.
  void ResolveTransitions(StateMachine* m, int serial, const std::string& loc,
                          bool check_reachable);

  // compile_knix.cc: the KNIX dialect (CompileOptions::knix). Each Take* compiles the KNIX
  // fields of a definition or state into the IR and returns the object without them, for the
  // AWS checks that follow.
  json::Value TakeKnixRootFields(const json::Value& def, StateMachine* m);
  json::Value TakeKnixStateFields(const json::Value& obj, const std::string& loc, int depth,
                                  State* st);
  // PotentialNext / KnixNext names to indices (a missing one is an error, the exit "end" is
  // kEnd); sets StateMachine::knix_routes.
  void ResolveKnixRoutes(StateMachine* m, const std::string& loc);

  // compile_state.cc: per-type parts.
  void CompileNextEnd(const json::Value& obj, const std::string& loc, State* st);
  void CompileTask(const json::Value& obj, const std::string& loc, State* st);
  void CompileChoice(const json::Value& obj, const std::string& loc, State* st);
  void CompileWait(const json::Value& obj, const std::string& loc, State* st);
  void CompileFail(const json::Value& obj, const std::string& loc, State* st);
  void CompileParallel(const json::Value& obj, const std::string& loc, int depth, State* st);
  void CompileMap(const json::Value& obj, const std::string& loc, int depth, State* st);

 public:
  // compile_fields.cc: shared field helpers (public for the per-type code and tests).
  void Schema(std::string message, std::string location);
  void CheckFields(const json::Value& obj, FieldList allowed, const std::string& loc);
  // Exactly one (required) or at most one (!required) of fields may be present.
  bool CheckExclusive(const json::Value& obj, std::initializer_list<std::string_view> fields,
                      bool required, const std::string& loc);
  const json::Value* GetTyped(const json::Value& obj, std::string_view field, json::Kind kind,
                              const char* type_name, const std::string& loc);
  std::optional<std::string> GetString(const json::Value& obj, std::string_view field,
                                       const std::string& loc);
  std::optional<int64_t> GetInteger(const json::Value& obj, std::string_view field, int64_t min,
                                    int64_t max, const std::string& loc);
  std::optional<JsonPath> CompilePath(const json::Value& v, std::string_view field, PathKind kind,
                                      const std::string& loc);
  PathField GetPathField(const json::Value& obj, std::string_view field, PathKind kind,
                         const std::string& loc);
  // A literal integer field and its ...Path twin (e.g. TimeoutSeconds / TimeoutSecondsPath).
  NumberField GetNumberField(const json::Value& obj, std::string_view field,
                             std::string_view path_field, int64_t min, int64_t max,
                             const std::string& loc);
  std::optional<PayloadTemplate> GetTemplate(const json::Value& obj, std::string_view field,
                                             bool object_only, const std::string& loc);
  StringField GetStringField(const json::Value& obj, std::string_view field,
                             std::string_view path_field, const std::string& loc);
  // "Assign" of obj, if present and not empty. In a JSONata state its expressions may read the
  // $states fields `scope` allows.
  std::optional<Assignment> GetAssign(const json::Value& obj, const std::string& loc,
                                      StatesScope scope = StatesScope::kInput);
  // Compiles field `field` of a JSONata state as a JsonataTemplate (absent: nullopt).
  std::optional<JsonataTemplate> GetJsonata(const json::Value& obj, std::string_view field,
                                            StatesScope scope, const std::string& loc);
  // Notes that a JSONata expression of the current state may read $states.context.
  void NoteJsonata(const std::optional<JsonataTemplate>& t) {
    if (t && t->uses_context()) uses_context_ = true;
  }
  void CompileRetry(const json::Value& obj, const std::string& loc, State* st);
  void CompileCatch(const json::Value& obj, const std::string& loc, State* st);
  std::vector<std::string> CompileErrorEquals(const json::Value& entry, const std::string& loc,
                                              bool* has_all);

 private:
  Diagnostics* diags_;
  const bool knix_;
  // Every state name in the definition, branches included, with the machine (numbered from 1 in
  // the order CompileMachine starts them) and index of its first state of that name
  // (ResolveTransitions' index). The keys point into the definition.
  struct NameEntry {
    int machine;
    int index;
  };
  int machines_ = 0;
  bool duplicate_names_ = false;  // some state name is used twice (reported)
  std::unordered_map<std::string_view, NameEntry> names_;
  VariableTable vars_;            // every workflow variable of the definition
  bool default_jsonata_ = false;  // the machine's QueryLanguage is JSONata
  bool jsonata_ = false;          // the state being compiled is a JSONata state
  bool uses_context_ = false;     // ... and one of its expressions reads $states.context
};

}  // namespace stator::asl::internal
