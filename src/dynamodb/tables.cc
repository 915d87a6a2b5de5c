// Table operations: CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable, and the
// persisted form of a table's definition.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <random>
#include <set>

#include "dynamodb/service_impl.h"

namespace stator::dynamodb {
namespace {

std::string NewTableId() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    out += hex[rng() % 16];
  }
  return out;
}

json::Value Str(std::string s) { return json::Value::String(std::move(s)); }

json::Value KeySchemaJson(const KeyDef& hash, bool has_range, const KeyDef& range) {
  json::Array a;
  a.push_back(
      json::Value::MakeObject({{"AttributeName", Str(hash.name)}, {"KeyType", Str("HASH")}}));
  if (has_range) {
    a.push_back(
        json::Value::MakeObject({{"AttributeName", Str(range.name)}, {"KeyType", Str("RANGE")}}));
  }
  return json::Value::MakeArray(std::move(a));
}

// Reads a KeySchema list against the attribute definitions.
Status ReadKeySchema(const json::Value* schema, const std::vector<KeyDef>& defs, const char* where,
                     KeyDef* hash, bool* has_range, KeyDef* range) {
  if (!schema || !schema->is_array() || schema->as_array().empty()) {
    return Validation(std::string("1 validation error detected: Value null at '") + where +
                      "' failed to satisfy constraint: Member must not be null");
  }
  const json::Array& a = schema->as_array();
  if (a.size() > 2) {
    return Validation(std::string("1 validation error detected: Value at '") + where +
                      "' failed to satisfy constraint: Member must have length less than or "
                      "equal to 2");
  }
  *has_range = false;
  bool has_hash = false;
  for (size_t i = 0; i < a.size(); ++i) {
    const json::Value* name = a[i].Find("AttributeName");
    const json::Value* type = a[i].Find("KeyType");
    if (!name || !name->is_string() || !type || !type->is_string()) {
      return Validation("Invalid KeySchema: Some index key attribute have no definition");
    }
    std::string t = type->as_string();
    if (t != "HASH" && t != "RANGE") {
      return Validation("1 validation error detected: Value '" + t + "' at '" + where + "." +
                        std::to_string(i + 1) +
                        ".member.keyType' failed to satisfy constraint: Member must satisfy enum "
                        "value set: [HASH, RANGE]");
    }
    KeyDef k;
    k.name = name->as_string();
    auto def =
        std::find_if(defs.begin(), defs.end(), [&](const KeyDef& d) { return d.name == k.name; });
    if (def == defs.end()) {
      return Validation(
          "One or more parameter values were invalid: Some index key attributes are not defined "
          "in AttributeDefinitions. Keys: [" +
          k.name + "], AttributeDefinitions: [" +
          [&] {
            std::string s;
            for (const KeyDef& d : defs) s += (s.empty() ? "" : ", ") + d.name;
            return s;
          }() +
          "]");
    }
    k.type = def->type;
    if (t == "HASH") {
      if (i != 0 || has_hash)
        return Validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
      has_hash = true;
      *hash = k;
    } else {
      if (i != 1)
        return Validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
      *has_range = true;
      *range = k;
    }
  }
  if (*has_range && hash->name == range->name) {
    return Validation(
        "Both the Hash Key and the Range Key element in the KeySchema have the same name");
  }
  return Status::Ok();
}

Status ReadIndexes(const json::Value* list, bool global, const TableMeta& t,
                   std::vector<IndexDef>* out, std::set<std::string>* used) {
  if (!list) return Status::Ok();
  const char* kind = global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes";
  if (!list->is_array() || list->as_array().empty()) {
    return Validation(std::string("One or more parameter values were invalid: List of ") + kind +
                      " is empty");
  }
  for (const json::Value& g : list->as_array()) {
    IndexDef index;
    index.global = global;
    const json::Value* name = g.Find("IndexName");
    if (!name || !name->is_string()) {
      return Validation(
          "1 validation error detected: Value null at 'indexName' failed to satisfy constraint: "
          "Member must not be null");
    }
    index.name = name->as_string();
    for (const IndexDef& other : *out) {
      if (other.name == index.name) {
        return Validation("One or more parameter values were invalid: Duplicate index name: " +
                          index.name);
      }
    }
    STATOR_RETURN_IF_ERROR(ReadKeySchema(g.Find("KeySchema"), t.attribute_definitions,
                                         global ? "globalSecondaryIndexes.1.member.keySchema"
                                                : "localSecondaryIndexes.1.member.keySchema",
                                         &index.hash, &index.has_range, &index.range));
    if (!global && index.hash.name != t.hash.name) {
      return Validation(
          "One or more parameter values were invalid: Table KeySchema does not have a range key, "
          "which is required when specifying a LocalSecondaryIndex");
    }
    used->insert(index.hash.name);
    if (index.has_range) used->insert(index.range.name);
    const json::Value* projection = g.Find("Projection");
    if (projection && projection->is_object()) {
      const json::Value* type = projection->Find("ProjectionType");
      if (type && type->is_string()) index.projection_type = type->as_string();
      const json::Value* non_key = projection->Find("NonKeyAttributes");
      if (non_key && non_key->is_array()) {
        for (const json::Value& n : non_key->as_array()) {
          if (n.is_string()) index.non_key_attributes.push_back(n.as_string());
        }
      }
    }
    const json::Value* pt = g.Find("ProvisionedThroughput");
    if (pt) index.provisioned_throughput = *pt;
    out->push_back(std::move(index));
  }
  return Status::Ok();
}

int64_t IntMember(const json::Value& v, const char* name) {
  const json::Value* m = v.Find(name);
  return m && m->is_number() ? static_cast<int64_t>(m->as_double()) : 0;
}

}  // namespace

json::Value TableMeta::ToJson() const {
  json::Array defs;
  for (const KeyDef& d : attribute_definitions) {
    defs.push_back(json::Value::MakeObject(
        {{"AttributeName", Str(d.name)}, {"AttributeType", Str(TypeName(d.type))}}));
  }
  json::Array indexes_json;
  for (const IndexDef& i : indexes) {
    json::Array non_key;
    for (const std::string& n : i.non_key_attributes) non_key.push_back(Str(n));
    indexes_json.push_back(
        json::Value::MakeObject({{"IndexName", Str(i.name)},
                                 {"Global", json::Value::Bool(i.global)},
                                 {"KeySchema", KeySchemaJson(i.hash, i.has_range, i.range)},
                                 {"ProjectionType", Str(i.projection_type)},
                                 {"NonKeyAttributes", json::Value::MakeArray(std::move(non_key))},
                                 {"ProvisionedThroughput", i.provisioned_throughput}}));
  }
  return json::Value::MakeObject({
      {"TableName", Str(name)},
      {"KeySchema", KeySchemaJson(hash, has_range, range)},
      {"AttributeDefinitions", json::Value::MakeArray(std::move(defs))},
      {"BillingMode", Str(billing_mode)},
      {"ReadCapacityUnits", json::Value::Int(read_capacity)},
      {"WriteCapacityUnits", json::Value::Int(write_capacity)},
      {"Indexes", json::Value::MakeArray(std::move(indexes_json))},
      {"StreamSpecification", stream_specification},
      {"Tags", tags},
      {"DeletionProtectionEnabled", json::Value::Bool(deletion_protection)},
      {"CreationDateTime", json::Value::Double(creation_time)},
      {"TableId", Str(table_id)},
  });
}

Result<TableMeta> TableMeta::FromJson(const json::Value& v) {
  TableMeta t;
  const json::Value* name = v.Find("TableName");
  const json::Value* defs = v.Find("AttributeDefinitions");
  if (!name || !name->is_string() || !defs || !defs->is_array()) {
    return Error{"InternalServerError", "DynamoDB storage: bad table definition"};
  }
  t.name = name->as_string();
  for (const json::Value& d : defs->as_array()) {
    KeyDef k;
    k.name = d.Find("AttributeName")->as_string();
    TypeFromName(d.Find("AttributeType")->as_string(), &k.type);
    t.attribute_definitions.push_back(k);
  }
  STATOR_RETURN_IF_ERROR(ReadKeySchema(v.Find("KeySchema"), t.attribute_definitions, "keySchema",
                                       &t.hash, &t.has_range, &t.range));
  t.billing_mode = v.Find("BillingMode")->as_string();
  t.read_capacity = IntMember(v, "ReadCapacityUnits");
  t.write_capacity = IntMember(v, "WriteCapacityUnits");
  for (const json::Value& i : v.Find("Indexes")->as_array()) {
    IndexDef index;
    index.name = i.Find("IndexName")->as_string();
    index.global = i.Find("Global")->as_bool();
    STATOR_RETURN_IF_ERROR(ReadKeySchema(i.Find("KeySchema"), t.attribute_definitions, "keySchema",
                                         &index.hash, &index.has_range, &index.range));
    index.projection_type = i.Find("ProjectionType")->as_string();
    for (const json::Value& n : i.Find("NonKeyAttributes")->as_array()) {
      index.non_key_attributes.push_back(n.as_string());
    }
    index.provisioned_throughput = *i.Find("ProvisionedThroughput");
    t.indexes.push_back(std::move(index));
  }
  t.stream_specification = *v.Find("StreamSpecification");
  t.tags = *v.Find("Tags");
  t.deletion_protection = v.Find("DeletionProtectionEnabled")->as_bool();
  t.creation_time = v.Find("CreationDateTime")->as_double();
  t.table_id = v.Find("TableId")->as_string();
  return t;
}

Status Service::Impl::LoadTables() {
  // Read into a map of its own (the callbacks run where the analysis cannot see mu held), then
  // taken over whole.
  std::map<std::string, Table> loaded;
  STATOR_RETURN_IF_ERROR(storage->Load(
      [&loaded](const std::string& name, const std::string& meta) -> Status {
        STATOR_TRY(json::Value v, json::Parse(meta));
        STATOR_TRY(TableMeta m, TableMeta::FromJson(v));
        Table& t = loaded[name];
        t.meta = std::move(m);
        return Status::Ok();
      },
      [&loaded](const std::string& table, const std::string& text) -> Status {
        auto it = loaded.find(table);
        if (it == loaded.end()) return Status::Ok();
        STATOR_TRY(json::Value v, json::Parse(text));
        STATOR_TRY(Item item, MapFromJson(v));
        Table& t = it->second;
        AttrValue h = KeyValue(item, t.meta.hash.name);
        AttrValue r = t.meta.has_range ? KeyValue(item, t.meta.range.name) : AttrValue::Null();
        t.item_count += 1;
        t.size_bytes += ItemSize(item);
        t.partitions[EncodeKey(h)].emplace(std::move(r), std::move(item));
        return Status::Ok();
      }));
  tables = std::move(loaded);
  return Status::Ok();
}

json::Value Service::Impl::Describe(const Table& t, const char* status) const {
  const TableMeta& m = t.meta;
  std::string arn =
      "arn:aws:dynamodb:" + options.region + ":" + options.account + ":table/" + m.name;
  json::Array defs;
  for (const KeyDef& d : m.attribute_definitions) {
    defs.push_back(json::Value::MakeObject(
        {{"AttributeName", Str(d.name)}, {"AttributeType", Str(TypeName(d.type))}}));
  }
  auto throughput = [](int64_t r, int64_t w) {
    return json::Value::MakeObject({{"NumberOfDecreasesToday", json::Value::Int(0)},
                                    {"ReadCapacityUnits", json::Value::Int(r)},
                                    {"WriteCapacityUnits", json::Value::Int(w)}});
  };
  json::Object d;
  d.emplace_back("AttributeDefinitions", json::Value::MakeArray(std::move(defs)));
  d.emplace_back("TableName", Str(m.name));
  d.emplace_back("KeySchema", KeySchemaJson(m.hash, m.has_range, m.range));
  d.emplace_back("TableStatus", Str(status));
  d.emplace_back("CreationDateTime", json::Value::Double(m.creation_time));
  d.emplace_back("ProvisionedThroughput", throughput(m.read_capacity, m.write_capacity));
  d.emplace_back("TableSizeBytes", json::Value::Int(t.size_bytes));
  d.emplace_back("ItemCount", json::Value::Int(t.item_count));
  d.emplace_back("TableArn", Str(arn));
  d.emplace_back("TableId", Str(m.table_id));
  if (m.billing_mode == "PAY_PER_REQUEST") {
    d.emplace_back("BillingModeSummary",
                   json::Value::MakeObject({{"BillingMode", Str("PAY_PER_REQUEST")}}));
  }
  json::Array gsis, lsis;
  for (const IndexDef& i : m.indexes) {
    json::Object o;
    o.emplace_back("IndexName", Str(i.name));
    o.emplace_back("KeySchema", KeySchemaJson(i.hash, i.has_range, i.range));
    json::Object projection{{"ProjectionType", Str(i.projection_type)}};
    if (!i.non_key_attributes.empty()) {
      json::Array n;
      for (const std::string& s : i.non_key_attributes) n.push_back(Str(s));
      projection.emplace_back("NonKeyAttributes", json::Value::MakeArray(std::move(n)));
    }
    o.emplace_back("Projection", json::Value::MakeObject(std::move(projection)));
    if (i.global) o.emplace_back("IndexStatus", Str("ACTIVE"));
    if (i.global) {
      int64_t r = 0, w = 0;
      if (i.provisioned_throughput.is_object()) {
        r = IntMember(i.provisioned_throughput, "ReadCapacityUnits");
        w = IntMember(i.provisioned_throughput, "WriteCapacityUnits");
      }
      o.emplace_back("ProvisionedThroughput", throughput(r, w));
    }
    o.emplace_back("IndexSizeBytes", json::Value::Int(0));
    o.emplace_back("ItemCount", json::Value::Int(0));
    o.emplace_back("IndexArn", Str(arn + "/index/" + i.name));
    (i.global ? gsis : lsis).push_back(json::Value::MakeObject(std::move(o)));
  }
  if (!gsis.empty())
    d.emplace_back("GlobalSecondaryIndexes", json::Value::MakeArray(std::move(gsis)));
  if (!lsis.empty())
    d.emplace_back("LocalSecondaryIndexes", json::Value::MakeArray(std::move(lsis)));
  if (m.stream_specification.is_object()) {
    d.emplace_back("StreamSpecification", m.stream_specification);
    const json::Value* enabled = m.stream_specification.Find("StreamEnabled");
    if (enabled && enabled->is_bool() && enabled->as_bool()) {
      d.emplace_back("LatestStreamLabel", Str("2024-01-01T00:00:00.000"));
      d.emplace_back("LatestStreamArn", Str(arn + "/stream/2024-01-01T00:00:00.000"));
    }
  }
  d.emplace_back("DeletionProtectionEnabled", json::Value::Bool(m.deletion_protection));
  return json::Value::MakeObject(std::move(d));
}

Result<json::Value> Service::Impl::CreateTable(const json::Value& req) {
  STATOR_TRY(std::string name, RequiredString(req, "TableName", "tableName"));
  if (name.size() < 3 || name.size() > 255) {
    return Validation(
        "1 validation error detected: Value '" + name +
        "' at 'tableName' failed to satisfy constraint: Member must have length " +
        (name.size() < 3 ? "greater than or equal to 3" : "less than or equal to 255"));
  }
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) {
      return Validation("1 validation error detected: Value '" + name +
                        "' at 'tableName' failed to satisfy constraint: Member must satisfy "
                        "regular expression pattern: [a-zA-Z0-9_.-]+");
    }
  }
  TableMeta m;
  m.name = name;
  const json::Value* defs = Member(req, "AttributeDefinitions");
  if (!defs || !defs->is_array()) {
    return Validation(
        "1 validation error detected: Value null at 'attributeDefinitions' failed to satisfy "
        "constraint: Member must not be null");
  }
  for (const json::Value& d : defs->as_array()) {
    const json::Value* n = d.Find("AttributeName");
    const json::Value* t = d.Find("AttributeType");
    if (!n || !n->is_string() || !t || !t->is_string()) {
      return Validation(
          "1 validation error detected: Value null at 'attributeDefinitions.member.attributeType' "
          "failed to satisfy constraint: Member must not be null");
    }
    KeyDef k;
    k.name = n->as_string();
    if (!TypeFromName(t->as_string(), &k.type) ||
        (k.type != AttrType::kS && k.type != AttrType::kN && k.type != AttrType::kB)) {
      return Validation("1 validation error detected: Value '" + t->as_string() +
                        "' at 'attributeDefinitions.1.member.attributeType' failed to satisfy "
                        "constraint: Member must satisfy enum value set: [B, N, S]");
    }
    m.attribute_definitions.push_back(k);
  }
  STATOR_RETURN_IF_ERROR(ReadKeySchema(Member(req, "KeySchema"), m.attribute_definitions,
                                       "keySchema", &m.hash, &m.has_range, &m.range));
  std::set<std::string> used = {m.hash.name};
  if (m.has_range) used.insert(m.range.name);
  STATOR_RETURN_IF_ERROR(
      ReadIndexes(Member(req, "GlobalSecondaryIndexes"), true, m, &m.indexes, &used));
  STATOR_RETURN_IF_ERROR(
      ReadIndexes(Member(req, "LocalSecondaryIndexes"), false, m, &m.indexes, &used));
  if (used.size() != m.attribute_definitions.size()) {
    bool indexes = Member(req, "GlobalSecondaryIndexes") || Member(req, "LocalSecondaryIndexes");
    if (!indexes) {
      return Validation(
          "One or more parameter values were invalid: Number of attributes in KeySchema does not "
          "exactly match number of attributes defined in AttributeDefinitions");
    }
    std::vector<std::string> defined, keys(used.begin(), used.end());
    for (const KeyDef& d : m.attribute_definitions) defined.push_back(d.name);
    std::sort(defined.begin(), defined.end());
    auto list = [](const std::vector<std::string>& v) {
      std::string s;
      for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
      return "[" + s + "]";
    };
    return Validation(
        "One or more parameter values were invalid: Some AttributeDefinitions are not used. "
        "AttributeDefinitions: " +
        list(defined) + ", keys used: " + list(keys));
  }
  const json::Value* billing = Member(req, "BillingMode");
  if (billing && billing->is_string()) m.billing_mode = billing->as_string();
  if (m.billing_mode != "PROVISIONED" && m.billing_mode != "PAY_PER_REQUEST") {
    return Validation("1 validation error detected: Value '" + m.billing_mode +
                      "' at 'billingMode' failed to satisfy constraint: Member must satisfy enum "
                      "value set: [PROVISIONED, PAY_PER_REQUEST]");
  }
  const json::Value* throughput = Member(req, "ProvisionedThroughput");
  if (m.billing_mode == "PAY_PER_REQUEST" && throughput) {
    return Validation(
        "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
        "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
  }
  if (m.billing_mode == "PROVISIONED") {
    if (!throughput) {
      return Validation(
          "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits "
          "must both be specified when BillingMode is PROVISIONED");
    }
    m.read_capacity = IntMember(*throughput, "ReadCapacityUnits");
    m.write_capacity = IntMember(*throughput, "WriteCapacityUnits");
  }
  if (tables.count(name)) {
    return Error{"ResourceInUseException", "Table already exists: " + name};
  }
  if (const json::Value* s = Member(req, "StreamSpecification")) m.stream_specification = *s;
  if (const json::Value* s = Member(req, "Tags")) m.tags = *s;
  if (const json::Value* s = Member(req, "DeletionProtectionEnabled"); s && s->is_bool()) {
    m.deletion_protection = s->as_bool();
  }
  m.creation_time =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  m.creation_time = static_cast<double>(static_cast<int64_t>(m.creation_time * 1000)) / 1000.0;
  m.table_id = NewTableId();
  Table t;
  t.meta = std::move(m);
  STATOR_RETURN_IF_ERROR(CommitTable(t, false));
  Table& stored = tables[name] = std::move(t);
  return json::Value::MakeObject({{"TableDescription", Describe(stored, "ACTIVE")}});
}

Result<json::Value> Service::Impl::DescribeTable(const json::Value& req) {
  STATOR_TRY(Table * t, GetTable(req, true));
  return json::Value::MakeObject({{"Table", Describe(*t, "ACTIVE")}});
}

Result<json::Value> Service::Impl::ListTables(const json::Value& req) {
  int64_t limit = 100;
  if (const json::Value* l = Member(req, "Limit")) {
    limit = l->is_number() ? static_cast<int64_t>(l->as_double()) : 0;
    if (limit < 1 || limit > 100) {
      return Validation("1 validation error detected: Value '" + std::to_string(limit) +
                        "' at 'limit' failed to satisfy constraint: Member must have value " +
                        (limit < 1 ? "greater than or equal to 1" : "less than or equal to 100"));
    }
  }
  auto it = tables.begin();
  if (const json::Value* start = Member(req, "ExclusiveStartTableName");
      start && start->is_string()) {
    it = tables.upper_bound(start->as_string());
  }
  json::Array names;
  for (; it != tables.end() && static_cast<int64_t>(names.size()) < limit; ++it) {
    names.push_back(Str(it->first));
  }
  json::Object out{{"TableNames", json::Value::MakeArray(names)}};
  if (it != tables.end() && !names.empty()) {
    out.emplace_back("LastEvaluatedTableName", names.back());
  }
  return json::Value::MakeObject(std::move(out));
}

Result<json::Value> Service::Impl::DeleteTable(const json::Value& req) {
  STATOR_TRY(Table * t, GetTable(req, true));
  if (t->meta.deletion_protection) {
    return Validation("1 validation error detected: Table '" + t->meta.name +
                      "' can't be deleted while DeletionProtectionEnabled is set to True");
  }
  json::Value description = Describe(*t, "DELETING");
  STATOR_RETURN_IF_ERROR(CommitTable(*t, true));
  tables.erase(t->meta.name);
  return json::Value::MakeObject({{"TableDescription", std::move(description)}});
}

Result<json::Value> Service::Impl::UpdateTable(const json::Value& req) {
  STATOR_TRY(Table * t, GetTable(req, true));
  TableMeta m = t->meta;
  if (const json::Value* b = Member(req, "BillingMode"); b && b->is_string()) {
    m.billing_mode = b->as_string();
    if (m.billing_mode == "PAY_PER_REQUEST") m.read_capacity = m.write_capacity = 0;
  }
  if (const json::Value* p = Member(req, "ProvisionedThroughput")) {
    m.read_capacity = IntMember(*p, "ReadCapacityUnits");
    m.write_capacity = IntMember(*p, "WriteCapacityUnits");
  }
  if (const json::Value* s = Member(req, "StreamSpecification")) m.stream_specification = *s;
  if (const json::Value* d = Member(req, "DeletionProtectionEnabled"); d && d->is_bool()) {
    m.deletion_protection = d->as_bool();
  }
  // New attribute definitions (for new GSIs) are kept; index updates are accepted and stored.
  if (const json::Value* defs = Member(req, "AttributeDefinitions"); defs && defs->is_array()) {
    for (const json::Value& d : defs->as_array()) {
      const json::Value* n = d.Find("AttributeName");
      const json::Value* ty = d.Find("AttributeType");
      if (!n || !n->is_string() || !ty || !ty->is_string()) continue;
      KeyDef k;
      k.name = n->as_string();
      if (!TypeFromName(ty->as_string(), &k.type)) continue;
      auto existing = std::find_if(m.attribute_definitions.begin(), m.attribute_definitions.end(),
                                   [&](const KeyDef& x) { return x.name == k.name; });
      if (existing == m.attribute_definitions.end()) m.attribute_definitions.push_back(k);
    }
  }
  if (const json::Value* updates = Member(req, "GlobalSecondaryIndexUpdates");
      updates && updates->is_array()) {
    for (const json::Value& u : updates->as_array()) {
      if (const json::Value* c = u.Find("Create")) {
        std::vector<IndexDef> added;
        std::set<std::string> used;
        json::Value list = json::Value::MakeArray({*c});
        STATOR_RETURN_IF_ERROR(ReadIndexes(&list, true, m, &added, &used));
        for (IndexDef& i : added) m.indexes.push_back(std::move(i));
      } else if (const json::Value* d = u.Find("Delete")) {
        const json::Value* n = d->Find("IndexName");
        if (n && n->is_string()) {
          m.indexes.erase(
              std::remove_if(m.indexes.begin(), m.indexes.end(),
                             [&](const IndexDef& i) { return i.name == n->as_string(); }),
              m.indexes.end());
        }
      }
    }
  }
  Table updated;
  updated.meta = m;
  STATOR_RETURN_IF_ERROR(CommitTable(updated, false));
  t->meta = std::move(m);
  return json::Value::MakeObject({{"TableDescription", Describe(*t, "ACTIVE")}});
}

}  // namespace stator::dynamodb
