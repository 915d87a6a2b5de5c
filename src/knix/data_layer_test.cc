// DataLayer over every store backend: KNIX's key/value, map, set and counter semantics, the
// record layout data_layer.h documents, scopes kept apart, atomic counters, persistence.
#include "knix/data_layer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/store_test_util.h"

namespace stator::knix {
namespace {

using store::test_util::Backends;
using store::test_util::Names;
using store::test_util::SqliteFactory;
using Strings = std::vector<std::string>;

template <class T>
T Ok(Result<T> r) {
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().error + ": " + r.error().cause);
  return r.ok() ? std::move(r).value() : T{};
}

void Ok(const Status& s) { EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().cause); }

template <class F>
class DataLayerTest : public ::testing::Test {
 public:
  void SetUp() override {
    store_ = factory_.Make();
    layer_ = std::make_unique<DataLayer>(store_.get());
  }

  F factory_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<DataLayer> layer_;
};

TYPED_TEST_SUITE(DataLayerTest, Backends, Names);

TYPED_TEST(DataLayerTest, KeyValue) {
  DataLayer& d = *this->layer_;
  EXPECT_EQ(Ok(d.Get("u", "k")), std::nullopt);
  Ok(d.Put("u", "k", "v1"));
  EXPECT_EQ(Ok(d.Get("u", "k")), "v1");
  Ok(d.Put("u", "k", "v2"));
  EXPECT_EQ(Ok(d.Get("u", "k")), "v2");
  Ok(d.Put("u", "empty", ""));
  EXPECT_EQ(Ok(d.Get("u", "empty")), "") << "an empty value is a value, not a missing key";
  Ok(d.Put("u", "k\"/%\xc3\xa9", "line\nquote\" \xe2\x82\xac"));
  EXPECT_EQ(Ok(d.Get("u", "k\"/%\xc3\xa9")), "line\nquote\" \xe2\x82\xac");
  EXPECT_EQ(Ok(d.ListKeys("u", 0, 2000)), (Strings{"empty", "k", "k\"/%\xc3\xa9"}));
  Ok(d.Delete("u", "k"));
  EXPECT_EQ(Ok(d.Get("u", "k")), std::nullopt);
  Ok(d.Delete("u", "never-there"));  // KNIX: deleting a missing key succeeds
  EXPECT_EQ(Ok(d.ListKeys("u", 0, 2000)), (Strings{"empty", "k\"/%\xc3\xa9"}));
}

TYPED_TEST(DataLayerTest, ListingsTakeStartAndCount) {
  DataLayer& d = *this->layer_;
  for (const char* name : {"e", "a", "c", "b", "d"}) {
    Ok(d.Put("u", name, "x"));
    Ok(d.PutMapEntry("u", name, "k", "v"));
    Ok(d.AddSetEntry("u", name, "i"));
    ASSERT_TRUE(Ok(d.CreateCounter("u", name, 1)));
  }
  using Lister = Result<Strings> (DataLayer::*)(std::string_view, int64_t, int64_t);
  for (Lister list : {&DataLayer::ListKeys, &DataLayer::ListMaps, &DataLayer::ListSets,
                      &DataLayer::ListCounters}) {
    EXPECT_EQ(Ok((d.*list)("u", 0, 2000)), (Strings{"a", "b", "c", "d", "e"}));
    EXPECT_EQ(Ok((d.*list)("u", 1, 2)), (Strings{"b", "c"}));
    EXPECT_EQ(Ok((d.*list)("u", 4, 10)), (Strings{"e"}));
    EXPECT_EQ(Ok((d.*list)("u", 5, 1)), Strings{});
    EXPECT_EQ(Ok((d.*list)("u", 0, 0)), Strings{});
    EXPECT_EQ(Ok((d.*list)("u", -1, 3)), Strings{});
  }
}

TYPED_TEST(DataLayerTest, ListingsPageThroughTheStore) {
  DataLayer& d = *this->layer_;
  // More keys than one store page (1000), written in one batch in the documented layout.
  std::vector<store::RecordWrite> writes;
  Strings all;
  for (int i = 0; i < 2100; ++i) {
    char name[16];
    std::snprintf(name, sizeof(name), "key%05d", i);
    all.push_back(name);
    writes.push_back(store::RecordWrite::Put(kDataKvKind, std::string("u/") + name, "\"x\""));
  }
  Ok(this->store_->WriteRecords(writes));
  EXPECT_EQ(Ok(d.ListKeys("u", 0, 1000000)), all);
  EXPECT_EQ(Ok(d.ListKeys("u", 999, 1002)), Strings(all.begin() + 999, all.begin() + 2001));
  EXPECT_EQ(Ok(d.ListKeys("u", 2099, 5)), Strings{"key02099"});
  EXPECT_EQ(Ok(d.ListKeys("u", 2100, 5)), Strings{});
}

TYPED_TEST(DataLayerTest, ListingsHideWhatKnixHides) {
  DataLayer& d = *this->layer_;
  for (const char* key : {"a", "grain_source_f", "grain_requirements_f", "workflow_json_w",
                          "f_metadata", "z", "metadata_not_suffix"}) {
    Ok(d.Put("u", key, "x"));
  }
  EXPECT_EQ(Ok(d.ListKeys("u", 0, 100)), (Strings{"a", "metadata_not_suffix", "z"}));
  // KNIX filters after taking the page: [a, f_metadata] -> [a].
  EXPECT_EQ(Ok(d.ListKeys("u", 0, 2)), Strings{"a"});
  EXPECT_EQ(Ok(d.Get("u", "grain_source_f")), "x") << "hidden from listings, not from reads";

  Ok(d.AddSetEntry("u", "s", "i"));
  Ok(d.AddSetEntry("u", "wf_outputkeys_set", "i"));
  EXPECT_EQ(Ok(d.ListSets("u", 0, 100)), Strings{"s"});
  EXPECT_TRUE(Ok(d.ContainsSetItem("u", "wf_outputkeys_set", "i")));
}

TYPED_TEST(DataLayerTest, Maps) {
  DataLayer& d = *this->layer_;
  // Missing map: reads answer as for an empty one.
  EXPECT_EQ(Ok(d.GetMapEntry("u", "m", "k")), std::nullopt);
  EXPECT_FALSE(Ok(d.ContainsMapKey("u", "m", "k")));
  EXPECT_EQ(Ok(d.GetMapKeys("u", "m")), Strings{});
  EXPECT_TRUE(Ok(d.RetrieveMap("u", "m")).empty());
  EXPECT_FALSE(Ok(d.DeleteMapEntry("u", "m", "k"))) << "no map to remove from";
  Ok(d.ClearMap("u", "m"));
  Ok(d.DeleteMap("u", "m"));
  // createMap has no effect: the map exists from its first entry.
  Ok(d.CreateMap("u", "m"));
  EXPECT_EQ(Ok(d.ListMaps("u", 0, 100)), Strings{});
  EXPECT_FALSE(Ok(d.DeleteMapEntry("u", "m", "k")));
  Ok(d.PutMapEntry("u", "m", "k2", "v2"));
  Ok(d.PutMapEntry("u", "m", "k1", "v1"));
  Ok(d.PutMapEntry("u", "m", "k3", ""));
  EXPECT_EQ(Ok(d.ListMaps("u", 0, 100)), Strings{"m"});
  EXPECT_EQ(Ok(d.GetMapEntry("u", "m", "k1")), "v1");
  EXPECT_EQ(Ok(d.GetMapEntry("u", "m", "k3")), "");
  EXPECT_EQ(Ok(d.GetMapEntry("u", "m", "nope")), std::nullopt);
  EXPECT_TRUE(Ok(d.ContainsMapKey("u", "m", "k2")));
  EXPECT_EQ(Ok(d.GetMapKeys("u", "m")), (Strings{"k1", "k2", "k3"}));
  using Entries = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(Ok(d.RetrieveMap("u", "m")), (Entries{{"k1", "v1"}, {"k2", "v2"}, {"k3", ""}}));
  Ok(d.PutMapEntry("u", "m", "k1", "v1b"));
  EXPECT_EQ(Ok(d.GetMapEntry("u", "m", "k1")), "v1b");
  EXPECT_TRUE(Ok(d.DeleteMapEntry("u", "m", "k2")));
  EXPECT_FALSE(Ok(d.ContainsMapKey("u", "m", "k2")));
  EXPECT_TRUE(Ok(d.DeleteMapEntry("u", "m", "k2"))) << "the map exists: removal succeeds";
  // Cleared: empty, still listed.
  Ok(d.ClearMap("u", "m"));
  EXPECT_EQ(Ok(d.GetMapKeys("u", "m")), Strings{});
  EXPECT_EQ(Ok(d.ListMaps("u", 0, 100)), Strings{"m"});
  EXPECT_TRUE(Ok(d.DeleteMapEntry("u", "m", "k1")));
  Ok(d.PutMapEntry("u", "m", "k", "v"));
  Ok(d.DeleteMap("u", "m"));
  EXPECT_EQ(Ok(d.ListMaps("u", 0, 100)), Strings{});
  EXPECT_EQ(Ok(d.GetMapEntry("u", "m", "k")), std::nullopt);
  EXPECT_FALSE(Ok(d.DeleteMapEntry("u", "m", "k")));
}

TYPED_TEST(DataLayerTest, MapNamesNeverMixTheirEntries) {
  DataLayer& d = *this->layer_;
  for (const char* map : {"", "a", "a/b", "a%2Fb", "a/", "/"}) {
    Ok(d.PutMapEntry("u", map, "k", std::string("in ") + map));
  }
  Ok(d.PutMapEntry("u", "a", "b/k", "nested-looking key"));
  for (const char* map : {"", "a/b", "a%2Fb", "a/", "/"}) {
    using Entries = std::vector<std::pair<std::string, std::string>>;
    EXPECT_EQ(Ok(d.RetrieveMap("u", map)), (Entries{{"k", std::string("in ") + map}})) << map;
  }
  EXPECT_EQ(Ok(d.GetMapKeys("u", "a")), (Strings{"b/k", "k"}));
  EXPECT_EQ(Ok(d.ListMaps("u", 0, 100)), (Strings{"", "/", "a", "a%2Fb", "a/", "a/b"}));
  Ok(d.DeleteMap("u", "a"));
  EXPECT_EQ(Ok(d.GetMapEntry("u", "a/b", "k")), "in a/b");
  EXPECT_EQ(Ok(d.ListMaps("u", 0, 100)), (Strings{"", "/", "a%2Fb", "a/", "a/b"}));
}

TYPED_TEST(DataLayerTest, Sets) {
  DataLayer& d = *this->layer_;
  EXPECT_FALSE(Ok(d.ContainsSetItem("u", "s", "i")));
  EXPECT_EQ(Ok(d.RetrieveSet("u", "s")), Strings{});
  EXPECT_FALSE(Ok(d.RemoveSetEntry("u", "s", "i"))) << "no set to remove from";
  Ok(d.ClearSet("u", "s"));
  Ok(d.DeleteSet("u", "s"));
  Ok(d.CreateSet("u", "s"));
  EXPECT_EQ(Ok(d.ListSets("u", 0, 100)), Strings{});
  Ok(d.AddSetEntry("u", "s", "b"));
  Ok(d.AddSetEntry("u", "s", "a"));
  Ok(d.AddSetEntry("u", "s", "a"));
  EXPECT_EQ(Ok(d.ListSets("u", 0, 100)), Strings{"s"});
  EXPECT_EQ(Ok(d.RetrieveSet("u", "s")), (Strings{"a", "b"}));
  EXPECT_TRUE(Ok(d.ContainsSetItem("u", "s", "a")));
  EXPECT_TRUE(Ok(d.RemoveSetEntry("u", "s", "a")));
  EXPECT_FALSE(Ok(d.ContainsSetItem("u", "s", "a")));
  EXPECT_TRUE(Ok(d.RemoveSetEntry("u", "s", "a"))) << "the set exists: removal succeeds";
  Ok(d.ClearSet("u", "s"));
  EXPECT_EQ(Ok(d.RetrieveSet("u", "s")), Strings{});
  EXPECT_EQ(Ok(d.ListSets("u", 0, 100)), Strings{"s"}) << "a cleared set still exists";
  Ok(d.AddSetEntry("u", "s", "c"));
  Ok(d.DeleteSet("u", "s"));
  EXPECT_EQ(Ok(d.ListSets("u", 0, 100)), Strings{});
  EXPECT_FALSE(Ok(d.ContainsSetItem("u", "s", "c")));
  EXPECT_FALSE(Ok(d.RemoveSetEntry("u", "s", "c")));
}

TYPED_TEST(DataLayerTest, Counters) {
  DataLayer& d = *this->layer_;
  EXPECT_EQ(Ok(d.GetCounter("u", "c")), 0);
  EXPECT_EQ(Ok(d.ListCounters("u", 0, 100)), Strings{}) << "reading does not create";
  EXPECT_EQ(Ok(d.IncrementCounter("u", "c", 5)), 5) << "incrementing a missing counter";
  EXPECT_EQ(Ok(d.ListCounters("u", 0, 100)), Strings{"c"});
  EXPECT_FALSE(Ok(d.CreateCounter("u", "c", 7))) << "exists with a value other than 0";
  EXPECT_EQ(Ok(d.GetCounter("u", "c")), 5);
  EXPECT_EQ(Ok(d.DecrementCounter("u", "c", 5)), 0);
  EXPECT_TRUE(Ok(d.CreateCounter("u", "c", 7))) << "KNIX: holding 0, create succeeds";
  EXPECT_EQ(Ok(d.GetCounter("u", "c")), 7);
  EXPECT_EQ(Ok(d.DecrementCounter("u", "c", 10)), -3);
  EXPECT_EQ(Ok(d.IncrementCounter("u", "c", -2)), -5);
  EXPECT_TRUE(Ok(d.CreateCounter("u", "fresh", -4)));
  EXPECT_EQ(Ok(d.GetCounter("u", "fresh")), -4);
  EXPECT_TRUE(Ok(d.CreateCounter("u", "zero", 0)));
  EXPECT_EQ(Ok(d.ListCounters("u", 0, 100)), (Strings{"c", "fresh", "zero"}));
  Ok(d.DeleteCounter("u", "c"));
  Ok(d.DeleteCounter("u", "never"));
  EXPECT_EQ(Ok(d.GetCounter("u", "c")), 0);
  EXPECT_EQ(Ok(d.ListCounters("u", 0, 100)), (Strings{"fresh", "zero"}));
}

TYPED_TEST(DataLayerTest, CounterOverflowChangesNothing) {
  DataLayer& d = *this->layer_;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  ASSERT_TRUE(Ok(d.CreateCounter("u", "c", kMax - 1)));
  EXPECT_EQ(Ok(d.IncrementCounter("u", "c", 1)), kMax);
  auto over = d.IncrementCounter("u", "c", 1);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().error, kCounterOverflow);
  EXPECT_EQ(Ok(d.GetCounter("u", "c")), kMax);
  auto under = d.DecrementCounter("u", "m", kMin);  // 0 - INT64_MIN
  ASSERT_FALSE(under.ok());
  EXPECT_EQ(under.error().error, kCounterOverflow);
  EXPECT_EQ(Ok(d.ListCounters("u", 0, 100)), Strings{"c"});
  EXPECT_EQ(Ok(d.DecrementCounter("u", "m", kMax)), -kMax);
  EXPECT_EQ(Ok(d.DecrementCounter("u", "m", 1)), kMin);
}

TYPED_TEST(DataLayerTest, ConcurrentIncrementsLoseNothing) {
  DataLayer& d = *this->layer_;
  constexpr int kThreads = 8;
  constexpr int kEach = 150;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Half the threads add 3 and subtract 1, the others add 1; each also creates the
        // counter at 0 first (a no-op unless it is missing or holds 0).
        bool ok = true;
        if (i == 0) ok = d.CreateCounter("u", "c", 0).ok();
        if (t % 2 == 0) {
          ok = ok && d.IncrementCounter("u", "c", 3).ok() && d.DecrementCounter("u", "c", 1).ok();
        } else {
          ok = ok && d.IncrementCounter("u", "c", 1).ok();
        }
        if (!ok) ++failures[t];
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
  // Every thread's contribution, none lost.
  EXPECT_EQ(Ok(d.GetCounter("u", "c")),
            int64_t{kThreads / 2} * kEach * 2 + int64_t{kThreads / 2} * kEach * 1);
}

// A store where another writer slips in between a counter's read and its compare-and-set:
// the first `races` reads of a counter record are each followed by a write of that record's
// value + 100 straight to the store, so the write that follows the read must fail and retry.
class RacingStore : public store::FaultInjectingStore {
 public:
  RacingStore(std::unique_ptr<store::Store> inner, int races)
      : FaultInjectingStore(std::move(inner), store::StoreFaults{}), races_(races) {}

  Result<std::optional<std::string>> GetRecord(std::string_view kind,
                                               std::string_view key) override {
    auto got = FaultInjectingStore::GetRecord(kind, key);
    if (kind == kDataCounterKind && races_ > 0 && got.ok()) {
      --races_;
      int64_t value = *got ? std::stoll(**got) : 0;
      EXPECT_TRUE(WriteRecords({store::RecordWrite::Put(std::string(kind), std::string(key),
                                                        std::to_string(value + 100))})
                      .ok());
    }
    return got;
  }

 private:
  int races_;
};

TEST(DataLayerRaceTest, ALostCompareAndSetIsRetried) {
  RacingStore store(std::make_unique<store::MemoryStore>(), 3);
  DataLayer d(&store);
  // Three reads are raced (+100 each); the fourth attempt wins.
  EXPECT_EQ(Ok(d.IncrementCounter("u", "c", 1)), 301);
  EXPECT_EQ(Ok(d.GetCounter("u", "c")), 301);
  RacingStore store2(std::make_unique<store::MemoryStore>(), 1);
  DataLayer d2(&store2);
  // Create finds the counter missing, loses to a writer that sets it to 100, retries, and then
  // refuses (the counter holds a value other than 0), leaving the other writer's value.
  EXPECT_FALSE(Ok(d2.CreateCounter("u", "c", 5)));
  EXPECT_EQ(Ok(d2.GetCounter("u", "c")), 100);
}

TYPED_TEST(DataLayerTest, ScopesAreKeptApart) {
  DataLayer& d = *this->layer_;
  // Scopes that are prefixes of each other, or that hold the layout's separator or escape.
  const Strings scopes = {"u", "u/", "u/x", "u%2Fx", "u%", "", "uu"};
  for (const std::string& scope : scopes) {
    Ok(d.Put(scope, "k", "v of " + scope));
    Ok(d.PutMapEntry(scope, "m", "k", "m of " + scope));
    Ok(d.AddSetEntry(scope, "s", "i of " + scope));
    EXPECT_EQ(Ok(d.IncrementCounter(scope, "c", 1)), 1) << scope;
  }
  for (const std::string& scope : scopes) {
    EXPECT_EQ(Ok(d.Get(scope, "k")), "v of " + scope);
    EXPECT_EQ(Ok(d.ListKeys(scope, 0, 100)), Strings{"k"}) << scope;
    EXPECT_EQ(Ok(d.ListMaps(scope, 0, 100)), Strings{"m"}) << scope;
    EXPECT_EQ(Ok(d.GetMapKeys(scope, "m")), Strings{"k"}) << scope;
    EXPECT_EQ(Ok(d.GetMapEntry(scope, "m", "k")), "m of " + scope);
    EXPECT_EQ(Ok(d.RetrieveSet(scope, "s")), Strings{"i of " + scope});
    EXPECT_EQ(Ok(d.ListSets(scope, 0, 100)), Strings{"s"}) << scope;
    EXPECT_EQ(Ok(d.ListCounters(scope, 0, 100)), Strings{"c"}) << scope;
    EXPECT_EQ(Ok(d.GetCounter(scope, "c")), 1) << scope;
  }
  Ok(d.DeleteScope("u/"));
  EXPECT_EQ(Ok(d.Get("u/", "k")), std::nullopt);
  EXPECT_EQ(Ok(d.ListMaps("u/", 0, 100)), Strings{});
  EXPECT_EQ(Ok(d.GetMapEntry("u/", "m", "k")), std::nullopt);
  EXPECT_EQ(Ok(d.RetrieveSet("u/", "s")), Strings{});
  EXPECT_EQ(Ok(d.ListCounters("u/", 0, 100)), Strings{});
  for (const std::string& scope : scopes) {
    if (scope == "u/") continue;
    EXPECT_EQ(Ok(d.Get(scope, "k")), "v of " + scope);
    EXPECT_EQ(Ok(d.GetMapEntry(scope, "m", "k")), "m of " + scope);
    EXPECT_EQ(Ok(d.RetrieveSet(scope, "s")), Strings{"i of " + scope});
    EXPECT_EQ(Ok(d.GetCounter(scope, "c")), 1) << scope;
  }
}

TYPED_TEST(DataLayerTest, RecordLayoutIsTheDocumentedOne) {
  DataLayer& d = *this->layer_;
  Ok(d.Put("us/er", "k", "v"));
  Ok(d.PutMapEntry("us/er", "m/1", "e", "x"));
  Ok(d.AddSetEntry("us/er", "s%", "i"));
  ASSERT_TRUE(Ok(d.CreateCounter("us/er", "c", 42)));
  store::Store& s = *this->store_;
  EXPECT_EQ(Ok(s.GetRecord("knix.data.kv", "us%2Fer/k")), "\"v\"");
  EXPECT_EQ(Ok(s.GetRecord("knix.data.map", "us%2Fer/m/1")), "{}");
  EXPECT_EQ(Ok(s.GetRecord("knix.data.mapentry", "us%2Fer/m%2F1/e")), "\"x\"");
  EXPECT_EQ(Ok(s.GetRecord("knix.data.set", "us%2Fer/s%")), "{}");
  EXPECT_EQ(Ok(s.GetRecord("knix.data.setitem", "us%2Fer/s%25/i")), "{}");
  EXPECT_EQ(Ok(s.GetRecord("knix.data.counter", "us%2Fer/c")), "42");
}

TEST(DataLayerSqliteTest, SurvivesReopen) {
  SqliteFactory factory;
  {
    auto store = factory.Open();
    DataLayer d(store.get());
    Ok(d.Put("u", "k", "v"));
    Ok(d.PutMapEntry("u", "m", "k", "mv"));
    Ok(d.AddSetEntry("u", "s", "i"));
    ASSERT_TRUE(Ok(d.CreateCounter("u", "c", 3)));
    EXPECT_EQ(Ok(d.IncrementCounter("u", "c", 4)), 7);
    Ok(d.Put("w", "k", "private"));
  }
  auto store = factory.Open();
  DataLayer d(store.get());
  EXPECT_EQ(Ok(d.Get("u", "k")), "v");
  EXPECT_EQ(Ok(d.GetMapEntry("u", "m", "k")), "mv");
  EXPECT_EQ(Ok(d.ListMaps("u", 0, 10)), Strings{"m"});
  EXPECT_EQ(Ok(d.RetrieveSet("u", "s")), Strings{"i"});
  EXPECT_EQ(Ok(d.GetCounter("u", "c")), 7);
  EXPECT_EQ(Ok(d.IncrementCounter("u", "c", 1)), 8);
  EXPECT_EQ(Ok(d.Get("w", "k")), "private");
}

}  // namespace
}  // namespace stator::knix
