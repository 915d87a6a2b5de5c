// Identifiers: random UUIDs (version 4) for revision ids, request ids and generated names, and
// name-based ones (version 5) where the same input must give the same identifier.
//
// Thread-safety: thread-safe (a generator per thread).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace stator {

// "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
std::string NewUuid();

// The version-4 UUID made of 128 random bits the caller drew (hi first): for ids that must come
// from a generator of the caller's own, such as an execution's seeded one (a resumed execution
// draws them again). The version and variant bits replace 6 of the 128.
std::string UuidV4From(uint64_t hi, uint64_t lo);

// The version-5 UUID (RFC 4122 4.3: SHA-1 of a namespace and the name) of name in stator's own
// namespace: the same name always gives the same UUID.
std::string NameUuid(std::string_view name);

}  // namespace stator
