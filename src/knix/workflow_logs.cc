#include "knix/workflow_logs.h"

#include <cstdio>
#include <ctime>

namespace stator::knix {
namespace {

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

}  // namespace

void WorkflowLogs::Append(const std::string& workflow_id, int64_t timestamp_us,
                          const std::string& level, const std::string& invocation_id,
                          const std::string& state_name, const std::string& text) {
  if (text.empty()) return;
  const std::string prefix = "[" + std::to_string(timestamp_us) + "] [" + AscTime(timestamp_us) +
                             "] [" + level + "] [" + invocation_id + "] [" + state_name + "] ";
  MutexLock lock(&mu_);
  std::deque<Line>& lines = lines_[workflow_id];
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(Line{timestamp_us, prefix + text.substr(start, end - start)});
    if (lines.size() > kMaxLines) lines.pop_front();
    start = end + 1;
  }
}

WorkflowLogs::Retrieved WorkflowLogs::Retrieve(const std::string& workflow_id, double after_us,
                                               int64_t num_lines) const {
  Retrieved out;
  MutexLock lock(&mu_);
  auto it = lines_.find(workflow_id);
  if (it == lines_.end()) return out;
  const std::deque<Line>& lines = it->second;
  // Lines are appended in time order (per workflow, from invocations that ended in order).
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
  lines_.erase(workflow_id);
}

}  // namespace stator::knix
