// What an integration calls: the Lambda function of an AWS_PROXY integration's URI (a function
// ARN, or API Gateway's invocation ARN around one), or the state machine of a
// StepFunctions-StartExecution integration.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace stator::apigw {

inline constexpr const char* kStartExecutionSubtype = "StepFunctions-StartExecution";

// The function ARN (arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]) of `uri`:
// that ARN itself, or arn:PARTITION:apigateway:REGION:lambda:path/2015-03-31/functions/<ARN>/
// invocations. nullopt for anything else.
std::optional<std::string> FunctionArnOfUri(std::string_view uri);

// Whether `arn` has the form of a state machine ARN (arn:PARTITION:states:...:stateMachine:...).
bool IsStateMachineArn(std::string_view arn);

}  // namespace stator::apigw
