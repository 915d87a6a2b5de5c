// Walking a JsonPath's steps over a document: every match of an indefinite path, in Jayway's
// order (see path_internal.h). Definite paths never come here (WalkDefinite).
#include <algorithm>

#include "asl/path_internal.h"

namespace stator::asl::path_internal {

namespace {

using json::Value;

class Evaluator {
 public:
  Evaluator(const std::vector<Segment>& segs, const Value& root, std::vector<Value>* out)
      : segs_(segs), root_(root), out_(out) {}

  void Run(const Value& node) { Eval(node, 0); }

 private:
  void Emit(size_t i, const Value& v) {
    if (i + 1 == segs_.size()) {
      out_->push_back(v);
    } else {
      Eval(v, i + 1);
    }
  }

  void Eval(const Value& node, size_t i) {
    if (i == segs_.size()) {
      out_->push_back(node);
      return;
    }
    const Segment& s = segs_[i];
    if (s.deep) {
      Scan(node, i);
    } else {
      Apply(node, i);
    }
  }

  // Applies segment i (ignoring its deep flag) to node.
  void Apply(const Value& node, size_t i) {
    const Segment& s = segs_[i];
    switch (s.type) {
      case Segment::Type::kName:
        if (const Value* v = node.Find(s.name)) Emit(i, *v);
        return;
      case Segment::Type::kNames:
        if (!node.is_object()) return;
        if (i + 1 == segs_.size()) {
          // Jayway merges a leaf union of names into one object.
          json::Object merged;
          for (const auto& n : s.names) {
            if (const Value* v = node.Find(n)) merged.emplace_back(n, *v);
          }
          out_->push_back(Value::MakeObject(std::move(merged)));
        } else {
          for (const auto& n : s.names) {
            if (const Value* v = node.Find(n)) Emit(i, *v);
          }
        }
        return;
      case Segment::Type::kIndex:
        ApplyIndex(node, s.index, i);
        return;
      case Segment::Type::kIndexes:
        for (int64_t idx : s.indexes) ApplyIndex(node, idx, i);
        return;
      case Segment::Type::kWildcard:
        if (node.is_object()) {
          for (const auto& m : node.as_object()) Emit(i, m.second);
        } else if (node.is_array()) {
          for (const auto& e : node.as_array()) Emit(i, e);
        }
        return;
      case Segment::Type::kSlice:
        ApplySlice(node, s, i);
        return;
      case Segment::Type::kFilter:
        if (node.is_array()) {
          for (const auto& e : node.as_array()) {
            if (FilterAccepts(*s.filter, e, root_)) Emit(i, e);
          }
        } else if (node.is_object()) {
          if (FilterAccepts(*s.filter, node, root_)) Emit(i, node);
        }
        return;
    }
  }

  void ApplyIndex(const Value& node, int64_t idx, size_t i) {
    if (!node.is_array()) return;
    const auto& a = node.as_array();
    int64_t n = static_cast<int64_t>(a.size());
    if (idx < 0) idx += n;
    if (idx >= 0 && idx < n) Emit(i, a[static_cast<size_t>(idx)]);
  }

  void ApplySlice(const Value& node, const Segment& s, size_t i) {
    if (!node.is_array()) return;
    const auto& a = node.as_array();
    int64_t n = static_cast<int64_t>(a.size());
    int64_t from = s.slice_start.value_or(0);
    int64_t to = s.slice_end.value_or(n);
    if (from < 0) from = std::max<int64_t>(0, n + from);
    if (to < 0) to = n + to;
    to = std::min(to, n);
    for (int64_t k = from; k < to; k += s.slice_step) Emit(i, a[static_cast<size_t>(k)]);
  }

  // Whether a deep scan applies step s at node (an object or an array): a name at an object that
  // has it, a union of names at any object, index and slice steps at arrays, a wildcard at
  // either, a filter wherever it holds.
  bool ScanMatches(const Segment& s, const Value& node) {
    switch (s.type) {
      case Segment::Type::kName:
        return node.is_object() && node.Find(s.name) != nullptr;
      case Segment::Type::kNames:
        return node.is_object();
      case Segment::Type::kIndex:
      case Segment::Type::kIndexes:
      case Segment::Type::kSlice:
        return node.is_array();
      case Segment::Type::kWildcard:
        return true;
      case Segment::Type::kFilter:
        return FilterAccepts(*s.filter, node, root_);
    }
    return false;
  }

  // Deep scan: segment i is tried at node and at every container below it.
  void Scan(const Value& node, size_t i) {
    if (node.is_object()) {
      if (ScanMatches(segs_[i], node)) Apply(node, i);
      for (const auto& m : node.as_object()) {
        if (m.second.is_object() || m.second.is_array()) Scan(m.second, i);
      }
    } else if (node.is_array()) {
      if (ScanMatches(segs_[i], node)) {
        if (i + 1 == segs_.size()) {
          Apply(node, i);
        } else {
          // As Jayway does: below a matching array, the rest of the path continues from each
          // element.
          for (const auto& e : node.as_array()) Eval(e, i + 1);
        }
      }
      for (const auto& e : node.as_array()) {
        if (e.is_object() || e.is_array()) Scan(e, i);
      }
    }
  }

  const std::vector<Segment>& segs_;
  const Value& root_;
  std::vector<Value>* out_;
};

}  // namespace

void CollectMatches(const std::vector<Segment>& segs, const Value& root, const Value& node,
                    std::vector<Value>* out) {
  Evaluator(segs, root, out).Run(node);
}

}  // namespace stator::asl::path_internal
