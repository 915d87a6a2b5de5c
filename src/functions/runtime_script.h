// The Python runtime (runtime/stator_runtime.py, and stator_knix.py beside it: the KNIX function
// context, which the runtime imports for KNIX functions), embedded in the binary at build time
// so that a stator binary needs no files next to it. FunctionRuntime writes both into one
// directory of its work directory.
#pragma once

#include <string_view>

namespace stator::functions {

extern const std::string_view kRuntimeScript;  // stator_runtime.py
extern const std::string_view kKnixScript;     // stator_knix.py

}  // namespace stator::functions
