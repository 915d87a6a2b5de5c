// Assignment: an Assign object compiled as a payload template (the values), plus the variable
// ids of its keys in the order the template produces them.
#include "asl/assignment.h"

#include <string_view>

#include "asl/payload_template.h"
#include "asl/validator.h"

namespace stator::asl {

namespace v = validation;

struct Assignment::Impl {
  PayloadTemplate values;
  std::optional<JsonataTemplate> jsonata;  // JSONata states
  std::vector<std::string> names;
  std::vector<uint32_t> ids;
};

std::optional<Assignment> Assignment::Compile(const json::Value& assign,
                                              const std::string& location, Diagnostics* diags,
                                              VariableTable* vars) {
  if (!assign.is_object()) {
    v::Schema(diags, v::MustBeType("Assign", "OBJECT"), location);
    return std::nullopt;
  }
  const size_t before = diags->size();
  auto impl = std::make_shared<Impl>();
  for (const json::Member& m : assign.as_object()) {
    std::string_view name = m.first;
    if (name.ends_with(".$")) name.remove_suffix(2);
    if (!IsValidVariableName(name)) {
      v::Schema(diags, v::InvalidVariableName(name), v::At(location, m.first));
      continue;
    }
    // The same key order as the template's output: a repeated name keeps its first place.
    bool seen = false;
    for (const std::string& n : impl->names) seen = seen || n == name;
    if (seen) continue;
    impl->names.emplace_back(name);
    impl->ids.push_back(vars->Declare(name));
  }
  std::optional<PayloadTemplate> values = PayloadTemplate::Compile(assign, location, diags, vars);
  if (!values || diags->size() != before) return std::nullopt;
  impl->values = std::move(*values);
  Assignment a;
  a.impl_ = std::move(impl);
  return a;
}

std::optional<Assignment> Assignment::CompileJsonata(const json::Value& assign,
                                                     const std::string& location, StatesScope scope,
                                                     Diagnostics* diags, VariableTable* vars,
                                                     std::string field) {
  if (!assign.is_object()) {
    v::Schema(diags, v::MustBeType("Assign", "OBJECT"), location);
    return std::nullopt;
  }
  const size_t before = diags->size();
  auto impl = std::make_shared<Impl>();
  for (const json::Member& m : assign.as_object()) {
    if (!IsValidVariableName(m.first)) {
      v::Schema(diags, v::InvalidVariableName(m.first), v::At(location, m.first));
      continue;
    }
    impl->names.push_back(m.first);
    impl->ids.push_back(vars->Declare(m.first));
  }
  std::optional<JsonataTemplate> values =
      JsonataTemplate::Compile(assign, std::move(field), location, scope, diags, vars);
  if (!values || diags->size() != before) return std::nullopt;
  impl->jsonata = std::move(values);
  Assignment a;
  a.impl_ = std::move(impl);
  return a;
}

bool Assignment::jsonata() const { return impl_->jsonata.has_value(); }
bool Assignment::uses_context() const { return impl_->jsonata && impl_->jsonata->uses_context(); }

Result<json::Value, QueryFailure> Assignment::EvaluateJsonata(const JsonataScope& scope) const {
  return impl_->jsonata->Evaluate(scope);
}

size_t Assignment::size() const { return impl_->names.size(); }
uint32_t Assignment::variable_id(size_t i) const { return impl_->ids[i]; }
const std::string& Assignment::name(size_t i) const { return impl_->names[i]; }

Result<json::Value> Assignment::Evaluate(const json::Value& input, const Context& context) const {
  return impl_->values.Evaluate(input, context);
}

}  // namespace stator::asl
