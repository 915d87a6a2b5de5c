// JSONata: the query language AWS Step Functions implements (JSONata 2.0.6), as a pure layer.
//
// This header is the layer's whole public surface. An expression is compiled once into an
// immutable Expression (parser to AST, AST post-processed into the evaluator's form) and then
// evaluated any number of times, concurrently, over json::Value inputs: there is no conversion of
// the input on the way in nor of the result on the way out (a result that holds function values
// is the one exception: it is rendered as JSON with each function written as "").
//
// Errors are the reference implementation's (jsonata-js 2.0.6): the same codes (S0201, T2001,
// D3001, U1001, ...) and the same message texts with their inserts filled in, so that tools and
// tests written against the reference read ours unchanged.
//
// Thread-safety: Expression is immutable after Compile and safe to evaluate from many threads at
// once; Bindings and Extension objects are read-only during an evaluation and must outlive it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/result.h"

namespace stator::jsonata {

// A JSONata error as the reference reports it.
struct Error {
  std::string code;                  // "S0201", "T2001", "D3001", "U1001", ...
  std::string message;               // the reference's message for the code, inserts filled in
  int position = -1;                 // offset into the expression the reference gives, or -1
  std::optional<std::string> token;  // the reference's `token` field, when it sets one
};

// A value as a native extension function sees it: absent (JSONata's undefined) or JSON.
using Arg = std::optional<json::Value>;

// A function the host adds to the language (AWS's $partition, $uuid, ... live in asl/, not
// here). `signature` is in the reference's signature syntax ("<n-n?n?:a>"); arguments are
// checked and coerced against it before `fn` runs, exactly as for a built-in.
struct Extension {
  std::string name;  // without the '$'
  std::string signature;
  std::function<Result<Arg, Error>(std::span<const Arg> args)> fn;
};

// The variables an evaluation starts with, beside the built-in functions. Looked up by name
// (without the '$') when an expression reads a variable it does not bind itself; nullptr means
// "not bound here" (the expression then sees undefined, or a built-in of that name).
class Bindings {
 public:
  virtual ~Bindings() = default;
  virtual const json::Value* Find(std::string_view name) const = 0;
};

// Bindings from a small list of pairs (the CLI's --bindings, tests).
class BindingList final : public Bindings {
 public:
  void Add(std::string name, json::Value value);
  const json::Value* Find(std::string_view name) const override;

 private:
  std::vector<std::pair<std::string, json::Value>> items_;
};

struct Limits {
  int64_t time_limit_ms = 0;  // wall-clock budget; 0: none. Exceeding it is U1001.
  int max_depth = 0;          // evaluation stack depth; 0: the engine's own safe maximum.
                              // Exceeding either limit given here is U1001, as the suite's runner
                              // reports it; exceeding the engine's own maximum is also U1001.
};

namespace internal {
struct Program;
}  // namespace internal

class Expression {
 public:
  // Parses and prepares `text`. Syntax errors are the reference's S0xxx errors.
  // `extensions` are added to the built-in functions for every evaluation of this expression
  // (they may replace a built-in of the same name; a host removes one, e.g. $eval, by listing
  // it in `removed`).
  static Result<Expression, Error> Compile(std::string_view text,
                                           std::span<const Extension> extensions = {},
                                           std::span<const std::string_view> removed = {});

  // Evaluates against `input` (std::nullopt: no input, JSONata's undefined). Returns
  // std::nullopt for an undefined result.
  Result<Arg, Error> Evaluate(const Arg& input, const Bindings* bindings = nullptr,
                              const Limits& limits = {}) const;

  // The variables the expression reads without binding them itself (names without '$', each
  // once, in order of first appearance), and for each read of `$states` the field it selects
  // ("input", "result", "errorOutput", "context"; "" when the field is not a literal name).
  // asl/ checks AWS's scoping rules with these at definition time.
  const std::vector<std::string>& free_variables() const;
  const std::vector<std::string>& states_fields() const;

  // Whether the expression reads its input (the context value) implicitly at the top level: a
  // field name, `*` or `**` evaluated against the input (a bare name, a path's first step, an
  // argument such as `$sum(Account.Price)`, a member of a top-level object or array), the
  // context `$` there, or `$$` anywhere. Names in later path steps, predicates, sort terms,
  // group-by, transforms and lambda bodies read their own context and do not count. Decided
  // from the syntax at Compile; asl/ refuses such expressions as AWS does
  // (UNSUPPORTED_JSONATA_EXPRESSION: an ASL expression reaches its input through $states).
  bool reads_context() const;

  const std::string& text() const;

 private:
  std::shared_ptr<const internal::Program> program_;
};

}  // namespace stator::jsonata
