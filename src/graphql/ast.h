// The GraphQL document AST: what ParseDocument (parser.h) produces and everything else reads.
//
// A Document owns all of its nodes by value (recursion through std::vector and shared_ptr); once
// parsed it is never modified, so a shared_ptr<const Document> may be read from any number of
// threads at once. Every node carries the Location (1-based line/column) of its first token.
// Executable definitions (operations, fragments) and type-system definitions (the SDL the schema
// builder reads, including `extend` forms) live side by side; `definitions` keeps source order.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "graphql/error.h"

namespace stator::graphql {

// ---- values -------------------------------------------------------------------------------

enum class ValueKind { kVariable, kInt, kFloat, kString, kBoolean, kNull, kEnum, kList, kObject };

struct ObjectFieldNode;

struct ValueNode {
  ValueKind kind = ValueKind::kNull;
  // kVariable: the variable's name (no '$'); kInt/kFloat: the literal as written; kString: the
  // decoded string value; kEnum: the enum value's name.
  std::string text;
  bool boolean = false;                 // kBoolean
  bool block = false;                   // kString written as a """block string"""
  std::vector<ValueNode> list;          // kList
  std::vector<ObjectFieldNode> fields;  // kObject, in source order
  Location location;
};

struct ObjectFieldNode {
  std::string name;
  ValueNode value;
  Location location;
};

// ---- types --------------------------------------------------------------------------------

enum class TypeRefKind { kNamed, kList, kNonNull };

// A type reference: `Name`, `[T]` or `T!`. Shared by documents and the Schema.
struct TypeRef {
  TypeRefKind kind = TypeRefKind::kNamed;
  std::string name;                        // kNamed
  std::shared_ptr<const TypeRef> of_type;  // kList, kNonNull
  Location location;

  static TypeRef Named(std::string name);
  static TypeRef ListOf(TypeRef inner);
  static TypeRef NonNullOf(TypeRef inner);
  const std::string& NamedType() const;  // the innermost name
  std::string ToString() const;          // "[String!]!"
  bool operator==(const TypeRef& o) const;
};

// ---- executable definitions ----------------------------------------------------------------

struct Argument {
  std::string name;
  ValueNode value;
  Location location;
};

struct Directive {
  std::string name;
  std::vector<Argument> arguments;
  Location location;
};

struct Selection;

struct Field {
  std::string alias;  // "" = none
  std::string name;
  std::vector<Argument> arguments;
  std::vector<Directive> directives;
  std::vector<Selection> selection_set;
  Location location;
  Location selection_set_location;  // its '{' ({0, 0} when the field has no selection set)
  const std::string& response_key() const { return alias.empty() ? name : alias; }
};

struct FragmentSpread {
  std::string name;
  std::vector<Directive> directives;
  Location location;       // the "..."
  Location name_location;  // the fragment's name
};

struct InlineFragment {
  std::string type_condition;  // "" = none
  std::vector<Directive> directives;
  std::vector<Selection> selection_set;
  Location location;                 // the "..."
  Location type_condition_location;  // the type's name after "on" ({0, 0} when none)
};

struct Selection {
  std::variant<Field, FragmentSpread, InlineFragment> node;
  const Field* field() const { return std::get_if<Field>(&node); }
  const FragmentSpread* fragment_spread() const { return std::get_if<FragmentSpread>(&node); }
  const InlineFragment* inline_fragment() const { return std::get_if<InlineFragment>(&node); }
  Location location() const;
};

enum class OperationType { kQuery, kMutation, kSubscription };
const char* OperationTypeName(OperationType t);  // "query", "mutation", "subscription"

struct VariableDefinition {
  std::string name;  // without '$'
  TypeRef type;
  std::optional<ValueNode> default_value;
  std::vector<Directive> directives;
  Location location;       // the '$'
  Location name_location;  // the name after it
};

struct OperationDefinition {
  OperationType operation = OperationType::kQuery;
  std::string name;        // "" = anonymous
  bool shorthand = false;  // written as a bare `{ ... }`
  std::vector<VariableDefinition> variable_definitions;
  std::vector<Directive> directives;
  std::vector<Selection> selection_set;
  Location location;
  Location name_location;  // {0, 0} when anonymous
};

struct FragmentDefinition {
  std::string name;
  std::string type_condition;
  std::vector<Directive> directives;
  std::vector<Selection> selection_set;
  Location location;                 // the "fragment" keyword
  Location name_location;            // the fragment's name
  Location type_condition_location;  // the type's name after "on"
};

// ---- type-system definitions (SDL) ---------------------------------------------------------

struct InputValueDefinition {
  std::string description;  // "" = none
  bool has_description = false;
  std::string name;
  Location name_location;
  TypeRef type;
  std::optional<ValueNode> default_value;
  std::vector<Directive> directives;
  Location location;
};

struct FieldDefinition {
  std::string description;
  bool has_description = false;
  std::string name;
  Location name_location;
  std::vector<InputValueDefinition> arguments;
  TypeRef type;
  std::vector<Directive> directives;
  Location location;
};

struct EnumValueDefinition {
  std::string description;
  bool has_description = false;
  std::string name;
  Location name_location;
  std::vector<Directive> directives;
  Location location;
};

enum class TypeDefinitionKind { kScalar, kObject, kInterface, kUnion, kEnum, kInputObject };
// Where a directive on such a definition stands: "SCALAR", "OBJECT", ..., "INPUT_OBJECT".
const char* DirectiveLocationName(TypeDefinitionKind k);

// One `type`/`interface`/... definition or, with is_extension, an `extend ...` of one.
struct TypeDefinition {
  TypeDefinitionKind kind = TypeDefinitionKind::kObject;
  bool is_extension = false;
  std::string description;
  bool has_description = false;
  std::string name;
  Location name_location;
  std::vector<std::string> interfaces;  // object, interface
  std::vector<Location> interface_locations;
  std::vector<Directive> directives;
  std::vector<FieldDefinition> fields;     // object, interface
  std::vector<std::string> union_members;  // union
  std::vector<Location> union_member_locations;
  std::vector<EnumValueDefinition> enum_values;    // enum
  std::vector<InputValueDefinition> input_fields;  // input object
  Location location;
};

struct RootOperationTypeDefinition {
  OperationType operation = OperationType::kQuery;
  std::string type_name;
  Location type_location;
  Location location;
};

// `schema { ... }` or `extend schema ...`.
struct SchemaDefinition {
  bool is_extension = false;
  std::string description;
  bool has_description = false;
  std::vector<Directive> directives;
  std::vector<RootOperationTypeDefinition> operation_types;
  Location location;
};

struct DirectiveDefinition {
  std::string description;
  bool has_description = false;
  std::string name;
  Location name_location;
  std::vector<InputValueDefinition> arguments;
  bool repeatable = false;
  std::vector<std::string> locations;  // "FIELD_DEFINITION", ...
  std::vector<Location> location_locations;
  Location location;
};

// ---- the document -------------------------------------------------------------------------

enum class DefinitionKind { kOperation, kFragment, kSchema, kType, kDirective };

struct DefinitionRef {
  DefinitionKind kind;
  size_t index;  // into the vector of that kind
};

struct Document {
  std::vector<OperationDefinition> operations;
  std::vector<FragmentDefinition> fragments;
  std::vector<SchemaDefinition> schema_definitions;
  std::vector<TypeDefinition> types;
  std::vector<DirectiveDefinition> directive_definitions;
  std::vector<DefinitionRef> definitions;  // all of the above in source order

  const FragmentDefinition* FindFragment(std::string_view name) const;  // first of that name
  Location LocationOf(const DefinitionRef& ref) const;
};

// GraphQL text for AST pieces (graphql-js's print(): `{a: 1, b: [2]}`, strings JSON-quoted
// or as block strings when written so).
std::string PrintValue(const ValueNode& value);
// A string as a GraphQL (JSON-like) string literal, as graphql-js's printString quotes it.
std::string PrintStringLiteral(std::string_view s);
// The selection set as graphql-js prints it ("{\n  a\n  b {\n    c\n  }\n}").
std::string PrintSelectionSet(const std::vector<Selection>& selections, int indent = 0);

}  // namespace stator::graphql
