// The traversal under the validation (validate_context.h): Node constructors and Walk, which
// visits a document in graphql-js's visitor-key order.
#include <string>

#include "graphql/validate_context.h"

namespace stator::graphql::validation {

// ---- nodes and the traversal -----------------------------------------------------------------

Node DocumentNode(const Document& d) { return Node{NodeKind::kDocument, &d, Location{1, 1}}; }
Node OperationNode(const OperationDefinition& o) {
  return Node{NodeKind::kOperationDefinition, &o, o.location};
}
Node FragmentNode(const FragmentDefinition& f) {
  return Node{NodeKind::kFragmentDefinition, &f, f.location};
}

const std::vector<Directive>* DirectivesOf(const Node& node) {
  switch (node.kind) {
    case NodeKind::kOperationDefinition:
      return &node.operation().directives;
    case NodeKind::kVariableDefinition:
      return &node.variable_definition().directives;
    case NodeKind::kField:
      return &node.field().directives;
    case NodeKind::kFragmentSpread:
      return &node.fragment_spread().directives;
    case NodeKind::kInlineFragment:
      return &node.inline_fragment().directives;
    case NodeKind::kFragmentDefinition:
      return &node.fragment_definition().directives;
    case NodeKind::kSchemaDefinition:
      return &node.schema_definition().directives;
    case NodeKind::kTypeDefinition:
      return &node.type_definition().directives;
    case NodeKind::kFieldDefinition:
      return &static_cast<const FieldDefinition*>(node.ptr)->directives;
    case NodeKind::kInputValueDefinition:
      return &node.input_value_definition().directives;
    case NodeKind::kEnumValueDefinition:
      return &static_cast<const EnumValueDefinition*>(node.ptr)->directives;
    default:
      return nullptr;
  }
}

namespace {

NodeKind ValueKindOf(const ValueNode& v) {
  switch (v.kind) {
    case ValueKind::kVariable:
      return NodeKind::kVariable;
    case ValueKind::kInt:
      return NodeKind::kIntValue;
    case ValueKind::kFloat:
      return NodeKind::kFloatValue;
    case ValueKind::kString:
      return NodeKind::kStringValue;
    case ValueKind::kBoolean:
      return NodeKind::kBooleanValue;
    case ValueKind::kNull:
      return NodeKind::kNullValue;
    case ValueKind::kEnum:
      return NodeKind::kEnumValue;
    case ValueKind::kList:
      return NodeKind::kListValue;
    case ValueKind::kObject:
      return NodeKind::kObjectValue;
  }
  return NodeKind::kNullValue;
}

class Walker {
 public:
  Walker(TypeInfo* info, Visitor* visitor, ValidationContext* context)
      : info_(info), visitor_(visitor), context_(context) {}

  void Visit(const Node& node) {
    if (stopped()) return;
    info_->Enter(node);
    bool skip = visitor_->Enter(node);
    if (stopped()) return;
    if (!skip) {
      if (context_) context_->mutable_ancestors()->push_back(node);
      Children(node);
      if (context_) context_->mutable_ancestors()->pop_back();
      if (stopped()) return;
      visitor_->Leave(node);
      if (stopped()) return;
    }
    info_->Leave(node);
  }

 private:
  bool stopped() const { return context_ && context_->aborted(); }

  void Value(const ValueNode& v) { Visit(Node{ValueKindOf(v), &v, v.location}); }
  void Type(const TypeRef& t) {
    NodeKind kind = t.kind == TypeRefKind::kNamed  ? NodeKind::kNamedType
                    : t.kind == TypeRefKind::kList ? NodeKind::kListType
                                                   : NodeKind::kNonNullType;
    Visit(Node{kind, &t, t.location});
  }
  void NamedType(const std::string& name, Location at) {
    TypeRef t = TypeRef::Named(name);
    t.location = at;
    Visit(Node{NodeKind::kNamedType, &t, at});
  }
  void Directives(const std::vector<Directive>& directives) {
    for (const Directive& d : directives) Visit(Node{NodeKind::kDirective, &d, d.location});
  }
  void Arguments(const std::vector<Argument>& arguments) {
    for (const Argument& a : arguments) Visit(Node{NodeKind::kArgument, &a, a.location});
  }
  void SelectionSet(const std::vector<Selection>& set, Location at) {
    if (!set.empty()) Visit(Node{NodeKind::kSelectionSet, &set, at});
  }
  void InputValues(const std::vector<InputValueDefinition>& values) {
    for (const InputValueDefinition& v : values) {
      Visit(Node{NodeKind::kInputValueDefinition, &v, v.location});
    }
  }

  void Children(const Node& node) {
    switch (node.kind) {
      case NodeKind::kDocument: {
        const Document& d = node.document();
        for (const DefinitionRef& ref : d.definitions) {
          switch (ref.kind) {
            case DefinitionKind::kOperation:
              Visit(OperationNode(d.operations[ref.index]));
              break;
            case DefinitionKind::kFragment:
              Visit(FragmentNode(d.fragments[ref.index]));
              break;
            case DefinitionKind::kSchema: {
              const SchemaDefinition& s = d.schema_definitions[ref.index];
              Visit(Node{NodeKind::kSchemaDefinition, &s, s.location});
              break;
            }
            case DefinitionKind::kType: {
              const TypeDefinition& t = d.types[ref.index];
              Visit(Node{NodeKind::kTypeDefinition, &t, t.location});
              break;
            }
            case DefinitionKind::kDirective: {
              const DirectiveDefinition& t = d.directive_definitions[ref.index];
              Visit(Node{NodeKind::kDirectiveDefinition, &t, t.location});
              break;
            }
          }
          if (stopped()) return;
        }
        break;
      }
      case NodeKind::kOperationDefinition: {
        const OperationDefinition& o = node.operation();
        for (const VariableDefinition& v : o.variable_definitions) {
          Visit(Node{NodeKind::kVariableDefinition, &v, v.location});
        }
        Directives(o.directives);
        SelectionSet(o.selection_set, Location{});
        break;
      }
      case NodeKind::kVariableDefinition: {
        const VariableDefinition& v = node.variable_definition();
        Visit(Node{NodeKind::kVariable, &v, v.location});
        Type(v.type);
        if (v.default_value) Value(*v.default_value);
        Directives(v.directives);
        break;
      }
      case NodeKind::kListType:
      case NodeKind::kNonNullType:
        if (node.type().of_type) Type(*node.type().of_type);
        break;
      case NodeKind::kSelectionSet:
        for (const Selection& s : node.selection_set()) {
          if (const Field* f = s.field()) {
            Visit(Node{NodeKind::kField, f, f->location});
          } else if (const FragmentSpread* fs = s.fragment_spread()) {
            Visit(Node{NodeKind::kFragmentSpread, fs, fs->location});
          } else if (const InlineFragment* i = s.inline_fragment()) {
            Visit(Node{NodeKind::kInlineFragment, i, i->location});
          }
          if (stopped()) return;
        }
        break;
      case NodeKind::kField: {
        const Field& f = node.field();
        Arguments(f.arguments);
        Directives(f.directives);
        SelectionSet(f.selection_set, f.selection_set_location);
        break;
      }
      case NodeKind::kArgument:
        Value(node.argument().value);
        break;
      case NodeKind::kFragmentSpread:
        Directives(node.fragment_spread().directives);
        break;
      case NodeKind::kInlineFragment: {
        const InlineFragment& i = node.inline_fragment();
        if (!i.type_condition.empty()) NamedType(i.type_condition, i.type_condition_location);
        Directives(i.directives);
        SelectionSet(i.selection_set, Location{});
        break;
      }
      case NodeKind::kFragmentDefinition: {
        const FragmentDefinition& f = node.fragment_definition();
        NamedType(f.type_condition, f.type_condition_location);
        Directives(f.directives);
        SelectionSet(f.selection_set, Location{});
        break;
      }
      case NodeKind::kListValue:
        for (const ValueNode& v : node.value().list) Value(v);
        break;
      case NodeKind::kObjectValue:
        for (const ObjectFieldNode& f : node.value().fields) {
          Visit(Node{NodeKind::kObjectField, &f, f.location});
        }
        break;
      case NodeKind::kObjectField:
        Value(node.object_field().value);
        break;
      case NodeKind::kDirective:
        Arguments(node.directive().arguments);
        break;
      case NodeKind::kSchemaDefinition: {
        const SchemaDefinition& s = node.schema_definition();
        Directives(s.directives);
        for (const RootOperationTypeDefinition& r : s.operation_types) {
          Visit(Node{NodeKind::kOperationTypeDefinition, &r, r.location});
        }
        break;
      }
      case NodeKind::kOperationTypeDefinition: {
        const auto& r = *static_cast<const RootOperationTypeDefinition*>(node.ptr);
        NamedType(r.type_name, r.type_location);
        break;
      }
      case NodeKind::kTypeDefinition: {
        const TypeDefinition& t = node.type_definition();
        for (size_t i = 0; i < t.interfaces.size(); ++i) {
          NamedType(t.interfaces[i],
                    i < t.interface_locations.size() ? t.interface_locations[i] : t.location);
        }
        Directives(t.directives);
        for (const FieldDefinition& f : t.fields) {
          Visit(Node{NodeKind::kFieldDefinition, &f, f.location});
        }
        for (size_t i = 0; i < t.union_members.size(); ++i) {
          NamedType(t.union_members[i],
                    i < t.union_member_locations.size() ? t.union_member_locations[i] : t.location);
        }
        for (const EnumValueDefinition& v : t.enum_values) {
          Visit(Node{NodeKind::kEnumValueDefinition, &v, v.location});
        }
        InputValues(t.input_fields);
        break;
      }
      case NodeKind::kFieldDefinition: {
        const auto& f = *static_cast<const FieldDefinition*>(node.ptr);
        InputValues(f.arguments);
        Type(f.type);
        Directives(f.directives);
        break;
      }
      case NodeKind::kInputValueDefinition: {
        const InputValueDefinition& v = node.input_value_definition();
        Type(v.type);
        if (v.default_value) Value(*v.default_value);
        Directives(v.directives);
        break;
      }
      case NodeKind::kEnumValueDefinition:
        Directives(static_cast<const EnumValueDefinition*>(node.ptr)->directives);
        break;
      case NodeKind::kDirectiveDefinition:
        InputValues(node.directive_definition().arguments);
        break;
      default:
        break;
    }
  }

  TypeInfo* info_;
  Visitor* visitor_;
  ValidationContext* context_;
};

}  // namespace

void Walk(const Node& node, TypeInfo* info, Visitor* visitor, ValidationContext* context) {
  Walker(info, visitor, context).Visit(node);
}

}  // namespace stator::graphql::validation
