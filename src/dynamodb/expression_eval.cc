// Evaluation of parsed DynamoDB expressions against items (see expression.h): conditions and
// filters, updates, projections. (The sort-key half of a key condition is matched in
// expression_key_condition.cc.)
#include <algorithm>
#include <optional>
#include <type_traits>

#include "dynamodb/expression.h"
#include "dynamodb/expression_internal.h"
#include "dynamodb/number.h"

namespace stator::dynamodb {
namespace {

constexpr char kMissingAttribute[] =
    "The provided expression refers to an attribute that does not exist in the item";
constexpr char kWrongType[] = "An operand in the update expression has an incorrect data type";
constexpr char kBadPath[] =
    "The document path provided in the update expression is invalid for update";

int64_t Utf8Length(const std::string& s) {
  int64_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::optional<AttrValue> EvalConditionOperand(const Operand& o, const Item& item) {
  switch (o.kind) {
    case Operand::Kind::kValue:
      return o.value;
    case Operand::Kind::kPath: {
      const AttrValue* v = Resolve(item, o.path);
      if (!v) return std::nullopt;
      return *v;
    }
    case Operand::Kind::kSize: {
      const AttrValue* v = Resolve(item, o.args[0].path);
      if (!v) return std::nullopt;
      int64_t n;
      switch (v->type) {
        case AttrType::kS:
          n = Utf8Length(v->scalar);
          break;
        case AttrType::kB:
          n = static_cast<int64_t>(v->scalar.size());
          break;
        case AttrType::kSS:
        case AttrType::kNS:
        case AttrType::kBS:
          n = static_cast<int64_t>(v->set.size());
          break;
        case AttrType::kL:
          n = static_cast<int64_t>(v->list.size());
          break;
        case AttrType::kM:
          n = static_cast<int64_t>(v->map.size());
          break;
        default:
          return std::nullopt;
      }
      return AttrValue::Num(std::to_string(n));
    }
    default:
      return std::nullopt;
  }
}

bool Orderable(const AttrValue& a, const AttrValue& b) {
  return a.type == b.type &&
         (a.type == AttrType::kN || a.type == AttrType::kS || a.type == AttrType::kB);
}

bool Compare(const std::optional<AttrValue>& a, const std::optional<AttrValue>& b, CompareOp op) {
  if (op == CompareOp::kEq) return a && b && *a == *b;
  if (op == CompareOp::kNe) return !(a && b && *a == *b);
  if (!a || !b || !Orderable(*a, *b)) return false;
  int c = CompareScalar(*a, *b);
  switch (op) {
    case CompareOp::kLt:
      return c < 0;
    case CompareOp::kLe:
      return c <= 0;
    case CompareOp::kGt:
      return c > 0;
    case CompareOp::kGe:
      return c >= 0;
    default:
      return false;
  }
}

const AttrValue* FindIn(const AttrMap& m, std::string_view name) { return Find(m, name); }
AttrValue* FindIn(AttrMap& m, std::string_view name) { return FindMutable(m, name); }

template <class Map>  // AttrMap or const AttrMap
using ValueIn = std::conditional_t<std::is_const_v<Map>, const AttrValue, AttrValue>;

// The value at the first n elements of path (path[0] a name) in item, or null when they do not
// lead to one; as const as the item.
template <class Map>
ValueIn<Map>* Walk(Map& item, const Path& path, size_t n) {
  ValueIn<Map>* v = FindIn(item, path[0].name);
  for (size_t i = 1; v && i < n; ++i) {
    const PathElement& e = path[i];
    if (e.is_index) {
      if (v->type != AttrType::kL || e.index < 0 ||
          e.index >= static_cast<int64_t>(v->list.size())) {
        return nullptr;
      }
      v = &v->list[static_cast<size_t>(e.index)];
    } else {
      if (v->type != AttrType::kM) return nullptr;
      v = FindIn(v->map, e.name);
    }
  }
  return v;
}

bool SetContains(const AttrValue& set, const AttrValue& v) {
  AttrType element = set.type == AttrType::kSS   ? AttrType::kS
                     : set.type == AttrType::kNS ? AttrType::kN
                                                 : AttrType::kB;
  if (v.type != element) return false;
  return std::find(set.set.begin(), set.set.end(), v.scalar) != set.set.end();
}

}  // namespace

const AttrValue* Resolve(const Item& item, const Path& path) {
  if (path.empty() || path[0].is_index) return nullptr;
  return Walk(item, path, path.size());
}

bool EvaluateCondition(const Condition& c, const Item& item) {
  switch (c.kind) {
    case Condition::Kind::kAnd:
      return EvaluateCondition(c.children[0], item) && EvaluateCondition(c.children[1], item);
    case Condition::Kind::kOr:
      return EvaluateCondition(c.children[0], item) || EvaluateCondition(c.children[1], item);
    case Condition::Kind::kNot:
      return !EvaluateCondition(c.children[0], item);
    case Condition::Kind::kCompare:
      return Compare(EvalConditionOperand(c.operands[0], item),
                     EvalConditionOperand(c.operands[1], item), c.op);
    case Condition::Kind::kBetween: {
      auto a = EvalConditionOperand(c.operands[0], item);
      auto lo = EvalConditionOperand(c.operands[1], item);
      auto hi = EvalConditionOperand(c.operands[2], item);
      return Compare(a, lo, CompareOp::kGe) && Compare(a, hi, CompareOp::kLe);
    }
    case Condition::Kind::kIn: {
      auto a = EvalConditionOperand(c.operands[0], item);
      for (size_t i = 1; i < c.operands.size(); ++i) {
        if (Compare(a, EvalConditionOperand(c.operands[i], item), CompareOp::kEq)) return true;
      }
      return false;
    }
    case Condition::Kind::kExists:
      return Resolve(item, c.operands[0].path) != nullptr;
    case Condition::Kind::kNotExists:
      return Resolve(item, c.operands[0].path) == nullptr;
    case Condition::Kind::kType: {
      const AttrValue* v = Resolve(item, c.operands[0].path);
      auto t = EvalConditionOperand(c.operands[1], item);
      return v && t && t->type == AttrType::kS && t->scalar == TypeName(v->type);
    }
    case Condition::Kind::kBeginsWith: {
      auto a = EvalConditionOperand(c.operands[0], item);
      auto b = EvalConditionOperand(c.operands[1], item);
      if (!a || !b || a->type != b->type) return false;
      if (a->type != AttrType::kS && a->type != AttrType::kB) return false;
      return a->scalar.compare(0, b->scalar.size(), b->scalar) == 0 &&
             a->scalar.size() >= b->scalar.size();
    }
    case Condition::Kind::kContains: {
      auto a = EvalConditionOperand(c.operands[0], item);
      auto b = EvalConditionOperand(c.operands[1], item);
      if (!a || !b) return false;
      if (a->type == AttrType::kS && b->type == AttrType::kS) {
        return a->scalar.find(b->scalar) != std::string::npos;
      }
      if (a->type == AttrType::kB && b->type == AttrType::kB) {
        return a->scalar.find(b->scalar) != std::string::npos;
      }
      if (a->is_set()) return SetContains(*a, *b);
      if (a->type == AttrType::kL) {
        for (const AttrValue& e : a->list) {
          if (e == *b) return true;
        }
      }
      return false;
    }
  }
  return false;
}

namespace {

Result<AttrValue> EvalSetValue(const Operand& o, const Item& old) {
  switch (o.kind) {
    case Operand::Kind::kValue:
      return o.value;
    case Operand::Kind::kPath: {
      const AttrValue* v = Resolve(old, o.path);
      if (!v) return Validation(kMissingAttribute);
      return *v;
    }
    case Operand::Kind::kIfNotExists: {
      const AttrValue* v = Resolve(old, o.args[0].path);
      if (v) return *v;
      return EvalSetValue(o.args[1], old);
    }
    case Operand::Kind::kListAppend: {
      STATOR_TRY(AttrValue a, EvalSetValue(o.args[0], old));
      STATOR_TRY(AttrValue b, EvalSetValue(o.args[1], old));
      if (a.type != AttrType::kL || b.type != AttrType::kL) return Validation(kWrongType);
      for (AttrValue& e : b.list) a.list.push_back(std::move(e));
      return a;
    }
    case Operand::Kind::kPlus:
    case Operand::Kind::kMinus: {
      STATOR_TRY(AttrValue a, EvalSetValue(o.args[0], old));
      STATOR_TRY(AttrValue b, EvalSetValue(o.args[1], old));
      if (a.type != AttrType::kN || b.type != AttrType::kN) return Validation(kWrongType);
      STATOR_TRY(Number x, Number::Parse(a.scalar));
      STATOR_TRY(Number y, Number::Parse(b.scalar));
      STATOR_TRY(Number r,
                 o.kind == Operand::Kind::kPlus ? Number::Add(x, y) : Number::Subtract(x, y));
      return AttrValue::Num(r.ToString());
    }
    case Operand::Kind::kSize:
      break;
  }
  return Validation(kWrongType);
}

// The container that holds path's last element, or null when the path does not lead there.
AttrValue* ParentOf(Item* item, const Path& path) {
  if (path.size() < 2) return nullptr;
  return Walk(*item, path, path.size() - 1);
}

Status SetAtPath(Item* item, const Path& path, AttrValue value) {
  if (path.size() == 1) {
    Set(*item, path[0].name, std::move(value));
    return Status::Ok();
  }
  AttrValue* parent = ParentOf(item, path);
  const PathElement& last = path.back();
  if (!parent) return Validation(kBadPath);
  if (last.is_index) {
    if (parent->type != AttrType::kL) return Validation(kBadPath);
    if (last.index < static_cast<int64_t>(parent->list.size())) {
      parent->list[static_cast<size_t>(last.index)] = std::move(value);
    } else {
      parent->list.push_back(std::move(value));
    }
    return Status::Ok();
  }
  if (parent->type != AttrType::kM) return Validation(kBadPath);
  Set(parent->map, last.name, std::move(value));
  return Status::Ok();
}

Status RemoveAtPath(Item* item, const Path& path) {
  if (path.size() == 1) {
    Erase(*item, path[0].name);
    return Status::Ok();
  }
  AttrValue* parent = ParentOf(item, path);
  const PathElement& last = path.back();
  if (!parent) return Status::Ok();
  if (last.is_index) {
    if (parent->type != AttrType::kL) return Validation(kBadPath);
    if (last.index < static_cast<int64_t>(parent->list.size())) {
      parent->list.erase(parent->list.begin() + last.index);
    }
    return Status::Ok();
  }
  if (parent->type != AttrType::kM) return Validation(kBadPath);
  Erase(parent->map, last.name);
  return Status::Ok();
}

}  // namespace

Status ApplyUpdate(const UpdateExpression& u, Item* item) {
  const Item old = *item;
  std::vector<const UpdateAction*> removes;
  for (const UpdateAction& a : u.actions) {
    switch (a.kind) {
      case UpdateAction::Kind::kSet: {
        STATOR_TRY(AttrValue v, EvalSetValue(a.value, old));
        STATOR_RETURN_IF_ERROR(SetAtPath(item, a.path, std::move(v)));
        break;
      }
      case UpdateAction::Kind::kRemove:
        removes.push_back(&a);
        break;
      case UpdateAction::Kind::kAdd: {
        const AttrValue& add = a.value.value;
        const AttrValue* existing = Resolve(old, a.path);
        if (!existing) {
          STATOR_RETURN_IF_ERROR(SetAtPath(item, a.path, add));
          break;
        }
        if (existing->type != add.type) return Validation(kWrongType);
        AttrValue result = *existing;
        if (add.type == AttrType::kN) {
          STATOR_TRY(Number x, Number::Parse(existing->scalar));
          STATOR_TRY(Number y, Number::Parse(add.scalar));
          STATOR_TRY(Number r, Number::Add(x, y));
          result.scalar = r.ToString();
        } else {
          for (const std::string& e : add.set) {
            if (std::find(result.set.begin(), result.set.end(), e) == result.set.end()) {
              result.set.push_back(e);
            }
          }
        }
        STATOR_RETURN_IF_ERROR(SetAtPath(item, a.path, std::move(result)));
        break;
      }
      case UpdateAction::Kind::kDelete: {
        const AttrValue& del = a.value.value;
        const AttrValue* existing = Resolve(old, a.path);
        if (!existing) break;
        if (existing->type != del.type) return Validation(kWrongType);
        AttrValue result = *existing;
        result.set.erase(std::remove_if(result.set.begin(), result.set.end(),
                                        [&](const std::string& e) {
                                          return std::find(del.set.begin(), del.set.end(), e) !=
                                                 del.set.end();
                                        }),
                         result.set.end());
        if (result.set.empty()) {
          STATOR_RETURN_IF_ERROR(RemoveAtPath(item, a.path));
        } else {
          STATOR_RETURN_IF_ERROR(SetAtPath(item, a.path, std::move(result)));
        }
        break;
      }
    }
  }
  // List elements are removed from the highest index down, so that every index names the
  // element it named in the item before the update.
  std::stable_sort(removes.begin(), removes.end(),
                   [](const UpdateAction* x, const UpdateAction* y) {
                     const PathElement& a = x->path.back();
                     const PathElement& b = y->path.back();
                     return a.is_index && b.is_index && a.index > b.index;
                   });
  for (const UpdateAction* a : removes) {
    STATOR_RETURN_IF_ERROR(RemoveAtPath(item, a->path));
  }
  return Status::Ok();
}

namespace {

// Copies the value at path[depth..] of `from` into `to` (a map or list being built).
void ProjectInto(const AttrValue& from, const Path& path, size_t depth, AttrValue* to) {
  if (depth == path.size()) {
    *to = from;
    return;
  }
  const PathElement& e = path[depth];
  if (e.is_index) {
    if (from.type != AttrType::kL || e.index >= static_cast<int64_t>(from.list.size())) return;
    if (to->type != AttrType::kL) *to = AttrValue::List({});
    AttrValue child;
    ProjectInto(from.list[static_cast<size_t>(e.index)], path, depth + 1, &child);
    to->list.push_back(std::move(child));
    return;
  }
  if (from.type != AttrType::kM) return;
  const AttrValue* next = Find(from.map, e.name);
  if (!next) return;
  if (to->type != AttrType::kM) *to = AttrValue::Map({});
  AttrValue* slot = FindMutable(to->map, e.name);
  if (!slot) {
    AttrValue child;
    if (depth + 1 < path.size()) child.type = AttrType::kNull;
    Set(to->map, e.name, AttrValue());
    slot = FindMutable(to->map, e.name);
    slot->type = AttrType::kNull;
  }
  ProjectInto(*next, path, depth + 1, slot);
}

}  // namespace

Item Project(const Item& item, const std::vector<Path>& paths) {
  AttrValue root = AttrValue::Map(item);
  AttrValue out = AttrValue::Map({});
  for (const Path& p : paths) {
    if (!Resolve(item, p)) continue;
    ProjectInto(root, p, 0, &out);
  }
  return out.map;
}

}  // namespace stator::dynamodb
