// Execute: runs a parsed, validated GraphQL operation against a Schema, calling a FieldResolver
// for the fields it resolves and the default resolver (the parent value's property) for the rest.
//
// Semantics follow the GraphQL spec (September 2025) with graphql-js/graphql-core as the
// reference: operation selection, variable and argument coercion (graphql-js's messages), result
// coercion, null propagation, fragments, @skip/@include, __typename and introspection.
// Abstract types (interfaces, unions) resolve from the value's "__typename" member, as AppSync
// does; a value without one (or naming a type that is not a possible type) is a field error.
//
// Resolvers may complete synchronously or later from any thread. Query (and subscription) root
// fields, and all nested fields, are started at once; mutation root fields run one after
// another. `done` is called exactly once, on the thread that delivered the last completion (or
// the caller's, when everything completed synchronously). An execution whose resolvers all answer
// synchronously does not allocate threads or block. The document and schema must outlive the
// execution (ExecuteRequest holds shared_ptrs to them).
//
// Execute does not validate the document (see the validation layer); given an invalid document it
// does not crash, but its output is unspecified.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "graphql/ast.h"
#include "graphql/error.h"
#include "graphql/schema.h"

namespace stator::graphql {

// A field whose value comes from a FieldResolver.
struct FieldCall {
  std::string parent_type;
  std::string field_name;
  std::string alias;      // the response key ("" when the field has no alias)
  json::Value arguments;  // coerced argument values (object; absent args without default omitted)
  json::Value source;     // the parent object's value (null at the root unless root_value)
  json::Value path;       // response path to this field, e.g. ["addThing"] or ["list",0,"x"]
  json::Value variables;  // the operation's coerced variables (object)
  std::vector<Location> locations;
  // AppSync's info.selectionSetList: the sub-selection as paths ("id", "owner", "owner/name"),
  // fragments expanded, __typename left out, each path once in first-seen order.
  std::vector<std::string> selection_set_list;
  // AppSync's info.selectionSetGraphQL: the sub-selection printed as GraphQL ("{\n  id\n}"),
  // "" for a leaf field.
  std::string selection_set_graphql;
  OperationType operation = OperationType::kQuery;
  std::string operation_name;
  const FieldDef* field = nullptr;  // the schema's field definition (owned by the Schema)
};

// What a resolver gives back.
struct FieldOutcome {
  json::Value value;  // the raw value, completed against the field's type by the executor
  // If set, the field is null and this error is reported; the executor fills path and
  // locations when they are empty. Error::extra carries top-level members (AppSync's errorType,
  // data, errorInfo).
  std::optional<Error> error;

  static FieldOutcome Value(json::Value v) { return FieldOutcome{std::move(v), std::nullopt}; }
  static FieldOutcome Fail(std::string message) {
    Error e;
    e.message = std::move(message);
    return FieldOutcome{json::Value(), std::move(e)};
  }
};

class FieldResolver {
 public:
  virtual ~FieldResolver() = default;
  // Whether Resolve handles this field; the rest use the default resolver. Called from the
  // executing thread(s); must be thread-safe and cheap.
  virtual bool Resolves(std::string_view parent_type, std::string_view field) const = 0;
  // May call done synchronously or later, from ANY thread, exactly once.
  virtual void Resolve(FieldCall call, std::function<void(FieldOutcome)> done) = 0;
};

struct ExecuteRequest {
  std::shared_ptr<const Schema> schema;
  std::shared_ptr<const Document> document;
  std::string operation_name;  // "" = the only operation
  json::Value variables;       // raw variables (object or null)
  json::Value root_value;      // the root fields' source; null by default
};

struct ExecutionResult {
  bool has_data = true;  // false for request errors (bad variables, no such operation)
  json::Value data;      // object, or null when a non-null root field was null
  std::vector<Error> errors;
  // {"errors"?, "data"?} as graphql-js orders them: errors first when present, then data
  // (omitted when has_data is false).
  json::Value ToJson() const;
};

// Field errors are reported sorted as graphql-core sorts them (by locations, then path, then
// message), which makes the order deterministic whatever order resolvers answer in.
void SortErrors(std::vector<Error>* errors);

void Execute(ExecuteRequest request, FieldResolver* resolver,
             std::function<void(ExecutionResult)> done);

// For tests and tools: executes and waits for the result (blocks if a resolver answers later).
ExecutionResult ExecuteSync(ExecuteRequest request, FieldResolver* resolver = nullptr);

// For tests and tools: parses `query`, executes it against `schema` (no validation) and returns
// the result's ToJson(); a syntax error gives {"errors":[...]}.
json::Value ExecuteText(const std::shared_ptr<const Schema>& schema, std::string_view query,
                        json::Value variables = json::Value(), std::string operation_name = "",
                        FieldResolver* resolver = nullptr);

}  // namespace stator::graphql
