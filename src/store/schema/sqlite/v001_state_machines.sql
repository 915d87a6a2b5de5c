-- v001: state machines, their published versions, and tags of any resource.
-- Applied once by SqliteStore's migration runner, recorded in schema_version.
-- JSON-valued settings are stored as canonical JSON text; times as epoch milliseconds.

CREATE TABLE state_machines (
  arn                      TEXT    NOT NULL PRIMARY KEY,
  name                     TEXT    NOT NULL,
  type                     TEXT    NOT NULL CHECK (type IN ('STANDARD', 'EXPRESS')),
  definition               TEXT    NOT NULL,
  role_arn                 TEXT    NOT NULL,
  logging_configuration    TEXT    NOT NULL,
  tracing_configuration    TEXT    NOT NULL,
  encryption_configuration TEXT    NOT NULL,
  creation_date_ms         INTEGER NOT NULL,
  revision_id              TEXT    NOT NULL,  -- '' until the first effective update
  update_date_ms           INTEGER NOT NULL,  -- 0 until the first update
  last_version             INTEGER NOT NULL DEFAULT 0  -- highest version number ever published
) WITHOUT ROWID;

CREATE TABLE state_machine_versions (
  state_machine_arn        TEXT    NOT NULL REFERENCES state_machines (arn) ON DELETE CASCADE,
  version                  INTEGER NOT NULL,
  definition               TEXT    NOT NULL,
  role_arn                 TEXT    NOT NULL,
  logging_configuration    TEXT    NOT NULL,
  tracing_configuration    TEXT    NOT NULL,
  encryption_configuration TEXT    NOT NULL,
  description              TEXT    NOT NULL,
  revision_id              TEXT    NOT NULL,
  creation_date_ms         INTEGER NOT NULL,
  PRIMARY KEY (state_machine_arn, version)
) WITHOUT ROWID;

-- Tags keep the order in which their keys were first set (position).
CREATE TABLE tags (
  resource_arn TEXT    NOT NULL,
  key          TEXT    NOT NULL,
  value        TEXT    NOT NULL,
  position     INTEGER NOT NULL,
  PRIMARY KEY (resource_arn, key)
) WITHOUT ROWID;
CREATE INDEX tags_by_position ON tags (resource_arn, position);
