// JSONata's date/time built-ins: $now and $millis (the evaluation's fixed timestamp), and
// $fromMillis / $toMillis over datetime.h.
#include <cmath>

#include "jsonata/builtins.h"
#include "jsonata/datetime.h"
#include "jsonata/evaluator.h"

namespace stator::jsonata::internal {
namespace {

const Value& A(std::span<const Value> args, size_t i) {
  static const Value kUndefined;
  return i < args.size() ? args[i] : kUndefined;
}

std::optional<std::string_view> OptString(const Value& v) {
  if (v.is_string()) return std::string_view(v.str());
  return std::nullopt;
}

Error AtCall(const Call& call, Error e) {
  if (e.position < 0) e.position = call.position();
  if (!e.token) e.token = std::string(call.name());
  return e;
}

Result<Value, Error> Format(Call& call, double millis, const Value& picture,
                            const Value& timezone) {
  auto r = FromMillis(millis, OptString(picture), OptString(timezone));
  if (!r.ok()) return AtCall(call, r.error());
  return StringValue(std::move(*r));
}

Result<Value, Error> Now(Call& call, std::span<const Value> args) {
  return Format(call, call.evaluator()->now_millis(), A(args, 0), A(args, 1));
}

Result<Value, Error> Millis(Call& call, std::span<const Value>) {
  return NumberValue(call.evaluator()->now_millis());
}

Result<Value, Error> FromMillisFn(Call& call, std::span<const Value> args) {
  if (A(args, 0).undefined()) return Value();
  return Format(call, A(args, 0).number(), A(args, 1), A(args, 2));
}

Result<Value, Error> ToMillisFn(Call& call, std::span<const Value> args) {
  if (A(args, 0).undefined()) return Value();
  auto r = ToMillis(A(args, 0).str(), OptString(A(args, 1)), call.evaluator()->now_millis());
  if (!r.ok()) return AtCall(call, r.error());
  if (!r->has_value()) return Value();
  // An invalid date is NaN, as in the reference: it flows on (D1001 if it reaches the result).
  return NumberValue(**r);
}

const Builtin kBuiltins[] = {
    {"now", "<s?s?:s>", Now, nullptr},
    {"millis", "<:n>", Millis, nullptr},
    {"fromMillis", "<n-s?s?:s>", FromMillisFn, nullptr},
    {"toMillis", "<s-s?:n>", ToMillisFn, nullptr},
};

}  // namespace

std::span<const Builtin> DateTimeBuiltins() { return kBuiltins; }

}  // namespace stator::jsonata::internal
