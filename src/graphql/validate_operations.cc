// The rules about a document's definitions and operations: ExecutableDefinitions,
// UniqueOperationNames, LoneAnonymousOperation, SingleFieldSubscriptions (spec 5.1, 5.2).
#include <map>

#include "graphql/validate_context.h"

namespace stator::graphql::validation {
namespace {

class ExecutableDefinitions : public Rule {
 public:
  using Rule::Rule;
  bool Enter(const Node& node) override {
    if (node.kind != NodeKind::kDocument) return false;
    const Document& d = node.document();
    for (const DefinitionRef& ref : d.definitions) {
      std::string name;
      switch (ref.kind) {
        case DefinitionKind::kOperation:
        case DefinitionKind::kFragment:
          continue;
        case DefinitionKind::kSchema:
          name = "schema";
          break;
        case DefinitionKind::kType:
          name = "\"" + d.types[ref.index].name + "\"";
          break;
        case DefinitionKind::kDirective:
          name = "\"" + d.directive_definitions[ref.index].name + "\"";
          break;
      }
      Report("The " + name + " definition is not executable.", {d.LocationOf(ref)});
    }
    return true;
  }
};

class UniqueOperationNames : public Rule {
 public:
  using Rule::Rule;
  bool Enter(const Node& node) override {
    if (node.kind == NodeKind::kFragmentDefinition) return true;
    if (node.kind != NodeKind::kOperationDefinition) return false;
    const OperationDefinition& o = node.operation();
    if (!o.name.empty()) {
      auto [it, inserted] = known_.emplace(o.name, o.name_location);
      if (!inserted) {
        Report("There can be only one operation named \"" + o.name + "\".",
               {it->second, o.name_location});
      }
    }
    return true;
  }

 private:
  std::map<std::string, Location> known_;
};

class LoneAnonymousOperation : public Rule {
 public:
  using Rule::Rule;
  bool Enter(const Node& node) override {
    if (node.kind == NodeKind::kDocument) {
      count_ = node.document().operations.size();
    } else if (node.kind == NodeKind::kOperationDefinition) {
      if (node.operation().name.empty() && count_ > 1) {
        Report("This anonymous operation must be the only defined operation.", {node.location});
      }
    }
    return false;
  }

 private:
  size_t count_ = 0;
};

// graphql-core's collect_fields for the subscription root with no variables: @skip/@include
// with a literal `if` are honoured, with a variable the selection counts as included.
class RootFieldCollector {
 public:
  RootFieldCollector(ValidationContext* context, const NamedType& root)
      : context_(*context), root_(root) {}

  void Collect(const std::vector<Selection>& set) {
    for (const Selection& s : set) {
      if (const Field* f = s.field()) {
        if (!Included(f->directives)) continue;
        auto it = index_.find(f->response_key());
        if (it == index_.end()) {
          index_.emplace(f->response_key(), fields.size());
          fields.push_back({f});
        } else {
          fields[it->second].push_back(f);
        }
      } else if (const InlineFragment* i = s.inline_fragment()) {
        if (!Included(i->directives) || !ConditionMatches(i->type_condition)) continue;
        Collect(i->selection_set);
      } else if (const FragmentSpread* spread = s.fragment_spread()) {
        if (visited_.count(spread->name) || !Included(spread->directives)) continue;
        visited_.insert(spread->name);
        const FragmentDefinition* fragment = context_.Fragment(spread->name);
        if (!fragment || !ConditionMatches(fragment->type_condition)) continue;
        Collect(fragment->selection_set);
      }
    }
  }

  std::vector<std::vector<const Field*>> fields;  // by response key, first-seen order

 private:
  static bool Included(const std::vector<Directive>& directives) {
    for (const Directive& d : directives) {
      if (d.name != "skip" && d.name != "include") continue;
      for (const Argument& a : d.arguments) {
        if (a.name != "if" || a.value.kind != ValueKind::kBoolean) continue;
        if (d.name == "skip" && a.value.boolean) return false;
        if (d.name == "include" && !a.value.boolean) return false;
      }
    }
    return true;
  }
  bool ConditionMatches(const std::string& condition) const {
    if (condition.empty()) return true;
    const NamedType* type = context_.types().Find(condition);
    if (type == &root_) return true;
    return type && type->is_abstract() && context_.schema().IsSubType(*type, root_);
  }

  ValidationContext& context_;
  const NamedType& root_;
  std::map<std::string, size_t> index_;
  std::set<std::string> visited_;
};

class SingleFieldSubscriptions : public Rule {
 public:
  using Rule::Rule;
  bool Enter(const Node& node) override {
    if (node.kind != NodeKind::kOperationDefinition) return false;
    const OperationDefinition& o = node.operation();
    if (o.operation != OperationType::kSubscription) return false;
    const NamedType* root = context().schema().subscription_type();
    if (!root) return false;
    std::string subject =
        o.name.empty() ? "Anonymous Subscription" : "Subscription \"" + o.name + "\"";
    RootFieldCollector collector(&context(), *root);
    collector.Collect(o.selection_set);
    if (collector.fields.size() > 1) {
      std::vector<Location> extra;
      for (size_t i = 1; i < collector.fields.size(); ++i) {
        for (const Field* f : collector.fields[i]) extra.push_back(f->location);
      }
      Report(subject + " must select only one top level field.", std::move(extra));
    }
    for (const auto& nodes : collector.fields) {
      if (nodes[0]->name.rfind("__", 0) == 0) {
        std::vector<Location> locations;
        for (const Field* f : nodes) locations.push_back(f->location);
        Report(subject + " must not select an introspection top level field.",
               std::move(locations));
      }
    }
    return false;
  }
};

}  // namespace

std::unique_ptr<Rule> ExecutableDefinitionsRule(ValidationContext* c) {
  return std::make_unique<ExecutableDefinitions>(c);
}
std::unique_ptr<Rule> UniqueOperationNamesRule(ValidationContext* c) {
  return std::make_unique<UniqueOperationNames>(c);
}
std::unique_ptr<Rule> LoneAnonymousOperationRule(ValidationContext* c) {
  return std::make_unique<LoneAnonymousOperation>(c);
}
std::unique_ptr<Rule> SingleFieldSubscriptionsRule(ValidationContext* c) {
  return std::make_unique<SingleFieldSubscriptions>(c);
}

}  // namespace stator::graphql::validation
