// KeyConditionExpression: a condition (expression_condition.cc) reduced to what Query can use,
// checked against the table's key schema: `hash = :v`, with an optional condition on the sort
// key (=, <, <=, >, >=, BETWEEN, begins_with), in any order, joined by AND. And MatchesRange,
// the sort-key half of it at run time.
#include "dynamodb/expression_internal.h"

namespace stator::dynamodb {

namespace {

// The key attribute a (hash or range) condition constrains, or "" when it is not a single
// top-level name compared with values.
std::string KeyName(const Operand& o) {
  if (o.kind != Operand::Kind::kPath || o.path.size() != 1 || o.path[0].is_index) return "";
  return o.path[0].name;
}

Error KeyError(std::string message) { return Validation(std::move(message)); }

}  // namespace

Result<KeyCondition> ParseKeyCondition(std::string_view text, ExpressionContext* ctx,
                                       const std::string& hash_key, const std::string& range_key) {
  STATOR_TRY(Condition c, ParseCondition(text, ExprKind::kKeyCondition, ctx));
  std::vector<const Condition*> parts;
  std::vector<const Condition*> stack = {&c};
  while (!stack.empty()) {
    const Condition* x = stack.back();
    stack.pop_back();
    if (x->kind == Condition::Kind::kAnd) {
      stack.push_back(&x->children[1]);
      stack.push_back(&x->children[0]);
    } else if (x->kind == Condition::Kind::kOr || x->kind == Condition::Kind::kNot) {
      return KeyError(std::string("Invalid operator used in KeyConditionExpression: ") +
                      (x->kind == Condition::Kind::kOr ? "OR" : "NOT"));
    } else {
      parts.push_back(x);
    }
  }
  KeyCondition k;
  bool has_hash = false;
  bool unknown = false;
  for (const Condition* p : parts) {
    std::string name;
    switch (p->kind) {
      case Condition::Kind::kCompare:
        if (p->op == CompareOp::kNe) {
          return KeyError("Unsupported operator in KeyConditionExpression: <>");
        }
        break;
      case Condition::Kind::kBetween:
      case Condition::Kind::kBeginsWith:
        break;
      case Condition::Kind::kIn:
        return KeyError("Invalid operator used in KeyConditionExpression: IN");
      case Condition::Kind::kExists:
        return KeyError("Invalid operator used in KeyConditionExpression: attribute_exists");
      case Condition::Kind::kNotExists:
        return KeyError("Invalid operator used in KeyConditionExpression: attribute_not_exists");
      case Condition::Kind::kType:
        return KeyError("Invalid operator used in KeyConditionExpression: attribute_type");
      case Condition::Kind::kContains:
        return KeyError("Invalid operator used in KeyConditionExpression: contains");
      default:
        return KeyError("Query key condition not supported");
    }
    // Normalise "value op key" to "key op' value".
    const Operand* key = &p->operands[0];
    CompareOp op = p->op;
    if (p->kind == Condition::Kind::kCompare && key->kind == Operand::Kind::kValue &&
        p->operands[1].kind == Operand::Kind::kPath) {
      key = &p->operands[1];
      op = op == CompareOp::kLt   ? CompareOp::kGt
           : op == CompareOp::kLe ? CompareOp::kGe
           : op == CompareOp::kGt ? CompareOp::kLt
           : op == CompareOp::kGe ? CompareOp::kLe
                                  : op;
    }
    name = KeyName(*key);
    if (name.empty()) return KeyError("Query key condition not supported");
    for (size_t i = 0; i < p->operands.size(); ++i) {
      if (&p->operands[i] == key) continue;
      if (p->operands[i].kind != Operand::Kind::kValue) {
        return KeyError(
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
            "condition");
      }
    }
    const AttrValue& value =
        p->kind == Condition::Kind::kCompare
            ? (key == &p->operands[0] ? p->operands[1].value : p->operands[0].value)
            : p->operands[1].value;
    if (name == hash_key) {
      if (has_hash)
        return KeyError("KeyConditionExpressions must only contain one condition per key");
      if (p->kind != Condition::Kind::kCompare || op != CompareOp::kEq) {
        return KeyError("Query key condition not supported");
      }
      has_hash = true;
      k.hash_value = value;
    } else if (!range_key.empty() && name == range_key) {
      if (k.has_range)
        return KeyError("KeyConditionExpressions must only contain one condition per key");
      k.has_range = true;
      k.range_value = value;
      if (p->kind == Condition::Kind::kBetween) {
        k.range_op = KeyCondition::RangeOp::kBetween;
        k.range_high = p->operands[2].value;
      } else if (p->kind == Condition::Kind::kBeginsWith) {
        k.range_op = KeyCondition::RangeOp::kBeginsWith;
      } else {
        k.range_op = op == CompareOp::kEq   ? KeyCondition::RangeOp::kEq
                     : op == CompareOp::kLt ? KeyCondition::RangeOp::kLt
                     : op == CompareOp::kLe ? KeyCondition::RangeOp::kLe
                     : op == CompareOp::kGt ? KeyCondition::RangeOp::kGt
                                            : KeyCondition::RangeOp::kGe;
      }
    } else {
      unknown = true;
    }
  }
  if (!has_hash) return KeyError("Query condition missed key schema element: " + hash_key);
  if (unknown) {
    if (!range_key.empty() && !k.has_range) {
      return KeyError("Query condition missed key schema element: " + range_key);
    }
    return KeyError("Query key condition not supported");
  }
  return k;
}

bool MatchesRange(const KeyCondition& k, const AttrValue& v) {
  if (!k.has_range) return true;
  if (v.type != k.range_value.type) return false;
  int c = CompareScalar(v, k.range_value);
  switch (k.range_op) {
    case KeyCondition::RangeOp::kEq:
      return c == 0;
    case KeyCondition::RangeOp::kLt:
      return c < 0;
    case KeyCondition::RangeOp::kLe:
      return c <= 0;
    case KeyCondition::RangeOp::kGt:
      return c > 0;
    case KeyCondition::RangeOp::kGe:
      return c >= 0;
    case KeyCondition::RangeOp::kBetween:
      return c >= 0 && CompareScalar(v, k.range_high) <= 0;
    case KeyCondition::RangeOp::kBeginsWith:
      return v.scalar.size() >= k.range_value.scalar.size() &&
             v.scalar.compare(0, k.range_value.scalar.size(), k.range_value.scalar) == 0;
  }
  return false;
}

}  // namespace stator::dynamodb
