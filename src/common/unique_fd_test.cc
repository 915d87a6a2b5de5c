#include "common/unique_fd.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <utility>

namespace stator {
namespace {

// Whether fd names an open file description in this process.
bool IsOpen(int fd) { return fcntl(fd, F_GETFD) != -1; }

int OpenNull() {
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0);
  return fd;
}

TEST(UniqueFdTest, ClosesOnDestruction) {
  int raw = OpenNull();
  {
    UniqueFd fd(raw);
    EXPECT_TRUE(fd.valid());
    EXPECT_EQ(fd.get(), raw);
    EXPECT_TRUE(IsOpen(raw));
  }
  EXPECT_FALSE(IsOpen(raw));
}

TEST(UniqueFdTest, EmptyHoldsNothing) {
  UniqueFd fd;
  EXPECT_FALSE(fd.valid());
  EXPECT_EQ(fd.get(), -1);
  UniqueFd negative(-5);
  EXPECT_FALSE(negative.valid());
  EXPECT_EQ(negative.get(), -1);
}

TEST(UniqueFdTest, MoveTransfersOwnershipAndClosesOnce) {
  int raw = OpenNull();
  UniqueFd a(raw);
  UniqueFd b(std::move(a));
  EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  EXPECT_EQ(b.get(), raw);
  UniqueFd c;
  c = std::move(b);
  EXPECT_FALSE(b.valid());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(c.get(), raw);
  EXPECT_TRUE(IsOpen(raw));
  // Assigning over a holder closes what it held.
  int other = OpenNull();
  UniqueFd d(other);
  d = std::move(c);
  EXPECT_FALSE(IsOpen(other));
  EXPECT_EQ(d.get(), raw);
  EXPECT_TRUE(IsOpen(raw));
  d.Reset();
  EXPECT_FALSE(IsOpen(raw));
  EXPECT_FALSE(d.valid());
}

TEST(UniqueFdTest, ResetClosesThePreviousDescriptor) {
  int first = OpenNull(), second = OpenNull();
  UniqueFd fd(first);
  fd.Reset(second);
  EXPECT_FALSE(IsOpen(first));
  EXPECT_TRUE(IsOpen(second));
  fd.Reset(second);  // the same descriptor again: kept, not closed
  EXPECT_TRUE(IsOpen(second));
  EXPECT_EQ(fd.get(), second);
}

TEST(UniqueFdTest, ReleaseHandsTheDescriptorOn) {
  int raw = OpenNull();
  int released = -1;
  {
    UniqueFd fd(raw);
    released = fd.Release();
    EXPECT_FALSE(fd.valid());
  }
  EXPECT_EQ(released, raw);
  EXPECT_TRUE(IsOpen(raw));
  close(raw);
}

}  // namespace
}  // namespace stator
