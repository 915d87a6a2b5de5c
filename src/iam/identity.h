// Who calls: the one IAM user every request to this server is taken to come from, and the
// unique ids IAM gives its entities.
//
// stator checks no credentials, so GetUser (without a UserName) and STS GetCallerIdentity name
// one default user of the server's account: kDefaultUserName, arn:aws:iam::ACCOUNT:user/stator.
// Its UserId ("AIDA" + 17 characters) and CreateDate are drawn when it is first asked for and
// kept as a record (kind kUserKind, key the lower-cased name), so they stay the same across
// restarts of a server with a --data-dir.
//
// Thread-safety: thread-safe (the store is; NewUniqueId draws from a generator per thread).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/api_error.h"
#include "common/arn.h"
#include "common/clock.h"
#include "store/store.h"

namespace stator::iam {

inline constexpr std::string_view kDefaultUserName = "stator";
inline constexpr std::string_view kUserKind = "iam.user";

// An IAM unique id: `prefix` ("AROA" for roles, "AIDA" for users) and 17 random characters
// from A-Z and 0-9.
std::string NewUniqueId(std::string_view prefix);

// IAM names are unique without regard to case: the record key of a name is its ASCII lower case.
std::string NameKey(std::string_view name);

// IAM's timestamps: ISO 8601 in UTC to the second, "2024-03-06T10:24:13Z".
std::string IamTimestamp(int64_t epoch_millis);

struct User {
  std::string name;
  std::string id;
  int64_t create_millis = 0;
  std::string path = "/";
};

// "arn:aws:iam::123456789012:user/stator"
std::string UserArn(const ArnScope& scope, const User& user);

// The default user, its record created on first use. Errors: ServiceFailure (the store failed).
ApiResult<User> DefaultUser(store::Store* store, const Clock* clock);

// ServiceFailure (IAM's 500) for a store failure.
ApiError ServiceFailure(const Error& e);

}  // namespace stator::iam
