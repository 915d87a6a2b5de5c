// Java's behaviours for the intrinsic functions (see java_compat.h).
#include "asl/java_compat.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace stator::asl::java_compat {

using json::Kind;
using json::Value;

namespace {

// The length of the UTF-8 sequence that starts with lead (1 for a byte that cannot start one).
size_t Utf8SequenceLength(unsigned char lead) {
  return lead < 0x80 ? 1 : (lead >> 5) == 6 ? 2 : (lead >> 4) == 14 ? 3 : (lead >> 3) == 30 ? 4 : 1;
}

}  // namespace

void AppendJavaString(const Value& v, std::string* out) {
  switch (v.kind()) {
    case Kind::kString:
      *out += v.as_string();
      return;
    case Kind::kArray: {
      out->push_back('[');
      bool first = true;
      for (const auto& e : v.as_array()) {
        if (!first) *out += ", ";
        first = false;
        AppendJavaString(e, out);
      }
      out->push_back(']');
      return;
    }
    case Kind::kObject: {
      out->push_back('{');
      bool first = true;
      for (const auto& m : v.as_object()) {
        if (!first) *out += ", ";
        first = false;
        *out += m.first;
        out->push_back('=');
        AppendJavaString(m.second, out);
      }
      out->push_back('}');
      return;
    }
    default:
      v.DumpTo(out);
  }
}

size_t Utf16Length(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    size_t len = Utf8SequenceLength(static_cast<unsigned char>(s[i]));
    n += len == 4 ? 2 : 1;
    i += len;
  }
  return n;
}

// Replaces invalid UTF-8 sequences with U+FFFD, as Java's new String(bytes, UTF_8) does.
std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      len = 1;
      cp = c;
    } else if ((c >> 5) == 6) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c >> 4) == 14) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c >> 3) == 30) {
      len = 4;
      cp = c & 0x07;
    }
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d >> 6) != 2) ok = false;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (ok) {
      static const uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
      if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) ok = false;
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

// Java's String.hashCode over the UTF-16 form of s.
int32_t JavaHashCode(std::string_view s) {
  uint32_t h = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    size_t len;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c >> 5) == 6 && i + 1 < s.size()) {
      cp = ((c & 0x1f) << 6) | (s[i + 1] & 0x3f);
      len = 2;
    } else if ((c >> 4) == 14 && i + 2 < s.size()) {
      cp = ((c & 0x0f) << 12) | ((s[i + 1] & 0x3f) << 6) | (s[i + 2] & 0x3f);
      len = 3;
    } else if (i + 3 < s.size()) {
      cp = ((c & 0x07) << 18) | ((s[i + 1] & 0x3f) << 12) | ((s[i + 2] & 0x3f) << 6) |
           (s[i + 3] & 0x3f);
      len = 4;
    } else {
      cp = c;
      len = 1;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      h = 31 * h + (0xd800 + (cp >> 10));
      h = 31 * h + (0xdc00 + (cp & 0x3ff));
    } else {
      h = 31 * h + cp;
    }
    i += len;
  }
  return static_cast<int32_t>(h);
}

// Orders members as iterating a java.util.HashMap filled in this order would.
json::Object InJavaHashMapOrder(json::Object members) {
  size_t capacity = 16;
  while (members.size() > capacity * 3 / 4) capacity *= 2;
  std::vector<std::pair<size_t, size_t>> keyed;  // (bucket, insertion index)
  keyed.reserve(members.size());
  for (size_t i = 0; i < members.size(); ++i) {
    uint32_t h = static_cast<uint32_t>(JavaHashCode(members[i].first));
    h ^= h >> 16;
    keyed.emplace_back(h & (capacity - 1), i);
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  json::Object out;
  out.reserve(members.size());
  for (const auto& k : keyed) out.push_back(std::move(members[k.second]));
  return out;
}

std::optional<int64_t> RoundLikeJava(const Value& v) {
  if (v.is_int()) return v.as_int();
  if (v.is_double() && std::isfinite(v.as_double()) && std::fabs(v.as_double()) < 9.2e18)
    return static_cast<int64_t>(std::floor(v.as_double() + 0.5));
  return std::nullopt;
}

Value SplitLikeStringTokenizer(const std::string& s, const std::string& delims) {
  json::Array out;
  std::string cur;
  // Delimiters are compared as whole UTF-8 sequences so multi-byte characters work.
  std::vector<std::string_view> ds;
  for (size_t i = 0; i < delims.size();) {
    size_t len = Utf8SequenceLength(static_cast<unsigned char>(delims[i]));
    ds.push_back(std::string_view(delims).substr(i, len));
    i += len;
  }
  size_t i = 0;
  while (i < s.size()) {
    bool matched = false;
    for (std::string_view d : ds) {
      if (s.compare(i, d.size(), d) == 0) {
        if (!cur.empty()) out.push_back(Value::String(std::move(cur)));
        cur.clear();
        i += d.size();
        matched = true;
        break;
      }
    }
    if (!matched) cur.push_back(s[i++]);
  }
  if (!cur.empty()) out.push_back(Value::String(std::move(cur)));
  return Value::MakeArray(std::move(out));
}

}  // namespace stator::asl::java_compat
