#include "api/routes/states/alias_common.h"

#include <random>

#include "api/routes/states/state_machine_common.h"
#include "common/arn.h"

namespace stator::api::states {

namespace {

bool IsAliasNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

// ^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$ : allowed characters only, and not digits alone (an
// all-digit name would read as a version number).
bool MatchesAliasName(std::string_view name) {
  if (name.empty()) return false;
  bool non_digit = false;
  for (char c : name) {
    if (!IsAliasNameChar(c)) return false;
    non_digit = non_digit || !(c >= '0' && c <= '9');
  }
  return non_digit;
}

std::string ArnList(const json::Value& routing) {
  std::string out = "[";
  for (const json::Value& item : routing.as_array()) {
    if (out.size() > 1) out += ", ";
    const json::Value* arn = item.is_object() ? item.Find("stateMachineVersionArn") : nullptr;
    out += arn && arn->is_string() ? arn->as_string() : "null";
  }
  return out + "]";
}

ApiError InvalidRouting(std::string message) {
  return ApiError::ValidationWithReason(std::move(message), "INVALID_ROUTING_CONFIGURATION");
}

}  // namespace

ShapeRef AliasNameShape() {
  static const ShapeRef shape =
      Pattern(String(1, 80), "^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$", &MatchesAliasName);
  return shape;
}

ShapeRef AliasDescriptionShape() {
  static const ShapeRef shape = Sensitive(String(std::nullopt, 256));
  return shape;
}

ShapeRef RoutingConfigurationShape() {
  static const ShapeRef shape =
      List(JavaNamed(Struct({
                         {"stateMachineVersionArn", ArnShape(), kRequired},
                         {"weight", Integer(0, 100), kRequired},
                     }),
                     "RoutingConfigurationListItem"),
           1, 2);
  return shape;
}

std::string Alias::ToRecord() const {
  json::Array entries;
  for (const RoutingEntry& r : routing) {
    entries.push_back(json::Value::MakeObject({
        {"stateMachineVersionArn", json::Value::String(r.version_arn)},
        {"weight", json::Value::Int(r.weight)},
    }));
  }
  return json::Value::MakeObject({
                                     {"name", json::Value::String(name)},
                                     {"description", json::Value::String(description)},
                                     {"routingConfiguration", json::Value::MakeArray(entries)},
                                     {"creationDate", json::Value::Int(creation_date_ms)},
                                     {"updateDate", json::Value::Int(update_date_ms)},
                                 })
      .Dump();
}

std::optional<Alias> Alias::FromRecord(const std::string& arn, const std::string& text) {
  auto v = json::Parse(text);
  if (!v.ok() || !v->is_object()) return std::nullopt;
  Alias a;
  a.arn = arn;
  a.name = StringMember(*v, "name").value_or("");
  a.description = StringMember(*v, "description").value_or("");
  a.creation_date_ms = IntMember(*v, "creationDate").value_or(0);
  a.update_date_ms = IntMember(*v, "updateDate").value_or(0);
  if (const json::Value* r = Member(*v, "routingConfiguration"); r && r->is_array()) {
    for (const json::Value& e : r->as_array()) {
      a.routing.push_back(RoutingEntry{StringMember(e, "stateMachineVersionArn").value_or(""),
                                       IntMember(e, "weight").value_or(0)});
    }
  }
  return a;
}

ApiError AliasNotFound() {
  return ApiError{"ResourceNotFound", "Request references a resource that does not exist.", {}};
}

ApiResult<std::vector<RoutingEntry>> CheckRouting(StatesService& service,
                                                  const json::Value& routing,
                                                  std::string* machine_arn) {
  std::vector<RoutingEntry> entries;
  std::vector<StateMachineArn> parsed;
  bool versions_only = true;
  for (const json::Value& item : routing.as_array()) {
    std::string arn = StringMember(item, "stateMachineVersionArn").value_or("");
    auto p = ParseStateMachineArn(arn);
    if (!p.ok() || !p->version) {
      versions_only = false;
      continue;
    }
    parsed.push_back(std::move(p).value());
    entries.push_back(RoutingEntry{arn, IntMember(item, "weight").value_or(0)});
  }
  if (!versions_only) {
    return InvalidRouting(
        "Routing configuration must contain state machine version ARNs. "
        "Received: " +
        ArnList(routing));
  }
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].version_arn == entries[0].version_arn) {
      return InvalidRouting(
          "Routing configuration must contain distinct state machine version ARNs. Received: " +
          ArnList(routing));
    }
    if (parsed[i].machine_arn != parsed[0].machine_arn) {
      return InvalidRouting(
          "Routing configuration must contain state machine version ARNs of the same state "
          "machine. Received: " +
          ArnList(routing));
    }
  }
  int64_t sum = 0;
  std::string weights = "[";
  for (const RoutingEntry& e : entries) {
    sum += e.weight;
    if (weights.size() > 1) weights += ", ";
    weights += std::to_string(e.weight);
  }
  if (sum != 100) {
    return InvalidRouting(
        "Sum of routing configuration weights must equal 100. Received: " + weights + "]");
  }
  for (const StateMachineArn& p : parsed) {
    auto version = service.store().GetVersion(p.machine_arn, *p.version);
    if (!version.ok()) return StoreFailure(version.error());
    if (!version->has_value()) return AliasNotFound();
  }
  *machine_arn = parsed.front().machine_arn;
  return entries;
}

ApiResult<Alias> LoadAlias(StatesService& service, const std::string& arn,
                           std::string* record_text) {
  STATOR_TRY(StateMachineArn parsed, ParseStateMachineArn(arn));
  if (!parsed.alias) return ApiError::InvalidArn("Invalid alias ARN: " + arn);
  auto got = service.store().GetRecord(kAliasRecordKind, arn);
  if (!got.ok()) return StoreFailure(got.error());
  if (!got->has_value()) return AliasNotFound();
  std::optional<Alias> alias = Alias::FromRecord(arn, **got);
  if (!alias) return ApiError::Internal("Internal error: unreadable alias record " + arn);
  if (record_text) *record_text = **got;
  return std::move(*alias);
}

ApiResult<std::vector<Alias>> ListAliases(StatesService& service, const std::string& machine_arn) {
  std::vector<Alias> out;
  std::string after;
  const std::string prefix = machine_arn + ":";
  for (;;) {
    auto page = service.store().ListRecords(kAliasRecordKind, prefix, after, 1000);
    if (!page.ok()) return StoreFailure(page.error());
    for (const store::Record& r : page->items) {
      if (auto a = Alias::FromRecord(r.key, r.value)) out.push_back(std::move(*a));
    }
    if (page->next.empty()) break;
    after = page->next;
  }
  return out;
}

const RoutingEntry& ChooseVersion(const Alias& alias) {
  if (alias.routing.size() < 2) return alias.routing.front();
  thread_local std::mt19937_64 rng{std::random_device{}()};
  int64_t pick = static_cast<int64_t>(rng() % 100);  // 0..99
  return pick < alias.routing[0].weight ? alias.routing[0] : alias.routing[1];
}

}  // namespace stator::api::states
