#include "deploy/late_bound.h"

namespace stator::deploy {
namespace {

constexpr std::string_view kOpen = "{{stator:late:";
constexpr std::string_view kClose = "}}";

}  // namespace

std::string LateBound(std::string_view logical_id, std::string_view attribute) {
  return std::string(kOpen) + std::string(logical_id) + "." + std::string(attribute) +
         std::string(kClose);
}

bool HasLateBound(std::string_view text) { return text.find(kOpen) != std::string_view::npos; }

std::string BindLate(std::string_view text, const LateBindings& bound) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t open = text.find(kOpen, pos);
    if (open == std::string_view::npos) break;
    size_t close = text.find(kClose, open + kOpen.size());
    if (close == std::string_view::npos) break;
    std::string_view token = text.substr(open, close + kClose.size() - open);
    auto it = bound.find(token);
    out.append(text.substr(pos, open - pos));
    out.append(it != bound.end() ? std::string_view(it->second) : token);
    pos = close + kClose.size();
  }
  out.append(text.substr(pos));
  return out;
}

json::Value BindLate(const json::Value& v, const LateBindings& bound) {
  switch (v.kind()) {
    case json::Kind::kString:
      return HasLateBound(v.as_string()) ? json::Value::String(BindLate(v.as_string(), bound)) : v;
    case json::Kind::kArray: {
      json::Array items;
      items.reserve(v.as_array().size());
      for (const json::Value& e : v.as_array()) items.push_back(BindLate(e, bound));
      return json::Value::MakeArray(std::move(items));
    }
    case json::Kind::kObject: {
      json::Object members;
      members.reserve(v.as_object().size());
      for (const auto& [k, e] : v.as_object()) {
        members.emplace_back(HasLateBound(k) ? BindLate(k, bound) : k, BindLate(e, bound));
      }
      return json::Value::MakeObject(std::move(members));
    }
    default:
      return v;
  }
}

}  // namespace stator::deploy
