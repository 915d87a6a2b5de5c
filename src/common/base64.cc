#include "common/base64.h"

#include <array>
#include <cstdint>

namespace stator {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> MakeDecodeTable(bool url_safe_too) {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  if (url_safe_too) {
    t['-'] = 62;
    t['_'] = 63;
  }
  return t;
}
constexpr std::array<int8_t, 256> kDecode = MakeDecodeTable(false);
constexpr std::array<int8_t, 256> kDecodeUrlSafeToo = MakeDecodeTable(true);

Error Invalid(const char* why) { return Error{"Base64", why}; }

}  // namespace

std::string Base64Encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  auto b = [&in](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(in[k])); };
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (b(i) << 16) | (b(i + 1) << 8) | b(i + 2);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  size_t rest = in.size() - i;
  if (rest == 1) {
    uint32_t v = b(i) << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (rest == 2) {
    uint32_t v = (b(i) << 16) | (b(i + 1) << 8);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

Result<std::string> Base64Decode(std::string_view in, Base64Padding padding,
                                 Base64Letters letters) {
  const std::array<int8_t, 256>& table =
      letters == Base64Letters::kStandard ? kDecode : kDecodeUrlSafeToo;
  // The letters end where the padding (at most two '=') begins.
  size_t end = in.size();
  size_t pad = 0;
  while (end > 0 && in[end - 1] == '=' && pad < 2) {
    --end;
    ++pad;
  }
  if (pad > 0 || padding == Base64Padding::kRequired) {
    if (in.size() % 4 != 0) return Invalid("base64 text length is not a multiple of 4");
  }
  // One letter left over carries 6 bits: not a whole byte.
  if (end % 4 == 1) return Invalid("base64 text length is not a multiple of 4");
  std::string out;
  out.reserve(end / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < end; ++i) {
    const int8_t v = table[static_cast<unsigned char>(in[i])];
    if (v < 0) {
      return Invalid(in[i] == '=' ? "base64 padding in the middle" : "invalid base64 character");
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

}  // namespace stator
