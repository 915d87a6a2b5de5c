#include "api/aws_json/api_error.h"

#include <gtest/gtest.h>

namespace stator::api {
namespace {

TEST(ApiErrorTest, BodiesCarryAwsTypeMessageAndExtraMembers) {
  EXPECT_EQ(ErrorBody(ApiError::StateMachineDoesNotExist("arn:x")),
            R"({"__type":"com.amazonaws.swf.service.v2.model#StateMachineDoesNotExist",)"
            R"("message":"State Machine Does Not Exist: 'arn:x'"})");
  EXPECT_EQ(ErrorBody(ApiError::UnknownOperation()),
            R"({"__type":"com.amazon.coral.service#UnknownOperationException"})");
  EXPECT_EQ(ErrorBody(ApiError::ValidationWithReason("m", "R")),
            R"({"__type":"com.amazonaws.swf.service.v2.model#ValidationException",)"
            R"("message":"m","reason":"R"})");
  EXPECT_EQ(WireFormOf("ValidationException").type,
            "com.amazon.coral.validate#ValidationException");
  EXPECT_EQ(WireFormOf("InternalFailure").http_status, 500);
  EXPECT_EQ(WireFormOf("InvalidArn").http_status, 400);
  EXPECT_EQ(ApiError::InvalidName("a b").message, "Invalid Name: 'a b'");
  EXPECT_EQ(ApiError::InvalidToken().message, "Invalid Token: 'Invalid token'");
}

}  // namespace
}  // namespace stator::api
