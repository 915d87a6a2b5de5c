// The deployment plan of a template: every resource in dependency order with its physical name,
// its ARN and the API request that creates it, all intrinsics resolved, plus the Outputs.
//
// Planning needs no server: physical names are the template's names or `<stack>-<LogicalId>`,
// and ARNs follow from names, account and region, so a template's errors (unknown references,
// cycles, missing files, unsupported runtimes) are reported before anything is deployed.
// Resources stator runs: AWS::Serverless::Function, AWS::Lambda::Function,
// AWS::Serverless::StateMachine, AWS::StepFunctions::StateMachine, AWS::Serverless::SimpleTable,
// AWS::DynamoDB::Table, AWS::AppSync::* (whose server-made values are late-bound: late_bound.h),
// AWS::Serverless::Api, AWS::Serverless::HttpApi (with the Api/HttpApi events of functions and
// state machines). Every other type is planned as skipped, with placeholder Ref/GetAtt values
// (docs/deploy.md).
//
// MakePlan (stack.cc) is the core: the template's sections, conditions, references and Outputs.
// Parameters are read by parameters.h, the creation order is dependency_order.h's, and each
// resource type has its planner under planners/ (planners/planner.h).
//
// Thread-safety: pure functions (MakePlan reads the files the template points to).
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/json.h"
#include "common/result.h"
#include "deploy/template.h"

namespace stator::deploy {

// Tags that record a resource's stack on the server (docs/deploy.md).
inline constexpr const char* kStackTag = "stator:stack";
inline constexpr const char* kLogicalIdTag = "stator:logical-id";

// kAppSync: every AWS::AppSync type (the request's owner is told by PlannedResource::type).
enum class Kind { kFunction, kStateMachine, kTable, kAppSync, kApi, kSkipped, kSchedule };

// A route an `Api` / `HttpApi` event of a function or state machine adds to an HTTP API of the
// server's API Gateway (planners/events_api.cc; docs/apigw.md): an integration calling the
// resource (a Lambda proxy integration of the payload format, or StartExecution of a state
// machine) and a route to it.
struct ApiRoute {
  std::string event;                   // the event's name in Events
  std::string api_id;                  // the API (ServerlessRestApi's, or RestApiId/ApiId)
  std::string route_key;               // "POST /bookings", "$default"
  std::string payload_format_version;  // "1.0" (Api), "2.0" (HttpApi)
};

struct FunctionCode {
  enum Source { kDirectory, kZipFile, kFile, kInline } source = kDirectory;
  std::string path;         // kDirectory, kZipFile, kFile (resolved against the template dir)
  std::string inline_text;  // kInline: the code, packaged as index.py
};

// A schedule that a function's or state machine's Schedule / ScheduleV2 event makes
// (planners/events_schedule.cc): an EventBridge Scheduler schedule on the server.
struct PlannedSchedule {
  std::string logical_id;  // <Resource><Event>, as SAM names what it generates
  std::string event_type;  // "Schedule" (an EventBridge rule on AWS) or "ScheduleV2"
  std::string name;        // the schedule's name (Name, else STACK-<logical_id>)
  std::string arn;
  json::Value request;  // CreateSchedule's body (the name goes in the path); tags apart
};

struct PlannedResource {
  std::string logical_id;
  std::string type;
  Kind kind = Kind::kSkipped;
  std::string name;  // physical name (functions, tables, state machines)
  std::string arn;
  // The request that creates it: CreateFunction without Code, CreateStateMachine,
  // CreateTable; tags included.
  json::Value request;
  FunctionCode code;
  std::vector<std::string> ignored;  // properties accepted and not acted on
  std::string skip_reason;           // kSkipped
  bool implicit = false;             // generated as SAM would (e.g. a function's IAM role)
  std::set<std::string> depends_on;  // logical ids
  std::vector<ApiRoute> api_routes;  // kFunction, kStateMachine: routes of its Api events
  std::string api_stage;             // kApi: the stage its invoke URLs use ("Prod", "$default")
  std::vector<PlannedSchedule> schedules;  // its Schedule / ScheduleV2 events
};

struct Plan {
  std::string stack_name;
  std::string stack_id;
  std::string account;
  std::string region;
  std::string partition;
  std::vector<std::pair<std::string, json::Value>> parameters;  // resolved values
  std::vector<PlannedResource> resources;                       // creation order
  std::vector<std::string> not_created;  // logical ids whose Condition is false
  std::vector<std::pair<std::string, json::Value>> outputs;

  const PlannedResource* Find(const std::string& logical_id) const;
};

struct PlanOptions {
  std::string stack_name;
  std::string account = "123456789012";
  std::string region = "us-east-1";
  // The partition in ARNs and AWS::Partition: the server's (deploy reads it from an ARN the
  // server wrote); empty: the region's partition as on AWS (partitions.h).
  std::string partition;
  std::vector<std::pair<std::string, std::string>> parameter_overrides;
};

// Errors have error "Template" and a cause that starts with "PATH:LINE: " where known.
Result<Plan> MakePlan(const Template& t, const PlanOptions& options);

// Whether s is a valid stack name (a letter, then letters, digits and '-', at most 128).
bool IsValidStackName(const std::string& s);

// `<stack>-<logical>`, shortened to max characters with a hash suffix when longer.
std::string GeneratedName(const std::string& stack, const std::string& logical_id, size_t max);

// The text of an output or parameter value as printed (lists joined with ',').
std::string DisplayText(const json::Value& v);

}  // namespace stator::deploy
