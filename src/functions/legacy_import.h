// ImportLegacyFunctions: the upgrade path from builds that kept functions as files. Such a build
// wrote, per function, DIR/NAME/meta.json (the FunctionConfig as JSON, without a code id) and
// DIR/NAME/package-REV.zip (REV = its codeRevision) beside the unpacked code-REV/. Importing puts
// each function into the store as FunctionRegistry keeps it (registry.h: a function record and
// its package record, under a new code id) unless the store has a function of that name already,
// then renames DIR to DIR.imported (kept for the operator to delete), so that it runs once and a
// function deleted later does not come back at the next start.
//
// Thread-safety: call it before the registry serves anything (FunctionRegistry::Open does).
#pragma once

#include <string>

#include "common/result.h"
#include "store/store.h"

namespace stator::functions {

// Does nothing when dir does not exist. A function whose meta.json or package cannot be read is
// skipped with a warning on stderr (the previous build ignored such a function as well).
// Errors: "ServiceException" (the store failed, the directory cannot be renamed).
Status ImportLegacyFunctions(store::Store* store, const std::string& dir);

}  // namespace stator::functions
