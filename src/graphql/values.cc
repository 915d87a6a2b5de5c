#include "graphql/values.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>

#include "graphql/scalars.h"
#include "graphql/suggestions.h"

namespace stator::graphql {
namespace {

using PathKey = json::Value;  // String (field) or Int (index)

std::string PrintPath(const std::vector<PathKey>& path) {
  std::string out;
  for (const PathKey& k : path) {
    if (k.is_int()) {
      out += "[" + std::to_string(k.as_int()) + "]";
    } else {
      out += "." + k.as_string();
    }
  }
  return out;
}

using OnError =
    std::function<void(const std::vector<PathKey>&, const json::Value&, const std::string&)>;

std::optional<json::Value> Coerce(const Schema& schema, const json::Value& value,
                                  const TypeRef& type, std::vector<PathKey>* path,
                                  const OnError& on_error) {
  if (type.kind == TypeRefKind::kNonNull) {
    if (!value.is_null()) return Coerce(schema, value, *type.of_type, path, on_error);
    on_error(*path, value,
             "Expected non-nullable type \"" + type.ToString() + "\" not to be null.");
    return std::nullopt;
  }
  if (value.is_null()) return json::Value();
  if (type.kind == TypeRefKind::kList) {
    if (value.is_array()) {
      json::Array out;
      bool ok = true;
      const json::Array& items = value.as_array();
      out.reserve(items.size());
      for (size_t i = 0; i < items.size(); ++i) {
        path->push_back(json::Value::Int(static_cast<int64_t>(i)));
        auto c = Coerce(schema, items[i], *type.of_type, path, on_error);
        path->pop_back();
        if (!c) {
          ok = false;
        } else {
          out.push_back(std::move(*c));
        }
      }
      if (!ok) return std::nullopt;
      return json::Value::MakeArray(std::move(out));
    }
    auto c = Coerce(schema, value, *type.of_type, path, on_error);
    if (!c) return std::nullopt;
    return json::Value::MakeArray({std::move(*c)});
  }
  const NamedType* named = schema.FindType(type.name);
  if (!named) {
    on_error(*path, value, "Unknown type \"" + type.name + "\".");
    return std::nullopt;
  }
  if (named->kind == TypeKind::kInputObject) {
    if (!value.is_object()) {
      on_error(*path, value, "Expected type \"" + named->name + "\" to be an object.");
      return std::nullopt;
    }
    json::Object out;
    bool ok = true;
    for (const InputValue& f : named->input_fields) {
      const json::Value* fv = value.Find(f.name);
      if (!fv) {
        if (auto d = CoercedDefault(schema, f)) {
          out.emplace_back(f.name, std::move(*d));
        } else if (f.type.kind == TypeRefKind::kNonNull) {
          on_error(*path, value,
                   "Field \"" + f.name + "\" of required type \"" + f.type.ToString() +
                       "\" was not provided.");
          ok = false;
        }
        continue;
      }
      path->push_back(json::Value::String(f.name));
      auto c = Coerce(schema, *fv, f.type, path, on_error);
      path->pop_back();
      if (!c) {
        ok = false;
      } else {
        out.emplace_back(f.name, std::move(*c));
      }
    }
    for (const auto& [k, v] : value.as_object()) {
      if (!named->FindInputField(k)) {
        std::vector<std::string> names;
        for (const InputValue& f : named->input_fields) names.push_back(f.name);
        on_error(*path, value,
                 "Field \"" + k + "\" is not defined by type \"" + named->name + "\"." +
                     DidYouMean(SuggestionList(k, names)));
        ok = false;
      }
    }
    if (ok && named->one_of) {
      if (value.as_object().size() != 1) {
        on_error(*path, value,
                 "Exactly one key must be specified for OneOf type \"" + named->name + "\".");
        ok = false;
      } else if (value.as_object()[0].second.is_null()) {
        on_error(*path, value, "Field \"" + value.as_object()[0].first + "\" must be non-null.");
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    return json::Value::MakeObject(std::move(out));
  }
  std::string message;
  auto parsed = ParseLeafValue(*named, value, &message);
  if (!parsed) {
    on_error(*path, value, message.empty() ? "Expected type \"" + named->name + "\"." : message);
    return std::nullopt;
  }
  return parsed;
}

bool IsMissingVariable(const ValueNode& node, const json::Value* variables) {
  return node.kind == ValueKind::kVariable && (!variables || !variables->Find(node.text));
}

}  // namespace

std::optional<json::Value> CoerceInputValue(const Schema& schema, const json::Value& value,
                                            const TypeRef& type, std::string_view variable_name,
                                            std::vector<std::string>* errors) {
  std::vector<PathKey> path;
  std::string name(variable_name);
  return Coerce(
      schema, value, type, &path,
      [&](const std::vector<PathKey>& p, const json::Value& invalid, const std::string& message) {
        std::string prefix = "Variable \"$" + name + "\" got invalid value " + Inspect(invalid);
        if (!p.empty()) prefix += " at \"" + name + PrintPath(p) + "\"";
        errors->push_back(prefix + "; " + message);
      });
}

std::optional<json::Value> ValueFromAst(const Schema& schema, const ValueNode& node,
                                        const TypeRef& type, const json::Value* variables) {
  if (node.kind == ValueKind::kVariable) {
    const json::Value* v = variables ? variables->Find(node.text) : nullptr;
    if (!v) return std::nullopt;
    if (v->is_null() && type.kind == TypeRefKind::kNonNull) return std::nullopt;
    return *v;
  }
  if (type.kind == TypeRefKind::kNonNull) {
    if (node.kind == ValueKind::kNull) return std::nullopt;
    return ValueFromAst(schema, node, *type.of_type, variables);
  }
  if (node.kind == ValueKind::kNull) return json::Value();
  if (type.kind == TypeRefKind::kList) {
    const TypeRef& item = *type.of_type;
    if (node.kind == ValueKind::kList) {
      json::Array out;
      out.reserve(node.list.size());
      for (const ValueNode& n : node.list) {
        if (IsMissingVariable(n, variables)) {
          if (item.kind == TypeRefKind::kNonNull) return std::nullopt;
          out.push_back(json::Value());
          continue;
        }
        auto v = ValueFromAst(schema, n, item, variables);
        if (!v) return std::nullopt;
        out.push_back(std::move(*v));
      }
      return json::Value::MakeArray(std::move(out));
    }
    auto v = ValueFromAst(schema, node, item, variables);
    if (!v) return std::nullopt;
    return json::Value::MakeArray({std::move(*v)});
  }
  const NamedType* named = schema.FindType(type.name);
  if (!named) return std::nullopt;
  if (named->kind == TypeKind::kInputObject) {
    if (node.kind != ValueKind::kObject) return std::nullopt;
    json::Object out;
    for (const InputValue& f : named->input_fields) {
      const ObjectFieldNode* fn = nullptr;
      for (const ObjectFieldNode& o : node.fields) {
        if (o.name == f.name) {
          fn = &o;
          break;
        }
      }
      if (!fn || IsMissingVariable(fn->value, variables)) {
        if (auto d = CoercedDefault(schema, f)) {
          out.emplace_back(f.name, std::move(*d));
        } else if (f.type.kind == TypeRefKind::kNonNull) {
          return std::nullopt;
        }
        continue;
      }
      auto v = ValueFromAst(schema, fn->value, f.type, variables);
      if (!v) return std::nullopt;
      out.emplace_back(f.name, std::move(*v));
    }
    if (named->one_of) {
      if (out.size() != 1 || out[0].second.is_null()) return std::nullopt;
    }
    return json::Value::MakeObject(std::move(out));
  }
  return ParseLeafLiteral(*named, node);
}

std::optional<json::Value> CoercedDefault(const Schema& schema, const InputValue& value) {
  if (!value.default_value) return std::nullopt;
  return ValueFromAst(schema, *value.default_value, value.type, nullptr);
}

CoercedVariables CoerceVariableValues(const Schema& schema, const OperationDefinition& operation,
                                      const json::Value& raw) {
  CoercedVariables result;
  json::Object out;
  static const json::Value kEmpty = json::Value::EmptyObject();
  const json::Value& inputs = raw.is_object() ? raw : kEmpty;
  for (const VariableDefinition& def : operation.variable_definitions) {
    if (result.errors.size() >= 50) {
      result.errors.push_back(
          Error{"Too many errors processing variables, error limit reached. Execution aborted.",
                {},
                {},
                {},
                {}});
      break;
    }
    const std::string type_str = def.type.ToString();
    const NamedType* named = schema.FindType(def.type.NamedType());
    if (!named || !named->is_input()) {
      result.errors.push_back(MakeError("Variable \"$" + def.name + "\" expected value of type \"" +
                                            type_str + "\" which cannot be used as an input type.",
                                        def.type.location));
      continue;
    }
    const json::Value* v = inputs.Find(def.name);
    if (!v) {
      if (def.default_value) {
        if (auto d = ValueFromAst(schema, *def.default_value, def.type, nullptr)) {
          out.emplace_back(def.name, std::move(*d));
        }
      } else if (def.type.kind == TypeRefKind::kNonNull) {
        result.errors.push_back(MakeError("Variable \"$" + def.name + "\" of required type \"" +
                                              type_str + "\" was not provided.",
                                          def.location));
      }
      continue;
    }
    if (v->is_null() && def.type.kind == TypeRefKind::kNonNull) {
      result.errors.push_back(MakeError(
          "Variable \"$" + def.name + "\" of non-null type \"" + type_str + "\" must not be null.",
          def.location));
      continue;
    }
    std::vector<std::string> messages;
    auto c = CoerceInputValue(schema, *v, def.type, def.name, &messages);
    for (std::string& m : messages) result.errors.push_back(MakeError(std::move(m), def.location));
    if (c && messages.empty()) out.emplace_back(def.name, std::move(*c));
  }
  result.values = json::Value::MakeObject(std::move(out));
  return result;
}

json::Value CoerceArgumentValues(const Schema& schema, const std::vector<InputValue>& definitions,
                                 const std::vector<Argument>& arguments,
                                 const json::Value& variables, Location at, Error* error) {
  json::Object out;
  for (const InputValue& def : definitions) {
    const Argument* arg = nullptr;
    for (const Argument& a : arguments) {
      if (a.name == def.name) {
        arg = &a;
        break;
      }
    }
    const bool non_null = def.type.kind == TypeRefKind::kNonNull;
    if (!arg) {
      if (auto d = CoercedDefault(schema, def)) {
        out.emplace_back(def.name, std::move(*d));
      } else if (non_null) {
        *error = MakeError("Argument \"" + def.name + "\" of required type \"" +
                               def.type.ToString() + "\" was not provided.",
                           at);
        return json::Value();
      }
      continue;
    }
    const ValueNode& node = arg->value;
    bool is_null = node.kind == ValueKind::kNull;
    if (node.kind == ValueKind::kVariable) {
      const json::Value* v = variables.is_object() ? variables.Find(node.text) : nullptr;
      if (!v) {
        if (auto d = CoercedDefault(schema, def)) {
          out.emplace_back(def.name, std::move(*d));
        } else if (non_null) {
          *error = MakeError("Argument \"" + def.name + "\" of required type \"" +
                                 def.type.ToString() + "\" was provided the variable \"$" +
                                 node.text + "\" which was not provided a runtime value.",
                             node.location);
          return json::Value();
        }
        continue;
      }
      is_null = v->is_null();
    }
    if (is_null && non_null) {
      *error = MakeError("Argument \"" + def.name + "\" of non-null type \"" + def.type.ToString() +
                             "\" must not be null.",
                         node.location);
      return json::Value();
    }
    auto v = ValueFromAst(schema, node, def.type, &variables);
    if (!v) {
      *error =
          MakeError("Argument \"" + def.name + "\" has invalid value " + PrintValue(node) + ".",
                    node.location);
      return json::Value();
    }
    out.emplace_back(def.name, std::move(*v));
  }
  return json::Value::MakeObject(std::move(out));
}

// ---- printing ----

std::string JsNumberToString(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return "0";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, p);  // e.g. "1.2345e+02", shortest round-trip digits
  bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  size_t e = sci.find('e');
  std::string digits;
  for (size_t i = 0; i < e; ++i) {
    if (sci[i] != '.') digits.push_back(sci[i]);
  }
  int exp = std::stoi(sci.substr(e + 1));
  int k = static_cast<int>(digits.size());
  int n = exp + 1;  // position of the decimal point
  std::string out;
  if (k <= n && n <= 21) {
    out = digits + std::string(n - k, '0');
  } else if (0 < n && n <= 21) {
    out = digits.substr(0, n) + "." + digits.substr(n);
  } else if (-6 < n && n <= 0) {
    out = "0." + std::string(-n, '0') + digits;
  } else {
    out = digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    out += "e";
    out += (n - 1 >= 0 ? "+" : "-") + std::to_string(std::abs(n - 1));
  }
  return negative ? "-" + out : out;
}

namespace {

// graphql-js's astFromValue, printed; "" for "no literal".
std::string AstFromValue(const Schema& schema, const json::Value& value, const TypeRef& type) {
  if (type.kind == TypeRefKind::kNonNull) {
    std::string inner = AstFromValue(schema, value, *type.of_type);
    return inner == "null" ? "" : inner;
  }
  if (value.is_null()) return "null";
  if (type.kind == TypeRefKind::kList) {
    if (value.is_array()) {
      std::string out = "[";
      bool first = true;
      for (const json::Value& item : value.as_array()) {
        std::string s = AstFromValue(schema, item, *type.of_type);
        if (s.empty()) continue;
        if (!first) out += ", ";
        first = false;
        out += s;
      }
      return out + "]";
    }
    return AstFromValue(schema, value, *type.of_type);
  }
  const NamedType* named = schema.FindType(type.name);
  if (!named) return "";
  if (named->kind == TypeKind::kInputObject) {
    if (!value.is_object()) return "";
    std::string out = "{";
    bool first = true;
    for (const InputValue& f : named->input_fields) {
      const json::Value* fv = value.Find(f.name);
      if (!fv) continue;
      std::string s = AstFromValue(schema, *fv, f.type);
      if (s.empty()) continue;
      if (!first) out += ", ";
      first = false;
      out += f.name + ": " + s;
    }
    return out + "}";
  }
  std::string message;
  auto serialized = SerializeLeaf(*named, value, &message);
  if (!serialized || serialized->is_null()) return "";
  const json::Value& s = *serialized;
  if (s.is_bool()) return s.as_bool() ? "true" : "false";
  if (s.is_int()) return std::to_string(s.as_int());
  if (s.is_double()) return JsNumberToString(s.as_double());
  if (s.is_string()) {
    if (named->kind == TypeKind::kEnum) return s.as_string();
    const std::string& str = s.as_string();
    if (named->name == "ID" && !str.empty()) {
      bool integer = true;
      size_t i = str[0] == '-' ? 1 : 0;
      if (i >= str.size()) integer = false;
      if (integer && str[i] == '0' && str.size() > i + 1) integer = false;
      for (; integer && i < str.size(); ++i) integer = str[i] >= '0' && str[i] <= '9';
      if (integer) return str;
    }
    return PrintStringLiteral(str);
  }
  return PrintStringLiteral(s.Dump());  // an object from a custom scalar
}

}  // namespace

std::string PrintDefaultValue(const Schema& schema, const InputValue& value) {
  auto d = CoercedDefault(schema, value);
  if (!d) return "";
  return AstFromValue(schema, *d, value.type);
}

namespace {

void InspectTo(const json::Value& v, int depth, std::string* out) {
  switch (v.kind()) {
    case json::Kind::kNull:
      *out += "null";
      return;
    case json::Kind::kBool:
      *out += v.as_bool() ? "true" : "false";
      return;
    case json::Kind::kInt:
      *out += std::to_string(v.as_int());
      return;
    case json::Kind::kDouble:
      *out += JsNumberToString(v.as_double());
      return;
    case json::Kind::kString:
      json::AppendQuoted(v.as_string(), out);
      return;
    case json::Kind::kArray: {
      const json::Array& a = v.as_array();
      if (a.empty()) {
        *out += "[]";
        return;
      }
      if (depth > 2) {
        *out += "[Array]";
        return;
      }
      *out += "[";
      size_t n = std::min<size_t>(a.size(), 10);
      for (size_t i = 0; i < n; ++i) {
        if (i) *out += ", ";
        InspectTo(a[i], depth + 1, out);
      }
      if (a.size() > 10) {
        size_t rest = a.size() - 10;
        *out += ", ... " + std::to_string(rest) + (rest == 1 ? " more item" : " more items");
      }
      *out += "]";
      return;
    }
    case json::Kind::kObject: {
      const json::Object& o = v.as_object();
      if (o.empty()) {
        *out += "{}";
        return;
      }
      if (depth > 2) {
        *out += "[Object]";
        return;
      }
      *out += "{ ";
      for (size_t i = 0; i < o.size(); ++i) {
        if (i) *out += ", ";
        *out += o[i].first + ": ";
        InspectTo(o[i].second, depth + 1, out);
      }
      *out += " }";
      return;
    }
  }
}

}  // namespace

std::string Inspect(const json::Value& value) {
  std::string out;
  InspectTo(value, 1, &out);
  return out;
}

}  // namespace stator::graphql
