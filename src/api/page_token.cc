#include "api/page_token.h"

#include <cstdint>

namespace stator::api {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr uint64_t kSalt = 0x73746174'6f72746bULL;  // "statortk"

uint64_t Checksum(std::string_view data) {
  uint64_t h = 0xcbf29ce484222325ULL ^ kSalt;  // FNV-1a, salted
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

std::string Base64Url(std::string_view in) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buf = (buf << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buf >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += kAlphabet[(buf << (6 - bits)) & 0x3F];
  return out;
}

std::optional<std::string> UnBase64Url(std::string_view in) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = nullptr;
    for (const char* a = kAlphabet; *a; ++a) {
      if (*a == c) p = a;
    }
    if (!p) return std::nullopt;
    buf = (buf << 6) | static_cast<uint32_t>(p - kAlphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xFF);
    }
  }
  return out;
}

std::string Hex(uint64_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[i] = kHex[v & 0xF];
  return s;
}

}  // namespace

std::string EncodePageToken(std::string_view operation, std::string_view key) {
  std::string payload = std::string(operation) + "\n" + std::string(key);
  return Base64Url(payload) + "." + Hex(Checksum(payload));
}

std::optional<std::string> DecodePageToken(std::string_view operation, std::string_view token) {
  size_t dot = token.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto payload = UnBase64Url(token.substr(0, dot));
  if (!payload || Hex(Checksum(*payload)) != token.substr(dot + 1)) return std::nullopt;
  std::string prefix = std::string(operation) + "\n";
  if (payload->compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  return payload->substr(prefix.size());
}

}  // namespace stator::api
