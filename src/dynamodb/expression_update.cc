// UpdateExpression:
//   update := (SET set (',' set)* | REMOVE path (',' path)* | ADD path :value (',' ...)*
//             | DELETE path :value (',' ...)*)+, each section at most once
//   set := path '=' value;  value := operand (('+' | '-') operand)?
//   operand := :value | path | if_not_exists(path, value) | list_append(value, value)
// Literal operands are type-checked here; ADD and DELETE values too; no two paths may overlap.
#include <algorithm>
#include <iterator>

#include "dynamodb/expression_internal.h"

namespace stator::dynamodb {

namespace {

using expression_internal::ExpressionParser;
using expression_internal::Token;

class UpdateParser : public ExpressionParser {
 public:
  using ExpressionParser::ExpressionParser;

  Result<UpdateExpression> ParseUpdateExpression() {
    UpdateExpression u;
    bool seen[4] = {false, false, false, false};
    if (AtEnd()) return EmptyError();
    while (!AtEnd()) {
      static constexpr struct {
        const char* keyword;
        UpdateAction::Kind kind;
      } kSections[] = {{"SET", UpdateAction::Kind::kSet},
                       {"REMOVE", UpdateAction::Kind::kRemove},
                       {"ADD", UpdateAction::Kind::kAdd},
                       {"DELETE", UpdateAction::Kind::kDelete}};
      const auto* section = std::find_if(std::begin(kSections), std::end(kSections),
                                         [this](const auto& s) { return IsKeyword(s.keyword); });
      if (section == std::end(kSections)) return SyntaxError();
      int k = static_cast<int>(section->kind);
      if (seen[k]) {
        Defer(Invalid(std::string("The \"") + section->keyword +
                      "\" section can only be used once in an update expression;"));
      }
      seen[k] = true;
      Advance();
      STATOR_RETURN_IF_ERROR(ParseCommaSeparated([&] {
        u.actions.emplace_back();
        return ParseAction(section->kind, &u.actions.back());
      }));
    }
    STATOR_RETURN_IF_ERROR(Finish());
    // Static operand checks of ADD and DELETE.
    for (const UpdateAction& a : u.actions) {
      if (a.kind == UpdateAction::Kind::kAdd && a.value.value.type != AttrType::kN &&
          !a.value.value.is_set()) {
        return OperandTypeError("ADD", a.value);
      }
      if (a.kind == UpdateAction::Kind::kDelete && !a.value.value.is_set()) {
        return OperandTypeError("DELETE", a.value);
      }
    }
    // Overlapping paths.
    std::vector<const Path*> paths;
    for (const UpdateAction& a : u.actions) paths.push_back(&a.path);
    STATOR_RETURN_IF_ERROR(CheckNoOverlap(paths));
    return u;
  }

 private:
  // One action of a section into *a: path, then '=' value (SET) or a :value (ADD, DELETE).
  Status ParseAction(UpdateAction::Kind kind, UpdateAction* a) {
    a->kind = kind;
    STATOR_TRY(a->path, ParsePath());
    if (kind == UpdateAction::Kind::kSet) {
      if (!IsPunct("=")) return SyntaxError();
      Advance();
      STATOR_TRY(a->value, ParseSetValue());
    } else if (kind == UpdateAction::Kind::kAdd || kind == UpdateAction::Kind::kDelete) {
      if (Peek().type != Token::Type::kValue) return SyntaxError();
      a->value = ValueOperand(Peek());
      Advance();
    }
    return Status::Ok();
  }

  Result<Operand> ParseSetOperand() {
    return ParseOperand([this](const std::string& f) -> Result<Operand> {
      Operand o;
      if (f == "if_not_exists") {
        o.kind = Operand::Kind::kIfNotExists;
      } else if (f == "list_append") {
        o.kind = Operand::Kind::kListAppend;
      } else {
        return FunctionNameError(f, true);
      }
      Advance();
      STATOR_TRY(o.args, ParseArgs([this] { return ParseSetValue(); }));
      if (o.args.size() != 2) return OperandCountError(f, o.args.size());
      if (o.kind == Operand::Kind::kIfNotExists && o.args[0].kind != Operand::Kind::kPath) {
        return RequiresPathError(f);
      }
      if (o.kind == Operand::Kind::kListAppend && !has_deferred()) {
        for (const Operand& a : o.args) {
          if (a.kind == Operand::Kind::kValue && a.value.type != AttrType::kL) {
            return OperandTypeError(f, a);
          }
        }
      }
      return o;
    });
  }

  Result<Operand> ParseSetValue() {
    STATOR_TRY(Operand left, ParseSetOperand());
    if (IsPunct("+") || IsPunct("-")) {
      bool plus = Peek().text == "+";
      Advance();
      STATOR_TRY(Operand right, ParseSetOperand());
      if (!has_deferred()) {
        for (const Operand* o : {&left, &right}) {
          if (o->kind == Operand::Kind::kValue && o->value.type != AttrType::kN) {
            return OperandTypeError(plus ? "+" : "-", *o);
          }
        }
      }
      Operand o;
      o.kind = plus ? Operand::Kind::kPlus : Operand::Kind::kMinus;
      o.args.push_back(std::move(left));
      o.args.push_back(std::move(right));
      return o;
    }
    return left;
  }
};

}  // namespace

Result<UpdateExpression> ParseUpdate(std::string_view text, ExpressionContext* ctx) {
  UpdateParser p(text, ExprKind::kUpdate, ctx);
  STATOR_RETURN_IF_ERROR(p.Tokenize());
  return p.ParseUpdateExpression();
}

}  // namespace stator::dynamodb
