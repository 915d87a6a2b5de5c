// The one test suite every Store implementation must pass (typed over the implementations in
// store_test_util.h): state machines, versions and tags. Executions: execution_store_test.cc.
#include "store/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "common/sqlite.h"
#include "store/memory_store.h"
#include "store/sqlite_store.h"
#include "store/store_test_util.h"

namespace stator::store {
namespace {

using test_util::Implementations;
using test_util::Names;
using test_util::SqliteFactory;

template <class F>
class StoreTest : public ::testing::Test {
 public:
  void SetUp() override { store_ = factory_.Make(); }

  static StateMachine Machine(const std::string& name, int64_t created = 1000) {
    StateMachine m;
    m.arn = "arn:aws:states:us-east-1:123456789012:stateMachine:" + name;
    m.name = name;
    m.type = StateMachineType::kStandard;
    m.config.definition = R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})";
    m.config.role_arn = "arn:aws:iam::123456789012:role/r";
    m.config.logging_configuration = R"({"level":"OFF","includeExecutionData":false})";
    m.config.tracing_configuration = R"({"enabled":false})";
    m.creation_date_ms = created;
    return m;
  }
  StateMachineVersion VersionOf(const StateMachine& m, const std::string& description,
                                int64_t at = 2000) {
    StateMachineVersion v;
    v.state_machine_arn = m.arn;
    v.config = m.config;
    v.description = description;
    v.revision_id = m.revision_id;
    v.creation_date_ms = at;
    return v;
  }

  F factory_;
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE(StoreTest, Implementations, Names);

TYPED_TEST(StoreTest, CreateThenGetReturnsWhatWasStored) {
  StateMachine m = this->Machine("a");
  m.type = StateMachineType::kExpress;
  m.config.encryption_configuration = R"({"type":"AWS_OWNED_KEY"})";
  auto created = this->store_->CreateStateMachine(m, {});
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(created->created);
  EXPECT_EQ(created->machine, m);
  auto got = this->store_->GetStateMachine(m.arn);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, m);
}

TYPED_TEST(StoreTest, GetMissingIsNulloptNotAnError) {
  auto got = this->store_->GetStateMachine("arn:aws:states:us-east-1:1:stateMachine:none");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

TYPED_TEST(StoreTest, CreateExistingReturnsTheExistingMachineUntouched) {
  StateMachine m = this->Machine("a");
  ASSERT_TRUE(this->store_->CreateStateMachine(m, {{"k", "v"}}).ok());
  StateMachine other = m;
  other.config.definition = "{}";
  other.creation_date_ms = 5;
  auto again = this->store_->CreateStateMachine(other, {{"x", "y"}});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->machine, m);
  auto tags = this->store_->ListTags(m.arn);
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(*tags, (std::vector<Tag>{{"k", "v"}}));
}

TYPED_TEST(StoreTest, UpdateReplacesAllFields) {
  StateMachine m = this->Machine("a");
  ASSERT_TRUE(this->store_->CreateStateMachine(m, {}).ok());
  m.config.definition = R"({"Comment":"new"})";
  m.config.role_arn = "arn:aws:iam::123456789012:role/other";
  m.config.tracing_configuration = R"({"enabled":true})";
  m.revision_id = "rev-1";
  m.update_date_ms = 3000;
  ASSERT_TRUE(this->store_->UpdateStateMachine(m).ok());
  auto got = this->store_->GetStateMachine(m.arn);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, m);
}

// Reads between writes (SqliteStore caches machines it has read): every read sees the last
// committed write, also while other threads read the same machine.
TYPED_TEST(StoreTest, ReadsAfterEachWriteSeeIt) {
  StateMachine m = this->Machine("cached");
  ASSERT_TRUE(this->store_->CreateStateMachine(m, {}).ok());
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop.load()) (void)this->store_->GetStateMachine(m.arn);
  });
  for (int i = 0; i < 200; ++i) {
    auto before = this->store_->GetStateMachine(m.arn);
    ASSERT_TRUE(before.ok() && before->has_value());
    m.revision_id = "rev-" + std::to_string(i);
    ASSERT_TRUE(this->store_->UpdateStateMachine(m).ok());
    auto after = this->store_->GetStateMachine(m.arn);
    ASSERT_TRUE(after.ok() && after->has_value());
    EXPECT_EQ((*after)->revision_id, m.revision_id);
  }
  ASSERT_TRUE(this->store_->DeleteStateMachine(m.arn).ok());
  auto gone = this->store_->GetStateMachine(m.arn);
  stop.store(true);
  reader.join();
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
}

TYPED_TEST(StoreTest, UpdateMissingIsNotFound) {
  Status s = this->store_->UpdateStateMachine(this->Machine("gone"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().error, kNotFound);
}

TYPED_TEST(StoreTest, DeleteRemovesMachineVersionsAndTagsAndIsIdempotent) {
  StateMachine m = this->Machine("a");
  ASSERT_TRUE(this->store_->CreateStateMachine(m, {{"k", "v"}}).ok());
  ASSERT_TRUE(this->store_->PublishVersion(this->VersionOf(m, "")).ok());
  ASSERT_TRUE(this->store_->DeleteStateMachine(m.arn).ok());
  auto got = this->store_->GetStateMachine(m.arn);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  auto v = this->store_->GetVersion(m.arn, 1);
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->has_value());
  EXPECT_EQ(this->store_->ListTags(m.arn).error().error, kNotFound);
  EXPECT_TRUE(this->store_->DeleteStateMachine(m.arn).ok());

  // A new machine under the same name starts clean: no old tags, versions numbered from 1.
  ASSERT_TRUE(this->store_->CreateStateMachine(m, {}).ok());
  auto tags = this->store_->ListTags(m.arn);
  ASSERT_TRUE(tags.ok());
  EXPECT_TRUE(tags->empty());
  auto v1 = this->store_->PublishVersion(this->VersionOf(m, ""));
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->version, 1);
}

TYPED_TEST(StoreTest, ListPagesInArnOrder) {
  for (const char* n : {"c", "a", "e", "b", "d"}) {
    ASSERT_TRUE(this->store_->CreateStateMachine(this->Machine(n), {}).ok());
  }
  std::vector<std::string> names;
  std::string after;
  int pages = 0;
  do {
    auto page = this->store_->ListStateMachines(after, 2);
    ASSERT_TRUE(page.ok());
    for (const auto& m : page->items) names.push_back(m.name);
    after = page->next;
    ++pages;
  } while (!after.empty());
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(pages, 3);

  auto all = this->store_->ListStateMachines("", 5);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->items.size(), 5u);
  EXPECT_TRUE(all->next.empty());  // exactly full: no empty last page
}

TYPED_TEST(StoreTest, ListEmpty) {
  auto page = this->store_->ListStateMachines("", 10);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
  EXPECT_TRUE(page->next.empty());
}

TYPED_TEST(StoreTest, PublishNumbersVersionsAndDeduplicatesUnchangedRevision) {
  StateMachine m = this->Machine("a");
  ASSERT_TRUE(this->store_->CreateStateMachine(m, {}).ok());
  auto v1 = this->store_->PublishVersion(this->VersionOf(m, "first"));
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v1->arn(), m.arn + ":1");
  auto again = this->store_->PublishVersion(this->VersionOf(m, "ignored", 9999));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *v1);

  m.revision_id = "rev-2";
  m.config.definition = "{}";
  auto v2 = this->store_->PublishVersion(this->VersionOf(m, "second", 3000));
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->version, 2);
  EXPECT_EQ(v2->config.definition, "{}");

  auto list = this->store_->ListVersions(m.arn);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].version, 2);  // newest first
  EXPECT_EQ((*list)[1], *v1);

  auto got = this->store_->GetVersion(m.arn, 2);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, *v2);
}

TYPED_TEST(StoreTest, VersionNumbersAreNeverReused) {
  StateMachine m = this->Machine("a");
  ASSERT_TRUE(this->store_->CreateStateMachine(m, {}).ok());
  ASSERT_TRUE(this->store_->PublishVersion(this->VersionOf(m, "")).ok());
  m.revision_id = "r2";
  ASSERT_TRUE(this->store_->PublishVersion(this->VersionOf(m, "")).ok());
  ASSERT_TRUE(this->store_->DeleteVersion(m.arn, 2).ok());
  ASSERT_TRUE(this->store_->DeleteVersion(m.arn, 2).ok());  // idempotent
  m.revision_id = "r3";
  auto v = this->store_->PublishVersion(this->VersionOf(m, ""));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->version, 3);
}

TYPED_TEST(StoreTest, PublishForMissingMachineIsNotFound) {
  auto v = this->store_->PublishVersion(this->VersionOf(this->Machine("none"), ""));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().error, kNotFound);
}

TYPED_TEST(StoreTest, TagsKeepFirstSetOrderAndOverwriteValues) {
  StateMachine m = this->Machine("a");
  ASSERT_TRUE(this->store_->CreateStateMachine(m, {{"b", "1"}, {"a", "2"}}).ok());
  ASSERT_TRUE(this->store_->TagResource(m.arn, {{"c", "3"}, {"b", "changed"}}).ok());
  auto tags = this->store_->ListTags(m.arn);
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(*tags, (std::vector<Tag>{{"b", "changed"}, {"a", "2"}, {"c", "3"}}));

  ASSERT_TRUE(this->store_->UntagResource(m.arn, {"a", "not-there"}).ok());
  tags = this->store_->ListTags(m.arn);
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(*tags, (std::vector<Tag>{{"b", "changed"}, {"c", "3"}}));
  ASSERT_TRUE(this->store_->TagResource(m.arn, {{"a", "back"}}).ok());
  tags = this->store_->ListTags(m.arn);
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(tags->back(), (Tag{"a", "back"}));  // a removed key comes back at the end
}

TYPED_TEST(StoreTest, TagOperationsOnMissingResourceAreNotFound) {
  const std::string arn = "arn:aws:states:us-east-1:123456789012:stateMachine:none";
  EXPECT_EQ(this->store_->ListTags(arn).error().error, kNotFound);
  EXPECT_EQ(this->store_->TagResource(arn, {{"k", "v"}}).error().error, kNotFound);
  EXPECT_EQ(this->store_->UntagResource(arn, {"k"}).error().error, kNotFound);
}

TYPED_TEST(StoreTest, TextRoundTripsUnicodeAndNulBytes) {
  StateMachine m = this->Machine("u");
  m.config.definition = std::string("{\"Comment\":\"h\xC3\xA9llo \xF0\x9F\x98\x80\"}");
  m.config.role_arn = std::string("a\0b", 3);
  ASSERT_TRUE(this->store_->CreateStateMachine(m, {}).ok());
  auto got = this->store_->GetStateMachine(m.arn);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->config, m.config);
}

// Every thread gets an answer: one created the machine, the others (the losers of the race)
// succeed with created == false and the stored machine, never an error.
TYPED_TEST(StoreTest, ConcurrentCreatesOfOneNameCreateExactlyOnce) {
  StateMachine m = this->Machine("race");
  constexpr int kThreads = 8;
  std::vector<std::optional<Result<Store::CreateResult>>> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      results[i] = this->store_->CreateStateMachine(m, {{"k", "v"}});
    });
  }
  for (auto& t : threads) t.join();
  int created = 0;
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_TRUE(results[i].has_value());
    const Result<Store::CreateResult>& r = *results[i];
    ASSERT_TRUE(r.ok()) << "thread " << i << ": " << r.error().cause;
    if (r->created) ++created;
    EXPECT_EQ(r->machine, m) << "thread " << i;
  }
  EXPECT_EQ(created, 1);
  auto tags = this->store_->ListTags(m.arn);
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(*tags, (std::vector<Tag>{{"k", "v"}}));
}

// SqliteStore specifics: the schema version table and refusing a newer schema.
TEST(SqliteStoreTest, SurvivesReopen) {
  SqliteFactory f;
  StateMachine m = StoreTest<SqliteFactory>::Machine("a");
  {
    auto store = f.Open();
    ASSERT_TRUE(store->CreateStateMachine(m, {{"k", "v"}}).ok());
    StateMachineVersion v;
    v.state_machine_arn = m.arn;
    v.config = m.config;
    v.description = "d";
    ASSERT_TRUE(store->PublishVersion(v).ok());
  }
  auto store = f.Open();
  auto got = store->GetStateMachine(m.arn);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, m);
  auto v = store->GetVersion(m.arn, 1);
  ASSERT_TRUE(v.ok() && v->has_value());
  EXPECT_EQ((*v)->description, "d");
  auto tags = store->ListTags(m.arn);
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(*tags, (std::vector<Tag>{{"k", "v"}}));
}

TEST(SqliteStoreTest, RecordsSchemaVersionAndRefusesNewerSchema) {
  SqliteFactory f;
  auto path = (f.dir / "stator.db").string();
  int version = 0;
  {
    auto s = SqliteStore::Open(path);
    ASSERT_TRUE(s.ok()) << s.error().cause;
    version = (*s)->schema_version();
    EXPECT_GE(version, 1);
  }
  {  // reopening applies nothing twice (a second CREATE TABLE would fail)
    auto s = SqliteStore::Open(path);
    ASSERT_TRUE(s.ok()) << s.error().cause;
    EXPECT_EQ((*s)->schema_version(), version);
  }
  {  // Pretend a newer build migrated the file.
    auto db = sqlite::Database::Open(path, sqlite::Options());
    ASSERT_TRUE(db.ok()) << db.error().cause;
    Status inserted =
        (*db)->Exec("INSERT INTO schema_version (version, file) VALUES (999, 'v999_x.sql')");
    ASSERT_TRUE(inserted.ok()) << inserted.error().cause;
  }
  auto s = SqliteStore::Open(path);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().cause.find("newer"), std::string::npos);
}

}  // namespace
}  // namespace stator::store
