// Storage's schema versions: a dynamodb.sqlite written before the schema was versioned (the
// tables created directly, no schema_version) opens with its tables and items and is recorded at
// the current version; a file from a newer build is refused.
#include "dynamodb/storage.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "common/sqlite.h"

namespace stator::dynamodb {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/stator-ddb-storage-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string db() const { return path_ + "/dynamodb.sqlite"; }

 private:
  std::string path_;
};

std::unique_ptr<sqlite::Database> OpenRaw(const std::string& path) {
  auto db = sqlite::Database::Open(path, sqlite::Options());
  EXPECT_TRUE(db.ok()) << db.error().cause;
  return db.ok() ? std::move(db).value() : nullptr;
}

// Everything Load reports, as "table=meta" and "table:item" lines.
std::vector<std::string> Loaded(Storage* storage) {
  std::vector<std::string> out;
  Status s = storage->Load(
      [&](const std::string& name, const std::string& meta) {
        out.push_back(name + "=" + meta);
        return Status::Ok();
      },
      [&](const std::string& table, const std::string& item) {
        out.push_back(table + ":" + item);
        return Status::Ok();
      });
  EXPECT_TRUE(s.ok()) << s.error().cause;
  return out;
}

TEST(StorageSchemaTest, UnversionedFileIsMigratedWithItsData) {
  TempDir dir;
  {  // The file as builds before the versioned schema wrote it.
    auto db = OpenRaw(dir.db());
    ASSERT_NE(db, nullptr);
    for (const char* sql :
         {"CREATE TABLE IF NOT EXISTS ddb_tables(name TEXT PRIMARY KEY, meta TEXT NOT NULL)",
          "CREATE TABLE IF NOT EXISTS ddb_items(table_name TEXT NOT NULL, hash_key TEXT NOT NULL,"
          " range_key TEXT NOT NULL, item TEXT NOT NULL,"
          " PRIMARY KEY(table_name, hash_key, range_key)) WITHOUT ROWID",
          "INSERT INTO ddb_tables VALUES ('t', '{\"TableName\":\"t\"}')",
          "INSERT INTO ddb_items VALUES ('t', 'S:a', '', '{\"pk\":{\"S\":\"a\"}}')"}) {
      Status s = db->Exec(sql);
      ASSERT_TRUE(s.ok()) << s.error().cause;
    }
  }
  {
    auto storage = Storage::Open(dir.path());
    ASSERT_TRUE(storage.ok()) << storage.error().cause;
    EXPECT_EQ(Loaded(storage->get()),
              (std::vector<std::string>{"t={\"TableName\":\"t\"}", "t:{\"pk\":{\"S\":\"a\"}}"}));
    Storage::Change put{Storage::Change::Kind::kPutItem, "t", "S:b", "",
                        "{\"pk\":{\"S\":\"b\"}}",        ""};
    Status s = (*storage)->Commit({put});
    ASSERT_TRUE(s.ok()) << s.error().cause;
  }
  auto db = OpenRaw(dir.db());
  ASSERT_NE(db, nullptr);
  auto version = sqlite::SchemaVersion(db.get());
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, StorageMigrations().back().version);
  sqlite::Statement count(db.get(), "SELECT COUNT(*) FROM ddb_items");
  auto row = count.Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(count.ColumnInt(0), 2);
}

TEST(StorageSchemaTest, NewerFileIsRefused) {
  TempDir dir;
  { ASSERT_TRUE(Storage::Open(dir.path()).ok()); }
  {
    auto db = OpenRaw(dir.db());
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(
        db->Exec("INSERT INTO schema_version (version, file) VALUES (99, 'v099_x.sql')").ok());
  }
  auto storage = Storage::Open(dir.path());
  ASSERT_FALSE(storage.ok());
  EXPECT_EQ(storage.error().error, "InternalServerError");
  EXPECT_NE(storage.error().cause.find("newer than this build"), std::string::npos)
      << storage.error().cause;
}

}  // namespace
}  // namespace stator::dynamodb
