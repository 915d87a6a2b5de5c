// The validation's view of types (validate_context.h): graphql-core's type map (TypeMap), the
// type predicates and relations its rules use, and TypeInfo, which follows the traversal.
#include <utility>

#include "graphql/validate_context.h"

namespace stator::graphql::validation {

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

}  // namespace stator::graphql::validation
