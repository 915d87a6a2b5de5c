#include "common/uuid.h"

#include <gtest/gtest.h>

#include <set>

namespace stator {
namespace {

bool LooksLikeUuid(const std::string& u, char version) {
  if (u.size() != 36) return false;
  for (size_t i = 0; i < u.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (u[i] == '-')) return false;
    if (!dash && !isxdigit(static_cast<unsigned char>(u[i]))) return false;
  }
  return u[14] == version && std::string("89ab").find(u[19]) != std::string::npos;
}

TEST(UuidTest, NewUuidIsRandomVersion4) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string u = NewUuid();
    EXPECT_TRUE(LooksLikeUuid(u, '4')) << u;
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(UuidTest, UuidV4FromKeepsTheCallersBits) {
  // Every bit but the version nibble and the two variant bits, in order (what an execution's
  // seeded generator drew must give the same UUID when a resumed execution draws it again).
  EXPECT_EQ(UuidV4From(0x0123456789abcdefULL, 0xfedcba9876543210ULL),
            "01234567-89ab-4def-bedc-ba9876543210");
  EXPECT_EQ(UuidV4From(0, 0), "00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(UuidV4From(~0ULL, ~0ULL), "ffffffff-ffff-4fff-bfff-ffffffffffff");
}

TEST(UuidTest, NameUuidIsVersion5OfStatorsNamespace) {
  // Expected values from Python: uuid.uuid5(uuid.UUID("5f0c9a41-7b3e-4d52-9c61-2e8b07d4a319"),
  // name), an independent implementation of RFC 4122 4.3.
  EXPECT_EQ(NameUuid("arn:aws:states:us-east-1:123456789012:execution:m:e/7"),
            "9616f8e9-4fa6-5a9f-9467-c36d0efb93bd");
  EXPECT_EQ(NameUuid(""), "a0e20a2d-f726-5f54-9de3-24039e876b0e");
  EXPECT_EQ(NameUuid("a"), NameUuid("a"));
  EXPECT_NE(NameUuid("a"), NameUuid("b"));
  EXPECT_TRUE(LooksLikeUuid(NameUuid("x"), '5'));
}

}  // namespace
}  // namespace stator
