#include "iam/identity.h"

#include <random>

#include "common/json.h"
#include "common/time_format.h"

namespace stator::iam {

std::string NewUniqueId(std::string_view prefix) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::uniform_int_distribution<size_t> pick(0, sizeof(kChars) - 2);
  std::string id(prefix);
  for (int i = 0; i < 17; ++i) id.push_back(kChars[pick(generator)]);
  return id;
}

std::string NameKey(std::string_view name) {
  std::string key(name);
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

std::string IamTimestamp(int64_t epoch_millis) {
  int64_t seconds = epoch_millis - ((epoch_millis % 1000) + 1000) % 1000;
  std::string text = FormatTimestamp(seconds);  // "...T10:24:13.000Z"
  if (text.size() > 5 && text.compare(text.size() - 5, 5, ".000Z") == 0) {
    text.replace(text.size() - 5, 5, "Z");
  }
  return text;
}

std::string UserArn(const ArnScope& scope, const User& user) {
  return "arn:" + scope.partition + ":iam::" + scope.account + ":user" + user.path + user.name;
}

ApiError ServiceFailure(const Error& e) {
  return ApiError{"ServiceFailure", "Internal error: " + e.cause, {}};
}

namespace {

Result<User> ParseUser(std::string_view text) {
  STATOR_TRY(json::Value v, json::Parse(text));
  const json::Value* name = v.Find("UserName");
  const json::Value* id = v.Find("UserId");
  const json::Value* created = v.Find("CreateDate");
  const json::Value* path = v.Find("Path");
  if (!name || !name->is_string() || !id || !id->is_string() || !created || !created->is_int() ||
      !path || !path->is_string()) {
    return Error{"iam.CorruptRecord", "a user record lacks UserName, UserId, CreateDate or Path"};
  }
  return User{name->as_string(), id->as_string(), created->as_int(), path->as_string()};
}

std::string UserJson(const User& u) {
  return json::Value::MakeObject({{"UserName", json::Value::String(u.name)},
                                  {"UserId", json::Value::String(u.id)},
                                  {"CreateDate", json::Value::Int(u.create_millis)},
                                  {"Path", json::Value::String(u.path)}})
      .Dump();
}

}  // namespace

ApiResult<User> DefaultUser(store::Store* store, const Clock* clock) {
  const std::string key = NameKey(kDefaultUserName);
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto existing = store->GetRecord(kUserKind, key);
    if (!existing.ok()) return ServiceFailure(existing.error());
    if (*existing) {
      auto user = ParseUser(**existing);
      if (!user.ok()) return ServiceFailure(user.error());
      return *std::move(user);
    }
    User user{std::string(kDefaultUserName), NewUniqueId("AIDA"), clock->NowMillis(), "/"};
    Status s = store->WriteRecords({store::RecordWrite::Put(
        std::string(kUserKind), key, UserJson(user), store::RecordWrite::Condition::kAbsent)});
    if (s.ok()) return user;
    if (s.error().error != store::kConditionFailed) return ServiceFailure(s.error());
    // Another request created it first: read theirs.
  }
  return ApiError{"ServiceFailure", "Internal error: the default user could not be read", {}};
}

}  // namespace stator::iam
