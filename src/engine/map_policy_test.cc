// MapFailureTolerance and BatchMapItems: the tolerated-failure threshold and ItemBatcher's
// batches, without running a Map.
#include "engine/map_policy.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/test_util.h"

namespace stator::engine {
namespace {

using stator::testing::J;

std::vector<json::Value> Ints(int from, int to) {
  std::vector<json::Value> v;
  for (int i = from; i <= to; ++i) v.push_back(json::Value::Int(i));
  return v;
}

std::vector<std::string> Dumped(const std::vector<json::Value>& values) {
  std::vector<std::string> out;
  for (const json::Value& v : values) out.push_back(v.Dump());
  return out;
}

TEST(MapFailureTolerance, InlineMapWithoutFieldsToleratesNothingAndHasNoThreshold) {
  MapFailureTolerance t = MapFailureTolerance::For(std::nullopt, std::nullopt, false);
  EXPECT_FALSE(t.applies);
  EXPECT_FALSE(t.Tolerates(0, 10));
  EXPECT_FALSE(t.Tolerates(1, 10));
}

TEST(MapFailureTolerance, DistributedMapDefaultsToZeroTolerated) {
  MapFailureTolerance t = MapFailureTolerance::For(std::nullopt, std::nullopt, true);
  EXPECT_TRUE(t.applies);
  EXPECT_EQ(t.max_failed, 0);
  EXPECT_EQ(t.max_failed_percent, 0);
  EXPECT_FALSE(t.Tolerates(1, 100));
}

TEST(MapFailureTolerance, CountAloneBoundsTheNumberOnly) {
  MapFailureTolerance t = MapFailureTolerance::For(2, std::nullopt, false);
  EXPECT_TRUE(t.applies);
  EXPECT_TRUE(t.Tolerates(1, 2));  // 50%, but no percentage was given
  EXPECT_TRUE(t.Tolerates(2, 2));  // 100%
  EXPECT_FALSE(t.Tolerates(3, 10));
}

TEST(MapFailureTolerance, PercentageAloneBoundsTheShareOnly) {
  MapFailureTolerance t = MapFailureTolerance::For(std::nullopt, 25.0, false);
  EXPECT_TRUE(t.applies);
  EXPECT_EQ(t.max_failed, INT64_MAX);
  EXPECT_TRUE(t.Tolerates(1, 4));   // exactly 25%
  EXPECT_FALSE(t.Tolerates(2, 4));  // 50%
  EXPECT_TRUE(t.Tolerates(250, 1000));
  EXPECT_FALSE(t.Tolerates(251, 1000));
}

TEST(MapFailureTolerance, BothBoundsMustHold) {
  MapFailureTolerance t = MapFailureTolerance::For(3, 50.0, true);
  EXPECT_EQ(t.max_failed, 3);
  EXPECT_EQ(t.max_failed_percent, 50);
  EXPECT_TRUE(t.Tolerates(3, 10));
  EXPECT_FALSE(t.Tolerates(4, 10));  // over the count, under the share
  EXPECT_FALSE(t.Tolerates(3, 5));   // under the count, over the share
}

TEST(MapFailureTolerance, ZeroCountToleratesNoFailure) {
  MapFailureTolerance t = MapFailureTolerance::For(0, std::nullopt, false);
  EXPECT_TRUE(t.applies);
  EXPECT_TRUE(t.Tolerates(0, 3));
  EXPECT_FALSE(t.Tolerates(1, 3));
}

TEST(BatchMapItems, NoItemsNoBatches) { EXPECT_TRUE(BatchMapItems({}, MapBatchLimits{}).empty()); }

TEST(BatchMapItems, WithoutLimitsOneBatch) {
  EXPECT_EQ(Dumped(BatchMapItems(Ints(1, 3), MapBatchLimits{})),
            (std::vector<std::string>{R"({"Items":[1,2,3]})"}));
}

TEST(BatchMapItems, MaxItemsSplitsInOrderWithBatchInputInEach) {
  MapBatchLimits limits;
  limits.max_items = 2;
  limits.batch_input = J(R"({"k":"v"})");
  EXPECT_EQ(Dumped(BatchMapItems(Ints(1, 5), limits)),
            (std::vector<std::string>{R"({"BatchInput":{"k":"v"},"Items":[1,2]})",
                                      R"({"BatchInput":{"k":"v"},"Items":[3,4]})",
                                      R"({"BatchInput":{"k":"v"},"Items":[5]})"}));
}

TEST(BatchMapItems, MaxBytesClosesABatchBeforeTheItemThatWouldPassIt) {
  // Each item "aaaa" is 6 bytes of JSON: two fit in 12 bytes, a third does not.
  MapBatchLimits limits;
  limits.max_bytes = 12;
  std::vector<json::Value> items(5, json::Value::String("aaaa"));
  EXPECT_EQ(Dumped(BatchMapItems(items, limits)),
            (std::vector<std::string>{R"({"Items":["aaaa","aaaa"]})",
                                      R"({"Items":["aaaa","aaaa"]})", R"({"Items":["aaaa"]})"}));
}

TEST(BatchMapItems, AnItemLargerThanMaxBytesGetsABatchOfItsOwn) {
  MapBatchLimits limits;
  limits.max_bytes = 3;
  std::vector<json::Value> items{json::Value::Int(1), json::Value::String("longer"),
                                 json::Value::Int(2)};
  EXPECT_EQ(Dumped(BatchMapItems(items, limits)),
            (std::vector<std::string>{R"({"Items":[1]})", R"({"Items":["longer"]})",
                                      R"({"Items":[2]})"}));
}

TEST(BatchMapItems, BothLimitsApply) {
  MapBatchLimits limits;
  limits.max_items = 3;
  limits.max_bytes = 4;  // one-digit items are 1 byte each: max_items closes the batches
  EXPECT_EQ(Dumped(BatchMapItems(Ints(1, 7), limits)),
            (std::vector<std::string>{R"({"Items":[1,2,3]})", R"({"Items":[4,5,6]})",
                                      R"({"Items":[7]})"}));
}

}  // namespace
}  // namespace stator::engine
