// The evaluator's value model: what a JSONata expression computes with.
//
// A Value is one of
//   - undefined (JSONata's "no value": a missing field, an empty result),
//   - a json::Value (input data and every result that holds no function; shared, never copied),
//   - an array the evaluator built (Sequence): either a plain array value or a *result sequence*
//     with the reference's flags (sequence, keep_singleton, outer_wrapper, tuple_stream, cons),
//   - an object the evaluator built that holds function values (ObjectValue), or a tuple of a
//     tuple stream (its "@" focus and the variables bound along a path with `@` and `#`),
//   - a function (Function): a lambda with its closure, a native built-in, an extension, a
//     partial application, or a regex matcher.
// Numbers are JS doubles in meaning: arithmetic happens on doubles and a result is stored as a
// json Int when it is integral and |x| <= 2^53, as a Double otherwise (NumberValue).
//
// Ownership: Values share their payloads through reference counts; a Sequence or ObjectValue is
// filled by the code that creates it and never changed once another Value refers to it.
// Thread-safety: a Value is immutable once published and may be read from many threads; the
// evaluation that creates values is single-threaded.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json.h"
#include "jsonata/jsonata.h"

namespace stator::jsonata::internal {

struct Sequence;
struct ObjectValue;
struct Function;

class Value {
 public:
  enum class Tag : uint8_t { kUndefined, kJson, kArray, kObject, kFunction };

  Value() = default;  // undefined
  explicit Value(json::Value j) : tag_(Tag::kJson), json_(std::move(j)) {}
  explicit Value(std::shared_ptr<Sequence> s);
  explicit Value(std::shared_ptr<ObjectValue> o);
  explicit Value(std::shared_ptr<const Function> f);
  static Value FromArg(const Arg& a) { return a ? Value(*a) : Value(); }

  Tag tag() const { return tag_; }
  bool undefined() const { return tag_ == Tag::kUndefined; }
  bool is_json() const { return tag_ == Tag::kJson; }
  bool is_function() const { return tag_ == Tag::kFunction; }
  // An array of either origin (input JSON or built by the evaluator).
  bool is_array() const { return tag_ == Tag::kArray || (is_json() && json_.is_array()); }
  bool is_object() const { return tag_ == Tag::kObject || (is_json() && json_.is_object()); }
  bool is_number() const { return is_json() && json_.is_number(); }
  bool is_string() const { return is_json() && json_.is_string(); }
  bool is_bool() const { return is_json() && json_.is_bool(); }
  bool is_null() const { return is_json() && json_.is_null(); }
  bool is_sequence() const;  // a built array with the `sequence` flag

  const json::Value& json() const { return json_; }
  // Total accessors: a value of another kind (an undefined argument a signature let through,
  // say) reads as NaN / "" rather than failing.
  double number() const;
  const std::string& str() const;
  Sequence* seq() const { return static_cast<Sequence*>(ptr_.get()); }        // kArray only
  ObjectValue* obj() const { return static_cast<ObjectValue*>(ptr_.get()); }  // kObject only
  const Function* fn() const { return static_cast<const Function*>(ptr_.get()); }
  std::shared_ptr<const Function> fn_ptr() const {
    return std::static_pointer_cast<const Function>(ptr_);
  }
  std::shared_ptr<Sequence> seq_ptr() const { return std::static_pointer_cast<Sequence>(ptr_); }

  // Arrays of either origin: element count and element i (json elements wrapped).
  size_t size() const;
  Value at(size_t i) const;
  // Element i of an array that is a number, read without copying the element.
  double number_at(size_t i) const;
  // Objects of either origin: the member, or undefined.
  Value field(std::string_view key) const;
  // Objects of either origin: keys in order.
  std::vector<std::string> keys() const;

  // The value as JSON, with every function rendered as "" (std::nullopt for undefined; an
  // undefined array element or member is dropped, as JSON.stringify does).
  Arg ToArg() const;
  json::Value ToJson() const;  // undefined -> null

 private:
  Tag tag_ = Tag::kUndefined;
  json::Value json_;
  std::shared_ptr<void> ptr_;
};

struct Sequence {
  std::vector<Value> items;
  bool sequence = false;        // a result sequence (singletons unwrap, steps flatten it)
  bool keep_singleton = false;  // `[]` on a step: a one-item result stays an array
  bool outer_wrapper = false;   // the wrapper a path puts around a non-array input
  bool tuple_stream = false;    // items are tuples (ObjectValue with is_tuple)
  bool cons = false;            // built by an array constructor `[...]`: not flattened by steps
  // A range a..b kept unmaterialized: items is empty and the elements are
  // range_start, range_start + 1, ... (range_size of them). Read through Value::size()/at().
  bool is_range = false;
  double range_start = 0;
  size_t range_size = 0;
};

struct ObjectValue {
  std::vector<std::pair<std::string, Value>> members;  // insertion order, unique keys
  bool is_tuple = false;  // a tuple: "@" is the focus, the other keys bound variables
  const Value* Find(std::string_view key) const;
  void Set(std::string_view key, Value v);
};

// Makes a new built array / result sequence.
std::shared_ptr<Sequence> NewSequence(bool is_sequence = true);
Value SequenceOf(std::vector<Value> items, bool is_sequence = true);

// A number as JSONata stores it: json Int when integral and |x| <= 2^53, Double otherwise.
// (Non-finite numbers never reach here: callers raise D1001 first.)
json::Value NumberJson(double d);
// Whether NumberJson made an Infinity or NaN on this thread since the last call (inputs parsed
// from JSON never hold one, so a result needs checking only when this is true).
bool TakeNonFiniteMade();
inline Value NumberValue(double d) { return Value(NumberJson(d)); }
inline Value StringValue(std::string s) { return Value(json::Value::String(std::move(s))); }
inline Value BoolValue(bool b) { return Value(json::Value::Bool(b)); }

// JSONata's deep equality (numbers by value, objects by members regardless of order).
bool DeepEqual(const Value& a, const Value& b);

}  // namespace stator::jsonata::internal
