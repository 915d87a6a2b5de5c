// Decoding UTF-8 text into code points, for the checks and comparisons that work on characters
// (Choice string order, Map Label characters). The text is a json::Value string, which the JSON
// parser has validated; a malformed sequence decodes to some code point without reading past the
// text.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace stator::asl {

// The code point of the sequence that starts at s[*i]; moves *i past the sequence.
inline uint32_t NextCodePoint(std::string_view s, size_t* i) {
  unsigned char c = static_cast<unsigned char>(s[*i]);
  int n = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
  uint32_t cp = n == 0 ? c : c & (0x3F >> n);
  for (int k = 1; k <= n && *i + k < s.size(); ++k) cp = (cp << 6) | (s[*i + k] & 0x3F);
  *i += n + 1;
  return cp;
}

}  // namespace stator::asl
