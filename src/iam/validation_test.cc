#include "iam/validation.h"

#include <gtest/gtest.h>

namespace stator::iam {
namespace {

std::string Message(const Validation& v) {
  auto e = v.Error();
  EXPECT_TRUE(e);
  if (!e) return "";
  EXPECT_EQ(e->name, "ValidationError");
  return e->message;
}

TEST(ValidationTest, NoProblemNoError) {
  Validation v;
  v.String("roleName", "my-role_1+=,.@", kRoleNameType);
  v.String("path", "/", kPathType);
  v.String("description", "", kRoleDescriptionType);
  EXPECT_TRUE(v.ok());
  EXPECT_FALSE(v.Error());
}

TEST(ValidationTest, RoleNameLengthInAwsWords) {
  Validation v;
  v.String("roleName", std::string(65, 'a'), kRoleNameType);
  EXPECT_EQ(Message(v), "1 validation error detected: Value '" + std::string(65, 'a') +
                            "' at 'roleName' failed to satisfy constraint: Member must have "
                            "length less than or equal to 64");
}

TEST(ValidationTest, RoleNamePatternInAwsWords) {
  Validation v;
  v.String("roleName", "/service-role/x", kRoleNameType);
  EXPECT_EQ(Message(v),
            "1 validation error detected: Value '/service-role/x' at 'roleName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
}

TEST(ValidationTest, EveryViolationInOneMessage) {
  Validation v;
  v.String("roleName", "", kRoleNameType);
  v.Missing("assumeRolePolicyDocument");
  v.Integer("maxSessionDuration", "100", 3600, 43200);
  EXPECT_EQ(Message(v),
            "4 validation errors detected: "
            "Value '' at 'roleName' failed to satisfy constraint: Member must have length "
            "greater than or equal to 1; "
            "Value '' at 'roleName' failed to satisfy constraint: Member must satisfy regular "
            "expression pattern: [\\w+=,.@-]+; "
            "Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must "
            "not be null; "
            "Value '100' at 'maxSessionDuration' failed to satisfy constraint: Member must have "
            "value greater than or equal to 3600");
}

TEST(ValidationTest, Integers) {
  Validation v;
  EXPECT_EQ(v.Integer("maxItems", "1000", 1, 1000), 1000);
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.Integer("maxItems", "1001", 1, 1000), std::nullopt);
  EXPECT_EQ(v.Integer("maxItems", "x", 1, 1000), std::nullopt);
  EXPECT_EQ(v.Integer("maxItems", "", 1, 1000), std::nullopt);
  EXPECT_EQ(v.Integer("maxItems", "99999999999999999999", 1, 1000), std::nullopt);
  EXPECT_EQ(Message(v),
            "4 validation errors detected: "
            "Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value "
            "less than or equal to 1000; "
            "Value 'x' at 'maxItems' failed to satisfy constraint: Member must be an integer; "
            "Value '' at 'maxItems' failed to satisfy constraint: Member must be an integer; "
            "Value '99999999999999999999' at 'maxItems' failed to satisfy constraint: Member "
            "must be an integer");
}

TEST(ValidationTest, HiddenValues) {
  Validation v;
  v.String("tags.1.member.key", std::string(129, 'k'), kTagKeyType, /*show_value=*/false);
  v.Fail("tags", nullptr, "Member must have length less than or equal to 50");
  EXPECT_EQ(Message(v),
            "2 validation errors detected: "
            "Value at 'tags.1.member.key' failed to satisfy constraint: Member must have length "
            "less than or equal to 128; "
            "Value at 'tags' failed to satisfy constraint: Member must have length less than or "
            "equal to 50");
}

TEST(ValidationTest, LengthIsInUtf16Units) {
  Validation v;
  v.String("description", std::string(1000, 'a'), kRoleDescriptionType);
  std::string e_acute_500;
  for (int i = 0; i < 500; ++i) e_acute_500 += "\xC3\xA9";  // 1000 bytes, 500 characters
  v.String("description", e_acute_500 + e_acute_500, kRoleDescriptionType);
  EXPECT_TRUE(v.ok());
}

TEST(ValidationTest, Charsets) {
  EXPECT_TRUE(MatchesCharset("Aa0_+=,.@-", Charset::kName));
  for (const char* bad : {"a b", "a/b", "a:b", "\xC3\xA9", "a*", ""}) {
    EXPECT_FALSE(MatchesCharset(bad, Charset::kName)) << bad;
  }
  for (const char* good : {"/", "/a/", "/a/b/", "/!~/", "///"}) {
    EXPECT_TRUE(MatchesCharset(good, Charset::kPath)) << good;
  }
  for (const char* bad : {"", "a", "/a", "a/", "//", "//x", "/a b/", "/\x7f/"}) {
    EXPECT_FALSE(MatchesCharset(bad, Charset::kPath)) << bad;
  }
  for (const char* good : {"/", "/a", "/a/b/c", "/\x7f"}) {
    EXPECT_TRUE(MatchesCharset(good, Charset::kPathPrefix)) << good;
  }
  for (const char* bad : {"", "a/", "/ a"}) {
    EXPECT_FALSE(MatchesCharset(bad, Charset::kPathPrefix)) << bad;
  }
  for (const char* good : {"/", "/service-role/", "/a/b.c/"}) {
    EXPECT_TRUE(MatchesCharset(good, Charset::kPolicyPath)) << good;
  }
  for (const char* bad : {"", "//", "/a", "/a//", "/a b/", "a/"}) {
    EXPECT_FALSE(MatchesCharset(bad, Charset::kPolicyPath)) << bad;
  }
  EXPECT_TRUE(MatchesCharset("{\"a\":\t\"\xC3\xA9\"}\r\n", Charset::kPolicyDocument));
  EXPECT_FALSE(MatchesCharset("\xE6\x97\xA5", Charset::kPolicyDocument));  // above U+00FF
  EXPECT_FALSE(MatchesCharset(std::string("\0", 1), Charset::kPolicyDocument));
  EXPECT_FALSE(MatchesCharset("\xFF", Charset::kPolicyDocument));  // not UTF-8
  EXPECT_TRUE(MatchesCharset("", Charset::kDescription));
  EXPECT_FALSE(MatchesCharset("\xC2\xA0", Charset::kDescription));  // U+00A0
  EXPECT_FALSE(MatchesCharset("\x7f", Charset::kDescription));
  EXPECT_TRUE(MatchesCharset("team: a/b=c+d-e@f.g_h 1", Charset::kTagKey));
  EXPECT_TRUE(MatchesCharset("\xE6\x97\xA5", Charset::kTagKey));
  EXPECT_FALSE(MatchesCharset("a*b", Charset::kTagKey));
  EXPECT_FALSE(MatchesCharset("", Charset::kTagKey));
  EXPECT_TRUE(MatchesCharset("", Charset::kTagValue));
}

}  // namespace
}  // namespace stator::iam
