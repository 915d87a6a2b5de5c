// The resource ARN checks TagResource, UntagResource and ListTagsForResource share.
#pragma once

#include <string>

#include "api/aws_json/api_error.h"
#include "common/arn.h"

namespace stator::api::states {

// A taggable Step Functions resource ARN (state machine, activity), else InvalidArn. Versions
// and aliases parse but are not taggable (the store answers ResourceNotFound for them).
std::optional<ApiError> CheckTaggableArn(const std::string& arn);

// The error of a store call on a resource's tags.
ApiError TagStoreError(const Error& e, const std::string& arn);

}  // namespace stator::api::states
