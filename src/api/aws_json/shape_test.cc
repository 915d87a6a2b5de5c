#include "api/aws_json/shape.h"

#include <gtest/gtest.h>

#include "common/test_util.h"

namespace stator::api {
namespace {

using stator::testing::J;

ShapeRef Input() {
  static const ShapeRef s = Struct({
      {"name", String(1, 5), kRequired},
      {"type", Enum({"A", "B"})},
      {"max", Integer(0, 10)},
      {"tags", List(Struct({{"key", String(1, 3), kRequired}}))},
      {"flag", Boolean()},
  });
  return s;
}

TEST(ShapeTest, AcceptsValidInputAndIgnoresUnknownMembersAndNulls) {
  EXPECT_FALSE(Validate(*Input(), J(R"({"name":"ab","type":"A","max":10,"tags":[{"key":"k"}],)"
                                    R"("flag":true,"other":[1],"max":null})")));
}

TEST(ShapeTest, ReportsEveryConstraintViolationInOneMessage) {
  auto e = Validate(*Input(), J(R"({"type":"C","max":11,"tags":[{"key":"long"},{}]})"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "ValidationException");
  EXPECT_EQ(e->message,
            "5 validation errors detected: "
            "Value null at 'name' failed to satisfy constraint: Member must not be null; "
            "Value 'C' at 'type' failed to satisfy constraint: Member must satisfy enum value "
            "set: [A, B]; "
            "Value '11' at 'max' failed to satisfy constraint: Member must have value less than "
            "or equal to 10; "
            "Value 'long' at 'tags.1.member.key' failed to satisfy constraint: Member must have "
            "length less than or equal to 3; "
            "Value null at 'tags.2.member.key' failed to satisfy constraint: Member must not be "
            "null");
}

TEST(ShapeTest, SingleErrorWording) {
  auto e = Validate(*Input(), J(R"({"name":""})"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "1 validation error detected: Value '' at 'name' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1");
}

bool NoDigits(std::string_view s) { return s.find_first_of("0123456789") == std::string::npos; }

TEST(ShapeTest, PatternsAreCheckedAfterTheLength) {
  const ShapeRef shape = Struct({{"name", Pattern(String(1, 3), "^[^0-9]*$", &NoDigits)}});
  EXPECT_FALSE(Validate(*shape, J(R"({"name":"abc"})")));
  auto e = Validate(*shape, J(R"({"name":"a1"})"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "1 validation error detected: Value 'a1' at 'name' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: ^[^0-9]*$");
  e = Validate(*shape, J(R"({"name":"a123"})"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "2 validation errors detected: Value 'a123' at 'name' failed to satisfy constraint: "
            "Member must have length less than or equal to 3; Value 'a123' at 'name' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: ^[^0-9]*$");
}

TEST(ShapeTest, ListsOfJavaNamedStructuresPrintAsJavaDoes) {
  const ShapeRef shape = Struct(
      {{"items",
        List(JavaNamed(Struct({{"arn", String()}, {"weight", Integer()}, {"flag", Boolean()}}),
                       "Item"),
             std::nullopt, 1)}});
  auto e = Validate(*shape, J(R"({"items":[{"arn":"a:1","weight":5},{"weight":7,"flag":true}]})"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "1 validation error detected: Value '[Item(arn=a:1, weight=5, flag=null), "
            "Item(arn=null, weight=7, flag=true)]' at 'items' failed to satisfy constraint: "
            "Member must have length less than or equal to 1");
}

TEST(ShapeTest, SensitiveValuesAreLeftOutOfMessages) {
  const ShapeRef shape = Struct({
      {"error", Sensitive(String(0, 3))},
      {"mode", Sensitive(Enum({"A"}))},
      {"name", String(0, 3)},
      {"secret", Sensitive(String(1, 5)), kRequired},
  });
  auto e = Validate(*shape, J(R"({"error":"abcd","mode":"B","name":"abcd"})"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "4 validation errors detected: "
            "Value at 'error' failed to satisfy constraint: Member must have length less than "
            "or equal to 3; "
            "Value at 'mode' failed to satisfy constraint: Member must satisfy enum value set: "
            "[A]; "
            "Value 'abcd' at 'name' failed to satisfy constraint: Member must have length less "
            "than or equal to 3; "
            "Value null at 'secret' failed to satisfy constraint: Member must not be null");
  EXPECT_FALSE(Validate(*shape, J(R"({"error":"abc","secret":"s"})")));
}

TEST(ShapeTest, WrongTypesAreSerializationErrors) {
  struct Case {
    const char* body;
    const char* message;
  } cases[] = {
      {R"({"name":5})", "NUMBER_VALUE cannot be converted to String"},
      {R"({"name":true})", "TRUE_VALUE cannot be converted to String"},
      {R"({"name":{}})", "Start of structure or map found where not expected."},
      {R"({"name":[]})", "Start of list found where not expected"},
      {R"({"max":"1"})", "STRING_VALUE cannot be converted to Integer"},
      {R"({"max":1.5})", "NUMBER_VALUE cannot be converted to Integer"},
      {R"({"flag":"true"})", "STRING_VALUE cannot be converted to Boolean"},
      {R"({"tags":{}})", "Start of structure or map found where not expected."},
      {R"([])", "Start of list found where not expected"},
  };
  for (const Case& c : cases) {
    auto e = Validate(*Input(), J(c.body));
    ASSERT_TRUE(e) << c.body;
    EXPECT_EQ(e->name, "SerializationException") << c.body;
    EXPECT_EQ(e->message, c.message) << c.body;
  }
  EXPECT_FALSE(Validate(*Input(), J(R"({"name":"a","max":2.0})")));  // integral double
}

TEST(ShapeTest, LengthsCountUtf16CodeUnits) {
  EXPECT_EQ(Utf16Length("abc"), 3);
  EXPECT_EQ(Utf16Length("\xC3\xA9"), 1);          // é
  EXPECT_EQ(Utf16Length("\xE2\x82\xAC"), 1);      // €
  EXPECT_EQ(Utf16Length("\xF0\x9F\x98\x80"), 2);  // an emoji: a surrogate pair
  EXPECT_FALSE(Validate(*Input(), J("{\"name\":\"\xF0\x9F\x98\x80\xF0\x9F\x98\x80"
                                    "a\"}")));
  EXPECT_TRUE(
      Validate(*Input(), J("{\"name\":\"\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80\"}")));
}

}  // namespace
}  // namespace stator::api
