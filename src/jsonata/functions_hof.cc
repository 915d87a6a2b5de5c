// Higher-order built-ins: $map, $filter, $reduce, $single, $sift, $each, $sort.
#include <cmath>

#include "jsonata/builtins.h"
#include "jsonata/evaluator.h"

namespace stator::jsonata::internal {
namespace {

#define JTRY(decl, expr) STATOR_TRY(decl, expr)

const Value& A(std::span<const Value> args, size_t i) {
  static const Value kUndefined;
  return i < args.size() ? args[i] : kUndefined;
}

// The arguments a callback gets: (value, index, array) cut to the callback's arity.
std::vector<Value> CallbackArgs(Call& call, const Value& fn, Value v, Value index,
                                const Value& whole) {
  std::vector<Value> out{std::move(v)};
  int arity = call.Arity(fn);
  if (arity >= 2) out.push_back(std::move(index));
  if (arity >= 3) out.push_back(whole);
  return out;
}

Result<Value, Error> Map(Call& call, std::span<const Value> args) {
  const Value& arr = A(args, 0);
  const Value& fn = A(args, 1);
  if (arr.undefined()) return Value();
  auto out = NewSequence(true);
  size_t n = arr.size();
  for (size_t i = 0; i < n; ++i) {
    JTRY(Value r, call.Apply(fn, CallbackArgs(call, fn, arr.at(i), NumberValue(i), arr)));
    if (!r.undefined()) out->items.push_back(std::move(r));
  }
  return Value(std::move(out));
}

Result<Value, Error> Filter(Call& call, std::span<const Value> args) {
  const Value& arr = A(args, 0);
  const Value& fn = A(args, 1);
  if (arr.undefined()) return Value();
  auto out = NewSequence(true);
  size_t n = arr.size();
  for (size_t i = 0; i < n; ++i) {
    Value item = arr.at(i);
    JTRY(Value r, call.Apply(fn, CallbackArgs(call, fn, item, NumberValue(i), arr)));
    if (IsTruthy(r)) out->items.push_back(std::move(item));
  }
  return Value(std::move(out));
}

Result<Value, Error> Single(Call& call, std::span<const Value> args) {
  const Value& arr = A(args, 0);
  const Value& fn = A(args, 1);
  if (arr.undefined()) return Value();
  bool found = false;
  Value result;
  size_t n = arr.size();
  for (size_t i = 0; i < n; ++i) {
    Value item = arr.at(i);
    bool positive = true;
    if (!fn.undefined()) {
      JTRY(Value r, call.Apply(fn, CallbackArgs(call, fn, item, NumberValue(i), arr)));
      positive = IsTruthy(r);
    }
    if (positive) {
      if (found) return call.Fail("D3138");
      result = std::move(item);
      found = true;
    }
  }
  if (!found) return call.Fail("D3139");
  return result;
}

Result<Value, Error> Reduce(Call& call, std::span<const Value> args) {
  const Value& arr = A(args, 0);
  const Value& fn = A(args, 1);
  const Value& init = A(args, 2);
  if (arr.undefined()) return Value();
  int arity = call.Arity(fn);
  if (arity < 2) return call.Fail("D3050", {{"index", "1"}});
  Value result;
  size_t index;
  size_t n = arr.size();
  if (init.undefined() && n > 0) {
    result = arr.at(0);
    index = 1;
  } else {
    result = init;
    index = 0;
  }
  for (; index < n; ++index) {
    std::vector<Value> a{result, arr.at(index)};
    if (arity >= 3) a.push_back(NumberValue(index));
    if (arity >= 4) a.push_back(arr);
    JTRY(result, call.Apply(fn, std::move(a)));
  }
  return result;
}

Result<Value, Error> Sift(Call& call, std::span<const Value> args) {
  const Value& obj = A(args, 0);
  const Value& fn = A(args, 1);
  std::vector<std::pair<std::string, Value>> kept;
  bool all_json = true;
  for (const std::string& k : obj.keys()) {
    Value v = obj.field(k);
    JTRY(Value r, call.Apply(fn, CallbackArgs(call, fn, v, StringValue(k), obj)));
    if (IsTruthy(r)) {
      if (!v.is_json()) all_json = false;
      kept.emplace_back(k, std::move(v));
    }
  }
  if (kept.empty()) return Value();
  if (all_json) {
    json::Object o;
    for (auto& [k, v] : kept) o.emplace_back(k, v.json());
    return Value(json::Value::MakeObject(std::move(o)));
  }
  auto o = std::make_shared<ObjectValue>();
  o->members = std::move(kept);
  return Value(std::move(o));
}

Result<Value, Error> Each(Call& call, std::span<const Value> args) {
  const Value& obj = A(args, 0);
  const Value& fn = A(args, 1);
  auto out = NewSequence(true);
  for (const std::string& k : obj.keys()) {
    JTRY(Value r, call.Apply(fn, CallbackArgs(call, fn, obj.field(k), StringValue(k), obj)));
    if (!r.undefined()) out->items.push_back(std::move(r));
  }
  return Value(std::move(out));
}

Result<Value, Error> Sort(Call& call, std::span<const Value> args) {
  const Value& arr = A(args, 0);
  const Value& fn = A(args, 1);
  if (arr.undefined()) return Value();
  if (arr.size() <= 1) return arr;
  std::vector<Value> items = Elements(arr);
  if (fn.undefined()) {
    bool nums = true, strs = true;
    for (const Value& v : items) {
      // The reference's isNumeric: Infinity throws D1001, NaN is not a number.
      if (v.is_number() && std::isinf(v.number())) return call.Fail("D1001", {{"value", "null"}});
      nums = nums && v.is_number() && !std::isnan(v.number());
      strs = strs && v.is_string();
    }
    if (!nums && !strs) return call.Fail("D3070", {{"index", "1"}});
  }
  std::optional<Error> err;
  auto greater = [&](const Value& a, const Value& b) -> bool {
    if (err) return false;
    if (fn.undefined()) {
      if (a.is_number()) return a.number() > b.number();
      return a.str() > b.str();
    }
    auto r = call.Apply(fn, {a, b});
    if (!r.ok()) {
      err = r.error();
      return false;
    }
    return IsTruthy(*r);
  };
  std::vector<Value> tmp(items.size());
  auto msort = [&](auto& self, size_t lo, size_t hi) -> void {
    if (hi - lo <= 1 || err) return;
    size_t mid = lo + (hi - lo) / 2;
    self(self, lo, mid);
    self(self, mid, hi);
    size_t i = lo, j = mid, k = lo;
    while (i < mid && j < hi) {
      if (greater(items[i], items[j])) {
        tmp[k++] = items[j++];
      } else {
        tmp[k++] = items[i++];
      }
    }
    while (i < mid) tmp[k++] = items[i++];
    while (j < hi) tmp[k++] = items[j++];
    for (size_t x = lo; x < hi; ++x) items[x] = tmp[x];
  };
  msort(msort, 0, items.size());
  if (err) return *err;
  return ArrayOf(std::move(items));
}

const Builtin kBuiltins[] = {
    {"map", "<af>", Map, nullptr},        {"filter", "<af>", Filter, nullptr},
    {"single", "<af?>", Single, nullptr}, {"reduce", "<afj?:j>", Reduce, nullptr},
    {"sift", "<o-f?:o>", Sift, nullptr},  {"each", "<o-f:a>", Each, nullptr},
    {"sort", "<af?:a>", Sort, nullptr},
};

}  // namespace

std::span<const Builtin> HigherOrderBuiltins() { return kBuiltins; }

}  // namespace stator::jsonata::internal
