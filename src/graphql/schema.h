// Schema: an immutable GraphQL type system built from SDL (BuildSchema), printed back as SDL
// (PrintSchema) and described as introspection JSON (IntrospectionResult).
//
// A Schema is never modified after BuildSchema returns it, so a shared_ptr<const Schema> may be
// read from any number of threads at once. The built-in scalars (Int, Float, String, Boolean, ID),
// directives (@include, @skip, @deprecated, @specifiedBy, @oneOf) and the introspection types
// (__Schema, __Type, ...) are always present; with SchemaOptions::appsync, AppSync's scalars and
// @aws_* directives are predeclared too (they are not printed by PrintSchema, as AppSync does not
// print them either).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "graphql/ast.h"
#include "graphql/error.h"

namespace stator::graphql {

struct SchemaOptions {
  bool appsync = false;
};

enum class TypeKind { kScalar, kObject, kInterface, kUnion, kEnum, kInputObject };
const char* TypeKindName(TypeKind kind);  // "SCALAR", "OBJECT", ... as __TypeKind spells them

struct NamedType;

// An argument or an input object field.
struct InputValue {
  std::string name;
  std::optional<std::string> description;
  TypeRef type;
  std::optional<ValueNode> default_value;  // the literal as written in the SDL
  std::optional<std::string> deprecation_reason;
  std::vector<Directive> directives;
  Location location;
};

struct FieldDef {
  std::string name;
  std::optional<std::string> description;
  std::vector<InputValue> arguments;
  TypeRef type;
  const NamedType* named_type = nullptr;  // type's innermost named type (owned by the Schema)
  std::optional<std::string> deprecation_reason;
  std::vector<Directive> directives;  // as applied in the SDL (@aws_* etc.)
  Location location;
  const InputValue* FindArgument(std::string_view name) const;
};

struct EnumValueDef {
  std::string name;
  std::optional<std::string> description;
  std::optional<std::string> deprecation_reason;
  std::vector<Directive> directives;
};

// A named type.
struct NamedType {
  TypeKind kind = TypeKind::kScalar;
  std::string name;
  std::optional<std::string> description;
  bool builtin = false;          // a spec scalar, an introspection type, or an AppSync scalar
  std::vector<FieldDef> fields;  // object, interface (in definition order)
  std::vector<std::string> interfaces;          // object, interface
  std::vector<std::string> union_members;       // union
  std::vector<EnumValueDef> enum_values;        // enum
  std::vector<InputValue> input_fields;         // input object
  std::optional<std::string> specified_by_url;  // scalar
  bool one_of = false;                          // input object with @oneOf
  std::vector<Directive> directives;            // as applied in the SDL (extensions appended)
  Location location;                            // of the name (0:0 for built-ins)

  const FieldDef* FindField(std::string_view name) const;
  const InputValue* FindInputField(std::string_view name) const;
  const EnumValueDef* FindEnumValue(std::string_view name) const;
  bool is_abstract() const { return kind == TypeKind::kInterface || kind == TypeKind::kUnion; }
  bool is_composite() const {
    return kind == TypeKind::kObject || kind == TypeKind::kInterface || kind == TypeKind::kUnion;
  }
  bool is_leaf() const { return kind == TypeKind::kScalar || kind == TypeKind::kEnum; }
  bool is_input() const {
    return kind == TypeKind::kScalar || kind == TypeKind::kEnum || kind == TypeKind::kInputObject;
  }
};

struct DirectiveDef {
  std::string name;
  std::optional<std::string> description;
  std::vector<InputValue> arguments;
  bool repeatable = false;
  std::vector<std::string> locations;  // "QUERY", "FIELD", "FIELD_DEFINITION", ...
  bool builtin = false;
  Location location;
  const InputValue* FindArgument(std::string_view name) const;
};

class Schema {
 public:
  Schema();
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;

  const NamedType* FindType(std::string_view name) const;
  // Every named type: the user's in definition order, then the built-ins.
  const std::vector<const NamedType*>& types() const { return type_order_; }
  const NamedType* query_type() const { return query_; }
  const NamedType* mutation_type() const { return mutation_; }
  const NamedType* subscription_type() const { return subscription_; }
  const NamedType* RootType(OperationType operation) const;
  std::optional<std::string> description() const { return description_; }

  const DirectiveDef* FindDirective(std::string_view name) const;
  const std::vector<const DirectiveDef*>& directives() const { return directive_order_; }

  // The object types an abstract type may resolve to (union members; an interface's
  // implementations in definition order). Empty for non-abstract types.
  const std::vector<const NamedType*>& PossibleTypes(const NamedType& abstract) const;
  bool IsPossibleType(const NamedType& abstract, const NamedType& object) const;
  // Whether `maybe_sub` is `super` or one of its possible types / implementations (also
  // interface-implements-interface).
  bool IsSubType(const NamedType& super, const NamedType& maybe_sub) const;
  // The field `name` on parent, including the meta fields __typename (any composite type) and
  // __schema/__type (on the query root). nullptr if none.
  const FieldDef* FindField(const NamedType& parent, std::string_view name) const;

  const SchemaOptions& options() const { return options_; }
  // The SDL-declared schema description and applied directives (`schema @foo { ... }`).
  const std::vector<Directive>& schema_directives() const { return schema_directives_; }
  // Whether the SDL had a `schema { }` definition (PrintSchema prints it only then, or when the
  // root types are not the default names).
  bool has_schema_definition() const { return has_schema_definition_; }
  // Where the SDL names the root type of `operation` (`query: Q`), if it does.
  std::optional<Location> RootTypeLocation(OperationType operation) const {
    auto it = root_type_locations_.find(static_cast<int>(operation));
    if (it == root_type_locations_.end()) return std::nullopt;
    return it->second;
  }

  ~Schema();

 private:
  friend class SchemaBuilder;
  SchemaOptions options_;
  std::optional<std::string> description_;
  std::map<std::string, std::unique_ptr<NamedType>, std::less<>> types_;
  std::vector<const NamedType*> type_order_;
  std::map<std::string, std::unique_ptr<DirectiveDef>, std::less<>> directives_;
  std::vector<const DirectiveDef*> directive_order_;
  std::map<std::string, std::vector<const NamedType*>, std::less<>> possible_types_;
  const NamedType* query_ = nullptr;
  const NamedType* mutation_ = nullptr;
  const NamedType* subscription_ = nullptr;
  std::vector<Directive> schema_directives_;
  bool has_schema_definition_ = false;
  std::map<int, Location> root_type_locations_;
  FieldDef typename_field_;
  FieldDef schema_field_;
  FieldDef type_field_;
};

struct SchemaResult {
  std::shared_ptr<const Schema> schema;  // null when errors is not empty
  std::vector<Error> errors;
  bool ok() const { return errors.empty(); }
};

// Parses and validates SDL: a `schema {}` block or the default root names Query/Mutation/
// Subscription, `extend` forms, descriptions, @deprecated/@specifiedBy/@oneOf. Type-system
// validation (unknown types, duplicate names, interface implementation, input/output positions,
// root types being objects, ...) reports graphql-js's messages.
SchemaResult BuildSchema(std::string_view sdl, const SchemaOptions& options = {});

// SDL as graphql-js's printSchema prints it (built-in scalars, directives and, for an AppSync
// schema, AppSync's predeclared scalars and directives are left out).
std::string PrintSchema(const Schema& schema);

// One type's SDL as PrintSchema prints it (with its description), e.g. for AppSync's GetType.
std::string PrintType(const Schema& schema, const NamedType& type);

// The `data` of graphql-js's getIntrospectionQuery() (descriptions on, no optional extras) run
// against the schema: {"__schema": {...}}.
json::Value IntrospectionResult(const Schema& schema);

// The text of that introspection query, for callers that want to execute it themselves.
std::string_view IntrospectionQuery();

}  // namespace stator::graphql
