// HTTP resolvers (resolvers.h): the request mapping template's document (AppSync's HTTP resolver
// format: {"version": "2018-05-29", "method", "resourcePath", "params": {"query", "headers",
// "body"}}) becomes a request to the data source's httpConfig.endpoint, sent by the server's
// HttpClient; the answer is $ctx.result = {statusCode, headers, body}. A status that is not 2xx is
// no error by itself (the response template decides); a connection that fails or times out is
// $ctx.error (type HttpRequestException). docs/appsync.md, "Resolvers".
#include <cctype>
#include <string>
#include <utility>

#include "appsync/http_client.h"
#include "appsync/resolvers.h"

namespace stator::appsync {

namespace {

json::Value S(std::string s) { return json::Value::String(std::move(s)); }

// Where an http:// endpoint points.
struct Endpoint {
  std::string host;
  uint16_t port = 80;
  std::string path;  // without a trailing '/'; prefixes every resourcePath
};

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

bool EqualsNoCase(std::string_view s, std::string_view lower) {
  return s.size() == lower.size() && StartsWithNoCase(s, lower);
}

Error NotUsable(const std::string& url) {
  return Error{"MappingTemplate", "The HTTP data source's endpoint is not a usable URL: " + url};
}

// The endpoint of an HTTP data source, or the message of why stator cannot call it.
Result<Endpoint> ParseEndpoint(const std::string& url) {
  if (StartsWithNoCase(url, "https://")) {
    std::string message = "stator does not make TLS (https://) requests to data sources yet: ";
    return Error{"UnsupportedDataSource", message + url};
  }
  if (!StartsWithNoCase(url, "http://")) {
    return Error{"MappingTemplate",
                 "The HTTP data source's endpoint is not an http:// URL: " + url};
  }
  std::string_view rest = std::string_view(url).substr(7);
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  Endpoint e;
  if (slash != std::string_view::npos) {
    e.path = std::string(rest.substr(slash));
    while (!e.path.empty() && e.path.back() == '/') e.path.pop_back();
  }
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return NotUsable(url);
    e.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return NotUsable(url);
      has_port = true;
      port = after.substr(1);
    }
  } else {
    size_t colon = authority.rfind(':');
    e.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      has_port = true;
      port = authority.substr(colon + 1);
    }
  }
  if (e.host.empty() || e.host.find_first_of("@/?# ") != std::string::npos ||
      e.path.find_first_of("?# ") != std::string::npos) {
    return NotUsable(url);
  }
  if (has_port) {
    if (port.empty() || port.size() > 5) return NotUsable(url);
    unsigned n = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return NotUsable(url);
      n = n * 10 + static_cast<unsigned>(c - '0');
    }
    if (n == 0 || n > 65535) return NotUsable(url);
    e.port = static_cast<uint16_t>(n);
  }
  return e;
}

// `s` percent-encoded for a query string (RFC 3986: all but the unreserved characters).
std::string QueryEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// A query or header value as text: strings as they are, other JSON as JSON text.
std::string Text(const json::Value& v) { return v.is_string() ? v.as_string() : v.Dump(); }

bool HasControl(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

Error FieldMissing(const char* field) {
  return Error{"MappingTemplate", std::string("Value for field '$[") + field + "]' not found."};
}

// The request of an HTTP resolver document sent to `endpoint`, or the MappingTemplate error.
Result<HttpClient::Request> HttpRequestOf(const json::Value& doc, const Endpoint& endpoint) {
  HttpClient::Request r;
  r.host = endpoint.host;
  r.port = endpoint.port;
  const json::Value* method = doc.Find("method");
  if (method == nullptr || method->is_null()) return FieldMissing("method");
  static constexpr const char* kMethods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
  for (const char* m : kMethods) {
    if (method->is_string() && method->as_string() == m) r.method = m;
  }
  if (r.method.empty()) {
    return Error{"MappingTemplate",
                 "The HTTP resolver's method must be one of GET, POST, PUT, "
                 "PATCH, DELETE, not " +
                     method->Dump()};
  }
  const json::Value* path = doc.Find("resourcePath");
  if (path == nullptr || path->is_null()) return FieldMissing("resourcePath");
  if (!path->is_string() || path->as_string().empty() || path->as_string().front() != '/' ||
      HasControl(path->as_string()) ||
      path->as_string().find_first_of(" ?#") != std::string::npos) {
    return Error{"MappingTemplate",
                 "The HTTP resolver's resourcePath must be a path starting with '/' (without a "
                 "query; params.query gives that), not " +
                     path->Dump()};
  }
  r.target = endpoint.path + path->as_string();
  const json::Value* params = doc.Find("params");
  if (params != nullptr && !params->is_null() && !params->is_object()) {
    return Error{"MappingTemplate", "The HTTP resolver's params must be an object"};
  }
  const json::Value* query = params && params->is_object() ? params->Find("query") : nullptr;
  if (query != nullptr && !query->is_null()) {
    if (!query->is_object()) {
      return Error{"MappingTemplate", "The HTTP resolver's params.query must be an object"};
    }
    char sep = '?';
    auto add = [&r, &sep](const std::string& key, const json::Value& v) {
      r.target += sep;
      sep = '&';
      r.target += QueryEncode(key);
      r.target += '=';
      r.target += QueryEncode(Text(v));
    };
    for (const auto& [key, v] : query->as_object()) {
      if (v.is_null()) continue;
      if (v.is_array()) {
        for (const json::Value& item : v.as_array()) add(key, item);
      } else {
        add(key, v);
      }
    }
  }
  bool has_content_type = false;
  const json::Value* headers = params && params->is_object() ? params->Find("headers") : nullptr;
  if (headers != nullptr && !headers->is_null()) {
    if (!headers->is_object()) {
      return Error{"MappingTemplate", "The HTTP resolver's params.headers must be an object"};
    }
    for (const auto& [name, v] : headers->as_object()) {
      if (v.is_null()) continue;
      std::string value = Text(v);
      if (name.empty() || HasControl(name) || name.find_first_of(" :") != std::string::npos ||
          HasControl(value)) {
        return Error{"MappingTemplate", "The HTTP resolver's header '" + name + "' is not valid"};
      }
      // The client writes these itself: the endpoint's host, the body's length, one request a
      // connection.
      if (EqualsNoCase(name, "host")) continue;
      if (EqualsNoCase(name, "content-length")) continue;
      if (EqualsNoCase(name, "connection")) continue;
      if (EqualsNoCase(name, "transfer-encoding")) continue;
      if (EqualsNoCase(name, "content-type")) has_content_type = true;
      r.headers.emplace_back(name, std::move(value));
    }
  }
  const json::Value* body = params && params->is_object() ? params->Find("body") : nullptr;
  if (body != nullptr && !body->is_null()) {
    if (body->is_string()) {
      r.body = body->as_string();
    } else {
      r.body = body->Dump();
      if (!has_content_type) r.headers.emplace_back("Content-Type", "application/json");
    }
  }
  return r;
}

// $ctx.result of an answer: {statusCode, headers (a header given twice: its values joined with
// ", "), body}.
json::Value ResultOf(HttpClient::Response response) {
  json::Value headers = json::Value::EmptyObject();
  for (auto& [name, value] : response.headers) {
    const json::Value* seen = headers.Find(name);
    headers = headers.With(name, S(seen ? seen->as_string() + ", " + value : value));
  }
  return json::Value::MakeObject({{"statusCode", json::Value::Int(response.status)},
                                  {"headers", std::move(headers)},
                                  {"body", S(std::move(response.body))}});
}

}  // namespace

void RequestResolver::ResolveHttp(const CompiledApi::Field& f, graphql::FieldCall call,
                                  std::function<void(graphql::FieldOutcome)> done) {
  if (deps_->http == nullptr) {
    return done(
        FieldError("HTTP data sources are not enabled on this server", "UnsupportedDataSource"));
  }
  if (!f.request) {
    return done(FieldError("An HTTP resolver needs a request mapping template", "MappingTemplate"));
  }
  const json::Value* config = f.data_source->raw.Find("httpConfig");
  const json::Value* url = config ? config->Find("endpoint") : nullptr;
  if (url == nullptr || !url->is_string()) {
    return done(
        FieldError("The data source '" + f.data_source->name + "' has no httpConfig.endpoint",
                   "MappingTemplate"));
  }
  auto endpoint = ParseEndpoint(url->as_string());
  if (!endpoint.ok()) return done(FieldError(endpoint.error().cause, endpoint.error().error));
  vtl::Context ctx = TemplateContext(call);
  vtl::RenderResult rendered = vtl::Render(*f.request, ctx);
  if (rendered.error_message) {
    return done(FieldError(*rendered.error_message, rendered.error_type.value_or(""),
                           rendered.error_data, rendered.error_info));
  }
  if (rendered.returned) return done(graphql::FieldOutcome::Value(rendered.return_value));
  auto doc = vtl::ParseOutput(rendered.output);
  if (!doc.ok() || !doc->is_object()) {
    return done(FieldError("Unable to parse the JSON document of the request mapping template: " +
                               (doc.ok() ? std::string("not an object") : doc.error().cause),
                           "MappingTemplate"));
  }
  auto request = HttpRequestOf(*doc, *endpoint);
  if (!request.ok()) return done(FieldError(request.error().cause, request.error().error));
  const CompiledApi::Field* field = &f;  // owned by api_, which this resolver keeps alive
  deps_->http->Send(
      std::move(request).value(), [this, field, call = std::move(call),
                                   done = std::move(done)](Result<HttpClient::Response> response) {
        if (!response.ok()) {
          json::Value error = json::Value::MakeObject(
              {{"message", S(response.error().cause)}, {"type", S(response.error().error)}});
          return done(Respond(*field, call, json::Value(), std::move(error)));
        }
        done(Respond(*field, call, ResultOf(std::move(response).value()), json::Value()));
      });
}

}  // namespace stator::appsync
