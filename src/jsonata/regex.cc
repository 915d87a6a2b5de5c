#include "jsonata/regex.h"

#include <algorithm>
#include <utility>

#include "jsonata/js_string.h"
#include "jsonata/regex_internal.h"

namespace stator::jsonata {
namespace regex_internal {
namespace {

constexpr size_t kMaxProgram = 200000;

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
    std::string canonical;  // V8 names the flags in this order
    for (char f : std::string_view("dgimsuvy")) {
      if (flags.find(f) != std::string_view::npos) canonical.push_back(f);
    }
    return Error{
        "S0303",
        "Invalid regular expression: /" + std::string(pattern) + "/" + canonical + ": " + what, -1,
        std::nullopt};
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
  std::vector<std::u16string> names;
  auto ast = regex_internal::ParsePattern(p, &prog->ngroups, &names);
  if (!ast.ok()) return syntax_error(ast.error());
  for (const auto& n : names) prog->names.push_back(ToUtf8(n));
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
      return Error{"U1001", "Expression evaluation timeout: Check for infinite loop", -1,
                   std::nullopt};
    }
  }
  return std::optional<RegexMatch>();
}

const std::string& Regex::source() const { return program_->source; }
const std::string& Regex::flags() const { return program_->flags; }
int Regex::group_count() const { return program_->ngroups; }
const std::vector<std::string>& Regex::group_names() const { return program_->names; }

}  // namespace stator::jsonata
