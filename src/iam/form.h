// application/x-www-form-urlencoded, both ways: the request bodies of the AWS Query protocol
// (IAM, STS) parsed into name/value pairs, and the percent-encoding IAM applies to the policy
// documents it returns.
//
// ParseForm splits on '&', takes each pair's name up to the first '=' (a pair without '=' has an
// empty value), turns '+' into a space and %XX into the byte XX. A '%' not followed by two hex
// digits makes the body malformed. Empty pairs ("a=1&&b=2") are skipped. The decoded bytes are
// not checked for UTF-8: callers validate what they use.
//
// The percent-encoding IAM applies is common/percent_encoding.h's PercentEncode: RFC 3986's
// unreserved characters kept, every other byte %XX in upper-case hex ("{\"a\": 1}" ->
// "%7B%22a%22%3A%201%7D").
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace stator::iam {

using FormPairs = std::vector<std::pair<std::string, std::string>>;

// The pairs in body order; an Error (cause: what and where) when the body is malformed.
Result<FormPairs> ParseForm(std::string_view body);

}  // namespace stator::iam
