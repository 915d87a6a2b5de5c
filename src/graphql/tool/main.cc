// graphql_tool: the engine's side of the differential tests against graphql-core
// (tests/graphql/test_graphql_differential.py). Test-only; not installed.
//
// Reads JSON lines on stdin, one request each:
//   {"schema": SDL, "query": TEXT, "variables"?: {...}, "operationName"?: S, "root"?: JSON,
//    "appsync"?: bool}
// and writes one JSON line per request: {"errors": [...]} when the schema, the document's syntax
// or its validation fails, else the execution result {"data": ..., "errors"?: [...]} (request
// errors such as bad variables give {"errors": [...]} without data).
//
// Resolvers read the root value: a field's value is its parent object's member of the field's
// name; a string "__error:<message>" there makes the field raise <message> (the harness gives
// graphql-core the same resolver).
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "common/json.h"
#include "graphql/error.h"
#include "graphql/execute.h"
#include "graphql/parser.h"
#include "graphql/schema.h"
#include "graphql/validate.h"

namespace stator::graphql {
namespace {

constexpr std::string_view kErrorPrefix = "__error:";

class RootDataResolver : public FieldResolver {
 public:
  bool Resolves(std::string_view, std::string_view field) const override {
    return field.substr(0, 2) != "__";
  }
  void Resolve(FieldCall call, std::function<void(FieldOutcome)> done) override {
    const json::Value* value = call.source.Find(call.field_name);
    if (value && value->is_string() && value->as_string().rfind(kErrorPrefix, 0) == 0) {
      done(FieldOutcome::Fail(value->as_string().substr(kErrorPrefix.size())));
      return;
    }
    done(FieldOutcome::Value(value ? *value : json::Value()));
  }
};

json::Value ErrorsOnly(const std::vector<Error>& errors) {
  return json::Value::MakeObject({{"errors", ErrorsToJson(errors)}});
}

json::Value Run(const json::Value& request,
                std::map<std::string, std::shared_ptr<const Schema>>* schemas) {
  const json::Value* sdl = request.Find("schema");
  const json::Value* query = request.Find("query");
  if (!sdl || !sdl->is_string() || !query || !query->is_string()) {
    return ErrorsOnly({Error{"graphql_tool: a request needs schema and query", {}, {}, {}, {}}});
  }
  const json::Value* appsync = request.Find("appsync");
  SchemaOptions options;
  options.appsync = appsync && appsync->is_bool() && appsync->as_bool();
  std::string key = (options.appsync ? "1" : "0") + sdl->as_string();
  auto it = schemas->find(key);
  if (it == schemas->end()) {
    SchemaResult built = BuildSchema(sdl->as_string(), options);
    if (!built.ok()) return ErrorsOnly(built.errors);
    it = schemas->emplace(key, built.schema).first;
  }
  ParseResult parsed = ParseDocument(query->as_string());
  if (!parsed.ok()) return ErrorsOnly(parsed.errors);
  std::vector<Error> invalid = Validate(*it->second, *parsed.document);
  if (!invalid.empty()) return ErrorsOnly(invalid);
  ExecuteRequest execute;
  execute.schema = it->second;
  execute.document = parsed.document;
  if (const json::Value* v = request.Find("operationName"); v && v->is_string()) {
    execute.operation_name = v->as_string();
  }
  if (const json::Value* v = request.Find("variables")) execute.variables = *v;
  if (const json::Value* v = request.Find("root")) execute.root_value = *v;
  RootDataResolver resolver;
  return ExecuteSync(std::move(execute), &resolver).ToJson();
}

}  // namespace
}  // namespace stator::graphql

int main() {
  using namespace stator;  // NOLINT
  std::map<std::string, std::shared_ptr<const graphql::Schema>> schemas;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    Result<json::Value> request = json::Parse(line);
    json::Value out;
    if (!request.ok()) {
      out = graphql::ErrorsOnly({graphql::Error{"graphql_tool: bad JSON line", {}, {}, {}, {}}});
    } else {
      out = graphql::Run(*request, &schemas);
    }
    std::cout << out.Dump() << '\n' << std::flush;
  }
  return 0;
}
