// The expression AST's names and printing (see expression.h): the parameter names that head
// messages, comparison operators, and document paths as DynamoDB shows them.
#include "dynamodb/expression.h"

namespace stator::dynamodb {

const char* ExprKindName(ExprKind k) {
  switch (k) {
    case ExprKind::kCondition:
      return "ConditionExpression";
    case ExprKind::kFilter:
      return "FilterExpression";
    case ExprKind::kKeyCondition:
      return "KeyConditionExpression";
    case ExprKind::kUpdate:
      return "UpdateExpression";
    case ExprKind::kProjection:
      return "ProjectionExpression";
  }
  return "Expression";
}

const char* CompareOpText(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "=";
    case CompareOp::kNe:
      return "<>";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
  }
  return "?";
}

std::string PathToString(const Path& p) {
  std::string out;
  for (const PathElement& e : p) {
    if (e.is_index) {
      out += "[" + std::to_string(e.index) + "]";
    } else {
      if (!out.empty()) out += ".";
      out += e.name;
    }
  }
  return out;
}

std::string PathToListString(const Path& p) {
  std::string out = "[";
  for (size_t i = 0; i < p.size(); ++i) {
    if (i) out += ", ";
    out += p[i].is_index ? "[" + std::to_string(p[i].index) + "]" : p[i].name;
  }
  return out + "]";
}

}  // namespace stator::dynamodb
