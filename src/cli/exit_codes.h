// The exit codes of the stator command line (documented in docs/cli.md).
#pragma once

namespace stator::cli {

inline constexpr int kExitSucceeded = 0;          // run: SUCCEEDED; validate: no errors
inline constexpr int kExitExecutionFailed = 1;    // run: FAILED, TIMED_OUT or ABORTED
inline constexpr int kExitInvalidDefinition = 2;  // the definition does not compile/validate
inline constexpr int kExitUsage = 64;             // bad arguments, unreadable files, bad input
inline constexpr int kExitInternal = 70;          // a bug: the engine ended in an odd state

}  // namespace stator::cli
