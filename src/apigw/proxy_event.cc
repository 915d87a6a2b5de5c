#include "apigw/proxy_event.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "common/base64.h"
#include "common/percent_encoding.h"

namespace stator::apigw {
namespace {

using json::Value;

Value Str(std::string s) { return Value::String(std::move(s)); }

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string HeaderValue(const ProxyRequest& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (Lower(k) == name) return v;
  }
  return "";
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    size_t n;
    if (c < 0x80) {
      n = 0;
    } else if ((c >> 5) == 6) {
      n = 1;
    } else if ((c >> 4) == 14) {
      n = 2;
    } else if ((c >> 3) == 30) {
      n = 3;
    } else {
      return false;
    }
    if (i + n >= s.size() && n > 0) return false;
    for (size_t k = 1; k <= n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    }
    i += n + 1;
  }
  return true;
}

// Members of an object in first-seen order; `add` appends to a key's list.
class Multi {
 public:
  void Add(const std::string& k, const std::string& v) {
    for (auto& [key, values] : items_) {
      if (key == k) {
        values.push_back(v);
        return;
      }
    }
    items_.push_back({k, {v}});
  }
  bool empty() const { return items_.empty(); }
  Value Last() const {
    json::Object o;
    for (const auto& [k, vs] : items_) o.emplace_back(k, Str(vs.back()));
    return Value::MakeObject(std::move(o));
  }
  Value All() const {
    json::Object o;
    for (const auto& [k, vs] : items_) {
      json::Array a;
      for (const std::string& v : vs) a.push_back(Str(v));
      o.emplace_back(k, Value::MakeArray(std::move(a)));
    }
    return Value::MakeObject(std::move(o));
  }
  Value Joined() const {
    json::Object o;
    for (const auto& [k, vs] : items_) {
      std::string j;
      for (size_t i = 0; i < vs.size(); ++i) j += (i ? "," : "") + vs[i];
      o.emplace_back(k, Str(j));
    }
    return Value::MakeObject(std::move(o));
  }

 private:
  std::vector<std::pair<std::string, std::vector<std::string>>> items_;
};

Multi Query(const std::string& raw) {
  Multi q;
  size_t start = 0;
  while (start <= raw.size() && !raw.empty()) {
    size_t amp = raw.find('&', start);
    std::string part =
        raw.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string k = PercentDecode(part.substr(0, eq), true);
      std::string v = eq == std::string::npos ? "" : PercentDecode(part.substr(eq + 1), true);
      q.Add(k, v);
    }
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return q;
}

Value PathParameters(const ProxyRequest& r) {
  json::Object o;
  for (const auto& [k, v] : r.path_parameters) o.emplace_back(k, Str(v));
  return Value::MakeObject(std::move(o));
}

std::string DomainPrefix(const std::string& host) { return host.substr(0, host.find('.')); }

// The body and whether it is base64.
std::pair<std::string, bool> Body(const ProxyRequest& r) {
  if (IsTextBody(HeaderValue(r, "content-type"), r.body)) return {r.body, false};
  return {Base64Encode(r.body), true};
}

std::string FullPath(const ProxyRequest& r) {
  return r.stage == "$default" ? r.path : "/" + r.stage + r.path;
}

}  // namespace

bool IsTextBody(std::string_view content_type, std::string_view body) {
  std::string t = Lower(content_type.substr(0, content_type.find(';')));
  bool text = t.empty() || t.starts_with("text/") || t.ends_with("json") || t.ends_with("xml") ||
              t.ends_with("javascript") || t == "application/x-www-form-urlencoded" ||
              t.ends_with("+json") || t.ends_with("+xml");
  return text && ValidUtf8(body);
}

std::string RequestTime(int64_t epoch_ms) {
  time_t secs = static_cast<time_t>(epoch_ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%d/%b/%Y:%H:%M:%S +0000", &tm);
  return buf;
}

Value EventV1(const ProxyRequest& r) {
  Multi headers;
  for (const auto& [k, v] : r.headers) headers.Add(k, v);
  Multi query = Query(r.raw_query);
  auto [body, base64] = Body(r);
  std::string host = HeaderValue(r, "host");
  Value identity = Value::MakeObject({{"accessKey", Value::Null()},
                                      {"accountId", Value::Null()},
                                      {"caller", Value::Null()},
                                      {"cognitoAuthenticationProvider", Value::Null()},
                                      {"cognitoAuthenticationType", Value::Null()},
                                      {"cognitoIdentityId", Value::Null()},
                                      {"cognitoIdentityPoolId", Value::Null()},
                                      {"principalOrgId", Value::Null()},
                                      {"sourceIp", Str(r.source_ip)},
                                      {"user", Value::Null()},
                                      {"userAgent", Str(HeaderValue(r, "user-agent"))},
                                      {"userArn", Value::Null()}});
  Value context = Value::MakeObject({{"accountId", Str(r.account)},
                                     {"apiId", Str(r.api_id)},
                                     {"domainName", Str(host)},
                                     {"domainPrefix", Str(DomainPrefix(host))},
                                     {"extendedRequestId", Str(r.request_id)},
                                     {"httpMethod", Str(r.method)},
                                     {"identity", identity},
                                     {"path", Str(FullPath(r))},
                                     {"protocol", Str("HTTP/1.1")},
                                     {"requestId", Str(r.request_id)},
                                     {"requestTime", Str(RequestTime(r.time_ms))},
                                     {"requestTimeEpoch", Value::Int(r.time_ms)},
                                     {"resourceId", Str(r.route_id)},
                                     {"resourcePath", Str(r.resource_path)},
                                     {"stage", Str(r.stage)}});
  bool no_vars = !r.stage_variables.is_object() || r.stage_variables.as_object().empty();
  return Value::MakeObject(
      {{"resource", Str(r.resource_path)},
       {"path", Str(r.path)},
       {"httpMethod", Str(r.method)},
       {"headers", headers.Last()},
       {"multiValueHeaders", headers.All()},
       {"queryStringParameters", query.empty() ? Value::Null() : query.Last()},
       {"multiValueQueryStringParameters", query.empty() ? Value::Null() : query.All()},
       {"pathParameters", r.path_parameters.empty() ? Value::Null() : PathParameters(r)},
       {"stageVariables", no_vars ? Value::Null() : r.stage_variables},
       {"requestContext", context},
       {"body", r.body.empty() ? Value::Null() : Str(body)},
       {"isBase64Encoded", Value::Bool(base64)}});
}

Value EventV2(const ProxyRequest& r) {
  Multi headers;
  json::Array cookies;
  for (const auto& [k, v] : r.headers) {
    std::string name = Lower(k);
    if (name == "cookie") {
      size_t start = 0;
      while (start < v.size()) {
        size_t semi = v.find(';', start);
        std::string c =
            v.substr(start, semi == std::string::npos ? std::string::npos : semi - start);
        size_t a = c.find_first_not_of(' ');
        if (a != std::string::npos) cookies.push_back(Str(c.substr(a)));
        if (semi == std::string::npos) break;
        start = semi + 1;
      }
      continue;
    }
    headers.Add(name, v);
  }
  Multi query = Query(r.raw_query);
  auto [body, base64] = Body(r);
  std::string host = HeaderValue(r, "host");
  Value http = Value::MakeObject({{"method", Str(r.method)},
                                  {"path", Str(FullPath(r))},
                                  {"protocol", Str("HTTP/1.1")},
                                  {"sourceIp", Str(r.source_ip)},
                                  {"userAgent", Str(HeaderValue(r, "user-agent"))}});
  Value context = Value::MakeObject({{"accountId", Str(r.account)},
                                     {"apiId", Str(r.api_id)},
                                     {"domainName", Str(host)},
                                     {"domainPrefix", Str(DomainPrefix(host))},
                                     {"http", http},
                                     {"requestId", Str(r.request_id)},
                                     {"routeKey", Str(r.route_key)},
                                     {"stage", Str(r.stage)},
                                     {"time", Str(RequestTime(r.time_ms))},
                                     {"timeEpoch", Value::Int(r.time_ms)}});
  json::Object out = {{"version", Str("2.0")},
                      {"routeKey", Str(r.route_key)},
                      {"rawPath", Str(FullPath(r))},
                      {"rawQueryString", Str(r.raw_query)}};
  if (!cookies.empty()) out.emplace_back("cookies", Value::MakeArray(std::move(cookies)));
  out.emplace_back("headers", headers.Joined());
  if (!query.empty()) out.emplace_back("queryStringParameters", query.Joined());
  if (!r.path_parameters.empty()) out.emplace_back("pathParameters", PathParameters(r));
  if (r.stage_variables.is_object() && !r.stage_variables.as_object().empty()) {
    out.emplace_back("stageVariables", r.stage_variables);
  }
  out.emplace_back("requestContext", context);
  if (!r.body.empty()) out.emplace_back("body", Str(body));
  out.emplace_back("isBase64Encoded", Value::Bool(base64));
  return Value::MakeObject(std::move(out));
}

}  // namespace stator::apigw
