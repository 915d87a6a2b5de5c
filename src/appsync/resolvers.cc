// Field resolvers of an AppSync API (resolvers.h): compiling an API, direct and templated Lambda
// resolvers, local (NONE) resolvers and the response templates. DynamoDB resolvers are in
// dynamodb_resolver.cc, HTTP resolvers in http_resolver.cc.
#include "appsync/resolvers.h"

#include <utility>

#include "functions/function_config.h"

namespace stator::appsync {

namespace {

json::Value S(std::string s) { return json::Value::String(std::move(s)); }

std::string FieldKey(std::string_view type, std::string_view field) {
  std::string key(type);
  key += '.';
  key += field;
  return key;
}

json::Value StringArray(const std::vector<std::string>& items) {
  json::Array a;
  a.reserve(items.size());
  for (const std::string& s : items) a.push_back(S(s));
  return json::Value::MakeArray(std::move(a));
}

// A template's output as JSON (read as AppSync reads it), or the error for output that is not.
Result<json::Value> TemplateJson(const std::string& output, const char* which) {
  auto parsed = vtl::ParseOutput(output);
  if (!parsed.ok()) {
    return Error{"MappingTemplate", std::string("Unable to parse the JSON document of the ") +
                                        which + " mapping template: " + parsed.error().cause};
  }
  return std::move(parsed).value();
}

// The field error of a template that called $util.error (or failed to render).
graphql::FieldOutcome TemplateFailure(const vtl::RenderResult& r) {
  return FieldError(r.error_message.value_or("Template error"), r.error_type.value_or(""),
                    r.error_data, r.error_info);
}

}  // namespace

graphql::FieldOutcome FieldError(std::string message, std::string error_type, json::Value data,
                                 json::Value error_info) {
  graphql::Error e;
  e.message = std::move(message);
  // AppSync's order: path, data, errorType, errorInfo, locations, message (the executor puts the
  // standard members first; these follow).
  e.extra =
      json::Value::MakeObject({{"data", std::move(data)},
                               {"errorType", error_type.empty() ? json::Value() : S(error_type)},
                               {"errorInfo", std::move(error_info)}});
  return graphql::FieldOutcome{json::Value(), std::move(e)};
}

Result<std::optional<CompiledApi>> CompileApi(Catalog& catalog, const std::string& api_id,
                                              int64_t revision) {
  STATOR_TRY(std::optional<Api> api, catalog.GetApi(api_id));
  if (!api) return std::optional<CompiledApi>();
  CompiledApi c;
  c.revision = revision;
  c.api = std::move(*api);
  STATOR_TRY(c.keys, catalog.ListApiKeys(api_id));
  STATOR_TRY(std::optional<SchemaRecord> schema, catalog.GetSchema(api_id));
  if (schema && !schema->definition.empty()) {
    graphql::SchemaOptions options;
    options.appsync = true;
    graphql::SchemaResult built = graphql::BuildSchema(schema->definition, options);
    if (built.errors.empty()) c.schema = std::move(built.schema);
  }
  STATOR_TRY(std::vector<DataSource> sources, catalog.ListDataSources(api_id));
  std::unordered_map<std::string, std::shared_ptr<const DataSource>> by_name;
  for (DataSource& d : sources) {
    std::string name = d.name;
    by_name.emplace(std::move(name), std::make_shared<const DataSource>(std::move(d)));
  }
  STATOR_TRY(std::vector<Resolver> resolvers, catalog.ListResolvers(api_id));
  for (Resolver& r : resolvers) {
    CompiledApi::Field f;
    if (auto it = by_name.find(r.data_source_name); it != by_name.end()) f.data_source = it->second;
    auto parse = [&f](const std::string& text, const char* which,
                      std::shared_ptr<const vtl::Template>* out) {
      vtl::ParseResult p = vtl::Parse(text);
      if (p.tmpl) {
        *out = std::move(p.tmpl);
      } else if (f.template_error.empty()) {
        f.template_error = std::string("The ") + which +
                           " mapping template does not parse: " + p.error + " at line " +
                           std::to_string(p.line) + ", column " + std::to_string(p.column);
      }
    };
    if (r.has_request_template) parse(r.request_template, "request", &f.request);
    if (r.has_response_template) parse(r.response_template, "response", &f.response);
    std::string key = FieldKey(r.type_name, r.field_name);
    f.resolver = std::move(r);
    c.fields.emplace(std::move(key), std::move(f));
  }
  return std::optional<CompiledApi>(std::move(c));
}

const CompiledApi::Field* RequestResolver::FieldOf(std::string_view parent_type,
                                                   std::string_view field) const {
  if (api_->fields.empty()) return nullptr;
  auto it = api_->fields.find(FieldKey(parent_type, field));
  return it == api_->fields.end() ? nullptr : &it->second;
}

bool RequestResolver::Resolves(std::string_view parent_type, std::string_view field) const {
  return FieldOf(parent_type, field) != nullptr;
}

vtl::Context RequestResolver::TemplateContext(const graphql::FieldCall& call) const {
  vtl::Context ctx;
  ctx.arguments = call.arguments;
  ctx.source = call.source;
  ctx.identity = identity_;
  ctx.stash = json::Value::EmptyObject();
  ctx.info = json::Value::MakeObject({{"fieldName", S(call.field_name)},
                                      {"parentTypeName", S(call.parent_type)},
                                      {"variables", call.variables},
                                      {"selectionSetList", StringArray(call.selection_set_list)},
                                      {"selectionSetGraphQL", S(call.selection_set_graphql)}});
  ctx.request = json::Value::MakeObject({{"headers", headers_}});
  ctx.now_ms = deps_->clock ? deps_->clock->NowMillis() : 0;
  return ctx;
}

graphql::FieldOutcome RequestResolver::Respond(const CompiledApi::Field& f,
                                               const graphql::FieldCall& call, json::Value result,
                                               json::Value error) const {
  if (!f.response) {
    // No response template: the result is the value; an error of the data source is the
    // field's error (as the default template does: $util.error(message, type, result)).
    if (error.is_object()) {
      const json::Value* message = error.Find("message");
      const json::Value* type = error.Find("type");
      return FieldError(message && message->is_string() ? message->as_string() : "Error",
                        type && type->is_string() ? type->as_string() : "", std::move(result));
    }
    return graphql::FieldOutcome::Value(std::move(result));
  }
  vtl::Context ctx = TemplateContext(call);
  ctx.result = std::move(result);
  ctx.error = std::move(error);
  vtl::RenderResult r = vtl::Render(*f.response, ctx);
  if (r.error_message) return TemplateFailure(r);
  if (r.returned) return graphql::FieldOutcome::Value(r.return_value);
  auto value = TemplateJson(r.output, "response");
  if (!value.ok()) return FieldError(value.error().cause, "MappingTemplate");
  return graphql::FieldOutcome::Value(std::move(value).value());
}

void RequestResolver::Resolve(graphql::FieldCall call,
                              std::function<void(graphql::FieldOutcome)> done) {
  const CompiledApi::Field* f = FieldOf(call.parent_type, call.field_name);
  if (f == nullptr) return done(graphql::FieldOutcome::Value(json::Value()));
  if (!f->template_error.empty()) return done(FieldError(f->template_error, "MappingTemplate"));
  if (!f->data_source) {
    return done(FieldError("The resolver of " + call.parent_type + "." + call.field_name +
                               " names the data source '" + f->resolver.data_source_name +
                               "', which does not exist",
                           "DataSourceNotFound"));
  }
  const std::string& type = f->data_source->type;
  if (type == "AWS_LAMBDA") return ResolveLambda(*f, std::move(call), std::move(done));
  if (type == "NONE") return ResolveNone(*f, std::move(call), std::move(done));
  if (type == "AMAZON_DYNAMODB") return ResolveDynamoDb(*f, std::move(call), std::move(done));
  if (type == "HTTP") return ResolveHttp(*f, std::move(call), std::move(done));
  done(FieldError("stator does not run data sources of type " + type + " (docs/appsync.md)",
                  "UnsupportedDataSource"));
}

void RequestResolver::ResolveNone(const CompiledApi::Field& f, graphql::FieldCall call,
                                  std::function<void(graphql::FieldOutcome)> done) {
  json::Value payload;
  if (f.request) {
    vtl::Context ctx = TemplateContext(call);
    vtl::RenderResult r = vtl::Render(*f.request, ctx);
    if (r.error_message) return done(TemplateFailure(r));
    if (r.returned) return done(graphql::FieldOutcome::Value(r.return_value));
    auto request = TemplateJson(r.output, "request");
    if (!request.ok()) return done(FieldError(request.error().cause, "MappingTemplate"));
    if (const json::Value* p = request->Find("payload")) payload = *p;
  }
  done(Respond(f, call, std::move(payload), json::Value()));
}

void RequestResolver::ResolveLambda(const CompiledApi::Field& f, graphql::FieldCall call,
                                    std::function<void(graphql::FieldOutcome)> done) {
  if (deps_->registry == nullptr || deps_->runtime == nullptr) {
    return done(FieldError("Functions are not enabled on this server", "Lambda:Unhandled"));
  }
  json::Value event;
  if (f.request) {
    vtl::Context ctx = TemplateContext(call);
    vtl::RenderResult r = vtl::Render(*f.request, ctx);
    if (r.error_message) return done(TemplateFailure(r));
    if (r.returned) return done(graphql::FieldOutcome::Value(r.return_value));
    auto request = TemplateJson(r.output, "request");
    if (!request.ok()) return done(FieldError(request.error().cause, "MappingTemplate"));
    const json::Value* payload = request->Find("payload");
    event = payload ? *payload : json::Value();
  } else {
    // A direct Lambda resolver: AppSync's whole context.
    event = json::Value::MakeObject(
        {{"arguments", call.arguments},
         {"identity", identity_},
         {"source", call.source},
         {"request", json::Value::MakeObject({{"headers", headers_}, {"domainName", {}}})},
         {"prev", json::Value()},
         {"info",
          json::Value::MakeObject({{"selectionSetList", StringArray(call.selection_set_list)},
                                   {"selectionSetGraphQL", S(call.selection_set_graphql)},
                                   {"parentTypeName", S(call.parent_type)},
                                   {"fieldName", S(call.field_name)},
                                   {"variables", call.variables}})},
         {"stash", json::Value::EmptyObject()}});
  }
  const json::Value* config = f.data_source->raw.Find("lambdaConfig");
  const json::Value* arn = config ? config->Find("lambdaFunctionArn") : nullptr;
  if (arn == nullptr || !arn->is_string()) {
    return done(FieldError(
        "The data source '" + f.data_source->name + "' has no lambdaConfig.lambdaFunctionArn",
        "Lambda:Unhandled"));
  }
  auto ref = functions::ParseFunctionRef(arn->as_string());
  functions::FunctionPtr fn;
  if (ref.ok()) {
    auto found = deps_->registry->Find(ref->name);
    if (!found.ok()) return done(FieldError(found.error().cause, "Lambda:ServiceException"));
    fn = std::move(found).value();
  }
  if (!fn) {
    return done(
        FieldError("Function not found: " + arn->as_string(), "Lambda:ResourceNotFoundException"));
  }
  functions::Invocation inv;
  inv.payload = event.Dump();
  inv.invoked_arn = arn->as_string();
  inv.queue_when_busy = true;
  const CompiledApi::Field* field = &f;  // owned by api_, which this resolver keeps alive
  deps_->runtime->Invoke(
      fn, std::move(inv),
      [this, field, call = std::move(call),
       done = std::move(done)](Result<functions::InvocationResult> r) {
        if (!r.ok()) return done(FieldError(r.error().cause, "Lambda:" + r.error().error));
        auto payload = json::Parse(r->payload);
        json::Value value = payload.ok() ? std::move(payload).value() : json::Value();
        json::Value error;
        if (r->function_error || r->timed_out) {
          const json::Value* message = value.Find("errorMessage");
          const json::Value* type = value.Find("errorType");
          error = json::Value::MakeObject(
              {{"message", message && message->is_string() ? *message : S(r->payload)},
               {"type", type && type->is_string() ? *type : S("Lambda:Unhandled")}});
          value = json::Value();
        } else if (!payload.ok()) {
          error = json::Value::MakeObject(
              {{"message", S("The function's result is not JSON: " + r->payload)},
               {"type", S("Lambda:Unhandled")}});
        }
        done(Respond(*field, call, std::move(value), std::move(error)));
      });
}

}  // namespace stator::appsync
