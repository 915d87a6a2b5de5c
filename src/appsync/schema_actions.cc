// StartSchemaCreation, GetSchemaCreationStatus, GetIntrospectionSchema, ListTypes, GetType.
//
// A schema is parsed and checked by the GraphQL layer (graphql::BuildSchema with AppSync's
// scalars and directives predeclared) before StartSchemaCreation answers: the attempt is
// recorded as SUCCESS ("Successfully created schema with N types.") or FAILED with the problems
// found, and GetSchemaCreationStatus reports it. A failed attempt leaves the schema before it in
// force, as AppSync does.
#include <string_view>

#include "appsync/actions.h"
#include "common/base64.h"

namespace stator::appsync {
namespace {

using json::Value;
using store::RecordWrite;

graphql::SchemaOptions AppSyncOptions() {
  graphql::SchemaOptions o;
  o.appsync = true;
  return o;
}

std::string Details(const std::vector<graphql::Error>& errors) {
  std::string out = "Schema validation failed: ";
  for (size_t i = 0; i < errors.size(); ++i) {
    const graphql::Error& e = errors[i];
    if (i > 0) out += "; ";
    out += e.message;
    if (!e.locations.empty()) {
      out += " (line " + std::to_string(e.locations[0].line) + ", column " +
             std::to_string(e.locations[0].column) + ")";
    }
  }
  return out;
}

size_t UserTypes(const graphql::Schema& schema) {
  size_t n = 0;
  for (const graphql::NamedType* t : schema.types()) n += t->builtin ? 0 : 1;
  return n;
}

Result<std::string> Format(const Request& r, bool required) {
  std::optional<std::string> f = r.Query("format");
  if (!f) {
    if (required) return BadRequest("format must be specified.");
    return std::string("SDL");
  }
  if (*f != "SDL" && *f != "JSON") return BadRequest("Invalid format: " + *f + " (SDL or JSON).");
  return *f;
}

// The name a printed SDL definition defines ("" for a schema block or none).
std::string DefinedName(std::string_view block) {
  for (std::string_view kw : {"type ", "interface ", "union ", "enum ", "input ", "scalar "}) {
    size_t at = 0;
    while ((at = block.find(kw, at)) != std::string_view::npos) {
      if (at == 0 || block[at - 1] == '\n') {
        std::string_view rest = block.substr(at + kw.size());
        size_t end = rest.find_first_of(" {(=@\n");
        return std::string(rest.substr(0, end));
      }
      at += kw.size();
    }
  }
  return "";
}

// Each type's definition as PrintSchema prints it: definitions are separated by blank lines
// (a blank line inside a """description""" does not end one).
std::vector<std::pair<std::string, std::string>> TypeDefinitions(const std::string& sdl) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string block;
  auto flush = [&] {
    if (block.empty()) return;
    std::string name = DefinedName(block);
    if (!name.empty()) out.emplace_back(name, block + "\n");
    block.clear();
  };
  size_t pos = 0;
  while (pos <= sdl.size()) {
    size_t end = sdl.find("\n\n", pos);
    std::string piece = sdl.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    block += (block.empty() ? "" : "\n\n") + piece;
    size_t quotes = 0;
    for (size_t q = block.find("\"\"\""); q != std::string::npos; q = block.find("\"\"\"", q + 3)) {
      ++quotes;
    }
    if (quotes % 2 == 0) flush();
    if (end == std::string::npos) break;
    pos = end + 2;
  }
  flush();
  return out;
}

// The Type objects of the schema's own types (in definition order), in `format`.
std::vector<std::pair<std::string, Value>> TypeObjects(AppSyncService* s, const std::string& api,
                                                       const graphql::Schema& schema,
                                                       const std::string& format) {
  std::vector<std::pair<std::string, std::string>> sdl;
  Value introspection;
  if (format == "SDL") {
    sdl = TypeDefinitions(graphql::PrintSchema(schema));
  } else {
    introspection = graphql::IntrospectionResult(schema);
  }
  std::vector<std::pair<std::string, Value>> out;
  for (const graphql::NamedType* t : schema.types()) {
    if (t->builtin) continue;
    std::string definition;
    if (format == "SDL") {
      for (const auto& [name, text] : sdl) {
        if (name == t->name) definition = text;
      }
    } else if (const Value* s = introspection.Find("__schema"); s && s->Find("types")) {
      for (const Value& type : s->Find("types")->as_array()) {
        const Value* n = type.Find("name");
        if (n && n->is_string() && n->as_string() == t->name) definition = type.Dump();
      }
    }
    json::Object o;
    o.emplace_back("name", Value::String(t->name));
    if (t->description) o.emplace_back("description", Value::String(*t->description));
    o.emplace_back("arn", Value::String(s->ApiArn(api) + "/types/" + t->name));
    o.emplace_back("definition", Value::String(definition));
    o.emplace_back("format", Value::String(format));
    // Keys in definition order for the page token: a zero-padded position.
    char key[16];
    std::snprintf(key, sizeof key, "%08zu", out.size());
    out.emplace_back(key, Value::MakeObject(std::move(o)));
  }
  return out;
}

Error NoSchema(const std::string& api) { return NotFound("No schema found for API " + api + "."); }

}  // namespace

Result<std::shared_ptr<const graphql::Schema>> SchemaInForce(AppSyncService* s,
                                                             const std::string& api) {
  STATOR_TRY(std::optional<Value> api_record, s->catalog().ApiRecord(api));
  if (!api_record) return ApiNotFound(api);
  STATOR_TRY(std::optional<SchemaRecord> record, s->catalog().GetSchema(api));
  if (!record || record->definition.empty()) return std::shared_ptr<const graphql::Schema>();
  graphql::SchemaResult built = graphql::BuildSchema(record->definition, AppSyncOptions());
  if (!built.ok()) {
    return Error{"InternalFailureException",
                 "the schema in force no longer builds: " + Details(built.errors)};
  }
  return built.schema;
}

Answer StartSchemaCreation(AppSyncService* s, const Request& r) {
  const std::string& api = r.segments[1];
  STATOR_TRY(std::string encoded, StringMember(r.body, "definition", true));
  auto sdl = Base64Decode(encoded);
  if (!sdl.ok()) return BadRequest("definition must be base64-encoded.");
  graphql::SchemaResult built = graphql::BuildSchema(*sdl, AppSyncOptions());
  Status st = s->catalog().Change(api, [&]() -> Result<std::vector<RecordWrite>> {
    STATOR_TRY(std::optional<SchemaRecord> old, s->catalog().GetSchema(api));
    Value record;
    if (built.ok()) {
      record = Value::MakeObject(
          {{"definition", Value::String(*sdl)},
           {"status", Value::String("SUCCESS")},
           {"details", Value::String("Successfully created schema with " +
                                     std::to_string(UserTypes(*built.schema)) + " types.")}});
    } else {
      record = Value::MakeObject({{"definition", Value::String(old ? old->definition : "")},
                                  {"status", Value::String("FAILED")},
                                  {"details", Value::String(Details(built.errors))}});
    }
    return std::vector<RecordWrite>{RecordWrite::Put(kSchemasKind, api, record.Dump())};
  });
  STATOR_RETURN_IF_ERROR(st);
  return JsonResponse(Value::MakeObject({{"status", Value::String("PROCESSING")}}));
}

Answer GetSchemaCreationStatus(AppSyncService* s, const Request& r) {
  STATOR_TRY(Value api, RequireApi(s, r));
  STATOR_TRY(std::optional<SchemaRecord> record, s->catalog().GetSchema(r.segments[1]));
  if (!record) {
    return JsonResponse(
        Value::MakeObject({{"status", Value::String("NOT_APPLICABLE")},
                           {"details", Value::String("No schema has been created.")}}));
  }
  return JsonResponse(Value::MakeObject(
      {{"status", Value::String(record->status)}, {"details", Value::String(record->details)}}));
}

Answer GetIntrospectionSchema(AppSyncService* s, const Request& r) {
  const std::string& api = r.segments[1];
  STATOR_TRY(std::string format, Format(r, true));
  STATOR_TRY(std::shared_ptr<const graphql::Schema> schema, SchemaInForce(s, api));
  if (!schema) return NoSchema(api);
  api::HttpResponse out;
  if (format == "SDL") {
    out.content_type = "text/plain";
    out.body = graphql::PrintSchema(*schema);
  } else {
    out.content_type = "application/json";
    out.body = Value::MakeObject({{"data", graphql::IntrospectionResult(*schema)}}).Dump();
  }
  return out;
}

Answer ListTypes(AppSyncService* s, const Request& r) {
  const std::string& api = r.segments[1];
  STATOR_TRY(std::string format, Format(r, true));
  STATOR_TRY(std::shared_ptr<const graphql::Schema> schema, SchemaInForce(s, api));
  if (!schema) return NoSchema(api);
  STATOR_TRY(Value page, Paginate(r, "ListTypes", "types", TypeObjects(s, api, *schema, format)));
  return JsonResponse(page);
}

Answer GetType(AppSyncService* s, const Request& r) {
  const std::string& api = r.segments[1];
  const std::string& name = r.segments[3];
  STATOR_TRY(std::string format, Format(r, true));
  STATOR_TRY(std::shared_ptr<const graphql::Schema> schema, SchemaInForce(s, api));
  if (schema) {
    for (auto& [key, type] : TypeObjects(s, api, *schema, format)) {
      if (type.Find("name")->as_string() == name) {
        return JsonResponse(Value::MakeObject({{"type", type}}));
      }
    }
  }
  return NotFound("Type " + name + " not found");
}

}  // namespace stator::appsync
