// The Python runtime (runtime/stator_runtime.py), embedded in the binary at build time so that
// a stator binary needs no files next to it. FunctionRuntime writes it to its work directory.
#pragma once

#include <string_view>

namespace stator::functions {

extern const std::string_view kRuntimeScript;

}  // namespace stator::functions
