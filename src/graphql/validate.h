// Validate: the Validation section of the GraphQL spec (September 2025 edition) over a parsed
// Document and a built Schema, as graphql-core 3.2 (graphql-js 16) implements it.
//
// Every rule of graphql-core's specifiedRules runs, in its order (ExecutableDefinitions,
// UniqueOperationNames, ..., OverlappingFieldsCanBeMerged, UniqueInputFieldNames), in one
// traversal of the document: errors come out in the order graphql-core reports them, with
// graphql-js's messages (graphql-core's, quoted with " as graphql-js quotes: `Cannot query field
// "x" on type "Dog". Did you mean "name"?`) and locations. After
// `max_errors` errors one more, "Too many validation errors, error limit reached. Validation
// aborted.", ends the list and validation stops.
//
// A pure function over immutable inputs; thread-safe. The Document and Schema are only read.
#pragma once

#include <vector>

#include "graphql/ast.h"
#include "graphql/error.h"
#include "graphql/schema.h"

namespace stator::graphql {

struct ValidateOptions {
  int max_errors = 100;  // graphql-js's default
};

std::vector<Error> Validate(const Schema& schema, const Document& document,
                            const ValidateOptions& options = {});

}  // namespace stator::graphql
