// graphql_bench: the GraphQL engine in-process (src/graphql): parse + execute of a small query
// whose root field answers from a synchronous resolver (the shape of AppSync's NONE/Lambda data
// plane), execute alone on a pre-parsed document, a 100-item list, and the introspection query.
// Prints microseconds per operation. Usage: graphql_bench [iterations]
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "graphql/execute.h"
#include "graphql/parser.h"

using namespace stator;
using namespace stator::graphql;

namespace {

class EchoResolver : public FieldResolver {
 public:
  bool Resolves(std::string_view parent, std::string_view) const override {
    return parent == "Query" || parent == "Mutation";
  }
  void Resolve(FieldCall call, std::function<void(FieldOutcome)> done) override {
    if (call.field_name == "list") {
      json::Array items;
      for (int i = 0; i < 100; ++i) {
        items.push_back(json::Value::MakeObject(
            {{"id", json::Value::Int(i)},
             {"name", json::Value::String("n")},
             {"owner", json::Value::MakeObject({{"name", json::Value::String("o")}})}}));
      }
      return done(FieldOutcome::Value(json::Value::MakeArray(std::move(items))));
    }
    done(FieldOutcome::Value(json::Value::MakeObject(
        {{"id", *call.arguments.Find("id")},
         {"name", json::Value::String("thing")},
         {"owner", json::Value::MakeObject({{"name", json::Value::String("ann")}})}})));
  }
};

template <typename F>
void Measure(const char* name, int iterations, F f) {
  for (int i = 0; i < iterations / 10 + 1; ++i) f();
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) f();
  double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  std::printf("%-34s %9.2f us/op  (%d ops)\n", name, us / iterations, iterations);
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 20000;
  SchemaResult built = BuildSchema(R"(
    type Query { getThing(id: ID!): Thing list: [Thing] }
    type Mutation { addThing(id: ID!, name: String): Thing }
    type Thing @aws_api_key { id: ID! name: String owner: Owner }
    type Owner { name: String }
  )",
                                   SchemaOptions{true});
  if (!built.ok()) return 1;
  std::shared_ptr<const Schema> schema = built.schema;
  EchoResolver resolver;
  const std::string query = "query Q($id: ID!) { getThing(id: $id) { id name owner { name } } }";
  json::Value variables = json::Value::MakeObject({{"id", json::Value::String("abc")}});
  size_t sink = 0;
  Measure("parse", n, [&] { sink += ParseDocument(query).document->operations.size(); });
  auto doc = ParseDocument(query).document;
  Measure("execute (pre-parsed)", n, [&] {
    ExecuteRequest r{schema, doc, "", variables, json::Value()};
    Execute(std::move(r), &resolver, [&](ExecutionResult res) { sink += res.errors.size(); });
  });
  Measure("parse + execute + ToJson().Dump()", n, [&] {
    ExecuteRequest r{schema, ParseDocument(query).document, "", variables, json::Value()};
    Execute(std::move(r), &resolver,
            [&](ExecutionResult res) { sink += res.ToJson().Dump().size(); });
  });
  auto list_doc = ParseDocument("{ list { id name owner { name } } }").document;
  Measure("execute 100-item list", n / 10, [&] {
    ExecuteRequest r{schema, list_doc, "", json::Value(), json::Value()};
    Execute(std::move(r), &resolver, [&](ExecutionResult res) { sink += res.errors.size(); });
  });
  Measure("introspection", n / 100, [&] { sink += IntrospectionResult(*schema).Dump().size(); });
  std::printf("(%zu)\n", sink);
  return 0;
}
