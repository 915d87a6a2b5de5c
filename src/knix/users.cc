#include "knix/users.h"

#include "common/hash.h"
#include "common/hmac.h"
#include "common/random.h"
#include "knix/json_fields.h"

namespace stator::knix {
namespace {

constexpr const char* kUsers = "knix.users";
constexpr const char* kTokens = "knix.tokens";
constexpr const char* kLoginFailed = "Authentication failed; wrong username and/or password.";

bool HasString(const json::Value& object, std::string_view key) {
  return IsString(Member(object, key));
}

std::string PasswordHash(std::string_view password, std::string_view salt, int iterations) {
  return hash::ToHex(hash::Pbkdf2HmacSha256(password, salt, iterations, 32));
}

Result<std::optional<json::Value>> LoadUser(store::Store* store, const std::string& email) {
  STATOR_TRY(std::optional<std::string> text, store->GetRecord(kUsers, email));
  if (!text) return std::optional<json::Value>();
  STATOR_TRY(json::Value v, json::Parse(*text));
  return std::optional<json::Value>(std::move(v));
}

ActionFailure StoreFailure(const Error& e) { return Fail("Internal error: " + e.cause); }

std::string HexToBytes(std::string_view hex) {
  std::string out;
  auto digit = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(digit(hex[i]) * 16 + digit(hex[i + 1])));
  }
  return out;
}

}  // namespace

std::optional<std::string> CheckUserFields(const json::Value& user) {
  if (!user.is_object()) return std::string("Invalid input parameters: ");
  for (const auto& [key, value] : user.as_object()) {
    if (!value.is_string()) continue;  // tokens and the like are strings; others are ignored
    for (unsigned char c : value.as_string()) {
      if (c >= 128 || (key == "email" && c == ' ')) {
        return std::string(
            "Invalid input parameters: Non-ascii characters in name or email, or space "
            "characters in email.");
      }
    }
  }
  return std::nullopt;
}

ActionResult Users::SignUp(const json::Value& user, int64_t now_ms) {
  if (!HasString(user, "email") || !HasString(user, "password") || !HasString(user, "name")) {
    return Fail("User already exists.");  // KNIX answers a malformed sign-up so
  }
  const std::string email = Str(user, "email");
  std::string salt = RandomBytes(16);
  json::Object record;
  record.emplace_back("id", json::Value::String(RandomHex(16)));
  record.emplace_back("email", json::Value::String(email));
  record.emplace_back("name", json::Value::String(Str(user, "name")));
  record.emplace_back("salt", json::Value::String(hash::ToHex(salt)));
  record.emplace_back(
      "hash", json::Value::String(PasswordHash(Str(user, "password"), salt, kPasswordIterations)));
  record.emplace_back("iterations", json::Value::Int(kPasswordIterations));
  record.emplace_back("storageEndpoint", json::Value::String("/storage/" + RandomHex(32)));
  record.emplace_back("created_ms", json::Value::Int(now_ms));
  Status s = store_->WriteRecords(
      {store::RecordWrite::Put(kUsers, email, json::Value::MakeObject(std::move(record)).Dump(),
                               store::RecordWrite::Condition::kAbsent)});
  if (!s.ok()) {
    if (s.error().error == store::kConditionFailed) return Fail("User already exists.");
    return StoreFailure(s.error());
  }
  return Data("User created successfully.");
}

ActionResult Users::LogIn(const json::Value& user) {
  if (!HasString(user, "email") || !HasString(user, "password")) return Fail(kLoginFailed);
  auto loaded = LoadUser(store_, Str(user, "email"));
  if (!loaded.ok()) return StoreFailure(loaded.error());
  if (!*loaded) return Fail(kLoginFailed);
  const json::Value& record = **loaded;
  const json::Value* iterations = record.Find("iterations");
  std::string expected = Str(record, "hash");
  std::string got =
      PasswordHash(Str(user, "password"), HexToBytes(Str(record, "salt")),
                   iterations && iterations->is_int() ? static_cast<int>(iterations->as_int())
                                                      : kPasswordIterations);
  if (!hash::ConstantTimeEquals(got, expected)) return Fail(kLoginFailed);
  std::string token = RandomHex(32);
  json::Object t;
  t.emplace_back("email", json::Value::String(Str(record, "email")));
  t.emplace_back("id", json::Value::String(Str(record, "id")));
  Status s = store_->WriteRecords(
      {store::RecordWrite::Put(kTokens, hash::HexDigest(hash::Algorithm::kSha256, token),
                               json::Value::MakeObject(std::move(t)).Dump())});
  if (!s.ok()) return StoreFailure(s.error());
  return Data("Logged in successfully.",
              {{"name", json::Value::String(Str(record, "name"))},
               {"email", json::Value::String(Str(record, "email"))},
               {"token", json::Value::String(token)},
               {"storageEndpoint", json::Value::String(Str(record, "storageEndpoint"))}});
}

Result<User, ActionFailure> Users::Verify(const json::Value& user) {
  static constexpr const char* kPrefix = "User verification failed: ";
  if (!HasString(user, "token")) return Fail(std::string(kPrefix) + "No token supplied");
  const std::string& token = user.Find("token")->as_string();
  auto t = store_->GetRecord(kTokens, hash::HexDigest(hash::Algorithm::kSha256, token));
  if (!t.ok()) return StoreFailure(t.error());
  const ActionFailure unknown =
      Fail(std::string(kPrefix) + "No user information found for supplied token");
  if (!*t) return unknown;
  auto token_record = json::Parse(**t);
  if (!token_record.ok()) return unknown;
  auto loaded = LoadUser(store_, Str(*token_record, "email"));
  if (!loaded.ok()) return StoreFailure(loaded.error());
  // The account may have been deleted (and even signed up again) since the token was issued.
  if (!*loaded || Str(**loaded, "id") != Str(*token_record, "id")) return unknown;
  return User{Str(**loaded, "id"), Str(**loaded, "email"), Str(**loaded, "name"),
              Str(**loaded, "storageEndpoint")};
}

Result<std::optional<User>> Users::ById(const std::string& id) {
  std::string after;
  while (true) {
    STATOR_TRY(store::Page<store::Record> page, store_->ListRecords(kUsers, "", after, 500));
    for (const store::Record& r : page.items) {
      auto v = json::Parse(r.value);
      if (!v.ok() || Str(*v, "id") != id) continue;
      return std::optional<User>(
          User{Str(*v, "id"), Str(*v, "email"), Str(*v, "name"), Str(*v, "storageEndpoint")});
    }
    if (page.next.empty()) return std::optional<User>();
    after = page.next;
  }
}

Status Users::Delete(const User& user) {
  return store_->WriteRecords({store::RecordWrite::Delete(kUsers, user.email)});
}

}  // namespace stator::knix
