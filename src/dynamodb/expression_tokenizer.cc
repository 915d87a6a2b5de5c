// The DynamoDB expression tokenizer (see expression_internal.h): identifiers and numbers,
// #name and :value placeholders, and the punctuation ( ) [ ] , . = + - < <= > >= <>.
#include "dynamodb/expression_internal.h"

namespace stator::dynamodb::expression_internal {

namespace {

// The error for a character no token starts with: `Syntax error; token: "c", near: "..."`, near
// running from the previous token to that character.
Error SyntaxErrorAtChar(std::string_view text, ExprKind kind, const std::vector<Token>& tokens,
                        size_t i) {
  size_t from = tokens.empty() ? i : tokens.back().begin;
  return Validation(Prefix(kind) + "Syntax error; token: \"" + std::string(1, text[i]) +
                    "\", near: \"" + std::string(text.substr(from, i + 1 - from)) + "\"");
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

Result<std::vector<Token>> Tokenize(std::string_view text, ExprKind kind) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    Token t;
    t.begin = i;
    if (c == '#' || c == ':') {
      size_t j = i + 1;
      while (j < text.size() && IsWordChar(text[j])) ++j;
      t.type = c == '#' ? Token::Type::kName : Token::Type::kValue;
      t.text = std::string(text.substr(i, j - i));
      if (j == i + 1) return SyntaxErrorAtChar(text, kind, tokens, i);
      i = j;
    } else if (IsWordChar(c)) {
      size_t j = i;
      bool all_digits = true;
      while (j < text.size() && IsWordChar(text[j])) {
        all_digits = all_digits && std::isdigit(static_cast<unsigned char>(text[j]));
        ++j;
      }
      t.type = all_digits ? Token::Type::kNumber : Token::Type::kIdent;
      t.text = std::string(text.substr(i, j - i));
      i = j;
    } else if (c == '<' || c == '>') {
      t.type = Token::Type::kPunct;
      if (i + 1 < text.size() && (text[i + 1] == '=' || (c == '<' && text[i + 1] == '>'))) {
        t.text = std::string(text.substr(i, 2));
        i += 2;
      } else {
        t.text = std::string(1, c);
        ++i;
      }
    } else if (std::string_view("()[],.=+-").find(c) != std::string_view::npos) {
      t.type = Token::Type::kPunct;
      t.text = std::string(1, c);
      ++i;
    } else {
      return SyntaxErrorAtChar(text, kind, tokens, i);
    }
    t.end = i;
    tokens.push_back(std::move(t));
  }
  Token end;
  end.type = Token::Type::kEnd;
  end.text = "<EOF>";
  end.begin = end.end = text.size();
  tokens.push_back(end);
  return tokens;
}

}  // namespace stator::dynamodb::expression_internal
