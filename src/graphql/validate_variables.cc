// The rules about variables: UniqueVariableNames, NoUndefinedVariables, NoUnusedVariables,
// VariablesInAllowedPosition (spec 5.8).
#include <map>

#include "graphql/validate_context.h"

namespace stator::graphql::validation {
namespace {

class UniqueVariableNames : public Rule {
 public:
  using Rule::Rule;
  bool Enter(const Node& node) override {
    if (node.kind != NodeKind::kOperationDefinition) return false;
    std::vector<std::string> order;
    std::map<std::string, std::vector<Location>> groups;
    for (const VariableDefinition& v : node.operation().variable_definitions) {
      auto& group = groups[v.name];
      if (group.empty()) order.push_back(v.name);
      group.push_back(v.name_location);
    }
    for (const std::string& name : order) {
      if (groups[name].size() > 1) {
        Report("There can be only one variable named \"$" + name + "\".", groups[name]);
      }
    }
    return false;
  }
};

class NoUndefinedVariables : public Rule {
 public:
  using Rule::Rule;
  bool Enter(const Node& node) override {
    if (node.kind == NodeKind::kOperationDefinition) {
      defined_.clear();
    } else if (node.kind == NodeKind::kVariableDefinition) {
      defined_.insert(node.variable_definition().name);
    }
    return false;
  }
  void Leave(const Node& node) override {
    if (node.kind != NodeKind::kOperationDefinition) return;
    const OperationDefinition& o = node.operation();
    for (const VariableUsage& usage : context().RecursiveVariableUsages(o)) {
      const std::string& name = usage.node->text;
      if (defined_.count(name)) continue;
      Report(o.name.empty()
                 ? "Variable \"$" + name + "\" is not defined."
                 : "Variable \"$" + name + "\" is not defined by operation \"" + o.name + "\".",
             {usage.node->location, o.location});
      if (context().aborted()) return;
    }
  }

 private:
  std::set<std::string> defined_;
};

class NoUnusedVariables : public Rule {
 public:
  using Rule::Rule;
  bool Enter(const Node& node) override {
    if (node.kind == NodeKind::kOperationDefinition) {
      definitions_.clear();
    } else if (node.kind == NodeKind::kVariableDefinition) {
      definitions_.push_back(&node.variable_definition());
    }
    return false;
  }
  void Leave(const Node& node) override {
    if (node.kind != NodeKind::kOperationDefinition) return;
    const OperationDefinition& o = node.operation();
    std::set<std::string> used;
    for (const VariableUsage& usage : context().RecursiveVariableUsages(o)) {
      used.insert(usage.node->text);
    }
    for (const VariableDefinition* v : definitions_) {
      if (used.count(v->name)) continue;
      Report(o.name.empty()
                 ? "Variable \"$" + v->name + "\" is never used."
                 : "Variable \"$" + v->name + "\" is never used in operation \"" + o.name + "\".",
             {v->location});
    }
  }

 private:
  std::vector<const VariableDefinition*> definitions_;
};

class VariablesInAllowedPosition : public Rule {
 public:
  using Rule::Rule;
  bool Enter(const Node& node) override {
    if (node.kind == NodeKind::kOperationDefinition) {
      definitions_.clear();
    } else if (node.kind == NodeKind::kVariableDefinition) {
      definitions_[node.variable_definition().name] = &node.variable_definition();
    }
    return false;
  }
  void Leave(const Node& node) override {
    if (node.kind != NodeKind::kOperationDefinition) return;
    TypeInfo& info = context().type_info();
    for (const VariableUsage& usage : context().RecursiveVariableUsages(node.operation())) {
      auto it = definitions_.find(usage.node->text);
      if (it == definitions_.end() || !usage.type) continue;
      const VariableDefinition& definition = *it->second;
      TypeP var_type = info.FromAst(definition.type);
      if (!var_type || Allowed(info, definition, var_type, usage)) continue;
      Report("Variable \"$" + usage.node->text + "\" of type \"" + var_type->ToString() +
                 "\" used in position expecting type \"" + usage.type->ToString() + "\".",
             {definition.location, usage.node->location});
      if (context().aborted()) return;
    }
  }

 private:
  static bool Allowed(const TypeInfo& info, const VariableDefinition& definition, TypeP var_type,
                      const VariableUsage& usage) {
    if (IsNonNull(usage.type) && !IsNonNull(var_type)) {
      bool non_null_default = definition.default_value.has_value() &&
                              definition.default_value->kind != ValueKind::kNull;
      if (!non_null_default && !usage.location_has_default) return false;
      return IsTypeSubTypeOf(info, var_type, OfType(usage.type));
    }
    return IsTypeSubTypeOf(info, var_type, usage.type);
  }

  std::map<std::string, const VariableDefinition*> definitions_;
};

}  // namespace

std::unique_ptr<Rule> UniqueVariableNamesRule(ValidationContext* c) {
  return std::make_unique<UniqueVariableNames>(c);
}
std::unique_ptr<Rule> NoUndefinedVariablesRule(ValidationContext* c) {
  return std::make_unique<NoUndefinedVariables>(c);
}
std::unique_ptr<Rule> NoUnusedVariablesRule(ValidationContext* c) {
  return std::make_unique<NoUnusedVariables>(c);
}
std::unique_ptr<Rule> VariablesInAllowedPositionRule(ValidationContext* c) {
  return std::make_unique<VariablesInAllowedPosition>(c);
}

}  // namespace stator::graphql::validation
