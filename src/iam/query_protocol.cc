#include "iam/query_protocol.h"

#include <array>

#include "iam/form.h"

namespace stator::iam {
namespace {

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char a = s[i], b = prefix[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

api::HttpResponse Xml(int status, std::string body, const std::string& request_id) {
  api::HttpResponse r;
  r.status = status;
  r.content_type = "text/xml";
  r.headers.emplace_back("x-amzn-RequestId", request_id);
  r.body = std::move(body);
  return r;
}

}  // namespace

std::string_view XmlNamespace(QueryService service) {
  return service == QueryService::kIam ? "https://iam.amazonaws.com/doc/2010-05-08/"
                                       : "https://sts.amazonaws.com/doc/2011-06-15/";
}

std::string_view ApiVersion(QueryService service) {
  return service == QueryService::kIam ? "2010-05-08" : "2011-06-15";
}

std::string_view CredentialScopeService(const api::HttpRequest& request) {
  // AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/iam/aws4_request, SignedHeaders=...
  std::string_view auth = request.Header("Authorization");
  size_t at = auth.find("Credential=");
  if (at == std::string_view::npos) return "";
  std::string_view scope = auth.substr(at + 11);
  scope = scope.substr(0, scope.find_first_of(", "));
  // AKID / date / region / service / aws4_request
  std::array<std::string_view, 5> parts;
  for (size_t i = 0; i < parts.size(); ++i) {
    size_t slash = scope.find('/');
    parts[i] = scope.substr(0, slash);
    if (slash == std::string_view::npos) {
      return i == parts.size() - 1 ? parts[3] : "";
    }
    scope.remove_prefix(slash + 1);
  }
  return "";
}

bool IsIamOrStsRequest(const api::HttpRequest& request) {
  if (request.method != "POST") return false;
  std::string_view path = request.target;
  path = path.substr(0, path.find('?'));
  if (path != "/") return false;
  if (!request.Header("X-Amz-Target").empty()) return false;
  if (!StartsWithNoCase(request.Header("Content-Type"), "application/x-www-form-urlencoded")) {
    return false;
  }
  std::string_view service = CredentialScopeService(request);
  return service.empty() || service == "iam" || service == "sts";
}

Result<QueryParams> QueryParams::Parse(std::string_view body) {
  STATOR_TRY(FormPairs pairs, ParseForm(body));
  QueryParams p;
  for (auto& [name, value] : pairs) p.values_.emplace(std::move(name), std::move(value));
  return p;
}

const std::string* QueryParams::Find(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

bool QueryParams::HasPrefix(std::string_view prefix) const {
  auto it = values_.lower_bound(prefix);
  return it != values_.end() && std::string_view(it->first).starts_with(prefix);
}

QueryErrorStatus ErrorStatusOf(std::string_view code) {
  struct Entry {
    std::string_view code;
    QueryErrorStatus status;
  };
  static constexpr Entry kTable[] = {
      {"NoSuchEntity", {404, "Sender"}},           {"EntityAlreadyExists", {409, "Sender"}},
      {"DeleteConflict", {409, "Sender"}},         {"LimitExceeded", {409, "Sender"}},
      {"ConcurrentModification", {409, "Sender"}}, {"MalformedPolicyDocument", {400, "Sender"}},
      {"InvalidInput", {400, "Sender"}},           {"ValidationError", {400, "Sender"}},
      {"InvalidAction", {400, "Sender"}},          {"MissingAction", {400, "Sender"}},
      {"MalformedQueryString", {400, "Sender"}},   {"ServiceFailure", {500, "Receiver"}},
      {"InternalFailure", {500, "Receiver"}},
  };
  for (const Entry& e : kTable) {
    if (e.code == code) return e.status;
  }
  return {400, "Sender"};
}

api::HttpResponse QueryResponse(QueryService service, std::string_view action,
                                const std::string& request_id,
                                const std::function<void(XmlWriter*)>& result) {
  XmlWriter w;
  w.Open(std::string(action) + "Response", XmlNamespace(service));
  if (result) {
    w.Open(std::string(action) + "Result");
    result(&w);
    w.Close();
  }
  w.Open("ResponseMetadata");
  w.Element("RequestId", request_id);
  return Xml(200, std::move(w).Finish(), request_id);
}

api::HttpResponse QueryErrorResponse(QueryService service, const ApiError& error,
                                     const std::string& request_id) {
  QueryErrorStatus status = ErrorStatusOf(error.name);
  XmlWriter w;
  w.Open("ErrorResponse", XmlNamespace(service));
  w.Open("Error");
  w.Element("Type", status.type);
  w.Element("Code", error.name);
  w.Element("Message", error.message);
  w.Close();
  w.Element("RequestId", request_id);
  return Xml(status.http_status, std::move(w).Finish(), request_id);
}

}  // namespace stator::iam
