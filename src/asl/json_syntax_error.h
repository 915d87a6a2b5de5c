// What CreateStateMachine and ValidateStateMachineDefinition say about a definition that is not
// JSON (INVALID_JSON_DESCRIPTION), in the words of Jackson, the parser behind Step Functions: the
// first syntax error a streaming parser meets, located as
// "[Source: (String)\"...\"; line: L, column: C]". Covers the common shapes of error. Used by
// Compile (compiler.cc); not part of the public interface.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "asl/diagnostic.h"

namespace stator::asl::internal {

// Jackson's reading of text: where its first JSON value ends (Jackson ignores what follows it),
// or the diagnostic for the first syntax error it meets before that.
struct JsonSyntaxScan {
  bool ok = false;
  size_t value_end = 0;  // when ok
  Diagnostic error;      // when !ok
};
JsonSyntaxScan ScanJsonSyntax(std::string_view text);

// The INVALID_JSON_DESCRIPTION diagnostic saying message about the byte at offset of text.
Diagnostic InvalidJsonDiagnostic(std::string_view text, const std::string& message, size_t offset);

}  // namespace stator::asl::internal
