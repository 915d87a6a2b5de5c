#include "graphql/ast.h"

#include "graphql/lexer.h"

namespace stator::graphql {

TypeRef TypeRef::Named(std::string name) {
  TypeRef t;
  t.kind = TypeRefKind::kNamed;
  t.name = std::move(name);
  return t;
}

TypeRef TypeRef::ListOf(TypeRef inner) {
  TypeRef t;
  t.kind = TypeRefKind::kList;
  t.location = inner.location;
  t.of_type = std::make_shared<const TypeRef>(std::move(inner));
  return t;
}

TypeRef TypeRef::NonNullOf(TypeRef inner) {
  TypeRef t;
  t.kind = TypeRefKind::kNonNull;
  t.location = inner.location;
  t.of_type = std::make_shared<const TypeRef>(std::move(inner));
  return t;
}

const std::string& TypeRef::NamedType() const {
  const TypeRef* t = this;
  while (t->kind != TypeRefKind::kNamed) t = t->of_type.get();
  return t->name;
}

std::string TypeRef::ToString() const {
  switch (kind) {
    case TypeRefKind::kNamed:
      return name;
    case TypeRefKind::kList:
      return "[" + of_type->ToString() + "]";
    case TypeRefKind::kNonNull:
      return of_type->ToString() + "!";
  }
  return "";
}

bool TypeRef::operator==(const TypeRef& o) const {
  if (kind != o.kind) return false;
  if (kind == TypeRefKind::kNamed) return name == o.name;
  return *of_type == *o.of_type;
}

Location Selection::location() const {
  return std::visit([](const auto& s) { return s.location; }, node);
}

const char* DirectiveLocationName(TypeDefinitionKind k) {
  switch (k) {
    case TypeDefinitionKind::kScalar:
      return "SCALAR";
    case TypeDefinitionKind::kObject:
      return "OBJECT";
    case TypeDefinitionKind::kInterface:
      return "INTERFACE";
    case TypeDefinitionKind::kUnion:
      return "UNION";
    case TypeDefinitionKind::kEnum:
      return "ENUM";
    case TypeDefinitionKind::kInputObject:
      return "INPUT_OBJECT";
  }
  return "";
}

const char* OperationTypeName(OperationType t) {
  switch (t) {
    case OperationType::kQuery:
      return "query";
    case OperationType::kMutation:
      return "mutation";
    case OperationType::kSubscription:
      return "subscription";
  }
  return "query";
}

const FragmentDefinition* Document::FindFragment(std::string_view name) const {
  for (const FragmentDefinition& f : fragments) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Location Document::LocationOf(const DefinitionRef& ref) const {
  switch (ref.kind) {
    case DefinitionKind::kOperation:
      return operations[ref.index].location;
    case DefinitionKind::kFragment:
      return fragments[ref.index].location;
    case DefinitionKind::kSchema:
      return schema_definitions[ref.index].location;
    case DefinitionKind::kType:
      return types[ref.index].location;
    case DefinitionKind::kDirective:
      return directive_definitions[ref.index].location;
  }
  return {};
}

namespace {

void PrintString(std::string_view s, std::string* out) {
  static const char* kHex = "0123456789ABCDEF";
  out->push_back('"');
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        *out += "\\\"";
        continue;
      case '\\':
        *out += "\\\\";
        continue;
      case '\b':
        *out += "\\b";
        continue;
      case '\f':
        *out += "\\f";
        continue;
      case '\n':
        *out += "\\n";
        continue;
      case '\r':
        *out += "\\r";
        continue;
      case '\t':
        *out += "\\t";
        continue;
      default:
        break;
    }
    // Control characters are escaped: C0 (bytes below 0x20), DEL, and C1 (U+0080..U+009F, in
    // UTF-8 the pairs C2 80..C2 9F). Every other byte, continuation bytes of other characters
    // included, is copied.
    uint32_t cp = c;
    bool c1 = false;
    if (c == 0xC2 && i + 1 < s.size()) {
      auto c2 = static_cast<unsigned char>(s[i + 1]);
      if (c2 >= 0x80 && c2 <= 0x9F) {
        cp = c2;
        c1 = true;
        ++i;
      }
    }
    if (cp < 0x20 || cp == 0x7F || c1) {
      *out += "\\u00";
      out->push_back(kHex[cp >> 4]);
      out->push_back(kHex[cp & 15]);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

void PrintValueTo(const ValueNode& v, std::string* out) {
  switch (v.kind) {
    case ValueKind::kVariable:
      *out += "$" + v.text;
      break;
    case ValueKind::kInt:
    case ValueKind::kFloat:
    case ValueKind::kEnum:
      *out += v.text;
      break;
    case ValueKind::kString:
      if (v.block) {
        *out += PrintBlockString(v.text);
      } else {
        PrintString(v.text, out);
      }
      break;
    case ValueKind::kBoolean:
      *out += v.boolean ? "true" : "false";
      break;
    case ValueKind::kNull:
      *out += "null";
      break;
    case ValueKind::kList:
      out->push_back('[');
      for (size_t i = 0; i < v.list.size(); ++i) {
        if (i) *out += ", ";
        PrintValueTo(v.list[i], out);
      }
      out->push_back(']');
      break;
    case ValueKind::kObject:
      out->push_back('{');
      for (size_t i = 0; i < v.fields.size(); ++i) {
        if (i) *out += ", ";
        *out += v.fields[i].name + ": ";
        PrintValueTo(v.fields[i].value, out);
      }
      out->push_back('}');
      break;
  }
}

void PrintDirectives(const std::vector<Directive>& directives, std::string* out) {
  for (const Directive& d : directives) {
    *out += " @" + d.name;
    if (!d.arguments.empty()) {
      out->push_back('(');
      for (size_t i = 0; i < d.arguments.size(); ++i) {
        if (i) *out += ", ";
        *out += d.arguments[i].name + ": ";
        PrintValueTo(d.arguments[i].value, out);
      }
      out->push_back(')');
    }
  }
}

void PrintSelections(const std::vector<Selection>& selections, int indent, std::string* out) {
  std::string pad(static_cast<size_t>(indent) * 2 + 2, ' ');
  *out += "{\n";
  for (const Selection& s : selections) {
    *out += pad;
    if (const Field* f = s.field()) {
      if (!f->alias.empty()) *out += f->alias + ": ";
      *out += f->name;
      if (!f->arguments.empty()) {
        out->push_back('(');
        for (size_t i = 0; i < f->arguments.size(); ++i) {
          if (i) *out += ", ";
          *out += f->arguments[i].name + ": ";
          PrintValueTo(f->arguments[i].value, out);
        }
        out->push_back(')');
      }
      PrintDirectives(f->directives, out);
      if (!f->selection_set.empty()) {
        out->push_back(' ');
        PrintSelections(f->selection_set, indent + 1, out);
      }
    } else if (const FragmentSpread* fs = s.fragment_spread()) {
      *out += "..." + fs->name;
      PrintDirectives(fs->directives, out);
    } else if (const InlineFragment* in = s.inline_fragment()) {
      *out += "...";
      if (!in->type_condition.empty()) *out += " on " + in->type_condition;
      PrintDirectives(in->directives, out);
      out->push_back(' ');
      PrintSelections(in->selection_set, indent + 1, out);
    }
    out->push_back('\n');
  }
  *out += std::string(static_cast<size_t>(indent) * 2, ' ') + "}";
}

}  // namespace

std::string PrintValue(const ValueNode& value) {
  std::string out;
  PrintValueTo(value, &out);
  return out;
}

std::string PrintStringLiteral(std::string_view s) {
  std::string out;
  PrintString(s, &out);
  return out;
}

std::string PrintSelectionSet(const std::vector<Selection>& selections, int indent) {
  std::string out;
  PrintSelections(selections, indent, &out);
  return out;
}

}  // namespace stator::graphql
