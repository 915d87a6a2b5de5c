// TimerTriggers on one store shared by two instances (two nodes of a cluster): ticks are
// claimed once, armed and disarmed from the records, stopped by Stop.
#include "knix/triggers.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "store/memory_store.h"

namespace stator::knix {
namespace {

using std::chrono::milliseconds;

constexpr const char* kKey = "user/t";

std::string Trigger(int64_t interval_ms, bool associated) {
  return std::string(R"({"trigger_id":"user_t","trigger_type":"timer","trigger_info":)") +
         R"({"trigger_type":"timer","timer_interval_ms":)" + std::to_string(interval_ms) +
         R"(},"associated_workflows":)" +
         (associated ? R"([{"workflow_name":"w","workflow_id":"x","workflow_state":""}])" : "[]") +
         "}";
}

void Put(store::Store& s, const std::string& value) {
  ASSERT_TRUE(s.WriteRecords({store::RecordWrite::Put(kTriggersKind, kKey, value)}).ok());
}

int64_t Count(TimerTriggers& t) {
  auto c = t.Count(kKey);
  EXPECT_TRUE(c.ok());
  return c.ok() ? *c : -1;
}

TEST(TimerTriggersTest, TwoNodesClaimEachTickOnce) {
  store::MemoryStore s;
  constexpr int64_t kInterval = 20;
  Put(s, Trigger(kInterval, true));
  std::atomic<int> fired_a{0}, fired_b{0};
  TimerTriggers::Options options{.shared_store = true, .rescan_ms = 50};
  TimerTriggers a(
      &s, [&](const std::string&) { ++fired_a; }, options);
  TimerTriggers b(
      &s, [&](const std::string&) { ++fired_b; }, options);
  auto start = std::chrono::steady_clock::now();
  a.Start();
  b.Start();
  std::this_thread::sleep_for(milliseconds(1000));
  a.Stop();
  b.Stop();
  auto elapsed = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
  int total = fired_a + fired_b;
  EXPECT_EQ(total, Count(a));                         // each fire is one claimed tick
  EXPECT_LE(total, elapsed.count() / kInterval + 1);  // at most one tick per interval
  EXPECT_GE(total, 5);                                // and it does tick (generously)
  // Stopped: nothing fires any more.
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(fired_a + fired_b, total);
}

TEST(TimerTriggersTest, ArmedOnlyWithWorkflowsAndUntilDeleted) {
  store::MemoryStore s;
  Put(s, Trigger(20, false));
  std::atomic<int> fired{0};
  TimerTriggers t(&s, [&](const std::string&) { ++fired; }, {});
  t.Start();
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(fired, 0);  // no workflow: not armed
  EXPECT_EQ(Count(t), 0);
  Put(s, Trigger(20, true));
  t.Changed(kKey);
  for (int i = 0; i < 200 && fired < 3; ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_GE(fired, 3);
  ASSERT_TRUE(s.WriteRecords({store::RecordWrite::Delete(kTriggersKind, kKey),
                              store::RecordWrite::Delete(kTriggerTicksKind, kKey)})
                  .ok());
  t.Changed(kKey);
  std::this_thread::sleep_for(milliseconds(50));
  int after = fired;
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(fired, after);
  t.Stop();
}

}  // namespace
}  // namespace stator::knix
