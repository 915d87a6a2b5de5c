// JsonataTemplate: compiling a JSONata state's field ("{% %}" strings into expressions, the rest
// literal) and evaluating it against the engine's JsonataScope.
#include "asl/jsonata_template.h"

#include <algorithm>
#include <string_view>

#include "asl/jsonata_functions.h"
#include "asl/validator.h"
#include "jsonata/jsonata.h"

namespace stator::asl {

namespace v = validation;

namespace {

// JSONata 2.0.6's built-in functions and AWS's additions: names an expression reads that are
// not workflow variables (so not "variableReferences"), unless a variable of that name is set.
constexpr std::string_view kFunctionNames[] = {"abs",
                                               "append",
                                               "assert",
                                               "average",
                                               "base64decode",
                                               "base64encode",
                                               "boolean",
                                               "ceil",
                                               "clone",
                                               "contains",
                                               "count",
                                               "decodeUrl",
                                               "decodeUrlComponent",
                                               "distinct",
                                               "each",
                                               "encodeUrl",
                                               "encodeUrlComponent",
                                               "error",
                                               "exists",
                                               "filter",
                                               "floor",
                                               "formatBase",
                                               "formatInteger",
                                               "formatNumber",
                                               "fromMillis",
                                               "join",
                                               "keys",
                                               "length",
                                               "lookup",
                                               "lowercase",
                                               "map",
                                               "match",
                                               "max",
                                               "merge",
                                               "millis",
                                               "min",
                                               "not",
                                               "now",
                                               "number",
                                               "pad",
                                               "parseInteger",
                                               "power",
                                               "reduce",
                                               "replace",
                                               "reverse",
                                               "round",
                                               "shuffle",
                                               "sift",
                                               "single",
                                               "sort",
                                               "split",
                                               "spread",
                                               "sqrt",
                                               "string",
                                               "substring",
                                               "substringAfter",
                                               "substringBefore",
                                               "sum",
                                               "toMillis",
                                               "trim",
                                               "type",
                                               "uppercase",
                                               "zip",
                                               "partition",
                                               "range",
                                               "hash",
                                               "random",
                                               "uuid",
                                               "parse"};

bool IsFunctionName(std::string_view name) {
  return std::find(std::begin(kFunctionNames), std::end(kFunctionNames), name) !=
         std::end(kFunctionNames);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string ErrorText(const jsonata::Error& e) {
  return e.code.empty() ? e.message : e.code + ": " + e.message;
}

}  // namespace

namespace {

struct Member;

struct Node {
  enum class Kind : uint8_t { kLiteral, kExpression, kObject, kArray };
  Kind kind = Kind::kLiteral;
  json::Value literal;
  jsonata::Expression expression;
  std::string text;             // kExpression: trimmed
  std::string field;            // "Output/a/b"
  std::vector<Member> members;  // kObject (Member, not a std::pair: clang rejects a pair of
                                // a type not yet complete)
  std::vector<Node> items;      // kArray
  // A plain variable path ("$states.input.a.b", "$var.x"): the variable and the field names,
  // walked without the engine while every step meets an object (see FastPath).
  std::optional<std::vector<std::string>> simple_path;
};

struct Member {
  std::string key;
  Node value;
};

struct TemplateData {
  Node root;
  std::string field;
  bool uses_context = false;
  // The variables the expressions read, with their ids (looked up by name as JSONata asks).
  std::vector<std::pair<std::string, uint32_t>> variables;
};

}  // namespace

struct JsonataTemplate::Impl : TemplateData {};

namespace {

// A jsonata::Bindings over a JsonataScope for one template: "$states" and its variables.
class TemplateBindings final : public jsonata::Bindings {
 public:
  TemplateBindings(const JsonataScope& scope,
                   const std::vector<std::pair<std::string, uint32_t>>& variables)
      : scope_(scope), variables_(variables) {}
  const JsonataScope& scope() const { return scope_; }
  const json::Value* Find(std::string_view name) const override {
    if (name == "states") return scope_.States();
    for (const auto& [n, id] : variables_) {
      if (n == name) return scope_.Variable(id);
    }
    return nullptr;
  }

 private:
  const JsonataScope& scope_;
  const std::vector<std::pair<std::string, uint32_t>>& variables_;
};

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNamePart(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

// "$name(.name)*" with plain names (no keywords, no function names): the variable and the
// fields, or nullopt.
std::optional<std::vector<std::string>> SimplePath(std::string_view text) {
  if (text.size() < 2 || text[0] != '$') return std::nullopt;
  std::vector<std::string> parts;
  size_t i = 1;
  while (true) {
    const size_t start = i;
    if (i >= text.size() || !IsNameStart(text[i])) return std::nullopt;
    while (i < text.size() && IsNamePart(text[i])) ++i;
    std::string name(text.substr(start, i - start));
    for (std::string_view kw : {"and", "or", "in", "true", "false", "null", "function"}) {
      if (name == kw) return std::nullopt;
    }
    parts.push_back(std::move(name));
    if (i == text.size()) break;
    if (text[i] != '.') return std::nullopt;
    ++i;
  }
  if (IsFunctionName(parts[0])) return std::nullopt;
  return parts;
}

// The name an expression starts with when it opens with a path from the root context (a bare
// name: `phone`, `Account.Order`, `` `a b`.c ``), which AWS refuses (an expression is
// evaluated with no input); nullopt otherwise. Only the expression's first token is looked at:
// a bare name further in is accepted.
std::optional<std::string> LeadingTopLevelName(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text[0] == '`') {
    const size_t end = text.find('`', 1);
    if (end == std::string_view::npos) return std::nullopt;
    return std::string(text.substr(1, end - 1));
  }
  const unsigned char c0 = static_cast<unsigned char>(text[0]);
  if (!IsNameStart(text[0]) && c0 < 0x80) return std::nullopt;
  size_t i = 0;
  while (i < text.size() && (IsNamePart(text[i]) || static_cast<unsigned char>(text[i]) >= 0x80)) {
    ++i;
  }
  std::string name(text.substr(0, i));
  for (std::string_view kw : {"true", "false", "null", "function", "and", "or", "in", "λ"}) {
    if (name == kw) return std::nullopt;
  }
  return name;
}

// Evaluates a simple path as JSONata does when no step meets an array: a field of an object,
// undefined on anything else. Returns false (the engine must evaluate) when a step or the
// result is an array (JSONata maps over and flattens arrays).
bool FastPath(const std::vector<std::string>& path, const TemplateBindings& bindings,
              std::optional<json::Value>* out) {
  // $states.<field> straight from the scope (no $states object is built for it).
  const bool states = path[0] == "states" && path.size() >= 2;
  const json::Value* v = states ? bindings.scope().StatesMember(path[1]) : bindings.Find(path[0]);
  for (size_t i = states ? 2 : 1; v != nullptr && i < path.size(); ++i) {
    if (v->is_array()) return false;
    v = v->is_object() ? v->Find(path[i]) : nullptr;
  }
  if (v != nullptr && v->is_array()) return false;
  if (v == nullptr) {
    out->reset();
  } else {
    *out = *v;
  }
  return true;
}

class Compiler {
 public:
  Compiler(StatesScope scope, Diagnostics* diags, VariableTable* vars, TemplateData* impl)
      : scope_(scope), diags_(diags), vars_(vars), impl_(impl) {}

  Node Build(const json::Value& value, const std::string& field, const std::string& location) {
    Node n;
    n.field = field;
    if (JsonataTemplate::IsExpression(value)) {
      CompileExpression(value.as_string(), location, &n);
      return n;
    }
    if (value.is_object() && !value.as_object().empty()) {
      bool literal = true;
      for (const json::Member& m : value.as_object()) {
        Node child = Build(m.second, field + "/" + m.first, v::At(location, m.first));
        literal = literal && child.kind == Node::Kind::kLiteral;
        n.members.push_back(Member{m.first, std::move(child)});
      }
      if (!literal) {
        n.kind = Node::Kind::kObject;
        return n;
      }
      n.members.clear();
    } else if (value.is_array() && !value.as_array().empty()) {
      bool literal = true;
      const json::Array& items = value.as_array();
      for (size_t i = 0; i < items.size(); ++i) {
        Node child = Build(items[i], field + "[" + std::to_string(i) + "]", v::At(location, i));
        literal = literal && child.kind == Node::Kind::kLiteral;
        n.items.push_back(std::move(child));
      }
      if (!literal) {
        n.kind = Node::Kind::kArray;
        return n;
      }
      n.items.clear();
    }
    n.literal = value;
    return n;
  }

 private:
  void CompileExpression(std::string_view s, const std::string& location, Node* n) {
    n->kind = Node::Kind::kExpression;
    n->text = std::string(Trim(s.substr(2, s.size() - 4)));
    // Only the extensions (and removals) the text can name: each one costs the compiled
    // program a function object and a parsed signature.
    std::vector<jsonata::Extension> extensions;
    for (const jsonata::Extension& e : AwsJsonataExtensions()) {
      if (n->text.find("$" + e.name) != std::string::npos) extensions.push_back(e);
    }
    std::span<const std::string_view> removed;
    if (n->text.find("$eval") != std::string::npos) removed = AwsJsonataRemoved();
    Result<jsonata::Expression, jsonata::Error> compiled =
        jsonata::Expression::Compile(n->text, extensions, removed);
    if (!compiled.ok()) {
      // AWS: the reference's message, without its code (measured: `a[1,2)` gives
      // 'Expected "]", got ","').
      v::Error(diags_, "INVALID_JSONATA_EXPRESSION", compiled.error().message, location);
      return;
    }
    if (std::optional<std::string> name = LeadingTopLevelName(n->text)) {
      // AWS (as measured by others): UNSUPPORTED_JSONATA_EXPRESSION at the string.
      v::Error(diags_, "UNSUPPORTED_JSONATA_EXPRESSION",
               "Reference to '" + *name + "' at the top level is not supported.", location);
      return;
    }
    n->expression = std::move(compiled).value();
    n->simple_path = SimplePath(n->text);
    for (const std::string& f : n->expression.states_fields()) {
      if (f == "context" || f.empty()) impl_->uses_context = true;
      const bool result_ok = scope_ == StatesScope::kResult;
      const bool error_ok = scope_ == StatesScope::kErrorOutput;
      if ((f == "result" && !result_ok) || (f == "errorOutput" && !error_ok)) {
        v::Schema(diags_,
                  "The JSONata expression '" + n->text + "' specified for the field '" + n->field +
                      "' references '$states." + f + "', which is not available in this field",
                  location);
      }
    }
    for (const std::string& name : n->expression.free_variables()) {
      if (name == "states") continue;
      bool seen = false;
      for (const auto& [known, id] : impl_->variables) seen = seen || known == name;
      if (seen) continue;
      const uint32_t id = IsFunctionName(name) ? vars_->Declare(name) : vars_->Reference(name);
      impl_->variables.emplace_back(name, id);
    }
  }

  StatesScope scope_;
  Diagnostics* diags_;
  VariableTable* vars_;
  TemplateData* impl_;
};

Result<json::Value, QueryFailure> EvaluateNode(const Node& n, const TemplateBindings& bindings) {
  switch (n.kind) {
    case Node::Kind::kLiteral:
      return n.literal;
    case Node::Kind::kExpression: {
      std::optional<json::Value> fast;
      if (n.simple_path && FastPath(*n.simple_path, bindings, &fast)) {
        if (!fast) {
          return QueryFailure{"The JSONata expression '" + n.text + "' specified for the field '" +
                                  n.field + "' returned nothing (undefined).",
                              n.field};
        }
        return std::move(*fast);
      }
      jsonata::Limits limits;
      limits.time_limit_ms = 1000;  // as AWS bounds an evaluation
      Result<jsonata::Arg, jsonata::Error> r =
          n.expression.Evaluate(std::nullopt, &bindings, limits);
      if (!r.ok()) {
        return QueryFailure{"The JSONata expression '" + n.text + "' specified for the field '" +
                                n.field + "' threw an error during evaluation. " +
                                ErrorText(r.error()),
                            n.field};
      }
      if (!r.value()) {
        return QueryFailure{"The JSONata expression '" + n.text + "' specified for the field '" +
                                n.field + "' returned nothing (undefined).",
                            n.field};
      }
      return std::move(*std::move(r).value());
    }
    case Node::Kind::kObject: {
      json::Object out;
      out.reserve(n.members.size());
      for (const Member& member : n.members) {
        const std::string& key = member.key;
        const Node& child = member.value;
        Result<json::Value, QueryFailure> v = EvaluateNode(child, bindings);
        if (!v.ok()) return std::move(v).error();
        out.emplace_back(key, std::move(v).value());
      }
      return json::Value::MakeObject(std::move(out));
    }
    case Node::Kind::kArray: {
      json::Array out;
      out.reserve(n.items.size());
      for (const Node& child : n.items) {
        Result<json::Value, QueryFailure> v = EvaluateNode(child, bindings);
        if (!v.ok()) return std::move(v).error();
        out.push_back(std::move(v).value());
      }
      return json::Value::MakeArray(std::move(out));
    }
  }
  return json::Value();
}

}  // namespace

bool JsonataTemplate::IsExpression(const json::Value& value) {
  if (!value.is_string()) return false;
  const std::string& s = value.as_string();
  return s.size() >= 4 && s.starts_with("{%") && s.ends_with("%}");
}

std::optional<JsonataTemplate> JsonataTemplate::Compile(const json::Value& value, std::string field,
                                                        const std::string& location,
                                                        StatesScope scope, Diagnostics* diags,
                                                        VariableTable* vars) {
  const size_t before = diags->size();
  auto impl = std::make_shared<Impl>();
  impl->field = field;
  Compiler compiler(scope, diags, vars, impl.get());
  impl->root = compiler.Build(value, field, location);
  if (diags->size() != before) return std::nullopt;
  JsonataTemplate t;
  t.impl_ = std::move(impl);
  return t;
}

Result<json::Value, QueryFailure> JsonataTemplate::Evaluate(const JsonataScope& scope) const {
  const Impl& impl = *impl_;
  if (impl.root.kind == Node::Kind::kLiteral) return impl.root.literal;
  ScopedJsonataRandom random(scope.Random());
  TemplateBindings bindings(scope, impl.variables);
  return EvaluateNode(impl.root, bindings);
}

bool JsonataTemplate::uses_context() const { return impl_->uses_context; }
bool JsonataTemplate::is_expression() const { return impl_->root.kind == Node::Kind::kExpression; }
const std::string& JsonataTemplate::expression_text() const { return impl_->root.text; }
const std::string& JsonataTemplate::field() const { return impl_->field; }

const char* JsonataTypeName(const json::Value& v) {
  switch (v.kind()) {
    case json::Kind::kNull:
      return "null";
    case json::Kind::kBool:
      return "boolean";
    case json::Kind::kString:
      return "string";
    case json::Kind::kArray:
      return "array";
    case json::Kind::kObject:
      return "object";
    default:
      return "number";
  }
}

QueryFailure UnexpectedResultType(const JsonataTemplate& t, std::string_view expected,
                                  const json::Value& value) {
  std::string text = t.is_expression() ? t.expression_text() : t.field();
  return QueryFailure{"The JSONata expression '" + text + "' specified for the field '" +
                          t.field() + "' returned an unexpected result type. Expected '" +
                          std::string(expected) + "', but was '" + JsonataTypeName(value) +
                          "' for value: " + value.Dump(),
                      t.field()};
}

}  // namespace stator::asl
