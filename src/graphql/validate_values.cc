// The rules about input values: ValuesOfCorrectType (with the OneOf input object checks of the
// September 2025 spec) and UniqueInputFieldNames (spec 5.6).
#include <cstdlib>
#include <map>

#include "graphql/validate_context.h"
#include "graphql/values.h"

namespace stator::graphql::validation {
namespace {

// Whether an Int literal's text is within graphql-core's 32-bit range.
bool FitsInt32(const std::string& text) {
  std::string_view digits = text;
  bool negative = !digits.empty() && digits[0] == '-';
  if (negative) digits.remove_prefix(1);
  if (digits.size() > 10) return false;
  long long v = std::atoll(std::string(digits).c_str());
  return negative ? v <= 2147483648LL : v <= 2147483647LL;
}

std::vector<std::string> EnumNames(const NamedType& type) {
  std::vector<std::string> names;
  for (const EnumValueDef& v : type.enum_values) names.push_back(v.name);
  return names;
}

bool HasVariable(const ValueNode& node) {
  if (node.kind == ValueKind::kVariable) return true;
  for (const ValueNode& v : node.list) {
    if (HasVariable(v)) return true;
  }
  for (const ObjectFieldNode& f : node.fields) {
    if (HasVariable(f.value)) return true;
  }
  return false;
}

// The message graphql-core's built-in scalar or enum parse_literal raises for the literal, or ""
// when the literal is valid for the leaf type.
std::string LeafLiteralError(const Schema& schema, const NamedType& type, const ValueNode& node) {
  std::string printed = PrintValue(node);
  if (type.kind == TypeKind::kEnum) {
    std::string suggestion = DidYouMean(SuggestionList(printed, EnumNames(type)), "the enum value");
    if (node.kind == ValueKind::kEnum) {
      if (type.FindEnumValue(node.text)) return "";
      return "Value \"" + printed + "\" does not exist in \"" + type.name + "\" enum." + suggestion;
    }
    return "Enum \"" + type.name + "\" cannot represent non-enum value: " + printed + "." +
           suggestion;
  }
  if (type.name == "Int") {
    if (node.kind != ValueKind::kInt) return "Int cannot represent non-integer value: " + printed;
    if (!FitsInt32(node.text)) {
      return "Int cannot represent non 32-bit signed integer value: " + printed;
    }
    return "";
  }
  if (type.name == "Float") {
    if (node.kind == ValueKind::kInt || node.kind == ValueKind::kFloat) return "";
    return "Float cannot represent non numeric value: " + printed;
  }
  if (type.name == "String") {
    if (node.kind == ValueKind::kString) return "";
    return "String cannot represent a non string value: " + printed;
  }
  if (type.name == "Boolean") {
    if (node.kind == ValueKind::kBoolean) return "";
    return "Boolean cannot represent a non boolean value: " + printed;
  }
  if (type.name == "ID") {
    if (node.kind == ValueKind::kString || node.kind == ValueKind::kInt) return "";
    return "ID cannot represent a non-string and non-integer value: " + printed;
  }
  // AppSync's scalars (predeclared, so built in) reject a literal that is not one, as AppSync
  // does at validation; graphql-core, which sees them as custom scalars, takes any literal
  // (tests/graphql/test_graphql_differential.py lists this difference).
  if (type.builtin && schema.options().appsync && type.name.rfind("AWS", 0) == 0 &&
      !HasVariable(node) && !ValueFromAst(schema, node, TypeRef::Named(type.name), nullptr)) {
    return "Expected value of type \"" + type.name + "\", found " + printed + ".";
  }
  // Custom scalars take any literal.
  return "";
}

class ValuesOfCorrectType : public Rule {
 public:
  using Rule::Rule;
  bool Enter(const Node& node) override {
    TypeInfo& info = context().type_info();
    switch (node.kind) {
      case NodeKind::kOperationDefinition:
        variables_.clear();
        return false;
      case NodeKind::kVariableDefinition:
        variables_[node.variable_definition().name] = &node.variable_definition();
        return false;
      case NodeKind::kListValue:
        if (!IsList(Nullable(info.parent_input_type()))) {
          CheckLeaf(node);
          return true;
        }
        return false;
      case NodeKind::kObjectValue:
        return EnterObject(node);
      case NodeKind::kObjectField: {
        const NamedType* parent = NamedOf(info, info.parent_input_type());
        if (!info.input_type() && parent && parent->kind == TypeKind::kInputObject) {
          const std::string& name = node.object_field().name;
          std::vector<std::string> names;
          for (const InputValue& f : parent->input_fields) names.push_back(f.name);
          Report("Field \"" + name + "\" is not defined by type \"" + parent->name + "\"." +
                     DidYouMean(SuggestionList(name, names)),
                 {node.location});
        }
        return false;
      }
      case NodeKind::kNullValue: {
        TypeP type = info.input_type();
        if (IsNonNull(type)) {
          Report("Expected value of type \"" + type->ToString() + "\", found null.",
                 {node.location});
        }
        return false;
      }
      case NodeKind::kEnumValue:
      case NodeKind::kIntValue:
      case NodeKind::kFloatValue:
      case NodeKind::kStringValue:
      case NodeKind::kBooleanValue:
        CheckLeaf(node);
        return false;
      default:
        return false;
    }
  }

 private:
  bool EnterObject(const Node& node) {
    TypeInfo& info = context().type_info();
    const NamedType* type = NamedOf(info, info.input_type());
    if (!type || type->kind != TypeKind::kInputObject) {
      CheckLeaf(node);
      return true;
    }
    const ValueNode& value = node.value();
    // graphql-core's field_node_map: one entry per name (the last), in first-seen order.
    std::vector<std::string> keys;
    std::map<std::string, const ObjectFieldNode*> by_name;
    for (const ObjectFieldNode& f : value.fields) {
      if (!by_name.count(f.name)) keys.push_back(f.name);
      by_name[f.name] = &f;
    }
    for (const InputValue& f : type->input_fields) {
      if (by_name.count(f.name)) continue;
      if (f.type.kind == TypeRefKind::kNonNull && !f.default_value) {
        Report("Field \"" + type->name + "." + f.name + "\" of required type \"" +
                   f.type.ToString() + "\" was not provided.",
               {node.location});
      }
    }
    if (type->one_of) CheckOneOf(node, *type, keys, by_name);
    return false;
  }

  void CheckOneOf(const Node& node, const NamedType& type, const std::vector<std::string>& keys,
                  const std::map<std::string, const ObjectFieldNode*>& by_name) {
    if (keys.size() != 1) {
      Report("OneOf Input Object \"" + type.name + "\" must specify exactly one key.",
             {node.location});
      return;
    }
    const ValueNode& value = by_name.at(keys[0])->value;
    if (value.kind == ValueKind::kNull) {
      Report("Field \"" + type.name + "." + keys[0] + "\" must be non-null.", {node.location});
      return;
    }
    if (value.kind == ValueKind::kVariable) {
      auto it = variables_.find(value.text);
      if (it != variables_.end() && it->second->type.kind != TypeRefKind::kNonNull) {
        Report("Variable \"" + value.text + "\" must be non-nullable to be used for OneOf Input " +
                   "Object \"" + type.name + "\".",
               {node.location});
      }
    }
  }

  // graphql-core's is_valid_value_node.
  void CheckLeaf(const Node& node) {
    TypeInfo& info = context().type_info();
    TypeP location_type = info.input_type();
    if (!location_type) return;
    const NamedType* type = NamedOf(info, location_type);
    const ValueNode& value = node.value();
    if (!type || !type->is_leaf()) {
      Report("Expected value of type \"" + location_type->ToString() + "\", found " +
                 PrintValue(value) + ".",
             {node.location});
      return;
    }
    std::string error = LeafLiteralError(context().schema(), *type, value);
    if (!error.empty()) Report(std::move(error), {node.location});
  }

  std::map<std::string, const VariableDefinition*> variables_;
};

class UniqueInputFieldNames : public Rule {
 public:
  using Rule::Rule;
  bool Enter(const Node& node) override {
    if (node.kind == NodeKind::kObjectValue) {
      stack_.emplace_back();
    } else if (node.kind == NodeKind::kObjectField && !stack_.empty()) {
      const ObjectFieldNode& f = node.object_field();
      auto [it, inserted] = stack_.back().emplace(f.name, f.location);
      if (!inserted) {
        Report("There can be only one input field named \"" + f.name + "\".",
               {it->second, f.location});
      }
    }
    return false;
  }
  void Leave(const Node& node) override {
    if (node.kind == NodeKind::kObjectValue && !stack_.empty()) stack_.pop_back();
  }

 private:
  std::vector<std::map<std::string, Location>> stack_;
};

}  // namespace

std::unique_ptr<Rule> ValuesOfCorrectTypeRule(ValidationContext* c) {
  return std::make_unique<ValuesOfCorrectType>(c);
}
std::unique_ptr<Rule> UniqueInputFieldNamesRule(ValidationContext* c) {
  return std::make_unique<UniqueInputFieldNames>(c);
}

}  // namespace stator::graphql::validation
