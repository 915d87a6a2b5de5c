// TimeZone: offsets from TZif files.
#include "schedules/time_zone.h"

#include <algorithm>
#include <cstdlib>

#include "common/read_file.h"

namespace stator::schedules {
namespace {

int64_t BigEndian(const std::string& s, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  if (bytes == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 50 || name.front() == '/') return false;
  if (name.find("..") != std::string::npos) return false;
  for (char c : name) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+')) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<TimeZone> TimeZone::Load(const std::string& name) {
  TimeZone tz;
  if (name.empty() || name == "UTC" || name == "Etc/UTC") return tz;
  Error unknown{"TimeZone", "unknown time zone " + name};
  if (!ValidName(name)) return unknown;
  const char* dir = std::getenv("TZDIR");
  std::string path = std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + name;
  auto text = ReadWholeFile(path, "TimeZone");
  if (!text.ok()) return unknown;
  const std::string& s = *text;
  // Header: "TZif", version, 15 reserved, six counts.
  auto header = [&](size_t at, int64_t counts[6]) {
    if (s.size() < at + 44 || s.compare(at, 4, "TZif") != 0) return false;
    for (int i = 0; i < 6; ++i) counts[i] = BigEndian(s, at + 20 + 4 * i, 4);
    return true;
  };
  int64_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  if (!header(0, c)) return unknown;
  size_t at = 44;
  int time_bytes = 4;
  if (s[4] >= '2') {
    // Skip the 32-bit block; the 64-bit one follows with its own header.
    at += c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
    if (!header(at, c)) return unknown;
    at += 44;
    time_bytes = 8;
  }
  const int64_t timecnt = c[3], typecnt = c[4];
  if (typecnt <= 0 || s.size() < at + timecnt * (time_bytes + 1) + typecnt * 6) return unknown;
  auto table = std::make_shared<Table>();
  std::vector<int32_t> type_offsets(typecnt);
  size_t types_at = at + timecnt * (time_bytes + 1);
  for (int64_t i = 0; i < typecnt; ++i) {
    type_offsets[i] = static_cast<int32_t>(BigEndian(s, types_at + 6 * i, 4));
  }
  table->initial = type_offsets[0];
  for (int64_t i = 0; i < timecnt; ++i) {
    int idx = static_cast<unsigned char>(s[at + timecnt * time_bytes + i]);
    if (idx >= typecnt) return unknown;
    table->transitions.push_back(BigEndian(s, at + i * time_bytes, time_bytes));
    table->offsets.push_back(type_offsets[idx]);
  }
  tz.name_ = name;
  tz.table_ = std::move(table);
  return tz;
}

int64_t TimeZone::OffsetSeconds(int64_t utc_ms) const {
  if (!table_) return 0;
  int64_t sec = utc_ms >= 0 ? utc_ms / 1000 : -((-utc_ms + 999) / 1000);
  const auto& t = table_->transitions;
  auto it = std::upper_bound(t.begin(), t.end(), sec);
  if (it == t.begin()) return table_->initial;
  return table_->offsets[(it - t.begin()) - 1];
}

int64_t TimeZone::ToUtc(int64_t local_ms) const {
  if (!table_) return local_ms;
  // The two candidate offsets around local_ms: the earlier wins when both fit (overlap); when
  // neither fits (a gap), the offset before the change moves the time forward.
  int64_t before = OffsetSeconds(local_ms - 86'400'000) * 1000;
  int64_t after = OffsetSeconds(local_ms + 86'400'000) * 1000;
  for (int64_t off : {before, after}) {
    int64_t utc = local_ms - off;
    if (OffsetSeconds(utc) * 1000 == off) return utc;
  }
  return local_ms - before;
}

}  // namespace stator::schedules
