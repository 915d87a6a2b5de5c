// ParseDocument: GraphQL source text (executable documents and SDL) into a Document (ast.h).
//
// Pure function; thread-safe. Follows the GraphQL spec's grammar (September 2025), including block
// strings, unicode escapes (\uXXXX, \u{...}, surrogate pairs), descriptions, `extend` forms,
// `repeatable` directives and variable directives. The first syntax error stops parsing; its
// message and location match graphql-js ("Syntax Error: Expected Name, found <EOF>.").
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "graphql/ast.h"
#include "graphql/error.h"

namespace stator::graphql {

struct ParseResult {
  std::shared_ptr<const Document> document;  // null when errors is not empty
  std::vector<Error> errors;                 // at most one syntax error
  bool ok() const { return errors.empty(); }
};

struct ParseOptions {
  // graphql-js refuses documents with more than this many tokens ("Syntax Error: Document
  // contains more than N tokens. Parsing aborted."); 0 = no limit.
  int max_tokens = 0;
  // Nesting limit (selection sets, list and object values, list types, counted together), so that
  // hostile input cannot exhaust the stack of the recursive parser, validator or executor.
  // Deeper documents get "Syntax Error: Document nesting exceeds N levels." at the token
  // that goes too deep.
  int max_depth = 256;
};

ParseResult ParseDocument(std::string_view text, const ParseOptions& options = {});

}  // namespace stator::graphql
