// A client of the KNIX management API of a running server (POST <endpoint>/management,
// shared/design/knix-protocol.md §1) for `stator knix`: logs in with e-mail and password, then
// calls actions with the token, as KNIX's SDK does ({"action", "data": {"user": {"token"},
// ...}} in, {"status", "data"} out).
//
// Errors of every call:
//   "Connection"     the server cannot be reached (cause: why);
//   "KnixProtocol"   it answered, but not the protocol's way (HTTP status not 200, a body that
//                    is not {"status", "data"}): it is not a KNIX management endpoint;
//   "KnixFailure"    the action failed; the cause is KNIX's message ("Authentication failed;
//                    wrong username and/or password.", ...).
//
// Ownership: holds its endpoint and token. Thread-safety: one client per thread (each call opens
// its own connection; LogIn changes the token).
#pragma once

#include <string>

#include "common/json.h"
#include "common/result.h"

namespace stator::cli {

inline constexpr char kKnixFailure[] = "KnixFailure";
inline constexpr char kKnixProtocol[] = "KnixProtocol";

class KnixClient {
 public:
  // endpoint: "http://HOST:PORT", optionally with a path under which /management is served
  // (one trailing '/' is dropped, as the SDK drops it).
  explicit KnixClient(std::string endpoint);

  const std::string& endpoint() const { return endpoint_; }

  // logIn; keeps the token for the calls that follow.
  Status LogIn(const std::string& email, const std::string& password);

  // The action with `fields` as its data (plus data.user.token); the answer's `data` object.
  Result<json::Value> Call(const std::string& action, json::Object fields = {});

 private:
  Result<json::Value> Post(const json::Value& body, const std::string& action);

  std::string endpoint_;
  std::string token_;
};

}  // namespace stator::cli
