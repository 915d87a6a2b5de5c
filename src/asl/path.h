// JsonPath: a compiled JSONPath expression, as used by InputPath, OutputPath, ResultPath,
// ItemsPath, "key.$" template fields, *Path fields and Choice Variables.
//
// Compile once (when the definition is compiled); Evaluate on every state step without parsing.
// Supported syntax is what Step Functions (Jayway JsonPath) accepts: $ / $$ / $variable roots,
// .name, ['name'], [n] (negative too), [*], .*, [a,b], [start:end:step], ..name (deep scan), and
// filters [?(@.x < 5)], [?(@.x)], with &&, ||, ==, !=, <, <=, >, >=.
//
// A path is "definite" when it can select at most one node (only names and indexes). A definite
// path evaluates to that node; an indefinite one evaluates to the array of all matches (possibly
// empty), as Jayway does. A "reference path" is the subset allowed in ResultPath: definite and
// without negative indexes, filters or deep scans.
//
// Thread-safety: immutable after Compile; Evaluate may run on many threads at once.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "asl/context.h"
#include "asl/variable_table.h"
#include "common/json.h"
#include "common/result.h"

namespace stator::asl {

class JsonPath;
Result<json::Value> ApplyResultPath(const JsonPath& path, const json::Value& input,
                                    json::Value result);

class JsonPath {
 public:
  // Compiles text. The Error's cause says why the path is invalid (used in validation messages).
  static Result<JsonPath> Compile(std::string_view text);
  // As above; a variable root gets its id from vars (and counts as a read of the variable by the
  // state being compiled). Without a table the id is kNoVariableId.
  static Result<JsonPath> Compile(std::string_view text, VariableTable* vars);

  JsonPath();  // "$"
  const std::string& text() const;
  bool is_context() const;  // rooted at $$
  // Rooted at a workflow variable ("$name.rest", set by Assign): the variable's name, else "".
  const std::string& variable() const;
  bool is_variable() const { return !variable().empty(); }
  uint32_t variable_id() const;
  bool is_root() const;  // exactly "$" (or "$$")
  bool is_definite() const;
  bool is_reference() const;
  // A reference path rooted at a variable ("$name.a[0]"): definite, no negative indexes, filters
  // or deep scans. *Path fields and Choice operands accept these; ResultPath does not.
  bool is_variable_reference() const;

  // Evaluates against root: the node (definite path) or the array of matches (indefinite), or
  // std::nullopt when a definite path does not exist in root.
  std::optional<json::Value> Evaluate(const json::Value& root) const;
  // As above, choosing the root by the path's kind: input ($), context.Get() ($$, built only
  // then) or context.VariableById(id, name) ($name; nullopt when the variable is not set).
  std::optional<json::Value> Evaluate(const json::Value& input, const Context& context) const;

 private:
  friend Result<json::Value> ApplyResultPath(const JsonPath& path, const json::Value& input,
                                             json::Value result);
  struct Impl;
  const Impl& impl() const;  // the root path's ("$") when impl_ is null
  static Status CompileInto(std::string_view text, Impl* impl);  // all but variable_id
  // Everything, text included, lives in the shared Impl: a JsonPath is one pointer (a State holds
  // more than a dozen), and "$" (the default) shares a static one.
  std::shared_ptr<const Impl> impl_;
};

// Places result into input at a reference path (ResultPath semantics): "$" replaces the whole
// input; missing intermediate objects are created; the rest of input is kept (no copy of the
// untouched parts). When the path runs through a value that is not an object (or an index that
// the array does not have) it fails as AWS does: error States.ReferencePathConflict, cause
// 'Unable to apply step "<name>" to input <that value as JSON>'.
Result<json::Value> ApplyResultPath(const JsonPath& path, const json::Value& input,
                                    json::Value result);

}  // namespace stator::asl
