// Parse: VTL template text to the syntax tree of ast.h.
//
// Three passes: the text is cut into flat tokens (text, references, directives, comments, each
// directive with its parsed arguments); lines holding nothing but directives, comments and
// whitespace are dropped from the text (Velocity's "lines" whitespace gobbling); the tokens are
// nested into blocks (#if ... #elseif ... #else ... #end, #foreach ... #end).
#include <algorithm>
#include <charconv>
#include <cstring>

#include "appsync/vtl/ast.h"
#include "appsync/vtl/vtl.h"

namespace stator::appsync::vtl {

Template::Template(std::vector<ast::Node> root)
    : root_(std::make_unique<std::vector<ast::Node>>(std::move(root))) {}
Template::~Template() = default;

namespace {

using ast::Expr;
using ast::ExprPtr;
using ast::Node;

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

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
  ExprPtr ParseExpr() { return ParseOr(); }
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
    return e;
  }

  std::string_view src_;
  size_t base_;
  const LineTable* lines_;
  Failure* failure_;
  size_t pos_ = 0;
};

void FlushText(std::string* text, std::vector<Tok>* out) {
  if (text->empty()) return;
  Tok t;
  t.kind = Tok::Kind::kText;
  t.text = std::move(*text);
  text->clear();
  out->push_back(std::move(t));
}

bool Parser::Tokenize(std::vector<Tok>* out) {
  std::string text;
  while (pos_ < src_.size() && !failed()) {
    char c = src_[pos_];
    if (c == '\\') {
      size_t run = pos_;
      while (At(run) == '\\') ++run;
      int count = static_cast<int>(run - pos_);
      if (At(run) == '$') {
        size_t save = pos_;
        pos_ = run;
        ast::Reference ref;
        if (ParseReference(&ref, true)) {
          FlushText(&text, out);
          Tok t;
          t.kind = Tok::Kind::kRef;
          t.ref = std::move(ref);
          t.backslashes = count;
          t.pos = save;
          out->push_back(std::move(t));
          continue;
        }
        if (failed()) return false;
        pos_ = save;
      } else if (At(run) == '#') {
        // \#if prints #if: each \\ is one backslash, an odd one escapes the '#'.
        text.append(static_cast<size_t>(count / 2), '\\');
        pos_ = run;
        if (count % 2 == 1) {
          text.push_back('#');
          ++pos_;
        }
        continue;
      }
      text.append(src_.substr(pos_, run - pos_));
      pos_ = run;
      continue;
    }
    if (c == '$') {
      size_t start = pos_;
      ast::Reference ref;
      if (ParseReference(&ref, true)) {
        FlushText(&text, out);
        Tok t;
        t.kind = Tok::Kind::kRef;
        t.ref = std::move(ref);
        t.pos = start;
        out->push_back(std::move(t));
      } else {
        if (failed()) return false;
        pos_ = start + 1;
        text.push_back('$');
      }
      continue;
    }
    if (c == '#') {
      if (!ParseDirective(out, &text)) return false;
      continue;
    }
    size_t next = src_.find_first_of("$#\\", pos_);
    if (next == std::string_view::npos) next = src_.size();
    text.append(src_.substr(pos_, next - pos_));
    pos_ = next;
  }
  FlushText(&text, out);
  return !failed();
}

bool Parser::ParseDirective(std::vector<Tok>* out, std::string* text) {
  size_t start = pos_;
  auto push = [&](Tok::Kind kind) -> Tok& {
    FlushText(text, out);
    Tok t;
    t.kind = kind;
    t.pos = start;
    out->push_back(std::move(t));
    return out->back();
  };
  if (Eat("##")) {
    while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
    if (pos_ > start && src_[pos_ - 1] == '\r') --pos_;
    push(Tok::Kind::kComment);
    return true;
  }
  if (Eat("#*")) {
    size_t end = src_.find("*#", pos_);
    if (end == std::string_view::npos) {
      Fail(start, "Encountered \"#*\": the comment is never closed with *#");
      return false;
    }
    pos_ = end + 2;
    push(Tok::Kind::kComment);
    return true;
  }
  if (Eat("#[[")) {
    size_t end = src_.find("]]#", pos_);
    if (end == std::string_view::npos) {
      Fail(start, "Encountered \"#[[\": the unparsed block is never closed with ]]#");
      return false;
    }
    text->append(src_.substr(pos_, end - pos_));
    pos_ = end + 3;
    return true;
  }
  ++pos_;  // '#'
  bool braced = Eat("{");
  std::string name = IsIdentStart(At(pos_)) ? Ident() : "";
  if (braced && !Eat("}")) name.clear();
  static const std::pair<const char*, Tok::Kind> kDirectives[] = {
      {"set", Tok::Kind::kSet},     {"if", Tok::Kind::kIf},     {"elseif", Tok::Kind::kElseIf},
      {"else", Tok::Kind::kElse},   {"end", Tok::Kind::kEnd},   {"foreach", Tok::Kind::kForeach},
      {"break", Tok::Kind::kBreak}, {"stop", Tok::Kind::kStop}, {"return", Tok::Kind::kReturn},
  };
  Tok::Kind kind = Tok::Kind::kText;
  for (const auto& [n, k] : kDirectives) {
    if (name == n) kind = k;
  }
  if (kind == Tok::Kind::kText) {  // not a directive: a literal '#'
    pos_ = start + 1;
    text->push_back('#');
    return true;
  }
  Tok& tok = push(kind);
  auto open_paren = [&]() {
    size_t save = pos_;
    while (At(pos_) == ' ' || At(pos_) == '\t') ++pos_;
    if (Eat("(")) return true;
    pos_ = save;
    return false;
  };
  auto close_paren = [&]() {
    SkipWs();
    if (Eat(")")) return true;
    Fail(pos_, "Encountered \"" + Describe(pos_) + "\" in #" + name + ": expected ')'");
    return false;
  };
  switch (kind) {
    case Tok::Kind::kSet: {
      if (!open_paren()) {
        Fail(pos_, "Encountered \"" + Describe(pos_) + "\": #set needs '('");
        return false;
      }
      SkipWs();
      if (At(pos_) != '$' || !ParseReference(&tok.ref, false)) {
        Fail(pos_, "Encountered \"" + Describe(pos_) + "\": #set needs a reference to set");
        return false;
      }
      SkipWs();
      if (!Eat("=")) {
        Fail(pos_, "Encountered \"" + Describe(pos_) + "\" in #set: expected '='");
        return false;
      }
      SkipWs();
      tok.expr = ParseExpr();
      return tok.expr != nullptr && close_paren();
    }
    case Tok::Kind::kIf:
    case Tok::Kind::kElseIf:
      if (!open_paren()) {
        Fail(pos_, "Encountered \"" + Describe(pos_) + "\": #" + name + " needs '('");
        return false;
      }
      SkipWs();
      tok.expr = ParseExpr();
      return tok.expr != nullptr && close_paren();
    case Tok::Kind::kForeach: {
      if (!open_paren()) {
        Fail(pos_, "Encountered \"" + Describe(pos_) + "\": #foreach needs '('");
        return false;
      }
      SkipWs();
      if (!Eat("$") || !IsIdentStart(At(pos_))) {
        Fail(pos_, "Encountered \"" + Describe(pos_) + "\": #foreach needs a $variable");
        return false;
      }
      tok.var = Ident();
      SkipWs();
      if (!EatWord("in")) {
        Fail(pos_, "Encountered \"" + Describe(pos_) + "\" in #foreach: expected 'in'");
        return false;
      }
      SkipWs();
      tok.expr = ParseExpr();
      return tok.expr != nullptr && close_paren();
    }
    case Tok::Kind::kReturn:
      if (open_paren()) {
        SkipWs();
        if (!Eat(")")) {
          tok.expr = ParseExpr();
          return tok.expr != nullptr && close_paren();
        }
      }
      return true;
    default:
      return true;
  }
}

bool Parser::ParseArgs(std::vector<ExprPtr>* args) {
  // At '(' of a method call.
  ++pos_;
  SkipWs();
  if (Eat(")")) return true;
  while (true) {
    SkipWs();
    ExprPtr arg = ParseExpr();
    if (!arg) return false;
    args->push_back(std::move(arg));
    SkipWs();
    if (Eat(")")) return true;
    if (!Eat(",")) {
      Fail(pos_, "Encountered \"" + Describe(pos_) + "\" in a method call: expected ',' or ')'");
      return false;
    }
  }
}

bool Parser::ParseReference(ast::Reference* ref, bool in_template) {
  size_t start = pos_;
  size_t p = pos_ + 1;
  bool quiet = false, braced = false;
  if (At(p) == '!') {
    quiet = true;
    ++p;
  }
  if (At(p) == '{') {
    braced = true;
    ++p;
  }
  if (!IsIdentStart(At(p))) return false;
  pos_ = p;
  ref->root = Ident();
  ref->quiet = quiet;
  SetPosition(start, &ref->line, &ref->column);
  while (true) {
    if (At(pos_) == '.' && IsIdentStart(At(pos_ + 1))) {
      ++pos_;
      ast::Segment seg;
      seg.name = Ident();
      if (At(pos_) == '(') {
        seg.kind = ast::Segment::Kind::kMethod;
        if (!ParseArgs(&seg.args)) return false;
      }
      ref->segments.push_back(std::move(seg));
      continue;
    }
    if (At(pos_) == '[') {
      size_t save = pos_;
      Failure saved_failure = *failure_;
      ++pos_;
      SkipWs();
      ExprPtr index = ParseExpr();
      SkipWs();
      if (index && Eat("]")) {
        ast::Segment seg;
        seg.kind = ast::Segment::Kind::kIndex;
        seg.index = std::move(index);
        ref->segments.push_back(std::move(seg));
        continue;
      }
      if (!in_template) {
        if (index) Fail(pos_, "Encountered \"" + Describe(pos_) + "\": expected ']'");
        return false;
      }
      *failure_ = saved_failure;  // "$a[" in text is text
      pos_ = save;
    }
    break;
  }
  if (braced && !Eat("}")) {
    if (!in_template) {
      Fail(pos_, "Encountered \"" + Describe(pos_) + "\": expected '}'");
    }
    pos_ = start;
    return false;
  }
  ref->literal = std::string(src_.substr(start, pos_ - start));
  return true;
}

ExprPtr Parser::ParseOr() {
  ExprPtr lhs = ParseAnd();
  while (lhs) {
    SkipWs();
    size_t at = pos_;
    if (!Eat("||") && !EatWord("or")) break;
    SkipWs();
    lhs = Binary(ast::Op::kOr, std::move(lhs), ParseAnd(), at);
  }
  return lhs;
}

ExprPtr Parser::ParseAnd() {
  ExprPtr lhs = ParseEquality();
  while (lhs) {
    SkipWs();
    size_t at = pos_;
    if (!Eat("&&") && !EatWord("and")) break;
    SkipWs();
    lhs = Binary(ast::Op::kAnd, std::move(lhs), ParseEquality(), at);
  }
  return lhs;
}

ExprPtr Parser::ParseEquality() {
  ExprPtr lhs = ParseRelational();
  while (lhs) {
    SkipWs();
    size_t at = pos_;
    ast::Op op;
    if (Eat("==") || EatWord("eq")) {
      op = ast::Op::kEq;
    } else if (Eat("!=") || EatWord("ne")) {
      op = ast::Op::kNe;
    } else {
      break;
    }
    SkipWs();
    lhs = Binary(op, std::move(lhs), ParseRelational(), at);
  }
  return lhs;
}

ExprPtr Parser::ParseRelational() {
  ExprPtr lhs = ParseAdditive();
  while (lhs) {
    SkipWs();
    size_t at = pos_;
    ast::Op op;
    if (Eat("<=") || EatWord("le")) {
      op = ast::Op::kLe;
    } else if (Eat(">=") || EatWord("ge")) {
      op = ast::Op::kGe;
    } else if (Eat("<") || EatWord("lt")) {
      op = ast::Op::kLt;
    } else if (Eat(">") || EatWord("gt")) {
      op = ast::Op::kGt;
    } else {
      break;
    }
    SkipWs();
    lhs = Binary(op, std::move(lhs), ParseAdditive(), at);
  }
  return lhs;
}

ExprPtr Parser::ParseAdditive() {
  ExprPtr lhs = ParseMultiplicative();
  while (lhs) {
    SkipWs();
    size_t at = pos_;
    ast::Op op;
    if (Eat("+")) {
      op = ast::Op::kAdd;
    } else if (At(pos_) == '-' && At(pos_ + 1) != '-') {
      ++pos_;
      op = ast::Op::kSub;
    } else {
      break;
    }
    SkipWs();
    lhs = Binary(op, std::move(lhs), ParseMultiplicative(), at);
  }
  return lhs;
}

ExprPtr Parser::ParseMultiplicative() {
  ExprPtr lhs = ParseUnary();
  while (lhs) {
    SkipWs();
    size_t at = pos_;
    ast::Op op;
    if (Eat("*")) {
      op = ast::Op::kMul;
    } else if (Eat("/")) {
      op = ast::Op::kDiv;
    } else if (Eat("%")) {
      op = ast::Op::kMod;
    } else {
      break;
    }
    SkipWs();
    lhs = Binary(op, std::move(lhs), ParseUnary(), at);
  }
  return lhs;
}

ExprPtr Parser::ParseUnary() {
  SkipWs();
  size_t at = pos_;
  ast::Op op;
  if ((At(pos_) == '!' && At(pos_ + 1) != '=')) {
    ++pos_;
    op = ast::Op::kNot;
  } else if (EatWord("not")) {
    op = ast::Op::kNot;
  } else if (At(pos_) == '-' && !IsDigit(At(pos_ + 1))) {
    ++pos_;
    op = ast::Op::kNeg;
  } else {
    return ParsePrimary();
  }
  ExprPtr operand = ParseUnary();
  if (!operand) return nullptr;
  auto e = MakeExpr(Expr::Kind::kUnary, at);
  e->op = op;
  e->lhs = std::move(operand);
  return e;
}

ExprPtr Parser::ParseNumber() {
  size_t start = pos_;
  if (At(pos_) == '-') ++pos_;
  while (IsDigit(At(pos_))) ++pos_;
  bool is_double = false;
  if (At(pos_) == '.' && IsDigit(At(pos_ + 1))) {
    is_double = true;
    ++pos_;
    while (IsDigit(At(pos_))) ++pos_;
  }
  if ((At(pos_) == 'e' || At(pos_) == 'E') &&
      (IsDigit(At(pos_ + 1)) ||
       ((At(pos_ + 1) == '-' || At(pos_ + 1) == '+') && IsDigit(At(pos_ + 2))))) {
    is_double = true;
    pos_ += 2;
    while (IsDigit(At(pos_))) ++pos_;
  }
  std::string_view digits = src_.substr(start, pos_ - start);
  if (!is_double) {
    int64_t v = 0;
    auto res = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (res.ec == std::errc()) {
      auto e = MakeExpr(Expr::Kind::kInt, start);
      e->int_value = v;
      return e;
    }
  }
  auto e = MakeExpr(Expr::Kind::kDouble, start);
  e->double_value = std::strtod(std::string(digits).c_str(), nullptr);
  return e;
}

ExprPtr Parser::ParseString() {
  size_t start = pos_;
  char quote = src_[pos_++];
  std::string content;
  size_t content_start = pos_;
  while (true) {
    if (pos_ >= src_.size()) {
      return Fail(start,
                  "Encountered \"" + std::string(1, quote) + "\": the string is never closed");
    }
    char c = src_[pos_];
    if (c == '\\' && quote == '"' && pos_ + 1 < src_.size()) {
      content.append(src_.substr(pos_, 2));  // kept as written, as Velocity does
      pos_ += 2;
      continue;
    }
    if (c == quote) {
      if (At(pos_ + 1) == quote) {  // "" inside "..." (and '' inside '...') is one quote
        content.push_back(quote);
        pos_ += 2;
        continue;
      }
      ++pos_;
      break;
    }
    content.push_back(c);
    ++pos_;
  }
  if (quote == '"' && content.find_first_of("$#") != std::string::npos) {
    std::vector<Tok> toks;
    Parser inner(content, base_ + content_start, lines_, failure_);
    if (!inner.Tokenize(&toks)) return nullptr;
    // Only text and references: a string literal holding a directive keeps it as text.
    auto block = std::make_shared<ast::Block>();
    for (auto& t : toks) {
      Node n;
      if (t.kind == Tok::Kind::kRef) {
        n.kind = Node::Kind::kRef;
        n.ref = std::move(t.ref);
        n.backslashes = t.backslashes;
      } else if (t.kind == Tok::Kind::kText) {
        n.text = std::move(t.text);
      } else {
        return Fail(start, "Encountered a directive inside a string literal (not supported)");
      }
      block->push_back(std::move(n));
    }
    auto e = MakeExpr(Expr::Kind::kInterpolated, start);
    e->template_ = std::move(block);
    return e;
  }
  auto e = MakeExpr(Expr::Kind::kString, start);
  e->string_value = std::move(content);
  return e;
}

ExprPtr Parser::ParsePrimary() {
  SkipWs();
  size_t at = pos_;
  char c = At(pos_);
  if (c == '$') {
    auto e = MakeExpr(Expr::Kind::kRef, at);
    if (!ParseReference(&e->ref, false)) {
      return Fail(at, "Encountered \"" + Describe(at) + "\": not a reference");
    }
    return e;
  }
  if (c == '"' || c == '\'') return ParseString();
  if (IsDigit(c) || (c == '-' && IsDigit(At(pos_ + 1)))) return ParseNumber();
  if (c == '(') {
    ++pos_;
    SkipWs();
    ExprPtr inner = ParseExpr();
    if (!inner) return nullptr;
    SkipWs();
    if (!Eat(")")) return Fail(pos_, "Encountered \"" + Describe(pos_) + "\": expected ')'");
    return inner;
  }
  if (c == '[') {
    ++pos_;
    SkipWs();
    auto e = MakeExpr(Expr::Kind::kList, at);
    if (Eat("]")) return e;
    while (true) {
      SkipWs();
      ExprPtr item = ParseExpr();
      if (!item) return nullptr;
      e->items.push_back(std::move(item));
      SkipWs();
      if (e->items.size() == 1 && Eat("..")) {
        e->kind = Expr::Kind::kRange;
        SkipWs();
        ExprPtr to = ParseExpr();
        if (!to) return nullptr;
        e->items.push_back(std::move(to));
        SkipWs();
        if (!Eat("]")) {
          return Fail(pos_, "Encountered \"" + Describe(pos_) + "\" in a range: expected ']'");
        }
        return e;
      }
      if (Eat("]")) return e;
      if (!Eat(",")) {
        return Fail(pos_, "Encountered \"" + Describe(pos_) + "\" in a list: expected ',' or ']'");
      }
    }
  }
  if (c == '{') {
    ++pos_;
    SkipWs();
    auto e = MakeExpr(Expr::Kind::kMap, at);
    if (Eat("}")) return e;
    while (true) {
      SkipWs();
      ExprPtr key = ParseExpr();
      if (!key) return nullptr;
      SkipWs();
      if (!Eat(":")) {
        return Fail(pos_, "Encountered \"" + Describe(pos_) + "\" in a map: expected ':'");
      }
      SkipWs();
      ExprPtr value = ParseExpr();
      if (!value) return nullptr;
      e->items.push_back(std::move(key));
      e->items.push_back(std::move(value));
      SkipWs();
      if (Eat("}")) return e;
      if (!Eat(",")) {
        return Fail(pos_, "Encountered \"" + Describe(pos_) + "\" in a map: expected ',' or '}'");
      }
    }
  }
  if (EatWord("true") || EatWord("false")) {
    auto e = MakeExpr(Expr::Kind::kBool, at);
    e->bool_value = src_[at] == 't';
    return e;
  }
  if (EatWord("null")) return MakeExpr(Expr::Kind::kNull, at);
  return Fail(at, "Encountered \"" + Describe(at) + "\": expected a value");
}

// Drops every line that holds only directives, comments and spaces (its indentation and its
// newline), as Velocity's "lines" space gobbling does.
std::vector<Tok> GobbleDirectiveLines(std::vector<Tok> toks) {
  struct Unit {
    size_t tok;        // index into toks
    std::string text;  // for text pieces
    bool is_text = false;
    bool ends_line = false;
  };
  std::vector<Unit> units;
  for (size_t i = 0; i < toks.size(); ++i) {
    if (toks[i].kind != Tok::Kind::kText) {
      units.push_back({i, "", false, false});
      continue;
    }
    std::string_view s = toks[i].text;
    while (!s.empty()) {
      size_t nl = s.find('\n');
      size_t len = nl == std::string_view::npos ? s.size() : nl + 1;
      units.push_back({i, std::string(s.substr(0, len)), true, nl != std::string_view::npos});
      s.remove_prefix(len);
    }
  }
  std::vector<bool> drop(units.size(), false);
  size_t line_start = 0;
  for (size_t i = 0; i <= units.size(); ++i) {
    bool line_ends = i == units.size() || units[i].ends_line;
    if (!line_ends) continue;
    size_t line_end = std::min(i + 1, units.size());
    bool only_directives = true, any_directive = false;
    for (size_t u = line_start; u < line_end; ++u) {
      if (units[u].is_text) {
        if (units[u].text.find_first_not_of(" \t\r\n") != std::string::npos) {
          only_directives = false;
        }
      } else if (toks[units[u].tok].kind == Tok::Kind::kRef) {
        only_directives = false;
      } else {
        any_directive = true;
      }
    }
    if (only_directives && any_directive) {
      for (size_t u = line_start; u < line_end; ++u) drop[u] = units[u].is_text;
    }
    line_start = line_end;
  }
  std::vector<Tok> out;
  std::string text;
  for (size_t u = 0; u < units.size(); ++u) {
    if (units[u].is_text) {
      if (!drop[u]) text.append(units[u].text);
      continue;
    }
    FlushText(&text, &out);
    out.push_back(std::move(toks[units[u].tok]));
  }
  FlushText(&text, &out);
  return out;
}

class TreeBuilder {
 public:
  TreeBuilder(std::vector<Tok>* toks, const LineTable* lines, Failure* failure)
      : toks_(*toks), lines_(lines), failure_(failure) {}

  // Builds nodes until a token that closes a block (#elseif, #else, #end) or the end; returns
  // the index of that token (toks_.size() at the end).
  size_t Build(size_t i, ast::Block* out) {
    for (; i < toks_.size() && failure_->message.empty(); ++i) {
      Tok& t = toks_[i];
      Node n;
      lines_->LineCol(t.pos, &n.line, &n.column);
      switch (t.kind) {
        case Tok::Kind::kElseIf:
        case Tok::Kind::kElse:
        case Tok::Kind::kEnd:
          return i;
        case Tok::Kind::kComment:
          continue;
        case Tok::Kind::kText:
          n.kind = Node::Kind::kText;
          n.text = std::move(t.text);
          break;
        case Tok::Kind::kRef:
          n.kind = Node::Kind::kRef;
          n.ref = std::move(t.ref);
          n.backslashes = t.backslashes;
          break;
        case Tok::Kind::kSet:
          n.kind = Node::Kind::kSet;
          n.ref = std::move(t.ref);
          n.value = std::move(t.expr);
          break;
        case Tok::Kind::kBreak:
          n.kind = Node::Kind::kBreak;
          break;
        case Tok::Kind::kStop:
          n.kind = Node::Kind::kStop;
          break;
        case Tok::Kind::kReturn:
          n.kind = Node::Kind::kReturn;
          n.value = std::move(t.expr);
          break;
        case Tok::Kind::kIf: {
          n.kind = Node::Kind::kIf;
          ExprPtr cond = std::move(t.expr);
          size_t open = i;
          while (true) {
            ast::IfBranch branch;
            branch.condition = std::move(cond);
            size_t stop = Build(i + 1, &branch.body);
            n.branches.push_back(std::move(branch));
            if (!failure_->message.empty()) return toks_.size();
            if (stop >= toks_.size()) {
              Fail(open, "Encountered \"<EOF>\": #if is never closed with #end");
              return toks_.size();
            }
            i = stop;
            if (toks_[i].kind == Tok::Kind::kEnd) break;
            bool was_else = !n.branches.back().condition && n.branches.size() > 1;
            if (was_else) {
              Fail(i, "Encountered \"#" +
                          std::string(toks_[i].kind == Tok::Kind::kElse ? "else" : "elseif") +
                          "\" after #else");
              return toks_.size();
            }
            cond = toks_[i].kind == Tok::Kind::kElseIf ? std::move(toks_[i].expr) : nullptr;
          }
          break;
        }
        case Tok::Kind::kForeach: {
          n.kind = Node::Kind::kForeach;
          n.var = std::move(t.var);
          n.value = std::move(t.expr);
          size_t open = i;
          size_t stop = Build(i + 1, &n.body);
          if (!failure_->message.empty()) return toks_.size();
          if (stop >= toks_.size()) {
            Fail(open, "Encountered \"<EOF>\": #foreach is never closed with #end");
            return toks_.size();
          }
          if (toks_[stop].kind != Tok::Kind::kEnd) {
            Fail(stop, "Encountered \"#else\" inside #foreach without #if");
            return toks_.size();
          }
          i = stop;
          break;
        }
      }
      out->push_back(std::move(n));
    }
    return i;
  }

  void Fail(size_t tok, std::string message) {
    if (!failure_->message.empty()) return;
    failure_->message = std::move(message);
    failure_->pos = toks_[tok].pos;
  }

 private:
  std::vector<Tok>& toks_;
  const LineTable* lines_;
  Failure* failure_;
};

}  // namespace

ParseResult Parse(std::string_view text) {
  ParseResult result;
  LineTable lines(text);
  Failure failure;
  std::vector<Tok> toks;
  Parser parser(text, 0, &lines, &failure);
  if (parser.Tokenize(&toks)) {
    toks = GobbleDirectiveLines(std::move(toks));
    ast::Block root;
    TreeBuilder builder(&toks, &lines, &failure);
    size_t stop = builder.Build(0, &root);
    if (failure.message.empty() && stop < toks.size()) {
      const char* what = toks[stop].kind == Tok::Kind::kEnd    ? "#end"
                         : toks[stop].kind == Tok::Kind::kElse ? "#else"
                                                               : "#elseif";
      builder.Fail(stop, std::string("Encountered \"") + what + "\" without #if or #foreach");
    }
    if (failure.message.empty()) {
      result.tmpl = std::make_shared<const Template>(std::move(root));
      return result;
    }
  }
  if (failure.message.empty()) failure.message = "Unable to parse the template";
  lines.LineCol(failure.pos, &result.line, &result.column);
  result.error = failure.message + " at velocity[line " + std::to_string(result.line) +
                 ", column " + std::to_string(result.column) + "]";
  return result;
}

}  // namespace stator::appsync::vtl
