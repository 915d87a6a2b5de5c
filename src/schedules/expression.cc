// Expression: parsing rate/cron/at and the next firing.
#include "schedules/expression.h"

#include <cctype>

namespace stator::schedules {
namespace {

Error Invalid(const std::string& text) {
  return Error{"ValidationException", "Invalid Schedule Expression " + text + "."};
}

// "inner" of "name(inner)", or nullopt.
std::optional<std::string> Inside(const std::string& text, const char* name) {
  std::string prefix = std::string(name) + "(";
  if (!text.starts_with(prefix) || !text.ends_with(")")) return std::nullopt;
  return text.substr(prefix.size(), text.size() - prefix.size() - 1);
}

std::optional<int> Digits(const std::string& s, size_t at, size_t n) {
  if (at + n > s.size()) return std::nullopt;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (!isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

Result<Expression> Expression::Parse(const std::string& text, bool allow_at) {
  Expression e;
  e.text_ = text;
  if (std::optional<std::string> in = Inside(text, "rate")) {
    size_t space = in->find(' ');
    if (space == std::string::npos || in->find(' ', space + 1) != std::string::npos) {
      return Invalid(text);
    }
    std::string n = in->substr(0, space), unit = in->substr(space + 1);
    if (n.empty() || n.size() > 9 || n[0] == '0') return Invalid(text);
    for (char c : n) {
      if (!isdigit(static_cast<unsigned char>(c))) return Invalid(text);
    }
    int64_t value = std::stoll(n);
    std::string singular = value == 1 ? unit : unit.substr(0, unit.size() - 1);
    if (value != 1 && !unit.ends_with("s")) return Invalid(text);
    int64_t unit_ms = singular == "minute" ? 60'000
                      : singular == "hour" ? 3'600'000
                      : singular == "day"  ? 86'400'000
                                           : 0;
    if (unit_ms == 0) return Invalid(text);
    e.type_ = Type::kRate;
    e.rate_ms_ = value * unit_ms;
    return e;
  }
  if (std::optional<std::string> in = Inside(text, "cron")) {
    auto cron = Cron::Parse(*in);
    if (!cron.ok()) return Invalid(text);
    e.type_ = Type::kCron;
    e.cron_ = std::move(*cron);
    return e;
  }
  if (std::optional<std::string> in = Inside(text, "at"); in && allow_at) {
    // yyyy-mm-ddThh:mm:ss
    const std::string& s = *in;
    if (s.size() != 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':') {
      return Invalid(text);
    }
    auto y = Digits(s, 0, 4), mo = Digits(s, 5, 2), d = Digits(s, 8, 2), h = Digits(s, 11, 2),
         mi = Digits(s, 14, 2), se = Digits(s, 17, 2);
    if (!y || !mo || !d || !h || !mi || !se || *mo < 1 || *mo > 12 || *d < 1 ||
        *d > DaysInMonth(*y, *mo) || *h > 23 || *mi > 59 || *se > 59) {
      return Invalid(text);
    }
    e.type_ = Type::kAt;
    e.at_local_ms_ = ((DaysFromCivil(*y, *mo, *d) * 24 + *h) * 60 + *mi) * 60'000 + *se * 1000;
    return e;
  }
  return Invalid(text);
}

std::optional<int64_t> Expression::NextAfter(int64_t after_ms, int64_t anchor_ms,
                                             const TimeZone& tz) const {
  switch (type_) {
    case Type::kRate: {
      if (after_ms < anchor_ms) return anchor_ms + rate_ms_;
      int64_t k = (after_ms - anchor_ms) / rate_ms_ + 1;
      return anchor_ms + k * rate_ms_;
    }
    case Type::kAt: {
      int64_t utc = tz.ToUtc(at_local_ms_);
      if (utc > after_ms) return utc;
      return std::nullopt;
    }
    case Type::kCron: {
      int64_t local = tz.ToLocal(after_ms);
      // A local minute can map to an instant at or before after_ms when clocks went back:
      // look further.
      for (int guard = 0; guard < 1000; ++guard) {
        std::optional<int64_t> next = cron_->NextAfter(local);
        if (!next) return std::nullopt;
        int64_t utc = tz.ToUtc(*next);
        if (utc > after_ms) return utc;
        local = *next;
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace stator::schedules
