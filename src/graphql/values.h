// Input coercion (values.h): turns raw JSON variables and AST literals into the coerced values
// arguments carry, following the spec's CoerceVariableValues / CoerceArgumentValues /
// CoerceInputValue with graphql-js's error messages; and leaf result serialization for the built-in
// and AppSync scalars.
//
// Pure functions over an immutable Schema; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "graphql/ast.h"
#include "graphql/error.h"
#include "graphql/schema.h"

namespace stator::graphql {

// The operation's variables, coerced (an object), or the errors (graphql-js's messages, e.g.
// `Variable "$x" of required type "String!" was not provided.`).
struct CoercedVariables {
  json::Value values;
  std::vector<Error> errors;
};
CoercedVariables CoerceVariableValues(const Schema& schema, const OperationDefinition& operation,
                                      const json::Value& raw);

// A field's or directive's arguments (an object; absent arguments without a default left out).
// On error, *error is set (message and the argument's location) and the result is null.
json::Value CoerceArgumentValues(const Schema& schema, const std::vector<InputValue>& definitions,
                                 const std::vector<Argument>& arguments,
                                 const json::Value& variables, Location at, Error* error);

// An AST literal against an input type; nullopt if it is invalid ("undefined" in the spec).
// Variables absent from `variables` make an invalid literal except where the spec allows it.
std::optional<json::Value> ValueFromAst(const Schema& schema, const ValueNode& node,
                                        const TypeRef& type, const json::Value* variables);

// A raw JSON value as an input of `type` (the value of variable `$variable_name`); on failure
// returns nullopt and appends graphql-js's messages ("Variable \"$x\" got invalid value 1 at
// \"x.a\"; ...") to *errors.
std::optional<json::Value> CoerceInputValue(const Schema& schema, const json::Value& value,
                                            const TypeRef& type, std::string_view variable_name,
                                            std::vector<std::string>* errors);

// The coerced default value of an argument or input field (nullopt if it has none or it is
// invalid).
std::optional<json::Value> CoercedDefault(const Schema& schema, const InputValue& value);

// Serializes a leaf value for output (Int range, Float finiteness, String/ID/Boolean coercion,
// enum names, AppSync scalars validated as AppSync does). nullopt + *message on failure.
std::optional<json::Value> SerializeLeaf(const NamedType& type, const json::Value& value,
                                         std::string* message);

// Parses an input leaf (variable value or literal-derived JSON) for a scalar/enum; nullopt +
// *message ("" for the generic message) on failure.
std::optional<json::Value> ParseLeafValue(const NamedType& type, const json::Value& value,
                                          std::string* message);

// An input value's default as graphql-js prints it (astFromValue of the coerced default: input
// objects gain their fields' defaults, a list type's single item becomes a list); "" if none.
std::string PrintDefaultValue(const Schema& schema, const InputValue& value);

// A number as JavaScript's String(n) writes it ("1", "1.5", "1e+21", "1e-7").
std::string JsNumberToString(double d);

// graphql-js's inspect() of a JSON value, used in messages: strings JSON-quoted, objects as
// { a: 1 }, arrays as [1, 2].
std::string Inspect(const json::Value& value);

}  // namespace stator::graphql
