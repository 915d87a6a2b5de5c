// FunctionConfig: what stator knows about one function (Lambda's FunctionConfiguration, the
// parts stator implements), its JSON form (the store's function record), and the rules for names
// and ARNs.
//
// Names and references, as the Lambda API accepts them:
//   my-function                                          a name (1-64 of [A-Za-z0-9_-])
//   my-function:QUALIFIER                                with a version or alias
//   123456789012:function:my-function[:QUALIFIER]        a partial ARN
//   arn:aws:lambda:us-east-1:123456789012:function:my-function[:QUALIFIER]
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json.h"
#include "common/result.h"

namespace stator::functions {

inline constexpr int64_t kDefaultTimeoutSeconds = 3;
inline constexpr int64_t kMaxTimeoutSeconds = 900;
inline constexpr int64_t kDefaultMemoryMb = 128;
inline constexpr int64_t kMinMemoryMb = 128;
inline constexpr int64_t kMaxMemoryMb = 10240;
inline constexpr size_t kMaxSyncPayloadBytes = 6 * 1024 * 1024;  // 6 MB
inline constexpr size_t kMaxAsyncPayloadBytes = 1024 * 1024;     // Event invocations

using KeyValues = std::vector<std::pair<std::string, std::string>>;  // sorted by key

struct FunctionConfig {
  std::string name;
  std::string runtime = "python3.11";
  std::string handler;  // "module.function"; empty: KNIX's model (<name>.py, handle)
  // The handler's context object: "" Lambda's; "knix" Lambda's plus KNIX's log(text, level)
  // (functions added through the KNIX front door). Not part of Lambda's API.
  std::string context;
  std::string role;
  std::string description;
  int64_t timeout_seconds = kDefaultTimeoutSeconds;
  int64_t memory_mb = kDefaultMemoryMb;
  KeyValues environment;
  KeyValues tags;
  std::string code_sha256;    // base64 of the SHA-256 of the zip
  int64_t code_size = 0;      // bytes of the zip
  int64_t code_revision = 0;  // code uploads so far (1 after the create)
  // A UUID per code upload: names the package record and the code's directory in each node's
  // cache (registry.h).
  std::string code_id;
  std::string last_modified;  // "2024-05-01T12:00:00.000+0000"
  std::string revision_id;    // a UUID, new on every change

  json::Value ToJson() const;  // the stored form (registry.h)
  static Result<FunctionConfig> FromJson(const json::Value& v);
};

// A parsed function reference.
struct FunctionRef {
  std::string name;
  std::string qualifier;  // "" when none
  std::string region;     // "" when not given
  std::string account;    // "" when not given
};

bool IsValidFunctionName(std::string_view name);

// Parses any accepted form. Errors (error "ValidationException") when it matches none.
Result<FunctionRef> ParseFunctionRef(std::string_view text);

// "arn:aws:lambda:REGION:ACCOUNT:function:NAME"
std::string FunctionArn(std::string_view region, std::string_view account, std::string_view name);

// Lambda's LastModified format for a time in epoch milliseconds.
std::string LambdaTimestamp(int64_t epoch_millis);

// Looks a key up in a sorted KeyValues list (nullptr when absent).
const std::string* FindKey(const KeyValues& kv, std::string_view key);
// Sets key (keeping the list sorted).
void SetKey(KeyValues* kv, std::string key, std::string value);

}  // namespace stator::functions
