// JSONata's encoding built-ins as the reference runs them on Node: $base64encode/$base64decode
// (Buffer's 'binary' strings: one byte per UTF-16 code unit, a lenient base64 decoder that skips
// what is not in either alphabet) and $encodeUrl, $encodeUrlComponent, $decodeUrl,
// $decodeUrlComponent (encodeURI & co., a malformed input being D3140).
#include <cstdio>
#include <string>

#include "common/base64.h"
#include "common/utf8.h"
#include "jsonata/builtins.h"
#include "jsonata/js_string.h"

namespace stator::jsonata::internal {
namespace {

// JSON.stringify of a string that may hold lone surrogates (written as \udxxx escapes).
std::string QuoteWellFormed(const std::string& value) {
  std::string out = "\"";
  std::string run;
  auto flush = [&] {
    std::string quoted;
    AppendJsString(run, &quoted);
    out += quoted.substr(1, quoted.size() - 2);
    run.clear();
  };
  for (char32_t c : ToCodePoints(value)) {
    if (c >= 0xD800 && c <= 0xDFFF) {
      flush();
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      AppendUtf8(c, &run);
    }
  }
  flush();
  return out + "\"";
}

Error Malformed(std::string_view fn, const std::string& value) {
  std::string quoted = QuoteWellFormed(value);
  Error e = MakeError("D3140", -1, {{"functionName", std::string(fn)}, {"value", quoted}});
  e.token = std::string(fn);
  return e;
}

Result<Arg, Error> Base64EncodeFn(std::span<const Arg> args) {
  if (args.empty() || !args[0]) return Arg();
  std::u16string s = ToUtf16(args[0]->as_string());
  std::string bytes;
  bytes.reserve(s.size());
  for (char16_t c : s) bytes.push_back(static_cast<char>(c & 0xFF));
  return Arg(json::Value::String(Base64Encode(bytes)));
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

Result<Arg, Error> Base64DecodeFn(std::span<const Arg> args) {
  if (args.empty() || !args[0]) return Arg();
  uint32_t acc = 0;
  int bits = 0;
  std::string out;
  for (char c : args[0]->as_string()) {
    if (c == '=') break;
    int v = Base64Value(c);
    if (v < 0) continue;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      AppendUtf8((acc >> bits) & 0xFF, &out);  // each byte is one latin-1 character
    }
  }
  return Arg(json::Value::String(std::move(out)));
}

// encodeURI / encodeURIComponent: `keep` are the characters left as they are.
Result<Arg, Error> Encode(std::span<const Arg> args, std::string_view keep, std::string_view fn) {
  if (args.empty() || !args[0]) return Arg();
  const std::string& s = args[0]->as_string();
  std::u32string cps = ToCodePoints(s);
  std::string out;
  static const char kHex[] = "0123456789ABCDEF";
  for (char32_t c : cps) {
    if (c >= 0xD800 && c <= 0xDFFF) return Malformed(fn, s);  // a lone surrogate
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        (c < 0x80 && keep.find(static_cast<char>(c)) != std::string_view::npos)) {
      out.push_back(static_cast<char>(c));
      continue;
    }
    std::string bytes;
    AppendUtf8(c, &bytes);
    for (unsigned char b : bytes) {
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 15]);
    }
  }
  return Arg(json::Value::String(std::move(out)));
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// decodeURI / decodeURIComponent: escapes of characters in `reserved` stay as they are.
Result<Arg, Error> Decode(std::span<const Arg> args, std::string_view reserved,
                          std::string_view fn) {
  if (args.empty() || !args[0]) return Arg();
  const std::string& s = args[0]->as_string();
  std::string out;
  auto byte_at = [&](size_t i) -> int {  // the byte a %XX at i stands for, or -1
    if (i + 2 >= s.size() || s[i] != '%') return -1;
    int a = Hex(s[i + 1]), b = Hex(s[i + 2]);
    return a < 0 || b < 0 ? -1 : a * 16 + b;
  };
  for (size_t i = 0; i < s.size();) {
    if (s[i] != '%') {
      out.push_back(s[i++]);
      continue;
    }
    int b0 = byte_at(i);
    if (b0 < 0) return Malformed(fn, s);
    if (b0 < 0x80) {
      if (reserved.find(static_cast<char>(b0)) != std::string_view::npos) {
        out.append(s, i, 3);
      } else {
        out.push_back(static_cast<char>(b0));
      }
      i += 3;
      continue;
    }
    int n = (b0 & 0xE0) == 0xC0 ? 2 : (b0 & 0xF0) == 0xE0 ? 3 : (b0 & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0) return Malformed(fn, s);
    uint32_t cp = n == 2 ? (b0 & 0x1F) : n == 3 ? (b0 & 0x0F) : (b0 & 0x07);
    size_t j = i + 3;
    for (int k = 1; k < n; ++k, j += 3) {
      int b = byte_at(j);
      if (b < 0 || (b & 0xC0) != 0x80) return Malformed(fn, s);
      cp = (cp << 6) | (b & 0x3F);
    }
    bool overlong = (n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return Malformed(fn, s);
    AppendUtf8(cp, &out);
    i = j;
  }
  return Arg(json::Value::String(std::move(out)));
}

constexpr std::string_view kUriReserved = ";/?:@&=+$,#";
constexpr std::string_view kUriMark = "-_.!~*'()";

Result<Arg, Error> EncodeUrlComponentFn(std::span<const Arg> args) {
  return Encode(args, kUriMark, "encodeUrlComponent");
}
Result<Arg, Error> EncodeUrlFn(std::span<const Arg> args) {
  static const std::string keep = std::string(kUriMark) + std::string(kUriReserved);
  return Encode(args, keep, "encodeUrl");
}
Result<Arg, Error> DecodeUrlComponentFn(std::span<const Arg> args) {
  return Decode(args, "", "decodeUrlComponent");
}
Result<Arg, Error> DecodeUrlFn(std::span<const Arg> args) {
  return Decode(args, kUriReserved, "decodeUrl");
}

const Builtin kBuiltins[] = {
    {"base64encode", "<s-:s>", nullptr, Base64EncodeFn},
    {"base64decode", "<s-:s>", nullptr, Base64DecodeFn},
    {"encodeUrlComponent", "<s-:s>", nullptr, EncodeUrlComponentFn},
    {"encodeUrl", "<s-:s>", nullptr, EncodeUrlFn},
    {"decodeUrlComponent", "<s-:s>", nullptr, DecodeUrlComponentFn},
    {"decodeUrl", "<s-:s>", nullptr, DecodeUrlFn},
};

}  // namespace

std::span<const Builtin> EncodingBuiltins() { return kBuiltins; }

}  // namespace stator::jsonata::internal
