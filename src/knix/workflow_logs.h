// WorkflowLogs: the recent log lines of each KNIX workflow, as retrieveAllWorkflowLogs returns
// them: one line per line a function printed, in KNIX's format
//
//   [TIMESTAMP_US] [YYYY-MM-DD HH:MM:SS.mmm] [LEVEL] [INVOCATION ID] [STATE NAME] TEXT
//
// (TIMESTAMP_US: epoch microseconds; the invocation id is the Lambda request id, so the same
// invocation's lines in Lambda's log tail carry it too). Kept in memory, the last kMaxLines
// per workflow; a restart starts them afresh (KNIX keeps them in Elasticsearch).
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include "common/mutex.h"
#include "common/thread_annotations.h"

namespace stator::knix {

class WorkflowLogs {
 public:
  static constexpr size_t kMaxLines = 10000;

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
  Retrieved Retrieve(const std::string& workflow_id, double after_us, int64_t num_lines) const
      EXCLUDES(mu_);

  void Clear(const std::string& workflow_id) EXCLUDES(mu_);

 private:
  struct Line {
    int64_t timestamp_us;
    std::string text;  // the whole formatted line, without newline
  };
  mutable Mutex mu_;
  std::map<std::string, std::deque<Line>> lines_ GUARDED_BY(mu_);
};

}  // namespace stator::knix
