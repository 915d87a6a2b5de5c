// Strict UTF-8 decoding for the IAM layer: request values are raw bytes from a form body, and
// both the XML writer (which must stay well-formed) and the constraint checks (which count and
// classify characters) need to know where a sequence is not UTF-8.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace stator::iam {

// The length (1-4) of the UTF-8 sequence at text[i], storing its code point in *cp; 0 when the
// bytes there are not one (a stray continuation byte, a truncated or overlong sequence, a
// surrogate, a code point above U+10FFFF). i < text.size().
size_t DecodeUtf8(std::string_view text, size_t i, uint32_t* cp);

}  // namespace stator::iam
