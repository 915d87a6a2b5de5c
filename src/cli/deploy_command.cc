// stator deploy TEMPLATE / stator delete-stack NAME: carries a deploy::Plan out against a running
// server (Lambda REST for functions, AWS JSON 1.0 for Step Functions and DynamoDB), and finds a
// stack's resources again by their stator:stack tags (docs/deploy.md).
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/http_client.h"
#include "common/base64.h"
#include "common/json.h"
#include "deploy/stack.h"
#include "deploy/template.h"
#include "functions/zip_package.h"

namespace stator::cli {
namespace {

using json::Value;

constexpr const char* kDeployUsage =
    "usage: stator deploy TEMPLATE [--stack-name NAME] [--parameter-overrides K=V ...]\n"
    "                     [--endpoint URL] [--account ID --region REGION] [--json]\n"
    "       stator delete-stack NAME [--endpoint URL] [--json]\n"
    "\n"
    "deploy creates or updates, in a running 'stator serve', the functions, state machines and\n"
    "DynamoDB tables of a SAM / CloudFormation template (YAML or JSON); other resource types are\n"
    "listed as skipped. delete-stack removes what a stack deployed. See docs/deploy.md.\n"
    "\n"
    "  --stack-name NAME          default: the template directory's name\n"
    "  --parameter-overrides K=V  template parameters (several may follow one flag;\n"
    "                             ParameterKey=K,ParameterValue=V works too)\n"
    "  --endpoint URL             the server (default: $STATOR_ENDPOINT, else\n"
    "                             http://127.0.0.1:8080)\n"
    "  --account ID, --region R   the server's account and region for ARNs and pseudo\n"
    "                             parameters (default: asked from the server)\n"
    "  --json                     print a JSON summary instead of the table\n"
    "\n"
    "exit codes: 0 done, 1 the server refused something, 2 invalid template, 64 bad usage\n";

struct Options {
  std::vector<std::string> positional;
  std::optional<std::string> stack_name, endpoint, account, region;
  std::vector<std::pair<std::string, std::string>> overrides;
  bool json = false;
  bool help = false;
};

Result<Options> ParseArgs(const std::vector<std::string>& args) {
  Options o;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::optional<std::string> inline_value;
    if (a.starts_with("--")) {
      if (size_t eq = a.find('='); eq != std::string::npos) {
        inline_value = a.substr(eq + 1);
        a = a.substr(0, eq);
      }
    }
    auto value = [&](const std::string& name) -> Result<std::string> {
      if (inline_value) return *inline_value;
      if (i + 1 >= args.size()) return Error{"Usage", "option " + name + " needs a value"};
      return args[++i];
    };
    if (a == "--help" || a == "-h") {
      o.help = true;
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "--stack-name") {
      STATOR_TRY(o.stack_name, value(a));
    } else if (a == "--endpoint" || a == "--endpoint-url") {
      STATOR_TRY(o.endpoint, value(a));
    } else if (a == "--account") {
      STATOR_TRY(o.account, value(a));
    } else if (a == "--region") {
      STATOR_TRY(o.region, value(a));
    } else if (a == "--parameter-overrides") {
      std::vector<std::string> items;
      if (inline_value) items.push_back(*inline_value);
      while (i + 1 < args.size() && !args[i + 1].starts_with("--")) items.push_back(args[++i]);
      if (items.empty()) return Error{"Usage", "--parameter-overrides needs KEY=VALUE"};
      for (const std::string& item : items) {
        std::string k, v;
        if (item.starts_with("ParameterKey=")) {
          size_t comma = item.find(",ParameterValue=");
          if (comma == std::string::npos) {
            return Error{"Usage", "expected ParameterKey=K,ParameterValue=V, got '" + item + "'"};
          }
          k = item.substr(13, comma - 13);
          v = item.substr(comma + 16);
        } else {
          size_t eq = item.find('=');
          if (eq == std::string::npos || eq == 0) {
            return Error{"Usage", "--parameter-overrides takes KEY=VALUE, got '" + item + "'"};
          }
          k = item.substr(0, eq);
          v = item.substr(eq + 1);
        }
        o.overrides.emplace_back(k, v);
      }
    } else if (a.starts_with("--")) {
      return Error{"Usage", "unknown option '" + a + "'"};
    } else {
      o.positional.push_back(a);
    }
  }
  if (o.account.has_value() != o.region.has_value()) {
    return Error{"Usage", "--account and --region go together"};
  }
  return o;
}

std::string EndpointOf(const Options& o) {
  if (o.endpoint) return *o.endpoint;
  if (const char* env = getenv("STATOR_ENDPOINT"); env && *env) return env;
  return "http://127.0.0.1:8080";
}

// --- the server -------------------------------------------------------------------------------

class Server {
 public:
  explicit Server(std::string endpoint) : endpoint_(std::move(endpoint)) {}
  const std::string& endpoint() const { return endpoint_; }

  // AWS JSON 1.0 (Step Functions, DynamoDB). Errors: {error code, message}.
  Result<Value> Json(const std::string& target, const Value& body) {
    auto r = HttpCall(endpoint_, "POST", "/", body.Dump(),
                      {{"X-Amz-Target", target}, {"Content-Type", "application/x-amz-json-1.0"}});
    if (!r.ok()) return r.error();
    auto v = json::Parse(r->body.empty() ? "{}" : r->body);
    if (r->status != 200) {
      std::string code = "HTTP " + std::to_string(r->status), message = r->body;
      if (v.ok() && v->is_object()) {
        if (const Value* t = v->Find("__type"); t && t->is_string()) {
          code = t->as_string().substr(t->as_string().find('#') + 1);
        }
        for (const char* k : {"message", "Message"}) {
          if (const Value* m = v->Find(k); m && m->is_string()) message = m->as_string();
        }
      }
      return Error{code, message};
    }
    if (!v.ok()) return Error{"BadAnswer", target + ": the answer is not JSON"};
    return *v;
  }

  // Lambda's REST API. Errors: {x-amzn-ErrorType, message}.
  Result<Value> Rest(const std::string& method, const std::string& path, const Value* body) {
    auto r = HttpCall(endpoint_, method, path, body ? body->Dump() : "");
    if (!r.ok()) return r.error();
    auto v = json::Parse(r->body.empty() ? "{}" : r->body);
    if (r->status >= 300) {
      std::string code = r->Header("x-amzn-ErrorType");
      code = code.substr(0, code.find(':'));
      if (code.empty()) code = "HTTP " + std::to_string(r->status);
      std::string message = r->body;
      if (v.ok() && v->is_object()) {
        for (const char* k : {"message", "Message"}) {
          if (const Value* m = v->Find(k); m && m->is_string()) message = m->as_string();
        }
      }
      return Error{code, message};
    }
    if (!v.ok()) return Value::EmptyObject();
    return *v;
  }

 private:
  std::string endpoint_;
};

std::string Text(const Error& e) { return e.error + ": " + e.cause; }

// The server's account and region: from the ARN in a Lambda answer (a function that exists or
// the "Function not found: ARN" message of one that does not).
Result<std::pair<std::string, std::string>> AccountAndRegion(Server& s) {
  auto r = s.Rest("GET", "/2015-03-31/functions/stator-deploy-probe/configuration", nullptr);
  std::string text;
  if (r.ok()) {
    if (const Value* a = r->Find("FunctionArn"); a && a->is_string()) text = a->as_string();
  } else if (r.error().error == "Connection") {
    return r.error();
  } else {
    text = r.error().cause;
  }
  size_t at = text.find("arn:");
  if (at != std::string::npos) {
    std::vector<std::string> parts;
    size_t start = at;
    for (int i = 0; i < 5; ++i) {
      size_t colon = text.find(':', start);
      if (colon == std::string::npos) break;
      parts.push_back(text.substr(start, colon - start));
      start = colon + 1;
    }
    if (parts.size() == 5 && parts[2] == "lambda" && !parts[3].empty() && !parts[4].empty()) {
      return std::make_pair(parts[4], parts[3]);
    }
  }
  return Error{"BadAnswer",
               "cannot learn the server's account and region (give --account and "
               "--region)"};
}

// --- a stack's resources on the server ----------------------------------------------------------

struct Deployed {
  deploy::Kind kind;
  std::string logical_id;
  std::string name;
  std::string arn;
};

std::optional<std::string> TagValue(const std::vector<std::pair<std::string, std::string>>& tags,
                                    const std::string& key) {
  for (const auto& [k, v] : tags) {
    if (k == key) return v;
  }
  return std::nullopt;
}

// Members of a server answer, tolerant of a malformed one (empty instead of a crash).
const json::Array& Items(const Value& v, const char* key) {
  static const json::Array kEmpty;
  const Value* m = v.Find(key);
  return m && m->is_array() ? m->as_array() : kEmpty;
}
std::string Member(const Value& v, const char* key) {
  const Value* m = v.Find(key);
  return m && m->is_string() ? m->as_string() : "";
}

// Every function, state machine and table tagged stator:stack=NAME.
Result<std::vector<Deployed>> FindStack(Server& s, const std::string& stack,
                                        const std::string& account, const std::string& region) {
  std::vector<Deployed> out;
  auto keep = [&](deploy::Kind kind, const std::string& name, const std::string& arn,
                  const std::vector<std::pair<std::string, std::string>>& tags) {
    if (TagValue(tags, deploy::kStackTag) != stack) return;
    out.push_back({kind, TagValue(tags, deploy::kLogicalIdTag).value_or(""), name, arn});
  };
  // State machines.
  std::string token;
  do {
    Value req = Value::MakeObject({{"maxResults", Value::Int(1000)}});
    if (!token.empty()) req = req.With("nextToken", Value::String(token));
    STATOR_TRY(Value page, s.Json("AWSStepFunctions.ListStateMachines", req));
    for (const Value& m : Items(page, "stateMachines")) {
      std::string arn = Member(m, "stateMachineArn");
      auto tags = s.Json("AWSStepFunctions.ListTagsForResource",
                         Value::MakeObject({{"resourceArn", Value::String(arn)}}));
      if (!tags.ok()) continue;  // deleted meanwhile
      std::vector<std::pair<std::string, std::string>> list;
      for (const Value& t : Items(*tags, "tags")) {
        list.emplace_back(Member(t, "key"), Member(t, "value"));
      }
      keep(deploy::Kind::kStateMachine, Member(m, "name"), arn, list);
    }
    const Value* next = page.Find("nextToken");
    token = next && next->is_string() ? next->as_string() : "";
  } while (!token.empty());
  // Functions.
  std::string marker;
  for (;;) {
    std::string path = "/2015-03-31/functions/?MaxItems=50";
    if (!marker.empty()) path += "&Marker=" + UrlEncode(marker);
    STATOR_TRY(Value page, s.Rest("GET", path, nullptr));
    for (const Value& f : Items(page, "Functions")) {
      std::string arn = Member(f, "FunctionArn");
      auto tags = s.Rest("GET", "/2017-03-31/tags/" + UrlEncode(arn), nullptr);
      if (!tags.ok()) continue;
      std::vector<std::pair<std::string, std::string>> list;
      if (const Value* t = tags->Find("Tags"); t && t->is_object()) {
        for (const auto& [k, v] : t->as_object()) {
          if (v.is_string()) list.emplace_back(k, v.as_string());
        }
      }
      keep(deploy::Kind::kFunction, Member(f, "FunctionName"), arn, list);
    }
    const Value* next = page.Find("NextMarker");
    if (!next || !next->is_string() || next->as_string().empty()) break;
    marker = next->as_string();
  }
  // Tables.
  std::string start;
  for (;;) {
    Value req = Value::EmptyObject();
    if (!start.empty()) req = req.With("ExclusiveStartTableName", Value::String(start));
    STATOR_TRY(Value page, s.Json("DynamoDB_20120810.ListTables", req));
    for (const Value& n : Items(page, "TableNames")) {
      if (!n.is_string()) continue;
      std::string arn = "arn:aws:dynamodb:" + region + ":" + account + ":table/" + n.as_string();
      auto tags = s.Json("DynamoDB_20120810.ListTagsOfResource",
                         Value::MakeObject({{"ResourceArn", Value::String(arn)}}));
      if (!tags.ok()) {
        if (tags.error().error == "ResourceNotFoundException") continue;
        return Error{tags.error().error,
                     "listing the tags of table " + n.as_string() + ": " + tags.error().cause};
      }
      std::vector<std::pair<std::string, std::string>> list;
      for (const Value& e : Items(*tags, "Tags")) {
        list.emplace_back(Member(e, "Key"), Member(e, "Value"));
      }
      keep(deploy::Kind::kTable, n.as_string(), arn, list);
    }
    const Value* next = page.Find("LastEvaluatedTableName");
    if (!next || !next->is_string()) break;
    start = next->as_string();
  }
  return out;
}

Status DeleteResource(Server& s, const Deployed& d) {
  switch (d.kind) {
    case deploy::Kind::kStateMachine: {
      auto r = s.Json("AWSStepFunctions.DeleteStateMachine",
                      Value::MakeObject({{"stateMachineArn", Value::String(d.arn)}}));
      if (!r.ok()) return r.error();
      return Status::Ok();
    }
    case deploy::Kind::kFunction: {
      auto r = s.Rest("DELETE", "/2015-03-31/functions/" + UrlEncode(d.name), nullptr);
      if (!r.ok() && r.error().error != "ResourceNotFoundException") return r.error();
      return Status::Ok();
    }
    case deploy::Kind::kTable: {
      auto r = s.Json("DynamoDB_20120810.DeleteTable",
                      Value::MakeObject({{"TableName", Value::String(d.name)}}));
      if (!r.ok() && r.error().error != "ResourceNotFoundException") return r.error();
      return Status::Ok();
    }
    case deploy::Kind::kSkipped:
      break;
  }
  return Status::Ok();
}

const char* KindType(deploy::Kind k) {
  switch (k) {
    case deploy::Kind::kFunction:
      return "function";
    case deploy::Kind::kStateMachine:
      return "state machine";
    case deploy::Kind::kTable:
      return "table";
    case deploy::Kind::kSkipped:
      break;
  }
  return "resource";
}

// Deletion order: consumers before what they use.
int DeleteRank(deploy::Kind k) {
  return k == deploy::Kind::kStateMachine ? 0 : k == deploy::Kind::kFunction ? 1 : 2;
}

// --- deploying ----------------------------------------------------------------------------------

struct Row {
  std::string status;  // CREATED UPDATED UNCHANGED REPLACED SKIPPED DELETED NOT_CREATED
  std::string type;
  std::string logical_id;
  std::string physical;
  std::string note;
};

Result<std::string> CodeZip(const deploy::FunctionCode& code) {
  switch (code.source) {
    case deploy::FunctionCode::kDirectory:
      return functions::ZipDirectory(code.path);
    case deploy::FunctionCode::kZipFile:
      return ReadTextFile(code.path);
    case deploy::FunctionCode::kFile: {
      STATOR_TRY(std::string text, ReadTextFile(code.path));
      std::string base = code.path.substr(code.path.rfind('/') + 1);
      return functions::ZipEntries({{base, text, 0644}});
    }
    case deploy::FunctionCode::kInline:
      return functions::ZipEntries({{"index.py", code.inline_text, 0644}});
  }
  return Error{"Internal", "unknown code source"};
}

class Deployer {
 public:
  Deployer(Server& s, const deploy::Plan& plan, std::vector<Deployed> existing)
      : s_(s), plan_(plan), existing_(std::move(existing)) {}

  // Creates/updates every resource, then deletes what the stack no longer has.
  Status Run(std::vector<Row>* rows) {
    for (const deploy::PlannedResource& r : plan_.resources) {
      Row row{"", r.type, r.logical_id, r.name, ""};
      Status st = Status::Ok();
      switch (r.kind) {
        case deploy::Kind::kSkipped:
          row.status = "SKIPPED";
          row.physical = "-";
          row.note = r.skip_reason;
          break;
        case deploy::Kind::kFunction:
          st = Function(r, &row);
          break;
        case deploy::Kind::kStateMachine:
          st = StateMachine(r, &row);
          break;
        case deploy::Kind::kTable:
          st = Table(r, &row);
          break;
      }
      if (!st.ok()) {
        return Error{st.error().error, r.logical_id + " (" + r.type + "): " + Text(st.error())};
      }
      if (!r.ignored.empty() && r.kind != deploy::Kind::kSkipped) {
        std::string list;
        for (const std::string& k : r.ignored) list += (list.empty() ? "" : ", ") + k;
        row.note = "ignored: " + list;
      }
      rows->push_back(std::move(row));
    }
    for (const std::string& id : plan_.not_created) {
      rows->push_back({"NOT_CREATED", "", id, "", "its Condition is false"});
    }
    // What the stack had and the template no longer has (or replaced under another name).
    std::vector<Deployed> stale;
    for (const Deployed& d : existing_) {
      if (!kept_.count(d.arn)) stale.push_back(d);
    }
    std::stable_sort(stale.begin(), stale.end(), [](const Deployed& a, const Deployed& b) {
      return DeleteRank(a.kind) < DeleteRank(b.kind);
    });
    for (const Deployed& d : stale) {
      Status st = DeleteResource(s_, d);
      if (!st.ok()) return Error{st.error().error, "deleting " + d.name + ": " + Text(st.error())};
      rows->push_back(
          {"DELETED", KindType(d.kind), d.logical_id, d.name, "no longer in the template"});
    }
    return Status::Ok();
  }

 private:
  const Deployed* Existing(const deploy::PlannedResource& r, deploy::Kind kind) const {
    for (const Deployed& d : existing_) {
      if (d.kind == kind && d.logical_id == r.logical_id && d.name == r.name) return &d;
    }
    return nullptr;
  }
  // A resource of that name outside this stack.
  Status Foreign(const deploy::PlannedResource& r) const {
    return Error{"AlreadyExists", std::string(KindType(r.kind)) + " '" + r.name +
                                      "' already exists and is not part of stack " +
                                      plan_.stack_name +
                                      " (delete it, or name the resource "
                                      "differently in the template)"};
  }

  Status Function(const deploy::PlannedResource& r, Row* row) {
    STATOR_TRY(std::string zip, CodeZip(r.code));
    std::string b64 = Base64Encode(zip);
    std::string path = "/2015-03-31/functions/" + UrlEncode(r.name);
    if (const Deployed* d = Existing(r, deploy::Kind::kFunction)) {
      Value code = Value::MakeObject({{"ZipFile", Value::String(b64)}});
      auto c = s_.Rest("PUT", path + "/code", &code);
      if (!c.ok()) return c.error();
      json::Object conf;
      for (const auto& [k, v] : r.request.as_object()) {
        if (k != "FunctionName" && k != "Tags") conf.emplace_back(k, v);
      }
      // Absent settings go back to Lambda's defaults (a template that drops one resets it).
      auto has = [&](const char* k) { return r.request.Find(k) != nullptr; };
      if (!has("Timeout")) conf.emplace_back("Timeout", Value::Int(3));
      if (!has("MemorySize")) conf.emplace_back("MemorySize", Value::Int(128));
      if (!has("Description")) conf.emplace_back("Description", Value::String(""));
      if (!has("Environment")) {
        conf.emplace_back("Environment", Value::MakeObject({{"Variables", Value::EmptyObject()}}));
      }
      Value body = Value::MakeObject(std::move(conf));
      auto u = s_.Rest("PUT", path + "/configuration", &body);
      if (!u.ok()) return u.error();
      Value tags = Value::MakeObject({{"Tags", *r.request.Find("Tags")}});
      auto t = s_.Rest("POST", "/2017-03-31/tags/" + UrlEncode(d->arn), &tags);
      if (!t.ok()) return t.error();
      kept_.insert(d->arn);
      row->status = "UPDATED";
      return Status::Ok();
    }
    Value req = r.request.With("Code", Value::MakeObject({{"ZipFile", Value::String(b64)}}));
    auto c = s_.Rest("POST", "/2015-03-31/functions", &req);
    if (!c.ok()) {
      if (c.error().error == "ResourceConflictException") return Foreign(r);
      return c.error();
    }
    kept_.insert(r.arn);
    row->status = Replacing(r) ? "REPLACED" : "CREATED";
    return Status::Ok();
  }

  // Whether the stack had this logical id under another name (the old one is deleted after).
  bool Replacing(const deploy::PlannedResource& r) const {
    for (const Deployed& d : existing_) {
      if (d.logical_id == r.logical_id && d.arn != r.arn) return true;
    }
    return false;
  }

  Status StateMachine(const deploy::PlannedResource& r, Row* row) {
    const Deployed* d = Existing(r, deploy::Kind::kStateMachine);
    auto described = s_.Json("AWSStepFunctions.DescribeStateMachine",
                             Value::MakeObject({{"stateMachineArn", Value::String(r.arn)}}));
    if (!described.ok() && described.error().error != "StateMachineDoesNotExist") {
      return described.error();
    }
    if (described.ok() && d == nullptr) return Foreign(r);
    const std::string& type = r.request.Find("type")->as_string();
    if (d != nullptr && described.ok()) {
      const Value* old_type = described->Find("type");
      if (old_type && old_type->is_string() && old_type->as_string() == type) {
        auto u = s_.Json("AWSStepFunctions.UpdateStateMachine",
                         Value::MakeObject({{"stateMachineArn", Value::String(r.arn)},
                                            {"definition", *r.request.Find("definition")},
                                            {"roleArn", *r.request.Find("roleArn")}}));
        if (!u.ok()) return u.error();
        auto t = s_.Json("AWSStepFunctions.TagResource",
                         Value::MakeObject({{"resourceArn", Value::String(r.arn)},
                                            {"tags", *r.request.Find("tags")}}));
        if (!t.ok()) return t.error();
        kept_.insert(r.arn);
        row->status = "UPDATED";
        return Status::Ok();
      }
      // STANDARD <-> EXPRESS cannot change in place: replace.
      STATOR_RETURN_IF_ERROR(DeleteResource(s_, *d));
      row->note = "type changed";
    }
    auto c = s_.Json("AWSStepFunctions.CreateStateMachine", r.request);
    if (!c.ok()) return c.error();
    kept_.insert(r.arn);
    row->status = (d != nullptr || Replacing(r)) ? "REPLACED" : "CREATED";
    return Status::Ok();
  }

  // The key schema as "name:HASH:S,name:RANGE:N".
  static std::string KeyText(const Value& key_schema, const Value& definitions) {
    std::string out;
    if (!key_schema.is_array()) return out;
    for (const Value& k : key_schema.as_array()) {
      const Value* n = k.Find("AttributeName");
      const Value* t = k.Find("KeyType");
      if (!n || !n->is_string() || !t || !t->is_string()) continue;
      std::string type;
      if (definitions.is_array()) {
        for (const Value& d : definitions.as_array()) {
          const Value* dn = d.Find("AttributeName");
          const Value* dt = d.Find("AttributeType");
          if (dn && dt && dn->is_string() && dt->is_string() && dn->as_string() == n->as_string()) {
            type = dt->as_string();
          }
        }
      }
      out += n->as_string() + ":" + t->as_string() + ":" + type + ",";
    }
    return out;
  }

  Status Table(const deploy::PlannedResource& r, Row* row) {
    const Deployed* d = Existing(r, deploy::Kind::kTable);
    if (d != nullptr) {
      STATOR_TRY(Value described,
                 s_.Json("DynamoDB_20120810.DescribeTable",
                         Value::MakeObject({{"TableName", Value::String(r.name)}})));
      const Value* t = described.Find("Table");
      std::string old_keys = t && t->Find("KeySchema") && t->Find("AttributeDefinitions")
                                 ? KeyText(*t->Find("KeySchema"), *t->Find("AttributeDefinitions"))
                                 : "";
      std::string new_keys =
          KeyText(*r.request.Find("KeySchema"), *r.request.Find("AttributeDefinitions"));
      if (old_keys == new_keys) {
        auto tg = s_.Json("DynamoDB_20120810.TagResource",
                          Value::MakeObject({{"ResourceArn", Value::String(d->arn)},
                                             {"Tags", *r.request.Find("Tags")}}));
        if (!tg.ok()) return tg.error();
        kept_.insert(d->arn);
        row->status = "UNCHANGED";
        row->note = "same key schema: items kept";
        return Status::Ok();
      }
      STATOR_RETURN_IF_ERROR(DeleteResource(s_, *d));
      row->note = "key schema changed: items dropped";
    }
    auto c = s_.Json("DynamoDB_20120810.CreateTable", r.request);
    if (!c.ok()) {
      if (c.error().error == "ResourceInUseException") return Foreign(r);
      return c.error();
    }
    kept_.insert(r.arn);
    row->status = (d != nullptr || Replacing(r)) ? "REPLACED" : "CREATED";
    return Status::Ok();
  }

  Server& s_;
  const deploy::Plan& plan_;
  std::vector<Deployed> existing_;
  std::set<std::string> kept_;  // ARNs the template still has
};

void PrintRows(const std::vector<Row>& rows, std::ostream& out) {
  size_t w_type = 4, w_id = 10, w_phys = 8;
  for (const Row& r : rows) {
    w_type = std::max(w_type, r.type.size());
    w_id = std::max(w_id, r.logical_id.size());
    w_phys = std::max(w_phys, r.physical.size());
  }
  auto pad = [](const std::string& s, size_t w) { return s + std::string(w - s.size() + 2, ' '); };
  for (const Row& r : rows) {
    std::string line = "  " + pad(r.status, 11) + pad(r.type, w_type) + pad(r.logical_id, w_id) +
                       (r.note.empty() ? r.physical : pad(r.physical, w_phys) + r.note);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
}

Value RowsJson(const std::vector<Row>& rows) {
  json::Array out;
  for (const Row& r : rows) {
    json::Object o = {{"LogicalResourceId", Value::String(r.logical_id)},
                      {"ResourceType", Value::String(r.type)},
                      {"PhysicalResourceId", Value::String(r.physical)},
                      {"ResourceStatus", Value::String(r.status)}};
    if (!r.note.empty()) o.emplace_back("Note", Value::String(r.note));
    out.push_back(Value::MakeObject(std::move(o)));
  }
  return Value::MakeArray(std::move(out));
}

std::string DefaultStackName(const std::string& template_path) {
  std::string dir;
  size_t slash = template_path.rfind('/');
  if (slash != std::string::npos) {
    dir = template_path.substr(0, slash);
  }
  char buf[4096];
  if (dir.empty() || dir == ".") dir = getcwd(buf, sizeof buf) ? buf : "stack";
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  std::string base = dir.substr(dir.rfind('/') + 1);
  std::string name;
  for (char c : base) name += isalnum(static_cast<unsigned char>(c)) ? c : '-';
  if (name.empty() || !isalpha(static_cast<unsigned char>(name[0]))) name = "stack-" + name;
  return name.substr(0, 128);
}

}  // namespace

int DeployCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto o = ParseArgs(args);
  if (!o.ok()) return err << "stator: " << o.error().cause << "\n", kExitUsage;
  if (o->help) return out << kDeployUsage, kExitSucceeded;
  if (o->positional.size() != 1) return err << kDeployUsage, kExitUsage;
  const std::string& path = o->positional[0];
  auto tmpl = deploy::LoadTemplate(path);
  if (!tmpl.ok()) return err << "stator: " << tmpl.error().cause << "\n", kExitInvalidDefinition;
  Server server(EndpointOf(*o));
  deploy::PlanOptions po;
  po.stack_name = o->stack_name.value_or(DefaultStackName(path));
  po.parameter_overrides = o->overrides;
  if (o->account) {
    po.account = *o->account;
    po.region = *o->region;
  } else {
    auto ar = AccountAndRegion(server);
    if (!ar.ok()) return err << "stator: " << ar.error().cause << "\n", kExitExecutionFailed;
    po.account = ar->first;
    po.region = ar->second;
  }
  auto plan = deploy::MakePlan(*tmpl, po);
  if (!plan.ok()) return err << "stator: " << plan.error().cause << "\n", kExitInvalidDefinition;
  auto existing = FindStack(server, plan->stack_name, plan->account, plan->region);
  if (!existing.ok()) {
    return err << "stator: " << Text(existing.error()) << "\n", kExitExecutionFailed;
  }
  bool update = !existing->empty();
  if (!o->json) {
    out << (update ? "Updating" : "Creating") << " stack " << plan->stack_name << " from " << path
        << " on " << server.endpoint() << " (account " << plan->account << ", region "
        << plan->region << ")\n";
    out.flush();
  }
  std::vector<Row> rows;
  Deployer deployer(server, *plan, std::move(existing).value());
  Status st = deployer.Run(&rows);
  if (!st.ok()) {
    if (!o->json) PrintRows(rows, out);
    err << "stator: deploy failed at " << st.error().cause << "\n"
        << "stator: what was deployed before stays (tagged with the stack): fix the template and "
           "deploy again, or run 'stator delete-stack "
        << plan->stack_name << "'\n";
    return kExitExecutionFailed;
  }
  if (o->json) {
    json::Object outputs;
    for (const auto& [k, v] : plan->outputs)
      outputs.emplace_back(k, Value::String(deploy::DisplayText(v)));
    out << Value::MakeObject({{"StackName", Value::String(plan->stack_name)},
                              {"StackId", Value::String(plan->stack_id)},
                              {"Account", Value::String(plan->account)},
                              {"Region", Value::String(plan->region)},
                              {"Resources", RowsJson(rows)},
                              {"Outputs", Value::MakeObject(std::move(outputs))}})
               .Dump()
        << "\n";
    return kExitSucceeded;
  }
  PrintRows(rows, out);
  if (!plan->outputs.empty()) {
    out << "Outputs:\n";
    for (const auto& [k, v] : plan->outputs)
      out << "  " << k << " = " << deploy::DisplayText(v) << "\n";
  }
  std::map<std::string, int> counts;
  for (const Row& r : rows) counts[r.status]++;
  out << "Stack " << plan->stack_name << " " << (update ? "updated" : "created") << ":";
  bool first = true;
  for (const auto& [status, n] : counts) {
    std::string s = status;
    std::transform(s.begin(), s.end(), s.begin(), ::tolower);
    out << (first ? " " : ", ") << n << " " << s;
    first = false;
  }
  out << "\n";
  return kExitSucceeded;
}

int DeleteStackCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto o = ParseArgs(args);
  if (!o.ok()) return err << "stator: " << o.error().cause << "\n", kExitUsage;
  if (o->help) return out << kDeployUsage, kExitSucceeded;
  if (o->positional.size() != 1 || !o->overrides.empty() || o->stack_name) {
    return err << kDeployUsage, kExitUsage;
  }
  const std::string& stack = o->positional[0];
  if (!deploy::IsValidStackName(stack)) {
    return err << "stator: invalid stack name '" << stack << "'\n", kExitUsage;
  }
  Server server(EndpointOf(*o));
  std::string account, region;
  if (o->account) {
    account = *o->account;
    region = *o->region;
  } else {
    auto ar = AccountAndRegion(server);
    if (!ar.ok()) return err << "stator: " << ar.error().cause << "\n", kExitExecutionFailed;
    account = ar->first;
    region = ar->second;
  }
  auto found = FindStack(server, stack, account, region);
  if (!found.ok()) return err << "stator: " << Text(found.error()) << "\n", kExitExecutionFailed;
  std::vector<Deployed> list = std::move(found).value();
  std::stable_sort(list.begin(), list.end(), [](const Deployed& a, const Deployed& b) {
    return DeleteRank(a.kind) < DeleteRank(b.kind);
  });
  std::vector<Row> rows;
  for (const Deployed& d : list) {
    Status st = DeleteResource(server, d);
    if (!st.ok()) {
      if (!o->json) PrintRows(rows, out);
      return err << "stator: deleting " << d.name << ": " << Text(st.error()) << "\n",
             kExitExecutionFailed;
    }
    rows.push_back({"DELETED", KindType(d.kind), d.logical_id, d.name, ""});
  }
  if (o->json) {
    out << Value::MakeObject({{"StackName", Value::String(stack)}, {"Resources", RowsJson(rows)}})
               .Dump()
        << "\n";
    return kExitSucceeded;
  }
  if (rows.empty()) {
    out << "Stack " << stack << " has no resources on " << server.endpoint()
        << ": nothing to delete\n";
    return kExitSucceeded;
  }
  PrintRows(rows, out);
  out << "Stack " << stack << " deleted: " << rows.size() << " resources\n";
  return kExitSucceeded;
}

}  // namespace stator::cli
