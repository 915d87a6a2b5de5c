// Command-line options of `stator run`, `stator validate` and `stator serve`, and their parsing.
//
// Options take their value as the next argument or after '=' ("--input '{}'",
// "--input={}"). A file name "-" means standard input. Parsing checks the options themselves
// (presence, exclusivity, number and name formats); what needs the definition (does a
// --task-command name a Task state?) is checked by the command.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace stator::cli {

struct RunOptions {
  std::string definition_file;
  std::optional<std::string> input_json;  // --input
  std::optional<std::string> input_file;  // --input-file
  bool history = false;
  bool json = false;
  std::string execution_name;                     // empty: generated
  std::optional<std::string> state_machine_name;  // default "StateMachine" (or the mock's)
  std::string account = "123456789012";
  std::string region = "us-east-1";
  std::string role_arn;  // empty: arn:aws:iam::<account>:role/StatesExecutionRole
  double time_scale = 1.0;
  std::optional<std::string> mock_config;
  std::optional<std::string> test_case;
  std::vector<std::pair<std::string, std::string>> task_commands;  // state name, command line
};

// stator serve: the API server's settings (server::ServeOptions).
struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: an ephemeral port
  std::string data_dir;
  std::string store_uri;           // --store: PostgreSQL (a cluster node)
  std::string node_id;             // --node-id
  int lease_seconds = 10;          // --lease-seconds
  int activity_poll_seconds = 60;  // --activity-poll-seconds
  std::string account = "123456789012";
  std::string region = "us-east-1";
  double time_scale = 1.0;
  int threads = 2;            // HTTP io threads
  int execution_threads = 2;  // threads running executions
  std::string mock_config;
  int function_concurrency = 10;    // warm instances per function
  int function_spares = 1;          // idle instances forked ahead of demand
  int function_idle_seconds = 300;  // idle function instances exit after this
  bool function_sandbox = true;     // --no-function-sandbox: never use bubblewrap
};

struct ValidateOptions {
  std::string definition_file;
  bool json = false;
};

// Errors have error "Usage" and a one-line cause.
Result<RunOptions> ParseRunOptions(const std::vector<std::string>& args);
Result<ValidateOptions> ParseValidateOptions(const std::vector<std::string>& args);
Result<ServeOptions> ParseServeOptions(const std::vector<std::string>& args);

// AWS's rule for execution and state machine names: 1-80 characters, none of whitespace,
// < > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : / or control characters.
bool IsValidResourceName(const std::string& name);

}  // namespace stator::cli
