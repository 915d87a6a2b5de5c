#include "dynamodb/storage.h"

#include <sys/stat.h>

namespace stator::dynamodb {

using sqlite::Statement;

Result<std::unique_ptr<Storage>> Storage::Open(const std::string& data_dir) {
  std::unique_ptr<Storage> s(new Storage());
  if (data_dir.empty()) return s;
  ::mkdir(data_dir.c_str(), 0755);
  sqlite::Options options;  // WAL, synchronous=FULL, 5 s busy timeout
  options.error_name = "InternalServerError";
  options.error_prefix = "DynamoDB storage: ";
  STATOR_TRY(s->db_, sqlite::Database::Open(data_dir + "/dynamodb.sqlite", options));
  STATOR_RETURN_IF_ERROR(sqlite::Migrate(s->db_.get(), StorageMigrations()));
  s->put_item_ = std::make_unique<Statement>(
      s->db_.get(),
      "INSERT OR REPLACE INTO ddb_items(table_name, hash_key, range_key, item) VALUES(?, ?, ?, ?)");
  s->delete_item_ = std::make_unique<Statement>(
      s->db_.get(),
      "DELETE FROM ddb_items WHERE table_name = ? AND hash_key = ? AND range_key = ?");
  STATOR_RETURN_IF_ERROR(s->put_item_->prepared());
  STATOR_RETURN_IF_ERROR(s->delete_item_->prepared());
  return s;
}

Storage::~Storage() = default;

Status Storage::Load(const std::function<Status(const std::string&, const std::string&)>& on_table,
                     const std::function<Status(const std::string&, const std::string&)>& on_item) {
  if (!db_) return Status::Ok();
  {
    Statement s(db_.get(), "SELECT name, meta FROM ddb_tables");
    for (;;) {
      STATOR_TRY(bool row, s.Step());
      if (!row) break;
      STATOR_RETURN_IF_ERROR(on_table(s.ColumnText(0), s.ColumnText(1)));
    }
  }
  Statement s(db_.get(), "SELECT table_name, item FROM ddb_items");
  for (;;) {
    STATOR_TRY(bool row, s.Step());
    if (!row) break;
    STATOR_RETURN_IF_ERROR(on_item(s.ColumnText(0), s.ColumnText(1)));
  }
  return Status::Ok();
}

Status Storage::Commit(const std::vector<Change>& changes) {
  if (!db_ || changes.empty()) return Status::Ok();
  sqlite::Transaction tx(db_.get());
  STATOR_RETURN_IF_ERROR(tx.Begun());
  for (const Change& c : changes) {
    switch (c.kind) {
      case Change::Kind::kPutTable: {
        Statement s(db_.get(), "INSERT OR REPLACE INTO ddb_tables(name, meta) VALUES(?, ?)");
        STATOR_RETURN_IF_ERROR(s.Bind(1, c.table).Bind(2, c.text).Run());
        break;
      }
      case Change::Kind::kDeleteTable: {
        Statement t(db_.get(), "DELETE FROM ddb_tables WHERE name = ?");
        STATOR_RETURN_IF_ERROR(t.Bind(1, c.table).Run());
        Statement i(db_.get(), "DELETE FROM ddb_items WHERE table_name = ?");
        STATOR_RETURN_IF_ERROR(i.Bind(1, c.table).Run());
        break;
      }
      case Change::Kind::kPutItem:
        // No copies: Run steps and resets the statement while `c` is alive.
        STATOR_RETURN_IF_ERROR(put_item_->BindNoCopy(1, c.table)
                                   .BindNoCopy(2, c.hash_key)
                                   .BindNoCopy(3, c.range_key)
                                   .BindNoCopy(4, c.text)
                                   .Run());
        break;
      case Change::Kind::kDeleteItem:
        STATOR_RETURN_IF_ERROR(delete_item_->BindNoCopy(1, c.table)
                                   .BindNoCopy(2, c.hash_key)
                                   .BindNoCopy(3, c.range_key)
                                   .Run());
        break;
    }
  }
  return tx.Commit();
}

}  // namespace stator::dynamodb
