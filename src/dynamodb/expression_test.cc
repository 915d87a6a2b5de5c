#include "dynamodb/expression.h"

#include <gtest/gtest.h>

#include "common/test_util.h"

namespace stator::dynamodb {
namespace {

using stator::testing::J;

Item ItemOf(const char* text) { return *MapFromJson(J(text)); }

// Parses `text` as a condition with the given names/values; returns the error message or "".
std::string ConditionError(const char* text, const char* names = nullptr,
                           const char* values = nullptr) {
  json::Value n = names ? J(names) : json::Value();
  json::Value v = values ? J(values) : json::Value();
  auto ctx = ExpressionContext::Make(names ? &n : nullptr, values ? &v : nullptr);
  if (!ctx.ok()) return ctx.error().cause;
  auto c = ParseCondition(text, ExprKind::kCondition, &*ctx);
  if (!c.ok()) return c.error().cause;
  Status s = ctx->CheckAllUsed();
  return s.ok() ? "" : s.error().cause;
}

bool Eval(const char* text, const char* item, const char* values = "{\":v\": {\"N\": \"1\"}}",
          const char* names = nullptr) {
  json::Value n = names ? J(names) : json::Value();
  json::Value v = J(values);
  auto ctx = ExpressionContext::Make(names ? &n : nullptr, &v);
  EXPECT_TRUE(ctx.ok());
  auto c = ParseCondition(text, ExprKind::kCondition, &*ctx);
  EXPECT_TRUE(c.ok()) << c.error().cause;
  if (!c.ok()) return false;
  return EvaluateCondition(*c, ItemOf(item));
}

std::string Update(const char* text, const char* item, const char* values = nullptr) {
  json::Value v = values ? J(values) : json::Value();
  auto ctx = ExpressionContext::Make(nullptr, values ? &v : nullptr);
  if (!ctx.ok()) return "error: " + ctx.error().cause;
  auto u = ParseUpdate(text, &*ctx);
  if (!u.ok()) return "error: " + u.error().cause;
  Item it = ItemOf(item);
  Status s = ApplyUpdate(*u, &it);
  if (!s.ok()) return "error: " + s.error().cause;
  return MapToJson(it).Dump();
}

TEST(ExpressionParseTest, SyntaxErrors) {
  EXPECT_EQ(ConditionError("a = ", nullptr, "{\":v\": {\"N\": \"1\"}}"),
            "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"=\"");
  EXPECT_EQ(ConditionError("a = :v :v", nullptr, "{\":v\": {\"N\": \"1\"}}"),
            "Invalid ConditionExpression: Syntax error; token: \":v\", near: \":v :v\"");
  EXPECT_EQ(ConditionError("a == :v", nullptr, "{\":v\": {\"N\": \"1\"}}"),
            "Invalid ConditionExpression: Syntax error; token: \"=\", near: \"== :v\"");
  EXPECT_EQ(ConditionError("a = :v;", nullptr, "{\":v\": {\"N\": \"1\"}}"),
            "Invalid ConditionExpression: Syntax error; token: \";\", near: \":v;\"");
}

TEST(ExpressionParseTest, NamesAndValues) {
  EXPECT_EQ(ConditionError("#a = :v", "{\"#a\": \"x\"}", "{\":v\": {\"S\": \"1\"}}"), "");
  EXPECT_EQ(ConditionError("#b = :v", "{\"#a\": \"x\"}", "{\":v\": {\"S\": \"1\"}}"),
            "Invalid ConditionExpression: An expression attribute name used in the document "
            "path is not defined; attribute name: #b");
  EXPECT_EQ(ConditionError("a = :w", nullptr, "{\":v\": {\"S\": \"1\"}}"),
            "Invalid ConditionExpression: An expression attribute value used in expression is "
            "not defined; attribute value: :w");
  EXPECT_EQ(ConditionError("a = :v", "{\"#a\": \"x\"}", "{\":v\": {\"S\": \"1\"}}"),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a}");
  EXPECT_EQ(ConditionError("a = :v", nullptr, "{\":v\": {\"S\": \"1\"}, \":u\": {\"S\": \"2\"}}"),
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:u}");
  EXPECT_EQ(ConditionError("name = :v", nullptr, "{\":v\": {\"S\": \"1\"}}"),
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved "
            "keyword: name");
  EXPECT_EQ(ConditionError("a = :v", nullptr, "{}"), "ExpressionAttributeValues must not be empty");
  EXPECT_EQ(ConditionError("foo(a)", nullptr, nullptr),
            "Invalid ConditionExpression: Invalid function name; function: foo");
  EXPECT_EQ(ConditionError("begins_with(a)", nullptr, nullptr),
            "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
            "operator or function: begins_with, number of operands: 1");
}

TEST(ExpressionEvalTest, Comparisons) {
  const char* item = R"({"n": {"N": "5"}, "s": {"S": "abc"}, "l": {"L": [{"N": "1"}]},
                        "m": {"M": {"x": {"SS": ["a", "b"]}}}})";
  EXPECT_TRUE(Eval("n > :v", item));
  EXPECT_FALSE(Eval("n < :v", item));
  EXPECT_FALSE(Eval("s < :v", item));  // different types never order
  EXPECT_TRUE(Eval("s <> :v", item));
  EXPECT_TRUE(Eval("nope <> :v", item));
  EXPECT_FALSE(Eval("nope = :v", item));
  EXPECT_TRUE(Eval("n BETWEEN :v AND :w", item, R"({":v": {"N": "1"}, ":w": {"N": "5"}})"));
  EXPECT_TRUE(Eval("n IN (:v, :w)", item, R"({":v": {"N": "1"}, ":w": {"N": "5.0"}})"));
  EXPECT_TRUE(Eval("l[0] = :v", item));
  EXPECT_TRUE(Eval("contains(m.x, :v)", item, R"({":v": {"S": "b"}})"));
  EXPECT_TRUE(Eval("begins_with(s, :v)", item, R"({":v": {"S": "ab"}})"));
  EXPECT_TRUE(Eval("size(s) = :v", item, R"({":v": {"N": "3"}})"));
  EXPECT_TRUE(Eval("attribute_type(m, :v)", item, R"({":v": {"S": "M"}})"));
  EXPECT_TRUE(Eval("attribute_exists(m.x) AND NOT attribute_exists(m.y)", item));
  EXPECT_TRUE(Eval("(n = :v OR n = :w) AND s = :s", item,
                   R"({":v": {"N": "4"}, ":w": {"N": "5"}, ":s": {"S": "abc"}})"));
}

TEST(ExpressionEvalTest, Updates) {
  EXPECT_EQ(Update("SET a = a + :v", R"({"a": {"N": "1.5"}})", R"({":v": {"N": "2.50"}})"),
            R"({"a":{"N":"4"}})");
  EXPECT_EQ(
      Update("SET b = if_not_exists(b, :v), c = list_append(c, :l)",
             R"({"c": {"L": [{"N": "1"}]}})", R"({":v": {"S": "x"}, ":l": {"L": [{"N": "2"}]}})"),
      R"({"b":{"S":"x"},"c":{"L":[{"N":"1"},{"N":"2"}]}})");
  EXPECT_EQ(Update("REMOVE l[0], l[2]", R"({"l": {"L": [{"N": "0"}, {"N": "1"}, {"N": "2"}]}})"),
            R"({"l":{"L":[{"N":"1"}]}})");
  EXPECT_EQ(Update("ADD n :v, s :s", R"({"n": {"N": "1"}})",
                   R"({":v": {"N": "-3"}, ":s": {"SS": ["a"]}})"),
            R"({"n":{"N":"-2"},"s":{"SS":["a"]}})");
  EXPECT_EQ(Update("DELETE s :s", R"({"s": {"SS": ["a", "b"]}})", R"({":s": {"SS": ["a", "b"]}})"),
            R"({})");
  EXPECT_EQ(
      Update("SET a = b", R"({})"),
      "error: The provided expression refers to an attribute that does not exist in the item");
  EXPECT_EQ(Update("SET a.b = :v", R"({})", R"({":v": {"N": "1"}})"),
            "error: The document path provided in the update expression is invalid for update");
  EXPECT_EQ(Update("SET a = :v + :v", R"({})", R"({":v": {"S": "1"}})"),
            "error: Invalid UpdateExpression: Incorrect operand type for operator or function; "
            "operator or function: +, operand type: S");
  EXPECT_EQ(Update("SET a = :v, a = :v", R"({})", R"({":v": {"S": "1"}})"),
            "error: Invalid UpdateExpression: Two document paths overlap with each other; must "
            "remove or rewrite one of these paths; path one: [a], path two: [a]");
  EXPECT_EQ(Update("SET a = :v SET b = :v", R"({})", R"({":v": {"S": "1"}})"),
            "error: Invalid UpdateExpression: The \"SET\" section can only be used once in an "
            "update expression;");
  EXPECT_EQ(Update("SET a = :v", R"({})", nullptr),
            "error: Invalid UpdateExpression: An expression attribute value used in expression is "
            "not defined; attribute value: :v");
  EXPECT_EQ(Update("", R"({})"),
            "error: Invalid UpdateExpression: The expression can not be empty;");
}

TEST(ExpressionEvalTest, Projection) {
  auto ctx = ExpressionContext::Make(nullptr, nullptr);
  auto p = ParseProjection("a.b, l[1], c", &*ctx);
  ASSERT_TRUE(p.ok()) << p.error().cause;
  Item it = ItemOf(R"({"a": {"M": {"b": {"N": "1"}, "z": {"N": "2"}}},
                      "l": {"L": [{"S": "x"}, {"S": "y"}]}, "d": {"S": "gone"}})");
  EXPECT_EQ(MapToJson(Project(it, *p)).Dump(),
            R"({"a":{"M":{"b":{"N":"1"}}},"l":{"L":[{"S":"y"}]}})");
}

TEST(KeyOrderTest, NumbersNumericallyStringsBytewise) {
  std::vector<AttrValue> nums = {AttrValue::Num("10"), AttrValue::Num("-2"), AttrValue::Num("9.5"),
                                 AttrValue::Num("0")};
  std::sort(nums.begin(), nums.end(),
            [](const AttrValue& a, const AttrValue& b) { return CompareScalar(a, b) < 0; });
  EXPECT_EQ(nums[0].scalar, "-2");
  EXPECT_EQ(nums[1].scalar, "0");
  EXPECT_EQ(nums[2].scalar, "9.5");
  EXPECT_EQ(nums[3].scalar, "10");
  // Bytewise as unsigned: "B" < "a" < "\xc3\xa9" (é).
  EXPECT_LT(CompareScalar(AttrValue::String("B"), AttrValue::String("a")), 0);
  EXPECT_LT(CompareScalar(AttrValue::String("a"), AttrValue::String("\xc3\xa9")), 0);
  EXPECT_LT(
      CompareScalar(AttrValue::Binary(std::string("\x01")), AttrValue::Binary(std::string("\xff"))),
      0);
  EXPECT_LT(CompareScalar(AttrValue::String("ab"), AttrValue::String("abc")), 0);
}

TEST(AttributeValueTest, WireFormAndSize) {
  auto v = AttrFromJson(J(R"({"NS": ["1.50", "2"]})"));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(AttrToJson(*v).Dump(), R"({"NS":["1.5","2"]})");
  EXPECT_EQ(AttrFromJson(J(R"({"SS": []})")).error().cause,
            "One or more parameter values were invalid: An string set  may not be empty");
  EXPECT_EQ(
      AttrFromJson(J(R"({})")).error().cause,
      "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  EXPECT_EQ(AttrFromJson(J(R"({"N": "x"})")).error().cause,
            "A value provided cannot be converted into a number");
  auto b = AttrFromJson(J(R"({"B": "aGVsbG8="})"));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->scalar, "hello");
  EXPECT_EQ(AttrSize(*b), 5);
  EXPECT_EQ(ItemSize(*MapFromJson(J(R"({"ab": {"S": "xyz"}, "n": {"N": "12345"}})"))),
            2 + 3 + 1 + 4);
}

}  // namespace
}  // namespace stator::dynamodb
