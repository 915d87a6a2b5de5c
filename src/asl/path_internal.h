// The compiled form of a JsonPath (path.h) and the functions over it that the JSONPath files
// share. Not part of the public interface.
//
// A path compiles into a vector of Segments (one step each). The files:
//   path.cc         JsonPath: Compile (root, variable), the accessors, Evaluate;
//   path_parser.cc  the steps grammar (Parser, path_parser.h);
//   path_filter.cc  filter expressions [?(...)]: their grammar and their truth;
//   path_eval.cc    walking the steps over a document (CollectMatches);
//   result_path.cc  ApplyResultPath.
//
// Semantics follow Jayway JsonPath (the library behind Step Functions) with its default options:
//  - a definite path (names and single indexes only) selects one node or nothing;
//  - an indefinite path yields the array of every match, skipping branches that do not match;
//  - a leaf union of names (['a','b']) yields one object per match holding the names present;
//  - a deep scan (..x) tries x at every object and array of the tree, parents before children;
//  - filters evaluate @ against each array element (or against an object itself).
//
// Thread-safety: everything here is immutable once compiled; the functions are pure.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asl/path.h"
#include "common/json.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace stator::asl {

namespace path_internal {

struct Filter;

// One step of a compiled path.
struct Segment {
  enum class Type : uint8_t {
    kName,      // .name or ['name']
    kIndex,     // [n]
    kWildcard,  // .* or [*]
    kNames,     // ['a','b']
    kIndexes,   // [0,2]
    kSlice,     // [start:end:step]
    kFilter,    // [?(...)]
  };
  Type type = Type::kName;
  bool deep = false;  // preceded by ".." (deep scan)
  std::string name;
  int64_t index = 0;
  std::vector<std::string> names;
  std::vector<int64_t> indexes;
  std::optional<int64_t> slice_start, slice_end;
  int64_t slice_step = 1;
  std::shared_ptr<const Filter> filter;
};

// A path inside a filter (@... or $...), evaluated like any other path.
struct SubPath {
  bool from_root = false;  // $ instead of @
  std::vector<Segment> segments;
  bool definite = true;
};

// ---------------------------------------------------------------------------------------------
// Filter expressions

enum class Op : uint8_t {
  kExists,  // a bare path: [?(@.x)]
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kRegex,
  kIn,
  kNin,
  kSize,
  kEmpty,
};

struct Operand {
  enum class Type : uint8_t { kLiteral, kPath, kRegex } type = Type::kLiteral;
  json::Value literal;
  std::shared_ptr<const SubPath> path;
  // RE2: linear-time matching, no backtracking on user patterns.
  std::shared_ptr<const re2::RE2> regex;
};

struct Filter {
  enum class Type : uint8_t { kAnd, kOr, kNot, kRelation } type = Type::kRelation;
  std::vector<std::shared_ptr<const Filter>> children;  // kAnd/kOr: 2, kNot: 1
  Op op = Op::kExists;
  Operand left, right;
};

// ---------------------------------------------------------------------------------------------
// Functions over segments

// Whether segs can select at most one node: names and single indexes only, no deep scan.
inline bool IsDefinite(const std::vector<Segment>& segs) {
  for (const auto& s : segs) {
    if (s.deep) return false;
    if (s.type != Segment::Type::kName && s.type != Segment::Type::kIndex) return false;
  }
  return true;
}

// Follows a definite path without allocating; nullptr when it does not exist. (Inline: it is
// the whole cost of evaluating a definite path.)
inline const json::Value* WalkDefinite(const json::Value& root, const std::vector<Segment>& segs) {
  const json::Value* cur = &root;
  for (const auto& s : segs) {
    if (s.type == Segment::Type::kName) {
      cur = cur->Find(s.name);
      if (cur == nullptr) return nullptr;
    } else {
      if (!cur->is_array()) return nullptr;
      const auto& a = cur->as_array();
      int64_t i = s.index < 0 ? static_cast<int64_t>(a.size()) + s.index : s.index;
      if (i < 0 || i >= static_cast<int64_t>(a.size())) return nullptr;
      cur = &a[static_cast<size_t>(i)];
    }
  }
  return cur;
}

// path_eval.cc: appends to *out every node segs select from node ($ paths inside filters
// evaluate against root).
void CollectMatches(const std::vector<Segment>& segs, const json::Value& root,
                    const json::Value& node, std::vector<json::Value>* out);

// path_filter.cc: whether f holds for current (@), with root as $.
bool FilterAccepts(const Filter& f, const json::Value& current, const json::Value& root);

}  // namespace path_internal

struct JsonPath::Impl {
  std::string text = "$";  // as written
  bool context = false;    // rooted at $$
  std::string variable;    // rooted at $variable: its name
  uint32_t variable_id = kNoVariableId;
  std::vector<path_internal::Segment> segments;
  bool definite = true;
  bool reference = true;
};

}  // namespace stator::asl
