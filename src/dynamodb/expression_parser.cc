// ExpressionParser: the grammar every DynamoDB expression kind shares (see
// expression_internal.h).
#include <iterator>

#include "dynamodb/expression_internal.h"

namespace stator::dynamodb::expression_internal {

Status ExpressionParser::Tokenize() {
  STATOR_TRY(tokens_, expression_internal::Tokenize(text_, kind_));
  return Status::Ok();
}

// `Syntax error; token: "X", near: "..."`: near spans the previous token, the offending one and
// the next one, with the text between them.
Error ExpressionParser::SyntaxError() const {
  const Token& t = Peek();
  size_t index = std::min(pos_, tokens_.size() - 1);
  size_t from = index > 0 ? tokens_[index - 1].begin : t.begin;
  size_t to;
  if (t.type == Token::Type::kEnd) {
    to = index > 0 ? tokens_[index - 1].end : t.begin;
  } else {
    to = index + 1 < tokens_.size() && tokens_[index + 1].type != Token::Type::kEnd
             ? tokens_[index + 1].end
             : t.end;
  }
  return Invalid("Syntax error; token: \"" + t.text + "\", near: \"" +
                 std::string(text_.substr(from, to - from)) + "\"");
}

Status ExpressionParser::Finish() {
  if (!AtEnd()) return SyntaxError();
  if (deferred_) return *deferred_;
  return Status::Ok();
}

Result<Path> ExpressionParser::ParsePath() {
  Path path;
  STATOR_RETURN_IF_ERROR(ParsePathName(&path));
  while (true) {
    if (IsPunct(".")) {
      ++pos_;
      STATOR_RETURN_IF_ERROR(ParsePathName(&path));
    } else if (IsPunct("[")) {
      ++pos_;
      if (Peek().type != Token::Type::kNumber) return SyntaxError();
      PathElement e;
      e.is_index = true;
      const std::string& digits = Peek().text;
      e.index = digits.size() > 9 ? 999999999 : std::stoll(digits);
      ++pos_;
      if (!IsPunct("]")) return SyntaxError();
      ++pos_;
      path.push_back(std::move(e));
    } else {
      return path;
    }
  }
}

Status ExpressionParser::ParsePathName(Path* path) {
  const Token& t = Peek();
  PathElement e;
  if (t.type == Token::Type::kName) {
    auto name = ctx_->Name(t.text, kind_);
    if (name.ok()) {
      e.name = *name;
    } else {
      Defer(name.error());
    }
  } else if (t.type == Token::Type::kIdent) {
    if (IsReservedWord(t.text)) {
      // A keyword of the grammar where a name belongs is a syntax error.
      static const char* const kGrammarWords[] = {"AND", "OR",     "NOT", "BETWEEN", "IN",
                                                  "SET", "REMOVE", "ADD", "DELETE"};
      for (const char* w : kGrammarWords) {
        if (EqualsIgnoreCase(t.text, w)) return SyntaxError();
      }
      Defer(Invalid("Attribute name is a reserved keyword; reserved keyword: " + t.text));
    }
    e.name = t.text;
  } else {
    return SyntaxError();
  }
  ++pos_;
  path->push_back(std::move(e));
  return Status::Ok();
}

Operand ExpressionParser::ValueOperand(const Token& t) {
  Operand o;
  o.kind = Operand::Kind::kValue;
  o.value_name = t.text;
  auto v = ctx_->Value(t.text, kind_);
  if (v.ok()) {
    o.value = std::move(v).value();
  } else {
    Defer(v.error());
  }
  return o;
}

Error ExpressionParser::OperandCountError(const std::string& f, size_t n) const {
  return Invalid(
      "Incorrect number of operands for operator or function; operator or "
      "function: " +
      f + ", number of operands: " + std::to_string(n));
}

Error ExpressionParser::RequiresPathError(const std::string& f) const {
  return Invalid("Operator or function requires a document path; operator or function: " + f);
}

Error ExpressionParser::OperandTypeError(const std::string& f, const Operand& o) const {
  return Invalid("Incorrect operand type for operator or function; operator or function: " + f +
                 ", operand type: " + TypeName(o.value.type));
}

Error ExpressionParser::FunctionNameError(const std::string& f, bool in_update) const {
  static const char* const kConditionFunctions[] = {"attribute_exists", "attribute_not_exists",
                                                    "attribute_type",   "begins_with",
                                                    "contains",         "size"};
  static const char* const kUpdateFunctions[] = {"if_not_exists", "list_append"};
  std::vector<const char*> wrong_kind;
  if (in_update) {
    wrong_kind.assign(std::begin(kConditionFunctions), std::end(kConditionFunctions));
  } else {
    wrong_kind.assign(std::begin(kUpdateFunctions), std::end(kUpdateFunctions));
  }
  for (const char* name : wrong_kind) {
    if (f == name) {
      return Invalid(
          "The function is not allowed to be used this way in an expression; "
          "function: " +
          f);
    }
  }
  return Invalid("Invalid function name; function: " + f);
}

Status ExpressionParser::CheckNoOverlap(const std::vector<const Path*>& paths) const {
  for (size_t i = 0; i < paths.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const Path& p = *paths[j];
      const Path& q = *paths[i];
      size_t n = std::min(p.size(), q.size());
      bool prefix = true;
      for (size_t x = 0; x < n && prefix; ++x) {
        prefix = p[x].is_index == q[x].is_index &&
                 (p[x].is_index ? p[x].index == q[x].index : p[x].name == q[x].name);
      }
      if (prefix) {
        return Invalid(
            "Two document paths overlap with each other; must remove or rewrite "
            "one of these paths; path one: " +
            PathToListString(p) + ", path two: " + PathToListString(q));
      }
    }
  }
  return Status::Ok();
}

}  // namespace stator::dynamodb::expression_internal
