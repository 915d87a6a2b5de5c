// The Lambda package of a KNIX function, built from what KNIX uploads for it (the server at
// each complete upload and at deploy; `stator knix export` from the same uploads read back):
// the uploaded zip unpacked, the text code as <name>.py beside (over) its files, as KNIX lays
// out a function's directory, and the requirements pip-installed into it when asked.
//
// Thread-safety: a plain function (it works in a temporary directory of its own).
#pragma once

#include <optional>
#include <string>

#include "common/result.h"

namespace stator::knix {

struct PackageSources {
  std::string name;                // the function's name: its module is <name>.py
  std::optional<std::string> zip;  // the uploaded zip's bytes, when one was uploaded
  std::string code;                // the text code; written when not empty or without a zip
  std::string requirements;        // requirements.txt text; pip-installed when not empty
};

// The package's zip bytes. Errors (error "KnixFunction"): the zip cannot be unpacked, a file
// cannot be written, pip failed (the cause is pip's output).
Result<std::string> BuildPackage(const PackageSources& sources);

}  // namespace stator::knix
