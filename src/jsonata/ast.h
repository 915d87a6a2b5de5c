// The JSONata syntax tree: what the parser builds and, after post-processing (the reference's
// processAST: paths, stages, tuple streams, parent slots, tail calls), what the evaluator walks.
//
// Ownership: a Node owns its children (unique_ptr); Slots (the `%` parent operator's ancestry
// labels) are shared between the parent node and the step that binds it. A tree is built once
// by Parse and never changed afterwards.
// Thread-safety: immutable after Parse; read concurrently by any number of evaluations.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/json.h"

namespace stator::jsonata::internal {

struct Signature;
class Regex;

enum class NodeType : uint8_t {
  kPath,
  kBinary,      // value: the operator
  kNegate,      // unary minus (raw: before folding into a number literal)
  kArray,       // array constructor [...]
  kObject,      // object constructor {...} (prefix); binary '{' is kGroupBy before processing
  kName,        // field name
  kString,      // string literal
  kNumber,      // number literal
  kValue,       // true / false / null
  kWildcard,    // *
  kDescendant,  // **
  kParent,      // %
  kCondition,   // a ? b : c
  kBlock,       // ( a; b )
  kBind,        // $x := ...
  kRegex,       // /.../flags
  kFunction,    // f(args)
  kPartial,     // f(?, x)
  kVariable,    // $name ("" for $, "$" for $$)
  kLambda,      // function($x){...}
  kApply,       // ~>
  kTransform,   // | pattern | update, delete |
  kSort,        // a step ^(...)
  kOperator,    // a bare operator token in operand position ('?' placeholder, and/or/in names)
  kEnd,         // end of input (only seen in errors)
};

struct Slot {
  std::string label;
  int level = 1;
  int index = 0;
};

struct Node;

struct Stage {
  bool is_index = false;       // '#$var' inside stages, else a filter
  std::unique_ptr<Node> expr;  // filter predicate
  std::string var;             // index variable
  int position = 0;
};

struct SortTerm {
  bool descending = false;
  std::unique_ptr<Node> expr;
};

struct Group {
  std::vector<std::pair<std::unique_ptr<Node>, std::unique_ptr<Node>>> pairs;
  int position = 0;
};

struct Node {
  NodeType type = NodeType::kEnd;
  int position = 0;
  std::string value;    // operator, name, variable name, string literal text
  json::Value literal;  // literals (string, number, true/false/null)
  bool is_token_literal_string = false;

  std::unique_ptr<Node> lhs, rhs;
  std::unique_ptr<Node> expr;  // operand of unary minus; condition; lambda body; transform pattern
  std::unique_ptr<Node> then_branch, else_branch;
  std::unique_ptr<Node> update, del;         // transform clauses
  std::unique_ptr<Node> procedure;           // function / partial
  std::vector<std::unique_ptr<Node>> items;  // path steps, block/array items, call arguments
  std::vector<std::pair<std::unique_ptr<Node>, std::unique_ptr<Node>>> pairs;  // object cons
  std::vector<SortTerm> terms;
  std::vector<std::string> params;  // lambda parameter names
  std::shared_ptr<const Signature> signature;
  std::shared_ptr<const Regex> regex;

  // Post-processing.
  std::vector<Stage> predicate;  // filters on a non-step expression
  std::vector<Stage> stages;     // filters and index bindings on a path step
  bool has_predicate = false, has_stages = false;
  std::unique_ptr<Group> group;
  bool keep_array = false;
  bool keep_singleton_array = false;
  bool consarray = false;
  bool tuple = false;
  bool thunk = false;
  std::optional<std::string> focus;  // '@$var'
  std::optional<std::string> index;  // '#$var'
  std::shared_ptr<Slot> slot;        // kParent
  std::shared_ptr<Slot> ancestor;    // a step that binds a parent label
  std::optional<std::vector<std::shared_ptr<Slot>>> seeking_parent;
};

}  // namespace stator::jsonata::internal
