// Carrying a deploy::Plan out against the server: every planned resource created, updated in
// place or replaced, in the plan's order, then what the stack had and the template no longer
// has deleted (docs/deploy.md, "Updates").
//
// Thread-safety: ApplyPlan is a plain function over a DeployServer; it keeps no state between
// calls.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "cli/deploy_report.h"
#include "cli/deploy_server.h"
#include "cli/deploy_stack.h"
#include "common/result.h"
#include "deploy/stack.h"

namespace stator::cli {

// Applies plan over existing (the stack's resources on the server, from FindStack), appending a
// row per resource to rows. Stops at the first failure, whose cause starts with the resource
// ("LogicalId (TYPE): CODE: message"); what was done before stays. outputs (the plan's, when
// given) get the values only the server knew at plan time (deploy/late_bound.h) once it is done.
Status ApplyPlan(DeployServer& s, const deploy::Plan& plan, std::vector<Deployed> existing,
                 std::vector<Row>* rows,
                 std::vector<std::pair<std::string, json::Value>>* outputs = nullptr);

}  // namespace stator::cli
