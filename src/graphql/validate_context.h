// The machinery under Validate (validate.h), shared by the rule files validate_*.cc:
//
// - Node: a reference to one AST node of a Document (or of an SDL definition in it), tagged with
//   graphql-js's node kind, so that one traversal can hand every node to every rule.
// - TypeInfo: graphql-core's TypeInfo (the parent type, field definition, input type, default
//   value ... at the current node), kept up to date by Walk.
// - Visitor / Walk: a depth-first traversal in graphql-js's visitor-key order that calls a
//   visitor's Enter and Leave; Enter returning true skips the node's children for that visitor.
// - ValidationContext: what rules read (schema, document, fragments, variable usages, the type
//   info) and ReportError.
// - Rule: a Visitor over a ValidationContext; MakeRules() builds graphql-core's specifiedRules in
//   order.
// - Helpers graphql-core's rules share: suggestion lists, "Did you mean", type printing.
//
// Internal to the validation; all of it lives for one Validate call on one thread.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "graphql/ast.h"
#include "graphql/error.h"
#include "graphql/schema.h"
#include "graphql/suggestions.h"

namespace stator::graphql::validation {

enum class NodeKind {
  kDocument,
  kOperationDefinition,
  kVariableDefinition,
  kVariable,  // a ValueNode of kind kVariable
  kNamedType,
  kListType,
  kNonNullType,
  kSelectionSet,  // a std::vector<Selection>
  kField,
  kArgument,
  kFragmentSpread,
  kInlineFragment,
  kFragmentDefinition,
  kIntValue,
  kFloatValue,
  kStringValue,
  kBooleanValue,
  kNullValue,
  kEnumValue,
  kListValue,
  kObjectValue,
  kObjectField,
  kDirective,
  // Type-system definitions (an executable document may hold them; rules still see them).
  kSchemaDefinition,
  kOperationTypeDefinition,
  kTypeDefinition,
  kFieldDefinition,
  kInputValueDefinition,
  kEnumValueDefinition,
  kDirectiveDefinition,
};

struct Node {
  NodeKind kind;
  const void* ptr;
  Location location;  // of the node's first token (where graphql-core points)

  const Document& document() const { return *static_cast<const Document*>(ptr); }
  const OperationDefinition& operation() const {
    return *static_cast<const OperationDefinition*>(ptr);
  }
  const VariableDefinition& variable_definition() const {
    return *static_cast<const VariableDefinition*>(ptr);
  }
  const ValueNode& value() const { return *static_cast<const ValueNode*>(ptr); }
  const TypeRef& type() const { return *static_cast<const TypeRef*>(ptr); }
  const std::vector<Selection>& selection_set() const {
    return *static_cast<const std::vector<Selection>*>(ptr);
  }
  const Field& field() const { return *static_cast<const Field*>(ptr); }
  const Argument& argument() const { return *static_cast<const Argument*>(ptr); }
  const FragmentSpread& fragment_spread() const { return *static_cast<const FragmentSpread*>(ptr); }
  const InlineFragment& inline_fragment() const { return *static_cast<const InlineFragment*>(ptr); }
  const FragmentDefinition& fragment_definition() const {
    return *static_cast<const FragmentDefinition*>(ptr);
  }
  const ObjectFieldNode& object_field() const { return *static_cast<const ObjectFieldNode*>(ptr); }
  const Directive& directive() const { return *static_cast<const Directive*>(ptr); }
  const TypeDefinition& type_definition() const { return *static_cast<const TypeDefinition*>(ptr); }
  const SchemaDefinition& schema_definition() const {
    return *static_cast<const SchemaDefinition*>(ptr);
  }
  const DirectiveDefinition& directive_definition() const {
    return *static_cast<const DirectiveDefinition*>(ptr);
  }
  const InputValueDefinition& input_value_definition() const {
    return *static_cast<const InputValueDefinition*>(ptr);
  }
};

// The directives a node carries (empty for kinds without any).
const std::vector<Directive>* DirectivesOf(const Node& node);

class TypeMap;

// A type as TypeInfo holds it: a TypeRef whose named types exist in the schema, or null.
using TypeP = const TypeRef*;

// graphql-core's TypeInfo. Types it makes up (an operation's root type, a fragment's type
// condition) are owned by the TypeInfo.
class TypeInfo {
 public:
  TypeInfo(const Schema& schema, const TypeMap& types) : schema_(schema), types_(types) {}

  const Schema& schema() const { return schema_; }
  TypeP type() const { return type_stack_.empty() ? nullptr : type_stack_.back(); }
  const NamedType* parent_type() const {
    return parent_type_stack_.empty() ? nullptr : parent_type_stack_.back();
  }
  TypeP input_type() const {
    return input_type_stack_.empty() ? nullptr : input_type_stack_.back();
  }
  TypeP parent_input_type() const {
    return input_type_stack_.size() < 2 ? nullptr : input_type_stack_[input_type_stack_.size() - 2];
  }
  const FieldDef* field_def() const {
    return field_def_stack_.empty() ? nullptr : field_def_stack_.back();
  }
  // The default value at the location (an argument's or input field's), or null (Undefined).
  // `has_default()` tells an explicit default (maybe `null`) from none.
  bool has_default() const { return !default_stack_.empty() && default_stack_.back(); }
  const DirectiveDef* directive() const { return directive_; }
  const InputValue* argument() const { return argument_; }

  void Enter(const Node& node);
  void Leave(const Node& node);

  // A named type by name as graphql-core's schema knows it (nullptr if not in its type map).
  const NamedType* Named(std::string_view name) const;
  // type_from_ast: the type for a document's type reference (nullptr if a name is unknown).
  TypeP FromAst(const TypeRef& ref);
  // A TypeRef for a named type, owned here.
  TypeP MakeNamed(const std::string& name);

 private:
  const Schema& schema_;
  const TypeMap& types_;
  std::vector<TypeP> type_stack_;
  std::vector<const NamedType*> parent_type_stack_;
  std::vector<TypeP> input_type_stack_;
  std::vector<const FieldDef*> field_def_stack_;
  std::vector<bool> default_stack_;
  const DirectiveDef* directive_ = nullptr;
  const InputValue* argument_ = nullptr;
  std::deque<TypeRef> owned_;
};

// Which named types graphql-core's schema has: every type the SDL defines, String, Boolean and the
// introspection types, and Int/Float/ID only when something references them (graphql-core
// collects its type map from what is reachable; build_schema adds every defined type).
class TypeMap {
 public:
  explicit TypeMap(const Schema& schema);
  const NamedType* Find(std::string_view name) const;
  const std::vector<std::string>& names() const { return names_; }

 private:
  const Schema& schema_;
  std::set<std::string, std::less<>> absent_;
  std::vector<std::string> names_;
};

// The named type a TypeInfo type ends in (nullptr for null).
const NamedType* NamedOf(const TypeInfo& info, TypeP type);
bool IsNonNull(TypeP t);
bool IsList(TypeP t);
TypeP Nullable(TypeP t);  // strips one NonNull
TypeP OfType(TypeP t);    // a List's or NonNull's inner type
bool IsInputType(const TypeInfo& info, TypeP t);
bool IsOutputType(const TypeInfo& info, TypeP t);
// graphql-core's is_type_sub_type_of.
bool IsTypeSubTypeOf(const TypeInfo& info, TypeP maybe_sub, TypeP super);
// graphql-core's do_types_overlap for two composite types.
bool DoTypesOverlap(const Schema& schema, const NamedType& a, const NamedType& b);

class Visitor {
 public:
  virtual ~Visitor() = default;
  // Returning true skips the node's children (and this visitor's Leave of the node).
  virtual bool Enter(const Node& node) { return false; }
  virtual void Leave(const Node& node) {}
};

// One variable use: the Variable node, the input type at its position and whether that position
// has a default value.
struct VariableUsage {
  const ValueNode* node;
  TypeP type;
  bool location_has_default;
};

class ValidationContext {
 public:
  ValidationContext(const Schema& schema, const Document& document, int max_errors);

  const Schema& schema() const { return schema_; }
  const Document& document() const { return document_; }
  TypeInfo& type_info() { return type_info_; }
  const TypeMap& types() const { return types_; }
  // The nodes from the Document down to the current node's parent (graphql-js's ancestors,
  // without the lists).
  const std::vector<Node>& ancestors() const { return ancestors_; }
  std::vector<Node>* mutable_ancestors() { return &ancestors_; }

  void ReportError(std::string message, std::vector<Location> locations);
  bool aborted() const { return aborted_; }
  std::vector<Error> TakeErrors() { return std::move(errors_); }

  // The last fragment definition of that name (graphql-core keeps the last), or nullptr.
  const FragmentDefinition* Fragment(std::string_view name) const;
  // Every FragmentSpread in the selection set, graphql-core's order.
  const std::vector<const FragmentSpread*>& FragmentSpreads(const std::vector<Selection>& set);
  const std::vector<const FragmentDefinition*>& RecursivelyReferencedFragments(
      const OperationDefinition& operation);
  const std::vector<VariableUsage>& RecursiveVariableUsages(const OperationDefinition& operation);

 private:
  std::vector<VariableUsage> VariableUsages(const Node& node);

  const Schema& schema_;
  const Document& document_;
  TypeMap types_;
  TypeInfo type_info_;
  int max_errors_;
  bool aborted_ = false;
  std::vector<Error> errors_;
  std::vector<Node> ancestors_;
  std::map<std::string, const FragmentDefinition*, std::less<>> fragments_;
  std::map<const void*, std::vector<const FragmentSpread*>> spreads_;
  std::map<const void*, std::vector<const FragmentDefinition*>> referenced_;
  std::map<const void*, std::vector<VariableUsage>> usages_;
  std::map<const void*, std::vector<VariableUsage>> recursive_usages_;
};

// Visits `node` and its descendants with `visitor`, keeping `info` (and, when given, the
// context's ancestors) up to date; stops early once `context->aborted()`.
void Walk(const Node& node, TypeInfo* info, Visitor* visitor, ValidationContext* context);

// Node constructors.
Node DocumentNode(const Document& d);
Node OperationNode(const OperationDefinition& o);
Node FragmentNode(const FragmentDefinition& f);

class Rule : public Visitor {
 public:
  explicit Rule(ValidationContext* context) : context_(context) {}

 protected:
  ValidationContext& context() { return *context_; }
  void Report(std::string message, std::vector<Location> locations) {
    context_->ReportError(std::move(message), std::move(locations));
  }

 private:
  ValidationContext* context_;
};

// graphql-core's specifiedRules, in order.
std::vector<std::unique_ptr<Rule>> MakeRules(ValidationContext* context);

// The rule constructors, by family (validate_*.cc).
std::unique_ptr<Rule> ExecutableDefinitionsRule(ValidationContext* c);
std::unique_ptr<Rule> UniqueOperationNamesRule(ValidationContext* c);
std::unique_ptr<Rule> LoneAnonymousOperationRule(ValidationContext* c);
std::unique_ptr<Rule> SingleFieldSubscriptionsRule(ValidationContext* c);
std::unique_ptr<Rule> KnownTypeNamesRule(ValidationContext* c);
std::unique_ptr<Rule> FragmentsOnCompositeTypesRule(ValidationContext* c);
std::unique_ptr<Rule> VariablesAreInputTypesRule(ValidationContext* c);
std::unique_ptr<Rule> ScalarLeafsRule(ValidationContext* c);
std::unique_ptr<Rule> FieldsOnCorrectTypeRule(ValidationContext* c);
std::unique_ptr<Rule> UniqueFragmentNamesRule(ValidationContext* c);
std::unique_ptr<Rule> KnownFragmentNamesRule(ValidationContext* c);
std::unique_ptr<Rule> NoUnusedFragmentsRule(ValidationContext* c);
std::unique_ptr<Rule> PossibleFragmentSpreadsRule(ValidationContext* c);
std::unique_ptr<Rule> NoFragmentCyclesRule(ValidationContext* c);
std::unique_ptr<Rule> UniqueVariableNamesRule(ValidationContext* c);
std::unique_ptr<Rule> NoUndefinedVariablesRule(ValidationContext* c);
std::unique_ptr<Rule> NoUnusedVariablesRule(ValidationContext* c);
std::unique_ptr<Rule> KnownDirectivesRule(ValidationContext* c);
std::unique_ptr<Rule> UniqueDirectivesPerLocationRule(ValidationContext* c);
std::unique_ptr<Rule> KnownArgumentNamesRule(ValidationContext* c);
std::unique_ptr<Rule> UniqueArgumentNamesRule(ValidationContext* c);
std::unique_ptr<Rule> ValuesOfCorrectTypeRule(ValidationContext* c);
std::unique_ptr<Rule> ProvidedRequiredArgumentsRule(ValidationContext* c);
std::unique_ptr<Rule> VariablesInAllowedPositionRule(ValidationContext* c);
std::unique_ptr<Rule> OverlappingFieldsCanBeMergedRule(ValidationContext* c);
std::unique_ptr<Rule> UniqueInputFieldNamesRule(ValidationContext* c);

// Suggestions ("Did you mean"): graphql/suggestions.h, shared with schema building and coercion.

}  // namespace stator::graphql::validation
