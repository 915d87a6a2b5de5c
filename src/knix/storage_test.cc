// performStorageAction over every store backend: each action's answer in KNIX's shape and
// wording, validation failures, case-insensitive action names, the scope a request asks for,
// scopes kept apart, missing buckets, concurrent increments, persistence.
#include "knix/storage.h"

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/json.h"
#include "common/test_util.h"
#include "store/store_test_util.h"

namespace stator::json {
// gtest prints JSON values as their text.
inline void PrintTo(const Value& v, std::ostream* os) { *os << v.Dump(); }
}  // namespace stator::json

namespace stator::knix {
namespace {

using store::test_util::Backends;
using store::test_util::Names;
using store::test_util::SqliteFactory;

using stator::testing::J;

StorageTarget User() { return StorageTarget{"user1", "storage_u1", true}; }

constexpr std::string_view kFail = "Error while performing storage operation; ";

ActionResult Perform(DataLayer& layer, std::string_view storage,
                     const StorageTarget& target = User()) {
  json::Value v = J(storage);
  return PerformStorageAction(layer, target, &v);
}

// The success's data, or null (after a test failure).
json::Value Succeeded(const ActionResult& r) {
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  if (!r.ok()) return json::Value();
  const json::Value* status = r->Find("status");
  EXPECT_TRUE(status != nullptr && *status == json::Value::Bool(true)) << r->Dump();
  return *r;
}

std::string Failed(const ActionResult& r) {
  EXPECT_FALSE(r.ok()) << (r.ok() ? r->Dump() : "");
  return r.ok() ? "" : r.error().message;
}

template <class F>
class StorageActionTest : public ::testing::Test {
 public:
  void SetUp() override {
    store_ = factory_.Make();
    layer_ = std::make_unique<DataLayer>(store_.get());
  }
  // data_type, parameters: the request; the success's data.
  json::Value Ok(std::string_view type, std::string_view params,
                 const StorageTarget& target = User()) {
    return Succeeded(Perform(*layer_, Request(type, params), target));
  }
  std::string Fails(std::string_view type, std::string_view params,
                    const StorageTarget& target = User()) {
    return Failed(Perform(*layer_, Request(type, params), target));
  }
  static std::string Request(std::string_view type, std::string_view params) {
    return R"({"data_type": ")" + std::string(type) + R"(", "parameters": )" + std::string(params) +
           "}";
  }

  F factory_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<DataLayer> layer_;
};

TYPED_TEST_SUITE(StorageActionTest, Backends, Names);

TYPED_TEST(StorageActionTest, KeyValueActions) {
  EXPECT_EQ(this->Ok("kv", R"({"action": "putdata", "key": "k", "value": "v"})"),
            J(R"({"status": true, "message": "Successful storage op: putdata, key: k, )"
              R"(table: defaultTable, keyspace: storage_u1"})"));
  EXPECT_EQ(this->Ok("kv", R"({"action": "getdata", "key": "k"})"),
            J(R"({"status": true, "value": "v", "message": "Successful storage op: getdata, )"
              R"(key: k, table: defaultTable, keyspace: storage_u1"})"));
  // A missing key: success with a null value (not base64, not a failure).
  json::Value missing = this->Ok("kv", R"({"action": "getdata", "key": "nope"})");
  ASSERT_NE(missing.Find("value"), nullptr);
  EXPECT_TRUE(missing.Find("value")->is_null());
  this->Ok("kv", R"({"action": "putdata", "key": "a", "value": ""})");
  this->Ok("kv", R"({"action": "putdata", "key": "b", "value": "2"})");
  EXPECT_EQ(*this->Ok("kv", R"({"action": "getdata", "key": "a"})").Find("value"),
            json::Value::String(""));
  EXPECT_EQ(
      this->Ok("kv", R"({"action": "listkeys", "start": 0, "count": 2000})"),
      J(R"({"status": true, "keylist": ["a", "b", "k"], "message": "Successful storage )"
        R"(op: listkeys, start: 0, count: 2000, table: defaultTable, keyspace: storage_u1"})"));
  EXPECT_EQ(*this->Ok("kv", R"({"action": "listkeys", "start": 1, "count": 1})").Find("keylist"),
            J(R"(["b"])"));
  EXPECT_EQ(*this->Ok("kv", R"({"action": "listkeys", "start": 5, "count": 1})").Find("keylist"),
            J("[]"));
  EXPECT_EQ(*this->Ok("kv", R"({"action": "listkeys", "start": 0, "count": 0})").Find("keylist"),
            J("[]"));
  EXPECT_EQ(this->Ok("kv", R"({"action": "deletedata", "key": "k"})"),
            J(R"({"status": true, "message": "Successful storage op: deletedata, key: k, )"
              R"(table: defaultTable, keyspace: storage_u1"})"));
  EXPECT_TRUE(this->Ok("kv", R"({"action": "getdata", "key": "k"})").Find("value")->is_null());
  this->Ok("kv", R"({"action": "deletedata", "key": "k"})");  // missing: still a success
  // data_type "" is kv.
  EXPECT_EQ(*this->Ok("", R"({"action": "getdata", "key": "b"})").Find("value"),
            json::Value::String("2"));
}

TYPED_TEST(StorageActionTest, MapActions) {
  const std::string where = ", table: defaultMapTable, keyspace: storage_u1";
  EXPECT_EQ(this->Ok("map", R"({"action": "createmap", "mapname": "m"})"),
            J(R"({"status": true, "message": "Successful storage op: createmap, mapname: m)" +
              where + R"("})"));
  EXPECT_EQ(*this->Ok("map", R"({"action": "listmaps", "start": 0, "count": 10})").Find("maplist"),
            J("[]"))
      << "KNIX creates a map with its first entry";
  this->Ok("map", R"({"action": "putmapentry", "mapname": "m", "key": "k1", "value": "value"})");
  this->Ok("map", R"({"action": "putmapentry", "mapname": "m", "key": "k2", "value": "é"})");
  this->Ok("map", R"({"action": "putmapentry", "mapname": "n", "key": "k", "value": "x"})");
  EXPECT_EQ(this->Ok("map", R"({"action": "getmapentry", "mapname": "m", "key": "k1"})"),
            J(R"({"status": true, "value": "dmFsdWU=", "message": "Successful storage op: )"
              R"(getmapentry, mapname: m)" +
              where + R"("})"))
      << "getmapentry answers base64";
  EXPECT_EQ(
      *this->Ok("map", R"({"action": "getmapentry", "mapname": "m", "key": "k2"})").Find("value"),
      json::Value::String("w6k="));
  EXPECT_TRUE(this->Ok("map", R"({"action": "getmapentry", "mapname": "m", "key": "no"})")
                  .Find("value")
                  ->is_null());
  EXPECT_EQ(*this->Ok("map", R"({"action": "retrievemap", "mapname": "m"})").Find("mapentries"),
            J(R"({"k1": "value", "k2": "é"})"))
      << "retrievemap answers raw values";
  EXPECT_EQ(*this->Ok("map", R"({"action": "retrievemap", "mapname": "zz"})").Find("mapentries"),
            J("{}"));
  EXPECT_EQ(*this->Ok("map", R"({"action": "containsmapkey", "mapname": "m", "key": "k1"})")
                 .Find("containskey"),
            json::Value::Bool(true));
  EXPECT_EQ(*this->Ok("map", R"({"action": "containsmapkey", "mapname": "m", "key": "k9"})")
                 .Find("containskey"),
            json::Value::Bool(false));
  EXPECT_EQ(*this->Ok("map", R"({"action": "getmapkeys", "mapname": "m"})").Find("mapkeys"),
            J(R"(["k1", "k2"])"));
  EXPECT_EQ(*this->Ok("map", R"({"action": "listmaps", "start": 0, "count": 10})").Find("maplist"),
            J(R"(["m", "n"])"));
  EXPECT_EQ(*this->Ok("map", R"({"action": "listmaps", "start": 1, "count": 10})").Find("maplist"),
            J(R"(["n"])"));
  this->Ok("map", R"({"action": "deletemapentry", "mapname": "m", "key": "k1"})");
  EXPECT_EQ(*this->Ok("map", R"({"action": "getmapkeys", "mapname": "m"})").Find("mapkeys"),
            J(R"(["k2"])"));
  this->Ok("map", R"({"action": "clearmap", "mapname": "m"})");
  EXPECT_EQ(*this->Ok("map", R"({"action": "retrievemap", "mapname": "m"})").Find("mapentries"),
            J("{}"));
  this->Ok("map", R"({"action": "deletemap", "mapname": "m"})");
  EXPECT_EQ(*this->Ok("map", R"({"action": "listmaps", "start": 0, "count": 10})").Find("maplist"),
            J(R"(["n"])"));
  // Removing from a map that does not exist: KNIX's data layer refuses, and its map handler
  // writes "returned False" twice.
  EXPECT_EQ(this->Fails("map", R"({"action": "deletemapentry", "mapname": "m", "key": "k"})"),
            std::string(kFail) + "deletemapentry returned False. deletemapentry returned False. " +
                "deletemapentry, mapname: m" + where);
  this->Ok("map", R"({"action": "clearmap", "mapname": "never"})");
  this->Ok("map", R"({"action": "deletemap", "mapname": "never"})");
}

TYPED_TEST(StorageActionTest, SetActions) {
  const std::string where = ", table: defaultSetTable, keyspace: storage_u1";
  EXPECT_EQ(this->Ok("set", R"({"action": "createset", "setname": "s"})"),
            J(R"({"status": true, "message": "Successful storage op: createset, setname: s)" +
              where + R"("})"));
  EXPECT_EQ(
      this->Fails("set", R"({"action": "removesetentry", "setname": "s", "item": "a"})"),
      std::string(kFail) + "removesetentry returned False. removesetentry, setname: s" + where);
  this->Ok("set", R"({"action": "addsetentry", "setname": "s", "item": "b"})");
  this->Ok("set", R"({"action": "addsetentry", "setname": "s", "item": "a"})");
  this->Ok("set", R"({"action": "addsetentry", "setname": "t", "item": "a"})");
  EXPECT_EQ(*this->Ok("set", R"({"action": "retrieveset", "setname": "s"})").Find("items"),
            J(R"(["a", "b"])"));
  EXPECT_EQ(*this->Ok("set", R"({"action": "containssetitem", "setname": "s", "item": "a"})")
                 .Find("containsitem"),
            json::Value::Bool(true));
  this->Ok("set", R"({"action": "removesetentry", "setname": "s", "item": "a"})");
  EXPECT_EQ(*this->Ok("set", R"({"action": "containssetitem", "setname": "s", "item": "a"})")
                 .Find("containsitem"),
            json::Value::Bool(false));
  EXPECT_EQ(*this->Ok("set", R"({"action": "listsets", "start": 0, "count": 5})").Find("setlist"),
            J(R"(["s", "t"])"));
  this->Ok("set", R"({"action": "clearset", "setname": "s"})");
  EXPECT_EQ(*this->Ok("set", R"({"action": "retrieveset", "setname": "s"})").Find("items"),
            J("[]"));
  this->Ok("set", R"({"action": "deleteset", "setname": "s"})");
  EXPECT_EQ(*this->Ok("set", R"({"action": "listsets", "start": 0, "count": 5})").Find("setlist"),
            J(R"(["t"])"));
  EXPECT_EQ(*this->Ok("set", R"({"action": "retrieveset", "setname": "none"})").Find("items"),
            J("[]"));
}

TYPED_TEST(StorageActionTest, CounterActions) {
  const std::string where = ", table: defaultCounterTable, keyspace: storage_u1";
  EXPECT_EQ(
      *this->Ok("counter", R"({"action": "getcounter", "countername": "c"})").Find("countervalue"),
      json::Value::Int(0))
      << "a missing counter reads 0";
  EXPECT_EQ(
      this->Ok("counter", R"({"action": "createcounter", "countername": "c", "countervalue": 5})"),
      J(R"({"status": true, "message": "Successful storage op: createcounter, countername: c)" +
        where + R"("})"));
  EXPECT_EQ(
      this->Fails("counter",
                  R"({"action": "createcounter", "countername": "c", "countervalue": 9})"),
      std::string(kFail) + "createcounter returned False. createcounter, countername: c" + where);
  this->Ok("counter", R"({"action": "incrementcounter", "countername": "c", "increment": 10})");
  this->Ok("counter", R"({"action": "decrementcounter", "countername": "c", "decrement": 3})");
  EXPECT_EQ(this->Ok("counter", R"({"action": "getcounter", "countername": "c"})"),
            J(R"({"status": true, "countervalue": 12, "message": "Successful storage op: )"
              R"(getcounter, countername: c)" +
              where + R"("})"));
  this->Ok("counter", R"({"action": "incrementcounter", "countername": "new", "increment": 2})");
  EXPECT_EQ(*this->Ok("counter", R"({"action": "getcounter", "countername": "new"})")
                 .Find("countervalue"),
            json::Value::Int(2))
      << "incrementing a missing counter creates it";
  EXPECT_EQ(*this->Ok("counter", R"({"action": "listcounters", "start": 0, "count": 9})")
                 .Find("counterlist"),
            J(R"(["c", "new"])"));
  this->Ok("counter", R"({"action": "deletecounter", "countername": "c"})");
  EXPECT_EQ(*this->Ok("counter", R"({"action": "listcounters", "start": 0, "count": 9})")
                 .Find("counterlist"),
            J(R"(["new"])"));
  this->Ok(
      "counter",
      R"({"action": "incrementcounter", "countername": "big", "increment": 9223372036854775807})");
  EXPECT_EQ(this->Fails("counter",
                        R"({"action": "incrementcounter", "countername": "big", "increment": 1})"),
            std::string(kFail) + "incrementcounter returned False. incrementcounter, " +
                "countername: big" + where);
}

TYPED_TEST(StorageActionTest, ActionNamesAreCaseInsensitive) {
  EXPECT_EQ(this->Ok("kv", R"({"action": "PutData", "key": "k", "value": "v"})"),
            J(R"({"status": true, "message": "Successful storage op: putdata, key: k, )"
              R"(table: defaultTable, keyspace: storage_u1"})"));
  EXPECT_EQ(*this->Ok("kv", R"({"action": "GETDATA", "key": "k"})").Find("value"),
            json::Value::String("v"));
  EXPECT_EQ(*this->Ok("kv", R"({"action": "listKeys", "start": 0, "count": 5})").Find("keylist"),
            J(R"(["k"])"));
  this->Ok("map", R"({"action": "PutMapEntry", "mapname": "m", "key": "k", "value": "v"})");
  EXPECT_EQ(*this->Ok("counter", R"({"action": "IncrementCounter", "countername": "c", )"
                                 R"("increment": 2})")
                 .Find("status"),
            json::Value::Bool(true));
  // The data_type is validated case-insensitively but, in KNIX, only runs lower-case.
  EXPECT_EQ(this->Fails("KV", R"({"action": "getdata", "key": "k"})"),
            std::string(kFail) + "Exception: local variable 'status' referenced before assignment");
  EXPECT_EQ(this->Fails("Map", R"({"action": "createmap", "mapname": "m"})"),
            std::string(kFail) + "Exception: local variable 'status' referenced before assignment");
}

TYPED_TEST(StorageActionTest, ValidationFailures) {
  DataLayer& d = *this->layer_;
  const std::string invalid = std::string(kFail) + "Exception: Invalid data provided. ";
  EXPECT_EQ(Failed(PerformStorageAction(d, User(), nullptr)),
            std::string(kFail) + "Exception: 'storage'");
  EXPECT_EQ(Failed(Perform(d, "[]")),
            invalid + "Invalid/missing parameter: 'storage' is not a dict.");
  EXPECT_EQ(Failed(Perform(d, "null")),
            invalid + "Invalid/missing parameter: 'storage' is not a dict.");
  EXPECT_EQ(Failed(Perform(d, R"({"parameters": {}})")),
            std::string(kFail) + "Exception: 'data_type'");
  EXPECT_EQ(Failed(Perform(d, R"({"data_type": 1, "parameters": {}})")),
            invalid + "Invalid/missing parameter: 'data_type' is not a str.");
  EXPECT_EQ(Failed(Perform(d, R"({"data_type": "kv"})")),
            std::string(kFail) + "Exception: 'parameters'");
  EXPECT_EQ(Failed(Perform(d, R"({"data_type": "kv", "parameters": "x"})")),
            invalid + "Invalid/missing parameter: 'parameters' is not a dict.");
  EXPECT_EQ(this->Fails("blob", R"({"action": "getdata", "key": "k"})"),
            invalid + "Invalid data type specified.");
  EXPECT_EQ(this->Fails("kv", R"({"key": "k"})"), std::string(kFail) + "Exception: 'action'");
  EXPECT_EQ(this->Fails("kv", R"({"action": null})"),
            invalid + "Invalid/missing parameter: 'action' is not a str.");
  EXPECT_EQ(this->Fails("kv", R"({"action": "GetMapEntry", "key": "k"})"),
            invalid + "Unknown storage action: getmapentry for data type: kv");
  EXPECT_EQ(this->Fails("", R"({"action": "nope"})"),
            invalid + "Unknown storage action: nope for data type: kv");
  EXPECT_EQ(this->Fails("counter", R"({"action": "getdata"})"),
            invalid + "Unknown storage action: getdata for data type: counter");
  // Required parameters, in KNIX's order; a missing one is Python's KeyError.
  EXPECT_EQ(this->Fails("kv", R"({"action": "putdata"})"), std::string(kFail) + "Exception: 'key'");
  EXPECT_EQ(this->Fails("kv", R"({"action": "putdata", "key": "k"})"),
            std::string(kFail) + "Exception: 'value'");
  EXPECT_EQ(this->Fails("kv", R"({"action": "putdata", "key": null, "value": "v"})"),
            invalid + "Invalid/missing parameter: 'key' is not a str.");
  EXPECT_EQ(this->Fails("kv", R"({"action": "putdata", "key": "k", "value": 5})"),
            invalid + "Invalid/missing parameter: 'value' is not a str.");
  EXPECT_EQ(this->Fails("map", R"({"action": "putmapentry", "mapname": ["m"], "key": "k"})"),
            invalid + "Invalid/missing parameter: 'mapname' is not a str.");
  EXPECT_EQ(this->Fails("set", R"({"action": "addsetentry", "setname": "s"})"),
            std::string(kFail) + "Exception: 'item'");
  EXPECT_EQ(this->Fails("counter", R"({"action": "createcounter", "countername": "c", )"
                                   R"("countervalue": "3"})"),
            invalid + "Invalid/missing parameter: 'countervalue' is not a int.");
  EXPECT_EQ(this->Fails("counter", R"({"action": "incrementcounter", "countername": "c", )"
                                   R"("increment": 1.5})"),
            invalid + "Invalid/missing parameter: 'increment' is not a int.");
  EXPECT_EQ(this->Fails("counter", R"({"action": "decrementcounter", "countername": "c"})"),
            std::string(kFail) + "Exception: 'decrement'");
  EXPECT_EQ(this->Fails("kv", R"({"action": "listkeys", "start": "0", "count": 5})"),
            invalid + "Invalid/missing parameter: 'start' is not a int.");
  EXPECT_EQ(this->Fails("map", R"({"action": "listmaps", "start": 0})"),
            std::string(kFail) + "Exception: 'count'");
  EXPECT_EQ(this->Fails("set", R"({"action": "listsets", "start": -1, "count": 5})"),
            invalid + "'start' should be between 0 and 1000000.");
  EXPECT_EQ(this->Fails("counter", R"({"action": "listcounters", "start": 0, "count": 1000001})"),
            invalid + "'count' should be between 0 and 1000000.");
  // Python's bool is an int.
  EXPECT_EQ(
      *this->Ok("kv", R"({"action": "listkeys", "start": false, "count": true})").Find("message"),
      json::Value::String("Successful storage op: listkeys, start: False, count: True, "
                          "table: defaultTable, keyspace: storage_u1"));
  // Nothing was written by any of these.
  EXPECT_EQ(*this->Ok("kv", R"({"action": "listkeys", "start": 0, "count": 10})").Find("keylist"),
            J("[]"));
  EXPECT_EQ(*this->Ok("counter", R"({"action": "listcounters", "start": 0, "count": 10})")
                 .Find("counterlist"),
            J("[]"));
}

TYPED_TEST(StorageActionTest, StoreErrorsAnswerAsExceptions) {
  ASSERT_TRUE(
      this->store_->WriteRecords({store::RecordWrite::Put(kDataCounterKind, "user1/c", "oops")})
          .ok());
  std::string message = this->Fails("counter", R"({"action": "getcounter", "countername": "c"})");
  EXPECT_TRUE(message.starts_with(std::string(kFail) + "Exception: corrupt record "
                                                       "knix.data.counter/user1/c"))
      << message;
}

TEST(RequestedStorageScopeTest, KnixChoosesTheStorage) {
  auto scope = [](std::string_view storage) {
    json::Value v = J(storage);
    return RequestedStorageScope(&v);
  };
  auto is = [](const StorageScopeRequest& r, StorageScopeKind kind, std::string_view name) {
    return r.kind == kind && r.name == name;
  };
  using K = StorageScopeKind;
  EXPECT_TRUE(is(RequestedStorageScope(nullptr), K::kUser, ""));
  EXPECT_TRUE(is(scope("[]"), K::kUser, ""));
  EXPECT_TRUE(
      is(scope(R"({"data_type": "kv", "parameters": {"action": "getdata"}})"), K::kUser, ""));
  EXPECT_TRUE(is(scope(R"({"data_type": "kv", "parameters": {}, "workflowid": "w1"})"),
                 K::kWorkflow, "w1"));
  EXPECT_TRUE(
      is(scope(R"({"data_type": "kv", "parameters": {}, "workflowid": ""})"), K::kUser, ""));
  EXPECT_TRUE(
      is(scope(R"({"data_type": "kv", "parameters": {}, "workflowid": null})"), K::kUser, ""));
  EXPECT_TRUE(is(scope(R"({"data_type": "map", "parameters": {}, "workflowid": "w1"})"),
                 K::kWorkflow, "w1"));
  EXPECT_TRUE(is(scope(R"({"data_type": "kv", "parameters": {"tableName": "b"}, )"
                       R"("workflowid": "w1"})"),
                 K::kWorkflow, "w1"));
  EXPECT_TRUE(
      is(scope(R"({"data_type": "kv", "parameters": {"tableName": "b"}})"), K::kBucket, "b"));
  EXPECT_TRUE(is(scope(R"({"data_type": "", "parameters": {"tableName": "b"}})"), K::kBucket, "b"));
  EXPECT_TRUE(is(scope(R"({"data_type": "kv", "parameters": {"tableName": null}})"), K::kUser, ""));
  EXPECT_TRUE(is(scope(R"({"data_type": "map", "parameters": {"tableName": "b"}})"), K::kUser, ""))
      << "KNIX keeps maps, sets and counters in the user's storage";
  EXPECT_TRUE(is(scope(R"({"data_type": "kv", "parameters": {}, "workflowid": 7})"), K::kUser, ""));
}

TYPED_TEST(StorageActionTest, ScopesNameTheirTablesAndStayApart) {
  StorageTarget wf{"wf:w1", "sbox_w1", true};
  StorageTarget bucket{"bucket:u1:b", "storage_u1", true};
  const std::string wid = R"(, "workflowid": "w1"})";
  auto request = [](std::string_view type, std::string_view params, std::string_view tail) {
    std::string r = StorageActionTest<TypeParam>::Request(type, params);
    r.pop_back();
    return r + std::string(tail);
  };
  DataLayer& d = *this->layer_;
  EXPECT_EQ(*Succeeded(Perform(d,
                               request("kv",
                                       R"({"action": "putdata", "key": "k", )"
                                       R"("value": "private"})",
                                       wid),
                               wf))
                 .Find("message"),
            json::Value::String(
                "Successful storage op: putdata, key: k, table: wf_w1, keyspace: sbox_w1"));
  EXPECT_EQ(
      *Succeeded(Perform(d, request("map", R"({"action": "createmap", "mapname": "m"})", wid), wf))
           .Find("message"),
      json::Value::String(
          "Successful storage op: createmap, mapname: m, table: wf_maps_w1, keyspace: sbox_w1"));
  EXPECT_EQ(*Succeeded(Perform(d,
                               request("counter",
                                       R"({"action": "getcounter", )"
                                       R"("countername": "c"})",
                                       wid),
                               wf))
                 .Find("message"),
            json::Value::String("Successful storage op: getcounter, countername: c, table: "
                                "wf_counters_w1, keyspace: sbox_w1"));
  EXPECT_EQ(*Succeeded(Perform(d,
                               R"({"data_type": "kv", "parameters": {"action": "putdata", )"
                               R"("key": "k", "value": "in bucket", "tableName": "b"}})",
                               bucket))
                 .Find("message"),
            json::Value::String(
                "Successful storage op: putdata, key: k, table: b, keyspace: storage_u1"));
  this->Ok("kv", R"({"action": "putdata", "key": "k", "value": "user1's"})");
  this->Ok("kv", R"({"action": "putdata", "key": "k", "value": "user2's"})",
           StorageTarget{"user2", "", true});
  EXPECT_EQ(*this->Ok("kv", R"({"action": "getdata", "key": "k"})").Find("value"),
            json::Value::String("user1's"));
  EXPECT_EQ(*this->Ok("kv", R"({"action": "getdata", "key": "k"})", wf).Find("value"),
            json::Value::String("private"));
  EXPECT_EQ(*this->Ok("kv", R"({"action": "getdata", "key": "k"})", bucket).Find("value"),
            json::Value::String("in bucket"));
  json::Value user2 =
      this->Ok("kv", R"({"action": "getdata", "key": "k"})", StorageTarget{"user2", "", true});
  EXPECT_EQ(user2, J(R"({"status": true, "value": "user2's", "message": "Successful storage )"
                     R"(op: getdata, key: k, table: defaultTable, keyspace: user2"})"))
      << "an empty keyspace names the scope";
  EXPECT_EQ(*this->Ok("kv", R"({"action": "listkeys", "start": 0, "count": 9})").Find("keylist"),
            J(R"(["k"])"));
  // A workflowid or kv tableName that is not a string breaks KNIX's table naming.
  EXPECT_EQ(Failed(Perform(d, request("map", R"({"action": "createmap", "mapname": "m"})",
                                      R"(, "workflowid": 7})"))),
            std::string(kFail) + "Exception: must be str, not int");
  EXPECT_EQ(Failed(Perform(d, R"({"data_type": "kv", "parameters": {"action": "getdata", )"
                              R"("key": "k", "tableName": ["b"]}})")),
            std::string(kFail) + "Exception: must be str, not list");
  EXPECT_EQ(*Succeeded(Perform(d, R"({"data_type": "set", "parameters": {"action": "createset", )"
                                  R"("setname": "s", "tableName": 5}})"))
                 .Find("message"),
            json::Value::String("Successful storage op: createset, setname: s, table: "
                                "defaultSetTable, keyspace: storage_u1"));
}

TYPED_TEST(StorageActionTest, MissingBucket) {
  StorageTarget missing{"bucket:u1:nope", "storage_u1", false};
  const std::string where = ", table: nope, keyspace: storage_u1";
  auto kv = [](std::string_view params) {
    return R"({"data_type": "kv", "parameters": )" + std::string(params) + "}";
  };
  DataLayer& d = *this->layer_;
  EXPECT_EQ(Failed(Perform(d,
                           kv(R"({"action": "putdata", "key": "k", "value": "v", )"
                              R"("tableName": "nope"})"),
                           missing)),
            std::string(kFail) + "putdata returned False. putdata, key: k" + where);
  EXPECT_EQ(Failed(Perform(d, kv(R"({"action": "deletedata", "key": "k", "tableName": "nope"})"),
                           missing)),
            std::string(kFail) + "deletedata returned False. deletedata, key: k" + where);
  EXPECT_TRUE(Succeeded(Perform(d, kv(R"({"action": "getdata", "key": "k", "tableName": "nope"})"),
                                missing))
                  .Find("value")
                  ->is_null());
  EXPECT_EQ(*Succeeded(Perform(d,
                               kv(R"({"action": "listkeys", "start": 0, "count": 5, )"
                                  R"("tableName": "nope"})"),
                               missing))
                 .Find("keylist"),
            J("[]"));
  auto written = this->store_->ListRecords(kDataKvKind, "", "", 10);
  ASSERT_TRUE(written.ok());
  EXPECT_TRUE(written->items.empty()) << "nothing written to a bucket that does not exist";
}

TYPED_TEST(StorageActionTest, ConcurrentIncrementsThroughTheAction) {
  constexpr int kThreads = 6;
  constexpr int kEach = 100;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if (!Perform(*this->layer_,
                     this->Request("counter", R"({"action": "incrementcounter", )"
                                              R"("countername": "hits", "increment": 1})"))
                 .ok()) {
          ++failures[t];
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0);
  EXPECT_EQ(*this->Ok("counter", R"({"action": "getcounter", "countername": "hits"})")
                 .Find("countervalue"),
            json::Value::Int(kThreads * kEach));
}

TEST(StorageActionSqliteTest, SurvivesReopen) {
  SqliteFactory factory;
  auto run = [](DataLayer& d, std::string_view type, std::string_view params) {
    return Succeeded(Perform(d, StorageActionTest<SqliteFactory>::Request(type, params)));
  };
  {
    auto store = factory.Open();
    DataLayer d(store.get());
    run(d, "kv", R"({"action": "putdata", "key": "k", "value": "v"})");
    run(d, "map", R"({"action": "putmapentry", "mapname": "m", "key": "k", "value": "mv"})");
    run(d, "set", R"({"action": "addsetentry", "setname": "s", "item": "i"})");
    run(d, "counter", R"({"action": "createcounter", "countername": "c", "countervalue": 41})");
    run(d, "counter", R"({"action": "incrementcounter", "countername": "c", "increment": 1})");
  }
  auto store = factory.Open();
  DataLayer d(store.get());
  EXPECT_EQ(*run(d, "kv", R"({"action": "getdata", "key": "k"})").Find("value"),
            json::Value::String("v"));
  EXPECT_EQ(*run(d, "map", R"({"action": "retrievemap", "mapname": "m"})").Find("mapentries"),
            J(R"({"k": "mv"})"));
  EXPECT_EQ(*run(d, "set", R"({"action": "retrieveset", "setname": "s"})").Find("items"),
            J(R"(["i"])"));
  EXPECT_EQ(
      *run(d, "counter", R"({"action": "getcounter", "countername": "c"})").Find("countervalue"),
      json::Value::Int(42));
  EXPECT_EQ(*run(d, "map", R"({"action": "listmaps", "start": 0, "count": 10})").Find("maplist"),
            J(R"(["m"])"));
}

}  // namespace
}  // namespace stator::knix
