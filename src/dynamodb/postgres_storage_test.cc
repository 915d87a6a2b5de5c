// DynamoDB on PostgreSQL: two Services on one database act as two nodes of a cluster. What one
// writes the other reads (tables, definitions, items, deletions, a table recreated under its
// name, a cache older than the pruned tombstones); concurrent ADDs through both add up; a
// conditional put raced through both has one winner; a failed commit leaves memory as
// PostgreSQL has it. Item writes are committed in batches (cluster_batch.cc): a batch whose
// commit fails answers every call in it with the error and leaves memory as stored; two nodes
// writing overlapping tables in opposite orders neither hang nor lose or double a write; a read
// on one node right after a write acknowledged by the other sees it. Needs STATOR_TEST_POSTGRES
// (scripts/postgres.sh run ...): each test makes a database of its own there. Without it every test
// is skipped, saying so.
#include "dynamodb/postgres_storage.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/postgres.h"
#include "common/test_util.h"
#include "dynamodb/service.h"

namespace stator::dynamodb {
namespace {

using stator::testing::J;

// A database of its own on the server STATOR_TEST_POSTGRES names, dropped at the end.
class TestDatabase {
 public:
  TestDatabase() {
    const char* server = std::getenv("STATOR_TEST_POSTGRES");
    if (server == nullptr || *server == '\0') return;
    server_ = server;
    name_ = "ddb_test_" + std::to_string(std::random_device{}());
    auto admin = postgres::Connection::Open(server_, {});
    if (!admin.ok()) {
      error_ = admin.error().cause;
      return;
    }
    Status s = (*admin)->Exec("CREATE DATABASE " + name_);
    if (!s.ok()) {
      error_ = s.error().cause;
      return;
    }
    // postgresql://USER@HOST/DB?params: the same with this database.
    size_t slash = server_.find('/', server_.find("://") + 3);
    size_t end = server_.find('?', slash);
    uri_ = server_.substr(0, slash + 1) + name_ +
           (end == std::string::npos ? "" : server_.substr(end));
  }
  ~TestDatabase() {
    if (uri_.empty()) return;
    auto admin = postgres::Connection::Open(server_, {});
    if (admin.ok()) (void)(*admin)->Exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }
  bool configured() const { return !server_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& uri() const { return uri_; }

 private:
  std::string server_, name_, uri_, error_;
};

#define NEED_POSTGRES(db)                                                                      \
  if (!(db).configured())                                                                      \
    GTEST_SKIP() << "STATOR_TEST_POSTGRES is not set (run under scripts/postgres.sh run ...)"; \
  ASSERT_FALSE((db).uri().empty()) << (db).error()

std::unique_ptr<Service> Node(const std::string& uri) {
  Service::Options options;
  options.store_uri = uri;
  auto s = Service::Open(options);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().cause);
  return s.ok() ? std::move(*s) : nullptr;
}

Service::Response Ok(Service* s, const char* op, const json::Value& req) {
  Service::Response r = s->Call(op, req);
  EXPECT_EQ(r.status, 200) << op << ": " << r.body.Dump();
  return r;
}

json::Value CreateRequest(const std::string& table) {
  return J(R"({"TableName": ")" + table + R"(",
      "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"}],
      "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                               {"AttributeName": "sk", "AttributeType": "N"}],
      "BillingMode": "PAY_PER_REQUEST"})");
}

json::Value Key(const std::string& table, const std::string& pk, int sk) {
  return J(R"({"TableName": ")" + table + R"(", "Key": {"pk": {"S": ")" + pk +
           R"("}, "sk": {"N": ")" + std::to_string(sk) + R"("}}})");
}

json::Value Put(const std::string& table, const std::string& pk, int sk, const std::string& v) {
  return J(R"({"TableName": ")" + table + R"(", "Item": {"pk": {"S": ")" + pk +
           R"("}, "sk": {"N": ")" + std::to_string(sk) + R"("}, "v": {"S": ")" + v + R"("}}})");
}

// Attribute v of the item, "" when there is none.
std::string Get(Service* s, const std::string& table, const std::string& pk, int sk) {
  Service::Response r = Ok(s, "GetItem", Key(table, pk, sk));
  const json::Value* item = r.body.Find("Item");
  return item ? item->Find("v")->Find("S")->as_string() : "";
}

int64_t ItemCount(Service* s, const std::string& table) {
  Service::Response r = Ok(s, "DescribeTable", J(R"({"TableName": ")" + table + R"("})"));
  return static_cast<int64_t>(r.body.Find("Table")->Find("ItemCount")->as_double());
}

std::string TableNames(Service* s) {
  Service::Response r = Ok(s, "ListTables", J("{}"));
  std::string out;
  for (const json::Value& n : r.body.Find("TableNames")->as_array()) {
    out += (out.empty() ? "" : ",") + n.as_string();
  }
  return out;
}

TEST(PostgresStorageTest, NodesSeeEachOthersTablesAndItems) {
  TestDatabase db;
  NEED_POSTGRES(db);
  auto a = Node(db.uri());
  auto b = Node(db.uri());
  ASSERT_TRUE(a && b);
  EXPECT_EQ(TableNames(b.get()), "");
  Ok(a.get(), "CreateTable", CreateRequest("tbl"));
  EXPECT_EQ(TableNames(b.get()), "tbl");
  Service::Response dup = b->Call("CreateTable", CreateRequest("tbl"));
  EXPECT_EQ(dup.error_code, "ResourceInUseException");

  for (int i = 0; i < 5; ++i)
    Ok(a.get(), "PutItem", Put("tbl", "p", 4 - i, "v" + std::to_string(i)));
  EXPECT_EQ(Get(b.get(), "tbl", "p", 0), "v4");
  EXPECT_EQ(ItemCount(b.get(), "tbl"), 5);
  Service::Response q = Ok(b.get(), "Query", J(R"({"TableName": "tbl",
      "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p"}}})"));
  const json::Array& items = q.body.Find("Items")->as_array();
  ASSERT_EQ(items.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(items[i].Find("sk")->Find("N")->as_string(), std::to_string(i));
  }

  // A deletion (a tombstone) and an overwrite made on B are seen on A.
  Ok(b.get(), "DeleteItem", Key("tbl", "p", 1));
  Ok(b.get(), "PutItem", Put("tbl", "p", 2, "changed"));
  EXPECT_EQ(Get(a.get(), "tbl", "p", 1), "");
  EXPECT_EQ(Get(a.get(), "tbl", "p", 2), "changed");
  EXPECT_EQ(ItemCount(a.get(), "tbl"), 4);

  // A definition change.
  Ok(b.get(), "UpdateTable", J(R"({"TableName": "tbl", "DeletionProtectionEnabled": true})"));
  Service::Response d = Ok(a.get(), "DescribeTable", J(R"({"TableName": "tbl"})"));
  EXPECT_TRUE(d.body.Find("Table")->Find("DeletionProtectionEnabled")->as_bool());
  Ok(a.get(), "UpdateTable", J(R"({"TableName": "tbl", "DeletionProtectionEnabled": false})"));

  // Deleted on B and recreated on A under the same name: B sees the new, empty table.
  std::string old_id = Ok(b.get(), "DescribeTable", J(R"({"TableName": "tbl"})"))
                           .body.Find("Table")
                           ->Find("TableId")
                           ->as_string();
  Ok(b.get(), "DeleteTable", J(R"({"TableName": "tbl"})"));
  EXPECT_EQ(a->Call("GetItem", Key("tbl", "p", 0)).error_code, "ResourceNotFoundException");
  EXPECT_EQ(TableNames(a.get()), "");
  Ok(a.get(), "CreateTable", CreateRequest("tbl"));
  Ok(a.get(), "PutItem", Put("tbl", "q", 1, "new"));
  Service::Response d2 = Ok(b.get(), "DescribeTable", J(R"({"TableName": "tbl"})"));
  EXPECT_NE(d2.body.Find("Table")->Find("TableId")->as_string(), old_id);
  EXPECT_EQ(d2.body.Find("Table")->Find("ItemCount")->as_double(), 1);
  EXPECT_EQ(Get(b.get(), "tbl", "p", 0), "");
  EXPECT_EQ(Get(b.get(), "tbl", "q", 1), "new");

  // A third node, started now, reads everything.
  auto c = Node(db.uri());
  ASSERT_TRUE(c);
  EXPECT_EQ(TableNames(c.get()), "tbl");
  EXPECT_EQ(Get(c.get(), "tbl", "q", 1), "new");
}

TEST(PostgresStorageTest, ConcurrentAddsThroughTwoNodesAddUp) {
  TestDatabase db;
  NEED_POSTGRES(db);
  auto a = Node(db.uri());
  auto b = Node(db.uri());
  ASSERT_TRUE(a && b);
  Ok(a.get(), "CreateTable", CreateRequest("tbl"));
  constexpr int kThreads = 3, kAdds = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (Service* node : {a.get(), b.get()}) {
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, node] {
        for (int i = 0; i < kAdds; ++i) {
          Service::Response r = node->Call("UpdateItem", J(R"({"TableName": "tbl",
              "Key": {"pk": {"S": "counter"}, "sk": {"N": "0"}}, "UpdateExpression": "ADD n :one",
              "ExpressionAttributeValues": {":one": {"N": "1"}}})"));
          if (r.status != 200) failures.fetch_add(1);
        }
      });
    }
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  for (Service* node : {a.get(), b.get()}) {
    Service::Response r = Ok(node, "GetItem", Key("tbl", "counter", 0));
    EXPECT_EQ(r.body.Find("Item")->Find("n")->Find("N")->as_string(),
              std::to_string(2 * kThreads * kAdds));
  }
}

TEST(PostgresStorageTest, ConditionalPutRacedThroughTwoNodesHasOneWinner) {
  TestDatabase db;
  NEED_POSTGRES(db);
  auto a = Node(db.uri());
  auto b = Node(db.uri());
  ASSERT_TRUE(a && b);
  Ok(a.get(), "CreateTable", CreateRequest("tbl"));
  for (int round = 0; round < 10; ++round) {
    std::atomic<int> wins{0}, losses{0};
    std::vector<std::thread> threads;
    for (Service* node : {a.get(), b.get(), a.get(), b.get()}) {
      threads.emplace_back([&, node] {
        json::Value req = J(R"j({"TableName": "tbl", "Item": {"pk": {"S": "race"},
            "sk": {"N": ")j" +
                            std::to_string(round) +
                            R"j("}}, "ConditionExpression": "attribute_not_exists(pk)"})j");
        Service::Response r = node->Call("PutItem", req);
        if (r.status == 200) wins.fetch_add(1);
        if (r.error_code == "ConditionalCheckFailedException") losses.fetch_add(1);
      });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(wins.load(), 1) << "round " << round;
    EXPECT_EQ(losses.load(), 3) << "round " << round;
  }
}

TEST(PostgresStorageTest, CacheOlderThanPrunedTombstonesReloads) {
  TestDatabase db;
  NEED_POSTGRES(db);
  auto a = Node(db.uri());
  auto b = Node(db.uri());
  ASSERT_TRUE(a && b);
  Ok(a.get(), "CreateTable", CreateRequest("tbl"));
  Ok(a.get(), "PutItem", Put("tbl", "keep", 0, "k"));
  Ok(a.get(), "PutItem", Put("tbl", "gone", 0, "g"));
  EXPECT_EQ(Get(b.get(), "tbl", "gone", 0), "g");    // B's cache is at version 2
  Ok(a.get(), "DeleteItem", Key("tbl", "gone", 0));  // a tombstone at version 3
  // Past two prunes: the tombstone is gone and B's cursor is below pruned_below.
  for (int i = 0; i < 2 * PostgresStorage::kPruneLag; ++i) {
    Ok(a.get(), "PutItem", Put("tbl", "busy", 0, std::to_string(i)));
  }
  auto raw = postgres::Connection::Open(db.uri(), {});
  ASSERT_TRUE(raw.ok()) << raw.error().cause;
  auto tombstones = (*raw)->Query("SELECT count(*) FROM ddb_items WHERE item IS NULL");
  ASSERT_TRUE(tombstones.ok()) << tombstones.error().cause;
  EXPECT_EQ(tombstones->Int(0, 0), 0);
  EXPECT_EQ(Get(b.get(), "tbl", "gone", 0), "");
  EXPECT_EQ(Get(b.get(), "tbl", "keep", 0), "k");
  EXPECT_EQ(ItemCount(b.get(), "tbl"), 2);
}

// Installs a trigger that makes PostgreSQL refuse any item holding "poison".
void RefusePoison(const std::string& uri) {
  auto raw = postgres::Connection::Open(uri, {});
  ASSERT_TRUE(raw.ok()) << raw.error().cause;
  Status s = (*raw)->Exec(R"(
      CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF position('poison' in convert_from(NEW.item, 'UTF8')) > 0 THEN
          RAISE EXCEPTION 'poisoned';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_poison BEFORE INSERT OR UPDATE ON ddb_items
        FOR EACH ROW WHEN (NEW.item IS NOT NULL) EXECUTE FUNCTION refuse_poison();)");
  ASSERT_TRUE(s.ok()) << s.error().cause;
}

TEST(PostgresStorageTest, FailedCommitLeavesMemoryAsStored) {
  TestDatabase db;
  NEED_POSTGRES(db);
  auto a = Node(db.uri());
  ASSERT_TRUE(a);
  Ok(a.get(), "CreateTable", CreateRequest("tbl"));
  Ok(a.get(), "PutItem", Put("tbl", "p", 0, "before"));
  // PostgreSQL refuses any item holding "poison": the write fails after memory took it.
  ASSERT_NO_FATAL_FAILURE(RefusePoison(db.uri()));
  Service::Response r = a->Call("PutItem", Put("tbl", "p", 0, "poison"));
  EXPECT_EQ(r.status, 500) << r.body.Dump();
  EXPECT_EQ(r.error_code, "InternalServerError");
  EXPECT_EQ(Get(a.get(), "tbl", "p", 0), "before");
  Service::Response t = a->Call("TransactWriteItems", J(R"({"TransactItems": [
      {"Put": {"TableName": "tbl", "Item": {"pk": {"S": "t"}, "sk": {"N": "1"}, "v": {"S": "ok"}}}},
      {"Put": {"TableName": "tbl", "Item": {"pk": {"S": "t"}, "sk": {"N": "2"},
               "v": {"S": "poison"}}}}]})"));
  EXPECT_EQ(t.status, 500) << t.body.Dump();
  EXPECT_EQ(Get(a.get(), "tbl", "t", 1), "");
  EXPECT_EQ(ItemCount(a.get(), "tbl"), 1);
  Ok(a.get(), "PutItem", Put("tbl", "p", 0, "after"));
  EXPECT_EQ(Get(a.get(), "tbl", "p", 0), "after");
}

TEST(PostgresStorageTest, BatchWhoseCommitFailsAnswersEveryCallAndReloads) {
  TestDatabase db;
  NEED_POSTGRES(db);
  auto a = Node(db.uri());
  ASSERT_TRUE(a);
  Ok(a.get(), "CreateTable", CreateRequest("tbl"));
  constexpr int kCalls = 6;
  for (int i = 0; i < kCalls; ++i) Ok(a.get(), "PutItem", Put("tbl", "p", i, "before"));
  ASSERT_NO_FATAL_FAILURE(RefusePoison(db.uri()));
  // Another session holds the table's row: the writes' thread waits in the first lock of a
  // batch for the first call, and the calls queued meanwhile join that batch.
  auto holder = postgres::Connection::Open(db.uri(), {});
  ASSERT_TRUE(holder.ok()) << holder.error().cause;
  ASSERT_TRUE((*holder)->Exec("BEGIN").ok());
  ASSERT_TRUE((*holder)->Exec("SELECT * FROM ddb_tables WHERE name = 'tbl' FOR UPDATE").ok());
  std::promise<Service::Response> blocked;
  a->CallAsync("PutItem", Put("tbl", "first", 0, "fine"),
               [&](Service::Response r) { blocked.set_value(std::move(r)); });
  auto watcher = postgres::Connection::Open(db.uri(), {});
  ASSERT_TRUE(watcher.ok()) << watcher.error().cause;
  for (int tries = 0;; ++tries) {
    ASSERT_LT(tries, 500) << "the first call never waited for the lock";
    auto waiting = (*watcher)->Query(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND "
        "datname = current_database()");
    ASSERT_TRUE(waiting.ok()) << waiting.error().cause;
    if (waiting->Int(0, 0) > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::vector<std::promise<Service::Response>> answers(kCalls);
  for (int i = 0; i < kCalls; ++i) {
    a->CallAsync("PutItem", Put("tbl", "p", i, i == kCalls / 2 ? "poison" : "after"),
                 [&answers, i](Service::Response r) { answers[i].set_value(std::move(r)); });
  }
  ASSERT_TRUE((*holder)->Exec("COMMIT").ok());
  EXPECT_EQ(blocked.get_future().get().error_code, "InternalServerError");
  for (int i = 0; i < kCalls; ++i) {
    Service::Response r = answers[i].get_future().get();
    EXPECT_EQ(r.status, 500) << i << ": " << r.body.Dump();
    EXPECT_EQ(r.error_code, "InternalServerError") << i;
  }
  // Memory was reloaded: none of the batch's writes.
  for (int i = 0; i < kCalls; ++i) EXPECT_EQ(Get(a.get(), "tbl", "p", i), "before") << i;
  EXPECT_EQ(Get(a.get(), "tbl", "first", 0), "");
  EXPECT_EQ(ItemCount(a.get(), "tbl"), kCalls);
  Ok(a.get(), "PutItem", Put("tbl", "p", 0, "later"));
  EXPECT_EQ(Get(a.get(), "tbl", "p", 0), "later");
}

json::Value Add(const std::string& table, const std::string& pk) {
  return J(R"({"TableName": ")" + table + R"(", "Key": {"pk": {"S": ")" + pk +
           R"("}, "sk": {"N": "0"}}, "UpdateExpression": "ADD n :one",
           "ExpressionAttributeValues": {":one": {"N": "1"}}})");
}

std::string Counter(Service* s, const std::string& table, const std::string& pk) {
  Service::Response r = Ok(s, "GetItem", Key(table, pk, 0));
  const json::Value* item = r.body.Find("Item");
  return item ? item->Find("n")->Find("N")->as_string() : "";
}

TEST(PostgresStorageTest, TwoNodesWritingOverlappingTablesInOppositeOrders) {
  TestDatabase db;
  NEED_POSTGRES(db);
  auto a = Node(db.uri());
  auto b = Node(db.uri());
  ASSERT_TRUE(a && b);
  Ok(a.get(), "CreateTable", CreateRequest("tb1"));
  Ok(a.get(), "CreateTable", CreateRequest("tb2"));
  // Each node queues calls on tb1 then tb2 (a) or tb2 then tb1 (b) at once, so its batches take
  // the two tables in opposite orders; transactions write both.
  constexpr int kRounds = 40;
  std::atomic<int> failures{0};
  auto writer = [&](Service* node, const char* first, const char* second) {
    for (int i = 0; i < kRounds; ++i) {
      std::promise<int> p1, p2, p3;
      node->CallAsync("UpdateItem", Add(first, "c"),
                      [&](Service::Response r) { p1.set_value(r.status); });
      node->CallAsync("UpdateItem", Add(second, "c"),
                      [&](Service::Response r) { p2.set_value(r.status); });
      node->CallAsync("TransactWriteItems",
                      J(R"({"TransactItems": [{"Update": )" + Add(second, "both").Dump() +
                        R"(}, {"Update": )" + Add(first, "both").Dump() + "}]}"),
                      [&](Service::Response r) { p3.set_value(r.status); });
      for (std::promise<int>* p : {&p1, &p2, &p3}) {
        std::future<int> f = p->get_future();
        if (f.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
          ADD_FAILURE() << "a write did not finish within 60 s";
          std::abort();  // a hang: the promises are referenced by pending callbacks
        }
        if (f.get() != 200) failures.fetch_add(1);
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back(writer, a.get(), "tb1", "tb2");
    threads.emplace_back(writer, b.get(), "tb2", "tb1");
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  const std::string total = std::to_string(4 * kRounds);
  for (Service* node : {a.get(), b.get()}) {
    for (const char* table : {"tb1", "tb2"}) {
      EXPECT_EQ(Counter(node, table, "c"), total) << table;
      EXPECT_EQ(Counter(node, table, "both"), total) << table;
    }
  }
}

TEST(PostgresStorageTest, ReadOnOtherNodeRightAfterAcknowledgedWriteSeesIt) {
  TestDatabase db;
  NEED_POSTGRES(db);
  auto a = Node(db.uri());
  auto b = Node(db.uri());
  ASSERT_TRUE(a && b);
  Ok(a.get(), "CreateTable", CreateRequest("tbl"));
  // b's reads keep its cache warm meanwhile, so it has a version to compare with.
  std::atomic<bool> stop{false};
  std::thread background([&] {
    while (!stop.load()) b->Call("GetItem", Key("tbl", "other", 0));
  });
  for (int i = 0; i < 100; ++i) {
    Ok(a.get(), "PutItem", Put("tbl", "p", i % 3, std::to_string(i)));
    EXPECT_EQ(Get(b.get(), "tbl", "p", i % 3), std::to_string(i)) << i;
    Ok(b.get(), "DeleteItem", Key("tbl", "p", i % 3));
    EXPECT_EQ(Get(a.get(), "tbl", "p", i % 3), "") << i;
  }
  stop.store(true);
  background.join();
}

}  // namespace
}  // namespace stator::dynamodb
