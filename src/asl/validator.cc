#include "asl/validator.h"

#include <cmath>

namespace stator::asl::validation {
namespace {

std::string Join(std::initializer_list<std::string_view> items) {
  std::string out = "[";
  bool first = true;
  for (std::string_view s : items) {
    if (!first) out += ", ";
    first = false;
    out += s;
  }
  out += "]";
  return out;
}

}  // namespace

std::string At(std::string_view location, std::string_view key) {
  std::string out;
  out.reserve(location.size() + key.size() + 1);
  if (location != "/") out += location;
  out += '/';
  out += key;
  return out;
}

std::string At(std::string_view location, size_t index) {
  return At(location, std::to_string(index));
}

void Error(Diagnostics* diags, const char* code, std::string message, std::string location) {
  Diagnostic d;
  d.code = code;
  d.message = std::move(message);
  d.location = location.empty() ? "/" : std::move(location);
  diags->push_back(std::move(d));
}

const char* JsonTypeName(const json::Value& v) {
  switch (v.kind()) {
    case json::Kind::kNull:
      return "NULL";
    case json::Kind::kBool:
      return "BOOLEAN";
    case json::Kind::kInt:
      return "INTEGER";
    case json::Kind::kDouble:
      return "NUMBER";
    case json::Kind::kString:
      return "STRING";
    case json::Kind::kArray:
      return "ARRAY";
    case json::Kind::kObject:
      return "OBJECT";
  }
  return "UNKNOWN";
}

std::string FieldsRequired(std::initializer_list<std::string_view> fields) {
  return "These fields are required: " + Join(fields);
}

std::string FieldNotSupported(std::string_view field) {
  return "Field '" + std::string(field) + "' is not supported";
}

std::string OnlyOneOf(std::initializer_list<std::string_view> fields) {
  return "There should only be one of the following fields: " + Join(fields);
}

std::string ExactlyOneOf(std::initializer_list<std::string_view> fields) {
  return "This object should have only one of the following fields: " + Join(fields);
}

std::string MustBeType(std::string_view field, const char* type) {
  const bool vowel = type[0] == 'A' || type[0] == 'E' || type[0] == 'I' || type[0] == 'O';
  return "The value for the field '" + std::string(field) + "' must be " + (vowel ? "an " : "a ") +
         type;
}

std::string ValueOneOf(std::initializer_list<std::string_view> values) {
  return "Value should be one of the following: " + Join(values);
}

std::string InvalidVariableName(std::string_view name) {
  return "'" + std::string(name) +
         "' is not a valid variable name: it must start with a letter or '_', contain only "
         "letters, digits and '_', and not be 'states'";
}

bool IsIntegerValue(const json::Value& v) {
  if (v.is_int()) return true;
  if (!v.is_double()) return false;
  double d = v.as_double();
  return std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18;
}

}  // namespace stator::asl::validation
