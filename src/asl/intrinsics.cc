// IntrinsicCall: parse "States.Fn(args...)" once into a tree; evaluate it per state step.
//
// Behaviour follows what Step Functions does (Java underneath): States.Format prints objects and
// arrays the way Java's Map/List toString do, StringSplit splits on any of the delimiter's
// characters and drops empty pieces (StringTokenizer), JsonMerge returns its keys in Java
// HashMap order, MathAdd/MathRandom round non-integers like Math.round.
#include "asl/intrinsics.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "asl/path.h"
#include "common/base64.h"
#include "common/hash.h"

namespace stator::asl {

namespace {

using json::Kind;
using json::Value;

constexpr const char* kIntrinsicFailure = "States.IntrinsicFailure";
constexpr const char* kRuntime = "States.Runtime";
constexpr size_t kMaxStringLength = 10000;  // Base64Encode/Decode, Hash input limit
constexpr int64_t kMaxArrayRange = 1000;
constexpr int kMaxNesting = 10;

enum class Fn : uint8_t {
  kFormat,
  kStringToJson,
  kJsonToString,
  kArray,
  kArrayPartition,
  kArrayContains,
  kArrayRange,
  kArrayGetItem,
  kArrayLength,
  kArrayUnique,
  kBase64Encode,
  kBase64Decode,
  kHash,
  kJsonMerge,
  kMathRandom,
  kMathAdd,
  kStringSplit,
  kUuid,
};

struct FnInfo {
  const char* name;  // without "States."
  Fn fn;
  int min_args;
  int max_args;  // -1: unbounded
};

const FnInfo kFunctions[] = {
    {"Format", Fn::kFormat, 1, -1},
    {"StringToJson", Fn::kStringToJson, 1, 1},
    {"JsonToString", Fn::kJsonToString, 1, 1},
    {"Array", Fn::kArray, 0, -1},
    {"ArrayPartition", Fn::kArrayPartition, 2, 2},
    {"ArrayContains", Fn::kArrayContains, 2, 2},
    {"ArrayRange", Fn::kArrayRange, 3, 3},
    {"ArrayGetItem", Fn::kArrayGetItem, 2, 2},
    {"ArrayLength", Fn::kArrayLength, 1, 1},
    {"ArrayUnique", Fn::kArrayUnique, 1, 1},
    {"Base64Encode", Fn::kBase64Encode, 1, 1},
    {"Base64Decode", Fn::kBase64Decode, 1, 1},
    {"Hash", Fn::kHash, 2, 2},
    {"JsonMerge", Fn::kJsonMerge, 3, 3},
    {"MathRandom", Fn::kMathRandom, 2, 3},
    {"MathAdd", Fn::kMathAdd, 2, 2},
    {"StringSplit", Fn::kStringSplit, 2, 2},
    {"UUID", Fn::kUuid, 0, 0},
};

// A piece of a States.Format template: literal text, or a "{}" placeholder.
struct FormatPiece {
  bool placeholder = false;
  std::string text;
};

struct Node {
  enum class Type : uint8_t { kLiteral, kPath, kCall } type = Type::kLiteral;
  Value literal;
  std::optional<JsonPath> path;
  // kCall
  const FnInfo* fn = nullptr;
  std::string name;  // "States.Format"
  std::vector<Node> args;
  // For a string literal: the template pieces when it is States.Format's first argument.
  std::vector<FormatPiece> format;
  bool has_format = false;
};

// Splits a Format template into text and placeholders. Backslash escapes \{ \} \\ \' stand for
// the character itself.
std::vector<FormatPiece> SplitTemplate(std::string_view raw) {
  std::vector<FormatPiece> pieces;
  std::string cur;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\\' && i + 1 < raw.size()) {
      char n = raw[i + 1];
      if (n == '{' || n == '}' || n == '\\' || n == '\'') {
        cur.push_back(n);
        ++i;
        continue;
      }
    }
    if (c == '{' && i + 1 < raw.size() && raw[i + 1] == '}') {
      if (!cur.empty()) pieces.push_back({false, std::move(cur)});
      cur.clear();
      pieces.push_back({true, {}});
      ++i;
      continue;
    }
    cur.push_back(c);
  }
  if (!cur.empty()) pieces.push_back({false, std::move(cur)});
  return pieces;
}

std::string Unescape(std::string_view raw) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\\' && i + 1 < raw.size()) {
      char n = raw[i + 1];
      if (n == '{' || n == '}' || n == '\\' || n == '\'') {
        out.push_back(n);
        ++i;
        continue;
      }
    }
    out.push_back(c);
  }
  return out;
}

class CallParser {
 public:
  CallParser(std::string_view s, VariableTable* vars) : s_(s), vars_(vars) {}

  Result<Node> ParseTop() {
    SkipSpaces();
    STATOR_TRY(Node n, ParseCall(1));
    SkipSpaces();
    if (pos_ != s_.size()) return Fail("Unexpected text after the function call");
    return n;
  }

 private:
  Error Fail(const std::string& why) const {
    return Error{"InvalidIntrinsic", why + " at position " + std::to_string(pos_)};
  }
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void SkipSpaces() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }

  Result<Node> ParseCall(int depth) {
    if (depth > kMaxNesting) return Fail("Intrinsic functions can be nested at most 10 deep");
    if (s_.substr(pos_, 7) != "States.") return Fail("Expected an intrinsic function name");
    size_t start = pos_;
    pos_ += 7;
    while (std::isalnum(static_cast<unsigned char>(Peek()))) ++pos_;
    std::string name(s_.substr(start, pos_ - start));
    const FnInfo* info = nullptr;
    for (const auto& f : kFunctions) {
      if (name.compare(7, std::string::npos, f.name) == 0) info = &f;
    }
    if (info == nullptr) return Fail("Unknown intrinsic function '" + name + "'");
    SkipSpaces();
    if (Peek() != '(') return Fail("Expected '(' after " + name);
    ++pos_;
    Node call;
    call.type = Node::Type::kCall;
    call.fn = info;
    call.name = std::move(name);
    SkipSpaces();
    if (Peek() == ')') {
      ++pos_;
    } else {
      for (;;) {
        STATOR_TRY(Node arg, ParseArg(depth, info->fn == Fn::kFormat && call.args.empty()));
        call.args.push_back(std::move(arg));
        SkipSpaces();
        if (Peek() == ',') {
          ++pos_;
          SkipSpaces();
          continue;
        }
        if (Peek() == ')') {
          ++pos_;
          break;
        }
        return Fail("Expected ',' or ')' in the arguments of " + call.name);
      }
    }
    int n = static_cast<int>(call.args.size());
    if (n < info->min_args || (info->max_args >= 0 && n > info->max_args)) {
      std::string want;
      if (info->max_args < 0) {
        want = "at least " + std::to_string(info->min_args);
      } else if (info->min_args == info->max_args) {
        want = std::to_string(info->min_args);
      } else {
        want = std::to_string(info->min_args) + " or " + std::to_string(info->max_args);
      }
      return Fail(call.name + " takes " + want + " argument" + (want == "1" ? "" : "s") + " but " +
                  std::to_string(n) + (n == 1 ? " was" : " were") + " given");
    }
    // Checks that need no input: a literal Format template must match its argument count.
    if (info->fn == Fn::kFormat && call.args[0].has_format) {
      int holes = 0;
      for (const auto& p : call.args[0].format) holes += p.placeholder ? 1 : 0;
      if (holes != n - 1) {
        return Fail("States.Format has " + std::to_string(holes) + " placeholder" +
                    (holes == 1 ? "" : "s") + " but " + std::to_string(n - 1) + " argument" +
                    (n - 1 == 1 ? "" : "s") + " to fill them");
      }
    }
    return call;
  }

  Result<Node> ParseArg(int depth, bool format_template) {
    Node n;
    char c = Peek();
    if (c == '\'') {
      ++pos_;
      size_t start = pos_;
      while (pos_ < s_.size() && s_[pos_] != '\'') {
        if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
        ++pos_;
      }
      if (pos_ >= s_.size()) return Fail("Unterminated string literal");
      std::string_view raw = s_.substr(start, pos_ - start);
      ++pos_;
      n.type = Node::Type::kLiteral;
      n.literal = Value::String(Unescape(raw));
      if (format_template) {
        n.format = SplitTemplate(raw);
        n.has_format = true;
      }
      return n;
    }
    if (c == '$') {
      size_t start = pos_;
      int brackets = 0;
      char quote = 0;
      while (pos_ < s_.size()) {
        char d = s_[pos_];
        if (quote) {
          if (d == '\\') {
            ++pos_;
          } else if (d == quote) {
            quote = 0;
          }
        } else if (brackets > 0 && (d == '\'' || d == '"')) {
          quote = d;
        } else if (d == '[') {
          ++brackets;
        } else if (d == ']') {
          --brackets;
        } else if (brackets == 0 && (d == ',' || d == ')')) {
          break;
        }
        ++pos_;
      }
      std::string_view text = s_.substr(start, pos_ - start);
      while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
      auto p = JsonPath::Compile(text, vars_);
      if (!p.ok()) return Fail("Invalid path argument '" + std::string(text) + "'");
      n.type = Node::Type::kPath;
      n.path = std::move(*p);
      return n;
    }
    if (s_.substr(pos_, 7) == "States.") return ParseCall(depth + 1);
    for (const char* word : {"true", "false", "null"}) {
      std::string_view w(word);
      if (s_.substr(pos_, w.size()) == w) {
        pos_ += w.size();
        n.type = Node::Type::kLiteral;
        n.literal = w == "true" ? Value::Bool(true) : w == "false" ? Value::Bool(false) : Value();
        return n;
      }
    }
    if (c == '-' || c == '+' || c == '.' || std::isdigit(static_cast<unsigned char>(c))) {
      size_t start = pos_;
      while (pos_ < s_.size() &&
             (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.' ||
              s_[pos_] == '-' || s_[pos_] == '+' || s_[pos_] == 'e' || s_[pos_] == 'E'))
        ++pos_;
      std::string_view text = s_.substr(start, pos_ - start);
      if (!text.empty() && text[0] == '+') text.remove_prefix(1);
      auto v = json::Parse(text);
      if (!v.ok() || !v->is_number()) return Fail("Invalid number '" + std::string(text) + "'");
      n.type = Node::Type::kLiteral;
      n.literal = std::move(*v);
      return n;
    }
    return Fail("Invalid argument");
  }

  std::string_view s_;
  size_t pos_ = 0;
  VariableTable* vars_;  // may be null
};

bool UsesContext(const Node& n) {
  if (n.type == Node::Type::kPath) return n.path->is_context();
  for (const auto& a : n.args) {
    if (UsesContext(a)) return true;
  }
  return false;
}

// --- helpers for evaluation ---

Error Failure(const Node& call, const std::string& why) {
  return Error{kIntrinsicFailure, "Invalid arguments in " + call.name + ": " + why};
}

// Java's toString rendering used by States.Format.
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

// Length in UTF-16 code units (Java's String.length()).
size_t Utf16Length(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
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

// An integral value for an argument that must be an integer (a double with no fraction counts).
std::optional<int64_t> AsInteger(const Value& v) {
  if (v.is_int()) return v.as_int();
  if (v.is_double()) {
    double d = v.as_double();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18)
      return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

// Java's Math.round: ties go up.
std::optional<int64_t> RoundLikeJava(const Value& v) {
  if (v.is_int()) return v.as_int();
  if (v.is_double() && std::isfinite(v.as_double()) && std::fabs(v.as_double()) < 9.2e18)
    return static_cast<int64_t>(std::floor(v.as_double() + 0.5));
  return std::nullopt;
}

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng([] {
    std::random_device rd;
    return (uint64_t{rd()} << 32) ^ rd();
  }());
  return rng;
}

std::mt19937_64& RandomOf(const Context& context) {
  std::mt19937_64* r = context.Random();
  return r != nullptr ? *r : Rng();
}

// java.util.Random, so a seeded States.MathRandom repeats across runs and machines.
class JavaRandom {
 public:
  explicit JavaRandom(int64_t seed)
      : seed_((static_cast<uint64_t>(seed) ^ 0x5DEECE66DULL) & ((1ULL << 48) - 1)) {}
  int32_t Next(int bits) {
    seed_ = (seed_ * 0x5DEECE66DULL + 0xBULL) & ((1ULL << 48) - 1);
    return static_cast<int32_t>(seed_ >> (48 - bits));
  }
  int32_t NextInt(int32_t bound) {  // bound > 0
    int32_t r = Next(31);
    int32_t m = bound - 1;
    if ((bound & m) == 0) return static_cast<int32_t>((int64_t{bound} * r) >> 31);
    for (int32_t u = r; u - (r = u % bound) + m < 0; u = Next(31)) {
    }
    return r;
  }

 private:
  uint64_t seed_;
};

std::string NewUuidV4(std::mt19937_64& rng) {
  uint64_t hi = rng();
  uint64_t lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  std::string bytes;
  for (int s = 56; s >= 0; s -= 8) bytes.push_back(static_cast<char>((hi >> s) & 0xff));
  for (int s = 56; s >= 0; s -= 8) bytes.push_back(static_cast<char>((lo >> s) & 0xff));
  std::string hex = hash::ToHex(bytes);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

class Evaluator {
 public:
  Evaluator(const json::Value& input, const Context& context, std::string_view field)
      : input_(input), context_(context), field_(field) {}

  Result<Value> Eval(const Node& n) {
    switch (n.type) {
      case Node::Type::kLiteral:
        return n.literal;
      case Node::Type::kPath: {
        std::optional<Value> v = n.path->Evaluate(input_, context_);
        if (!v) {
          std::string cause = "The JSONPath '" + n.path->text() + "'";
          if (!field_.empty()) cause += " specified for the field '" + std::string(field_) + "'";
          cause += " could not be found in the input '";
          (n.path->is_context() ? context_.Get() : input_).DumpTo(&cause);
          cause += "'";
          return Error{kRuntime, std::move(cause)};
        }
        return std::move(*v);
      }
      case Node::Type::kCall:
        break;
    }
    std::vector<Value> args;
    args.reserve(n.args.size());
    for (const auto& a : n.args) {
      STATOR_TRY(Value v, Eval(a));
      args.push_back(std::move(v));
    }
    return Call(n, args);
  }

 private:
  Result<Value> Call(const Node& n, std::vector<Value>& args) {
    switch (n.fn->fn) {
      case Fn::kFormat:
        return Format(n, args);
      case Fn::kStringToJson: {
        if (!args[0].is_string()) return Failure(n, "the argument must be a string");
        std::string_view s = args[0].as_string();
        size_t b = s.find_first_not_of(" \t\r\n");
        if (b == std::string_view::npos) return Value();
        auto parsed = json::Parse(s);
        if (!parsed.ok())
          return Failure(n, "the argument is not valid JSON: " + args[0].as_string());
        return std::move(*parsed);
      }
      case Fn::kJsonToString:
        return Value::String(args[0].Dump());
      case Fn::kArray:
        return Value::MakeArray(std::move(args));
      case Fn::kArrayPartition: {
        if (!args[0].is_array()) return Failure(n, "the first argument must be an array");
        std::optional<int64_t> size = AsInteger(args[1]);
        if (!size || *size <= 0) return Failure(n, "the chunk size must be a positive integer");
        const json::Array& a = args[0].as_array();
        json::Array out;
        for (size_t i = 0; i < a.size(); i += static_cast<size_t>(*size)) {
          size_t end = std::min(a.size(), i + static_cast<size_t>(*size));
          out.push_back(Value::MakeArray(json::Array(a.begin() + i, a.begin() + end)));
        }
        return Value::MakeArray(std::move(out));
      }
      case Fn::kArrayContains: {
        if (!args[0].is_array()) return Failure(n, "the first argument must be an array");
        for (const auto& e : args[0].as_array()) {
          if (e == args[1]) return Value::Bool(true);
        }
        return Value::Bool(false);
      }
      case Fn::kArrayRange: {
        std::optional<int64_t> v[3];
        for (int i = 0; i < 3; ++i) {
          v[i] = AsInteger(args[i]);
          if (!v[i]) return Failure(n, "all arguments must be integers");
        }
        int64_t start = *v[0], end = *v[1], step = *v[2];
        if (step == 0) return Failure(n, "the step must not be 0");
        int64_t count = 0;
        if ((step > 0 && start <= end) || (step < 0 && start >= end)) {
          count = (end - start) / step + 1;
        }
        if (count > kMaxArrayRange)
          return Failure(n, "the array cannot contain more than 1000 items");
        json::Array out;
        out.reserve(static_cast<size_t>(count));
        for (int64_t i = 0; i < count; ++i) out.push_back(Value::Int(start + i * step));
        return Value::MakeArray(std::move(out));
      }
      case Fn::kArrayGetItem: {
        if (!args[0].is_array()) return Failure(n, "the first argument must be an array");
        std::optional<int64_t> idx = AsInteger(args[1]);
        if (!idx || *idx < 0) return Failure(n, "the index must be a non-negative integer");
        const json::Array& a = args[0].as_array();
        if (*idx >= static_cast<int64_t>(a.size()))
          return Failure(n, "the index " + std::to_string(*idx) +
                                " is out of bounds for an array of length " +
                                std::to_string(a.size()));
        return a[static_cast<size_t>(*idx)];
      }
      case Fn::kArrayLength:
        if (!args[0].is_array()) return Failure(n, "the argument must be an array");
        return Value::Int(static_cast<int64_t>(args[0].as_array().size()));
      case Fn::kArrayUnique: {
        if (!args[0].is_array()) return Failure(n, "the argument must be an array");
        json::Array out;
        for (const auto& e : args[0].as_array()) {
          bool seen = false;
          for (const auto& o : out) {
            if (o == e) {
              seen = true;
              break;
            }
          }
          if (!seen) out.push_back(e);
        }
        return Value::MakeArray(std::move(out));
      }
      case Fn::kBase64Encode: {
        if (!args[0].is_string()) return Failure(n, "the argument must be a string");
        if (Utf16Length(args[0].as_string()) > kMaxStringLength)
          return Failure(n, "the input must not exceed 10000 characters");
        return Value::String(Base64Encode(args[0].as_string()));
      }
      case Fn::kBase64Decode: {
        if (!args[0].is_string()) return Failure(n, "the argument must be a string");
        if (Utf16Length(args[0].as_string()) > kMaxStringLength)
          return Failure(n, "the input must not exceed 10000 characters");
        // Java's basic decoder: padding may be left out.
        Result<std::string> bytes = Base64Decode(args[0].as_string(), Base64Padding::kOptional);
        if (!bytes.ok()) return Failure(n, "the argument is not valid base64");
        return Value::String(SanitizeUtf8(*bytes));
      }
      case Fn::kHash: {
        if (!args[0].is_string()) return Failure(n, "the data to hash must be a string");
        if (!args[1].is_string()) return Failure(n, "the algorithm must be a string");
        if (Utf16Length(args[0].as_string()) > kMaxStringLength)
          return Failure(n, "the input must not exceed 10000 characters");
        std::optional<hash::Algorithm> alg = hash::AlgorithmFromName(args[1].as_string());
        if (!alg)
          return Failure(n, "the hash algorithm '" + args[1].as_string() +
                                "' is not supported; use one of MD5, SHA-1, SHA-256, SHA-384, "
                                "SHA-512");
        return Value::String(hash::HexDigest(*alg, args[0].as_string()));
      }
      case Fn::kJsonMerge: {
        if (!args[0].is_object() || !args[1].is_object())
          return Failure(n, "the first two arguments must be JSON objects");
        if (!args[2].is_bool()) return Failure(n, "the third argument must be a boolean");
        if (args[2].as_bool())
          return Failure(n, "deep merge is not supported; the third argument must be false");
        json::Object merged = args[0].as_object();
        for (const auto& m : args[1].as_object()) {
          bool replaced = false;
          for (auto& e : merged) {
            if (e.first == m.first) {
              e.second = m.second;
              replaced = true;
              break;
            }
          }
          if (!replaced) merged.push_back(m);
        }
        return Value::MakeObject(InJavaHashMapOrder(std::move(merged)));
      }
      case Fn::kMathRandom: {
        std::optional<int64_t> start = RoundLikeJava(args[0]);
        std::optional<int64_t> end = RoundLikeJava(args[1]);
        if (!start || !end) return Failure(n, "the start and end must be numbers");
        if (*start < INT32_MIN || *end > INT32_MAX)
          return Failure(n, "the start and end must be between -2147483648 and 2147483647");
        if (*end <= *start) return Failure(n, "the end must be greater than the start");
        int64_t span = *end - *start;
        if (args.size() == 3) {
          std::optional<int64_t> seed = RoundLikeJava(args[2]);
          if (!seed) return Failure(n, "the seed must be a number");
          if (span > INT32_MAX) {
            return Failure(n, "the range between start and end is too large");
          }
          JavaRandom r(*seed);
          return Value::Int(*start + r.NextInt(static_cast<int32_t>(span)));
        }
        std::uniform_int_distribution<int64_t> dist(0, span - 1);
        return Value::Int(*start + dist(RandomOf(context_)));
      }
      case Fn::kMathAdd: {
        std::optional<int64_t> a = RoundLikeJava(args[0]);
        std::optional<int64_t> b = RoundLikeJava(args[1]);
        if (!a || !b) return Failure(n, "both arguments must be numbers");
        if (*a < INT32_MIN || *a > INT32_MAX || *b < INT32_MIN || *b > INT32_MAX)
          return Failure(n, "the numbers must be between -2147483648 and 2147483647");
        return Value::Int(*a + *b);
      }
      case Fn::kStringSplit: {
        if (!args[0].is_string() || !args[1].is_string())
          return Failure(n, "both arguments must be strings");
        return Split(args[0].as_string(), args[1].as_string());
      }
      case Fn::kUuid:
        return Value::String(NewUuidV4(RandomOf(context_)));
    }
    return Failure(n, "unsupported function");
  }

  // StringTokenizer semantics: every character of delims separates; empty pieces are dropped.
  static Value Split(const std::string& s, const std::string& delims) {
    json::Array out;
    std::string cur;
    // Delimiters are compared as whole UTF-8 sequences so multi-byte characters work.
    std::vector<std::string_view> ds;
    for (size_t i = 0; i < delims.size();) {
      unsigned char c = static_cast<unsigned char>(delims[i]);
      size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
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

  Result<Value> Format(const Node& n, const std::vector<Value>& args) {
    std::vector<FormatPiece> runtime;
    const std::vector<FormatPiece>* pieces;
    if (n.args[0].has_format) {
      pieces = &n.args[0].format;
    } else {
      if (!args[0].is_string()) return Failure(n, "the first argument must be a string");
      runtime = SplitTemplate(args[0].as_string());
      pieces = &runtime;
      size_t holes = 0;
      for (const auto& p : runtime) holes += p.placeholder ? 1 : 0;
      if (holes != args.size() - 1)
        return Failure(n, "the number of arguments does not match the number of placeholders");
    }
    std::string out;
    size_t next = 1;
    for (const auto& p : *pieces) {
      if (p.placeholder) {
        AppendJavaString(args[next++], &out);
      } else {
        out += p.text;
      }
    }
    return Value::String(std::move(out));
  }

  const Value& input_;
  const Context& context_;
  std::string_view field_;
};

}  // namespace

struct IntrinsicCall::Impl {
  Node root;
  bool uses_context = false;
};

bool IntrinsicCall::LooksLikeCall(std::string_view text) {
  size_t b = 0;
  while (b < text.size() && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  return text.substr(b, 7) == "States." && text.find('(') != std::string_view::npos;
}

Result<IntrinsicCall> IntrinsicCall::Compile(std::string_view text, VariableTable* vars) {
  CallParser parser(text, vars);
  STATOR_TRY(Node root, parser.ParseTop());
  auto impl = std::make_shared<Impl>();
  impl->uses_context = UsesContext(root);
  impl->root = std::move(root);
  IntrinsicCall call;
  call.text_ = std::string(text);
  call.impl_ = std::move(impl);
  return call;
}

bool IntrinsicCall::uses_context() const { return impl_ && impl_->uses_context; }

Result<json::Value> IntrinsicCall::Evaluate(const json::Value& input,
                                            const Context& context) const {
  return Evaluate(input, context, {});
}

Result<json::Value> IntrinsicCall::Evaluate(const json::Value& input, const Context& context,
                                            std::string_view field) const {
  Evaluator ev(input, context, field);
  return ev.Eval(impl_->root);
}

}  // namespace stator::asl
