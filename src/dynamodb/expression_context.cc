// ExpressionContext: a request's ExpressionAttributeNames and ExpressionAttributeValues, checked
// as DynamoDB checks them, looked up by the parsers, and every placeholder required to be used
// (see expression.h).
#include "dynamodb/expression_internal.h"

namespace stator::dynamodb {

namespace {

using expression_internal::IsWordChar;
using expression_internal::Prefix;

// ExpressionAttributeNames or ExpressionAttributeValues (`field`): an object, not empty.
Status CheckPlaceholderMap(const json::Value& map, const std::string& field) {
  if (!map.is_object()) return Error{"SerializationException", "Unexpected type for " + field};
  if (map.as_object().empty()) return Validation(field + " must not be empty");
  return Status::Ok();
}

// A key of such a map: the sigil ('#' or ':') and then one or more word characters.
Status CheckPlaceholderKey(const std::string& k, char sigil, const std::string& field) {
  bool ok = k.size() > 1 && k[0] == sigil;
  for (size_t i = 1; ok && i < k.size(); ++i) ok = IsWordChar(k[i]);
  if (!ok) {
    return Validation(field + " contains invalid key: Syntax error; key: \"" + k + "\"");
  }
  return Status::Ok();
}

// The definition of a placeholder in ExpressionAttributeNames or ExpressionAttributeValues
// (nullptr when it has none), noting the placeholder as used.
template <class T>
const T* Use(const std::vector<std::pair<std::string, T>>& defined, std::set<std::string>* used,
             const std::string& placeholder) {
  for (const auto& [k, v] : defined) {
    if (k == placeholder) {
      used->insert(k);
      return &v;
    }
  }
  return nullptr;
}

// The placeholders defined but not used, in request order: "#a, #b".
template <class T>
std::string Unused(const std::vector<std::pair<std::string, T>>& defined,
                   const std::set<std::string>& used) {
  std::string unused;
  for (const auto& [k, v] : defined) {
    if (!used.count(k)) unused += (unused.empty() ? "" : ", ") + k;
  }
  return unused;
}

}  // namespace

Result<ExpressionContext> ExpressionContext::Make(const json::Value* names,
                                                  const json::Value* values) {
  ExpressionContext ctx;
  if (names && !names->is_null()) {
    STATOR_RETURN_IF_ERROR(CheckPlaceholderMap(*names, "ExpressionAttributeNames"));
    ctx.has_names_ = true;
    for (const auto& [k, v] : names->as_object()) {
      STATOR_RETURN_IF_ERROR(CheckPlaceholderKey(k, '#', "ExpressionAttributeNames"));
      if (!v.is_string())
        return Error{"SerializationException", "Unexpected value type in ExpressionAttributeNames"};
      if (v.as_string().empty()) {
        return Validation(
            "ExpressionAttributeNames contains invalid value: Empty attribute name "
            "for key " +
            k);
      }
      ctx.names_.emplace_back(k, v.as_string());
    }
  }
  if (values && !values->is_null()) {
    STATOR_RETURN_IF_ERROR(CheckPlaceholderMap(*values, "ExpressionAttributeValues"));
    ctx.has_values_ = true;
    for (const auto& [k, v] : values->as_object()) {
      STATOR_RETURN_IF_ERROR(CheckPlaceholderKey(k, ':', "ExpressionAttributeValues"));
      auto a = AttrFromJson(v);
      if (!a.ok()) {
        if (a.error().error != "ValidationException") return a.error();
        return Validation("ExpressionAttributeValues contains invalid value: " + a.error().cause +
                          " for key " + k);
      }
      ctx.values_.emplace_back(k, std::move(a).value());
    }
  }
  return ctx;
}

Result<std::string> ExpressionContext::Name(const std::string& placeholder, ExprKind kind) {
  if (const std::string* v = Use(names_, &used_names_, placeholder)) return *v;
  return Validation(Prefix(kind) +
                    "An expression attribute name used in the document path is not defined; "
                    "attribute name: " +
                    placeholder);
}

Result<AttrValue> ExpressionContext::Value(const std::string& placeholder, ExprKind kind) {
  if (const AttrValue* v = Use(values_, &used_values_, placeholder)) return *v;
  return Validation(Prefix(kind) +
                    "An expression attribute value used in expression is not defined; attribute "
                    "value: " +
                    placeholder);
}

Status ExpressionContext::CheckAllUsed() const {
  std::string unused = Unused(names_, used_names_);
  if (!unused.empty()) {
    return Validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {" +
                      unused + "}");
  }
  unused = Unused(values_, used_values_);
  if (!unused.empty()) {
    return Validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {" +
                      unused + "}");
  }
  return Status::Ok();
}

}  // namespace stator::dynamodb
