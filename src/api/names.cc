#include "api/names.h"

#include <cstdint>

namespace stator::api {
namespace {

// Decodes one UTF-8 code point at s[*i]; -1 on malformed input.
int32_t NextCodePoint(std::string_view s, size_t* i) {
  unsigned char c = s[*i];
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || *i + len > s.size()) return -1;
  int32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < len; ++k) {
    unsigned char cc = s[*i + k];
    if ((cc & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (cc & 0x3F);
  }
  *i += len;
  return cp;
}

bool IsWhitespace(int32_t cp) {
  return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

}  // namespace

bool IsValidResourceName(std::string_view s) {
  if (s.empty()) return false;
  size_t i = 0;
  while (i < s.size()) {
    int32_t cp = NextCodePoint(s, &i);
    if (cp < 0) return false;
    if (IsWhitespace(cp)) return false;
    if (cp <= 0x1F || (cp >= 0x7F && cp <= 0x9F)) return false;
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;
    if ((cp & 0xFFFE) == 0xFFFE) return false;
    switch (cp) {
      case '<':
      case '>':
      case '{':
      case '}':
      case '[':
      case ']':
      case '?':
      case '*':
      case '"':
      case '#':
      case '%':
      case '\\':
      case '^':
      case '|':
      case '~':
      case '`':
      case '$':
      case '&':
      case ',':
      case ';':
      case ':':
      case '/':
        return false;
      default:
        break;
    }
  }
  return true;
}

}  // namespace stator::api
