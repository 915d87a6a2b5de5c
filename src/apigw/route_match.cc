#include "apigw/route_match.h"

#include <algorithm>

#include "common/percent_encoding.h"

namespace stator::apigw {
namespace {

constexpr const char* kMethods[] = {"GET",   "POST", "PUT",     "DELETE",
                                    "PATCH", "HEAD", "OPTIONS", "ANY"};

std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> out;
  if (path.starts_with('/')) path.remove_prefix(1);
  if (path.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    out.emplace_back(
        path.substr(start, slash == std::string_view::npos ? path.npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

bool IsVariable(const std::string& s) {
  return s.size() >= 3 && s.front() == '{' && s.back() == '}';
}
bool IsGreedy(const std::string& s) { return IsVariable(s) && s[s.size() - 2] == '+'; }
std::string VariableName(const std::string& s) {
  return s.substr(1, s.size() - (IsGreedy(s) ? 3 : 2));
}

// Per segment 2 literal, 1 variable, 0 greedy; then 1 for the exact method.
using Rank = std::vector<int>;

std::optional<Rank> Match(const RouteKey& key, std::string_view method,
                          const std::vector<std::string>& parts,
                          std::vector<std::pair<std::string, std::string>>* params) {
  Rank rank;
  size_t i = 0;
  for (; i < key.segments.size(); ++i) {
    const std::string& seg = key.segments[i];
    if (IsGreedy(seg)) {
      if (i >= parts.size()) return std::nullopt;  // a greedy variable takes one segment or more
      std::string rest;
      for (size_t j = i; j < parts.size(); ++j) rest += (j > i ? "/" : "") + parts[j];
      params->emplace_back(VariableName(seg), PercentDecode(rest, false));
      rank.push_back(0);
      i = parts.size();
      break;
    }
    if (i >= parts.size()) return std::nullopt;
    if (IsVariable(seg)) {
      if (parts[i].empty()) return std::nullopt;
      params->emplace_back(VariableName(seg), PercentDecode(parts[i], false));
      rank.push_back(1);
    } else {
      if (seg != parts[i]) return std::nullopt;
      rank.push_back(2);
    }
  }
  if (i != parts.size()) return std::nullopt;
  if (key.method != "ANY" && key.method != method) return std::nullopt;
  rank.push_back(key.method == "ANY" ? 0 : 1);
  return rank;
}

}  // namespace

Result<RouteKey> ParseRouteKey(std::string_view text) {
  RouteKey key;
  if (text == "$default") {
    key.is_default = true;
    return key;
  }
  auto bad = [&](const std::string& why) {
    return Error{"BadRequestException", "Invalid route key '" + std::string(text) + "': " + why};
  };
  size_t space = text.find(' ');
  if (space == std::string_view::npos) {
    return bad("a route key is $default or \"METHOD /path\"");
  }
  key.method = std::string(text.substr(0, space));
  key.path = std::string(text.substr(space + 1));
  if (std::find(std::begin(kMethods), std::end(kMethods), key.method) == std::end(kMethods)) {
    return bad("unknown HTTP method " + key.method);
  }
  if (!key.path.starts_with('/')) return bad("the path must start with '/'");
  key.segments = Split(key.path);
  for (size_t i = 0; i < key.segments.size(); ++i) {
    const std::string& s = key.segments[i];
    if (s.empty()) return bad("empty path segment");
    bool opens = s.find('{') != std::string::npos || s.find('}') != std::string::npos;
    if (opens && !IsVariable(s)) return bad("a path variable is a whole segment {name}");
    if (IsGreedy(s) && i + 1 != key.segments.size()) {
      return bad("a greedy path variable {name+} must be the last segment");
    }
    if (IsVariable(s) && VariableName(s).empty()) return bad("empty path variable name");
  }
  return key;
}

std::optional<RouteMatch> MatchRoute(const std::vector<json::Value>& routes,
                                     std::string_view method, std::string_view path) {
  std::vector<std::string> parts = Split(path);
  std::optional<RouteMatch> best;
  Rank best_rank;
  std::optional<size_t> fallback;
  for (size_t i = 0; i < routes.size(); ++i) {
    const json::Value* k = routes[i].Find("routeKey");
    if (k == nullptr || !k->is_string()) continue;
    auto key = ParseRouteKey(k->as_string());
    if (!key.ok()) continue;
    if (key->is_default) {
      fallback = i;
      continue;
    }
    std::vector<std::pair<std::string, std::string>> params;
    std::optional<Rank> rank = Match(*key, method, parts, &params);
    if (!rank) continue;
    if (!best || *rank > best_rank) {
      best_rank = *rank;
      best = RouteMatch{i, std::move(*key), std::move(params)};
    }
  }
  if (best) return best;
  if (fallback) {
    RouteMatch m;
    m.index = *fallback;
    m.key.is_default = true;
    return m;
  }
  return std::nullopt;
}

}  // namespace stator::apigw
