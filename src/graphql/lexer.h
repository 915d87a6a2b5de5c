// Lexer: splits GraphQL source text into tokens (internal to the parser; see parser.h).
//
// A Lexer reads a string_view it does not own; one Lexer per parse, not thread-safe. Errors carry
// graphql-js's messages ("Syntax Error: Unexpected character: \"?\".").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "graphql/error.h"

namespace stator::graphql {

enum class TokenKind {
  kSof,
  kEof,
  kBang,
  kDollar,
  kAmp,
  kParenL,
  kParenR,
  kSpread,
  kColon,
  kEquals,
  kAt,
  kBracketL,
  kBracketR,
  kBraceL,
  kPipe,
  kBraceR,
  kName,
  kInt,
  kFloat,
  kString,
  kBlockString,
};

// "Name", "<EOF>", or a punctuator in quotes ("\"{\"").
std::string TokenKindDescription(TokenKind kind);

struct Token {
  TokenKind kind = TokenKind::kSof;
  size_t start = 0;  // byte offsets into the source
  size_t end = 0;
  Location location;
  std::string value;  // Name, Int, Float: as written; String, BlockString: decoded
};

class Lexer {
 public:
  explicit Lexer(std::string_view source) : source_(source) {}
  // The next significant token (comments, commas, whitespace skipped). On a lexical error
  // returns false and sets *error.
  bool Next(Token* token, Error* error);
  // Location of a byte offset (1-based line and column in code points).
  Location LocationAt(size_t offset);

 private:
  bool ReadNumber(size_t start, Token* token, Error* error);
  bool ReadString(size_t start, Token* token, Error* error);
  bool ReadBlockString(size_t start, Token* token, Error* error);
  Error SyntaxError(size_t offset, std::string message);
  std::string PrintCodePointAt(size_t offset) const;
  uint32_t CodePointAt(size_t offset, int* length) const;

  std::string_view source_;
  size_t pos_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
  // Column cache so columns on long lines are counted incrementally.
  size_t col_cache_offset_ = 0;
  int col_cache_column_ = 1;
};

// Dedents a block string's raw text (between the triple quotes, \""" already unescaped) as the
// spec's BlockStringValue does.
std::string BlockStringValue(std::string_view raw);

// Prints s as a GraphQL block string ("""...""") as graphql-js's printBlockString does.
std::string PrintBlockString(std::string_view s, bool prefer_multiple_lines = false);

}  // namespace stator::graphql
