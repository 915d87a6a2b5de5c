// Object built-ins: $keys, $lookup, $spread, $merge, $error, $assert, $type, $clone.
#include <unordered_set>

#include "jsonata/builtins.h"
#include "jsonata/evaluator.h"

namespace stator::jsonata::internal {
namespace {

const Value& A(std::span<const Value> args, size_t i) {
  static const Value kUndefined;
  return i < args.size() ? args[i] : kUndefined;
}

void KeysInto(const Value& v, std::vector<std::string>* out,
              std::unordered_set<std::string>* seen) {
  if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i) KeysInto(v.at(i), out, seen);
  } else if (v.is_object()) {
    for (std::string& k : v.keys()) {
      if (seen->insert(k).second) out->push_back(std::move(k));
    }
  }
}

Result<Value, Error> Keys(Call&, std::span<const Value> args) {
  std::vector<std::string> keys;
  std::unordered_set<std::string> seen;
  KeysInto(A(args, 0), &keys, &seen);
  auto s = NewSequence(true);
  for (std::string& k : keys) s->items.push_back(StringValue(std::move(k)));
  return Value(std::move(s));
}

Value LookupIn(const Value& input, const std::string& key) {
  if (input.is_array()) {
    auto out = NewSequence(true);
    for (size_t i = 0; i < input.size(); ++i) {
      Value r = LookupIn(input.at(i), key);
      if (r.undefined()) continue;
      if (r.is_array()) {
        for (Value& v : Elements(r)) out->items.push_back(std::move(v));
      } else {
        out->items.push_back(std::move(r));
      }
    }
    return Value(std::move(out));
  }
  if (input.is_object()) return input.field(key);
  return Value();
}

Result<Value, Error> Lookup(Call&, std::span<const Value> args) {
  const Value& key = A(args, 1);
  if (!key.is_string()) return Value();
  return LookupIn(A(args, 0), key.str());
}

Value SpreadOf(const Value& v) {
  if (v.is_array()) {
    Value result = SequenceOf({});
    for (size_t i = 0; i < v.size(); ++i) result = Append(result, SpreadOf(v.at(i)));
    return result;
  }
  if (v.is_object()) {
    auto s = NewSequence(true);
    for (const std::string& k : v.keys()) {
      Value m = v.field(k);
      if (m.is_json()) {
        s->items.push_back(Value(json::Value::MakeObject({{k, m.json()}})));
      } else {
        auto o = std::make_shared<ObjectValue>();
        o->Set(k, m);
        s->items.push_back(Value(std::move(o)));
      }
    }
    return Value(std::move(s));
  }
  return v;
}

Result<Value, Error> Spread(Call&, std::span<const Value> args) { return SpreadOf(A(args, 0)); }

Result<Value, Error> Merge(Call&, std::span<const Value> args) {
  const Value& a = A(args, 0);
  if (a.undefined()) return Value();
  auto o = std::make_shared<ObjectValue>();
  bool all_json = true;
  for (size_t i = 0; i < a.size(); ++i) {
    Value item = a.at(i);
    for (const std::string& k : item.keys()) {
      Value m = item.field(k);
      if (!m.is_json()) all_json = false;
      o->Set(k, std::move(m));
    }
  }
  if (all_json) {
    json::Object obj;
    for (auto& [k, v] : o->members) obj.emplace_back(k, v.json());
    return Value(json::Value::MakeObject(std::move(obj)));
  }
  return Value(std::move(o));
}

Result<Value, Error> ErrorFn(Call& call, std::span<const Value> args) {
  const Value& m = A(args, 0);
  std::string msg = m.is_string() ? m.str() : "$error() function evaluated";
  Error e = MakeError("D3137", -1, {{"message", msg}});
  return e;
}

Result<Value, Error> Assert(Call& call, std::span<const Value> args) {
  const Value& c = A(args, 0);
  if (!(c.is_bool() && c.json().as_bool())) {
    const Value& m = A(args, 1);
    std::string msg = m.is_string() ? m.str() : "$assert() statement failed";
    Error e = MakeError("D3141", -1, {{"message", msg}});
    return e;
  }
  return Value();
}

Result<Value, Error> Type(Call&, std::span<const Value> args) {
  const Value& v = A(args, 0);
  if (v.undefined()) return Value();
  if (v.is_function()) return StringValue("function");
  if (v.is_null()) return StringValue("null");
  if (v.is_number()) return StringValue("number");
  if (v.is_string()) return StringValue("string");
  if (v.is_bool()) return StringValue("boolean");
  if (v.is_array()) return StringValue("array");
  return StringValue("object");
}

Result<Value, Error> Clone(Call&, std::span<const Value> args) {
  const Value& v = A(args, 0);
  if (v.undefined()) return Value();
  return Value(v.ToJson());  // values are immutable: a clone is the value itself
}

const Builtin kBuiltins[] = {
    {"keys", "<x-:a<s>>", Keys, nullptr},     {"lookup", "<x-s:x>", Lookup, nullptr},
    {"spread", "<x-:a<o>>", Spread, nullptr}, {"merge", "<a<o>:o>", Merge, nullptr},
    {"error", "<s?:x>", ErrorFn, nullptr},    {"assert", "<bs?:x>", Assert, nullptr},
    {"type", "<x:s>", Type, nullptr},         {"clone", "<(oa)-:o>", Clone, nullptr},
};

}  // namespace

std::span<const Builtin> ObjectBuiltins() { return kBuiltins; }

}  // namespace stator::jsonata::internal
