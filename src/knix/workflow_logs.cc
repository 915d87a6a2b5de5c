#include "knix/workflow_logs.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "common/random.h"

namespace stator::knix {
namespace {

constexpr const char* kLogs = "knix.logs";

// "YYYY-MM-DD HH:MM:SS.mmm" in UTC, as KNIX's log records' asctime.msecs.
std::string AscTime(int64_t timestamp_us) {
  time_t seconds = static_cast<time_t>(timestamp_us / 1000000);
  struct tm tm;
  gmtime_r(&seconds, &tm);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>((timestamp_us / 1000) % 1000));
  return buffer;
}

std::string Padded(uint64_t n, int width) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%0*llu", width, static_cast<unsigned long long>(n));
  return buffer;
}

// WF/TTTT.../SSSS...: the timestamp part of a key.
int64_t TimestampOfKey(const std::string& key) {
  size_t a = key.find('/');
  size_t b = key.find('/', a + 1);
  if (a == std::string::npos || b == std::string::npos) return 0;
  return std::strtoll(key.c_str() + a + 1, nullptr, 10);
}

}  // namespace

WorkflowLogs::WorkflowLogs(store::Store* store, bool shared)
    : store_(store), shared_(shared), key_suffix_(shared ? "-" + RandomHex(8) : "") {
  writer_ = std::thread([this] { WriterLoop(); });
}

WorkflowLogs::~WorkflowLogs() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  wake_.SignalAll();
  writer_.join();
}

std::deque<WorkflowLogs::Line>& WorkflowLogs::LinesLocked(const std::string& workflow_id) {
  auto it = lines_.find(workflow_id);
  if (it != lines_.end()) return it->second;
  std::deque<Line>& lines = lines_[workflow_id];
  std::string after;
  while (true) {
    auto page = store_->ListRecords(kLogs, workflow_id + "/", after, 1000);
    if (!page.ok()) {
      std::cerr << "stator: knix: cannot read the logs of workflow " << workflow_id << ": "
                << page.error().cause << "\n";
      break;
    }
    for (store::Record& r : page->items) {
      int64_t ts = TimestampOfKey(r.key);
      lines.push_back(Line{ts, std::move(r.key), std::move(r.value)});
    }
    if (page->next.empty()) break;
    after = page->next;
  }
  while (lines.size() > kMaxLines) lines.pop_front();
  return lines;
}

void WorkflowLogs::Append(const std::string& workflow_id, int64_t timestamp_us,
                          const std::string& level, const std::string& invocation_id,
                          const std::string& state_name, const std::string& text) {
  if (text.empty()) return;
  const std::string prefix = "[" + std::to_string(timestamp_us) + "] [" + AscTime(timestamp_us) +
                             "] [" + level + "] [" + invocation_id + "] [" + state_name + "] ";
  const std::string key_prefix = workflow_id + "/" + Padded(timestamp_us, 20) + "/";
  MutexLock lock(&mu_);
  std::deque<Line>& lines = LinesLocked(workflow_id);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    Line line{timestamp_us, key_prefix + Padded(next_seq_++, 12) + key_suffix_,
              prefix + text.substr(start, end - start)};
    pending_.push_back(store::RecordWrite::Put(kLogs, line.key, line.text));
    lines.push_back(std::move(line));
    if (lines.size() > kMaxLines) {
      pending_.push_back(store::RecordWrite::Delete(kLogs, lines.front().key));
      lines.pop_front();
    }
    start = end + 1;
  }
  wake_.SignalAll();
}

WorkflowLogs::Retrieved WorkflowLogs::Retrieve(const std::string& workflow_id, double after_us,
                                               int64_t num_lines) {
  Retrieved out;
  MutexLock lock(&mu_);
  RefreshLocked(workflow_id);
  const std::deque<Line>& lines = LinesLocked(workflow_id);
  // Lines are appended in time order (each stamped when it is appended).
  size_t first = lines.size();
  while (first > 0 && static_cast<double>(lines[first - 1].timestamp_us) > after_us) --first;
  if (num_lines > 0 && lines.size() - first > static_cast<size_t>(num_lines)) {
    first = lines.size() - static_cast<size_t>(num_lines);
  }
  for (size_t i = first; i < lines.size(); ++i) {
    out.log += lines[i].text;
    out.log += '\n';
    out.last_us = lines[i].timestamp_us;
  }
  return out;
}

void WorkflowLogs::Clear(const std::string& workflow_id) {
  MutexLock lock(&mu_);
  RefreshLocked(workflow_id);
  std::deque<Line>& lines = LinesLocked(workflow_id);
  for (const Line& line : lines) pending_.push_back(store::RecordWrite::Delete(kLogs, line.key));
  lines.clear();  // kept (empty): reading the store again would find the deletes not yet written
  wake_.SignalAll();
  if (shared_) FlushLocked();  // other servers read the store: the deletes must be there
}

void WorkflowLogs::FlushForTesting() {
  MutexLock lock(&mu_);
  FlushLocked();
}

void WorkflowLogs::FlushLocked() {
  // The batch being committed, then the one pending.
  uint64_t target = flushed_generation_ + (committing_ ? 1 : 0) + (pending_.empty() ? 0 : 1);
  ++flushes_waiting_;
  wake_.SignalAll();
  while (flushed_generation_ < target) wake_.Wait(&mu_);
  --flushes_waiting_;
}

void WorkflowLogs::RefreshLocked(const std::string& workflow_id) {
  if (!shared_) return;
  FlushLocked();
  lines_.erase(workflow_id);
}

void WorkflowLogs::WriterLoop() {
  MutexLock lock(&mu_);
  while (true) {
    while (pending_.empty() && !stopping_) wake_.Wait(&mu_);
    if (pending_.empty() && stopping_) return;
    std::vector<store::RecordWrite> batch = std::move(pending_);
    pending_.clear();
    committing_ = true;
    lock.Unlock();
    Commit(std::move(batch));
    lock.Lock();
    committing_ = false;
    ++flushed_generation_;
    wake_.SignalAll();
    if (stopping_) continue;
    // Let lines gather: at most one commit per interval (a flush waited for cuts it short).
    const auto deadline = std::chrono::steady_clock::now() + kFlushInterval;
    while (!stopping_ && flushes_waiting_ == 0 && std::chrono::steady_clock::now() < deadline) {
      wake_.WaitUntil(&mu_, deadline);
    }
  }
}

void WorkflowLogs::Commit(std::vector<store::RecordWrite> writes) {
  Status s = store_->WriteRecords(writes);
  if (!s.ok()) {
    std::cerr << "stator: knix: cannot store " << writes.size()
              << " workflow log writes: " << s.error().cause << "\n";
  }
}

}  // namespace stator::knix
