// JavaScript string semantics over stator's UTF-8 strings, for JSONata's text functions.
//
// JSONata (the reference is JavaScript) sees strings as sequences of UTF-16 code units: regex
// matching, $match's `index` and `String.prototype` case mapping follow that, while $length and
// $substring count code points. json::Value holds UTF-8; these helpers convert between the two
// (a lone surrogate round-trips as its three-byte encoding) and give JS's case mapping.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace stator::jsonata {

// UTF-8 to UTF-16 code units. Malformed bytes become U+FFFD.
std::u16string ToUtf16(std::string_view utf8);
// UTF-16 code units to UTF-8; a lone surrogate is written as its three-byte form.
std::string ToUtf8(std::u16string_view utf16);

// Joins the halves of a surrogate pair that ended up encoded one by one (each half's
// three-byte form, as concatenating two JS string pieces can give) into the pair's four-byte
// UTF-8; anything else is unchanged.
std::string JoinSurrogates(std::string utf8);

// Code points of a UTF-8 string (malformed bytes as U+FFFD).
std::u32string ToCodePoints(std::string_view utf8);
std::string FromCodePoints(std::u32string_view cps);

// JS's String.prototype.toUpperCase / toLowerCase for the scripts they are used with (Latin,
// Greek, Cyrillic, Armenian, fullwidth Latin); other characters are unchanged.
std::string JsToUpper(std::string_view utf8);
std::string JsToLower(std::string_view utf8);
// Simple (one to one) mappings of a single code point.
char32_t SimpleUpper(char32_t c);
char32_t SimpleLower(char32_t c);

}  // namespace stator::jsonata
