// ApplyResultPath: places a state's result into its input at a reference path (see path.h).
#include "asl/path_internal.h"

namespace stator::asl {

namespace {

using json::Value;
using path_internal::Segment;

Error ReferencePathConflict(const Segment& seg, const Value& node) {
  std::string cause = "Unable to apply step \"";
  if (seg.type == Segment::Type::kName) {
    cause += seg.name;
  } else {
    cause += std::to_string(seg.index);
  }
  cause += "\" to input ";
  node.DumpTo(&cause);
  return Error{"States.ReferencePathConflict", std::move(cause)};
}

// Returns node with the value at segs[i..] replaced by result, sharing everything else.
Result<Value> Place(const Value& node, const std::vector<Segment>& segs, size_t i, Value result) {
  if (i == segs.size()) return result;
  const Segment& s = segs[i];
  if (s.type == Segment::Type::kName) {
    if (!node.is_object()) return ReferencePathConflict(s, node);
    const Value* child = node.Find(s.name);
    Value placed;
    if (i + 1 == segs.size()) {
      placed = std::move(result);
    } else {
      STATOR_TRY(placed,
                 Place(child ? *child : Value::EmptyObject(), segs, i + 1, std::move(result)));
    }
    return node.With(s.name, std::move(placed));
  }
  // A single index: the array must already hold that element. (Other step kinds cannot occur
  // in a reference path; the compiler rejects them, and they fail here too.)
  if (s.type != Segment::Type::kIndex || !node.is_array()) return ReferencePathConflict(s, node);
  const auto& a = node.as_array();
  if (s.index < 0 || s.index >= static_cast<int64_t>(a.size()))
    return ReferencePathConflict(s, node);
  STATOR_TRY(Value placed, Place(a[static_cast<size_t>(s.index)], segs, i + 1, std::move(result)));
  json::Array items = a;
  items[static_cast<size_t>(s.index)] = std::move(placed);
  return Value::MakeArray(std::move(items));
}

}  // namespace

Result<json::Value> ApplyResultPath(const JsonPath& path, const json::Value& input,
                                    json::Value result) {
  if (path.is_root()) return result;
  // Only reference paths are valid here (the validator checks); fall back to the definite
  // segments for anything else.
  return Place(input, path.impl().segments, 0, std::move(result));
}

}  // namespace stator::asl
