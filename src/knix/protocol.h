// The KNIX management protocol's envelope (shared/design/knix-protocol.md §1.1): every action
// answers HTTP 200 with {"status": "success", "data": {...}} or
// {"status": "failure", "data": {"message": "..."}}; failures are in the body, never in the
// HTTP status. An action's code returns ActionResult: the `data` object, or the failure
// message in KNIX's wording.
//
// Thread-safety: plain functions and values.
#pragma once

#include <string>
#include <utility>

#include "api/http_server.h"
#include "common/json.h"
#include "common/result.h"

namespace stator::knix {

struct ActionFailure {
  std::string message;
};

// The `data` object of a successful answer, or why the action failed.
using ActionResult = Result<json::Value, ActionFailure>;

inline ActionFailure Fail(std::string message) { return ActionFailure{std::move(message)}; }

// {"message": message, ...rest}: a success's data.
json::Value Data(std::string message, json::Object rest = {});

// The whole answer body: {"status": "success", "data": data} or
// {"status": "failure", "data": {"message": ...}}.
std::string Envelope(const ActionResult& result);

// The HTTP answer of a management call: 200, application/json, the envelope.
api::HttpResponse ManagementResponse(const ActionResult& result);

}  // namespace stator::knix
