// SAM's Api / HttpApi events and API resources in the plan (planners/events_api.cc).
#include <gtest/gtest.h>

#include "common/test_util.h"
#include "deploy/planners/planner.h"
#include "deploy/stack.h"
#include "deploy/test_util.h"

namespace stator::deploy {
namespace {

using stator::testing::J;

using testing::PlanOf;

constexpr const char* kEvents = R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "def handler(e, c): return e"
      Handler: index.handler
      Runtime: python3.12
      Events:
        Book: {Type: Api, Properties: {Path: /bookings, Method: post}}
        Any: {Type: Api, Properties: {Path: "/{proxy+}", Method: any}}
        Http: {Type: HttpApi}
        Mine: {Type: HttpApi, Properties: {ApiId: !Ref Public, Path: /x, Method: get,
                                           PayloadFormatVersion: "1.0"}}
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}
      Events:
        Start: {Type: Api, Properties: {Path: /flows, Method: POST}}
  Public:
    Type: AWS::Serverless::HttpApi
    Properties: {StageName: v1}
Outputs:
  Url: {Value: !Sub "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod"}
  Http: {Value: !Ref ServerlessHttpApi}
)";

TEST(EventsApiTest, ImplicitApisAndRoutes) {
  auto plan = PlanOf(kEvents);
  ASSERT_TRUE(plan.ok()) << plan.error().cause;
  StackScope scope{"st", "111122223333", "eu-west-1", "aws", "."};
  std::string rest = ApiIdFor(scope, "ServerlessRestApi");
  std::string http = ApiIdFor(scope, "ServerlessHttpApi");
  std::string pub = ApiIdFor(scope, "Public");
  EXPECT_EQ(rest.size(), 10u);
  EXPECT_NE(rest, http);
  EXPECT_EQ(rest, ApiIdFor(scope, "ServerlessRestApi"));  // stable

  // The implicit APIs come before the resources whose routes they hold.
  std::vector<std::string> order;
  for (const PlannedResource& r : plan->resources) order.push_back(r.logical_id);
  auto at = [&](const std::string& id) {
    return std::find(order.begin(), order.end(), id) - order.begin();
  };
  EXPECT_LT(at("ServerlessRestApi"), at("Fn"));
  EXPECT_LT(at("ServerlessHttpApi"), at("Fn"));
  EXPECT_LT(at("Public"), at("Fn"));
  EXPECT_LT(at("ServerlessRestApi"), at("Flow"));

  const PlannedResource* api = plan->Find("ServerlessRestApi");
  EXPECT_EQ(api->kind, Kind::kApi);
  EXPECT_EQ(api->type, "AWS::Serverless::Api");
  EXPECT_EQ(api->api_stage, "Prod");
  EXPECT_EQ(api->arn, "arn:aws:apigateway:eu-west-1::/apis/" + rest);
  EXPECT_EQ(api->request, J(R"({"api":{"name":"st-ServerlessRestApi","protocolType":"HTTP",
                 "tags":{"stator:stack":"st","stator:logical-id":"ServerlessRestApi",
                         "stator:api-id":")" +
                            rest + R"("}},
                 "stage":{"stageName":"Prod","autoDeploy":true,"stageVariables":{}}})"));
  EXPECT_EQ(plan->Find("ServerlessHttpApi")->api_stage, "$default");
  EXPECT_EQ(plan->Find("Public")->api_stage, "v1");

  const PlannedResource* fn = plan->Find("Fn");
  ASSERT_EQ(fn->api_routes.size(), 4u);
  auto route = [](const ApiRoute& r) {
    return r.event + "|" + r.api_id + "|" + r.route_key + "|" + r.payload_format_version;
  };
  EXPECT_EQ(route(fn->api_routes[0]), "Book|" + rest + "|POST /bookings|1.0");
  EXPECT_EQ(route(fn->api_routes[1]), "Any|" + rest + "|ANY /{proxy+}|1.0");
  EXPECT_EQ(route(fn->api_routes[2]), "Http|" + http + "|$default|2.0");
  EXPECT_EQ(route(fn->api_routes[3]), "Mine|" + pub + "|GET /x|1.0");
  EXPECT_TRUE(fn->ignored.empty());
  ASSERT_EQ(plan->Find("Flow")->api_routes.size(), 1u);
  EXPECT_EQ(route(plan->Find("Flow")->api_routes[0]), "Start|" + rest + "|POST /flows|1.0");

  std::map<std::string, std::string> outputs;
  for (const auto& [k, v] : plan->outputs) outputs[k] = DisplayText(v);
  EXPECT_EQ(outputs["Url"], "https://" + rest + ".execute-api.eu-west-1.amazonaws.com/Prod");
  EXPECT_EQ(outputs["Http"], http);
}

TEST(EventsApiTest, Errors) {
  std::string base = R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "x"
      Handler: index.handler
      Runtime: python3.12
      Events:
)";
  auto error = [&](const std::string& events) {
    auto p = PlanOf(base + events);
    EXPECT_FALSE(p.ok()) << events;
    return p.ok() ? "" : p.error().cause;
  };
  EXPECT_NE(error("        E: {Type: Api, Properties: {Path: /x}}\n")
                .find("resource Fn (AWS::Serverless::Function): Events.E (Api) needs Path and "
                      "Method"),
            std::string::npos);
  EXPECT_NE(error("        E: {Type: Api}\n").find("needs Path and Method"), std::string::npos);
  EXPECT_NE(error("        E: {Type: HttpApi, Properties: {Path: x, Method: get}}\n")
                .find("Path must start with '/'"),
            std::string::npos);
  // An explicit AWS::Serverless::Api needs its StageName.
  auto p = PlanOf(base +
                  "        E: {Type: Api, Properties: {RestApiId: !Ref A, Path: /x, "
                  "Method: get}}\n  A:\n    Type: AWS::Serverless::Api\n");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().cause.find("resource A (AWS::Serverless::Api): needs StageName"),
            std::string::npos);
  // The implicit API shares its only user's Condition.
  auto c =
      PlanOf("Conditions:\n  Off: !Equals [a, b]\n" + base +
             "        E: {Type: Api, Properties: {Path: /x, Method: get}}\n    Condition: Off\n");
  ASSERT_TRUE(c.ok()) << c.error().cause;
  EXPECT_EQ(c->Find("ServerlessRestApi"), nullptr);
  EXPECT_EQ(c->not_created, (std::vector<std::string>{"Fn"}));
  // Other event types stay listed as ignored.
  auto s = PlanOf(base + "        E: {Type: SQS, Properties: {Queue: q}}\n");
  ASSERT_TRUE(s.ok()) << s.error().cause;
  EXPECT_EQ(s->Find("Fn")->ignored, (std::vector<std::string>{"Events"}));
  EXPECT_TRUE(s->Find("Fn")->api_routes.empty());
}

}  // namespace
}  // namespace stator::deploy
