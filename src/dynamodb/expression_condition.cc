// ConditionExpression and FilterExpression (also the first step of a KeyConditionExpression):
//   condition := or;  or := and (OR and)*;  and := not (AND not)*;  not := NOT not | primary
//   primary := '(' or ')' | function '(' operands ')' | operand comparator operand
//            | operand BETWEEN operand AND operand | operand IN '(' operands ')'
// with operands :value, document paths and size(path). Literal operands are type-checked here.
#include <algorithm>
#include <iterator>

#include "dynamodb/expression_internal.h"

namespace stator::dynamodb {

namespace {

using expression_internal::ExpressionParser;
using expression_internal::Token;

class ConditionParser : public ExpressionParser {
 public:
  using ExpressionParser::ExpressionParser;

  Result<Condition> ParseWholeCondition() {
    if (AtEnd()) return EmptyError();
    STATOR_TRY(Condition c, ParseOr());
    STATOR_RETURN_IF_ERROR(Finish());
    return c;
  }

 private:
  Result<Condition> ParseOr() {
    return ParseLeftAssociative("OR", Condition::Kind::kOr, &ConditionParser::ParseAnd);
  }

  Result<Condition> ParseAnd() {
    return ParseLeftAssociative("AND", Condition::Kind::kAnd, &ConditionParser::ParseNot);
  }

  // operand (keyword operand)*, grouped from the left into conditions of the given kind.
  Result<Condition> ParseLeftAssociative(const char* keyword, Condition::Kind kind,
                                         Result<Condition> (ConditionParser::*parse_operand)()) {
    STATOR_TRY(Condition left, (this->*parse_operand)());
    while (IsKeyword(keyword)) {
      Advance();
      STATOR_TRY(Condition right, (this->*parse_operand)());
      Condition c;
      c.kind = kind;
      c.children.push_back(std::move(left));
      c.children.push_back(std::move(right));
      left = std::move(c);
    }
    return left;
  }

  Result<Condition> ParseNot() {
    if (IsKeyword("NOT")) {
      Advance();
      STATOR_TRY(Condition inner, ParseNot());
      Condition c;
      c.kind = Condition::Kind::kNot;
      c.children.push_back(std::move(inner));
      return c;
    }
    return ParsePrimary();
  }

  Result<Operand> ParseConditionOperand() {
    return ParseOperand([this](const std::string& f) -> Result<Operand> {
      if (f != "size") return FunctionNameError(f, false);
      Advance();
      STATOR_TRY(std::vector<Operand> args, ParseArgs([this] { return ParseConditionOperand(); }));
      if (args.size() != 1) return OperandCountError(f, args.size());
      if (args[0].kind == Operand::Kind::kValue) return OperandTypeError(f, args[0]);
      if (args[0].kind != Operand::Kind::kPath) {
        return RequiresPathError(f);
      }
      Operand o;
      o.kind = Operand::Kind::kSize;
      o.args = std::move(args);
      return o;
    });
  }

  Result<Condition> ParsePrimary() {
    if (IsPunct("(")) {
      Advance();
      STATOR_TRY(Condition inner, ParseOr());
      if (!IsPunct(")")) return SyntaxError();
      Advance();
      return inner;
    }
    const Token& t = Peek();
    if (t.type == Token::Type::kIdent && IsPunct("(", 1) && t.text != "size") {
      return ParseFunctionCondition();
    }
    STATOR_TRY(Operand left, ParseConditionOperand());
    Condition c;
    if (Peek().type == Token::Type::kPunct) {
      static const std::pair<const char*, CompareOp> kOps[] = {
          {"=", CompareOp::kEq},  {"<>", CompareOp::kNe}, {"<", CompareOp::kLt},
          {"<=", CompareOp::kLe}, {">", CompareOp::kGt},  {">=", CompareOp::kGe}};
      for (const auto& [text, op] : kOps) {
        if (Peek().text == text) {
          Advance();
          STATOR_TRY(Operand right, ParseConditionOperand());
          c.kind = Condition::Kind::kCompare;
          c.op = op;
          c.operands.push_back(std::move(left));
          c.operands.push_back(std::move(right));
          return c;
        }
      }
      return SyntaxError();
    }
    if (IsKeyword("BETWEEN")) {
      Advance();
      STATOR_TRY(Operand low, ParseConditionOperand());
      if (!IsKeyword("AND")) return SyntaxError();
      Advance();
      STATOR_TRY(Operand high, ParseConditionOperand());
      if (low.kind == Operand::Kind::kValue && high.kind == Operand::Kind::kValue &&
          !has_deferred() && low.value.type == high.value.type &&
          (low.value.type == AttrType::kN || low.value.type == AttrType::kS ||
           low.value.type == AttrType::kB) &&
          CompareScalar(low.value, high.value) > 0) {
        Defer(
            Invalid("The BETWEEN operator requires upper bound to be greater than or equal to "
                    "lower bound; lower bound operand: AttributeValue: " +
                    DescribeForMessage(low.value) +
                    ", upper bound operand: AttributeValue: " + DescribeForMessage(high.value)));
      }
      c.kind = Condition::Kind::kBetween;
      c.operands.push_back(std::move(left));
      c.operands.push_back(std::move(low));
      c.operands.push_back(std::move(high));
      return c;
    }
    if (IsKeyword("IN")) {
      Advance();
      STATOR_TRY(std::vector<Operand> list, ParseArgs([this] { return ParseConditionOperand(); }));
      c.kind = Condition::Kind::kIn;
      c.operands.push_back(std::move(left));
      for (Operand& o : list) c.operands.push_back(std::move(o));
      return c;
    }
    return SyntaxError();
  }

  Result<Condition> ParseFunctionCondition() {
    static constexpr struct {
      const char* name;
      Condition::Kind kind;
      size_t args;
    } kFunctions[] = {{"attribute_exists", Condition::Kind::kExists, 1},
                      {"attribute_not_exists", Condition::Kind::kNotExists, 1},
                      {"attribute_type", Condition::Kind::kType, 2},
                      {"begins_with", Condition::Kind::kBeginsWith, 2},
                      {"contains", Condition::Kind::kContains, 2}};
    std::string f = Peek().text;
    const auto* fn = std::find_if(std::begin(kFunctions), std::end(kFunctions),
                                  [&f](const auto& x) { return f == x.name; });
    if (fn == std::end(kFunctions)) return FunctionNameError(f, false);
    Condition c;
    c.kind = fn->kind;
    Advance();
    STATOR_TRY(c.operands, ParseArgs([this] { return ParseConditionOperand(); }));
    if (c.operands.size() != fn->args) return OperandCountError(f, c.operands.size());
    const Operand& first = c.operands[0];
    if ((c.kind == Condition::Kind::kExists || c.kind == Condition::Kind::kNotExists ||
         c.kind == Condition::Kind::kType) &&
        first.kind != Operand::Kind::kPath) {
      return RequiresPathError(f);
    }
    if (has_deferred()) return c;
    if (c.kind == Condition::Kind::kType) {
      const Operand& t = c.operands[1];
      if (t.kind != Operand::Kind::kValue) {
        return Invalid(
            "Operator or function requires an attribute value; operator or "
            "function: attribute_type");
      }
      if (t.value.type != AttrType::kS) return OperandTypeError(f, t);
      AttrType unused;
      if (!TypeFromName(t.value.scalar, &unused)) {
        return Invalid("Invalid attribute type name found; type: " + t.value.scalar +
                       ", access path: " + PathToString(first.path));
      }
    }
    if (c.kind == Condition::Kind::kBeginsWith) {
      for (const Operand& o : c.operands) {
        if (o.kind == Operand::Kind::kValue && o.value.type != AttrType::kS &&
            o.value.type != AttrType::kB) {
          return OperandTypeError(f, o);
        }
      }
    }
    return c;
  }
};

}  // namespace

Result<Condition> ParseCondition(std::string_view text, ExprKind kind, ExpressionContext* ctx) {
  ConditionParser p(text, kind, ctx);
  STATOR_RETURN_IF_ERROR(p.Tokenize());
  return p.ParseWholeCondition();
}

}  // namespace stator::dynamodb
