// Dates and times as JSONata 2.0.6 does them: $fromMillis / $now formatting with XPath F&O 3.1
// picture strings ([Y0001]-[M01]-[D01], [FNn], [h#1]:[m01][P], [Z01:01t], [Dwo], ...) and an
// ISO 8601 default, and $toMillis parsing of ISO 8601 or of a timestamp a picture describes.
// The rules, the odd corners and the D3xxx errors are the reference's (jsonata-js); times are
// milliseconds since the epoch as doubles (JS numbers), always in UTC plus the given offset.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "jsonata/jsonata.h"

namespace stator::jsonata {

// $fromMillis(millis, picture?, timezone?): `timezone` is the reference's "±HHMM" string.
Result<std::string, Error> FromMillis(double millis, std::optional<std::string_view> picture,
                                      std::optional<std::string_view> timezone);

// $toMillis(timestamp, picture?). Without a picture the timestamp must be ISO 8601 (D3110).
// `now_millis` is the evaluation's fixed timestamp, which fills the components a picture leaves
// out at the front. Returns std::nullopt for JSONata's undefined (the picture did not match) and
// NaN where the reference's result is NaN (an invalid date).
Result<std::optional<double>, Error> ToMillis(std::string_view timestamp,
                                              std::optional<std::string_view> picture,
                                              double now_millis);

// JS's Date.UTC(year, month0, day, hours, minutes, seconds, ms) (years 0-99 are 19xx; NaN
// for a time outside JS's range).
double JsDateUtc(double year, double month0, double day, double hours, double minutes,
                 double seconds, double ms);

}  // namespace stator::jsonata
