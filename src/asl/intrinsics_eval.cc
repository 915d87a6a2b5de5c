// The intrinsic functions at run time: arguments evaluated, checked and combined, with AWS's
// errors (States.IntrinsicFailure for a bad value, States.Runtime for a path that selects
// nothing). See intrinsics_internal.h.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "asl/intrinsics_internal.h"
#include "asl/java_compat.h"
#include "common/base64.h"
#include "common/hash.h"
#include "common/uuid.h"

namespace stator::asl::intrinsic_internal {

namespace {

using java_compat::AppendJavaString;
using java_compat::InJavaHashMapOrder;
using java_compat::JavaRandom;
using java_compat::RoundLikeJava;
using java_compat::SanitizeUtf8;
using java_compat::Utf16Length;
using json::Value;

constexpr const char* kIntrinsicFailure = "States.IntrinsicFailure";
constexpr const char* kRuntime = "States.Runtime";
constexpr size_t kMaxStringLength = 10000;  // Base64Encode/Decode, Hash input limit
constexpr int64_t kMaxArrayRange = 1000;

Error Failure(const Node& call, const std::string& why) {
  return Error{kIntrinsicFailure, "Invalid arguments in " + call.name + ": " + why};
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
        return java_compat::SplitLikeStringTokenizer(args[0].as_string(), args[1].as_string());
      }
      case Fn::kUuid: {
        std::mt19937_64& rng = RandomOf(context_);
        const uint64_t hi = rng();
        const uint64_t lo = rng();
        return Value::String(UuidV4From(hi, lo));
      }
    }
    return Failure(n, "unsupported function");
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

Result<json::Value> EvaluateCall(const Node& call, const json::Value& input, const Context& context,
                                 std::string_view field) {
  return Evaluator(input, context, field).Eval(call);
}

}  // namespace stator::asl::intrinsic_internal
