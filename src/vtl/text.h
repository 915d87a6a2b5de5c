// Java's string operations that the VTL built-ins need (internal to vtl/): lengths and
// positions in UTF-16 code units, String.trim, ASCII case mapping, literal replace, and regular
// expressions (java.util.regex patterns run as ECMAScript ones, which agree on the common
// syntax: classes, quantifiers, groups, anchors, alternation).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <string_view>

namespace stator::vtl {

size_t Utf16Length(std::string_view utf8);
std::u16string ToUtf16(std::string_view utf8);
std::string FromUtf16(std::u16string_view utf16);

// String.trim(): drops leading and trailing characters <= ' '.
std::string_view JavaTrim(std::string_view s);
std::string AsciiLower(std::string_view s);
std::string AsciiUpper(std::string_view s);
// Every occurrence of from replaced by to (String.replace(CharSequence, CharSequence)).
std::string ReplaceAll(std::string_view s, std::string_view from, std::string_view to);

// The pattern compiled, or nullopt when it is not a valid regular expression.
std::optional<std::regex> CompileJavaRegex(const std::string& pattern);

}  // namespace stator::vtl
