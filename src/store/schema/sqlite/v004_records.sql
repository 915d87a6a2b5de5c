-- v004: records, the front doors' catalogues (KNIX users, functions, workflows and data; IAM
-- roles): a JSON document under (kind, key), opaque to the store (store.h, Record).
CREATE TABLE records (
  kind  TEXT NOT NULL,
  key   TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID;
