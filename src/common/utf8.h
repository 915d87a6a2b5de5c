// UTF-8 encoding of one code point, for the parsers that turn escapes (\uXXXX in JSON and GraphQL
// strings, Java's char arithmetic in VTL) into text.
//
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <string>

namespace stator {

// Appends the UTF-8 encoding of `cp` (at most U+10FFFF; a lone surrogate is encoded as its
// three bytes, as the callers' inputs may hold one) to *out.
inline void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace stator
