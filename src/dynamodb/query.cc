// Query and Scan.
#include <algorithm>
#include <initializer_list>

#include "dynamodb/service_impl.h"

namespace stator::dynamodb {
namespace {

constexpr int64_t kMaxPageBytes = 1024 * 1024;

void TopLevelNames(const Operand& o, std::vector<std::string>* out) {
  if (o.kind == Operand::Kind::kPath && !o.path.empty()) out->push_back(o.path[0].name);
  for (const Operand& a : o.args) TopLevelNames(a, out);
}
void TopLevelNames(const Condition& c, std::vector<std::string>* out) {
  for (const Operand& o : c.operands) TopLevelNames(o, out);
  for (const Condition& child : c.children) TopLevelNames(child, out);
}

Result<int64_t> ReadLimit(const json::Value& req) {
  const json::Value* l = Member(req, "Limit");
  if (!l) return int64_t{0};
  int64_t v = l->is_number() ? static_cast<int64_t>(l->as_double()) : 0;
  if (v < 1) {
    return Validation("1 validation error detected: Value '" + std::to_string(v) +
                      "' at 'limit' failed to satisfy constraint: Member must have value greater "
                      "than or equal to 1");
  }
  return v;
}

Result<std::string> ReadSelect(const json::Value& req, bool has_projection) {
  const json::Value* s = Member(req, "Select");
  std::string select = s && s->is_string()
                           ? s->as_string()
                           : (has_projection ? "SPECIFIC_ATTRIBUTES" : "ALL_ATTRIBUTES");
  if (select != "ALL_ATTRIBUTES" && select != "ALL_PROJECTED_ATTRIBUTES" && select != "COUNT" &&
      select != "SPECIFIC_ATTRIBUTES") {
    return Validation(
        "1 validation error detected: Value '" + select +
        "' at 'select' failed to satisfy constraint: Member must satisfy enum value "
        "set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]");
  }
  if (select == "SPECIFIC_ATTRIBUTES" && !has_projection) {
    return Validation(
        "1 validation error detected: Value 'SPECIFIC_ATTRIBUTES' at 'select' failed to satisfy "
        "constraint: Member must have a projection expression or attributes to get");
  }
  if (has_projection && (select == "ALL_ATTRIBUTES" || select == "COUNT")) {
    return Validation("Cannot specify the AttributesToGet when choosing to get " +
                      std::string(select == "COUNT" ? "only the Count" : "ALL_ATTRIBUTES"));
  }
  return select;
}

const IndexDef* FindIndex(const TableMeta& m, const std::string& name) {
  for (const IndexDef& i : m.indexes) {
    if (i.name == name) return &i;
  }
  return nullptr;
}

// The attributes an index holds of an item, per its projection.
Item IndexProjection(const TableMeta& m, const IndexDef& index, const Item& item) {
  if (index.projection_type == "ALL") return item;
  Item out;
  std::vector<std::string> keep = {m.hash.name, index.hash.name};
  if (m.has_range) keep.push_back(m.range.name);
  if (index.has_range) keep.push_back(index.range.name);
  if (index.projection_type == "INCLUDE") {
    for (const std::string& n : index.non_key_attributes) keep.push_back(n);
  }
  for (const std::string& n : keep) {
    if (const AttrValue* v = Find(item, n)) Set(out, n, *v);
  }
  return out;
}

// The LastEvaluatedKey of an item: the table's key, plus the index key when reading an index.
Item PageKey(const TableMeta& m, const IndexDef* index, const Item& item) {
  Item k = KeyOf(m, item);
  if (index) {
    Set(k, index->hash.name, KeyValue(item, index->hash.name));
    if (index->has_range) Set(k, index->range.name, KeyValue(item, index->range.name));
  }
  return k;
}

Result<std::optional<Item>> ReadStartKey(const json::Value& req, const TableMeta& m,
                                         const IndexDef* index) {
  const json::Value* s = Member(req, "ExclusiveStartKey");
  if (!s) return std::optional<Item>();
  STATOR_TRY(Item k, MapFromJson(*s));
  bool ok = Find(k, m.hash.name) && (!m.has_range || Find(k, m.range.name));
  if (index)
    ok = ok && Find(k, index->hash.name) && (!index->has_range || Find(k, index->range.name));
  if (!ok) {
    return Validation(
        "The provided starting key is invalid: The provided key element does not match the schema");
  }
  return std::optional<Item>(std::move(k));
}

// Refuses the legacy (pre-expression) parameters of a read.
Status RejectLegacy(const json::Value& req, std::initializer_list<const char*> names) {
  for (const char* legacy : names) {
    if (Member(req, legacy)) {
      return Validation(std::string("stator does not support the legacy parameter ") + legacy +
                        "; use the expression parameters instead");
    }
  }
  return Status::Ok();
}

// The index IndexName names, or nullptr when the read is of the table itself.
Result<const IndexDef*> ReadIndex(const json::Value& req, const TableMeta& m) {
  const IndexDef* index = nullptr;
  if (const json::Value* n = Member(req, "IndexName"); n && n->is_string()) {
    index = FindIndex(m, n->as_string());
    if (!index) return Validation("The table does not have the specified index: " + n->as_string());
  }
  return index;
}

// A page being collected: what is read and how, then what has been read.
struct Page {
  const TableMeta& m;
  const IndexDef* index;
  const std::optional<Condition>& filter;
  const std::optional<std::vector<Path>>& projection;
  const std::string& select;
  int64_t limit;

  json::Array items{};
  int64_t count = 0;
  int64_t scanned = 0;
  int64_t bytes = 0;
  std::optional<Item> last_key{};

  // Reads one item into the page; true when that fills it (last_key is then set).
  bool Add(const Item& item) {
    ++scanned;
    bytes += ItemSize(item);
    if (!filter || EvaluateCondition(*filter, item)) {
      ++count;
      if (select != "COUNT") {
        Item shown = index ? IndexProjection(m, *index, item) : item;
        if (projection) shown = Project(shown, *projection);
        items.push_back(MapToJson(shown));
      }
    }
    if ((limit > 0 && scanned == limit) || bytes >= kMaxPageBytes) {
      last_key = PageKey(m, index, item);
      return true;
    }
    return false;
  }

  // The response to the read.
  json::Value TakeResponse() {
    json::Object out;
    if (select != "COUNT") out.emplace_back("Items", json::Value::MakeArray(std::move(items)));
    out.emplace_back("Count", json::Value::Int(count));
    out.emplace_back("ScannedCount", json::Value::Int(scanned));
    if (last_key) out.emplace_back("LastEvaluatedKey", MapToJson(*last_key));
    return json::Value::MakeObject(std::move(out));
  }
};

}  // namespace

Result<json::Value> Service::Impl::Query(const json::Value& req) {
  STATOR_TRY(Table * t, GetTable(req));
  const TableMeta& m = t->meta;
  STATOR_RETURN_IF_ERROR(RejectLegacy(
      req, {"KeyConditions", "QueryFilter", "ConditionalOperator", "AttributesToGet"}));
  STATOR_TRY(const IndexDef* index, ReadIndex(req, m));
  const json::Value* kce = Member(req, "KeyConditionExpression");
  if (!kce || !kce->is_string()) {
    return Validation(
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
        "request.");
  }
  STATOR_TRY(ExpressionContext ctx, MakeContext(req, true));
  const KeyDef& hash = index ? index->hash : m.hash;
  bool has_range = index ? index->has_range : m.has_range;
  const KeyDef& range = index ? index->range : m.range;
  STATOR_TRY(KeyCondition key, ParseKeyCondition(kce->as_string(), &ctx, hash.name,
                                                 has_range ? range.name : std::string()));
  STATOR_TRY(std::optional<Condition> filter,
             OptionalCondition(req, "FilterExpression", ExprKind::kFilter, &ctx));
  STATOR_TRY(std::optional<std::vector<Path>> projection, OptionalProjection(req, &ctx));
  STATOR_RETURN_IF_ERROR(ctx.CheckAllUsed());
  if (key.hash_value.type != hash.type ||
      (key.has_range &&
       (key.range_value.type != range.type ||
        (key.range_op == KeyCondition::RangeOp::kBetween && key.range_high.type != range.type)))) {
    return Validation(
        "One or more parameter values were invalid: Condition parameter type does not match "
        "schema type");
  }
  if (key.has_range && key.range_op == KeyCondition::RangeOp::kBeginsWith &&
      range.type == AttrType::kN) {
    return Validation(
        "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
        "operator or function: begins_with, operand type: N");
  }
  if (filter) {
    std::vector<std::string> names;
    TopLevelNames(*filter, &names);
    for (const std::string& n : names) {
      if (n == hash.name || (has_range && n == range.name)) {
        return Validation(
            "Filter Expression can only contain non-primary key attributes: Primary key "
            "attribute: " +
            n);
      }
    }
  }
  STATOR_TRY(int64_t limit, ReadLimit(req));
  STATOR_TRY(std::string select, ReadSelect(req, projection.has_value()));
  STATOR_TRY(std::optional<Item> start, ReadStartKey(req, m, index));
  bool forward = true;
  if (const json::Value* f = Member(req, "ScanIndexForward"); f && f->is_bool())
    forward = f->as_bool();

  // The candidates in key order.
  std::vector<const Item*> order;
  if (!index) {
    auto p = t->partitions.find(EncodeKey(key.hash_value));
    if (p != t->partitions.end()) {
      for (const auto& [r, item] : p->second) {
        if (MatchesRange(key, r)) order.push_back(&item);
      }
    }
  } else {
    for (const auto& [h, partition] : t->partitions) {
      for (const auto& [r, item] : partition) {
        const AttrValue* hv = Find(item, index->hash.name);
        if (!hv || *hv != key.hash_value) continue;
        if (index->has_range) {
          const AttrValue* rv = Find(item, index->range.name);
          if (!rv || rv->type != index->range.type || !MatchesRange(key, *rv)) continue;
        }
        order.push_back(&item);
      }
    }
    auto less = [&](const Item* a, const Item* b) {
      if (index->has_range) {
        int c = CompareScalar(KeyValue(*a, index->range.name), KeyValue(*b, index->range.name));
        if (c != 0) return c < 0;
      }
      std::string ha = EncodeKey(KeyValue(*a, m.hash.name));
      std::string hb = EncodeKey(KeyValue(*b, m.hash.name));
      if (ha != hb) return ha < hb;
      return m.has_range &&
             CompareScalar(KeyValue(*a, m.range.name), KeyValue(*b, m.range.name)) < 0;
    };
    std::stable_sort(order.begin(), order.end(), less);
  }
  if (!forward) std::reverse(order.begin(), order.end());
  size_t first = 0;
  if (start) {
    if (!index && m.has_range) {
      AttrValue s = KeyValue(*start, m.range.name);
      while (first < order.size()) {
        int c = CompareScalar(KeyValue(*order[first], m.range.name), s);
        if (forward ? c > 0 : c < 0) break;
        ++first;
      }
    } else if (!index) {
      first = order.size();  // a hash-only table has one item per partition key
    } else {
      Item want = PageKey(m, index, *start);
      for (size_t i = 0; i < order.size(); ++i) {
        if (PageKey(m, index, *order[i]) == want) {
          first = i + 1;
          break;
        }
      }
    }
  }
  Page page{m, index, filter, projection, select, limit};
  for (size_t i = first; i < order.size(); ++i) {
    if (page.Add(*order[i])) break;
  }
  return page.TakeResponse();
}

Result<json::Value> Service::Impl::Scan(const json::Value& req) {
  STATOR_TRY(Table * t, GetTable(req));
  const TableMeta& m = t->meta;
  STATOR_RETURN_IF_ERROR(
      RejectLegacy(req, {"ScanFilter", "ConditionalOperator", "AttributesToGet"}));
  STATOR_TRY(const IndexDef* index, ReadIndex(req, m));
  bool any = Member(req, "FilterExpression") || Member(req, "ProjectionExpression");
  STATOR_TRY(ExpressionContext ctx, MakeContext(req, any));
  STATOR_TRY(std::optional<Condition> filter,
             OptionalCondition(req, "FilterExpression", ExprKind::kFilter, &ctx));
  STATOR_TRY(std::optional<std::vector<Path>> projection, OptionalProjection(req, &ctx));
  STATOR_RETURN_IF_ERROR(ctx.CheckAllUsed());
  STATOR_TRY(int64_t limit, ReadLimit(req));
  STATOR_TRY(std::string select, ReadSelect(req, projection.has_value()));
  STATOR_TRY(std::optional<Item> start, ReadStartKey(req, m, index));
  const json::Value* segment_json = Member(req, "Segment");
  const json::Value* total_json = Member(req, "TotalSegments");
  int64_t segment = -1, total = 0;
  if (segment_json || total_json) {
    if (!total_json) {
      return Validation(
          "The TotalSegments parameter is required but was not present in the request when Segment "
          "parameter is present");
    }
    if (!segment_json) {
      return Validation(
          "The Segment parameter is required but was not present in the request when parameter "
          "TotalSegments is present");
    }
    segment = static_cast<int64_t>(segment_json->as_double());
    total = static_cast<int64_t>(total_json->as_double());
    if (total < 1 || total > 1000000) {
      return Validation("1 validation error detected: Value '" + std::to_string(total) +
                        "' at 'totalSegments' failed to satisfy constraint: Member must have value "
                        "greater than or equal to 1");
    }
    if (segment < 0 || segment >= total) {
      return Validation(
          "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
          "Segment: " +
          std::to_string(segment) + " is not less than TotalSegments: " + std::to_string(total));
    }
  }
  auto p = t->partitions.begin();
  std::optional<AttrValue> resume_range;
  if (start) {
    std::string h = EncodeKey(KeyValue(*start, m.hash.name));
    p = t->partitions.lower_bound(h);
    if (p != t->partitions.end() && p->first == h) {
      if (m.has_range) {
        resume_range = KeyValue(*start, m.range.name);
      } else {
        ++p;
      }
    }
  }
  Page page{m, index, filter, projection, select, limit};
  bool stop = false;
  for (; p != t->partitions.end() && !stop; ++p) {
    if (total > 0 &&
        static_cast<int64_t>(Crc32(p->first) % static_cast<uint32_t>(total)) != segment) {
      resume_range.reset();
      continue;
    }
    auto it = resume_range ? p->second.upper_bound(*resume_range) : p->second.begin();
    resume_range.reset();
    for (; it != p->second.end(); ++it) {
      const Item& item = it->second;
      if (index &&
          (!Find(item, index->hash.name) || (index->has_range && !Find(item, index->range.name)))) {
        continue;
      }
      if (page.Add(item)) {
        stop = true;
        break;
      }
    }
  }
  return page.TakeResponse();
}

}  // namespace stator::dynamodb
