// CloudFormation intrinsic functions over a template's JSON values.
//
// Resolve evaluates Ref, Fn::Sub (string and [string, {vars}] forms, ${!Literal}), Fn::GetAtt,
// Fn::Join, Fn::Select, Fn::Split, Fn::If, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition,
// Fn::FindInMap, Fn::Base64, Fn::GetAZs, and with AWS::LanguageExtensions (Context) Fn::Length,
// Fn::ToJsonString and Fn::FindInMap's DefaultValue; {"Ref": "AWS::NoValue"} removes the member
// or element that holds it. Fn::ImportValue, Fn::Cidr and Fn::Transform are
// errors (no other stacks, no networks, no macros). What names mean is up to the caller's
// Context; CollectReferences lists the logical names a value depends on, for ordering.
//
// Thread-safety: pure functions; the Context's callbacks are called on the caller's thread.
#pragma once

#include <functional>
#include <set>
#include <string>

#include "common/json.h"
#include "common/result.h"

namespace stator::deploy {

struct Context {
  // Ref NAME: a parameter, a pseudo parameter or a resource. Errors propagate.
  std::function<Result<json::Value>(const std::string& name)> ref;
  // Fn::GetAtt [RESOURCE, ATTRIBUTE].
  std::function<Result<json::Value>(const std::string& resource, const std::string& attribute)>
      get_att;
  // A condition of the Conditions section, by name.
  std::function<Result<bool>(const std::string& name)> condition;
  const json::Value* mappings = nullptr;  // the Mappings section, or null
  std::string region;                     // Fn::GetAZs ""
  // The template declares 'Transform: AWS::LanguageExtensions': Fn::Length, Fn::ToJsonString,
  // Fn::FindInMap's DefaultValue and any intrinsic in Fn::FindInMap's keys are allowed (without
  // it, they are errors, as in CloudFormation).
  bool language_extensions = false;
};

// The value with every intrinsic evaluated. Errors (error "Template") name the function.
Result<json::Value> Resolve(const json::Value& v, const Context& ctx);

// A condition expression (Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition) as a boolean.
Result<bool> EvaluateCondition(const json::Value& v, const Context& ctx);

// Names the value refers to: Ref targets, GetAtt resources, ${Name} and ${Res.Attr} in Fn::Sub
// (minus the Sub's own variables). Pseudo parameters (AWS::...) are included; callers filter.
void CollectReferences(const json::Value& v, std::set<std::string>* names);

// Condition names the value uses (Fn::If's first argument, {"Condition": name}).
void CollectConditions(const json::Value& v, std::set<std::string>* names);

// True when v is a one-member object whose key is an intrinsic function ("Ref", "Fn::...", or
// "Condition" with a string).
bool IsIntrinsic(const json::Value& v);

// A scalar as CloudFormation turns it into a string (numbers and booleans as written).
Result<std::string> ScalarText(const json::Value& v, const std::string& what);

}  // namespace stator::deploy
