#include "knix/storage.h"

#include <array>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "common/base64.h"

namespace stator::knix {
namespace {

enum class ParamType : uint8_t { kStr, kInt, kDict };

enum class DataType : uint8_t { kKv, kMap, kSet, kCounter };

struct Param {
  const char* name;
  ParamType type;
};

// An action KNIX accepts for a data type and the parameters it requires, in the order KNIX
// checks them.
struct ActionSpec {
  DataType type;
  const char* name;
  std::vector<Param> params;
};

const std::vector<ActionSpec>& Actions() {
  constexpr ParamType kStr = ParamType::kStr;
  constexpr ParamType kInt = ParamType::kInt;
  static const std::vector<ActionSpec> actions = {
      {DataType::kKv, "getdata", {{"key", kStr}}},
      {DataType::kKv, "deletedata", {{"key", kStr}}},
      {DataType::kKv, "putdata", {{"key", kStr}, {"value", kStr}}},
      {DataType::kKv, "listkeys", {{"start", kInt}, {"count", kInt}}},
      {DataType::kMap, "createmap", {{"mapname", kStr}}},
      {DataType::kMap, "getmapentry", {{"mapname", kStr}, {"key", kStr}}},
      {DataType::kMap, "putmapentry", {{"mapname", kStr}, {"key", kStr}, {"value", kStr}}},
      {DataType::kMap, "deletemapentry", {{"mapname", kStr}, {"key", kStr}}},
      {DataType::kMap, "retrievemap", {{"mapname", kStr}}},
      {DataType::kMap, "containsmapkey", {{"mapname", kStr}, {"key", kStr}}},
      {DataType::kMap, "getmapkeys", {{"mapname", kStr}}},
      {DataType::kMap, "clearmap", {{"mapname", kStr}}},
      {DataType::kMap, "deletemap", {{"mapname", kStr}}},
      {DataType::kMap, "listmaps", {{"start", kInt}, {"count", kInt}}},
      {DataType::kSet, "createset", {{"setname", kStr}}},
      {DataType::kSet, "addsetentry", {{"setname", kStr}, {"item", kStr}}},
      {DataType::kSet, "removesetentry", {{"setname", kStr}, {"item", kStr}}},
      {DataType::kSet, "containssetitem", {{"setname", kStr}, {"item", kStr}}},
      {DataType::kSet, "retrieveset", {{"setname", kStr}}},
      {DataType::kSet, "clearset", {{"setname", kStr}}},
      {DataType::kSet, "deleteset", {{"setname", kStr}}},
      {DataType::kSet, "listsets", {{"start", kInt}, {"count", kInt}}},
      {DataType::kCounter, "createcounter", {{"countername", kStr}, {"countervalue", kInt}}},
      {DataType::kCounter, "getcounter", {{"countername", kStr}}},
      {DataType::kCounter, "incrementcounter", {{"countername", kStr}, {"increment", kInt}}},
      {DataType::kCounter, "decrementcounter", {{"countername", kStr}, {"decrement", kInt}}},
      {DataType::kCounter, "deletecounter", {{"countername", kStr}}},
      {DataType::kCounter, "listcounters", {{"start", kInt}, {"count", kInt}}},
  };
  return actions;
}

// Per data type: its name, the parameter naming the thing acted on, its listing action, and
// the table KNIX names in messages for the user's storage and (after "wf_") a workflow's.
struct TypeInfo {
  const char* name;
  const char* subject;
  const char* list_action;
  const char* user_table;
  const char* workflow_table_prefix;
};

const TypeInfo& Info(DataType type) {
  static const std::array<TypeInfo, 4> info = {{
      {"kv", "key", "listkeys", "defaultTable", "wf_"},
      {"map", "mapname", "listmaps", "defaultMapTable", "wf_maps_"},
      {"set", "setname", "listsets", "defaultSetTable", "wf_sets_"},
      {"counter", "countername", "listcounters", "defaultCounterTable", "wf_counters_"},
  }};
  return info[static_cast<size_t>(type)];
}

std::optional<DataType> ParseDataType(std::string_view name) {
  for (DataType t : {DataType::kKv, DataType::kMap, DataType::kSet, DataType::kCounter}) {
    if (name == Info(t).name) return t;
  }
  return std::nullopt;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

ActionFailure StorageFailure(std::string_view why) {
  return Fail("Error while performing storage operation; " + std::string(why));
}

ActionFailure Invalid(std::string_view why) {
  return StorageFailure("Exception: Invalid data provided. " + std::string(why));
}

// The name of a JSON value's Python type, as KNIX's TypeErrors print it.
const char* PythonTypeName(const json::Value& v) {
  switch (v.kind()) {
    case json::Kind::kNull:
      return "NoneType";
    case json::Kind::kBool:
      return "bool";
    case json::Kind::kInt:
      return "int";
    case json::Kind::kDouble:
      return "float";
    case json::Kind::kString:
      return "str";
    case json::Kind::kArray:
      return "list";
    case json::Kind::kObject:
      return "dict";
  }
  return "object";
}

bool HasType(const json::Value& v, ParamType type) {
  switch (type) {
    case ParamType::kStr:
      return v.is_string();
    case ParamType::kInt:
      return v.is_int() || v.is_bool();  // Python: bool is an int
    case ParamType::kDict:
      return v.is_object();
  }
  return false;
}

const char* TypeWord(ParamType type) {
  switch (type) {
    case ParamType::kStr:
      return "str";
    case ParamType::kInt:
      return "int";
    case ParamType::kDict:
      return "dict";
  }
  return "";
}

// KNIX's validate_parameter: a missing key raises KeyError ("Exception: 'name'"), a value of
// another type is "'name' is not a <type>." (None included).
std::optional<ActionFailure> CheckParameter(const json::Value& object, const char* name,
                                            ParamType type) {
  const json::Value* v = object.Find(name);
  if (v == nullptr) return StorageFailure("Exception: '" + std::string(name) + "'");
  if (!HasType(*v, type)) {
    return Invalid("Invalid/missing parameter: '" + std::string(name) + "' is not a " +
                   TypeWord(type) + ".");
  }
  return std::nullopt;
}

int64_t IntParam(const json::Value& params, const char* name) {
  const json::Value& v = *params.Find(name);
  return v.is_bool() ? (v.as_bool() ? 1 : 0) : v.as_int();
}

// str() of an integer parameter, as Python prints it.
std::string IntText(const json::Value& params, const char* name) {
  const json::Value& v = *params.Find(name);
  if (v.is_bool()) return v.as_bool() ? "True" : "False";
  return std::to_string(v.as_int());
}

const std::string& StrParam(const json::Value& params, const char* name) {
  return params.Find(name)->as_string();
}

json::Value StringArray(const std::vector<std::string>& items) {
  json::Array array;
  array.reserve(items.size());
  for (const std::string& s : items) array.push_back(json::Value::String(s));
  return json::Value::MakeArray(std::move(array));
}

json::Value OptionalString(const std::optional<std::string>& s) {
  return s ? json::Value::String(*s) : json::Value::Null();
}

// What an action did: KNIX's status (false: the data layer refused) and its result fields.
struct Outcome {
  bool status = true;
  json::Object fields;
};

Outcome Refused() { return Outcome{false, {}}; }

Outcome With(const char* field, json::Value value) {
  Outcome out;
  out.fields.emplace_back(field, std::move(value));
  return out;
}

Result<Outcome> FromStatus(const Status& s) {
  if (!s.ok()) return s.error();
  return Outcome{};
}

Result<Outcome> FromBool(Result<bool> r) {
  if (!r.ok()) return std::move(r).error();
  return Outcome{*r, {}};
}

Result<Outcome> RunKv(DataLayer& layer, const StorageTarget& target, const std::string& action,
                      const json::Value& p) {
  if (action == "listkeys") {
    if (!target.table_exists) return With("keylist", json::Value::EmptyArray());
    STATOR_TRY(auto keys, layer.ListKeys(target.scope, IntParam(p, "start"), IntParam(p, "count")));
    return With("keylist", StringArray(keys));
  }
  const std::string& key = StrParam(p, "key");
  if (action == "getdata") {
    if (!target.table_exists) return With("value", json::Value::Null());
    STATOR_TRY(auto value, layer.Get(target.scope, key));
    return With("value", OptionalString(value));
  }
  if (!target.table_exists) return Refused();
  if (action == "putdata") return FromStatus(layer.Put(target.scope, key, StrParam(p, "value")));
  return FromStatus(layer.Delete(target.scope, key));  // deletedata
}

Result<Outcome> RunMap(DataLayer& layer, const std::string& scope, const std::string& action,
                       const json::Value& p) {
  if (action == "listmaps") {
    STATOR_TRY(auto maps, layer.ListMaps(scope, IntParam(p, "start"), IntParam(p, "count")));
    return With("maplist", StringArray(maps));
  }
  const std::string& map = StrParam(p, "mapname");
  if (action == "createmap") return FromStatus(layer.CreateMap(scope, map));
  if (action == "putmapentry") {
    return FromStatus(layer.PutMapEntry(scope, map, StrParam(p, "key"), StrParam(p, "value")));
  }
  if (action == "getmapentry") {
    STATOR_TRY(auto value, layer.GetMapEntry(scope, map, StrParam(p, "key")));
    return With("value", value ? json::Value::String(Base64Encode(*value)) : json::Value::Null());
  }
  if (action == "deletemapentry") {
    return FromBool(layer.DeleteMapEntry(scope, map, StrParam(p, "key")));
  }
  if (action == "retrievemap") {
    STATOR_TRY(auto entries, layer.RetrieveMap(scope, map));
    json::Object object;
    object.reserve(entries.size());
    for (auto& [key, value] : entries) object.emplace_back(key, json::Value::String(value));
    return With("mapentries", json::Value::MakeObject(std::move(object)));
  }
  if (action == "containsmapkey") {
    STATOR_TRY(bool contains, layer.ContainsMapKey(scope, map, StrParam(p, "key")));
    return With("containskey", json::Value::Bool(contains));
  }
  if (action == "getmapkeys") {
    STATOR_TRY(auto keys, layer.GetMapKeys(scope, map));
    return With("mapkeys", StringArray(keys));
  }
  if (action == "clearmap") return FromStatus(layer.ClearMap(scope, map));
  return FromStatus(layer.DeleteMap(scope, map));  // deletemap
}

Result<Outcome> RunSet(DataLayer& layer, const std::string& scope, const std::string& action,
                       const json::Value& p) {
  if (action == "listsets") {
    STATOR_TRY(auto sets, layer.ListSets(scope, IntParam(p, "start"), IntParam(p, "count")));
    return With("setlist", StringArray(sets));
  }
  const std::string& set = StrParam(p, "setname");
  if (action == "createset") return FromStatus(layer.CreateSet(scope, set));
  if (action == "addsetentry")
    return FromStatus(layer.AddSetEntry(scope, set, StrParam(p, "item")));
  if (action == "removesetentry") {
    return FromBool(layer.RemoveSetEntry(scope, set, StrParam(p, "item")));
  }
  if (action == "containssetitem") {
    STATOR_TRY(bool contains, layer.ContainsSetItem(scope, set, StrParam(p, "item")));
    return With("containsitem", json::Value::Bool(contains));
  }
  if (action == "retrieveset") {
    STATOR_TRY(auto items, layer.RetrieveSet(scope, set));
    return With("items", StringArray(items));
  }
  if (action == "clearset") return FromStatus(layer.ClearSet(scope, set));
  return FromStatus(layer.DeleteSet(scope, set));  // deleteset
}

Result<Outcome> RunCounter(DataLayer& layer, const std::string& scope, const std::string& action,
                           const json::Value& p) {
  if (action == "listcounters") {
    STATOR_TRY(auto counters,
               layer.ListCounters(scope, IntParam(p, "start"), IntParam(p, "count")));
    return With("counterlist", StringArray(counters));
  }
  const std::string& counter = StrParam(p, "countername");
  if (action == "createcounter") {
    return FromBool(layer.CreateCounter(scope, counter, IntParam(p, "countervalue")));
  }
  if (action == "getcounter") {
    STATOR_TRY(int64_t value, layer.GetCounter(scope, counter));
    return With("countervalue", json::Value::Int(value));
  }
  if (action == "incrementcounter" || action == "decrementcounter") {
    Result<int64_t> r = action == "incrementcounter"
                            ? layer.IncrementCounter(scope, counter, IntParam(p, "increment"))
                            : layer.DecrementCounter(scope, counter, IntParam(p, "decrement"));
    if (!r.ok() && r.error().error == kCounterOverflow) return Refused();
    if (!r.ok()) return std::move(r).error();
    return Outcome{};
  }
  return FromStatus(layer.DeleteCounter(scope, counter));  // deletecounter
}

// A workflowid KNIX treats as one: present, not null, not "".
const json::Value* WorkflowId(const json::Value& storage) {
  const json::Value* wid = storage.Find("workflowid");
  if (wid == nullptr || wid->is_null()) return nullptr;
  if (wid->is_string() && wid->as_string().empty()) return nullptr;
  return wid;
}

// A tableName KNIX treats as one: present and not null.
const json::Value* TableName(const json::Value& storage) {
  const json::Value* params = storage.Find("parameters");
  if (params == nullptr || !params->is_object()) return nullptr;
  const json::Value* table = params->Find("tableName");
  if (table == nullptr || table->is_null()) return nullptr;
  return table;
}

}  // namespace

StorageScopeRequest RequestedStorageScope(const json::Value* storage) {
  StorageScopeRequest request;
  if (storage == nullptr || !storage->is_object()) return request;
  if (const json::Value* wid = WorkflowId(*storage)) {
    if (wid->is_string()) {
      request.kind = StorageScopeKind::kWorkflow;
      request.name = wid->as_string();
    }
    return request;
  }
  const json::Value* type = storage->Find("data_type");
  bool kv = type != nullptr && type->is_string() &&
            (type->as_string().empty() || AsciiLower(type->as_string()) == "kv");
  const json::Value* table = TableName(*storage);
  if (kv && table != nullptr && table->is_string()) {
    request.kind = StorageScopeKind::kBucket;
    request.name = table->as_string();
  }
  return request;
}

ActionResult PerformStorageAction(DataLayer& data_layer, const StorageTarget& target,
                                  const json::Value* storage) {
  // KNIX's validate_data, in its order.
  if (storage == nullptr) return StorageFailure("Exception: 'storage'");
  if (!storage->is_object()) return Invalid("Invalid/missing parameter: 'storage' is not a dict.");
  if (auto f = CheckParameter(*storage, "data_type", ParamType::kStr)) return *f;
  if (auto f = CheckParameter(*storage, "parameters", ParamType::kDict)) return *f;
  const std::string& raw_type = storage->Find("data_type")->as_string();
  std::string type_name = raw_type.empty() ? "kv" : AsciiLower(raw_type);
  std::optional<DataType> type = ParseDataType(type_name);
  if (!type) return Invalid("Invalid data type specified.");
  const json::Value& params = *storage->Find("parameters");
  if (auto f = CheckParameter(params, "action", ParamType::kStr)) return *f;
  std::string action = AsciiLower(params.Find("action")->as_string());
  const ActionSpec* spec = nullptr;
  for (const ActionSpec& a : Actions()) {
    if (a.type == *type && action == a.name) spec = &a;
  }
  if (spec == nullptr) {
    return Invalid("Unknown storage action: " + action + " for data type: " + type_name);
  }
  for (const Param& param : spec->params) {
    if (auto f = CheckParameter(params, param.name, param.type)) return *f;
  }
  const TypeInfo& info = Info(*type);
  bool listing = action == info.list_action;
  if (listing) {
    for (const char* bound : {"start", "count"}) {
      int64_t n = IntParam(params, bound);
      if (n < 0 || n > 1000000) {
        return Invalid("'" + std::string(bound) + "' should be between 0 and 1000000.");
      }
    }
  }

  // The storage KNIX opens (a workflowid that is not a string breaks there), whether its
  // dispatch runs (on the data_type as sent, "" having become "kv"), and the table its messages
  // name (a kv tableName that is not a string breaks there).
  const json::Value* wid = WorkflowId(*storage);
  if (wid != nullptr && !wid->is_string()) {
    return StorageFailure(std::string("Exception: must be str, not ") + PythonTypeName(*wid));
  }
  if (!raw_type.empty() && raw_type != type_name) {
    return StorageFailure("Exception: local variable 'status' referenced before assignment");
  }
  std::string table = info.user_table;
  if (wid != nullptr) {
    table = info.workflow_table_prefix + wid->as_string();
  } else if (const json::Value* name = TableName(*storage);
             name != nullptr && *type == DataType::kKv) {
    if (!name->is_string()) {
      return StorageFailure(std::string("Exception: must be str, not ") + PythonTypeName(*name));
    }
    table = name->as_string();
  }

  std::string message = action;
  if (listing) {
    message += ", start: " + IntText(params, "start") + ", count: " + IntText(params, "count");
  } else {
    message += ", " + std::string(info.subject) + ": " + StrParam(params, info.subject);
  }
  message += ", table: " + table +
             ", keyspace: " + (target.keyspace.empty() ? target.scope : target.keyspace);

  Result<Outcome> outcome = Outcome{};
  switch (*type) {
    case DataType::kKv:
      outcome = RunKv(data_layer, target, action, params);
      break;
    case DataType::kMap:
      outcome = RunMap(data_layer, target.scope, action, params);
      break;
    case DataType::kSet:
      outcome = RunSet(data_layer, target.scope, action, params);
      break;
    case DataType::kCounter:
      outcome = RunCounter(data_layer, target.scope, action, params);
      break;
  }
  if (!outcome.ok()) return StorageFailure("Exception: " + outcome.error().cause);
  if (!outcome->status) {
    std::string refused = action + " returned False. ";
    if (*type == DataType::kMap) refused += refused;  // KNIX's map handler adds it twice
    return StorageFailure(refused + message);
  }
  json::Object fields = std::move(outcome->fields);
  fields.emplace_back("status", json::Value::Bool(true));
  return Data("Successful storage op: " + message, std::move(fields));
}

}  // namespace stator::knix
