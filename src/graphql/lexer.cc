#include "graphql/lexer.h"

#include <cstdio>
#include <vector>

#include "common/utf8.h"

namespace stator::graphql {
namespace {

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameContinue(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Quote(std::string_view s) {
  return "\"" + std::string(s) + "\"";  // graphql-js quotes the raw slice
}

}  // namespace

std::string TokenKindDescription(TokenKind kind) {
  switch (kind) {
    case TokenKind::kSof:
      return "<SOF>";
    case TokenKind::kEof:
      return "<EOF>";
    case TokenKind::kBang:
      return "\"!\"";
    case TokenKind::kDollar:
      return "\"$\"";
    case TokenKind::kAmp:
      return "\"&\"";
    case TokenKind::kParenL:
      return "\"(\"";
    case TokenKind::kParenR:
      return "\")\"";
    case TokenKind::kSpread:
      return "\"...\"";
    case TokenKind::kColon:
      return "\":\"";
    case TokenKind::kEquals:
      return "\"=\"";
    case TokenKind::kAt:
      return "\"@\"";
    case TokenKind::kBracketL:
      return "\"[\"";
    case TokenKind::kBracketR:
      return "\"]\"";
    case TokenKind::kBraceL:
      return "\"{\"";
    case TokenKind::kPipe:
      return "\"|\"";
    case TokenKind::kBraceR:
      return "\"}\"";
    case TokenKind::kName:
      return "Name";
    case TokenKind::kInt:
      return "Int";
    case TokenKind::kFloat:
      return "Float";
    case TokenKind::kString:
      return "String";
    case TokenKind::kBlockString:
      return "BlockString";
  }
  return "?";
}

uint32_t Lexer::CodePointAt(size_t offset, int* length) const {
  auto b = static_cast<unsigned char>(source_[offset]);
  *length = 1;
  if (b < 0x80) return b;
  int n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
  if (offset + n > source_.size()) return 0xFFFD;
  uint32_t cp = n == 4 ? (b & 0x07) : n == 3 ? (b & 0x0F) : n == 2 ? (b & 0x1F) : 0xFFFD;
  if (n == 1) return cp;
  for (int i = 1; i < n; ++i)
    cp = (cp << 6) | (static_cast<unsigned char>(source_[offset + i]) & 0x3F);
  *length = n;
  return cp;
}

std::string Lexer::PrintCodePointAt(size_t offset) const {
  if (offset >= source_.size()) return "<EOF>";
  int len;
  uint32_t cp = CodePointAt(offset, &len);
  if (cp >= 0x20 && cp <= 0x7E) {
    if (cp == '"') return "'\"'";
    return std::string("\"") + static_cast<char>(cp) + "\"";
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", cp);
  return buf;
}

Location Lexer::LocationAt(size_t offset) {
  // Lines are tracked by Next(); offsets handed here are on the current line or earlier ones
  // only for errors, which recompute from scratch.
  if (offset < line_start_) {
    int line = 1;
    size_t start = 0;
    for (size_t i = 0; i < offset; ++i) {
      char c = source_[i];
      if (c == '\n' || (c == '\r' && !(i + 1 < source_.size() && source_[i + 1] == '\n'))) {
        ++line;
        start = i + 1;
      }
    }
    int col = 1;
    for (size_t i = start; i < offset; ++i) {
      if ((static_cast<unsigned char>(source_[i]) & 0xC0) != 0x80) ++col;
    }
    return {line, col};
  }
  if (col_cache_offset_ < line_start_ || col_cache_offset_ > offset) {
    col_cache_offset_ = line_start_;
    col_cache_column_ = 1;
  }
  for (size_t i = col_cache_offset_; i < offset; ++i) {
    if ((static_cast<unsigned char>(source_[i]) & 0xC0) != 0x80) ++col_cache_column_;
  }
  col_cache_offset_ = offset;
  return {line_, col_cache_column_};
}

Error Lexer::SyntaxError(size_t offset, std::string message) {
  return MakeError("Syntax Error: " + message, LocationAt(offset));
}

bool Lexer::Next(Token* token, Error* error) {
  const size_t n = source_.size();
  // Skip ignored tokens.
  while (pos_ < n) {
    char c = source_[pos_];
    if (c == ' ' || c == '\t' || c == ',') {
      ++pos_;
    } else if (c == '\n') {
      ++pos_;
      ++line_;
      line_start_ = pos_;
    } else if (c == '\r') {
      ++pos_;
      if (pos_ < n && source_[pos_] == '\n') ++pos_;
      ++line_;
      line_start_ = pos_;
    } else if (c == '#') {
      while (pos_ < n && source_[pos_] != '\n' && source_[pos_] != '\r') ++pos_;
    } else if (static_cast<unsigned char>(c) == 0xEF && pos_ + 2 < n &&
               static_cast<unsigned char>(source_[pos_ + 1]) == 0xBB &&
               static_cast<unsigned char>(source_[pos_ + 2]) == 0xBF) {
      pos_ += 3;  // BOM
    } else {
      break;
    }
  }
  token->value.clear();
  token->start = pos_;
  token->location = LocationAt(pos_);
  if (pos_ >= n) {
    token->kind = TokenKind::kEof;
    token->end = pos_;
    return true;
  }
  char c = source_[pos_];
  auto punct = [&](TokenKind k, size_t len) {
    token->kind = k;
    pos_ += len;
    token->end = pos_;
    return true;
  };
  switch (c) {
    case '!':
      return punct(TokenKind::kBang, 1);
    case '$':
      return punct(TokenKind::kDollar, 1);
    case '&':
      return punct(TokenKind::kAmp, 1);
    case '(':
      return punct(TokenKind::kParenL, 1);
    case ')':
      return punct(TokenKind::kParenR, 1);
    case ':':
      return punct(TokenKind::kColon, 1);
    case '=':
      return punct(TokenKind::kEquals, 1);
    case '@':
      return punct(TokenKind::kAt, 1);
    case '[':
      return punct(TokenKind::kBracketL, 1);
    case ']':
      return punct(TokenKind::kBracketR, 1);
    case '{':
      return punct(TokenKind::kBraceL, 1);
    case '|':
      return punct(TokenKind::kPipe, 1);
    case '}':
      return punct(TokenKind::kBraceR, 1);
    case '.':
      if (pos_ + 2 < n + 0 && source_[pos_ + 1] == '.' && source_[pos_ + 2] == '.') {
        return punct(TokenKind::kSpread, 3);
      }
      break;
    case '"':
      if (pos_ + 2 < n && source_[pos_ + 1] == '"' && source_[pos_ + 2] == '"') {
        return ReadBlockString(pos_, token, error);
      }
      return ReadString(pos_, token, error);
    default:
      break;
  }
  if (IsDigit(c) || c == '-') return ReadNumber(pos_, token, error);
  if (IsNameStart(c)) {
    size_t end = pos_ + 1;
    while (end < n && IsNameContinue(source_[end])) ++end;
    token->kind = TokenKind::kName;
    token->value.assign(source_.substr(pos_, end - pos_));
    pos_ = end;
    token->end = end;
    return true;
  }
  if (c == '\'') {
    *error = SyntaxError(pos_,
                         "Unexpected single quote character ('), did you mean to use a double "
                         "quote (\")?");
    return false;
  }
  int len;
  uint32_t cp = CodePointAt(pos_, &len);
  bool scalar = cp <= 0xD7FF || (cp >= 0xE000 && cp <= 0x10FFFF);
  *error =
      SyntaxError(pos_, std::string(scalar ? "Unexpected character: " : "Invalid character: ") +
                            PrintCodePointAt(pos_) + ".");
  return false;
}

bool Lexer::ReadNumber(size_t start, Token* token, Error* error) {
  const size_t n = source_.size();
  size_t p = start;
  bool is_float = false;
  auto at = [&](size_t i) -> char { return i < n ? source_[i] : '\0'; };
  auto read_digits = [&]() -> bool {
    if (!IsDigit(at(p))) {
      *error =
          SyntaxError(p, "Invalid number, expected digit but got: " + PrintCodePointAt(p) + ".");
      return false;
    }
    while (IsDigit(at(p))) ++p;
    return true;
  };
  if (at(p) == '-') ++p;
  if (at(p) == '0') {
    ++p;
    if (IsDigit(at(p))) {
      *error =
          SyntaxError(p, "Invalid number, unexpected digit after 0: " + PrintCodePointAt(p) + ".");
      return false;
    }
  } else if (!read_digits()) {
    return false;
  }
  if (at(p) == '.') {
    is_float = true;
    ++p;
    if (!read_digits()) return false;
  }
  if (at(p) == 'e' || at(p) == 'E') {
    is_float = true;
    ++p;
    if (at(p) == '+' || at(p) == '-') ++p;
    if (!read_digits()) return false;
  }
  if (at(p) == '.' || IsNameStart(at(p))) {
    *error = SyntaxError(p, "Invalid number, expected digit but got: " + PrintCodePointAt(p) + ".");
    return false;
  }
  token->kind = is_float ? TokenKind::kFloat : TokenKind::kInt;
  token->value.assign(source_.substr(start, p - start));
  pos_ = p;
  token->end = p;
  return true;
}

bool Lexer::ReadString(size_t start, Token* token, Error* error) {
  const size_t n = source_.size();
  size_t p = start + 1;
  std::string value;
  auto read_hex4 = [&](size_t at, uint32_t* out) -> bool {
    if (at + 4 > n) return false;
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) {
      int h = HexValue(source_[at + i]);
      if (h < 0) return false;
      v = (v << 4) | h;
    }
    *out = v;
    return true;
  };
  auto bad_unicode = [&](size_t from, size_t len) {
    *error = SyntaxError(from, "Invalid Unicode escape sequence: " +
                                   Quote(source_.substr(from, std::min(len, n - from))) + ".");
    return false;
  };
  while (p < n) {
    char c = source_[p];
    if (c == '"') {
      token->kind = TokenKind::kString;
      token->value = std::move(value);
      pos_ = p + 1;
      token->end = pos_;
      return true;
    }
    if (c == '\n' || c == '\r') break;
    if (c == '\\') {
      char e = p + 1 < n ? source_[p + 1] : '\0';
      switch (e) {
        case '"':
          value.push_back('"');
          p += 2;
          continue;
        case '\\':
          value.push_back('\\');
          p += 2;
          continue;
        case '/':
          value.push_back('/');
          p += 2;
          continue;
        case 'b':
          value.push_back('\b');
          p += 2;
          continue;
        case 'f':
          value.push_back('\f');
          p += 2;
          continue;
        case 'n':
          value.push_back('\n');
          p += 2;
          continue;
        case 'r':
          value.push_back('\r');
          p += 2;
          continue;
        case 't':
          value.push_back('\t');
          p += 2;
          continue;
        case 'u': {
          if (p + 2 < n && source_[p + 2] == '{') {
            uint32_t v = 0;
            size_t q = p + 3;
            int digits = 0;
            bool ok = false;
            while (q < n && q - p < 12) {
              char h = source_[q];
              if (h == '}') {
                ok = digits > 0;
                break;
              }
              int hv = HexValue(h);
              if (hv < 0) break;
              v = (v << 4) | hv;
              ++digits;
              if (v > 0x10FFFF) break;
              ++q;
            }
            if (!ok || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF) {
              return bad_unicode(p, q - p + 1);
            }
            AppendUtf8(v, &value);
            p = q + 1;
            continue;
          }
          uint32_t v;
          if (!read_hex4(p + 2, &v)) return bad_unicode(p, 6);
          if (v >= 0xD800 && v <= 0xDBFF) {
            uint32_t lo;
            if (p + 7 < n && source_[p + 6] == '\\' && source_[p + 7] == 'u' &&
                read_hex4(p + 8, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
              AppendUtf8(0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00), &value);
              p += 12;
              continue;
            }
            return bad_unicode(p, 6);
          }
          if (v >= 0xDC00 && v <= 0xDFFF) return bad_unicode(p, 6);
          AppendUtf8(v, &value);
          p += 6;
          continue;
        }
        default:
          *error = SyntaxError(p, "Invalid character escape sequence: " +
                                      Quote(source_.substr(p, std::min<size_t>(2, n - p))) + ".");
          return false;
      }
    }
    value.push_back(c);
    ++p;
  }
  *error = SyntaxError(p, "Unterminated string.");
  return false;
}

bool Lexer::ReadBlockString(size_t start, Token* token, Error* error) {
  const size_t n = source_.size();
  size_t p = start + 3;
  std::string raw;
  int line = line_;
  size_t line_start = line_start_;
  while (p < n) {
    char c = source_[p];
    if (c == '"' && p + 2 < n && source_[p + 1] == '"' && source_[p + 2] == '"') {
      token->kind = TokenKind::kBlockString;
      token->value = BlockStringValue(raw);
      pos_ = p + 3;
      token->end = pos_;
      line_ = line;
      line_start_ = line_start;
      return true;
    }
    if (c == '\\' && p + 3 < n && source_[p + 1] == '"' && source_[p + 2] == '"' &&
        source_[p + 3] == '"') {
      raw += "\"\"\"";
      p += 4;
      continue;
    }
    if (c == '\n' || c == '\r') {
      raw.push_back('\n');
      if (c == '\r' && p + 1 < n && source_[p + 1] == '\n') ++p;
      ++p;
      ++line;
      line_start = p;
      continue;
    }
    raw.push_back(c);
    ++p;
  }
  line_ = line;
  line_start_ = line_start;
  col_cache_offset_ = line_start;
  col_cache_column_ = 1;
  *error = SyntaxError(p, "Unterminated string.");
  return false;
}

std::string BlockStringValue(std::string_view raw) {
  std::vector<std::string_view> lines;
  size_t s = 0;
  for (size_t i = 0; i <= raw.size(); ++i) {
    if (i == raw.size() || raw[i] == '\n') {
      lines.push_back(raw.substr(s, i - s));
      s = i + 1;
    }
  }
  size_t common = std::string_view::npos;
  long first = -1, last = -1;
  for (size_t i = 0; i < lines.size(); ++i) {
    size_t indent = 0;
    while (indent < lines[i].size() && (lines[i][indent] == ' ' || lines[i][indent] == '\t')) {
      ++indent;
    }
    if (indent == lines[i].size()) continue;
    if (first < 0) first = static_cast<long>(i);
    last = static_cast<long>(i);
    if (i != 0 && indent < common) common = indent;
  }
  std::string out;
  if (first < 0) return out;
  for (long i = first; i <= last; ++i) {
    std::string_view line = lines[i];
    if (i != 0) line = common >= line.size() ? std::string_view() : line.substr(common);
    if (i != first) out.push_back('\n');
    out.append(line);
  }
  return out;
}

std::string PrintBlockString(std::string_view value, bool prefer_multiple_lines) {
  std::string escaped;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value.compare(i, 3, "\"\"\"") == 0) {
      escaped += "\\\"\"\"";
      i += 2;
    } else {
      escaped.push_back(value[i]);
    }
  }
  std::vector<std::string_view> lines;
  {
    std::string_view e = escaped;
    size_t s = 0;
    for (size_t i = 0; i <= e.size(); ++i) {
      if (i == e.size() || e[i] == '\n' || e[i] == '\r') {
        lines.push_back(e.substr(s, i - s));
        if (i < e.size() && e[i] == '\r' && i + 1 < e.size() && e[i + 1] == '\n') ++i;
        s = i + 1;
      }
    }
  }
  auto is_ws = [](char c) { return c == ' ' || c == '\t'; };
  bool single = lines.size() == 1;
  bool force_leading = lines.size() > 1;
  for (size_t i = 1; i < lines.size() && force_leading; ++i) {
    if (!(lines[i].empty() || is_ws(lines[i][0]))) force_leading = false;
  }
  bool trailing_triple =
      escaped.size() >= 4 && escaped.compare(escaped.size() - 4, 4, "\\\"\"\"") == 0;
  bool trailing_quote = !value.empty() && value.back() == '"' && !trailing_triple;
  bool trailing_slash = !value.empty() && value.back() == '\\';
  bool force_trailing = trailing_quote || trailing_slash;
  size_t length16 = 0;  // JS string length (UTF-16 units)
  for (size_t i = 0; i < value.size(); ++i) {
    auto b = static_cast<unsigned char>(value[i]);
    if ((b & 0xC0) != 0x80) length16 += b >= 0xF0 ? 2 : 1;
  }
  bool multiple = prefer_multiple_lines || !single || length16 > 70 || force_trailing ||
                  force_leading || trailing_triple;
  std::string result;
  bool skip_leading = single && !value.empty() && is_ws(value[0]);
  if ((multiple && !skip_leading) || force_leading) result.push_back('\n');
  result += escaped;
  if (multiple || force_trailing) result.push_back('\n');
  return "\"\"\"" + result + "\"\"\"";
}

}  // namespace stator::graphql
