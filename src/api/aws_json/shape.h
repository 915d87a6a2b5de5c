// Shape: an operation's input model (botocore's service-2.json shapes, the parts the server
// enforces), and the request validation AWS performs before an operation runs.
//
// Validate walks a request body against its shape in two passes, as AWS's service framework
// does:
//   1. types: a member whose JSON type cannot become the modelled type fails the whole
//      request with SerializationException ("NUMBER_VALUE cannot be converted to String");
//   2. constraints: required members, string/list length (in UTF-16 code units, as Java
//      counts), integer ranges and enums. All violations are reported in one
//      ValidationException: "2 validation errors detected: Value 'x' at 'name' failed to
//      satisfy constraint: Member must have length less than or equal to 80; Value null at
//      ...". Nested members are named 'a.b', list elements 'tags.1.member.key' (1-based).
//      A sensitive member's value is left out ("Value at 'input' failed to satisfy ..."), as
//      AWS does for the members its model marks sensitive (e.g. KMS's "Value at 'plaintext'
//      failed to satisfy constraint: Member must have length less than or equal to 4096").
// JSON null counts as absent. Unknown members are ignored.
//
// Shapes are immutable values built once at start-up (static storage in each route file).
// Thread-safety: immutable after construction.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/aws_json/api_error.h"
#include "common/json.h"

namespace stator::api {

struct Shape;
using ShapeRef = std::shared_ptr<const Shape>;

struct ShapeMember {
  std::string name;
  ShapeRef shape;
  bool required = false;
};

struct Shape {
  enum class Type : uint8_t { kString, kInteger, kLong, kBoolean, kTimestamp, kStructure, kList };
  Type type = Type::kString;
  std::optional<int64_t> min;  // length (string, list) or value (integer)
  std::optional<int64_t> max;
  std::vector<std::string> enum_values;  // strings only; empty: any
  std::vector<ShapeMember> members;      // structures
  ShapeRef element;                      // lists
  bool sensitive = false;                // the model's "sensitive": values stay out of errors
  // Strings: the model's "pattern" as AWS prints it in the error, and the test that implements
  // it (null: no pattern). A test rather than a regex engine: AWS's patterns use look-ahead.
  std::string pattern;
  bool (*matches)(std::string_view) = nullptr;
  // Structures: the Java class name AWS prints a value of this shape with in an error (a list
  // of them shows as "[Name(member=value, ...), ...]"); "" prints the value as JSON.
  std::string java_name;
};

// Builders, for readable shape tables:
//   Struct({{"name", String(1, 80), kRequired}, {"maxResults", Integer(0, 1000)}})
inline constexpr bool kRequired = true;
ShapeRef String(std::optional<int64_t> min = std::nullopt,
                std::optional<int64_t> max = std::nullopt);
ShapeRef Enum(std::vector<std::string> values);
ShapeRef Integer(std::optional<int64_t> min = std::nullopt,
                 std::optional<int64_t> max = std::nullopt);
ShapeRef Boolean();
ShapeRef Struct(std::vector<ShapeMember> members);
ShapeRef List(ShapeRef element, std::optional<int64_t> min = std::nullopt,
              std::optional<int64_t> max = std::nullopt);
// `shape`, marked sensitive: Sensitive(String(0, 256)).
ShapeRef Sensitive(ShapeRef shape);
// A string `shape` with a pattern: "Member must satisfy regular expression pattern: <pattern>"
// when `matches` says no (checked after the length).
ShapeRef Pattern(ShapeRef shape, std::string pattern, bool (*matches)(std::string_view));
// A structure `shape` printed in errors as Java prints it: JavaNamed(Struct(...), "Item").
ShapeRef JavaNamed(ShapeRef shape, std::string java_name);

// nullopt when `input` satisfies `shape`, else the error AWS answers with.
std::optional<ApiError> Validate(const Shape& shape, const json::Value& input);

// Length of a UTF-8 string in UTF-16 code units (Java's String.length()).
int64_t Utf16Length(std::string_view utf8);

}  // namespace stator::api
