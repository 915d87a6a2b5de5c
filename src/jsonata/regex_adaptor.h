// Regex literals (/.../flags) for the evaluator: the layer's JavaScript regex engine (regex.h)
// behind the interface the evaluator and built-ins need: compile once, then find the first
// match at or after an offset.
//
// Offsets (start, end, the offset to search from) are UTF-16 code-unit offsets into the text,
// as the reference reports them; the text itself is UTF-8. Exec fails (U1001) when a
// pathological pattern spends the engine's step budget.
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
  virtual Result<std::optional<RegexMatch>, jsonata::Error> Exec(const std::string& text,
                                                                 int start) const = 0;
  virtual const std::string& source() const = 0;
};

Result<std::shared_ptr<const Regex>, jsonata::Error> CompileRegex(std::string_view pattern,
                                                                  std::string_view flags);

// The length of UTF-8 text in UTF-16 code units.
size_t Utf16Length(std::string_view text);

}  // namespace stator::jsonata::internal
