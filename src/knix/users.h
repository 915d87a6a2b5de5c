// Users of the KNIX front door: sign-up, log-in, token verification, account deletion
// (shared/design/knix-protocol.md §1.2), kept as store records.
//
// Passwords are never stored: a user record keeps a random 16-byte salt and
// PBKDF2-HMAC-SHA256(password, salt, kPasswordIterations). A log-in hands out a new opaque token
// (32 random bytes, hex); the store keeps only its SHA-256, under which it finds the user's
// email. Tokens do not expire (KNIX's never do in practice); deleting the account makes all of
// its tokens fail verification, because a token's user must still exist with the same id.
//
// Records (store.h, Record):
//   knix.users   EMAIL           {"id", "email", "name", "salt", "hash", "iterations",
//                                 "storageEndpoint", "created_ms"}  (salt and hash hex)
//   knix.tokens  SHA256HEX(TOKEN) {"email", "id"}
//
// Thread-safety: all methods may be called from any thread (the store serialises writes; a
// sign-up race on one email is decided by the store's create-only write).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"
#include "knix/protocol.h"
#include "store/store.h"

namespace stator::knix {

inline constexpr int kPasswordIterations = 20000;

struct User {
  std::string id;  // 32 hex digits: the key of the user's functions, workflows and data
  std::string email;
  std::string name;
  std::string storage_endpoint;  // "/storage/<sha256 hex>", what logIn returns
};

class Users {
 public:
  explicit Users(store::Store* store) : store_(store) {}

  // signUp: data.user = {email, password, name}.
  ActionResult SignUp(const json::Value& user, int64_t now_ms);
  // logIn: data.user = {email, password}; data {message, name, email, token, storageEndpoint}.
  ActionResult LogIn(const json::Value& user);
  // The user a token belongs to, or KNIX's "User verification failed: ..." failure.
  Result<User, ActionFailure> Verify(const json::Value& user);
  // The user whose id this is (a scan of the user records: for the rare lookups that start
  // from an id, such as a KNIX function's management calls made as its workflow's owner).
  Result<std::optional<User>> ById(const std::string& id);
  // Removes the user and its token records' target (the tokens then fail). The caller removes
  // the user's functions, workflows and data first.
  Status Delete(const User& user);

 private:
  store::Store* const store_;
};

// KNIX refuses non-ASCII characters in any data.user value and a space in the email: the
// failure message, or nullopt when the user object is acceptable.
std::optional<std::string> CheckUserFields(const json::Value& user);

}  // namespace stator::knix
