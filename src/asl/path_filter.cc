// JSONPath filter expressions, [?(...)]: their grammar (the filter half of Parser, see
// path_parser.h) and their truth (FilterAccepts).
//
// Operators: ==, !=, <, <=, >, >=, =~ /regex/flags, in, nin, size, empty; &&, ||, !, parentheses;
// a bare path tests existence. Comparisons follow Jayway: numbers compare across int and double,
// <-style operators compare numbers with numbers and strings with strings (false otherwise), and
// != is true when a side is missing.
#include <re2/re2.h>

#include <cctype>
#include <cmath>

#include "asl/path_parser.h"

namespace stator::asl::path_internal {

using json::Value;

// ---------------------------------------------------------------------------------------------
// Grammar

Result<std::shared_ptr<const Filter>> Parser::ParseLeftAssociative(
    std::string_view op, Filter::Type type,
    Result<std::shared_ptr<const Filter>> (Parser::*parse_operand)()) {
  STATOR_TRY(auto left, (this->*parse_operand)());
  for (;;) {
    SkipSpaces();
    if (Peek() != op[0] || Peek(1) != op[1]) return left;
    pos_ += 2;
    STATOR_TRY(auto right, (this->*parse_operand)());
    auto f = std::make_shared<Filter>();
    f->type = type;
    f->children = {left, right};
    left = f;
  }
}

Result<std::shared_ptr<const Filter>> Parser::ParseOr() {
  return ParseLeftAssociative("||", Filter::Type::kOr, &Parser::ParseAnd);
}

Result<std::shared_ptr<const Filter>> Parser::ParseAnd() {
  return ParseLeftAssociative("&&", Filter::Type::kAnd, &Parser::ParseUnary);
}

Result<std::shared_ptr<const Filter>> Parser::ParseUnary() {
  DepthGuard guard(&depth_);
  if (depth_ > kMaxDepth) return Fail("Filter expression nested too deeply");
  SkipSpaces();
  if (Peek() == '!' && Peek(1) != '=') {
    ++pos_;
    STATOR_TRY(auto inner, ParseUnary());
    auto f = std::make_shared<Filter>();
    f->type = Filter::Type::kNot;
    f->children = {inner};
    return std::shared_ptr<const Filter>(f);
  }
  if (Peek() == '(') {
    ++pos_;
    STATOR_TRY(auto inner, ParseOr());
    SkipSpaces();
    if (Peek() != ')') return Fail("Expected ')' in filter");
    ++pos_;
    return inner;
  }
  return ParseRelation();
}

Result<std::shared_ptr<const Filter>> Parser::ParseRelation() {
  auto f = std::make_shared<Filter>();
  f->type = Filter::Type::kRelation;
  STATOR_TRY(f->left, ParseOperand());
  SkipSpaces();
  struct OpText {
    const char* text;
    Op op;
  };
  static const OpText kOps[] = {
      {"==", Op::kEq},    {"!=", Op::kNe},     {"<=", Op::kLe},       {">=", Op::kGe},
      {"=~", Op::kRegex}, {"<", Op::kLt},      {">", Op::kGt},        {"nin", Op::kNin},
      {"in", Op::kIn},    {"size", Op::kSize}, {"empty", Op::kEmpty},
  };
  for (const auto& o : kOps) {
    std::string_view t(o.text);
    if (s_.substr(pos_, t.size()) == t) {
      // Word operators need a separator after them.
      if (std::isalpha(static_cast<unsigned char>(t[0])) &&
          std::isalnum(static_cast<unsigned char>(Peek(t.size()))))
        continue;
      pos_ += t.size();
      f->op = o.op;
      STATOR_TRY(f->right, ParseOperand());
      if (f->op == Op::kRegex && f->right.type != Operand::Type::kRegex)
        return Fail("Expected a /regex/ after =~");
      if ((f->op == Op::kIn || f->op == Op::kNin) &&
          !(f->right.type == Operand::Type::kPath || f->right.literal.is_array()))
        return Fail("Expected an array after in/nin");
      return std::shared_ptr<const Filter>(f);
    }
  }
  if (f->left.type != Operand::Type::kPath) return Fail("Expected a comparison operator");
  f->op = Op::kExists;
  return std::shared_ptr<const Filter>(f);
}

Result<Operand> Parser::ParseOperand() {
  SkipSpaces();
  Operand o;
  char c = Peek();
  if (c == '@' || c == '$') {
    auto sp = std::make_shared<SubPath>();
    sp->from_root = c == '$';
    ++pos_;
    STATOR_RETURN_IF_ERROR(ParseSegments(&sp->segments, /*in_filter=*/true));
    sp->definite = IsDefinite(sp->segments);
    o.type = Operand::Type::kPath;
    o.path = std::move(sp);
    return o;
  }
  if (c == '/') {
    ++pos_;
    std::string pattern;
    while (!AtEnd() && Peek() != '/') {
      if (Peek() == '\\' && Peek(1) == '/') {
        pattern.push_back('/');
        pos_ += 2;
        continue;
      }
      pattern.push_back(Peek());
      ++pos_;
    }
    if (AtEnd()) return Fail("Unterminated regular expression");
    ++pos_;
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(1 << 20);  // bounds the compiled program for hostile patterns
    while (std::isalpha(static_cast<unsigned char>(Peek()))) {
      if (Peek() == 'i') options.set_case_sensitive(false);
      ++pos_;
    }
    auto regex = std::make_shared<const RE2>(pattern, options);
    if (!regex->ok()) return Fail("Invalid regular expression");
    o.regex = std::move(regex);
    o.type = Operand::Type::kRegex;
    return o;
  }
  STATOR_TRY(o.literal, ParseLiteral());
  o.type = Operand::Type::kLiteral;
  return o;
}

Result<Value> Parser::ParseLiteral() {
  DepthGuard guard(&depth_);
  if (depth_ > kMaxDepth) return Fail("Literal nested too deeply");
  SkipSpaces();
  char c = Peek();
  if (c == '\'' || c == '"') {
    STATOR_TRY(std::string s, ParseQuoted());
    return Value::String(std::move(s));
  }
  if (c == '[') {
    ++pos_;
    json::Array items;
    SkipSpaces();
    if (Peek() == ']') {
      ++pos_;
      return Value::MakeArray(std::move(items));
    }
    for (;;) {
      STATOR_TRY(Value v, ParseLiteral());
      items.push_back(std::move(v));
      STATOR_TRY(bool more, ListContinues("Expected ',' or ']' in array literal"));
      if (!more) return Value::MakeArray(std::move(items));
    }
  }
  for (const char* word : {"true", "false", "null"}) {
    std::string_view w(word);
    if (s_.substr(pos_, w.size()) == w) {
      pos_ += w.size();
      if (w == "true") return Value::Bool(true);
      if (w == "false") return Value::Bool(false);
      return Value::Null();
    }
  }
  if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
    size_t start = pos_;
    ++pos_;
    while (std::isdigit(static_cast<unsigned char>(Peek())) || Peek() == '.' || Peek() == 'e' ||
           Peek() == 'E' ||
           ((Peek() == '-' || Peek() == '+') && (s_[pos_ - 1] == 'e' || s_[pos_ - 1] == 'E')))
      ++pos_;
    auto v = json::Parse(s_.substr(start, pos_ - start));
    if (!v.ok()) return Fail("Invalid number");
    return *v;
  }
  return Fail("Expected a value in filter");
}

// ---------------------------------------------------------------------------------------------
// Truth

namespace {

// The value of an operand: a literal, or the node(s) a path selects (nullopt if none).
std::optional<Value> Resolve(const Operand& o, const Value& current, const Value& root) {
  if (o.type == Operand::Type::kLiteral) return o.literal;
  if (o.type == Operand::Type::kRegex) return std::nullopt;
  const SubPath& p = *o.path;
  const Value& base = p.from_root ? root : current;
  if (p.definite) {
    const Value* v = WalkDefinite(base, p.segments);
    if (v == nullptr) return std::nullopt;
    return *v;
  }
  std::vector<Value> matches;
  CollectMatches(p.segments, root, base, &matches);
  return Value::MakeArray(std::move(matches));
}

bool LooseEquals(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_int() && b.is_int()) return a.as_int() == b.as_int();
    return a.as_double() == b.as_double();
  }
  return a == b;
}

// Three-way comparison for <, <=, >, >=: numbers with numbers, strings with strings.
std::optional<int> Compare(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_int() && b.is_int()) {
      return a.as_int() < b.as_int() ? -1 : (a.as_int() > b.as_int() ? 1 : 0);
    }
    double x = a.as_double(), y = b.as_double();
    if (std::isnan(x) || std::isnan(y)) return std::nullopt;
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.is_string() && b.is_string()) {
    int c = a.as_string().compare(b.as_string());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

}  // namespace

bool FilterAccepts(const Filter& f, const Value& current, const Value& root) {
  switch (f.type) {
    case Filter::Type::kAnd:
      return FilterAccepts(*f.children[0], current, root) &&
             FilterAccepts(*f.children[1], current, root);
    case Filter::Type::kOr:
      return FilterAccepts(*f.children[0], current, root) ||
             FilterAccepts(*f.children[1], current, root);
    case Filter::Type::kNot:
      return !FilterAccepts(*f.children[0], current, root);
    case Filter::Type::kRelation:
      break;
  }
  std::optional<Value> left = Resolve(f.left, current, root);
  if (f.op == Op::kExists) {
    if (!left) return false;
    // An indefinite path "exists" when it matched something.
    if (!f.left.path->definite) return !left->as_array().empty();
    return true;
  }
  if (f.op == Op::kRegex) {
    if (!left || !left->is_string()) return false;
    return RE2::FullMatch(left->as_string(), *f.right.regex);
  }
  std::optional<Value> right = Resolve(f.right, current, root);
  switch (f.op) {
    case Op::kEq:
      return left && right && LooseEquals(*left, *right);
    case Op::kNe:
      return !(left && right && LooseEquals(*left, *right));
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe: {
      if (!left || !right) return false;
      auto c = Compare(*left, *right);
      if (!c) return false;
      if (f.op == Op::kLt) return *c < 0;
      if (f.op == Op::kLe) return *c <= 0;
      if (f.op == Op::kGt) return *c > 0;
      return *c >= 0;
    }
    case Op::kIn:
    case Op::kNin: {
      bool found = false;
      if (left && right && right->is_array()) {
        for (const auto& e : right->as_array()) {
          if (LooseEquals(*left, e)) {
            found = true;
            break;
          }
        }
      }
      return f.op == Op::kIn ? found : !found;
    }
    case Op::kSize: {
      if (!left || !right || !right->is_int()) return false;
      int64_t n;
      if (left->is_array()) {
        n = static_cast<int64_t>(left->as_array().size());
      } else if (left->is_string()) {
        n = static_cast<int64_t>(left->as_string().size());
      } else {
        return false;
      }
      return n == right->as_int();
    }
    case Op::kEmpty: {
      if (!left || !right || !right->is_bool()) return false;
      bool empty;
      if (left->is_array()) {
        empty = left->as_array().empty();
      } else if (left->is_string()) {
        empty = left->as_string().empty();
      } else {
        return false;
      }
      return empty == right->as_bool();
    }
    default:
      return false;
  }
}

}  // namespace stator::asl::path_internal
