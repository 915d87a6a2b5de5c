// Array built-ins: $append, $reverse, $shuffle, $distinct, $zip.
#include <algorithm>
#include <random>

#include "jsonata/builtins.h"
#include "jsonata/evaluator.h"

namespace stator::jsonata::internal {
namespace {

const Value& A(std::span<const Value> args, size_t i) {
  static const Value kUndefined;
  return i < args.size() ? args[i] : kUndefined;
}

Result<Value, Error> AppendFn(Call&, std::span<const Value> args) {
  return Append(A(args, 0), A(args, 1));
}

Result<Value, Error> Reverse(Call&, std::span<const Value> args) {
  const Value& a = A(args, 0);
  if (a.undefined()) return Value();
  if (a.size() <= 1) return a;
  std::vector<Value> items = Elements(a);
  std::reverse(items.begin(), items.end());
  return ArrayOf(std::move(items));
}

Result<Value, Error> Shuffle(Call&, std::span<const Value> args) {
  const Value& a = A(args, 0);
  if (a.undefined()) return Value();
  if (a.size() <= 1) return a;
  std::vector<Value> items = Elements(a);
  thread_local std::mt19937_64 gen{std::random_device{}()};
  std::shuffle(items.begin(), items.end(), gen);
  return ArrayOf(std::move(items));
}

Result<Value, Error> Distinct(Call&, std::span<const Value> args) {
  const Value& a = A(args, 0);
  if (a.undefined()) return Value();
  if (!a.is_array() || a.size() <= 1) return a;
  std::vector<Value> out;
  for (size_t i = 0; i < a.size(); ++i) {
    Value v = a.at(i);
    bool seen = false;
    for (const Value& o : out) {
      if (DeepEqual(v, o)) {
        seen = true;
        break;
      }
    }
    if (!seen) out.push_back(std::move(v));
  }
  return SequenceOf(std::move(out), a.is_sequence());
}

Result<Value, Error> Zip(Call&, std::span<const Value> args) {
  size_t len = args.empty() ? 0 : SIZE_MAX;
  for (const Value& a : args) len = std::min(len, a.is_array() ? a.size() : size_t{0});
  std::vector<Value> out;
  for (size_t i = 0; i < len; ++i) {
    std::vector<Value> tuple;
    for (const Value& a : args) tuple.push_back(a.at(i));
    out.push_back(ArrayOf(std::move(tuple)));
  }
  return ArrayOf(std::move(out));
}

const Builtin kBuiltins[] = {
    {"append", "<xx:a>", AppendFn, nullptr}, {"reverse", "<a:a>", Reverse, nullptr},
    {"shuffle", "<a:a>", Shuffle, nullptr},  {"distinct", "<x:x>", Distinct, nullptr},
    {"zip", "<a+>", Zip, nullptr, 0},  // the reference's zip declares no parameters
};

}  // namespace

std::span<const Builtin> ArrayBuiltins() { return kBuiltins; }

}  // namespace stator::jsonata::internal
