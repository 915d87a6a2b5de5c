// Unpredictable bytes from the kernel (getrandom(2)): for secrets such as tokens and salts,
// where std::mt19937 and friends must not be used.
//
// Thread-safety: safe from any thread.
#pragma once

#include <cstddef>
#include <string>

namespace stator {

// n random bytes. Aborts the process if the kernel cannot supply them (it always can on Linux
// 3.17+ once the pool is initialised; a server without entropy must not hand out tokens).
std::string RandomBytes(size_t n);

// 2n lowercase hexadecimal digits of n random bytes.
std::string RandomHex(size_t n);

}  // namespace stator
