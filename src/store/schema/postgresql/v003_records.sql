-- v003: records, the front doors' catalogues (KNIX users, functions, workflows and data; IAM
-- roles): any bytes under (kind, key), opaque to the store (store.h, Record). Keys are BYTEA:
-- they may be any bytes and order bytewise whatever the database's collation.
CREATE TABLE records (
  kind  TEXT COLLATE "C" NOT NULL,
  key   BYTEA NOT NULL,
  value BYTEA NOT NULL,
  PRIMARY KEY (kind, key)
);
