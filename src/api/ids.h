// Random identifiers: UUIDs (version 4) for revision ids, request ids and generated names.
//
// Thread-safety: thread-safe (a generator per thread).
#pragma once

#include "common/uuid.h"

namespace stator::api {

// "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
using stator::NewUuid;

}  // namespace stator::api
