// ValidateSchema: the type-system checks graphql-js's validateSchema makes on a built schema (root
// types, fields and arguments in output/input positions, interface implementations, unions, enums,
// input objects and their non-null cycles, reserved "__" names). Internal to BuildSchema.
//
// Pure function over a Schema under construction; thread-safe.
#pragma once

#include <vector>

#include "graphql/error.h"
#include "graphql/schema.h"

namespace stator::graphql {

void ValidateSchema(const Schema& schema, std::vector<Error>* errors);

// Whether `sub` may be used where `super` is expected (covariant output types).
bool IsTypeSubTypeOf(const Schema& schema, const TypeRef& sub, const TypeRef& super);

}  // namespace stator::graphql
