// Invocation logs: what a function's worker writes to stdout and stderr, captured in a memfd
// (InvocationLog), cut into one invocation's part, wrapped in Lambda's START / END / REPORT
// lines (WrapLog, ReportLine), and the recent log of each function kept in memory
// (FunctionLogs).
//
// An instance's stdout and stderr are one memfd, O_APPEND. After each invocation the server
// reads what was appended since the previous read; the memfd is emptied only once it holds more
// than a megabyte (the writer, appending, carries on at 0), so an invocation costs neither a
// truncation nor fresh pages.
//
// Streaming (an invocation with an output sink, runtime.h): while the invocation runs, ReadLines
// returns the whole lines appended since it last did, without moving ReadNew's position; the
// ReadNew that ends the invocation says how much of what it returns ReadLines returned already.
//
// Ownership: an InvocationLog owns its memfd. Thread-safety: plain values; each object is used
// by one thread at a time (FunctionRuntime holds its mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "common/result.h"
#include "common/unique_fd.h"

namespace stator::functions {

class InvocationLog {
 public:
  static constexpr size_t kReadCap = 1024 * 1024;  // at most this much of one invocation
  static constexpr size_t kRewind = 1024 * 1024;   // emptied once it holds more than this

  // A new, empty log (a memfd named `name`, O_APPEND, close-on-exec). Errors: "ServiceException"
  // naming the call that failed.
  static Result<InvocationLog> Create(const char* name);

  int fd() const { return fd_.get(); }

  // What was appended since the previous ReadNew (the last `cap` bytes when more); empties the
  // memfd once it holds more than `rewind` bytes. "" when nothing (or it cannot be read).
  // streamed (may be null): how many leading bytes of the result ReadLines returned already.
  std::string ReadNew(size_t cap = kReadCap, size_t rewind = kRewind, size_t* streamed = nullptr);

  // The whole lines (each ended by a newline) appended since the previous ReadNew or ReadLines,
  // at most about `cap` bytes (the rest comes with the next call); a line not ended yet waits.
  // "" when there is none.
  std::string ReadLines(size_t cap = kReadCap);

  // Everything it holds (the last `cap` bytes when more), without moving the ReadNew position.
  std::string ReadAll(size_t cap) const;

 private:
  explicit InvocationLog(UniqueFd fd) : fd_(std::move(fd)) {}
  // What the memfd holds from *from on (at most its last cap bytes); *from becomes its size.
  // start (may be null): where what it returns begins in the memfd.
  std::string ReadFrom(size_t* from, size_t cap, size_t* start = nullptr) const;

  UniqueFd fd_;
  size_t read_ = 0;  // how much has been read: what the next invocation writes follows
  // ReadLines: what it returned ends at streamed_ (>= read_); from streamed_ to scanned_ there
  // is no newline.
  size_t streamed_ = 0;
  size_t scanned_ = 0;
};

// Lambda's REPORT line (with its newline) for request `id`: its duration, the function's memory
// size, the maximum RSS, "Init Duration" when init_us >= 0 (the first call on an instance) and
// "Status: <status>" when status is not null ("timeout", "error").
std::string ReportLine(const std::string& id, int64_t elapsed_us, int memory_mb, int64_t rss_kb,
                       int64_t init_us, const char* status);

// START RequestId: ID Version: $LATEST, then body (ended by a newline), END RequestId: ID, then
// the report line.
std::string WrapLog(const std::string& id, const std::string& body, const std::string& report);

// The recent log of each function: everything appended, trimmed to whole lines of at most
// keep_bytes when read.
class FunctionLogs {
 public:
  explicit FunctionLogs(size_t keep_bytes) : keep_bytes_(keep_bytes) {}
  void Append(const std::string& name, const std::string& text);
  // The function's recent log (at most keep_bytes, whole lines); "" when it has none.
  std::string Recent(const std::string& name) const;

 private:
  size_t keep_bytes_;
  std::unordered_map<std::string, std::string> logs_;
};

}  // namespace stator::functions
