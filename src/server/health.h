// The server's health: `GET /health` on the one port, for load balancers, supervisors and tests.
//
// 200 {"status": "ok"} while every durable component can commit; else 503
// {"status": "unhealthy", "errors": {"<component>": "<why>", ...}}. The components are the
// execution store (its CommitQueue's sticky failure: Standard executions are halted, see
// execution_service.h) and the embedded DynamoDB (its writer's sticky failure). A failure is
// sticky, so is unhealthiness: only a restart clears it.
//
// Ownership: the handler borrows what its checks read, which must outlive the HTTP server.
// Thread-safety: the handler may run on any number of io threads at once; checks must be
// thread-safe.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "api/http_server.h"
#include "common/result.h"

namespace stator::server {

// A component's name and how to ask it (Ok: healthy).
using HealthCheck = std::pair<std::string, std::function<Status()>>;

// Answers GET /health; any other request that reaches it goes to `other`.
api::Handler HealthHandler(std::vector<HealthCheck> checks, api::Handler other);

}  // namespace stator::server
