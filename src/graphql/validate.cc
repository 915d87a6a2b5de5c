// Validate (validate.h) and its machinery (validate_context.h): the type map, TypeInfo, the
// traversal and the validation context. The rules are in validate_*.cc.
#include "graphql/validate.h"

#include <utility>

#include "graphql/validate_context.h"

namespace stator::graphql {
namespace validation {
namespace {

bool IsBuiltinScalarAddedOnUse(std::string_view name) {
  return name == "Int" || name == "Float" || name == "ID";
}

void Reference(const TypeRef& t, std::set<std::string, std::less<>>* absent) {
  auto it = absent->find(t.NamedType());
  if (it != absent->end()) absent->erase(it);
}

}  // namespace

TypeMap::TypeMap(const Schema& schema) : schema_(schema) {
  absent_ = {"Int", "Float", "ID"};
  for (const NamedType* type : schema.types()) {
    if (type->builtin) continue;
    for (const FieldDef& f : type->fields) {
      Reference(f.type, &absent_);
      for (const InputValue& a : f.arguments) Reference(a.type, &absent_);
    }
    for (const InputValue& f : type->input_fields) Reference(f.type, &absent_);
  }
  for (const DirectiveDef* d : schema.directives()) {
    for (const InputValue& a : d->arguments) Reference(a.type, &absent_);
  }
  for (const NamedType* type : schema.types()) {
    if (type->builtin && absent_.count(type->name)) continue;
    names_.push_back(type->name);
  }
}

const NamedType* TypeMap::Find(std::string_view name) const {
  if (IsBuiltinScalarAddedOnUse(name) && absent_.count(name)) return nullptr;
  return schema_.FindType(name);
}

// ---- types -------------------------------------------------------------------------------

const NamedType* TypeInfo::Named(std::string_view name) const { return types_.Find(name); }

TypeP TypeInfo::MakeNamed(const std::string& name) {
  owned_.push_back(TypeRef::Named(name));
  return &owned_.back();
}

TypeP TypeInfo::FromAst(const TypeRef& ref) {
  if (ref.kind == TypeRefKind::kNamed) return Named(ref.name) ? &ref : nullptr;
  return ref.of_type && FromAst(*ref.of_type) ? &ref : nullptr;
}

const NamedType* NamedOf(const TypeInfo& info, TypeP type) {
  return type ? info.Named(type->NamedType()) : nullptr;
}
bool IsNonNull(TypeP t) { return t && t->kind == TypeRefKind::kNonNull; }
bool IsList(TypeP t) { return t && t->kind == TypeRefKind::kList; }
TypeP Nullable(TypeP t) { return IsNonNull(t) ? t->of_type.get() : t; }
TypeP OfType(TypeP t) { return t ? t->of_type.get() : nullptr; }

bool IsInputType(const TypeInfo& info, TypeP t) {
  const NamedType* named = NamedOf(info, t);
  return named && named->is_input();
}
bool IsOutputType(const TypeInfo& info, TypeP t) {
  const NamedType* named = NamedOf(info, t);
  return named && named->kind != TypeKind::kInputObject;
}

bool IsTypeSubTypeOf(const TypeInfo& info, TypeP maybe_sub, TypeP super) {
  if (!maybe_sub || !super) return false;
  if (IsNonNull(super)) {
    if (IsNonNull(maybe_sub)) return IsTypeSubTypeOf(info, OfType(maybe_sub), OfType(super));
    return false;
  }
  if (IsNonNull(maybe_sub)) return IsTypeSubTypeOf(info, OfType(maybe_sub), super);
  if (IsList(super)) {
    if (IsList(maybe_sub)) return IsTypeSubTypeOf(info, OfType(maybe_sub), OfType(super));
    return false;
  }
  if (IsList(maybe_sub)) return false;
  const NamedType* sub_named = NamedOf(info, maybe_sub);
  const NamedType* super_named = NamedOf(info, super);
  if (!sub_named || !super_named) return false;
  if (sub_named == super_named) return true;
  return super_named->is_abstract() &&
         (sub_named->kind == TypeKind::kInterface || sub_named->kind == TypeKind::kObject) &&
         info.schema().IsSubType(*super_named, *sub_named);
}

bool DoTypesOverlap(const Schema& schema, const NamedType& a, const NamedType& b) {
  if (&a == &b) return true;
  if (a.is_abstract()) {
    if (b.is_abstract()) {
      for (const NamedType* t : schema.PossibleTypes(a)) {
        if (schema.IsSubType(b, *t)) return true;
      }
      return false;
    }
    return schema.IsSubType(a, b);
  }
  if (b.is_abstract()) return schema.IsSubType(b, a);
  return false;
}

// ---- TypeInfo ------------------------------------------------------------------------------

void TypeInfo::Enter(const Node& node) {
  switch (node.kind) {
    case NodeKind::kSelectionSet: {
      const NamedType* named = NamedOf(*this, type());
      parent_type_stack_.push_back(named && named->is_composite() ? named : nullptr);
      break;
    }
    case NodeKind::kField: {
      const NamedType* parent = parent_type();
      const FieldDef* def = parent ? schema_.FindField(*parent, node.field().name) : nullptr;
      field_def_stack_.push_back(def);
      type_stack_.push_back(def && IsOutputType(*this, &def->type) ? &def->type : nullptr);
      break;
    }
    case NodeKind::kDirective:
      directive_ = schema_.FindDirective(node.directive().name);
      break;
    case NodeKind::kOperationDefinition: {
      const NamedType* root = schema_.RootType(node.operation().operation);
      type_stack_.push_back(root && root->kind == TypeKind::kObject ? MakeNamed(root->name)
                                                                    : nullptr);
      break;
    }
    case NodeKind::kInlineFragment:
    case NodeKind::kFragmentDefinition: {
      const std::string& condition = node.kind == NodeKind::kInlineFragment
                                         ? node.inline_fragment().type_condition
                                         : node.fragment_definition().type_condition;
      TypeP t = nullptr;
      if (!condition.empty()) {
        t = Named(condition) ? MakeNamed(condition) : nullptr;
      } else {
        const NamedType* named = NamedOf(*this, type());
        t = named ? MakeNamed(named->name) : nullptr;
      }
      type_stack_.push_back(IsOutputType(*this, t) ? t : nullptr);
      break;
    }
    case NodeKind::kVariableDefinition: {
      TypeP t = FromAst(node.variable_definition().type);
      input_type_stack_.push_back(IsInputType(*this, t) ? t : nullptr);
      break;
    }
    case NodeKind::kArgument: {
      const std::string& name = node.argument().name;
      const InputValue* def = nullptr;
      if (directive_) {
        def = directive_->FindArgument(name);
      } else if (field_def()) {
        def = field_def()->FindArgument(name);
      }
      argument_ = def;
      default_stack_.push_back(def && def->default_value.has_value());
      input_type_stack_.push_back(def && IsInputType(*this, &def->type) ? &def->type : nullptr);
      break;
    }
    case NodeKind::kListValue: {
      TypeP list_type = Nullable(input_type());
      TypeP item = IsList(list_type) ? OfType(list_type) : list_type;
      default_stack_.push_back(false);
      input_type_stack_.push_back(IsInputType(*this, item) ? item : nullptr);
      break;
    }
    case NodeKind::kObjectField: {
      const NamedType* object = NamedOf(*this, input_type());
      const InputValue* field = nullptr;
      if (object && object->kind == TypeKind::kInputObject) {
        field = object->FindInputField(node.object_field().name);
      }
      default_stack_.push_back(field && field->default_value.has_value());
      input_type_stack_.push_back(field && IsInputType(*this, &field->type) ? &field->type
                                                                            : nullptr);
      break;
    }
    default:
      break;
  }
}

void TypeInfo::Leave(const Node& node) {
  switch (node.kind) {
    case NodeKind::kSelectionSet:
      parent_type_stack_.pop_back();
      break;
    case NodeKind::kField:
      field_def_stack_.pop_back();
      type_stack_.pop_back();
      break;
    case NodeKind::kDirective:
      directive_ = nullptr;
      break;
    case NodeKind::kOperationDefinition:
    case NodeKind::kInlineFragment:
    case NodeKind::kFragmentDefinition:
      type_stack_.pop_back();
      break;
    case NodeKind::kVariableDefinition:
      input_type_stack_.pop_back();
      break;
    case NodeKind::kArgument:
      argument_ = nullptr;
      default_stack_.pop_back();
      input_type_stack_.pop_back();
      break;
    case NodeKind::kListValue:
    case NodeKind::kObjectField:
      default_stack_.pop_back();
      input_type_stack_.pop_back();
      break;
    default:
      break;
  }
}

// ---- nodes and the traversal -----------------------------------------------------------------

namespace {

Location After(Location start, size_t length) {
  return Location{start.line, start.column + static_cast<int>(length)};
}

}  // namespace

namespace {

template <typename T>
Location RecordedName(const T& node, Location fallback) {
  if constexpr (requires(const T& n) { n.name_location; }) {
    if (node.name_location.line) return node.name_location;
  }
  return fallback;
}
template <typename T>
Location RecordedTypeCondition(const T& node, Location fallback) {
  if constexpr (requires(const T& n) { n.type_condition_location; }) {
    if (node.type_condition_location.line) return node.type_condition_location;
  }
  return fallback;
}
template <typename T>
Location RecordedSelectionSet(const T& node, Location fallback) {
  if constexpr (requires(const T& n) { n.selection_set_location; }) {
    if (node.selection_set_location.line) return node.selection_set_location;
  }
  return fallback;
}

}  // namespace

Location NameLocation(const OperationDefinition& o) {
  return RecordedName(
      o, After(o.location, std::string_view(OperationTypeName(o.operation)).size() + 1));
}
Location NameLocation(const FragmentDefinition& f) { return RecordedName(f, After(f.location, 9)); }
Location NameLocation(const FragmentSpread& s) { return RecordedName(s, After(s.location, 3)); }
Location NameLocation(const VariableDefinition& v) { return RecordedName(v, After(v.location, 1)); }
Location TypeConditionLocation(const FragmentDefinition& f) {
  return RecordedTypeCondition(f, After(f.location, 9 + f.name.size() + 4));
}
Location TypeConditionLocation(const InlineFragment& i) {
  return RecordedTypeCondition(i, After(i.location, 7));
}
Location SelectionSetLocation(const Field& f) {
  return RecordedSelectionSet(
      f, After(f.location, (f.alias.empty() ? 0 : f.alias.size() + 2) + f.name.size() + 1));
}

Node DocumentNode(const Document& d) { return Node{NodeKind::kDocument, &d, Location{1, 1}}; }
Node OperationNode(const OperationDefinition& o) {
  return Node{NodeKind::kOperationDefinition, &o, o.location};
}
Node FragmentNode(const FragmentDefinition& f) {
  return Node{NodeKind::kFragmentDefinition, &f, f.location};
}

const std::vector<Directive>* DirectivesOf(const Node& node) {
  switch (node.kind) {
    case NodeKind::kOperationDefinition:
      return &node.operation().directives;
    case NodeKind::kVariableDefinition:
      return &node.variable_definition().directives;
    case NodeKind::kField:
      return &node.field().directives;
    case NodeKind::kFragmentSpread:
      return &node.fragment_spread().directives;
    case NodeKind::kInlineFragment:
      return &node.inline_fragment().directives;
    case NodeKind::kFragmentDefinition:
      return &node.fragment_definition().directives;
    case NodeKind::kSchemaDefinition:
      return &node.schema_definition().directives;
    case NodeKind::kTypeDefinition:
      return &node.type_definition().directives;
    case NodeKind::kFieldDefinition:
      return &static_cast<const FieldDefinition*>(node.ptr)->directives;
    case NodeKind::kInputValueDefinition:
      return &node.input_value_definition().directives;
    case NodeKind::kEnumValueDefinition:
      return &static_cast<const EnumValueDefinition*>(node.ptr)->directives;
    default:
      return nullptr;
  }
}

namespace {

NodeKind ValueKindOf(const ValueNode& v) {
  switch (v.kind) {
    case ValueKind::kVariable:
      return NodeKind::kVariable;
    case ValueKind::kInt:
      return NodeKind::kIntValue;
    case ValueKind::kFloat:
      return NodeKind::kFloatValue;
    case ValueKind::kString:
      return NodeKind::kStringValue;
    case ValueKind::kBoolean:
      return NodeKind::kBooleanValue;
    case ValueKind::kNull:
      return NodeKind::kNullValue;
    case ValueKind::kEnum:
      return NodeKind::kEnumValue;
    case ValueKind::kList:
      return NodeKind::kListValue;
    case ValueKind::kObject:
      return NodeKind::kObjectValue;
  }
  return NodeKind::kNullValue;
}

class Walker {
 public:
  Walker(TypeInfo* info, Visitor* visitor, ValidationContext* context)
      : info_(info), visitor_(visitor), context_(context) {}

  void Visit(const Node& node) {
    if (stopped()) return;
    info_->Enter(node);
    bool skip = visitor_->Enter(node);
    if (stopped()) return;
    if (!skip) {
      if (context_) context_->mutable_ancestors()->push_back(node);
      Children(node);
      if (context_) context_->mutable_ancestors()->pop_back();
      if (stopped()) return;
      visitor_->Leave(node);
      if (stopped()) return;
    }
    info_->Leave(node);
  }

 private:
  bool stopped() const { return context_ && context_->aborted(); }

  void Value(const ValueNode& v) { Visit(Node{ValueKindOf(v), &v, v.location}); }
  void Type(const TypeRef& t) {
    NodeKind kind = t.kind == TypeRefKind::kNamed  ? NodeKind::kNamedType
                    : t.kind == TypeRefKind::kList ? NodeKind::kListType
                                                   : NodeKind::kNonNullType;
    Visit(Node{kind, &t, t.location});
  }
  void NamedType(const std::string& name, Location at) {
    TypeRef t = TypeRef::Named(name);
    t.location = at;
    Visit(Node{NodeKind::kNamedType, &t, at});
  }
  void Directives(const std::vector<Directive>& directives) {
    for (const Directive& d : directives) Visit(Node{NodeKind::kDirective, &d, d.location});
  }
  void Arguments(const std::vector<Argument>& arguments) {
    for (const Argument& a : arguments) Visit(Node{NodeKind::kArgument, &a, a.location});
  }
  void SelectionSet(const std::vector<Selection>& set, Location at) {
    if (!set.empty()) Visit(Node{NodeKind::kSelectionSet, &set, at});
  }
  void InputValues(const std::vector<InputValueDefinition>& values) {
    for (const InputValueDefinition& v : values) {
      Visit(Node{NodeKind::kInputValueDefinition, &v, v.location});
    }
  }

  void Children(const Node& node) {
    switch (node.kind) {
      case NodeKind::kDocument: {
        const Document& d = node.document();
        for (const DefinitionRef& ref : d.definitions) {
          switch (ref.kind) {
            case DefinitionKind::kOperation:
              Visit(OperationNode(d.operations[ref.index]));
              break;
            case DefinitionKind::kFragment:
              Visit(FragmentNode(d.fragments[ref.index]));
              break;
            case DefinitionKind::kSchema: {
              const SchemaDefinition& s = d.schema_definitions[ref.index];
              Visit(Node{NodeKind::kSchemaDefinition, &s, s.location});
              break;
            }
            case DefinitionKind::kType: {
              const TypeDefinition& t = d.types[ref.index];
              Visit(Node{NodeKind::kTypeDefinition, &t, t.location});
              break;
            }
            case DefinitionKind::kDirective: {
              const DirectiveDefinition& t = d.directive_definitions[ref.index];
              Visit(Node{NodeKind::kDirectiveDefinition, &t, t.location});
              break;
            }
          }
          if (stopped()) return;
        }
        break;
      }
      case NodeKind::kOperationDefinition: {
        const OperationDefinition& o = node.operation();
        for (const VariableDefinition& v : o.variable_definitions) {
          Visit(Node{NodeKind::kVariableDefinition, &v, v.location});
        }
        Directives(o.directives);
        SelectionSet(o.selection_set, Location{});
        break;
      }
      case NodeKind::kVariableDefinition: {
        const VariableDefinition& v = node.variable_definition();
        Visit(Node{NodeKind::kVariable, &v, v.location});
        Type(v.type);
        if (v.default_value) Value(*v.default_value);
        Directives(v.directives);
        break;
      }
      case NodeKind::kListType:
      case NodeKind::kNonNullType:
        if (node.type().of_type) Type(*node.type().of_type);
        break;
      case NodeKind::kSelectionSet:
        for (const Selection& s : node.selection_set()) {
          if (const Field* f = s.field()) {
            Visit(Node{NodeKind::kField, f, f->location});
          } else if (const FragmentSpread* fs = s.fragment_spread()) {
            Visit(Node{NodeKind::kFragmentSpread, fs, fs->location});
          } else if (const InlineFragment* i = s.inline_fragment()) {
            Visit(Node{NodeKind::kInlineFragment, i, i->location});
          }
          if (stopped()) return;
        }
        break;
      case NodeKind::kField: {
        const Field& f = node.field();
        Arguments(f.arguments);
        Directives(f.directives);
        SelectionSet(f.selection_set, SelectionSetLocation(f));
        break;
      }
      case NodeKind::kArgument:
        Value(node.argument().value);
        break;
      case NodeKind::kFragmentSpread:
        Directives(node.fragment_spread().directives);
        break;
      case NodeKind::kInlineFragment: {
        const InlineFragment& i = node.inline_fragment();
        if (!i.type_condition.empty()) NamedType(i.type_condition, TypeConditionLocation(i));
        Directives(i.directives);
        SelectionSet(i.selection_set, Location{});
        break;
      }
      case NodeKind::kFragmentDefinition: {
        const FragmentDefinition& f = node.fragment_definition();
        NamedType(f.type_condition, TypeConditionLocation(f));
        Directives(f.directives);
        SelectionSet(f.selection_set, Location{});
        break;
      }
      case NodeKind::kListValue:
        for (const ValueNode& v : node.value().list) Value(v);
        break;
      case NodeKind::kObjectValue:
        for (const ObjectFieldNode& f : node.value().fields) {
          Visit(Node{NodeKind::kObjectField, &f, f.location});
        }
        break;
      case NodeKind::kObjectField:
        Value(node.object_field().value);
        break;
      case NodeKind::kDirective:
        Arguments(node.directive().arguments);
        break;
      case NodeKind::kSchemaDefinition: {
        const SchemaDefinition& s = node.schema_definition();
        Directives(s.directives);
        for (const RootOperationTypeDefinition& r : s.operation_types) {
          Visit(Node{NodeKind::kOperationTypeDefinition, &r, r.location});
        }
        break;
      }
      case NodeKind::kOperationTypeDefinition: {
        const auto& r = *static_cast<const RootOperationTypeDefinition*>(node.ptr);
        NamedType(r.type_name, r.location);
        break;
      }
      case NodeKind::kTypeDefinition: {
        const TypeDefinition& t = node.type_definition();
        for (size_t i = 0; i < t.interfaces.size(); ++i) {
          NamedType(t.interfaces[i],
                    i < t.interface_locations.size() ? t.interface_locations[i] : t.location);
        }
        Directives(t.directives);
        for (const FieldDefinition& f : t.fields) {
          Visit(Node{NodeKind::kFieldDefinition, &f, f.location});
        }
        for (size_t i = 0; i < t.union_members.size(); ++i) {
          NamedType(t.union_members[i],
                    i < t.union_member_locations.size() ? t.union_member_locations[i] : t.location);
        }
        for (const EnumValueDefinition& v : t.enum_values) {
          Visit(Node{NodeKind::kEnumValueDefinition, &v, v.location});
        }
        InputValues(t.input_fields);
        break;
      }
      case NodeKind::kFieldDefinition: {
        const auto& f = *static_cast<const FieldDefinition*>(node.ptr);
        InputValues(f.arguments);
        Type(f.type);
        Directives(f.directives);
        break;
      }
      case NodeKind::kInputValueDefinition: {
        const InputValueDefinition& v = node.input_value_definition();
        Type(v.type);
        if (v.default_value) Value(*v.default_value);
        Directives(v.directives);
        break;
      }
      case NodeKind::kEnumValueDefinition:
        Directives(static_cast<const EnumValueDefinition*>(node.ptr)->directives);
        break;
      case NodeKind::kDirectiveDefinition:
        InputValues(node.directive_definition().arguments);
        break;
      default:
        break;
    }
  }

  TypeInfo* info_;
  Visitor* visitor_;
  ValidationContext* context_;
};

}  // namespace

void Walk(const Node& node, TypeInfo* info, Visitor* visitor, ValidationContext* context) {
  Walker(info, visitor, context).Visit(node);
}

// ---- the context -----------------------------------------------------------------------------

ValidationContext::ValidationContext(const Schema& schema, const Document& document, int max_errors)
    : schema_(schema),
      document_(document),
      types_(schema),
      type_info_(schema, types_),
      max_errors_(max_errors) {
  for (const FragmentDefinition& f : document.fragments) fragments_[f.name] = &f;
}

void ValidationContext::ReportError(std::string message, std::vector<Location> locations) {
  if (aborted_) return;
  if (static_cast<int>(errors_.size()) >= max_errors_) {
    Error e;
    e.message = "Too many validation errors, error limit reached. Validation aborted.";
    errors_.push_back(std::move(e));
    aborted_ = true;
    return;
  }
  Error e;
  e.message = std::move(message);
  e.locations = std::move(locations);
  errors_.push_back(std::move(e));
}

const FragmentDefinition* ValidationContext::Fragment(std::string_view name) const {
  auto it = fragments_.find(name);
  return it == fragments_.end() ? nullptr : it->second;
}

const std::vector<const FragmentSpread*>& ValidationContext::FragmentSpreads(
    const std::vector<Selection>& set) {
  auto it = spreads_.find(&set);
  if (it != spreads_.end()) return it->second;
  std::vector<const FragmentSpread*> spreads;
  std::vector<const std::vector<Selection>*> to_visit = {&set};
  while (!to_visit.empty()) {
    const std::vector<Selection>* visiting = to_visit.back();
    to_visit.pop_back();
    for (const Selection& s : *visiting) {
      if (const FragmentSpread* spread = s.fragment_spread()) {
        spreads.push_back(spread);
      } else if (const Field* f = s.field()) {
        if (!f->selection_set.empty()) to_visit.push_back(&f->selection_set);
      } else if (const InlineFragment* i = s.inline_fragment()) {
        to_visit.push_back(&i->selection_set);
      }
    }
  }
  return spreads_[&set] = std::move(spreads);
}

const std::vector<const FragmentDefinition*>& ValidationContext::RecursivelyReferencedFragments(
    const OperationDefinition& operation) {
  auto it = referenced_.find(&operation);
  if (it != referenced_.end()) return it->second;
  std::vector<const FragmentDefinition*> fragments;
  std::set<std::string, std::less<>> collected;
  std::vector<const std::vector<Selection>*> to_visit = {&operation.selection_set};
  while (!to_visit.empty()) {
    const std::vector<Selection>* visiting = to_visit.back();
    to_visit.pop_back();
    for (const FragmentSpread* spread : FragmentSpreads(*visiting)) {
      if (!collected.insert(spread->name).second) continue;
      if (const FragmentDefinition* f = Fragment(spread->name)) {
        fragments.push_back(f);
        to_visit.push_back(&f->selection_set);
      }
    }
  }
  return referenced_[&operation] = std::move(fragments);
}

namespace {

class UsageCollector : public Visitor {
 public:
  explicit UsageCollector(TypeInfo* info) : info_(info) {}
  bool Enter(const Node& node) override {
    if (node.kind == NodeKind::kVariableDefinition) return true;
    if (node.kind == NodeKind::kVariable) {
      usages.push_back(VariableUsage{&node.value(), info_->input_type(), info_->has_default()});
    }
    return false;
  }
  std::vector<VariableUsage> usages;

 private:
  TypeInfo* info_;
};

}  // namespace

std::vector<VariableUsage> ValidationContext::VariableUsages(const Node& node) {
  auto it = usages_.find(node.ptr);
  if (it != usages_.end()) return it->second;
  TypeInfo info(schema_, types_);
  UsageCollector collector(&info);
  Walk(node, &info, &collector, nullptr);
  return usages_[node.ptr] = std::move(collector.usages);
}

const std::vector<VariableUsage>& ValidationContext::RecursiveVariableUsages(
    const OperationDefinition& operation) {
  auto it = recursive_usages_.find(&operation);
  if (it != recursive_usages_.end()) return it->second;
  std::vector<VariableUsage> usages = VariableUsages(OperationNode(operation));
  for (const FragmentDefinition* f : RecursivelyReferencedFragments(operation)) {
    std::vector<VariableUsage> more = VariableUsages(FragmentNode(*f));
    usages.insert(usages.end(), more.begin(), more.end());
  }
  return recursive_usages_[&operation] = std::move(usages);
}

namespace {

// graphql-core's ParallelVisitor: every rule sees every node unless it skipped an ancestor.
class Parallel : public Visitor {
 public:
  Parallel(std::vector<std::unique_ptr<Rule>> rules, ValidationContext* context)
      : rules_(std::move(rules)), skipping_(rules_.size()), context_(context) {}

  bool Enter(const Node& node) override {
    for (size_t i = 0; i < rules_.size(); ++i) {
      if (skipping_[i].ptr) continue;
      if (rules_[i]->Enter(node)) skipping_[i] = Skip{node.ptr, node.kind};
      if (context_->aborted()) break;
    }
    return false;
  }
  void Leave(const Node& node) override {
    for (size_t i = 0; i < rules_.size(); ++i) {
      if (!skipping_[i].ptr) {
        rules_[i]->Leave(node);
        if (context_->aborted()) break;
      } else if (skipping_[i].ptr == node.ptr && skipping_[i].kind == node.kind) {
        skipping_[i] = Skip{};
      }
    }
  }

 private:
  struct Skip {
    const void* ptr = nullptr;
    NodeKind kind = NodeKind::kDocument;
  };
  std::vector<std::unique_ptr<Rule>> rules_;
  std::vector<Skip> skipping_;
  ValidationContext* context_;
};

}  // namespace

std::vector<std::unique_ptr<Rule>> MakeRules(ValidationContext* c) {
  std::vector<std::unique_ptr<Rule>> rules;
  rules.push_back(ExecutableDefinitionsRule(c));
  rules.push_back(UniqueOperationNamesRule(c));
  rules.push_back(LoneAnonymousOperationRule(c));
  rules.push_back(SingleFieldSubscriptionsRule(c));
  rules.push_back(KnownTypeNamesRule(c));
  rules.push_back(FragmentsOnCompositeTypesRule(c));
  rules.push_back(VariablesAreInputTypesRule(c));
  rules.push_back(ScalarLeafsRule(c));
  rules.push_back(FieldsOnCorrectTypeRule(c));
  rules.push_back(UniqueFragmentNamesRule(c));
  rules.push_back(KnownFragmentNamesRule(c));
  rules.push_back(NoUnusedFragmentsRule(c));
  rules.push_back(PossibleFragmentSpreadsRule(c));
  rules.push_back(NoFragmentCyclesRule(c));
  rules.push_back(UniqueVariableNamesRule(c));
  rules.push_back(NoUndefinedVariablesRule(c));
  rules.push_back(NoUnusedVariablesRule(c));
  rules.push_back(KnownDirectivesRule(c));
  rules.push_back(UniqueDirectivesPerLocationRule(c));
  rules.push_back(KnownArgumentNamesRule(c));
  rules.push_back(UniqueArgumentNamesRule(c));
  rules.push_back(ValuesOfCorrectTypeRule(c));
  rules.push_back(ProvidedRequiredArgumentsRule(c));
  rules.push_back(VariablesInAllowedPositionRule(c));
  rules.push_back(OverlappingFieldsCanBeMergedRule(c));
  rules.push_back(UniqueInputFieldNamesRule(c));
  return rules;
}

}  // namespace validation

std::vector<Error> Validate(const Schema& schema, const Document& document,
                            const ValidateOptions& options) {
  using namespace validation;  // NOLINT
  ValidationContext context(schema, document, options.max_errors);
  Parallel parallel(MakeRules(&context), &context);
  Walk(DocumentNode(document), &context.type_info(), &parallel, &context);
  return context.TakeErrors();
}

}  // namespace stator::graphql
