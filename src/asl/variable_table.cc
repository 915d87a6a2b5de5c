#include "asl/variable_table.h"

#include <algorithm>

namespace stator::asl {

uint32_t VariableTable::Declare(std::string_view name) {
  auto it = ids_.find(std::string(name));
  if (it != ids_.end()) return it->second;
  const uint32_t id = static_cast<uint32_t>(names_.size());
  names_.emplace_back(name);
  ids_.emplace(names_.back(), id);
  return id;
}

uint32_t VariableTable::Reference(std::string_view name) {
  const uint32_t id = Declare(name);
  if (!open_.empty()) open_.back().push_back(id);
  return id;
}

void VariableTable::BeginState() { open_.emplace_back(); }

std::vector<std::string> VariableTable::EndState() {
  std::vector<std::string> out;
  if (open_.empty()) return out;
  for (uint32_t id : open_.back()) out.push_back(names_[id]);
  open_.pop_back();
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool IsValidVariableName(std::string_view name) {
  if (name.empty() || name == "states") return false;
  if (!IsVariableNameStart(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsVariableNamePart(static_cast<unsigned char>(c)); });
}

}  // namespace stator::asl
