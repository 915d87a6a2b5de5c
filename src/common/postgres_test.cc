// common/postgres.h against a real server: skipped, with the reason, unless the run provides one
// (STATOR_TEST_POSTGRES; scripts/postgres.sh run). Each test works in a schema of its own.
#include "common/postgres.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/postgres_test_util.h"

namespace stator::postgres {
namespace {

class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!schema_.Create()) return;  // skipped or failed
    auto c = Connection::Open(schema_.uri(), Options{"test.Error", "pg: "});
    ASSERT_TRUE(c.ok()) << c.error().cause;
    conn_ = std::move(c).value();
  }
  void TearDown() override { conn_.reset(); }

  testing::TestSchema schema_;
  std::unique_ptr<Connection> conn_;
};

TEST_F(PostgresTest, ByteaRoundTripsEveryByteIncludingNul) {
  ASSERT_TRUE(conn_->Exec("CREATE TABLE t (k TEXT PRIMARY KEY, v BYTEA)").ok());
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  const std::string value = std::string("a\0b", 3) + all + std::string(1, '\0');
  auto put = conn_->Query("INSERT INTO t VALUES ($1, $2)", {Param::Text("k"), Param::Bytes(value)});
  ASSERT_TRUE(put.ok()) << put.error().cause;
  EXPECT_EQ(put->affected(), 1);
  auto got =
      conn_->Query("SELECT v, length(v), NULL::bytea FROM t WHERE k = $1", {Param::Text("k")});
  ASSERT_TRUE(got.ok()) << got.error().cause;
  ASSERT_EQ(got->size(), 1);
  EXPECT_EQ(got->Bytes(0, 0), value);
  EXPECT_EQ(got->Int(0, 1), static_cast<int64_t>(value.size()));
  EXPECT_EQ(got->OptionalBytes(0, 2), std::nullopt);
}

TEST_F(PostgresTest, TextRefusesNulSoBinaryValuesGoAsBytea) {
  auto r = conn_->Query("SELECT $1::text", {Param::Text(std::string("a\0b", 3))});
  // libpq sends text parameters as C strings: the NUL ends the value (hence Param::Bytes).
  ASSERT_TRUE(r.ok()) << r.error().cause;
  EXPECT_EQ(r->Text(0, 0), "a");
}

TEST_F(PostgresTest, PreparedStatementsRunAgainWithOtherParameters) {
  ASSERT_TRUE(conn_->Exec("CREATE TABLE n (i BIGINT)").ok());
  for (int64_t i = 1; i <= 5; ++i) {
    auto r = conn_->Run("insert_n", "INSERT INTO n VALUES ($1)", {Param::Int(i)});
    ASSERT_TRUE(r.ok()) << r.error().cause;
  }
  auto sum = conn_->Run("sum_n", "SELECT sum(i), count(*) FROM n WHERE i >= $1", {Param::Int(2)});
  ASSERT_TRUE(sum.ok()) << sum.error().cause;
  EXPECT_EQ(sum->Int(0, 0), 14);
  EXPECT_EQ(sum->Int(0, 1), 4);
  auto prepared = conn_->Query("SELECT count(*) FROM pg_prepared_statements");
  ASSERT_TRUE(prepared.ok());
  EXPECT_EQ(prepared->Int(0, 0), 2);  // each prepared once
}

TEST_F(PostgresTest, ArraysCarryManyRowsInOneParameter) {
  ASSERT_TRUE(conn_->Exec("CREATE TABLE a (i BIGINT, t TEXT, b BYTEA)").ok());
  Array ints(Array::Of::kInt8), texts(Array::Of::kText), bytes(Array::Of::kBytea);
  for (int i = 0; i < 100; ++i) {
    ints.Add(int64_t{i} - 50);
    texts.Add("t\xc3\xa9" + std::to_string(i));
    if (i % 10 == 0) {
      bytes.AddNull();
    } else {
      bytes.Add(std::string("\0\xff", 2) + std::to_string(i));
    }
  }
  auto r = conn_->Query("INSERT INTO a SELECT * FROM unnest($1::int8[], $2::text[], $3::bytea[])",
                        {ints.param(), texts.param(), bytes.param()});
  ASSERT_TRUE(r.ok()) << r.error().cause;
  EXPECT_EQ(r->affected(), 100);
  auto got = conn_->Query("SELECT i, t, b FROM a ORDER BY i");
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 100);
  EXPECT_EQ(got->Int(0, 0), -50);
  EXPECT_EQ(got->Text(7, 1),
            "t\xc3\xa9"
            "7");
  EXPECT_EQ(got->OptionalBytes(10, 2), std::nullopt);
  EXPECT_EQ(got->Bytes(11, 2), std::string("\0\xff", 2) + "11");

  Array empty(Array::Of::kInt8);
  auto none = conn_->Query("SELECT cardinality($1::int8[])", {empty.param()});
  ASSERT_TRUE(none.ok()) << none.error().cause;
  EXPECT_EQ(none->Int(0, 0), 0);
}

TEST_F(PostgresTest, ErrorsCarryTheSqlstateAndTheNames) {
  auto r = conn_->Query("SELECT * FROM no_such_table");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().error, "test.Error");
  EXPECT_TRUE(r.error().cause.starts_with("[42P01] pg: ")) << r.error().cause;
}

TEST_F(PostgresTest, ABrokenConnectionIsReportedAndThePoolReplacesIt) {
  Pool pool(schema_.uri(), Options{"test.Error", ""});
  int64_t pid = 0;
  {
    auto lease = pool.Acquire();
    ASSERT_TRUE(lease.ok());
    auto r = (*lease)->Query("SELECT pg_backend_pid()");
    ASSERT_TRUE(r.ok());
    pid = r->Int(0, 0);
  }
  // Another session ends the pooled connection's backend (as a server restart would).
  auto killed = conn_->Query("SELECT pg_terminate_backend($1)", {Param::Int(pid)});
  ASSERT_TRUE(killed.ok() && killed->Bool(0, 0));
  {
    auto lease = pool.Acquire();
    ASSERT_TRUE(lease.ok());
    auto r = (*lease)->Query("SELECT 1");
    EXPECT_FALSE(r.ok());  // reported, not hidden
    if (!r.ok()) {
      EXPECT_EQ(r.error().error, "test.Error");
    }
    EXPECT_FALSE((*lease)->ok());
  }  // broken: closed, not returned to the pool
  auto lease = pool.Acquire();
  ASSERT_TRUE(lease.ok());
  auto r = (*lease)->Query("SELECT pg_backend_pid()");
  ASSERT_TRUE(r.ok()) << r.error().cause;
  EXPECT_NE(r->Int(0, 0), pid);
}

TEST_F(PostgresTest, APoolOpensAtMostItsMaximumAndOthersWait) {
  Pool pool(schema_.uri(), Options{}, 2);
  auto a = pool.Acquire(), b = pool.Acquire();
  ASSERT_TRUE(a.ok() && b.ok());
  std::atomic<bool> third{false};
  std::thread waiter([&] {
    auto c = pool.Acquire();
    EXPECT_TRUE(c.ok());
    third = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(third.load());  // both leased: it waits
  Connection* first = a->get();
  { Pool::Lease back = std::move(a).value(); }  // returned
  waiter.join();
  EXPECT_TRUE(third.load());
  auto again = pool.Acquire();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->get(), first);  // reused, not a third connection
}

TEST(PostgresConnectTest, ConnectingToNoServerIsAnErrorThatHidesThePassword) {
  auto c = Connection::Open(
      "postgresql://me:s3cret@/none?host=/nonexistent-dir&connect_timeout=2&password=s3cret",
      Options{"test.Error", "pg: "});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().error, "test.Error");
  EXPECT_EQ(c.error().cause.find("s3cret"), std::string::npos) << c.error().cause;
  EXPECT_NE(c.error().cause.find("postgresql://me:***@/none"), std::string::npos)
      << c.error().cause;
}

TEST_F(PostgresTest, TransactionsRollBackUnlessCommitted) {
  ASSERT_TRUE(conn_->Exec("CREATE TABLE r (i INT)").ok());
  {
    Transaction tx(conn_.get());
    ASSERT_TRUE(tx.Begun().ok());
    ASSERT_TRUE(conn_->Query("INSERT INTO r VALUES (1)").ok());
  }
  {
    Transaction tx(conn_.get());
    ASSERT_TRUE(conn_->Query("INSERT INTO r VALUES (2)").ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  auto r = conn_->Query("SELECT array_agg(i)::text FROM r");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Text(0, 0), "{2}");
}

// Each migration fails when applied twice (CREATE TABLE without IF NOT EXISTS), and logs itself.
const Migration kMigrations[] = {
    {1, "v001_a.sql",
     "CREATE TABLE log (v INT); INSERT INTO log VALUES (1); SELECT pg_sleep(0.1);"},
    {2, "v002_b.sql", "CREATE TABLE b (x INT); INSERT INTO log VALUES (2);"},
    {3, "v003_c.sql", "ALTER TABLE b ADD COLUMN y INT; INSERT INTO log VALUES (3);"},
};

TEST_F(PostgresTest, MigrateFromSeveralSessionsAtOnceAppliesEachMigrationOnce) {
  constexpr int kSessions = 4;
  std::vector<std::optional<Result<int>>> versions(kSessions);
  std::vector<std::thread> threads;
  for (int i = 0; i < kSessions; ++i) {
    threads.emplace_back([&, i] {
      auto c = Connection::Open(schema_.uri(), Options{});
      if (!c.ok()) {
        versions[i] = c.error();
        return;
      }
      versions[i] = Migrate(c->get(), kMigrations, "test_version", 4242);
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kSessions; ++i) {
    ASSERT_TRUE(versions[i]->ok()) << versions[i]->error().cause;
    EXPECT_EQ(**versions[i], 3);
  }
  auto log = conn_->Query("SELECT array_agg(v ORDER BY v)::text FROM log");
  ASSERT_TRUE(log.ok()) << log.error().cause;
  EXPECT_EQ(log->Text(0, 0), "{1,2,3}");
  auto recorded = SchemaVersion(conn_.get(), "test_version");
  ASSERT_TRUE(recorded.ok());
  EXPECT_EQ(*recorded, 3);
  // A build that knows fewer migrations refuses the newer database.
  auto older = Migrate(conn_.get(), std::span(kMigrations, 2), "test_version", 4242);
  ASSERT_FALSE(older.ok());
  EXPECT_NE(older.error().cause.find("newer"), std::string::npos) << older.error().cause;
}

}  // namespace
}  // namespace stator::postgres
