// Carrying out the AppSync resources of a deploy::Plan against the server's appsync API
// (docs/appsync.md, "Deploy"): GraphQL APIs created or updated in place, schemas started and
// waited for, API keys, data sources and resolvers created or updated; the values only the server
// knows (API ids, URLs, keys, ARNs) bound to the plan's late-bound tokens as they become known.
//
// What belongs to the stack: an API carries the stack's tags (it is found by FindStack like the
// other resources); the parts under it are recorded in tags of the API,
// "stator:part:<LogicalId>" = "schema" | "apikey:<id>" | "datasource:<name>" |
// "resolver:<Type>.<field>", so that a re-deploy updates them and deletes those the template no
// longer has. An API_KEY API whose template has no AWS::AppSync::ApiKey for it gets one key
// ("stator:default-key" = its id), kept across deploys.
//
// Thread-safety: one AppSyncDeploy per deploy, used from one thread.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "cli/deploy_report.h"
#include "cli/deploy_server.h"
#include "cli/deploy_stack.h"
#include "common/result.h"
#include "deploy/late_bound.h"
#include "deploy/stack.h"

namespace stator::cli {

class AppSyncDeploy {
 public:
  AppSyncDeploy(DeployServer& s, const deploy::Plan& plan, const std::vector<Deployed>& existing)
      : s_(s), plan_(plan), existing_(existing) {}

  // r with every token bound so far replaced (request, name, ARN).
  deploy::PlannedResource Bind(const deploy::PlannedResource& r) const;
  // Binds the token of `attribute` of `logical_id` to `value`. The AppSync resources bind theirs
  // as they are made; the deploy's other late-bound values (an HTTP API's ApiEndpoint) are bound
  // here too, so that one set of bindings fills every later request and the Outputs.
  void BindAs(const std::string& logical_id, const char* attribute, const std::string& value);
  json::Value Bind(const json::Value& v) const { return deploy::BindLate(v, bound_); }

  // Creates or updates one AppSync resource (r bound), filling in row.
  Status Apply(const deploy::PlannedResource& r, Row* row);

  // Deletes the parts of the APIs deployed now that the template no longer has (resolvers, then
  // data sources, then API keys), a row each.
  Status DeleteStaleParts(std::vector<Row>* rows);

  // The ARNs of the APIs deployed now (the stack keeps them).
  const std::set<std::string>& kept() const { return kept_; }

 private:
  struct DeployedApi {
    std::string arn;
    std::map<std::string, std::string> parts;  // logical id -> part tag value, this deploy
  };

  Status Api(const deploy::PlannedResource& r, Row* row);
  Status Schema(const deploy::PlannedResource& r, const std::string& api_id, Row* row);
  Status ApiKey(const deploy::PlannedResource& r, const std::string& api_id, Row* row);
  Status DataSource(const deploy::PlannedResource& r, const std::string& api_id, Row* row);
  Status Resolver(const deploy::PlannedResource& r, const std::string& api_id, Row* row);
  // The API's entry (its ARN read from the server for an API of another stack).
  Result<DeployedApi*> ApiOf(const std::string& api_id);
  Result<std::map<std::string, std::string>> TagsOf(const std::string& arn);
  Status Tag(const std::string& arn, const std::string& key, const std::string& value);
  Status Untag(const std::string& arn, const std::string& key);
  // Records part `value` of the API under r's logical id (tag and this deploy's list).
  Status RecordPart(const std::string& api_id, const deploy::PlannedResource& r,
                    const std::string& value);
  // The default key of an API_KEY API without an ApiKey resource (or its removal once the
  // template has one).
  Status DefaultKey(const deploy::PlannedResource& r, const std::string& api_id,
                    const std::string& arn, Row* row);

  DeployServer& s_;
  const deploy::Plan& plan_;
  const std::vector<Deployed>& existing_;
  deploy::LateBindings bound_;
  std::map<std::string, DeployedApi> apis_;  // by API id
  std::set<std::string> kept_;
};

}  // namespace stator::cli
