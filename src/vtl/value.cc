#include "vtl/value.h"

#include <algorithm>
#include <cassert>
#include <cstdio>

namespace stator::vtl {

namespace {

Value::Type TypeOfJson(const json::Value& j) {
  switch (j.kind()) {
    case json::Kind::kNull:
      return Value::Type::kNull;
    case json::Kind::kBool:
      return Value::Type::kBool;
    case json::Kind::kInt:
      return Value::Type::kInt;
    case json::Kind::kDouble:
      return Value::Type::kDouble;
    case json::Kind::kString:
      return Value::Type::kString;
    case json::Kind::kArray:
      return Value::Type::kList;
    case json::Kind::kObject:
      return Value::Type::kMap;
  }
  return Value::Type::kNull;
}

void AppendJavaStringOfJson(const json::Value& j, std::string* out) {
  switch (j.kind()) {
    case json::Kind::kNull:
      out->append("null");
      return;
    case json::Kind::kBool:
      out->append(j.as_bool() ? "true" : "false");
      return;
    case json::Kind::kInt:
      out->append(std::to_string(j.as_int()));
      return;
    case json::Kind::kDouble:
      json::AppendDouble(j.as_double(), out);
      return;
    case json::Kind::kString:
      out->append(j.as_string());
      return;
    case json::Kind::kArray: {
      out->push_back('[');
      bool first = true;
      for (const auto& item : j.as_array()) {
        if (!first) out->append(", ");
        first = false;
        AppendJavaStringOfJson(item, out);
      }
      out->push_back(']');
      return;
    }
    case json::Kind::kObject: {
      out->push_back('{');
      bool first = true;
      for (const auto& [k, v] : j.as_object()) {
        if (!first) out->append(", ");
        first = false;
        out->append(k);
        out->push_back('=');
        AppendJavaStringOfJson(v, out);
      }
      out->push_back('}');
      return;
    }
  }
}

}  // namespace

namespace {
thread_local ContainerScope* t_scope = nullptr;
}  // namespace

ContainerScope::ContainerScope() : previous_(t_scope) { t_scope = this; }

ContainerScope::~ContainerScope() {
  t_scope = previous_;
  for (auto& weak : lists_) {
    if (auto l = weak.lock()) l->Clear();
  }
  for (auto& weak : maps_) {
    if (auto m = weak.lock()) m->Clear();
  }
}

Value Value::NewList() {
  auto l = std::make_shared<List>();
  if (t_scope != nullptr) t_scope->lists_.push_back(l);
  return OfList(std::move(l));
}

Value Value::NewMap() {
  auto m = std::make_shared<Map>();
  if (t_scope != nullptr) t_scope->maps_.push_back(m);
  return OfMap(std::move(m));
}

Value Value::FromJson(const json::Value& j) {
  switch (j.kind()) {
    case json::Kind::kNull:
      return Value();
    case json::Kind::kBool:
      return Bool(j.as_bool());
    case json::Kind::kInt:
      return Int(j.as_int());
    case json::Kind::kDouble:
      return Double(j.as_double());
    case json::Kind::kString:
      return String(j.as_string());
    case json::Kind::kArray: {
      Value l = NewList();
      for (const auto& item : j.as_array()) l.as_list().Add(Frozen(item));
      return l;
    }
    case json::Kind::kObject: {
      Value m = NewMap();
      for (const auto& [k, v] : j.as_object()) m.as_map().Put(k, Frozen(v));
      return m;
    }
  }
  return Value();
}

Value::Type Value::type() const {
  switch (rep_.index()) {
    case 0:
      return Type::kNull;
    case 1:
      return Type::kBool;
    case 2:
      return Type::kInt;
    case 3:
      return Type::kDouble;
    case 4:
      return Type::kString;
    case 5:
      return Type::kList;
    case 6:
      return Type::kMap;
    default:
      return TypeOfJson(std::get<json::Value>(rep_));
  }
}

double Value::as_double() const {
  if (const auto* i = std::get_if<int64_t>(&rep_)) return static_cast<double>(*i);
  return std::get<double>(rep_);
}

Value& Value::Thaw() {
  if (auto* j = std::get_if<json::Value>(&rep_)) {
    Value thawed = FromJson(*j);
    rep_ = std::move(thawed.rep_);
  }
  return *this;
}

const void* Value::container() const {
  if (rep_.index() == 5) return list_ptr().get();
  if (rep_.index() == 6) return map_ptr().get();
  return nullptr;
}

Walk::Visit::Visit(Walk* walk, const Value& v) : walk_(walk) {
  if (++walk->visited_ > kMaxNodes || walk->path_.size() >= kMaxDepth) {
    ok_ = false;
    walk->cut_ = true;
    return;
  }
  const void* c = v.container();
  if (c == nullptr) return;
  if (std::find(walk->path_.begin(), walk->path_.end(), c) != walk->path_.end()) {
    ok_ = false;
    cycle_ = true;
    walk->cut_ = true;
    walk->cycle_ = true;
    return;
  }
  walk->path_.push_back(c);
  pushed_ = true;
}

namespace {

// Past this depth Equals gives up (false): only a cycle gets there.
constexpr int kMaxEqualsDepth = 1000;

}  // namespace

json::Value Value::ToJson() const {
  Walk walk;
  return ToJsonIn(&walk);
}

json::Value Value::ToJsonIn(Walk* walk) const {
  Walk::Visit visit(walk, *this);
  if (!visit.ok()) return json::Value::Null();
  switch (rep_.index()) {
    case 0:
      return json::Value::Null();
    case 1:
      return json::Value::Bool(as_bool());
    case 2:
      return json::Value::Int(as_int());
    case 3:
      return json::Value::Double(std::get<double>(rep_));
    case 4:
      return json::Value::String(as_string());
    case 5: {
      json::Array a;
      a.reserve(as_list().size());
      for (const auto& item : as_list().slots()) a.push_back(item.ToJsonIn(walk));
      return json::Value::MakeArray(std::move(a));
    }
    case 6: {
      json::Object o;
      o.reserve(as_map().size());
      for (const auto& [k, v] : as_map().slots()) o.emplace_back(k, v.ToJsonIn(walk));
      return json::Value::MakeObject(std::move(o));
    }
    default:
      return std::get<json::Value>(rep_);
  }
}

std::string Value::ToJsonText() const {
  std::string out;
  AppendJsonText(&out);
  return out;
}

Value::Cut Value::AppendJsonText(std::string* out) const {
  Walk walk;
  AppendJsonTextIn(out, &walk);
  return walk.cycle() ? Cut::kCycle : walk.cut() ? Cut::kTooBig : Cut::kNone;
}

bool Value::AppendJsonTextIn(std::string* out, Walk* walk) const {
  Walk::Visit visit(walk, *this);
  if (!visit.ok()) {
    out->append("null");
    return false;
  }
  switch (rep_.index()) {
    case 5: {
      out->push_back('[');
      bool first = true;
      for (const auto& item : as_list().slots()) {
        if (!first) out->push_back(',');
        first = false;
        item.AppendJsonTextIn(out, walk);
      }
      out->push_back(']');
      break;
    }
    case 6: {
      out->push_back('{');
      bool first = true;
      for (const auto& [k, v] : as_map().slots()) {
        if (!first) out->push_back(',');
        first = false;
        json::AppendQuoted(k, out);
        out->push_back(':');
        v.AppendJsonTextIn(out, walk);
      }
      out->push_back('}');
      break;
    }
    case 7:
      std::get<json::Value>(rep_).DumpTo(out);
      break;
    default:
      ToJsonIn(walk).DumpTo(out);
      break;
  }
  return !walk->cut();
}

std::string Value::ToJavaString() const {
  std::string out;
  AppendJavaString(&out);
  return out;
}

void Value::AppendJavaString(std::string* out) const {
  Walk walk;
  AppendJavaStringIn(out, &walk);
}

void Value::AppendJavaStringIn(std::string* out, Walk* walk) const {
  Walk::Visit visit(walk, *this);
  if (!visit.ok()) {
    if (visit.cycle()) out->append(is_list() ? "(this Collection)" : "(this Map)");
    return;
  }
  switch (rep_.index()) {
    case 0:
      out->append("null");
      return;
    case 1:
      out->append(as_bool() ? "true" : "false");
      return;
    case 2:
      out->append(std::to_string(as_int()));
      return;
    case 3:
      json::AppendDouble(std::get<double>(rep_), out);
      return;
    case 4:
      out->append(as_string());
      return;
    case 5: {
      out->push_back('[');
      bool first = true;
      for (const auto& item : as_list().slots()) {
        if (!first) out->append(", ");
        first = false;
        item.AppendJavaStringIn(out, walk);
      }
      out->push_back(']');
      return;
    }
    case 6: {
      out->push_back('{');
      bool first = true;
      for (const auto& [k, v] : as_map().slots()) {
        if (!first) out->append(", ");
        first = false;
        out->append(k);
        out->push_back('=');
        v.AppendJavaStringIn(out, walk);
      }
      out->push_back('}');
      return;
    }
    default:
      AppendJavaStringOfJson(std::get<json::Value>(rep_), out);
      return;
  }
}

bool Value::Equals(const Value& o) const {
  size_t visited = 0;
  return EqualsIn(o, 0, &visited);
}

bool Value::EqualsIn(const Value& o, int depth, size_t* visited) const {
  if (depth > kMaxEqualsDepth || ++*visited > Walk::kMaxNodes) return false;
  if (is_frozen() || o.is_frozen()) return ToJson() == o.ToJson();
  if (type() != o.type()) return false;
  switch (type()) {
    case Type::kNull:
      return true;
    case Type::kBool:
      return as_bool() == o.as_bool();
    case Type::kInt:
      return as_int() == o.as_int();
    case Type::kDouble:
      return as_double() == o.as_double();
    case Type::kString:
      return as_string() == o.as_string();
    case Type::kList: {
      if (list_ptr() == o.list_ptr()) return true;
      const auto& a = as_list().slots();
      const auto& b = o.as_list().slots();
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (!a[i].EqualsIn(b[i], depth + 1, visited)) return false;
      }
      return true;
    }
    case Type::kMap: {
      if (map_ptr() == o.map_ptr()) return true;
      Map& a = as_map();
      Map& b = o.as_map();
      if (a.size() != b.size()) return false;
      for (const auto& [k, v] : a.slots()) {
        Value* other = b.Get(k);
        if (other == nullptr || !v.EqualsIn(*other, depth + 1, visited)) return false;
      }
      return true;
    }
  }
  return false;
}

bool Value::SameAs(const Value& o) const {
  if (is_list() && o.is_list() && !is_frozen() && !o.is_frozen()) {
    return list_ptr() == o.list_ptr();
  }
  if (is_map() && o.is_map() && !is_frozen() && !o.is_frozen()) return map_ptr() == o.map_ptr();
  return Equals(o);
}

// Destroys values without recursing: a container about to die with this value (its only
// owner) first hands its children to the loop.
void ReleaseChildren(std::vector<Value> pending) {
  while (!pending.empty()) {
    Value v = std::move(pending.back());
    pending.pop_back();
    if (v.is_list() && !v.is_frozen() && v.list_ptr().use_count() == 1) {
      for (auto& item : v.as_list().items_) pending.push_back(std::move(item));
      v.as_list().items_.clear();
    } else if (v.is_map() && !v.is_frozen() && v.map_ptr().use_count() == 1) {
      for (auto& entry : v.as_map().entries_) pending.push_back(std::move(entry.second));
      v.as_map().entries_.clear();
    }
  }
}

List::~List() { ReleaseChildren(std::move(items_)); }

Map::~Map() {
  std::vector<Value> values;
  values.reserve(entries_.size());
  for (auto& entry : entries_) values.push_back(std::move(entry.second));
  ReleaseChildren(std::move(values));
}

size_t Map::IndexOf(std::string_view key) const {
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].first == key) return i;
  }
  return npos;
}

Value* Map::Get(std::string_view key) {
  size_t i = IndexOf(key);
  if (i == npos) return nullptr;
  return &entries_[i].second.Thaw();
}

Value Map::Put(std::string_view key, Value v) {
  size_t i = IndexOf(key);
  if (i == npos) {
    entries_.emplace_back(std::string(key), std::move(v));
    return Value();
  }
  Value old = std::move(entries_[i].second.Thaw());
  entries_[i].second = std::move(v);
  return old;
}

Value Map::Remove(std::string_view key) {
  size_t i = IndexOf(key);
  if (i == npos) return Value();
  Value old = std::move(entries_[i].second.Thaw());
  entries_.erase(entries_.begin() + i);
  return old;
}

}  // namespace stator::vtl
