// Message digests: MD5 (RFC 1321), SHA-1, SHA-256, SHA-384 and SHA-512 (FIPS 180-4).
//
// Implemented here (no OpenSSL) for States.Hash and for anything else that needs a stable
// fingerprint. One-shot functions over a byte string; nothing is kept between calls.
//
// Thread-safety: pure functions, safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace stator::hash {

enum class Algorithm { kMd5, kSha1, kSha256, kSha384, kSha512 };

// The algorithm named as States.Hash names it ("MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"),
// or nullopt.
std::optional<Algorithm> AlgorithmFromName(std::string_view name);

// The raw digest bytes (16, 20, 32, 48 or 64 of them).
std::string Digest(Algorithm algorithm, std::string_view data);

// The digest as lowercase hexadecimal.
std::string HexDigest(Algorithm algorithm, std::string_view data);

// Lowercase hexadecimal of arbitrary bytes.
std::string ToHex(std::string_view bytes);

}  // namespace stator::hash
