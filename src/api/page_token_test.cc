#include "api/page_token.h"

#include <gtest/gtest.h>

namespace stator::api {
namespace {

TEST(PageTokenTest, RoundTripsAnyKey) {
  for (std::string key : {std::string(""), std::string("arn:aws:states:r:1:stateMachine:a"),
                          std::string("\x00\xff\n.x", 5), std::string(1000, 'z')}) {
    std::string token = EncodePageToken("ListStateMachines", key);
    auto back = DecodePageToken("ListStateMachines", token);
    ASSERT_TRUE(back) << token;
    EXPECT_EQ(*back, key);
  }
}

TEST(PageTokenTest, RejectsTamperedForeignAndMadeUpTokens) {
  std::string token = EncodePageToken("ListStateMachines", "arn:a");
  EXPECT_FALSE(DecodePageToken("ListExecutions", token));
  for (size_t i = 0; i < token.size(); ++i) {
    std::string t = token;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(DecodePageToken("ListStateMachines", t)) << t;
  }
  EXPECT_FALSE(DecodePageToken("ListStateMachines", ""));
  EXPECT_FALSE(DecodePageToken("ListStateMachines", "InvalidToken"));
  EXPECT_FALSE(DecodePageToken("ListStateMachines", token.substr(0, token.size() - 1)));
}

}  // namespace
}  // namespace stator::api
