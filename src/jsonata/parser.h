// The JSONata parser: source text to the post-processed syntax tree the evaluator walks.
//
// A Pratt parser with the reference's operator table and binding powers, its tokenizer rules
// (regex literals where an operand is expected, backquoted names, JSON string escapes), its
// syntax errors (S0101-S0217, S0301/S0302, S040x from signatures) and its post-processing.
//
// Thread-safety: Parse is a pure function.
#pragma once

#include <memory>
#include <string_view>

#include "common/result.h"
#include "jsonata/ast.h"
#include "jsonata/jsonata.h"

namespace stator::jsonata::internal {

Result<std::unique_ptr<Node>, jsonata::Error> Parse(std::string_view source);

}  // namespace stator::jsonata::internal
