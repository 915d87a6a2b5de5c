-- v001: state machines, their published versions, and tags of any resource (PostgresStore).
-- Applied once by postgres::Migrate under the store's advisory lock, recorded in
-- store_schema_version. Times are epoch milliseconds. What a client wrote (definitions, roles,
-- JSON settings, descriptions, tags) is BYTEA: PostgreSQL's TEXT refuses NUL and invalid UTF-8,
-- and the store keeps every byte. Keys the server makes (ARNs, names, revision ids) are TEXT in
-- the "C" collation, so they order bytewise as in the other backends.

CREATE TABLE state_machines (
  arn                      TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  name                     TEXT   NOT NULL,
  type                     TEXT   NOT NULL CHECK (type IN ('STANDARD', 'EXPRESS')),
  definition               BYTEA  NOT NULL,
  role_arn                 BYTEA  NOT NULL,
  logging_configuration    BYTEA  NOT NULL,
  tracing_configuration    BYTEA  NOT NULL,
  encryption_configuration BYTEA  NOT NULL,
  creation_date_ms         BIGINT NOT NULL,
  revision_id              TEXT   NOT NULL,  -- '' until the first effective update
  update_date_ms           BIGINT NOT NULL,  -- 0 until the first update
  last_version             BIGINT NOT NULL DEFAULT 0  -- highest version number ever published
);

CREATE TABLE state_machine_versions (
  state_machine_arn        TEXT COLLATE "C" NOT NULL
                           REFERENCES state_machines (arn) ON DELETE CASCADE,
  version                  BIGINT NOT NULL,
  definition               BYTEA  NOT NULL,
  role_arn                 BYTEA  NOT NULL,
  logging_configuration    BYTEA  NOT NULL,
  tracing_configuration    BYTEA  NOT NULL,
  encryption_configuration BYTEA  NOT NULL,
  description              BYTEA  NOT NULL,
  revision_id              TEXT   NOT NULL,
  creation_date_ms         BIGINT NOT NULL,
  PRIMARY KEY (state_machine_arn, version)
);

-- Tags keep the order in which their keys were first set (position).
CREATE TABLE tags (
  resource_arn TEXT COLLATE "C" NOT NULL,
  key          BYTEA  NOT NULL,
  value        BYTEA  NOT NULL,
  position     BIGINT NOT NULL,
  PRIMARY KEY (resource_arn, key)
);
CREATE INDEX tags_by_position ON tags (resource_arn, position);
