#include "asl/choice_rule.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string_view>
#include <vector>

#include "asl/path.h"
#include "asl/utf8.h"
#include "asl/validator.h"
#include "common/time_format.h"

namespace stator::asl {
namespace {

namespace v = validation;

enum class Op : uint8_t {
  kAnd,
  kOr,
  kNot,
  // Type tests: match when the variable is of the type, compared with the boolean operand.
  kIsPresent,
  kIsNull,
  kIsNumeric,
  kIsString,
  kIsBoolean,
  kIsTimestamp,
  // Comparisons against a literal or (path operand) another value in the input.
  kStringMatches,
  kString,
  kNumeric,
  kBoolean,
  kTimestamp,
};

enum class Cmp : uint8_t { kEq, kLt, kGt, kLe, kGe };

struct Operator {
  const char* name;  // without "Path"
  Op op;
  Cmp cmp;
};

constexpr Operator kComparisons[] = {
    {"StringEquals", Op::kString, Cmp::kEq},
    {"StringLessThan", Op::kString, Cmp::kLt},
    {"StringGreaterThan", Op::kString, Cmp::kGt},
    {"StringLessThanEquals", Op::kString, Cmp::kLe},
    {"StringGreaterThanEquals", Op::kString, Cmp::kGe},
    {"StringMatches", Op::kStringMatches, Cmp::kEq},
    {"NumericEquals", Op::kNumeric, Cmp::kEq},
    {"NumericLessThan", Op::kNumeric, Cmp::kLt},
    {"NumericGreaterThan", Op::kNumeric, Cmp::kGt},
    {"NumericLessThanEquals", Op::kNumeric, Cmp::kLe},
    {"NumericGreaterThanEquals", Op::kNumeric, Cmp::kGe},
    {"BooleanEquals", Op::kBoolean, Cmp::kEq},
    {"TimestampEquals", Op::kTimestamp, Cmp::kEq},
    {"TimestampLessThan", Op::kTimestamp, Cmp::kLt},
    {"TimestampGreaterThan", Op::kTimestamp, Cmp::kGt},
    {"TimestampLessThanEquals", Op::kTimestamp, Cmp::kLe},
    {"TimestampGreaterThanEquals", Op::kTimestamp, Cmp::kGe},
    {"IsPresent", Op::kIsPresent, Cmp::kEq},
    {"IsNull", Op::kIsNull, Cmp::kEq},
    {"IsNumeric", Op::kIsNumeric, Cmp::kEq},
    {"IsString", Op::kIsString, Cmp::kEq},
    {"IsBoolean", Op::kIsBoolean, Cmp::kEq},
    {"IsTimestamp", Op::kIsTimestamp, Cmp::kEq},
};

bool IsTypeTest(Op op) { return op >= Op::kIsPresent && op <= Op::kIsTimestamp; }

// One piece of a StringMatches pattern: a literal run, or a '*' wildcard.
struct PatternPart {
  bool star = false;
  std::string literal;
};

struct Node {
  Op op = Op::kAnd;
  Cmp cmp = Cmp::kEq;
  std::vector<Node> children;  // And / Or (any number), Not (one)
  JsonPath variable;
  // Operand: a literal or a path.
  bool operand_is_path = false;
  JsonPath operand_path;
  json::Value literal;
  int64_t literal_millis = 0;  // Timestamp literals, parsed once
  bool flag = false;           // Is* operand and BooleanEquals literal
  std::vector<PatternPart> pattern;
};

// Matches text against a StringMatches pattern: '*' matches any run of characters.
// Greedy two-pointer scan with backtracking to the last star: O(n*m) worst case, linear usually.
bool MatchPattern(const std::vector<PatternPart>& parts, std::string_view text) {
  size_t pi = 0, ti = 0;
  size_t star_pi = SIZE_MAX, star_ti = 0;
  while (true) {
    if (pi < parts.size() && parts[pi].star) {
      star_pi = pi++;
      star_ti = ti;
      continue;
    }
    if (pi == parts.size()) {
      if (ti == text.size()) return true;
    } else {
      const std::string& lit = parts[pi].literal;
      if (ti + lit.size() <= text.size() && text.compare(ti, lit.size(), lit) == 0) {
        ti += lit.size();
        ++pi;
        continue;
      }
    }
    if (star_pi == SIZE_MAX || star_ti >= text.size()) return false;
    // Let the last star absorb one more character and retry the part after it.
    pi = star_pi + 1;
    ti = ++star_ti;
  }
}

std::vector<PatternPart> CompilePattern(std::string_view p) {
  std::vector<PatternPart> parts;
  std::string lit;
  auto flush = [&] {
    if (!lit.empty()) parts.push_back({false, std::move(lit)});
    lit.clear();
  };
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      lit += p[++i];  // \* is a literal star, \\ a literal backslash
    } else if (c == '*') {
      flush();
      if (parts.empty() || !parts.back().star) parts.push_back({true, {}});
    } else {
      lit += c;
    }
  }
  flush();
  return parts;
}

// The code point of the UTF-8 sequence starting at s[i].
uint32_t CodePointAt(std::string_view s, size_t i) { return NextCodePoint(s, &i); }

// Compares strings the way Java's String.compareTo does (by UTF-16 code unit). For UTF-8 text
// this equals byte order except between supplementary characters and U+E000..U+FFFF.
int CompareStrings(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  if (i == n) return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
  // Back up to the start of the differing characters.
  size_t j = i;
  while (j > 0 && (static_cast<unsigned char>(a[j]) & 0xC0) == 0x80) --j;
  uint32_t ca = CodePointAt(a, j), cb = CodePointAt(b, j);
  auto utf16_lead = [](uint32_t cp) {
    return cp >= 0x10000 ? 0xD800 + ((cp - 0x10000) >> 10) : cp;
  };
  uint32_t ua = utf16_lead(ca), ub = utf16_lead(cb);
  if (ua != ub) return ua < ub ? -1 : 1;
  return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]) ? -1 : 1;
}

// Compares an int64 with a double by exact value.
int CompareIntDouble(int64_t i, double d) {
  if (d >= 9223372036854775808.0) return -1;
  if (d < -9223372036854775808.0) return 1;
  double t = std::trunc(d);
  int64_t ti = static_cast<int64_t>(t);
  if (i != ti) return i < ti ? -1 : 1;
  double frac = d - t;
  return frac > 0 ? -1 : frac < 0 ? 1 : 0;
}

int CompareNumbers(const json::Value& a, const json::Value& b) {
  if (a.is_int() && b.is_int()) {
    return a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int() ? 1 : 0;
  }
  if (a.is_int()) return CompareIntDouble(a.as_int(), b.as_double());
  if (b.is_int()) return -CompareIntDouble(b.as_int(), a.as_double());
  double x = a.as_double(), y = b.as_double();
  return x < y ? -1 : x > y ? 1 : 0;
}

bool Holds(Cmp cmp, int c) {
  switch (cmp) {
    case Cmp::kEq:
      return c == 0;
    case Cmp::kLt:
      return c < 0;
    case Cmp::kGt:
      return c > 0;
    case Cmp::kLe:
      return c <= 0;
    case Cmp::kGe:
      return c >= 0;
  }
  return false;
}

Error InvalidPath(const JsonPath& path) {
  return Error{"States.Runtime", "Invalid path '" + path.text() +
                                     "': The choice state's condition path references an "
                                     "invalid value."};
}

std::optional<json::Value> Resolve(const JsonPath& path, const json::Value& input,
                                   const Context& context) {
  return path.Evaluate(input, context);
}

Result<bool> EvaluateNode(const Node& n, const json::Value& input, const Context& context) {
  switch (n.op) {
    case Op::kAnd:
      for (const Node& c : n.children) {
        STATOR_TRY(bool m, EvaluateNode(c, input, context));
        if (!m) return false;
      }
      return true;
    case Op::kOr:
      for (const Node& c : n.children) {
        STATOR_TRY(bool m, EvaluateNode(c, input, context));
        if (m) return true;
      }
      return false;
    case Op::kNot: {
      STATOR_TRY(bool m, EvaluateNode(n.children[0], input, context));
      return !m;
    }
    default:
      break;
  }
  std::optional<json::Value> var = Resolve(n.variable, input, context);
  if (n.op == Op::kIsPresent) return var.has_value() == n.flag;
  if (!var) return InvalidPath(n.variable);
  const json::Value& x = *var;
  switch (n.op) {
    case Op::kIsNull:
      return x.is_null() == n.flag;
    case Op::kIsNumeric:
      return x.is_number() == n.flag;
    case Op::kIsString:
      return x.is_string() == n.flag;
    case Op::kIsBoolean:
      return x.is_bool() == n.flag;
    case Op::kIsTimestamp:
      return (x.is_string() && ParseTimestamp(x.as_string()).has_value()) == n.flag;
    default:
      break;
  }
  const json::Value* y = &n.literal;
  std::optional<json::Value> operand;
  if (n.operand_is_path) {
    operand = Resolve(n.operand_path, input, context);
    if (!operand) return InvalidPath(n.operand_path);
    y = &*operand;
  }
  switch (n.op) {
    case Op::kStringMatches:
      return x.is_string() && MatchPattern(n.pattern, x.as_string());
    case Op::kString:
      return x.is_string() && y->is_string() &&
             Holds(n.cmp, CompareStrings(x.as_string(), y->as_string()));
    case Op::kNumeric:
      return x.is_number() && y->is_number() && Holds(n.cmp, CompareNumbers(x, *y));
    case Op::kBoolean:
      return x.is_bool() && y->is_bool() && x.as_bool() == y->as_bool();
    case Op::kTimestamp: {
      if (!x.is_string()) return false;
      std::optional<int64_t> a = ParseTimestamp(x.as_string());
      if (!a) return false;
      int64_t b = n.literal_millis;
      if (n.operand_is_path) {
        if (!y->is_string()) return false;
        std::optional<int64_t> parsed = ParseTimestamp(y->as_string());
        if (!parsed) return false;
        b = *parsed;
      }
      return Holds(n.cmp, *a < b ? -1 : *a > b ? 1 : 0);
    }
    default:
      return false;
  }
}

// What CompileNode fills in besides the condition.
struct RuleParts {
  std::string next;                     // top-level rules: "Next"
  const json::Value* assign = nullptr;  // top-level rules: "Assign", compiled by the caller
};

// Compiles one rule object into n. Returns false when a diagnostic was added.
bool CompileNode(const json::Value& rule, bool top_level, const std::string& loc,
                 Diagnostics* diags, VariableTable* vars, Node* n, RuleParts* parts, int depth);

// Variable and the ...Path operands: reference paths on the input, the context object or a
// workflow variable.
bool CompilePathField(const json::Value& value, std::string_view field, const std::string& loc,
                      Diagnostics* diags, VariableTable* vars, JsonPath* out) {
  std::string at = v::At(loc, field);
  if (!value.is_string()) {
    v::Schema(diags, v::MustBeType(field, "STRING"), at);
    return false;
  }
  const std::string& text = value.as_string();
  if (text.empty() || text[0] != '$') {
    v::Schema(diags, "Value is not a Reference Path: Reference path didn't start with '$'", at);
    return false;
  }
  Result<JsonPath> p = JsonPath::Compile(text, vars);
  if (!p.ok()) {
    v::Schema(diags, "Value is not a Reference Path: " + p.error().cause, at);
    return false;
  }
  if (!p->is_reference() && !p->is_variable_reference()) {
    v::Schema(diags, "Value is not a Reference Path", at);
    return false;
  }
  *out = std::move(*p);
  return true;
}

bool CompileComparison(const json::Value& rule, const std::string& loc, Diagnostics* diags,
                       VariableTable* vars, Node* n) {
  // Find the operator(s).
  const Operator* found = nullptr;
  bool found_path = false;
  const json::Value* operand = nullptr;
  std::string found_name;
  int count = 0;
  for (const json::Member& m : rule.as_object()) {
    std::string_view key = m.first;
    bool is_path = false;
    if (key.size() > 4 && key.ends_with("Path")) {
      key.remove_suffix(4);
      is_path = true;
    }
    for (const Operator& o : kComparisons) {
      if (key == o.name && !(is_path && (IsTypeTest(o.op) || o.op == Op::kStringMatches))) {
        ++count;
        found = &o;
        found_path = is_path;
        operand = &m.second;
        found_name = m.first;
      }
    }
  }
  if (count != 1) {
    v::Schema(diags,
              count == 0 ? "A choice rule with a Variable must have one comparison operator"
                         : "There should only be one comparison operator in a choice rule",
              loc);
    return false;
  }
  n->op = found->op;
  n->cmp = found->cmp;
  std::string at = v::At(loc, found_name);
  if (found_path) {
    n->operand_is_path = true;
    return CompilePathField(*operand, found_name, loc, diags, vars, &n->operand_path);
  }
  auto wrong = [&](const char* type) {
    v::Schema(diags, v::MustBeType(found_name, type), at);
    return false;
  };
  switch (n->op) {
    case Op::kIsPresent:
    case Op::kIsNull:
    case Op::kIsNumeric:
    case Op::kIsString:
    case Op::kIsBoolean:
    case Op::kIsTimestamp:
    case Op::kBoolean:
      if (!operand->is_bool()) return wrong("BOOLEAN");
      n->flag = operand->as_bool();
      n->literal = *operand;
      return true;
    case Op::kString:
      if (!operand->is_string()) return wrong("STRING");
      n->literal = *operand;
      return true;
    case Op::kStringMatches:
      if (!operand->is_string()) return wrong("STRING");
      n->pattern = CompilePattern(operand->as_string());
      return true;
    case Op::kNumeric:
      if (!operand->is_number()) return wrong("NUMBER");
      n->literal = *operand;
      return true;
    case Op::kTimestamp: {
      if (!operand->is_string()) return wrong("STRING");
      std::optional<int64_t> t = ParseTimestamp(operand->as_string());
      if (!t) {
        v::Schema(diags, v::kNotRfc3339, at);
        return false;
      }
      n->literal = *operand;
      n->literal_millis = *t;
      return true;
    }
    default:
      return false;
  }
}

bool IsOperatorKey(std::string_view key) {
  bool is_path = false;
  if (key.size() > 4 && key.ends_with("Path")) {
    key.remove_suffix(4);
    is_path = true;
  }
  for (const Operator& o : kComparisons) {
    if (key == o.name) return !(is_path && (IsTypeTest(o.op) || o.op == Op::kStringMatches));
  }
  return false;
}

bool CompileNode(const json::Value& rule, bool top_level, const std::string& loc,
                 Diagnostics* diags, VariableTable* vars, Node* n, RuleParts* parts, int depth) {
  if (!rule.is_object()) {
    v::Schema(diags, "Choice rule must be an object, but was " + std::string(v::JsonTypeName(rule)),
              loc);
    return false;
  }
  if (depth > 100) {
    v::Schema(diags, "Choice rule is nested too deeply", loc);
    return false;
  }
  size_t before = diags->size();
  // Which combinator is this?
  const char* kinds[] = {"And", "Or", "Not", "Variable"};
  int nkinds = 0;
  const char* kind = nullptr;
  for (const char* k : kinds) {
    if (rule.Find(k)) {
      ++nkinds;
      kind = k;
    }
  }
  // Unknown fields.
  for (const json::Member& m : rule.as_object()) {
    const std::string& k = m.first;
    if (k == "And" || k == "Or" || k == "Not" || k == "Variable" || k == "Comment") continue;
    if (k == "Next") {
      if (!top_level) v::Schema(diags, v::FieldNotSupported(k), v::At(loc, k));
      continue;
    }
    if (k == "Assign") {
      if (top_level) {
        parts->assign = &m.second;
      } else {
        v::Schema(diags, v::FieldNotSupported(k), v::At(loc, k));
      }
      continue;
    }
    if (k == "Output" || k == "Condition") {
      v::Schema(diags, "The field '" + k + "' is not supported yet (JSONPath rules only)",
                v::At(loc, k));
      continue;
    }
    if (IsOperatorKey(k)) {
      if (kind == nullptr || std::strcmp(kind, "Variable") != 0) {
        v::Schema(diags, v::FieldNotSupported(k), v::At(loc, k));
      }
      continue;
    }
    v::Schema(diags, v::FieldNotSupported(k), v::At(loc, k));
  }
  if (top_level) {
    const json::Value* nx = rule.Find("Next");
    if (!nx) {
      v::Schema(diags, v::FieldsRequired({"Next"}), loc);
    } else if (!nx->is_string()) {
      v::Schema(diags, v::MustBeType("Next", "STRING"), v::At(loc, "Next"));
    } else {
      parts->next = nx->as_string();
    }
  }
  if (nkinds != 1) {
    v::Schema(diags,
              nkinds == 0 ? v::ExactlyOneOf({"And", "Or", "Not", "Variable"})
                          : v::OnlyOneOf({"And", "Or", "Not", "Variable"}),
              loc);
    return false;
  }
  std::string_view k = kind;
  const json::Value& body = *rule.Find(kind);
  std::string at = v::At(loc, k);
  if (k == "Variable") {
    bool ok = CompilePathField(body, "Variable", loc, diags, vars, &n->variable);
    ok = CompileComparison(rule, loc, diags, vars, n) && ok;
    return ok && diags->size() == before;
  }
  if (k == "Not") {
    n->op = Op::kNot;
    n->children.resize(1);
    RuleParts unused;
    CompileNode(body, false, at, diags, vars, &n->children[0], &unused, depth + 1);
    return diags->size() == before;
  }
  n->op = k == "And" ? Op::kAnd : Op::kOr;
  if (!body.is_array()) {
    v::Schema(diags, v::MustBeType(k, "ARRAY"), at);
    return false;
  }
  if (body.as_array().empty()) {
    v::Schema(diags, v::kValueCannotBeEmpty, at);
    return false;
  }
  n->children.resize(body.as_array().size());
  for (size_t i = 0; i < body.as_array().size(); ++i) {
    RuleParts unused;
    CompileNode(body.as_array()[i], false, v::At(at, i), diags, vars, &n->children[i], &unused,
                depth + 1);
  }
  return diags->size() == before;
}

}  // namespace

struct ChoiceRule::Impl {
  Node root;
  std::string next_name;
  std::optional<Assignment> assign;          // top-level rules with a non-empty "Assign"
  std::optional<JsonataTemplate> condition;  // JSONata rules
  std::optional<JsonataTemplate> output;     // JSONata rules
};

std::optional<ChoiceRule> ChoiceRule::CompileJsonata(const json::Value& rule, size_t index,
                                                     const std::string& location,
                                                     Diagnostics* diags, VariableTable* vars) {
  if (!rule.is_object()) {
    v::Schema(diags, "Choice rule must be an object", location);
    return std::nullopt;
  }
  const size_t before = diags->size();
  static constexpr std::string_view kFields[] = {"Condition", "Next", "Assign", "Output",
                                                 "Comment"};
  const std::string prefix = "Choices[" + std::to_string(index) + "]/";
  for (const json::Member& m : rule.as_object()) {
    if (std::find(std::begin(kFields), std::end(kFields), m.first) == std::end(kFields)) {
      v::Schema(diags, v::FieldNotSupported(m.first), v::At(location, m.first));
    }
  }
  auto impl = std::make_shared<Impl>();
  const json::Value* condition = rule.Find("Condition");
  const json::Value* next = rule.Find("Next");
  if (!condition || !next) {
    std::vector<std::string_view> missing;
    if (!next) missing.push_back("Next");
    if (!condition) missing.push_back("Condition");
    v::Schema(diags,
              missing.size() == 2 ? v::FieldsRequired({"Next", "Condition"})
                                  : v::FieldsRequired({missing[0]}),
              location);
  }
  if (condition) {
    std::string at = v::At(location, "Condition");
    if (!condition->is_bool() && !JsonataTemplate::IsExpression(*condition)) {
      v::Schema(diags,
                "The value for the field 'Condition' must be a BOOLEAN or a JSONata expression",
                at);
    } else {
      impl->condition = JsonataTemplate::Compile(*condition, prefix + "Condition", at,
                                                 StatesScope::kInput, diags, vars);
    }
  }
  if (next) {
    if (!next->is_string()) {
      v::Schema(diags, v::MustBeType("Next", "STRING"), v::At(location, "Next"));
    } else {
      impl->next_name = next->as_string().empty() ? std::string(1, '\0') : next->as_string();
    }
  }
  if (const json::Value* assign = rule.Find("Assign")) {
    impl->assign = Assignment::CompileJsonata(*assign, v::At(location, "Assign"),
                                              StatesScope::kInput, diags, vars, prefix + "Assign");
    if (impl->assign && impl->assign->empty()) impl->assign.reset();
  }
  if (const json::Value* output = rule.Find("Output")) {
    impl->output = JsonataTemplate::Compile(*output, prefix + "Output", v::At(location, "Output"),
                                            StatesScope::kInput, diags, vars);
  }
  if (diags->size() != before) return std::nullopt;
  ChoiceRule r;
  r.impl_ = std::move(impl);
  return r;
}

Result<bool, QueryFailure> ChoiceRule::EvaluateJsonata(const JsonataScope& scope) const {
  const JsonataTemplate& condition = *impl_->condition;
  Result<json::Value, QueryFailure> v = condition.Evaluate(scope);
  if (!v.ok()) return std::move(v).error();
  if (!v->is_bool()) return UnexpectedResultType(condition, "boolean", *v);
  return v->as_bool();
}

std::optional<ChoiceRule> ChoiceRule::Compile(const json::Value& rule, bool top_level,
                                              const std::string& location, Diagnostics* diags,
                                              VariableTable* vars) {
  VariableTable local;  // ids are only meaningful with the caller's table
  if (vars == nullptr) vars = &local;
  auto impl = std::make_shared<Impl>();
  RuleParts parts;
  bool ok = CompileNode(rule, top_level, location, diags, vars, &impl->root, &parts, 0);
  if (parts.assign != nullptr) {
    impl->assign = Assignment::Compile(*parts.assign, v::At(location, "Assign"), diags, vars);
    ok = ok && impl->assign.has_value();
    if (impl->assign && impl->assign->empty()) impl->assign.reset();
  }
  if (!ok) return std::nullopt;
  impl->next_name = std::move(parts.next);
  ChoiceRule r;
  r.impl_ = std::move(impl);
  return r;
}

const std::string& ChoiceRule::next_name() const { return impl_->next_name; }
bool ChoiceRule::jsonata() const { return impl_->condition.has_value(); }
const JsonataTemplate* ChoiceRule::output() const {
  return impl_->output ? &*impl_->output : nullptr;
}
bool ChoiceRule::uses_context() const {
  return (impl_->condition && impl_->condition->uses_context()) ||
         (impl_->assign && impl_->assign->uses_context()) ||
         (impl_->output && impl_->output->uses_context());
}

const Assignment* ChoiceRule::assign() const { return impl_->assign ? &*impl_->assign : nullptr; }

Result<bool> ChoiceRule::Evaluate(const json::Value& input, const Context& context) const {
  return EvaluateNode(impl_->root, input, context);
}

}  // namespace stator::asl
