// InvocationLog: reading an invocation's part of the memfd, and streaming its whole lines while
// it runs (ReadLines) without moving what the invocation's final read (ReadNew) returns.
#include "functions/invocation_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <optional>
#include <string>

namespace stator::functions {
namespace {

class InvocationLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto l = InvocationLog::Create("invocation-log-test");
    ASSERT_TRUE(l.ok()) << l.error().cause;
    log_.emplace(std::move(*l));
  }
  // As the instance writes: appended (the memfd is O_APPEND).
  void Write(const std::string& s) {
    ASSERT_EQ(write(log_->fd(), s.data(), s.size()), static_cast<ssize_t>(s.size()));
  }

  std::optional<InvocationLog> log_;
};

TEST_F(InvocationLogTest, ReadLinesReturnsEachWholeLineOnceAndReadNewSaysWhatItReturned) {
  EXPECT_EQ(log_->ReadLines(), "");
  Write("one\ntw");
  EXPECT_EQ(log_->ReadLines(), "one\n");
  EXPECT_EQ(log_->ReadLines(), "");  // "tw" waits for its newline
  Write("o");
  EXPECT_EQ(log_->ReadLines(), "");
  Write("\nthree\nfo");
  EXPECT_EQ(log_->ReadLines(), "two\nthree\n");
  Write("ur");
  size_t streamed = 99;
  EXPECT_EQ(log_->ReadNew(InvocationLog::kReadCap, InvocationLog::kRewind, &streamed),
            "one\ntwo\nthree\nfour");
  EXPECT_EQ(streamed, 14u);  // "one\ntwo\nthree\n"

  // The next invocation starts after it: nothing of the previous one again.
  EXPECT_EQ(log_->ReadLines(), "");
  Write("five\nsix");
  EXPECT_EQ(log_->ReadLines(), "five\n");
  EXPECT_EQ(log_->ReadNew(InvocationLog::kReadCap, InvocationLog::kRewind, &streamed), "five\nsix");
  EXPECT_EQ(streamed, 5u);

  // Nothing streamed: all of it is left.
  Write("seven\n");
  EXPECT_EQ(log_->ReadNew(InvocationLog::kReadCap, InvocationLog::kRewind, &streamed), "seven\n");
  EXPECT_EQ(streamed, 0u);
}

TEST_F(InvocationLogTest, ReadLinesReadsAtMostCapAtATimeAndKeepsTheLastCapOfALongLine) {
  Write("aaaa\nbbbb\ncc");
  EXPECT_EQ(log_->ReadLines(6), "aaaa\n");  // 6 bytes read, up to the last newline in them
  EXPECT_EQ(log_->ReadLines(6), "bbbb\n");
  EXPECT_EQ(log_->ReadLines(6), "");
  // A line longer than cap: its last cap bytes.
  Write("dddddddddd\n");
  EXPECT_EQ(log_->ReadLines(6), "");         // "ccdddd": no newline yet
  EXPECT_EQ(log_->ReadLines(6), "ddddd\n");  // "ccdddddddddd\n", its last 6 bytes
  size_t streamed = 0;
  EXPECT_EQ(log_->ReadNew(InvocationLog::kReadCap, InvocationLog::kRewind, &streamed),
            "aaaa\nbbbb\nccdddddddddd\n");
  EXPECT_EQ(streamed, 23u);
}

TEST_F(InvocationLogTest, StreamingStartsOverWhenTheLogIsEmptiedAfterAnInvocation) {
  // Past the rewind size, ReadNew empties the memfd; the writer carries on at 0.
  Write(std::string(40, 'x') + "\n");
  EXPECT_EQ(log_->ReadLines(), std::string(40, 'x') + "\n");
  size_t streamed = 0;
  EXPECT_EQ(log_->ReadNew(InvocationLog::kReadCap, /*rewind=*/16, &streamed).size(), 41u);
  EXPECT_EQ(streamed, 41u);
  Write("after\npartial");
  EXPECT_EQ(log_->ReadLines(), "after\n");
  EXPECT_EQ(log_->ReadNew(InvocationLog::kReadCap, InvocationLog::kRewind, &streamed),
            "after\npartial");
  EXPECT_EQ(streamed, 6u);
}

}  // namespace
}  // namespace stator::functions
