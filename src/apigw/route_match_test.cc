#include "apigw/route_match.h"

#include <gtest/gtest.h>

namespace stator::apigw {
namespace {

std::vector<json::Value> Routes(const std::vector<std::string>& keys) {
  std::vector<json::Value> out;
  for (const std::string& k : keys) {
    out.push_back(json::Value::MakeObject({{"routeKey", json::Value::String(k)}}));
  }
  return out;
}

// The key of the route that answers, or "-" when none does.
std::string Match(const std::vector<json::Value>& routes, const std::string& method,
                  const std::string& path, std::string* params = nullptr) {
  auto m = MatchRoute(routes, method, path);
  if (!m) return "-";
  if (params) {
    params->clear();
    for (const auto& [k, v] : m->path_parameters) *params += k + "=" + v + ";";
  }
  return routes[m->index].Find("routeKey")->as_string();
}

TEST(RouteMatchTest, ParsesKeys) {
  auto k = ParseRouteKey("GET /a/{b}/{c+}");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->method, "GET");
  EXPECT_EQ(k->segments, (std::vector<std::string>{"a", "{b}", "{c+}"}));
  EXPECT_TRUE(ParseRouteKey("$default")->is_default);
  EXPECT_TRUE(ParseRouteKey("ANY /")->segments.empty());
  for (const char* bad : {"GET", "get /a", "FETCH /a", "GET a", "GET /{a+}/b", "GET /a{b}",
                          "GET /{}", "GET //a", "$other"}) {
    auto e = ParseRouteKey(bad);
    ASSERT_FALSE(e.ok()) << bad;
    EXPECT_EQ(e.error().error, "BadRequestException");
  }
}

TEST(RouteMatchTest, MostSpecificFirst) {
  auto routes = Routes({"ANY /{proxy+}", "GET /pets/{id}", "GET /pets/dog", "ANY /pets/{id}",
                        "GET /pets/{id}/toys/{toy+}", "$default", "POST /"});
  std::string params;
  EXPECT_EQ(Match(routes, "GET", "/pets/dog"), "GET /pets/dog");
  EXPECT_EQ(Match(routes, "GET", "/pets/cat", &params), "GET /pets/{id}");
  EXPECT_EQ(params, "id=cat;");
  EXPECT_EQ(Match(routes, "DELETE", "/pets/cat"), "ANY /pets/{id}");
  EXPECT_EQ(Match(routes, "GET", "/pets/cat/toys/a/b", &params), "GET /pets/{id}/toys/{toy+}");
  EXPECT_EQ(params, "id=cat;toy=a/b;");
  EXPECT_EQ(Match(routes, "GET", "/pets", &params), "ANY /{proxy+}");
  EXPECT_EQ(params, "proxy=pets;");
  EXPECT_EQ(Match(routes, "POST", "/"), "POST /");
  EXPECT_EQ(Match(routes, "GET", "/"), "$default");  // a greedy variable needs a segment
  EXPECT_EQ(Match(routes, "GET", "/pets/a%2Fb", &params), "GET /pets/{id}");
  EXPECT_EQ(params, "id=a/b;");  // variables are decoded
}

TEST(RouteMatchTest, NoMatchWithoutDefault) {
  auto routes = Routes({"GET /a", "POST /a/{b}"});
  EXPECT_EQ(Match(routes, "GET", "/a"), "GET /a");
  EXPECT_EQ(Match(routes, "POST", "/a"), "-");
  EXPECT_EQ(Match(routes, "GET", "/a/b"), "-");
  EXPECT_EQ(Match(routes, "GET", "/A"), "-");  // case-sensitive
  EXPECT_EQ(Match(routes, "POST", "/a/b/c"), "-");
}

}  // namespace
}  // namespace stator::apigw
