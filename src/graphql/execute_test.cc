#include "graphql/execute.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "common/read_file.h"
#include "graphql/parser.h"

namespace stator::graphql {
namespace {

json::Value J(std::string_view text) {
  auto v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? v.value() : json::Value();
}

std::shared_ptr<const Schema> MakeSchema(std::string_view sdl, bool appsync = false) {
  SchemaResult r = BuildSchema(sdl, SchemaOptions{appsync});
  EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0].message);
  return r.schema;
}

json::Value Query(const std::shared_ptr<const Schema>& schema, std::string_view query,
                  FieldResolver* resolver = nullptr, json::Value variables = json::Value(),
                  json::Value root = json::Value()) {
  ParseResult parsed = ParseDocument(query);
  EXPECT_TRUE(parsed.ok()) << query;
  ExecuteRequest request;
  request.schema = schema;
  request.document = parsed.document;
  request.variables = std::move(variables);
  request.root_value = std::move(root);
  return ExecuteSync(std::move(request), resolver).ToJson();
}

// Query.echo and Query.oneOf answer their coerced arguments as JSON text (as the goldens'
// graphql-core resolvers do).
class EchoArguments : public FieldResolver {
 public:
  bool Resolves(std::string_view parent, std::string_view field) const override {
    return parent == "Query" && (field == "echo" || field == "oneOf");
  }
  void Resolve(FieldCall call, std::function<void(FieldOutcome)> done) override {
    done(FieldOutcome::Value(json::Value::String(call.arguments.Dump())));
  }
};

// Each case of testdata/execution_cases.json (made by make_execution_goldens.py from
// graphql-core, with its messages translated to graphql-js's) gives the same response.
TEST(ExecuteTest, MatchesGraphqlCoreGoldens) {
  auto text = ReadWholeFile(
      std::string(STATOR_SOURCE_DIR) + "/src/graphql/testdata/execution_cases.json", "x");
  ASSERT_TRUE(text.ok());
  json::Value all = J(text.value());
  auto schema = MakeSchema(all.Find("schema")->as_string());
  ASSERT_NE(schema, nullptr);
  for (const json::Value& c : all.Find("cases")->as_array()) {
    SCOPED_TRACE(c.Find("name")->as_string());
    ParseResult parsed = ParseDocument(c.Find("query")->as_string());
    ASSERT_TRUE(parsed.ok());
    ExecuteRequest request;
    request.schema = schema;
    request.document = parsed.document;
    request.variables = *c.Find("variables");
    request.root_value = *c.Find("root");
    const json::Value& op = *c.Find("operationName");
    if (op.is_string()) request.operation_name = op.as_string();
    EchoArguments echo;
    json::Value got = ExecuteSync(std::move(request), &echo).ToJson();
    EXPECT_EQ(got.Dump(), c.Find("expected")->Dump());
  }
}

// A resolver that answers from a function, synchronously or on a new thread.
class TestResolver : public FieldResolver {
 public:
  using Fn = std::function<FieldOutcome(const FieldCall&)>;
  TestResolver(std::set<std::string> fields, Fn fn, bool async = false)
      : fields_(std::move(fields)), fn_(std::move(fn)), async_(async) {}
  ~TestResolver() override {
    for (std::thread& t : threads_) t.join();
  }
  bool Resolves(std::string_view parent, std::string_view field) const override {
    return fields_.count(std::string(parent) + "." + std::string(field)) > 0;
  }
  void Resolve(FieldCall call, std::function<void(FieldOutcome)> done) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      calls_.push_back(call);
    }
    if (!async_) return done(fn_(call));
    std::lock_guard<std::mutex> lock(mu_);
    threads_.emplace_back([this, call = std::move(call), done = std::move(done)] {
      std::this_thread::sleep_for(std::chrono::milliseconds(call.field_name == "slow" ? 30 : 1));
      done(fn_(call));
    });
  }
  std::vector<FieldCall> calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  std::set<std::string> fields_;
  Fn fn_;
  bool async_;
  std::mutex mu_;
  std::vector<FieldCall> calls_;
  std::vector<std::thread> threads_;
};

const char* kSchema = R"(
  type Query {
    echo(a: Int, b: String = "dflt", e: Episode, i: In, l: [Int], n: Int!): AWSJSON
    user(id: ID!): User
    users: [User]
    slow: Int
    fast: Int
    fail: Int
    failRequired: Int!
  }
  type Mutation { add(n: Int!): Int slow: Int }
  type User { id: ID! name: String friends: [User!] best: User }
  enum Episode { NEWHOPE EMPIRE }
  input In { x: Int! y: [String!] = ["d"] e: Episode = EMPIRE }
)";

TEST(ExecuteTest, ArgumentsAreCoercedWithDefaults) {
  auto schema = MakeSchema(kSchema, true);
  TestResolver r({"Query.echo"},
                 [](const FieldCall& c) { return FieldOutcome::Value(c.arguments); });
  json::Value got =
      Query(schema,
            "query Q($v: Int, $i: In) { a: echo(a: $v, e: NEWHOPE, l: 3, n: 1, i: {x: 2}) "
            "b: echo(i: $i, n: 2) }",
            &r, J(R"({"v": 5, "i": {"x": 1, "y": "one"}})"));
  EXPECT_EQ(
      got.Dump(),
      R"({"data":{"a":"{\"a\":5,\"b\":\"dflt\",\"e\":\"NEWHOPE\",\"i\":{\"x\":2,\"y\":[\"d\"],\"e\":\"EMPIRE\"},\"l\":[3],\"n\":1}",)"
      R"("b":"{\"b\":\"dflt\",\"i\":{\"x\":1,\"y\":[\"one\"],\"e\":\"EMPIRE\"},\"n\":2}"}})");
  std::vector<FieldCall> calls = r.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].alias, "a");
  EXPECT_EQ(calls[0].path.Dump(), R"(["a"])");
  EXPECT_EQ(calls[0].variables.Dump(), R"({"v":5,"i":{"x":1,"y":["one"],"e":"EMPIRE"}})");
  EXPECT_EQ(calls[0].locations[0].column, 28);
}

TEST(ExecuteTest, ArgumentErrorsAreFieldErrors) {
  auto schema = MakeSchema(kSchema, true);
  TestResolver r({"Query.echo"},
                 [](const FieldCall& c) { return FieldOutcome::Value(c.arguments); });
  EXPECT_EQ(Query(schema, "{ echo(a: 1) }", &r).Dump(),
            R"({"errors":[{"message":"Argument \"n\" of required type \"Int!\" was not provided.",)"
            R"("locations":[{"line":1,"column":3}],"path":["echo"]}],"data":{"echo":null}})");
  EXPECT_EQ(Query(schema, "query ($v: Int) { echo(n: $v) }", &r).Dump(),
            R"({"errors":[{"message":"Argument \"n\" of required type \"Int!\" was provided the )"
            R"(variable \"$v\" which was not provided a runtime value.","locations":[{"line":1,)"
            R"("column":27}],"path":["echo"]}],"data":{"echo":null}})");
  EXPECT_EQ(
      Query(schema, "{ echo(n: \"x\") }", &r).Dump(),
      R"({"errors":[{"message":"Argument \"n\" has invalid value \"x\".","locations":[{"line":1,)"
      R"("column":11}],"path":["echo"]}],"data":{"echo":null}})");
  EXPECT_TRUE(r.calls().empty());
}

TEST(ExecuteTest, ResolverErrorsAndNestedDefaultResolution) {
  auto schema = MakeSchema(kSchema, true);
  TestResolver r(
      {"Query.user", "Query.fail", "Query.failRequired", "User.best"}, [](const FieldCall& c) {
        if (c.field_name == "user") {
          return FieldOutcome::Value(J(R"({"id": 1, "name": "ann", "friends": [{"id": "2"}]})"));
        }
        if (c.field_name == "best") {
          EXPECT_EQ(c.source.Find("name")->as_string(), "ann");
          EXPECT_EQ(c.path.Dump(), R"(["user","best"])");
          return FieldOutcome::Value(J(R"({"id": "3"})"));
        }
        FieldOutcome o = FieldOutcome::Fail("boom");
        o.error->extra = J(R"({"errorType": "Lambda:Unhandled", "data": null})");
        return o;
      });
  EXPECT_EQ(
      Query(schema, "{ user(id: 1) { id name friends { id name } best { id } } fail }", &r).Dump(),
      R"({"errors":[{"message":"boom","locations":[{"line":1,"column":59}],"path":["fail"],)"
      R"("errorType":"Lambda:Unhandled","data":null}],"data":{"user":{"id":"1","name":"ann",)"
      R"("friends":[{"id":"2","name":null}],"best":{"id":"3"}},"fail":null}})");
  EXPECT_EQ(
      Query(schema, "{ fail failRequired }", &r).Dump(),
      R"({"errors":[{"message":"boom","locations":[{"line":1,"column":3}],"path":["fail"],)"
      R"("errorType":"Lambda:Unhandled","data":null},{"message":"boom","locations":[{"line":1,)"
      R"("column":8}],"path":["failRequired"],"errorType":"Lambda:Unhandled","data":null}],"data":null})");
}

TEST(ExecuteTest, SelectionSetListAndGraphql) {
  auto schema = MakeSchema(kSchema, true);
  TestResolver r({"Query.user"},
                 [](const FieldCall&) { return FieldOutcome::Value(json::Value()); });
  Query(schema,
        "query { user(id: 1) { id ...F friends { __typename id ... on User { name } } } } "
        "fragment F on User { name best { id } }",
        &r);
  std::vector<FieldCall> calls = r.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].selection_set_list,
            (std::vector<std::string>{"id", "name", "best", "best/id", "friends", "friends/id",
                                      "friends/name"}));
  EXPECT_EQ(calls[0].selection_set_graphql,
            "{\n  id\n  ...F\n  friends {\n    __typename\n    id\n    ... on User {\n      name\n"
            "    }\n  }\n}");
}

TEST(ExecuteTest, SelectionSetListDoesNotMultiplyRepeatedFragments) {
  auto schema = MakeSchema(kSchema, true);
  TestResolver r({"Query.user"},
                 [](const FieldCall&) { return FieldOutcome::Value(json::Value()); });
  std::string query = "{ user(id: 1) { ...F0 } }";
  for (int i = 0; i < 40; ++i) {
    query += " fragment F" + std::to_string(i) + " on User { id ...F" + std::to_string(i + 1) +
             " ...F" + std::to_string(i + 1) + " }";
  }
  query += " fragment F40 on User { name best { id ...F40 } }";  // a cycle: not expanded again
  Query(schema, query, &r);
  std::vector<FieldCall> calls = r.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].selection_set_list,
            (std::vector<std::string>{"id", "name", "best", "best/id"}));
}

TEST(ExecuteTest, AsyncResolversRunConcurrentlyForQueries) {
  auto schema = MakeSchema(kSchema, true);
  std::atomic<int> in_flight{0}, max_in_flight{0};
  TestResolver r(
      {"Query.slow", "Query.fast", "Query.users", "User.best"},
      [&](const FieldCall& c) {
        int now = ++in_flight;
        int seen = max_in_flight.load();
        while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        --in_flight;
        if (c.field_name == "users") {
          return FieldOutcome::Value(J(R"([{"id": 1}, {"id": 2}, null])"));
        }
        if (c.field_name == "best") {
          return FieldOutcome::Value(json::Value::MakeObject(
              {{"id", json::Value::String("b" + c.source.Find("id")->Dump())}}));
        }
        return FieldOutcome::Value(json::Value::Int(c.field_name == "slow" ? 1 : 2));
      },
      /*async=*/true);
  EXPECT_EQ(
      Query(schema, "{ slow fast users { id best { id } } }", &r).Dump(),
      R"({"data":{"slow":1,"fast":2,"users":[{"id":"1","best":{"id":"b1"}},{"id":"2","best":{"id":"b2"}},null]}})");
  EXPECT_GE(max_in_flight.load(), 2);
}

TEST(ExecuteTest, MutationsRunOneAfterAnother) {
  auto schema = MakeSchema(kSchema, true);
  std::mutex mu;
  std::vector<std::string> order;
  std::atomic<int> in_flight{0};
  bool overlapped = false;
  TestResolver r(
      {"Mutation.add", "Mutation.slow"},
      [&](const FieldCall& c) {
        if (++in_flight > 1) overlapped = true;
        {
          std::lock_guard<std::mutex> lock(mu);
          order.push_back(c.path.Dump());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(3));
        --in_flight;
        return FieldOutcome::Value(c.arguments.Find("n") ? *c.arguments.Find("n")
                                                         : json::Value::Int(0));
      },
      /*async=*/true);
  EXPECT_EQ(Query(schema, "mutation { a: slow b: add(n: 1) c: add(n: 2) }", &r).Dump(),
            R"({"data":{"a":0,"b":1,"c":2}})");
  EXPECT_FALSE(overlapped);
  EXPECT_EQ(order, (std::vector<std::string>{R"(["a"])", R"(["b"])", R"(["c"])"}));
}

TEST(ExecuteTest, AppSyncScalars) {
  auto schema = MakeSchema(R"(
    type Query {
      d(v: AWSDate): AWSDate t: AWSTime dt: AWSDateTime ts: AWSTimestamp e: AWSEmail
      j(v: AWSJSON): AWSJSON u: AWSURL p: AWSPhone ip: AWSIPAddress
    })",
                           true);
  json::Value root = J(R"({"d": "2024-02-29", "t": "12:30:00.123Z", "dt": "2024-01-01T00:00:00Z",
    "ts": 1700000000, "e": "a@b.c", "j": {"k": [1, 2]}, "u": "https://x.y/z", "p": "+1 555-0100",
    "ip": "10.0.0.1/8"})");
  EXPECT_EQ(Query(schema, "{ d t dt ts e j u p ip }", nullptr, {}, root).Dump(),
            R"({"data":{"d":"2024-02-29","t":"12:30:00.123Z","dt":"2024-01-01T00:00:00Z",)"
            R"("ts":1700000000,"e":"a@b.c","j":"{\"k\":[1,2]}","u":"https://x.y/z",)"
            R"("p":"+1 555-0100","ip":"10.0.0.1/8"}})");
  json::Value bad = J(R"({"d": "2023-02-29", "dt": "2024-01-01", "e": "nope", "ip": "300.1.1.1"})");
  json::Value got = Query(schema, "{ d dt e ip }", nullptr, {}, bad);
  EXPECT_EQ(got.Find("data")->Dump(), R"({"d":null,"dt":null,"e":null,"ip":null})");
  EXPECT_EQ(got.Find("errors")->as_array().size(), 4u);
  // AWSJSON input is parsed; invalid JSON is a variable error.
  TestResolver r({"Query.j"},
                 [](const FieldCall& c) { return FieldOutcome::Value(*c.arguments.Find("v")); });
  EXPECT_EQ(
      Query(schema, "query ($v: AWSJSON) { j(v: $v) }", &r, J(R"({"v": "{\"a\": 1}"})")).Dump(),
      R"({"data":{"j":"{\"a\":1}"}})");
  EXPECT_EQ(Query(schema, "query ($v: AWSJSON) { j(v: $v) }", &r, J(R"({"v": "{nope"})")).Dump(),
            R"({"errors":[{"message":"Variable \"$v\" got invalid value \"{nope\"; AWSJSON cannot )"
            R"(represent value: \"{nope\"","locations":[{"line":1,"column":8}]}]})");
}

TEST(ExecuteTest, SchemaWithoutMutationType) {
  auto schema = MakeSchema("type Query { a: Int }");
  EXPECT_EQ(Query(schema, "mutation { a }").Dump(),
            R"({"errors":[{"message":"Schema is not configured to execute mutation operation.",)"
            R"("locations":[{"line":1,"column":1}]}],"data":null})");
  EXPECT_EQ(
      ExecuteText(schema, "{ a").Dump(),
      R"({"errors":[{"message":"Syntax Error: Expected Name, found <EOF>.","locations":[{"line":1,"column":4}]}]})");
}

}  // namespace
}  // namespace stator::graphql
