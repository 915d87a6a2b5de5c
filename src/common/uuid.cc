#include "common/uuid.h"

#include <cstdint>
#include <random>

#include "common/hash.h"

namespace stator {

namespace {

std::string Format(uint64_t hi, uint64_t lo) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    uint64_t word = i < 16 ? hi : lo;
    int shift = 60 - 4 * (i % 16);
    out += kHex[(word >> shift) & 0xF];
  }
  return out;
}

// stator's namespace for NameUuid: the version-5 UUID of "stator" in RFC 4122's URL namespace
// would do as well; any fixed 16 bytes keep names apart from other namespaces.
constexpr unsigned char kNamespace[16] = {0x5f, 0x0c, 0x9a, 0x41, 0x7b, 0x3e, 0x4d, 0x52,
                                          0x9c, 0x61, 0x2e, 0x8b, 0x07, 0xd4, 0xa3, 0x19};

}  // namespace

std::string NewUuid() {
  thread_local std::mt19937_64 rng([] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }());
  const uint64_t hi = rng();
  const uint64_t lo = rng();
  return UuidV4From(hi, lo);
}

std::string UuidV4From(uint64_t hi, uint64_t lo) {
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 10
  return Format(hi, lo);
}

std::string NameUuid(std::string_view name) {
  std::string input(reinterpret_cast<const char*>(kNamespace), sizeof kNamespace);
  input.append(name);
  const std::string digest = hash::Digest(hash::Algorithm::kSha1, input);
  uint64_t hi = 0, lo = 0;
  for (int i = 0; i < 8; ++i) hi = hi << 8 | static_cast<unsigned char>(digest[i]);
  for (int i = 8; i < 16; ++i) lo = lo << 8 | static_cast<unsigned char>(digest[i]);
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000005000ULL;  // version 5
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 10
  return Format(hi, lo);
}

}  // namespace stator
