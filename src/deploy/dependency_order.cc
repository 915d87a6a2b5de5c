#include "deploy/dependency_order.h"

#include <algorithm>
#include <map>

namespace stator::deploy {
namespace {

// The nodes not done wait for one another.
Error CycleError(const std::vector<DependencyNode>& nodes, const std::vector<bool>& done) {
  std::string list;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!done[i]) list += (list.empty() ? "" : ", ") + nodes[i].id;
  }
  return Error{"Template", "circular dependency between resources " + list};
}

}  // namespace

Result<std::vector<size_t>> DependencyOrder(const std::vector<DependencyNode>& nodes) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < nodes.size(); ++i) index[nodes[i].id] = i;
  for (const DependencyNode& n : nodes) {
    for (const std::string& d : n.depends_on) {
      if (!index.count(d)) {
        return Error{"Template", n.id + " depends on '" + d + "', which is not a resource"};
      }
    }
  }
  // Kahn's algorithm, taking the first ready node in the given order at every step.
  std::vector<size_t> out;
  std::vector<bool> done(nodes.size(), false);
  while (out.size() < nodes.size()) {
    size_t ready = nodes.size();
    for (size_t i = 0; i < nodes.size() && ready == nodes.size(); ++i) {
      if (done[i]) continue;
      if (std::all_of(nodes[i].depends_on.begin(), nodes[i].depends_on.end(),
                      [&](const std::string& d) { return done[index.at(d)]; })) {
        ready = i;
      }
    }
    if (ready == nodes.size()) return CycleError(nodes, done);
    done[ready] = true;
    out.push_back(ready);
  }
  return out;
}

}  // namespace stator::deploy
