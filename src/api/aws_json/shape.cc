#include "api/aws_json/shape.h"

#include <cmath>

namespace stator::api {
namespace {

ShapeRef Make(Shape s) { return std::make_shared<const Shape>(std::move(s)); }

const char* WireKind(const json::Value& v) {
  switch (v.kind()) {
    case json::Kind::kBool:
      return v.as_bool() ? "TRUE_VALUE" : "FALSE_VALUE";
    case json::Kind::kInt:
    case json::Kind::kDouble:
      return "NUMBER_VALUE";
    case json::Kind::kString:
      return "STRING_VALUE";
    default:
      return "VALUE";
  }
}

const char* TypeName(Shape::Type t) {
  switch (t) {
    case Shape::Type::kString:
      return "String";
    case Shape::Type::kInteger:
      return "Integer";
    case Shape::Type::kLong:
      return "Long";
    case Shape::Type::kBoolean:
      return "Boolean";
    case Shape::Type::kTimestamp:
      return "Date";
    case Shape::Type::kStructure:
      return "Structure";
    case Shape::Type::kList:
      return "List";
  }
  return "Value";
}

bool IsIntegral(const json::Value& v) {
  if (v.is_int()) return true;
  if (!v.is_double()) return false;
  double d = v.as_double();
  return std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18;
}

// Pass 1: JSON types against the modelled types.
std::optional<ApiError> CheckTypes(const Shape& shape, const json::Value& v) {
  if (v.is_null()) return std::nullopt;
  switch (shape.type) {
    case Shape::Type::kStructure:
      if (v.is_array()) return ApiError::Serialization("Start of list found where not expected");
      if (!v.is_object()) {
        return ApiError::Serialization(std::string(WireKind(v)) + " cannot be converted to " +
                                       TypeName(shape.type));
      }
      for (const ShapeMember& m : shape.members) {
        if (const json::Value* mv = v.Find(m.name)) {
          if (auto e = CheckTypes(*m.shape, *mv)) return e;
        }
      }
      return std::nullopt;
    case Shape::Type::kList:
      if (v.is_object()) {
        return ApiError::Serialization("Start of structure or map found where not expected.");
      }
      if (!v.is_array()) {
        return ApiError::Serialization(std::string(WireKind(v)) + " cannot be converted to " +
                                       TypeName(shape.type));
      }
      for (const json::Value& item : v.as_array()) {
        if (auto e = CheckTypes(*shape.element, item)) return e;
      }
      return std::nullopt;
    default:
      break;
  }
  if (v.is_object()) {
    return ApiError::Serialization("Start of structure or map found where not expected.");
  }
  if (v.is_array()) return ApiError::Serialization("Start of list found where not expected");
  bool ok = false;
  switch (shape.type) {
    case Shape::Type::kString:
      ok = v.is_string();
      break;
    case Shape::Type::kInteger:
    case Shape::Type::kLong:
      ok = IsIntegral(v);
      break;
    case Shape::Type::kBoolean:
      ok = v.is_bool();
      break;
    case Shape::Type::kTimestamp:
      ok = v.is_number();
      break;
    default:
      break;
  }
  if (ok) return std::nullopt;
  return ApiError::Serialization(std::string(WireKind(v)) + " cannot be converted to " +
                                 TypeName(shape.type));
}

// A value as AWS's Java service prints it inside a message: strings bare, structures of a
// JavaNamed shape as "Name(member=value, ...)" (every member, absent ones null), lists "[a, b]".
std::string JavaText(const Shape* shape, const json::Value& v) {
  if (v.is_null()) return "null";
  if (v.is_string()) return v.as_string();
  if (v.is_bool()) return v.as_bool() ? "true" : "false";
  if (v.is_number()) return v.Dump();
  if (v.is_array() && shape && shape->type == Shape::Type::kList) {
    std::string out = "[";
    for (const json::Value& item : v.as_array()) {
      if (out.size() > 1) out += ", ";
      out += JavaText(shape->element.get(), item);
    }
    return out + "]";
  }
  if (v.is_object() && shape && !shape->java_name.empty()) {
    std::string out = shape->java_name + "(";
    bool first = true;
    for (const ShapeMember& m : shape->members) {
      if (!first) out += ", ";
      first = false;
      const json::Value* mv = v.Find(m.name);
      out += m.name + "=" + (mv ? JavaText(m.shape.get(), *mv) : std::string("null"));
    }
    return out + ")";
  }
  return v.Dump();
}

bool PrintsAsJava(const Shape& shape) {
  const Shape* s = shape.type == Shape::Type::kList ? shape.element.get() : &shape;
  return s && !s->java_name.empty();
}

std::string Quoted(const Shape& shape, const json::Value& v) {
  if (v.is_null()) return "null";
  if (v.is_string()) return "'" + v.as_string() + "'";
  if (v.is_number()) return "'" + v.Dump() + "'";
  if (v.is_bool()) return v.as_bool() ? "'true'" : "'false'";
  if (PrintsAsJava(shape)) return "'" + JavaText(&shape, v) + "'";
  return "'" + v.Dump() + "'";
}

// Pass 2: constraints. Appends "Value ... at '<path>' failed to satisfy constraint: ..." items.
void CheckConstraints(const Shape& shape, const json::Value& v, const std::string& path,
                      std::vector<std::string>* out) {
  auto fail = [&](const std::string& what) {
    out->push_back("Value " + (shape.sensitive ? std::string() : Quoted(shape, v) + " ") + "at '" +
                   path + "' failed to satisfy constraint: Member must " + what);
  };
  switch (shape.type) {
    case Shape::Type::kString: {
      int64_t len = Utf16Length(v.as_string());
      if (shape.max && len > *shape.max) {
        fail("have length less than or equal to " + std::to_string(*shape.max));
      } else if (shape.min && len < *shape.min) {
        fail("have length greater than or equal to " + std::to_string(*shape.min));
      }
      if (shape.matches && !shape.matches(v.as_string())) {
        fail("satisfy regular expression pattern: " + shape.pattern);
      }
      if (!shape.enum_values.empty()) {
        bool found = false;
        for (const auto& e : shape.enum_values) found = found || e == v.as_string();
        if (!found) {
          std::string set;
          for (const auto& e : shape.enum_values) set += (set.empty() ? "" : ", ") + e;
          fail("satisfy enum value set: [" + set + "]");
        }
      }
      return;
    }
    case Shape::Type::kInteger:
    case Shape::Type::kLong: {
      double d = v.as_double();
      if (shape.max && d > static_cast<double>(*shape.max)) {
        fail("have value less than or equal to " + std::to_string(*shape.max));
      } else if (shape.min && d < static_cast<double>(*shape.min)) {
        fail("have value greater than or equal to " + std::to_string(*shape.min));
      }
      return;
    }
    case Shape::Type::kStructure:
      for (const ShapeMember& m : shape.members) {
        const json::Value* mv = v.Find(m.name);
        std::string sub = path.empty() ? m.name : path + "." + m.name;
        if (!mv || mv->is_null()) {
          if (m.required) {
            out->push_back("Value null at '" + sub +
                           "' failed to satisfy constraint: Member must not be null");
          }
          continue;
        }
        CheckConstraints(*m.shape, *mv, sub, out);
      }
      return;
    case Shape::Type::kList: {
      int64_t n = static_cast<int64_t>(v.as_array().size());
      if (shape.max && n > *shape.max) {
        fail("have length less than or equal to " + std::to_string(*shape.max));
      } else if (shape.min && n < *shape.min) {
        fail("have length greater than or equal to " + std::to_string(*shape.min));
      }
      int i = 0;
      for (const json::Value& item : v.as_array()) {
        ++i;
        if (item.is_null()) continue;
        CheckConstraints(*shape.element, item, path + "." + std::to_string(i) + ".member", out);
      }
      return;
    }
    default:
      return;
  }
}

}  // namespace

ShapeRef String(std::optional<int64_t> min, std::optional<int64_t> max) {
  Shape s;
  s.type = Shape::Type::kString;
  s.min = min;
  s.max = max;
  return Make(std::move(s));
}
ShapeRef Enum(std::vector<std::string> values) {
  Shape s;
  s.type = Shape::Type::kString;
  s.enum_values = std::move(values);
  return Make(std::move(s));
}
ShapeRef Integer(std::optional<int64_t> min, std::optional<int64_t> max) {
  Shape s;
  s.type = Shape::Type::kInteger;
  s.min = min;
  s.max = max;
  return Make(std::move(s));
}
ShapeRef Boolean() {
  Shape s;
  s.type = Shape::Type::kBoolean;
  return Make(std::move(s));
}
ShapeRef Struct(std::vector<ShapeMember> members) {
  Shape s;
  s.type = Shape::Type::kStructure;
  s.members = std::move(members);
  return Make(std::move(s));
}
ShapeRef List(ShapeRef element, std::optional<int64_t> min, std::optional<int64_t> max) {
  Shape s;
  s.type = Shape::Type::kList;
  s.element = std::move(element);
  s.min = min;
  s.max = max;
  return Make(std::move(s));
}

ShapeRef Sensitive(ShapeRef shape) {
  Shape s = *shape;
  s.sensitive = true;
  return Make(std::move(s));
}

ShapeRef Pattern(ShapeRef shape, std::string pattern, bool (*matches)(std::string_view)) {
  Shape s = *shape;
  s.pattern = std::move(pattern);
  s.matches = matches;
  return Make(std::move(s));
}

ShapeRef JavaNamed(ShapeRef shape, std::string java_name) {
  Shape s = *shape;
  s.java_name = std::move(java_name);
  return Make(std::move(s));
}

std::optional<ApiError> Validate(const Shape& shape, const json::Value& input) {
  if (auto e = CheckTypes(shape, input)) return e;
  std::vector<std::string> problems;
  if (!input.is_null()) CheckConstraints(shape, input, "", &problems);
  if (problems.empty()) return std::nullopt;
  std::string msg =
      std::to_string(problems.size()) +
      (problems.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < problems.size(); ++i) {
    if (i) msg += "; ";
    msg += problems[i];
  }
  return ApiError::Validation(std::move(msg));
}

int64_t Utf16Length(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) n += (c >= 0xF0) ? 2 : 1;  // a 4-byte sequence is a surrogate pair
  }
  return n;
}

}  // namespace stator::api
