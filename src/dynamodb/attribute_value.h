// AttributeValue: one DynamoDB value of any type (S, N, B, SS, NS, BS, M, L, NULL, BOOL), and
// Item, the attribute map of one item.
//
// Values arrive and leave in DynamoDB's JSON wire form ({"S": "x"}, {"N": "1.5"}, {"B": base64},
// {"SS": [...]}, {"M": {...}}, {"L": [...]}, {"NULL": true}, {"BOOL": false}). Inside stator, N
// holds the canonical number text (see number.h), B and BS hold raw bytes (not base64), sets keep
// their first-seen order without duplicates, and maps (M and items) are sorted by name.
//
// Ordering for keys (Query): N numerically, S and B bytewise as unsigned bytes (UTF-8 for S).
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/result.h"

namespace stator::dynamodb {

enum class AttrType : uint8_t { kS, kN, kB, kSS, kNS, kBS, kM, kL, kNull, kBool };
// "S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL".
const char* TypeName(AttrType t);
// The type named by `name`, or false.
bool TypeFromName(std::string_view name, AttrType* out);

struct MapEntry;
using AttrMap = std::vector<MapEntry>;  // sorted by name, names unique

struct AttrValue {
  AttrType type = AttrType::kNull;
  std::string scalar;            // S text, N canonical text, B raw bytes
  bool boolean = true;           // BOOL value (NULL is always true)
  std::vector<std::string> set;  // SS text, NS canonical text, BS raw bytes
  std::vector<AttrValue> list;   // L
  AttrMap map;                   // M

  static AttrValue String(std::string s);
  static AttrValue Num(std::string canonical);
  static AttrValue Binary(std::string bytes);
  static AttrValue Bool(bool b);
  static AttrValue Null();
  static AttrValue List(std::vector<AttrValue> items);
  static AttrValue Map(AttrMap m);

  bool is_set() const {
    return type == AttrType::kSS || type == AttrType::kNS || type == AttrType::kBS;
  }
  // Deep equality (number sets and numbers by value, sets regardless of order).
  bool operator==(const AttrValue& o) const;
  bool operator!=(const AttrValue& o) const { return !(*this == o); }
};

struct MapEntry {
  std::string name;
  AttrValue value;
  bool operator==(const MapEntry& o) const { return name == o.name && value == o.value; }
};

using Item = AttrMap;

// Map helpers (keep the map sorted).
const AttrValue* Find(const AttrMap& m, std::string_view name);
AttrValue* FindMutable(AttrMap& m, std::string_view name);
void Set(AttrMap& m, std::string name, AttrValue v);
bool Erase(AttrMap& m, std::string_view name);

// Parses one wire-form value. Errors are Error{code, message} with code "ValidationException"
// or "SerializationException" and DynamoDB's messages.
Result<AttrValue> AttrFromJson(const json::Value& v);
// Parses a wire-form attribute map ({"name": {"S": ...}, ...}).
Result<AttrMap> MapFromJson(const json::Value& v);
json::Value AttrToJson(const AttrValue& v);
json::Value MapToJson(const AttrMap& m);

// The size DynamoDB charges for a value / an item (names + values), in bytes.
int64_t AttrSize(const AttrValue& v);
int64_t ItemSize(const AttrMap& m);
inline constexpr int64_t kMaxItemSize = 400 * 1024;

// Orders two key values of the same scalar type (S, N or B): <0, 0, >0.
int CompareScalar(const AttrValue& a, const AttrValue& b);

// A text that identifies a scalar key value (S, N or B) with its type, for storage and
// duplicate detection ("S:abc", "N:1.5", "B:<base64>"). Not order-preserving.
std::string EncodeKey(const AttrValue& v);

// The text DynamoDB shows for a value in messages: "{N:10}" style, as in
// "AttributeValue: {N:10}" (S:x, N:1, B:...).
std::string DescribeForMessage(const AttrValue& v);

}  // namespace stator::dynamodb
