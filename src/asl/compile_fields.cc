// Shared field helpers of DefinitionCompiler: types, ranges, paths, templates, Retry and Catch.

#include <algorithm>
#include <cmath>
#include <limits>

#include "asl/compile_context.h"
#include "asl/intrinsics.h"
#include "asl/validator.h"

namespace stator::asl::internal {

namespace v = validation;

void DefinitionCompiler::Schema(std::string message, std::string location) {
  v::Schema(diags_, std::move(message), std::move(location));
}

void DefinitionCompiler::CheckFields(const json::Value& obj, FieldList allowed,
                                     const std::string& loc) {
  for (const json::Member& m : obj.as_object()) {
    if (std::find(allowed.begin(), allowed.end(), m.first) == allowed.end()) {
      Schema(v::FieldNotSupported(m.first), v::At(loc, m.first));
    }
  }
}

bool DefinitionCompiler::CheckExclusive(const json::Value& obj,
                                        std::initializer_list<std::string_view> fields,
                                        bool required, const std::string& loc) {
  int n = 0;
  for (std::string_view f : fields) n += obj.Find(f) != nullptr;
  if (n > 1) {
    Schema(v::OnlyOneOf(fields), loc);
    return false;
  }
  if (n == 0 && required) {
    Schema(v::ExactlyOneOf(fields), loc);
    return false;
  }
  return true;
}

const json::Value* DefinitionCompiler::GetTyped(const json::Value& obj, std::string_view field,
                                                json::Kind kind, const char* type_name,
                                                const std::string& loc) {
  const json::Value* f = obj.Find(field);
  if (!f) return nullptr;
  if (f->kind() != kind) {
    Schema(v::MustBeType(field, type_name), v::At(loc, field));
    return nullptr;
  }
  return f;
}

std::optional<std::string> DefinitionCompiler::GetString(const json::Value& obj,
                                                         std::string_view field,
                                                         const std::string& loc) {
  const json::Value* f = GetTyped(obj, field, json::Kind::kString, "STRING", loc);
  if (!f) return std::nullopt;
  return f->as_string();
}

std::optional<int64_t> DefinitionCompiler::GetInteger(const json::Value& obj,
                                                      std::string_view field, int64_t min,
                                                      int64_t max, const std::string& loc) {
  const json::Value* f = obj.Find(field);
  if (!f) return std::nullopt;
  if (!v::IsIntegerValue(*f)) {
    Schema(v::MustBeType(field, "INTEGER"), v::At(loc, field));
    return std::nullopt;
  }
  double d = f->as_double();
  int64_t i = f->is_int() ? f->as_int() : static_cast<int64_t>(d);
  if (i < min) {
    Schema("Value must be greater than or equal to " + std::to_string(min), v::At(loc, field));
    return std::nullopt;
  }
  if (i > max) {
    Schema("Value must be less than or equal to " + std::to_string(max), v::At(loc, field));
    return std::nullopt;
  }
  return i;
}

std::optional<JsonPath> DefinitionCompiler::CompilePath(const json::Value& value,
                                                        std::string_view field, PathKind kind,
                                                        const std::string& loc) {
  const bool reference = kind != PathKind::kPath;
  auto at = [&] { return v::At(loc, field); };  // built only when there is a problem
  if (!value.is_string()) {
    Schema(v::MustBeType(field, "STRING"), at());
    return std::nullopt;
  }
  const std::string& text = value.as_string();
  if (reference && (text.empty() || text[0] != '$')) {
    Schema("Value is not a Reference Path: Reference path didn't start with '$'", at());
    return std::nullopt;
  }
  Result<JsonPath> p = JsonPath::Compile(text, &vars_);
  if (!p.ok()) {
    Schema(reference ? "Value is not a Reference Path: " + p.error().cause
                     : "Value must be a valid JSONPath: " + p.error().cause,
           at());
    return std::nullopt;
  }
  if (reference && !p->is_reference() &&
      !(kind == PathKind::kReference && p->is_variable_reference())) {
    Schema("Value is not a Reference Path", at());
    return std::nullopt;
  }
  return std::move(*p);
}

PathField DefinitionCompiler::GetPathField(const json::Value& obj, std::string_view field,
                                           PathKind kind, const std::string& loc) {
  PathField out;
  const json::Value* f = obj.Find(field);
  if (!f) return out;
  if (f->is_null()) {
    out.mode = PathField::Mode::kNull;
    return out;
  }
  if (std::optional<JsonPath> p = CompilePath(*f, field, kind, loc)) {
    out.mode = PathField::Mode::kPath;
    out.path = std::move(*p);
  }
  return out;
}

NumberField DefinitionCompiler::GetNumberField(const json::Value& obj, std::string_view field,
                                               std::string_view path_field, int64_t min,
                                               int64_t max, const std::string& loc) {
  NumberField out;
  if (jsonata_) {
    // A JSONata state: an integer or a "{% %}" expression (no ...Path twin).
    const json::Value* f = obj.Find(field);
    if (f && JsonataTemplate::IsExpression(*f)) {
      out.expr = JsonataTemplate::Compile(*f, std::string(field), v::At(loc, field),
                                          StatesScope::kInput, diags_, &vars_);
      NoteJsonata(out.expr);
      return out;
    }
    if (std::optional<int64_t> i = GetInteger(obj, field, min, max, loc)) {
      out.value = static_cast<double>(*i);
    }
    return out;
  }
  if (!CheckExclusive(obj, {field, path_field}, false, loc)) return out;
  if (std::optional<int64_t> i = GetInteger(obj, field, min, max, loc)) {
    out.value = static_cast<double>(*i);
  }
  if (const json::Value* p = obj.Find(path_field))
    out.path = CompilePath(*p, path_field, PathKind::kReference, loc);
  return out;
}

std::optional<PayloadTemplate> DefinitionCompiler::GetTemplate(const json::Value& obj,
                                                               std::string_view field,
                                                               bool object_only,
                                                               const std::string& loc) {
  const json::Value* f = obj.Find(field);
  if (!f) return std::nullopt;
  if (object_only && !f->is_object()) {
    Schema(v::MustBeType(field, "OBJECT"), v::At(loc, field));
    return std::nullopt;
  }
  return PayloadTemplate::Compile(*f, v::At(loc, field), diags_, &vars_);
}

StringField DefinitionCompiler::GetStringField(const json::Value& obj, std::string_view field,
                                               std::string_view path_field,
                                               const std::string& loc) {
  StringField out;
  if (jsonata_) {
    const json::Value* f = obj.Find(field);
    if (f && JsonataTemplate::IsExpression(*f)) {
      out.expr = JsonataTemplate::Compile(*f, std::string(field), v::At(loc, field),
                                          StatesScope::kInput, diags_, &vars_);
      NoteJsonata(out.expr);
    } else {
      out.value = GetString(obj, field, loc);
    }
    return out;
  }
  if (!CheckExclusive(obj, {field, path_field}, false, loc)) return out;
  out.value = GetString(obj, field, loc);
  const json::Value* p = obj.Find(path_field);
  if (!p) return out;
  std::string at = v::At(loc, path_field);
  if (p->is_string() && IntrinsicCall::LooksLikeCall(p->as_string())) {
    Result<IntrinsicCall> call = IntrinsicCall::Compile(p->as_string(), &vars_);
    if (call.ok()) {
      out.call = std::move(*call);
    } else {
      Schema("The value for the field '" + std::string(path_field) +
                 "' must be a valid JSONPath or a valid intrinsic function call: " +
                 call.error().cause,
             at);
    }
    return out;
  }
  out.path = CompilePath(*p, path_field, PathKind::kPath, loc);
  return out;
}

std::optional<Assignment> DefinitionCompiler::GetAssign(const json::Value& obj,
                                                        const std::string& loc, StatesScope scope) {
  const json::Value* f = obj.Find("Assign");
  if (!f) return std::nullopt;
  std::optional<Assignment> a =
      jsonata_ ? Assignment::CompileJsonata(*f, v::At(loc, "Assign"), scope, diags_, &vars_)
               : Assignment::Compile(*f, v::At(loc, "Assign"), diags_, &vars_);
  if (a && a->empty()) a.reset();
  return a;
}

std::vector<std::string> DefinitionCompiler::CompileErrorEquals(const json::Value& entry,
                                                                const std::string& loc,
                                                                bool* has_all) {
  std::vector<std::string> out;
  *has_all = false;
  const json::Value* ee = entry.Find("ErrorEquals");
  if (!ee) {
    Schema(v::FieldsRequired({"ErrorEquals"}), loc);
    return out;
  }
  std::string at = v::At(loc, "ErrorEquals");
  if (!ee->is_array()) {
    Schema(v::MustBeType("ErrorEquals", "ARRAY"), at);
    return out;
  }
  if (ee->as_array().empty()) {
    Schema(v::kValueCannotBeEmpty, at);
    return out;
  }
  const json::Array& items = ee->as_array();
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_string()) {
      Schema(v::MustBeType("ErrorEquals", "STRING"), v::At(at, i));
      continue;
    }
    out.push_back(items[i].as_string());
    if (out.back() == "States.ALL") {
      *has_all = true;
      if (items.size() != 1) Schema("States.ALL must appear alone and at end of list", at);
    }
  }
  return out;
}

namespace {
constexpr std::string_view kRetrierFields[] = {"ErrorEquals", "IntervalSeconds", "MaxAttempts",
                                               "BackoffRate", "MaxDelaySeconds", "JitterStrategy",
                                               "Comment"};
constexpr std::string_view kCatcherFields[] = {"ErrorEquals", "Next", "ResultPath", "Assign",
                                               "Comment"};
constexpr std::string_view kJsonataCatcherFields[] = {"ErrorEquals", "Next", "Output", "Assign",
                                                      "Comment"};
constexpr int64_t kMaxSeconds = 99999999;

// Retry and Catch (field): an array of objects with the fields allowed, each with an
// ErrorEquals in which States.ALL stands alone in the last one, and an optional string Comment.
// compile(object, location, error_equals) builds each rule from the rest.
template <class F>
void CompileErrorRules(DefinitionCompiler* c, const json::Value& obj, std::string_view field,
                       FieldList allowed, const std::string& state_loc, F compile) {
  const json::Value* rules = obj.Find(field);
  if (!rules) return;
  std::string loc = v::At(state_loc, field);
  if (!rules->is_array()) {
    c->Schema(v::MustBeType(field, "ARRAY"), loc);
    return;
  }
  const json::Array& items = rules->as_array();
  for (size_t i = 0; i < items.size(); ++i) {
    std::string at = v::At(loc, i);
    const json::Value& e = items[i];
    if (!e.is_object()) {
      c->Schema(v::MustBeType(field, "OBJECT"), at);
      continue;
    }
    c->CheckFields(e, allowed, at);
    bool has_all = false;
    std::vector<std::string> error_equals = c->CompileErrorEquals(e, at, &has_all);
    if (has_all && i + 1 != items.size()) {
      c->Schema("States.ALL must appear alone and at end of list", v::At(at, "ErrorEquals"));
    }
    compile(e, at, std::move(error_equals));
    if (const json::Value* comment = e.Find("Comment"); comment && !comment->is_string()) {
      c->Schema(v::MustBeType("Comment", "STRING"), v::At(at, "Comment"));
    }
  }
}

}  // namespace

void DefinitionCompiler::CompileRetry(const json::Value& obj, const std::string& state_loc,
                                      State* st) {
  CompileErrorRules(
      this, obj, "Retry", kRetrierFields, state_loc,
      [&](const json::Value& e, const std::string& at, std::vector<std::string> error_equals) {
        Retrier r;
        r.error_equals = std::move(error_equals);
        if (auto x = GetInteger(e, "IntervalSeconds", 1, kMaxSeconds, at)) {
          r.interval_seconds = *x;
        }
        if (auto x = GetInteger(e, "MaxAttempts", 0, kMaxSeconds, at)) {
          r.max_attempts = *x;
          r.max_attempts_given = true;
        }
        if (auto x = GetInteger(e, "MaxDelaySeconds", 1, kMaxSeconds, at)) {
          r.max_delay_seconds = *x;
        }
        if (const json::Value* b = e.Find("BackoffRate")) {
          if (!b->is_number()) {
            Schema(v::MustBeType("BackoffRate", "NUMBER"), v::At(at, "BackoffRate"));
          } else if (b->as_double() < 1.0) {
            Schema("Value must be greater than or equal to 1.0", v::At(at, "BackoffRate"));
          } else {
            r.backoff_rate = b->as_double();
          }
        }
        if (auto j = GetString(e, "JitterStrategy", at)) {
          if (*j == "FULL") {
            r.jitter = JitterStrategy::kFull;
          } else if (*j != "NONE") {
            Schema(v::ValueOneOf({"NONE", "FULL"}), v::At(at, "JitterStrategy"));
          }
        }
        st->retry.push_back(std::move(r));
      });
}

void DefinitionCompiler::CompileCatch(const json::Value& obj, const std::string& state_loc,
                                      State* st) {
  CompileErrorRules(
      this, obj, "Catch", jsonata_ ? FieldList(kJsonataCatcherFields) : FieldList(kCatcherFields),
      state_loc,
      [&](const json::Value& e, const std::string& at, std::vector<std::string> error_equals) {
        Catcher c;
        c.error_equals = std::move(error_equals);
        // Runtime messages name a catcher's fields "Catch[i]/Output", "Catch[i]/Assign/x".
        const std::string prefix = "Catch[" + std::to_string(st->catchers.size()) + "]/";
        if (jsonata_) {
          if (const json::Value* out = e.Find("Output")) {
            c.output = JsonataTemplate::Compile(*out, prefix + "Output", v::At(at, "Output"),
                                                StatesScope::kErrorOutput, diags_, &vars_);
            NoteJsonata(c.output);
          }
          if (const json::Value* a = e.Find("Assign")) {
            c.assign =
                Assignment::CompileJsonata(*a, v::At(at, "Assign"), StatesScope::kErrorOutput,
                                           diags_, &vars_, prefix + "Assign");
            if (c.assign && c.assign->uses_context()) uses_context_ = true;
            if (c.assign && c.assign->empty()) c.assign.reset();
          }
        } else {
          c.result_path = GetPathField(e, "ResultPath", PathKind::kResultPath, at);
          c.assign = GetAssign(e, at);
        }
        if (!e.Find("Next")) {
          Schema(v::FieldsRequired({"Next"}), at);
        } else if (auto n = GetString(e, "Next", at)) {
          // "" is resolved (and missing)
          c.next_name = n->empty() ? std::string(1, '\0') : *n;
        }
        st->catchers.push_back(std::move(c));
      });
}

}  // namespace stator::asl::internal
