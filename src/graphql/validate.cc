// Validate (validate.h): the validation context (validate_context.h), graphql-core's
// ParallelVisitor over the rules and the rule list. Types are in validate_types.cc, the traversal
// in validate_walk.cc, the rules in the other validate_*.cc.
#include "graphql/validate.h"

#include <utility>

#include "graphql/validate_context.h"

namespace stator::graphql {
namespace validation {

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
