// The pattern parser of regex.h's engine: ECMAScript pattern syntax (with Annex B's leniency
// for literal braces, brackets and identity escapes) to the Node tree of regex_internal.h.
#include <algorithm>

#include "jsonata/regex_internal.h"

namespace stator::jsonata::regex_internal {
namespace {

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
  explicit Parser(std::u16string_view p) : p_(p) {}

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
    // Groups nest by recursion here and in the compiler: bound it so that no pattern can
    // exhaust the C++ stack (V8 has a limit of its own).
    if (++depth_ > kMaxNesting) {
      Fail("Regular expression too large");
      return nullptr;
    }
    auto first = ParseAlternative();
    --depth_;
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
  size_t i_ = 0;
  int total_groups_ = 0;
  bool has_names_ = false;
  int next_group_ = 0;
  int depth_ = 0;
  static constexpr int kMaxNesting = 200;
  std::vector<std::u16string> names_;
  std::string error_;
};

}  // namespace

Result<NodePtr, std::string> ParsePattern(std::u16string_view pattern, int* groups,
                                          std::vector<std::u16string>* names) {
  Parser parser(pattern);
  auto ast = parser.Parse();
  if (!ast.ok()) return ast.error();
  *groups = parser.groups();
  *names = parser.names();
  return ast;
}

}  // namespace stator::jsonata::regex_internal
