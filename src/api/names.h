// The naming rules of Step Functions resources (state machines, executions, activities,
// aliases): 1 to 80 characters, and none of: whitespace, brackets < > { } [ ], wildcards ? *,
// the special characters " # % \ ^ | ~ ` $ & , ; : /, control characters (U+0000-001F,
// U+007F-009F), surrogates and U+FFFE/U+FFFF-class noncharacters. A name breaking them gets
// InvalidName "Invalid Name: '<name>'" (the length is checked earlier by request validation).
#pragma once

#include <string_view>

namespace stator::api {

bool IsValidResourceName(std::string_view utf8);

}  // namespace stator::api
