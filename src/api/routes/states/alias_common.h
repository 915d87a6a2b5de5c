// What the state machine alias operations share: an alias's record (aliases live in the store as
// records of kind "states.alias" keyed by alias ARN, so no table of their own), the member shapes
// of the service model, AWS's routing-configuration rules, and the weighted choice of a version
// that StartExecution / StartSyncExecution make through an alias.
//
// Thread-safety: plain values and functions; concurrent writers of one alias are settled by the
// store's compare-and-set (RecordWrite::IfEquals) in the operations.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/aws_json/api_error.h"
#include "api/aws_json/shape.h"
#include "api/states_service.h"
#include "common/json.h"

namespace stator::api::states {

inline constexpr const char* kAliasRecordKind = "states.alias";

struct RoutingEntry {
  std::string version_arn;
  int64_t weight = 0;
};

// One alias as stored (the record's value is its JSON) and described.
struct Alias {
  std::string arn;  // "<state machine arn>:<name>"
  std::string name;
  std::string description;
  std::vector<RoutingEntry> routing;
  int64_t creation_date_ms = 0;
  int64_t update_date_ms = 0;

  std::string ToRecord() const;
  static std::optional<Alias> FromRecord(const std::string& arn, const std::string& text);
};

ShapeRef AliasNameShape();             // CharacterRestrictedName: 1..80 with AWS's pattern
ShapeRef AliasDescriptionShape();      // 0..256, sensitive
ShapeRef RoutingConfigurationShape();  // 1..2 RoutingConfigurationListItem

// The routing configuration a request gives, checked as AWS does after request validation:
// version ARNs only, distinct, of one state machine, existing, weights summing to 100.
// `machine_arn` receives the (unqualified) state machine they belong to.
ApiResult<std::vector<RoutingEntry>> CheckRouting(StatesService& service,
                                                  const json::Value& routing,
                                                  std::string* machine_arn);

// The alias an alias ARN names: InvalidArn when it is not an alias ARN, ResourceNotFound
// ("Request references a resource that does not exist.") when there is none. `record_text`
// receives the stored record (for a compare-and-set) when not null.
ApiResult<Alias> LoadAlias(StatesService& service, const std::string& arn,
                           std::string* record_text = nullptr);

// Every alias of a state machine, in name order.
ApiResult<std::vector<Alias>> ListAliases(StatesService& service, const std::string& machine_arn);

// The version an execution started through `alias` runs: weighted random choice.
const RoutingEntry& ChooseVersion(const Alias& alias);

ApiError AliasNotFound();

}  // namespace stator::api::states
