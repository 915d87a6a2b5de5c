// Keyed hashing and password-based key derivation over SHA-256: HMAC-SHA256 (RFC 2104) and
// PBKDF2-HMAC-SHA256 (RFC 8018 §5.2). For what needs a secret in a hash: stored password
// hashes (the KNIX front door's users), and request signatures.
//
// Thread-safety: pure functions, safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace stator::hash {

// The 32 raw bytes of HMAC-SHA256(key, data).
std::string HmacSha256(std::string_view key, std::string_view data);

// `length` raw bytes derived from password and salt with `iterations` rounds (>= 1).
std::string Pbkdf2HmacSha256(std::string_view password, std::string_view salt, int iterations,
                             size_t length);

// Compares two byte strings in time that depends only on their lengths (for secrets).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace stator::hash
