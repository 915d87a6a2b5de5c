// The rules about fragments: UniqueFragmentNames, KnownFragmentNames, NoUnusedFragments,
// PossibleFragmentSpreads, NoFragmentCycles (spec 5.5).
#include <map>

#include "graphql/validate_context.h"

namespace stator::graphql::validation {
namespace {

class UniqueFragmentNames : public Rule {
 public:
  using Rule::Rule;
  bool Enter(const Node& node) override {
    if (node.kind == NodeKind::kOperationDefinition) return true;
    if (node.kind != NodeKind::kFragmentDefinition) return false;
    const FragmentDefinition& f = node.fragment_definition();
    auto [it, inserted] = known_.emplace(f.name, f.name_location);
    if (!inserted) {
      Report("There can be only one fragment named \"" + f.name + "\".",
             {it->second, f.name_location});
    }
    return true;
  }

 private:
  std::map<std::string, Location> known_;
};

class KnownFragmentNames : public Rule {
 public:
  using Rule::Rule;
  bool Enter(const Node& node) override {
    if (node.kind != NodeKind::kFragmentSpread) return false;
    const FragmentSpread& s = node.fragment_spread();
    if (!context().Fragment(s.name)) {
      Report("Unknown fragment \"" + s.name + "\".", {s.name_location});
    }
    return false;
  }
};

class NoUnusedFragments : public Rule {
 public:
  using Rule::Rule;
  bool Enter(const Node& node) override {
    if (node.kind == NodeKind::kOperationDefinition) {
      operations_.push_back(&node.operation());
      return true;
    }
    if (node.kind == NodeKind::kFragmentDefinition) {
      fragments_.push_back(&node.fragment_definition());
      return true;
    }
    return false;
  }
  void Leave(const Node& node) override {
    if (node.kind != NodeKind::kDocument) return;
    std::set<std::string> used;
    for (const OperationDefinition* o : operations_) {
      for (const FragmentDefinition* f : context().RecursivelyReferencedFragments(*o)) {
        used.insert(f->name);
      }
    }
    for (const FragmentDefinition* f : fragments_) {
      if (!used.count(f->name)) {
        Report("Fragment \"" + f->name + "\" is never used.", {f->location});
      }
    }
  }

 private:
  std::vector<const OperationDefinition*> operations_;
  std::vector<const FragmentDefinition*> fragments_;
};

class PossibleFragmentSpreads : public Rule {
 public:
  using Rule::Rule;
  bool Enter(const Node& node) override {
    TypeInfo& info = context().type_info();
    if (node.kind == NodeKind::kInlineFragment) {
      const NamedType* fragment_type = NamedOf(info, info.type());
      const NamedType* parent = info.parent_type();
      if (fragment_type && fragment_type->is_composite() && parent && parent->is_composite() &&
          !DoTypesOverlap(context().schema(), *fragment_type, *parent)) {
        Report("Fragment cannot be spread here as objects of type \"" + parent->name +
                   "\" can never be of type \"" + fragment_type->name + "\".",
               {node.location});
      }
    } else if (node.kind == NodeKind::kFragmentSpread) {
      const FragmentSpread& s = node.fragment_spread();
      const FragmentDefinition* fragment = context().Fragment(s.name);
      const NamedType* fragment_type =
          fragment ? context().types().Find(fragment->type_condition) : nullptr;
      if (fragment_type && !fragment_type->is_composite()) fragment_type = nullptr;
      const NamedType* parent = info.parent_type();
      if (fragment_type && parent && !DoTypesOverlap(context().schema(), *fragment_type, *parent)) {
        Report("Fragment \"" + s.name + "\" cannot be spread here as objects of type \"" +
                   parent->name + "\" can never be of type \"" + fragment_type->name + "\".",
               {node.location});
      }
    }
    return false;
  }
};

class NoFragmentCycles : public Rule {
 public:
  using Rule::Rule;
  bool Enter(const Node& node) override {
    if (node.kind == NodeKind::kOperationDefinition) return true;
    if (node.kind != NodeKind::kFragmentDefinition) return false;
    DetectCycle(node.fragment_definition());
    return true;
  }

 private:
  void DetectCycle(const FragmentDefinition& fragment) {
    if (visited_.count(fragment.name)) return;
    visited_.insert(fragment.name);
    const std::vector<const FragmentSpread*>& spreads =
        context().FragmentSpreads(fragment.selection_set);
    if (spreads.empty()) return;
    path_index_[fragment.name] = path_.size();
    for (const FragmentSpread* spread : spreads) {
      auto cycle = path_index_.find(spread->name);
      path_.push_back(spread);
      if (cycle == path_index_.end()) {
        if (const FragmentDefinition* next = context().Fragment(spread->name)) DetectCycle(*next);
      } else {
        std::string via;
        std::vector<Location> locations;
        for (size_t i = cycle->second; i < path_.size(); ++i) {
          locations.push_back(path_[i]->location);
          if (i + 1 < path_.size()) {
            if (!via.empty()) via += ", ";
            via += "\"" + path_[i]->name + "\"";
          }
        }
        Report("Cannot spread fragment \"" + spread->name + "\" within itself" +
                   (via.empty() ? "." : " via " + via + "."),
               std::move(locations));
      }
      path_.pop_back();
      if (context().aborted()) return;
    }
    path_index_.erase(fragment.name);
  }

  std::set<std::string> visited_;
  std::vector<const FragmentSpread*> path_;
  std::map<std::string, size_t> path_index_;
};

}  // namespace

std::unique_ptr<Rule> UniqueFragmentNamesRule(ValidationContext* c) {
  return std::make_unique<UniqueFragmentNames>(c);
}
std::unique_ptr<Rule> KnownFragmentNamesRule(ValidationContext* c) {
  return std::make_unique<KnownFragmentNames>(c);
}
std::unique_ptr<Rule> NoUnusedFragmentsRule(ValidationContext* c) {
  return std::make_unique<NoUnusedFragments>(c);
}
std::unique_ptr<Rule> PossibleFragmentSpreadsRule(ValidationContext* c) {
  return std::make_unique<PossibleFragmentSpreads>(c);
}
std::unique_ptr<Rule> NoFragmentCyclesRule(ValidationContext* c) {
  return std::make_unique<NoFragmentCycles>(c);
}

}  // namespace stator::graphql::validation
