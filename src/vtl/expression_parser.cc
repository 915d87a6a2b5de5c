// The expression half of the VTL parser: operators by precedence, literals (numbers, strings
// with interpolation, lists, ranges, maps), references inside expressions.
#include <charconv>
#include <cstdlib>

#include "vtl/parser.h"

namespace stator::vtl::parse {

namespace {

// How deep an expression may nest: `a + b + ...` with 200 terms, or 200 levels of brackets.
constexpr int kMaxHeight = 200;

int RefHeight(const ast::Reference& ref) {
  int h = 0;
  for (const auto& seg : ref.segments) {
    for (const auto& arg : seg.args) h = std::max(h, arg->height);
    if (seg.index) h = std::max(h, seg.index->height);
  }
  return h;
}

int BlockHeight(const ast::Block& block) {
  int h = 0;
  for (const Node& n : block) {
    h = std::max(h, RefHeight(n.ref));
    if (n.value) h = std::max(h, n.value->height);
    for (const auto& b : n.branches) {
      if (b.condition) h = std::max(h, b.condition->height);
      h = std::max(h, BlockHeight(b.body));
    }
    h = std::max(h, BlockHeight(n.body));
  }
  return h;
}

}  // namespace

ExprPtr Parser::Limit(ExprPtr e, size_t pos) {
  int h = RefHeight(e->ref);
  if (e->lhs) h = std::max(h, e->lhs->height);
  if (e->rhs) h = std::max(h, e->rhs->height);
  for (const auto& item : e->items) h = std::max(h, item->height);
  if (e->template_) h = std::max(h, BlockHeight(*e->template_));
  e->height = h + 1;
  if (e->height > kMaxHeight) {
    return Fail(pos, "Encountered an expression nested more than " + std::to_string(kMaxHeight) +
                         " levels deep");
  }
  return e;
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

ExprPtr Parser::ParseExpr() {
  // Each level of brackets, calls and unary operators recurses here: bound it.
  if (depth_ >= kMaxHeight) {
    return Fail(pos_, "Encountered an expression nested more than " + std::to_string(kMaxHeight) +
                          " levels deep");
  }
  ++depth_;
  ExprPtr e = ParseOr();
  --depth_;
  return e;
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
  if (depth_ >= kMaxHeight) {  // !!!!...x recurses here
    return Fail(at, "Encountered an expression nested more than " + std::to_string(kMaxHeight) +
                        " levels deep");
  }
  ++depth_;
  ExprPtr operand = ParseUnary();
  --depth_;
  if (!operand) return nullptr;
  auto e = MakeExpr(Expr::Kind::kUnary, at);
  e->op = op;
  e->lhs = std::move(operand);
  return Limit(std::move(e), at);
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
    // Directives work inside the string too ("$a#if($more),#end"); no line gobbling there.
    auto block = std::make_shared<ast::Block>();
    if (!BuildBlock(&toks, lines_, failure_, block.get())) return nullptr;
    auto e = MakeExpr(Expr::Kind::kInterpolated, start);
    e->template_ = std::move(block);
    return Limit(std::move(e), start);
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
    return Limit(std::move(e), at);
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
        return Limit(std::move(e), at);
      }
      if (Eat("]")) return Limit(std::move(e), at);
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
      if (Eat("}")) return Limit(std::move(e), at);
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

}  // namespace stator::vtl::parse
