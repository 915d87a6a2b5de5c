// Frames: how the server and a function's worker processes talk (over a Unix stream socket for
// an instance, a SOCK_SEQPACKET socket for the zygote). docs/functions.md has the protocol.
//
//   u32 big-endian N | u8 type | u32 big-endian H | H bytes header (a JSON object) | data
//
// N counts everything after itself (1 + 4 + H + data size). Types: 'S' spawn an instance
// (server -> zygote, with the instance's socket and log memfd attached), 'Z' zygote ready or
// failed (zygote -> server), 'Y' instance ready (instance -> server, its pidfd attached),
// 'I' invoke (server -> instance: header {id, deadline, arn}, data = the event JSON), 'R' result
// and 'E' error (instance -> server: header {us, rss, fatal}, data = JSON); during an
// invocation, 'P' platform call (instance -> server: header {id, call}, data = the arguments
// JSON) and its 'Q' reply (server -> instance: header {id, error?, type?}, data = the result
// JSON), any number of times (runtime.h's PlatformHandler).
//
// FrameReader reassembles frames from a byte stream read in arbitrary pieces.
// Thread-safety: plain values; a FrameReader belongs to one reader at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace stator::functions {

inline constexpr size_t kFramePrefix = 4;
inline constexpr size_t kMaxFrame = 64 * 1024 * 1024;

struct Frame {
  char type = 0;
  std::string header;  // JSON object text ("" when empty)
  std::string data;
};

// Appends the encoded frame to *out.
void EncodeFrame(char type, std::string_view header, std::string_view data, std::string* out);
std::string EncodeFrame(char type, std::string_view header, std::string_view data);

// Decodes one complete frame (including its length prefix). Errors: truncated, oversized or
// inconsistent lengths.
Result<Frame> DecodeFrame(std::string_view bytes);

class FrameReader {
 public:
  // Appends bytes read from the stream.
  void Append(const char* data, size_t n) { buffer_.append(data, n); }
  // The next complete frame, std::nullopt when more bytes are needed, or an Error when the
  // stream is corrupt (the connection must then be dropped).
  Result<std::optional<Frame>> Next();
  size_t buffered() const { return buffer_.size() - start_; }

 private:
  std::string buffer_;
  size_t start_ = 0;
};

}  // namespace stator::functions
