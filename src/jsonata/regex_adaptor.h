// Regex literals (/.../flags) for the evaluator: an interim adaptor over std::regex's ECMAScript
// grammar until the layer's own JavaScript-compatible engine (regex.h, branch jn-text) replaces
// its implementation. The interface is what the evaluator and built-ins need: compile once,
// then find the first match at or after an offset.
//
// Offsets are byte offsets into UTF-8 text (the reference counts UTF-16 code units; the two
// agree on ASCII text).
// Thread-safety: a compiled Regex is immutable and may be used from many threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "jsonata/builtins.h"
#include "jsonata/jsonata.h"

namespace stator::jsonata::internal {

class Regex {
 public:
  virtual ~Regex() = default;
  virtual std::optional<RegexMatch> Exec(const std::string& text, int start) const = 0;
  virtual const std::string& source() const = 0;
};

Result<std::shared_ptr<const Regex>, jsonata::Error> CompileRegex(std::string_view pattern,
                                                                  std::string_view flags);

}  // namespace stator::jsonata::internal
