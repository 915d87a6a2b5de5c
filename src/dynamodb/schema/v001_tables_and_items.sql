-- v001: DynamoDB tables and their items (Storage, src/dynamodb/storage.h).
-- meta is a table's definition (JSON); item is an item in wire JSON; hash_key and range_key are
-- EncodeKey() texts (range_key '' for tables without a sort key).
-- IF NOT EXISTS: files written before the schema was versioned already hold these tables.
CREATE TABLE IF NOT EXISTS ddb_tables(name TEXT PRIMARY KEY, meta TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ddb_items(table_name TEXT NOT NULL, hash_key TEXT NOT NULL,
  range_key TEXT NOT NULL, item TEXT NOT NULL,
  PRIMARY KEY(table_name, hash_key, range_key)) WITHOUT ROWID;
