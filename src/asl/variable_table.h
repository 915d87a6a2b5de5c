// VariableTable: the workflow variables (Assign / "$name") of one definition, numbered.
//
// While a definition compiles, every variable name it assigns or reads gets a small id (0, 1,
// 2, ... in order of first appearance). Compiled paths and Assign blocks carry ids, so a running
// execution finds a variable by comparing integers, never by name.
//
// The table also records which variables each state reads (DescribeStateMachine's
// "variableReferences"): BeginState/EndState bracket the compilation of one state; every
// Reference in between is noted for that state only (states of nested Parallel branches and Map
// processors have brackets of their own).
//
// Thread-safety: used by one compilation at a time; not shared.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace stator::asl {

// The id of a variable path compiled without a table (tests, stand-alone paths).
inline constexpr uint32_t kNoVariableId = UINT32_MAX;

class VariableTable {
 public:
  // The id of name, numbering it if it is new. For assignment targets.
  uint32_t Declare(std::string_view name);
  // As Declare, and notes that the state being compiled reads the variable.
  uint32_t Reference(std::string_view name);

  size_t size() const { return names_.size(); }
  const std::string& name(uint32_t id) const { return names_[id]; }

  void BeginState();
  // The names the state read since its BeginState, sorted and without repeats.
  std::vector<std::string> EndState();

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<std::vector<uint32_t>> open_;  // one list of read ids per state being compiled
};

// The characters of a variable name (what "$name" paths can spell): a letter, '_' or any byte of
// a non-ASCII UTF-8 character first, then those or digits.
inline bool IsVariableNameStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
inline bool IsVariableNamePart(unsigned char c) {
  return IsVariableNameStart(c) || (c >= '0' && c <= '9');
}

// True when name can be a workflow variable: spelled as above, and not the reserved "states".
bool IsValidVariableName(std::string_view name);

}  // namespace stator::asl
