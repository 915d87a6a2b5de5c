-- v001: DynamoDB tables and items in PostgreSQL (PostgresStorage, src/dynamodb/postgres_storage.h),
-- shared by every node of a cluster.
-- ddb_catalog: one row; version counts table creations, deletions and definition changes (a node
--   re-reads the table list when it moved: ListTables).
-- ddb_tables: a table's definition (meta, JSON) and table_id (a table recreated under the same name
--   has another); version counts the table's item commits (the writers of a table hold its row
--   locked: one at a time); meta_version counts definition changes; tombstones below pruned_below
--   are gone (a node that caught up to less reloads the table).
-- ddb_items: one row per item key ever written since the table was created: item NULL is a
--   tombstone (the item was deleted); version is the table version of the commit that wrote it.
--   Keys are EncodeKey() texts (range_key '' without a sort key), item the item's wire JSON; all
--   bytea, so any byte a DynamoDB string holds goes through.
CREATE TABLE ddb_catalog(id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL);
INSERT INTO ddb_catalog(id, version) VALUES (1, 0);
CREATE TABLE ddb_tables(
  name TEXT PRIMARY KEY,
  meta BYTEA NOT NULL,
  table_id TEXT NOT NULL,
  version BIGINT NOT NULL DEFAULT 0,
  meta_version BIGINT NOT NULL DEFAULT 1,
  pruned_below BIGINT NOT NULL DEFAULT 0);
CREATE TABLE ddb_items(
  table_name TEXT NOT NULL,
  hash_key BYTEA NOT NULL,
  range_key BYTEA NOT NULL,
  item BYTEA,
  version BIGINT NOT NULL,
  PRIMARY KEY(table_name, hash_key, range_key));
CREATE INDEX ddb_items_by_version ON ddb_items(table_name, version);
CREATE INDEX ddb_items_tombstones ON ddb_items(table_name, version) WHERE item IS NULL;
