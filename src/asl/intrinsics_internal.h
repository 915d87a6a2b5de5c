// The compiled form of an intrinsic call (intrinsics.h) and the functions over it that the
// intrinsics files share. Not part of the public interface.
//
// A call compiles into a tree of Nodes: literals, paths and nested calls. The files:
//   intrinsics.cc         IntrinsicCall: Compile, Evaluate;
//   intrinsics_parser.cc  the call grammar, the function table, Format templates;
//   intrinsics_eval.cc    the 18 functions at run time;
//   java_compat.{h,cc}    the Java behaviours the functions reproduce (toString, hashCode, ...).
//
// Thread-safety: a Node is immutable once parsed; the functions are pure (evaluation draws random
// numbers from the Context's generator or a per-thread one).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "asl/context.h"
#include "asl/path.h"
#include "asl/variable_table.h"
#include "common/json.h"
#include "common/result.h"

namespace stator::asl::intrinsic_internal {

enum class Fn : uint8_t {
  kFormat,
  kStringToJson,
  kJsonToString,
  kArray,
  kArrayPartition,
  kArrayContains,
  kArrayRange,
  kArrayGetItem,
  kArrayLength,
  kArrayUnique,
  kBase64Encode,
  kBase64Decode,
  kHash,
  kJsonMerge,
  kMathRandom,
  kMathAdd,
  kStringSplit,
  kUuid,
};

// One intrinsic function: its name and how many arguments it takes.
struct FnInfo {
  const char* name;  // without "States."
  Fn fn;
  int min_args;
  int max_args;  // -1: unbounded
};

// A piece of a States.Format template: literal text, or a "{}" placeholder.
struct FormatPiece {
  bool placeholder = false;
  std::string text;
};

struct Node {
  enum class Type : uint8_t { kLiteral, kPath, kCall } type = Type::kLiteral;
  json::Value literal;
  std::optional<JsonPath> path;
  // kCall
  const FnInfo* fn = nullptr;
  std::string name;  // "States.Format"
  std::vector<Node> args;
  // For a string literal: the template pieces when it is States.Format's first argument.
  std::vector<FormatPiece> format;
  bool has_format = false;
};

// intrinsics_parser.cc: parses "States.Fn(args...)" (surrounding spaces allowed). Errors are
// Error{"InvalidIntrinsic", "<why> at position <n>"}. Variable paths get their ids from vars
// (may be null).
Result<Node> ParseCall(std::string_view text, VariableTable* vars);

// intrinsics_parser.cc: splits a Format template into text and placeholders. Backslash escapes
// \{ \} \\ \' stand for the character itself.
std::vector<FormatPiece> SplitTemplate(std::string_view raw);

// intrinsics_eval.cc: evaluates a parsed call. field (e.g. "x.$", may be empty) is named in the
// cause when a path argument selects nothing.
Result<json::Value> EvaluateCall(const Node& call, const json::Value& input, const Context& context,
                                 std::string_view field);

}  // namespace stator::asl::intrinsic_internal
