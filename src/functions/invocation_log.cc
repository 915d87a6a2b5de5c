#include "functions/invocation_log.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace stator::functions {
namespace {

std::string Fixed(double v, int digits) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

Result<InvocationLog> InvocationLog::Create(const char* name) {
  UniqueFd fd(memfd_create(name, MFD_CLOEXEC));
  if (!fd.valid())
    return Error{"ServiceException", std::string("memfd_create: ") + strerror(errno)};
  if (fcntl(fd.get(), F_SETFL, O_APPEND) != 0) {
    return Error{"ServiceException", std::string("fcntl(O_APPEND): ") + strerror(errno)};
  }
  return InvocationLog(std::move(fd));
}

std::string InvocationLog::ReadFrom(size_t* from, size_t cap, size_t* start) const {
  struct stat st;
  if (!fd_.valid() || fstat(fd_.get(), &st) != 0) return "";
  size_t size = static_cast<size_t>(std::max<off_t>(st.st_size, 0));
  if (size < *from) *from = 0;  // emptied by someone else
  size_t first = size - *from > cap ? size - cap : *from;
  std::string out(size - first, '\0');
  ssize_t n = out.empty() ? 0 : pread(fd_.get(), out.data(), out.size(), static_cast<off_t>(first));
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  *from = size;
  if (start != nullptr) *start = first;
  return out;
}

std::string InvocationLog::ReadNew(size_t cap, size_t rewind, size_t* streamed) {
  size_t start = read_;
  std::string out = ReadFrom(&read_, cap, &start);
  if (streamed != nullptr) {
    *streamed = streamed_ > start ? std::min(streamed_ - start, out.size()) : 0;
  }
  if (read_ > rewind && ftruncate(fd_.get(), 0) == 0) read_ = 0;
  streamed_ = scanned_ = read_;
  return out;
}

std::string InvocationLog::ReadLines(size_t cap) {
  struct stat st;
  if (!fd_.valid() || fstat(fd_.get(), &st) != 0) return "";
  size_t size = static_cast<size_t>(std::max<off_t>(st.st_size, 0));
  if (size < streamed_) streamed_ = scanned_ = 0;  // emptied by someone else
  size_t from = std::max(scanned_, streamed_);
  if (size <= from || cap == 0) return "";
  // Only what was appended since the previous call is searched for a newline.
  std::string chunk(std::min(size - from, cap), '\0');
  ssize_t n = pread(fd_.get(), chunk.data(), chunk.size(), static_cast<off_t>(from));
  if (n <= 0) return "";
  chunk.resize(static_cast<size_t>(n));
  size_t nl = chunk.rfind('\n');
  if (nl == std::string::npos) {
    scanned_ = from + chunk.size();
    return "";
  }
  chunk.resize(nl + 1);
  size_t stop = from + chunk.size();
  std::string out;
  if (streamed_ < from) {
    // The first line began before `from` (an earlier call read its start and found no
    // newline): from there, or its last cap bytes when it is longer.
    size_t begin = stop - streamed_ > cap ? stop - cap : streamed_;
    if (begin < from) {
      out.assign(from - begin, '\0');
      ssize_t m = pread(fd_.get(), out.data(), out.size(), static_cast<off_t>(begin));
      out.resize(m > 0 ? static_cast<size_t>(m) : 0);
    }
    out += chunk;
  } else {
    out = std::move(chunk);
  }
  streamed_ = scanned_ = stop;
  return out;
}

std::string InvocationLog::ReadAll(size_t cap) const {
  size_t from = 0;
  return ReadFrom(&from, cap);
}

std::string ReportLine(const std::string& id, int64_t elapsed_us, int memory_mb, int64_t rss_kb,
                       int64_t init_us, const char* status) {
  double ms = elapsed_us / 1000.0;
  std::string r = "REPORT RequestId: " + id + "\tDuration: " + Fixed(ms, 2) +
                  " ms\tBilled Duration: " + std::to_string(static_cast<int64_t>(ms) + 1) +
                  " ms\tMemory Size: " + std::to_string(memory_mb) +
                  " MB\tMax Memory Used: " + std::to_string(rss_kb / 1024) + " MB\t";
  if (init_us >= 0) r += "Init Duration: " + Fixed(init_us / 1000.0, 2) + " ms\t";
  if (status) r += std::string("Status: ") + status + "\t";
  return r + "\n";
}

std::string WrapLog(const std::string& id, const std::string& body, const std::string& report) {
  std::string log = "START RequestId: " + id + " Version: $LATEST\n" + body;
  if (!body.empty() && body.back() != '\n') log += '\n';
  return log + "END RequestId: " + id + "\n" + report;
}

void FunctionLogs::Append(const std::string& name, const std::string& text) {
  std::string& l = logs_[name];
  l += text;
  // Trimmed only once it holds twice the limit, so that keeping a log costs amortised O(1)
  // rather than a move of the whole buffer per invocation (Recent trims what it returns).
  if (l.size() > 2 * keep_bytes_) {
    size_t cut = l.size() - keep_bytes_;
    size_t nl = l.find('\n', cut);
    l.erase(0, nl == std::string::npos ? cut : nl + 1);
  }
}

std::string FunctionLogs::Recent(const std::string& name) const {
  auto it = logs_.find(name);
  if (it == logs_.end()) return "";
  const std::string& l = it->second;
  if (l.size() <= keep_bytes_) return l;
  size_t nl = l.find('\n', l.size() - keep_bytes_);
  return nl == std::string::npos ? l.substr(l.size() - keep_bytes_) : l.substr(nl + 1);
}

}  // namespace stator::functions
