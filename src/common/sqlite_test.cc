// The SQLite wrapper: PRAGMAs on open, typed binds and columns, statement reuse, transactions,
// migrations, and how errors read.
#include "common/sqlite.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

namespace stator::sqlite {
namespace {

class TempDb {
 public:
  TempDb() {
    char tmpl[] = "/tmp/stator-sqlite-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~TempDb() { std::filesystem::remove_all(dir_); }
  std::string path() const { return dir_ + "/t.db"; }

  std::unique_ptr<Database> Open(Options options = Options()) {
    auto db = Database::Open(path(), std::move(options));
    EXPECT_TRUE(db.ok()) << db.error().cause;
    return db.ok() ? std::move(db).value() : nullptr;
  }

 private:
  std::string dir_;
};

std::string PragmaText(Database* db, const char* pragma) {
  Statement s(db, std::string("PRAGMA ") + pragma);
  Result<bool> row = s.Step();
  EXPECT_TRUE(row.ok() && *row) << pragma;
  return s.ColumnText(0);
}

TEST(SqliteTest, OpenSetsThePragmas) {
  TempDb t;
  Options options;
  options.foreign_keys = true;
  auto db = t.Open(options);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(PragmaText(db.get(), "journal_mode"), "wal");
  EXPECT_EQ(PragmaText(db.get(), "synchronous"), "2");  // FULL
  EXPECT_EQ(PragmaText(db.get(), "foreign_keys"), "1");
  EXPECT_EQ(PragmaText(db.get(), "busy_timeout"), "5000");
}

TEST(SqliteTest, ReadOnlyConnectionCannotWriteAndMissingFileFails) {
  TempDb t;
  auto writer = t.Open();
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(writer->Exec("CREATE TABLE x(a)").ok());
  Options ro;
  ro.read_only = true;
  auto reader = t.Open(ro);
  ASSERT_NE(reader, nullptr);
  EXPECT_FALSE(reader->Exec("INSERT INTO x VALUES (1)").ok());
  ro.error_name = "test.Error";
  auto missing = Database::Open(t.path() + ".none", ro);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().error, "test.Error");
}

TEST(SqliteTest, TypedBindsAndColumnsRoundTrip) {
  TempDb t;
  auto db = t.Open();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Exec("CREATE TABLE v(t TEXT, i INTEGER, o TEXT)").ok());
  const std::string nul("a\0b\xC3\xA9", 5);
  {
    Statement insert(db.get(), "INSERT INTO v VALUES (?1, ?2, ?3)");
    ASSERT_TRUE(insert.prepared().ok());
    ASSERT_TRUE(insert.Bind(1, nul).Bind(2, int64_t{-9007199254740993}).BindNull(3).Run().ok());
    EXPECT_EQ(db->changes(), 1);
    // Reused: Run reset it; the bindings are new.
    ASSERT_TRUE(
        insert.Bind(1, "x").Bind(2, int64_t{7}).BindOptional(3, std::string("o")).Run().ok());
    ASSERT_TRUE(insert.Bind(1, "y").Bind(2, int64_t{8}).BindOptional(3, std::nullopt).Run().ok());
  }
  Statement s(db.get(), "SELECT t, i, o FROM v ORDER BY rowid");
  std::vector<std::tuple<std::string, int64_t, std::optional<std::string>>> rows;
  for (;;) {
    Result<bool> row = s.Step();
    ASSERT_TRUE(row.ok());
    if (!*row) break;
    rows.emplace_back(s.ColumnText(0), s.ColumnInt(1), s.ColumnOptText(2));
  }
  EXPECT_EQ(rows,
            (std::vector<std::tuple<std::string, int64_t, std::optional<std::string>>>{
                {nul, -9007199254740993, std::nullopt}, {"x", 7, "o"}, {"y", 8, std::nullopt}}));
}

// A statement left on a row holds a read snapshot; binding it again resets it, so a reused
// statement sees the latest commit and never an old row.
TEST(SqliteTest, BindingAgainResetsAStatementLeftOnARow) {
  TempDb t;
  auto db = t.Open();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Exec("CREATE TABLE k(a INTEGER PRIMARY KEY, b TEXT)").ok());
  ASSERT_TRUE(db->Exec("INSERT INTO k VALUES (1, 'one'), (2, 'two')").ok());
  Statement get(db.get(), "SELECT b FROM k WHERE a >= ?1 ORDER BY a");
  ASSERT_TRUE(*get.Bind(1, int64_t{1}).Step());
  EXPECT_EQ(get.ColumnText(0), "one");  // left on its first row
  ASSERT_TRUE(*get.Bind(1, int64_t{2}).Step());
  EXPECT_EQ(get.ColumnText(0), "two");  // left on a row again, holding its snapshot
  // A second connection's commit is seen by the next use.
  auto other = t.Open();
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(other->Exec("UPDATE k SET b = 'TWO' WHERE a = 2").ok());
  ASSERT_TRUE(*get.Bind(1, int64_t{2}).Step());
  EXPECT_EQ(get.ColumnText(0), "TWO");
}

TEST(SqliteTest, TransactionsCommitOrRollBack) {
  TempDb t;
  auto db = t.Open();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Exec("CREATE TABLE n(a INTEGER)").ok());
  {
    Transaction tx(db.get());
    ASSERT_TRUE(tx.Begun().ok());
    ASSERT_TRUE(db->Exec("INSERT INTO n VALUES (1)").ok());
  }  // not committed: rolled back
  {
    Transaction tx(db.get());
    ASSERT_TRUE(tx.Begun().ok());
    ASSERT_TRUE(db->Exec("INSERT INTO n VALUES (2)").ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  Statement s(db.get(), "SELECT group_concat(a) FROM n");
  ASSERT_TRUE(*s.Step());
  EXPECT_EQ(s.ColumnText(0), "2");
}

TEST(SqliteTest, BeginFailsWhileAnotherConnectionHoldsTheLock) {
  TempDb t;
  Options quick;
  quick.busy_timeout_ms = 10;
  quick.error_name = "test.Error";
  quick.error_prefix = "test db: ";
  auto db = t.Open(quick);
  auto other = t.Open();
  ASSERT_TRUE(db && other);
  ASSERT_TRUE(other->Exec("BEGIN EXCLUSIVE").ok());
  Transaction tx(db.get());
  Status begun = tx.Begun();
  ASSERT_FALSE(begun.ok());
  EXPECT_EQ(begun.error().error, "test.Error");
  EXPECT_EQ(begun.error().cause, "test db: begin: database is locked");
  EXPECT_FALSE(tx.Commit().ok());
  ASSERT_TRUE(other->Exec("ROLLBACK").ok());
}

TEST(SqliteTest, ErrorsNameTheFailure) {
  TempDb t;
  auto db = t.Open();
  ASSERT_NE(db, nullptr);
  Statement bad(db.get(), "SELECT FROM nowhere");
  EXPECT_FALSE(bad.prepared().ok());
  Result<bool> step = bad.Step();
  ASSERT_FALSE(step.ok());
  EXPECT_NE(step.error().cause.find("prepare: "), std::string::npos) << step.error().cause;
  ASSERT_TRUE(db->Exec("CREATE TABLE u(a UNIQUE)").ok());
  ASSERT_TRUE(db->Exec("INSERT INTO u VALUES (1)").ok());
  Statement dup(db.get(), "INSERT INTO u VALUES (?1)");
  Status s = dup.Bind(1, int64_t{1}).Run();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().cause.find("UNIQUE constraint failed"), std::string::npos) << s.error().cause;
}

const std::vector<Migration> kMigrations = {
    {1, "v001_a.sql", "CREATE TABLE a(x); INSERT INTO a VALUES (1);"},
    {2, "v002_b.sql", "CREATE TABLE b(y); INSERT INTO b SELECT x + 1 FROM a;"},
};

TEST(SqliteMigrateTest, AppliesEachVersionOnceAndRecordsIt) {
  TempDb t;
  auto db = t.Open();
  ASSERT_NE(db, nullptr);
  auto v0 = SchemaVersion(db.get());
  ASSERT_TRUE(v0.ok());
  EXPECT_EQ(*v0, 0);
  auto v1 = Migrate(db.get(), std::span(kMigrations).first(1));
  ASSERT_TRUE(v1.ok()) << v1.error().cause;
  EXPECT_EQ(*v1, 1);
  auto v2 = Migrate(db.get(), kMigrations);  // applies 2 only (a second CREATE a would fail)
  ASSERT_TRUE(v2.ok()) << v2.error().cause;
  EXPECT_EQ(*v2, 2);
  auto again = Migrate(db.get(), kMigrations);
  ASSERT_TRUE(again.ok()) << again.error().cause;
  EXPECT_EQ(*again, 2);
  Statement s(db.get(), "SELECT version, file FROM schema_version ORDER BY version");
  std::vector<std::string> recorded;
  for (;;) {
    Result<bool> row = s.Step();
    ASSERT_TRUE(row.ok());
    if (!*row) break;
    recorded.push_back(std::to_string(s.ColumnInt(0)) + " " + s.ColumnText(1));
  }
  EXPECT_EQ(recorded, (std::vector<std::string>{"1 v001_a.sql", "2 v002_b.sql"}));
  Statement b(db.get(), "SELECT y FROM b");
  ASSERT_TRUE(*b.Step());
  EXPECT_EQ(b.ColumnInt(0), 2);
}

TEST(SqliteMigrateTest, AFailedMigrationLeavesTheVersionBefore) {
  TempDb t;
  auto db = t.Open();
  ASSERT_NE(db, nullptr);
  const std::vector<Migration> broken = {
      kMigrations[0], {2, "v002_broken.sql", "CREATE TABLE c(z); INSERT INTO nowhere VALUES (1);"}};
  auto r = Migrate(db.get(), broken);
  ASSERT_FALSE(r.ok());
  auto version = SchemaVersion(db.get());
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, 1);
  Statement c(db.get(), "SELECT 1 FROM sqlite_master WHERE name = 'c'");
  EXPECT_FALSE(*c.Step());  // the half-applied migration was rolled back
}

TEST(SqliteMigrateTest, RefusesANewerDatabase) {
  TempDb t;
  auto db = t.Open();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(Migrate(db.get(), kMigrations).ok());
  auto older = Migrate(db.get(), std::span(kMigrations).first(1));
  ASSERT_FALSE(older.ok());
  EXPECT_NE(older.error().cause.find("database schema version 2 is newer than this build "
                                     "supports (1)"),
            std::string::npos)
      << older.error().cause;
}

}  // namespace
}  // namespace stator::sqlite
