#include "deploy/parameters.h"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <regex>
#include <set>

#include "deploy/intrinsics.h"

namespace stator::deploy {
namespace {

using json::Value;

// "a, b,c" -> ["a", "b", "c"]: split at every comma, each item space-trimmed ("" is [""]).
std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma - start);
    size_t a = item.find_first_not_of(' ');
    size_t b = item.find_last_not_of(' ');
    items.push_back(a == std::string::npos ? "" : item.substr(a, b - a + 1));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return items;
}

bool IsNumber(const std::string& s, double* out) {
  char* end = nullptr;
  double d = strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0') return false;
  *out = d;
  return true;
}

// String, Number, List<Number>, CommaDelimitedList, and the AWS-specific and SSM types (their
// values are taken as given: stator neither looks them up nor checks they exist).
bool IsKnownType(const std::string& type) {
  return type == "String" || type == "Number" || type == "List<Number>" ||
         type == "CommaDelimitedList" || type.starts_with("AWS::") ||
         type.starts_with("List<AWS::");
}

bool IsListType(const std::string& type) {
  return type == "CommaDelimitedList" || type.starts_with("List<");
}

// One parameter's value (decl is its declaration).
Result<Value> ParameterValue(const Template& t, const std::string& name, const Value& decl,
                             const ParameterOverrides& overrides) {
  std::string key = "Parameters." + name;
  auto fail = [&](const std::string& message) { return Error{"Template", t.Where(key) + message}; };
  // A broken constraint; ConstraintDescription, when given, says what the value should be.
  auto violated = [&](const std::string& message) {
    std::string text = "parameter " + name + " " + message;
    if (const Value* d = decl.Find("ConstraintDescription"); d && d->is_string()) {
      text += ": " + d->as_string();
    }
    return fail(text);
  };
  std::string type = "String";
  if (const Value* ty = decl.Find("Type"); ty && ty->is_string()) type = ty->as_string();
  if (!IsKnownType(type)) {
    return fail("parameter " + name + " has the unknown Type '" + type +
                "' (String, Number, List<Number>, CommaDelimitedList, AWS-specific or SSM "
                "types)");
  }
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
  const bool list = IsListType(type);
  // A list's constraints hold for each of its items, as CloudFormation checks them.
  std::vector<std::string> items = list ? SplitList(*value) : std::vector<std::string>{*value};
  auto which = [&](const std::string& item) {
    return list ? "item '" + item + "' of '" + *value + "'" : "value '" + item + "'";
  };
  if (const Value* allowed = decl.Find("AllowedValues"); allowed && allowed->is_array()) {
    std::vector<std::string> texts;
    std::string shown;
    for (const Value& a : allowed->as_array()) {
      auto text = ScalarText(a, "AllowedValues");
      if (!text.ok()) continue;
      texts.push_back(*text);
      shown += (shown.empty() ? "" : ", ") + *text;
    }
    for (const std::string& item : items) {
      if (std::find(texts.begin(), texts.end(), item) == texts.end()) {
        return violated(which(item) + " is not one of the AllowedValues [" + shown + "]");
      }
    }
  }
  if (const Value* pattern = decl.Find("AllowedPattern"); pattern && pattern->is_string()) {
    std::regex re;
    try {
      re = std::regex(pattern->as_string());
    } catch (const std::regex_error&) {
      return fail("parameter " + name + ": AllowedPattern is not a valid pattern");
    }
    for (const std::string& item : items) {
      if (!std::regex_match(item, re)) {
        return violated(which(item) + " does not match the AllowedPattern " + pattern->as_string());
      }
    }
  }
  // A MinLength / MaxLength / MinValue / MaxValue bound: its text, its number (nullopt: absent).
  auto bound = [&](const char* k) -> Result<std::optional<std::pair<std::string, double>>> {
    const Value* b = decl.Find(k);
    if (!b) return std::optional<std::pair<std::string, double>>();
    double limit = 0;
    auto text = ScalarText(*b, k);
    if (!text.ok() || !IsNumber(*text, &limit)) {
      return fail("parameter " + name + ": " + k + " must be a number");
    }
    return std::optional<std::pair<std::string, double>>({*text, limit});
  };
  auto is_lower = [](const char* k) { return std::string(k).starts_with("Min"); };
  // Whether x breaks bound k.
  auto breaks = [&](const char* k, double x, double limit) {
    return is_lower(k) ? x < limit : x > limit;
  };
  if (type == "String") {
    for (const char* k : {"MinLength", "MaxLength"}) {
      STATOR_TRY(auto b, bound(k));
      if (b && breaks(k, static_cast<double>(value->size()), b->second)) {
        return violated("value '" + *value + "' is " + std::to_string(value->size()) +
                        " characters long; " + k + " is " + b->first);
      }
    }
  }
  if (type == "Number" || type == "List<Number>") {
    for (const std::string& item : items) {
      double number = 0;
      if (!IsNumber(item, &number)) {
        return fail("parameter " + name + " must be " + (list ? "numbers" : "a number") +
                    ", got '" + item + "'");
      }
      for (const char* k : {"MinValue", "MaxValue"}) {
        STATOR_TRY(auto b, bound(k));
        if (b && breaks(k, number, b->second)) {
          return violated(which(item) + " is " + (is_lower(k) ? "below" : "above") + " the " + k +
                          " " + b->first);
        }
      }
    }
  }
  if (!list) return Value::String(*value);
  json::Array out;
  for (std::string& item : items) out.push_back(Value::String(std::move(item)));
  return Value::MakeArray(std::move(out));
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
