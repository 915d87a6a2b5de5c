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

Status PlanEvents(const StackScope& scope, const ResourceInput& in, const std::string& role_arn,
                  PlannedResource* p, std::set<std::string>* used) {
  STATOR_RETURN_IF_ERROR(PlanApiEvents(scope, in, p));
  STATOR_RETURN_IF_ERROR(PlanScheduleEvents(scope, in, p->arn, role_arn, p));
  const json::Value* events = in.properties.Find("Events");
  if (events == nullptr || !events->is_object()) return Status::Ok();
  for (const auto& [name, event] : events->as_object()) {
    const json::Value* type = event.Find("Type");
    if (type == nullptr || !type->is_string()) return Status::Ok();
    const std::string& t = type->as_string();
    if (t != "Api" && t != "HttpApi" && t != "Schedule" && t != "ScheduleV2") return Status::Ok();
  }
  used->insert("Events");
  return Status::Ok();
}

}  // namespace stator::deploy
