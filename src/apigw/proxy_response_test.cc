#include "apigw/proxy_response.h"

#include <gtest/gtest.h>

namespace stator::apigw {
namespace {

api::HttpResponse Invoked(std::string payload, bool error = false) {
  api::HttpResponse r;
  r.body = std::move(payload);
  if (error) r.headers.emplace_back("X-Amz-Function-Error", "Unhandled");
  return r;
}

TEST(ProxyResponseTest, Structured) {
  auto out = MapLambdaResult(
      Invoked(R"({"statusCode":"404","headers":{"Content-Type":"text/plain","X-A":1},)"
              R"("multiValueHeaders":{"X-B":["1","2"]},"body":"aGk=","isBase64Encoded":true})"),
      PayloadVersion::k1);
  EXPECT_EQ(out.status, 404);
  EXPECT_EQ(out.content_type, "text/plain");
  EXPECT_EQ(out.body, "hi");
  EXPECT_EQ(out.headers, (std::vector<std::pair<std::string, std::string>>{
                             {"X-A", "1"}, {"X-B", "1"}, {"X-B", "2"}}));
}

TEST(ProxyResponseTest, SimpleResponseOnlyIn2) {
  auto out = MapLambdaResult(Invoked(R"({"a":1})"), PayloadVersion::k2);
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(out.content_type, "application/json");
  EXPECT_EQ(out.body, R"({"a":1})");
  out = MapLambdaResult(Invoked(R"({"a":1})"), PayloadVersion::k1);
  EXPECT_EQ(out.status, 502);
  EXPECT_EQ(out.body, R"({"message":"Internal server error"})");
}

TEST(ProxyResponseTest, Failures) {
  EXPECT_EQ(MapLambdaResult(Invoked(R"({"errorMessage":"x"})", true), PayloadVersion::k2).body,
            R"({"message":"Internal Server Error"})");
  EXPECT_EQ(MapLambdaResult(Invoked(R"({"statusCode":200,"body":5})"), PayloadVersion::k1).status,
            502);  // 1.0's body is a string
  EXPECT_EQ(MapLambdaResult(Invoked(R"({"statusCode":99})"), PayloadVersion::k2).status, 502);
  EXPECT_EQ(MapLambdaResult(Invoked(R"({"statusCode":200,"body":"!","isBase64Encoded":true})"),
                            PayloadVersion::k2)
                .status,
            502);
  api::HttpResponse missing;
  missing.status = 404;
  EXPECT_EQ(MapLambdaResult(missing, PayloadVersion::k2).status, 500);
}

}  // namespace
}  // namespace stator::apigw
