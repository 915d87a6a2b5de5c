#include "graphql/introspection.h"

#include <functional>

#include "graphql/execute.h"
#include "graphql/parser.h"
#include "graphql/values.h"

namespace stator::graphql {
namespace {

using json::Value;

Value Str(const std::string& s) { return Value::String(s); }
Value OptStr(const std::optional<std::string>& s) { return s ? Value::String(*s) : Value(); }

Value TypeMarker(const TypeRef& t) {
  switch (t.kind) {
    case TypeRefKind::kNamed:
      return Value::MakeObject({{"t", Str(t.name)}});
    case TypeRefKind::kList:
      return Value::MakeObject({{"w", Str("LIST")}, {"of", TypeMarker(*t.of_type)}});
    case TypeRefKind::kNonNull:
      return Value::MakeObject({{"w", Str("NON_NULL")}, {"of", TypeMarker(*t.of_type)}});
  }
  return Value();
}

bool IncludeDeprecated(const Value& args) {
  const Value* v = args.Find("includeDeprecated");
  return v && v->is_bool() && v->as_bool();
}

// Where an __InputValue marker points: {"p": type, "f": field, "a": arg} (field argument),
// {"p": input type, "a": field} (input field), {"d": directive, "a": arg} (directive argument).
const InputValue* FindInputValue(const Schema& schema, const Value& m) {
  const Value* a = m.Find("a");
  if (!a) return nullptr;
  if (const Value* d = m.Find("d")) {
    const DirectiveDef* dir = schema.FindDirective(d->as_string());
    return dir ? dir->FindArgument(a->as_string()) : nullptr;
  }
  const Value* p = m.Find("p");
  const NamedType* t = p ? schema.FindType(p->as_string()) : nullptr;
  if (!t) return nullptr;
  if (const Value* f = m.Find("f")) {
    const FieldDef* fd = t->FindField(f->as_string());
    return fd ? fd->FindArgument(a->as_string()) : nullptr;
  }
  return t->FindInputField(a->as_string());
}

Value InputValues(const std::vector<InputValue>& values, const Value& args,
                  const std::function<Value(const InputValue&)>& marker) {
  json::Array out;
  bool deprecated = IncludeDeprecated(args);
  for (const InputValue& v : values) {
    if (v.deprecation_reason && !deprecated) continue;
    out.push_back(marker(v));
  }
  return Value::MakeArray(std::move(out));
}

Value TypeField(const Schema& schema, std::string_view field, const Value& source,
                const Value& args) {
  if (const Value* w = source.Find("w")) {
    if (field == "kind") return *w;
    if (field == "ofType") return *source.Find("of");
    return Value();
  }
  const Value* name = source.Find("t");
  const NamedType* t = name ? schema.FindType(name->as_string()) : nullptr;
  if (!t) return Value();
  if (field == "kind") return Value::String(TypeKindName(t->kind));
  if (field == "name") return Str(t->name);
  if (field == "description") return OptStr(t->description);
  if (field == "specifiedByURL") {
    return t->kind == TypeKind::kScalar ? OptStr(t->specified_by_url) : Value();
  }
  if (field == "fields") {
    if (t->kind != TypeKind::kObject && t->kind != TypeKind::kInterface) return Value();
    json::Array out;
    bool deprecated = IncludeDeprecated(args);
    for (const FieldDef& f : t->fields) {
      if (f.deprecation_reason && !deprecated) continue;
      out.push_back(Value::MakeObject({{"p", Str(t->name)}, {"f", Str(f.name)}}));
    }
    return Value::MakeArray(std::move(out));
  }
  if (field == "interfaces") {
    if (t->kind != TypeKind::kObject && t->kind != TypeKind::kInterface) return Value();
    json::Array out;
    for (const std::string& i : t->interfaces) out.push_back(NamedTypeMarker(schema, i));
    return Value::MakeArray(std::move(out));
  }
  if (field == "possibleTypes") {
    if (!t->is_abstract()) return Value();
    json::Array out;
    for (const NamedType* p : schema.PossibleTypes(*t)) {
      out.push_back(NamedTypeMarker(schema, p->name));
    }
    return Value::MakeArray(std::move(out));
  }
  if (field == "enumValues") {
    if (t->kind != TypeKind::kEnum) return Value();
    json::Array out;
    bool deprecated = IncludeDeprecated(args);
    for (const EnumValueDef& v : t->enum_values) {
      if (v.deprecation_reason && !deprecated) continue;
      out.push_back(Value::MakeObject({{"p", Str(t->name)}, {"v", Str(v.name)}}));
    }
    return Value::MakeArray(std::move(out));
  }
  if (field == "inputFields") {
    if (t->kind != TypeKind::kInputObject) return Value();
    return InputValues(t->input_fields, args, [&](const InputValue& v) {
      return Value::MakeObject({{"p", Str(t->name)}, {"a", Str(v.name)}});
    });
  }
  if (field == "isOneOf") {
    return t->kind == TypeKind::kInputObject ? Value::Bool(t->one_of) : Value();
  }
  return Value();
}

}  // namespace

json::Value SchemaMarker() { return Value::MakeObject({{"s", Value::Bool(true)}}); }

json::Value NamedTypeMarker(const Schema& schema, std::string_view name) {
  if (!schema.FindType(name)) return Value();
  return Value::MakeObject({{"t", Value::String(std::string(name))}});
}

json::Value ResolveIntrospectionField(const Schema& schema, std::string_view parent,
                                      std::string_view field, const json::Value& source,
                                      const json::Value& args) {
  if (parent == "__Schema") {
    if (field == "description") return OptStr(schema.description());
    if (field == "types") {
      json::Array out;
      for (const NamedType* t : schema.types()) out.push_back(NamedTypeMarker(schema, t->name));
      return Value::MakeArray(std::move(out));
    }
    auto root = [&](const NamedType* t) { return t ? NamedTypeMarker(schema, t->name) : Value(); };
    if (field == "queryType") return root(schema.query_type());
    if (field == "mutationType") return root(schema.mutation_type());
    if (field == "subscriptionType") return root(schema.subscription_type());
    if (field == "directives") {
      json::Array out;
      for (const DirectiveDef* d : schema.directives()) {
        out.push_back(Value::MakeObject({{"d", Str(d->name)}}));
      }
      return Value::MakeArray(std::move(out));
    }
    return Value();
  }
  if (parent == "__Type") return TypeField(schema, field, source, args);
  if (parent == "__Field") {
    const NamedType* t = schema.FindType(source.Find("p")->as_string());
    const FieldDef* f = t ? t->FindField(source.Find("f")->as_string()) : nullptr;
    if (!f) return Value();
    if (field == "name") return Str(f->name);
    if (field == "description") return OptStr(f->description);
    if (field == "args") {
      return InputValues(f->arguments, args, [&](const InputValue& v) {
        return Value::MakeObject({{"p", Str(t->name)}, {"f", Str(f->name)}, {"a", Str(v.name)}});
      });
    }
    if (field == "type") return TypeMarker(f->type);
    if (field == "isDeprecated") return Value::Bool(f->deprecation_reason.has_value());
    if (field == "deprecationReason") return OptStr(f->deprecation_reason);
    return Value();
  }
  if (parent == "__InputValue") {
    const InputValue* v = FindInputValue(schema, source);
    if (!v) return Value();
    if (field == "name") return Str(v->name);
    if (field == "description") return OptStr(v->description);
    if (field == "type") return TypeMarker(v->type);
    if (field == "defaultValue") {
      std::string d = PrintDefaultValue(schema, *v);
      return d.empty() ? Value() : Value::String(d);
    }
    if (field == "isDeprecated") return Value::Bool(v->deprecation_reason.has_value());
    if (field == "deprecationReason") return OptStr(v->deprecation_reason);
    return Value();
  }
  if (parent == "__EnumValue") {
    const NamedType* t = schema.FindType(source.Find("p")->as_string());
    const EnumValueDef* v = t ? t->FindEnumValue(source.Find("v")->as_string()) : nullptr;
    if (!v) return Value();
    if (field == "name") return Str(v->name);
    if (field == "description") return OptStr(v->description);
    if (field == "isDeprecated") return Value::Bool(v->deprecation_reason.has_value());
    if (field == "deprecationReason") return OptStr(v->deprecation_reason);
    return Value();
  }
  if (parent == "__Directive") {
    const DirectiveDef* d = schema.FindDirective(source.Find("d")->as_string());
    if (!d) return Value();
    if (field == "name") return Str(d->name);
    if (field == "description") return OptStr(d->description);
    if (field == "isRepeatable") return Value::Bool(d->repeatable);
    if (field == "locations") {
      json::Array out;
      for (const std::string& l : d->locations) out.push_back(Str(l));
      return Value::MakeArray(std::move(out));
    }
    if (field == "args") {
      return InputValues(d->arguments, args, [&](const InputValue& v) {
        return Value::MakeObject({{"d", Str(d->name)}, {"a", Str(v.name)}});
      });
    }
    return Value();
  }
  return Value();
}

std::string_view IntrospectionQuery() {
  return R"(
    query IntrospectionQuery {
      __schema {
        queryType { name }
        mutationType { name }
        subscriptionType { name }
        types {
          ...FullType
        }
        directives {
          name
          description
          locations
          args {
            ...InputValue
          }
        }
      }
    }

    fragment FullType on __Type {
      kind
      name
      description
      fields(includeDeprecated: true) {
        name
        description
        args {
          ...InputValue
        }
        type {
          ...TypeRef
        }
        isDeprecated
        deprecationReason
      }
      inputFields {
        ...InputValue
      }
      interfaces {
        ...TypeRef
      }
      enumValues(includeDeprecated: true) {
        name
        description
        isDeprecated
        deprecationReason
      }
      possibleTypes {
        ...TypeRef
      }
    }

    fragment InputValue on __InputValue {
      name
      description
      type { ...TypeRef }
      defaultValue
    }

    fragment TypeRef on __Type {
      kind
      name
      ofType {
        kind
        name
        ofType {
          kind
          name
          ofType {
            kind
            name
            ofType {
              kind
              name
              ofType {
                kind
                name
                ofType {
                  kind
                  name
                  ofType {
                    kind
                    name
                    ofType {
                      kind
                      name
                      ofType {
                        kind
                        name
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  )";
}

json::Value IntrospectionResult(const Schema& schema) {
  // The schema is owned elsewhere; the executor only needs it alive for this call.
  std::shared_ptr<const Schema> alias(std::shared_ptr<const Schema>(), &schema);
  static const std::shared_ptr<const Document> kQuery =
      ParseDocument(IntrospectionQuery()).document;
  ExecuteRequest request;
  request.schema = alias;
  request.document = kQuery;
  ExecutionResult result = ExecuteSync(std::move(request));
  return result.data;
}

}  // namespace stator::graphql
