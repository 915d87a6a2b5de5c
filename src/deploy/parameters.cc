#include "deploy/parameters.h"

#include <cstdlib>
#include <optional>
#include <regex>
#include <set>

#include "deploy/intrinsics.h"

namespace stator::deploy {
namespace {

using json::Value;

// "a, b,c" -> ["a", "b", "c"]: split at every comma, each item space-trimmed.
Value SplitList(const std::string& text) {
  json::Array items;
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma - start);
    size_t a = item.find_first_not_of(' ');
    size_t b = item.find_last_not_of(' ');
    items.push_back(Value::String(a == std::string::npos ? "" : item.substr(a, b - a + 1)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return Value::MakeArray(std::move(items));
}

// One parameter's value (decl is its declaration).
Result<Value> ParameterValue(const Template& t, const std::string& name, const Value& decl,
                             const ParameterOverrides& overrides) {
  std::string key = "Parameters." + name;
  auto fail = [&](const std::string& message) { return Error{"Template", t.Where(key) + message}; };
  std::string type = "String";
  if (const Value* ty = decl.Find("Type"); ty && ty->is_string()) type = ty->as_string();
  std::optional<std::string> value;
  for (const auto& [k, v] : overrides) {
    if (k == name) value = v;
  }
  if (!value) {
    if (const Value* d = decl.Find("Default")) {
      auto text = ScalarText(*d, "parameter " + name + " Default");
      if (!text.ok()) return fail(text.error().cause);
      value = *text;
    }
  }
  if (!value) {
    return fail("parameter " + name + " has no Default; give it with --parameter-overrides " +
                name + "=VALUE");
  }
  if (const Value* allowed = decl.Find("AllowedValues"); allowed && allowed->is_array()) {
    bool ok = false;
    std::string list;
    for (const Value& a : allowed->as_array()) {
      auto text = ScalarText(a, "AllowedValues");
      if (!text.ok()) continue;
      if (*text == *value) ok = true;
      list += (list.empty() ? "" : ", ") + *text;
    }
    if (!ok) {
      return fail("parameter " + name + " value '" + *value +
                  "' is not one of the AllowedValues [" + list + "]");
    }
  }
  if (const Value* pattern = decl.Find("AllowedPattern"); pattern && pattern->is_string()) {
    bool matched = false;
    try {
      matched = std::regex_match(*value, std::regex(pattern->as_string()));
    } catch (const std::regex_error&) {
      return fail("parameter " + name + ": AllowedPattern is not a valid pattern");
    }
    if (!matched) {
      return fail("parameter " + name + " value '" + *value +
                  "' does not match the AllowedPattern " + pattern->as_string());
    }
  }
  if (type == "Number") {
    char* end = nullptr;
    strtod(value->c_str(), &end);
    if (value->empty() || *end != '\0') {
      return fail("parameter " + name + " must be a number, got '" + *value + "'");
    }
  }
  if (type == "CommaDelimitedList" || type.starts_with("List<")) return SplitList(*value);
  return Value::String(*value);
}

}  // namespace

Result<std::vector<std::pair<std::string, json::Value>>> ResolveParameters(
    const Template& t, const ParameterOverrides& overrides) {
  const Value* params = t.root.Find("Parameters");
  if (params && !params->is_null() && !params->is_object()) {
    return Error{"Template", t.Where("Parameters") + "Parameters must be a mapping"};
  }
  std::vector<std::pair<std::string, json::Value>> out;
  std::set<std::string> declared;
  if (params && params->is_object()) {
    for (const auto& [name, decl] : params->as_object()) {
      declared.insert(name);
      if (!decl.is_object()) {
        return Error{"Template",
                     t.Where("Parameters." + name) + "parameter " + name + " must be a mapping"};
      }
      STATOR_TRY(Value v, ParameterValue(t, name, decl, overrides));
      out.emplace_back(name, std::move(v));
    }
  }
  for (const auto& [k, v] : overrides) {
    if (!declared.count(k)) {
      return Error{"Template", t.path + ": --parameter-overrides names '" + k +
                                   "', which the template does not declare"};
    }
  }
  return out;
}

}  // namespace stator::deploy
