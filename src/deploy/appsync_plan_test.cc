// The AppSync planners (planners/appsync.cc) and late-bound values (late_bound.h) through whole
// templates.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "deploy/late_bound.h"
#include "deploy/stack.h"

namespace stator::deploy {
namespace {

using json::Value;

constexpr const char* kTemplate = R"(
Resources:
  Api:
    Type: AWS::AppSync::GraphQLApi
    Properties:
      Name: !Sub ${AWS::StackName}-api
      AuthenticationType: API_KEY
      XrayEnabled: true
      LogConfig: {CloudWatchLogsRoleArn: role, FieldLogLevel: ALL}
      Tags: [{Key: team, Value: core}]
  Schema:
    Type: AWS::AppSync::GraphQLSchema
    Properties:
      ApiId: !GetAtt Api.ApiId
      DefinitionS3Location: schema.graphql
  Source:
    Type: AWS::AppSync::DataSource
    Properties:
      ApiId: !GetAtt Api.ApiId
      Name: Table
      Type: AMAZON_DYNAMODB
      DynamoDBConfig: {TableName: t, AwsRegion: !Ref AWS::Region}
  Resolver:
    Type: AWS::AppSync::Resolver
    DependsOn: Schema
    Properties:
      ApiId: !GetAtt Api.ApiId
      TypeName: Query
      FieldName: item
      DataSourceName: !GetAtt Source.Name
      RequestMappingTemplateS3Location: templates/request.vtl
      ResponseMappingTemplate: $util.toJson($ctx.result)
Outputs:
  Url: {Value: !Sub "${Api.GraphQLUrl}?x=1"}
  Name: {Value: !GetAtt Source.Name}
)";

class AppSyncPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/appsync_plan_test_XXXXXX";
    dir_ = mkdtemp(tmpl);
    mkdir((dir_ + "/templates").c_str(), 0755);
    std::ofstream(dir_ + "/schema.graphql") << "type Query { item: String }\n";
    std::ofstream(dir_ + "/templates/request.vtl") << "{\"version\": \"2017-02-28\"}";
  }
  void TearDown() override { [[maybe_unused]] int rc = system(("rm -rf '" + dir_ + "'").c_str()); }

  Result<Plan> PlanOf(const std::string& text) {
    auto t = ParseTemplate(text, "t.yaml", dir_);
    if (!t.ok()) return t.error();
    PlanOptions o;
    o.stack_name = "st";
    return MakePlan(*t, o);
  }
  std::string dir_;
};

TEST_F(AppSyncPlanTest, RequestsInTheApisCamelCase) {
  auto plan = PlanOf(kTemplate);
  ASSERT_TRUE(plan.ok()) << plan.error().cause;
  const PlannedResource* api = plan->Find("Api");
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->kind, Kind::kAppSync);
  EXPECT_EQ(api->request.Dump(),
            R"({"name":"st-api","authenticationType":"API_KEY","xrayEnabled":true,)"
            R"("logConfig":{"cloudWatchLogsRoleArn":"role","fieldLogLevel":"ALL"},)"
            R"("tags":{"team":"core","stator:stack":"st","stator:logical-id":"Api"}})");
  const std::string api_id = LateBound("Api", "ApiId");
  EXPECT_EQ(plan->Find("Schema")->request.Dump(),
            Value::MakeObject({{"apiId", Value::String(api_id)},
                               {"definition", Value::String("type Query { item: String }\n")}})
                .Dump());
  EXPECT_EQ(plan->Find("Source")->request.Dump(),
            R"({"apiId":")" + api_id +
                R"(","name":"Table","type":"AMAZON_DYNAMODB",)"
                R"("dynamodbConfig":{"tableName":"t","awsRegion":"us-east-1"}})");
  const Value& resolver = plan->Find("Resolver")->request;
  EXPECT_EQ(resolver.Find("dataSourceName")->as_string(), "Table");
  EXPECT_EQ(resolver.Find("kind")->as_string(), "UNIT");
  EXPECT_EQ(resolver.Find("requestMappingTemplate")->as_string(), "{\"version\": \"2017-02-28\"}");
  EXPECT_EQ(resolver.Find("responseMappingTemplate")->as_string(), "$util.toJson($ctx.result)");
  // The order: the API, then what refers to it; the resolver after the schema it depends on.
  std::vector<std::string> order;
  for (const PlannedResource& r : plan->resources) order.push_back(r.logical_id);
  EXPECT_EQ(order, (std::vector<std::string>{"Api", "Schema", "Source", "Resolver"}));
}

TEST_F(AppSyncPlanTest, LateBoundOutputsAreBoundAfterwards) {
  auto plan = PlanOf(kTemplate);
  ASSERT_TRUE(plan.ok()) << plan.error().cause;
  ASSERT_EQ(plan->outputs.size(), 2u);
  const Value& url = plan->outputs[0].second;
  EXPECT_EQ(url.as_string(), LateBound("Api", "GraphQLUrl") + "?x=1");
  EXPECT_TRUE(HasLateBound(url.as_string()));
  EXPECT_EQ(plan->outputs[1].second.as_string(), "Table");  // known at plan time
  LateBindings bound;
  bound[LateBound("Api", "GraphQLUrl")] = "http://h:1/appsync/abc/graphql";
  EXPECT_EQ(BindLate(url, bound).as_string(), "http://h:1/appsync/abc/graphql?x=1");
  // Tokens not bound stay; arrays and member names are bound too.
  Value v = Value::MakeObject(
      {{LateBound("A", "B"), Value::MakeArray({url, Value::String(LateBound("X", "Y"))})}});
  EXPECT_EQ(BindLate(v, bound).Dump(),
            Value::MakeObject({{LateBound("A", "B"), Value::MakeArray({
                                                         Value::String("http://h:1/appsync/abc/"
                                                                       "graphql?x=1"),
                                                         Value::String(LateBound("X", "Y")),
                                                     })}})
                .Dump());
}

TEST_F(AppSyncPlanTest, TemplateErrors) {
  std::string s3 = kTemplate;
  s3.replace(s3.find("schema.graphql"), 14, "s3://b/schema.graphql");
  auto plan = PlanOf(s3);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.error().cause.find("resource Schema (AWS::AppSync::GraphQLSchema): "
                                    "DefinitionS3Location s3://b/schema.graphql: S3 locations "
                                    "are not supported"),
            std::string::npos)
      << plan.error().cause;
  std::string missing = kTemplate;
  missing.replace(missing.find("templates/request.vtl"), 21, "templates/none.vtl");
  plan = PlanOf(missing);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.error().cause.find("RequestMappingTemplateS3Location: "), std::string::npos)
      << plan.error().cause;
  std::string no_name = kTemplate;
  no_name.replace(no_name.find("      Name: Table\n"), 18, "");
  plan = PlanOf(no_name);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.error().cause.find("resource Source (AWS::AppSync::DataSource): needs Name"),
            std::string::npos)
      << plan.error().cause;
  std::string bad = kTemplate;
  bad.replace(bad.find("!GetAtt Source.Name"), 19, "!GetAtt Source.Nothing");
  plan = PlanOf(bad);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.error().cause.find("has no attribute 'Nothing'"), std::string::npos);
}

}  // namespace
}  // namespace stator::deploy
