#include "functions/frame.h"

#include <gtest/gtest.h>

namespace stator::functions {
namespace {

TEST(Frame, EncodeDecodeRoundTrip) {
  std::string bytes = EncodeFrame('I', R"({"id":"r"})", "[1,2]");
  ASSERT_EQ(bytes.size(), 4u + 1 + 4 + 10 + 5);
  EXPECT_EQ(bytes.substr(0, 4), std::string("\0\0\0\x14", 4));  // 20 = 1 + 4 + 10 + 5
  auto f = DecodeFrame(bytes);
  ASSERT_TRUE(f.ok()) << f.error().cause;
  EXPECT_EQ(f->type, 'I');
  EXPECT_EQ(f->header, R"({"id":"r"})");
  EXPECT_EQ(f->data, "[1,2]");
}

TEST(Frame, DecodeRejectsBadLengths) {
  std::string bytes = EncodeFrame('R', "{}", "x");
  EXPECT_FALSE(DecodeFrame(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(DecodeFrame("ab").ok());
  std::string bad_header = bytes;
  bad_header[8] = 100;  // header length beyond the frame
  EXPECT_FALSE(DecodeFrame(bad_header).ok());
  std::string huge("\x7f\xff\xff\xff", 4);
  EXPECT_FALSE(DecodeFrame(huge + "R").ok());
}

TEST(FrameReader, ReassemblesPieces) {
  std::string stream = EncodeFrame('R', "{\"us\":1}", "\"a\"") + EncodeFrame('E', "", "{}") +
                       EncodeFrame('Y', "{}", std::string(100000, 'x'));
  FrameReader r;
  std::vector<Frame> got;
  for (size_t i = 0; i < stream.size(); i += 7) {
    r.Append(stream.data() + i, std::min<size_t>(7, stream.size() - i));
    for (;;) {
      auto next = r.Next();
      ASSERT_TRUE(next.ok());
      if (!next->has_value()) break;
      got.push_back(std::move(**next));
    }
  }
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].type, 'R');
  EXPECT_EQ(got[0].data, "\"a\"");
  EXPECT_EQ(got[1].type, 'E');
  EXPECT_EQ(got[1].header, "");
  EXPECT_EQ(got[2].data.size(), 100000u);
  EXPECT_EQ(r.buffered(), 0u);
}

TEST(FrameReader, CorruptStreamIsAnError) {
  FrameReader r;
  std::string bad("\0\0\0\x02xy", 6);  // shorter than type + header length
  r.Append(bad.data(), bad.size());
  EXPECT_FALSE(r.Next().ok());
}

}  // namespace
}  // namespace stator::functions
