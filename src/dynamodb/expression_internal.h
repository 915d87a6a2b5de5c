// What the DynamoDB expression parsers share: the tokens, the tokenizer, and ExpressionParser,
// the recursive-descent core that every expression kind's grammar builds on. Not part of the
// public interface (expression.h is).
//
// The files:
//   expression.cc                the AST's names and printing (ExprKindName, PathToString, ...);
//   expression_context.cc        ExpressionAttributeNames / ExpressionAttributeValues;
//   expression_tokenizer.cc      text to tokens;
//   expression_parser.cc         ExpressionParser: document paths, placeholders, function
//                                arguments, DynamoDB's syntax and operand errors;
//   expression_condition.cc      ConditionExpression / FilterExpression;
//   expression_key_condition.cc  KeyConditionExpression, checked against the key schema;
//   expression_update.cc         UpdateExpression;
//   expression_projection.cc     ProjectionExpression;
//   expression_eval.cc           evaluating conditions, applying updates, projecting items.
//
// Thread-safety: a parser is used by one request on one thread.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "dynamodb/errors.h"
#include "dynamodb/expression.h"

namespace stator::dynamodb::expression_internal {

// "Invalid <Parameter>: ", the start of every message about an expression's text.
inline std::string Prefix(ExprKind kind) {
  return std::string("Invalid ") + ExprKindName(kind) + ": ";
}

inline bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

struct Token {
  enum class Type : uint8_t { kIdent, kName, kValue, kNumber, kPunct, kEnd };
  Type type = Type::kEnd;
  std::string text;
  size_t begin = 0;  // [begin, end) in the expression's text
  size_t end = 0;
};

// expression_tokenizer.cc: the tokens of text, ending with a kEnd token ("<EOF>"). A character
// no token can start with is a syntax error naming it.
Result<std::vector<Token>> Tokenize(std::string_view text, ExprKind kind);

// The parts of the grammar every expression kind uses. A kind's parser derives from it.
//
// Errors: a syntax error ends the parse at once; an unknown placeholder or a reserved word used
// as a name is deferred (Defer) so that a later syntax error wins, as DynamoDB reports them, and
// is returned by Finish.
class ExpressionParser {
 public:
  ExpressionParser(std::string_view text, ExprKind kind, ExpressionContext* ctx)
      : text_(text), kind_(kind), ctx_(ctx) {}

  // Splits the text into tokens: the first step of every parse.
  Status Tokenize();

 protected:
  ExprKind kind() const { return kind_; }

  const Token& Peek(size_t k = 0) const {
    size_t i = std::min(pos_ + k, tokens_.size() - 1);
    return tokens_[i];
  }
  void Advance(size_t n = 1) { pos_ += n; }
  bool AtEnd() const { return Peek().type == Token::Type::kEnd; }
  bool IsPunct(const char* p, size_t k = 0) const {
    return Peek(k).type == Token::Type::kPunct && Peek(k).text == p;
  }
  bool IsKeyword(const char* word, size_t k = 0) const {
    return Peek(k).type == Token::Type::kIdent && EqualsIgnoreCase(Peek(k).text, word);
  }

  // A ValidationException about this expression: "Invalid <Parameter>: <message>".
  Error Invalid(const std::string& message) const { return Validation(Prefix(kind_) + message); }
  // `Syntax error; token: "X", near: "..."` at the current token.
  Error SyntaxError() const;
  // The error of an expression with no tokens at all.
  Error EmptyError() const { return Invalid("The expression can not be empty;"); }

  void Defer(Error e) {
    if (!deferred_) deferred_ = std::move(e);
  }
  bool has_deferred() const { return deferred_.has_value(); }
  // At the end of a parse: a syntax error if tokens are left, else the deferred error, if any.
  Status Finish();

  // A document path: name ('.' name | '[' index ']')*, names being identifiers or #placeholders.
  Result<Path> ParsePath();
  // A ":value" operand (the current token, which the caller then steps over).
  Operand ValueOperand(const Token& t);

  // An operand: a ":value", a function call, or a document path. At a function call (a name
  // followed by '(') parse_call(name) parses it, with the parser still at the name.
  template <class F>
  Result<Operand> ParseOperand(F parse_call) {
    const Token& t = Peek();
    if (t.type == Token::Type::kValue) {
      Operand o = ValueOperand(t);
      Advance();
      return o;
    }
    if (t.type == Token::Type::kIdent && IsPunct("(", 1)) return parse_call(t.text);
    Operand o;
    o.kind = Operand::Kind::kPath;
    STATOR_TRY(o.path, ParsePath());
    return o;
  }

  // item (',' item)*: parse_item() (returning Status) for each item; stops at the first token
  // after an item that is not ','.
  template <class F>
  Status ParseCommaSeparated(F parse_item) {
    while (true) {
      STATOR_RETURN_IF_ERROR(parse_item());
      if (!IsPunct(",")) return Status::Ok();
      Advance();
    }
  }

  // Arguments of a function call: '(' operand (',' operand)* ')'.
  template <class F>
  Result<std::vector<Operand>> ParseArgs(F parse_operand) {
    std::vector<Operand> args;
    if (!IsPunct("(")) return SyntaxError();
    Advance();
    STATOR_RETURN_IF_ERROR(ParseCommaSeparated([&]() -> Status {
      STATOR_TRY(Operand o, parse_operand());
      args.push_back(std::move(o));
      return Status::Ok();
    }));
    if (!IsPunct(")")) return SyntaxError();
    Advance();
    return args;
  }

  Error OperandCountError(const std::string& f, size_t n) const;
  Error RequiresPathError(const std::string& f) const;
  Error OperandTypeError(const std::string& f, const Operand& o) const;
  // An unknown function, or one of the other expression kind (in_update: a condition function
  // in an update, else an update function in a condition).
  Error FunctionNameError(const std::string& f, bool in_update) const;

  // No path may be a prefix of (or equal to) another.
  Status CheckNoOverlap(const std::vector<const Path*>& paths) const;

 private:
  Status ParsePathName(Path* path);

  std::string_view text_;
  ExprKind kind_;
  ExpressionContext* ctx_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  std::optional<Error> deferred_;
};

}  // namespace stator::dynamodb::expression_internal
