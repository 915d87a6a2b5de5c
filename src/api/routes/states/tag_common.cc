#include "api/routes/states/tag_common.h"

#include "store/store.h"

namespace stator::api::states {

std::optional<ApiError> CheckTaggableArn(const std::string& text) {
  STATOR_TRY(Arn arn, ParseArn(text));
  if (arn.service != "states") return ApiError::InvalidArn("Invalid ARN prefix: " + text);
  const std::string& type = arn.resource[0];
  if (type != "stateMachine" && type != "activity") {
    return ApiError::InvalidArn("Resource type not valid in this context: " + type);
  }
  return std::nullopt;
}

ApiError TagStoreError(const Error& e, const std::string& arn) {
  if (e.error == store::kNotFound) return ApiError::ResourceNotFound(arn);
  return StoreFailure(e);
}

}  // namespace stator::api::states
