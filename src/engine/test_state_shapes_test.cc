// ValidateMockResult: which Resource names which API's output shape, and the rules a mocked
// result is held to in each validation mode.
#include "engine/test_state_shapes.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "common/test_util.h"

namespace stator::engine {
namespace {

using stator::testing::J;

std::string Problem(std::string_view resource, const char* result,
                    MockValidationMode mode = MockValidationMode::kStrict) {
  std::optional<std::string> p = ValidateMockResult(resource, J(result), mode);
  return p ? *p : "";
}

constexpr char kPrefix[] = "Mock result schema validation error: ";

TEST(MockShapes, ResourcesNameTheirApiOperation) {
  EXPECT_TRUE(HasMockShape("arn:aws:states:::lambda:invoke"));
  EXPECT_TRUE(HasMockShape("arn:aws:states:::dynamodb:putItem"));
  EXPECT_TRUE(HasMockShape("arn:aws:states:::events:putEvents"));               // endpoint prefix
  EXPECT_TRUE(HasMockShape("arn:aws:states:::aws-sdk:eventbridge:putEvents"));  // SDK id
  EXPECT_TRUE(HasMockShape("arn:aws:states:::states:startExecution"));
  EXPECT_TRUE(HasMockShape("arn:aws:states:::aws-sdk:sfn:describeExecution"));
  EXPECT_TRUE(HasMockShape("arn:aws-cn:states:::aws-sdk:kms:encrypt"));  // any partition
  // Not an API call's output, or not one the table holds.
  EXPECT_FALSE(HasMockShape("arn:aws:states:::states:startExecution.sync"));
  EXPECT_FALSE(HasMockShape("arn:aws:states:::sqs:sendMessage.waitForTaskToken"));
  EXPECT_FALSE(HasMockShape("arn:aws:lambda:us-east-1:123456789012:function:f"));
  EXPECT_FALSE(HasMockShape("arn:aws:states:us-east-1:123456789012:activity:a"));
  EXPECT_FALSE(HasMockShape("arn:aws:states:::http:invoke"));
  EXPECT_FALSE(HasMockShape("arn:aws:states:::aws-sdk:nosuchservice:doIt"));
  EXPECT_FALSE(HasMockShape("arn:aws:states:::lambda:noSuchOperation"));
  EXPECT_EQ(Problem("arn:aws:states:::aws-sdk:nosuchservice:doIt", "{\"a\": 1}"), "");
}

TEST(MockShapes, TypesAndNesting) {
  const char* put = "arn:aws:states:::events:putEvents";
  EXPECT_EQ(Problem(put, R"({"Entries": {}})"),
            std::string(kPrefix) + "Field 'Entries' must be an array");
  EXPECT_EQ(Problem(put, R"({"Entries": [{"EventId": "a"}, {"ErrorCode": 5}]})"),
            std::string(kPrefix) + "Field 'ErrorCode' must be a string");
  EXPECT_EQ(Problem(put, R"({"FailedEntryCount": "1"})"),
            std::string(kPrefix) + "Field 'FailedEntryCount' must be a number");
  EXPECT_EQ(Problem(put, R"({"Entries": [], "SdkHttpMetadata": {"x": 1}})"), "");
  EXPECT_EQ(Problem(put, "{}"), "");
  // A result that is not an object at all.
  EXPECT_EQ(Problem(put, "[1]"), std::string(kPrefix) + "Field 'result' must be an object");
}

TEST(MockShapes, RequiredMembersOnlyWhenStrict) {
  const char* start = "arn:aws:states:::aws-sdk:sfn:startExecution";
  EXPECT_EQ(Problem(start, "{}"),
            std::string(kPrefix) + "Required field 'ExecutionArn' is missing");
  EXPECT_EQ(Problem(start, R"({"ExecutionArn": "a"})"),
            std::string(kPrefix) + "Required field 'StartDate' is missing");
  EXPECT_EQ(Problem(start, "{}", MockValidationMode::kPresent), "");
  EXPECT_EQ(Problem(start, R"({"StartDate": false})", MockValidationMode::kPresent),
            std::string(kPrefix) + "Field 'StartDate' must be a string");
  EXPECT_EQ(Problem(start, R"({"StartDate": false})", MockValidationMode::kNone), "");
}

TEST(MockShapes, BoundsAndEnums) {
  const char* get = "arn:aws:states:::aws-sdk:lambda:getFunction";
  EXPECT_EQ(Problem(get, R"({"Configuration": {"MemorySize": 127}})"),
            std::string(kPrefix) + "Field 'MemorySize' is less than the minimum value");
  EXPECT_EQ(Problem(get, R"({"Configuration": {"EphemeralStorage": {"Size": 10241}}})"),
            std::string(kPrefix) + "Field 'Size' exceeds the maximum value");
  EXPECT_EQ(Problem(get, R"({"Configuration": {"PackageType": "Tarball"}})"),
            std::string(kPrefix) + "Field 'PackageType' is not an expected value");
  EXPECT_EQ(Problem(get, R"({"Configuration": {"PackageType": "Zip", "MemorySize": 128}})"), "");
  const char* encrypt = "arn:aws:states:::aws-sdk:kms:encrypt";
  EXPECT_EQ(Problem(encrypt, R"({"CiphertextBlob": ""})"),
            std::string(kPrefix) + "Field 'CiphertextBlob' is smaller than the minimum length");
  EXPECT_EQ(Problem(encrypt, R"({"CiphertextBlob": 1})"),
            std::string(kPrefix) + "Field 'CiphertextBlob' must be a string");
  // Maps check their values; booleans are booleans.
  const char* item = "arn:aws:states:::dynamodb:getItem";
  EXPECT_EQ(Problem(item, R"({"Item": {"k": {"NULL": "yes"}}})"),
            std::string(kPrefix) + "Field 'NULL' must be a boolean");
  EXPECT_EQ(Problem(item, R"({"Item": {"k": {"L": [{"S": 1}]}}})"),
            std::string(kPrefix) + "Field 'S' must be a string");
}

}  // namespace
}  // namespace stator::engine
