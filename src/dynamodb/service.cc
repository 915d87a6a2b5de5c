#include "dynamodb/service.h"

#include <array>
#include <future>

#include "common/mutex.h"
#include "dynamodb/service_impl.h"

namespace stator::dynamodb {

Error NotFound(std::string message) {
  return Error{"ResourceNotFoundException", std::move(message)};
}

const json::Value* Member(const json::Value& req, std::string_view name) {
  const json::Value* v = req.Find(name);
  return v && !v->is_null() ? v : nullptr;
}

Result<std::string> RequiredString(const json::Value& req, const char* name,
                                   const char* wire_name) {
  const json::Value* v = Member(req, name);
  if (!v) {
    return Validation(std::string("1 validation error detected: Value null at '") + wire_name +
                      "' failed to satisfy constraint: Member must not be null");
  }
  if (!v->is_string()) {
    return Error{"SerializationException", std::string("Unexpected value type for ") + name};
  }
  return v->as_string();
}

AttrValue KeyValue(const Item& item, const std::string& name) {
  const AttrValue* v = Find(item, name);
  return v ? *v : AttrValue::Null();
}

Item KeyOf(const TableMeta& t, const Item& item) {
  Item key;
  Set(key, t.hash.name, KeyValue(item, t.hash.name));
  if (t.has_range) Set(key, t.range.name, KeyValue(item, t.range.name));
  return key;
}

std::string RangeText(const AttrValue& v) {
  return v.type == AttrType::kNull ? std::string() : EncodeKey(v);
}

Result<std::optional<Condition>> OptionalCondition(const json::Value& req, const char* member,
                                                   ExprKind kind, ExpressionContext* ctx) {
  const json::Value* v = Member(req, member);
  if (!v) return std::optional<Condition>();
  if (!v->is_string())
    return Error{"SerializationException", std::string("Unexpected value type for ") + member};
  STATOR_TRY(Condition c, ParseCondition(v->as_string(), kind, ctx));
  return std::optional<Condition>(std::move(c));
}

Result<std::optional<std::vector<Path>>> OptionalProjection(const json::Value& req,
                                                            ExpressionContext* ctx) {
  const json::Value* v = Member(req, "ProjectionExpression");
  if (!v) {
    const json::Value* legacy = Member(req, "AttributesToGet");
    if (!legacy || !legacy->is_array()) return std::optional<std::vector<Path>>();
    std::vector<Path> paths;
    for (const json::Value& name : legacy->as_array()) {
      if (!name.is_string()) continue;
      PathElement e;
      e.name = name.as_string();
      paths.push_back({e});
    }
    return std::optional<std::vector<Path>>(std::move(paths));
  }
  if (!v->is_string())
    return Error{"SerializationException", "Unexpected value type for ProjectionExpression"};
  STATOR_TRY(std::vector<Path> p, ParseProjection(v->as_string(), ctx));
  return std::optional<std::vector<Path>>(std::move(p));
}

Result<ExpressionContext> MakeContext(const json::Value& req, bool any_expression,
                                      bool names_allowed_without_values) {
  (void)names_allowed_without_values;
  const json::Value* names = Member(req, "ExpressionAttributeNames");
  const json::Value* values = Member(req, "ExpressionAttributeValues");
  if (!any_expression) {
    if (values) {
      return Validation("ExpressionAttributeValues can only be specified when using expressions");
    }
    if (names) {
      return Validation("ExpressionAttributeNames can only be specified when using expressions");
    }
  }
  return ExpressionContext::Make(names, values);
}

Result<Table*> Service::Impl::GetTable(const json::Value& req, bool describe_message) {
  STATOR_TRY(std::string name, RequiredString(req, "TableName", "tableName"));
  auto it = tables.find(name);
  if (it == tables.end()) {
    return NotFound(describe_message ? "Requested resource not found: Table: " + name + " not found"
                                     : "Requested resource not found");
  }
  return &it->second;
}

Result<Item> Service::Impl::ParseKey(const Table& t, const json::Value* key) {
  if (!key) {
    return Validation(
        "1 validation error detected: Value null at 'key' failed to satisfy constraint: Member "
        "must not be null");
  }
  STATOR_TRY(Item k, MapFromJson(*key));
  size_t want = t.meta.has_range ? 2 : 1;
  const AttrValue* h = Find(k, t.meta.hash.name);
  const AttrValue* r = t.meta.has_range ? Find(k, t.meta.range.name) : nullptr;
  if (k.size() != want || !h || (t.meta.has_range && !r) || h->type != t.meta.hash.type ||
      (r && r->type != t.meta.range.type)) {
    return Validation("The provided key element does not match the schema");
  }
  for (const MapEntry& e : k) {
    if ((e.value.type == AttrType::kS || e.value.type == AttrType::kB) && e.value.scalar.empty()) {
      return Validation(
          "One or more parameter values are not valid. The AttributeValue for a key attribute "
          "cannot contain an empty string value. Key: " +
          e.name);
    }
  }
  return k;
}

Status Service::Impl::CheckItem(const Table& t, const Item& item) {
  for (const KeyDef* k : {&t.meta.hash, t.meta.has_range ? &t.meta.range : nullptr}) {
    if (!k) continue;
    const AttrValue* v = Find(item, k->name);
    if (!v) {
      return Validation("One or more parameter values were invalid: Missing the key " + k->name +
                        " in the item");
    }
    if (v->type != k->type) {
      return Validation("One or more parameter values were invalid: Type mismatch for key " +
                        k->name + " expected: " + TypeName(k->type) +
                        " actual: " + TypeName(v->type));
    }
    if ((v->type == AttrType::kS || v->type == AttrType::kB) && v->scalar.empty()) {
      return Validation(
          "One or more parameter values are not valid. The AttributeValue for a key attribute "
          "cannot contain an empty string value. Key: " +
          k->name);
    }
  }
  for (const IndexDef& index : t.meta.indexes) {
    for (const KeyDef* k : {&index.hash, index.has_range ? &index.range : nullptr}) {
      if (!k) continue;
      const AttrValue* v = Find(item, k->name);
      if (v && v->type != k->type) {
        return Validation(
            "One or more parameter values were invalid: Type mismatch for Index Key " + k->name +
            " Expected: " + TypeName(k->type) + " Actual: " + TypeName(v->type) +
            " IndexName: " + index.name);
      }
    }
  }
  if (ItemSize(item) > kMaxItemSize) {
    return Validation("Item size has exceeded the maximum allowed size");
  }
  return Status::Ok();
}

const Item* Service::Impl::FindItem(const Table& t, const Item& key) const {
  AttrValue h = KeyValue(key, t.meta.hash.name);
  auto p = t.partitions.find(EncodeKey(h));
  if (p == t.partitions.end()) return nullptr;
  AttrValue r = t.meta.has_range ? KeyValue(key, t.meta.range.name) : AttrValue::Null();
  auto it = p->second.find(r);
  return it == p->second.end() ? nullptr : &it->second;
}

void ApplyToMemory(Table& t, const std::string& hash_key, const AttrValue& range,
                   std::optional<Item> item) {
  auto p = t.partitions.find(hash_key);
  if (p == t.partitions.end()) {
    if (!item) return;
    p = t.partitions.emplace(hash_key, Partition()).first;
  }
  auto it = p->second.find(range);
  if (it != p->second.end()) {
    t.item_count -= 1;
    t.size_bytes -= ItemSize(it->second);
    p->second.erase(it);
  }
  if (item) {
    t.item_count += 1;
    t.size_bytes += ItemSize(*item);
    p->second.emplace(range, std::move(*item));
  }
  if (p->second.empty()) t.partitions.erase(p);
}

namespace {

// In PostgreSQL mode every write runs inside WriteInCluster's transaction.
Error NoTransaction() {
  return Error{"InternalServerError", "DynamoDB storage: a write outside a transaction"};
}

}  // namespace

Status Service::Impl::Commit(std::vector<Write> writes) {
  std::vector<Storage::Change> changes;
  if (postgres && !collecting) return NoTransaction();
  if (group || collecting) {
    if (group) STATOR_RETURN_IF_ERROR(group->error());
    changes.reserve(writes.size());
    for (const Write& w : writes) {
      Storage::Change c;
      c.kind = w.item ? Storage::Change::Kind::kPutItem : Storage::Change::Kind::kDeleteItem;
      c.table = w.table->meta.name;
      c.hash_key = EncodeKey(w.hash);
      c.range_key = RangeText(w.range);
      if (w.item) c.text = MapToJson(*w.item).Dump();
      changes.push_back(std::move(c));
    }
  }
  for (Write& w : writes) ApplyToMemory(*w.table, EncodeKey(w.hash), w.range, std::move(w.item));
  if (group) {
    Queue(std::move(changes));
  } else if (collecting) {
    for (Storage::Change& c : changes) collecting->push_back(std::move(c));
  }
  return Status::Ok();
}

Status Service::Impl::CommitTable(const Table& t, bool deleted) {
  if (postgres && !collecting) return NoTransaction();
  if (!group && !collecting) return Status::Ok();
  if (group) STATOR_RETURN_IF_ERROR(group->error());
  Storage::Change c;
  c.kind = deleted ? Storage::Change::Kind::kDeleteTable : Storage::Change::Kind::kPutTable;
  c.table = t.meta.name;
  if (!deleted) {
    c.text = t.meta.ToJson().Dump();
    c.table_id = t.meta.table_id;
  }
  if (collecting) {
    collecting->push_back(std::move(c));
    return Status::Ok();
  }
  std::vector<Storage::Change> changes;
  changes.push_back(std::move(c));
  Queue(std::move(changes));
  return Status::Ok();
}

void Service::Impl::Queue(std::vector<Storage::Change> changes) {
  if (changes.empty()) return;  // nothing new to wait for
  group->Append([&](std::vector<Storage::Change>& pending) {
    if (pending.empty()) {
      pending = std::move(changes);
    } else {
      for (Storage::Change& c : changes) pending.push_back(std::move(c));
    }
  });
}

Result<json::Value> Service::Impl::Dispatch(std::string_view op, const json::Value& req) {
  if (!req.is_object()) {
    return Error{"SerializationException", "Start of structure or map found where not expected"};
  }
  if (op == "PutItem") return PutItem(req);
  if (op == "GetItem") return GetItem(req);
  if (op == "UpdateItem") return UpdateItem(req);
  if (op == "DeleteItem") return DeleteItem(req);
  if (op == "Query") return Query(req);
  if (op == "Scan") return Scan(req);
  if (op == "BatchGetItem") return BatchGetItem(req);
  if (op == "BatchWriteItem") return BatchWriteItem(req);
  if (op == "TransactWriteItems") return TransactWriteItems(req);
  if (op == "TransactGetItems") return TransactGetItems(req);
  if (op == "CreateTable") return CreateTable(req);
  if (op == "DescribeTable") return DescribeTable(req);
  if (op == "ListTables") return ListTables(req);
  if (op == "DeleteTable") return DeleteTable(req);
  if (op == "UpdateTable") return UpdateTable(req);
  if (op == "TagResource") return TagResource(req);
  if (op == "UntagResource") return UntagResource(req);
  if (op == "ListTagsOfResource") return ListTagsOfResource(req);
  return Error{"UnknownOperationException", ""};
}

namespace {

std::string ErrorType(const std::string& code) {
  if (code == "ValidationException") return "com.amazon.coral.validate#ValidationException";
  if (code == "SerializationException" || code == "UnknownOperationException") {
    return "com.amazon.coral.service#" + code;
  }
  return "com.amazonaws.dynamodb.v20120810#" + code;
}

}  // namespace

// The error body DynamoDB sends: {"__type": "<namespace>#<Code>", "message": ...} plus extras.
Service::Response ErrorResponse(const Error& e, json::Object extras) {
  Service::Response out;
  out.status = e.error == "InternalServerError" ? 500 : 400;
  out.error_code = e.error;
  out.error_message = e.cause;
  json::Object body;
  body.emplace_back("__type", json::Value::String(ErrorType(e.error)));
  bool capital = e.error == "TransactionCanceledException";
  if (!e.cause.empty() || e.error != "UnknownOperationException") {
    body.emplace_back(capital ? "Message" : "message", json::Value::String(e.cause));
  }
  for (auto& m : extras) body.push_back(std::move(m));
  out.body = json::Value::MakeObject(std::move(body));
  return out;
}

namespace {

Service::HttpReply ToHttp(const Service::Response& r) {
  Service::HttpReply reply;
  reply.status = r.status;
  reply.body = r.body.Dump();
  reply.crc32 = Crc32(reply.body);
  return reply;
}

}  // namespace

Result<std::unique_ptr<Service>> Service::Open(const Options& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  if (!options.store_uri.empty()) {
    // PostgreSQL: the table list now, each table's items when first used (cluster.cc).
    STATOR_TRY(impl->postgres, PostgresStorage::Open(options.store_uri));
    STATOR_TRY(impl->reader, PostgresStorage::Open(options.store_uri));
    {
      MutexLock lock(&impl->mu);  // nobody else has impl yet; SyncCatalog REQUIRES it all the same
      STATOR_RETURN_IF_ERROR(impl->SyncCatalog(impl->postgres.get()));
    }
    Impl* p = impl.get();
    impl->writes =
        std::make_unique<CallQueue>([p](std::vector<QueuedCall>& c) { p->WriteGroup(c); });
    impl->reads = std::make_unique<CallQueue>([p](std::vector<QueuedCall>& c) { p->ReadGroup(c); });
    return std::unique_ptr<Service>(new Service(std::move(impl)));
  }
  STATOR_TRY(impl->storage, Storage::Open(options.data_dir));
  {
    MutexLock lock(&impl->mu);  // nobody else has impl yet; LoadTables REQUIRES it all the same
    STATOR_RETURN_IF_ERROR(impl->LoadTables());
  }
  if (impl->storage->persistent()) {
    impl->group = std::make_unique<GroupCommit<std::vector<Storage::Change>>>(
        "DynamoDB", [storage = impl->storage.get()](const std::vector<Storage::Change>& changes) {
          return storage->Commit(changes);
        });
  }
  return std::unique_ptr<Service>(new Service(std::move(impl)));
}

Service::Service(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Service::~Service() {
  // Commits what is pending and answers its waiters before the tables and storage go away.
  impl_->writes.reset();
  impl_->reads.reset();
  impl_->group.reset();
}

Status Service::health() const { return impl_->group ? impl_->group->error() : Status::Ok(); }

Service::Response Service::Impl::Run(std::string_view op, const json::Value& req, uint64_t* wait) {
  MutexLock lock(&mu);
  extras.clear();
  return Answer(Dispatch(op, req), wait);
}

Service::Response Service::Impl::Answer(Result<json::Value> r, uint64_t* wait) {
  // Every write applied so far is one this call could have seen (or made): it is answered
  // once they are all durable. Under mu, so no later write is counted.
  *wait = group ? group->appended() : visible_seq;
  if (r.ok()) {
    Response out;
    out.body = std::move(r).value();
    return out;
  }
  Response out = ErrorResponse(r.error(), std::move(extras));
  extras.clear();
  return out;
}

void Service::CallAsync(std::string_view operation, const json::Value& request,
                        std::function<void(Response)> done) {
  if (impl_->postgres) {
    impl_->Submit(operation, request, std::move(done));
    return;
  }
  uint64_t wait = 0;
  Response r = impl_->Run(operation, request, &wait);
  if (!impl_->group) {
    done(std::move(r));
    return;
  }
  impl_->group->WhenDurable(wait,
                            [r = std::move(r), done = std::move(done)](const Status& s) mutable {
                              done(s.ok() ? std::move(r) : ErrorResponse(s.error(), {}));
                            });
}

Service::Response Service::Call(std::string_view operation, const json::Value& request) {
  std::promise<Response> promise;
  std::future<Response> answer = promise.get_future();
  CallAsync(operation, request, [&promise](Response r) { promise.set_value(std::move(r)); });
  return answer.get();
}

void Service::HandleHttpAsync(std::string_view target, std::string_view body,
                              std::function<void(HttpReply)> done) {
  std::string_view op = target;
  size_t dot = target.find('.');
  if (dot != std::string_view::npos) op = target.substr(dot + 1);
  auto parsed = json::Parse(body.empty() ? std::string_view("{}") : body);
  if (!parsed.ok()) {
    done(ToHttp(ErrorResponse(
        Error{"SerializationException", "Start of structure or map found where not expected"},
        {})));
    return;
  }
  if (impl_->postgres) {
    impl_->Submit(op, *parsed, [done = std::move(done)](Response r) mutable { done(ToHttp(r)); });
    return;
  }
  uint64_t wait = 0;
  Response r = impl_->Run(op, *parsed, &wait);
  HttpReply reply = ToHttp(r);  // on this thread, not the writer's
  if (!impl_->group) {
    done(std::move(reply));
    return;
  }
  impl_->group->WhenDurable(
      wait, [reply = std::move(reply), done = std::move(done)](const Status& s) mutable {
        done(s.ok() ? std::move(reply) : ToHttp(ErrorResponse(s.error(), {})));
      });
}

Service::HttpReply Service::HandleHttp(std::string_view target, std::string_view body) {
  std::promise<HttpReply> promise;
  std::future<HttpReply> answer = promise.get_future();
  HandleHttpAsync(target, body, [&promise](HttpReply r) { promise.set_value(std::move(r)); });
  return answer.get();
}

uint32_t Crc32(std::string_view data) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (char ch : data) crc = table[(crc ^ static_cast<uint8_t>(ch)) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

}  // namespace stator::dynamodb
