// Percent-encoding (RFC 3986 §2.1): URL paths and query strings, form bodies.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace stator {

// Every byte but RFC 3986's unreserved characters (A-Z a-z 0-9 - _ . ~) as %XX (upper-case hex).
std::string PercentEncode(std::string_view bytes);

// Decodes %XX escapes (either case); with plus_is_space (form encoding, query strings) '+' is a
// space. A '%' not followed by two hex digits is kept as it is; callers that must refuse it ask
// FirstBadPercentEscape first.
std::string PercentDecode(std::string_view text, bool plus_is_space);

// The offset of the first '%' in text not followed by two hex digits, or npos.
size_t FirstBadPercentEscape(std::string_view text);

}  // namespace stator
