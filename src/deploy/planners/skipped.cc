// The planner of every type stator does not run (AWS::IAM::*, AWS::Logs::*, AWS::SQS::*, ...,
// and the roles SAM would create): listed as skipped, with placeholder Ref and Fn::GetAtt values
// of the usual shapes so that templates referring to them still resolve.
#include <algorithm>
#include <cctype>

#include "deploy/planners/planner.h"

namespace stator::deploy {

void PlanSkipped(const StackScope& scope, const std::string& logical_id, const std::string& type,
                 bool implicit, const json::Value& properties,
                 const std::function<std::optional<std::string>(const json::Value&)>& resolve_name,
                 PlannedResource* p, ResourceAttributes* attributes) {
  p->kind = Kind::kSkipped;
  p->skip_reason =
      implicit ? "SAM would create it; stator does not run IAM" : "stator does not run " + type;
  std::string name = GeneratedName(scope.stack_name, logical_id, 64);
  for (const char* k : {"RoleName", "LogGroupName", "QueueName", "TopicName", "BucketName", "Name",
                        "ApiName", "RuleName"}) {
    // Best effort: a name built from parameters and pseudo parameters resolves; one that needs a
    // resource not planned yet keeps the generated name.
    if (const json::Value* v = properties.Find(k)) {
      if (std::optional<std::string> resolved = resolve_name(*v)) name = *resolved;
    }
  }
  // The service: SQS of AWS::SQS::Queue (the segment after the first "::").
  size_t start = type.find("::") + 2;
  std::string service = type.substr(start, type.find("::", start) - start);
  std::transform(service.begin(), service.end(), service.begin(), ::tolower);
  std::string arn;
  if (type == "AWS::IAM::Role") {
    arn = scope.IamArn("role/" + name);
  } else if (type == "AWS::IAM::Policy" || type == "AWS::IAM::ManagedPolicy") {
    arn = scope.IamArn("policy/" + name);
  } else if (type == "AWS::Logs::LogGroup") {
    arn = scope.Arn("logs", "log-group:" + name + ":*");
  } else {
    arn = scope.Arn(service, name);
  }
  p->name = name;
  p->arn = arn;
  attributes->ref = json::Value::String(name);
  attributes->atts = {{"Arn", json::Value::String(arn)}};
  attributes->any_attribute = true;
}

}  // namespace stator::deploy
