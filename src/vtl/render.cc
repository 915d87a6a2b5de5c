// Render: walks a parsed template (ast.h) over a $context, printing text and evaluating
// references, expressions and directives with Velocity's rules.
#include <cmath>
#include <unordered_map>

#include "vtl/ast.h"
#include "vtl/runtime.h"
#include "vtl/vtl.h"

namespace stator::vtl {

namespace {

using ast::Expr;
using ast::Node;

// Ranges ([1..n]) longer than this are refused rather than allocated.
constexpr int64_t kMaxRange = 1'000'000;

enum class Flow { kNormal, kBreak, kStop };

class Renderer {
 public:
  Renderer(Context& ctx, RenderResult* result) {
    st_.ctx = &ctx;
    st_.result = result;
    ctx_ = Value::NewMap();
    Map& m = ctx_.as_map();
    Value args = ctx.arguments.is_object() ? Value::FromJson(ctx.arguments) : Value::NewMap();
    m.Put("arguments", args);
    m.Put("args", args);  // the same map: a change through one shows through the other
    m.Put("source", Value::Frozen(ctx.source));
    m.Put("identity", Value::Frozen(ctx.identity));
    m.Put("stash", ctx.stash.is_object() ? Value::Frozen(ctx.stash) : Value::NewMap());
    m.Put("result", Value::Frozen(ctx.result));
    m.Put("prev", Value::Frozen(ctx.prev));
    m.Put("error", Value::Frozen(ctx.error));
    m.Put("info", Value::Frozen(ctx.info));
    m.Put("request", Value::Frozen(ctx.request));
  }

  void Run(const ast::Block& root, std::string* out) {
    RenderBlock(root, out);
    Value* stash = ctx_.as_map().Get("stash");
    st_.result->stash = stash != nullptr ? stash->ToJson() : json::Value::EmptyObject();
  }

 private:
  Flow RenderBlock(const ast::Block& block, std::string* out);
  Flow RenderNode(const Node& n, std::string* out);
  Flow RenderForeach(const Node& n, std::string* out);
  void RenderReference(const Node& n, std::string* out);
  void Set(const ast::Reference& target, Value v);

  Value Eval(const Expr& e);
  Value EvalReference(const ast::Reference& ref, size_t segments);
  Value EvalBinary(const Expr& e);
  Value Root(const std::string& name);
  Value Step(const Value& current, const ast::Segment& seg);
  std::vector<Value> EvalArgs(const std::vector<ast::ExprPtr>& args) {
    std::vector<Value> out;
    out.reserve(args.size());
    for (const auto& a : args) out.push_back(Eval(*a));
    return out;
  }
  bool stopped() const { return st_.raised || returned_; }

  ContainerScope scope_;  // first: it ends last, after every Value below is gone
  RenderState st_;
  Value ctx_;
  std::unordered_map<std::string, Value> vars_;
  bool returned_ = false;
};

Flow Renderer::RenderBlock(const ast::Block& block, std::string* out) {
  for (const Node& n : block) {
    Flow f = RenderNode(n, out);
    if (f != Flow::kNormal) return f;
    if (stopped()) return Flow::kStop;
  }
  return Flow::kNormal;
}

Flow Renderer::RenderNode(const Node& n, std::string* out) {
  switch (n.kind) {
    case Node::Kind::kText:
      out->append(n.text);
      return Flow::kNormal;
    case Node::Kind::kRef:
      RenderReference(n, out);
      return stopped() ? Flow::kStop : Flow::kNormal;
    case Node::Kind::kSet: {
      Value v = Eval(*n.value);
      if (stopped()) return Flow::kStop;
      Set(n.ref, std::move(v));
      return stopped() ? Flow::kStop : Flow::kNormal;
    }
    case Node::Kind::kIf:
      for (const auto& branch : n.branches) {
        if (branch.condition) {
          Value cond = Eval(*branch.condition);
          if (stopped()) return Flow::kStop;
          if (!Truthy(cond)) continue;
        }
        return RenderBlock(branch.body, out);
      }
      return Flow::kNormal;
    case Node::Kind::kForeach:
      return RenderForeach(n, out);
    case Node::Kind::kBreak:
      return Flow::kBreak;
    case Node::Kind::kStop:
      return Flow::kStop;
    case Node::Kind::kReturn: {
      Value v = n.value ? Eval(*n.value) : Value();
      if (stopped()) return Flow::kStop;
      st_.result->returned = true;
      st_.result->return_value = v.ToJson();
      returned_ = true;
      return Flow::kStop;
    }
  }
  return Flow::kNormal;
}

Flow Renderer::RenderForeach(const Node& n, std::string* out) {
  Value iterable = Eval(*n.value);
  if (stopped()) return Flow::kStop;
  std::vector<Value> items;
  if (iterable.is_list()) {
    List& l = iterable.as_list();
    items.reserve(l.size());
    for (size_t i = 0; i < l.size(); ++i) items.push_back(l.At(i));
  } else if (iterable.is_map()) {  // Velocity iterates a map's values
    Map& m = iterable.as_map();
    items.reserve(m.size());
    for (size_t i = 0; i < m.size(); ++i) items.push_back(m.ValueAt(i));
  }
  auto saved_var = vars_.find(n.var) != vars_.end() ? vars_[n.var] : Value();
  Value saved_foreach = vars_["foreach"];
  Value saved_count = vars_["velocityCount"];
  Flow result = Flow::kNormal;
  for (size_t i = 0; i < items.size(); ++i) {
    vars_[n.var] = items[i];
    Value status = Value::NewMap();
    Map& s = status.as_map();
    s.Put("count", Value::Int(static_cast<int64_t>(i) + 1));
    s.Put("index", Value::Int(static_cast<int64_t>(i)));
    s.Put("hasNext", Value::Bool(i + 1 < items.size()));
    s.Put("first", Value::Bool(i == 0));
    s.Put("last", Value::Bool(i + 1 == items.size()));
    vars_["foreach"] = status;
    vars_["velocityCount"] = Value::Int(static_cast<int64_t>(i) + 1);
    Flow f = RenderBlock(n.body, out);
    if (f == Flow::kBreak) break;
    if (f == Flow::kStop || stopped()) {
      result = Flow::kStop;
      break;
    }
  }
  vars_[n.var] = saved_var;
  vars_["foreach"] = saved_foreach;
  vars_["velocityCount"] = saved_count;
  return result;
}

void Renderer::RenderReference(const Node& n, std::string* out) {
  Value v = EvalReference(n.ref, n.ref.segments.size());
  if (stopped()) return;
  if (v.is_null()) {  // shown as written, backslashes and all, unless quiet
    if (n.ref.quiet) return;
    out->append(static_cast<size_t>(n.backslashes), '\\');
    out->append(n.ref.literal);
    return;
  }
  out->append(static_cast<size_t>(n.backslashes / 2), '\\');
  if (n.backslashes % 2 == 1) {
    out->append(n.ref.literal);  // \$x prints $x when $x has a value
    return;
  }
  v.AppendJavaString(out);
}

void Renderer::Set(const ast::Reference& target, Value v) {
  if (target.segments.empty()) {
    if (v.is_null()) {
      vars_.erase(target.root);
    } else {
      vars_[target.root] = std::move(v);
    }
    return;
  }
  Value parent = EvalReference(target, target.segments.size() - 1);
  if (stopped()) return;
  const ast::Segment& last = target.segments.back();
  if (last.kind == ast::Segment::Kind::kProperty) {
    if (parent.is_map()) parent.as_map().Put(last.name, std::move(v));
    return;
  }
  if (last.kind == ast::Segment::Kind::kIndex) {
    Value index = Eval(*last.index);
    if (stopped()) return;
    if (parent.is_map() && index.is_string()) {
      parent.as_map().Put(index.as_string(), std::move(v));
    } else if (parent.is_list() && index.is_int()) {
      List& l = parent.as_list();
      int64_t i = index.as_int();
      if (i >= 0 && static_cast<size_t>(i) < l.size()) l.At(static_cast<size_t>(i)) = std::move(v);
    }
  }
}

Value Renderer::Root(const std::string& name) {
  auto it = vars_.find(name);
  if (it != vars_.end()) return it->second;
  if (name == "ctx" || name == "context") return ctx_;
  return Value();
}

Value Renderer::Step(const Value& current, const ast::Segment& seg) {
  switch (seg.kind) {
    case ast::Segment::Kind::kProperty: {
      if (current.is_map()) {
        Value* v = current.as_map().Get(seg.name);
        return v != nullptr ? *v : Value();
      }
      // A bean property: $list.empty is $list.isEmpty(), $s.bytes is $s.getBytes().
      std::string cap = seg.name;
      cap[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(cap[0])));
      std::vector<Value> none;
      Value out;
      if (CallValueMethod(current, "get" + cap, none, &out)) return out;
      if (CallValueMethod(current, "is" + cap, none, &out)) return out;
      return Value();
    }
    case ast::Segment::Kind::kMethod: {
      std::vector<Value> args = EvalArgs(seg.args);
      if (stopped()) return Value();
      Value out;
      if (CallValueMethod(current, seg.name, args, &out)) return out;
      return Value();
    }
    case ast::Segment::Kind::kIndex: {
      Value index = Eval(*seg.index);
      if (current.is_list() && index.is_int()) {
        List& l = current.as_list();
        int64_t i = index.as_int();
        if (i < 0) i += static_cast<int64_t>(l.size());  // $list[-1] is the last item
        if (i >= 0 && static_cast<size_t>(i) < l.size()) return l.At(static_cast<size_t>(i));
        return Value();
      }
      if (current.is_map() && !index.is_null()) {
        Value* v = current.as_map().Get(index.ToJavaString());
        return v != nullptr ? *v : Value();
      }
      return Value();
    }
  }
  return Value();
}

// The value of ref's root and its first `segments` steps.
Value Renderer::EvalReference(const ast::Reference& ref, size_t segments) {
  size_t i = 0;
  Value current;
  if (ref.root == "util" && vars_.find("util") == vars_.end()) {
    // $util.a.b.method(args): the names up to the first call name the helper.
    std::string path;
    while (i < segments && ref.segments[i].kind == ast::Segment::Kind::kProperty) {
      if (!path.empty()) path.push_back('.');
      path += ref.segments[i].name;
      ++i;
    }
    if (i == segments || ref.segments[i].kind != ast::Segment::Kind::kMethod) return Value();
    if (!path.empty()) path.push_back('.');
    path += ref.segments[i].name;
    std::vector<Value> args = EvalArgs(ref.segments[i].args);
    if (stopped()) return Value();
    if (!CallUtil(st_, path, args, &current)) return Value();
    ++i;
  } else {
    current = Root(ref.root);
  }
  for (; i < segments && !current.is_null() && !stopped(); ++i) {
    current = Step(current, ref.segments[i]);
  }
  return stopped() ? Value() : current;
}

bool BothNumbers(const Value& a, const Value& b) { return a.is_number() && b.is_number(); }

// Velocity's ==: numbers by value (1 == 1.0), same kinds by equals(), other kinds by their
// toString().
bool LooseEquals(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  if (BothNumbers(a, b)) {
    if (a.is_int() && b.is_int()) return a.as_int() == b.as_int();
    return a.as_double() == b.as_double();
  }
  if (a.type() == b.type()) return a.Equals(b);
  return a.ToJavaString() == b.ToJavaString();
}

Value Arithmetic(ast::Op op, const Value& a, const Value& b) {
  if (op == ast::Op::kAdd && (a.is_string() || b.is_string())) {
    if (a.is_null() || b.is_null()) return Value();
    return Value::String(a.ToJavaString() + b.ToJavaString());
  }
  if (!BothNumbers(a, b)) return Value();
  if (a.is_int() && b.is_int()) {
    int64_t x = a.as_int(), y = b.as_int(), r = 0;
    switch (op) {
      case ast::Op::kAdd:
        if (!__builtin_add_overflow(x, y, &r)) return Value::Int(r);
        return Value::Double(static_cast<double>(x) + static_cast<double>(y));
      case ast::Op::kSub:
        if (!__builtin_sub_overflow(x, y, &r)) return Value::Int(r);
        return Value::Double(static_cast<double>(x) - static_cast<double>(y));
      case ast::Op::kMul:
        if (!__builtin_mul_overflow(x, y, &r)) return Value::Int(r);
        return Value::Double(static_cast<double>(x) * static_cast<double>(y));
      case ast::Op::kDiv:
        if (y == 0 || (x == INT64_MIN && y == -1)) return Value();
        return Value::Int(x / y);
      case ast::Op::kMod:
        if (y == 0 || (x == INT64_MIN && y == -1)) return Value();
        return Value::Int(x % y);
      default:
        return Value();
    }
  }
  double x = a.as_double(), y = b.as_double();
  switch (op) {
    case ast::Op::kAdd:
      return Value::Double(x + y);
    case ast::Op::kSub:
      return Value::Double(x - y);
    case ast::Op::kMul:
      return Value::Double(x * y);
    case ast::Op::kDiv:
      if (y == 0) return Value();
      return Value::Double(x / y);
    case ast::Op::kMod:
      if (y == 0) return Value();
      return Value::Double(std::fmod(x, y));
    default:
      return Value();
  }
}

Value Renderer::EvalBinary(const Expr& e) {
  if (e.op == ast::Op::kAnd) {
    if (!Truthy(Eval(*e.lhs))) return Value::Bool(false);
    return Value::Bool(Truthy(Eval(*e.rhs)));
  }
  if (e.op == ast::Op::kOr) {
    if (Truthy(Eval(*e.lhs))) return Value::Bool(true);
    return Value::Bool(Truthy(Eval(*e.rhs)));
  }
  Value a = Eval(*e.lhs);
  Value b = Eval(*e.rhs);
  switch (e.op) {
    case ast::Op::kEq:
      return Value::Bool(LooseEquals(a, b));
    case ast::Op::kNe:
      return Value::Bool(!LooseEquals(a, b));
    case ast::Op::kLt:
    case ast::Op::kLe:
    case ast::Op::kGt:
    case ast::Op::kGe: {
      int cmp;
      if (BothNumbers(a, b)) {
        if (a.is_int() && b.is_int()) {
          cmp = a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int() ? 1 : 0;
        } else {
          double x = a.as_double(), y = b.as_double();
          cmp = x < y ? -1 : x > y ? 1 : 0;
        }
      } else if (a.is_string() && b.is_string()) {
        cmp = a.as_string().compare(b.as_string());
      } else {
        return Value::Bool(false);
      }
      bool r = e.op == ast::Op::kLt   ? cmp < 0
               : e.op == ast::Op::kLe ? cmp <= 0
               : e.op == ast::Op::kGt ? cmp > 0
                                      : cmp >= 0;
      return Value::Bool(r);
    }
    default:
      return Arithmetic(e.op, a, b);
  }
}

Value Renderer::Eval(const Expr& e) {
  if (stopped()) return Value();
  switch (e.kind) {
    case Expr::Kind::kNull:
      return Value();
    case Expr::Kind::kBool:
      return Value::Bool(e.bool_value);
    case Expr::Kind::kInt:
      return Value::Int(e.int_value);
    case Expr::Kind::kDouble:
      return Value::Double(e.double_value);
    case Expr::Kind::kString:
      return Value::String(e.string_value);
    case Expr::Kind::kInterpolated: {
      std::string s;
      RenderBlock(*e.template_, &s);
      return Value::String(std::move(s));
    }
    case Expr::Kind::kList: {
      Value l = Value::NewList();
      for (const auto& item : e.items) l.as_list().Add(Eval(*item));
      return l;
    }
    case Expr::Kind::kRange: {
      Value from = Eval(*e.items[0]);
      Value to = Eval(*e.items[1]);
      if (!from.is_int() || !to.is_int()) return Value();
      int64_t a = from.as_int(), b = to.as_int();
      uint64_t span = a > b ? static_cast<uint64_t>(a) - static_cast<uint64_t>(b)
                            : static_cast<uint64_t>(b) - static_cast<uint64_t>(a);
      if (span >= static_cast<uint64_t>(kMaxRange)) {
        st_.Raise("Range [" + std::to_string(a) + ".." + std::to_string(b) + "] is too large",
                  "MappingTemplate");
        return Value();
      }
      Value l = Value::NewList();
      for (int64_t i = a;; i += a <= b ? 1 : -1) {
        l.as_list().Add(Value::Int(i));
        if (i == b) break;
      }
      return l;
    }
    case Expr::Kind::kMap: {
      Value m = Value::NewMap();
      for (size_t i = 0; i + 1 < e.items.size(); i += 2) {
        Value key = Eval(*e.items[i]);
        Value value = Eval(*e.items[i + 1]);
        m.as_map().Put(key.ToJavaString(), std::move(value));
      }
      return m;
    }
    case Expr::Kind::kRef:
      return EvalReference(e.ref, e.ref.segments.size());
    case Expr::Kind::kUnary: {
      Value v = Eval(*e.lhs);
      if (e.op == ast::Op::kNot) return Value::Bool(!Truthy(v));
      if (v.is_int() && v.as_int() != INT64_MIN) return Value::Int(-v.as_int());
      if (v.is_number()) return Value::Double(-v.as_double());
      return Value();
    }
    case Expr::Kind::kBinary:
      return EvalBinary(e);
  }
  return Value();
}

}  // namespace

RenderResult Render(const Template& tmpl, Context& ctx) {
  RenderResult result;
  Renderer renderer(ctx, &result);
  renderer.Run(tmpl.root(), &result.output);
  return result;
}

}  // namespace stator::vtl
