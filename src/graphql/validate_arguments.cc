// The rules about directives and arguments: KnownDirectives, UniqueDirectivesPerLocation,
// KnownArgumentNames, UniqueArgumentNames, ProvidedRequiredArguments (spec 5.4, 5.7).
#include <map>

#include "graphql/validate_context.h"

namespace stator::graphql::validation {
namespace {

// The DirectiveLocation where a directive on `node` sits ("" if none); `grandparent` is the
// node above it (an InputValueDefinition's type or directive definition).
std::string LocationName(const Node& node, const Node* grandparent) {
  switch (node.kind) {
    case NodeKind::kOperationDefinition:
      switch (node.operation().operation) {
        case OperationType::kQuery:
          return "QUERY";
        case OperationType::kMutation:
          return "MUTATION";
        case OperationType::kSubscription:
          return "SUBSCRIPTION";
      }
      return "";
    case NodeKind::kField:
      return "FIELD";
    case NodeKind::kFragmentSpread:
      return "FRAGMENT_SPREAD";
    case NodeKind::kInlineFragment:
      return "INLINE_FRAGMENT";
    case NodeKind::kFragmentDefinition:
      return "FRAGMENT_DEFINITION";
    case NodeKind::kVariableDefinition:
      return "VARIABLE_DEFINITION";
    case NodeKind::kSchemaDefinition:
      return "SCHEMA";
    case NodeKind::kTypeDefinition:
      return DirectiveLocationName(node.type_definition().kind);
    case NodeKind::kFieldDefinition:
      return "FIELD_DEFINITION";
    case NodeKind::kEnumValueDefinition:
      return "ENUM_VALUE";
    case NodeKind::kInputValueDefinition: {
      // graphql-core: an input object *definition*'s fields (not an extension's).
      bool input_field = grandparent && grandparent->kind == NodeKind::kTypeDefinition &&
                         grandparent->type_definition().kind == TypeDefinitionKind::kInputObject &&
                         !grandparent->type_definition().is_extension;
      return input_field ? "INPUT_FIELD_DEFINITION" : "ARGUMENT_DEFINITION";
    }
    default:
      return "";
  }
}

class KnownDirectives : public Rule {
 public:
  explicit KnownDirectives(ValidationContext* c) : Rule(c) {
    for (const DirectiveDef* d : c->schema().directives()) locations_[d->name] = d->locations;
    for (const DirectiveDefinition& d : c->document().directive_definitions) {
      locations_[d.name] = d.locations;
    }
  }
  bool Enter(const Node& node) override {
    if (node.kind != NodeKind::kDirective) return false;
    const std::string& name = node.directive().name;
    auto it = locations_.find(name);
    if (it == locations_.end() || it->second.empty()) {
      Report("Unknown directive \"@" + name + "\".", {node.location});
      return false;
    }
    const std::vector<Node>& ancestors = context().ancestors();
    const Node* grandparent = ancestors.size() >= 2 ? &ancestors[ancestors.size() - 2] : nullptr;
    std::string candidate = LocationName(ancestors.back(), grandparent);
    if (candidate.empty()) return false;
    for (const std::string& allowed : it->second) {
      if (allowed == candidate) return false;
    }
    Report("Directive \"@" + name + "\" may not be used on " + candidate + ".", {node.location});
    return false;
  }

 private:
  std::map<std::string, std::vector<std::string>> locations_;
};

class UniqueDirectivesPerLocation : public Rule {
 public:
  explicit UniqueDirectivesPerLocation(ValidationContext* c) : Rule(c) {
    for (const DirectiveDef* d : c->schema().directives()) unique_[d->name] = !d->repeatable;
    for (const DirectiveDefinition& d : c->document().directive_definitions) {
      unique_[d.name] = !d.repeatable;
    }
  }
  bool Enter(const Node& node) override {
    const std::vector<Directive>* directives = DirectivesOf(node);
    if (!directives || directives->empty()) return false;
    std::map<std::string, Location> local;
    std::map<std::string, Location>* seen = &local;
    if (node.kind == NodeKind::kSchemaDefinition) {
      seen = &schema_seen_;
    } else if (node.kind == NodeKind::kTypeDefinition) {
      seen = &type_seen_[node.type_definition().name];
    }
    for (const Directive& d : *directives) {
      auto it = unique_.find(d.name);
      if (it == unique_.end() || !it->second) continue;
      auto [at, inserted] = seen->emplace(d.name, d.location);
      if (!inserted) {
        Report("The directive \"@" + d.name + "\" can only be used once at this location.",
               {at->second, d.location});
      }
    }
    return false;
  }

 private:
  std::map<std::string, bool> unique_;
  std::map<std::string, Location> schema_seen_;
  std::map<std::string, std::map<std::string, Location>> type_seen_;
};

class KnownArgumentNames : public Rule {
 public:
  explicit KnownArgumentNames(ValidationContext* c) : Rule(c) {
    for (const DirectiveDef* d : c->schema().directives()) {
      auto& names = directive_args_[d->name];
      for (const InputValue& a : d->arguments) names.push_back(a.name);
    }
    for (const DirectiveDefinition& d : c->document().directive_definitions) {
      auto& names = directive_args_[d.name];
      names.clear();
      for (const InputValueDefinition& a : d.arguments) names.push_back(a.name);
    }
  }
  bool Enter(const Node& node) override {
    if (node.kind == NodeKind::kDirective) {
      const Directive& d = node.directive();
      auto it = directive_args_.find(d.name);
      if (it == directive_args_.end()) return true;
      for (const Argument& a : d.arguments) {
        bool known = false;
        for (const std::string& n : it->second) known = known || n == a.name;
        if (known) continue;
        Report("Unknown argument \"" + a.name + "\" on directive \"@" + d.name + "\"." +
                   DidYouMean(SuggestionList(a.name, it->second)),
               {a.location});
      }
      return true;
    }
    if (node.kind != NodeKind::kArgument) return false;
    TypeInfo& info = context().type_info();
    const FieldDef* field = info.field_def();
    const NamedType* parent = info.parent_type();
    if (info.argument() || !field || !parent) return false;
    const Node& holder = context().ancestors().back();
    std::string field_name = holder.kind == NodeKind::kField ? holder.field().name : field->name;
    std::vector<std::string> names;
    for (const InputValue& a : field->arguments) names.push_back(a.name);
    const std::string& name = node.argument().name;
    Report("Unknown argument \"" + name + "\" on field \"" + parent->name + "." + field_name +
               "\"." + DidYouMean(SuggestionList(name, names)),
           {node.location});
    return false;
  }

 private:
  std::map<std::string, std::vector<std::string>> directive_args_;
};

class UniqueArgumentNames : public Rule {
 public:
  using Rule::Rule;
  bool Enter(const Node& node) override {
    if (node.kind == NodeKind::kField) {
      Check(node.field().arguments);
    } else if (node.kind == NodeKind::kDirective) {
      Check(node.directive().arguments);
    }
    return false;
  }

 private:
  void Check(const std::vector<Argument>& arguments) {
    std::vector<std::string> order;
    std::map<std::string, std::vector<Location>> groups;
    for (const Argument& a : arguments) {
      auto& group = groups[a.name];
      if (group.empty()) order.push_back(a.name);
      group.push_back(a.location);
    }
    for (const std::string& name : order) {
      if (groups[name].size() > 1) {
        Report("There can be only one argument named \"" + name + "\".", groups[name]);
      }
    }
  }
};

bool Provided(const std::vector<Argument>& arguments, const std::string& name) {
  for (const Argument& a : arguments) {
    if (a.name == name) return true;
  }
  return false;
}

class ProvidedRequiredArguments : public Rule {
 public:
  explicit ProvidedRequiredArguments(ValidationContext* c) : Rule(c) {
    for (const DirectiveDef* d : c->schema().directives()) {
      auto& required = required_[d->name];
      for (const InputValue& a : d->arguments) {
        if (a.type.kind == TypeRefKind::kNonNull && !a.default_value) {
          required.emplace_back(a.name, a.type.ToString());
        }
      }
    }
    for (const DirectiveDefinition& d : c->document().directive_definitions) {
      auto& required = required_[d.name];
      required.clear();
      for (const InputValueDefinition& a : d.arguments) {
        if (a.type.kind == TypeRefKind::kNonNull && !a.default_value) {
          required.emplace_back(a.name, a.type.ToString());
        }
      }
    }
  }
  void Leave(const Node& node) override {
    if (node.kind == NodeKind::kDirective) {
      const Directive& d = node.directive();
      auto it = required_.find(d.name);
      if (it == required_.end()) return;
      for (const auto& [name, type] : it->second) {
        if (Provided(d.arguments, name)) continue;
        Report("Directive \"@" + d.name + "\" argument \"" + name + "\" of type \"" + type +
                   "\" is required, but it was not provided.",
               {node.location});
      }
    } else if (node.kind == NodeKind::kField) {
      const FieldDef* def = context().type_info().field_def();
      if (!def) return;
      const Field& f = node.field();
      for (const InputValue& a : def->arguments) {
        if (a.type.kind != TypeRefKind::kNonNull || a.default_value) continue;
        if (Provided(f.arguments, a.name)) continue;
        Report("Field \"" + f.name + "\" argument \"" + a.name + "\" of type \"" +
                   a.type.ToString() + "\" is required, but it was not provided.",
               {node.location});
      }
    }
  }

 private:
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> required_;
};

}  // namespace

std::unique_ptr<Rule> KnownDirectivesRule(ValidationContext* c) {
  return std::make_unique<KnownDirectives>(c);
}
std::unique_ptr<Rule> UniqueDirectivesPerLocationRule(ValidationContext* c) {
  return std::make_unique<UniqueDirectivesPerLocation>(c);
}
std::unique_ptr<Rule> KnownArgumentNamesRule(ValidationContext* c) {
  return std::make_unique<KnownArgumentNames>(c);
}
std::unique_ptr<Rule> UniqueArgumentNamesRule(ValidationContext* c) {
  return std::make_unique<UniqueArgumentNames>(c);
}
std::unique_ptr<Rule> ProvidedRequiredArgumentsRule(ValidationContext* c) {
  return std::make_unique<ProvidedRequiredArguments>(c);
}

}  // namespace stator::graphql::validation
