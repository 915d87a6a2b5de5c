#include "graphql/schema_validation.h"

#include <functional>
#include <set>
#include <unordered_set>

namespace stator::graphql {
namespace {

class Validator {
 public:
  Validator(const Schema& schema, std::vector<Error>* errors) : s_(schema), errors_(errors) {}

  void Run() {
    CheckRoots();
    for (const DirectiveDef* d : s_.directives()) {
      if (d->builtin) continue;
      CheckName(d->name, d->location);
      for (const InputValue& a : d->arguments) {
        CheckName(a.name, a.location);
        CheckInput(a.type, "@" + d->name + "(" + a.name + ":)", a.type.location);
        if (IsRequired(a) && a.deprecation_reason) {
          Add("Required argument @" + d->name + "(" + a.name + ":) cannot be deprecated.",
              {a.location});
        }
      }
    }
    for (const NamedType* t : s_.types()) {
      if (t->builtin) continue;
      CheckName(t->name, t->location);
      switch (t->kind) {
        case TypeKind::kObject:
        case TypeKind::kInterface:
          CheckFields(*t);
          CheckInterfaces(*t);
          break;
        case TypeKind::kUnion:
          CheckUnion(*t);
          break;
        case TypeKind::kEnum:
          if (t->enum_values.empty()) {
            Add("Enum type " + t->name + " must define one or more values.", {t->location});
          }
          break;
        case TypeKind::kInputObject:
          CheckInputObject(*t);
          break;
        case TypeKind::kScalar:
          break;
      }
    }
  }

 private:
  void Add(std::string message, std::vector<Location> locations) {
    Error e;
    e.message = std::move(message);
    for (const Location& l : locations) {
      if (l.line > 0) e.locations.push_back(l);
    }
    errors_->push_back(std::move(e));
  }

  static bool IsRequired(const InputValue& v) {
    return v.type.kind == TypeRefKind::kNonNull && !v.default_value;
  }

  void CheckName(const std::string& name, Location at) {
    if (name.size() >= 2 && name[0] == '_' && name[1] == '_') {
      Add("Name \"" + name +
              "\" must not begin with \"__\", which is reserved by GraphQL "
              "introspection.",
          {at});
    }
  }

  void CheckRoots() {
    const NamedType* q = s_.query_type();
    if (!q) {
      Add("Query root type must be provided.", {});
    }
    struct Root {
      OperationType op;
      const NamedType* type;
      const char* label;
      const char* if_provided;
    };
    Root roots[] = {
        {OperationType::kQuery, q, "Query", ""},
        {OperationType::kMutation, s_.mutation_type(), "Mutation", " if provided"},
        {OperationType::kSubscription, s_.subscription_type(), "Subscription", " if provided"}};
    for (const Root& r : roots) {
      if (!r.type || r.type->kind == TypeKind::kObject) continue;
      Location at = s_.RootTypeLocation(r.op).value_or(r.type->location);
      Add(std::string(r.label) + " root type must be Object type" + r.if_provided +
              ", it cannot be " + r.type->name + ".",
          {at});
    }
    // All root types must be different.
    for (int i = 0; i < 3; ++i) {
      if (!roots[i].type) continue;
      std::vector<const char*> uses;
      bool earlier = false;
      for (int j = 0; j < 3; ++j) {
        if (roots[j].type == roots[i].type) {
          if (j < i) earlier = true;
          uses.push_back(OperationTypeName(roots[j].op));
        }
      }
      if (uses.size() > 1 && !earlier) {
        std::string list;
        for (size_t k = 0; k < uses.size(); ++k) {
          if (k) list += k + 1 == uses.size() ? " and " : ", ";
          list += uses[k];
        }
        Add("All root types must be different, \"" + roots[i].type->name + "\" type is used as " +
                list + " root types.",
            {});
      }
    }
  }

  const NamedType* Named(const TypeRef& t) const { return s_.FindType(t.NamedType()); }

  void CheckInput(const TypeRef& t, const std::string& what, Location at) {
    const NamedType* n = Named(t);
    if (n && !n->is_input()) {
      Add("The type of " + what + " must be Input Type but got: " + t.ToString() + ".", {at});
    }
  }

  void CheckFields(const NamedType& t) {
    if (t.fields.empty()) {
      Add("Type " + t.name + " must define one or more fields.", {t.location});
    }
    for (const FieldDef& f : t.fields) {
      CheckName(f.name, f.location);
      const NamedType* n = Named(f.type);
      if (n && n->kind == TypeKind::kInputObject) {
        Add("The type of " + t.name + "." + f.name +
                " must be Output Type but got: " + f.type.ToString() + ".",
            {f.type.location});
      }
      for (const InputValue& a : f.arguments) {
        std::string what = t.name + "." + f.name + "(" + a.name + ":)";
        CheckName(a.name, a.location);
        CheckInput(a.type, what, a.type.location);
        if (IsRequired(a) && a.deprecation_reason) {
          Add("Required argument " + what + " cannot be deprecated.", {a.location});
        }
      }
    }
  }

  void CheckInterfaces(const NamedType& t) {
    std::set<std::string> seen;
    for (const std::string& iname : t.interfaces) {
      const NamedType* iface = s_.FindType(iname);
      if (!iface) continue;
      if (iface->kind != TypeKind::kInterface) {
        Add("Type " + t.name + " must only implement Interface types, it cannot implement " +
                iname + ".",
            {t.location});
        continue;
      }
      if (iface == &t) {
        Add("Type " + t.name +
                " cannot implement itself because it would create a circular reference.",
            {t.location});
        continue;
      }
      if (!seen.insert(iname).second) {
        Add("Type " + t.name + " can only implement " + iname + " once.", {t.location});
        continue;
      }
      for (const std::string& transitive : iface->interfaces) {
        bool has = false;
        for (const std::string& i : t.interfaces) has = has || i == transitive;
        if (!has) {
          Add(transitive == t.name ? "Type " + t.name + " cannot implement " + iname +
                                         " because it would create a circular reference."
                                   : "Type " + t.name + " must implement " + transitive +
                                         " because it is implemented by " + iname + ".",
              {t.location});
        }
      }
      for (const FieldDef& ifield : iface->fields) {
        const FieldDef* f = t.FindField(ifield.name);
        std::string fname = t.name + "." + ifield.name;
        std::string iname_f = iname + "." + ifield.name;
        if (!f) {
          Add("Interface field " + iname_f + " expected but " + t.name + " does not provide it.",
              {ifield.location, t.location});
          continue;
        }
        if (!IsTypeSubTypeOf(s_, f->type, ifield.type)) {
          Add("Interface field " + iname_f + " expects type " + ifield.type.ToString() + " but " +
                  fname + " is type " + f->type.ToString() + ".",
              {ifield.type.location, f->type.location});
        }
        for (const InputValue& iarg : ifield.arguments) {
          const InputValue* arg = f->FindArgument(iarg.name);
          if (!arg) {
            Add("Interface field argument " + iname_f + "(" + iarg.name + ":) expected but " +
                    fname + " does not provide it.",
                {iarg.location, f->location});
            continue;
          }
          if (!(arg->type == iarg.type)) {
            Add("Interface field argument " + iname_f + "(" + iarg.name + ":) expects type " +
                    iarg.type.ToString() + " but " + fname + "(" + iarg.name + ":) is type " +
                    arg->type.ToString() + ".",
                {iarg.type.location, arg->type.location});
          }
        }
        for (const InputValue& arg : f->arguments) {
          if (!ifield.FindArgument(arg.name) && IsRequired(arg)) {
            Add("Object field " + fname + " includes required argument " + arg.name +
                    " that is missing from the Interface field " + iname_f + ".",
                {arg.location, ifield.location});
          }
        }
      }
    }
  }

  void CheckUnion(const NamedType& t) {
    if (t.union_members.empty()) {
      Add("Union type " + t.name + " must define one or more member types.", {t.location});
    }
    std::set<std::string> seen;
    for (const std::string& m : t.union_members) {
      if (!seen.insert(m).second) {
        Add("Union type " + t.name + " can only include type " + m + " once.", {t.location});
        continue;
      }
      const NamedType* mt = s_.FindType(m);
      if (mt && mt->kind != TypeKind::kObject) {
        Add("Union type " + t.name + " can only include Object types, it cannot include " + m + ".",
            {t.location});
      }
    }
  }

  void CheckInputObject(const NamedType& t) {
    if (t.input_fields.empty()) {
      Add("Input Object type " + t.name + " must define one or more fields.", {t.location});
    }
    for (const InputValue& f : t.input_fields) {
      std::string what = t.name + "." + f.name;
      CheckName(f.name, f.location);
      CheckInput(f.type, what, f.type.location);
      if (IsRequired(f) && f.deprecation_reason) {
        Add("Required input field " + what + " cannot be deprecated.", {f.location});
      }
      if (t.one_of) {
        if (f.type.kind == TypeRefKind::kNonNull) {
          Add("OneOf input field " + what + " must be nullable.", {f.type.location});
        }
        if (f.default_value) {
          Add("OneOf input field " + what + " cannot have a default value.", {f.location});
        }
      }
    }
    CheckInputCycles(t);
  }

  // Non-null input object self-references (graphql-js's createInputObjectCircularRefsValidator),
  // reported once per cycle from the first type that starts it.
  void CheckInputCycles(const NamedType& start) {
    if (visited_inputs_.count(&start)) return;
    std::vector<std::string> path;
    std::vector<const NamedType*> stack;
    std::function<void(const NamedType&)> visit = [&](const NamedType& t) {
      if (visited_inputs_.count(&t)) return;
      visited_inputs_.insert(&t);
      stack.push_back(&t);
      for (const InputValue& f : t.input_fields) {
        if (f.type.kind != TypeRefKind::kNonNull || f.type.of_type->kind != TypeRefKind::kNamed) {
          continue;
        }
        const NamedType* ft = s_.FindType(f.type.NamedType());
        if (!ft || ft->kind != TypeKind::kInputObject) continue;
        path.push_back(f.name);
        size_t at = stack.size();
        for (size_t i = 0; i < stack.size(); ++i) {
          if (stack[i] == ft) at = i;
        }
        if (at == stack.size()) {
          visit(*ft);
        } else {
          std::string cycle;
          for (size_t i = at; i < path.size(); ++i) cycle += (i > at ? "." : "") + path[i];
          Add("Cannot reference Input Object \"" + ft->name +
                  "\" within itself through a series of non-null fields: \"" + cycle + "\".",
              {f.location});
        }
        path.pop_back();
      }
      stack.pop_back();
    };
    visit(start);
  }

  const Schema& s_;
  std::vector<Error>* errors_;
  std::unordered_set<const NamedType*> visited_inputs_;
};

}  // namespace

bool IsTypeSubTypeOf(const Schema& schema, const TypeRef& sub, const TypeRef& super) {
  if (sub == super) return true;
  if (super.kind == TypeRefKind::kNonNull) {
    return sub.kind == TypeRefKind::kNonNull &&
           IsTypeSubTypeOf(schema, *sub.of_type, *super.of_type);
  }
  if (sub.kind == TypeRefKind::kNonNull) return IsTypeSubTypeOf(schema, *sub.of_type, super);
  if (super.kind == TypeRefKind::kList) {
    return sub.kind == TypeRefKind::kList && IsTypeSubTypeOf(schema, *sub.of_type, *super.of_type);
  }
  if (sub.kind == TypeRefKind::kList) return false;
  const NamedType* sup = schema.FindType(super.name);
  const NamedType* s = schema.FindType(sub.name);
  return sup && s && sup->is_abstract() &&
         (s->kind == TypeKind::kObject || s->kind == TypeKind::kInterface) &&
         schema.IsSubType(*sup, *s);
}

void ValidateSchema(const Schema& schema, std::vector<Error>* errors) {
  Validator(schema, errors).Run();
}

}  // namespace stator::graphql
