// Leaf (scalar and enum) coercion: input parsing (variables, literals) and result serialization
// for the spec's scalars and AppSync's, with graphql-js's messages for the spec's.
//
// Pure functions; thread-safe. Internal to values.cc and execute.cc.
#pragma once

#include <optional>
#include <string>

#include "common/json.h"
#include "graphql/ast.h"
#include "graphql/schema.h"

namespace stator::graphql {

// A literal (no variables) as a leaf of `type` (parseLiteral); nullopt if invalid.
std::optional<json::Value> ParseLeafLiteral(const NamedType& type, const ValueNode& node);

// Validators for AppSync's string scalars.
bool IsAwsDate(std::string_view s);
bool IsAwsTime(std::string_view s);
bool IsAwsDateTime(std::string_view s);
bool IsAwsEmail(std::string_view s);
bool IsAwsUrl(std::string_view s);
bool IsAwsPhone(std::string_view s);
bool IsAwsIpAddress(std::string_view s);

}  // namespace stator::graphql
