-- v002: Standard executions, the state machines they run, and their history events.
-- Times are epoch milliseconds. Inputs, outputs, errors, causes and events' details (JSON text)
-- are BYTEA, as in v001.

-- The state machine as executions run it (DescribeStateMachineForExecution), kept once per
-- distinct content: `id` is a digest of the content chosen by the server.
CREATE TABLE execution_machines (
  id                       TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  definition               BYTEA  NOT NULL,
  role_arn                 BYTEA  NOT NULL,
  logging_configuration    BYTEA  NOT NULL,
  tracing_configuration    BYTEA  NOT NULL,
  encryption_configuration BYTEA  NOT NULL,
  revision_id              TEXT   NOT NULL,
  update_date_ms           BIGINT NOT NULL
);

-- seq is the creation order (from a sequence, shared by every node): ListExecutions pages
-- newest first by it, and history rows refer to it. Executions outlive their state machine.
CREATE TABLE executions (
  seq               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  arn               TEXT COLLATE "C" NOT NULL UNIQUE,
  state_machine_arn TEXT COLLATE "C" NOT NULL,
  name              TEXT   NOT NULL,
  version_arn       TEXT   NOT NULL,  -- '' unless started through a version or alias
  alias_arn         TEXT   NOT NULL,  -- '' unless started through an alias
  machine_id        TEXT COLLATE "C" NOT NULL REFERENCES execution_machines (id),
  status            TEXT   NOT NULL
                    CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED')),
  input             BYTEA  NOT NULL,
  output            BYTEA,             -- NULL unless SUCCEEDED
  error             BYTEA,             -- NULL when absent
  cause             BYTEA,
  start_date_ms     BIGINT NOT NULL,
  stop_date_ms      BIGINT NOT NULL    -- 0 while RUNNING
);
CREATE INDEX executions_by_machine ON executions (state_machine_arn, seq);
CREATE INDEX executions_by_machine_status ON executions (state_machine_arn, status, seq);
-- What a server resumes when it starts (ListRunningExecutions).
CREATE INDEX executions_running ON executions (seq) WHERE status = 'RUNNING';

-- The append-only history log. details: the details object as JSON text ('' when none).
CREATE TABLE history_events (
  execution_seq     BIGINT NOT NULL,
  id                BIGINT NOT NULL,
  previous_event_id BIGINT NOT NULL,
  timestamp_ms      BIGINT NOT NULL,
  type              TEXT   NOT NULL,
  details_key       TEXT   NOT NULL,
  details           BYTEA  NOT NULL,
  PRIMARY KEY (execution_seq, id)
);
