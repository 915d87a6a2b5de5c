// The VTL parser's internals (internal to vtl/), shared by parser.cc (template text,
// directives, references, line gobbling, nesting) and expression_parser.cc (expressions and
// literals inside directives and method arguments).
//
// Thread-safety: a Parser is used by one thread for one Parse call.
#pragma once

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vtl/ast.h"

namespace stator::vtl::parse {

using ast::Expr;
using ast::ExprPtr;
using ast::Node;

inline bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
inline bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

struct Tok {
  enum class Kind {
    kText,
    kRef,
    kSet,
    kIf,
    kElseIf,
    kElse,
    kEnd,
    kForeach,
    kBreak,
    kStop,
    kReturn,
    kComment
  };
  Kind kind = Kind::kText;
  std::string text;
  ast::Reference ref;
  int backslashes = 0;
  ExprPtr expr;
  std::string var;
  size_t pos = 0;
};

// Where each line of the whole template starts, for line/column numbers.
class LineTable {
 public:
  explicit LineTable(std::string_view src) {
    starts_.push_back(0);
    for (size_t i = 0; i < src.size(); ++i) {
      if (src[i] == '\n') starts_.push_back(i + 1);
    }
  }
  void LineCol(size_t pos, int* line, int* column) const {
    auto it = std::upper_bound(starts_.begin(), starts_.end(), pos);
    size_t index = static_cast<size_t>(it - starts_.begin()) - 1;
    *line = static_cast<int>(index) + 1;
    *column = static_cast<int>(pos - starts_[index]) + 1;
  }

 private:
  std::vector<size_t> starts_;
};

struct Failure {
  std::string message;
  size_t pos = 0;
};

class Parser {
 public:
  // src is a view of the template (or of a string literal's content at offset base in it).
  Parser(std::string_view src, size_t base, const LineTable* lines, Failure* failure)
      : src_(src), base_(base), lines_(lines), failure_(failure) {}

  bool Tokenize(std::vector<Tok>* out);

 private:
  bool failed() const { return !failure_->message.empty(); }
  std::nullptr_t Fail(size_t pos, std::string message) {
    if (!failed()) {
      failure_->message = std::move(message);
      failure_->pos = base_ + pos;
    }
    return nullptr;
  }
  char At(size_t p) const { return p < src_.size() ? src_[p] : '\0'; }
  void SkipWs() {
    while (pos_ < src_.size() && std::strchr(" \t\r\n", src_[pos_]) != nullptr) ++pos_;
  }
  bool Eat(std::string_view s) {
    if (src_.substr(pos_, s.size()) != s) return false;
    pos_ += s.size();
    return true;
  }
  // A keyword operator (and, or, not, eq, ...) not followed by an identifier character.
  bool EatWord(std::string_view w) {
    if (src_.substr(pos_, w.size()) != w || IsIdentChar(At(pos_ + w.size()))) return false;
    pos_ += w.size();
    return true;
  }
  std::string Ident() {
    size_t start = pos_;
    while (IsIdentChar(At(pos_))) ++pos_;
    return std::string(src_.substr(start, pos_ - start));
  }
  void SetPosition(size_t pos, int* line, int* column) const {
    lines_->LineCol(base_ + pos, line, column);
  }
  std::string Describe(size_t p) const {
    if (p >= src_.size()) return "<EOF>";
    size_t end = p + 1;
    while (end < src_.size() && end < p + 12 && IsIdentChar(src_[end]) && IsIdentChar(src_[p])) {
      ++end;
    }
    return std::string(src_.substr(p, end - p));
  }

  bool ParseReference(ast::Reference* ref, bool in_template);
  bool ParseArgs(std::vector<ExprPtr>* args);
  bool ParseDirective(std::vector<Tok>* out, std::string* text);
  ExprPtr ParseExpr();
  ExprPtr ParseOr();
  ExprPtr ParseAnd();
  ExprPtr ParseEquality();
  ExprPtr ParseRelational();
  ExprPtr ParseAdditive();
  ExprPtr ParseMultiplicative();
  ExprPtr ParseUnary();
  ExprPtr ParsePrimary();
  ExprPtr ParseNumber();
  ExprPtr ParseString();
  ExprPtr MakeExpr(Expr::Kind kind, size_t pos) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    SetPosition(pos, &e->line, &e->column);
    return e;
  }
  ExprPtr Binary(ast::Op op, ExprPtr lhs, ExprPtr rhs, size_t pos) {
    if (!lhs || !rhs) return nullptr;
    auto e = MakeExpr(Expr::Kind::kBinary, pos);
    e->op = op;
    e->lhs = std::move(lhs);
    e->rhs = std::move(rhs);
    return Limit(std::move(e), pos);
  }
  // Sets e's height from its children's; fails when the tree is too deep to evaluate (and
  // destroy) by recursion.
  ExprPtr Limit(ExprPtr e, size_t pos);

  std::string_view src_;
  size_t base_;
  const LineTable* lines_;
  Failure* failure_;
  size_t pos_ = 0;
  int depth_ = 0;  // ParseExpr calls under way
};

// Nests the tokens into a block; false after a failure (recorded in *failure).
bool BuildBlock(std::vector<Tok>* toks, const LineTable* lines, Failure* failure, ast::Block* out);

}  // namespace stator::vtl::parse
