#include "common/json.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iterator>

#include "common/utf8.h"

namespace stator::json {

namespace internal {
struct StringNode : Node {
  explicit StringNode(std::string v) : s(std::move(v)) {}
  std::string s;
};
struct ArrayNode : Node {
  explicit ArrayNode(Array v) : a(std::move(v)) {}
  Array a;
};
struct ObjectNode : Node {
  explicit ObjectNode(Object v) : o(std::move(v)) {}
  Object o;
};
}  // namespace internal

using internal::ArrayNode;
using internal::ObjectNode;
using internal::StringNode;

void Value::Unref() {
  if (kind_ < Kind::kString) return;
  if (node_->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  switch (kind_) {
    case Kind::kString:
      delete static_cast<const StringNode*>(node_);
      break;
    case Kind::kArray:
      delete static_cast<const ArrayNode*>(node_);
      break;
    case Kind::kObject:
      delete static_cast<const ObjectNode*>(node_);
      break;
    default:
      break;
  }
}

Value Value::Bool(bool b) {
  Value v;
  v.kind_ = Kind::kBool;
  v.i_ = 0;
  v.b_ = b;
  return v;
}
Value Value::Int(int64_t i) {
  Value v;
  v.kind_ = Kind::kInt;
  v.i_ = i;
  return v;
}
Value Value::Double(double d) {
  Value v;
  v.kind_ = Kind::kDouble;
  v.d_ = d;
  return v;
}
Value Value::String(std::string s) {
  Value v;
  v.kind_ = Kind::kString;
  v.node_ = new StringNode(std::move(s));
  return v;
}
Value Value::MakeArray(Array items) {
  Value v;
  v.kind_ = Kind::kArray;
  v.node_ = new ArrayNode(std::move(items));
  return v;
}
Value Value::MakeObject(Object members) {
  Value v;
  v.kind_ = Kind::kObject;
  v.node_ = new ObjectNode(std::move(members));
  return v;
}
Value Value::EmptyObject() {
  static const Value empty = MakeObject({});
  return empty;
}
Value Value::EmptyArray() {
  static const Value empty = MakeArray({});
  return empty;
}

bool Value::as_bool() const {
  assert(kind_ == Kind::kBool);
  return b_;
}
int64_t Value::as_int() const {
  assert(kind_ == Kind::kInt);
  return i_;
}
double Value::as_double() const {
  assert(is_number());
  return kind_ == Kind::kInt ? static_cast<double>(i_) : d_;
}
const std::string& Value::as_string() const {
  assert(kind_ == Kind::kString);
  return static_cast<const StringNode*>(node_)->s;
}
const Array& Value::as_array() const {
  assert(kind_ == Kind::kArray);
  return static_cast<const ArrayNode*>(node_)->a;
}
const Object& Value::as_object() const {
  assert(kind_ == Kind::kObject);
  return static_cast<const ObjectNode*>(node_)->o;
}

const Value* Value::Find(std::string_view key) const {
  if (kind_ != Kind::kObject) return nullptr;
  for (const auto& m : as_object()) {
    if (m.first == key) return &m.second;
  }
  return nullptr;
}

Value Value::With(std::string_view key, Value v) const {
  assert(kind_ == Kind::kObject);
  Object members = as_object();
  for (auto& m : members) {
    if (m.first == key) {
      m.second = std::move(v);
      return MakeObject(std::move(members));
    }
  }
  members.emplace_back(std::string(key), std::move(v));
  return MakeObject(std::move(members));
}

Value Value::Append(Value v) const {
  assert(kind_ == Kind::kArray);
  Array items = as_array();
  items.push_back(std::move(v));
  return MakeArray(std::move(items));
}

bool Value::operator==(const Value& o) const {
  if (kind_ != o.kind_) return false;
  switch (kind_) {
    case Kind::kNull:
      return true;
    case Kind::kBool:
      return b_ == o.b_;
    case Kind::kInt:
      return i_ == o.i_;
    case Kind::kDouble:
      return d_ == o.d_;
    case Kind::kString:
      return node_ == o.node_ || as_string() == o.as_string();
    case Kind::kArray:
      return node_ == o.node_ || as_array() == o.as_array();
    case Kind::kObject: {
      if (node_ == o.node_) return true;
      const Object& a = as_object();
      const Object& b = o.as_object();
      if (a.size() != b.size()) return false;
      for (const auto& m : a) {
        const Value* other = o.Find(m.first);
        if (other == nullptr || !(m.second == *other)) return false;
      }
      return true;
    }
  }
  return false;
}

const char* Value::TypeName() const {
  switch (kind_) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "boolean";
    case Kind::kInt:
    case Kind::kDouble:
      return "number";
    case Kind::kString:
      return "string";
    case Kind::kArray:
      return "array";
    case Kind::kObject:
      return "object";
  }
  return "unknown";
}

// ---------------------------------------------------------------------------------------------
// Printing

void AppendQuoted(std::string_view s, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run = 0;  // start of the pending run of bytes that need no escaping
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

// Java's Double.toString: the shortest digits that round-trip, printed as plain decimal with at
// least one fraction digit when 1e-3 <= |d| < 1e7, else as d.dddE[-]n.
void AppendDouble(double d, std::string* out) {
  if (std::isnan(d)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(d)) {
    out->append(d > 0 ? "Infinity" : "-Infinity");
    return;
  }
  if (d == 0) {
    out->append(std::signbit(d) ? "-0.0" : "0.0");
    return;
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, res.ptr - buf);  // e.g. "-1.2345e+06"
  bool negative = sci[0] == '-';
  if (negative) sci.remove_prefix(1);
  size_t e = sci.find('e');
  std::string digits;
  digits.push_back(sci[0]);
  if (e > 2) digits.append(sci.substr(2, e - 2));
  int exp = 0;
  std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exp);
  if (negative) out->push_back('-');
  double mag = std::fabs(d);
  if (mag >= 1e-3 && mag < 1e7) {
    if (exp >= 0) {
      size_t int_len = static_cast<size_t>(exp) + 1;
      if (digits.size() <= int_len) {
        out->append(digits);
        out->append(int_len - digits.size(), '0');
        out->append(".0");
      } else {
        out->append(digits, 0, int_len);
        out->push_back('.');
        out->append(digits, int_len, std::string::npos);
      }
    } else {
      out->append("0.");
      out->append(static_cast<size_t>(-exp - 1), '0');
      out->append(digits);
    }
  } else {
    out->push_back(digits[0]);
    out->push_back('.');
    if (digits.size() > 1) {
      out->append(digits, 1, std::string::npos);
    } else {
      out->push_back('0');
    }
    out->push_back('E');
    out->append(std::to_string(exp));
  }
}

void Value::DumpTo(std::string* out) const {
  switch (kind_) {
    case Kind::kNull:
      out->append("null");
      return;
    case Kind::kBool:
      out->append(b_ ? "true" : "false");
      return;
    case Kind::kInt: {
      char buf[24];
      auto res = std::to_chars(buf, buf + sizeof buf, i_);
      out->append(buf, res.ptr - buf);
      return;
    }
    case Kind::kDouble:
      AppendDouble(d_, out);
      return;
    case Kind::kString:
      AppendQuoted(as_string(), out);
      return;
    case Kind::kArray: {
      out->push_back('[');
      bool first = true;
      for (const auto& v : as_array()) {
        if (!first) out->push_back(',');
        first = false;
        v.DumpTo(out);
      }
      out->push_back(']');
      return;
    }
    case Kind::kObject: {
      out->push_back('{');
      bool first = true;
      for (const auto& m : as_object()) {
        if (!first) out->push_back(',');
        first = false;
        AppendQuoted(m.first, out);
        out->push_back(':');
        m.second.DumpTo(out);
      }
      out->push_back('}');
      return;
    }
  }
}

std::string Value::Dump() const {
  std::string out;
  DumpTo(&out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing: a recursive-descent parser over the whole text.

namespace {

constexpr int kMaxDepth = 512;
constexpr size_t kIndexThreshold = 32;

// The members of one large object by key, for finding duplicates: an open-addressing table of
// positions in a member vector (the keys stay where they are, not copied), with their hashes.
class KeyIndex {
 public:
  explicit KeyIndex(const Object* members) : members_(members) {}

  // The position of a member before pos with pos's key; else pos, now indexed.
  size_t FindOrInsert(size_t pos) {
    if ((count_ + 1) * 2 > slots_.size()) Grow();
    const std::string& key = (*members_)[pos].first;
    const size_t hash = std::hash<std::string_view>()(key);
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.pos == kEmpty) {
        s = {hash, pos};
        ++count_;
        return pos;
      }
      if (s.hash == hash && (*members_)[s.pos].first == key) return s.pos;
    }
  }

 private:
  static constexpr size_t kEmpty = static_cast<size_t>(-1);
  struct Slot {
    size_t hash;
    size_t pos;
  };
  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(std::max<size_t>(64, old.size() * 2), Slot{0, kEmpty});
    const size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.pos == kEmpty) continue;
      size_t i = s.hash & mask;
      while (slots_[i].pos != kEmpty) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  const Object* members_;
  std::vector<Slot> slots_;  // size a power of two, at most half full
  size_t count_ = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view text)
      : p_(text.data()), begin_(text.data()), end_(text.data() + text.size()) {}

  Result<Value> ParseDocument() {
    SkipSpace();
    Value v;
    if (!ParseValue(&v, 0)) return Fail();
    SkipSpace();
    if (p_ != end_) {
      SetError("unexpected trailing characters");
      return Fail();
    }
    return v;
  }

 private:
  Error Fail() const {
    return Error{"InvalidJson", error_ + " at offset " + std::to_string(error_pos_ - begin_)};
  }
  bool SetError(const char* msg) {
    if (error_.empty()) {
      error_ = msg;
      error_pos_ = p_;
    }
    return false;
  }
  void SkipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool Literal(const char* word, size_t n) {
    if (static_cast<size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) {
      return SetError("invalid literal");
    }
    p_ += n;
    return true;
  }

  bool ParseValue(Value* out, int depth) {
    if (p_ >= end_) return SetError("unexpected end of input");
    switch (*p_) {
      case '{':
        return ParseObject(out, depth);
      case '[':
        return ParseArray(out, depth);
      case '"': {
        std::string s;
        if (!ParseString(&s)) return false;
        *out = Value::String(std::move(s));
        return true;
      }
      case 't':
        if (!Literal("true", 4)) return false;
        *out = Value::Bool(true);
        return true;
      case 'f':
        if (!Literal("false", 5)) return false;
        *out = Value::Bool(false);
        return true;
      case 'n':
        if (!Literal("null", 4)) return false;
        *out = Value();
        return true;
      default:
        return ParseNumber(out);
    }
  }

  // Objects and arrays collect their members on one scratch stack shared by every level (a
  // nested value's members sit above its parent's and are gone when it returns), then move into
  // a vector of exactly their count: one allocation per container instead of one per doubling.
  bool ParseObject(Value* out, int depth) {
    if (depth >= kMaxDepth) return SetError("nesting too deep");
    ++p_;
    const size_t start = members_.size();
    struct Pop {  // leaves the scratch stack as found, on every return
      Object* stack;
      size_t start;
      ~Pop() { stack->resize(start); }
    } pop{&members_, start};
    KeyIndex index(&members_);  // large objects only
    SkipSpace();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
      *out = Value::MakeObject(Object());
      return true;
    }
    while (true) {
      SkipSpace();
      if (p_ >= end_ || *p_ != '"') return SetError("expected a string key");
      std::string key;
      if (!ParseString(&key)) return false;
      SkipSpace();
      if (p_ >= end_ || *p_ != ':') return SetError("expected ':'");
      ++p_;
      SkipSpace();
      Value v;
      if (!ParseValue(&v, depth + 1)) return false;
      // Duplicate keys: the last one wins (as Jackson does), in the first one's position. Small
      // objects are scanned; large ones get a hash index so parsing stays linear.
      const size_t count = members_.size() - start;
      if (count < kIndexThreshold) {
        bool replaced = false;
        for (size_t i = start; i < members_.size() && !replaced; ++i) {
          if (members_[i].first == key) {
            members_[i].second = std::move(v);
            replaced = true;
          }
        }
        if (!replaced) members_.emplace_back(std::move(key), std::move(v));
        if (members_.size() - start == kIndexThreshold) {
          for (size_t i = start; i < members_.size(); ++i) index.FindOrInsert(i);
        }
      } else {
        members_.emplace_back(std::move(key), std::move(v));
        const size_t last = members_.size() - 1;
        const size_t first = index.FindOrInsert(last);
        if (first != last) {
          members_[first].second = std::move(members_.back().second);
          members_.pop_back();
        }
      }
      SkipSpace();
      if (p_ >= end_) return SetError("unexpected end of input in object");
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ == '}') {
        ++p_;
        break;
      }
      return SetError("expected ',' or '}'");
    }
    Object members(std::make_move_iterator(members_.begin() + start),
                   std::make_move_iterator(members_.end()));
    *out = Value::MakeObject(std::move(members));
    return true;
  }

  bool ParseArray(Value* out, int depth) {
    if (depth >= kMaxDepth) return SetError("nesting too deep");
    ++p_;
    const size_t start = items_.size();
    struct Pop {
      Array* stack;
      size_t start;
      ~Pop() { stack->resize(start); }
    } pop{&items_, start};
    SkipSpace();
    if (p_ < end_ && *p_ == ']') {
      ++p_;
      *out = Value::MakeArray(Array());
      return true;
    }
    while (true) {
      SkipSpace();
      Value v;
      if (!ParseValue(&v, depth + 1)) return false;
      items_.push_back(std::move(v));
      SkipSpace();
      if (p_ >= end_) return SetError("unexpected end of input in array");
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ == ']') {
        ++p_;
        break;
      }
      return SetError("expected ',' or ']'");
    }
    Array items(std::make_move_iterator(items_.begin() + start),
                std::make_move_iterator(items_.end()));
    *out = Value::MakeArray(std::move(items));
    return true;
  }

  static int HexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  bool ParseHex4(uint32_t* cp) {
    if (end_ - p_ < 4) return SetError("truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      int h = HexDigit(p_[i]);
      if (h < 0) return SetError("invalid \\u escape");
      v = v * 16 + static_cast<uint32_t>(h);
    }
    p_ += 4;
    *cp = v;
    return true;
  }
  bool ParseString(std::string* out) {
    ++p_;  // opening quote
    const char* run = p_;
    while (true) {
      if (p_ >= end_) return SetError("unterminated string");
      unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out->append(run, p_ - run);
        ++p_;
        return true;
      }
      if (c < 0x20) return SetError("control character in string");
      if (c != '\\') {
        ++p_;
        continue;
      }
      out->append(run, p_ - run);
      ++p_;
      if (p_ >= end_) return SetError("unterminated string");
      char e = *p_++;
      switch (e) {
        case '"':
          out->push_back('"');
          break;
        case '\\':
          out->push_back('\\');
          break;
        case '/':
          out->push_back('/');
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u': {
          uint32_t cp;
          if (!ParseHex4(&cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF && end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
            const char* save = p_;
            p_ += 2;
            uint32_t lo;
            if (ParseHex4(&lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else {
              p_ = save;
              error_.clear();
            }
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          --p_;
          return SetError("invalid escape in string");
      }
      run = p_;
    }
  }

  bool ParseNumber(Value* out) {
    const char* start = p_;
    if (p_ < end_ && *p_ == '-') ++p_;
    if (p_ >= end_ || !(*p_ >= '0' && *p_ <= '9')) {
      p_ = start;
      return SetError("unexpected character");
    }
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    bool integral = true;
    if (p_ < end_ && *p_ == '.') {
      integral = false;
      ++p_;
      if (p_ >= end_ || !(*p_ >= '0' && *p_ <= '9')) return SetError("invalid number");
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      integral = false;
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ >= end_ || !(*p_ >= '0' && *p_ <= '9')) return SetError("invalid number");
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (integral) {
      int64_t i;
      auto res = std::from_chars(start, p_, i);
      if (res.ec == std::errc() && res.ptr == p_) {
        *out = Value::Int(i);
        return true;
      }
    }
    double d = 0;
    auto res = std::from_chars(start, p_, d);
    if (res.ec == std::errc::result_out_of_range) {
      // from_chars leaves d untouched here; strtod tells overflow (inf) from underflow (0 or a
      // denormal). An overflowing number has no JSON representation to print back: reject it.
      d = std::strtod(std::string(start, p_).c_str(), nullptr);
      if (std::isinf(d)) return SetError("number out of range");
    } else if (res.ec != std::errc()) {
      return SetError("invalid number");
    }
    *out = Value::Double(d);
    return true;
  }

  const char* p_;
  const char* begin_;
  const char* end_;
  std::string error_;
  const char* error_pos_ = nullptr;
  Object members_;  // the scratch stacks of ParseObject and ParseArray
  Array items_;
};

}  // namespace

Result<Value> Parse(std::string_view text) { return Parser(text).ParseDocument(); }

}  // namespace stator::json
