#include "cli/deploy_apply.h"

#include <algorithm>
#include <set>
#include <string>

#include "cli/commands.h"
#include "cli/deploy_appsync.h"
#include "cli/http_client.h"
#include "common/base64.h"
#include "common/json.h"
#include "common/percent_encoding.h"
#include "functions/zip_package.h"

namespace stator::cli {
namespace {

using json::Value;

// The zip that CreateFunction / UpdateFunctionCode get.
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
  Deployer(DeployServer& s, const deploy::Plan& plan, std::vector<Deployed> existing)
      : s_(s), plan_(plan), existing_(std::move(existing)), appsync_(s, plan, existing_) {}

  // Creates/updates every resource, then deletes what the stack no longer has.
  Status Run(std::vector<Row>* rows) {
    for (const deploy::PlannedResource& planned : plan_.resources) {
      // Values the server made for resources before this one (late_bound.h) filled in.
      const deploy::PlannedResource r = appsync_.Bind(planned);
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
        case deploy::Kind::kAppSync:
          st = appsync_.Apply(r, &row);
          break;
        case deploy::Kind::kApi:
          st = Api(r, &row);
          break;
        case deploy::Kind::kSchedule:
          break;  // only as a function's or state machine's schedules (below)
      }
      if (st.ok() && !r.api_routes.empty()) st = Routes(r, &row);
      if (!st.ok()) {
        return Error{st.error().error,
                     r.logical_id + " (" + r.type + "): " + ErrorText(st.error())};
      }
      if (!r.ignored.empty() && r.kind != deploy::Kind::kSkipped) {
        std::string list;
        for (const std::string& k : r.ignored) list += (list.empty() ? "" : ", ") + k;
        row.note = (row.note.empty() ? "" : row.note + "; ") + "ignored: " + list;
      }
      rows->push_back(std::move(row));
      for (const deploy::PlannedSchedule& sc : r.schedules) {
        Row srow{"", "AWS::Scheduler::Schedule", sc.logical_id, sc.name,
                 sc.event_type + " event of " + r.logical_id};
        Status ss = Schedule(sc, &srow);
        if (!ss.ok()) {
          return Error{ss.error().error,
                       sc.logical_id + " (" + sc.event_type + " event): " + ErrorText(ss.error())};
        }
        rows->push_back(std::move(srow));
      }
    }
    for (const std::string& id : plan_.not_created) {
      rows->push_back({"NOT_CREATED", "", id, "", "its Condition is false"});
    }
    STATOR_RETURN_IF_ERROR(appsync_.DeleteStaleParts(rows));
    kept_.insert(appsync_.kept().begin(), appsync_.kept().end());
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
      if (!st.ok())
        return Error{st.error().error, "deleting " + d.name + ": " + ErrorText(st.error())};
      rows->push_back(
          {"DELETED", KindType(d.kind), d.logical_id, d.name, "no longer in the template"});
    }
    return Status::Ok();
  }

  // v with the values the server made (late_bound.h) filled in.
  json::Value Bind(const json::Value& v) const { return appsync_.Bind(v); }

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
    std::string path = "/2015-03-31/functions/" + PercentEncode(r.name);
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
      auto t = s_.Rest("POST", "/2017-03-31/tags/" + PercentEncode(d->arn), &tags);
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
    kept_.insert(CreatedArn(*c, nullptr, "FunctionArn", r.arn));
    row->status = Replacing(r) ? "REPLACED" : "CREATED";
    return Status::Ok();
  }

  // Whether the stack had this logical id under another name or kind (the old one is deleted
  // after).
  bool Replacing(const deploy::PlannedResource& r) const {
    for (const Deployed& d : existing_) {
      if (d.logical_id == r.logical_id && (d.kind != r.kind || d.name != r.name)) return true;
    }
    return false;
  }

  // The ARN the server gave a resource it created (answer[key], or answer[outer][key]); the
  // plan's when the answer has none. Kept resources are tracked by the server's ARNs, which
  // FindStack lists.
  static std::string CreatedArn(const Value& answer, const char* outer, const char* key,
                                const std::string& planned) {
    const Value* holder = outer ? answer.Find(outer) : &answer;
    const Value* arn = holder ? holder->Find(key) : nullptr;
    return arn && arn->is_string() ? arn->as_string() : planned;
  }

  Status StateMachine(const deploy::PlannedResource& r, Row* row) {
    const Deployed* d = Existing(r, deploy::Kind::kStateMachine);
    // The server's ARN of the machine deployed before (the plan's ARN is the same when the plan
    // used the server's partition).
    const std::string arn = d != nullptr ? d->arn : r.arn;
    auto described = s_.Json("AWSStepFunctions.DescribeStateMachine",
                             Value::MakeObject({{"stateMachineArn", Value::String(arn)}}));
    if (!described.ok() && described.error().error != "StateMachineDoesNotExist") {
      return described.error();
    }
    if (described.ok() && d == nullptr) return Foreign(r);
    const std::string& type = r.request.Find("type")->as_string();
    if (d != nullptr && described.ok()) {
      const Value* old_type = described->Find("type");
      if (old_type && old_type->is_string() && old_type->as_string() == type) {
        auto u = s_.Json("AWSStepFunctions.UpdateStateMachine",
                         Value::MakeObject({{"stateMachineArn", Value::String(arn)},
                                            {"definition", *r.request.Find("definition")},
                                            {"roleArn", *r.request.Find("roleArn")}}));
        if (!u.ok()) return u.error();
        auto t = s_.Json("AWSStepFunctions.TagResource",
                         Value::MakeObject({{"resourceArn", Value::String(arn)},
                                            {"tags", *r.request.Find("tags")}}));
        if (!t.ok()) return t.error();
        kept_.insert(arn);
        row->status = "UPDATED";
        return Status::Ok();
      }
      // STANDARD <-> EXPRESS cannot change in place: replace.
      STATOR_RETURN_IF_ERROR(DeleteResource(s_, *d));
      row->note = "type changed";
    }
    auto c = s_.Json("AWSStepFunctions.CreateStateMachine", r.request);
    if (!c.ok()) return c.error();
    kept_.insert(CreatedArn(*c, nullptr, "stateMachineArn", r.arn));
    row->status = (d != nullptr || Replacing(r)) ? "REPLACED" : "CREATED";
    return Status::Ok();
  }

  // An HTTP API of the server's API Gateway (docs/apigw.md): created with the id the plan chose
  // and its stage. One the stack deployed before is deleted and created again empty: the
  // functions and state machines after it add their routes anew.
  Status Api(const deploy::PlannedResource& r, Row* row) {
    const std::string id = r.arn.substr(r.arn.rfind('/') + 1);
    const std::string path = "/v2/apis/" + PercentEncode(id);
    const Deployed* d = Existing(r, deploy::Kind::kApi);
    if (d == nullptr) {
      auto got = s_.Rest("GET", path, nullptr);
      if (got.ok()) return Foreign(r);
      if (got.error().error != "NotFoundException") return got.error();
    } else {
      STATOR_RETURN_IF_ERROR(DeleteResource(s_, *d));
    }
    auto c = s_.Rest("POST", "/v2/apis", r.request.Find("api"));
    if (!c.ok()) return c.error();
    auto st = s_.Rest("POST", path + "/stages", r.request.Find("stage"));
    if (!st.ok()) return st.error();
    kept_.insert(r.arn);
    row->status = d != nullptr ? "UPDATED" : Replacing(r) ? "REPLACED" : "CREATED";
    row->note = ApiUrl(id, r.api_stage);
    appsync_.BindAs(r.logical_id, "ApiEndpoint", row->note);
    return Status::Ok();
  }

  // ENDPOINT/apigw/ID[/STAGE]
  std::string ApiUrl(const std::string& id, const std::string& stage) const {
    return s_.endpoint() + "/apigw/" + id +
           (stage == "$default" || stage.empty() ? "" : "/" + stage);
  }

  // The routes of a function's or state machine's Api events: an integration calling it and a
  // route to that integration on each event's API; the row's note lists their URLs.
  Status Routes(const deploy::PlannedResource& r, Row* row) {
    std::string note;
    for (const deploy::ApiRoute& route : r.api_routes) {
      Value integration;
      if (r.kind == deploy::Kind::kStateMachine) {
        integration = Value::MakeObject(
            {{"integrationType", Value::String("AWS_PROXY")},
             {"integrationSubtype", Value::String("StepFunctions-StartExecution")},
             {"payloadFormatVersion", Value::String("1.0")},
             {"requestParameters",
              Value::MakeObject({{"StateMachineArn", Value::String(r.arn)},
                                 {"Input", Value::String("$request.body")}})}});
      } else {
        integration = Value::MakeObject(
            {{"integrationType", Value::String("AWS_PROXY")},
             {"integrationUri", Value::String(r.arn)},
             {"payloadFormatVersion", Value::String(route.payload_format_version)}});
      }
      const std::string path = "/v2/apis/" + PercentEncode(route.api_id);
      auto i = s_.Rest("POST", path + "/integrations", &integration);
      if (!i.ok())
        return Error{i.error().error, "event " + route.event + ": " + ErrorText(i.error())};
      const Value* iid = i->Find("integrationId");
      Value body = Value::MakeObject(
          {{"routeKey", Value::String(route.route_key)},
           {"target",
            Value::String("integrations/" + (iid && iid->is_string() ? iid->as_string() : ""))}});
      auto rt = s_.Rest("POST", path + "/routes", &body);
      if (!rt.ok()) {
        return Error{rt.error().error, "event " + route.event + ": " + ErrorText(rt.error())};
      }
      // The stage of the URL: the API's in the plan, else the server's first.
      std::string stage = "$default";
      bool planned = false;
      for (const deploy::PlannedResource& api : plan_.resources) {
        if (api.kind == deploy::Kind::kApi && api.arn.ends_with("/apis/" + route.api_id)) {
          stage = api.api_stage;
          planned = true;
        }
      }
      if (!planned) {
        auto stages = s_.Rest("GET", path + "/stages", nullptr);
        const Value* items = stages.ok() ? stages->Find("items") : nullptr;
        if (items && items->is_array() && !items->as_array().empty()) {
          const Value* n = items->as_array().front().Find("stageName");
          if (n && n->is_string()) stage = n->as_string();
        }
      }
      std::string url = ApiUrl(route.api_id, stage);
      if (route.route_key == "$default") {
        url = "ANY " + url + "/...";
      } else {
        size_t space = route.route_key.find(' ');
        url = route.route_key.substr(0, space) + " " + url + route.route_key.substr(space + 1);
      }
      note += (note.empty() ? "" : ", ") + url;
    }
    row->note = (row->note.empty() ? "" : row->note + "; ") + note;
    return Status::Ok();
  }

  // A Schedule / ScheduleV2 event's schedule: created, or updated in place (UpdateSchedule
  // replaces every setting) when the stack has it under the same name; tagged with the stack.
  Status Schedule(const deploy::PlannedSchedule& sc, Row* row) {
    const std::string path = "/schedules/" + PercentEncode(sc.name);
    const Deployed* d = nullptr;
    for (const Deployed& e : existing_) {
      if (e.kind == deploy::Kind::kSchedule && e.logical_id == sc.logical_id && e.name == sc.name) {
        d = &e;
      }
    }
    std::string arn = sc.arn;
    if (d != nullptr) {
      auto u = s_.Rest("PUT", path, &sc.request);
      if (!u.ok()) return u.error();
      arn = d->arn;
      row->status = "UPDATED";
    } else {
      auto c = s_.Rest("POST", path, &sc.request);
      if (!c.ok()) {
        if (c.error().error == "ConflictException") {
          return Error{"AlreadyExists", "schedule '" + sc.name +
                                            "' already exists and is not part of stack " +
                                            plan_.stack_name};
        }
        return c.error();
      }
      arn = CreatedArn(*c, nullptr, "ScheduleArn", sc.arn);
      bool replacing = false;
      for (const Deployed& e : existing_) {
        if (e.kind == deploy::Kind::kSchedule && e.logical_id == sc.logical_id) replacing = true;
      }
      row->status = replacing ? "REPLACED" : "CREATED";
    }
    Value tags = Value::MakeObject(
        {{"Tags",
          Value::MakeArray({Value::MakeObject({{"Key", Value::String(deploy::kStackTag)},
                                               {"Value", Value::String(plan_.stack_name)}}),
                            Value::MakeObject({{"Key", Value::String(deploy::kLogicalIdTag)},
                                               {"Value", Value::String(sc.logical_id)}})})}});
    auto t = s_.Rest("POST", "/tags/" + PercentEncode(arn), &tags);
    if (!t.ok()) return t.error();
    kept_.insert(arn);
    return Status::Ok();
  }

  // The key schema as "name:HASH:S,name:RANGE:N".
  static std::string KeyErrorText(const Value& key_schema, const Value& definitions) {
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
      std::string old_keys =
          t && t->Find("KeySchema") && t->Find("AttributeDefinitions")
              ? KeyErrorText(*t->Find("KeySchema"), *t->Find("AttributeDefinitions"))
              : "";
      std::string new_keys =
          KeyErrorText(*r.request.Find("KeySchema"), *r.request.Find("AttributeDefinitions"));
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
    kept_.insert(CreatedArn(*c, "TableDescription", "TableArn", r.arn));
    row->status = (d != nullptr || Replacing(r)) ? "REPLACED" : "CREATED";
    return Status::Ok();
  }

  DeployServer& s_;
  const deploy::Plan& plan_;
  std::vector<Deployed> existing_;
  std::set<std::string> kept_;  // ARNs the template still has
  AppSyncDeploy appsync_;       // after existing_, which it reads
};

}  // namespace

Status ApplyPlan(DeployServer& s, const deploy::Plan& plan, std::vector<Deployed> existing,
                 std::vector<Row>* rows,
                 std::vector<std::pair<std::string, json::Value>>* outputs) {
  Deployer deployer(s, plan, std::move(existing));
  Status st = deployer.Run(rows);
  if (st.ok() && outputs != nullptr) {
    for (auto& [name, value] : *outputs) value = deployer.Bind(value);
  }
  return st;
}

}  // namespace stator::cli
