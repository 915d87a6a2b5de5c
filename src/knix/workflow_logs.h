// WorkflowLogs: the recent log lines of each KNIX workflow, as retrieveAllWorkflowLogs returns
// them: one line per line a function printed, in KNIX's format
//
//   [TIMESTAMP_US] [YYYY-MM-DD HH:MM:SS.mmm] [LEVEL] [INVOCATION ID] [STATE NAME] TEXT
//
// (TIMESTAMP_US: epoch microseconds, when the line was appended — a running function's lines
// are appended as it prints them; the invocation id is the Lambda request id, so the same
// invocation's lines in Lambda's log tail carry it too). The last kMaxLines of each workflow are
// kept, in memory for reading and in the store so that they survive a restart:
//
//   knix.logs  WF/TTTTTTTTTTTTTTTTTTTT/SSSSSSSSSSSS   the line (T: timestamp, S: a sequence
//                                                     number, both zero-padded decimal)
//
// Appending never waits for the store: a writer thread commits what was appended in batches
// (one WriteRecords every kFlushInterval at most, trimming what fell out of the last kMaxLines
// in the same batch), and the destructor commits what is left. A workflow's lines are read from
// the store the first time it is touched after a start. Lines appended in the last moments
// before a crash may be lost; nothing else is.
//
// Shared (a cluster: other servers append to the same store): keys end with this server's
// random token (…/SSSSSSSSSSSS-TOKEN) so that servers never write the same key, and Retrieve
// and Clear first commit what is pending here, then read the workflow's lines from the store
// (every server's: another server's lines show once it committed them, within kFlushInterval).
// Each server trims only the lines it has seen, so the store may hold up to
// kMaxLines per server; Retrieve returns the last kMaxLines.
//
// Ownership: borrows the store (it must outlive this object).
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "store/store.h"

namespace stator::knix {

class WorkflowLogs {
 public:
  static constexpr size_t kMaxLines = 10000;
  static constexpr std::chrono::milliseconds kFlushInterval{200};

  explicit WorkflowLogs(store::Store* store, bool shared = false);
  ~WorkflowLogs();  // commits what is still pending
  WorkflowLogs(const WorkflowLogs&) = delete;
  WorkflowLogs& operator=(const WorkflowLogs&) = delete;

  // Appends every line of `text` (a trailing newline ends the last one).
  void Append(const std::string& workflow_id, int64_t timestamp_us, const std::string& level,
              const std::string& invocation_id, const std::string& state_name,
              const std::string& text) EXCLUDES(mu_);

  struct Retrieved {
    std::string log;       // the lines, each ended by a newline
    int64_t last_us = -1;  // the timestamp of the last line returned, or -1 when none
  };
  // The last `num_lines` lines (all when num_lines <= 0) whose timestamp is after
  // `after_us`.
  Retrieved Retrieve(const std::string& workflow_id, double after_us, int64_t num_lines)
      EXCLUDES(mu_);

  // Forgets the workflow's lines (in the store too).
  void Clear(const std::string& workflow_id) EXCLUDES(mu_);

  // Blocks until everything appended so far is in the store (tests).
  void FlushForTesting() EXCLUDES(mu_);

 private:
  struct Line {
    int64_t timestamp_us;
    std::string key;   // its record key
    std::string text;  // the whole formatted line, without newline
  };
  // The workflow's lines, read from the store on first use.
  std::deque<Line>& LinesLocked(const std::string& workflow_id) REQUIRES(mu_);
  void WriterLoop() EXCLUDES(mu_);
  // Commits `writes`; a failure is logged (the lines stay in memory).
  void Commit(std::vector<store::RecordWrite> writes);
  // Waits until what was appended before the call is committed.
  void FlushLocked() REQUIRES(mu_);
  // Shared: waits until what is pending is committed, then forgets the cached lines of the
  // workflow, so that the next LinesLocked reads every server's from the store.
  void RefreshLocked(const std::string& workflow_id) REQUIRES(mu_);

  store::Store* const store_;
  const bool shared_;
  const std::string key_suffix_;  // shared: "-" + this server's token; else ""
  Mutex mu_;
  CondVar wake_;
  std::map<std::string, std::deque<Line>> lines_ GUARDED_BY(mu_);
  std::vector<store::RecordWrite> pending_ GUARDED_BY(mu_);
  uint64_t next_seq_ GUARDED_BY(mu_) = 0;
  uint64_t flushed_generation_ GUARDED_BY(mu_) = 0;  // bumped after each commit
  bool committing_ GUARDED_BY(mu_) = false;          // the writer holds a batch out of pending_
  int flushes_waiting_ GUARDED_BY(mu_) = 0;  // FlushLocked callers: the writer skips its pause
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread writer_;
};

}  // namespace stator::knix
