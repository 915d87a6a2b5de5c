// The stator command line: subcommand dispatch, help and version. main.cc only calls Main.
//
// Thread-safety: Main writes to the given streams only; call it from one thread.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace stator::cli {

inline constexpr const char* kVersion = "0.1.0";

// args excludes the program name. Returns the process exit code (exit_codes.h).
int Main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace stator::cli
