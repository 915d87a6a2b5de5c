// What stator deploy and delete-stack print: one row per resource, as a table or as JSON.
//
// Thread-safety: pure functions.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "common/json.h"

namespace stator::cli {

// One resource's outcome.
struct Row {
  std::string status;  // CREATED UPDATED UNCHANGED REPLACED SKIPPED DELETED NOT_CREATED
  std::string type;
  std::string logical_id;
  std::string physical;
  std::string note;
};

// The rows as an aligned table: status, type, logical id, physical name, note.
void PrintRows(const std::vector<Row>& rows, std::ostream& out);

// The rows as a JSON list of {LogicalResourceId, ResourceType, PhysicalResourceId,
// ResourceStatus, Note?}.
json::Value RowsJson(const std::vector<Row>& rows);

}  // namespace stator::cli
