// Number formatting as JSONata 2.0.6 does it: JavaScript's number-to-string, $formatNumber
// (XPath F&O 3.1 picture strings with decimal-format options), $formatInteger and $parseInteger
// (XPath integer pictures: decimal digit patterns with grouping, `a`/`A` letters, `i`/`I` roman
// numerals, `w`/`W`/`Ww` English words, `;o` ordinals), and $formatBase. Outputs and D3xxx errors
// are the reference's (jsonata-js), including its quirks, so that results match it character
// for character. The integer picture analysis is shared with datetime.h's picture markers.
//
// Thread-safety: pure functions; IntegerFormat is a plain value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/result.h"
#include "jsonata/jsonata.h"

namespace stator::jsonata {

// JS's Number.prototype.toString(): the shortest digits that round-trip, in JS's layout
// (1e+21, 1.5e-7, 123.456, -0 as "0"); NaN and the infinities as JS spells them.
std::string JsNumberToString(double d);
// Number(d.toPrecision(15)): the value $string prints for a number.
double ToPrecision15(double d);
// JS's Math.round (halves toward +infinity).
double JsMathRound(double d);
// JSONata's $round(value, precision): halves to even, the decimal shift done on the digits.
double JsonataRound(double value, int precision);
// JS's Number.prototype.toFixed(digits) for 0 <= digits <= 100.
std::string JsToFixed(double d, int digits);
// JSON.stringify of a value as an error message insert (numbers in JS form).
std::string MessageInsert(const json::Value& v);

// An XPath integer picture (fn:format-integer), analysed.
struct IntegerFormat {
  enum class Primary { kDecimal, kLetters, kRoman, kWords, kSequence };
  enum class Case { kUpper, kLower, kTitle };
  struct Separator {
    int position = 0;  // digits to its right
    std::u16string character;
  };
  Primary primary = Primary::kDecimal;
  Case letter_case = Case::kLower;
  bool ordinal = false;
  char32_t zero_code = U'0';
  int mandatory_digits = 0;
  int optional_digits = 0;
  bool regular = false;
  std::vector<Separator> separators;  // regular: one, its position is the group size
  std::string token;                  // kSequence: the picture
};

// Analyses `picture` (D3131 when digits of different families are mixed).
Result<IntegerFormat, Error> AnalyseIntegerPicture(std::string_view picture);
// Formats `value` (an integer) with an analysed picture (D3130 for a numbering sequence).
Result<std::string, Error> FormatIntegerWith(double value, const IntegerFormat& format);
// English words for a non-negative integer, cardinal or ordinal ("One Hundred and Twenty-Third").
std::string NumberToWords(double value, bool ordinal);
// Every number word the reference knows (lower case) with its value, in the reference's order
// (which its word-matching regex alternates in).
const std::vector<std::pair<std::string, double>>& NumberWords();
// The value of English number words (lower case), as the reference computes it (NaN for
// unknown words).
double WordsToNumber(std::string_view text);
double RomanToDecimal(std::string_view upper_roman);
double LettersToDecimal(std::string_view letters, char a);
// Parses `text` as `format` describes, as the reference's parseInteger does (no validation of
// the text: NaN where the reference gets NaN).
Result<double, Error> ParseIntegerWith(std::string_view text, const IntegerFormat& format);

// $formatInteger(value, picture).
Result<std::string, Error> FormatInteger(double value, std::string_view picture);
// $parseInteger(string, picture); std::nullopt where the reference's result is NaN.
Result<std::optional<double>, Error> ParseInteger(std::string_view text, std::string_view picture);
// $formatNumber(value, picture, options?); options is an object of decimal-format properties
// ("decimal-separator", "grouping-separator", "zero-digit", "percent", ...).
Result<std::string, Error> FormatNumber(double value, std::string_view picture,
                                        const json::Value* options);
// $formatBase(value, radix?).
Result<std::string, Error> FormatBase(double value, std::optional<double> radix);

}  // namespace stator::jsonata
