// Durability of the embedded DynamoDB with a data dir: group commit, acknowledgement after
// durability, reads ordered after the writes they could see, drain on destruction, and the
// sticky error of a failed commit.
#include "dynamodb/service.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "common/sqlite.h"
#include "common/test_util.h"
namespace stator::dynamodb {
namespace {

using namespace std::chrono_literals;

using stator::testing::J;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/stator-ddb-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Thread t's item i ("p<t>-<i>"), or its counter item ("c<t>") for i = -1.
std::string Pk(int t, int i) {
  std::string pk(i < 0 ? "c" : "p");
  pk += std::to_string(t);
  if (i >= 0) pk += "-" + std::to_string(i);
  return pk;
}

std::unique_ptr<Service> OpenService(const std::string& dir) {
  Service::Options options;
  options.data_dir = dir;
  auto s = Service::Open(options);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().cause);
  return s.ok() ? std::move(*s) : nullptr;
}

void CreateTable(Service* s) {
  Service::Response r =
      s->Call("CreateTable",
              J(R"({"TableName": "tbl", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST"})"));
  ASSERT_EQ(r.status, 200) << r.body.Dump();
}

json::Value PutRequest(const std::string& pk, int64_t v) {
  return J(R"({"TableName": "tbl", "Item": {"pk": {"S": ")" + pk + R"("}, "v": {"N": ")" +
           std::to_string(v) + R"("}}})");
}

json::Value GetRequest(const std::string& pk) {
  return J(R"({"TableName": "tbl", "Key": {"pk": {"S": ")" + pk + R"("}}})");
}

// The number in attribute `attr` of item pk, or -1 when there is no such item.
int64_t Value(Service* s, const std::string& pk, const char* attr = "v") {
  Service::Response r = s->Call("GetItem", GetRequest(pk));
  EXPECT_EQ(r.status, 200) << r.body.Dump();
  const json::Value* item = r.body.Find("Item");
  if (!item) return -1;
  const json::Value* a = item->Find(attr);
  if (!a) return -2;
  return std::stoll(a->Find("N")->as_string());
}

TEST(ServiceDurabilityTest, ConcurrentWritesAreDurableWhenAcknowledged) {
  TempDir dir;
  constexpr int kThreads = 8;
  constexpr int kWrites = 150;
  {
    auto s = OpenService(dir.path());
    CreateTable(s.get());
    std::atomic<int> failures{0};
    // A reader on its own thread: the value it last saw acknowledged must be readable.
    std::atomic<int64_t> acknowledged{-1};
    std::atomic<bool> writing{true};
    std::atomic<int> stale_reads{0};
    std::thread reader([&] {
      while (writing.load()) {
        int64_t seen = acknowledged.load();
        if (seen < 0) continue;
        if (Value(s.get(), "latest") < seen) stale_reads.fetch_add(1);
      }
    });
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kWrites; ++i) {
          std::string pk = Pk(t, i);
          if (s->Call("PutItem", PutRequest(pk, i)).status != 200) failures.fetch_add(1);
          Service::Response u =
              s->Call("UpdateItem", J(R"({"TableName": "tbl", "Key": {"pk": {"S": ")" + Pk(t, -1) +
                                      R"("}}, "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}})"));
          if (u.status != 200) failures.fetch_add(1);
          if (t == 0) {
            // Monotonic: only thread 0 writes "latest", then publishes what was acknowledged.
            if (s->Call("PutItem", PutRequest("latest", i)).status != 200) failures.fetch_add(1);
            acknowledged.store(i);
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    writing.store(false);
    reader.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(stale_reads.load(), 0);
    // A transaction's writes go in together.
    Service::Response tx = s->Call("TransactWriteItems", J(R"({"TransactItems": [
        {"Put": {"TableName": "tbl", "Item": {"pk": {"S": "tx1"}, "v": {"N": "1"}}}},
        {"Put": {"TableName": "tbl", "Item": {"pk": {"S": "tx2"}, "v": {"N": "2"}}}}]})"));
    EXPECT_EQ(tx.status, 200) << tx.body.Dump();
  }
  auto s = OpenService(dir.path());
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kWrites; ++i) {
      ASSERT_EQ(Value(s.get(), Pk(t, i)), i);
    }
    EXPECT_EQ(Value(s.get(), Pk(t, -1), "n"), kWrites);
  }
  EXPECT_EQ(Value(s.get(), "latest"), kWrites - 1);
  EXPECT_EQ(Value(s.get(), "tx1"), 1);
  EXPECT_EQ(Value(s.get(), "tx2"), 2);
}

TEST(ServiceDurabilityTest, DestructorCommitsPendingWritesAndAnswersThem) {
  TempDir dir;
  constexpr int kThreads = 4;
  constexpr int kWrites = 250;
  std::atomic<int> ok{0}, answered{0};
  {
    auto s = OpenService(dir.path());
    CreateTable(s.get());
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kWrites; ++i) {
          s->CallAsync("PutItem", PutRequest(Pk(t, i), i), [&](Service::Response r) {
            if (r.status == 200) ok.fetch_add(1);
            answered.fetch_add(1);
          });
        }
      });
    }
    for (auto& th : threads) th.join();
    // Most of these are still pending here: the destructor must commit and answer them.
  }
  EXPECT_EQ(answered.load(), kThreads * kWrites);
  EXPECT_EQ(ok.load(), kThreads * kWrites);
  auto s = OpenService(dir.path());
  Service::Response d = s->Call("DescribeTable", J(R"({"TableName": "tbl"})"));
  EXPECT_EQ(d.body.Find("Table")->Find("ItemCount")->as_int(), kThreads * kWrites);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kWrites; ++i) {
      ASSERT_EQ(Value(s.get(), Pk(t, i)), i);
    }
  }
}

TEST(ServiceDurabilityTest, InMemoryAnswersAtOnce) {
  auto s = OpenService("");
  CreateTable(s.get());
  bool answered = false;
  s->CallAsync("PutItem", PutRequest("a", 1), [&](Service::Response r) {
    EXPECT_EQ(r.status, 200);
    answered = true;
  });
  EXPECT_TRUE(answered);  // before CallAsync returned
  EXPECT_EQ(Value(s.get(), "a"), 1);
}

// Another connection holds SQLite's write lock, so the writer's BEGIN IMMEDIATE fails with
// SQLITE_BUSY once the busy timeout (5 s) has passed: a real commit failure, no fault hook.
TEST(ServiceDurabilityTest, FailedCommitIsStickyAndNothingUndurableIsAnswered) {
  TempDir dir;
  {
    auto s = OpenService(dir.path());
    CreateTable(s.get());
    ASSERT_EQ(s->Call("PutItem", PutRequest("a", 1)).status, 200);
    EXPECT_TRUE(s->health().ok());

    auto opened = sqlite::Database::Open(dir.path() + "/dynamodb.sqlite", sqlite::Options());
    ASSERT_TRUE(opened.ok()) << opened.error().cause;
    std::unique_ptr<sqlite::Database> other = std::move(opened).value();
    ASSERT_TRUE(other->Exec("BEGIN EXCLUSIVE").ok());

    std::promise<Service::Response> put_p, get_p;
    auto put_f = put_p.get_future(), get_f = get_p.get_future();
    s->CallAsync("PutItem", PutRequest("b", 2),
                 [&](Service::Response r) { put_p.set_value(std::move(r)); });
    // A read that sees "b" (applied in memory) must wait until "b" is durable...
    s->CallAsync("GetItem", GetRequest("b"),
                 [&](Service::Response r) { get_p.set_value(std::move(r)); });
    EXPECT_EQ(put_f.wait_for(300ms), std::future_status::timeout);
    EXPECT_EQ(get_f.wait_for(0ms), std::future_status::timeout);
    // ...and, since it never will be, both get InternalServerError (HTTP 500).
    ASSERT_EQ(put_f.wait_for(30s), std::future_status::ready);
    ASSERT_EQ(get_f.wait_for(30s), std::future_status::ready);
    Service::Response put = put_f.get(), get = get_f.get();
    EXPECT_EQ(put.status, 500);
    EXPECT_EQ(put.error_code, "InternalServerError");
    EXPECT_EQ(put.body.Find("__type")->as_string(),
              "com.amazonaws.dynamodb.v20120810#InternalServerError");
    EXPECT_NE(put.error_message.find("database is locked"), std::string::npos) << put.error_message;
    EXPECT_EQ(get.status, 500);
    EXPECT_FALSE(get.body.Find("Item"));

    ASSERT_TRUE(other->Exec("ROLLBACK").ok());
    other.reset();
    ASSERT_FALSE(s->health().ok());  // the server reports it (GET /health)
    EXPECT_NE(s->health().error().cause.find("database is locked"), std::string::npos);
    // Sticky: the lock is gone, yet every later write is refused (and nothing is applied).
    Service::Response c = s->Call("PutItem", PutRequest("c", 3));
    EXPECT_EQ(c.status, 500);
    EXPECT_EQ(c.error_code, "InternalServerError");
    Service::Response t = s->Call(
        "CreateTable",
        J(R"({"TableName": "tbl2", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
              "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
              "BillingMode": "PAY_PER_REQUEST"})"));
    EXPECT_EQ(t.status, 500);
    // A read could see "b", which is not on disk: refused too, at once.
    EXPECT_EQ(s->Call("GetItem", GetRequest("a")).status, 500);
  }
  // After a restart only what was acknowledged is there, and writes work again.
  auto s = OpenService(dir.path());
  EXPECT_TRUE(s->health().ok());
  EXPECT_EQ(Value(s.get(), "a"), 1);
  EXPECT_EQ(Value(s.get(), "b"), -1);
  EXPECT_EQ(Value(s.get(), "c"), -1);
  EXPECT_EQ(s->Call("DescribeTable", J(R"({"TableName": "tbl2"})")).status, 400);
  EXPECT_EQ(s->Call("PutItem", PutRequest("d", 4)).status, 200);
  EXPECT_EQ(Value(s.get(), "d"), 4);
}

}  // namespace
}  // namespace stator::dynamodb
