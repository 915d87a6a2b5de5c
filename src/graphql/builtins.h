// The SDL of the built-in type system (spec scalars, directives, introspection types) and of
// AppSync's predeclared scalars and directives. Internal to the schema builder. Immutable text.
#pragma once

#include <string_view>

namespace stator::graphql {

std::string_view BuiltinSdl();
std::string_view AppSyncSdl();

// Whether `name` is one of AppSync's predeclared scalars.
bool IsAppSyncScalar(std::string_view name);

}  // namespace stator::graphql
