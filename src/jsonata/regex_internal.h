// The internals of regex.h's engine shared by its two files: the parsed pattern (Node), the
// VM program (Program, Insn) and the parser's entry point. regex_parse.cc turns pattern text
// into Nodes; regex.cc compiles Nodes into a Program and runs it.
//
// Thread-safety: a Program is immutable once compiled; parsing uses no shared state.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace stator::jsonata::regex_internal {

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

// The parsed pattern.
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

// Parses a pattern (UTF-16) into its tree; the error is JS's SyntaxError text ("Unterminated
// group"). Sets *groups to the number of capturing groups and *names to their names (empty for
// an unnamed group), group 1 first.
Result<NodePtr, std::string> ParsePattern(std::u16string_view pattern, int* groups,
                                          std::vector<std::u16string>* names);

}  // namespace stator::jsonata::regex_internal
