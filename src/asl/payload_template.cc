// PayloadTemplate: compiled once into a tree whose static parts are prebuilt values, so
// evaluation only builds the objects on the way to a ".$" field and shares everything else.
#include "asl/payload_template.h"

#include <vector>

#include "asl/intrinsics.h"
#include "asl/path.h"

namespace stator::asl {

namespace {

using json::Value;

struct TMember;

struct TNode {
  enum class Type : uint8_t { kConst, kObject, kArray, kPath, kCall } type = Type::kConst;
  Value constant;                     // kConst
  std::vector<TMember> members;       // kObject (output keys)
  std::vector<TNode> items;           // kArray
  std::optional<JsonPath> path;       // kPath
  std::optional<IntrinsicCall> call;  // kCall
  std::string field;                  // kPath/kCall: the template key, "x.$"
};

// An object member: output key and value node. (Not std::pair: TNode is incomplete where
// TNode::members is declared, which std::vector allows and std::pair does not.)
struct TMember {
  std::string first;
  TNode second;
};

std::string Pointer(const std::string& base, std::string_view token) {
  // JSON pointer escaping (RFC 6901).
  std::string out = base;
  out.push_back('/');
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

class TemplateCompiler {
 public:
  TemplateCompiler(Diagnostics* diags, VariableTable* vars) : diags_(diags), vars_(vars) {}

  bool uses_context = false;
  bool failed = false;

  TNode Compile(const Value& v, const std::string& location) {
    TNode n;
    if (v.is_object()) {
      bool dynamic = false;
      for (const auto& m : v.as_object()) {
        TNode child;
        std::string key;
        if (m.first.ends_with(".$")) {
          key = m.first.substr(0, m.first.size() - 2);
          child = CompileField(m.first, m.second, location);
          dynamic = true;
        } else {
          key = m.first;
          child = Compile(m.second, Pointer(location, m.first));
          dynamic = dynamic || child.type != TNode::Type::kConst;
        }
        // "a" and "a.$" in one object: the later one wins, in the earlier one's place.
        bool replaced = false;
        for (auto& existing : n.members) {
          if (existing.first == key) {
            existing.second = std::move(child);
            replaced = true;
            break;
          }
        }
        if (!replaced) n.members.push_back({std::move(key), std::move(child)});
      }
      if (!dynamic) return Const(v);
      n.type = TNode::Type::kObject;
      return n;
    }
    if (v.is_array()) {
      bool dynamic = false;
      const json::Array& a = v.as_array();
      for (size_t i = 0; i < a.size(); ++i) {
        n.items.push_back(Compile(a[i], Pointer(location, std::to_string(i))));
        dynamic = dynamic || n.items.back().type != TNode::Type::kConst;
      }
      if (!dynamic) return Const(v);
      n.type = TNode::Type::kArray;
      return n;
    }
    return Const(v);
  }

 private:
  static TNode Const(const Value& v) {
    TNode n;
    n.type = TNode::Type::kConst;
    n.constant = v;
    return n;
  }

  TNode CompileField(const std::string& field, const Value& v, const std::string& location) {
    TNode n;
    n.field = field;
    if (v.is_string()) {
      const std::string& text = v.as_string();
      if (IntrinsicCall::LooksLikeCall(text)) {
        auto call = IntrinsicCall::Compile(text, vars_);
        if (call.ok()) {
          uses_context = uses_context || call->uses_context();
          n.type = TNode::Type::kCall;
          n.call = std::move(*call);
          return n;
        }
      } else if (!text.empty() && text[0] == '$') {
        auto path = JsonPath::Compile(text, vars_);
        if (path.ok()) {
          uses_context = uses_context || path->is_context();
          n.type = TNode::Type::kPath;
          n.path = std::move(*path);
          return n;
        }
      }
    }
    failed = true;
    diags_->push_back(
        Diagnostic{"ERROR", kSchemaValidationFailed,
                   "The value for the field '" + field +
                       "' must be a valid JSONPath or a valid intrinsic function call",
                   location});
    return Const(Value());
  }

  Diagnostics* diags_;
  VariableTable* vars_;  // may be null
};

Result<Value> Eval(const TNode& n, const Value& input, const Context& context) {
  switch (n.type) {
    case TNode::Type::kConst:
      return n.constant;
    case TNode::Type::kObject: {
      json::Object out;
      out.reserve(n.members.size());
      for (const auto& m : n.members) {
        STATOR_TRY(Value v, Eval(m.second, input, context));
        out.emplace_back(m.first, std::move(v));
      }
      return Value::MakeObject(std::move(out));
    }
    case TNode::Type::kArray: {
      json::Array out;
      out.reserve(n.items.size());
      for (const auto& item : n.items) {
        STATOR_TRY(Value v, Eval(item, input, context));
        out.push_back(std::move(v));
      }
      return Value::MakeArray(std::move(out));
    }
    case TNode::Type::kPath: {
      std::optional<Value> v = n.path->Evaluate(input, context);
      if (!v) {
        std::string cause = "The JSONPath '" + n.path->text() + "' specified for the field '" +
                            n.field + "' could not be found in the input '";
        (n.path->is_context() ? context.Get() : input).DumpTo(&cause);
        cause += "'";
        return Error{"States.Runtime", std::move(cause)};
      }
      return std::move(*v);
    }
    case TNode::Type::kCall:
      return n.call->Evaluate(input, context, n.field);
  }
  return Value();
}

}  // namespace

struct PayloadTemplate::Impl {
  TNode root;
  bool uses_context = false;
};

std::optional<PayloadTemplate> PayloadTemplate::Compile(const json::Value& tmpl,
                                                        const std::string& location,
                                                        Diagnostics* diags, VariableTable* vars) {
  TemplateCompiler compiler(diags, vars);
  TNode root = compiler.Compile(tmpl, location);
  if (compiler.failed) return std::nullopt;
  auto impl = std::make_shared<Impl>();
  impl->root = std::move(root);
  impl->uses_context = compiler.uses_context;
  PayloadTemplate t;
  t.impl_ = std::move(impl);
  return t;
}

bool PayloadTemplate::uses_context() const { return impl_ && impl_->uses_context; }

Result<json::Value> PayloadTemplate::Evaluate(const json::Value& input,
                                              const Context& context) const {
  return Eval(impl_->root, input, context);
}

}  // namespace stator::asl
