// Reading and writing the protocol's JSON fields: the small helpers every action file uses.
// A missing member, or one of another type, reads as absent ("" for strings).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "common/json.h"

namespace stator::knix {

inline json::Value S(std::string s) { return json::Value::String(std::move(s)); }

// object[key], or nullptr when object is not an object or has no such member.
inline const json::Value* Member(const json::Value& object, std::string_view key) {
  return object.is_object() ? object.Find(key) : nullptr;
}

inline bool IsString(const json::Value* v) { return v != nullptr && v->is_string(); }

// object[key] when it is a string, else "".
inline std::string Str(const json::Value& object, std::string_view key) {
  const json::Value* v = Member(object, key);
  return IsString(v) ? v->as_string() : std::string();
}

// A base64 field as uploaded: KNIX's server turns ' ' back into '+' (form encoding may have
// made the one of the other), and so does stator.
inline std::string Base64Field(std::string text) {
  for (char& c : text) {
    if (c == ' ') c = '+';
  }
  return text;
}

}  // namespace stator::knix
