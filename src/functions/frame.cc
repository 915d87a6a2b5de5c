#include "functions/frame.h"

namespace stator::functions {
namespace {

void PutU32(uint32_t v, std::string* out) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  out->append(b, 4);
}

uint32_t GetU32(const char* p) {
  auto u = [p](int i) { return static_cast<uint32_t>(static_cast<unsigned char>(p[i])); };
  return (u(0) << 24) | (u(1) << 16) | (u(2) << 8) | u(3);
}

// Parses the body after the length prefix.
Result<Frame> DecodeBody(std::string_view body) {
  if (body.size() < 5) return Error{"Frame", "frame shorter than its type and header length"};
  uint32_t h = GetU32(body.data() + 1);
  if (h > body.size() - 5) return Error{"Frame", "frame header length exceeds the frame"};
  Frame f;
  f.type = body[0];
  f.header.assign(body.substr(5, h));
  f.data.assign(body.substr(5 + h));
  return f;
}

}  // namespace

void EncodeFrame(char type, std::string_view header, std::string_view data, std::string* out) {
  out->reserve(out->size() + 9 + header.size() + data.size());
  PutU32(static_cast<uint32_t>(5 + header.size() + data.size()), out);
  out->push_back(type);
  PutU32(static_cast<uint32_t>(header.size()), out);
  out->append(header);
  out->append(data);
}

std::string EncodeFrame(char type, std::string_view header, std::string_view data) {
  std::string out;
  EncodeFrame(type, header, data, &out);
  return out;
}

Result<Frame> DecodeFrame(std::string_view bytes) {
  if (bytes.size() < kFramePrefix) return Error{"Frame", "truncated frame length"};
  uint32_t n = GetU32(bytes.data());
  if (n > kMaxFrame) return Error{"Frame", "frame larger than the 64 MiB limit"};
  if (n != bytes.size() - kFramePrefix) return Error{"Frame", "frame length does not match"};
  return DecodeBody(bytes.substr(kFramePrefix));
}

Result<std::optional<Frame>> FrameReader::Next() {
  size_t avail = buffer_.size() - start_;
  if (avail < kFramePrefix) return std::optional<Frame>();
  uint32_t n = GetU32(buffer_.data() + start_);
  if (n > kMaxFrame) return Error{"Frame", "frame larger than the 64 MiB limit"};
  if (n < 5) return Error{"Frame", "frame shorter than its type and header length"};
  if (avail - kFramePrefix < n) return std::optional<Frame>();
  Result<Frame> f = DecodeBody(std::string_view(buffer_).substr(start_ + kFramePrefix, n));
  if (!f.ok()) return std::move(f).error();
  start_ += kFramePrefix + n;
  if (start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  } else if (start_ > 65536 && start_ * 2 > buffer_.size()) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  return std::optional<Frame>(std::move(f).value());
}

}  // namespace stator::functions
