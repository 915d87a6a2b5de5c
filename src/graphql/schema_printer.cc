// PrintSchema: a Schema as SDL, the way graphql-js's printSchema prints it.
#include "graphql/lexer.h"
#include "graphql/schema.h"
#include "graphql/values.h"

namespace stator::graphql {
namespace {

// graphql-js's isPrintableAsBlockString.
bool PrintableAsBlockString(std::string_view value) {
  if (value.empty()) return true;
  bool empty_line = true, has_indent = false, common_indent = true, seen_non_empty = false;
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if ((c <= 0x08) || c == 0x0B || c == 0x0C || (c >= 0x0E && c <= 0x1F) || c == 0x0D) {
      return false;
    }
    if (c == '\n') {
      if (empty_line && !seen_non_empty) return false;
      seen_non_empty = true;
      empty_line = true;
      has_indent = false;
    } else if (c == '\t' || c == ' ') {
      has_indent = has_indent || empty_line;
    } else {
      common_indent = common_indent && has_indent;
      empty_line = false;
    }
  }
  if (empty_line) return false;
  if (common_indent && seen_non_empty) return false;
  return true;
}

std::string PrintDescription(const std::optional<std::string>& description,
                             const std::string& indentation = "", bool first_in_block = true) {
  if (!description) return "";
  std::string block = PrintableAsBlockString(*description) ? PrintBlockString(*description)
                                                           : PrintStringLiteral(*description);
  std::string out = !indentation.empty() && !first_in_block ? "\n" + indentation : indentation;
  for (char c : block) {
    out.push_back(c);
    if (c == '\n') out += indentation;
  }
  return out + "\n";
}

std::string PrintDeprecated(const std::optional<std::string>& reason) {
  if (!reason) return "";
  if (*reason == "No longer supported") return " @deprecated";
  return " @deprecated(reason: " + PrintStringLiteral(*reason) + ")";
}

std::string PrintInputValue(const Schema& schema, const InputValue& v) {
  std::string out = v.name + ": " + v.type.ToString();
  std::string def = PrintDefaultValue(schema, v);
  if (!def.empty()) out += " = " + def;
  return out + PrintDeprecated(v.deprecation_reason);
}

std::string PrintArgs(const Schema& schema, const std::vector<InputValue>& args,
                      const std::string& indentation = "") {
  if (args.empty()) return "";
  bool any_description = false;
  for (const InputValue& a : args) any_description = any_description || a.description;
  std::string out = "(";
  if (!any_description) {
    for (size_t i = 0; i < args.size(); ++i) {
      if (i) out += ", ";
      out += PrintInputValue(schema, args[i]);
    }
    return out + ")";
  }
  out += "\n";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) out += "\n";
    out += PrintDescription(args[i].description, "  " + indentation, i == 0) + "  " + indentation +
           PrintInputValue(schema, args[i]);
  }
  return out + "\n" + indentation + ")";
}

std::string PrintBlock(const std::vector<std::string>& items) {
  if (items.empty()) return "";
  std::string out = " {\n";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += "\n";
    out += items[i];
  }
  return out + "\n}";
}

std::string PrintTypeImpl(const Schema& schema, const NamedType& t) {
  std::string out = PrintDescription(t.description);
  auto implements = [&] {
    std::string s;
    for (size_t i = 0; i < t.interfaces.size(); ++i) {
      s += (i ? " & " : " implements ") + t.interfaces[i];
    }
    return s;
  };
  auto fields = [&] {
    std::vector<std::string> items;
    for (size_t i = 0; i < t.fields.size(); ++i) {
      const FieldDef& f = t.fields[i];
      items.push_back(PrintDescription(f.description, "  ", i == 0) + "  " + f.name +
                      PrintArgs(schema, f.arguments, "  ") + ": " + f.type.ToString() +
                      PrintDeprecated(f.deprecation_reason));
    }
    return PrintBlock(items);
  };
  switch (t.kind) {
    case TypeKind::kScalar:
      out += "scalar " + t.name;
      if (t.specified_by_url) {
        out += " @specifiedBy(url: " + PrintStringLiteral(*t.specified_by_url) + ")";
      }
      return out;
    case TypeKind::kObject:
      return out + "type " + t.name + implements() + fields();
    case TypeKind::kInterface:
      return out + "interface " + t.name + implements() + fields();
    case TypeKind::kUnion: {
      out += "union " + t.name;
      for (size_t i = 0; i < t.union_members.size(); ++i) {
        out += (i ? " | " : " = ") + t.union_members[i];
      }
      return out;
    }
    case TypeKind::kEnum: {
      std::vector<std::string> items;
      for (size_t i = 0; i < t.enum_values.size(); ++i) {
        const EnumValueDef& v = t.enum_values[i];
        items.push_back(PrintDescription(v.description, "  ", i == 0) + "  " + v.name +
                        PrintDeprecated(v.deprecation_reason));
      }
      return out + "enum " + t.name + PrintBlock(items);
    }
    case TypeKind::kInputObject: {
      std::vector<std::string> items;
      for (size_t i = 0; i < t.input_fields.size(); ++i) {
        items.push_back(PrintDescription(t.input_fields[i].description, "  ", i == 0) + "  " +
                        PrintInputValue(schema, t.input_fields[i]));
      }
      return out + "input " + t.name + (t.one_of ? " @oneOf" : "") + PrintBlock(items);
    }
  }
  return out;
}

}  // namespace

std::string PrintType(const Schema& schema, const NamedType& type) {
  return PrintTypeImpl(schema, type);
}

std::string PrintSchema(const Schema& schema) {
  std::vector<std::string> parts;
  const NamedType* q = schema.query_type();
  const NamedType* m = schema.mutation_type();
  const NamedType* s = schema.subscription_type();
  bool common = (!q || q->name == "Query") && (!m || m->name == "Mutation") &&
                (!s || s->name == "Subscription");
  if (schema.description() || !common) {
    std::string def = PrintDescription(schema.description()) + "schema {\n";
    if (q) def += "  query: " + q->name + "\n";
    if (m) def += "  mutation: " + m->name + "\n";
    if (s) def += "  subscription: " + s->name + "\n";
    parts.push_back(def + "}");
  }
  for (const DirectiveDef* d : schema.directives()) {
    if (d->builtin) continue;
    std::string out = PrintDescription(d->description) + "directive @" + d->name +
                      PrintArgs(schema, d->arguments) + (d->repeatable ? " repeatable" : "") +
                      " on ";
    for (size_t i = 0; i < d->locations.size(); ++i) out += (i ? " | " : "") + d->locations[i];
    parts.push_back(out);
  }
  for (const NamedType* t : schema.types()) {
    if (t->builtin) continue;
    parts.push_back(PrintTypeImpl(schema, *t));
  }
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += "\n\n";
    out += parts[i];
  }
  return out;
}

}  // namespace stator::graphql
