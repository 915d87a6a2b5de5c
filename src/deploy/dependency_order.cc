#include "deploy/dependency_order.h"

#include <algorithm>
#include <map>

namespace stator::deploy {
namespace {

// A cycle among the nodes not done: every one of them waits for another one not done, so
// following the first such dependency (in the given order) from the first node must come back.
Error CycleError(const std::vector<DependencyNode>& nodes, const std::vector<bool>& done,
                 const std::map<std::string, size_t>& index) {
  auto next = [&](size_t i) {
    size_t best = nodes.size();
    for (const std::string& d : nodes[i].depends_on) {
      size_t j = index.at(d);
      if (!done[j]) best = std::min(best, j);
    }
    return best;
  };
  size_t start = 0;
  while (done[start]) ++start;
  std::vector<size_t> path;
  std::vector<size_t> seen_at(nodes.size(), nodes.size());
  size_t at = start;
  while (seen_at[at] == nodes.size()) {
    seen_at[at] = path.size();
    path.push_back(at);
    at = next(at);
  }
  std::vector<size_t> cycle(path.begin() + static_cast<std::ptrdiff_t>(seen_at[at]), path.end());
  std::vector<size_t> members = cycle;
  std::sort(members.begin(), members.end());
  std::string message = "circular dependency between resources ";
  for (size_t k = 0; k < members.size(); ++k) {
    message += (k ? ", " : "") + nodes[members[k]].id;
  }
  message += ": " + nodes[cycle[0]].id;
  for (size_t k = 1; k <= cycle.size(); ++k) {
    message +=
        (k == 1 ? " depends on " : ", which depends on ") + nodes[cycle[k % cycle.size()]].id;
  }
  return Error{"Template", message};
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
    if (ready == nodes.size()) return CycleError(nodes, done, index);
    done[ready] = true;
    out.push_back(ready);
  }
  return out;
}

}  // namespace stator::deploy
