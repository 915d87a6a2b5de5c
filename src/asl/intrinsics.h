// IntrinsicCall: a compiled intrinsic function call such as States.Format('{} {}', $.a, $$.b).
//
// Arguments are string literals ('...', with \' \{ \} \\ escapes), numbers, true/false/null,
// JSONPaths on the input ($...), the context ($$...) or a workflow variable ($name...), and
// nested intrinsic calls. Compile checks the
// syntax, that the function exists and its arity; Evaluate checks argument types and values at run
// time and fails with States.IntrinsicFailure / States.Runtime carrying AWS's messages.
//
// The 18 functions: States.Format, StringToJson, JsonToString, Array, ArrayPartition,
// ArrayContains, ArrayRange, ArrayGetItem, ArrayLength, ArrayUnique, Base64Encode, Base64Decode,
// Hash, JsonMerge, MathRandom, MathAdd, StringSplit, UUID.
//
// Thread-safety: immutable after Compile; Evaluate may run on many threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "asl/context.h"
#include "asl/variable_table.h"
#include "common/json.h"
#include "common/result.h"

namespace stator::asl {

class IntrinsicCall {
 public:
  // True when text is meant as an intrinsic call (starts with "States." and has a '(').
  static bool LooksLikeCall(std::string_view text);
  // Compiles text; the Error's cause says what is wrong (for validation diagnostics). Variable
  // arguments ("$name...") get their ids from vars when given (see JsonPath::Compile).
  static Result<IntrinsicCall> Compile(std::string_view text, VariableTable* vars = nullptr);

  const std::string& text() const;  // "" when default-constructed
  bool uses_context() const;        // some argument reads $$

  Result<json::Value> Evaluate(const json::Value& input, const Context& context) const;
  // As above; field (e.g. "x.$") is named in the cause when a path argument selects nothing,
  // as AWS words it for template fields.
  Result<json::Value> Evaluate(const json::Value& input, const Context& context,
                               std::string_view field) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;  // the text too: a StringField holds two of these inline
};

}  // namespace stator::asl
