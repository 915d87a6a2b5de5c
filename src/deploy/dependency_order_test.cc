#include "deploy/dependency_order.h"

#include <gtest/gtest.h>

namespace stator::deploy {
namespace {

// The ids in DependencyOrder's order, or its error.
std::string Ordered(const std::vector<DependencyNode>& nodes) {
  auto order = DependencyOrder(nodes);
  if (!order.ok()) return "error: " + order.error().cause;
  std::string out;
  for (size_t i : *order) out += (out.empty() ? "" : " ") + nodes[i].id;
  return out;
}

TEST(DependencyOrderTest, KeepsTheGivenOrderWhereDependenciesAllow) {
  EXPECT_EQ(Ordered({}), "");
  EXPECT_EQ(Ordered({{"A", {}}, {"B", {}}, {"C", {}}}), "A B C");
  EXPECT_EQ(Ordered({{"A", {"C"}}, {"B", {}}, {"C", {}}}), "B C A");
  // A waits for B and C; B for C: C, then B, then A.
  EXPECT_EQ(Ordered({{"A", {"B", "C"}}, {"B", {"C"}}, {"C", {}}}), "C B A");
  // A diamond: D first, B and C in their order, A last.
  EXPECT_EQ(Ordered({{"A", {"B", "C"}}, {"C", {"D"}}, {"B", {"D"}}, {"D", {}}}), "D C B A");
  // Once ready, an earlier node goes before later ones that were ready sooner.
  EXPECT_EQ(Ordered({{"A", {"C"}}, {"B", {}}, {"C", {}}, {"D", {}}}), "B C A D");
}

TEST(DependencyOrderTest, CyclesAreNamedWithTheirPath) {
  EXPECT_EQ(Ordered({{"A", {"B"}}, {"B", {"A"}}}),
            "error: circular dependency between resources A, B: A depends on B, which depends "
            "on A");
  EXPECT_EQ(Ordered({{"A", {"C"}}, {"B", {"A"}}, {"C", {"B"}}}),
            "error: circular dependency between resources A, B, C: A depends on C, which depends "
            "on B, which depends on A");
  // Resources that only wait for the cycle are not part of it.
  EXPECT_EQ(Ordered({{"X", {"A"}}, {"Free", {}}, {"A", {"B"}}, {"B", {"A"}}}),
            "error: circular dependency between resources A, B: A depends on B, which depends "
            "on A");
  EXPECT_EQ(Ordered({{"A", {"A"}}}),
            "error: circular dependency between resources A: A depends on A");
  EXPECT_EQ(Ordered({{"A", {"Nope"}}}), "error: A depends on 'Nope', which is not a resource");
}

}  // namespace
}  // namespace stator::deploy
