// The resource planners of stator deploy: one per resource type stator runs, over the small
// interface the plan's core (deploy/stack.cc) gives them.
//
// The core walks the template, orders the resources and resolves every intrinsic in a resource's
// Properties; a planner turns those resolved properties into a PlannedResource (kind, physical
// name, ARN, the API request that creates it) and says what Ref and Fn::GetAtt of the resource
// give. Types without a planner are planned by PlanSkipped, with placeholder values.
//
// Files: planners/function.cc (AWS::Serverless::Function, AWS::Lambda::Function),
// planners/state_machine.cc (AWS::Serverless::StateMachine, AWS::StepFunctions::StateMachine),
// planners/table.cc (AWS::Serverless::SimpleTable, AWS::DynamoDB::Table), planners/appsync.cc
// (AWS::AppSync::GraphQLApi, GraphQLSchema, ApiKey, DataSource, Resolver), planners/events_api.cc
// (AWS::Serverless::Api, AWS::Serverless::HttpApi, and the Api/HttpApi events of functions and
// state machines), planners/skipped.cc
// (IAM roles and policies, log groups and every other type), planners/resource_types.cc (the
// table of types), planners/properties.* (helpers the planners share).
//
// Thread-safety: pure functions (the function and state machine planners read the files the
// template points to); ResourceTypes() is an immutable table.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/json.h"
#include "common/result.h"
#include "deploy/stack.h"

namespace stator::deploy {

// What a planner knows of the stack it plans for.
struct StackScope {
  std::string stack_name;
  std::string account;
  std::string region;
  std::string partition;
  std::string template_dir;  // relative CodeUri / DefinitionUri paths start here

  // arn:PARTITION:SERVICE:REGION:ACCOUNT:REST
  std::string Arn(const std::string& service, const std::string& rest) const;
  // arn:PARTITION:iam::ACCOUNT:REST (IAM ARNs have no region)
  std::string IamArn(const std::string& rest) const;
  // The role SAM would create for a function or state machine without one:
  // arn:PARTITION:iam::ACCOUNT:role/STACK-<LogicalId>Role (shortened to 64 as IAM names are).
  std::string ImplicitRoleArn(const std::string& logical_id) const;
};

// What Ref and Fn::GetAtt of a resource give.
struct ResourceAttributes {
  json::Value ref;
  std::map<std::string, json::Value> atts;  // by attribute name ("Arn", "Name", ...)
  bool any_attribute = false;  // skipped resources: every attribute has a placeholder value
};

// One resource to plan: its logical id, type, and Properties with every intrinsic resolved.
struct ResourceInput {
  const std::string& logical_id;
  const std::string& type;
  const json::Value& properties;
};

// Fills in p's kind, name, arn, request, code and ignored properties, and what Ref and Fn::GetAtt
// give. Errors have error "Template" and a cause without the resource's place (the core adds
// "FILE:LINE: resource X (TYPE): ").
using PlanFn = Status (*)(const StackScope& scope, const ResourceInput& in, PlannedResource* p,
                          ResourceAttributes* attributes);

struct ResourceType {
  const char* type;             // "AWS::Serverless::Function"
  const char* globals_section;  // the SAM Globals section merged into it, or nullptr
  bool implicit_role;           // without Role, SAM creates <LogicalId>Role
  PlanFn plan;
};

// The types stator runs; nullptr for any other (planned by PlanSkipped).
const ResourceType* FindResourceType(const std::string& type);

Status PlanFunction(const StackScope& scope, const ResourceInput& in, PlannedResource* p,
                    ResourceAttributes* attributes);
Status PlanStateMachine(const StackScope& scope, const ResourceInput& in, PlannedResource* p,
                        ResourceAttributes* attributes);
Status PlanTable(const StackScope& scope, const ResourceInput& in, PlannedResource* p,
                 ResourceAttributes* attributes);
// AppSync (planners/appsync.cc): what the server makes (ids, keys, URLs) is late-bound.
Status PlanAppSyncApi(const StackScope& scope, const ResourceInput& in, PlannedResource* p,
                      ResourceAttributes* attributes);
Status PlanAppSyncSchema(const StackScope& scope, const ResourceInput& in, PlannedResource* p,
                         ResourceAttributes* attributes);
Status PlanAppSyncApiKey(const StackScope& scope, const ResourceInput& in, PlannedResource* p,
                         ResourceAttributes* attributes);
Status PlanAppSyncDataSource(const StackScope& scope, const ResourceInput& in, PlannedResource* p,
                             ResourceAttributes* attributes);
Status PlanAppSyncResolver(const StackScope& scope, const ResourceInput& in, PlannedResource* p,
                           ResourceAttributes* attributes);

// AWS::Serverless::Api and AWS::Serverless::HttpApi: an HTTP API of the server's API Gateway
// (CreateApi and its stage: StageName, "Prod" for SAM's implicit ServerlessRestApi, "$default"
// for an HttpApi without one). Ref gives the API's id, ApiIdFor(its logical id).
Status PlanApi(const StackScope& scope, const ResourceInput& in, PlannedResource* p,
               ResourceAttributes* attributes);

// The `Api` and `HttpApi` events of a function or state machine (resolved Properties) as
// p->api_routes; p->arn is the integration's target.
Status PlanApiEvents(const StackScope& scope, const ResourceInput& in, PlannedResource* p);

// The implicit APIs SAM creates for a function's or state machine's events (unresolved
// Properties): "ServerlessRestApi" for an Api event without RestApiId, "ServerlessHttpApi" for
// an HttpApi event without ApiId, each with its type ("AWS::Serverless::Api", ...).
std::vector<std::pair<std::string, std::string>> ImplicitApis(const std::string& type,
                                                              const json::Value& properties);

// The id of the API a stack's logical id deploys as: 10 characters of [a-z0-9] from a SHA-256
// of account, region, stack and logical id (stable across deploys, known when planning).
std::string ApiIdFor(const StackScope& scope, const std::string& logical_id);

// A function's or state machine's `Events` of type Schedule and ScheduleV2 (resolved
// properties in `in`; target_arn and role_arn are the resource's) as p->schedules.
Status PlanScheduleEvents(const StackScope& scope, const ResourceInput& in,
                          const std::string& target_arn, const std::string& role_arn,
                          PlannedResource* p);

// A function's or state machine's `Events`: the routes of its Api/HttpApi events and the schedules
// of its Schedule/ScheduleV2 events; "Events" is marked used when every event is of those types
// (any other type leaves it listed as ignored).
Status PlanEvents(const StackScope& scope, const ResourceInput& in, const std::string& role_arn,
                  PlannedResource* p, std::set<std::string>* used);

// A type stator does not run: listed as skipped, with a placeholder name and ARN so that Ref and
// Fn::GetAtt of it resolve. properties are unresolved; resolve_name gives the string a name
// property (RoleName, LogGroupName, ...) resolves to now, or nullopt (then the name is
// STACK-LogicalId). implicit: a role SAM would create.
void PlanSkipped(const StackScope& scope, const std::string& logical_id, const std::string& type,
                 bool implicit, const json::Value& properties,
                 const std::function<std::optional<std::string>(const json::Value&)>& resolve_name,
                 PlannedResource* p, ResourceAttributes* attributes);

// ${key} occurrences replaced by the substitutions' values (other ${...} stay as they are), as
// DefinitionSubstitutions are applied.
std::string Substitute(const std::string& text,
                       const std::vector<std::pair<std::string, std::string>>& substitutions);

}  // namespace stator::deploy
