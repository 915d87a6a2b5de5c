// The Velocity Template Language (VTL) subset of AppSync's classic resolver mapping templates.
//
// A resolver's request template renders, from the GraphQL field's $context, the JSON text of a
// data source request (for DynamoDB, {"operation": "GetItem", "key": {...}}); its response
// template renders, from $context.result, the JSON of the field's value. This library parses a
// template once (Parse) and renders it as often as needed (Render); ParseOutput turns what a
// template printed into a json::Value, as AppSync reads it. docs/appsync-vtl.md lists exactly
// which parts of Velocity and of AppSync's $util exist here.
//
// Ownership: a Template is immutable after Parse and is shared through shared_ptr<const>.
// Render reads the Template and the Context and writes only the RenderResult.
// Thread-safety: Parse and Render are pure functions (no I/O, no globals); one Template may be
// rendered by any number of threads at once, each with its own Context.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/result.h"

namespace stator::vtl {

namespace ast {
struct Node;
}

// A parsed template.
class Template {
 public:
  explicit Template(std::vector<ast::Node> root);
  ~Template();
  Template(const Template&) = delete;
  Template& operator=(const Template&) = delete;
  const std::vector<ast::Node>& root() const { return *root_; }

 private:
  std::unique_ptr<std::vector<ast::Node>> root_;
};

// tmpl is set on success; otherwise error says what is wrong and line/column (1-based) where.
struct ParseResult {
  std::shared_ptr<const Template> tmpl;
  std::string error;
  int line = 0, column = 0;
};
ParseResult Parse(std::string_view text);

// What $context (also $ctx) holds. $ctx.args is $ctx.arguments.
struct Context {
  json::Value arguments, source, identity;
  json::Value stash;  // read at the start; the render's final stash is RenderResult::stash
  json::Value result, prev;
  json::Value error;    // {message, type} or null
  json::Value info;     // {fieldName, parentTypeName, variables, selectionSetList, ...}
  json::Value request;  // {headers}
  int64_t now_ms = 0;   // what $util.time.* call now
  std::function<std::string()> uuid;  // $util.autoId(); a random v4 UUID when unset
};

struct RenderResult {
  std::string output;  // the text printed (up to #stop, #return or an error)
  json::Value stash;   // $ctx.stash as the template left it
  // Set when the template raised an error ($util.error, $util.unauthorized, $util.validate, or a
  // helper given something it cannot take): the field fails with this error.
  std::optional<std::string> error_message, error_type;
  json::Value error_data, error_info;
  bool returned = false;                     // #return ran
  json::Value return_value;                  // what it returned (null for a bare #return)
  std::vector<json::Value> appended_errors;  // $util.appendError: {message, errorType, data,
                                             // errorInfo} each; the render goes on
};

RenderResult Render(const Template& tmpl, Context& ctx);

// The JSON a template printed, read as AppSync reads it: a trailing comma before '}' or ']' is
// accepted; text with nothing but whitespace is null. The Error (name "MappingTemplate") says
// what is wrong.
Result<json::Value> ParseOutput(std::string_view output);

}  // namespace stator::vtl
