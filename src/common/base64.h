// Base64 (RFC 4648, standard alphabet): Lambda's ZipFile blobs and X-Amz-Log-Result, function
// code digests, and the States.Base64Encode / States.Base64Decode intrinsics.
//
// Encoding always pads, in the standard alphabet. Decoding takes the padding rule and the
// letters as arguments: Lambda's and DynamoDB's blobs must be padded (length a multiple of 4);
// the intrinsic decodes as Java's basic decoder does, where padding may be left out but, when
// present, must complete the last group. DynamoDB's decoder also takes the URL-safe letters
// ('-' for '+', '_' for '/'). Nothing but the letters and the final padding is accepted (no
// whitespace).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace stator {

enum class Base64Padding { kRequired, kOptional };
enum class Base64Letters { kStandard, kStandardOrUrlSafe };

std::string Base64Encode(std::string_view bytes);
// Errors (name "Base64"): a character outside the alphabet, padding anywhere but at the end,
// a length no base64 text can have.
Result<std::string> Base64Decode(std::string_view text,
                                 Base64Padding padding = Base64Padding::kRequired,
                                 Base64Letters letters = Base64Letters::kStandard);

}  // namespace stator
