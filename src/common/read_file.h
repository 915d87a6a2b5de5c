// Reading a whole file into memory.
//
// Thread-safety: a pure function of the file system; safe from any thread.
#pragma once

#include <string>

#include "common/result.h"

namespace stator {

// The whole content of the file at path. Errors name the file, with the given error code:
// "cannot read 'PATH': <strerror>" (missing, unreadable, a read that failed) or
// "cannot read 'PATH': it is a directory".
Result<std::string> ReadWholeFile(const std::string& path, const std::string& error_code);

}  // namespace stator
