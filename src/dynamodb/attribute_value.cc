#include "dynamodb/attribute_value.h"

#include <algorithm>

#include "common/base64.h"
#include "dynamodb/errors.h"
#include "dynamodb/number.h"

namespace stator::dynamodb {
namespace {

constexpr const char* kTypeNames[] = {"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"};

// A B or BS element: padded base64, the URL-safe letters taken too (as DynamoDB's decoder does).
Result<std::string> DecodeBlob(std::string_view text) {
  auto bytes = Base64Decode(text, Base64Padding::kRequired, Base64Letters::kStandardOrUrlSafe);
  if (!bytes.ok()) {
    return Serialization("Base64 encoded length is expected a multiple of 4 bytes but found: " +
                         std::to_string(text.size()));
  }
  return bytes;
}

Error WrongJsonType(const json::Value& v, const char* expected) {
  // Coral's deserializer names the JSON token it found.
  std::string found = v.is_string()   ? "STRING_VALUE"
                      : v.is_number() ? "NUMBER_VALUE"
                      : v.is_bool()   ? (v.as_bool() ? "VALUE_TRUE" : "VALUE_FALSE")
                      : v.is_array()  ? "START_ARRAY"
                      : v.is_object() ? "START_OBJECT"
                                      : "VALUE_NULL";
  return Serialization(found + " cannot be converted to " + expected);
}

int CompareBytes(const std::string& a, const std::string& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    auto x = static_cast<unsigned char>(a[i]);
    auto y = static_cast<unsigned char>(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

bool NumberTextEqual(const std::string& a, const std::string& b) {
  // Canonical texts are equal exactly when the numbers are.
  return a == b;
}

const char* SetName(AttrType t) {
  return t == AttrType::kSS ? "string" : t == AttrType::kNS ? "number" : "binary";
}

Result<AttrValue> ParseSet(AttrType t, const json::Value& v) {
  if (!v.is_array()) return WrongJsonType(v, "List");
  AttrValue out;
  out.type = t;
  if (v.as_array().empty()) {
    return Validation(std::string("One or more parameter values were invalid: An ") + SetName(t) +
                      " set  may not be empty");
  }
  std::vector<std::string> shown;
  bool duplicate = false;
  for (const json::Value& e : v.as_array()) {
    if (!e.is_string()) return WrongJsonType(e, "String");
    std::string element;
    if (t == AttrType::kSS) {
      element = e.as_string();
    } else if (t == AttrType::kNS) {
      STATOR_TRY(Number n, Number::Parse(e.as_string()));
      element = n.ToString();
    } else if (auto bytes = DecodeBlob(e.as_string()); bytes.ok()) {
      element = std::move(bytes).value();
    } else {
      return std::move(bytes).error();
    }
    shown.push_back(e.as_string());
    if (std::find(out.set.begin(), out.set.end(), element) != out.set.end()) {
      duplicate = true;
    } else {
      out.set.push_back(std::move(element));
    }
  }
  if (duplicate) {
    std::string list;
    for (const std::string& s : shown) list += (list.empty() ? "" : ", ") + s;
    return Validation("One or more parameter values were invalid: Input collection [" + list +
                      "] contains duplicates.");
  }
  return out;
}

}  // namespace

const char* TypeName(AttrType t) { return kTypeNames[static_cast<int>(t)]; }

bool TypeFromName(std::string_view name, AttrType* out) {
  for (int i = 0; i < 10; ++i) {
    if (name == kTypeNames[i]) {
      *out = static_cast<AttrType>(i);
      return true;
    }
  }
  return false;
}

namespace {

// A value of a scalar type (S, N or B) whose text or bytes are scalar.
AttrValue Scalar(AttrType type, std::string scalar) {
  AttrValue v;
  v.type = type;
  v.scalar = std::move(scalar);
  return v;
}

}  // namespace

AttrValue AttrValue::String(std::string s) { return Scalar(AttrType::kS, std::move(s)); }
AttrValue AttrValue::Num(std::string canonical) {
  return Scalar(AttrType::kN, std::move(canonical));
}
AttrValue AttrValue::Binary(std::string bytes) { return Scalar(AttrType::kB, std::move(bytes)); }
AttrValue AttrValue::Bool(bool b) {
  AttrValue v;
  v.type = AttrType::kBool;
  v.boolean = b;
  return v;
}
AttrValue AttrValue::Null() { return AttrValue(); }
AttrValue AttrValue::List(std::vector<AttrValue> items) {
  AttrValue v;
  v.type = AttrType::kL;
  v.list = std::move(items);
  return v;
}
AttrValue AttrValue::Map(AttrMap m) {
  AttrValue v;
  v.type = AttrType::kM;
  v.map = std::move(m);
  return v;
}

bool AttrValue::operator==(const AttrValue& o) const {
  if (type != o.type) return false;
  switch (type) {
    case AttrType::kS:
    case AttrType::kB:
      return scalar == o.scalar;
    case AttrType::kN:
      return NumberTextEqual(scalar, o.scalar);
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS:
      if (set.size() != o.set.size()) return false;
      for (const std::string& e : set) {
        if (std::find(o.set.begin(), o.set.end(), e) == o.set.end()) return false;
      }
      return true;
    case AttrType::kM:
      if (map.size() != o.map.size()) return false;
      for (size_t i = 0; i < map.size(); ++i) {
        if (map[i].name != o.map[i].name || map[i].value != o.map[i].value) return false;
      }
      return true;
    case AttrType::kL:
      if (list.size() != o.list.size()) return false;
      for (size_t i = 0; i < list.size(); ++i) {
        if (list[i] != o.list[i]) return false;
      }
      return true;
    case AttrType::kNull:
      return true;
    case AttrType::kBool:
      return boolean == o.boolean;
  }
  return false;
}

const AttrValue* Find(const AttrMap& m, std::string_view name) {
  auto it = std::lower_bound(m.begin(), m.end(), name,
                             [](const MapEntry& e, std::string_view n) { return e.name < n; });
  return it != m.end() && it->name == name ? &it->value : nullptr;
}

AttrValue* FindMutable(AttrMap& m, std::string_view name) {
  return const_cast<AttrValue*>(Find(m, name));
}

void Set(AttrMap& m, std::string name, AttrValue v) {
  auto it = std::lower_bound(m.begin(), m.end(), name,
                             [](const MapEntry& e, const std::string& n) { return e.name < n; });
  if (it != m.end() && it->name == name) {
    it->value = std::move(v);
  } else {
    m.insert(it, MapEntry{std::move(name), std::move(v)});
  }
}

bool Erase(AttrMap& m, std::string_view name) {
  auto it = std::lower_bound(m.begin(), m.end(), name,
                             [](const MapEntry& e, std::string_view n) { return e.name < n; });
  if (it == m.end() || it->name != name) return false;
  m.erase(it);
  return true;
}

Result<AttrValue> AttrFromJson(const json::Value& v) {
  if (!v.is_object()) return WrongJsonType(v, "AttributeValue");
  const json::Object& members = v.as_object();
  if (members.empty()) {
    return Validation(
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  }
  if (members.size() > 1) {
    return Validation(
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
        "the supported datatypes");
  }
  const std::string& key = members[0].first;
  const json::Value& body = members[0].second;
  AttrType t;
  if (!TypeFromName(key, &t)) {
    return Serialization("Unexpected field type: " + key);
  }
  switch (t) {
    case AttrType::kS:
      if (!body.is_string()) return WrongJsonType(body, "String");
      return AttrValue::String(body.as_string());
    case AttrType::kN: {
      if (!body.is_string()) return WrongJsonType(body, "String");
      STATOR_TRY(Number n, Number::Parse(body.as_string()));
      return AttrValue::Num(n.ToString());
    }
    case AttrType::kB: {
      if (!body.is_string()) return WrongJsonType(body, "Blob");
      STATOR_TRY(std::string bytes, DecodeBlob(body.as_string()));
      return AttrValue::Binary(std::move(bytes));
    }
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS:
      return ParseSet(t, body);
    case AttrType::kM: {
      STATOR_TRY(AttrMap m, MapFromJson(body));
      return AttrValue::Map(std::move(m));
    }
    case AttrType::kL: {
      if (!body.is_array()) return WrongJsonType(body, "List");
      std::vector<AttrValue> items;
      items.reserve(body.as_array().size());
      for (const json::Value& e : body.as_array()) {
        STATOR_TRY(AttrValue item, AttrFromJson(e));
        items.push_back(std::move(item));
      }
      return AttrValue::List(std::move(items));
    }
    case AttrType::kNull:
      if (!body.is_bool()) return WrongJsonType(body, "Boolean");
      if (!body.as_bool()) {
        return Validation(
            "One or more parameter values were invalid: Null attribute value types must have the "
            "value of true");
      }
      return AttrValue::Null();
    case AttrType::kBool:
      if (!body.is_bool()) return WrongJsonType(body, "Boolean");
      return AttrValue::Bool(body.as_bool());
  }
  return Validation("unreachable");
}

Result<AttrMap> MapFromJson(const json::Value& v) {
  if (!v.is_object()) return WrongJsonType(v, "Map");
  AttrMap m;
  m.reserve(v.as_object().size());
  for (const auto& [name, value] : v.as_object()) {
    STATOR_TRY(AttrValue a, AttrFromJson(value));
    Set(m, name, std::move(a));
  }
  return m;
}

json::Value AttrToJson(const AttrValue& v) {
  json::Value body;
  switch (v.type) {
    case AttrType::kS:
    case AttrType::kN:
      body = json::Value::String(v.scalar);
      break;
    case AttrType::kB:
      body = json::Value::String(Base64Encode(v.scalar));
      break;
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS: {
      json::Array a;
      for (const std::string& e : v.set) {
        a.push_back(json::Value::String(v.type == AttrType::kBS ? Base64Encode(e) : e));
      }
      body = json::Value::MakeArray(std::move(a));
      break;
    }
    case AttrType::kM:
      body = MapToJson(v.map);
      break;
    case AttrType::kL: {
      json::Array a;
      for (const AttrValue& e : v.list) a.push_back(AttrToJson(e));
      body = json::Value::MakeArray(std::move(a));
      break;
    }
    case AttrType::kNull:
      body = json::Value::Bool(true);
      break;
    case AttrType::kBool:
      body = json::Value::Bool(v.boolean);
      break;
  }
  return json::Value::MakeObject({{TypeName(v.type), std::move(body)}});
}

json::Value MapToJson(const AttrMap& m) {
  json::Object o;
  o.reserve(m.size());
  for (const MapEntry& e : m) o.emplace_back(e.name, AttrToJson(e.value));
  return json::Value::MakeObject(std::move(o));
}

namespace {
int64_t NumberSize(const std::string& canonical) {
  int64_t digits = 0;
  for (char c : canonical) digits += (c >= '0' && c <= '9');
  // Leading zeros of "0.00x" are not significant; trailing zeros of integers neither.
  auto n = Number::Parse(canonical);
  if (n.ok()) digits = static_cast<int64_t>(n->precision());
  return (digits + 1) / 2 + 1;
}
}  // namespace

int64_t AttrSize(const AttrValue& v) {
  switch (v.type) {
    case AttrType::kS:
    case AttrType::kB:
      return static_cast<int64_t>(v.scalar.size());
    case AttrType::kN:
      return NumberSize(v.scalar);
    case AttrType::kSS:
    case AttrType::kBS: {
      int64_t n = 0;
      for (const std::string& e : v.set) n += static_cast<int64_t>(e.size());
      return n;
    }
    case AttrType::kNS: {
      int64_t n = 0;
      for (const std::string& e : v.set) n += NumberSize(e);
      return n;
    }
    case AttrType::kM: {
      int64_t n = 3;
      for (const MapEntry& e : v.map)
        n += 1 + static_cast<int64_t>(e.name.size()) + AttrSize(e.value);
      return n;
    }
    case AttrType::kL: {
      int64_t n = 3;
      for (const AttrValue& e : v.list) n += 1 + AttrSize(e);
      return n;
    }
    case AttrType::kNull:
    case AttrType::kBool:
      return 1;
  }
  return 0;
}

int64_t ItemSize(const AttrMap& m) {
  int64_t n = 0;
  for (const MapEntry& e : m) n += static_cast<int64_t>(e.name.size()) + AttrSize(e.value);
  return n;
}

int CompareScalar(const AttrValue& a, const AttrValue& b) {
  if (a.type == AttrType::kN && b.type == AttrType::kN) {
    auto x = Number::Parse(a.scalar);
    auto y = Number::Parse(b.scalar);
    if (x.ok() && y.ok()) return x->Compare(*y);
  }
  return CompareBytes(a.scalar, b.scalar);
}

std::string EncodeKey(const AttrValue& v) {
  std::string out = TypeName(v.type);
  out += ':';
  out += v.type == AttrType::kB ? Base64Encode(v.scalar) : v.scalar;
  return out;
}

std::string DescribeForMessage(const AttrValue& v) {
  std::string body;
  switch (v.type) {
    case AttrType::kS:
    case AttrType::kN:
      body = v.scalar;
      break;
    case AttrType::kB:
      body = Base64Encode(v.scalar);
      break;
    default:
      body = AttrToJson(v).Dump();
  }
  return std::string("{") + TypeName(v.type) + ":" + body + "}";
}

}  // namespace stator::dynamodb
