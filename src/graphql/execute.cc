// The executor. One Execution per Execute call, shared by the resolver callbacks it hands out.
//
// Concurrency: all execution state is touched by one thread at a time, the "driver". The thread
// that calls Execute drives first; a resolver that answers synchronously (inside Resolve, on the
// driver's thread) is completed inline, in field order, as graphql-core would. A completion that
// arrives later from any thread is queued under mu_; if no thread is driving, the arriving thread
// becomes the driver and drains the queue. So no lock is held while a resolver runs, and an
// all-synchronous execution takes mu_ only uncontended.
#include "graphql/execute.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "graphql/introspection.h"
#include "graphql/parser.h"
#include "graphql/scalars.h"
#include "graphql/values.h"

namespace stator::graphql {
namespace {

// All the field nodes sharing one response key in a selection (merged by CollectFields).
struct FieldGroup {
  const std::string* key;
  std::vector<const Field*> nodes;
};
using FieldGroups = std::vector<FieldGroup>;

// One response position: a field's value or a list item.
struct Pos {
  enum class State : uint8_t { kPending, kNull, kLeaf, kObject, kList };
  Pos* parent = nullptr;
  const std::string* key = nullptr;  // field response key, or null for a list item
  int64_t index = -1;
  State state = State::kPending;
  bool non_null = false;
  json::Value leaf;
  std::vector<Pos*> children;
};

// What a field's completion needs to know about the field.
struct FieldContext {
  const NamedType* parent_type;
  const FieldDef* def;
  const FieldGroup* group;
};

struct ResolveSlot {
  std::atomic<int> state{0};  // 0: inside Resolve, 1: answered inside Resolve, 2: answer later
  FieldOutcome outcome;
};

class Execution : public std::enable_shared_from_this<Execution> {
 public:
  Execution(ExecuteRequest request, FieldResolver* resolver,
            std::function<void(ExecutionResult)> done)
      : request_(std::move(request)),
        schema_(*request_.schema),
        doc_(*request_.document),
        resolver_(resolver),
        done_(std::move(done)) {}

  void Start() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      driving_ = true;
      driver_.store(std::this_thread::get_id());
    }
    Begin();
    Drain();
  }

 private:
  // ---- setup ----

  void Begin() {
    const OperationDefinition* op = nullptr;
    if (!request_.operation_name.empty()) {
      for (const OperationDefinition& o : doc_.operations) {
        if (o.name == request_.operation_name) {
          op = &o;
          break;
        }
      }
      if (!op) return FailRequest("Unknown operation named \"" + request_.operation_name + "\".");
    } else {
      if (doc_.operations.size() > 1) {
        return FailRequest("Must provide operation name if query contains multiple operations.");
      }
      if (doc_.operations.empty()) return FailRequest("Must provide an operation.");
      op = &doc_.operations[0];
    }
    operation_ = op;
    CoercedVariables vars = CoerceVariableValues(schema_, *op, request_.variables);
    if (!vars.errors.empty()) {
      result_.has_data = false;
      result_.errors = std::move(vars.errors);
      return Finish();
    }
    variables_ = std::move(vars.values);
    const NamedType* root_type = schema_.RootType(op->operation);
    root_ = NewPos(nullptr);
    if (!root_type) {
      errors_.push_back(MakeError(std::string("Schema is not configured to execute ") +
                                      OperationTypeName(op->operation) + " operation.",
                                  op->location));
      root_->state = Pos::State::kNull;
      return MaybeFinish();
    }
    root_type_ = root_type;
    root_->state = Pos::State::kObject;
    CollectFields(*root_type, op->selection_set, &root_fields_, &visited_scratch_);
    if (op->operation == OperationType::kMutation) {
      serial_ = true;
      ContinueSerial();
    } else {
      ExecuteFields(root_, *root_type, request_.root_value, root_fields_, 0);
      MaybeFinish();
    }
  }

  void FailRequest(std::string message) {
    result_.has_data = false;
    result_.errors.push_back(Error{std::move(message), {}, {}, {}, {}});
    Finish();
  }

  // ---- driving ----

  void Post(std::function<void()> work) {
    bool drive = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(work));
      if (!driving_) {
        driving_ = true;
        driver_.store(std::this_thread::get_id());
        drive = true;
      }
    }
    if (drive) Drain();
  }

  void Drain() {
    auto self = shared_from_this();  // the last callback may drop the last other reference
    for (;;) {
      std::function<void()> work;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (queue_.empty()) {
          driving_ = false;
          driver_.store(std::thread::id());
          return;
        }
        work = std::move(queue_.front());
        queue_.pop_front();
      }
      work();
      if (serial_) ContinueSerial();
      MaybeFinish();
    }
  }

  // Mutation root fields: the next one starts when everything the previous one started is done.
  void ContinueSerial() {
    while (pending_ == 0 && next_root_ < root_fields_.size() && !IsDead(root_)) {
      ExecuteFields(root_, *root_type_, request_.root_value, root_fields_, next_root_, 1);
      ++next_root_;
    }
    if (IsDead(root_)) next_root_ = root_fields_.size();
    MaybeFinish();
  }

  void MaybeFinish() {
    if (finished_ || pending_ != 0) return;
    if (serial_ && next_root_ < root_fields_.size()) return;
    result_.has_data = true;
    result_.data = Build(root_);
    SortErrors(&errors_);
    result_.errors = std::move(errors_);
    Finish();
  }

  void Finish() {
    if (finished_) return;
    finished_ = true;
    auto done = std::move(done_);
    done(std::move(result_));
  }

  // ---- result tree ----

  Pos* NewPos(Pos* parent) {
    arena_.emplace_back();
    Pos* p = &arena_.back();
    p->parent = parent;
    return p;
  }

  static bool IsDead(const Pos* p) {
    for (; p; p = p->parent) {
      if (p->state == Pos::State::kNull) return true;
    }
    return false;
  }

  // p's value is null because of an error already recorded: null the nearest nullable position.
  void NullOut(Pos* p) {
    while (p->non_null && p->parent) p = p->parent;
    p->state = Pos::State::kNull;
  }

  json::Value PathOf(const Pos* p) const {
    std::vector<const Pos*> chain;
    for (; p && p->parent; p = p->parent) chain.push_back(p);
    json::Array path;
    path.reserve(chain.size());
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      path.push_back((*it)->key ? json::Value::String(*(*it)->key)
                                : json::Value::Int((*it)->index));
    }
    return json::Value::MakeArray(std::move(path));
  }

  static std::vector<Location> LocationsOf(const FieldGroup& g) {
    std::vector<Location> out;
    out.reserve(g.nodes.size());
    for (const Field* f : g.nodes) out.push_back(f->location);
    return out;
  }

  json::Value Build(const Pos* p) const {
    switch (p->state) {
      case Pos::State::kPending:
      case Pos::State::kNull:
        return json::Value();
      case Pos::State::kLeaf:
        return p->leaf;
      case Pos::State::kObject: {
        json::Object o;
        o.reserve(p->children.size());
        for (const Pos* c : p->children) o.emplace_back(*c->key, Build(c));
        return json::Value::MakeObject(std::move(o));
      }
      case Pos::State::kList: {
        json::Array a;
        a.reserve(p->children.size());
        for (const Pos* c : p->children) a.push_back(Build(c));
        return json::Value::MakeArray(std::move(a));
      }
    }
    return json::Value();
  }

  void FieldError(Pos* p, const FieldContext& fc, std::string message) {
    Error e;
    e.message = std::move(message);
    e.locations = LocationsOf(*fc.group);
    e.path = PathOf(p);
    errors_.push_back(std::move(e));
    NullOut(p);
  }

  // ---- field collection ----

  bool Skipped(const std::vector<Directive>& directives) {
    for (const Directive& d : directives) {
      if (d.name != "skip" && d.name != "include") continue;
      const DirectiveDef* def = schema_.FindDirective(d.name);
      if (!def) continue;
      Error error;
      json::Value args = CoerceArgumentValues(schema_, def->arguments, d.arguments, variables_,
                                              d.location, &error);
      const json::Value* v = args.Find("if");
      bool flag = v && v->is_bool() && v->as_bool();
      if (d.name == "skip" && flag) return true;
      if (d.name == "include" && !flag) return true;
    }
    return false;
  }

  bool FragmentApplies(const std::string& type_condition, const NamedType& type) {
    if (type_condition.empty()) return true;
    const NamedType* cond = schema_.FindType(type_condition);
    if (!cond) return false;
    if (cond == &type) return true;
    if (cond->is_abstract()) return schema_.IsPossibleType(*cond, type);
    return false;
  }

  void CollectFields(const NamedType& type, const std::vector<Selection>& selections,
                     FieldGroups* out, std::vector<const std::string*>* visited) {
    for (const Selection& s : selections) {
      if (const Field* f = s.field()) {
        if (!f->directives.empty() && Skipped(f->directives)) continue;
        const std::string& key = f->response_key();
        FieldGroup* g = nullptr;
        for (FieldGroup& existing : *out) {
          if (*existing.key == key) {
            g = &existing;
            break;
          }
        }
        if (!g) {
          out->push_back(FieldGroup{&key, {}});
          g = &out->back();
        }
        g->nodes.push_back(f);
      } else if (const InlineFragment* in = s.inline_fragment()) {
        if (!in->directives.empty() && Skipped(in->directives)) continue;
        if (!FragmentApplies(in->type_condition, type)) continue;
        CollectFields(type, in->selection_set, out, visited);
      } else if (const FragmentSpread* fs = s.fragment_spread()) {
        if (!fs->directives.empty() && Skipped(fs->directives)) continue;
        bool seen = false;
        for (const std::string* v : *visited) seen = seen || *v == fs->name;
        if (seen) continue;
        visited->push_back(&fs->name);
        const FragmentDefinition* frag = doc_.FindFragment(fs->name);
        if (!frag || !FragmentApplies(frag->type_condition, type)) continue;
        CollectFields(type, frag->selection_set, out, visited);
      }
    }
  }

  const FieldGroups& Subfields(const FieldGroup* group, const NamedType& type) {
    auto key = std::make_pair(group, &type);
    auto it = subfields_.find(key);
    if (it != subfields_.end()) return *it->second;
    auto fields = std::make_unique<FieldGroups>();
    std::vector<const std::string*> visited;
    for (const Field* f : group->nodes)
      CollectFields(type, f->selection_set, fields.get(), &visited);
    const FieldGroups& ref = *fields;
    subfields_.emplace(key, std::move(fields));
    return ref;
  }

  // ---- execution ----

  void ExecuteFields(Pos* object, const NamedType& type, const json::Value& source,
                     const FieldGroups& fields, size_t from, size_t count = SIZE_MAX) {
    size_t end = count == SIZE_MAX ? fields.size() : std::min(fields.size(), from + count);
    for (size_t i = from; i < end; ++i) {
      ExecuteField(object, type, source, fields[i]);
      if (IsDead(object)) return;  // a non-null field was null: the rest of the object is moot
    }
  }

  void ExecuteField(Pos* object, const NamedType& type, const json::Value& source,
                    const FieldGroup& group) {
    const Field& node = *group.nodes[0];
    const FieldDef* def = schema_.FindField(type, node.name);
    if (!def) return;  // not in the schema (validation reports it): left out of the result
    Pos* pos = NewPos(object);
    pos->key = group.key;
    pos->non_null = def->type.kind == TypeRefKind::kNonNull;
    object->children.push_back(pos);
    FieldContext fc{&type, def, &group};
    if (node.name == "__typename") {
      pos->state = Pos::State::kLeaf;
      pos->leaf = json::Value::String(type.name);
      return;
    }
    Error arg_error;
    json::Value args = def->arguments.empty() && node.arguments.empty()
                           ? json::Value::EmptyObject()
                           : CoerceArgumentValues(schema_, def->arguments, node.arguments,
                                                  variables_, node.location, &arg_error);
    if (!arg_error.message.empty()) {
      arg_error.path = PathOf(pos);
      errors_.push_back(std::move(arg_error));
      NullOut(pos);
      return;
    }
    if (node.name == "__schema" && &type == schema_.query_type()) {
      return Complete(pos, def->type, fc, SchemaMarker());
    }
    if (node.name == "__type" && &type == schema_.query_type()) {
      const json::Value* name = args.Find("name");
      return Complete(
          pos, def->type, fc,
          name && name->is_string() ? NamedTypeMarker(schema_, name->as_string()) : json::Value());
    }
    if (type.builtin && type.name.size() > 2 && type.name[0] == '_' && type.name[1] == '_') {
      return Complete(pos, def->type, fc,
                      ResolveIntrospectionField(schema_, type.name, node.name, source, args));
    }
    if (resolver_ && resolver_->Resolves(type.name, node.name)) {
      return CallResolver(pos, fc, source, std::move(args));
    }
    const json::Value* v = source.is_object() ? source.Find(node.name) : nullptr;
    Complete(pos, def->type, fc, v ? *v : json::Value());
  }

  void CallResolver(Pos* pos, const FieldContext& fc, const json::Value& source, json::Value args) {
    const Field& node = *fc.group->nodes[0];
    FieldCall call;
    call.parent_type = fc.parent_type->name;
    call.field_name = node.name;
    call.alias = node.alias;
    call.arguments = std::move(args);
    call.source = source;
    call.path = PathOf(pos);
    call.variables = variables_;
    call.locations = LocationsOf(*fc.group);
    auto cached = selection_info_.find(fc.group);
    if (cached == selection_info_.end()) {
      SelectionInfoCache info;
      SelectionInfo(*fc.group, &info.list, &info.graphql);
      cached = selection_info_.emplace(fc.group, std::move(info)).first;
    }
    call.selection_set_list = cached->second.list;
    call.selection_set_graphql = cached->second.graphql;
    call.operation = operation_->operation;
    call.operation_name = operation_->name;
    call.field = fc.def;
    auto slot = std::make_shared<ResolveSlot>();
    auto self = shared_from_this();
    ++pending_;
    resolver_->Resolve(std::move(call), [self, slot, pos, fc](FieldOutcome outcome) {
      if (slot->state.load() == 0 && self->driver_.load() == std::this_thread::get_id()) {
        slot->outcome = std::move(outcome);
        slot->state.store(1);
        return;
      }
      self->Post([self, pos, fc, o = std::move(outcome)]() mutable {
        self->OnOutcome(pos, fc, std::move(o));
      });
    });
    int expected = 0;
    if (!slot->state.compare_exchange_strong(expected, 2)) {  // answered inline
      OnOutcome(pos, fc, std::move(slot->outcome));
    }
  }

  void OnOutcome(Pos* pos, const FieldContext& fc, FieldOutcome outcome) {
    --pending_;
    if (IsDead(pos)) return;
    if (outcome.error) {
      Error e = std::move(*outcome.error);
      if (e.path.is_null()) e.path = PathOf(pos);
      if (e.locations.empty()) e.locations = LocationsOf(*fc.group);
      errors_.push_back(std::move(e));
      NullOut(pos);
      return;
    }
    Complete(pos, fc.def->type, fc, outcome.value);
  }

  void Complete(Pos* pos, const TypeRef& type, const FieldContext& fc, const json::Value& v) {
    if (type.kind == TypeRefKind::kNonNull) {
      pos->non_null = true;
      if (v.is_null()) {
        return FieldError(pos, fc,
                          "Cannot return null for non-nullable field " + fc.parent_type->name +
                              "." + fc.def->name + ".");
      }
      return Complete(pos, *type.of_type, fc, v);
    }
    if (v.is_null()) {
      pos->state = Pos::State::kNull;
      return;
    }
    if (type.kind == TypeRefKind::kList) {
      if (!v.is_array()) {
        return FieldError(pos, fc,
                          "Expected Iterable, but did not find one for field \"" +
                              fc.parent_type->name + "." + fc.def->name + "\".");
      }
      pos->state = Pos::State::kList;
      const json::Array& items = v.as_array();
      pos->children.reserve(items.size());
      for (size_t i = 0; i < items.size(); ++i) {
        Pos* item = NewPos(pos);
        item->index = static_cast<int64_t>(i);
        pos->children.push_back(item);
        Complete(item, *type.of_type, fc, items[i]);
        if (IsDead(pos)) return;
      }
      return;
    }
    const NamedType* named = fc.def->named_type;
    if (!named) return FieldError(pos, fc, "Unknown type \"" + type.name + "\".");
    if (named->is_leaf()) {
      std::string message;
      auto s = SerializeLeaf(*named, v, &message);
      if (!s) return FieldError(pos, fc, message);
      pos->state = Pos::State::kLeaf;
      pos->leaf = std::move(*s);
      return;
    }
    const NamedType* object = named;
    if (named->is_abstract()) {
      const json::Value* tn = v.is_object() ? v.Find("__typename") : nullptr;
      std::string where = fc.parent_type->name + "." + fc.def->name;
      if (!tn || !tn->is_string()) {
        return FieldError(pos, fc,
                          "Abstract type \"" + named->name +
                              "\" must resolve to an Object type at runtime for field \"" + where +
                              "\". Either the \"" + named->name +
                              "\" type should provide a \"resolveType\" function or each possible "
                              "type should provide an \"isTypeOf\" function.");
      }
      object = schema_.FindType(tn->as_string());
      if (!object) {
        return FieldError(pos, fc,
                          "Abstract type \"" + named->name + "\" was resolved to a type \"" +
                              tn->as_string() + "\" that does not exist inside the schema.");
      }
      if (object->kind != TypeKind::kObject) {
        return FieldError(pos, fc,
                          "Abstract type \"" + named->name +
                              "\" was resolved to a non-object type \"" + object->name + "\".");
      }
      if (!schema_.IsPossibleType(*named, *object)) {
        return FieldError(pos, fc,
                          "Runtime Object type \"" + object->name +
                              "\" is not a possible type for \"" + named->name + "\".");
      }
    }
    pos->state = Pos::State::kObject;
    const FieldGroups& fields = Subfields(fc.group, *object);
    pos->children.reserve(fields.size());
    ExecuteFields(pos, *object, v, fields, 0);
  }

  // AppSync's info.selectionSetList and info.selectionSetGraphQL for a resolver's field.
  void SelectionInfo(const FieldGroup& group, std::vector<std::string>* list,
                     std::string* graphql) {
    std::vector<Selection> merged;
    size_t total = 0;
    for (const Field* f : group.nodes) total += f->selection_set.size();
    if (total == 0) return;
    PathLister lister{list, {}, {}, {}};
    for (const Field* f : group.nodes) ListPaths(f->selection_set, "", &lister);
    if (group.nodes.size() == 1) {
      *graphql = PrintSelectionSet(group.nodes[0]->selection_set);
    } else {
      for (const Field* f : group.nodes) {
        merged.insert(merged.end(), f->selection_set.begin(), f->selection_set.end());
      }
      *graphql = PrintSelectionSet(merged);
    }
  }

  // Paths are listed once each; a fragment is expanded once per prefix (repeated spreads of the
  // same fragment would otherwise multiply the work) and never inside itself.
  struct PathLister {
    std::vector<std::string>* out;
    std::unordered_set<std::string> listed;
    std::unordered_set<std::string> expanded;  // prefix + '\n' + fragment name
    std::vector<const std::string*> active;    // fragments being expanded (cycle guard)
  };

  void ListPaths(const std::vector<Selection>& selections, const std::string& prefix,
                 PathLister* l) {
    for (const Selection& s : selections) {
      if (const Field* f = s.field()) {
        if (f->name == "__typename" || (!f->directives.empty() && Skipped(f->directives))) {
          continue;
        }
        std::string path = prefix + f->name;
        if (l->listed.insert(path).second) l->out->push_back(path);
        if (!f->selection_set.empty()) ListPaths(f->selection_set, path + "/", l);
      } else if (const InlineFragment* in = s.inline_fragment()) {
        if (!in->directives.empty() && Skipped(in->directives)) continue;
        ListPaths(in->selection_set, prefix, l);
      } else if (const FragmentSpread* fs = s.fragment_spread()) {
        if (!fs->directives.empty() && Skipped(fs->directives)) continue;
        const FragmentDefinition* frag = doc_.FindFragment(fs->name);
        bool active = false;
        for (const std::string* v : l->active) active = active || *v == fs->name;
        if (!frag || active || !l->expanded.insert(prefix + "\n" + fs->name).second) continue;
        l->active.push_back(&fs->name);
        ListPaths(frag->selection_set, prefix, l);
        l->active.pop_back();
      }
    }
  }

  struct PairHash {
    size_t operator()(const std::pair<const FieldGroup*, const NamedType*>& p) const {
      return std::hash<const void*>()(p.first) * 31 + std::hash<const void*>()(p.second);
    }
  };

  ExecuteRequest request_;
  const Schema& schema_;
  const Document& doc_;
  FieldResolver* resolver_;
  std::function<void(ExecutionResult)> done_;

  std::mutex mu_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool driving_ = false;                     // guarded by mu_
  std::atomic<std::thread::id> driver_{};

  // Driver-only state.
  const OperationDefinition* operation_ = nullptr;
  const NamedType* root_type_ = nullptr;
  json::Value variables_;
  std::deque<Pos> arena_;
  Pos* root_ = nullptr;
  FieldGroups root_fields_;
  std::vector<const std::string*> visited_scratch_;
  std::unordered_map<std::pair<const FieldGroup*, const NamedType*>, std::unique_ptr<FieldGroups>,
                     PairHash>
      subfields_;
  struct SelectionInfoCache {
    std::vector<std::string> list;
    std::string graphql;
  };
  std::unordered_map<const FieldGroup*, SelectionInfoCache> selection_info_;
  std::vector<Error> errors_;
  int pending_ = 0;
  bool serial_ = false;
  size_t next_root_ = 0;
  bool finished_ = false;
  ExecutionResult result_;
};

}  // namespace

void SortErrors(std::vector<Error>* errors) {
  auto path_less = [](const json::Value& a, const json::Value& b) {
    static const json::Array kEmpty;
    const json::Array& x = a.is_array() ? a.as_array() : kEmpty;
    const json::Array& y = b.is_array() ? b.as_array() : kEmpty;
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (x[i].is_int() && y[i].is_int()) {
        if (x[i].as_int() != y[i].as_int()) return x[i].as_int() < y[i].as_int();
      } else if (x[i].is_string() && y[i].is_string()) {
        if (x[i].as_string() != y[i].as_string()) return x[i].as_string() < y[i].as_string();
      } else {
        return x[i].is_int();
      }
    }
    return x.size() < y.size();
  };
  std::stable_sort(errors->begin(), errors->end(), [&](const Error& a, const Error& b) {
    for (size_t i = 0; i < a.locations.size() && i < b.locations.size(); ++i) {
      const Location& l = a.locations[i];
      const Location& r = b.locations[i];
      if (l.line != r.line) return l.line < r.line;
      if (l.column != r.column) return l.column < r.column;
    }
    if (a.locations.size() != b.locations.size()) return a.locations.size() < b.locations.size();
    if (path_less(a.path, b.path)) return true;
    if (path_less(b.path, a.path)) return false;
    return a.message < b.message;
  });
}

json::Value ExecutionResult::ToJson() const {
  json::Object o;
  if (!errors.empty()) o.emplace_back("errors", ErrorsToJson(errors));
  if (has_data) o.emplace_back("data", data);
  return json::Value::MakeObject(std::move(o));
}

void Execute(ExecuteRequest request, FieldResolver* resolver,
             std::function<void(ExecutionResult)> done) {
  auto execution = std::make_shared<Execution>(std::move(request), resolver, std::move(done));
  execution->Start();
}

ExecutionResult ExecuteSync(ExecuteRequest request, FieldResolver* resolver) {
  struct Wait {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    ExecutionResult result;
  };
  auto wait = std::make_shared<Wait>();
  Execute(std::move(request), resolver, [wait](ExecutionResult r) {
    std::lock_guard<std::mutex> lock(wait->mu);
    wait->result = std::move(r);
    wait->done = true;
    wait->cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(wait->mu);
  wait->cv.wait(lock, [&] { return wait->done; });
  return std::move(wait->result);
}

json::Value ExecuteText(const std::shared_ptr<const Schema>& schema, std::string_view query,
                        json::Value variables, std::string operation_name,
                        FieldResolver* resolver) {
  ParseResult parsed = ParseDocument(query);
  if (!parsed.ok()) {
    return json::Value::MakeObject({{"errors", ErrorsToJson(parsed.errors)}});
  }
  ExecuteRequest request;
  request.schema = schema;
  request.document = parsed.document;
  request.variables = std::move(variables);
  request.operation_name = std::move(operation_name);
  return ExecuteSync(std::move(request), resolver).ToJson();
}

}  // namespace stator::graphql
