// OverlappingFieldsCanBeMerged (spec 5.3.2, FieldsInSetCanMerge) as graphql-core implements it:
// for every selection set, the fields it collects (through inline fragments) and the fragments it
// spreads are compared pairwise by response name; the fields of a fragment are collected once
// and cached per selection set, and fragment pairs already compared are remembered (with whether
// they were compared as mutually exclusive).
#include <algorithm>
#include <map>

#include "graphql/validate_context.h"

namespace stator::graphql::validation {
namespace {

struct NodeAndDef {
  const NamedType* parent_type;
  const Field* node;
  const FieldDef* def;
};

// Response name -> the fields under it, in first-seen order.
struct FieldMap {
  std::vector<std::pair<std::string, std::vector<NodeAndDef>>> entries;
  std::map<std::string, size_t> index;

  void Add(const std::string& name, NodeAndDef field) {
    auto it = index.find(name);
    if (it == index.end()) {
      index.emplace(name, entries.size());
      entries.push_back({name, {field}});
    } else {
      entries[it->second].second.push_back(field);
    }
  }
  const std::vector<NodeAndDef>* Find(const std::string& name) const {
    auto it = index.find(name);
    return it == index.end() ? nullptr : &entries[it->second].second;
  }
};

struct FieldsAndFragments {
  FieldMap fields;
  std::vector<std::string> fragment_names;
};

struct Reason {
  std::string name;
  std::string message;  // when subreasons is empty
  std::vector<Reason> subreasons;
};

struct Conflict {
  Reason reason;
  std::vector<const Field*> fields1;
  std::vector<const Field*> fields2;
};

std::string ReasonMessage(const Reason& reason) {
  if (reason.subreasons.empty()) return reason.message;
  std::string out;
  for (const Reason& sub : reason.subreasons) {
    if (!out.empty()) out += " and ";
    out += "subfields \"" + sub.name + "\" conflict because " + ReasonMessage(sub);
  }
  return out;
}

// graphql-core's PairSet.
class PairSet {
 public:
  bool Has(const std::string& a, const std::string& b, bool mutually_exclusive) const {
    auto it = data_.find(Key(a, b));
    if (it == data_.end()) return false;
    return mutually_exclusive ? true : !it->second;
  }
  void Add(const std::string& a, const std::string& b, bool mutually_exclusive) {
    data_[Key(a, b)] = mutually_exclusive;
  }

 private:
  static std::pair<std::string, std::string> Key(const std::string& a, const std::string& b) {
    return a < b ? std::make_pair(a, b) : std::make_pair(b, a);
  }
  std::map<std::pair<std::string, std::string>, bool> data_;
};

// The value as graphql-core's stringify_value prints it: object fields sorted by name.
ValueNode Sorted(const ValueNode& value) {
  ValueNode out = value;
  if (out.kind == ValueKind::kList) {
    for (ValueNode& v : out.list) v = Sorted(v);
  } else if (out.kind == ValueKind::kObject) {
    for (ObjectFieldNode& f : out.fields) f.value = Sorted(f.value);
    std::stable_sort(
        out.fields.begin(), out.fields.end(),
        [](const ObjectFieldNode& a, const ObjectFieldNode& b) { return a.name < b.name; });
  }
  return out;
}

bool SameArguments(const Field& a, const Field& b) {
  if (a.arguments.empty()) return b.arguments.empty();
  if (b.arguments.empty() || a.arguments.size() != b.arguments.size()) return false;
  std::map<std::string, const ValueNode*> values2;
  for (const Argument& arg : b.arguments) values2[arg.name] = &arg.value;
  for (const Argument& arg : a.arguments) {
    auto it = values2.find(arg.name);
    if (it == values2.end()) return false;
    if (PrintValue(Sorted(arg.value)) != PrintValue(Sorted(*it->second))) return false;
  }
  return true;
}

class OverlappingFieldsCanBeMerged : public Rule {
 public:
  using Rule::Rule;

  bool Enter(const Node& node) override {
    if (node.kind != NodeKind::kSelectionSet) return false;
    std::vector<Conflict> conflicts;
    FindConflictsWithin(context().type_info().parent_type(), node.selection_set(), &conflicts);
    for (const Conflict& c : conflicts) {
      std::vector<Location> locations;
      for (const Field* f : c.fields1) locations.push_back(f->location);
      for (const Field* f : c.fields2) locations.push_back(f->location);
      Report("Fields \"" + c.reason.name + "\" conflict because " + ReasonMessage(c.reason) +
                 ". Use different aliases on the fields to fetch both if this was intentional.",
             std::move(locations));
      if (context().aborted()) break;
    }
    return false;
  }

 private:
  const NamedType* Named(TypeP t) { return t ? context().types().Find(t->NamedType()) : nullptr; }

  void FindConflictsWithin(const NamedType* parent, const std::vector<Selection>& set,
                           std::vector<Conflict>* conflicts) {
    const FieldsAndFragments& ff = FieldsAndFragmentNames(parent, set);
    CollectWithin(ff.fields, conflicts);
    const std::vector<std::string>& names = ff.fragment_names;
    for (size_t i = 0; i < names.size(); ++i) {
      BetweenFieldsAndFragment(conflicts, false, ff.fields, names[i]);
      for (size_t j = i + 1; j < names.size(); ++j) {
        BetweenFragments(conflicts, false, names[i], names[j]);
      }
    }
  }

  void BetweenFieldsAndFragment(std::vector<Conflict>* conflicts, bool exclusive,
                                const FieldMap& fields, const std::string& fragment_name) {
    const FragmentDefinition* fragment = context().Fragment(fragment_name);
    if (!fragment) return;
    const FieldsAndFragments& ff2 = ReferencedFieldsAndFragmentNames(*fragment);
    if (&fields == &ff2.fields) return;
    CollectBetween(conflicts, exclusive, fields, ff2.fields);
    for (const std::string& referenced : ff2.fragment_names) {
      if (pairs_.Has(referenced, fragment_name, exclusive)) continue;
      pairs_.Add(referenced, fragment_name, exclusive);
      BetweenFieldsAndFragment(conflicts, exclusive, fields, referenced);
    }
  }

  void BetweenFragments(std::vector<Conflict>* conflicts, bool exclusive, const std::string& name1,
                        const std::string& name2) {
    if (name1 == name2) return;
    if (pairs_.Has(name1, name2, exclusive)) return;
    pairs_.Add(name1, name2, exclusive);
    const FragmentDefinition* f1 = context().Fragment(name1);
    const FragmentDefinition* f2 = context().Fragment(name2);
    if (!f1 || !f2) return;
    const FieldsAndFragments& ff1 = ReferencedFieldsAndFragmentNames(*f1);
    const FieldsAndFragments& ff2 = ReferencedFieldsAndFragmentNames(*f2);
    CollectBetween(conflicts, exclusive, ff1.fields, ff2.fields);
    for (const std::string& referenced2 : ff2.fragment_names) {
      BetweenFragments(conflicts, exclusive, name1, referenced2);
    }
    for (const std::string& referenced1 : ff1.fragment_names) {
      BetweenFragments(conflicts, exclusive, referenced1, name2);
    }
  }

  std::vector<Conflict> BetweenSubSelectionSets(bool exclusive, const NamedType* parent1,
                                                const std::vector<Selection>& set1,
                                                const NamedType* parent2,
                                                const std::vector<Selection>& set2) {
    std::vector<Conflict> conflicts;
    const FieldsAndFragments& ff1 = FieldsAndFragmentNames(parent1, set1);
    const FieldsAndFragments& ff2 = FieldsAndFragmentNames(parent2, set2);
    CollectBetween(&conflicts, exclusive, ff1.fields, ff2.fields);
    for (const std::string& name2 : ff2.fragment_names) {
      BetweenFieldsAndFragment(&conflicts, exclusive, ff1.fields, name2);
    }
    for (const std::string& name1 : ff1.fragment_names) {
      BetweenFieldsAndFragment(&conflicts, exclusive, ff2.fields, name1);
    }
    for (const std::string& name1 : ff1.fragment_names) {
      for (const std::string& name2 : ff2.fragment_names) {
        BetweenFragments(&conflicts, exclusive, name1, name2);
      }
    }
    return conflicts;
  }

  void CollectWithin(const FieldMap& fields, std::vector<Conflict>* conflicts) {
    for (const auto& [name, list] : fields.entries) {
      for (size_t i = 0; i < list.size(); ++i) {
        for (size_t j = i + 1; j < list.size(); ++j) {
          if (auto c = FindConflict(false, name, list[i], list[j])) {
            conflicts->push_back(std::move(*c));
          }
        }
      }
    }
  }

  void CollectBetween(std::vector<Conflict>* conflicts, bool exclusive, const FieldMap& fields1,
                      const FieldMap& fields2) {
    for (const auto& [name, list1] : fields1.entries) {
      const std::vector<NodeAndDef>* list2 = fields2.Find(name);
      if (!list2) continue;
      for (const NodeAndDef& f1 : list1) {
        for (const NodeAndDef& f2 : *list2) {
          if (auto c = FindConflict(exclusive, name, f1, f2)) conflicts->push_back(std::move(*c));
        }
      }
    }
  }

  bool DoTypesConflict(TypeP t1, TypeP t2) {
    if (IsList(t1)) return IsList(t2) ? DoTypesConflict(OfType(t1), OfType(t2)) : true;
    if (IsList(t2)) return true;
    if (IsNonNull(t1)) return IsNonNull(t2) ? DoTypesConflict(OfType(t1), OfType(t2)) : true;
    if (IsNonNull(t2)) return true;
    const NamedType* n1 = Named(t1);
    const NamedType* n2 = Named(t2);
    if ((n1 && n1->is_leaf()) || (n2 && n2->is_leaf())) return n1 != n2;
    return false;
  }

  std::optional<Conflict> FindConflict(bool parents_exclusive, const std::string& response_name,
                                       const NodeAndDef& f1, const NodeAndDef& f2) {
    bool exclusive =
        parents_exclusive ||
        (f1.parent_type != f2.parent_type && f1.parent_type && f2.parent_type &&
         f1.parent_type->kind == TypeKind::kObject && f2.parent_type->kind == TypeKind::kObject);
    TypeP type1 = f1.def ? &f1.def->type : nullptr;
    TypeP type2 = f2.def ? &f2.def->type : nullptr;
    auto simple = [&](std::string message) {
      return Conflict{Reason{response_name, std::move(message), {}}, {f1.node}, {f2.node}};
    };
    if (!exclusive) {
      if (f1.node->name != f2.node->name) {
        return simple("\"" + f1.node->name + "\" and \"" + f2.node->name +
                      "\" are different fields");
      }
      if (!SameArguments(*f1.node, *f2.node)) return simple("they have differing arguments");
    }
    if (type1 && type2 && DoTypesConflict(type1, type2)) {
      return simple("they return conflicting types \"" + type1->ToString() + "\" and \"" +
                    type2->ToString() + "\"");
    }
    if (!f1.node->selection_set.empty() && !f2.node->selection_set.empty()) {
      std::vector<Conflict> subs = BetweenSubSelectionSets(
          exclusive, Named(type1), f1.node->selection_set, Named(type2), f2.node->selection_set);
      if (subs.empty()) return std::nullopt;
      Conflict c{Reason{response_name, "", {}}, {f1.node}, {f2.node}};
      for (Conflict& s : subs) {
        c.reason.subreasons.push_back(std::move(s.reason));
        c.fields1.insert(c.fields1.end(), s.fields1.begin(), s.fields1.end());
        c.fields2.insert(c.fields2.end(), s.fields2.begin(), s.fields2.end());
      }
      return c;
    }
    return std::nullopt;
  }

  const FieldsAndFragments& FieldsAndFragmentNames(const NamedType* parent,
                                                   const std::vector<Selection>& set) {
    auto it = cache_.find(&set);
    if (it != cache_.end()) return *it->second;
    auto ff = std::make_unique<FieldsAndFragments>();
    std::set<std::string> seen_fragments;
    Collect(parent, set, ff.get(), &seen_fragments);
    return *(cache_[&set] = std::move(ff));
  }

  const FieldsAndFragments& ReferencedFieldsAndFragmentNames(const FragmentDefinition& fragment) {
    auto it = cache_.find(&fragment.selection_set);
    if (it != cache_.end()) return *it->second;
    return FieldsAndFragmentNames(context().types().Find(fragment.type_condition),
                                  fragment.selection_set);
  }

  void Collect(const NamedType* parent, const std::vector<Selection>& set, FieldsAndFragments* out,
               std::set<std::string>* seen_fragments) {
    for (const Selection& s : set) {
      if (const Field* f = s.field()) {
        const FieldDef* def = nullptr;
        if (parent && (parent->kind == TypeKind::kObject || parent->kind == TypeKind::kInterface)) {
          def = parent->FindField(f->name);
        }
        out->fields.Add(f->response_key(), NodeAndDef{parent, f, def});
      } else if (const FragmentSpread* spread = s.fragment_spread()) {
        if (seen_fragments->insert(spread->name).second) {
          out->fragment_names.push_back(spread->name);
        }
      } else if (const InlineFragment* i = s.inline_fragment()) {
        const NamedType* type =
            i->type_condition.empty() ? parent : context().types().Find(i->type_condition);
        Collect(type, i->selection_set, out, seen_fragments);
      }
    }
  }

  PairSet pairs_;
  std::map<const void*, std::unique_ptr<FieldsAndFragments>> cache_;
};

}  // namespace

std::unique_ptr<Rule> OverlappingFieldsCanBeMergedRule(ValidationContext* c) {
  return std::make_unique<OverlappingFieldsCanBeMerged>(c);
}

}  // namespace stator::graphql::validation
