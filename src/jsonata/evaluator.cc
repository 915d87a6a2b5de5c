#include "jsonata/evaluator.h"

#include <pthread.h>

#include <cmath>

#include "jsonata/builtins.h"
#include "jsonata/number_format.h"

namespace stator::jsonata::internal {

#define JTRY(decl, expr) STATOR_TRY(decl, expr)

bool IsNumeric(const Value& v) { return v.is_number() && std::isfinite(v.number()); }

std::vector<Value> Elements(const Value& v) {
  std::vector<Value> out;
  if (v.tag() == Value::Tag::kArray) {
    if (!v.seq()->is_range) return v.seq()->items;
    size_t n = v.size();
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) out.push_back(v.at(i));
    return out;
  }
  if (v.is_json() && v.json().is_array()) {
    out.reserve(v.json().as_array().size());
    for (const json::Value& j : v.json().as_array()) out.emplace_back(j);
  }
  return out;
}

Value Append(const Value& a, const Value& b) {
  if (a.undefined()) return b;
  if (b.undefined()) return a;
  auto s = NewSequence(false);
  if (a.is_array()) {
    s->items = Elements(a);
  } else {
    s->items.push_back(a);
  }
  if (b.is_array()) {
    for (Value& v : Elements(b)) s->items.push_back(std::move(v));
  } else {
    s->items.push_back(b);
  }
  return Value(std::move(s));
}

Value MakeBuiltinFunction(const Builtin* b, std::shared_ptr<const Signature> sig) {
  auto f = std::make_shared<Function>();
  f->kind = Function::Kind::kNative;
  f->builtin = b;
  f->signature = std::move(sig);
  f->name = std::string(b->name);
  return Value(std::shared_ptr<const Function>(std::move(f)));
}

Value MakeExtensionFunction(const Extension* e, std::shared_ptr<const Signature> sig) {
  auto f = std::make_shared<Function>();
  f->kind = Function::Kind::kExtension;
  f->extension = e;
  f->signature = std::move(sig);
  f->name = e->name;
  return Value(std::shared_ptr<const Function>(std::move(f)));
}

const std::unordered_map<std::string, Value>& BuiltinFunctions() {
  static const auto* kFunctions = [] {
    auto* m = new std::unordered_map<std::string, Value>();
    for (const Builtin* b : AllBuiltins()) {
      auto sig = ParseSignature(b->signature);
      (*m)[std::string(b->name)] = MakeBuiltinFunction(b, sig.ok() ? *sig : nullptr);
    }
    return m;
  }();
  return *kFunctions;
}

Evaluator::Evaluator(const Program& program, const Bindings* bindings, const Limits& limits)
    : program_(program), bindings_(bindings), limits_(limits) {}

double Evaluator::now_millis() const {
  if (!now_millis_) {
    now_millis_ = static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
  }
  return *now_millis_;
}

jsonata::Error Evaluator::LimitError(bool depth) const {
  if (depth) {
    return jsonata::Error{"U1001",
                          "Stack overflow error: Check for non-terminating recursive function.  "
                          "Consider rewriting as tail-recursive.",
                          -1, std::nullopt};
  }
  return jsonata::Error{"U1001", "Expression evaluation timeout: Check for infinite loop", -1,
                        std::nullopt};
}

EvalResult Evaluator::Run(const Arg& arg) {
  // The engine's own guard: stop well before the thread's stack is exhausted. The stack's
  // bounds are read once per thread (for the main thread glibc reads /proc/self/maps).
  char here;
  stack_base_ = &here;
  thread_local char* stack_low = nullptr;
  thread_local bool known = false;
  if (!known) {
    known = true;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      void* addr = nullptr;
      size_t size = 0;
      if (pthread_attr_getstack(&attr, &addr, &size) == 0 && size > 0) {
        stack_low = static_cast<char*>(addr);
      }
      pthread_attr_destroy(&attr);
    }
  }
  size_t available =
      stack_low && &here > stack_low ? static_cast<size_t>(&here - stack_low) : (1u << 20);
  stack_budget_ = available > (256u << 10) ? available - (192u << 10) : available / 2;
  if (limits_.time_limit_ms > 0) start_ = std::chrono::steady_clock::now();
  // The root frame lives in this Evaluator: an alias without ownership (no allocation).
  root_ = std::shared_ptr<Frame>(std::shared_ptr<Frame>(), &root_frame_);
  Value input = Value::FromArg(arg);
  root_input_ = input;  // `$$`: read by Lookup after the frames (binding it here would allocate)
  if (input.is_json() && input.json().is_array()) {
    auto s = NewSequence(true);
    s->items.push_back(input);
    s->outer_wrapper = true;
    input = Value(std::move(s));
  }
  EvalResult r = Eval(program_.ast.get(), input, root_);
  // A function bound with := in a frame it closes over is a reference cycle; break them all.
  for (const auto& f : cyclic_frames_) f->vars.clear();
  cyclic_frames_.clear();
  return r;
}

Value Evaluator::Lookup(const std::shared_ptr<Frame>& env, std::string_view name) const {
  if (const Value* v = env->Find(name)) return *v;
  if (name == "$") return root_input_;  // the root frame's `$`, kept outside its vars
  if (bindings_) {
    if (const json::Value* j = bindings_->Find(name)) return Value(*j);
  }
  for (const auto& [k, v] : program_.extension_functions) {
    if (k == name) return v;
  }
  for (const std::string& r : program_.removed) {
    if (r == name) return Value();
  }
  const auto& builtins = BuiltinFunctions();
  auto it = builtins.find(std::string(name));
  if (it != builtins.end()) return it->second;
  return Value();
}

EvalResult Evaluator::Eval(const Node* n, const Value& input, const std::shared_ptr<Frame>& env) {
  char probe;
  if (static_cast<size_t>(stack_base_ - &probe) > stack_budget_) return LimitError(true);
  ++depth_;
  if (limits_.max_depth > 0 && depth_ > limits_.max_depth) {
    --depth_;
    return LimitError(true);
  }
  if (limits_.time_limit_ms > 0 && (++ticks_ & 255) == 0) {
    auto elapsed = std::chrono::steady_clock::now() - start_;
    if (elapsed > std::chrono::milliseconds(limits_.time_limit_ms)) {
      --depth_;
      return LimitError(false);
    }
  }
  EvalResult r = EvalInner(n, input, env);
  --depth_;
  if (!r.ok()) return r;
  Value result = std::move(r).value();
  if (n->has_predicate) {
    for (const Stage& st : n->predicate) {
      JTRY(result, EvalFilter(st.expr.get(), result, env));
    }
  }
  if (n->type != NodeType::kPath && n->group) {
    JTRY(result, EvalGroup(*n->group, result, env));
  }
  if (result.tag() == Value::Tag::kArray && result.seq()->sequence && !result.seq()->tuple_stream) {
    Sequence* s = result.seq();
    if (n->keep_array) s->keep_singleton = true;
    size_t n = result.size();
    if (n == 0) return Value();
    if (n == 1 && !s->keep_singleton) return result.at(0);
  }
  return result;
}

namespace {

Value LookupField(const Value& input, const std::string& key) {
  if (input.is_array()) {
    auto out = NewSequence(true);
    size_t n = input.size();
    for (size_t i = 0; i < n; ++i) {
      Value res = LookupField(input.at(i), key);
      if (res.undefined()) continue;
      if (res.is_array()) {
        for (Value& v : Elements(res)) out->items.push_back(std::move(v));
      } else {
        out->items.push_back(std::move(res));
      }
    }
    return Value(std::move(out));
  }
  if (input.is_object()) return input.field(key);
  return Value();
}

void FlattenInto(const Value& v, std::vector<Value>* out) {
  if (v.is_array()) {
    size_t n = v.size();
    for (size_t i = 0; i < n; ++i) FlattenInto(v.at(i), out);
  } else {
    out->push_back(v);
  }
}

void Descendants(const Value& v, std::vector<Value>* out) {
  if (!v.is_array()) out->push_back(v);
  if (v.is_array()) {
    size_t n = v.size();
    for (size_t i = 0; i < n; ++i) Descendants(v.at(i), out);
  } else if (v.is_object()) {
    for (const std::string& k : v.keys()) Descendants(v.field(k), out);
  }
}

// The name the reference gives a called expression (its token), if it has one.
std::optional<std::string> ProcedureName(const Node* p) {
  switch (p->type) {
    case NodeType::kPath:
      if (!p->items.empty()) return p->items[0]->value;
      return std::nullopt;
    case NodeType::kVariable:
    case NodeType::kName:
    case NodeType::kFunction:
    case NodeType::kPartial:
    case NodeType::kBinary:
    case NodeType::kApply:
    case NodeType::kBind:
    case NodeType::kNegate:
    case NodeType::kArray:
    case NodeType::kObject:
    case NodeType::kString:
      return p->value;
    case NodeType::kNumber:
      return JsNumberToString(p->literal.as_double());
    case NodeType::kValue:
      return p->literal.is_null() ? "null" : (p->literal.as_bool() ? "true" : "false");
    default:
      return std::nullopt;
  }
}

// Whether the reference's boolean cast of v meets an Infinity (its isNumeric throws D1001; NaN
// is merely not numeric, so it casts to false).
bool CastMeetsNonFinite(const Value& v) {
  if (v.is_number()) return std::isinf(v.number());
  if (v.is_array()) {
    size_t n = v.size();
    for (size_t i = 0; i < n; ++i) {
      if (CastMeetsNonFinite(v.at(i))) return true;
    }
  }
  return false;
}

jsonata::Error OpError(std::string_view code, const Node* n,
                       std::vector<std::pair<std::string, std::string>> inserts = {}) {
  inserts.push_back({"token", n->value});
  jsonata::Error e = MakeError(code, n->position, std::move(inserts));
  e.token = n->value;
  return e;
}

}  // namespace

EvalResult Evaluator::EvalInner(const Node* n, const Value& input,
                                const std::shared_ptr<Frame>& env) {
  switch (n->type) {
    case NodeType::kPath:
      return EvalPath(n, input, env);
    case NodeType::kBinary:
      return EvalBinary(n, input, env);
    case NodeType::kNegate: {
      JTRY(Value v, Eval(n->expr.get(), input, env));
      if (v.undefined()) return Value();
      if (IsNumeric(v)) return NumberValue(-v.number());
      // The reference's isNumeric throws D1001 (no position) for Infinity; NaN is not numeric.
      if (v.is_number() && std::isinf(v.number())) {
        return MakeError("D1001", -1, {{"value", "null"}});
      }
      return OpError("D1002", n, {{"value", ErrorInsert(v)}});
    }
    case NodeType::kArray:
      return EvalArray(n, input, env);
    case NodeType::kObject: {
      return EvalGroupPairs(n->pairs, n->position, input, env);
    }
    case NodeType::kName:
      return LookupField(input, n->value);
    case NodeType::kString:
    case NodeType::kNumber:
    case NodeType::kValue:
      return Value(n->literal);
    case NodeType::kWildcard: {
      auto out = NewSequence(true);
      Value in = input;
      if (in.tag() == Value::Tag::kArray && in.seq()->outer_wrapper && in.size() > 0) in = in.at(0);
      if (in.is_array()) {
        size_t cnt = in.size();
        for (size_t i = 0; i < cnt; ++i) {
          Value v = in.at(i);
          if (v.is_array()) {
            // The reference appends an array with fn.append: the result is a plain array from
            // then on (no singleton unwrapping).
            FlattenInto(v, &out->items);
            out->sequence = false;
          } else {
            out->items.push_back(std::move(v));
          }
        }
      } else if (in.is_object()) {
        for (const std::string& k : in.keys()) {
          Value v = in.field(k);
          if (v.is_array()) {
            FlattenInto(v, &out->items);
            out->sequence = false;
          } else {
            out->items.push_back(std::move(v));
          }
        }
      }
      return Value(std::move(out));
    }
    case NodeType::kDescendant: {
      if (input.undefined()) return Value();
      std::vector<Value> items;
      Descendants(input, &items);
      if (items.size() == 1) return items[0];
      return SequenceOf(std::move(items));
    }
    case NodeType::kParent:
      return Lookup(env, n->slot->label);
    case NodeType::kCondition: {
      JTRY(Value c, Eval(n->expr.get(), input, env));
      if (CastMeetsNonFinite(c)) return MakeError("D1001", -1, {{"value", "null"}});
      if (IsTruthy(c)) return Eval(n->then_branch.get(), input, env);
      if (n->else_branch) return Eval(n->else_branch.get(), input, env);
      return Value();
    }
    case NodeType::kBlock: {
      auto frame = std::make_shared<Frame>(env);
      Value result;
      for (const auto& e : n->items) {
        JTRY(result, Eval(e.get(), input, frame));
      }
      return result;
    }
    case NodeType::kBind: {
      JTRY(Value v, Eval(n->rhs.get(), input, env));
      if (!v.is_json() && !v.undefined() && env.get() != &root_frame_)
        cyclic_frames_.push_back(env);
      env->Bind(n->lhs->value, v);
      return v;
    }
    case NodeType::kRegex: {
      auto f = std::make_shared<Function>();
      f->kind = Function::Kind::kRegex;
      f->regex = n->regex;
      return Value(std::shared_ptr<const Function>(std::move(f)));
    }
    case NodeType::kFunction:
      return EvalFunction(n, input, env, nullptr);
    case NodeType::kPartial:
      return EvalPartial(n, input, env);
    case NodeType::kVariable: {
      if (n->value.empty()) {
        if (input.tag() == Value::Tag::kArray && input.seq()->outer_wrapper) {
          return input.size() > 0 ? input.at(0) : Value();
        }
        return input;
      }
      return Lookup(env, n->value);
    }
    case NodeType::kLambda: {
      auto f = std::make_shared<Function>();
      f->kind = Function::Kind::kLambda;
      f->node = n;
      f->input = input;
      f->env = env;
      return Value(std::shared_ptr<const Function>(std::move(f)));
    }
    case NodeType::kApply:
      return EvalApply(n, input, env);
    case NodeType::kTransform: {
      auto f = std::make_shared<Function>();
      f->kind = Function::Kind::kTransform;
      f->node = n;
      f->env = env;
      static const std::shared_ptr<const Signature> kSig = *ParseSignature("<(oa):o>");
      f->signature = kSig;
      return Value(std::shared_ptr<const Function>(std::move(f)));
    }
    case NodeType::kSort: {
      // A sort on its own (not as a path step) sorts its input sequence.
      Value seq = input.is_array() ? input : SequenceOf({input});
      return EvalSort(n, seq, env);
    }
    case NodeType::kOperator:
    case NodeType::kEnd:
      break;
  }
  return Value();
}

EvalResult Evaluator::EvalArray(const Node* n, const Value& input,
                                const std::shared_ptr<Frame>& env) {
  auto out = NewSequence(false);
  if (n->items.size() == 1 && n->items[0]->type != NodeType::kArray) {
    // [a..b] (or any single sequence) stays unmaterialized when it is a range.
    JTRY(Value v, Eval(n->items[0].get(), input, env));
    if (v.tag() == Value::Tag::kArray && v.seq()->is_range) {
      out->is_range = true;
      out->range_start = v.seq()->range_start;
      out->range_size = v.seq()->range_size;
    } else if (v.is_array()) {
      out->items = Elements(v);
    } else if (!v.undefined()) {
      out->items.push_back(std::move(v));
    }
    if (n->consarray) out->cons = true;
    return Value(std::move(out));
  }
  for (const auto& item : n->items) {
    JTRY(Value v, Eval(item.get(), input, env));
    if (v.undefined()) continue;
    if (item->type == NodeType::kArray) {
      out->items.push_back(std::move(v));
    } else if (v.is_array()) {
      for (Value& e : Elements(v)) out->items.push_back(std::move(e));
    } else {
      out->items.push_back(std::move(v));
    }
  }
  if (n->consarray) out->cons = true;
  return Value(std::move(out));
}

EvalResult Evaluator::EvalBinary(const Node* n, const Value& input,
                                 const std::shared_ptr<Frame>& env) {
  const std::string& op = n->value;
  const char c0 = op[0];
  const char c1 = op.size() > 1 ? op[1] : '\0';
  JTRY(Value lhs, Eval(n->lhs.get(), input, env));
  if ((c0 == 'a' && c1 == 'n') || (c0 == 'o' && c1 == 'r')) {
    if (CastMeetsNonFinite(lhs)) return OpError("D1001", n, {{"value", "null"}});
    bool l = !lhs.undefined() && IsTruthy(lhs);
    if (c0 == 'a' && !l) return BoolValue(false);
    if (c0 == 'o' && l) return BoolValue(true);
    EvalResult rhs = Eval(n->rhs.get(), input, env);
    if (!rhs.ok()) {
      // The reference reports an error on the right of and/or at the operator.
      jsonata::Error e = std::move(rhs).error();
      e.position = n->position;
      e.token = op;
      return e;
    }
    if (CastMeetsNonFinite(*rhs)) return OpError("D1001", n, {{"value", "null"}});
    return BoolValue(!rhs->undefined() && IsTruthy(*rhs));
  }
  JTRY(Value rhs, Eval(n->rhs.get(), input, env));
  char c = c0;
  if (c1 == '\0' && (c == '+' || c == '-' || c == '*' || c == '/' || c == '%')) {
    // The reference's isNumeric: Infinity throws D1001, NaN is not a number (T2001/T2002).
    if (!lhs.undefined() && !IsNumeric(lhs)) {
      if (lhs.is_number() && std::isinf(lhs.number())) {
        return OpError("D1001", n, {{"value", ErrorInsert(lhs)}});
      }
      return OpError("T2001", n, {{"value", ErrorInsert(lhs)}});
    }
    if (!rhs.undefined() && !IsNumeric(rhs)) {
      if (rhs.is_number() && std::isinf(rhs.number())) {
        return OpError("D1001", n, {{"value", ErrorInsert(rhs)}});
      }
      return OpError("T2002", n, {{"value", ErrorInsert(rhs)}});
    }
    if (lhs.undefined() || rhs.undefined()) return Value();
    double a = lhs.number(), b = rhs.number(), r = 0;
    switch (c) {
      case '+':
        r = a + b;
        break;
      case '-':
        r = a - b;
        break;
      case '*':
        r = a * b;
        break;
      case '/':
        r = a / b;
        break;
      case '%':
        r = std::fmod(a, b);
        break;
    }
    return NumberValue(r);  // a non-finite result is D1001 where it is next used as a number
  }
  if ((c0 == '=' && c1 == '\0') || (c0 == '!' && c1 == '=')) {
    if (lhs.undefined() || rhs.undefined()) return BoolValue(false);
    bool eq = DeepEqual(lhs, rhs);
    return BoolValue(c0 == '=' ? eq : !eq);
  }
  if (c0 == '<' || c0 == '>') {
    bool lc = lhs.undefined() || lhs.is_string() || lhs.is_number();
    bool rc = rhs.undefined() || rhs.is_string() || rhs.is_number();
    if (!lc || !rc) {
      const Value& bad = !(lhs.is_string() || lhs.is_number()) ? lhs : rhs;
      return OpError("T2010", n, {{"value", ErrorInsert(bad)}});
    }
    if (lhs.undefined() || rhs.undefined()) return Value();
    if (lhs.is_string() != rhs.is_string()) {
      return OpError("T2009", n, {{"value", ErrorInsert(lhs)}, {"value2", ErrorInsert(rhs)}});
    }
    int cmp;
    if (lhs.is_string()) {
      cmp = lhs.str().compare(rhs.str());
    } else {
      double a = lhs.number(), b = rhs.number();
      cmp = a < b ? -1 : (a > b ? 1 : 0);
      if (std::isnan(a) || std::isnan(b)) return BoolValue(false);
    }
    bool r = c0 == '<' ? (c1 == '=' ? cmp <= 0 : cmp < 0) : (c1 == '=' ? cmp >= 0 : cmp > 0);
    return BoolValue(r);
  }
  if (c0 == '&') {
    std::string s;
    if (!lhs.undefined()) {
      auto ls = StringOf(lhs, n->position);
      if (!ls.ok()) return ls.error();
      s = *ls;
    }
    if (!rhs.undefined()) {
      auto rs = StringOf(rhs, n->position);
      if (!rs.ok()) return rs.error();
      s += *rs;
    }
    return StringValue(std::move(s));
  }
  if (c0 == '.' && c1 == '.') {
    auto is_int = [](const Value& v) {
      return v.is_number() && std::isfinite(v.number()) && v.number() == std::floor(v.number());
    };
    if (!lhs.undefined() && !is_int(lhs)) return OpError("T2003", n, {{"value", ErrorInsert(lhs)}});
    if (!rhs.undefined() && !is_int(rhs)) return OpError("T2004", n, {{"value", ErrorInsert(rhs)}});
    if (lhs.undefined() || rhs.undefined()) return Value();
    double a = lhs.number(), b = rhs.number();
    if (a > b) return Value();
    double size = b - a + 1;
    if (size > 1e7) return OpError("D2014", n, {{"value", JsNumberToString(size)}});
    auto s = NewSequence(true);
    s->is_range = true;
    s->range_start = a;
    s->range_size = static_cast<size_t>(size);
    return Value(std::move(s));
  }
  if (c0 == 'i' && c1 == 'n') {
    if (lhs.undefined() || rhs.undefined()) return BoolValue(false);
    // The reference's ===: primitives by value, objects, arrays and functions by identity
    // (values are shared, never copied, so the same JavaScript object is the same payload).
    auto strict_eq = [](const Value& x, const Value& y) {
      if (x.is_number() && y.is_number()) return x.number() == y.number();
      if (x.tag() != y.tag()) return false;
      switch (x.tag()) {
        case Value::Tag::kJson: {
          const json::Value& a = x.json();
          const json::Value& b = y.json();
          if (a.is_array()) return b.is_array() && &a.as_array() == &b.as_array();
          if (a.is_object()) return b.is_object() && &a.as_object() == &b.as_object();
          return a == b;
        }
        case Value::Tag::kArray:
          return x.seq() == y.seq();
        case Value::Tag::kObject:
          return x.obj() == y.obj();
        case Value::Tag::kFunction:
          return x.fn() == y.fn();
        case Value::Tag::kUndefined:
          return false;
      }
      return false;
    };
    if (rhs.is_array()) {
      size_t cnt = rhs.size();
      for (size_t i = 0; i < cnt; ++i) {
        if (strict_eq(rhs.at(i), lhs)) return BoolValue(true);
      }
      return BoolValue(false);
    }
    return BoolValue(strict_eq(rhs, lhs));
  }
  return OpError("S0201", n);
}

EvalResult Evaluator::EvalFunction(const Node* n, const Value& input,
                                   const std::shared_ptr<Frame>& env, const Value* apply_to) {
  JTRY(Value proc, Eval(n->procedure.get(), input, env));
  const Node* p = n->procedure.get();
  std::optional<std::string> proc_name = ProcedureName(p);
  if (proc.undefined() && p->type == NodeType::kPath && !Lookup(env, *proc_name).undefined()) {
    jsonata::Error e = MakeError("T1005", n->position, {{"token", *proc_name}});
    e.token = proc_name;
    return e;
  }
  std::vector<Value> args;
  args.reserve(n->items.size() + 1);
  if (apply_to) args.push_back(*apply_to);
  for (const auto& a : n->items) {
    JTRY(Value v, Eval(a.get(), input, env));
    if (v.is_function() && v.fn()->kind != Function::Kind::kClosure) {
      // The reference passes a function argument as a JS closure around it (same arity; its
      // boolean cast is false, where the function's own is true).
      auto c = std::make_shared<Function>();
      c->kind = Function::Kind::kClosure;
      c->target = v.fn_ptr();
      v = Value(std::shared_ptr<const Function>(std::move(c)));
    }
    args.push_back(std::move(v));
  }
  EvalResult r = Apply(proc, std::move(args), input, env, n->position);
  if (!r.ok()) {
    // As the reference: an error leaving a call is reported at the call (the innermost
    // non-tail call it passes through last), with the function's name as token if it has none.
    jsonata::Error e = std::move(r).error();
    if (e.position < 0) e.position = n->position;
    if (!e.token) e.token = proc_name;
    return e;
  }
  return r;
}

EvalResult Evaluator::Apply(const Value& fn, std::vector<Value> args, const Value& input,
                            const std::shared_ptr<Frame>& env, int call_position) {
  EvalResult first = ApplyInner(fn, std::move(args), input, env);
  if (!first.ok()) {
    // An error leaving a called function is reported at the call, as the reference does.
    jsonata::Error e = std::move(first).error();
    if (call_position >= 0 && fn.is_function()) e.position = call_position;
    return e;
  }
  Value result = std::move(first).value();
  while (result.is_function() && result.fn()->kind == Function::Kind::kLambda &&
         result.fn()->node->thunk) {
    const Function& t = *result.fn();
    const Node* call = t.node->expr.get();
    JTRY(Value next, Eval(call->procedure.get(), t.input, t.env));
    std::vector<Value> next_args;
    next_args.reserve(call->items.size());
    for (const auto& a : call->items) {
      JTRY(Value v, Eval(a.get(), t.input, t.env));
      next_args.push_back(std::move(v));
    }
    EvalResult r = ApplyInner(next, std::move(next_args), input, env);
    if (!r.ok()) {
      jsonata::Error e = std::move(r).error();
      const Node* p = call->procedure.get();
      if (next.is_function()) e.position = p->position;
      if (!e.token && p->type == NodeType::kVariable) e.token = p->value;
      return e;
    }
    result = std::move(r).value();
  }
  return result;
}

int Evaluator::Arity(const Value& fn) const {
  if (!fn.is_function()) return 0;
  const Function& f = *fn.fn();
  switch (f.kind) {
    case Function::Kind::kLambda:
      return static_cast<int>(f.params().size());
    case Function::Kind::kNative:
      if (f.builtin->arity >= 0) return f.builtin->arity;
      return f.signature ? static_cast<int>(f.signature->params.size()) : 0;
    case Function::Kind::kExtension:
      return f.signature ? static_cast<int>(f.signature->params.size()) : 0;
    case Function::Kind::kPartialNative: {
      int n = 0;
      for (bool p : f.placeholder) n += p;
      return n;
    }
    case Function::Kind::kRegex:
      return 2;
    case Function::Kind::kTransform:
    case Function::Kind::kChain:
      return 1;
    case Function::Kind::kClosure:
      return Arity(Value(f.target));
  }
  return 0;
}

EvalResult Evaluator::ApplyInner(const Value& fn, std::vector<Value> args, const Value& input,
                                 const std::shared_ptr<Frame>& env) {
  if (!fn.is_function()) return MakeError("T1006", -1);
  const Function& f = *fn.fn();
  if (f.signature && f.kind != Function::Kind::kPartialNative) {
    auto v = f.signature->Validate(args, input);
    if (!v.ok()) {
      jsonata::Error e = v.error();
      if (!f.name.empty() && !e.token) e.token = f.name;
      return e;
    }
    args = std::move(*v);
  } else if (f.kind == Function::Kind::kLambda && !f.has_own_params && f.node->signature) {
    auto v = f.node->signature->Validate(args, input);
    if (!v.ok()) return v.error();
    args = std::move(*v);
  }
  switch (f.kind) {
    case Function::Kind::kLambda: {
      auto frame = std::make_shared<Frame>(f.env);
      const auto& params = f.params();
      for (size_t i = 0; i < params.size(); ++i) {
        frame->Bind(params[i], i < args.size() ? args[i] : Value());
      }
      return Eval(f.node->expr.get(), f.input, frame);
    }
    case Function::Kind::kNative: {
      const Builtin* b = f.builtin;
      if (b->native) {
        Call call(this, input, env, -1, b->name);
        return b->native(call, args);
      }
      std::vector<Arg> jargs;
      jargs.reserve(args.size());
      for (const Value& a : args) jargs.push_back(a.ToArg());
      auto r = b->json(jargs);
      if (!r.ok()) return r.error();
      return Value::FromArg(*r);
    }
    case Function::Kind::kExtension: {
      std::vector<Arg> jargs;
      jargs.reserve(args.size());
      for (const Value& a : args) jargs.push_back(a.ToArg());
      auto r = f.extension->fn(jargs);
      if (!r.ok()) return r.error();
      return Value::FromArg(*r);
    }
    case Function::Kind::kPartialNative: {
      std::vector<Value> full;
      size_t next = 0;
      for (size_t i = 0; i < f.bound.size(); ++i) {
        if (f.placeholder[i]) {
          full.push_back(next < args.size() ? args[next] : Value());
          ++next;
        } else {
          full.push_back(f.bound[i]);
        }
      }
      // The reference calls the native directly with the bound arguments (no context value)
      // and without checking them; we check them (our natives rely on their signatures) and
      // name the built-in in the error, as a direct call does.
      const Function& target = *f.target;
      if (target.signature) {
        auto v = target.signature->Validate(full, Value());
        if (!v.ok()) {
          jsonata::Error e = v.error();
          if (!target.name.empty() && !e.token) e.token = target.name;
          return e;
        }
        full = std::move(*v);
      }
      Value tv(f.target);
      auto tf = std::make_shared<Function>(target);
      tf->signature = nullptr;
      return ApplyInner(Value(std::shared_ptr<const Function>(std::move(tf))), std::move(full),
                        Value(), env);
    }
    case Function::Kind::kRegex:
      return ApplyRegex(f, args);
    case Function::Kind::kTransform:
      return ApplyTransform(f, args.empty() ? Value() : args[0]);
    case Function::Kind::kClosure: {
      static const Value kNull(json::Value::Null());
      return Apply(Value(f.target), std::move(args), kNull, env);
    }
    case Function::Kind::kChain: {
      JTRY(Value mid, Apply(f.bound[0], std::move(args), Value(), env));
      return Apply(f.bound[1], {mid}, Value(), env);
    }
  }
  return MakeError("T1006", -1);
}

EvalResult Evaluator::ApplyRegex(const Function& f, const std::vector<Value>& args) {
  std::string text;
  int start = 0;
  if (!f.bound.empty()) {  // a match's next()
    text = f.bound[0].str();
    start = static_cast<int>(f.bound[1].number());
    if (static_cast<size_t>(start) >= Utf16Length(text)) return Value();
  } else {
    if (args.empty() || !args[0].is_string()) return Value();
    text = args[0].str();
    if (args.size() > 1 && args[1].is_number()) start = static_cast<int>(args[1].number());
  }
  auto found = f.regex->Exec(text, start);
  if (!found.ok()) return found.error();
  const auto& m = *found;
  if (!m) return Value();
  if (!f.bound.empty() && m->match.empty()) {
    return MakeError("D1004", -1, {{"value", f.regex->source()}});
  }
  auto obj = std::make_shared<ObjectValue>();
  obj->Set("match", StringValue(m->match));
  obj->Set("start", NumberValue(m->start));
  obj->Set("end", NumberValue(m->end));
  auto groups = NewSequence(false);
  for (auto& g : m->groups) groups->items.push_back(g ? StringValue(*g) : Value());
  obj->Set("groups", Value(std::move(groups)));
  auto next = std::make_shared<Function>();
  next->kind = Function::Kind::kRegex;
  next->regex = f.regex;
  int last = m->end == m->start ? m->end + (m->match.empty() ? 0 : 0) : m->end;
  next->bound = {StringValue(text), NumberValue(last)};
  obj->Set("next", Value(std::shared_ptr<const Function>(std::move(next))));
  return Value(std::move(obj));
}

EvalResult Evaluator::EvalPartial(const Node* n, const Value& input,
                                  const std::shared_ptr<Frame>& env) {
  std::vector<Value> args;
  std::vector<bool> holes;
  for (const auto& a : n->items) {
    if (a->type == NodeType::kOperator && a->value == "?") {
      args.emplace_back();
      holes.push_back(true);
    } else {
      JTRY(Value v, Eval(a.get(), input, env));
      args.push_back(std::move(v));
      holes.push_back(false);
    }
  }
  JTRY(Value proc, Eval(n->procedure.get(), input, env));
  const Node* p = n->procedure.get();
  std::string name = ProcedureName(p).value_or("");
  if (proc.undefined() && p->type == NodeType::kPath && !Lookup(env, name).undefined()) {
    jsonata::Error e = MakeError("T1007", n->position, {{"token", name}});
    e.token = name;
    return e;
  }
  if (!proc.is_function()) {
    jsonata::Error e = MakeError("T1008", n->position, {{"token", name}});
    e.token = name;
    return e;
  }
  const Function& f = *proc.fn();
  if (f.kind == Function::Kind::kLambda) {
    auto frame = std::make_shared<Frame>(f.env);
    auto out = std::make_shared<Function>();
    out->kind = Function::Kind::kLambda;
    out->node = f.node;
    out->input = f.input;
    out->has_own_params = true;
    const auto& params = f.params();
    for (size_t i = 0; i < params.size(); ++i) {
      if (i < args.size() && holes[i]) {
        out->own_params.push_back(params[i]);
      } else {
        frame->Bind(params[i], i < args.size() ? args[i] : Value());
      }
    }
    out->env = frame;
    return Value(std::shared_ptr<const Function>(std::move(out)));
  }
  auto out = std::make_shared<Function>();
  out->kind = Function::Kind::kPartialNative;
  out->target = proc.fn_ptr();
  out->name = f.name;
  int arity = Arity(proc);
  if (f.kind == Function::Kind::kPartialNative) arity = Arity(proc);
  for (int i = 0; i < arity; ++i) {
    if (static_cast<size_t>(i) < args.size()) {
      out->bound.push_back(args[i]);
      out->placeholder.push_back(holes[i]);
    } else {
      // A parameter the call leaves out is bound to undefined, not left open (the reference
      // binds every declared parameter that is not a '?').
      out->bound.emplace_back();
      out->placeholder.push_back(false);
    }
  }
  return Value(std::shared_ptr<const Function>(std::move(out)));
}

EvalResult Evaluator::EvalApply(const Node* n, const Value& input,
                                const std::shared_ptr<Frame>& env) {
  JTRY(Value lhs, Eval(n->lhs.get(), input, env));
  if (n->rhs->type == NodeType::kFunction) {
    return EvalFunction(n->rhs.get(), input, env, &lhs);
  }
  JTRY(Value func, Eval(n->rhs.get(), input, env));
  if (!func.is_function()) {
    return MakeError("T2006", n->position, {{"value", ErrorInsert(func)}});
  }
  if (lhs.is_function()) {
    auto chain = std::make_shared<Function>();
    chain->kind = Function::Kind::kChain;
    chain->bound = {lhs, func};
    return Value(std::shared_ptr<const Function>(std::move(chain)));
  }
  return Apply(func, {lhs}, input, env);
}

// ---- Call (builtins.h) ----

Result<Value, Error> Call::Apply(const Value& fn, std::vector<Value> args) {
  // The reference calls a function argument with a null context.
  static const Value kNull(json::Value::Null());
  return ev_->Apply(fn, std::move(args), kNull, env_);
}

int Call::Arity(const Value& fn) const { return ev_->Arity(fn); }

Result<std::optional<RegexMatch>, Error> Call::Match(const Value& regex, const std::string& text,
                                                     int start) {
  if (!regex.is_function()) return std::optional<RegexMatch>();
  const Function* f = regex.fn();
  if (f->kind == Function::Kind::kClosure) f = f->target.get();  // a regex passed as argument
  if (f->kind != Function::Kind::kRegex) return std::optional<RegexMatch>();
  return f->regex->Exec(text, start);
}

Error Call::Fail(std::string_view code, std::vector<std::pair<std::string, std::string>> inserts) {
  inserts.push_back({"token", std::string(name_)});
  Error e = MakeError(code, position_, std::move(inserts));
  return e;
}

}  // namespace stator::jsonata::internal
