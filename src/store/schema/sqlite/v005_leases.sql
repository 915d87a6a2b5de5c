-- v005: leases of RUNNING executions (store.h, ExecutionBatch): the node of a cluster that may
-- write an execution, until expires_ms (epoch milliseconds of the store's clock). A row lives from
-- the execution's creation with a lease owner until its outcome is committed.
CREATE TABLE execution_leases (
  execution_seq INTEGER NOT NULL PRIMARY KEY REFERENCES executions (seq),
  owner         TEXT    NOT NULL,
  epoch         INTEGER NOT NULL,  -- 1 at creation, + 1 at each take-over
  expires_ms    INTEGER NOT NULL
);
-- ClaimExpiredLeases finds the expired ones; RenewLeases and ReleaseLeases a node's own.
CREATE INDEX execution_leases_by_expiry ON execution_leases (expires_ms);
CREATE INDEX execution_leases_by_owner ON execution_leases (owner);

-- A committed outcome ends the lease, whoever commits it.
CREATE TRIGGER execution_leases_end AFTER UPDATE OF status ON executions
WHEN NEW.status <> 'RUNNING'
BEGIN
  DELETE FROM execution_leases WHERE execution_seq = NEW.seq;
END;
