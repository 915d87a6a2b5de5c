// Validation helpers shared by the definition compiler (compiler.cc, compile_*.cc) and
// ChoiceRule::Compile: where a diagnostic is written, and the wording of AWS's messages.
//
// Every message Step Functions is known to use lives here, in one place, so that the wording
// stays consistent across state types (see docs/asl-compiler.md for the catalogue and sources).
//
// Thread-safety: plain functions over caller-owned values.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "asl/diagnostic.h"
#include "common/json.h"

namespace stator::asl::validation {

// Appends "/<key>" to a JSON-pointer location ("" and "/" are the root).
std::string At(std::string_view location, std::string_view key);
std::string At(std::string_view location, size_t index);

void Error(Diagnostics* diags, const char* code, std::string message, std::string location);
inline void Schema(Diagnostics* diags, std::string message, std::string location) {
  Error(diags, kSchemaValidationFailed, std::move(message), std::move(location));
}

// "STRING", "NUMBER", "INTEGER", "BOOLEAN", "OBJECT", "ARRAY", "NULL".
const char* JsonTypeName(const json::Value& v);

// Messages.
std::string FieldsRequired(std::initializer_list<std::string_view> fields);
std::string FieldNotSupported(std::string_view field);
std::string OnlyOneOf(std::initializer_list<std::string_view> fields);     // more than one set
std::string ExactlyOneOf(std::initializer_list<std::string_view> fields);  // none set
std::string MustBeType(std::string_view field, const char* type);
std::string ValueOneOf(std::initializer_list<std::string_view> values);
// Assign keys (our wording: no AWS recording has one).
std::string InvalidVariableName(std::string_view name);
inline constexpr const char* kValueCannotBeEmpty = "Value cannot be empty";
inline constexpr const char* kNotRfc3339 = "String does not match RFC3339 timestamp";

// A whole number (an Int, or a Double without a fractional part) in [lo, hi].
bool IsIntegerValue(const json::Value& v);

}  // namespace stator::asl::validation
