// Base64 (RFC 4648, standard alphabet, padded) for Lambda's ZipFile blobs and X-Amz-Log-Result.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace stator::functions {

std::string Base64Encode(std::string_view bytes);
// Accepts padded input (whitespace is not allowed). Errors: bad characters or length.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace stator::functions
