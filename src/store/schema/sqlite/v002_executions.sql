-- v002: Standard executions, the state machines they run, and their history events.
-- Times are epoch milliseconds; JSON values are JSON text.

-- The state machine as executions run it (DescribeStateMachineForExecution), kept once per
-- distinct content: `id` is a digest of the content chosen by the server.
CREATE TABLE execution_machines (
  id                       TEXT    NOT NULL PRIMARY KEY,
  definition               TEXT    NOT NULL,
  role_arn                 TEXT    NOT NULL,
  logging_configuration    TEXT    NOT NULL,
  tracing_configuration    TEXT    NOT NULL,
  encryption_configuration TEXT    NOT NULL,
  revision_id              TEXT    NOT NULL,
  update_date_ms           INTEGER NOT NULL
) WITHOUT ROWID;

-- seq is the creation order: ListExecutions pages newest first by it, and history rows refer to
-- it (an integer key is smaller than the ARN). Executions outlive their state machine, as on AWS.
CREATE TABLE executions (
  seq               INTEGER NOT NULL PRIMARY KEY,
  arn               TEXT    NOT NULL UNIQUE,
  state_machine_arn TEXT    NOT NULL,
  name              TEXT    NOT NULL,
  version_arn       TEXT    NOT NULL,  -- '' unless started through a version or alias
  alias_arn         TEXT    NOT NULL,  -- '' unless started through an alias
  machine_id        TEXT    NOT NULL REFERENCES execution_machines (id),
  status            TEXT    NOT NULL
                    CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED')),
  input             TEXT    NOT NULL,
  output            TEXT,              -- NULL unless SUCCEEDED
  error             TEXT,              -- NULL when absent
  cause             TEXT,
  start_date_ms     INTEGER NOT NULL,
  stop_date_ms      INTEGER NOT NULL   -- 0 while RUNNING
);
CREATE INDEX executions_by_machine ON executions (state_machine_arn, seq);
CREATE INDEX executions_by_machine_status ON executions (state_machine_arn, status, seq);

-- The append-only history log. details is the details object as JSON text ('' when none).
CREATE TABLE history_events (
  execution_seq     INTEGER NOT NULL,
  id                INTEGER NOT NULL,
  previous_event_id INTEGER NOT NULL,
  timestamp_ms      INTEGER NOT NULL,
  type              TEXT    NOT NULL,
  details_key       TEXT    NOT NULL,
  details           TEXT    NOT NULL,
  PRIMARY KEY (execution_seq, id)
) WITHOUT ROWID;
