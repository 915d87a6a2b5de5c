#include "jsonata/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "jsonata/function.h"

namespace stator::jsonata::internal {

Value::Value(std::shared_ptr<Sequence> s) : tag_(Tag::kArray), ptr_(std::move(s)) {}
Value::Value(std::shared_ptr<ObjectValue> o) : tag_(Tag::kObject), ptr_(std::move(o)) {}
Value::Value(std::shared_ptr<const Function> f)
    : tag_(Tag::kFunction), ptr_(std::const_pointer_cast<Function>(std::move(f))) {}

bool Value::is_sequence() const { return tag_ == Tag::kArray && seq()->sequence; }

size_t Value::size() const {
  if (tag_ == Tag::kArray) return seq()->is_range ? seq()->range_size : seq()->items.size();
  if (is_json() && json_.is_array()) return json_.as_array().size();
  return 0;
}

Value Value::at(size_t i) const {
  if (tag_ == Tag::kArray) {
    const Sequence* s = seq();
    return s->is_range ? NumberValue(s->range_start + static_cast<double>(i)) : s->items[i];
  }
  return Value(json_.as_array()[i]);
}

double Value::number() const {
  if (tag_ == Tag::kJson && json_.is_number()) return json_.as_double();
  return std::numeric_limits<double>::quiet_NaN();
}

const std::string& Value::str() const {
  static const std::string kEmpty;
  if (tag_ == Tag::kJson && json_.is_string()) return json_.as_string();
  return kEmpty;
}

double Value::number_at(size_t i) const {
  if (tag_ == Tag::kArray) {
    const Sequence* s = seq();
    return s->is_range ? s->range_start + static_cast<double>(i) : s->items[i].number();
  }
  const json::Value& e = json_.as_array()[i];
  return e.is_number() ? e.as_double() : std::numeric_limits<double>::quiet_NaN();
}

Value Value::field(std::string_view key) const {
  if (tag_ == Tag::kObject) {
    const Value* v = obj()->Find(key);
    return v ? *v : Value();
  }
  if (is_json() && json_.is_object()) {
    const json::Value* v = json_.Find(key);
    return v ? Value(*v) : Value();
  }
  return Value();
}

std::vector<std::string> Value::keys() const {
  std::vector<std::string> out;
  if (tag_ == Tag::kObject) {
    for (const auto& [k, v] : obj()->members) out.push_back(k);
  } else if (is_json() && json_.is_object()) {
    for (const auto& [k, v] : json_.as_object()) out.push_back(k);
  }
  return out;
}

Arg Value::ToArg() const {
  switch (tag_) {
    case Tag::kUndefined:
      return std::nullopt;
    case Tag::kJson:
      return json_;
    case Tag::kFunction:
      return json::Value::String("");
    case Tag::kArray: {
      json::Array items;
      size_t n = size();
      items.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        Arg a = at(i).ToArg();
        items.push_back(a ? std::move(*a) : json::Value::Null());
      }
      return json::Value::MakeArray(std::move(items));
    }
    case Tag::kObject: {
      json::Object members;
      for (const auto& [k, v] : obj()->members) {
        Arg a = v.ToArg();
        if (a) members.emplace_back(k, std::move(*a));
      }
      return json::Value::MakeObject(std::move(members));
    }
  }
  return std::nullopt;
}

json::Value Value::ToJson() const {
  Arg a = ToArg();
  return a ? std::move(*a) : json::Value::Null();
}

const Value* ObjectValue::Find(std::string_view key) const {
  for (const auto& [k, v] : members) {
    if (k == key) return &v;
  }
  return nullptr;
}

void ObjectValue::Set(std::string_view key, Value v) {
  for (auto& [k, old] : members) {
    if (k == key) {
      old = std::move(v);
      return;
    }
  }
  members.emplace_back(std::string(key), std::move(v));
}

std::shared_ptr<Sequence> NewSequence(bool is_sequence) {
  auto s = std::make_shared<Sequence>();
  s->sequence = is_sequence;
  return s;
}

Value SequenceOf(std::vector<Value> items, bool is_sequence) {
  auto s = NewSequence(is_sequence);
  s->items = std::move(items);
  return Value(std::move(s));
}

thread_local bool non_finite_made = false;

bool TakeNonFiniteMade() {
  bool made = non_finite_made;
  non_finite_made = false;
  return made;
}

json::Value NumberJson(double d) {
  if (!std::isfinite(d)) non_finite_made = true;
  if (d == std::floor(d) && std::fabs(d) <= 9007199254740992.0) {
    if (d == 0 && std::signbit(d)) return json::Value::Int(0);
    return json::Value::Int(static_cast<int64_t>(d));
  }
  return json::Value::Double(d);
}

bool DeepEqual(const Value& a, const Value& b) {
  if (a.undefined() || b.undefined()) return a.undefined() && b.undefined();
  if (a.is_function() || b.is_function())
    return a.is_function() && b.is_function() && a.fn() == b.fn();
  if (a.is_json() && b.is_json()) {
    const json::Value& x = a.json();
    const json::Value& y = b.json();
    if (x.is_number() && y.is_number()) return x.as_double() == y.as_double();
    if (x.kind() != y.kind()) return false;
    if (!x.is_array() && !x.is_object()) return x == y;
  }
  if (a.is_number() || b.is_number() || a.is_string() || b.is_string() || a.is_bool() ||
      b.is_bool() || a.is_null() || b.is_null()) {
    return false;
  }
  if (a.is_array() && b.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!DeepEqual(a.at(i), b.at(i))) return false;
    }
    return true;
  }
  if (a.is_object() && b.is_object()) {
    std::vector<std::string> ka = a.keys();
    if (ka.size() != b.keys().size()) return false;
    for (const std::string& k : ka) {
      Value bv = b.field(k);
      if (bv.undefined() || !DeepEqual(a.field(k), bv)) return false;
    }
    return true;
  }
  return false;
}

}  // namespace stator::jsonata::internal
