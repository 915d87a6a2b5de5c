// AWS's JSONata functions ($partition, $range, $hash, $random, $uuid, $parse) as
// jsonata::Extensions. The argument types are checked by their signatures before a function
// runs; the value checks below are ours (AWS's texts for them are not recorded).
#include "asl/jsonata_functions.h"

#include <cmath>
#include <string>
#include <vector>

#include "asl/java_compat.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/uuid.h"

namespace stator::asl {

namespace {

using jsonata::Arg;
using jsonata::Error;

thread_local std::mt19937_64* current_rng = nullptr;

std::mt19937_64& Rng() {
  if (current_rng != nullptr) return *current_rng;
  thread_local std::mt19937_64 fallback{std::random_device{}()};
  return fallback;
}

Error Fail(std::string function, std::string message) {
  return Error{"", "Invalid arguments in $" + function + ": " + message, -1, std::nullopt};
}

bool IsWhole(double d) { return std::isfinite(d) && d == std::floor(d); }

// $partition(array, size): the array in chunks of `size` items (the last may be shorter).
Result<Arg, Error> Partition(std::span<const Arg> args) {
  if (!args[0]) return Arg();
  const double size = args[1]->as_double();
  if (!IsWhole(size) || size <= 0) {
    return Fail("partition", "the chunk size must be a positive integer");
  }
  const json::Value& a = *args[0];
  json::Array items;
  if (a.is_array()) {
    items = a.as_array();
  } else {
    items.push_back(a);  // a single value is an array of one, as JSONata's signatures have it
  }
  const size_t n = static_cast<size_t>(size);
  json::Array out;
  for (size_t i = 0; i < items.size(); i += n) {
    json::Array chunk(items.begin() + static_cast<std::ptrdiff_t>(i),
                      items.begin() + static_cast<std::ptrdiff_t>(std::min(items.size(), i + n)));
    out.push_back(json::Value::MakeArray(std::move(chunk)));
  }
  return Arg(json::Value::MakeArray(std::move(out)));
}

// $range(start, end, step): start, start+step, ... up to end inclusive. A range of one value
// is that value (AWS returns a JSONata sequence: $range(1, 9, 9) is 1); of none, undefined.
Result<Arg, Error> Range(std::span<const Arg> args) {
  if (!args[0] || !args[1] || !args[2]) return Arg();
  const double start = args[0]->as_double();
  const double end = args[1]->as_double();
  const double step = args[2]->as_double();
  if (!IsWhole(start) || !IsWhole(end) || !IsWhole(step)) {
    return Fail("range", "start, end and step must be integers");
  }
  if (step == 0) return Fail("range", "step must not be 0");
  json::Array out;
  constexpr size_t kMaxItems = 1000;
  for (double v = start; step > 0 ? v <= end : v >= end; v += step) {
    if (out.size() == kMaxItems) {
      return Fail("range", "the range must not hold more than 1000 values");
    }
    out.push_back(json::Value::Int(static_cast<int64_t>(v)));
  }
  if (out.empty()) return Arg();
  if (out.size() == 1) return Arg(out[0]);
  return Arg(json::Value::MakeArray(std::move(out)));
}

// $hash(data, algorithm): the lowercase hex digest (MD5, SHA-1, SHA-256, SHA-384, SHA-512).
Result<Arg, Error> Hash(std::span<const Arg> args) {
  if (!args[0] || !args[1]) return Arg();
  std::optional<hash::Algorithm> algorithm = hash::AlgorithmFromName(args[1]->as_string());
  if (!algorithm) {
    return Fail("hash", "the algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512");
  }
  return Arg(json::Value::String(hash::HexDigest(*algorithm, args[0]->as_string())));
}

// $random([seed]): a number in [0, 1); with a seed, always the same one (java.util.Random's
// nextDouble for that seed).
Result<Arg, Error> Random(std::span<const Arg> args) {
  if (!args.empty() && args[0]) {
    const double seed = args[0]->as_double();
    if (!IsWhole(seed)) return Fail("random", "the seed must be an integer");
    java_compat::JavaRandom r(static_cast<int64_t>(seed));
    const int64_t hi = static_cast<int64_t>(r.Next(26));
    const int64_t lo = static_cast<int64_t>(r.Next(27));
    return Arg(json::Value::Double(static_cast<double>((hi << 27) + lo) * 0x1.0p-53));
  }
  std::mt19937_64& rng = Rng();
  return Arg(json::Value::Double(static_cast<double>(rng() >> 11) * 0x1.0p-53));
}

// $uuid(): a random version-4 UUID.
Result<Arg, Error> Uuid(std::span<const Arg>) {
  std::mt19937_64& rng = Rng();
  const uint64_t hi = rng();
  const uint64_t lo = rng();
  return Arg(json::Value::String(UuidV4From(hi, lo)));
}

// $parse(text): the JSON value text spells (AWS's replacement for $eval).
Result<Arg, Error> Parse(std::span<const Arg> args) {
  if (!args[0]) return Arg();
  Result<json::Value> v = json::Parse(args[0]->as_string());
  if (!v.ok()) return Fail("parse", "the argument must be a JSON text");
  return Arg(std::move(v).value());
}

const std::vector<jsonata::Extension>& Extensions() {
  static const std::vector<jsonata::Extension> kExtensions = {
      {"partition", "<an:a>", Partition}, {"range", "<nnn:j>", Range}, {"hash", "<ss:s>", Hash},
      {"random", "<n?:n>", Random},       {"uuid", "<:s>", Uuid},      {"parse", "<s:j>", Parse},
  };
  return kExtensions;
}

constexpr std::string_view kRemoved[] = {"eval"};

}  // namespace

std::span<const jsonata::Extension> AwsJsonataExtensions() { return Extensions(); }
std::span<const std::string_view> AwsJsonataRemoved() { return kRemoved; }

ScopedJsonataRandom::ScopedJsonataRandom(std::mt19937_64* rng) : previous_(current_rng) {
  current_rng = rng;
}
ScopedJsonataRandom::~ScopedJsonataRandom() { current_rng = previous_; }

}  // namespace stator::asl
