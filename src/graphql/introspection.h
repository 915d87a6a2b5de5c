// Introspection field resolution (internal to the executor): the values of the fields of
// __Schema, __Type, __Field, __InputValue, __EnumValue and __Directive, over small JSON "markers"
// that stand for those objects (a type marker is {"t": name} or {"w": "LIST"|"NON_NULL", "of":
// marker}).
//
// Pure functions over an immutable Schema; thread-safe.
#pragma once

#include <string_view>

#include "common/json.h"
#include "graphql/schema.h"

namespace stator::graphql {

json::Value SchemaMarker();
// The marker of a named type, or null if the schema has no such type.
json::Value NamedTypeMarker(const Schema& schema, std::string_view name);

// The value of `field` on the introspection object `source` of type `parent_type` ("__Type", ...).
json::Value ResolveIntrospectionField(const Schema& schema, std::string_view parent_type,
                                      std::string_view field, const json::Value& source,
                                      const json::Value& arguments);

}  // namespace stator::graphql
