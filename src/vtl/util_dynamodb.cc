// $util.dynamodb: values to DynamoDB's typed attribute form ({"S": "x"}, {"N": 1},
// {"M": {...}}, ...) as AppSync's reference shows them: numbers stay JSON numbers under "N",
// null is {"NULL": null}, lists are "L" (never sets unless asked). Each helper has an object
// form and a ...Json form giving the same as JSON text.
#include <charconv>
#include <cstdlib>

#include "vtl/runtime.h"

namespace stator::vtl {

namespace {

Value Typed(const char* type, Value v) {
  Value m = Value::NewMap();
  m.as_map().Put(type, std::move(v));
  return m;
}

// A container inside itself (or a walk too big, see Walk) is cut to {"NULL": null}.
Value ToDynamoDb(const Value& v, Walk* walk) {
  Walk::Visit visit(walk, v);
  if (!visit.ok()) return Typed("NULL", Value());
  switch (v.type()) {
    case Value::Type::kNull:
      return Typed("NULL", Value());
    case Value::Type::kBool:
      return Typed("BOOL", v);
    case Value::Type::kInt:
    case Value::Type::kDouble:
      return Typed("N", v);
    case Value::Type::kString:
      return Typed("S", v);
    case Value::Type::kList: {
      Value l = Value::NewList();
      List& from = v.as_list();
      for (size_t i = 0; i < from.size(); ++i) l.as_list().Add(ToDynamoDb(from.At(i), walk));
      return Typed("L", std::move(l));
    }
    case Value::Type::kMap: {
      Value m = Value::NewMap();
      Map& from = v.as_map();
      for (size_t i = 0; i < from.size(); ++i) {
        m.as_map().Put(from.KeyAt(i), ToDynamoDb(from.ValueAt(i), walk));
      }
      return Typed("M", std::move(m));
    }
  }
  return Value();
}

// A set ("SS", "NS", "BS") of the list's items, each checked by ok.
bool ToSet(const char* type, const Value& v, bool (*ok)(const Value&), Value* out) {
  if (!v.is_list()) return false;
  Value l = Value::NewList();
  List& from = v.as_list();
  for (size_t i = 0; i < from.size(); ++i) {
    if (!ok(from.At(i))) return false;
    l.as_list().Add(from.At(i));
  }
  *out = Typed(type, std::move(l));
  return true;
}

bool IsString(const Value& v) { return v.is_string(); }
bool IsNumber(const Value& v) { return v.is_number(); }

Value ParseNumber(const std::string& s) {
  int64_t i = 0;
  auto res = std::from_chars(s.data(), s.data() + s.size(), i);
  if (res.ec == std::errc() && res.ptr == s.data() + s.size()) return Value::Int(i);
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (!s.empty() && end == s.c_str() + s.size()) return Value::Double(d);
  return Value::String(s);
}

// The inverse of ToDynamoDb: {"S": "x"} is "x", {"N": "1"} is 1, {"M": {...}} a map, ...
Value FromDynamoDb(const Value& v, Walk* walk) {
  Walk::Visit visit(walk, v);
  if (!visit.ok()) return Value();
  if (!v.is_map() || v.as_map().size() != 1) return v;
  Map& m = v.as_map();
  const std::string& type = m.KeyAt(0);
  Value& inner = m.ValueAt(0);
  if (type == "S" || type == "B" || type == "BOOL") return inner;
  if (type == "NULL") return Value();
  if (type == "N") return inner.is_string() ? ParseNumber(inner.as_string()) : inner;
  if ((type == "L" || type == "SS" || type == "NS" || type == "BS") && inner.is_list()) {
    Value l = Value::NewList();
    List& from = inner.as_list();
    for (size_t i = 0; i < from.size(); ++i) {
      Value item = from.At(i);
      if (type == "L") item = FromDynamoDb(item, walk);
      if (type == "NS" && item.is_string()) item = ParseNumber(item.as_string());
      l.as_list().Add(std::move(item));
    }
    return l;
  }
  if (type == "M" && inner.is_map()) {
    Value out = Value::NewMap();
    Map& from = inner.as_map();
    for (size_t i = 0; i < from.size(); ++i) {
      out.as_map().Put(from.KeyAt(i), FromDynamoDb(from.ValueAt(i), walk));
    }
    return out;
  }
  return v;
}

// The object form of helper `name` (without "Json"); false when it does not take these args.
bool ObjectForm(std::string_view name, std::vector<Value>& args, Value* out) {
  size_t n = args.size();
  Walk walk;
  if (name == "toDynamoDB" && n == 1) {
    *out = ToDynamoDb(args[0], &walk);
  } else if (name == "toString" && n == 1 && args[0].is_string()) {
    *out = Typed("S", args[0]);
  } else if (name == "toStringSet" && n == 1) {
    return ToSet("SS", args[0], IsString, out);
  } else if (name == "toNumber" && n == 1 && args[0].is_number()) {
    *out = Typed("N", args[0]);
  } else if (name == "toNumberSet" && n == 1) {
    return ToSet("NS", args[0], IsNumber, out);
  } else if (name == "toBinary" && n == 1 && args[0].is_string()) {
    *out = Typed("B", args[0]);
  } else if (name == "toBinarySet" && n == 1) {
    return ToSet("BS", args[0], IsString, out);
  } else if (name == "toBoolean" && n == 1 && args[0].is_bool()) {
    *out = Typed("BOOL", args[0]);
  } else if (name == "toNull" && n == 0) {
    *out = Typed("NULL", Value());
  } else if (name == "toList" && n == 1 && args[0].is_list()) {
    *out = ToDynamoDb(args[0], &walk);
  } else if (name == "toMap" && n == 1 && args[0].is_map()) {
    *out = ToDynamoDb(args[0], &walk);
  } else if (name == "toMapValues" && n == 1 && args[0].is_map()) {
    *out = Value::NewMap();
    Map& from = args[0].as_map();
    for (size_t i = 0; i < from.size(); ++i) {
      out->as_map().Put(from.KeyAt(i), ToDynamoDb(from.ValueAt(i), &walk));
    }
  } else if (name == "toS3Object" && (n == 3 || n == 4)) {
    for (const Value& a : args) {
      if (!a.is_string()) return false;
    }
    Value s3 = Value::NewMap();
    s3.as_map().Put("key", args[0]);
    s3.as_map().Put("bucket", args[1]);
    s3.as_map().Put("region", args[2]);
    if (n == 4) s3.as_map().Put("version", args[3]);
    Value wrapper = Value::NewMap();
    wrapper.as_map().Put("s3", std::move(s3));
    *out = Typed("S", Value::String(wrapper.ToJsonText()));
  } else if (name == "fromDynamoDB" && n == 1) {
    *out = FromDynamoDb(args[0], &walk);
  } else {
    return false;
  }
  return true;
}

}  // namespace

bool CallDynamoDbUtil(RenderState& st, std::string_view name, std::vector<Value>& args,
                      Value* out) {
  if (name == "fromS3ObjectJson" && args.size() == 1 && args[0].is_string()) {
    // {"s3": {...}} text back to the map under "s3".
    Result<json::Value> parsed = json::Parse(args[0].as_string());
    const json::Value* s3 = parsed.ok() ? parsed->Find("s3") : nullptr;
    if (s3 == nullptr) {
      st.Raise("Unable to parse the S3 object: " + args[0].as_string(), "MappingTemplate");
      *out = Value();
      return true;
    }
    *out = Value::FromJson(*s3);
    return true;
  }
  constexpr std::string_view kJson = "Json";
  if (name.size() > kJson.size() && name.ends_with(kJson)) {
    Value object;
    if (!ObjectForm(name.substr(0, name.size() - kJson.size()), args, &object)) return false;
    *out = Value::String(object.ToJsonText());
    return true;
  }
  return ObjectForm(name, args, out);
}

}  // namespace stator::vtl
