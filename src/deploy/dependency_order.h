// The order in which a stack's resources are created: each after everything it depends on
// (Ref, Fn::GetAtt, ${...} in Fn::Sub, DependsOn), ties broken by the order given.
//
// Thread-safety: a pure function.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "common/result.h"

namespace stator::deploy {

struct DependencyNode {
  std::string id;
  std::set<std::string> depends_on;  // ids of other nodes
};

// Indexes into nodes, each after the nodes it depends on; of the nodes ready at a step, the first
// in the given order goes first (so the given order is kept where dependencies allow). Errors
// (error "Template"): a cycle, named by its members in the given order and then the path, as in
// "circular dependency between resources A, B: A depends on B, which depends on A" (one cycle when
// there are several; nodes that only wait for one are not named); a dependency on an id that is
// not a node.
Result<std::vector<size_t>> DependencyOrder(const std::vector<DependencyNode>& nodes);

}  // namespace stator::deploy
