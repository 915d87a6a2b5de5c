// The internals of datetime.h shared by its two files: the analysed picture (Part), JS Date
// arithmetic, and a date's components as the reference computes them. datetime.cc formats
// ($fromMillis), datetime_parse.cc parses ($toMillis).
//
// Thread-safety: pure functions and plain values.
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "jsonata/jsonata.h"
#include "jsonata/number_format.h"

namespace stator::jsonata::datetime_internal {

inline constexpr double kMsPerDay = 86400000;
inline constexpr const char* kDays[] = {"",         "Monday", "Tuesday",  "Wednesday",
                                        "Thursday", "Friday", "Saturday", "Sunday"};
inline constexpr const char* kMonths[] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};

Error MakeError(std::string code, std::string message);
// A string as JSON.stringify writes it in a message.
std::string Quote(std::string_view s);

// Days from 1970-01-01 to y-m-d (m 1-12), proleptic Gregorian.
double DaysFromCivil(double y, double m, double d);

// A time's UTC components (getUTCFullYear() ...); valid is false outside JS's date range.
struct Civil {
  double year, month0, day, weekday, hours, minutes, seconds, ms;
  bool valid;
};
Civil ToCivil(double t);

// A date's component as the reference's getDateTimeFragment computes it; strings for P, C, E.
struct Fragment {
  double number = NAN;
  std::string text;
  bool is_text = false;
  bool undefined = false;
};
Fragment GetFragment(double t, char16_t component);

// A marker's name modifier: none, n, N, Nn.
enum class Names { kNone, kLower, kUpper, kTitle };

// One part of a date/time picture: a literal or a [marker] as the reference analyses it.
struct Part {
  bool literal = false;
  std::string value;       // literal text
  char16_t component = 0;  // marker
  std::string component_text;
  std::string presentation1;
  char presentation2 = 0;
  Names names = Names::kNone;
  bool has_width = false;
  std::optional<double> width_min, width_max;  // NaN: parseInt gave NaN
  bool has_format = false;
  IntegerFormat format;
  std::optional<double> n;  // Y M D only; -1: no truncation
};

// The reference's analyseDateTimePicture (D3132, D3135, D3131).
Result<std::vector<Part>, Error> AnalysePicture(std::string_view picture);

// JS's parseInt(s, 10).
double JsParseIntText(std::string_view s);
// Whether c is one of the (ASCII) characters of set.
bool In(const char* set, char16_t c);

}  // namespace stator::jsonata::datetime_internal
