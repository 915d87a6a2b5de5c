// Paths, steps, tuple streams, predicates, grouping, sorting and transforms: the parts of the
// evaluator that walk sequences (the reference's evaluatePath and its helpers).
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "jsonata/builtins.h"
#include "jsonata/evaluator.h"

namespace stator::jsonata::internal {

#define JTRY(decl, expr) STATOR_TRY(decl, expr)

namespace {

// A JavaScript array index ("0", "17"; not "01" or "-1"): JS objects list these keys first, in
// ascending order, before the others in insertion order.
bool IsArrayIndex(std::string_view k) {
  if (k.empty() || k.size() > 10) return false;
  if (k.size() > 1 && k[0] == '0') return false;
  for (char c : k) {
    if (c < '0' || c > '9') return false;
  }
  return std::stoull(std::string(k)) < 4294967295ull;
}

void OrderAsJavaScript(std::vector<std::pair<std::string, Value>>* members) {
  bool any = false;
  for (const auto& [k, v] : *members) any = any || IsArrayIndex(k);
  if (!any) return;
  std::stable_sort(members->begin(), members->end(), [](const auto& a, const auto& b) {
    bool ai = IsArrayIndex(a.first), bi = IsArrayIndex(b.first);
    if (ai != bi) return ai;
    if (!ai) return false;
    return std::stoull(a.first) < std::stoull(b.first);
  });
}

bool IsTupleStream(const Value& v) {
  return v.tag() == Value::Tag::kArray && v.seq()->tuple_stream;
}

Value TupleGet(const Value& t, std::string_view key) {
  if (t.tag() != Value::Tag::kObject) return Value();
  const Value* v = t.obj()->Find(key);
  return v ? *v : Value();
}

std::shared_ptr<ObjectValue> NewTuple() {
  auto o = std::make_shared<ObjectValue>();
  o->is_tuple = true;
  return o;
}

std::vector<Value> ItemsOrSingle(const Value& v) {
  if (v.is_array()) return Elements(v);
  return {v};
}

}  // namespace

std::shared_ptr<Frame> Evaluator::FrameFromTuple(const std::shared_ptr<Frame>& env,
                                                 const Value& tuple) {
  auto f = std::make_shared<Frame>(env);
  if (tuple.tag() == Value::Tag::kObject) {
    for (const auto& [k, v] : tuple.obj()->members) f->vars.emplace_back(k, v);
  }
  return f;
}

bool Evaluator::PlainStep(const Node* step) const {
  return (step->type == NodeType::kName || step->type == NodeType::kVariable) &&
         !step->has_stages && !step->has_predicate && !step->group && !step->focus &&
         !step->index && !step->tuple && !step->keep_array && !step->consarray && !step->ancestor;
}

EvalResult Evaluator::EvalPath(const Node* n, const Value& input,
                               const std::shared_ptr<Frame>& env) {
  const auto& steps = n->items;
  size_t first = 0;
  Value input_seq;
  Value result_seq;
  // Fast path: while the context is one object and the steps are plain names (or a leading
  // variable), walk the JSON directly; the general machinery takes over where that stops.
  if (!n->tuple && !n->keep_singleton_array && !n->group && PlainStep(steps[0].get()) &&
      (steps[0]->type == NodeType::kVariable || !input.is_array())) {
    Value cur;
    if (steps[0]->type == NodeType::kVariable) {
      JTRY(cur, Eval(steps[0].get(), input, env));
    } else {
      cur = input.field(steps[0]->value);
    }
    size_t i = 1;
    while (i < steps.size() && cur.is_object() && PlainStep(steps[i].get()) &&
           steps[i]->type == NodeType::kName) {
      cur = cur.field(steps[i]->value);
      ++i;
    }
    if (i == steps.size() || cur.undefined()) {
      if (cur.is_array() && !cur.is_sequence()) return cur;
      if (cur.undefined() || !cur.is_array()) return cur;
    }
    // Hand over: the state after step i-1 as the general loop would hold it.
    if (cur.undefined()) return Value();
    if (cur.is_array() && !cur.is_sequence() && i == steps.size()) return cur;
    if (cur.is_json() && cur.json().is_array() && !cur.json().as_array().empty() &&
        !steps[i]->tuple && steps[i]->type != NodeType::kSort) {
      // An input array feeds the next step as it is (i < steps.size() here): EvalStep reads
      // its items in place, as it would read the sequence of them the branch below builds.
      input_seq = cur;
    } else {
      auto seq = NewSequence(true);
      if (cur.is_array() && !(cur.tag() == Value::Tag::kArray && cur.seq()->cons)) {
        size_t m = cur.size();
        seq->items.reserve(m);
        for (size_t j = 0; j < m; ++j) seq->items.push_back(cur.at(j));
      } else {
        seq->items.push_back(cur);
      }
      if (i == steps.size()) return Value(std::move(seq));
      if (seq->items.empty()) return Value(std::move(seq));
      result_seq = Value(std::move(seq));
      input_seq = result_seq;
    }
    first = i;
  } else if (input.is_array() && steps[0]->type != NodeType::kVariable) {
    input_seq = input;
  } else {
    input_seq = SequenceOf({input});
  }
  bool is_tuple = false;
  Value tuples;
  bool have_tuples = false;
  for (size_t i = first; i < steps.size(); ++i) {
    const Node* step = steps[i].get();
    if (step->tuple) is_tuple = true;
    if (i == 0 && step->consarray) {
      JTRY(result_seq, Eval(step, input_seq, env));
    } else if (is_tuple) {
      JTRY(tuples, EvalTupleStep(step, input_seq, have_tuples ? &tuples : nullptr, env));
      have_tuples = true;
    } else {
      JTRY(result_seq, EvalStep(step, input_seq, env, i == steps.size() - 1));
    }
    if (!is_tuple &&
        (result_seq.undefined() || (result_seq.is_array() && result_seq.size() == 0))) {
      break;
    }
    if (!step->focus) input_seq = result_seq;
  }
  if (is_tuple) {
    if (n->tuple) {
      result_seq = tuples;
    } else {
      auto s = NewSequence(true);
      size_t cnt = tuples.size();
      for (size_t i = 0; i < cnt; ++i) s->items.push_back(TupleGet(tuples.at(i), "@"));
      result_seq = Value(std::move(s));
    }
  }
  if (n->keep_singleton_array) {
    if (result_seq.tag() == Value::Tag::kArray && result_seq.seq()->cons &&
        !result_seq.seq()->sequence) {
      result_seq = SequenceOf({result_seq});
    }
    if (result_seq.tag() == Value::Tag::kArray) {
      result_seq.seq()->keep_singleton = true;
    } else if (result_seq.is_json() && result_seq.json().is_array()) {
      auto s = NewSequence(true);
      s->items = Elements(result_seq);
      s->keep_singleton = true;
      result_seq = Value(std::move(s));
    }
  }
  if (n->group) {
    return EvalGroup(*n->group, is_tuple ? tuples : result_seq, env);
  }
  return result_seq;
}

EvalResult Evaluator::EvalStep(const Node* step, const Value& input_seq,
                               const std::shared_ptr<Frame>& env, bool last) {
  if (step->type == NodeType::kSort) {
    JTRY(Value r, EvalSort(step, input_seq, env));
    if (step->has_stages) return EvalStages(step->stages, r, env);
    return r;
  }
  size_t cnt = input_seq.size();
  auto out = NewSequence(true);
  out->items.reserve(cnt);
  size_t defined = 0;
  Value first;
  const bool direct = input_seq.tag() == Value::Tag::kArray && !input_seq.seq()->is_range;
  const json::Array* json_items =
      input_seq.is_json() && input_seq.json().is_array() ? &input_seq.json().as_array() : nullptr;
  // A plain name over an object is its member: what Eval gives, without its bookkeeping (taken
  // only when entering the step could not exceed a depth limit, so U1001 stays where it was).
  const bool plain_name = step->type == NodeType::kName && PlainStep(step) &&
                          (limits_.max_depth <= 0 || depth_ < limits_.max_depth);
  for (size_t i = 0; i < cnt; ++i) {
    Value res;
    if (direct && plain_name && input_seq.seq()->items[i].is_object()) {
      res = input_seq.seq()->items[i].field(step->value);
    } else if (json_items && plain_name && (*json_items)[i].is_object()) {
      const json::Value* member = (*json_items)[i].Find(step->value);
      if (member) res = Value(*member);
    } else {
      JTRY(res,
           direct ? Eval(step, input_seq.seq()->items[i], env) : Eval(step, input_seq.at(i), env));
    }
    if (step->has_stages) {
      for (const Stage& st : step->stages) {
        if (st.is_index) continue;
        JTRY(res, EvalFilter(st.expr.get(), res, env));
      }
    }
    if (res.undefined()) continue;
    if (++defined == 1) first = res;
    if (!res.is_array() || (res.tag() == Value::Tag::kArray && res.seq()->cons)) {
      out->items.push_back(std::move(res));
    } else {
      size_t m = res.size();
      for (size_t j = 0; j < m; ++j) out->items.push_back(res.at(j));
    }
  }
  if (last && defined == 1 && first.is_array() && !first.is_sequence()) return first;
  return Value(std::move(out));
}

EvalResult Evaluator::EvalStages(const std::vector<Stage>& stages, Value input,
                                 const std::shared_ptr<Frame>& env) {
  Value result = std::move(input);
  for (const Stage& st : stages) {
    if (!st.is_index) {
      JTRY(result, EvalFilter(st.expr.get(), result, env));
    } else {
      size_t cnt = result.size();
      for (size_t i = 0; i < cnt; ++i) {
        Value t = result.at(i);
        if (t.tag() == Value::Tag::kObject)
          t.obj()->Set(st.var, NumberValue(static_cast<double>(i)));
      }
    }
  }
  return result;
}

EvalResult Evaluator::EvalTupleStep(const Node* step, const Value& input_seq, const Value* tuples,
                                    const std::shared_ptr<Frame>& env) {
  if (step->type == NodeType::kSort) {
    Value result;
    if (tuples) {
      JTRY(result, EvalSort(step, *tuples, env));
    } else {
      JTRY(Value sorted, EvalSort(step, input_seq, env));
      auto s = NewSequence(true);
      s->tuple_stream = true;
      size_t cnt = sorted.size();
      for (size_t i = 0; i < cnt; ++i) {
        auto t = NewTuple();
        t->Set("@", sorted.at(i));
        if (step->index) t->Set(*step->index, NumberValue(static_cast<double>(i)));
        s->items.push_back(Value(std::move(t)));
      }
      result = Value(std::move(s));
    }
    if (step->has_stages) return EvalStages(step->stages, result, env);
    return result;
  }
  auto out = NewSequence(true);
  out->tuple_stream = true;
  std::vector<Value> bindings;
  if (!tuples) {
    size_t cnt = input_seq.size();
    for (size_t i = 0; i < cnt; ++i) {
      auto t = NewTuple();
      t->Set("@", input_seq.at(i));
      bindings.push_back(Value(std::move(t)));
    }
  } else {
    bindings = Elements(*tuples);
  }
  for (const Value& tb : bindings) {
    auto step_env = FrameFromTuple(env, tb);
    JTRY(Value res, Eval(step, TupleGet(tb, "@"), step_env));
    if (res.undefined()) continue;
    bool res_tuples = IsTupleStream(res);
    std::vector<Value> items = ItemsOrSingle(res);
    for (size_t bb = 0; bb < items.size(); ++bb) {
      auto t = NewTuple();
      if (tb.tag() == Value::Tag::kObject) t->members = tb.obj()->members;
      if (res_tuples) {
        if (items[bb].tag() == Value::Tag::kObject) {
          for (const auto& [k, v] : items[bb].obj()->members) t->Set(k, v);
        }
      } else {
        if (step->focus) {
          t->Set(*step->focus, items[bb]);
          t->Set("@", TupleGet(tb, "@"));
        } else {
          t->Set("@", items[bb]);
        }
        if (step->index) t->Set(*step->index, NumberValue(static_cast<double>(bb)));
        if (step->ancestor) t->Set(step->ancestor->label, TupleGet(tb, "@"));
      }
      out->items.push_back(Value(std::move(t)));
    }
  }
  Value result(std::move(out));
  if (step->has_stages) return EvalStages(step->stages, result, env);
  return result;
}

EvalResult Evaluator::EvalFilter(const Node* pred, const Value& input,
                                 const std::shared_ptr<Frame>& env) {
  auto out = NewSequence(true);
  bool tuple_stream = IsTupleStream(input);
  if (tuple_stream) out->tuple_stream = true;
  std::vector<Value> items = ItemsOrSingle(input);
  long long len = static_cast<long long>(items.size());
  if (pred->type == NodeType::kNumber) {
    double d = std::floor(pred->literal.as_double());
    long long index = static_cast<long long>(d);
    if (index < 0) index += len;
    if (index >= 0 && index < len && !items[index].undefined()) {
      const Value& item = items[index];
      if (item.is_array()) return item;
      out->items.push_back(item);
    }
    return Value(std::move(out));
  }
  for (long long index = 0; index < len; ++index) {
    const Value& item = items[index];
    if (item.undefined()) continue;
    Value context = item;
    std::shared_ptr<Frame> fenv = env;
    if (tuple_stream) {
      context = TupleGet(item, "@");
      fenv = FrameFromTuple(env, item);
    }
    JTRY(Value res, Eval(pred, context, fenv));
    // The reference's isNumeric: Infinity throws D1001; NaN is not a number, so a NaN (or an
    // array holding one) is cast to a boolean instead of selecting by index.
    if (res.is_number()) {
      if (std::isinf(res.number())) return MakeError("D1001", pred->position, {{"value", "null"}});
      res = SequenceOf({res}, false);
    }
    bool all_numbers = res.is_array();
    if (all_numbers) {
      size_t m = res.size();
      for (size_t j = 0; j < m && all_numbers; ++j) {
        Value item = res.at(j);
        if (item.is_number() && std::isinf(item.number())) {
          return MakeError("D1001", pred->position, {{"value", "null"}});
        }
        all_numbers = IsNumeric(item);
      }
    }
    if (all_numbers) {
      size_t m = res.size();
      for (size_t j = 0; j < m; ++j) {
        long long ii = static_cast<long long>(std::floor(res.at(j).number()));
        if (ii < 0) ii += len;
        if (ii == index) out->items.push_back(item);
      }
    } else if (IsTruthy(res)) {
      out->items.push_back(item);
    }
  }
  return Value(std::move(out));
}

EvalResult Evaluator::EvalGroupPairs(
    const std::vector<std::pair<std::unique_ptr<Node>, std::unique_ptr<Node>>>& pairs, int position,
    const Value& input, const std::shared_ptr<Frame>& env) {
  bool reduce = IsTupleStream(input);
  if (!reduce && !input.is_array()) {
    // One context item (the common object template): each pair evaluated once, in order.
    json::Object obj;
    obj.reserve(pairs.size());
    std::vector<std::pair<std::string, Value>> members;
    bool all_json = true;
    std::vector<std::pair<std::string_view, size_t>> seen;
    std::vector<Value> keys;
    keys.reserve(pairs.size());
    for (size_t pi = 0; pi < pairs.size(); ++pi) {
      JTRY(Value key, Eval(pairs[pi].first.get(), input, env));
      keys.push_back(key);
      if (key.undefined()) continue;
      if (!key.is_string()) return MakeError("T1003", position, {{"value", ErrorInsert(key)}});
      for (const auto& [k, idx] : seen) {
        if (k == key.str()) {
          if (idx != pi) return MakeError("D1009", position, {{"value", ErrorInsert(key)}});
        }
      }
      seen.emplace_back(keys.back().str(), pi);
    }
    for (size_t pi = 0; pi < pairs.size(); ++pi) {
      if (keys[pi].undefined()) continue;
      JTRY(Value v, Eval(pairs[pi].second.get(), input, env));
      if (v.undefined()) continue;
      if (!v.is_json()) all_json = false;
      members.emplace_back(keys[pi].str(), std::move(v));
    }
    OrderAsJavaScript(&members);
    if (all_json) {
      for (auto& [k, v] : members) obj.emplace_back(std::move(k), v.json());
      return Value(json::Value::MakeObject(std::move(obj)));
    }
    auto o = std::make_shared<ObjectValue>();
    o->members = std::move(members);
    return Value(std::move(o));
  }
  std::vector<Value> items = ItemsOrSingle(input);
  if (items.empty()) items.emplace_back();
  struct Entry {
    Value data;
    size_t expr_index;
  };
  std::vector<std::pair<std::string, Entry>> groups;
  std::unordered_map<std::string, size_t> where;
  for (const Value& item : items) {
    std::shared_ptr<Frame> genv = reduce ? FrameFromTuple(env, item) : env;
    for (size_t pi = 0; pi < pairs.size(); ++pi) {
      JTRY(Value key, Eval(pairs[pi].first.get(), reduce ? TupleGet(item, "@") : item, genv));
      if (key.undefined()) continue;
      if (!key.is_string()) {
        return MakeError("T1003", position, {{"value", ErrorInsert(key)}});
      }
      auto it = where.find(key.str());
      if (it != where.end()) {
        Entry& e = groups[it->second].second;
        if (e.expr_index != pi) {
          return MakeError("D1009", position, {{"value", ErrorInsert(key)}});
        }
        e.data = Append(e.data, item);
      } else {
        where.emplace(key.str(), groups.size());
        groups.push_back({key.str(), Entry{item, pi}});
      }
    }
  }
  std::vector<std::pair<std::string, Value>> members;
  bool all_json = true;
  for (auto& [key, entry] : groups) {
    Value context = entry.data;
    std::shared_ptr<Frame> genv = env;
    if (reduce) {
      // Merge the group's tuples: each binding becomes the sequence of its values.
      auto merged = NewTuple();
      std::vector<Value> ts = ItemsOrSingle(entry.data);
      if (entry.data.tag() == Value::Tag::kObject) ts = {entry.data};
      for (size_t i = 0; i < ts.size(); ++i) {
        if (ts[i].tag() != Value::Tag::kObject) continue;
        for (const auto& [k, v] : ts[i].obj()->members) {
          if (i == 0) {
            merged->Set(k, v);
          } else {
            const Value* old = merged->Find(k);
            merged->Set(k, Append(old ? *old : Value(), v));
          }
        }
      }
      const Value* at = merged->Find("@");
      context = at ? *at : Value();
      std::erase_if(merged->members, [](const auto& m) { return m.first == "@"; });
      genv = FrameFromTuple(env, Value(std::move(merged)));
    }
    JTRY(Value v, Eval(pairs[entry.expr_index].second.get(), context, genv));
    if (v.undefined()) continue;
    if (!v.is_json()) all_json = false;
    members.emplace_back(key, std::move(v));
  }
  OrderAsJavaScript(&members);
  if (all_json) {
    json::Object obj;
    obj.reserve(members.size());
    for (auto& [k, v] : members) obj.emplace_back(k, v.json());
    return Value(json::Value::MakeObject(std::move(obj)));
  }
  auto o = std::make_shared<ObjectValue>();
  o->members = std::move(members);
  return Value(std::move(o));
}

Result<bool, jsonata::Error> Evaluator::SortGreater(const Node* n, const Value& a, const Value& b,
                                                    bool tuples,
                                                    const std::shared_ptr<Frame>& env) {
  int comp = 0;
  for (size_t i = 0; comp == 0 && i < n->terms.size(); ++i) {
    const SortTerm& term = n->terms[i];
    Value ca = tuples ? TupleGet(a, "@") : a;
    JTRY(Value aa, Eval(term.expr.get(), ca, tuples ? FrameFromTuple(env, a) : env));
    Value cb = tuples ? TupleGet(b, "@") : b;
    JTRY(Value bb, Eval(term.expr.get(), cb, tuples ? FrameFromTuple(env, b) : env));
    if (aa.undefined()) {
      comp = bb.undefined() ? 0 : 1;
      continue;
    }
    if (bb.undefined()) {
      comp = -1;
      continue;
    }
    bool ao = aa.is_string() || aa.is_number();
    bool bo = bb.is_string() || bb.is_number();
    if (!ao || !bo) {
      return MakeError("T2008", n->position, {{"value", ErrorInsert(!ao ? aa : bb)}});
    }
    if (aa.is_string() != bb.is_string()) {
      return MakeError("T2007", n->position,
                       {{"value", ErrorInsert(aa)}, {"value2", ErrorInsert(bb)}});
    }
    if (aa.is_string()) {
      int c = aa.str().compare(bb.str());
      if (c == 0) continue;
      comp = c < 0 ? -1 : 1;
    } else {
      double x = aa.number(), y = bb.number();
      if (x == y) continue;
      comp = x < y ? -1 : 1;
    }
    if (term.descending) comp = -comp;
  }
  return comp == 1;
}

EvalResult Evaluator::EvalSort(const Node* n, const Value& input,
                               const std::shared_ptr<Frame>& env) {
  if (input.undefined()) return Value();
  if (input.size() <= 1) return input;
  bool tuples = IsTupleStream(input);
  std::vector<Value> items = Elements(input);
  // Stable merge sort, swapping only where the comparator says "greater" (as the reference).
  std::vector<Value> tmp(items.size());
  std::optional<jsonata::Error> err;
  auto merge_sort = [&](auto& self, size_t lo, size_t hi) -> void {
    if (hi - lo <= 1 || err) return;
    size_t mid = lo + (hi - lo) / 2;
    self(self, lo, mid);
    self(self, mid, hi);
    if (err) return;
    size_t i = lo, j = mid, k = lo;
    while (i < mid && j < hi) {
      auto g = SortGreater(n, items[i], items[j], tuples, env);
      if (!g.ok()) {
        err = g.error();
        return;
      }
      if (*g) {
        tmp[k++] = items[j++];
      } else {
        tmp[k++] = items[i++];
      }
    }
    while (i < mid) tmp[k++] = items[i++];
    while (j < hi) tmp[k++] = items[j++];
    for (size_t x = lo; x < hi; ++x) items[x] = tmp[x];
  };
  // The reference splits at floor(n/2) with the left half first; so do we.
  merge_sort(merge_sort, 0, items.size());
  if (err) return *err;
  auto s = NewSequence(false);
  s->items = std::move(items);
  s->tuple_stream = tuples;
  return Value(std::move(s));
}

namespace {

struct Edit {
  json::Value update;  // object or null (none)
  std::vector<std::string> deletions;
};

json::Value Rebuild(const json::Value& v,
                    const std::unordered_map<const void*, std::vector<Edit>>& edits) {
  if (v.is_array()) {
    json::Array items;
    items.reserve(v.as_array().size());
    for (const json::Value& e : v.as_array()) items.push_back(Rebuild(e, edits));
    return json::Value::MakeArray(std::move(items));
  }
  if (!v.is_object()) return v;
  json::Object members;
  members.reserve(v.as_object().size());
  for (const auto& [k, m] : v.as_object()) members.emplace_back(k, Rebuild(m, edits));
  auto it = edits.find(&v.as_object());
  if (it != edits.end()) {
    for (const Edit& e : it->second) {
      if (e.update.is_object()) {
        for (const auto& [k, m] : e.update.as_object()) {
          bool found = false;
          for (auto& [mk, mv] : members) {
            if (mk == k) {
              mv = m;
              found = true;
            }
          }
          if (!found) members.emplace_back(k, m);
        }
      }
      for (const std::string& d : e.deletions) {
        std::erase_if(members, [&](const json::Member& m) { return m.first == d; });
      }
    }
  }
  return json::Value::MakeObject(std::move(members));
}

}  // namespace

EvalResult Evaluator::ApplyTransform(const Function& f, const Value& obj) {
  if (obj.undefined()) return Value();
  const Node* n = f.node;
  Value clone = Lookup(f.env, "clone");
  if (!clone.is_function()) return MakeError("T2013", n->position);
  // Values are immutable: the "clone" is the input itself, and the matched objects are found
  // by identity and rebuilt with their edits.
  Value base = obj.is_json() ? obj : Value(obj.ToJson());
  JTRY(Value matches, Eval(n->expr.get(), base, f.env));
  std::unordered_map<const void*, std::vector<Edit>> edits;
  if (!matches.undefined()) {
    for (const Value& match : ItemsOrSingle(matches)) {
      JTRY(Value update, Eval(n->update.get(), match, f.env));
      Edit e;
      if (!update.undefined()) {
        if (!update.is_object()) {
          return MakeError("T2011", n->update->position, {{"value", ErrorInsert(update)}});
        }
        e.update = update.ToJson();
      }
      if (n->del) {
        JTRY(Value dels, Eval(n->del.get(), match, f.env));
        if (!dels.undefined()) {
          std::vector<Value> ds = ItemsOrSingle(dels);
          for (const Value& d : ds) {
            if (!d.is_string()) {
              return MakeError("T2012", n->del->position, {{"value", ErrorInsert(dels)}});
            }
            e.deletions.push_back(d.str());
          }
        }
      }
      if (match.is_json() && match.json().is_object()) {
        edits[&match.json().as_object()].push_back(std::move(e));
      }
    }
  }
  if (edits.empty()) return base;
  return Value(Rebuild(base.json(), edits));
}

}  // namespace stator::jsonata::internal
