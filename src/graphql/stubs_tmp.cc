#include "graphql/execute.h"
#include "graphql/schema.h"
#include "graphql/values.h"

namespace stator::graphql {
Schema::Schema() = default;
Schema::~Schema() = default;
SchemaResult BuildSchema(std::string_view, const SchemaOptions&) {
  SchemaResult r;
  r.errors.push_back(Error{"not implemented yet", {}, {}, {}, {}});
  return r;
}
std::string PrintSchema(const Schema&) { return ""; }
json::Value IntrospectionResult(const Schema&) { return json::Value(); }
void Execute(ExecuteRequest, FieldResolver*, std::function<void(ExecutionResult)> done) {
  ExecutionResult r;
  r.has_data = false;
  r.errors.push_back(Error{"not implemented yet", {}, {}, {}, {}});
  done(std::move(r));
}
}  // namespace stator::graphql
