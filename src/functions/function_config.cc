#include "functions/function_config.h"

#include <algorithm>

#include "common/time_format.h"

namespace stator::functions {
namespace {

json::Value Str(const std::string& s) { return json::Value::String(s); }

json::Value KeyValuesJson(const KeyValues& kv) {
  json::Object o;
  for (const auto& [k, v] : kv) o.emplace_back(k, Str(v));
  return json::Value::MakeObject(std::move(o));
}

Result<KeyValues> KeyValuesFrom(const json::Value* v, const char* what) {
  KeyValues kv;
  if (v == nullptr || v->is_null()) return kv;
  if (!v->is_object()) return Error{"Corrupt", std::string(what) + " is not an object"};
  for (const auto& [k, val] : v->as_object()) {
    if (!val.is_string()) return Error{"Corrupt", std::string(what) + " values must be strings"};
    kv.emplace_back(k, val.as_string());
  }
  std::sort(kv.begin(), kv.end());
  return kv;
}

bool IsDigits(std::string_view s, size_t n) {
  if (s.size() != n) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsQualifier(std::string_view q) {
  if (q == "$LATEST") return true;
  if (q.empty() || q.size() > 128) return false;
  return std::all_of(q.begin(), q.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == s.npos ? s.npos : p - start));
    if (p == s.npos) break;
    start = p + 1;
  }
  return out;
}

Error Invalid(std::string_view text) {
  return Error{"ValidationException",
               "1 validation error detected: Value '" + std::string(text) +
                   "' at 'functionName' failed to satisfy constraint: Member must satisfy "
                   "regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|"
                   "(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\"
                   "$LATEST|[a-zA-Z0-9-_]+))?"};
}

}  // namespace

json::Value FunctionConfig::ToJson() const {
  return json::Value::MakeObject({
      {"name", Str(name)},
      {"runtime", Str(runtime)},
      {"handler", Str(handler)},
      {"context", Str(context)},
      {"role", Str(role)},
      {"description", Str(description)},
      {"timeout", json::Value::Int(timeout_seconds)},
      {"memory", json::Value::Int(memory_mb)},
      {"environment", KeyValuesJson(environment)},
      {"tags", KeyValuesJson(tags)},
      {"codeSha256", Str(code_sha256)},
      {"codeSize", json::Value::Int(code_size)},
      {"codeRevision", json::Value::Int(code_revision)},
      {"codeId", Str(code_id)},
      {"lastModified", Str(last_modified)},
      {"revisionId", Str(revision_id)},
  });
}

Result<FunctionConfig> FunctionConfig::FromJson(const json::Value& v) {
  if (!v.is_object()) return Error{"Corrupt", "function metadata is not an object"};
  FunctionConfig c;
  auto str = [&v](const char* key, std::string* out) -> Status {
    const json::Value* f = v.Find(key);
    if (f == nullptr) return Status::Ok();
    if (!f->is_string()) return Error{"Corrupt", std::string(key) + " is not a string"};
    *out = f->as_string();
    return Status::Ok();
  };
  auto num = [&v](const char* key, int64_t* out) -> Status {
    const json::Value* f = v.Find(key);
    if (f == nullptr) return Status::Ok();
    if (!f->is_int()) return Error{"Corrupt", std::string(key) + " is not an integer"};
    *out = f->as_int();
    return Status::Ok();
  };
  STATOR_RETURN_IF_ERROR(str("name", &c.name));
  STATOR_RETURN_IF_ERROR(str("runtime", &c.runtime));
  STATOR_RETURN_IF_ERROR(str("handler", &c.handler));
  STATOR_RETURN_IF_ERROR(str("context", &c.context));
  STATOR_RETURN_IF_ERROR(str("role", &c.role));
  STATOR_RETURN_IF_ERROR(str("description", &c.description));
  STATOR_RETURN_IF_ERROR(num("timeout", &c.timeout_seconds));
  STATOR_RETURN_IF_ERROR(num("memory", &c.memory_mb));
  STATOR_TRY(c.environment, KeyValuesFrom(v.Find("environment"), "environment"));
  STATOR_TRY(c.tags, KeyValuesFrom(v.Find("tags"), "tags"));
  STATOR_RETURN_IF_ERROR(str("codeSha256", &c.code_sha256));
  STATOR_RETURN_IF_ERROR(num("codeSize", &c.code_size));
  STATOR_RETURN_IF_ERROR(num("codeRevision", &c.code_revision));
  STATOR_RETURN_IF_ERROR(str("codeId", &c.code_id));
  STATOR_RETURN_IF_ERROR(str("lastModified", &c.last_modified));
  STATOR_RETURN_IF_ERROR(str("revisionId", &c.revision_id));
  if (!IsValidFunctionName(c.name)) return Error{"Corrupt", "invalid function name"};
  return c;
}

bool IsValidFunctionName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

Result<FunctionRef> ParseFunctionRef(std::string_view text) {
  if (text.empty() || text.size() > 256) return Invalid(text);
  std::vector<std::string_view> parts = Split(text, ':');
  FunctionRef r;
  size_t i = 0;
  if (parts[0] == "arn") {
    // arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
    if (parts.size() < 7 || parts.size() > 8 || !parts[1].starts_with("aws") ||
        parts[2] != "lambda" || parts[3].empty() || !IsDigits(parts[4], 12) ||
        parts[5] != "function") {
      return Invalid(text);
    }
    r.region = std::string(parts[3]);
    r.account = std::string(parts[4]);
    i = 6;
  } else if (parts.size() >= 3 && parts[1] == "function") {
    if (!IsDigits(parts[0], 12) || parts.size() > 4) return Invalid(text);
    r.account = std::string(parts[0]);
    i = 2;
  } else if (parts.size() > 2) {
    return Invalid(text);
  }
  r.name = std::string(parts[i]);
  if (!IsValidFunctionName(r.name)) return Invalid(text);
  if (i + 1 < parts.size()) {
    if (!IsQualifier(parts[i + 1])) return Invalid(text);
    r.qualifier = std::string(parts[i + 1]);
  }
  return r;
}

std::string FunctionArn(std::string_view region, std::string_view account, std::string_view name) {
  std::string s = "arn:aws:lambda:";
  s.append(region).append(":").append(account).append(":function:").append(name);
  return s;
}

std::string LambdaTimestamp(int64_t ms) {
  std::string s = FormatTimestamp(ms);  // "...T10:24:13.123Z"
  s.pop_back();
  return s + "+0000";
}

const std::string* FindKey(const KeyValues& kv, std::string_view key) {
  auto it = std::lower_bound(kv.begin(), kv.end(), key,
                             [](const auto& p, std::string_view k) { return p.first < k; });
  if (it != kv.end() && it->first == key) return &it->second;
  return nullptr;
}

void SetKey(KeyValues* kv, std::string key, std::string value) {
  auto it = std::lower_bound(kv->begin(), kv->end(), key,
                             [](const auto& p, const std::string& k) { return p.first < k; });
  if (it != kv->end() && it->first == key) {
    it->second = std::move(value);
  } else {
    kv->emplace(it, std::move(key), std::move(value));
  }
}

}  // namespace stator::functions
