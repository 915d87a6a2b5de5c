// A deployed stack on the server: the functions, state machines, tables, GraphQL APIs, HTTP APIs
// and schedules tagged
// stator:stack=NAME (deploy::kStackTag), found by listing every resource and reading its tags,
// and deleted one by one (docs/deploy.md, "Stack records").
//
// Thread-safety: pure functions over a DeployServer (each call its own connection).
#pragma once

#include <string>
#include <vector>

#include "cli/deploy_server.h"
#include "common/result.h"
#include "deploy/stack.h"

namespace stator::cli {

// A resource of a stack, as its tags and the server's listings give it.
struct Deployed {
  deploy::Kind kind;
  std::string logical_id;
  std::string name;
  std::string arn;
};

// Every function, state machine, table, GraphQL API, HTTP API and schedule tagged
// stator:stack=stack. scope makes the tables' ARNs (ListTables gives names).
Result<std::vector<Deployed>> FindStack(DeployServer& s, const std::string& stack,
                                        const ArnScope& scope);

// Deletes one resource (a function or table already gone is not an error).
Status DeleteResource(DeployServer& s, const Deployed& d);

// "function", "state machine", "table", "graphql api", "api", "schedule" (as printed).
const char* KindType(deploy::Kind k);

// Deletion order: consumers before what they use (schedules and APIs, state machines,
// functions, tables).
int DeleteRank(deploy::Kind k);

}  // namespace stator::cli
