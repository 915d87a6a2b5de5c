// HMAC from RFC 2104 (block size 64 for SHA-256), PBKDF2 from RFC 8018 §5.2.
#include "common/hmac.h"

#include "common/hash.h"

namespace stator::hash {

namespace {
constexpr size_t kBlock = 64;

// The inner and outer padded keys of an HMAC key.
struct HmacKeys {
  std::string inner;
  std::string outer;
  explicit HmacKeys(std::string_view key) {
    std::string k = key.size() > kBlock ? Digest(Algorithm::kSha256, key) : std::string(key);
    k.resize(kBlock, '\0');
    inner = k;
    outer = k;
    for (size_t i = 0; i < kBlock; ++i) {
      inner[i] = static_cast<char>(inner[i] ^ 0x36);
      outer[i] = static_cast<char>(outer[i] ^ 0x5c);
    }
  }
  std::string Mac(std::string_view data) const {
    std::string in = inner;
    in.append(data);
    std::string out = outer;
    out.append(Digest(Algorithm::kSha256, in));
    return Digest(Algorithm::kSha256, out);
  }
};
}  // namespace

std::string HmacSha256(std::string_view key, std::string_view data) {
  return HmacKeys(key).Mac(data);
}

std::string Pbkdf2HmacSha256(std::string_view password, std::string_view salt, int iterations,
                             size_t length) {
  const HmacKeys keys(password);
  std::string out;
  for (uint32_t block = 1; out.size() < length; ++block) {
    std::string first(salt);
    for (int shift = 24; shift >= 0; shift -= 8) {
      first.push_back(static_cast<char>((block >> shift) & 0xff));
    }
    std::string u = keys.Mac(first);
    std::string t = u;
    for (int i = 1; i < iterations; ++i) {
      u = keys.Mac(u);
      for (size_t j = 0; j < t.size(); ++j) t[j] = static_cast<char>(t[j] ^ u[j]);
    }
    out.append(t);
  }
  out.resize(length);
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

}  // namespace stator::hash
