// The JSONPath parser: text to the segments of path_internal.h. Not part of the public interface.
//
// One recursive-descent parser over two grammars that call each other: the steps of a path
// (path_parser.cc: .name, [...], ..x) and filter expressions (path_filter.cc: [?(...)], whose
// operands are paths again). Errors are Error{"InvalidPath", "<why> at position <n>"}.
//
// Thread-safety: one instance per Compile call; not shared.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "asl/path_internal.h"
#include "common/json.h"
#include "common/result.h"

namespace stator::asl::path_internal {

class Parser {
 public:
  // Parses text from pos (just after the root: "$", "$$" or "$name").
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

  // path_parser.cc: parses segments until the end of text (in_filter=false) or until a
  // character that ends a filter operand (in_filter=true).
  Status ParseSegments(std::vector<Segment>* out, bool in_filter);

  // path_filter.cc: parses a filter expression up to (not including) the closing ')' of "[?(".
  Result<std::shared_ptr<const Filter>> ParseOr();

 private:
  // path_parser.cc: the steps.
  // A quoted name or string ('...' or "..."). A backslash keeps the next character from closing
  // it. Filter strings drop the backslash; bracket names keep it, as Step Functions' Jayway does
  // ($['a\\"b'] selects the key a\\"b, recorded against AWS).
  Result<std::string> ParseQuoted(bool unescape = true);
  Result<int64_t> ParseInt();
  // After an element of a bracketed list: true at ',' (another element follows), false at ']'
  // (the list ends), each stepped over; anything else fails with `expected`.
  Result<bool> ListContinues(const char* expected);
  // Parses "[...]" into seg (whose deep flag is already set).
  Status ParseBracket(Segment* seg);

  // path_filter.cc: the filter grammar.
  // operand (op operand)*, grouped from the left into filters of the given type.
  Result<std::shared_ptr<const Filter>> ParseLeftAssociative(
      std::string_view op, Filter::Type type,
      Result<std::shared_ptr<const Filter>> (Parser::*parse_operand)());
  Result<std::shared_ptr<const Filter>> ParseAnd();
  Result<std::shared_ptr<const Filter>> ParseUnary();
  Result<std::shared_ptr<const Filter>> ParseRelation();
  Result<Operand> ParseOperand();
  // A literal inside a filter: number, 'string', "string", true, false, null, or an array of
  // literals.
  Result<json::Value> ParseLiteral();

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

}  // namespace stator::asl::path_internal
