// BuildSchema: SDL -> Schema. The SDL-level checks (graphql-js's SDL validation rules: unique
// names, known types and directives, extensions of defined types) run here; the type-system
// checks of a built schema (graphql-js's validateSchema) are in schema_validation.cc.
#include <functional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "graphql/builtins.h"
#include "graphql/parser.h"
#include "graphql/schema.h"
#include "graphql/schema_validation.h"
#include "graphql/suggestions.h"

namespace stator::graphql {

bool IsAppSyncScalar(std::string_view name) {
  static const std::set<std::string_view> kNames = {"AWSDate",      "AWSTime",  "AWSDateTime",
                                                    "AWSTimestamp", "AWSEmail", "AWSJSON",
                                                    "AWSURL",       "AWSPhone", "AWSIPAddress"};
  return kNames.count(name) > 0;
}

namespace {

const Document& ParsedBuiltins(bool appsync) {
  static const std::shared_ptr<const Document> kBuiltins = ParseDocument(BuiltinSdl()).document;
  static const std::shared_ptr<const Document> kAppSync = ParseDocument(AppSyncSdl()).document;
  return appsync ? *kAppSync : *kBuiltins;
}

std::optional<std::string> Description(const std::string& text, bool has) {
  if (!has) return std::nullopt;
  return text;
}

const Directive* FindDirectiveUse(const std::vector<Directive>& ds, std::string_view name) {
  for (const Directive& d : ds) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

std::optional<std::string> DeprecationReason(const std::vector<Directive>& ds) {
  const Directive* d = FindDirectiveUse(ds, "deprecated");
  if (!d) return std::nullopt;
  for (const Argument& a : d->arguments) {
    if (a.name == "reason" && a.value.kind == ValueKind::kString) return a.value.text;
  }
  return std::string("No longer supported");
}

InputValue MakeInputValue(const InputValueDefinition& def) {
  InputValue v;
  v.name = def.name;
  v.description = Description(def.description, def.has_description);
  v.type = def.type;
  v.default_value = def.default_value;
  v.deprecation_reason = DeprecationReason(def.directives);
  v.directives = def.directives;
  v.location = def.name_location;
  return v;
}

FieldDef MakeField(const FieldDefinition& def) {
  FieldDef f;
  f.name = def.name;
  f.description = Description(def.description, def.has_description);
  for (const InputValueDefinition& a : def.arguments) f.arguments.push_back(MakeInputValue(a));
  f.type = def.type;
  f.deprecation_reason = DeprecationReason(def.directives);
  f.directives = def.directives;
  f.location = def.name_location;
  return f;
}

TypeKind KindOf(TypeDefinitionKind k) {
  switch (k) {
    case TypeDefinitionKind::kScalar:
      return TypeKind::kScalar;
    case TypeDefinitionKind::kObject:
      return TypeKind::kObject;
    case TypeDefinitionKind::kInterface:
      return TypeKind::kInterface;
    case TypeDefinitionKind::kUnion:
      return TypeKind::kUnion;
    case TypeDefinitionKind::kEnum:
      return TypeKind::kEnum;
    case TypeDefinitionKind::kInputObject:
      return TypeKind::kInputObject;
  }
  return TypeKind::kScalar;
}

const char* ExtensionKindWord(TypeDefinitionKind k) {
  switch (k) {
    case TypeDefinitionKind::kScalar:
      return "scalar";
    case TypeDefinitionKind::kObject:
      return "object";
    case TypeDefinitionKind::kInterface:
      return "interface";
    case TypeDefinitionKind::kUnion:
      return "union";
    case TypeDefinitionKind::kEnum:
      return "enum";
    case TypeDefinitionKind::kInputObject:
      return "input object";
  }
  return "";
}

}  // namespace

class SchemaBuilder {
 public:
  explicit SchemaBuilder(const SchemaOptions& options) : schema_(new Schema()) {
    schema_->options_ = options;
  }

  SchemaResult Build(std::string_view sdl) {
    SchemaResult result;
    ParseResult parsed = ParseDocument(sdl);
    if (!parsed.ok()) {
      result.errors = std::move(parsed.errors);
      return result;
    }
    const Document& doc = *parsed.document;
    AddBuiltinDefinitions(ParsedBuiltins(false));
    if (schema_->options_.appsync) AddBuiltinDefinitions(ParsedBuiltins(true));
    CollectUserDefinitions(doc);
    CheckSdl(doc);
    if (!errors_.empty()) {
      result.errors = std::move(errors_);
      return result;
    }
    MaterializeTypes(doc);
    ResolveRoots(doc);
    ComputeTypeOrder();
    BuildMetaFields();
    LinkFieldTypes();
    ValidateSchema(*schema_, &errors_);
    if (!errors_.empty()) {
      result.errors = std::move(errors_);
      return result;
    }
    result.schema = std::move(schema_);
    return result;
  }

 private:
  struct TypeSource {
    const TypeDefinition* definition = nullptr;  // null only for a built-in
    std::vector<const TypeDefinition*> extensions;
    bool builtin = false;
  };

  void AddBuiltinDefinitions(const Document& doc) {
    for (const TypeDefinition& t : doc.types) {
      builtin_type_defs_[t.name] = &t;
    }
    for (const DirectiveDefinition& d : doc.directive_definitions) {
      builtin_directive_defs_.push_back(&d);
    }
  }

  // Indexes the user's type definitions (the first of a name wins) and their extensions.
  void CollectUserDefinitions(const Document& doc) {
    for (const TypeDefinition& t : doc.types) {
      if (t.is_extension || ShadowsBuiltinScalar(t)) continue;
      auto [it, inserted] = user_types_.try_emplace(t.name);
      if (!inserted) continue;
      it->second.definition = &t;
      user_type_order_.push_back(t.name);
    }
    for (const TypeDefinition& t : doc.types) {
      if (!t.is_extension) continue;
      auto it = user_types_.find(t.name);
      if (it != user_types_.end() && it->second.definition->kind == t.kind) {
        it->second.extensions.push_back(&t);
      }
    }
  }

  // `scalar AWSDateTime` in an AppSync schema, `scalar String`: the built-in stays.
  bool ShadowsBuiltinScalar(const TypeDefinition& t) const {
    auto it = builtin_type_defs_.find(t.name);
    return it != builtin_type_defs_.end() && it->second->kind == TypeDefinitionKind::kScalar &&
           t.kind == TypeDefinitionKind::kScalar;
  }

  std::vector<std::string> AllTypeNames() const {
    std::vector<std::string> names;
    for (const auto& [name, def] : builtin_type_defs_) names.push_back(name);
    for (const std::string& n : user_type_order_) names.push_back(n);
    return names;
  }

  void AddError(std::string message, std::vector<Location> locations) {
    Error e;
    e.message = std::move(message);
    e.locations = std::move(locations);
    errors_.push_back(std::move(e));
  }

  // ---- SDL rules, reported in document order as graphql-js's assertValidSDL does ----

  void CheckSdl(const Document& doc) {
    for (const DirectiveDefinition& d : doc.directive_definitions) {
      if (!FindUserDirective(d.name)) user_directive_defs_.push_back(&d);
    }
    bool seen_schema = false;
    std::unordered_map<int, Location> operation_types;
    std::unordered_map<std::string, Location> type_names, directive_names;
    for (const DefinitionRef& ref : doc.definitions) {
      switch (ref.kind) {
        case DefinitionKind::kOperation:
        case DefinitionKind::kFragment: {
          std::string name = ref.kind == DefinitionKind::kOperation ? doc.operations[ref.index].name
                                                                    : doc.fragments[ref.index].name;
          AddError(ref.kind == DefinitionKind::kOperation && name.empty()
                       ? "The anonymous operation definition is not executable."
                       : "The \"" + name + "\" definition is not executable.",
                   {doc.LocationOf(ref)});
          break;
        }
        case DefinitionKind::kSchema: {
          const SchemaDefinition& s = doc.schema_definitions[ref.index];
          if (!s.is_extension) {
            if (seen_schema) AddError("Must provide only one schema definition.", {s.location});
            seen_schema = true;
          }
          for (const RootOperationTypeDefinition& r : s.operation_types) {
            auto [it, inserted] =
                operation_types.try_emplace(static_cast<int>(r.operation), r.location);
            if (!inserted) {
              AddError(std::string("There can be only one ") + OperationTypeName(r.operation) +
                           " type in schema.",
                       {it->second, r.location});
            }
          }
          std::unordered_map<std::string, Location> seen;
          CheckDirectives(s.directives, "SCHEMA", &seen);
          for (const RootOperationTypeDefinition& r : s.operation_types) {
            CheckKnownType(r.type_name, r.type_location);
          }
          break;
        }
        case DefinitionKind::kDirective: {
          const DirectiveDefinition& d = doc.directive_definitions[ref.index];
          auto [it, inserted] = directive_names.try_emplace(d.name, d.name_location);
          if (!inserted) {
            AddError("There can be only one directive named \"@" + d.name + "\".",
                     {it->second, d.name_location});
          }
          CheckArgumentDefinitions("@" + d.name, d.arguments);
          break;
        }
        case DefinitionKind::kType: {
          const TypeDefinition& t = doc.types[ref.index];
          if (!t.is_extension && !ShadowsBuiltinScalar(t)) {
            auto [it, inserted] = type_names.try_emplace(t.name, t.name_location);
            if (!inserted) {
              AddError("There can be only one type named \"" + t.name + "\".",
                       {it->second, t.name_location});
            }
          }
          CheckTypePart(t);
          break;
        }
      }
    }
  }

  void CheckKnownType(const std::string& name, Location at) {
    if (user_types_.count(name) || builtin_type_defs_.count(name)) return;
    AddError("Unknown type \"" + name + "\"." + DidYouMean(SuggestionList(name, AllTypeNames())),
             {at});
  }

  void CheckTypeRef(const TypeRef& t) { CheckKnownType(t.NamedType(), t.location); }

  void CheckArgumentDefinitions(const std::string& parent,
                                const std::vector<InputValueDefinition>& args) {
    std::unordered_map<std::string, Location> seen;
    for (const InputValueDefinition& a : args) {
      auto [it, inserted] = seen.try_emplace(a.name, a.name_location);
      if (!inserted) {
        AddError("Argument \"" + parent + "(" + a.name + ":)\" can only be defined once.",
                 {it->second, a.name_location});
      }
    }
    for (const InputValueDefinition& a : args) {
      CheckTypeRef(a.type);
      std::unordered_map<std::string, Location> directives_seen;
      CheckDirectives(a.directives, "ARGUMENT_DEFINITION", &directives_seen);
    }
  }

  // One type definition or extension; names are unique across a type and its extensions.
  void CheckTypePart(const TypeDefinition& p) {
    const std::string& name = p.name;
    auto& fields = field_names_[name];
    auto& values = enum_value_names_[name];
    for (const EnumValueDefinition& v : p.enum_values) {
      auto [it, inserted] = values.try_emplace(v.name, v.name_location);
      if (!inserted) {
        AddError("Enum value \"" + name + "." + v.name + "\" can only be defined once.",
                 {it->second, v.name_location});
      }
    }
    auto unique_field = [&](const std::string& field, Location at) {
      auto [it, inserted] = fields.try_emplace(field, at);
      if (!inserted) {
        AddError("Field \"" + name + "." + field + "\" can only be defined once.",
                 {it->second, at});
      }
    };
    for (const FieldDefinition& f : p.fields) unique_field(f.name, f.name_location);
    for (const InputValueDefinition& f : p.input_fields) unique_field(f.name, f.name_location);
    if (p.is_extension) {
      auto it = user_types_.find(name);
      const TypeDefinition* base = nullptr;
      if (it != user_types_.end()) {
        base = it->second.definition;
      } else if (builtin_type_defs_.count(name)) {
        base = builtin_type_defs_[name];
      }
      if (!base) {
        AddError("Cannot extend type \"" + name + "\" because it is not defined." +
                     DidYouMean(SuggestionList(name, AllTypeNames())),
                 {p.name_location});
      } else if (base->kind != p.kind) {
        AddError(std::string("Cannot extend non-") + ExtensionKindWord(p.kind) + " type \"" + name +
                     "\".",
                 {base->name_location, p.name_location});
      }
    }
    for (size_t i = 0; i < p.interfaces.size(); ++i) {
      CheckKnownType(p.interfaces[i], p.interface_locations[i]);
    }
    CheckDirectives(p.directives, DirectiveLocationName(p.kind), &type_directives_[name]);
    for (size_t i = 0; i < p.union_members.size(); ++i) {
      CheckKnownType(p.union_members[i], p.union_member_locations[i]);
    }
    for (const FieldDefinition& f : p.fields) {
      CheckArgumentDefinitions(name + "." + f.name, f.arguments);
      CheckTypeRef(f.type);
      std::unordered_map<std::string, Location> seen;
      CheckDirectives(f.directives, "FIELD_DEFINITION", &seen);
    }
    for (const EnumValueDefinition& v : p.enum_values) {
      std::unordered_map<std::string, Location> seen;
      CheckDirectives(v.directives, "ENUM_VALUE", &seen);
    }
    for (const InputValueDefinition& f : p.input_fields) {
      CheckTypeRef(f.type);
      std::unordered_map<std::string, Location> seen;
      CheckDirectives(f.directives, "INPUT_FIELD_DEFINITION", &seen);
    }
  }

  const DirectiveDefinition* FindUserDirective(std::string_view name) const {
    for (const DirectiveDefinition* d : user_directive_defs_) {
      if (d->name == name) return d;
    }
    return nullptr;
  }

  const DirectiveDefinition* FindDirectiveDefinition(std::string_view name) const {
    if (const DirectiveDefinition* d = FindUserDirective(name)) return d;
    for (const DirectiveDefinition* d : builtin_directive_defs_) {
      if (d->name == name) return d;
    }
    return nullptr;
  }

  // UniqueDirectivesPerLocation (over *seen), KnownDirectives, KnownArgumentNamesOnDirectives,
  // UniqueArgumentNames, ProvidedRequiredArgumentsOnDirectives.
  void CheckDirectives(const std::vector<Directive>& directives, const char* location,
                       std::unordered_map<std::string, Location>* seen) {
    for (const Directive& d : directives) {
      const DirectiveDefinition* def = FindDirectiveDefinition(d.name);
      if (def && !def->repeatable) {
        auto [it, inserted] = seen->try_emplace(d.name, d.location);
        if (!inserted) {
          AddError("The directive \"@" + d.name + "\" can only be used once at this location.",
                   {it->second, d.location});
        }
      }
    }
    for (const Directive& d : directives) {
      const DirectiveDefinition* def = FindDirectiveDefinition(d.name);
      if (!def) {
        AddError("Unknown directive \"@" + d.name + "\".", {d.location});
        continue;
      }
      bool allowed = false;
      for (const std::string& l : def->locations) allowed = allowed || l == location;
      if (!allowed) {
        AddError("Directive \"@" + d.name + "\" may not be used on " + location + ".",
                 {d.location});
      }
      std::unordered_map<std::string, Location> args_seen;
      std::vector<std::string> names;
      for (const InputValueDefinition& da : def->arguments) names.push_back(da.name);
      for (const Argument& a : d.arguments) {
        bool known = false;
        for (const std::string& n : names) known = known || n == a.name;
        if (!known) {
          AddError("Unknown argument \"" + a.name + "\" on directive \"@" + d.name + "\"." +
                       DidYouMean(SuggestionList(a.name, names)),
                   {a.location});
        }
        auto [it, inserted] = args_seen.try_emplace(a.name, a.location);
        if (!inserted) {
          AddError("There can be only one argument named \"" + a.name + "\".",
                   {it->second, a.location});
        }
      }
      for (const InputValueDefinition& da : def->arguments) {
        if (da.type.kind != TypeRefKind::kNonNull || da.default_value) continue;
        bool given = false;
        for (const Argument& a : d.arguments) given = given || a.name == da.name;
        if (!given) {
          AddError("Directive \"@" + d.name + "\" argument \"" + da.name + "\" of type \"" +
                       da.type.ToString() + "\" is required, but it was not provided.",
                   {d.location});
        }
      }
    }
  }

  // ---- building ----

  NamedType* NewType(const TypeDefinition& def, bool builtin) {
    auto t = std::make_unique<NamedType>();
    t->kind = KindOf(def.kind);
    t->name = def.name;
    t->description = Description(def.description, def.has_description);
    t->builtin = builtin;
    t->location = builtin ? Location{} : def.name_location;
    NamedType* raw = t.get();
    schema_->types_[def.name] = std::move(t);
    ApplyParts(raw, def);
    return raw;
  }

  static void ApplyParts(NamedType* t, const TypeDefinition& def) {
    t->interfaces.insert(t->interfaces.end(), def.interfaces.begin(), def.interfaces.end());
    t->directives.insert(t->directives.end(), def.directives.begin(), def.directives.end());
    for (const FieldDefinition& f : def.fields) t->fields.push_back(MakeField(f));
    t->union_members.insert(t->union_members.end(), def.union_members.begin(),
                            def.union_members.end());
    for (const EnumValueDefinition& v : def.enum_values) {
      EnumValueDef e;
      e.name = v.name;
      e.description = Description(v.description, v.has_description);
      e.deprecation_reason = DeprecationReason(v.directives);
      e.directives = v.directives;
      t->enum_values.push_back(std::move(e));
    }
    for (const InputValueDefinition& f : def.input_fields) {
      t->input_fields.push_back(MakeInputValue(f));
    }
    for (const Directive& d : def.directives) {
      if (d.name == "specifiedBy") {
        for (const Argument& a : d.arguments) {
          if (a.name == "url" && a.value.kind == ValueKind::kString) {
            t->specified_by_url = a.value.text;
          }
        }
      }
      if (d.name == "oneOf") t->one_of = true;
    }
  }

  static DirectiveDef MakeDirective(const DirectiveDefinition& d, bool builtin) {
    DirectiveDef def;
    def.name = d.name;
    def.description = Description(d.description, d.has_description);
    for (const InputValueDefinition& a : d.arguments) def.arguments.push_back(MakeInputValue(a));
    def.repeatable = d.repeatable;
    def.locations = d.locations;
    def.builtin = builtin;
    def.location = builtin ? Location{} : d.name_location;
    return def;
  }

  void MaterializeTypes(const Document& doc) {
    for (const auto& [name, def] : builtin_type_defs_) {
      if (!user_types_.count(name)) NewType(*def, true);
    }
    for (const std::string& name : user_type_order_) {
      const TypeSource& src = user_types_[name];
      NamedType* t = NewType(*src.definition, false);
      for (const TypeDefinition* ext : src.extensions) ApplyParts(t, *ext);
    }
    // Extensions of built-in scalars (directives only).
    for (const TypeDefinition& t : doc.types) {
      if (t.is_extension && !user_types_.count(t.name)) {
        auto it = schema_->types_.find(t.name);
        if (it != schema_->types_.end()) ApplyParts(it->second.get(), t);
      }
    }
    std::vector<const DirectiveDefinition*> order = user_directive_defs_;
    for (const DirectiveDefinition* d : order) {
      schema_->directives_[d->name] = std::make_unique<DirectiveDef>(MakeDirective(*d, false));
    }
    for (const DirectiveDefinition* d : builtin_directive_defs_) {
      if (schema_->directives_.count(d->name)) continue;
      schema_->directives_[d->name] = std::make_unique<DirectiveDef>(MakeDirective(*d, true));
      order.push_back(d);
    }
    for (const DirectiveDefinition* d : order) {
      schema_->directive_order_.push_back(schema_->directives_[d->name].get());
    }
  }

  void ResolveRoots(const Document& doc) {
    std::optional<std::string> query, mutation, subscription;
    for (const SchemaDefinition& s : doc.schema_definitions) {
      if (!s.is_extension) {
        schema_->has_schema_definition_ = true;
        schema_->description_ = Description(s.description, s.has_description);
      }
      schema_->schema_directives_.insert(schema_->schema_directives_.end(), s.directives.begin(),
                                         s.directives.end());
      for (const RootOperationTypeDefinition& r : s.operation_types) {
        (r.operation == OperationType::kQuery      ? query
         : r.operation == OperationType::kMutation ? mutation
                                                   : subscription) = r.type_name;
      }
    }
    if (!schema_->has_schema_definition_) {
      // graphql-js's buildASTSchema: without a `schema {}` definition the types named Query,
      // Mutation and Subscription are the roots (even over an `extend schema`'s choice).
      if (user_types_.count("Query")) query = "Query";
      if (user_types_.count("Mutation")) mutation = "Mutation";
      if (user_types_.count("Subscription")) subscription = "Subscription";
    }
    auto find = [&](const std::optional<std::string>& n) -> const NamedType* {
      return n ? schema_->FindType(*n) : nullptr;
    };
    schema_->query_ = find(query);
    schema_->mutation_ = find(mutation);
    schema_->subscription_ = find(subscription);
    for (const SchemaDefinition& s : doc.schema_definitions) {
      for (const RootOperationTypeDefinition& r : s.operation_types) {
        root_locations_[static_cast<int>(r.operation)] = r.type_location;
      }
    }
    schema_->root_type_locations_ = root_locations_;
  }

  // The order graphql-js's GraphQLSchema constructor gives its type map: each user type in
  // definition order, each followed by the built-in types first reached from it; then those
  // reached from directive arguments; then the introspection types.
  void ComputeTypeOrder() {
    std::vector<const NamedType*> order;
    std::unordered_set<const NamedType*> in;
    for (const std::string& n : user_type_order_) in.insert(schema_->FindType(n));
    std::function<void(const NamedType*)> collect = [&](const NamedType* t) {
      if (!t || in.count(t)) return;
      in.insert(t);
      order.push_back(t);
      auto named = [&](const TypeRef& r) { collect(schema_->FindType(r.NamedType())); };
      for (const std::string& i : t->interfaces) collect(schema_->FindType(i));
      for (const FieldDef& f : t->fields) {
        named(f.type);
        for (const InputValue& a : f.arguments) named(a.type);
      }
      for (const std::string& m : t->union_members) collect(schema_->FindType(m));
      for (const InputValue& f : t->input_fields) named(f.type);
    };
    for (const std::string& n : user_type_order_) {
      const NamedType* t = schema_->FindType(n);
      in.erase(t);
      collect(t);
    }
    for (const DirectiveDef* d : schema_->directive_order_) {
      for (const InputValue& a : d->arguments) collect(schema_->FindType(a.type.NamedType()));
    }
    collect(schema_->FindType("__Schema"));
    schema_->type_order_ = order;
    // Built-ins nobody reaches are not part of the schema (graphql-js leaves them out too).
    for (auto it = schema_->types_.begin(); it != schema_->types_.end();) {
      if (!in.count(it->second.get())) {
        it = schema_->types_.erase(it);
      } else {
        ++it;
      }
    }
    for (const NamedType* t : order) {
      if (t->kind == TypeKind::kUnion) {
        auto& v = schema_->possible_types_[t->name];
        for (const std::string& m : t->union_members) {
          const NamedType* mt = schema_->FindType(m);
          if (mt) v.push_back(mt);
        }
      } else if (t->kind == TypeKind::kInterface) {
        schema_->possible_types_[t->name];
      }
    }
    for (const NamedType* t : order) {
      if (t->kind != TypeKind::kObject) continue;
      for (const std::string& i : t->interfaces) {
        auto it = schema_->possible_types_.find(i);
        if (it != schema_->possible_types_.end()) it->second.push_back(t);
      }
    }
  }

  void LinkFieldTypes() {
    for (auto& [name, type] : schema_->types_) {
      for (FieldDef& f : type->fields) f.named_type = schema_->FindType(f.type.NamedType());
    }
    for (FieldDef* f :
         {&schema_->typename_field_, &schema_->schema_field_, &schema_->type_field_}) {
      f->named_type = schema_->FindType(f->type.NamedType());
    }
  }

  void BuildMetaFields() {
    schema_->typename_field_.name = "__typename";
    schema_->typename_field_.description = "The name of the current Object type at runtime.";
    schema_->typename_field_.type = TypeRef::NonNullOf(TypeRef::Named("String"));
    schema_->schema_field_.name = "__schema";
    schema_->schema_field_.description = "Access the current type schema of this server.";
    schema_->schema_field_.type = TypeRef::NonNullOf(TypeRef::Named("__Schema"));
    schema_->type_field_.name = "__type";
    schema_->type_field_.description = "Request the type information of a single type.";
    schema_->type_field_.type = TypeRef::Named("__Type");
    InputValue name;
    name.name = "name";
    name.type = TypeRef::NonNullOf(TypeRef::Named("String"));
    schema_->type_field_.arguments.push_back(std::move(name));
  }

  std::shared_ptr<Schema> schema_;
  std::vector<Error> errors_;
  std::map<std::string, const TypeDefinition*> builtin_type_defs_;
  std::vector<const DirectiveDefinition*> builtin_directive_defs_;
  std::vector<const DirectiveDefinition*> user_directive_defs_;
  std::unordered_map<std::string, TypeSource> user_types_;
  std::vector<std::string> user_type_order_;
  std::map<int, Location> root_locations_;
  // Per type name, across its definition and extensions.
  std::unordered_map<std::string, std::unordered_map<std::string, Location>> field_names_,
      enum_value_names_, type_directives_;
};

SchemaResult BuildSchema(std::string_view sdl, const SchemaOptions& options) {
  SchemaBuilder builder(options);
  return builder.Build(sdl);
}

}  // namespace stator::graphql
