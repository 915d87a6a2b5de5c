#include "graphql/schema.h"

namespace stator::graphql {

const char* TypeKindName(TypeKind kind) {
  switch (kind) {
    case TypeKind::kScalar:
      return "SCALAR";
    case TypeKind::kObject:
      return "OBJECT";
    case TypeKind::kInterface:
      return "INTERFACE";
    case TypeKind::kUnion:
      return "UNION";
    case TypeKind::kEnum:
      return "ENUM";
    case TypeKind::kInputObject:
      return "INPUT_OBJECT";
  }
  return "SCALAR";
}

const InputValue* FieldDef::FindArgument(std::string_view n) const {
  for (const InputValue& a : arguments) {
    if (a.name == n) return &a;
  }
  return nullptr;
}

const InputValue* DirectiveDef::FindArgument(std::string_view n) const {
  for (const InputValue& a : arguments) {
    if (a.name == n) return &a;
  }
  return nullptr;
}

const FieldDef* NamedType::FindField(std::string_view n) const {
  for (const FieldDef& f : fields) {
    if (f.name == n) return &f;
  }
  return nullptr;
}

const InputValue* NamedType::FindInputField(std::string_view n) const {
  for (const InputValue& f : input_fields) {
    if (f.name == n) return &f;
  }
  return nullptr;
}

const EnumValueDef* NamedType::FindEnumValue(std::string_view n) const {
  for (const EnumValueDef& v : enum_values) {
    if (v.name == n) return &v;
  }
  return nullptr;
}

Schema::Schema() = default;
Schema::~Schema() = default;

const NamedType* Schema::FindType(std::string_view name) const {
  auto it = types_.find(name);
  return it == types_.end() ? nullptr : it->second.get();
}

const NamedType* Schema::RootType(OperationType operation) const {
  switch (operation) {
    case OperationType::kQuery:
      return query_;
    case OperationType::kMutation:
      return mutation_;
    case OperationType::kSubscription:
      return subscription_;
  }
  return nullptr;
}

const DirectiveDef* Schema::FindDirective(std::string_view name) const {
  auto it = directives_.find(name);
  return it == directives_.end() ? nullptr : it->second.get();
}

const std::vector<const NamedType*>& Schema::PossibleTypes(const NamedType& abstract) const {
  static const std::vector<const NamedType*> kNone;
  auto it = possible_types_.find(abstract.name);
  return it == possible_types_.end() ? kNone : it->second;
}

bool Schema::IsPossibleType(const NamedType& abstract, const NamedType& object) const {
  for (const NamedType* t : PossibleTypes(abstract)) {
    if (t == &object) return true;
  }
  return false;
}

bool Schema::IsSubType(const NamedType& super, const NamedType& maybe_sub) const {
  if (&super == &maybe_sub) return true;
  if (super.kind == TypeKind::kUnion) return IsPossibleType(super, maybe_sub);
  if (super.kind == TypeKind::kInterface) {
    if (maybe_sub.kind == TypeKind::kObject || maybe_sub.kind == TypeKind::kInterface) {
      for (const std::string& i : maybe_sub.interfaces) {
        if (i == super.name) return true;
      }
    }
  }
  return false;
}

const FieldDef* Schema::FindField(const NamedType& parent, std::string_view name) const {
  if (name.size() > 2 && name[0] == '_' && name[1] == '_') {
    if (name == "__typename" && parent.is_composite()) return &typename_field_;
    if (&parent == query_) {
      if (name == "__schema") return &schema_field_;
      if (name == "__type") return &type_field_;
    }
  }
  if (parent.kind != TypeKind::kObject && parent.kind != TypeKind::kInterface) return nullptr;
  return parent.FindField(name);
}

}  // namespace stator::graphql
