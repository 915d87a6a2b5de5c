-- v003: the executions a server resumes when it starts (Store::ListRunningExecutions).
CREATE INDEX executions_by_status ON executions (status, seq);
