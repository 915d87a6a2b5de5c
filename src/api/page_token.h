// PageToken: the opaque, validated nextToken of the List* operations.
//
// A token carries the operation it belongs to and the key to resume after; it is
// base64url("<operation>\n<key>") followed by "." and a 64-bit checksum of both, so that a
// token that was not issued by this server for this operation (truncated, edited, made up,
// or from another List* call) is rejected with InvalidToken instead of being misread.
// Tokens stay valid across restarts and until the listing changes under them, like AWS's
// (which expire after 24 hours; stator's do not).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace stator::api {

std::string EncodePageToken(std::string_view operation, std::string_view key);
// The key, or nullopt when `token` is not a token of `operation`.
std::optional<std::string> DecodePageToken(std::string_view operation, std::string_view token);

}  // namespace stator::api
