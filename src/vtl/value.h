// vtl::Value: a value while a VTL template renders, with Java's reference semantics.
//
// Velocity templates run over Java objects: `#set($m = $ctx.args)` makes $m the same map as
// $ctx.args, and `$m.put("k", 1)` changes both. A Value is therefore a scalar (null, boolean,
// integer, double, string) or a shared pointer to a mutable List or Map. Copying a Value copies
// the pointer, never the container.
//
// The data a render starts from (arguments, result, ...) arrives as immutable json::Values.
// Converting all of it up front would cost a walk of every result a template never looks at, so
// a container slot may hold a json::Value "frozen": the slot is converted (one level) the first
// time something reads it through Map::Get / List::At / the iteration helpers, and the converted
// container replaces the frozen one in the slot, so every later read sees the same object. A
// Value handed out by those accessors is never frozen. ToJson of a container whose slots were
// never read dumps the frozen json as it is.
//
// Numbers keep Java's kinds apart: Int (Integer/Long) and Double.
//
// Thread-safety: none. A Value graph belongs to one render on one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/json.h"

namespace stator::vtl {

class List;
class Map;
class Walk;

class Value {
 public:
  enum class Type { kNull, kBool, kInt, kDouble, kString, kList, kMap };

  Value() = default;
  static Value Bool(bool b) { return Value(Rep(b)); }
  static Value Int(int64_t i) { return Value(Rep(i)); }
  static Value Double(double d) { return Value(Rep(d)); }
  static Value String(std::string s) { return Value(Rep(std::move(s))); }
  static Value NewList();
  static Value NewMap();
  static Value OfList(std::shared_ptr<List> l) { return Value(Rep(std::move(l))); }
  static Value OfMap(std::shared_ptr<Map> m) { return Value(Rep(std::move(m))); }
  // A frozen json value, converted when read (see above). Only container slots hold these;
  // FromJson is the way to get a usable Value from json.
  static Value Frozen(json::Value j) { return Value(Rep(std::move(j))); }
  // The top level of j converted (its children stay frozen until read).
  static Value FromJson(const json::Value& j);

  Type type() const;
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_int() const { return type() == Type::kInt; }
  bool is_double() const { return type() == Type::kDouble; }
  bool is_number() const { return is_int() || is_double(); }
  bool is_string() const { return type() == Type::kString; }
  bool is_list() const { return type() == Type::kList; }
  bool is_map() const { return type() == Type::kMap; }

  bool as_bool() const { return std::get<bool>(rep_); }
  int64_t as_int() const { return std::get<int64_t>(rep_); }
  double as_double() const;  // Int or Double
  const std::string& as_string() const { return std::get<std::string>(rep_); }
  List& as_list() const { return *std::get<std::shared_ptr<List>>(rep_); }
  Map& as_map() const { return *std::get<std::shared_ptr<Map>>(rep_); }
  const std::shared_ptr<List>& list_ptr() const { return std::get<std::shared_ptr<List>>(rep_); }
  const std::shared_ptr<Map>& map_ptr() const { return std::get<std::shared_ptr<Map>>(rep_); }

  bool is_frozen() const { return std::holds_alternative<json::Value>(rep_); }
  // This slot's value made usable: a frozen value is converted in place. Returns *this.
  Value& Thaw();

  // The value as JSON (a deep copy; frozen parts are shared). A container that holds itself
  // (through any path) is cut there: the repeated container becomes null.
  json::Value ToJson() const;
  // JSON text as $util.toJson prints it (a cycle cut as ToJson does).
  std::string ToJsonText() const;
  // Appends the JSON text. Returns what was cut: nothing, a cycle (Jackson refuses those), or
  // a graph too deep or too big to walk (see Walk).
  enum class Cut { kNone, kCycle, kTooBig };
  Cut AppendJsonText(std::string* out) const;
  // Java's String.valueOf: "null", "true", 12, 1.5, the string itself, [a, b], {k=v, k2=v2};
  // a container inside itself prints as "(this Map)" / "(this Collection)".
  std::string ToJavaString() const;
  void AppendJavaString(std::string* out) const;

  // Java's equals(): same kind and same contents (Int 1 and Double 1.0 differ; containers deep).
  bool Equals(const Value& o) const;
  // The same object (containers) or Equals (scalars).
  bool SameAs(const Value& o) const;

 private:
  friend class Walk;
  json::Value ToJsonIn(Walk* walk) const;
  bool AppendJsonTextIn(std::string* out, Walk* walk) const;
  void AppendJavaStringIn(std::string* out, Walk* walk) const;
  bool EqualsIn(const Value& o, int depth, size_t* visited) const;
  const void* container() const;

  using Rep = std::variant<std::monostate, bool, int64_t, double, std::string,
                           std::shared_ptr<List>, std::shared_ptr<Map>, json::Value>;
  explicit Value(Rep r) : rep_(std::move(r)) {}
  Rep rep_;
};

// A recursive walk over a value graph, guarded against cycles (a container inside itself),
// against nesting deeper than the stack should hold, and against graphs that share containers
// so much that a small graph walks huge (#set($a = [$a, $a]) doubles each time): Visit fails
// for a container already on the way down or kMaxDepth deep, and for everything once the walk
// has visited kMaxNodes values.
class Walk {
 public:
  static constexpr size_t kMaxNodes = size_t{1} << 22;
  static constexpr size_t kMaxDepth = 1000;

  class Visit {
   public:
    Visit(Walk* walk, const Value& v);
    ~Visit() {
      if (pushed_) walk_->path_.pop_back();
    }
    Visit(const Visit&) = delete;
    Visit& operator=(const Visit&) = delete;
    bool ok() const { return ok_; }
    bool cycle() const { return cycle_; }

   private:
    Walk* walk_;
    bool ok_ = true, cycle_ = false, pushed_ = false;
  };

  bool cut() const { return cut_; }      // something was left out
  bool cycle() const { return cycle_; }  // ... because a container was inside itself

 private:
  std::vector<const void*> path_;
  size_t visited_ = 0;
  bool cut_ = false, cycle_ = false;
};

// Containers made on this thread while a ContainerScope lives are recorded in it; when it ends
// it empties every one still alive. That frees the cycles a template can make
// ($m.put("self", $m)), which reference counting alone would leak. Render holds one for the
// length of a render: no Value outlives its render (results leave as json::Values).
class ContainerScope {
 public:
  ContainerScope();
  ~ContainerScope();
  ContainerScope(const ContainerScope&) = delete;
  ContainerScope& operator=(const ContainerScope&) = delete;

 private:
  friend class Value;
  std::vector<std::weak_ptr<List>> lists_;
  std::vector<std::weak_ptr<Map>> maps_;
  ContainerScope* previous_;
};

// java.util.ArrayList.
class List {
 public:
  List() = default;
  List(const List&) = delete;
  List& operator=(const List&) = delete;
  ~List();  // iterative: a list nested 100000 deep must not overflow the stack
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  // The item at i (thawed); i must be < size().
  Value& At(size_t i) { return items_[i].Thaw(); }
  void Add(Value v) { items_.push_back(std::move(v)); }
  void Insert(size_t i, Value v) { items_.insert(items_.begin() + i, std::move(v)); }
  void Erase(size_t i) { items_.erase(items_.begin() + i); }
  void Clear() { items_.clear(); }
  // The raw slots (may be frozen): for printing and copying without thawing.
  const std::vector<Value>& slots() const { return items_; }

 private:
  friend void ReleaseChildren(std::vector<Value> pending);
  std::vector<Value> items_;
};

// java.util.LinkedHashMap<String, Object>: keys in insertion order.
class Map {
 public:
  Map() = default;
  Map(const Map&) = delete;
  Map& operator=(const Map&) = delete;
  ~Map();  // iterative, as ~List
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // The value under key (thawed), or nullptr when absent.
  Value* Get(std::string_view key);
  bool Contains(std::string_view key) const { return IndexOf(key) != npos; }
  // Sets key to v (in place when present, else appended); returns the previous value or null.
  Value Put(std::string_view key, Value v);
  // Removes key; returns its value or null.
  Value Remove(std::string_view key);
  void Clear() { entries_.clear(); }
  // Entry i (value thawed).
  const std::string& KeyAt(size_t i) const { return entries_[i].first; }
  Value& ValueAt(size_t i) { return entries_[i].second.Thaw(); }
  const std::vector<std::pair<std::string, Value>>& slots() const { return entries_; }

 private:
  friend void ReleaseChildren(std::vector<Value> pending);
  static constexpr size_t npos = static_cast<size_t>(-1);
  size_t IndexOf(std::string_view key) const;
  std::vector<std::pair<std::string, Value>> entries_;
};

}  // namespace stator::vtl
