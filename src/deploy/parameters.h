// The values of a template's Parameters: each parameter's override or Default, checked against
// its constraints and typed as CloudFormation types it (docs/deploy.md).
//
// Thread-safety: a pure function.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/json.h"
#include "common/result.h"
#include "deploy/template.h"

namespace stator::deploy {

using ParameterOverrides = std::vector<std::pair<std::string, std::string>>;

// Every declared parameter's value in declaration order: a string, or a list of strings for
// CommaDelimitedList and List<...> types. Errors (error "Template") read "FILE:LINE: parameter
// NAME ..." (a missing value, a value outside AllowedValues or AllowedPattern, a Number that is
// not one) or name an override the template does not declare.
Result<std::vector<std::pair<std::string, json::Value>>> ResolveParameters(
    const Template& t, const ParameterOverrides& overrides);

}  // namespace stator::deploy
