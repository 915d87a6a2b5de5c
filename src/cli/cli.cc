#include "cli/cli.h"

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/options.h"
#include "engine/allocator_tuning.h"

namespace stator::cli {
namespace {

constexpr const char* kUsage =
    "stator: run Amazon States Language state machines locally, or serve the Step Functions API\n"
    "\n"
    "usage:\n"
    "  stator run -f DEFINITION [options]   run one execution and print its result\n"
    "  stator serve [options]               serve the Step Functions API over HTTP\n"
    "  stator validate -f DEFINITION [--json]\n"
    "                                       check a definition like "
    "ValidateStateMachineDefinition\n"
    "  stator function COMMAND ...          create, invoke, list, delete functions on a server\n"
    "  stator deploy TEMPLATE [--stack-name NAME] [--parameter-overrides K=V ...]\n"
    "                                       deploy a SAM template into a running server\n"
    "  stator delete-stack NAME             delete what a deployed stack created\n"
    "  stator export|import --lambda-prefix ARN_PREFIX DEFINITION\n"
    "                                       bare function names <-> Lambda ARNs\n"
    "  stator knix export WORKFLOW [-o DIR] | stator knix import DEFINITION.json\n"
    "                                       a server's KNIX workflow <-> Step Functions + zips\n"
    "  stator jsonata EXPR [--input FILE|-] [--bindings JSON] | stator jsonata --batch\n"
    "                                       evaluate JSONata expressions\n"
    "  stator version                       print the version\n"
    "  stator --help | stator COMMAND --help\n"
    "\n"
    "exit codes: 0 succeeded / valid, 1 execution FAILED, TIMED_OUT or ABORTED,\n"
    "            2 invalid definition, 64 bad usage (options, unreadable file, bad input)\n"
    "\n"
    "See docs/cli.md for details.\n";

constexpr const char* kRunUsage =
    "usage: stator run -f DEFINITION [options]\n"
    "\n"
    "  -f, --file FILE            the state machine definition (JSON; '-' for stdin)\n"
    "  --input JSON               execution input (default {})\n"
    "  --input-file FILE          execution input from a file ('-' for stdin)\n"
    "  --json                     print one JSON object: "
    "{\"status\",\"output\",\"error\",\"cause\"}\n"
    "  --history                  also print the execution history (with --json: \"events\",\n"
    "                             as GetExecutionHistory returns them)\n"
    "  --time-scale S             real seconds per execution second: 1 = real time (default),\n"
    "                             0 = virtual time (Waits and retry back-off pass instantly)\n"
    "  --name NAME                execution name (default: a generated UUID)\n"
    "  --state-machine-name NAME  state machine name (default StateMachine)\n"
    "  --account ID               account id in ARNs (default 123456789012)\n"
    "  --region REGION            region in ARNs (default us-east-1)\n"
    "  --role-arn ARN             execution role (default arn:aws:iam::ACCOUNT:role/"
    "StatesExecutionRole)\n"
    "  --task-command STATE=CMD   serve Task state STATE by running CMD (repeatable): the task\n"
    "                             input on stdin, the result as JSON on stdout\n"
    "  --mock-config FILE         Step Functions Local mock configuration...\n"
    "  --test-case NAME           ...and the test case whose mocked responses to use\n"
    "\n"
    "Tasks not served by a command or a mock fail as AWS fails a missing resource.\n"
    "exit codes: 0 SUCCEEDED, 1 FAILED/TIMED_OUT/ABORTED, 2 invalid definition, 64 bad usage\n";

constexpr const char* kServeUsage =
    "usage: stator serve [options]\n"
    "\n"
    "Serves the AWS Step Functions API (AWS JSON 1.0, as boto3 and the AWS CLI speak it) until\n"
    "SIGINT or SIGTERM. Prints 'stator listening on http://HOST:PORT' once ready.\n"
    "\n"
    "  --host HOST                address to listen on (default 127.0.0.1)\n"
    "  --port PORT                port (default 8080; 0 = any free port)\n"
    "  --data-dir DIR             keep state machines and Standard executions in\n"
    "                             DIR/stator.db (SQLite); default: in memory only\n"
    "  --store URI                keep everything in PostgreSQL (postgresql://USER@HOST:PORT/DB)\n"
    "                             as one node of a cluster sharing that database\n"
    "  --node-id ID               this node's name in the cluster (default: random per start)\n"
    "  --lease-seconds S          a node's executions pass to others S seconds after it stops\n"
    "                             renewing them (default 10)\n"
    "  --account ID               account id in ARNs (default 123456789012)\n"
    "  --region REGION            region in ARNs (default us-east-1)\n"
    "  --time-scale S             real seconds per execution second: 1 = real time (default),\n"
    "                             0 = virtual time (Waits and retry back-off pass instantly)\n"
    "  --mock-config FILE         Step Functions Local mock configuration: an execution started\n"
    "                             with stateMachineArn 'ARN#TestCase' gets that test case's\n"
    "                             mocked Task responses\n"
    "  --threads N                HTTP threads (default 2)\n"
    "  --execution-threads N      threads running executions (default 2; 1 with --time-scale 0)\n"
    "  --function-concurrency N   warm instances per function (default 10; more invocations\n"
    "                             get TooManyRequestsException, Task states wait)\n"
    "  --function-spares N        idle instances per function forked ahead of demand while it\n"
    "                             is being called (default 1; 0 = fork only on demand)\n"
    "  --function-idle-timeout S  idle function instances exit after S seconds (default 300)\n"
    "  --no-function-sandbox      run functions without bubblewrap (docs/functions.md)\n"
    "\n"
    "exit codes: 0 after a clean shutdown, 1 could not start, 64 bad usage\n";

constexpr const char* kValidateUsage =
    "usage: stator validate -f DEFINITION [--json]\n"
    "\n"
    "  -f, --file FILE   the state machine definition (JSON; '-' for stdin)\n"
    "  --json            print {\"result\": \"OK\"|\"FAIL\", \"diagnostics\": [...], "
    "\"truncated\"}\n"
    "\n"
    "exit codes: 0 no errors, 2 errors found, 64 bad usage\n";

bool WantsHelp(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "-h" || a == "--help") return true;
  }
  return false;
}

int UsageError(std::ostream& err, const std::string& message) {
  err << "stator: " << message << '\n';
  return kExitUsage;
}

}  // namespace

int Main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    err << kUsage;
    return kExitUsage;
  }
  const std::string& command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "-h" || command == "--help" || command == "help") {
    if (command == "help" && !rest.empty()) {
      if (rest[0] == "run") return out << kRunUsage, kExitSucceeded;
      if (rest[0] == "validate") return out << kValidateUsage, kExitSucceeded;
      if (rest[0] == "serve") return out << kServeUsage, kExitSucceeded;
    }
    out << kUsage;
    return kExitSucceeded;
  }
  if (command == "version" || command == "--version") {
    out << "stator " << kVersion << '\n';
    return kExitSucceeded;
  }
  if (command == "run") {
    if (WantsHelp(rest)) return out << kRunUsage, kExitSucceeded;
    auto options = ParseRunOptions(rest);
    if (!options.ok()) return UsageError(err, options.error().cause);
    engine::TuneAllocatorOnce();  // before the input is read: it is the run's first big allocation
    return RunCommand(*options, out, err);
  }
  if (command == "serve") {
    if (WantsHelp(rest)) return out << kServeUsage, kExitSucceeded;
    auto options = ParseServeOptions(rest);
    if (!options.ok()) return UsageError(err, options.error().cause);
    engine::TuneAllocatorOnce();
    return ServeCommand(*options, out, err);
  }
  if (command == "function") return FunctionCommand(rest, out, err);
  if (command == "deploy") return DeployCommand(rest, out, err);
  if (command == "delete-stack") return DeleteStackCommand(rest, out, err);
  if (command == "knix") return KnixCommand(rest, out, err);
  if (command == "jsonata") return JsonataCommand(rest, out, err);
  if (command == "export" || command == "import") {
    return ExportImportCommand(rest, command == "import", out, err);
  }
  if (command == "validate") {
    if (WantsHelp(rest)) return out << kValidateUsage, kExitSucceeded;
    auto options = ParseValidateOptions(rest);
    if (!options.ok()) return UsageError(err, options.error().cause);
    return ValidateCommand(*options, out, err);
  }
  return UsageError(err, "unknown command '" + command + "' (try 'stator --help')");
}

}  // namespace stator::cli
