// What the activity operations share: activities are store records (kind kActivityKind, key the
// activity's ARN, value the JSON text {"name", "creationDate" (epoch ms), "tags": [{"key",
// "value"}], "encryptionConfiguration"?}), so every node of a cluster sees the same catalogue.
// This file holds the record's (de)serialisation, the ARN checks with AWS's errors, and the
// compare-and-set update of an activity's tags.
//
// Thread-safety: stateless functions over the store (whose calls are thread-safe).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "api/aws_json/api_error.h"
#include "api/states_service.h"
#include "common/json.h"
#include "store/store.h"

namespace stator::api::states {

inline constexpr const char* kActivityKind = "states.activity";

struct Activity {
  std::string arn;
  std::string name;
  int64_t creation_date_ms = 0;
  std::vector<store::Tag> tags;
  std::string encryption;  // canonical JSON text, "" when not given
};

std::string EncodeActivity(const Activity& a);
// nullopt when the stored text is not an activity record (never written by this code).
std::optional<Activity> DecodeActivity(const std::string& arn, const std::string& text);

// An activity ARN (arn:PARTITION:states:REGION:ACCOUNT:activity:NAME), else InvalidArn with
// AWS's detail ("Invalid ARN prefix: X", "Resource type not valid in this context: T").
std::optional<ApiError> CheckActivityArn(const std::string& arn);

// The stored activity, nullopt when there is none; the store's failure as InternalFailure.
ApiResult<std::optional<Activity>> FindActivity(StatesService& service, const std::string& arn);

// ActivityDoesNotExist "Activity Does Not Exist: 'ARN'".
ApiError ActivityDoesNotExist(const std::string& arn);

// Applies `change` to the activity's tags under compare-and-set (retried when another writer
// won): ResourceNotFound when the activity does not exist; `change` may return an error
// (TooManyTags), which is returned as it is.
ApiResult<json::Value> UpdateActivityTags(
    StatesService& service, const std::string& arn,
    const std::function<std::optional<ApiError>(std::vector<store::Tag>*)>& change);

}  // namespace stator::api::states
