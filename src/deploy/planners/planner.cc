#include "deploy/planners/planner.h"

#include <iterator>

namespace stator::deploy {

std::string StackScope::Arn(const std::string& service, const std::string& rest) const {
  return "arn:" + partition + ":" + service + ":" + region + ":" + account + ":" + rest;
}

std::string StackScope::IamArn(const std::string& rest) const {
  return "arn:" + partition + ":iam::" + account + ":" + rest;
}

std::string StackScope::ImplicitRoleArn(const std::string& logical_id) const {
  return IamArn("role/" + GeneratedName(stack_name, logical_id + "Role", 64));
}

const ResourceType* FindResourceType(const std::string& type) {
  static const ResourceType kTypes[] = {
      {"AWS::Serverless::Function", "Function", true, PlanFunction},
      {"AWS::Lambda::Function", nullptr, false, PlanFunction},
      {"AWS::Serverless::StateMachine", "StateMachine", true, PlanStateMachine},
      {"AWS::StepFunctions::StateMachine", nullptr, false, PlanStateMachine},
      {"AWS::Serverless::SimpleTable", "SimpleTable", false, PlanTable},
      {"AWS::DynamoDB::Table", nullptr, false, PlanTable},
      {"AWS::AppSync::GraphQLApi", nullptr, false, PlanAppSyncApi},
      {"AWS::AppSync::GraphQLSchema", nullptr, false, PlanAppSyncSchema},
      {"AWS::AppSync::ApiKey", nullptr, false, PlanAppSyncApiKey},
      {"AWS::AppSync::DataSource", nullptr, false, PlanAppSyncDataSource},
      {"AWS::AppSync::Resolver", nullptr, false, PlanAppSyncResolver},
      {"AWS::Serverless::Api", "Api", false, PlanApi},
      {"AWS::Serverless::HttpApi", "HttpApi", false, PlanApi},
  };
  for (const ResourceType& t : kTypes) {
    if (type == t.type) return &t;
  }
  return nullptr;
}

}  // namespace stator::deploy
