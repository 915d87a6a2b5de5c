#include "cli/deploy_report.h"

#include <algorithm>

namespace stator::cli {

using json::Value;

void PrintRows(const std::vector<Row>& rows, std::ostream& out) {
  size_t w_type = 4, w_id = 10, w_phys = 8;
  for (const Row& r : rows) {
    w_type = std::max(w_type, r.type.size());
    w_id = std::max(w_id, r.logical_id.size());
    w_phys = std::max(w_phys, r.physical.size());
  }
  auto pad = [](const std::string& s, size_t w) { return s + std::string(w - s.size() + 2, ' '); };
  for (const Row& r : rows) {
    std::string line = "  " + pad(r.status, 11) + pad(r.type, w_type) + pad(r.logical_id, w_id) +
                       (r.note.empty() ? r.physical : pad(r.physical, w_phys) + r.note);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
}

Value RowsJson(const std::vector<Row>& rows) {
  json::Array out;
  for (const Row& r : rows) {
    json::Object o = {{"LogicalResourceId", Value::String(r.logical_id)},
                      {"ResourceType", Value::String(r.type)},
                      {"PhysicalResourceId", Value::String(r.physical)},
                      {"ResourceStatus", Value::String(r.status)}};
    if (!r.note.empty()) o.emplace_back("Note", Value::String(r.note));
    out.push_back(Value::MakeObject(std::move(o)));
  }
  return Value::MakeArray(std::move(out));
}

}  // namespace stator::cli
