// Function signatures in the reference's syntax ("<n-n?:n>", "<af?:a>", "<x-s:x>", ...):
// parsed once (at compile time for lambdas, when the registry is built for built-ins) and used
// to validate and coerce the arguments of every call as the reference does (T0410, T0411,
// T0412; `-` takes the context value when an argument is missing; an `a` parameter wraps a
// non-array value into an array).
//
// Thread-safety: a Signature is immutable after ParseSignature.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "jsonata/jsonata.h"
#include "jsonata/value.h"

namespace stator::jsonata::internal {

struct SignatureParam {
  std::string allowed;   // type symbols the parameter accepts ("sm", "asnblfom", ...)
  char quantifier = 0;   // 0, '?' or '+'
  char type = 0;         // 's','n','b','l','o','a','f','j','x' or '(' for a choice
  bool context = false;  // '-': take the context value when missing
  std::string context_allowed;
  std::string subtype;  // a<s>, f<...>
};

struct Signature {
  std::string definition;
  std::vector<SignatureParam> params;

  // Validates `args` against the signature; `context` is the call's context value.
  Result<std::vector<Value>, jsonata::Error> Validate(const std::vector<Value>& args,
                                                      const Value& context) const;
};

// Parses a signature; errors (S0401, S0402) carry the offset within the signature as position.
Result<std::shared_ptr<const Signature>, jsonata::Error> ParseSignature(std::string_view text);

// The reference's one-letter type symbol of a value (s n b l o a f, m for undefined).
char TypeSymbol(const Value& v);

}  // namespace stator::jsonata::internal
