#include "engine/event_log.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "engine/execution.h"

namespace stator::engine {
namespace {

// Counts live instances, so the tests see every element destroyed exactly once.
struct Counted {
  static int live;
  int value = 0;
  std::string text;
  Counted() { ++live; }
  Counted(Counted&& o) noexcept : value(o.value), text(std::move(o.text)) { ++live; }
  Counted& operator=(Counted&&) = default;
  ~Counted() { --live; }
};
int Counted::live = 0;

using Log = ChunkedLog<Counted>;
constexpr size_t kMany = Log::kChunk * 3 + 7;  // crosses several chunk boundaries

TEST(EventLogTest, KeepsOrderAndAddressesAcrossChunks) {
  {
    Log log;
    EXPECT_TRUE(log.empty());
    Counted* first = &log.emplace_back();
    first->value = -1;
    for (size_t i = 1; i < kMany; ++i) {
      Counted& c = log.emplace_back();
      c.value = static_cast<int>(i);
      c.text = "event number " + std::to_string(i);  // beyond the small-string buffer
    }
    ASSERT_EQ(log.size(), kMany);
    EXPECT_EQ(&log[0], first);  // growing never moved it
    EXPECT_EQ(log.front().value, -1);
    EXPECT_EQ(log.back().value, static_cast<int>(kMany - 1));
    size_t i = 0;
    for (const Counted& c : log) {
      if (i > 0) {
        EXPECT_EQ(c.value, static_cast<int>(i));
      }
      ++i;
    }
    EXPECT_EQ(i, kMany);
    EXPECT_EQ(log.at(Log::kChunk).text, "event number " + std::to_string(Log::kChunk));
    EXPECT_THROW(log.at(kMany), std::out_of_range);
    EXPECT_EQ(Counted::live, static_cast<int>(kMany));
  }
  EXPECT_EQ(Counted::live, 0);
}

TEST(EventLogTest, TakeVectorMovesEverythingOutAndTheLogCarriesOn) {
  Log log;
  for (size_t i = 0; i < kMany; ++i) log.emplace_back().value = static_cast<int>(i);
  std::vector<Counted> taken = log.TakeVector();
  ASSERT_EQ(taken.size(), kMany);
  EXPECT_EQ(taken[kMany - 1].value, static_cast<int>(kMany - 1));
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(Counted::live, static_cast<int>(kMany));  // only the vector's
  log.emplace_back().value = 42;
  EXPECT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].value, 42);
  taken.clear();
  log.clear();
  EXPECT_EQ(Counted::live, 0);
}

TEST(EventLogTest, MoveLeavesTheSourceEmpty) {
  Log a;
  for (size_t i = 0; i < Log::kChunk + 1; ++i) a.emplace_back().value = static_cast<int>(i);
  Log b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  EXPECT_EQ(b.size(), Log::kChunk + 1);
  Log c;
  c.emplace_back();
  c = std::move(b);
  EXPECT_EQ(c.back().value, static_cast<int>(Log::kChunk));
  EXPECT_EQ(Counted::live, static_cast<int>(Log::kChunk + 1));
  c.clear();
  EXPECT_EQ(Counted::live, 0);
}

TEST(EventLogTest, CompactStateEventsRenderAsAwsDetails) {
  HistoryEvent e;
  e.id = 2;
  e.previous_event_id = 1;
  e.type = "PassStateExited";
  e.details_key = "stateExitedEventDetails";
  e.compact = HistoryEvent::Compact::kStateExited;
  e.state_name = json::Value::String("P");
  e.payload = json::Value::MakeObject({{"a", json::Value::Int(1)}});
  EXPECT_EQ(e.ToJson().Find("stateExitedEventDetails")->Dump(),
            R"({"name":"P","output":"{\"a\":1}","outputDetails":{"truncated":false}})");
  EXPECT_EQ(e.Details().Dump(),
            R"({"name":"P","output":{"a":1},"outputDetails":{"truncated":false}})");
}

TEST(EventLogTest, InternedNamesAreStableAndShared) {
  const std::string a = "MadeUpStateEntered";
  std::string_view x = InternEventName(a);
  std::string_view y = InternEventName(std::string("MadeUp") + "StateEntered");
  EXPECT_EQ(x, a);
  EXPECT_EQ(x.data(), y.data());  // one copy per distinct name
  EXPECT_NE(x.data(), a.data());
}

}  // namespace
}  // namespace stator::engine
