// Records (Store::WriteRecords, GetRecord, ListRecords): the part of the one store suite that
// every implementation runs for the front doors' catalogues.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"
#include "store/store_test_util.h"

namespace stator::store {
namespace {

using test_util::Implementations;
using test_util::Names;
using test_util::SqliteFactory;
using Condition = RecordWrite::Condition;

template <class F>
class RecordStoreTest : public ::testing::Test {
 public:
  void SetUp() override { store_ = factory_.Make(); }

  std::optional<std::string> Get(const std::string& kind, const std::string& key) {
    auto got = store_->GetRecord(kind, key);
    EXPECT_TRUE(got.ok()) << (got.ok() ? "" : got.error().cause);
    return got.ok() ? *got : std::nullopt;
  }
  std::vector<std::string> Keys(const std::string& kind, const std::string& prefix,
                                const std::string& after = "", int limit = 100,
                                std::string* next = nullptr) {
    auto page = store_->ListRecords(kind, prefix, after, limit);
    EXPECT_TRUE(page.ok());
    std::vector<std::string> keys;
    if (!page.ok()) return keys;
    for (const Record& r : page->items) {
      EXPECT_EQ(r.kind, kind);
      keys.push_back(r.key);
    }
    if (next) *next = page->next;
    return keys;
  }

  F factory_;
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE(RecordStoreTest, Implementations, Names);

TYPED_TEST(RecordStoreTest, PutGetReplaceDelete) {
  EXPECT_EQ(this->Get("k", "a"), std::nullopt);
  ASSERT_TRUE(this->store_->WriteRecords({RecordWrite::Put("k", "a", "1")}).ok());
  EXPECT_EQ(this->Get("k", "a"), "1");
  ASSERT_TRUE(this->store_->WriteRecords({RecordWrite::Put("k", "a", "2")}).ok());
  EXPECT_EQ(this->Get("k", "a"), "2");
  EXPECT_EQ(this->Get("other", "a"), std::nullopt) << "kinds are separate namespaces";
  ASSERT_TRUE(this->store_->WriteRecords({RecordWrite::Delete("k", "a")}).ok());
  EXPECT_EQ(this->Get("k", "a"), std::nullopt);
  // Deleting what is not there is not an error.
  EXPECT_TRUE(this->store_->WriteRecords({RecordWrite::Delete("k", "a")}).ok());
}

TYPED_TEST(RecordStoreTest, ConditionsHoldOrNothingIsWritten) {
  ASSERT_TRUE(
      this->store_->WriteRecords({RecordWrite::Put("k", "a", "1", Condition::kAbsent)}).ok());
  // A batch whose second write's condition fails leaves the first unwritten too.
  Status s = this->store_->WriteRecords({RecordWrite::Put("k", "b", "new"),
                                         RecordWrite::Put("k", "a", "again", Condition::kAbsent),
                                         RecordWrite::Put("k", "c", "new")});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().error, kConditionFailed);
  EXPECT_EQ(s.error().cause, "k/a");
  EXPECT_EQ(this->Get("k", "a"), "1");
  EXPECT_EQ(this->Get("k", "b"), std::nullopt);
  EXPECT_EQ(this->Get("k", "c"), std::nullopt);

  EXPECT_FALSE(
      this->store_->WriteRecords({RecordWrite::Put("k", "x", "v", Condition::kPresent)}).ok());
  EXPECT_EQ(this->Get("k", "x"), std::nullopt);
  EXPECT_TRUE(
      this->store_->WriteRecords({RecordWrite::Put("k", "a", "2", Condition::kPresent)}).ok());

  RecordWrite cas = RecordWrite::IfEquals("k", "a", "3", "1");
  EXPECT_FALSE(this->store_->WriteRecords({cas}).ok()) << "the value is 2, not 1";
  cas.expected = "2";
  EXPECT_TRUE(this->store_->WriteRecords({cas}).ok());
  EXPECT_EQ(this->Get("k", "a"), "3");
  // kEquals on a missing record fails; a conditional delete works.
  EXPECT_FALSE(this->store_->WriteRecords({RecordWrite::IfEquals("k", "m", "v", "")}).ok());
  EXPECT_TRUE(
      this->store_->WriteRecords({RecordWrite::IfEquals("k", "a", std::nullopt, "3")}).ok());
  EXPECT_EQ(this->Get("k", "a"), std::nullopt);
}

TYPED_TEST(RecordStoreTest, LaterWritesInABatchSeeEarlierOnes) {
  // Create, then compare-and-set what was just created, then delete it and create it again.
  Status s = this->store_->WriteRecords({RecordWrite::Put("k", "a", "1", Condition::kAbsent),
                                         RecordWrite::IfEquals("k", "a", "2", "1"),
                                         RecordWrite::Delete("k", "a", Condition::kPresent),
                                         RecordWrite::Put("k", "a", "4", Condition::kAbsent)});
  ASSERT_TRUE(s.ok()) << s.error().cause;
  EXPECT_EQ(this->Get("k", "a"), "4");
  // A repeated create in one batch fails the batch.
  s = this->store_->WriteRecords({RecordWrite::Put("k", "b", "1", Condition::kAbsent),
                                  RecordWrite::Put("k", "b", "2", Condition::kAbsent)});
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(this->Get("k", "b"), std::nullopt);
}

TYPED_TEST(RecordStoreTest, ListByPrefixInKeyOrderWithPages) {
  std::vector<RecordWrite> writes;
  for (const char* key : {"u1/b", "u1/a", "u2/a", "u1/c", "u10/a", "u0", "u1"}) {
    writes.push_back(RecordWrite::Put("k", key, std::string("v-") + key));
  }
  writes.push_back(RecordWrite::Put("other", "u1/z", "x"));
  ASSERT_TRUE(this->store_->WriteRecords(writes).ok());
  EXPECT_EQ(this->Keys("k", "u1/"), (std::vector<std::string>{"u1/a", "u1/b", "u1/c"}));
  EXPECT_EQ(this->Keys("k", "u1"),
            (std::vector<std::string>{"u1", "u1/a", "u1/b", "u1/c", "u10/a"}));
  EXPECT_EQ(this->Keys("k", "").size(), 7u);
  EXPECT_TRUE(this->Keys("k", "u3").empty());
  EXPECT_TRUE(this->Keys("none", "").empty());

  std::string next;
  EXPECT_EQ(this->Keys("k", "u1/", "", 2, &next), (std::vector<std::string>{"u1/a", "u1/b"}));
  EXPECT_EQ(next, "u1/b");
  EXPECT_EQ(this->Keys("k", "u1/", next, 2, &next), (std::vector<std::string>{"u1/c"}));
  EXPECT_EQ(next, "");
  // A page that ends exactly at the last match says so.
  EXPECT_EQ(this->Keys("k", "u1/", "", 3, &next).size(), 3u);
  EXPECT_EQ(next, "");
  // `after` before the prefix starts at the prefix.
  EXPECT_EQ(this->Keys("k", "u2", "a"), (std::vector<std::string>{"u2/a"}));

  auto page = this->store_->ListRecords("k", "u2/", "", 10);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0], (Record{"k", "u2/a", "v-u2/a"}));
}

TYPED_TEST(RecordStoreTest, ValuesRoundTripBytes) {
  std::string value("a\0b\xff\xc3\xa9\n\"{}", 10);
  ASSERT_TRUE(this->store_->WriteRecords({RecordWrite::Put("k", "key \xc3\xa9", value)}).ok());
  EXPECT_EQ(this->Get("k", "key \xc3\xa9"), value);
}

TYPED_TEST(RecordStoreTest, ConcurrentCompareAndSetLosesNoIncrement) {
  ASSERT_TRUE(this->store_->WriteRecords({RecordWrite::Put("k", "n", "0")}).ok());
  constexpr int kThreads = 4, kEach = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this] {
      for (int i = 0; i < kEach;) {
        auto got = this->store_->GetRecord("k", "n");
        ASSERT_TRUE(got.ok() && got->has_value());
        std::string next = std::to_string(std::stoi(**got) + 1);
        Status s = this->store_->WriteRecords({RecordWrite::IfEquals("k", "n", next, **got)});
        if (s.ok()) {
          ++i;
        } else {
          ASSERT_EQ(s.error().error, kConditionFailed);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(this->Get("k", "n"), std::to_string(kThreads * kEach));
}

TEST(SqliteRecordStoreTest, RecordsSurviveReopen) {
  SqliteFactory f;
  {
    auto store = f.Open();
    ASSERT_TRUE(
        store->WriteRecords({RecordWrite::Put("knix.users", "a@b", "{\"name\":\"a\"}")}).ok());
  }
  auto store = f.Open();
  auto got = store->GetRecord("knix.users", "a@b");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, "{\"name\":\"a\"}");
}

}  // namespace
}  // namespace stator::store
