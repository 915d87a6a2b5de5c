// JsonPath: compile into segments once, evaluate without parsing (see path.h).
//
// Semantics follow Jayway JsonPath (the library behind Step Functions) with its default options:
//  - a definite path (names and single indexes only) selects one node or nothing;
//  - an indefinite path yields the array of every match, skipping branches that do not match;
//  - a leaf union of names (['a','b']) yields one object per match holding the names present;
//  - a deep scan (..x) tries x at every object and array of the tree, parents before children;
//  - filters evaluate @ against each array element (or against an object itself).
#include "asl/path.h"

#include <re2/re2.h>

#include <cmath>
#include <cstdlib>
#include <vector>

namespace stator::asl {

namespace {

using json::Kind;
using json::Value;

struct Filter;

// One step of a compiled path.
struct Segment {
  enum class Type : uint8_t {
    kName,      // .name or ['name']
    kIndex,     // [n]
    kWildcard,  // .* or [*]
    kNames,     // ['a','b']
    kIndexes,   // [0,2]
    kSlice,     // [start:end:step]
    kFilter,    // [?(...)]
  };
  Type type = Type::kName;
  bool deep = false;  // preceded by ".." (deep scan)
  std::string name;
  int64_t index = 0;
  std::vector<std::string> names;
  std::vector<int64_t> indexes;
  std::optional<int64_t> slice_start, slice_end;
  int64_t slice_step = 1;
  std::shared_ptr<const Filter> filter;
};

// A path inside a filter (@... or $...), evaluated like any other path.
struct SubPath {
  bool from_root = false;  // $ instead of @
  std::vector<Segment> segments;
  bool definite = true;
};

// ---------------------------------------------------------------------------------------------
// Filter expressions

enum class Op : uint8_t {
  kExists,  // a bare path: [?(@.x)]
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kRegex,
  kIn,
  kNin,
  kSize,
  kEmpty,
};

struct Operand {
  enum class Type : uint8_t { kLiteral, kPath, kRegex } type = Type::kLiteral;
  Value literal;
  std::shared_ptr<const SubPath> path;
  std::shared_ptr<const RE2> regex;  // RE2: linear-time matching, no backtracking on user patterns
};

struct Filter {
  enum class Type : uint8_t { kAnd, kOr, kNot, kRelation } type = Type::kRelation;
  std::vector<std::shared_ptr<const Filter>> children;  // kAnd/kOr: 2, kNot: 1
  Op op = Op::kExists;
  Operand left, right;
};

}  // namespace

struct JsonPath::Impl {
  std::vector<Segment> segments;
  bool definite = true;
  bool reference = true;
};

namespace {

// ---------------------------------------------------------------------------------------------
// Parsing

class Parser {
 public:
  Parser(std::string_view text, size_t pos) : s_(text), pos_(pos) {}

  size_t pos() const { return pos_; }
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek(size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }
  void SkipSpaces() {
    while (!AtEnd() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }

  Error Fail(std::string why) const {
    return Error{"InvalidPath", why + " at position " + std::to_string(pos_)};
  }

  // Parses segments until the end of text (in_filter=false) or until a character that ends a
  // filter operand (in_filter=true).
  Status ParseSegments(std::vector<Segment>* out, bool in_filter) {
    while (!AtEnd()) {
      char c = Peek();
      if (c == '.') {
        Segment seg;
        ++pos_;
        if (Peek() == '.') {
          seg.deep = true;
          ++pos_;
        }
        if (AtEnd()) return Fail("Path must not end with a '.' or '..'");
        if (Peek() == '[') {
          if (!seg.deep) return Fail("Unexpected '[' after '.'");
          STATOR_RETURN_IF_ERROR(ParseBracket(&seg));
        } else if (Peek() == '*') {
          ++pos_;
          seg.type = Segment::Type::kWildcard;
        } else {
          size_t start = pos_;
          while (!AtEnd()) {
            char d = Peek();
            if (d == '.' || d == '[') break;
            if (d == ' ') {
              if (in_filter) break;
              return Fail("Use bracket notation ['my prop'] if a name contains blank characters");
            }
            if (d == '(') return Fail("Functions are not supported");
            if (in_filter && (d == ')' || d == '=' || d == '!' || d == '<' || d == '>' ||
                              d == '&' || d == '|' || d == ',' || d == ']'))
              break;
            ++pos_;
          }
          if (pos_ == start) return Fail("Empty property name");
          seg.type = Segment::Type::kName;
          seg.name = std::string(s_.substr(start, pos_ - start));
        }
        out->push_back(std::move(seg));
      } else if (c == '[') {
        Segment seg;
        STATOR_RETURN_IF_ERROR(ParseBracket(&seg));
        out->push_back(std::move(seg));
      } else if (in_filter) {
        return Status::Ok();
      } else {
        return Fail(std::string("Unexpected character '") + c + "', expected '.' or '['");
      }
    }
    return Status::Ok();
  }

  // Parses a filter expression up to (not including) the closing ')' of "[?(".
  Result<std::shared_ptr<const Filter>> ParseOr() {
    STATOR_TRY(auto left, ParseAnd());
    for (;;) {
      SkipSpaces();
      if (Peek() == '|' && Peek(1) == '|') {
        pos_ += 2;
        STATOR_TRY(auto right, ParseAnd());
        auto f = std::make_shared<Filter>();
        f->type = Filter::Type::kOr;
        f->children = {left, right};
        left = f;
      } else {
        return left;
      }
    }
  }

 private:
  Result<std::shared_ptr<const Filter>> ParseAnd() {
    STATOR_TRY(auto left, ParseUnary());
    for (;;) {
      SkipSpaces();
      if (Peek() == '&' && Peek(1) == '&') {
        pos_ += 2;
        STATOR_TRY(auto right, ParseUnary());
        auto f = std::make_shared<Filter>();
        f->type = Filter::Type::kAnd;
        f->children = {left, right};
        left = f;
      } else {
        return left;
      }
    }
  }

  Result<std::shared_ptr<const Filter>> ParseUnary() {
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

  Result<std::shared_ptr<const Filter>> ParseRelation() {
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

  Result<Operand> ParseOperand() {
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

  // A literal inside a filter: number, 'string', "string", true, false, null, or an array of
  // literals.
  Result<Value> ParseLiteral() {
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
        SkipSpaces();
        if (Peek() == ',') {
          ++pos_;
          continue;
        }
        if (Peek() == ']') {
          ++pos_;
          return Value::MakeArray(std::move(items));
        }
        return Fail("Expected ',' or ']' in array literal");
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

  // A quoted name or string ('...' or "..."). A backslash keeps the next character from closing
  // it. Filter strings drop the backslash; bracket names keep it, as Step Functions' Jayway does
  // ($['a\\"b'] selects the key a\\"b, recorded against AWS).
  Result<std::string> ParseQuoted(bool unescape = true) {
    char quote = Peek();
    ++pos_;
    std::string out;
    while (!AtEnd()) {
      char c = Peek();
      if (c == '\\' && pos_ + 1 < s_.size()) {
        if (!unescape) out.push_back(c);
        out.push_back(s_[pos_ + 1]);
        pos_ += 2;
        continue;
      }
      if (c == quote) {
        ++pos_;
        return out;
      }
      out.push_back(c);
      ++pos_;
    }
    return Fail("Unterminated quoted string");
  }

  Result<int64_t> ParseInt() {
    SkipSpaces();
    size_t start = pos_;
    if (Peek() == '-') ++pos_;
    while (std::isdigit(static_cast<unsigned char>(Peek()))) ++pos_;
    if (pos_ == start || (pos_ == start + 1 && s_[start] == '-')) return Fail("Expected a number");
    int64_t v = 0;
    std::string digits(s_.substr(start, pos_ - start));
    errno = 0;
    v = std::strtoll(digits.c_str(), nullptr, 10);
    if (errno == ERANGE) return Fail("Index out of range");
    return v;
  }

  // Parses "[...]" into seg (whose deep flag is already set).
  Status ParseBracket(Segment* seg) {
    ++pos_;  // '['
    SkipSpaces();
    char c = Peek();
    if (c == '?') {
      ++pos_;
      SkipSpaces();
      if (Peek() != '(') return Fail("Expected '(' after '[?'");
      ++pos_;
      STATOR_TRY(seg->filter, ParseOr());
      SkipSpaces();
      if (Peek() != ')') return Fail("Expected ')' to close the filter");
      ++pos_;
      SkipSpaces();
      if (Peek() != ']') return Fail("Expected ']' to close the filter");
      ++pos_;
      seg->type = Segment::Type::kFilter;
      return Status::Ok();
    }
    if (c == '*') {
      ++pos_;
      SkipSpaces();
      if (Peek() != ']') return Fail("Expected ']' after '*'");
      ++pos_;
      seg->type = Segment::Type::kWildcard;
      return Status::Ok();
    }
    if (c == '\'' || c == '"') {
      std::vector<std::string> names;
      for (;;) {
        SkipSpaces();
        if (Peek() != '\'' && Peek() != '"') return Fail("Expected a quoted name");
        STATOR_TRY(std::string n, ParseQuoted(/*unescape=*/false));
        names.push_back(std::move(n));
        SkipSpaces();
        if (Peek() == ',') {
          ++pos_;
          continue;
        }
        if (Peek() == ']') {
          ++pos_;
          break;
        }
        return Fail("Expected ',' or ']' after a quoted name");
      }
      if (names.size() == 1) {
        seg->type = Segment::Type::kName;
        seg->name = std::move(names[0]);
      } else {
        seg->type = Segment::Type::kNames;
        seg->names = std::move(names);
      }
      return Status::Ok();
    }
    if (c == ':' || c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
      // Index, index list or slice.
      std::optional<int64_t> first;
      if (c != ':') {
        STATOR_TRY(first, ParseInt());
      }
      SkipSpaces();
      if (Peek() == ':') {
        ++pos_;
        seg->type = Segment::Type::kSlice;
        seg->slice_start = first;
        SkipSpaces();
        if (Peek() != ':' && Peek() != ']') {
          STATOR_TRY(seg->slice_end, ParseInt());
        }
        SkipSpaces();
        if (Peek() == ':') {
          ++pos_;
          SkipSpaces();
          if (Peek() != ']') {
            STATOR_TRY(seg->slice_step, ParseInt());
            if (seg->slice_step <= 0) return Fail("Slice step must be positive");
          }
        }
        SkipSpaces();
        if (Peek() != ']') return Fail("Expected ']' after a slice");
        ++pos_;
        return Status::Ok();
      }
      std::vector<int64_t> idx{*first};
      for (;;) {
        SkipSpaces();
        if (Peek() == ']') {
          ++pos_;
          break;
        }
        if (Peek() != ',') return Fail("Expected ',' or ']' after an index");
        ++pos_;
        STATOR_TRY(int64_t n, ParseInt());
        idx.push_back(n);
      }
      if (idx.size() == 1) {
        seg->type = Segment::Type::kIndex;
        seg->index = idx[0];
      } else {
        seg->type = Segment::Type::kIndexes;
        seg->indexes = std::move(idx);
      }
      return Status::Ok();
    }
    if (c == ']') return Fail("Empty brackets");
    return Fail(std::string("Unexpected character '") + c + "' in brackets");
  }

 public:
  static bool IsDefinite(const std::vector<Segment>& segs) {
    for (const auto& s : segs) {
      if (s.deep) return false;
      if (s.type != Segment::Type::kName && s.type != Segment::Type::kIndex) return false;
    }
    return true;
  }

 private:
  // Bounds recursion on hostile input (definitions are user data).
  static constexpr int kMaxDepth = 64;
  struct DepthGuard {
    explicit DepthGuard(int* d) : d_(d) { ++*d_; }
    ~DepthGuard() { --*d_; }
    int* d_;
  };

  std::string_view s_;
  size_t pos_;
  int depth_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Evaluation

// Follows a definite path without allocating; nullptr when it does not exist.
const Value* WalkDefinite(const Value& root, const std::vector<Segment>& segs) {
  const Value* cur = &root;
  for (const auto& s : segs) {
    if (s.type == Segment::Type::kName) {
      cur = cur->Find(s.name);
      if (cur == nullptr) return nullptr;
    } else {
      if (!cur->is_array()) return nullptr;
      const auto& a = cur->as_array();
      int64_t i = s.index < 0 ? static_cast<int64_t>(a.size()) + s.index : s.index;
      if (i < 0 || i >= static_cast<int64_t>(a.size())) return nullptr;
      cur = &a[static_cast<size_t>(i)];
    }
  }
  return cur;
}

class Evaluator {
 public:
  Evaluator(const std::vector<Segment>& segs, const Value& root, std::vector<Value>* out)
      : segs_(segs), root_(root), out_(out) {}

  void Run(const Value& node) { Eval(node, 0); }

 private:
  void Emit(size_t i, const Value& v) {
    if (i + 1 == segs_.size()) {
      out_->push_back(v);
    } else {
      Eval(v, i + 1);
    }
  }

  void Eval(const Value& node, size_t i) {
    if (i == segs_.size()) {
      out_->push_back(node);
      return;
    }
    const Segment& s = segs_[i];
    if (s.deep) {
      Scan(node, i);
    } else {
      Apply(node, i);
    }
  }

  // Applies segment i (ignoring its deep flag) to node.
  void Apply(const Value& node, size_t i) {
    const Segment& s = segs_[i];
    switch (s.type) {
      case Segment::Type::kName:
        if (const Value* v = node.Find(s.name)) Emit(i, *v);
        return;
      case Segment::Type::kNames:
        if (!node.is_object()) return;
        if (i + 1 == segs_.size()) {
          // Jayway merges a leaf union of names into one object.
          json::Object merged;
          for (const auto& n : s.names) {
            if (const Value* v = node.Find(n)) merged.emplace_back(n, *v);
          }
          out_->push_back(Value::MakeObject(std::move(merged)));
        } else {
          for (const auto& n : s.names) {
            if (const Value* v = node.Find(n)) Emit(i, *v);
          }
        }
        return;
      case Segment::Type::kIndex:
        ApplyIndex(node, s.index, i);
        return;
      case Segment::Type::kIndexes:
        for (int64_t idx : s.indexes) ApplyIndex(node, idx, i);
        return;
      case Segment::Type::kWildcard:
        if (node.is_object()) {
          for (const auto& m : node.as_object()) Emit(i, m.second);
        } else if (node.is_array()) {
          for (const auto& e : node.as_array()) Emit(i, e);
        }
        return;
      case Segment::Type::kSlice:
        ApplySlice(node, s, i);
        return;
      case Segment::Type::kFilter:
        if (node.is_array()) {
          for (const auto& e : node.as_array()) {
            if (Accept(*s.filter, e)) Emit(i, e);
          }
        } else if (node.is_object()) {
          if (Accept(*s.filter, node)) Emit(i, node);
        }
        return;
    }
  }

  void ApplyIndex(const Value& node, int64_t idx, size_t i) {
    if (!node.is_array()) return;
    const auto& a = node.as_array();
    int64_t n = static_cast<int64_t>(a.size());
    if (idx < 0) idx += n;
    if (idx >= 0 && idx < n) Emit(i, a[static_cast<size_t>(idx)]);
  }

  void ApplySlice(const Value& node, const Segment& s, size_t i) {
    if (!node.is_array()) return;
    const auto& a = node.as_array();
    int64_t n = static_cast<int64_t>(a.size());
    int64_t from = s.slice_start.value_or(0);
    int64_t to = s.slice_end.value_or(n);
    if (from < 0) from = std::max<int64_t>(0, n + from);
    if (to < 0) to = n + to;
    to = std::min(to, n);
    for (int64_t k = from; k < to; k += s.slice_step) Emit(i, a[static_cast<size_t>(k)]);
  }

  // Deep scan: segment i is tried at node and at every container below it.
  void Scan(const Value& node, size_t i) {
    const Segment& s = segs_[i];
    if (node.is_object()) {
      bool matches;
      switch (s.type) {
        case Segment::Type::kName:
          matches = node.Find(s.name) != nullptr;
          break;
        case Segment::Type::kNames:
        case Segment::Type::kWildcard:
          matches = true;
          break;
        case Segment::Type::kFilter:
          matches = Accept(*s.filter, node);
          break;
        default:
          matches = false;  // index and slice steps apply to arrays only
      }
      if (matches) Apply(node, i);
      for (const auto& m : node.as_object()) {
        if (m.second.is_object() || m.second.is_array()) Scan(m.second, i);
      }
    } else if (node.is_array()) {
      bool matches;
      switch (s.type) {
        case Segment::Type::kIndex:
        case Segment::Type::kIndexes:
        case Segment::Type::kSlice:
        case Segment::Type::kWildcard:
          matches = true;
          break;
        case Segment::Type::kFilter:
          matches = Accept(*s.filter, node);
          break;
        default:
          matches = false;
      }
      if (matches) {
        if (i + 1 == segs_.size()) {
          Apply(node, i);
        } else {
          // As Jayway does: below a matching array, the rest of the path continues from each
          // element.
          for (const auto& e : node.as_array()) Eval(e, i + 1);
        }
      }
      for (const auto& e : node.as_array()) {
        if (e.is_object() || e.is_array()) Scan(e, i);
      }
    }
  }

  // --- filters ---

  // The value of an operand: a literal, or the node(s) a path selects (nullopt if none).
  std::optional<Value> Resolve(const Operand& o, const Value& current) {
    if (o.type == Operand::Type::kLiteral) return o.literal;
    if (o.type == Operand::Type::kRegex) return std::nullopt;
    const SubPath& p = *o.path;
    const Value& base = p.from_root ? root_ : current;
    if (p.definite) {
      const Value* v = WalkDefinite(base, p.segments);
      if (v == nullptr) return std::nullopt;
      return *v;
    }
    std::vector<Value> matches;
    Evaluator(p.segments, root_, &matches).Run(base);
    return Value::MakeArray(std::move(matches));
  }

  static bool LooseEquals(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) {
      if (a.is_int() && b.is_int()) return a.as_int() == b.as_int();
      return a.as_double() == b.as_double();
    }
    return a == b;
  }

  // Three-way comparison for <, <=, >, >=: numbers with numbers, strings with strings.
  static std::optional<int> Compare(const Value& a, const Value& b) {
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

  bool Accept(const Filter& f, const Value& current) {
    switch (f.type) {
      case Filter::Type::kAnd:
        return Accept(*f.children[0], current) && Accept(*f.children[1], current);
      case Filter::Type::kOr:
        return Accept(*f.children[0], current) || Accept(*f.children[1], current);
      case Filter::Type::kNot:
        return !Accept(*f.children[0], current);
      case Filter::Type::kRelation:
        break;
    }
    std::optional<Value> left = Resolve(f.left, current);
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
    std::optional<Value> right = Resolve(f.right, current);
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

  const std::vector<Segment>& segs_;
  const Value& root_;
  std::vector<Value>* out_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// JsonPath

JsonPath::JsonPath() : text_("$"), impl_(std::make_shared<const Impl>()) {}

Result<JsonPath> JsonPath::Compile(std::string_view text) {
  // Jayway ignores surrounding whitespace.
  size_t b = 0, e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
  std::string_view t = text.substr(b, e - b);
  if (t.empty() || t[0] != '$') {
    return Error{"InvalidPath", "Path must start with '$'"};
  }
  JsonPath p;
  p.text_ = std::string(text);
  size_t pos = 1;
  if (t.size() > 1 && t[1] == '$') {
    p.context_ = true;
    pos = 2;
  } else if (t.size() > 1 && IsVariableNameStart(static_cast<unsigned char>(t[1]))) {
    // A workflow variable: $name, then the usual steps.
    while (pos < t.size() && IsVariableNamePart(static_cast<unsigned char>(t[pos]))) ++pos;
    p.variable_ = std::string(t.substr(1, pos - 1));
  }
  auto impl = std::make_shared<Impl>();
  Parser parser(t, pos);
  Status s = parser.ParseSegments(&impl->segments, /*in_filter=*/false);
  if (!s.ok())
    return Error{"InvalidPath", "Invalid path '" + std::string(t) + "': " + s.error().cause};
  impl->definite = Parser::IsDefinite(impl->segments);
  impl->reference = impl->definite;
  for (const auto& seg : impl->segments) {
    if (seg.type == Segment::Type::kIndex && seg.index < 0) impl->reference = false;
  }
  p.impl_ = std::move(impl);
  return p;
}

Result<JsonPath> JsonPath::Compile(std::string_view text, VariableTable* vars) {
  STATOR_TRY(JsonPath p, Compile(text));
  if (vars != nullptr && p.is_variable()) p.variable_id_ = vars->Reference(p.variable_);
  return p;
}

bool JsonPath::is_root() const { return impl_->segments.empty() && variable_.empty(); }
bool JsonPath::is_definite() const { return impl_->definite; }
bool JsonPath::is_reference() const { return impl_->reference && variable_.empty(); }
bool JsonPath::is_variable_reference() const { return impl_->reference && !variable_.empty(); }

std::optional<json::Value> JsonPath::Evaluate(const json::Value& root) const {
  if (impl_->definite) {
    const Value* v = WalkDefinite(root, impl_->segments);
    if (v == nullptr) return std::nullopt;
    return *v;
  }
  std::vector<Value> out;
  Evaluator(impl_->segments, root, &out).Run(root);
  return Value::MakeArray(std::move(out));
}

std::optional<json::Value> JsonPath::Evaluate(const json::Value& input,
                                              const Context& context) const {
  if (context_) return Evaluate(context.Get());
  if (!variable_.empty()) {
    const Value* v = context.VariableById(variable_id_, variable_);
    if (v == nullptr) return std::nullopt;
    return Evaluate(*v);
  }
  return Evaluate(input);
}

// ---------------------------------------------------------------------------------------------
// ResultPath

namespace {

Error ReferencePathConflict(const Segment& seg, const Value& node) {
  std::string cause = "Unable to apply step \"";
  if (seg.type == Segment::Type::kName) {
    cause += seg.name;
  } else {
    cause += std::to_string(seg.index);
  }
  cause += "\" to input ";
  node.DumpTo(&cause);
  return Error{"States.ReferencePathConflict", std::move(cause)};
}

// Returns node with the value at segs[i..] replaced by result, sharing everything else.
Result<Value> Place(const Value& node, const std::vector<Segment>& segs, size_t i, Value result) {
  if (i == segs.size()) return result;
  const Segment& s = segs[i];
  if (s.type == Segment::Type::kName) {
    if (!node.is_object()) return ReferencePathConflict(s, node);
    const Value* child = node.Find(s.name);
    Value placed;
    if (i + 1 == segs.size()) {
      placed = std::move(result);
    } else {
      STATOR_TRY(placed,
                 Place(child ? *child : Value::EmptyObject(), segs, i + 1, std::move(result)));
    }
    return node.With(s.name, std::move(placed));
  }
  // A single index: the array must already hold that element. (Other step kinds cannot occur
  // in a reference path; the compiler rejects them, and they fail here too.)
  if (s.type != Segment::Type::kIndex || !node.is_array()) return ReferencePathConflict(s, node);
  const auto& a = node.as_array();
  if (s.index < 0 || s.index >= static_cast<int64_t>(a.size()))
    return ReferencePathConflict(s, node);
  STATOR_TRY(Value placed, Place(a[static_cast<size_t>(s.index)], segs, i + 1, std::move(result)));
  json::Array items = a;
  items[static_cast<size_t>(s.index)] = std::move(placed);
  return Value::MakeArray(std::move(items));
}

}  // namespace

Result<json::Value> ApplyResultPath(const JsonPath& path, const json::Value& input,
                                    json::Value result) {
  if (path.is_root()) return result;
  // Only reference paths are valid here (the validator checks); fall back to the definite
  // segments for anything else.
  return Place(input, path.impl_->segments, 0, std::move(result));
}

}  // namespace stator::asl
