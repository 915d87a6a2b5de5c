// Late-bound values: attributes only the server knows once it has created a resource (an AppSync
// API's id and URLs, an API key), which Ref and Fn::GetAtt still give at plan time.
//
// The planner gives such an attribute as a token, "{{stator:late:LOGICAL_ID.ATTRIBUTE}}"; the
// token travels through the intrinsics (Fn::Sub, Fn::Join, ...) like any string. The deploy binds
// each token to the server's value when it has created (or found) the resource, and replaces the
// tokens in every later request and in the Outputs (cli/deploy_apply.cc).
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/json.h"

namespace stator::deploy {

// The token of attribute `attribute` of resource `logical_id` ("Ref" for what Ref gives).
std::string LateBound(std::string_view logical_id, std::string_view attribute);

// Whether text holds a token.
bool HasLateBound(std::string_view text);

// Values bound so far, by token.
using LateBindings = std::map<std::string, std::string, std::less<>>;

// text (every string of v, member names included) with every bound token replaced; tokens not
// bound yet stay.
std::string BindLate(std::string_view text, const LateBindings& bound);
json::Value BindLate(const json::Value& v, const LateBindings& bound);

}  // namespace stator::deploy
