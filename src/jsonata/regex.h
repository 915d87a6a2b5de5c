// Regex: the ECMAScript regular expressions behind JSONata's regex literals (/pattern/flags).
//
// JSONata hands its regex literals to JavaScript's RegExp, so this is a JS regex engine (the
// non-unicode mode, as `new RegExp(p, flags)` without 'u'): it matches over UTF-16 code units,
// and every offset it reports is a code-unit offset, which is what the reference exposes as
// $match's `index`. Supported: literals and escapes (\d \w \s \D \W \S \b \B \t \n \v \f \r \0
// \cX \xHH \uXXXX, identity escapes), `.`, classes with ranges and negation, greedy and lazy
// quantifiers (* + ? {n} {n,} {n,m}), capturing, non-capturing and named groups, backreferences
// (\1, \k<name>), lookahead and lookbehind (positive and negative), ^ $ (multiline with `m`),
// alternation, and the `i` flag (simple case folding as JS's Canonicalize). JSONata always
// matches globally: Exec takes the position to search from.
//
// Matching is a backtracking VM over a program compiled once; it counts steps and gives up with
// an error when the budget is spent, so a pathological pattern cannot hang the caller.
//
// Thread-safety: a compiled Regex is immutable and may be used from many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "jsonata/jsonata.h"

namespace stator::jsonata {

namespace regex_internal {
struct Program;
}  // namespace regex_internal

// One match: the span of the whole match and of each capturing group (npos: the group did not
// participate), all in UTF-16 code units of the subject.
struct RegexMatch {
  static constexpr size_t npos = static_cast<size_t>(-1);
  size_t start = 0;
  size_t end = 0;
  std::vector<std::pair<size_t, size_t>> groups;  // group 1..n at index 0..n-1
};

class Regex {
 public:
  // The default number of VM steps one Exec may take.
  static constexpr int64_t kDefaultStepBudget = 20'000'000;

  // Compiles `pattern` (the text between the slashes) with `flags` (any of "gimsy"; 'g' and 'y'
  // are accepted and ignored). A pattern JS rejects gives an error whose message is JS's
  // SyntaxError text ("Invalid regular expression: /x/: ...").
  static Result<Regex, Error> Compile(std::string_view pattern, std::string_view flags);

  // Searches `subject` from code unit `from` on. Returns the first match, std::nullopt when
  // there is none, or an error when the step budget is spent: U1001 with the evaluation
  // timeout's message, which is where the reference (that has no budget) would end up.
  Result<std::optional<RegexMatch>, Error> Exec(std::u16string_view subject, size_t from,
                                                int64_t step_budget = kDefaultStepBudget) const;

  const std::string& source() const;  // the pattern as given
  const std::string& flags() const;
  int group_count() const;
  // Names of the capturing groups (empty for unnamed), index 0 = group 1.
  const std::vector<std::string>& group_names() const;

 private:
  std::shared_ptr<const regex_internal::Program> program_;
};

}  // namespace stator::jsonata
