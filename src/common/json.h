// json::Value: the immutable JSON value that flows between states.
//
// A Value is 16 bytes: a kind tag and either a scalar (bool, int64, double) or a pointer to a
// reference-counted, immutable heap node (string, array, object). Copying a Value is a pointer
// bump, so a state that passes its input on unchanged copies nothing. "Modifying" a value (With,
// Append) builds a new node that shares the unchanged children with the old one.
//
// Numbers keep integers and doubles apart, as Jackson (the JSON library behind Step Functions)
// does: "1" parses to an Int, "1.0" and "1e0" to a Double, and they print back the same way
// (see Dump for the exact number format). Objects keep their key order.
//
// Thread-safety: a Value may be read and copied from any number of threads at once; the
// reference counts are atomic and nodes are never mutated after construction.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace stator::json {

enum class Kind : uint8_t { kNull, kBool, kInt, kDouble, kString, kArray, kObject };

class Value;
using Array = std::vector<Value>;
using Member = std::pair<std::string, Value>;
using Object = std::vector<Member>;  // in insertion order; keys are unique

namespace internal {
struct Node {
  mutable std::atomic<uint32_t> refs{1};
};
struct StringNode;
struct ArrayNode;
struct ObjectNode;
}  // namespace internal

class Value {
 public:
  Value() noexcept : kind_(Kind::kNull), i_(0) {}
  Value(const Value& o) noexcept : kind_(o.kind_), i_(o.i_) { Ref(); }
  Value(Value&& o) noexcept : kind_(o.kind_), i_(o.i_) {
    o.kind_ = Kind::kNull;
    o.i_ = 0;
  }
  Value& operator=(const Value& o) noexcept {
    if (this != &o) {
      o.Ref();
      Unref();
      kind_ = o.kind_;
      i_ = o.i_;
    }
    return *this;
  }
  Value& operator=(Value&& o) noexcept {
    if (this != &o) {
      Unref();
      kind_ = o.kind_;
      i_ = o.i_;
      o.kind_ = Kind::kNull;
      o.i_ = 0;
    }
    return *this;
  }
  ~Value() { Unref(); }

  // Factories. (No implicit constructors: "abc" must not silently become a bool.)
  static Value Null() { return Value(); }
  static Value Bool(bool b);
  static Value Int(int64_t i);
  static Value Double(double d);
  static Value String(std::string s);
  static Value MakeArray(Array items);
  static Value MakeObject(Object members);  // caller guarantees unique keys
  static Value EmptyObject();
  static Value EmptyArray();

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_int() const { return kind_ == Kind::kInt; }
  bool is_double() const { return kind_ == Kind::kDouble; }
  bool is_number() const { return kind_ == Kind::kInt || kind_ == Kind::kDouble; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool is_object() const { return kind_ == Kind::kObject; }

  // Accessors; calling the wrong one is a programming error (asserted).
  bool as_bool() const;
  int64_t as_int() const;
  double as_double() const;  // Int or Double, as a double
  const std::string& as_string() const;
  const Array& as_array() const;
  const Object& as_object() const;

  // Object member by key, or nullptr (also when this is not an object).
  const Value* Find(std::string_view key) const;
  // A copy of this object with key set to v: replaced in place if present, else appended.
  // This must be an object.
  Value With(std::string_view key, Value v) const;
  // A copy of this array with v appended. This must be an array.
  Value Append(Value v) const;

  // Deep, type-strict equality: Int 1 != Double 1.0, object key order does not matter.
  bool operator==(const Value& o) const;
  bool operator!=(const Value& o) const { return !(*this == o); }

  // Compact JSON text, as Step Functions prints it (no spaces; '/' and non-ASCII not escaped;
  // doubles in Java's Double.toString form: 1.0, 1.5E10, 1.0E-5).
  std::string Dump() const;
  void DumpTo(std::string* out) const;

  // Human-readable name of the kind as AWS uses it in messages ("string", "number", "object",
  // "array", "boolean", "null").
  const char* TypeName() const;

 private:
  void Ref() const {
    if (kind_ >= Kind::kString) node_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  void Unref();

  Kind kind_;
  union {
    bool b_;
    int64_t i_;
    double d_;
    const internal::Node* node_;
  };
};

// Parses one JSON text (RFC 8259; surrounding whitespace allowed). The Error's cause names the
// problem and its byte offset. Integers that fit int64 become Int; other numbers become Double.
Result<Value> Parse(std::string_view text);

// Appends s as a JSON string literal (with quotes) to out.
void AppendQuoted(std::string_view s, std::string* out);
// Appends a double in Java's Double.toString form.
void AppendDouble(double d, std::string* out);

}  // namespace stator::json
