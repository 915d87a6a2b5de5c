// The rules about types and fields: KnownTypeNames, FragmentsOnCompositeTypes,
// VariablesAreInputTypes, ScalarLeafs, FieldsOnCorrectType (spec 5.3.1, 5.3.3, 5.5.1.2-3, 5.8.2).
#include <algorithm>
#include <map>

#include "graphql/validate_context.h"

namespace stator::graphql::validation {
namespace {

const char* const kStandardTypeNames[] = {"String",
                                          "Int",
                                          "Float",
                                          "Boolean",
                                          "ID",
                                          "__Schema",
                                          "__Type",
                                          "__TypeKind",
                                          "__Field",
                                          "__InputValue",
                                          "__EnumValue",
                                          "__Directive",
                                          "__DirectiveLocation"};

bool IsStandardTypeName(std::string_view name) {
  for (const char* s : kStandardTypeNames) {
    if (name == s) return true;
  }
  return false;
}

bool IsSdlNode(const Node& node) {
  return node.kind == NodeKind::kSchemaDefinition || node.kind == NodeKind::kTypeDefinition ||
         node.kind == NodeKind::kDirectiveDefinition;
}

class KnownTypeNames : public Rule {
 public:
  explicit KnownTypeNames(ValidationContext* c) : Rule(c) {
    type_names_ = c->types().names();
    for (const TypeDefinition& t : c->document().types) {
      if (t.is_extension) continue;
      defined_.insert(t.name);
      type_names_.push_back(t.name);
    }
  }
  bool Enter(const Node& node) override {
    if (node.kind != NodeKind::kNamedType) return false;
    const std::string& name = node.type().name;
    if (context().types().Find(name) || defined_.count(name)) return false;
    const std::vector<Node>& ancestors = context().ancestors();
    const Node& definition = ancestors.size() > 1 ? ancestors[1] : ancestors.back();
    bool sdl = IsSdlNode(definition);
    if (sdl && IsStandardTypeName(name)) return false;
    std::vector<std::string> options;
    if (sdl) options.assign(std::begin(kStandardTypeNames), std::end(kStandardTypeNames));
    options.insert(options.end(), type_names_.begin(), type_names_.end());
    Report("Unknown type \"" + name + "\"." + DidYouMean(SuggestionList(name, options)),
           {node.location});
    return false;
  }

 private:
  std::set<std::string> defined_;
  std::vector<std::string> type_names_;
};

class FragmentsOnCompositeTypes : public Rule {
 public:
  using Rule::Rule;
  bool Enter(const Node& node) override {
    if (node.kind == NodeKind::kInlineFragment) {
      const InlineFragment& i = node.inline_fragment();
      if (i.type_condition.empty()) return false;
      const NamedType* type = context().types().Find(i.type_condition);
      if (type && !type->is_composite()) {
        Report("Fragment cannot condition on non composite type \"" + i.type_condition + "\".",
               {i.type_condition_location});
      }
    } else if (node.kind == NodeKind::kFragmentDefinition) {
      const FragmentDefinition& f = node.fragment_definition();
      const NamedType* type = context().types().Find(f.type_condition);
      if (type && !type->is_composite()) {
        Report("Fragment \"" + f.name + "\" cannot condition on non composite type \"" +
                   f.type_condition + "\".",
               {f.type_condition_location});
      }
    }
    return false;
  }
};

class VariablesAreInputTypes : public Rule {
 public:
  using Rule::Rule;
  bool Enter(const Node& node) override {
    if (node.kind != NodeKind::kVariableDefinition) return false;
    const VariableDefinition& v = node.variable_definition();
    TypeP type = context().type_info().FromAst(v.type);
    if (type && !IsInputType(context().type_info(), type)) {
      Report("Variable \"$" + v.name + "\" cannot be non-input type \"" + v.type.ToString() + "\".",
             {v.type.location});
    }
    return false;
  }
};

class ScalarLeafs : public Rule {
 public:
  using Rule::Rule;
  bool Enter(const Node& node) override {
    if (node.kind != NodeKind::kField) return false;
    TypeP type = context().type_info().type();
    if (!type) return false;
    const Field& f = node.field();
    const NamedType* named = NamedOf(context().type_info(), type);
    if (named && named->is_leaf()) {
      if (!f.selection_set.empty()) {
        Report("Field \"" + f.name + "\" must not have a selection since type \"" +
                   type->ToString() + "\" has no subfields.",
               {f.selection_set_location});
      }
    } else if (f.selection_set.empty()) {
      Report("Field \"" + f.name + "\" of type \"" + type->ToString() +
                 "\" must have a selection of subfields. Did you mean \"" + f.name + " { ... }\"?",
             {node.location});
    }
    return false;
  }
};

class FieldsOnCorrectType : public Rule {
 public:
  using Rule::Rule;
  bool Enter(const Node& node) override {
    if (node.kind != NodeKind::kField) return false;
    const NamedType* parent = context().type_info().parent_type();
    if (!parent || context().type_info().field_def()) return false;
    const std::string& name = node.field().name;
    std::string suggestion =
        DidYouMean(SuggestedTypeNames(*parent, name), "to use an inline fragment on");
    if (suggestion.empty()) suggestion = DidYouMean(SuggestedFieldNames(*parent, name));
    Report("Cannot query field \"" + name + "\" on type \"" + parent->name + "\"." + suggestion,
           {node.location});
    return false;
  }

 private:
  std::vector<std::string> SuggestedTypeNames(const NamedType& type, const std::string& field) {
    if (!type.is_abstract()) return {};
    const Schema& schema = context().schema();
    std::vector<const NamedType*> suggested;
    std::map<std::string, int> usage;
    auto add = [&](const NamedType* t) {
      if (std::find(suggested.begin(), suggested.end(), t) == suggested.end()) {
        suggested.push_back(t);
      }
    };
    for (const NamedType* possible : schema.PossibleTypes(type)) {
      if (!possible->FindField(field)) continue;
      add(possible);
      usage[possible->name] = 1;
      for (const std::string& interface_name : possible->interfaces) {
        const NamedType* interface = schema.FindType(interface_name);
        if (!interface || !interface->FindField(field)) continue;
        add(interface);
        usage[interface->name] += 1;
      }
    }
    std::stable_sort(suggested.begin(), suggested.end(),
                     [&](const NamedType* a, const NamedType* b) {
                       int diff = usage[b->name] - usage[a->name];
                       if (diff) return diff < 0;
                       if (a->kind == TypeKind::kInterface && schema.IsSubType(*a, *b)) {
                         return true;
                       }
                       if (b->kind == TypeKind::kInterface && schema.IsSubType(*b, *a)) {
                         return false;
                       }
                       return NaturalLess(a->name, b->name);
                     });
    std::vector<std::string> names;
    for (const NamedType* t : suggested) names.push_back(t->name);
    return names;
  }

  std::vector<std::string> SuggestedFieldNames(const NamedType& type, const std::string& field) {
    if (type.kind != TypeKind::kObject && type.kind != TypeKind::kInterface) return {};
    std::vector<std::string> names;
    for (const FieldDef& f : type.fields) names.push_back(f.name);
    return SuggestionList(field, names);
  }
};

}  // namespace

std::unique_ptr<Rule> KnownTypeNamesRule(ValidationContext* c) {
  return std::make_unique<KnownTypeNames>(c);
}
std::unique_ptr<Rule> FragmentsOnCompositeTypesRule(ValidationContext* c) {
  return std::make_unique<FragmentsOnCompositeTypes>(c);
}
std::unique_ptr<Rule> VariablesAreInputTypesRule(ValidationContext* c) {
  return std::make_unique<VariablesAreInputTypes>(c);
}
std::unique_ptr<Rule> ScalarLeafsRule(ValidationContext* c) {
  return std::make_unique<ScalarLeafs>(c);
}
std::unique_ptr<Rule> FieldsOnCorrectTypeRule(ValidationContext* c) {
  return std::make_unique<FieldsOnCorrectType>(c);
}

}  // namespace stator::graphql::validation
