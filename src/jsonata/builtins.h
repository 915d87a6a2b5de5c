// The built-in function convention and registry of the JSONata engine.
//
// Every built-in ($sum, $map, $string, ...) is a Builtin: a name, a signature in the reference's
// syntax ("<n-n?:n>", parsed once when the registry is built and used to validate and coerce
// arguments exactly as the reference does: T0410, T0411, T0412, the context-focus `-`), and one
// of two implementations:
//
//   JsonFn    Result<Arg, Error> Fn(std::span<const Arg> args)
//             For functions whose arguments and result are plain JSON (the shape of
//             jsonata::Extension): $string, $substring, $formatNumber, $now, ... An argument
//             the caller omitted, or that evaluated to undefined, is std::nullopt; the span
//             has one entry per argument actually passed (after the signature's context
//             argument insertion). Return std::nullopt for undefined.
//
//   NativeFn  Result<Value, Error> Fn(Call& call, std::span<const Value> args)
//             For functions that take or return function values, regex matchers, or need the
//             evaluator: $map, $filter, $sort, $match, $replace, $split with a regex ...
//             `args` are internal Values (value.h). Call a function argument with
//             call.Apply(fn, {arg1, arg2, ...}) -- it handles lambdas, natives, partials and
//             regex matchers, the arity rules of the reference's higher-order functions
//             (pass only as many arguments as the lambda declares: use call.Arity(fn)), and the
//             depth/time limits. A regex argument is a Value whose fn()->kind is kRegex;
//             call.Match(regex, text, start) runs it and gives the match (see RegexMatch).
//
// Errors: return jsonata::Error{code, message, position, token}; MakeError (below) fills the
// message from the reference's table with the inserts, and Call::Fail adds the call's position.
//
// Adding a family: write functions_<family>.cc with a
// `std::span<const Builtin> <Family>Builtins()` declared below and list it in AllBuiltins()
// (builtins.cc). Numbers: read them with Value::number(), return NumberValue(d) (it chooses Int
// or Double; raise D1001 for non-finite results yourself).
//
// Thread-safety: the registry is built once (thread-safe static) and read-only afterwards;
// a Call belongs to one evaluation.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "jsonata/jsonata.h"
#include "jsonata/value.h"

namespace stator::jsonata::internal {

class Evaluator;
struct Frame;
struct Signature;

struct RegexMatch {
  std::string match;
  int start = 0;  // UTF-16 code-unit offsets, as the reference reports them
  int end = 0;
  std::vector<std::optional<std::string>> groups;
};

class Call {
 public:
  Call(Evaluator* ev, const Value& input, const std::shared_ptr<Frame>& env, int position,
       std::string_view name)
      : ev_(ev), input_(input), env_(env), position_(position), name_(name) {}

  // Applies a function value (lambda, native, partial application, regex matcher).
  Result<Value, Error> Apply(const Value& fn, std::vector<Value> args);
  // How many parameters a function value declares (the reference's arity rule for callbacks).
  int Arity(const Value& fn) const;
  // Runs a regex matcher on `text` from UTF-16 offset `start`; nullopt when no match.
  Result<std::optional<RegexMatch>, Error> Match(const Value& regex, const std::string& text,
                                                 int start);

  const Value& input() const { return input_; }  // the context value of the call
  int position() const { return position_; }
  std::string_view name() const { return name_; }  // the function's name, without '$'
  // An error with this call's position and the function's name as token.
  Error Fail(std::string_view code, std::vector<std::pair<std::string, std::string>> inserts = {});
  Evaluator* evaluator() const { return ev_; }

 private:
  Evaluator* ev_;
  const Value& input_;
  const std::shared_ptr<Frame>& env_;
  int position_;
  std::string_view name_;
};

using JsonFn = Result<Arg, Error> (*)(std::span<const Arg> args);
using NativeFn = Result<Value, Error> (*)(Call& call, std::span<const Value> args);

struct Builtin {
  std::string_view name;       // without '$'
  std::string_view signature;  // the reference's syntax
  NativeFn native = nullptr;   // exactly one of native / json is set
  JsonFn json = nullptr;
  // How many arguments a higher-order function passes it (the reference's arity: the number of
  // declared parameters before the first one with a default). -1: the signature's count.
  int arity = -1;
};

// The reference's error for `code` with {{name}} inserts filled ("value", "value2", "token",
// "index", "type", "exp", "message", "functionName").
Error MakeError(std::string_view code, int position,
                std::vector<std::pair<std::string, std::string>> inserts = {});
// A value rendered as the reference's messages insert it (JSON text, strings quoted).
std::string ErrorInsert(const Value& v);
// Fills what MakeError could not yet (the token, once the caller knows it); Evaluate calls it.
void FinishError(Error* e);
// JSON.stringify as $string uses it: numbers to 15 significant digits, functions as "",
// undefined members dropped; `pretty` indents by 2 as JSON.stringify(v, _, 2).
std::string JsonStringify(const Value& v, bool pretty);
// A JSON string literal as JSON.stringify writes it.
void AppendJsString(std::string_view s, std::string* out);

// Families. Each returns a static table.
std::span<const Builtin> HigherOrderBuiltins();  // functions_hof.cc
std::span<const Builtin> NumericBuiltins();      // functions_numeric.cc
std::span<const Builtin> ArrayBuiltins();        // functions_array.cc
std::span<const Builtin> ObjectBuiltins();       // functions_object.cc
std::span<const Builtin> StringBuiltins();       // functions_string.cc (jn-text)
std::span<const Builtin> EncodingBuiltins();     // functions_encoding.cc (jn-text)
std::span<const Builtin> DateTimeBuiltins();     // functions_datetime.cc (jn-text)
// $string, $length, $substring, ... in a plain form until jn-text's family replaces them.

// Every built-in, by name (later families replace earlier ones of the same name).
const std::vector<const Builtin*>& AllBuiltins();

// Helpers for built-ins.
bool IsTruthy(const Value& v);  // the reference's boolean() cast
Result<std::string, Error> StringOf(const Value& v, int position);  // $string's rendering
Value ArrayOf(std::vector<Value> items);     // a plain array value (not a sequence)
Value Flatten(const Value& v);               // array/sequence to a flat sequence
std::vector<Value> ItemsOf(const Value& v);  // array -> items; other -> {v}; undef -> {}

}  // namespace stator::jsonata::internal
