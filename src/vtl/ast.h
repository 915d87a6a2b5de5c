// The syntax tree of a parsed VTL template (internal to vtl/).
//
// The parser (parser.cc) builds it once; the renderer (render.cc) walks it. A tree is immutable
// after parsing and owned by its Template; any number of renders may walk it at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace stator::vtl::ast {

struct Expr;
struct Node;
using ExprPtr = std::unique_ptr<Expr>;
using Block = std::vector<Node>;

// One step after a reference's root: `.name`, `.name(args)` or `[index]`.
struct Segment {
  enum class Kind { kProperty, kMethod, kIndex };
  Kind kind = Kind::kProperty;
  std::string name;           // kProperty, kMethod
  std::vector<ExprPtr> args;  // kMethod
  ExprPtr index;              // kIndex
};

// `$root.seg...`, `$!root...`, `${root...}`.
struct Reference {
  std::string root;
  std::vector<Segment> segments;
  bool quiet = false;
  std::string literal;  // the source text, rendered when the value is null
  int line = 0, column = 0;
};

enum class Op { kOr, kAnd, kEq, kNe, kLt, kLe, kGt, kGe, kAdd, kSub, kMul, kDiv, kMod, kNot, kNeg };

struct Expr {
  enum class Kind {
    kNull,
    kBool,
    kInt,
    kDouble,
    kString,
    kInterpolated,
    kList,
    kRange,
    kMap,
    kRef,
    kUnary,
    kBinary
  };
  Kind kind = Kind::kNull;
  bool bool_value = false;
  int64_t int_value = 0;
  double double_value = 0;
  std::string string_value;                // kString
  std::shared_ptr<const Block> template_;  // kInterpolated: the string's content, parsed
  std::vector<ExprPtr> items;  // kList items; kMap key, value, key, value...; kRange from, to
  Reference ref;               // kRef
  Op op = Op::kOr;             // kUnary, kBinary
  ExprPtr lhs, rhs;            // kUnary uses lhs
  int height = 1;              // levels of Expr in this tree (the parser bounds it)
  int line = 0, column = 0;
};

struct IfBranch {
  ExprPtr condition;  // null for #else
  Block body;
};

struct Node {
  enum class Kind { kText, kRef, kSet, kIf, kForeach, kBreak, kStop, kReturn };
  Kind kind = Kind::kText;
  std::string text;                // kText
  Reference ref;                   // kRef; kSet's target
  int backslashes = 0;             // kRef: backslashes written before the '$'
  ExprPtr value;                   // kSet; kForeach's list; kReturn's value (may be null)
  std::string var;                 // kForeach: the loop variable's name
  std::vector<IfBranch> branches;  // kIf
  Block body;                      // kForeach
  int line = 0, column = 0;
};

}  // namespace stator::vtl::ast
