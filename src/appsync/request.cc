#include "appsync/request.h"

#include <charconv>

#include "api/page_token.h"
#include "common/percent_encoding.h"
#include "common/random.h"

namespace stator::appsync {
namespace {

using json::Value;

std::string RandomName(size_t n) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string bytes = RandomBytes(n);
  std::string out(n, 'a');
  for (size_t i = 0; i < n; ++i) out[i] = kAlphabet[static_cast<unsigned char>(bytes[i]) % 36];
  return out;
}

int StatusOf(const std::string& name) {
  if (name == "NotFoundException") return 404;
  if (name == "BadRequestException" || name == "ApiKeyValidityOutOfBoundsException" ||
      name == "ApiKeyLimitExceededException" || name == "GraphQLSchemaException" ||
      name == "ApiLimitExceededException") {
    return 400;
  }
  if (name == "ConcurrentModificationException") return 409;
  if (name == "LimitExceededException") return 429;
  if (name == "UnauthorizedException") return 401;
  if (name == "AccessDeniedException") return 403;
  return 500;
}

}  // namespace

std::optional<std::string> Request::Query(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::vector<std::string> Request::QueryAll(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : query) {
    if (k == name) out.push_back(v);
  }
  return out;
}

Result<Request> ParseRequest(const api::HttpRequest& http) {
  Request r;
  r.method = http.method;
  std::string_view target = http.target;
  std::string_view query;
  if (size_t q = target.find('?'); q != std::string_view::npos) {
    query = target.substr(q + 1);
    target = target.substr(0, q);
  }
  if (target.starts_with("/v1/")) target.remove_prefix(4);
  while (!target.empty()) {
    size_t slash = target.find('/');
    std::string_view part = target.substr(0, slash);
    if (!part.empty()) r.segments.push_back(PercentDecode(part, false));
    if (slash == std::string_view::npos) break;
    target.remove_prefix(slash + 1);
  }
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (!pair.empty()) {
      r.query.emplace_back(
          PercentDecode(pair.substr(0, eq), true),
          eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  r.body = Value::EmptyObject();
  if (http.body.find_first_not_of(" \t\r\n") != std::string::npos) {
    auto body = json::Parse(http.body);
    if (!body.ok() || !body->is_object()) {
      return BadRequest("Unable to parse the JSON request body.");
    }
    r.body = std::move(body).value();
  }
  return r;
}

api::HttpResponse JsonResponse(const json::Value& body, int status) {
  api::HttpResponse out;
  out.status = status;
  out.content_type = "application/json";
  out.body = body.Dump();
  return out;
}

api::HttpResponse ErrorResponse(const Error& e) {
  int status = StatusOf(e.error);
  std::string name = status == 500 ? "InternalFailureException" : e.error;
  std::string message =
      status == 500 && e.error != "InternalFailureException" ? e.error + ": " + e.cause : e.cause;
  api::HttpResponse out =
      JsonResponse(Value::MakeObject({{"message", Value::String(message)}}), status);
  out.headers.emplace_back("x-amzn-ErrorType", name);
  return out;
}

Error BadRequest(std::string message) { return Error{"BadRequestException", std::move(message)}; }
Error NotFound(std::string message) { return Error{"NotFoundException", std::move(message)}; }

Result<std::string> StringMember(const json::Value& body, std::string_view key, bool required) {
  const Value* v = body.Find(key);
  if (v == nullptr || v->is_null()) {
    if (required) return BadRequest(std::string(key) + " must be specified.");
    return std::string();
  }
  if (!v->is_string()) return BadRequest(std::string(key) + " must be a string.");
  return v->as_string();
}

void CopyMembers(const json::Value& body, const std::vector<std::string_view>& keys,
                 json::Object* out) {
  for (std::string_view k : keys) {
    const Value* v = body.Find(k);
    if (v != nullptr && !v->is_null()) out->emplace_back(std::string(k), *v);
  }
}

bool IsResourceName(std::string_view name) {
  if (name.empty() || name.size() > 65536) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::string NewApiId() { return RandomName(26); }
std::string NewApiKey() { return "da2-" + RandomName(26); }

Result<json::Value> Paginate(const Request& r, std::string_view operation,
                             std::string_view list_name,
                             const std::vector<std::pair<std::string, json::Value>>& items) {
  int64_t max = 25;
  if (auto text = r.Query("maxResults")) {
    auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), max);
    if (ec != std::errc() || p != text->data() + text->size() || max < 0 || max > 25) {
      return BadRequest("maxResults must be between 0 and 25.");
    }
    if (max == 0) max = 25;
  }
  std::string after;
  if (auto token = r.Query("nextToken"); token && !token->empty()) {
    std::optional<std::string> key = api::DecodePageToken(operation, *token);
    if (!key) return BadRequest("Invalid pagination token.");
    after = *key;
  }
  json::Array page;
  std::string last;
  bool more = false;
  for (const auto& [key, v] : items) {
    if (!after.empty() && key <= after) continue;
    if (static_cast<int64_t>(page.size()) == max) {
      more = true;
      break;
    }
    page.push_back(v);
    last = key;
  }
  json::Object out;
  out.emplace_back(std::string(list_name), Value::MakeArray(std::move(page)));
  if (more) out.emplace_back("nextToken", Value::String(api::EncodePageToken(operation, last)));
  return Value::MakeObject(std::move(out));
}

}  // namespace stator::appsync
