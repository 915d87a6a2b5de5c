#include "jsonata/regex.h"

#include <algorithm>
#include <utility>

#include "jsonata/js_string.h"

namespace stator::jsonata {
namespace regex_internal {

// A set of UTF-16 code units as sorted inclusive ranges, possibly negated.
struct CharSet {
  std::vector<std::pair<char16_t, char16_t>> ranges;
  bool negated = false;

  bool Contains(char16_t c) const {
    for (const auto& [lo, hi] : ranges) {
      if (c >= lo && c <= hi) return true;
    }
    return false;
  }
};

enum class Op : uint8_t {
  kChar,   // arg: the code unit
  kAny,    // any but a line terminator (or anything with dotall)
  kClass,  // arg: index into classes
  kSplit,  // try x, then y
  kJmp,    // go to x
  kSave,   // arg: capture slot
  kBol,
  kEol,
  kWordBoundary,
  kNotWordBoundary,
  kBackref,  // arg: group number
  kLook,     // x: the instruction after the sub-program; arg: 1 if negated
  kLookEnd,
  kSetMark,        // arg: register
  kCheckProgress,  // arg: register; fails if the position has not moved since kSetMark
  kResetCaps,      // clears capture slots [x, y)
  kMatch,
};

struct Insn {
  Op op;
  bool back = false;  // matches leftwards (inside a lookbehind)
  uint32_t arg = 0;
  int x = 0;
  int y = 0;
};

struct Program {
  std::string source;
  std::string flags;
  bool icase = false;
  bool multiline = false;
  bool dotall = false;
  int ngroups = 0;
  int nmarks = 0;
  std::vector<std::string> names;
  std::vector<CharSet> classes;
  std::vector<Insn> code;
};

namespace {

constexpr size_t kMaxProgram = 200000;

// ---------------------------------------------------------------------------------------------
// Parsing: pattern text to an AST.

struct Node {
  enum class Kind {
    kEmpty,
    kChar,
    kAny,
    kClass,
    kSeq,
    kAlt,
    kGroup,
    kRepeat,
    kBol,
    kEol,
    kWordB,
    kNotWordB,
    kBackref,
    kNamedBackref,
    kLook
  };
  Kind kind = Kind::kEmpty;
  char16_t ch = 0;
  CharSet set;
  std::vector<std::unique_ptr<Node>> kids;
  int group = -1;  // capture index (1-based) for kGroup; -1: non-capturing
  int min = 0;
  int max = -1;  // -1: unbounded
  bool greedy = true;
  bool negate = false;
  bool behind = false;
  std::u16string name;  // kNamedBackref
  int first_group = 0;  // groups inside a repeated node: [first_group, last_group)
  int last_group = 0;
};
using NodePtr = std::unique_ptr<Node>;

NodePtr Make(Node::Kind k) {
  auto n = std::make_unique<Node>();
  n->kind = k;
  return n;
}

void AddRange(CharSet* s, char16_t lo, char16_t hi) { s->ranges.emplace_back(lo, hi); }

void AddDigits(CharSet* s) { AddRange(s, '0', '9'); }
void AddWord(CharSet* s) {
  AddRange(s, '0', '9');
  AddRange(s, 'A', 'Z');
  AddRange(s, '_', '_');
  AddRange(s, 'a', 'z');
}
void AddSpace(CharSet* s) {
  for (char16_t c : {u'\t', u'\n', u'\v', u'\f', u'\r', u' ', u'\u00a0', u'\u1680', u'\u2028',
                     u'\u2029', u'\u202f', u'\u205f', u'\u3000', u'\ufeff'}) {
    AddRange(s, c, c);
  }
  AddRange(s, 0x2000, 0x200a);
}
// The complement of a set, as ranges.
CharSet Complement(const CharSet& in) {
  std::vector<std::pair<char16_t, char16_t>> r = in.ranges;
  std::sort(r.begin(), r.end());
  CharSet out;
  uint32_t next = 0;
  for (const auto& [lo, hi] : r) {
    if (lo > next) AddRange(&out, static_cast<char16_t>(next), static_cast<char16_t>(lo - 1));
    next = std::max<uint32_t>(next, static_cast<uint32_t>(hi) + 1);
  }
  if (next <= 0xFFFF) AddRange(&out, static_cast<char16_t>(next), 0xFFFF);
  return out;
}

bool IsDigit(char16_t c) { return c >= '0' && c <= '9'; }
int HexVal(char16_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Parser {
 public:
  Parser(std::u16string_view p, Program* prog) : p_(p), prog_(prog) {}

  Result<NodePtr, std::string> Parse() {
    CountGroups();
    auto n = ParseDisjunction();
    if (!error_.empty()) return error_;
    if (i_ < p_.size()) {
      return std::string(p_[i_] == ')' ? "Unmatched ')'" : "Unexpected character");
    }
    // Resolve named backreferences now that every name is known.
    if (!Resolve(n.get())) return error_;
    return n;
  }

 private:
  bool Fail(std::string msg) {
    if (error_.empty()) error_ = std::move(msg);
    return false;
  }
  bool More() const { return i_ < p_.size() && error_.empty(); }
  char16_t Peek(size_t k = 0) const { return i_ + k < p_.size() ? p_[i_ + k] : 0; }

  // Counts capturing groups and notes whether any is named, before parsing (a \N escape is a
  // backreference only if N groups exist in the whole pattern).
  void CountGroups() {
    bool in_class = false;
    for (size_t i = 0; i < p_.size(); ++i) {
      char16_t c = p_[i];
      if (c == '\\') {
        ++i;
      } else if (in_class) {
        if (c == ']') in_class = false;
      } else if (c == '[') {
        in_class = true;
      } else if (c == '(') {
        if (i + 1 < p_.size() && p_[i + 1] == '?') {
          if (i + 2 < p_.size() && p_[i + 2] == '<' && i + 3 < p_.size() && p_[i + 3] != '=' &&
              p_[i + 3] != '!') {
            ++total_groups_;
            has_names_ = true;
          }
        } else {
          ++total_groups_;
        }
      }
    }
  }

  NodePtr ParseDisjunction() {
    auto first = ParseAlternative();
    if (Peek() != '|' || !error_.empty()) return first;
    auto alt = Make(Node::Kind::kAlt);
    alt->kids.push_back(std::move(first));
    while (i_ < p_.size() && Peek() == '|' && error_.empty()) {
      ++i_;
      alt->kids.push_back(ParseAlternative());
    }
    return alt;
  }

  NodePtr ParseAlternative() {
    auto seq = Make(Node::Kind::kSeq);
    while (More() && Peek() != '|' && Peek() != ')') {
      auto term = ParseTerm();
      if (!term) break;
      seq->kids.push_back(std::move(term));
    }
    return seq;
  }

  // Reads {n}, {n,}, {n,m} at i_ if one is there (i_ then past it).
  bool ReadBraces(int* min, int* max) {
    size_t j = i_ + 1;
    auto number = [&](int* out) {
      size_t s = j;
      int64_t v = 0;
      while (j < p_.size() && IsDigit(p_[j])) {
        v = std::min<int64_t>(v * 10 + (p_[j] - '0'), 1'000'000'000);
        ++j;
      }
      *out = static_cast<int>(v);
      return j > s;
    };
    if (!number(min)) return false;
    *max = *min;
    if (j < p_.size() && p_[j] == ',') {
      ++j;
      if (!number(max)) *max = -1;
    }
    if (j >= p_.size() || p_[j] != '}') return false;
    i_ = j + 1;
    return true;
  }

  NodePtr ParseTerm() {
    int groups_before = next_group_;
    char16_t c = Peek();
    NodePtr atom;
    bool quantifiable = true;
    if (c == '^') {
      ++i_;
      return Make(Node::Kind::kBol);
    }
    if (c == '$') {
      ++i_;
      return Make(Node::Kind::kEol);
    }
    if (c == '\\' && (Peek(1) == 'b' || Peek(1) == 'B')) {
      i_ += 2;
      return Make(c == '\\' && p_[i_ - 1] == 'b' ? Node::Kind::kWordB : Node::Kind::kNotWordB);
    }
    if (c == '(' && Peek(1) == '?' &&
        (Peek(2) == '=' || Peek(2) == '!' ||
         (Peek(2) == '<' && (Peek(3) == '=' || Peek(3) == '!')))) {
      bool behind = Peek(2) == '<';
      i_ += behind ? 3 : 2;
      auto look = Make(Node::Kind::kLook);
      look->behind = behind;
      look->negate = Peek() == '!';
      ++i_;
      look->kids.push_back(ParseDisjunction());
      if (Peek() != ')' || i_ >= p_.size()) {
        Fail("Unterminated group");
        return nullptr;
      }
      ++i_;
      atom = std::move(look);
      quantifiable = !behind;  // Annex B allows quantified lookaheads
    } else if (c == '(') {
      ++i_;
      auto g = Make(Node::Kind::kGroup);
      if (Peek() == '?') {
        if (Peek(1) == ':') {
          i_ += 2;
        } else if (Peek(1) == '<') {
          i_ += 2;
          std::u16string name;
          while (i_ < p_.size() && p_[i_] != '>') name.push_back(p_[i_++]);
          if (i_ >= p_.size() || name.empty()) {
            Fail("Invalid capture group name");
            return nullptr;
          }
          ++i_;
          g->group = ++next_group_;
          for (const auto& n : names_) {
            if (n == name) {
              Fail("Duplicate capture group name");
              return nullptr;
            }
          }
          names_.resize(g->group);
          names_[g->group - 1] = name;
        } else {
          Fail("Invalid group");
          return nullptr;
        }
      } else {
        g->group = ++next_group_;
        names_.resize(g->group);
      }
      g->kids.push_back(ParseDisjunction());
      if (Peek() != ')' || i_ >= p_.size()) {
        Fail("Unterminated group");
        return nullptr;
      }
      ++i_;
      atom = std::move(g);
    } else if (c == '.') {
      ++i_;
      atom = Make(Node::Kind::kAny);
    } else if (c == '[') {
      atom = ParseClass();
    } else if (c == '\\') {
      atom = ParseAtomEscape();
    } else if (c == '*' || c == '+' || c == '?') {
      Fail("Nothing to repeat");
      return nullptr;
    } else if (c == '{') {
      int mn, mx;
      size_t save = i_;
      if (ReadBraces(&mn, &mx)) {
        i_ = save;
        Fail("Nothing to repeat");
        return nullptr;
      }
      ++i_;
      atom = Make(Node::Kind::kChar);
      atom->ch = c;
    } else {
      ++i_;
      atom = Make(Node::Kind::kChar);
      atom->ch = c;
    }
    if (!atom || !error_.empty()) return nullptr;

    // Quantifier.
    int mn = -1, mx = -1;
    c = Peek();
    if (i_ < p_.size()) {
      if (c == '*') {
        mn = 0, mx = -1, ++i_;
      } else if (c == '+') {
        mn = 1, mx = -1, ++i_;
      } else if (c == '?') {
        mn = 0, mx = 1, ++i_;
      } else if (c == '{') {
        if (!ReadBraces(&mn, &mx)) mn = -1;
      }
    }
    if (mn < 0) return atom;
    if (!quantifiable) {
      Fail("Invalid quantifier");
      return nullptr;
    }
    if (mx >= 0 && mx < mn) {
      Fail("numbers out of order in {} quantifier");
      return nullptr;
    }
    auto rep = Make(Node::Kind::kRepeat);
    rep->min = mn;
    rep->max = mx;
    if (Peek() == '?' && i_ < p_.size()) {
      rep->greedy = false;
      ++i_;
    }
    rep->first_group = groups_before + 1;
    rep->last_group = next_group_ + 1;
    rep->kids.push_back(std::move(atom));
    return rep;
  }

  // Parses an escape that stands for one code unit or a class (\d ...), after the backslash is
  // consumed; in_class: inside [...] (where \b is a backspace).
  // Returns true and sets *ch for a single character, or fills *set.
  bool ParseCharEscape(bool in_class, char16_t* ch, CharSet* set, bool* is_set) {
    *is_set = false;
    if (i_ >= p_.size()) return Fail("\\ at end of pattern");
    char16_t c = p_[i_++];
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S': {
        CharSet s;
        if (c == 'd' || c == 'D') AddDigits(&s);
        if (c == 'w' || c == 'W') AddWord(&s);
        if (c == 's' || c == 'S') AddSpace(&s);
        if (c == 'D' || c == 'W' || c == 'S') s = Complement(s);
        *set = std::move(s);
        *is_set = true;
        return true;
      }
      case 't':
        *ch = '\t';
        return true;
      case 'n':
        *ch = '\n';
        return true;
      case 'v':
        *ch = '\v';
        return true;
      case 'f':
        *ch = '\f';
        return true;
      case 'r':
        *ch = '\r';
        return true;
      case 'b':
        *ch = '\b';
        return true;  // only reached inside a class
      case 'c': {
        char16_t l = Peek();
        if ((l >= 'a' && l <= 'z') || (l >= 'A' && l <= 'Z')) {
          ++i_;
          *ch = l % 32;
        } else if (in_class && (IsDigit(l) || l == '_')) {
          ++i_;
          *ch = l % 32;
        } else {
          --i_;  // "\c" stays a backslash followed by c
          *ch = '\\';
        }
        return true;
      }
      case 'x': {
        int a = HexVal(Peek()), b = HexVal(Peek(1));
        if (i_ + 1 < p_.size() && a >= 0 && b >= 0) {
          *ch = static_cast<char16_t>(a * 16 + b);
          i_ += 2;
        } else {
          *ch = 'x';
        }
        return true;
      }
      case 'u': {
        int v = 0;
        bool ok = i_ + 3 < p_.size();
        for (int k = 0; ok && k < 4; ++k) {
          int h = HexVal(p_[i_ + k]);
          if (h < 0) ok = false;
          v = v * 16 + h;
        }
        if (ok) {
          *ch = static_cast<char16_t>(v);
          i_ += 4;
        } else {
          *ch = 'u';
        }
        return true;
      }
      case '0': {
        if (!IsDigit(Peek())) {
          *ch = 0;
          return true;
        }
        [[fallthrough]];
      }
      default:
        if (c >= '0' && c <= '7') {  // legacy octal
          int v = c - '0';
          if (Peek() >= '0' && Peek() <= '7') {
            v = v * 8 + (p_[i_++] - '0');
            if (c <= '3' && Peek() >= '0' && Peek() <= '7') v = v * 8 + (p_[i_++] - '0');
          }
          *ch = static_cast<char16_t>(v);
          return true;
        }
        *ch = c;  // identity escape
        return true;
    }
  }

  NodePtr ParseAtomEscape() {
    ++i_;  // backslash
    if (i_ >= p_.size()) {
      Fail("\\ at end of pattern");
      return nullptr;
    }
    char16_t c = p_[i_];
    if (c >= '1' && c <= '9') {
      size_t j = i_;
      int v = 0;
      while (j < p_.size() && IsDigit(p_[j]) && v <= total_groups_) v = v * 10 + (p_[j++] - '0');
      if (v <= total_groups_) {
        i_ = j;
        auto n = Make(Node::Kind::kBackref);
        n->group = v;
        return n;
      }
    }
    if (c == 'k' && has_names_) {
      ++i_;
      if (Peek() != '<') {
        Fail("Invalid named reference");
        return nullptr;
      }
      ++i_;
      std::u16string name;
      while (i_ < p_.size() && p_[i_] != '>') name.push_back(p_[i_++]);
      if (i_ >= p_.size()) {
        Fail("Invalid named reference");
        return nullptr;
      }
      ++i_;
      auto n = Make(Node::Kind::kNamedBackref);
      n->name = name;
      return n;
    }
    char16_t ch = 0;
    CharSet set;
    bool is_set = false;
    if (!ParseCharEscape(false, &ch, &set, &is_set)) return nullptr;
    if (is_set) {
      auto n = Make(Node::Kind::kClass);
      n->set = std::move(set);
      return n;
    }
    auto n = Make(Node::Kind::kChar);
    n->ch = ch;
    return n;
  }

  NodePtr ParseClass() {
    ++i_;  // '['
    auto n = Make(Node::Kind::kClass);
    if (Peek() == '^' && i_ < p_.size()) {
      n->set.negated = true;
      ++i_;
    }
    // One class atom: a single unit (returns true with *ch) or a set (merged into n->set).
    auto atom = [&](char16_t* ch, bool* is_set) -> bool {
      char16_t c = p_[i_];
      if (c == '\\') {
        ++i_;
        CharSet s;
        if (Peek() == '-' && i_ < p_.size()) {
          ++i_;
          *ch = '-';
          *is_set = false;
          return true;
        }
        if (!ParseCharEscape(true, ch, &s, is_set)) return false;
        if (*is_set) {
          for (const auto& r : s.ranges) n->set.ranges.push_back(r);
        }
        return true;
      }
      ++i_;
      *ch = c;
      *is_set = false;
      return true;
    };
    while (true) {
      if (i_ >= p_.size()) {
        Fail("Unterminated character class");
        return nullptr;
      }
      if (p_[i_] == ']') {
        ++i_;
        break;
      }
      char16_t lo;
      bool lo_set;
      if (!atom(&lo, &lo_set)) return nullptr;
      if (i_ + 1 < p_.size() && p_[i_] == '-' && p_[i_ + 1] != ']') {
        ++i_;
        char16_t hi;
        bool hi_set;
        if (!atom(&hi, &hi_set)) return nullptr;
        if (lo_set || hi_set) {  // Annex B: a class escape at either end makes '-' literal
          if (!lo_set) AddRange(&n->set, lo, lo);
          AddRange(&n->set, '-', '-');
          if (!hi_set) AddRange(&n->set, hi, hi);
          continue;
        }
        if (lo > hi) {
          Fail("Range out of order in character class");
          return nullptr;
        }
        AddRange(&n->set, lo, hi);
        continue;
      }
      if (!lo_set) AddRange(&n->set, lo, lo);
    }
    return n;
  }

  bool Resolve(Node* n) {
    if (n->kind == Node::Kind::kNamedBackref) {
      for (size_t g = 0; g < names_.size(); ++g) {
        if (names_[g] == n->name) {
          n->kind = Node::Kind::kBackref;
          n->group = static_cast<int>(g) + 1;
          return true;
        }
      }
      return Fail("Invalid named capture referenced");
    }
    for (auto& k : n->kids) {
      if (!Resolve(k.get())) return false;
    }
    return true;
  }

 public:
  int groups() const { return next_group_; }
  const std::vector<std::u16string>& names() const { return names_; }

 private:
  std::u16string_view p_;
  Program* prog_;
  size_t i_ = 0;
  int total_groups_ = 0;
  bool has_names_ = false;
  int next_group_ = 0;
  std::vector<std::u16string> names_;
  std::string error_;
};

// ---------------------------------------------------------------------------------------------
// Compiling: AST to VM code.

bool CanBeEmpty(const Node* n) {
  switch (n->kind) {
    case Node::Kind::kChar:
    case Node::Kind::kAny:
    case Node::Kind::kClass:
      return false;
    case Node::Kind::kSeq:
      for (const auto& k : n->kids) {
        if (!CanBeEmpty(k.get())) return false;
      }
      return true;
    case Node::Kind::kAlt:
      for (const auto& k : n->kids) {
        if (CanBeEmpty(k.get())) return true;
      }
      return false;
    case Node::Kind::kGroup:
      return CanBeEmpty(n->kids[0].get());
    case Node::Kind::kRepeat:
      return n->min == 0 || CanBeEmpty(n->kids[0].get());
    default:
      return true;
  }
}

class Compiler {
 public:
  explicit Compiler(Program* prog) : prog_(prog) {}

  bool Emit(const Node* n, bool back) {
    if (prog_->code.size() > kMaxProgram) return false;
    auto& code = prog_->code;
    switch (n->kind) {
      case Node::Kind::kEmpty:
        return true;
      case Node::Kind::kChar:
        code.push_back({Op::kChar, back, n->ch});
        return true;
      case Node::Kind::kAny:
        code.push_back({Op::kAny, back});
        return true;
      case Node::Kind::kClass:
        prog_->classes.push_back(n->set);
        code.push_back({Op::kClass, back, static_cast<uint32_t>(prog_->classes.size() - 1)});
        return true;
      case Node::Kind::kBol:
        code.push_back({Op::kBol});
        return true;
      case Node::Kind::kEol:
        code.push_back({Op::kEol});
        return true;
      case Node::Kind::kWordB:
        code.push_back({Op::kWordBoundary});
        return true;
      case Node::Kind::kNotWordB:
        code.push_back({Op::kNotWordBoundary});
        return true;
      case Node::Kind::kBackref:
        code.push_back({Op::kBackref, back, static_cast<uint32_t>(n->group)});
        return true;
      case Node::Kind::kNamedBackref:
        return false;
      case Node::Kind::kSeq:
        if (back) {
          for (auto it = n->kids.rbegin(); it != n->kids.rend(); ++it) {
            if (!Emit(it->get(), back)) return false;
          }
        } else {
          for (const auto& k : n->kids) {
            if (!Emit(k.get(), back)) return false;
          }
        }
        return true;
      case Node::Kind::kAlt: {
        std::vector<size_t> jumps;
        for (size_t k = 0; k < n->kids.size(); ++k) {
          size_t split = 0;
          bool last = k + 1 == n->kids.size();
          if (!last) {
            split = code.size();
            code.push_back({Op::kSplit});
            code[split].x = static_cast<int>(code.size());
          }
          if (!Emit(n->kids[k].get(), back)) return false;
          if (!last) {
            jumps.push_back(code.size());
            code.push_back({Op::kJmp});
            prog_->code[split].y = static_cast<int>(code.size());
          }
        }
        for (size_t j : jumps) code[j].x = static_cast<int>(code.size());
        return true;
      }
      case Node::Kind::kGroup: {
        if (n->group < 0) return Emit(n->kids[0].get(), back);
        uint32_t open = 2 * n->group, close = 2 * n->group + 1;
        code.push_back({Op::kSave, false, back ? close : open});
        if (!Emit(n->kids[0].get(), back)) return false;
        code.push_back({Op::kSave, false, back ? open : close});
        return true;
      }
      case Node::Kind::kLook: {
        size_t at = code.size();
        code.push_back({Op::kLook, false, n->negate ? 1u : 0u});
        if (!Emit(n->kids[0].get(), n->behind)) return false;
        code.push_back({Op::kLookEnd});
        code[at].x = static_cast<int>(code.size());
        return true;
      }
      case Node::Kind::kRepeat:
        return EmitRepeat(n, back);
    }
    return false;
  }

 private:
  bool EmitIteration(const Node* n, bool back, bool check_progress) {
    auto& code = prog_->code;
    const Node* body = n->kids[0].get();
    if (n->last_group > n->first_group) {
      code.push_back({Op::kResetCaps, false, 0, 2 * n->first_group, 2 * n->last_group});
    }
    int mark = -1;
    if (check_progress) {
      mark = prog_->nmarks++;
      code.push_back({Op::kSetMark, false, static_cast<uint32_t>(mark)});
    }
    if (!Emit(body, back)) return false;
    if (check_progress) code.push_back({Op::kCheckProgress, false, static_cast<uint32_t>(mark)});
    return true;
  }

  bool EmitRepeat(const Node* n, bool back) {
    auto& code = prog_->code;
    bool nullable = CanBeEmpty(n->kids[0].get());
    for (int k = 0; k < n->min; ++k) {
      if (!EmitIteration(n, back, false)) return false;
      if (code.size() > kMaxProgram) return false;
    }
    if (n->max < 0) {
      size_t loop = code.size();
      code.push_back({Op::kSplit});
      size_t body = code.size();
      if (!EmitIteration(n, back, nullable)) return false;
      code.push_back({Op::kJmp, false, 0, static_cast<int>(loop)});
      int exit = static_cast<int>(code.size());
      code[loop].x = n->greedy ? static_cast<int>(body) : exit;
      code[loop].y = n->greedy ? exit : static_cast<int>(body);
      return true;
    }
    std::vector<size_t> splits;
    for (int k = n->min; k < n->max; ++k) {
      splits.push_back(code.size());
      code.push_back({Op::kSplit});
      code[splits.back()].x = static_cast<int>(code.size());
      if (!EmitIteration(n, back, nullable)) return false;
      if (code.size() > kMaxProgram) return false;
    }
    int exit = static_cast<int>(code.size());
    for (size_t s : splits) {
      int body = code[s].x;
      code[s].x = n->greedy ? body : exit;
      code[s].y = n->greedy ? exit : body;
    }
    return true;
  }

  Program* prog_;
};

// ---------------------------------------------------------------------------------------------
// Matching.

bool IsLineTerminator(char16_t c) { return c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029; }
bool IsWordChar(char16_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// JS's Canonicalize for the non-unicode `i` flag: the simple upper case, unless that would map
// a non-ASCII unit to an ASCII one.
char16_t Canon(char16_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') ? c - 32 : c;
  if (c >= 0xD800 && c < 0xE000) return c;
  char32_t u = SimpleUpper(c);
  if (u < 0x80 || u > 0xFFFF) return c;
  return static_cast<char16_t>(u);
}

class Vm {
 public:
  Vm(const Program& p, std::u16string_view s, int64_t budget)
      : p_(p),
        s_(s),
        budget_(budget),
        caps_(2 * (p.ngroups + 1), RegexMatch::npos),
        marks_(p.nmarks, RegexMatch::npos) {}

  bool exhausted() const { return exhausted_; }
  std::vector<size_t>& caps() { return caps_; }

  void Reset() {
    std::fill(caps_.begin(), caps_.end(), RegexMatch::npos);
    stack_.clear();
  }

  // Runs from pc at pos until kMatch/kLookEnd (true, *end set) or failure (false; every change
  // made since the call is undone).
  bool Run(int pc, size_t pos, size_t* end) {
    const size_t base = stack_.size();
    const auto& code = p_.code;
    while (true) {
      if (++steps_ > budget_) {
        exhausted_ = true;
        return false;
      }
      const Insn& in = code[pc];
      bool ok = true;
      switch (in.op) {
        case Op::kChar:
        case Op::kAny:
        case Op::kClass: {
          size_t at;
          if (in.back) {
            ok = pos > 0;
            at = pos - 1;
          } else {
            ok = pos < s_.size();
            at = pos;
          }
          if (ok) {
            char16_t c = s_[at];
            if (in.op == Op::kChar) {
              ok = c == in.arg || (p_.icase && Canon(c) == Canon(static_cast<char16_t>(in.arg)));
            } else if (in.op == Op::kAny) {
              ok = p_.dotall || !IsLineTerminator(c);
            } else {
              ok = ClassMatch(p_.classes[in.arg], c);
            }
          }
          if (ok) {
            pos = in.back ? pos - 1 : pos + 1;
            ++pc;
          }
          break;
        }
        case Op::kSplit:
          stack_.push_back({Entry::kChoice, static_cast<size_t>(in.y), pos});
          pc = in.x;
          break;
        case Op::kJmp:
          pc = in.x;
          break;
        case Op::kSave:
          stack_.push_back({Entry::kCap, in.arg, caps_[in.arg]});
          caps_[in.arg] = pos;
          ++pc;
          break;
        case Op::kResetCaps:
          for (int k = in.x; k < in.y; ++k) {
            if (caps_[k] != RegexMatch::npos) {
              stack_.push_back({Entry::kCap, static_cast<size_t>(k), caps_[k]});
              caps_[k] = RegexMatch::npos;
            }
          }
          ++pc;
          break;
        case Op::kSetMark:
          stack_.push_back({Entry::kMark, in.arg, marks_[in.arg]});
          marks_[in.arg] = pos;
          ++pc;
          break;
        case Op::kCheckProgress:
          ok = marks_[in.arg] != pos;
          ++pc;
          break;
        case Op::kBol:
          ok = pos == 0 || (p_.multiline && IsLineTerminator(s_[pos - 1]));
          ++pc;
          break;
        case Op::kEol:
          ok = pos == s_.size() || (p_.multiline && IsLineTerminator(s_[pos]));
          ++pc;
          break;
        case Op::kWordBoundary:
        case Op::kNotWordBoundary: {
          bool a = pos > 0 && IsWordChar(s_[pos - 1]);
          bool b = pos < s_.size() && IsWordChar(s_[pos]);
          ok = (a != b) == (in.op == Op::kWordBoundary);
          ++pc;
          break;
        }
        case Op::kBackref: {
          size_t gs = caps_[2 * in.arg], ge = caps_[2 * in.arg + 1];
          if (gs != RegexMatch::npos && ge != RegexMatch::npos && ge >= gs) {
            size_t len = ge - gs;
            if (in.back) {
              ok = pos >= len && Same(gs, pos - len, len);
              if (ok) pos -= len;
            } else {
              ok = pos + len <= s_.size() && Same(gs, pos, len);
              if (ok) pos += len;
            }
          }
          ++pc;
          break;
        }
        case Op::kLook: {
          const size_t sb = stack_.size();
          size_t dummy;
          bool matched = Run(pc + 1, pos, &dummy);
          if (exhausted_) return false;
          if (matched) {
            // Keep the captures the lookaround set; drop its choice points (no backtracking
            // into a lookaround).
            size_t w = sb;
            for (size_t r = sb; r < stack_.size(); ++r) {
              if (stack_[r].kind != Entry::kChoice) stack_[w++] = stack_[r];
            }
            stack_.resize(w);
            if (in.arg) {
              Unwind(sb);
              ok = false;
            }
          } else {
            ok = in.arg != 0;
          }
          pc = in.x;
          break;
        }
        case Op::kLookEnd:
        case Op::kMatch:
          *end = pos;
          return true;
      }
      if (ok) continue;
      // Backtrack.
      bool resumed = false;
      while (stack_.size() > base) {
        Entry e = stack_.back();
        stack_.pop_back();
        if (e.kind == Entry::kCap) {
          caps_[e.a] = e.b;
        } else if (e.kind == Entry::kMark) {
          marks_[e.a] = e.b;
        } else {
          pc = static_cast<int>(e.a);
          pos = e.b;
          resumed = true;
          break;
        }
      }
      if (!resumed) return false;
    }
  }

 private:
  struct Entry {
    enum Kind : uint8_t { kChoice, kCap, kMark } kind;
    size_t a;  // choice: pc; cap/mark: slot
    size_t b;  // choice: pos; cap/mark: old value
  };

  void Unwind(size_t to) {
    while (stack_.size() > to) {
      Entry e = stack_.back();
      stack_.pop_back();
      if (e.kind == Entry::kCap) caps_[e.a] = e.b;
      if (e.kind == Entry::kMark) marks_[e.a] = e.b;
    }
  }

  bool ClassMatch(const CharSet& set, char16_t c) const {
    bool in = set.Contains(c);
    if (!in && p_.icase) {
      char16_t u = Canon(c);
      char32_t l = SimpleLower(c);
      in = set.Contains(u) || (l <= 0xFFFF && set.Contains(static_cast<char16_t>(l)));
      if (!in) {
        // A member whose canonical form is c's (e.g. [A-Z] holding 'a' via its upper case).
        for (const auto& [lo, hi] : set.ranges) {
          if (hi - lo > 2000) continue;
          for (uint32_t m = lo; m <= hi && !in; ++m) in = Canon(static_cast<char16_t>(m)) == u;
          if (in) break;
        }
      }
    }
    return in != set.negated;
  }

  bool Same(size_t a, size_t b, size_t len) const {
    for (size_t k = 0; k < len; ++k) {
      char16_t x = s_[a + k], y = s_[b + k];
      if (x != y && !(p_.icase && Canon(x) == Canon(y))) return false;
    }
    return true;
  }

  const Program& p_;
  std::u16string_view s_;
  int64_t budget_;
  int64_t steps_ = 0;
  bool exhausted_ = false;
  std::vector<size_t> caps_;
  std::vector<size_t> marks_;
  std::vector<Entry> stack_;
};

}  // namespace
}  // namespace regex_internal

using regex_internal::Program;

Result<Regex, Error> Regex::Compile(std::string_view pattern, std::string_view flags) {
  auto prog = std::make_shared<Program>();
  prog->source = std::string(pattern);
  prog->flags = std::string(flags);
  auto syntax_error = [&](const std::string& what) {
    return Error{"S0303",
                 "Invalid regular expression: /" + std::string(pattern) + "/" + std::string(flags) +
                     ": " + what,
                 -1, std::nullopt};
  };
  for (char f : flags) {
    bool* slot = f == 'i'   ? &prog->icase
                 : f == 'm' ? &prog->multiline
                 : f == 's' ? &prog->dotall
                            : nullptr;
    if (!slot && f != 'g' && f != 'y') return syntax_error("Invalid flags");
    if (slot) *slot = true;
  }
  std::u16string p = ToUtf16(pattern);
  regex_internal::Parser parser(p, prog.get());
  auto ast = parser.Parse();
  if (!ast.ok()) return syntax_error(ast.error());
  prog->ngroups = parser.groups();
  for (const auto& n : parser.names()) prog->names.push_back(ToUtf8(n));
  prog->names.resize(prog->ngroups);
  regex_internal::Compiler compiler(prog.get());
  prog->code.push_back({regex_internal::Op::kSave, false, 0});
  if (!compiler.Emit(ast->get(), false)) return syntax_error("Regular expression too large");
  prog->code.push_back({regex_internal::Op::kSave, false, 1});
  prog->code.push_back({regex_internal::Op::kMatch});
  Regex r;
  r.program_ = std::move(prog);
  return r;
}

Result<std::optional<RegexMatch>, Error> Regex::Exec(std::u16string_view subject, size_t from,
                                                     int64_t step_budget) const {
  regex_internal::Vm vm(*program_, subject, step_budget);
  for (size_t start = from; start <= subject.size(); ++start) {
    vm.Reset();
    size_t end;
    if (vm.Run(0, start, &end)) {
      RegexMatch m;
      m.start = vm.caps()[0];
      m.end = vm.caps()[1];
      for (int g = 1; g <= program_->ngroups; ++g) {
        size_t a = vm.caps()[2 * g], b = vm.caps()[2 * g + 1];
        if (a == RegexMatch::npos || b == RegexMatch::npos) a = b = RegexMatch::npos;
        m.groups.emplace_back(a, b);
      }
      return std::optional<RegexMatch>(std::move(m));
    }
    if (vm.exhausted()) {
      return Error{"U1001",
                   "Stack overflow error: Check for non-terminating recursive function."
                   "  Consider rewriting as tail-recursive.",
                   -1, std::nullopt};
    }
  }
  return std::optional<RegexMatch>();
}

const std::string& Regex::source() const { return program_->source; }
const std::string& Regex::flags() const { return program_->flags; }
int Regex::group_count() const { return program_->ngroups; }
const std::vector<std::string>& Regex::group_names() const { return program_->names; }

}  // namespace stator::jsonata
