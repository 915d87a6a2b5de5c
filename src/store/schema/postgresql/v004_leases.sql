-- v004: leases of RUNNING executions (store.h, ExecutionBatch): the node of a cluster that may
-- write an execution, until expires_at, a time of the database server's clock (one clock for
-- every node). A row lives from the execution's creation by a node with a lease owner until its
-- outcome is committed (PostgresStore::Commit deletes it).
CREATE TABLE execution_leases (
  execution_seq BIGINT NOT NULL PRIMARY KEY REFERENCES executions (seq) ON DELETE CASCADE,
  owner         TEXT COLLATE "C" NOT NULL,
  epoch         BIGINT NOT NULL,  -- 1 at creation, + 1 at each take-over
  expires_at    TIMESTAMPTZ NOT NULL
);
-- ClaimExpiredLeases finds the expired ones; RenewLeases and ReleaseLeases a node's own.
CREATE INDEX execution_leases_by_expiry ON execution_leases (expires_at);
CREATE INDEX execution_leases_by_owner ON execution_leases (owner);
