// The DynamoDB expression language: parsers for ConditionExpression, FilterExpression,
// KeyConditionExpression, UpdateExpression and ProjectionExpression, and their evaluation
// against an item.
//
// Parsing resolves "#name" placeholders and ":value" placeholders through an
// ExpressionContext (the request's ExpressionAttributeNames / ExpressionAttributeValues), which
// records which ones were used so that the request can then be checked for unused ones, as
// DynamoDB does. Every error is an Error{"ValidationException", message} with DynamoDB's text,
// e.g. `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "="`.
//
// Evaluation follows DynamoDB: comparisons between different types are false (<> is true), a
// missing attribute makes a comparison false, every right-hand side of an UpdateExpression is
// evaluated against the item as it was before the update, numbers are exact (number.h).
//
// Thread-safety: parsed expressions are immutable values; an ExpressionContext is used by one
// request on one thread.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/result.h"
#include "dynamodb/attribute_value.h"

namespace stator::dynamodb {

// Which expression parameter a text came from: it names the parameter in error messages.
enum class ExprKind { kCondition, kFilter, kKeyCondition, kUpdate, kProjection };
const char* ExprKindName(ExprKind k);  // "ConditionExpression", ...

bool IsReservedWord(std::string_view word);

struct PathElement {
  bool is_index = false;
  std::string name;   // attribute or map key (placeholders resolved)
  int64_t index = 0;  // list index
};
using Path = std::vector<PathElement>;
// "a.b[2]" for display, and "[a, b, [2]]" as DynamoDB shows paths in overlap messages.
std::string PathToString(const Path& p);
std::string PathToListString(const Path& p);

// A value-producing node: a document path, a ":value", or a function / arithmetic over them.
struct Operand {
  enum class Kind : uint8_t { kPath, kValue, kSize, kIfNotExists, kListAppend, kPlus, kMinus };
  Kind kind = Kind::kValue;
  Path path;               // kPath
  AttrValue value;         // kValue
  std::string value_name;  // kValue: the placeholder (":v")
  std::vector<Operand> args;
};

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
const char* CompareOpText(CompareOp op);

struct Condition {
  enum class Kind : uint8_t {
    kCompare,
    kBetween,
    kIn,
    kAnd,
    kOr,
    kNot,
    kExists,
    kNotExists,
    kType,
    kBeginsWith,
    kContains
  };
  Kind kind = Kind::kCompare;
  CompareOp op = CompareOp::kEq;
  std::vector<Operand> operands;    // compare: 2; between: 3; in: 1 + list; functions: args
  std::vector<Condition> children;  // and/or: 2; not: 1
};

struct UpdateAction {
  enum class Kind : uint8_t { kSet, kRemove, kAdd, kDelete };
  Kind kind = Kind::kSet;
  Path path;
  Operand value;  // set/add/delete
};

struct UpdateExpression {
  std::vector<UpdateAction> actions;
};

// The ExpressionAttributeNames and ExpressionAttributeValues of one request.
class ExpressionContext {
 public:
  // names / values: the request members (null or absent when not given). Validates their shape
  // and values (DynamoDB's messages for empty maps, bad keys, bad values).
  static Result<ExpressionContext> Make(const json::Value* names, const json::Value* values);

  Result<std::string> Name(const std::string& placeholder, ExprKind kind);
  Result<AttrValue> Value(const std::string& placeholder, ExprKind kind);
  // After all of a request's expressions are parsed: unused names, then unused values.
  Status CheckAllUsed() const;
  bool has_names() const { return has_names_; }
  bool has_values() const { return has_values_; }

 private:
  bool has_names_ = false;
  bool has_values_ = false;
  std::vector<std::pair<std::string, std::string>> names_;  // in request order
  std::vector<std::pair<std::string, AttrValue>> values_;
  std::set<std::string> used_names_;
  std::set<std::string> used_values_;
};

Result<Condition> ParseCondition(std::string_view text, ExprKind kind, ExpressionContext* ctx);
Result<UpdateExpression> ParseUpdate(std::string_view text, ExpressionContext* ctx);
Result<std::vector<Path>> ParseProjection(std::string_view text, ExpressionContext* ctx);

// A Query's key condition, checked against the table's key schema.
struct KeyCondition {
  AttrValue hash_value;
  bool has_range = false;
  enum class RangeOp : uint8_t { kEq, kLt, kLe, kGt, kGe, kBetween, kBeginsWith };
  RangeOp range_op = RangeOp::kEq;
  AttrValue range_value;
  AttrValue range_high;  // kBetween
};
Result<KeyCondition> ParseKeyCondition(std::string_view text, ExpressionContext* ctx,
                                       const std::string& hash_key, const std::string& range_key);
// Whether a range key value satisfies the key condition's range part.
bool MatchesRange(const KeyCondition& k, const AttrValue& range_value);

// Evaluation.
bool EvaluateCondition(const Condition& c, const Item& item);
// The value at path in item, or null when absent.
const AttrValue* Resolve(const Item& item, const Path& path);
// Applies the update to *item (evaluating against the item as it was). Errors are DynamoDB's
// ValidationExceptions ("The provided expression refers to an attribute that does not exist in
// the item", "An operand in the update expression has an incorrect data type", ...).
Status ApplyUpdate(const UpdateExpression& u, Item* item);
// The item reduced to the given paths (nested maps and lists rebuilt around the kept parts).
Item Project(const Item& item, const std::vector<Path>& paths);

}  // namespace stator::dynamodb
