#include "jsonata/jsonata.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "jsonata/builtins.h"
#include "jsonata/evaluator.h"
#include "jsonata/parser.h"

namespace stator::jsonata {

void BindingList::Add(std::string name, json::Value value) {
  for (auto& [k, v] : items_) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  items_.emplace_back(std::move(name), std::move(value));
}

const json::Value* BindingList::Find(std::string_view name) const {
  for (const auto& [k, v] : items_) {
    if (k == name) return &v;
  }
  return nullptr;
}

namespace {

using internal::Node;
using internal::NodeType;

// Collects the variables an expression reads without binding them, and the $states fields.
class VariableScan {
 public:
  void Scan(const Node* n, std::vector<std::unordered_set<std::string>>* scopes) {
    if (!n) return;
    auto bound = [&](const std::string& name) {
      for (const auto& s : *scopes) {
        if (s.count(name)) return true;
      }
      return false;
    };
    switch (n->type) {
      case NodeType::kVariable:
        if (!n->value.empty() && n->value != "$" && !bound(n->value) &&
            seen_.insert(n->value).second) {
          free_.push_back(n->value);
        }
        break;
      case NodeType::kBind:
        Scan(n->rhs.get(), scopes);
        scopes->back().insert(n->lhs->value);
        return;
      case NodeType::kLambda: {
        scopes->emplace_back(n->params.begin(), n->params.end());
        Scan(n->expr.get(), scopes);
        scopes->pop_back();
        return;
      }
      case NodeType::kBlock:
        scopes->emplace_back();
        for (const auto& i : n->items) Scan(i.get(), scopes);
        scopes->pop_back();
        return;
      case NodeType::kPath:
        if (!n->items.empty() && n->items[0]->type == NodeType::kVariable &&
            n->items[0]->value == "states" && !bound("states")) {
          if (n->items.size() > 1 && n->items[1]->type == NodeType::kName) {
            states_.push_back(n->items[1]->value);
          } else {
            states_.push_back("");
          }
        }
        break;
      default:
        break;
    }
    if (n->focus) scopes->back().insert(*n->focus);
    if (n->index) scopes->back().insert(*n->index);
    for (const Node* c :
         {n->lhs.get(), n->rhs.get(), n->expr.get(), n->then_branch.get(), n->else_branch.get(),
          n->update.get(), n->del.get(), n->procedure.get()}) {
      Scan(c, scopes);
    }
    for (const auto& i : n->items) Scan(i.get(), scopes);
    for (const auto& [k, v] : n->pairs) {
      Scan(k.get(), scopes);
      Scan(v.get(), scopes);
    }
    for (const auto& t : n->terms) Scan(t.expr.get(), scopes);
    for (const auto& st : n->predicate) Scan(st.expr.get(), scopes);
    for (const auto& st : n->stages) {
      if (st.is_index) scopes->back().insert(st.var);
      Scan(st.expr.get(), scopes);
    }
    if (n->group) {
      for (const auto& [k, v] : n->group->pairs) {
        Scan(k.get(), scopes);
        Scan(v.get(), scopes);
      }
    }
  }

  std::vector<std::string> free_;
  std::vector<std::string> states_;
  std::unordered_set<std::string> seen_;
};

// Whether `n`, evaluated with the expression's input as its context when `top`, reads that
// input implicitly (Expression::reads_context). Children evaluated against another context (a
// later path step, a predicate, a sort term, a group-by, a transform, a lambda body) are
// searched only for `$$`, which is the input wherever it appears.
bool ReadsContext(const Node* n, bool top) {
  if (!n) return false;
  switch (n->type) {
    case NodeType::kName:
    case NodeType::kWildcard:
    case NodeType::kDescendant:
      if (top) return true;
      break;
    case NodeType::kVariable:
      if (n->value == "$") return true;          // $$: the input itself
      if (n->value.empty() && top) return true;  // $: the context, here the input
      break;
    default:
      break;
  }
  // Which children share n's context: everything but the cases below.
  bool inner = top;
  if (n->type == NodeType::kLambda || n->type == NodeType::kTransform) inner = false;
  if (n->type == NodeType::kPath) {
    for (size_t i = 0; i < n->items.size(); ++i) {
      if (ReadsContext(n->items[i].get(), top && i == 0)) return true;
    }
  } else {
    for (const auto& i : n->items) {
      if (ReadsContext(i.get(), inner)) return true;
    }
  }
  for (const Node* c : {n->lhs.get(), n->rhs.get(), n->expr.get(), n->then_branch.get(),
                        n->else_branch.get(), n->procedure.get()}) {
    if (ReadsContext(c, inner)) return true;
  }
  for (const auto& [k, v] : n->pairs) {  // an object constructor's members share its context
    if (ReadsContext(k.get(), inner) || ReadsContext(v.get(), inner)) return true;
  }
  // The rest is evaluated against each item or the transformed value, never the input.
  for (const Node* c : {n->update.get(), n->del.get()}) {
    if (ReadsContext(c, false)) return true;
  }
  for (const auto& t : n->terms) {
    if (ReadsContext(t.expr.get(), false)) return true;
  }
  for (const auto& st : n->predicate) {
    if (ReadsContext(st.expr.get(), false)) return true;
  }
  for (const auto& st : n->stages) {
    if (ReadsContext(st.expr.get(), false)) return true;
  }
  if (n->group) {
    for (const auto& [k, v] : n->group->pairs) {
      if (ReadsContext(k.get(), false) || ReadsContext(v.get(), false)) return true;
    }
  }
  return false;
}

// The reference counts positions in UTF-16 code units; ours are byte offsets.
void ToUtf16Position(std::string_view text, Error* e) {
  if (e->position <= 0) return;
  size_t end = std::min(text.size(), static_cast<size_t>(e->position));
  int units = 0;
  for (size_t i = 0; i < end; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    units += c >= 0xF0 ? 2 : 1;
  }
  e->position = units + static_cast<int>(static_cast<size_t>(e->position) - end);
}

bool HasNonFinite(const json::Value& v) {
  switch (v.kind()) {
    case json::Kind::kDouble:
      return !std::isfinite(v.as_double());
    case json::Kind::kArray:
      for (const json::Value& e : v.as_array()) {
        if (HasNonFinite(e)) return true;
      }
      return false;
    case json::Kind::kObject:
      for (const auto& [k, m] : v.as_object()) {
        if (HasNonFinite(m)) return true;
      }
      return false;
    default:
      return false;
  }
}

}  // namespace

Result<Expression, Error> Expression::Compile(std::string_view text,
                                              std::span<const Extension> extensions,
                                              std::span<const std::string_view> removed) {
  auto ast = internal::Parse(text);
  if (!ast.ok()) {
    Error e = ast.error();
    internal::FinishError(&e);
    ToUtf16Position(text, &e);
    return e;
  }
  auto program = std::make_shared<internal::Program>();
  program->text = std::string(text);
  program->ast = std::move(*ast);
  program->extensions.assign(extensions.begin(), extensions.end());
  for (const Extension& ext : program->extensions) {
    auto sig = internal::ParseSignature(ext.signature);
    if (!sig.ok()) {
      Error e = sig.error();
      internal::FinishError(&e);
      return e;
    }
    program->extension_functions.emplace_back(ext.name,
                                              internal::MakeExtensionFunction(&ext, *sig));
  }
  for (std::string_view r : removed) program->removed.emplace_back(r);
  VariableScan scan;
  std::vector<std::unordered_set<std::string>> scopes(1);
  scan.Scan(program->ast.get(), &scopes);
  program->free_variables = std::move(scan.free_);
  program->states_fields = std::move(scan.states_);
  program->reads_context = ReadsContext(program->ast.get(), true);
  Expression out;
  out.program_ = std::move(program);
  return out;
}

Result<Arg, Error> Expression::Evaluate(const Arg& input, const Bindings* bindings,
                                        const Limits& limits) const {
  internal::Evaluator ev(*program_, bindings, limits);
  internal::TakeNonFiniteMade();
  auto r = ev.Run(input);
  if (!r.ok()) {
    Error e = r.error();
    internal::FinishError(&e);
    ToUtf16Position(program_->text, &e);
    return e;
  }
  Arg out = r->ToArg();
  // JSON has no Infinity or NaN: a result holding one is the reference's D1001.
  if (out && internal::TakeNonFiniteMade() && HasNonFinite(*out)) {
    Error e = internal::MakeError("D1001", -1, {{"value", "null"}});
    internal::FinishError(&e);
    return e;
  }
  return out;
}

const std::vector<std::string>& Expression::free_variables() const {
  return program_->free_variables;
}
const std::vector<std::string>& Expression::states_fields() const {
  return program_->states_fields;
}
bool Expression::reads_context() const { return program_->reads_context; }
const std::string& Expression::text() const { return program_->text; }

}  // namespace stator::jsonata
